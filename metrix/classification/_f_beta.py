"""F-beta and F1 scores ``(1 + b²) tp / ((1 + b²) tp + b² fn + fp)``, from the shared stat-scores state."""

from __future__ import annotations

import functools
from typing import Any

from torch import Tensor

from metrix.classification._class_averaging import ScoreFn, uses_stats
from metrix.classification._division import safe_divide
from metrix.classification._inputs import check_number
from metrix.classification._stat_score_family import BetaScore, ZeroDivisionScore

__all__ = [
    "binary_f1_score",
    "binary_fbeta_score",
    "f1_score",
    "fbeta_score",
    "multiclass_f1_score",
    "multiclass_fbeta_score",
    "multilabel_f1_score",
    "multilabel_fbeta_score",
]


def check_beta(beta: Any) -> float:
    """Validate ``beta``: a positive number."""
    return check_number(beta, "beta", "a float > 0", lambda b: b > 0)


def _fbeta(beta: float, zero_division: float) -> ScoreFn:
    b2 = beta * beta

    @uses_stats("tp", "fp", "fn")
    def score(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
        return safe_divide((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp, zero_division)

    return score


binary_fbeta_score, multiclass_fbeta_score, multilabel_fbeta_score, fbeta_score = BetaScore(
    "fbeta_score", "F-beta score", "(1 + beta²) tp / ((1 + beta²) tp + beta² fn + fp)", __name__, _fbeta, check_beta,
    "weight of recall against precision (> 0).", higher_is_better=True,
    examples=("0.6667", "0.6667", "0.7500", "0.5000"), top_k_weights=False,
).factories  # fmt: skip

# F1 is F-beta at beta = 1
binary_f1_score, multiclass_f1_score, multilabel_f1_score, f1_score = ZeroDivisionScore(
    "f1_score", "F1 score", "2 tp / (2 tp + fn + fp)", __name__, functools.partial(_fbeta, 1.0),
    higher_is_better=True, examples=("0.6667", "0.6667", "0.7500", "0.5000"), top_k_weights=False,
).factories  # fmt: skip
