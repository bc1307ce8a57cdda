"""Areas under threshold curves: AUROC and average precision.

The trapezoidal area under each ROC curve (McClish-standardised up to ``max_fpr`` for
binary AUROC) and the step-wise area under each precision-recall curve, per class or
averaged as TorchMetrics does. The state is the shared curve state, so a collection of
AUROC, average precision and the curves themselves updates one state.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_number
from metrix._core.metric import Metric, factory
from metrix.classification import _parameter_docs as parameter_docs
from metrix.classification._curve_family import AveragedArea, CurveBuilder, CurveOptions
from metrix.classification._curve_kernel import pr_points, reduce_average, roc_points, support
from metrix.classification._curve_state import CurveState, build_spec, curve_metric
from metrix.classification._dispatch import dispatch, documented_dispatcher
from metrix.classification._inputs import check_choice

__all__ = [
    "auroc",
    "average_precision",
    "binary_auroc",
    "binary_average_precision",
    "multiclass_auroc",
    "multiclass_average_precision",
    "multilabel_auroc",
    "multilabel_average_precision",
]


def roc_area(fpr: Tensor, tpr: Tensor) -> Tensor:
    """Trapezoidal area under each row's ROC curve (repeated points add nothing)."""
    # torch.trapezoid's arithmetic (same values), with one temporary fewer
    area = tpr[..., 1:] + tpr[..., :-1]
    area.mul_(fpr.diff(dim=-1))
    return area.sum(-1) / 2


def partial_roc_area(fpr: Tensor, tpr: Tensor, max_fpr: float) -> Tensor:
    """McClish-standardised partial AUC up to ``max_fpr`` of one curve (rows of length L)."""
    full = roc_area(fpr, tpr)
    n = fpr.shape[-1]
    bound = torch.tensor(max_fpr, dtype=fpr.dtype, device=fpr.device)
    # first point beyond max_fpr; the curve is cut there and closed with an interpolated point
    stop = (fpr <= bound).sum(-1, keepdim=True).clamp(1, n - 1)
    x0, x1 = fpr.gather(-1, stop - 1), fpr.gather(-1, stop)
    y0, y1 = tpr.gather(-1, stop - 1), tpr.gather(-1, stop)
    y_cut = torch.lerp(y0, y1, (bound - x0) / (x1 - x0))
    inside = torch.arange(n, device=fpr.device) < stop
    part = roc_area(torch.where(inside, fpr, bound), torch.where(inside, tpr, y_cut))
    min_area = 0.5 * max_fpr**2
    mcclish = 0.5 * (1 + (part - min_area) / (max_fpr - min_area))
    degenerate = (fpr.sum(-1) == 0) | (tpr.sum(-1) == 0)
    return torch.where(degenerate, full, mcclish)


def average_precision_of(precision: Tensor, recall: Tensor, keep_nan: bool = False) -> Tensor:
    """Step-wise area under each row's precision-recall curve (thresholds increasing).

    Undefined (NaN) points count as 0, except for TorchMetrics' exact per-class curves
    (``keep_nan``), where a class without positives gets NaN and is skipped by averages.
    """
    if not keep_nan:
        precision = torch.nan_to_num(precision, nan=0.0)
        recall = torch.nan_to_num(recall, nan=0.0)
    return -((recall[..., 1:] - recall[..., :-1]) * precision[..., :-1]).sum(-1)


