"""Operating points read off threshold curves, and the summaries EER and LogAUC.

``recall_at_fixed_precision``, ``precision_at_fixed_recall``,
``sensitivity_at_specificity``, ``specificity_at_sensitivity``, ``eer`` and ``logauc``
share the state of :mod:`metrix.classification._curves` (same ``Metric.key`` for the
same task configuration). The searches over curve points are written with ``where``,
``max`` and ``argmax``, so they run on the fixed-length curves of ``capacity=`` and
binned metrics under ``torch.compile`` and ``vmap``; TorchMetrics' tie-breaking is kept
(largest recall, then precision, then threshold; first point along the curve).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix.classification._curve_inputs import TASKS, CurveSpec, check_choice, check_unit, make_state_fns
from metrix.classification._curves import build_spec, curve_output, macro_curve, pr_points, roc_points

__all__ = [
    "binary_eer",
    "binary_logauc",
    "binary_precision_at_fixed_recall",
    "binary_recall_at_fixed_precision",
    "binary_sensitivity_at_specificity",
    "binary_specificity_at_sensitivity",
    "eer",
    "logauc",
    "multiclass_eer",
    "multiclass_logauc",
    "multiclass_precision_at_fixed_recall",
    "multiclass_recall_at_fixed_precision",
    "multiclass_sensitivity_at_specificity",
    "multiclass_specificity_at_sensitivity",
    "multilabel_eer",
    "multilabel_logauc",
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


def _curves32(spec: CurveSpec, s: Any, kind: str) -> tuple[Tensor, Tensor, Tensor]:
    """Fixed-length curves in float32 (TorchMetrics' precision), thresholds as ``(K, L)``."""
    a, b, thr, _ = (roc_points if kind == "roc" else pr_points)(spec, s)
    a, b = a.to(torch.float32), b.to(torch.float32)
    if thr.dim() == 1:
        thr = thr.unsqueeze(0).expand(a.shape[0], -1)
    return a, b, thr


def _lexmax(mask: Tensor, first: Tensor, second: Tensor, third: Tensor) -> tuple[Tensor, Tensor]:
    """Among ``mask``ed points: the largest ``first``, ties broken by ``second`` then ``third``."""
    neg = torch.tensor(_NEG_INF, dtype=first.dtype, device=first.device)
    best1 = torch.where(mask, first, neg).amax(-1, keepdim=True)
    cand = mask & (first == best1)
    best2 = torch.where(cand, second, neg).amax(-1, keepdim=True)
    cand = cand & (second == best2)
    best3 = torch.where(cand, third.to(first.dtype), neg).amax(-1, keepdim=True)
    return best1.squeeze(-1), best3.squeeze(-1).to(third.dtype)


def _at_fixed(spec: CurveSpec, s: Any, bound: float, recall_first: bool) -> tuple[Tensor, Tensor]:
    precision, recall, thr = _curves32(spec, s, "pr")
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


def _at_roc(spec: CurveSpec, s: Any, bound: float, sensitivity_first: bool) -> tuple[Tensor, Tensor]:
    fpr, tpr, thr = _curves32(spec, s, "roc")
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


def _metric(spec: CurveSpec, compute: Callable[[Any], Any], name: str) -> Metric:
    init, update = make_state_fns(spec)
    return Metric(init, update, compute, name=name, key=spec.key)


def _build(
    task: str,
    name: str,
    num: int | None,
    thresholds: Any,
    ignore_index: Any,
    validate_args: Any,
    input_format: str,
    capacity: Any,
    reduce: Callable[[CurveSpec, Any], Any],
) -> Metric:
    spec = build_spec(task, num, thresholds, ignore_index, validate_args, input_format, capacity)
    single = task == "binary"

    def compute(s: Any) -> Any:
        out = reduce(spec, s)
        if single:
            return tuple(x[0] for x in out) if isinstance(out, tuple) else out[0]
        return out

    return _metric(spec, compute, name)


# ----------------------------------------------------------------------------- fixed points


def _fixed_point(
    task: str,
    kind: str,
    num: int | None,
    bound: float,
    bound_name: str,
    options: tuple[Any, ...],
) -> Metric:
    """Build a ``{task}_{kind}`` operating-point metric.

    ``options`` holds ``(thresholds, ignore_index, validate_args, input_format, capacity)``.
    """
    b = check_unit(bound, bound_name)
    if kind in ("sensitivity_at_specificity", "specificity_at_sensitivity"):

        def reduce(spec: CurveSpec, s: Any) -> tuple[Tensor, Tensor]:
            return _at_roc(spec, s, b, kind == "sensitivity_at_specificity")

    else:

        def reduce(spec: CurveSpec, s: Any) -> tuple[Tensor, Tensor]:
            return _at_fixed(spec, s, b, kind == "recall_at_fixed_precision")

    return _build(task, f"{task}_{kind}", num, *options, reduce)


@factory(higher_is_better=None)
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

    Args:
        min_precision: the constraint, a float in [0, 1].
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

    Returns:
        A metric computing ``(value, threshold)``.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_recall_at_fixed_precision
        >>> binary_recall_at_fixed_precision(0.5)(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        (tensor(1.), tensor(0.4000))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _fixed_point("binary", "recall_at_fixed_precision", None, min_precision, "min_precision", options)


@factory(higher_is_better=None)
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

    Args:
        num_classes: number of classes (``>= 2``).
        min_precision: the constraint, a float in [0, 1].
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

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
    return _fixed_point("multiclass", "recall_at_fixed_precision", num_classes, min_precision, "min_precision", options)


@factory(higher_is_better=None)
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

    Args:
        num_labels: number of labels (``>= 2``).
        min_precision: the constraint, a float in [0, 1].
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

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
    return _fixed_point("multilabel", "recall_at_fixed_precision", num_labels, min_precision, "min_precision", options)


_RFP = {
    f.__name__: f
    for f in (
        binary_recall_at_fixed_precision,
        multiclass_recall_at_fixed_precision,
        multilabel_recall_at_fixed_precision,
    )
}


@factory(higher_is_better=None)
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

    Args:
        min_recall: the constraint, a float in [0, 1].
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

    Returns:
        A metric computing ``(value, threshold)``.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_precision_at_fixed_recall
        >>> binary_precision_at_fixed_recall(0.5)(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        (tensor(1.), tensor(0.9000))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _fixed_point("binary", "precision_at_fixed_recall", None, min_recall, "min_recall", options)


@factory(higher_is_better=None)
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

    Args:
        num_classes: number of classes (``>= 2``).
        min_recall: the constraint, a float in [0, 1].
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

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
    return _fixed_point("multiclass", "precision_at_fixed_recall", num_classes, min_recall, "min_recall", options)


@factory(higher_is_better=None)
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

    Args:
        num_labels: number of labels (``>= 2``).
        min_recall: the constraint, a float in [0, 1].
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

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
    return _fixed_point("multilabel", "precision_at_fixed_recall", num_labels, min_recall, "min_recall", options)


_PFR = {
    f.__name__: f
    for f in (
        binary_precision_at_fixed_recall,
        multiclass_precision_at_fixed_recall,
        multilabel_precision_at_fixed_recall,
    )
}


@factory(higher_is_better=None)
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

    Args:
        min_specificity: the constraint, a float in [0, 1].
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

    Returns:
        A metric computing ``(value, threshold)``.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_sensitivity_at_specificity
        >>> binary_sensitivity_at_specificity(0.5)(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        (tensor(1.), tensor(0.4000))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _fixed_point("binary", "sensitivity_at_specificity", None, min_specificity, "min_specificity", options)


@factory(higher_is_better=None)
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

    Args:
        num_classes: number of classes (``>= 2``).
        min_specificity: the constraint, a float in [0, 1].
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

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
    return _fixed_point(
        "multiclass", "sensitivity_at_specificity", num_classes, min_specificity, "min_specificity", options
    )


@factory(higher_is_better=None)
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

    Args:
        num_labels: number of labels (``>= 2``).
        min_specificity: the constraint, a float in [0, 1].
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

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
    return _fixed_point(
        "multilabel", "sensitivity_at_specificity", num_labels, min_specificity, "min_specificity", options
    )


_SAS = {
    f.__name__: f
    for f in (
        binary_sensitivity_at_specificity,
        multiclass_sensitivity_at_specificity,
        multilabel_sensitivity_at_specificity,
    )
}


@factory(higher_is_better=None)
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

    Args:
        min_sensitivity: the constraint, a float in [0, 1].
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

    Returns:
        A metric computing ``(value, threshold)``.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_specificity_at_sensitivity
        >>> binary_specificity_at_sensitivity(0.5)(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        (tensor(1.), tensor(0.9000))
    """
    options = (thresholds, ignore_index, validate_args, input_format, capacity)
    return _fixed_point("binary", "specificity_at_sensitivity", None, min_sensitivity, "min_sensitivity", options)


@factory(higher_is_better=None)
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

    Args:
        num_classes: number of classes (``>= 2``).
        min_sensitivity: the constraint, a float in [0, 1].
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

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
    return _fixed_point(
        "multiclass", "specificity_at_sensitivity", num_classes, min_sensitivity, "min_sensitivity", options
    )


@factory(higher_is_better=None)
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

    Args:
        num_labels: number of labels (``>= 2``).
        min_sensitivity: the constraint, a float in [0, 1].
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

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
    return _fixed_point(
        "multilabel", "specificity_at_sensitivity", num_labels, min_sensitivity, "min_sensitivity", options
    )


_SPS = {
    f.__name__: f
    for f in (
        binary_specificity_at_sensitivity,
        multiclass_specificity_at_sensitivity,
        multilabel_specificity_at_sensitivity,
    )
}


def _dispatch(family: dict[str, Callable[..., Metric]], kind: str) -> Callable[..., Metric]:
    def dispatcher(
        task: str,
        bound: float,
        thresholds: Any = None,
        num_classes: int | None = None,
        num_labels: int | None = None,
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
        capacity: int | None = None,
    ) -> Metric:
        task = check_choice(task, "task", TASKS)
        kw = dict(input_format=input_format, capacity=capacity)
        fn = family[f"{task}_{kind}"]
        if task == "binary":
            return fn(bound, thresholds, ignore_index, validate_args, **kw)
        num = num_classes if task == "multiclass" else num_labels
        return fn(num, bound, thresholds, ignore_index, validate_args, **kw)

    return dispatcher


@factory(higher_is_better=None)
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
    """Recall at fixed precision for ``task``; see :func:`binary_recall_at_fixed_precision`.

    Example:
        >>> import torch
        >>> from metrix.classification import recall_at_fixed_precision
        >>> m = recall_at_fixed_precision("binary", 0.5)
        >>> m(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        (tensor(1.), tensor(0.4000))
    """
    return _dispatch(_RFP, "recall_at_fixed_precision")(
        task,
        min_precision,
        thresholds,
        num_classes,
        num_labels,
        ignore_index,
        validate_args,
        input_format=input_format,
        capacity=capacity,
    )


@factory(higher_is_better=None)
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
    """Precision at fixed recall for ``task``; see :func:`binary_precision_at_fixed_recall`.

    Example:
        >>> import torch
        >>> from metrix.classification import precision_at_fixed_recall
        >>> m = precision_at_fixed_recall("binary", 0.5)
        >>> m(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        (tensor(1.), tensor(0.9000))
    """
    return _dispatch(_PFR, "precision_at_fixed_recall")(
        task,
        min_recall,
        thresholds,
        num_classes,
        num_labels,
        ignore_index,
        validate_args,
        input_format=input_format,
        capacity=capacity,
    )


@factory(higher_is_better=None)
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
    """Sensitivity at specificity for ``task``; see :func:`binary_sensitivity_at_specificity`.

    Example:
        >>> import torch
        >>> from metrix.classification import sensitivity_at_specificity
        >>> m = sensitivity_at_specificity("binary", 0.5)
        >>> m(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        (tensor(1.), tensor(0.4000))
    """
    return _dispatch(_SAS, "sensitivity_at_specificity")(
        task,
        min_specificity,
        thresholds,
        num_classes,
        num_labels,
        ignore_index,
        validate_args,
        input_format=input_format,
        capacity=capacity,
    )


@factory(higher_is_better=None)
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
    """Specificity at sensitivity for ``task``; see :func:`binary_specificity_at_sensitivity`.

    Example:
        >>> import torch
        >>> from metrix.classification import specificity_at_sensitivity
        >>> m = specificity_at_sensitivity("binary", 0.5)
        >>> m(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        (tensor(1.), tensor(0.9000))
    """
    return _dispatch(_SPS, "specificity_at_sensitivity")(
        task,
        min_sensitivity,
        thresholds,
        num_classes,
        num_labels,
        ignore_index,
        validate_args,
        input_format=input_format,
        capacity=capacity,
    )


# ----------------------------------------------------------------------------- EER


def _eer_reduce(average: str | None) -> Callable[[CurveSpec, Any], Tensor]:
    def reduce(spec: CurveSpec, s: Any) -> Tensor:
        if average == "macro":
            fpr, tpr, thr, keep = roc_points(spec, s)
            f, t, _ = curve_output(spec, fpr, tpr, thr, keep, per_column=True)
            grid, mean, _ = macro_curve(f, t, thr if keep is None else [thr[0]], descending=True)
            return _eer_rows(grid.unsqueeze(0), mean.unsqueeze(0))[0]
        fpr, tpr, _ = _curves32_pooled(spec, s, average == "micro")
        res = _eer_rows(fpr, tpr)
        return res[0] if average == "micro" else res

    return reduce


def _curves32_pooled(spec: CurveSpec, s: Any, pooled: bool) -> tuple[Tensor, Tensor, Tensor]:
    fpr, tpr, thr, _ = roc_points(spec, s, pooled=pooled)
    return fpr.to(torch.float32), tpr.to(torch.float32), thr


@factory(higher_is_better=False)
def binary_eer(
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Equal error rate: the point of the ROC curve where ``fpr == 1 - tpr``.

    Args:
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

    Returns:
        A metric computing a float32 scalar.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_eer
        >>> binary_eer()(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        tensor(0.5000)
    """
    return _build(
        "binary", "binary_eer", None, thresholds, ignore_index, validate_args, input_format, capacity, _eer_reduce(None)
    )


@factory(higher_is_better=False)
def multiclass_eer(
    num_classes: int,
    thresholds: Any = None,
    average: str | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Equal error rate of each one-vs-rest ROC curve (or of the micro/macro curve).

    Args:
        num_classes: number of classes (``>= 2``).
        average: ``None`` (one value per class), ``"micro"`` or ``"macro"`` (of the averaged
            curve, see :func:`multiclass_roc`; not with ``capacity``).
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

    Returns:
        A metric computing ``(C,)`` values, or a scalar with ``average``.

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_eer
        >>> preds = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
        >>> multiclass_eer(3)(preds, torch.tensor([0, 1, 2, 2]))
        tensor([0., 0., 0.])
    """
    average = check_choice(average, "average", (None, "micro", "macro"))
    if average == "macro" and capacity is not None:
        raise ValueError("average='macro' curves have a data-dependent length; use capacity=None or thresholds=")
    return _build(
        "multiclass",
        "multiclass_eer",
        num_classes,
        thresholds,
        ignore_index,
        validate_args,
        input_format,
        capacity,
        _eer_reduce(average),
    )


@factory(higher_is_better=False)
def multilabel_eer(
    num_labels: int,
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Equal error rate of each label's ROC curve.

    Args:
        num_labels: number of labels (``>= 2``).
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

    Returns:
        A metric computing ``(L,)`` values.

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_eer
        >>> preds = torch.tensor([[0.8, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.3]])
        >>> multilabel_eer(2)(preds, torch.tensor([[1, 0], [0, 1], [1, 1], [0, 0]]))
        tensor([0., 0.])
    """
    return _build(
        "multilabel",
        "multilabel_eer",
        num_labels,
        thresholds,
        ignore_index,
        validate_args,
        input_format,
        capacity,
        _eer_reduce(None),
    )


@factory(higher_is_better=False)
def eer(
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
    """Equal error rate for ``task``; see :func:`binary_eer`.

    Example:
        >>> import torch
        >>> from metrix.classification import eer
        >>> eer("binary")(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        tensor(0.5000)
    """
    task = check_choice(task, "task", TASKS)
    kw = dict(input_format=input_format, capacity=capacity)
    if task == "binary":
        return binary_eer(thresholds, ignore_index, validate_args, **kw)
    if task == "multiclass":
        return multiclass_eer(num_classes, thresholds, average, ignore_index, validate_args, **kw)  # type: ignore[arg-type]
    return multilabel_eer(num_labels, thresholds, ignore_index, validate_args, **kw)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- LogAUC


def _check_fpr_range(fpr_range: Any) -> tuple[float, float]:
    if (
        not isinstance(fpr_range, tuple)
        or len(fpr_range) != 2
        or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in fpr_range)
        or not 0 <= fpr_range[0] < fpr_range[1] <= 1
    ):
        raise ValueError(f"fpr_range must be a tuple (low, high) with 0 <= low < high <= 1, got {fpr_range!r}")
    return float(fpr_range[0]), float(fpr_range[1])


def _logauc_reduce(fpr_range: tuple[float, float], average: str | None) -> Callable[[CurveSpec, Any], Tensor]:
    def reduce(spec: CurveSpec, s: Any) -> Tensor:
        if spec.thresholds is None and spec.capacity is None:
            # eager exact: on TorchMetrics' own (deduplicated) curves, one row at a time
            fpr, tpr, thr, keep = roc_points(spec, s)
            fs, ts, _ = curve_output(spec, fpr, tpr, thr, keep, per_column=True)
            res = torch.cat([_logauc_rows(f[None], t[None], fpr_range) for f, t in zip(fs, ts)])
        else:
            fpr, tpr, _ = _curves32(spec, s, "roc")
            res = _logauc_rows(fpr, tpr, fpr_range, reorder=spec.thresholds is not None)
        if average == "macro":
            return _mean_skip_nan(res)
        return res

    return reduce


@factory(higher_is_better=True)
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
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

    Returns:
        A metric computing a float32 scalar.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_logauc
        >>> binary_logauc()(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        tensor(0.5000)
    """
    rng = _check_fpr_range(fpr_range)
    return _build(
        "binary",
        "binary_logauc",
        None,
        thresholds,
        ignore_index,
        validate_args,
        input_format,
        capacity,
        _logauc_reduce(rng, None),
    )


@factory(higher_is_better=True)
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
        num_classes: number of classes (``>= 2``).
        fpr_range: ``(low, high)`` with ``0 <= low < high <= 1``.
        average: ``"macro"`` (NaN classes skipped) or ``"none"``/``None``.
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

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
    return _build(
        "multiclass",
        "multiclass_logauc",
        num_classes,
        thresholds,
        ignore_index,
        validate_args,
        input_format,
        capacity,
        _logauc_reduce(rng, average),
    )


@factory(higher_is_better=True)
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
        num_labels: number of labels (``>= 2``).
        fpr_range: ``(low, high)`` with ``0 <= low < high <= 1``.
        average: ``"macro"`` (NaN labels skipped) or ``"none"``/``None``.
        thresholds: ``None`` (exact, every sample kept), an int ``T >= 2`` (evenly spaced in
            [0, 1]) or increasing thresholds in [0, 1] (binned, ``O(T * C)`` memory).
        ignore_index: target value whose elements are left out (masked).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess), ``"probabilities"`` or
            ``"logits"``.
        capacity: with ``thresholds=None``, a fixed sample capacity (compiles once, vmaps).

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
    return _build(
        "multilabel",
        "multilabel_logauc",
        num_labels,
        thresholds,
        ignore_index,
        validate_args,
        input_format,
        capacity,
        _logauc_reduce(rng, average),
    )


@factory(higher_is_better=True)
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
    """LogAUC for ``task``; see :func:`binary_logauc` (``average=None`` as in TorchMetrics).

    Example:
        >>> import torch
        >>> from metrix.classification import logauc
        >>> logauc("binary")(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))
        tensor(0.5000)
    """
    task = check_choice(task, "task", TASKS)
    kw = dict(input_format=input_format, capacity=capacity)
    if task == "binary":
        return binary_logauc(fpr_range, thresholds, ignore_index, validate_args, **kw)
    if task == "multiclass":
        return multiclass_logauc(num_classes, fpr_range, average, thresholds, ignore_index, validate_args, **kw)  # type: ignore[arg-type]
    return multilabel_logauc(num_labels, fpr_range, average, thresholds, ignore_index, validate_args, **kw)  # type: ignore[arg-type]
