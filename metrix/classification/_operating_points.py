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

from metrix._core.metric import Metric, factory
from metrix.classification import _parameter_docs as parameter_docs
from metrix.classification._curve_kernel import float32_curves, per_column_metric
from metrix.classification._curve_state import CurveSpec, CurveState, build_spec
from metrix.classification._dispatch import dispatch, documented_dispatcher
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


def _operating_point(
    task: str, kind: str, num: int | None, bound: float, bound_name: str, options: tuple[Any, ...]
) -> Metric:
    """Build a ``{task}_{kind}`` metric.

    ``options`` is ``(thresholds, ignore_index, validate_args, input_format, capacity)``.
    """
    b = check_unit(bound, bound_name)
    spec = build_spec(task, num, *options)
    search, first = _SEARCHES[kind]
    return per_column_metric(f"{task}_{kind}", spec, lambda spec, s: search(spec, s, b, first))


@factory(higher_is_better=None)
@parameter_docs.CURVES
def binary_sensitivity_at_specificity(
    min_specificity: float,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Highest sensitivity (TPR) among thresholds whose specificity is at least ``min_specificity`` (binary).

    Returns:
        A metric computing ``(value, threshold)``.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_sensitivity_at_specificity
        >>> binary_sensitivity_at_specificity(0.5)(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        (tensor(1.), tensor(0.4000))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _operating_point("binary", "sensitivity_at_specificity", None, min_specificity, "min_specificity", options)


@factory(higher_is_better=None)
@parameter_docs.CURVES
def multiclass_sensitivity_at_specificity(
    num_classes: int,
    min_specificity: float,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Highest sensitivity (TPR) among thresholds whose specificity is at least ``min_specificity``, per class.

    Returns:
        A metric computing ``(value, threshold)``, each of shape ``(C,)``.

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_sensitivity_at_specificity
        >>> preds = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
        >>> multiclass_sensitivity_at_specificity(3, 0.5, thresholds=5)(preds, torch.tensor([0, 1, 2, 2]))
        (tensor([1., 1., 1.]), tensor([0.5000, 0.5000, 0.2500]))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _operating_point(
        "multiclass", "sensitivity_at_specificity", num_classes, min_specificity, "min_specificity", options
    )


@factory(higher_is_better=None)
@parameter_docs.CURVES
def multilabel_sensitivity_at_specificity(
    num_labels: int,
    min_specificity: float,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Highest sensitivity (TPR) among thresholds whose specificity is at least ``min_specificity``, per label.

    Returns:
        A metric computing ``(value, threshold)``, each of shape ``(C,)``.

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_sensitivity_at_specificity
        >>> preds = torch.tensor([[0.8, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.3]])
        >>> multilabel_sensitivity_at_specificity(2, 0.5)(preds, torch.tensor([[1, 0], [0, 1], [1, 1], [0, 0]]))
        (tensor([1., 1.]), tensor([0.6000, 0.4000]))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _operating_point(
        "multilabel", "sensitivity_at_specificity", num_labels, min_specificity, "min_specificity", options
    )


@factory(higher_is_better=None)
@parameter_docs.CURVES
def binary_specificity_at_sensitivity(
    min_sensitivity: float,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Highest specificity among thresholds whose sensitivity (TPR) is at least ``min_sensitivity`` (binary).

    Returns:
        A metric computing ``(value, threshold)``.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_specificity_at_sensitivity
        >>> binary_specificity_at_sensitivity(0.5)(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        (tensor(1.), tensor(0.9000))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _operating_point("binary", "specificity_at_sensitivity", None, min_sensitivity, "min_sensitivity", options)


@factory(higher_is_better=None)
@parameter_docs.CURVES
def multiclass_specificity_at_sensitivity(
    num_classes: int,
    min_sensitivity: float,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Highest specificity among thresholds whose sensitivity (TPR) is at least ``min_sensitivity``, per class.

    Returns:
        A metric computing ``(value, threshold)``, each of shape ``(C,)``.

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_specificity_at_sensitivity
        >>> preds = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
        >>> multiclass_specificity_at_sensitivity(3, 0.5, thresholds=5)(preds, torch.tensor([0, 1, 2, 2]))
        (tensor([1., 1., 1.]), tensor([0.5000, 0.5000, 0.7500]))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _operating_point(
        "multiclass", "specificity_at_sensitivity", num_classes, min_sensitivity, "min_sensitivity", options
    )


@factory(higher_is_better=None)
@parameter_docs.CURVES
def multilabel_specificity_at_sensitivity(
    num_labels: int,
    min_sensitivity: float,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Highest specificity among thresholds whose sensitivity (TPR) is at least ``min_sensitivity``, per label.

    Returns:
        A metric computing ``(value, threshold)``, each of shape ``(C,)``.

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_specificity_at_sensitivity
        >>> preds = torch.tensor([[0.8, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.3]])
        >>> multilabel_specificity_at_sensitivity(2, 0.5)(preds, torch.tensor([[1, 0], [0, 1], [1, 1], [0, 0]]))
        (tensor([1., 1.]), tensor([0.8000, 0.7000]))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _operating_point(
        "multilabel", "specificity_at_sensitivity", num_labels, min_sensitivity, "min_sensitivity", options
    )


@factory(higher_is_better=None)
@documented_dispatcher(
    "Sensitivity at specificity",
    'm = sensitivity_at_specificity("binary", 0.5)\n'
    ">>> m(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))\n"
    "(tensor(1.), tensor(0.4000))",
)
def sensitivity_at_specificity(
    task: str,
    min_specificity: float,
    thresholds: Any = None,
    num_classes: int | None = None,
    num_labels: int | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    return dispatch(
        task,
        locals(),
        binary=binary_sensitivity_at_specificity,
        multiclass=multiclass_sensitivity_at_specificity,
        multilabel=multilabel_sensitivity_at_specificity,
    )


@factory(higher_is_better=None)
@documented_dispatcher(
    "Specificity at sensitivity",
    'm = specificity_at_sensitivity("binary", 0.5)\n'
    ">>> m(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))\n"
    "(tensor(1.), tensor(0.9000))",
)
def specificity_at_sensitivity(
    task: str,
    min_sensitivity: float,
    thresholds: Any = None,
    num_classes: int | None = None,
    num_labels: int | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    return dispatch(
        task,
        locals(),
        binary=binary_specificity_at_sensitivity,
        multiclass=multiclass_specificity_at_sensitivity,
        multilabel=multilabel_specificity_at_sensitivity,
    )


@factory(higher_is_better=None)
@parameter_docs.CURVES
def binary_recall_at_fixed_precision(
    min_precision: float,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Highest recall among thresholds whose precision is at least ``min_precision`` (binary).

    Returns:
        A metric computing ``(value, threshold)``.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_recall_at_fixed_precision
        >>> binary_recall_at_fixed_precision(0.5)(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        (tensor(1.), tensor(0.4000))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _operating_point("binary", "recall_at_fixed_precision", None, min_precision, "min_precision", options)


@factory(higher_is_better=None)
@parameter_docs.CURVES
def multiclass_recall_at_fixed_precision(
    num_classes: int,
    min_precision: float,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Highest recall among thresholds whose precision is at least ``min_precision``, per class.

    Returns:
        A metric computing ``(value, threshold)``, each of shape ``(C,)``.

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_recall_at_fixed_precision
        >>> preds = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
        >>> multiclass_recall_at_fixed_precision(3, 0.5, thresholds=5)(preds, torch.tensor([0, 1, 2, 2]))
        (tensor([1., 1., 1.]), tensor([0.5000, 0.5000, 0.2500]))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _operating_point(
        "multiclass", "recall_at_fixed_precision", num_classes, min_precision, "min_precision", options
    )


@factory(higher_is_better=None)
@parameter_docs.CURVES
def multilabel_recall_at_fixed_precision(
    num_labels: int,
    min_precision: float,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Highest recall among thresholds whose precision is at least ``min_precision``, per label.

    Returns:
        A metric computing ``(value, threshold)``, each of shape ``(C,)``.

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_recall_at_fixed_precision
        >>> preds = torch.tensor([[0.8, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.3]])
        >>> multilabel_recall_at_fixed_precision(2, 0.5)(preds, torch.tensor([[1, 0], [0, 1], [1, 1], [0, 0]]))
        (tensor([1., 1.]), tensor([0.6000, 0.4000]))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _operating_point(
        "multilabel", "recall_at_fixed_precision", num_labels, min_precision, "min_precision", options
    )


@factory(higher_is_better=None)
@parameter_docs.CURVES
def binary_precision_at_fixed_recall(
    min_recall: float,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Highest precision among thresholds whose recall is at least ``min_recall`` (binary).

    Returns:
        A metric computing ``(value, threshold)``.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_precision_at_fixed_recall
        >>> binary_precision_at_fixed_recall(0.5)(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        (tensor(1.), tensor(0.9000))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _operating_point("binary", "precision_at_fixed_recall", None, min_recall, "min_recall", options)


@factory(higher_is_better=None)
@parameter_docs.CURVES
def multiclass_precision_at_fixed_recall(
    num_classes: int,
    min_recall: float,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Highest precision among thresholds whose recall is at least ``min_recall``, per class.

    Returns:
        A metric computing ``(value, threshold)``, each of shape ``(C,)``.

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_precision_at_fixed_recall
        >>> preds = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
        >>> multiclass_precision_at_fixed_recall(3, 0.5, thresholds=5)(preds, torch.tensor([0, 1, 2, 2]))
        (tensor([1., 1., 1.]), tensor([0.5000, 0.5000, 0.2500]))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _operating_point("multiclass", "precision_at_fixed_recall", num_classes, min_recall, "min_recall", options)


@factory(higher_is_better=None)
@parameter_docs.CURVES
def multilabel_precision_at_fixed_recall(
    num_labels: int,
    min_recall: float,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Highest precision among thresholds whose recall is at least ``min_recall``, per label.

    Returns:
        A metric computing ``(value, threshold)``, each of shape ``(C,)``.

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_precision_at_fixed_recall
        >>> preds = torch.tensor([[0.8, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.3]])
        >>> multilabel_precision_at_fixed_recall(2, 0.5)(preds, torch.tensor([[1, 0], [0, 1], [1, 1], [0, 0]]))
        (tensor([1., 1.]), tensor([0.6000, 0.4000]))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _operating_point("multilabel", "precision_at_fixed_recall", num_labels, min_recall, "min_recall", options)


@factory(higher_is_better=None)
@documented_dispatcher(
    "Recall at fixed precision",
    'm = recall_at_fixed_precision("binary", 0.5)\n'
    ">>> m(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))\n"
    "(tensor(1.), tensor(0.4000))",
)
def recall_at_fixed_precision(
    task: str,
    min_precision: float,
    thresholds: Any = None,
    num_classes: int | None = None,
    num_labels: int | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    return dispatch(
        task,
        locals(),
        binary=binary_recall_at_fixed_precision,
        multiclass=multiclass_recall_at_fixed_precision,
        multilabel=multilabel_recall_at_fixed_precision,
    )


@factory(higher_is_better=None)
@documented_dispatcher(
    "Precision at fixed recall",
    'm = precision_at_fixed_recall("binary", 0.5)\n'
    ">>> m(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))\n"
    "(tensor(1.), tensor(0.9000))",
)
def precision_at_fixed_recall(
    task: str,
    min_recall: float,
    thresholds: Any = None,
    num_classes: int | None = None,
    num_labels: int | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    return dispatch(
        task,
        locals(),
        binary=binary_precision_at_fixed_recall,
        multiclass=multiclass_precision_at_fixed_recall,
        multilabel=multilabel_precision_at_fixed_recall,
    )
