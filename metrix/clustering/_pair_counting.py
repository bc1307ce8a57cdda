"""Pair-counting scores: the Rand index, its adjusted form and the Fowlkes–Mallows index.

Each pair of samples is together or apart in ``preds`` and in ``target``; the four
pair counts follow from the contingency table ``n_ij`` (rows: classes, columns:
clusters) with ``S = sum n_ij²``, ``R = sum_i a_i²`` and ``C = sum_j b_j²``: pairs
together in both ``S - n``, together only in ``target`` ``R - S``, only in ``preds``
``C - S``, apart in both ``n² - R - C + S - n`` (ordered pairs, as in TorchMetrics). The
counts stay int64; products are taken in float64 (TorchMetrics multiplies int64 pair
counts, which overflows past about 55,000 samples: its ARI is wrong there).
"""

from __future__ import annotations

import torch
from torch import Tensor

from metrix.clustering import _parameter_docs as parameter_docs
from metrix.clustering._inputs import ExtrinsicScore

__all__ = ["adjusted_rand_score", "fowlkes_mallows_index", "pair_counts", "rand_score"]

F64 = torch.float64


def pair_counts(table: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
    """``(tn, fp, fn, tp, n)`` ordered-pair counts of a table, int64."""
    t = table.to(torch.int64)
    n = t.sum((-2, -1))
    squares = (t * t).sum((-2, -1))
    rows, cols = t.sum(-1), t.sum(-2)
    together_target = (rows * rows).sum(-1) - squares
    together_preds = (cols * cols).sum(-1) - squares
    tp = squares - n
    tn = n * n - together_target - together_preds - squares
    return tn, together_target, together_preds, tp, n


def _rand(table: Tensor) -> Tensor:
    tn, _, _, tp, n = pair_counts(table)
    agree, pairs = tn + tp, n * n - n
    trivial = (agree == pairs) | (pairs == 0)
    return torch.where(trivial, 1.0, agree.to(F64) / torch.where(pairs == 0, 1, pairs).to(F64))


rand_score = ExtrinsicScore(
    "rand_score",
    _rand,
    __name__,
    """Rand index: the fraction of sample pairs on which ``preds`` and ``target`` agree.

    Same values as ``torchmetrics.functional.clustering.rand_score`` and scikit-learn's
    ``rand_score`` (1 when there is no pair to disagree on), in float64.

    Example:
        >>> rand_score()(preds, target)
        tensor(0.6000, dtype=torch.float64)
    """,
    higher_is_better=None,
).factory


def _adjusted_rand(table: Tensor) -> Tensor:
    tn, fp, fn, tp, _ = (x.to(F64) for x in pair_counts(table))
    perfect = (fn == 0) & (fp == 0)
    den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn)
    return torch.where(perfect, 1.0, 2.0 * (tp * tn - fn * fp) / torch.where(perfect, 1.0, den))


adjusted_rand_score = ExtrinsicScore(
    "adjusted_rand_score",
    _adjusted_rand,
    __name__,
    """Adjusted Rand index: the Rand index corrected for chance, 0 for random labelings and 1 at best.

    ``ARI = 2 (tp tn - fn fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn))``. Same values
    as ``torchmetrics.functional.clustering.adjusted_rand_score`` and scikit-learn's
    ``adjusted_rand_score``, in float64 (no int64 overflow on large inputs).

    Example:
        >>> adjusted_rand_score()(preds, target)
        tensor(-0.2500, dtype=torch.float64)
    """,
    higher_is_better=None,
).factory


def _fowlkes_mallows(table: Tensor) -> Tensor:
    _, together_target, together_preds, tp, _ = pair_counts(table)
    tp_f = tp.to(F64)
    both = torch.where(tp == 0, 1.0, tp_f)
    precision = both / torch.where(tp == 0, 1.0, (together_preds + tp).to(F64))
    recall = both / torch.where(tp == 0, 1.0, (together_target + tp).to(F64))
    return torch.where(tp == 0, 0.0, torch.sqrt(precision) * torch.sqrt(recall))


fowlkes_mallows_index = ExtrinsicScore(
    "fowlkes_mallows_index",
    _fowlkes_mallows,
    __name__,
    """Fowlkes–Mallows index: the geometric mean of pair precision and pair recall, in [0, 1].

    ``FMI = TP / sqrt((TP + FP)(TP + FN))`` over sample pairs (0 when no pair is
    together in both). Same values as
    ``torchmetrics.functional.clustering.fowlkes_mallows_index`` and scikit-learn's
    ``fowlkes_mallows_score``, in float64.

    Example:
        >>> import torch
        >>> from metrix.clustering import fowlkes_mallows_index
        >>> preds, target = torch.tensor([2, 2, 0, 1, 0]), torch.tensor([0, 2, 1, 1, 0])
        >>> fowlkes_mallows_index()(preds, target)
        tensor(0., dtype=torch.float64)
    """,
    higher_is_better=True,
    glossary=parameter_docs.EXTRINSIC,
).factory
