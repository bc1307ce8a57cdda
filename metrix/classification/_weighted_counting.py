"""Weighted counting kernels of the multiclass stat-scores states: labels and element weights into counts.

The weighted twins of the multiclass kernels of
:mod:`metrix.classification._stat_scores_counting`: the same bins, each element adding its
weight (float64, any non-negative real: see :mod:`metrix.classification._sample_weights`)
instead of 1. Ignored elements (``ignore_index``) weigh 0, so no dump bin is needed.
Binary and multilabel counting needs no twin: those kernels already add a weight per
element (the 0/1 mask), in that weight's dtype. Every path uses one ``scatter_add``
(:func:`~metrix.classification._stat_scores_counting.weighted_count`) into float64 bins:
on CPU it is 17-40% faster than ``bincount(weights=)`` at every size measured (4096
values into 4 bins: 7.1 vs 8.9 us; 1M values into 10,000 bins: 0.77 vs 1.3 ms, one
thread), and it traces under ``torch.compile`` and ``vmap``. The unweighted kernels are
untouched: the unweighted path runs the code it ran before weights existed.
"""

from __future__ import annotations

import torch
from torch import Tensor

from metrix.classification._stat_scores_counting import weighted_count

__all__ = [
    "class_counts_weighted",
    "confusion_counts_weighted",
    "micro_counts_weighted",
]


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
