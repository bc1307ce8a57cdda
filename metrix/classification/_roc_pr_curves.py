"""ROC and precision-recall curves: the points of each threshold curve.

Names, arguments, defaults and values follow ``torchmetrics.functional.classification``.
With ``thresholds=None`` every sample is kept and the curves are exact; eager curves then
match TorchMetrics point for point (one point per distinct score). With
``capacity=int`` (keyword-only) the samples live in a fixed-capacity buffer that compiles
once and vmaps; curves then have a fixed length (one point per buffer slot, ties and
unused slots repeat a neighbouring point, so areas are unchanged). With ``thresholds``
given, an ``O(T * C)`` histogram replaces the samples and the curves have ``T`` points.
"""

from __future__ import annotations

from typing import Any

from metrix._core.metric import Metric, factory
from metrix.classification import _parameter_docs as parameter_docs
from metrix.classification._curve_kernel import CurveOutput, curve_output, macro_curve, pr_points, roc_points
from metrix.classification._curve_state import CurveState, build_spec, check_macro_capacity, curve_metric
from metrix.classification._dispatch import dispatch, documented_dispatcher
from metrix.classification._inputs import check_choice

__all__ = [
    "binary_precision_recall_curve",
    "binary_roc",
    "multiclass_precision_recall_curve",
    "multiclass_roc",
    "multilabel_precision_recall_curve",
    "multilabel_roc",
    "precision_recall_curve",
    "roc",
]


