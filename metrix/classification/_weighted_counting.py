"""Weighted counting kernels of the stat-scores states: a batch of labels and element weights into counts.

The weighted twins of :mod:`metrix.classification._stat_scores_counting`: the same bins,
each element adding its weight (float64, any non-negative real: see
:mod:`metrix.classification._sample_weights`) instead of 1. Ignored elements
(``ignore_index``) weigh 0, so no dump bin is needed. Every path uses one ``scatter_add``
into float64 bins: on CPU it is 17-40% faster than ``bincount(weights=)`` at every size
measured (4096 values into 4 bins: 7.1 vs 8.9 us; 1M values into 10,000 bins: 0.77 vs
1.3 ms, one thread), and it traces under ``torch.compile`` and ``vmap``. The unweighted
kernels are untouched: the unweighted path runs the code it ran before weights existed.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = [
    "binary_counts_weighted",
    "class_counts_weighted",
    "confusion_counts_weighted",
    "micro_counts_weighted",
    "multilabel_counts_weighted",
    "weighted_count",
]


def weighted_count(idx: Tensor, weight: Tensor, size: int) -> Tensor:
    """Sum of ``weight`` per value ``0 .. size - 1`` of ``idx`` (same shape; the result has ``weight``'s dtype)."""
    return torch.zeros(size, dtype=weight.dtype, device=idx.device).scatter_add(0, idx.reshape(-1), weight.reshape(-1))


def binary_counts_weighted(pred: Tensor, target: Tensor, weight: Tensor) -> Tensor:
    """Weighted ``[tn, fp, fn, tp]`` of one batch (``(4,)``)."""
    return weighted_count(2 * target + pred, weight, 4)


def multilabel_counts_weighted(num_labels: int, pred: Tensor, target: Tensor, weight: Tensor) -> Tensor:
    """Weighted ``[tn, fp, fn, tp]`` of each label of one batch ``(N, L, M)`` (``(L, 4)``)."""
    label = torch.arange(num_labels, device=pred.device).reshape(1, -1, 1)
    return weighted_count(4 * label + 2 * target + pred, weight, 4 * num_labels).reshape(num_labels, 4)


def micro_counts_weighted(pred: Tensor, target: Tensor, weight: Tensor) -> Tensor:
    """Weighted ``[wrong, correct]`` of one batch (``(2,)``)."""
    return weighted_count((pred == target).long(), weight, 2)


def class_counts_weighted(num_classes: int, pred: Tensor, target: Tensor, weight: Tensor) -> Tensor:
    """Weighted per-class ``[hits, predicted, actual]`` of one batch (``(3, C)``); misses go to a cut-off bin."""
    c = num_classes
    hits = torch.where(pred == target, target, c)
    rows = torch.stack([hits, pred, target]) + torch.arange(0, 3 * (c + 1), c + 1, device=pred.device).reshape(
        (3,) + (1,) * pred.dim()
    )
    counts = weighted_count(rows, weight.unsqueeze(0).expand(rows.shape), 3 * (c + 1))
    return counts.reshape(3, c + 1)[:, :c]


def confusion_counts_weighted(num_classes: int, pred: Tensor, target: Tensor, weight: Tensor) -> Tensor:
    """The weighted flattened C×C confusion matrix of one batch (``(C * C,)``, rows are targets)."""
    return weighted_count(pred.add(target, alpha=num_classes), weight, num_classes * num_classes)
