"""Operating points on the ROC and precision-recall curves: one rate at a bound on the other.

Sensitivity at specificity and specificity at sensitivity (ROC), recall at fixed precision
and precision at fixed recall (PR): the best value of one rate among the thresholds whose
other rate reaches a bound. All four share the curve state (same ``Metric.key`` for the same
task configuration). The searches over curve points are written with ``where``,
``argmax`` and ``max``, so they run on the fixed-length curves of ``capacity=`` and binned
metrics under ``torch.compile`` and ``vmap``; TorchMetrics' tie-breaking is kept (ROC: the
first best point along the curve; PR: largest recall, then precision, then threshold).
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric
from metrix.classification._curve_family import CurveBuilder, CurveOptions, OperatingPoint
from metrix.classification._curve_kernel import float32_curves, per_column_metric
from metrix.classification._curve_state import CurveSpec, CurveState, build_spec
from metrix.classification._inputs import check_unit

__all__ = [
    "binary_precision_at_fixed_recall",
    "binary_recall_at_fixed_precision",
    "binary_sensitivity_at_specificity",
    "binary_specificity_at_sensitivity",
    "multiclass_precision_at_fixed_recall",
    "multiclass_recall_at_fixed_precision",
    "multiclass_sensitivity_at_specificity",
    "multiclass_specificity_at_sensitivity",
    "multilabel_precision_at_fixed_recall",
    "multilabel_recall_at_fixed_precision",
    "multilabel_sensitivity_at_specificity",
    "multilabel_specificity_at_sensitivity",
    "precision_at_fixed_recall",
    "recall_at_fixed_precision",
    "sensitivity_at_specificity",
    "specificity_at_sensitivity",
]

_NEG_INF = -math.inf


def _at_roc(spec: CurveSpec, s: CurveState, bound: float, sensitivity_first: bool) -> tuple[Tensor, Tensor]:
    fpr, tpr, thr = float32_curves(spec, s, "roc")
    specificity = 1 - fpr
    if sensitivity_first:  # sensitivity at specificity
        mask, value = specificity >= bound, tpr
    else:
        mask, value = tpr >= bound, specificity
    neg = torch.tensor(_NEG_INF, dtype=value.dtype, device=value.device)
    idx = torch.where(mask, value, neg).argmax(-1, keepdim=True)  # first best point along the curve
    found = mask.any(-1)
    best_value = torch.where(found, value.gather(-1, idx).squeeze(-1), 0.0)
    best_thr = torch.where(found, thr.gather(-1, idx).squeeze(-1), torch.full_like(thr[:, 0], 1e6))
    return best_value, best_thr


def _lexmax(mask: Tensor, first: Tensor, second: Tensor, third: Tensor) -> tuple[Tensor, Tensor]:
    """Among ``mask``ed points: the largest ``first``, ties broken by ``second`` then ``third``."""
    neg = torch.tensor(_NEG_INF, dtype=first.dtype, device=first.device)
    best1 = torch.where(mask, first, neg).amax(-1, keepdim=True)
    cand = mask & (first == best1)
    best2 = torch.where(cand, second, neg).amax(-1, keepdim=True)
    cand = cand & (second == best2)
    best3 = torch.where(cand, third.to(first.dtype), neg).amax(-1, keepdim=True)
    return best1.squeeze(-1), best3.squeeze(-1).to(third.dtype)


def _at_fixed(spec: CurveSpec, s: CurveState, bound: float, recall_first: bool) -> tuple[Tensor, Tensor]:
    precision, recall, thr = float32_curves(spec, s, "pr")
    n = thr.shape[-1]  # the appended (1, 0) point has no threshold and is not a candidate
    precision, recall = precision[:, :n], recall[:, :n]
    if recall_first:  # recall at fixed precision
        mask, key = precision >= bound, (recall, precision, thr)
    else:
        mask, key = recall >= bound, (precision, recall, thr)
    # undefined (NaN) values never win TorchMetrics' search, unless every candidate is NaN:
    # then it reports NaN at the first one
    cand = mask & ~torch.isnan(key[0])
    value, best = _lexmax(cand, *key)
    found = cand.any(-1)
    value = torch.where(found, value, torch.zeros_like(value))
    best = torch.where(value == 0, torch.full_like(best, math.nan), best)
    only_nan = mask.any(-1) & ~found
    first = mask.long().argmax(-1, keepdim=True)
    value = torch.where(only_nan, torch.full_like(value, math.nan), value)
    best = torch.where(only_nan, thr.gather(-1, first).squeeze(-1), best)
    return value, best


# kind: (search over the curve, whether the first-named rate is the value)
_SEARCHES = {
    "sensitivity_at_specificity": (_at_roc, True),
    "specificity_at_sensitivity": (_at_roc, False),
    "recall_at_fixed_precision": (_at_fixed, True),
    "precision_at_fixed_recall": (_at_fixed, False),
}


def _searched(kind: str, bound_name: str) -> CurveBuilder:
    """The builder of ``kind``'s metrics: the best value among the curve points within ``bound_name``."""
    search, first = _SEARCHES[kind]

    def build(name: str, task: str, num: int | None, bound: Any, options: CurveOptions) -> Metric:
        b = check_unit(bound, bound_name)
        spec = build_spec(task, num, *options)
        return per_column_metric(name, spec, lambda spec, s: search(spec, s, b, first))

    return build


def _family(kind: str, bound: str, value: str, other: str, thresholds: tuple[str, str, str]) -> OperatingPoint:
    title = kind.replace("_", " ").capitalize()  # "Sensitivity at specificity"
    build = _searched(kind, bound)
    return OperatingPoint(
        kind, __name__, build, bound=bound, value=value, other=other, title=title, thresholds=thresholds
    )


(
    binary_sensitivity_at_specificity,
    multiclass_sensitivity_at_specificity,
    multilabel_sensitivity_at_specificity,
    sensitivity_at_specificity,
) = _family(
    "sensitivity_at_specificity", "min_specificity", "sensitivity (TPR)", "specificity",
    ("0.4000", "0.5000, 0.5000, 0.2500", "0.6000, 0.4000"),
).factories  # fmt: skip
(
    binary_specificity_at_sensitivity,
    multiclass_specificity_at_sensitivity,
    multilabel_specificity_at_sensitivity,
    specificity_at_sensitivity,
) = _family(
    "specificity_at_sensitivity", "min_sensitivity", "specificity", "sensitivity (TPR)",
    ("0.9000", "0.5000, 0.5000, 0.7500", "0.8000, 0.7000"),
).factories  # fmt: skip
(
    binary_recall_at_fixed_precision,
    multiclass_recall_at_fixed_precision,
    multilabel_recall_at_fixed_precision,
    recall_at_fixed_precision,
) = _family(
    "recall_at_fixed_precision", "min_precision", "recall", "precision",
    ("0.4000", "0.5000, 0.5000, 0.2500", "0.6000, 0.4000"),
).factories  # fmt: skip
(
    binary_precision_at_fixed_recall,
    multiclass_precision_at_fixed_recall,
    multilabel_precision_at_fixed_recall,
    precision_at_fixed_recall,
) = _family(
    "precision_at_fixed_recall", "min_recall", "precision", "recall",
    ("0.9000", "0.5000, 0.5000, 0.2500", "0.6000, 0.4000"),
).factories  # fmt: skip