@factory(higher_is_better=True)
@parameter_docs.CURVES
def binary_auroc(
    max_fpr: float | None = None,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Area under the ROC curve of binary scores.

    Args:
        max_fpr: if given (in ``(0, 1]``), the McClish-standardised partial AUC over
            ``fpr <= max_fpr`` (as ``sklearn.metrics.roc_auc_score(max_fpr=...)``).

    Returns:
        A metric computing a float32 scalar.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_auroc
        >>> binary_auroc()(torch.tensor([0.0, 0.5, 0.7, 0.8]), torch.tensor([0, 1, 1, 0]))
        tensor(0.5000)
    """
    spec = build_spec("binary", None, thresholds, ignore_index, validate_args, input_format, capacity)
    if max_fpr is not None:
        check_number(max_fpr, "max_fpr", "None or a float in (0, 1]", lambda v: 0 < v <= 1)

    def compute(s: CurveState) -> Tensor:
        fpr, tpr, _, _ = roc_points(spec, s)
        if max_fpr is None or max_fpr == 1:
            area = roc_area(fpr, tpr)
        else:
            area = partial_roc_area(fpr, tpr, float(max_fpr))
        return area[0].to(torch.float32)

    return curve_metric("binary_auroc", spec, compute)


# What the multiclass and multilabel docstrings of an area say of ``average`` and return.
_AVERAGE = (
    '``"macro"`` (mean over classes, NaN classes skipped), ``"weighted"`` (by\n'
    '        support), ``"none"``/``None`` (one value per class)'
)
_DOC = """\
{summary}

Args:
    average: {average}.

Returns:
    A metric computing a scalar, or ``({dim},)`` with ``average="none"``.

Example:
    >>> import torch
    >>> from metrix.classification import {name}
    >>> preds = {preds}
    >>> {call}(preds, {target})
    {value}
"""
_MULTICLASS_INPUTS = (
    "torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])",
    "torch.tensor([0, 1, 2, 2])",
)
_MULTILABEL_INPUTS = (
    "torch.tensor([[0.8, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.3]])",
    "torch.tensor([[1, 0], [0, 1], [1, 1], [0, 0]])",
)


def _averaged_area(kind: str) -> CurveBuilder:
    """The builder of the multiclass and multilabel areas under ``kind``'s curves (``"roc"`` or ``"pr"``)."""
    points = roc_points if kind == "roc" else pr_points

    def build(name: str, task: str, num: int | None, average: Any, options: CurveOptions) -> Metric:
        spec = build_spec(task, num, *options)
        allowed = ("macro", "weighted", "none", None) + (("micro",) if task == "multilabel" else ())
        average = check_choice(average, "average", allowed)

        def area(a: Tensor, b: Tensor, pooled: bool = False) -> Tensor:
            if kind == "roc":
                return roc_area(a, b)
            return average_precision_of(a, b, keep_nan=spec.thresholds is None and not pooled)

        def compute(s: CurveState) -> Tensor:
            if average == "micro":
                a, b, _, _ = points(spec, s, pooled=True)
                return area(a, b, pooled=True)[0].to(torch.float32)
            a, b, _, _ = points(spec, s)
            return reduce_average(area(a, b), average, support(spec, s)).to(torch.float32)

        return curve_metric(name, spec, compute)

    return build


def _averaged_area_family(
    kind: str, names: tuple[str, str], summaries: tuple[str, str], calls: tuple[str, str], values: tuple[str, str]
) -> AveragedArea:
    """``kind``'s multiclass and multilabel factories, each a real function of this module.

    ``names``, ``summaries``, ``calls`` (the examples' factory calls) and ``values`` (what they
    print) are given multiclass first.
    """
    averages = (_AVERAGE, _AVERAGE + ', ``"micro"`` (pool every label)')
    inputs = (_MULTICLASS_INPUTS, _MULTILABEL_INPUTS)
    docs = [
        _DOC.format(summary=text, average=avg, dim=dim, name=name, preds=x[0], call=call, target=x[1], value=value)
        for text, avg, dim, name, x, call, value in zip(
            summaries, averages, "CL", names, inputs, calls, values, strict=True
        )
    ]
    return AveragedArea(names, __name__, _averaged_area(kind), (docs[0], docs[1]))


_AUROC = _averaged_area_family(
    "roc",
    ("multiclass_auroc", "multilabel_auroc"),
    (
        "One-vs-rest area under the ROC curve of multiclass scores.",
        "Area under the ROC curve of each label of multilabel scores.",
    ),
    ('multiclass_auroc(3, average="none")', 'multilabel_auroc(2, average="none")'),
    ("tensor([1., 1., 1.])", "tensor([1., 1.])"),
)
multiclass_auroc, multilabel_auroc = _AUROC.multiclass, _AUROC.multilabel


@factory(higher_is_better=True)
@parameter_docs.CURVES
def binary_average_precision(
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Average precision of binary scores: ``sum_k (R_k - R_{k-1}) P_k``.

    Returns:
        A metric computing a float32 scalar (as
        ``sklearn.metrics.average_precision_score``).

    Example:
        >>> import torch
        >>> from metrix.classification import binary_average_precision
        >>> binary_average_precision()(torch.tensor([0.0, 0.5, 0.7, 0.8]), torch.tensor([0, 1, 1, 0]))
        tensor(0.5833)
    """
    spec = build_spec("binary", None, thresholds, ignore_index, validate_args, input_format, capacity)

    def compute(s: CurveState) -> Tensor:
        p, r, _, _ = pr_points(spec, s)
        return average_precision_of(p, r)[0].to(torch.float32)

    return curve_metric("binary_average_precision", spec, compute)


_AVERAGE_PRECISION = _averaged_area_family(
    "pr",
    ("multiclass_average_precision", "multilabel_average_precision"),
    (
        "One-vs-rest average precision of multiclass scores.",
        "Average precision of each label of multilabel scores.",
    ),
    ("multiclass_average_precision(3)", 'multilabel_average_precision(2, average="micro")'),
    ("tensor(1.)", "tensor(1.)"),
)
multiclass_average_precision, multilabel_average_precision = (
    _AVERAGE_PRECISION.multiclass,
    _AVERAGE_PRECISION.multilabel,
)


@factory(higher_is_better=None)
@documented_dispatcher("AUROC", 'auroc("binary")(torch.tensor([0.2, 0.9, 0.4]), torch.tensor([0, 1, 1]))\ntensor(1.)')
def auroc(
    task: str,
    thresholds: Any = None,
    num_classes: int | None = None,
    num_labels: int | None = None,
    average: str | None = "macro",
    max_fpr: float | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    return dispatch(task, locals(), binary=binary_auroc, multiclass=multiclass_auroc, multilabel=multilabel_auroc)


@factory(higher_is_better=True)
@documented_dispatcher(
    "Average precision",
    'average_precision("binary")(torch.tensor([0.2, 0.9, 0.4]), torch.tensor([0, 1, 1]))\ntensor(1.)',
)
def average_precision(
    task: str,
    thresholds: Any = None,
    num_classes: int | None = None,
    num_labels: int | None = None,
    average: str | None = "macro",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    return dispatch(
        task,
        locals(),
        binary=binary_average_precision,
        multiclass=multiclass_average_precision,
        multilabel=multilabel_average_precision,
    )
