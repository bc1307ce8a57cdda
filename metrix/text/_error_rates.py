"""Error rates: word/character/match error rate and word information lost/preserved.

Each is a ratio of corpus-wide integer counts, so the state is one int64 vector: word
edit distance summed over pairs, reference words, predicted words, and the sum of
``max(reference words, predicted words)``. Word-level metrics share that state (a
collection updates it once for WER, MER, WIL and WIP); the character error rate has its
own, with characters as tokens. Words are whitespace-separated (``str.split()``), as in
TorchMetrics; the edit distance is exact Levenshtein (see ``metrix.text._levenshtein``).

With ``E`` edits, ``N`` reference words, ``P`` predicted words and ``M = sum max(N_i, P_i)``:
``WER = E / N``, ``MER = E / M``, ``WIP = ((E - M) / N) * ((E - M) / P)`` and
``WIL = 1 - WIP``, the forms TorchMetrics computes (``M - E`` stands in for the hit
count).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.text import _parameter_docs as parameter_docs
from metrix.text._inputs import counts_like, paired_texts
from metrix.text._levenshtein import levenshtein_many

__all__ = [
    "CharErrorCountsState",
    "WordErrorCountsState",
    "char_error_rate",
    "match_error_rate",
    "word_error_rate",
    "word_information_lost",
    "word_information_preserved",
]


@state
class WordErrorCountsState:
    """Corpus-wide word counts of the error rates."""

    counts: Tensor = leaf("sum")  # int64 (4,): [word edits, reference words, predicted words, sum of max(ref, pred)]


@state
class CharErrorCountsState:
    """Corpus-wide character counts of the character error rate."""

    counts: Tensor = leaf("sum")  # int64 (2,): [character edits, reference characters]


def word_edit_counts(preds: list[str], target: list[str]) -> list[int]:
    """``[edits, reference words, predicted words, sum of max]`` of whitespace-split pairs."""
    pred_words = [p.split() for p in preds]
    ref_words = [t.split() for t in target]
    edits = sum(levenshtein_many(pred_words, ref_words))
    n_ref = n_pred = n_max = 0
    for p, r in zip(pred_words, ref_words):
        lp, lr = len(p), len(r)
        n_ref += lr
        n_pred += lp
        n_max += lr if lr > lp else lp
    return [edits, n_ref, n_pred, n_max]


ErrorCounts = TypeVar("ErrorCounts", WordErrorCountsState, CharErrorCountsState)


def _counts_metric(
    name: str,
    state_cls: type[ErrorCounts],
    size: int,
    counts: Callable[[list[str], list[str]], list[int]],
    finish: Callable[[Tensor], Tensor],
    key: tuple[str],
) -> Metric:
    """A ratio of corpus-wide counts: ``size`` ints ``counts(preds, target)`` per batch, summed; ``finish`` of them."""

    def init(*, device: Any = None) -> ErrorCounts:
        return state_cls(torch.zeros(size, dtype=torch.int64, device=device))

    def update(s: ErrorCounts, preds: Any, target: Any) -> ErrorCounts:
        p, t = paired_texts(preds, target)
        return state_cls(s.counts + counts_like(counts(p, t), s.counts))

    def compute(s: ErrorCounts) -> Tensor:
        return finish(s.counts.to(torch.float64)).to(torch.float32)

    return Metric(init, update, compute, name=name, key=key)


def _word_metric(name: str, finish: Callable[[Tensor], Tensor]) -> Metric:
    return _counts_metric(name, WordErrorCountsState, 4, word_edit_counts, finish, ("word_edit_counts",))


def char_edit_counts(preds: list[str], target: list[str]) -> list[int]:
    """``[edits, reference characters]`` of the pairs (every character counts, spaces included)."""
    return [sum(levenshtein_many(preds, target)), sum(map(len, target))]


def _information_preserved(c: Tensor) -> Tensor:
    hits_like = c[0] - c[3]  # TorchMetrics' ``errors - total``: minus (M - E)
    return (hits_like / c[1]) * (hits_like / c[2])


@factory(higher_is_better=False)
@parameter_docs.TRANSCRIPTS
def word_error_rate() -> Metric:
    """Word error rate: word-level edit distance over the number of reference words.

    Same value as ``torchmetrics.functional.text.word_error_rate`` and ``jiwer.wer``:
    ``sum_i lev(pred_i, target_i) / sum_i len(target_i)`` over whitespace-split words,
    for the whole corpus (not a mean of per-sentence rates).

    Returns:
        A metric whose ``update(state, preds, target)`` takes a string or a list of
        strings on each side (one reference per prediction, same length) and whose value
        is a float32 scalar (NaN or inf while no reference word has been seen).

    Example:
        >>> word_error_rate()(preds, target)
        tensor(0.5000)
    """
    return _word_metric("word_error_rate", lambda c: c[0] / c[1])


@factory(higher_is_better=False)
@parameter_docs.TRANSCRIPTS
def match_error_rate() -> Metric:
    """Match error rate: word edits over ``sum_i max(len(pred_i), len(target_i))``.

    Same value as ``torchmetrics.functional.text.match_error_rate``. That denominator
    equals jiwer's ``hits + substitutions + deletions + insertions`` (so the value equals
    ``jiwer.mer``) when no pair needs both insertions and deletions; otherwise it is
    smaller than jiwer's.

    Returns:
        A metric over ``(preds, target)`` string lists whose value is a float32 scalar.

    Example:
        >>> match_error_rate()(preds, target)
        tensor(0.4444)
    """
    return _word_metric("match_error_rate", lambda c: c[0] / c[3])


@factory(higher_is_better=False)
@parameter_docs.TRANSCRIPTS
def word_information_lost() -> Metric:
    """Word information lost ``1 - (H / N) * (H / P)``, with TorchMetrics' hit count ``H = M - E``.

    ``N`` and ``P`` are the reference and predicted word counts, ``E`` the word edits and
    ``M = sum_i max(len(pred_i), len(target_i))``. Same value as
    ``torchmetrics.functional.text.word_information_lost``. ``M - E`` equals the hits
    of an optimal alignment when no pair needs both insertions and deletions (then it
    also equals ``jiwer.wil``); otherwise it counts fewer hits than jiwer's alignment.

    Returns:
        A metric over ``(preds, target)`` string lists whose value is a float32 scalar.

    Example:
        >>> word_information_lost()(preds, target)
        tensor(0.6528)
    """
    return _word_metric("word_information_lost", lambda c: 1 - _information_preserved(c))


@factory(higher_is_better=True)
@parameter_docs.TRANSCRIPTS
def word_information_preserved() -> Metric:
    """Word information preserved ``(H / N) * (H / P)``, the complement of :func:`word_information_lost`.

    Same value as ``torchmetrics.functional.text.word_information_preserved``.

    Returns:
        A metric over ``(preds, target)`` string lists whose value is a float32 scalar.

    Example:
        >>> word_information_preserved()(preds, target)
        tensor(0.3472)
    """
    return _word_metric("word_information_preserved", _information_preserved)


@factory(higher_is_better=False)
@parameter_docs.TRANSCRIPTS
def char_error_rate() -> Metric:
    """Character error rate: character-level edit distance over the number of reference characters.

    Same value as ``torchmetrics.functional.text.char_error_rate`` and ``jiwer.cer``
    (every character counts, spaces included).

    Returns:
        A metric over ``(preds, target)`` string lists whose value is a float32 scalar.

    Example:
        >>> char_error_rate()(preds, target)
        tensor(0.3415)
    """
    return _counts_metric(
        "char_error_rate", CharErrorCountsState, 2, char_edit_counts, lambda c: c[0] / c[1], ("char_edit_counts",)
    )
