"""Text rows: corpus WER, BLEU and SacreBLEU over 100k segments (10k with --quick).

Each row streams the corpus through ``MetricModule(metric).update`` in batches of 1,000
segments and computes once, against TorchMetrics' class doing the same. The third column
holds the field's specialised package on the whole corpus in one call (jiwer for WER,
sacrebleu for BLEU), not a raw-torch floor: the goal is at least 3x TorchMetrics and no
slower than that package. Tokenizer caches (sacrebleu's and metrix's) are cleared before
every repetition, so repeated runs over the same corpus do not time cache hits.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from _harness import NA, Bench, Row

import metrix

try:
    from metrix import text as mt
except ImportError:  # pragma: no cover - a checkout without metrix.text
    mt = None

DOC_NOTES = """
* **text** (WER, BLEU, SacreBLEU over 100k segments): `MetricModule(metric).update` in
  batches of 1,000 segments, then `compute`, against TorchMetrics' class doing the same. The
  *floor* column of these rows is the field's own package on the whole corpus in one call
  (jiwer for WER, sacrebleu for BLEU), with its tokenizer caches cleared before each
  repetition; "metrix / floor" below 1 means metrix is faster than that package.
"""

BATCH = 1000


def corpus(n: int, seed: int = 0, vocab: int = 5000) -> tuple[list[str], list[str]]:
    """``n`` (prediction, reference) pairs: Zipfian words, punctuation, 5-30 words, ~20% word edits."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocab)]
    weights = [1.0 / (i + 1) for i in range(vocab)]
    marks = [",", ".", ";", "(", ")", "'s", "-", "3.5"]
    preds, refs = [], []
    for _ in range(n):
        ref = rng.choices(words, weights, k=rng.randint(5, 30))
        ref = [w + rng.choice(marks) if rng.random() < 0.08 else w for w in ref]
        pred = [w if rng.random() < 0.8 else rng.choices(words, weights)[0] for w in ref]
        if rng.random() < 0.3:
            pred = pred[:-2]
        refs.append(" ".join(ref).capitalize() + ".")
        preds.append(" ".join(pred).capitalize() + ".")
    return preds, refs


def _clear_tokenizer_caches() -> None:
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a
    from sacrebleu.tokenizers.tokenizer_re import TokenizerRegexp

    from metrix.text import _tokenizers

    Tokenizer13a.__call__.cache_clear()
    TokenizerRegexp.__call__.cache_clear()
    _tokenizers._tokenize_13a.cache_clear()


def _row(
    b: Bench,
    name: str,
    ours: Callable[[], Any],
    theirs: Callable[[], Any],
    package: Callable[[Any, Any], Any],
    data: tuple[list[str], Any],
    package_data: tuple[Any, Any],
    reps: int,
) -> Row:
    row = Row(name, ">= 3x vs TM and <= 1x the specialised package")
    row.unit = "ms/corpus"
    preds, target = data
    n = len(preds)

    def run_module(make: Callable[[], Any]) -> Callable[[], Callable[[], Any]]:
        def setup() -> Callable[[], Any]:
            _clear_tokenizer_caches()
            m = make()

            def run() -> Any:
                for i in range(0, n, BATCH):
                    m.update(preds[i : i + BATCH], target[i : i + BATCH])
                return m.compute()

            return run

        return setup

    def setup_package() -> Callable[[], Any]:
        _clear_tokenizer_caches()
        return lambda: package(*package_data)

    t = b.interleaved({"metrix": run_module(ours), "tm": run_module(theirs), "floor": setup_package}, 1, reps=reps)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    ratio_floor = row.ratio_floor()
    row.met = row.ratio_tm() >= 3.0 and ratio_floor is not None and ratio_floor <= 1.0
    return row


def plan(b: Bench) -> list[tuple[str, Callable[[], Row]]]:
    n = 10_000 if b.quick else 100_000
    label = f"{n // 1000}k"

    def missing(name: str) -> Row:
        return Row(name, ">= 3x vs TM and <= 1x the specialised package", note=NA)

    def wer() -> Row:
        name = f"word_error_rate over {label} sentence pairs (vs jiwer)"
        if mt is None:
            return missing(name)
        import jiwer
        import torchmetrics.text as tmt

        preds, refs = corpus(n)
        return _row(
            b,
            name,
            lambda: metrix.MetricModule(mt.word_error_rate()),
            tmt.WordErrorRate,
            lambda r, p: jiwer.wer(r, p),
            (preds, refs),
            (refs, preds),
            reps=3 if b.quick else 5,
        )

    def bleu(tokenize: str) -> Row:
        what = "bleu_score" if tokenize == "none" else f"sacre_bleu_score(tokenize='{tokenize}')"
        name = f"{what} over {label} segments (vs sacrebleu)"
        if mt is None:
            return missing(name)
        import sacrebleu
        import torchmetrics.text as tmt

        preds, refs = corpus(n, seed=1)
        one_ref = [[r] for r in refs]
        scorer = sacrebleu.metrics.BLEU(tokenize=tokenize, force=True)
        if tokenize == "none":
            ours, theirs = (lambda: metrix.MetricModule(mt.bleu_score())), tmt.BLEUScore
        else:
            ours = lambda: metrix.MetricModule(mt.sacre_bleu_score(tokenize=tokenize))  # noqa: E731
            theirs = lambda: tmt.SacreBLEUScore(tokenize=tokenize)  # noqa: E731
        return _row(
            b, name, ours, theirs, lambda p, r: scorer.corpus_score(p, r), (preds, one_ref), (preds, [refs]), reps=3
        )

    return [("text_wer", wer), ("text_bleu", lambda: bleu("none")), ("text_sacrebleu", lambda: bleu("13a"))]
