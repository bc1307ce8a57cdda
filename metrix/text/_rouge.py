"""ROUGE: n-gram (1-9), longest-common-subsequence (L) and summary-level LCS (Lsum) overlap.

Each prediction gets a precision, recall and F-measure per ROUGE key against its
references (the reference with the best F-measure, or the mean over references); the
corpus value is the mean over predictions. So the state is the float64 sums of those
per-prediction scores and an int64 count: exact to float rounding under merge and sync,
with no per-sentence storage.

Text is lowercased, every run of characters other than ``a-z0-9`` becomes a blank, and
the words are the blank-separated pieces (Porter-stemmed when longer than 3 characters
with ``use_stemmer=True``), as in Google's ``rouge-score`` and TorchMetrics; a custom
``normalizer`` and ``tokenizer`` replace those steps. ``rougeLsum`` splits each text into
sentences with :func:`split_sentences` (no model to download, unlike TorchMetrics' NLTK
``punkt``): at every line break, and after a word ending in ``.``, ``!`` or ``?`` (closing
quotes and brackets allowed, an ellipsis excepted). On plain sentences that is what NLTK's
``PunktSentenceTokenizer`` does; unlike it, there is no abbreviation or initial heuristic
(``"Mr."`` or ``"J."`` end a sentence), and a line break always does (the convention of
``rouge-score``, which splits on newlines only).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool, check_choice
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.text._inputs import texts_with_references
from metrix.text._levenshtein import longest_common_subsequence

__all__ = ["ROUGE_KEYS", "RougeState", "rouge_score", "split_sentences"]

ROUGE_KEYS = (*(f"rouge{n}" for n in range(1, 10)), "rougeL", "rougeLsum")
_MEASURES = ("fmeasure", "precision", "recall")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_BLANKS = re.compile(r"\s+")
_CLOSERS = "\"')]}"


@state
class RougeState:
    """Sums of per-prediction scores."""

    sums: Tensor = leaf("sum")  # float64 (keys, 3): per ROUGE key, sums of [fmeasure, precision, recall]
    count: Tensor = leaf("sum")  # int64 (): predictions


def split_sentences(text: str) -> list[str]:
    r"""Sentences of ``text`` for ROUGE-Lsum: split at line breaks and after sentence-final words.

    Example:
        >>> from metrix.text._rouge import split_sentences
        >>> split_sentences('He said "no." Then he left!\nA new line... still one')
        ['He said "no."', 'Then he left!', 'A new line... still one']
    """
    sentences = []
    for line in text.split("\n"):
        current: list[str] = []
        for word in line.split():
            current.append(word)
            bare = word.rstrip(_CLOSERS)
            if bare.endswith((".", "!", "?")) and not bare.endswith(".."):
                sentences.append(" ".join(current))
                current = []
        if current:
            sentences.append(" ".join(current))
    return sentences


def _scores(hits: int, pred_len: int, target_len: int) -> tuple[float, float, float]:
    """``(fmeasure, precision, recall)``; all 0 when either side is empty or nothing matches."""
    if pred_len == 0 or target_len == 0:
        return 0.0, 0.0, 0.0
    precision, recall = hits / pred_len, hits / target_len
    if precision == 0.0 and recall == 0.0:
        return 0.0, 0.0, 0.0
    return 2 * precision * recall / (precision + recall), precision, recall


def _rouge_n(pred: Sequence[str], target: Sequence[str], n: int) -> tuple[float, float, float]:
    pred_grams = Counter(tuple(pred[i : i + n]) for i in range(len(pred) - n + 1))
    target_grams = Counter(tuple(target[i : i + n]) for i in range(len(target) - n + 1))
    hits = sum(min(c, target_grams[g]) for g, c in pred_grams.items() if g in target_grams)
    return _scores(hits, sum(pred_grams.values()), sum(target_grams.values()))


def _rouge_l(pred: Sequence[str], target: Sequence[str]) -> tuple[float, float, float]:
    return _scores(longest_common_subsequence(pred, target), len(pred), len(target))


def _lcs_positions(pred: Sequence[str], target: Sequence[str]) -> list[int]:
    """Positions in ``target`` of one longest common subsequence (rouge-score's backtracking)."""
    width = len(pred) + 1
    table = [[0] * width for _ in range(len(target) + 1)]
    for j in range(1, len(target) + 1):
        above, here, word = table[j - 1], table[j], target[j - 1]
        for i in range(1, width):
            here[i] = above[i - 1] + 1 if pred[i - 1] == word else max(above[i], here[i - 1])
    positions = []
    i, j = len(pred), len(target)
    while i > 0 and j > 0:
        if pred[i - 1] == target[j - 1]:
            positions.append(j - 1)
            i, j = i - 1, j - 1
        elif table[j][i - 1] > table[j - 1][i]:
            i -= 1
        else:
            j -= 1
    return positions


def _rouge_lsum(pred: Sequence[Sequence[str]], target: Sequence[Sequence[str]]) -> tuple[float, float, float]:
    pred_len, target_len = sum(map(len, pred)), sum(map(len, target))
    if pred_len == 0 or target_len == 0:
        return 0.0, 0.0, 0.0
    pred_left = Counter(tok for sentence in pred for tok in sentence)
    target_left = Counter(tok for sentence in target for tok in sentence)
    hits = 0
    for sentence in target:
        # the union over predicted sentences of their LCS with this reference sentence
        union = sorted({p for pred_sentence in pred for p in _lcs_positions(pred_sentence, sentence)})
        for token in (sentence[p] for p in union):
            if pred_left[token] > 0 and target_left[token] > 0:
                hits += 1
                pred_left[token] -= 1
                target_left[token] -= 1
    return _scores(hits, pred_len, target_len)


class _Words:
    """Text to ROUGE words: normalise, tokenize, stem."""

    def __init__(self, stemmer: Any, normalizer: Callable[[str], str] | None, tokenizer: Any) -> None:
        self.stemmer, self.normalizer, self.tokenizer = stemmer, normalizer, tokenizer

    def __call__(self, text: str) -> list[str]:
        text = self.normalizer(text) if callable(self.normalizer) else _NOT_ALNUM.sub(" ", text.lower())
        tokens = self.tokenizer(text) if callable(self.tokenizer) else _BLANKS.split(text)
        if self.stemmer is not None:
            stem = self.stemmer.stem
            tokens = [stem(t) if len(t) > 3 else t for t in tokens]
        return [t for t in tokens if isinstance(t, str) and t]


def _porter_stemmer() -> Any:
    try:
        from nltk.stem.porter import PorterStemmer
    except ImportError as err:
        raise ImportError(
            "rouge_score(use_stemmer=True) needs nltk's Porter stemmer: pip install 'metrix[text]'"
        ) from err
    return PorterStemmer()


def _check_keys(rouge_keys: Any) -> tuple[str, ...]:
    keys = (rouge_keys,) if isinstance(rouge_keys, str) else rouge_keys
    if not isinstance(keys, (tuple, list)) or not keys:
        raise ValueError(f"rouge_keys must be a key or a non-empty tuple of keys from {ROUGE_KEYS}, got {rouge_keys!r}")
    for key in keys:
        check_choice(key, "rouge_keys", ROUGE_KEYS)
    return tuple(keys)


@factory(higher_is_better=True)
def rouge_score(
    accumulate: str = "best",
    use_stemmer: bool = False,
    normalizer: Callable[[str], str] | None = None,
    tokenizer: Callable[[str], Sequence[str]] | None = None,
    rouge_keys: str | tuple[str, ...] = ("rouge1", "rouge2", "rougeL", "rougeLsum"),
) -> Metric:
    """ROUGE-N, ROUGE-L and ROUGE-Lsum precision, recall and F-measure, averaged over predictions.

    Same arguments, defaults and output keys as ``torchmetrics.functional.text.rouge_score``
    (Lin, 2004), and the values of Google's ``rouge-score``; ``rougeLsum`` splits
    sentences without NLTK's downloadable ``punkt`` model (see the module notes).

    Args:
        accumulate: with several references, ``"best"`` keeps the reference with the
            highest F-measure (per key), ``"avg"`` averages over references.
        use_stemmer: Porter-stem words longer than 3 characters (needs ``nltk``, in the
            ``text`` extra).
        normalizer: replaces lowercasing and the non-alphanumeric-to-blank step
            (``str -> str``).
        tokenizer: replaces the split on blanks (``str -> list of str``).
        rouge_keys: one key or a tuple of keys among ``"rouge1"`` … ``"rouge9"``,
            ``"rougeL"`` and ``"rougeLsum"``.

    Returns:
        A metric whose ``update(state, preds, target)`` takes a string or list of strings
        and, per prediction, a reference string or a list of them (a flat list of
        strings with a single prediction is that prediction's references). Its value is
        a dict ``{"<key>_fmeasure" | "<key>_precision" | "<key>_recall": float32 scalar}``
        (NaN before any update).

    Example:
        >>> from metrix.text import rouge_score
        >>> scores = rouge_score(rouge_keys=("rouge1", "rougeL"))("My name is John", "Is your name John")
        >>> {k: round(float(v), 4) for k, v in sorted(scores.items())}  # doctest: +NORMALIZE_WHITESPACE
        {'rouge1_fmeasure': 0.75, 'rouge1_precision': 0.75, 'rouge1_recall': 0.75,
         'rougeL_fmeasure': 0.5, 'rougeL_precision': 0.5, 'rougeL_recall': 0.5}
    """
    accumulate = check_choice(accumulate, "accumulate", ("best", "avg"))
    use_stemmer = check_bool(use_stemmer, "use_stemmer")
    for fn, name in ((normalizer, "normalizer"), (tokenizer, "tokenizer")):
        if fn is not None and not callable(fn):
            raise TypeError(f"{name} must be a callable or None, got {type(fn).__name__}")
    keys = _check_keys(rouge_keys)
    words = _Words(_porter_stemmer() if use_stemmer else None, normalizer, tokenizer)
    lsum = "rougeLsum" in keys

    def one_pair(
        pred: tuple[list[str], list[list[str]]], target: tuple[list[str], list[list[str]]]
    ) -> list[tuple[float, float, float]]:  # (precision, recall, f-measure) per key
        out = []
        for key in keys:
            if key == "rougeL":
                out.append(_rouge_l(pred[0], target[0]))
            elif key == "rougeLsum":
                out.append(_rouge_lsum(pred[1], target[1]))
            else:
                out.append(_rouge_n(pred[0], target[0], int(key[5:])))
        return out

    def prepared(text: str) -> tuple[list[str], list[list[str]]]:
        return words(text), [words(s) for s in split_sentences(text)] if lsum else []

    def batch_sums(preds: Any, target: Any) -> tuple[list[list[float]], int]:
        p, refs = texts_with_references(preds, target, flat_target_for_one_pred="references_of_the_one")
        sums = [[0.0, 0.0, 0.0] for _ in keys]
        for pred_text, references in zip(p, refs):
            pred = prepared(pred_text)
            per_ref = [one_pair(pred, prepared(r)) for r in references]
            for k in range(len(keys)):
                chosen: tuple[float, ...]
                if accumulate == "best":
                    chosen = per_ref[0][k]
                    for scores in per_ref[1:]:
                        if scores[k][0] > chosen[0]:
                            chosen = scores[k]
                else:
                    chosen = tuple(sum(scores[k][m] for scores in per_ref) / len(per_ref) for m in range(3))
                for m in range(3):
                    sums[k][m] += chosen[m]
        return sums, len(p)

    def init(*, device: Any = None) -> RougeState:
        return RougeState(
            torch.zeros(len(keys), 3, dtype=torch.float64, device=device),
            torch.zeros((), dtype=torch.int64, device=device),
        )

    def update(s: RougeState, preds: Any, target: Any) -> RougeState:
        sums, n = batch_sums(preds, target)
        return RougeState(s.sums + torch.tensor(sums, dtype=torch.float64, device=s.sums.device), s.count + n)

    def compute(s: RougeState) -> dict[str, Tensor]:
        means = (s.sums / s.count).to(torch.float32)
        return {f"{key}_{measure}": means[k, m] for k, key in enumerate(keys) for m, measure in enumerate(_MEASURES)}

    key = ("rouge", accumulate, use_stemmer, normalizer, tokenizer, keys)
    return Metric(init, update, compute, name="rouge_score", key=key)
