"""Negative predictive value ``tn / (tn + fn)``, from the shared stat-scores state."""

from __future__ import annotations

from torch import Tensor

from metrix.classification._class_averaging import ScoreFn
from metrix.classification._division import count_divide
from metrix.classification._stat_score_family import ZeroDivisionScore

__all__ = [
    "binary_negative_predictive_value",
    "multiclass_negative_predictive_value",
    "multilabel_negative_predictive_value",
    "negative_predictive_value",
]


def _npv(zero_division: float) -> ScoreFn:
    def score(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
        return count_divide(tn, tn + fn, zero_division)

    return score


binary_negative_predictive_value, multiclass_negative_predictive_value, multilabel_negative_predictive_value, \
    negative_predictive_value = ZeroDivisionScore(
        "negative_predictive_value", "Negative predictive value", "tn / (tn + fn)", __name__, _npv,
        higher_is_better=True, examples=("0.5000", "0.7778", "0.5000", "0.7500"),
    ).factories  # fmt: skip
