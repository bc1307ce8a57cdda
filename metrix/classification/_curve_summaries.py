"""Summaries of ROC curves: the equal error rate (EER) and LogAUC.

``eer`` is the point of the ROC curve where ``fpr == 1 - tpr``; ``logauc`` the area
under the ROC curve with a log10 false-positive-rate axis over ``fpr_range``,
normalised by the range's width. Both share the curve state (same ``Metric.key`` for
the same task configuration) and follow TorchMetrics' values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import type_error, value_error
from metrix._core.metric import Metric, factory
from metrix.classification import _parameter_docs as parameter_docs
from metrix.classification._curve_family import CurveOptions, ThresholdCurve
from metrix.classification._curve_kernel import (
    curve_output,
    float32_curves,
    macro_curve,
    per_column_metric,
    roc_points,
)
from metrix.classification._curve_state import CurveSpec, CurveState, build_spec, check_macro_capacity
from metrix.classification._dispatch import dispatch, documented_dispatcher
from metrix.classification._inputs import check_choice
from metrix.classification._task_family import with_example

__all__ = [
    "binary_eer",
    "binary_logauc",
    "eer",
    "logauc",
    "multiclass_eer",
    "multiclass_logauc",
    "multilabel_eer",
    "multilabel_logauc",
]


def _eer_rows(fpr: Tensor, tpr: Tensor) -> Tensor:
    gap = (fpr - (1 - tpr)).abs()
    idx = gap.argmin(-1, keepdim=True)
    return (fpr.gather(-1, idx) + 1 - tpr.gather(-1, idx)).squeeze(-1) / 2


def _interp_at(x: Tensor, xp: Tensor, fp: Tensor, reorder: bool) -> Tensor:
    """numpy.interp-style values at ``x`` of each row's piecewise-linear ``(xp, fp)`` curve.

    The segment used starts at the last point strictly left of ``x``. ``reorder`` sorts each
    row with ``argsort`` first, as TorchMetrics does; its order among equal ``xp`` (vertical
    segments) is the sort's, so it is only reproduced on the same arrays (eager and binned
    curves). Fixed-length ``capacity`` curves are already sorted and keep their point order.
    """
    rows = x.expand(xp.shape[0], -1)
    if reorder:
        order = torch.stack([torch.argsort(r) for r in xp.unbind(0)])
        xp, fp = xp.gather(-1, order), fp.gather(-1, order)
    n = xp.shape[-1]
    # points strictly left of x (xp is sorted): searchsorted(side="left"), as a count
    idx = ((xp.unsqueeze(-2) < rows.unsqueeze(-1)).sum(-1) - 1).clamp(0, n - 2)
    x0, x1 = xp.gather(-1, idx), xp.gather(-1, idx + 1)
    y0, y1 = fp.gather(-1, idx), fp.gather(-1, idx + 1)
    return y0 + (y1 - y0) / (x1 - x0) * (rows - x0)


def _logauc_rows(fpr: Tensor, tpr: Tensor, fpr_range: tuple[float, float], reorder: bool = True) -> Tensor:
    """TorchMetrics' LogAUC of each row, traceable (segments outside the range are masked)."""
    k, n = fpr.shape
    if n < 2:  # TorchMetrics scores a curve of fewer than two points as 0
        return torch.zeros(k, dtype=fpr.dtype, device=fpr.device)
    rng = torch.tensor(fpr_range, dtype=fpr.dtype, device=fpr.device)
    at_range = _interp_at(rng, fpr, tpr, reorder)
    tpr_all = torch.cat([tpr, at_range], -1).sort(-1).values
    fpr_all = torch.cat([fpr, rng.expand(k, 2)], -1).sort(-1).values
    log_fpr = torch.log10(fpr_all)
    bounds = torch.log10(rng)
    pos = torch.arange(n + 2, device=fpr.device)
    lo = torch.where(log_fpr == bounds[0], pos, -1).amax(-1, keepdim=True)
    hi = torch.where(log_fpr == bounds[1], pos, -1).amax(-1, keepdim=True)
    # trapezoids of the segments between the two bounds only (a mask instead of a slice)
    seg = (pos[:-1] >= lo) & (pos[1:] <= hi)
    dx = log_fpr[:, 1:] - log_fpr[:, :-1]
    area = torch.where(seg, dx * (tpr_all[:, 1:] + tpr_all[:, :-1]) / 2, 0.0).sum(-1)
    return area / (bounds[1] - bounds[0])


