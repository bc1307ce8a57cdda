"""Precision ``tp / (tp + fp)`` and recall ``tp / (tp + fn)``, from the shared stat-scores state."""

from __future__ import annotations

from torch import Tensor

from metrix.classification._class_averaging import ScoreFn, recall_metric, uses_stats
from metrix.classification._division import count_divide
from metrix.classification._stat_score_family import ZeroDivisionScore

__all__ = [
    "binary_precision",
    "binary_recall",
    "multiclass_precision",
    "multiclass_recall",
    "multilabel_precision",
    "multilabel_recall",
    "precision",
    "recall",
]


def _precision(zero_division: float) -> ScoreFn:
    @uses_stats("tp", "fp")
    def score(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
        return count_divide(tp, tp + fp, zero_division)

    return score


def _recall(zero_division: float) -> ScoreFn:
    @uses_stats("tp", "fn")
    def score(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
        return count_divide(tp, tp + fn, zero_division)

    return score


binary_precision, multiclass_precision, multilabel_precision, precision = ZeroDivisionScore(
    "precision", "Precision", "tp / (tp + fp)", __name__, _precision, higher_is_better=True,
    examples=("0.6667", "0.6667", "0.7500", "0.5000"),
).factories  # fmt: skip

# multiclass recall with zero_division=0 comes straight from the class counts (recall_metric)
binary_recall, multiclass_recall, multilabel_recall, recall = ZeroDivisionScore(
    "recall", "Recall", "tp / (tp + fn)", __name__, _recall, higher_is_better=True,
    examples=("0.6667", "0.6667", "0.7500", "0.5000"), multiclass_fast=recall_metric,
).factories  # fmt: skip
