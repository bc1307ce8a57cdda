"""chrF and chrF++: F-scores of character (and word) n-grams.

For each prediction the best reference is the one with the highest sentence-level
chrF; the counts of that pair (predicted, reference and matching n-grams of every
order) are summed over the corpus, and the corpus score is the same F-score formula on
the sums. So the state is two int64 count tables, exact under merge and sync; with
``return_sentence_level_score=True`` each sentence's score is also kept, in arrival
order.

Per order ``n``: ``P_n = matches / predicted``, ``R_n = matches / reference`` (0 when
the denominator is 0) and ``F_n = (1 + beta^2) P_n R_n / max(beta^2 P_n + R_n, 1e-16)``;
the score is the mean of ``F_n`` over all character and word orders. Following
TorchMetrics (Popović's and sacrebleu's definitions, with TorchMetrics' conventions): a
prediction whose best sentence score is 0 adds its predicted n-grams but no reference
n-grams; ``whitespace=False`` strips the sentence and removes spaces before taking
character n-grams; words are whitespace-split with one leading or trailing punctuation
mark split off.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

import torch
from torch import Tensor

from metrix._core.args import check_bool, check_int, check_number
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.text import _parameter_docs as parameter_docs
from metrix.text._corpus import corpus_metric
from metrix.text._inputs import counts_like, texts_with_references

__all__ = ["ChrFCountsState", "ChrFSentencesState", "chrf_score"]

_EPS = 1e-16
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


@state
class ChrFCountsState:
    """Corpus n-gram counts of the best-matching references."""

    chars: Tensor = leaf("sum")  # int64 (3, n_char_order): [predicted, reference, matching] character n-grams
    words: Tensor = leaf("sum")  # int64 (3, n_word_order): [predicted, reference, matching] word n-grams


@state
class ChrFSentencesState:
    """Corpus counts and every sentence's score."""

    counts: ChrFCountsState = leaf("node")
    sentence_scores: Any = leaf("cat")  # float64 (n,): sentence-level chrF, in arrival order


def _words(sentence: str) -> list[str]:
    out: list[str] = []
    for word in sentence.strip().split():
        if len(word) > 1 and word[-1] in _PUNCTUATION:
            out += [word[:-1], word[-1]]
        elif len(word) > 1 and word[0] in _PUNCTUATION:
            out += [word[0], word[1:]]
        else:
            out.append(word)
    return out


def _char_ngrams(chars: str, order: int) -> list[Counter[str]]:
    return [Counter(chars[i : i + n] for i in range(len(chars) - n + 1)) for n in range(1, order + 1)]


def _word_ngrams(words: list[str], order: int) -> list[Counter[tuple[str, ...]]]:
    return [Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1)) for n in range(1, order + 1)]


def _f_scores(matching: list[int], predicted: list[int], reference: list[int], beta2: float) -> float:
    total = 0.0
    for m, p, r in zip(matching, predicted, reference):
        precision = m / p if p > 0 else 0.0
        recall = m / r if r > 0 else 0.0
        total += (1 + beta2) * precision * recall / max(beta2 * precision + recall, _EPS)
    return total


Gram = TypeVar("Gram", bound=Hashable)  # a character n-gram (str) or a word n-gram (tuple of words)


def _matches(a: Sequence[Counter[Gram]], b: Sequence[Counter[Gram]]) -> list[int]:
    out = []
    for ca, cb in zip(a, b):
        if len(cb) < len(ca):
            ca, cb = cb, ca
        out.append(sum(min(c, cb[g]) for g, c in ca.items() if g in cb))
    return out


class _Extractor:
    """n-gram counts of one sentence under a chrF configuration."""

    def __init__(self, n_char: int, n_word: int, lowercase: bool, whitespace: bool) -> None:
        self.n_char, self.n_word, self.lowercase, self.whitespace = n_char, n_word, lowercase, whitespace

    def __call__(self, sentence: str) -> tuple[list[Counter[str]], list[Counter[tuple[str, ...]]]]:
        if self.lowercase:
            sentence = sentence.lower()
        chars = sentence if self.whitespace else sentence.strip().replace(" ", "")
        words = _word_ngrams(_words(sentence), self.n_word) if self.n_word else []
        return _char_ngrams(chars, self.n_char), words