def _mean_skip_nan(res: Tensor) -> Tensor:
    ok = ~torch.isnan(res)
    return torch.where(ok, res, 0.0).sum() / ok.sum()


# ----------------------------------------------------------------------------- EER


def _eer_reduce(average: str | None) -> Callable[[CurveSpec, CurveState], Tensor]:
    def reduce(spec: CurveSpec, s: CurveState) -> Tensor:
        if average == "macro":
            fpr, tpr, thr, keep = roc_points(spec, s)
            f, t, _ = curve_output(spec, fpr, tpr, thr, keep, per_column=True)
            grid, mean, _ = macro_curve(f, t, thr if keep is None else [thr[0]], descending=True)
            return _eer_rows(grid.unsqueeze(0), mean.unsqueeze(0))[0]
        fpr, tpr, _ = float32_curves(spec, s, "roc", average == "micro")
        res = _eer_rows(fpr, tpr)
        return res[0] if average == "micro" else res

    return reduce


def _eer(name: str, task: str, num: int | None, average: Any, options: CurveOptions) -> Metric:
    average = check_choice(average, "average", (None, "micro", "macro"))
    check_macro_capacity(average, options[-1])
    return per_column_metric(name, build_spec(task, num, *options), _eer_reduce(average))


_EER_DOCS = {
    "binary": with_example(
        "binary_eer",
        """Equal error rate: the point of the ROC curve where ``fpr == 1 - tpr``.

        Returns:
            A metric computing a float32 scalar.
        """,
        "binary_eer()(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))\ntensor(0.5000)",
    ),
    "multiclass": with_example(
        "multiclass_eer",
        """Equal error rate of each one-vs-rest ROC curve (or of the micro/macro curve).

        Args:
            average: ``None`` (one value per class), ``"micro"`` or ``"macro"`` (of the averaged
                curve, see :func:`multiclass_roc`; not with ``capacity``).

        Returns:
            A metric computing ``(C,)`` values, or a scalar with ``average``.
        """,
        "preds = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])\n"
        ">>> multiclass_eer(3)(preds, torch.tensor([0, 1, 2, 2]))\n"
        "tensor([0., 0., 0.])",
    ),
    "multilabel": with_example(
        "multilabel_eer",
        """Equal error rate of each label's ROC curve.

        Returns:
            A metric computing ``(L,)`` values.
        """,
        "preds = torch.tensor([[0.8, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.3]])\n"
        ">>> multilabel_eer(2)(preds, torch.tensor([[1, 0], [0, 1], [1, 1], [0, 0]]))\n"
        "tensor([0., 0.])",
    ),
}

binary_eer, multiclass_eer, multilabel_eer, eer = ThresholdCurve(
    "eer", __name__, _eer, higher_is_better=False, title="Equal error rate", docs=_EER_DOCS,
    dispatcher_example='eer("binary")(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))\ntensor(0.5000)',
).factories  # fmt: skip


# ----------------------------------------------------------------------------- LogAUC


def _check_fpr_range(fpr_range: Any) -> tuple[float, float]:
    expected = "a tuple (low, high) with 0 <= low < high <= 1"
    if (
        not isinstance(fpr_range, tuple)
        or len(fpr_range) != 2
        or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in fpr_range)
    ):
        raise type_error("fpr_range", expected, fpr_range)
    if not 0 <= fpr_range[0] < fpr_range[1] <= 1:
        raise value_error("fpr_range", expected, fpr_range)
    return float(fpr_range[0]), float(fpr_range[1])


