"""Weighted counting kernels of the stat-scores states: a batch of labels and element weights into counts.

The weighted twins of :mod:`metrix.classification._stat_scores_counting`: the same bins,
each element adding its weight (float64, a whole number: see
:mod:`metrix.classification._sample_weights`) instead of 1. Ignored elements
(``ignore_index``) weigh 0, so no dump bin is needed. Eager CPU code uses ``bincount``
with weights; traced code (``torch.compile``, ``vmap``, the bootstrap's replicates) and
accelerators ``scatter_add``. The unweighted kernels are untouched: the unweighted path
runs the code it ran before weights existed.
"""

from __future__ import annotations

import torch
from torch import Tensor

from metrix._core.checks import is_tracing

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
    idx, weight = idx.reshape(-1), weight.reshape(-1)
    if idx.device.type == "cpu" and not is_tracing(idx, weight) and weight.is_floating_point():
        return torch.bincount(idx, weights=weight, minlength=size).to(weight.dtype)
    return torch.zeros(size, dtype=weight.dtype, device=idx.device).scatter_add(0, idx, weight)


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
