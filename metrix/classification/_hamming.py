"""Hamming distance: the fraction of wrong labels, ``1 - accuracy``, from the shared stat-scores state."""

from __future__ import annotations

from torch import Tensor

from metrix.classification._division import safe_divide
from metrix.classification._stat_score_family import PlainScore

__all__ = ["binary_hamming_distance", "hamming_distance", "multiclass_hamming_distance", "multilabel_hamming_distance"]


def _elementwise(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
    return 1 - safe_divide(tp + tn, tp + tn + fp + fn)


def _per_class(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
    return 1 - safe_divide(tp, tp + fn)


# binary and multilabel: wrong elements over all elements; multiclass: 1 - recall per class
binary_hamming_distance, multiclass_hamming_distance, multilabel_hamming_distance, hamming_distance = PlainScore(
    "hamming_distance", "Hamming distance", "1 - accuracy", __name__, _elementwise, higher_is_better=False,
    examples=("0.4000", "0.3333", "0.3333", "0.5000"), top_k_weights=False, multiclass_score=_per_class,
).factories  # fmt: skip