@factory(higher_is_better=None)
@parameter_docs.CURVES
def binary_roc(
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Receiver operating characteristic of binary scores.

    Returns:
        A metric computing ``(fpr, tpr, thresholds)``, thresholds decreasing, starting
        at ``(0, 0)`` with threshold 1.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_roc
        >>> fpr, tpr, thr = binary_roc()(torch.tensor([0.0, 0.5, 0.7, 0.8]), torch.tensor([0, 1, 1, 0]))
        >>> fpr, tpr
        (tensor([0.0000, 0.5000, 0.5000, 0.5000, 1.0000]), tensor([0.0000, 0.0000, 0.5000, 1.0000, 1.0000]))
    """
    spec = build_spec("binary", None, thresholds, ignore_index, validate_args, input_format, capacity)

    def compute(s: CurveState) -> CurveOutput:
        fpr, tpr, thr, keep = roc_points(spec, s)
        return curve_output(spec, fpr, tpr, thr, keep, per_column=False)

    return curve_metric("binary_roc", spec, compute)


@factory(higher_is_better=None)
@parameter_docs.CURVES
def multiclass_roc(
    num_classes: int,
    thresholds: Any = None,
    average: str | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """One-vs-rest ROC curves of multiclass scores.

    Args:
        num_classes: number of classes (``>= 2``); preds have shape ``(N, C, ...)``.
        average: ``None`` gives one curve per class; ``"micro"`` one curve over every
            (sample, class) pair; ``"macro"`` the class curves averaged on a common grid
            (not available with ``capacity``).

    Returns:
        A metric computing ``(fpr, tpr, thresholds)``: per-class lists (exact), tensors of
        shape ``(C, L)`` (``capacity``) or ``(C, T)`` with thresholds ``(T,)`` (binned).

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_roc
        >>> preds = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
        >>> fpr, tpr, thr = multiclass_roc(3, thresholds=3)(preds, torch.tensor([0, 1, 2, 2]))
        >>> tpr
        tensor([[0.0000, 1.0000, 1.0000],
                [0.0000, 1.0000, 1.0000],
                [0.0000, 0.5000, 1.0000]])
    """
    spec = build_spec("multiclass", num_classes, thresholds, ignore_index, validate_args, input_format, capacity)
    average = check_choice(average, "average", (None, "micro", "macro"))
    check_macro_capacity(average, spec.capacity)

    def compute(s: CurveState) -> CurveOutput:
        fpr, tpr, thr, keep = roc_points(spec, s, pooled=average == "micro")
        out = curve_output(spec, fpr, tpr, thr, keep, per_column=average != "micro")
        if average == "macro":
            return macro_curve(out[0], out[1], out[2], descending=True)
        return out

    return curve_metric("multiclass_roc", spec, compute)


@factory(higher_is_better=None)
@parameter_docs.CURVES
def multilabel_roc(
    num_labels: int,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """ROC curve of each label of multilabel scores.

    Args:
        num_labels: number of labels (``>= 2``); preds and target have shape ``(N, L, ...)``.

    Returns:
        A metric computing ``(fpr, tpr, thresholds)`` per label (lists when exact).

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_roc
        >>> preds = torch.tensor([[0.8, 0.1], [0.3, 0.7], [0.6, 0.4]])
        >>> fpr, tpr, thr = multilabel_roc(2, thresholds=3)(preds, torch.tensor([[1, 0], [0, 1], [1, 1]]))
        >>> fpr
        tensor([[0., 0., 1.],
                [0., 0., 1.]])
    """
    spec = build_spec("multilabel", num_labels, thresholds, ignore_index, validate_args, input_format, capacity)

    def compute(s: CurveState) -> CurveOutput:
        fpr, tpr, thr, keep = roc_points(spec, s)
        return curve_output(spec, fpr, tpr, thr, keep, per_column=True)

    return curve_metric("multilabel_roc", spec, compute)


@factory(higher_is_better=None)
@parameter_docs.CURVES
def binary_precision_recall_curve(
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Precision-recall curve of binary scores.

    Returns:
        A metric computing ``(precision, recall, thresholds)``, thresholds increasing, with
        a final point ``(1, 0)`` that has no threshold.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_precision_recall_curve
        >>> m = binary_precision_recall_curve()
        >>> precision, recall, thr = m(torch.tensor([0.0, 0.5, 0.7, 0.8]), torch.tensor([0, 1, 1, 0]))
        >>> precision, recall
        (tensor([0.5000, 0.6667, 0.5000, 0.0000, 1.0000]), tensor([1.0000, 1.0000, 0.5000, 0.0000, 0.0000]))
        >>> thr
        tensor([0.0000, 0.5000, 0.7000, 0.8000])
    """
    spec = build_spec("binary", None, thresholds, ignore_index, validate_args, input_format, capacity)

    def compute(s: CurveState) -> CurveOutput:
        p, r, thr, keep = pr_points(spec, s)
        return curve_output(spec, p, r, thr, keep, per_column=False)

    return curve_metric("binary_precision_recall_curve", spec, compute)


@factory(higher_is_better=None)
@parameter_docs.CURVES
def multiclass_precision_recall_curve(
    num_classes: int,
    thresholds: Any = None,
    average: str | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """One-vs-rest precision-recall curves of multiclass scores.

    Args:
        num_classes: number of classes (``>= 2``); preds have shape ``(N, C, ...)``.
        average: ``None`` (per class), ``"micro"`` or ``"macro"`` (see :func:`multiclass_roc`).

    Returns:
        A metric computing ``(precision, recall, thresholds)`` per class.

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_precision_recall_curve
        >>> preds = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
        >>> p, r, thr = multiclass_precision_recall_curve(3, thresholds=3)(preds, torch.tensor([0, 1, 2, 2]))
        >>> r
        tensor([[1.0000, 1.0000, 0.0000, 0.0000],
                [1.0000, 1.0000, 0.0000, 0.0000],
                [1.0000, 0.5000, 0.0000, 0.0000]])
    """
    spec = build_spec("multiclass", num_classes, thresholds, ignore_index, validate_args, input_format, capacity)
    average = check_choice(average, "average", (None, "micro", "macro"))
    check_macro_capacity(average, spec.capacity)

    def compute(s: CurveState) -> CurveOutput:
        p, r, thr, keep = pr_points(spec, s, pooled=average == "micro")
        out = curve_output(spec, p, r, thr, keep, per_column=average != "micro")
        if average == "macro":
            return macro_curve(out[0], out[1], out[2], descending=False)
        return out

    return curve_metric("multiclass_precision_recall_curve", spec, compute)


@factory(higher_is_better=None)
@parameter_docs.CURVES
def multilabel_precision_recall_curve(
    num_labels: int,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Precision-recall curve of each label of multilabel scores.

    Returns:
        A metric computing ``(precision, recall, thresholds)`` per label.

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_precision_recall_curve
        >>> preds = torch.tensor([[0.8, 0.1], [0.3, 0.7], [0.6, 0.4]])
        >>> m = multilabel_precision_recall_curve(2, thresholds=3)
        >>> m(preds, torch.tensor([[1, 0], [0, 1], [1, 1]]))[0]  # NaN: no prediction reaches threshold 1
        tensor([[0.6667, 1.0000,    nan, 1.0000],
                [0.6667, 1.0000,    nan, 1.0000]])
    """
    spec = build_spec("multilabel", num_labels, thresholds, ignore_index, validate_args, input_format, capacity)

    def compute(s: CurveState) -> CurveOutput:
        p, r, thr, keep = pr_points(spec, s)
        return curve_output(spec, p, r, thr, keep, per_column=True)

    return curve_metric("multilabel_precision_recall_curve", spec, compute)


@factory(higher_is_better=None)
@documented_dispatcher(
    "ROC curve", 'roc("binary", thresholds=3)(torch.tensor([0.2, 0.9]), torch.tensor([0, 1]))[1]\ntensor([0., 1., 1.])'
)
def roc(
    task: str,
    thresholds: Any = None,
    num_classes: int | None = None,
    num_labels: int | None = None,
    average: str | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    return dispatch(task, locals(), binary=binary_roc, multiclass=multiclass_roc, multilabel=multilabel_roc)


@factory(higher_is_better=None)
@documented_dispatcher(
    "Precision-recall curve",
    'precision_recall_curve("binary", thresholds=3)(torch.tensor([0.2, 0.9]), torch.tensor([0, 1]))[0]\n'
    "tensor([0.5000, 1.0000,    nan, 1.0000])",
)
def precision_recall_curve(
    task: str,
    thresholds: Any = None,
    num_classes: int | None = None,
    num_labels: int | None = None,
    average: str | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    return dispatch(
        task,
        locals(),
        binary=binary_precision_recall_curve,
        multiclass=multiclass_precision_recall_curve,
        multilabel=multilabel_precision_recall_curve,
    )
