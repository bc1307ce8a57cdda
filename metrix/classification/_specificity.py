"""Specificity (true negative rate) ``tn / (tn + fp)``, from the shared stat-scores state."""

from __future__ import annotations

from torch import Tensor

from metrix.classification._division import count_divide
from metrix.classification._stat_score_family import PlainScore

__all__ = ["binary_specificity", "multiclass_specificity", "multilabel_specificity", "specificity"]


def _specificity(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
    return count_divide(tn, tn + fp)


binary_specificity, multiclass_specificity, multilabel_specificity, specificity = PlainScore(
    "specificity", "Specificity", "tn / (tn + fp)", __name__, _specificity, higher_is_better=True,
    examples=("0.5000", "0.7778", "0.5000", "0.7500"), top_k_weights=False,
).factories  # fmt: skip