def chrf_statistics(
    preds: list[str], refs: list[list[str]], extract: _Extractor, beta: float
) -> tuple[list[list[int]], list[list[int]], list[float]]:
    """Per-batch counts ``[predicted, reference, matching]`` (chars, words) and sentence scores."""
    n_char, n_word = extract.n_char, extract.n_word
    n_order = n_char + n_word
    beta2 = beta**2
    chars = [[0] * n_char for _ in range(3)]
    words = [[0] * n_word for _ in range(3)]
    scores = []
    for pred, references in zip(preds, refs):
        pc, pw = extract(pred)
        pc_tot = [sum(c.values()) for c in pc]
        pw_tot = [sum(c.values()) for c in pw]
        best = 0.0
        best_stats: tuple[list[int], list[int], list[int], list[int]] | None = None
        for ref in references:
            rc, rw = extract(ref)
            rc_tot = [sum(c.values()) for c in rc]
            rw_tot = [sum(c.values()) for c in rw]
            mc, mw = _matches(pc, rc), _matches(pw, rw)
            score = (_f_scores(mc, pc_tot, rc_tot, beta2) + _f_scores(mw, pw_tot, rw_tot, beta2)) / n_order
            if score > best:
                best, best_stats = score, (rc_tot, rw_tot, mc, mw)
        for k in range(n_char):
            chars[0][k] += pc_tot[k]
        for k in range(n_word):
            words[0][k] += pw_tot[k]
        if best_stats is not None:
            rc_tot, rw_tot, mc, mw = best_stats
            for k in range(n_char):
                chars[1][k] += rc_tot[k]
                chars[2][k] += mc[k]
            for k in range(n_word):
                words[1][k] += rw_tot[k]
                words[2][k] += mw[k]
        scores.append(best)
    return chars, words, scores


def _corpus_score(chars: Tensor, words: Tensor, beta: float) -> Tensor:
    def f_sum(counts: Tensor) -> Tensor:
        c = counts.to(torch.float64)
        predicted, reference, matching = c[0], c[1], c[2]
        precision = torch.where(predicted > 0, matching / predicted.clamp(min=1), 0.0)
        recall = torch.where(reference > 0, matching / reference.clamp(min=1), 0.0)
        denominator = torch.clamp(beta**2 * precision + recall, min=_EPS)
        return ((1 + beta**2) * precision * recall / denominator).sum()

    n_order = chars.shape[1] + words.shape[1]
    return ((f_sum(chars) + f_sum(words)) / n_order).to(torch.float32)


@factory(higher_is_better=True)
@parameter_docs.TRANSLATIONS
def chrf_score(
    n_char_order: int = 6,
    n_word_order: int = 2,
    beta: float = 2.0,
    lowercase: bool = False,
    whitespace: bool = False,
    return_sentence_level_score: bool = False,
) -> Metric:
    """Corpus chrF (``n_word_order=0``) or chrF++ (the default) against one or more references.

    Same arguments, defaults and values as ``torchmetrics.functional.text.chrf_score``
    (Popović 2015, 2017).

    Args:
        n_char_order: character n-gram order (an int >= 1; 6 in the official chrF).
        n_word_order: word n-gram order (an int >= 0; 2 for chrF++, 0 for chrF).
        beta: weight of recall against precision (a number >= 0).
        lowercase: compare lowercased text.
        whitespace: keep whitespace in character n-grams.
        return_sentence_level_score: also return each sentence's score.

    Returns:
        A metric whose ``update(state, preds, target)`` takes a string or list of
        strings and, per prediction, a reference string or a list of them (a flat list
        of strings with a single prediction is that prediction's references). Its value
        is a float32 scalar, or ``(corpus score, sentence scores)`` with a float32
        vector in arrival order (empty before any update, where TorchMetrics returns
        only the corpus score).

    Example:
        >>> chrf_score()(preds, target)
        tensor(0.8640)
    """
    n_char_order = check_int(n_char_order, "n_char_order", 1)
    n_word_order = check_int(n_word_order, "n_word_order", 0)
    beta = check_number(beta, "beta", "a number >= 0", lambda v: v >= 0)
    lowercase = check_bool(lowercase, "lowercase")
    whitespace = check_bool(whitespace, "whitespace")
    sentence_level = check_bool(return_sentence_level_score, "return_sentence_level_score")
    extract = _Extractor(n_char_order, n_word_order, lowercase, whitespace)

    def init_counts(*, device: Any = None) -> ChrFCountsState:
        return ChrFCountsState(
            torch.zeros(3, n_char_order, dtype=torch.int64, device=device),
            torch.zeros(3, n_word_order, dtype=torch.int64, device=device),
        )

    def statistics(preds: Any, target: Any) -> tuple[tuple[list[list[int]], list[list[int]]], list[float]]:
        p, refs = texts_with_references(preds, target, flat_target_for_one_pred="references_of_the_one")
        chars, words, scores = chrf_statistics(p, refs, extract, beta)
        return (chars, words), scores

    def add(s: ChrFCountsState, counts: tuple[list[list[int]], list[list[int]]]) -> ChrFCountsState:
        chars, words = counts
        return ChrFCountsState(s.chars + counts_like(chars, s.chars), s.words + counts_like(words, s.words))

    def compute(s: ChrFCountsState) -> Tensor:
        return _corpus_score(s.chars, s.words, beta)

    key = ("chrf_counts", n_char_order, n_word_order, beta, lowercase, whitespace)
    return corpus_metric("chrf_score", key, init_counts, statistics, add, compute, ChrFSentencesState, sentence_level)