def _logauc_reduce(fpr_range: tuple[float, float], average: str | None) -> Callable[[CurveSpec, Any], Tensor]:
    def reduce(spec: CurveSpec, s: CurveState) -> Tensor:
        if spec.thresholds is None and spec.capacity is None:
            # eager exact: on TorchMetrics' own (deduplicated) curves, one row at a time
            fpr, tpr, thr, keep = roc_points(spec, s)
            fs, ts, _ = curve_output(spec, fpr, tpr, thr, keep, per_column=True)
            res = torch.cat([_logauc_rows(f[None], t[None], fpr_range) for f, t in zip(fs, ts)])
        else:
            fpr, tpr, _ = float32_curves(spec, s, "roc")
            res = _logauc_rows(fpr, tpr, fpr_range, reorder=spec.thresholds is not None)
        if average == "macro":
            return _mean_skip_nan(res)
        return res

    return reduce


@factory(higher_is_better=True)
@parameter_docs.CURVES
def binary_logauc(
    fpr_range: tuple[float, float] = (0.001, 0.1),
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Area under the ROC curve with a log10 false-positive-rate axis, over ``fpr_range``.

    Args:
        fpr_range: ``(low, high)`` with ``0 <= low < high <= 1``; the area is divided by
            ``log10(high) - log10(low)``.

    Returns:
        A metric computing a float32 scalar.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_logauc
        >>> binary_logauc()(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        tensor(0.5000)
    """
    rng = _check_fpr_range(fpr_range)
    spec = build_spec("binary", None, thresholds, ignore_index, validate_args, input_format, capacity)
    return per_column_metric("binary_logauc", spec, _logauc_reduce(rng, None))


@factory(higher_is_better=True)
@parameter_docs.CURVES
def multiclass_logauc(
    num_classes: int,
    fpr_range: tuple[float, float] = (0.001, 0.1),
    average: str | None = "macro",
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """LogAUC of each one-vs-rest ROC curve, averaged.

    Args:
        fpr_range: ``(low, high)`` with ``0 <= low < high <= 1``.
        average: ``"macro"`` (NaN classes skipped) or ``"none"``/``None``.

    Returns:
        A metric computing a scalar, or ``(C,)``.

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_logauc
        >>> preds = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
        >>> multiclass_logauc(3)(preds, torch.tensor([0, 1, 2, 2]))
        tensor(1.)
    """
    rng = _check_fpr_range(fpr_range)
    average = check_choice(average, "average", ("macro", "none", None))
    spec = build_spec("multiclass", num_classes, thresholds, ignore_index, validate_args, input_format, capacity)
    return per_column_metric("multiclass_logauc", spec, _logauc_reduce(rng, average))


@factory(higher_is_better=True)
@parameter_docs.CURVES
def multilabel_logauc(
    num_labels: int,
    fpr_range: tuple[float, float] = (0.001, 0.1),
    average: str | None = "macro",
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """LogAUC of each label's ROC curve, averaged.

    Args:
        fpr_range: ``(low, high)`` with ``0 <= low < high <= 1``.
        average: ``"macro"`` (NaN labels skipped) or ``"none"``/``None``.

    Returns:
        A metric computing a scalar, or ``(L,)``.

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_logauc
        >>> preds = torch.tensor([[0.8, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.3]])
        >>> multilabel_logauc(2)(preds, torch.tensor([[1, 0], [0, 1], [1, 1], [0, 0]]))
        tensor(1.)
    """
    rng = _check_fpr_range(fpr_range)
    average = check_choice(average, "average", ("macro", "none", None))
    spec = build_spec("multilabel", num_labels, thresholds, ignore_index, validate_args, input_format, capacity)
    return per_column_metric("multilabel_logauc", spec, _logauc_reduce(rng, average))


@factory(higher_is_better=True)
@documented_dispatcher(
    "LogAUC",
    'logauc("binary")(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))\ntensor(0.5000)',
    note='As in TorchMetrics, ``average`` defaults to ``None`` here (``"macro"`` in the task functions).',
)
def logauc(
    task: str,
    thresholds: Any = None,
    num_classes: int | None = None,
    num_labels: int | None = None,
    fpr_range: tuple[float, float] = (0.001, 0.1),
    average: str | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    return dispatch(task, locals(), binary=binary_logauc, multiclass=multiclass_logauc, multilabel=multilabel_logauc)
