"""Threshold curves and their areas: ROC, precision-recall curve, AUROC, average precision.

Names, arguments, defaults and values follow ``torchmetrics.functional.classification``.
With ``thresholds=None`` every sample is kept and the curves are exact; eager curves then
match TorchMetrics point for point (one point per distinct score). With
``capacity=int`` (keyword-only) the samples live in a fixed-capacity buffer that compiles
once and vmaps; curves then have a fixed length (one point per buffer slot, ties and
unused slots repeat a neighbouring point, so areas are unchanged). With ``thresholds``
given, an ``O(T * C)`` histogram replaces the samples and the curves have ``T`` points.

All metrics of this family built with the same task configuration share ``Metric.key``,
so a :func:`metrix.collection` of, e.g., AUROC, AP and the ROC curve updates one state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import check
from metrix._core.metric import Metric, factory
from metrix.classification._curve_inputs import (
    TASKS,
    CurveSpec,
    binned_counts,
    check_bool,
    check_capacity,
    check_choice,
    check_ignore,
    check_num,
    check_thresholds,
    exact_counts,
    make_state_fns,
    mask_scores,
    micro,
    safe_div,
    stored,
)

__all__ = [
    "auroc",
    "average_precision",
    "binary_auroc",
    "binary_average_precision",
    "binary_precision_recall_curve",
    "binary_roc",
    "multiclass_auroc",
    "multiclass_average_precision",
    "multiclass_precision_recall_curve",
    "multiclass_roc",
    "multilabel_auroc",
    "multilabel_average_precision",
    "multilabel_precision_recall_curve",
    "multilabel_roc",
    "precision_recall_curve",
    "roc",
]

Curve = tuple[Tensor, Tensor, Tensor, "Tensor | None"]


def build_spec(
    task: str,
    num: int | None,
    thresholds: Any,
    ignore_index: Any,
    validate_args: Any,
    input_format: str,
    capacity: Any,
) -> CurveSpec:
    """Validate the shared constructor arguments."""
    if task == "multiclass":
        num = check_num(num, "num_classes")
    elif task == "multilabel":
        num = check_num(num, "num_labels")
    else:
        num = 1
    thr = check_thresholds(thresholds)
    return CurveSpec(
        task,
        num,
        thr,
        check_ignore(ignore_index),
        check_bool(validate_args, "validate_args"),
        input_format,
        check_capacity(capacity, thr),
        linspace=isinstance(thresholds, int) and not isinstance(thresholds, bool),
    )


# ----------------------------------------------------------------------------- points


def _exact_columns(spec: CurveSpec, s: Any, pooled: bool) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """``exact_counts`` of the stored samples (cut to the built length for ``capacity``)."""
    scores, pos, valid = stored(spec, s)
    if scores.shape[-1] == 0:  # an empty eager store: one masked-out sample keeps the shapes legal
        scores = torch.zeros((*scores.shape[:-1], 1), dtype=scores.dtype, device=scores.device)
        pos = torch.zeros(scores.shape, dtype=torch.bool, device=scores.device)
        valid = pos
    columns = scores.shape[0]
    if pooled:
        scores, pos, valid = micro(scores, pos, valid)
    n = scores.shape[-1]
    # hand the masked scores over without a name here, so the sort can free them (and the
    # stored copy of the scores is released before it)
    masked = [mask_scores(scores, valid)]
    del scores
    counts = exact_counts(masked.pop(), pos, valid)
    if spec.capacity is not None:
        # A synced state gathers every rank's buffer into a longer one. Curves keep the length
        # the metric was built with (valid points sort first, so only padding is cut); more
        # samples than the capacity is an overflow, as for merge.
        length = spec.capacity * (columns if pooled else 1)
        if n > length:
            check(
                valid.sum(-1) <= length,
                f"fixed-capacity storage overflow: more samples than capacity={spec.capacity}",
                enabled=True,
            )
            counts = tuple(x[..., :length] for x in counts)  # type: ignore[assignment]
    return counts


def _rates(counts: Tensor) -> Tensor:
    """Each row of a fresh count tensor divided in place by its last entry (0 where that is 0)."""
    den = counts[:, -1:].clone()
    ok = den != 0
    return counts.div_(torch.where(ok, den, 1)).masked_fill_(~ok, 0.0)


def roc_points(spec: CurveSpec, s: Any, pooled: bool = False) -> Curve:
    """``(fpr, tpr, thresholds, keep)``, float64 ``(K, L)``, in order of decreasing threshold.

    ``keep`` (exact form only) marks the points TorchMetrics reports; thresholds are
    ``(K, L)`` in the exact form and ``(T,)`` in the binned one.
    """
    if spec.thresholds is None:
        thr, tps, fps, keep = _exact_columns(spec, s, pooled)
        zero = torch.zeros_like(tps[:, :1])
        fpr = _rates(torch.cat([zero, fps], -1))
        del fps
        tpr = _rates(torch.cat([zero, tps], -1))
        del tps
        thr = torch.cat([torch.ones_like(thr[:, :1]), thr], -1)
        keep = torch.cat([torch.ones_like(keep[:, :1]), keep], -1)
        return fpr, tpr, thr, keep
    hist = s.hist.sum(1, keepdim=True) if pooled else s.hist
    tps, fps, fns, tns = binned_counts(hist)
    tpr = safe_div(tps, tps + fns, 0.0).flip(-1)
    fpr = safe_div(fps, fps + tns, 0.0).flip(-1)
    return fpr, tpr, spec.thresholds_on(tpr.device).flip(0), None


def pr_points(spec: CurveSpec, s: Any, pooled: bool = False) -> Curve:
    """``(precision, recall, thresholds, keep)`` in order of increasing threshold.

    The final ``(1, 0)`` point is appended (see :func:`roc_points` for the shapes).
    """
    if spec.thresholds is None:
        thr, tps, fps, keep = _exact_columns(spec, s, pooled)
        n_pos, n_neg = tps[:, -1:].clone(), fps[:, -1:].clone()
        precision = tps + fps
        precision = tps / precision
        del fps
        # TorchMetrics sets recall to 1 everywhere when every target is 0 (for multiclass: label
        # 0, which overrides even class 0's own recall); otherwise no positives give NaN
        if spec.task == "multiclass" and not pooled:
            all_zero = n_neg[:1].eq(0).expand_as(n_pos)
        else:
            all_zero = n_pos.eq(0)
        recall = (tps / n_pos.clamp(min=1)).masked_fill_(n_pos == 0, torch.nan).masked_fill_(all_zero, 1.0)
        one, zero = torch.ones_like(tps[:, :1]), torch.zeros_like(tps[:, :1])
        precision = torch.cat([precision.flip(-1), one], -1)
        recall = torch.cat([recall.flip(-1), zero], -1)
        keep = torch.cat([keep.flip(-1), torch.ones_like(keep[:, :1])], -1)
        return precision, recall, thr.flip(-1), keep
    hist = s.hist.sum(1, keepdim=True) if pooled else s.hist
    tps, fps, fns, _ = binned_counts(hist)
    precision = safe_div(tps, tps + fps, torch.nan)
    recall = safe_div(tps, tps + fns, torch.nan)
    one, zero = torch.ones_like(tps[:, :1]), torch.zeros_like(tps[:, :1])
    return torch.cat([precision, one], -1), torch.cat([recall, zero], -1), spec.thresholds_on(tps.device), None


def support(spec: CurveSpec, s: Any) -> Tensor:
    """Positives per column (float64), the weights of ``average="weighted"``."""
    if spec.thresholds is None:
        _, pos, valid = stored(spec, s)
        return (pos & valid).sum(-1).to(torch.float64)
    return s.hist[..., 1].sum(0).to(torch.float64)


# ----------------------------------------------------------------------------- outputs


def curve_output(spec: CurveSpec, a: Tensor, b: Tensor, thr: Tensor, keep: Tensor | None, per_column: bool) -> Any:
    """Shape a curve as TorchMetrics does: tensors, or lists of tensors for exact per-class curves."""
    a, b = a.to(torch.float32), b.to(torch.float32)
    if keep is None:  # binned: thresholds shared by every column
        return (a, b, thr) if per_column else (a[0], b[0], thr)
    if spec.capacity is not None:  # fixed length, traceable
        return (a, b, thr) if per_column else (a[0], b[0], thr[0])
    if thr.shape[-1] < keep.shape[-1]:  # the pr curve has one threshold fewer than points
        tkeep = keep[:, :-1]
    else:
        tkeep = keep
    pa = [a[k][keep[k]] for k in range(a.shape[0])]
    pb = [b[k][keep[k]] for k in range(b.shape[0])]
    pt = [thr[k][tkeep[k]] for k in range(thr.shape[0])]
    return (pa, pb, pt) if per_column else (pa[0], pb[0], pt[0])


def _interp(x: Tensor, xp: Tensor, fp: Tensor) -> Tensor:
    # TorchMetrics' piecewise-linear interpolation (clamped to the end segments)
    slope = safe_div(fp[1:] - fp[:-1], xp[1:] - xp[:-1], 0.0)
    intercept = fp[:-1] - slope * xp[:-1]
    idx = ((x[:, None] >= xp[None, :]).sum(1) - 1).clamp(0, slope.numel() - 1)
    return slope[idx] * x + intercept[idx]


def macro_curve(xs: Any, ys: Any, thrs: Any, descending: bool) -> tuple[Tensor, Tensor, Tensor]:
    """Average per-class curves onto the union of their x values (TorchMetrics' macro curve)."""
    xs_l = list(xs) if isinstance(xs, list) else list(xs.unbind(0))
    ys_l = list(ys) if isinstance(ys, list) else list(ys.unbind(0))
    thr = torch.cat(thrs) if isinstance(thrs, list) else thrs.repeat(len(xs_l))
    thr = thr.sort(descending=descending).values
    grid = torch.cat(xs_l).sort().values
    mean = torch.zeros_like(grid)
    for x, y in zip(xs_l, ys_l):
        mean = mean + _interp(grid, x, y)
    return grid, mean / len(xs_l), thr


def reduce_average(res: Tensor, average: str | None, weights: Tensor) -> Tensor:
    """``"macro"``/``"weighted"`` averages that skip NaN classes; ``"none"``/``None`` per class."""
    if average is None or average == "none":
        return res
    ok = ~torch.isnan(res)
    vals = torch.where(ok, res, 0.0)
    if average == "macro":
        return vals.sum() / ok.sum()
    w = torch.where(ok, weights, 0.0)
    w = safe_div(w, w.sum().expand_as(w), 0.0)
    return (vals * w).sum()


def _metric(spec: CurveSpec, compute: Callable[[Any], Any], name: str) -> Metric:
    init, update = make_state_fns(spec)
    return Metric(init, update, compute, name=name, key=spec.key)


# ----------------------------------------------------------------------------- curves


@factory(higher_is_better=None)
def binary_roc(
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Receiver operating characteristic of binary scores.

    Args:
        thresholds: ``None`` keeps every sample and gives the exact curve; an int ``T >= 2``
            uses ``T`` thresholds evenly spaced in [0, 1]; a list or 1-d tensor gives them
            explicitly (strictly increasing, in [0, 1]). Binned curves need ``O(T * C)``
            memory whatever the number of samples.
        ignore_index: target value whose elements are left out (masked, not dropped).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` follows TorchMetrics per batch (scores outside [0, 1]
            get the activation), ``"probabilities"`` or ``"logits"`` declare it once, so
            accumulated results do not depend on the batching.
        capacity: with ``thresholds=None``, keep samples in a fixed-capacity buffer of this
            size (compiles once, vmaps); ``None`` grows eager storage.

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

    def compute(s: Any) -> Any:
        fpr, tpr, thr, keep = roc_points(spec, s)
        return curve_output(spec, fpr, tpr, thr, keep, per_column=False)

    return _metric(spec, compute, "binary_roc")


@factory(higher_is_better=None)
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
        thresholds: ``None`` keeps every sample and gives the exact curve; an int ``T >= 2``
            uses ``T`` thresholds evenly spaced in [0, 1]; a list or 1-d tensor gives them
            explicitly (strictly increasing, in [0, 1]). Binned curves need ``O(T * C)``
            memory whatever the number of samples.
        ignore_index: target value whose elements are left out (masked, not dropped).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` follows TorchMetrics per batch (scores outside [0, 1]
            get the activation), ``"probabilities"`` or ``"logits"`` declare it once, so
            accumulated results do not depend on the batching.
        capacity: with ``thresholds=None``, keep samples in a fixed-capacity buffer of this
            size (compiles once, vmaps); ``None`` grows eager storage.
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
    if average == "macro" and spec.capacity is not None:
        raise ValueError("average='macro' curves have a data-dependent length; use capacity=None or thresholds=")

    def compute(s: Any) -> Any:
        fpr, tpr, thr, keep = roc_points(spec, s, pooled=average == "micro")
        out = curve_output(spec, fpr, tpr, thr, keep, per_column=average != "micro")
        if average == "macro":
            return macro_curve(out[0], out[1], out[2], descending=True)
        return out

    return _metric(spec, compute, "multiclass_roc")


@factory(higher_is_better=None)
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
        thresholds: ``None`` keeps every sample and gives the exact curve; an int ``T >= 2``
            uses ``T`` thresholds evenly spaced in [0, 1]; a list or 1-d tensor gives them
            explicitly (strictly increasing, in [0, 1]). Binned curves need ``O(T * C)``
            memory whatever the number of samples.
        ignore_index: target value whose elements are left out (masked, not dropped).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` follows TorchMetrics per batch (scores outside [0, 1]
            get the activation), ``"probabilities"`` or ``"logits"`` declare it once, so
            accumulated results do not depend on the batching.
        capacity: with ``thresholds=None``, keep samples in a fixed-capacity buffer of this
            size (compiles once, vmaps); ``None`` grows eager storage.

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

    def compute(s: Any) -> Any:
        fpr, tpr, thr, keep = roc_points(spec, s)
        return curve_output(spec, fpr, tpr, thr, keep, per_column=True)

    return _metric(spec, compute, "multilabel_roc")


@factory(higher_is_better=None)
def binary_precision_recall_curve(
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Precision-recall curve of binary scores.

    Args:
        thresholds: ``None`` keeps every sample and gives the exact curve; an int ``T >= 2``
            uses ``T`` thresholds evenly spaced in [0, 1]; a list or 1-d tensor gives them
            explicitly (strictly increasing, in [0, 1]). Binned curves need ``O(T * C)``
            memory whatever the number of samples.
        ignore_index: target value whose elements are left out (masked, not dropped).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` follows TorchMetrics per batch (scores outside [0, 1]
            get the activation), ``"probabilities"`` or ``"logits"`` declare it once, so
            accumulated results do not depend on the batching.
        capacity: with ``thresholds=None``, keep samples in a fixed-capacity buffer of this
            size (compiles once, vmaps); ``None`` grows eager storage.

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

    def compute(s: Any) -> Any:
        p, r, thr, keep = pr_points(spec, s)
        return curve_output(spec, p, r, thr, keep, per_column=False)

    return _metric(spec, compute, "binary_precision_recall_curve")


@factory(higher_is_better=None)
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
        thresholds: ``None`` keeps every sample and gives the exact curve; an int ``T >= 2``
            uses ``T`` thresholds evenly spaced in [0, 1]; a list or 1-d tensor gives them
            explicitly (strictly increasing, in [0, 1]). Binned curves need ``O(T * C)``
            memory whatever the number of samples.
        ignore_index: target value whose elements are left out (masked, not dropped).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` follows TorchMetrics per batch (scores outside [0, 1]
            get the activation), ``"probabilities"`` or ``"logits"`` declare it once, so
            accumulated results do not depend on the batching.
        capacity: with ``thresholds=None``, keep samples in a fixed-capacity buffer of this
            size (compiles once, vmaps); ``None`` grows eager storage.
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
    if average == "macro" and spec.capacity is not None:
        raise ValueError("average='macro' curves have a data-dependent length; use capacity=None or thresholds=")

    def compute(s: Any) -> Any:
        p, r, thr, keep = pr_points(spec, s, pooled=average == "micro")
        out = curve_output(spec, p, r, thr, keep, per_column=average != "micro")
        if average == "macro":
            return macro_curve(out[0], out[1], out[2], descending=False)
        return out

    return _metric(spec, compute, "multiclass_precision_recall_curve")


@factory(higher_is_better=None)
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

    Args:
        num_labels: number of labels (``>= 2``).
        thresholds: ``None`` keeps every sample and gives the exact curve; an int ``T >= 2``
            uses ``T`` thresholds evenly spaced in [0, 1]; a list or 1-d tensor gives them
            explicitly (strictly increasing, in [0, 1]). Binned curves need ``O(T * C)``
            memory whatever the number of samples.
        ignore_index: target value whose elements are left out (masked, not dropped).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` follows TorchMetrics per batch (scores outside [0, 1]
            get the activation), ``"probabilities"`` or ``"logits"`` declare it once, so
            accumulated results do not depend on the batching.
        capacity: with ``thresholds=None``, keep samples in a fixed-capacity buffer of this
            size (compiles once, vmaps); ``None`` grows eager storage.

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

    def compute(s: Any) -> Any:
        p, r, thr, keep = pr_points(spec, s)
        return curve_output(spec, p, r, thr, keep, per_column=True)

    return _metric(spec, compute, "multilabel_precision_recall_curve")


# ----------------------------------------------------------------------------- areas


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
        thresholds: ``None`` keeps every sample and gives the exact curve; an int ``T >= 2``
            uses ``T`` thresholds evenly spaced in [0, 1]; a list or 1-d tensor gives them
            explicitly (strictly increasing, in [0, 1]). Binned curves need ``O(T * C)``
            memory whatever the number of samples.
        ignore_index: target value whose elements are left out (masked, not dropped).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` follows TorchMetrics per batch (scores outside [0, 1]
            get the activation), ``"probabilities"`` or ``"logits"`` declare it once, so
            accumulated results do not depend on the batching.
        capacity: with ``thresholds=None``, keep samples in a fixed-capacity buffer of this
            size (compiles once, vmaps); ``None`` grows eager storage.

    Returns:
        A metric computing a float32 scalar.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_auroc
        >>> binary_auroc()(torch.tensor([0.0, 0.5, 0.7, 0.8]), torch.tensor([0, 1, 1, 0]))
        tensor(0.5000)
    """
    spec = build_spec("binary", None, thresholds, ignore_index, validate_args, input_format, capacity)
    if max_fpr is not None and (
        isinstance(max_fpr, bool) or not isinstance(max_fpr, (int, float)) or not 0 < max_fpr <= 1
    ):
        raise ValueError(f"max_fpr must be None or a float in (0, 1], got {max_fpr!r}")

    def compute(s: Any) -> Tensor:
        fpr, tpr, _, _ = roc_points(spec, s)
        if max_fpr is None or max_fpr == 1:
            area = roc_area(fpr, tpr)
        else:
            area = partial_roc_area(fpr, tpr, float(max_fpr))
        return area[0].to(torch.float32)

    return _metric(spec, compute, "binary_auroc")


def _multi_area(
    task: str,
    name: str,
    num: int,
    average: Any,
    thresholds: Any,
    ignore_index: Any,
    validate_args: Any,
    input_format: str,
    capacity: Any,
    kind: str,
) -> Metric:
    spec = build_spec(task, num, thresholds, ignore_index, validate_args, input_format, capacity)
    allowed = ("macro", "weighted", "none", None) + (("micro",) if task == "multilabel" else ())
    average = check_choice(average, "average", allowed)
    points = roc_points if kind == "roc" else pr_points

    def area(a: Tensor, b: Tensor, pooled: bool = False) -> Tensor:
        if kind == "roc":
            return roc_area(a, b)
        return average_precision_of(a, b, keep_nan=spec.thresholds is None and not pooled)

    def compute(s: Any) -> Tensor:
        if average == "micro":
            a, b, _, _ = points(spec, s, pooled=True)
            return area(a, b, pooled=True)[0].to(torch.float32)
        a, b, _, _ = points(spec, s)
        return reduce_average(area(a, b), average, support(spec, s)).to(torch.float32)

    return _metric(spec, compute, name)


@factory(higher_is_better=True)
def multiclass_auroc(
    num_classes: int,
    average: str | None = "macro",
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """One-vs-rest area under the ROC curve of multiclass scores.

    Args:
        num_classes: number of classes (``>= 2``).
        average: ``"macro"`` (mean over classes, NaN classes skipped), ``"weighted"`` (by
            support), ``"none"``/``None`` (one value per class).
        thresholds: ``None`` keeps every sample and gives the exact curve; an int ``T >= 2``
            uses ``T`` thresholds evenly spaced in [0, 1]; a list or 1-d tensor gives them
            explicitly (strictly increasing, in [0, 1]). Binned curves need ``O(T * C)``
            memory whatever the number of samples.
        ignore_index: target value whose elements are left out (masked, not dropped).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` follows TorchMetrics per batch (scores outside [0, 1]
            get the activation), ``"probabilities"`` or ``"logits"`` declare it once, so
            accumulated results do not depend on the batching.
        capacity: with ``thresholds=None``, keep samples in a fixed-capacity buffer of this
            size (compiles once, vmaps); ``None`` grows eager storage.

    Returns:
        A metric computing a scalar, or ``(C,)`` with ``average="none"``.

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_auroc
        >>> preds = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
        >>> multiclass_auroc(3, average="none")(preds, torch.tensor([0, 1, 2, 2]))
        tensor([1., 1., 1.])
    """
    return _multi_area(
        "multiclass",
        "multiclass_auroc",
        num_classes,
        average,
        thresholds,
        ignore_index,
        validate_args,
        input_format,
        capacity,
        "roc",
    )


@factory(higher_is_better=True)
def multilabel_auroc(
    num_labels: int,
    average: str | None = "macro",
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Area under the ROC curve of each label of multilabel scores.

    Args:
        num_labels: number of labels (``>= 2``).
        average: ``"macro"`` (mean over classes, NaN classes skipped), ``"weighted"`` (by
            support), ``"none"``/``None`` (one value per class), ``"micro"`` (pool every label).
        thresholds: ``None`` keeps every sample and gives the exact curve; an int ``T >= 2``
            uses ``T`` thresholds evenly spaced in [0, 1]; a list or 1-d tensor gives them
            explicitly (strictly increasing, in [0, 1]). Binned curves need ``O(T * C)``
            memory whatever the number of samples.
        ignore_index: target value whose elements are left out (masked, not dropped).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` follows TorchMetrics per batch (scores outside [0, 1]
            get the activation), ``"probabilities"`` or ``"logits"`` declare it once, so
            accumulated results do not depend on the batching.
        capacity: with ``thresholds=None``, keep samples in a fixed-capacity buffer of this
            size (compiles once, vmaps); ``None`` grows eager storage.

    Returns:
        A metric computing a scalar, or ``(L,)`` with ``average="none"``.

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_auroc
        >>> preds = torch.tensor([[0.8, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.3]])
        >>> multilabel_auroc(2, average="none")(preds, torch.tensor([[1, 0], [0, 1], [1, 1], [0, 0]]))
        tensor([1., 1.])
    """
    return _multi_area(
        "multilabel",
        "multilabel_auroc",
        num_labels,
        average,
        thresholds,
        ignore_index,
        validate_args,
        input_format,
        capacity,
        "roc",
    )


@factory(higher_is_better=True)
def binary_average_precision(
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Average precision of binary scores: ``sum_k (R_k - R_{k-1}) P_k``.

    Args:
        thresholds: ``None`` keeps every sample and gives the exact curve; an int ``T >= 2``
            uses ``T`` thresholds evenly spaced in [0, 1]; a list or 1-d tensor gives them
            explicitly (strictly increasing, in [0, 1]). Binned curves need ``O(T * C)``
            memory whatever the number of samples.
        ignore_index: target value whose elements are left out (masked, not dropped).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` follows TorchMetrics per batch (scores outside [0, 1]
            get the activation), ``"probabilities"`` or ``"logits"`` declare it once, so
            accumulated results do not depend on the batching.
        capacity: with ``thresholds=None``, keep samples in a fixed-capacity buffer of this
            size (compiles once, vmaps); ``None`` grows eager storage.

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

    def compute(s: Any) -> Tensor:
        p, r, _, _ = pr_points(spec, s)
        return average_precision_of(p, r)[0].to(torch.float32)

    return _metric(spec, compute, "binary_average_precision")


@factory(higher_is_better=True)
def multiclass_average_precision(
    num_classes: int,
    average: str | None = "macro",
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """One-vs-rest average precision of multiclass scores.

    Args:
        num_classes: number of classes (``>= 2``).
        average: ``"macro"`` (mean over classes, NaN classes skipped), ``"weighted"`` (by
            support), ``"none"``/``None`` (one value per class).
        thresholds: ``None`` keeps every sample and gives the exact curve; an int ``T >= 2``
            uses ``T`` thresholds evenly spaced in [0, 1]; a list or 1-d tensor gives them
            explicitly (strictly increasing, in [0, 1]). Binned curves need ``O(T * C)``
            memory whatever the number of samples.
        ignore_index: target value whose elements are left out (masked, not dropped).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` follows TorchMetrics per batch (scores outside [0, 1]
            get the activation), ``"probabilities"`` or ``"logits"`` declare it once, so
            accumulated results do not depend on the batching.
        capacity: with ``thresholds=None``, keep samples in a fixed-capacity buffer of this
            size (compiles once, vmaps); ``None`` grows eager storage.

    Returns:
        A metric computing a scalar, or ``(C,)`` with ``average="none"``.

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_average_precision
        >>> preds = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
        >>> multiclass_average_precision(3)(preds, torch.tensor([0, 1, 2, 2]))
        tensor(1.)
    """
    return _multi_area(
        "multiclass",
        "multiclass_average_precision",
        num_classes,
        average,
        thresholds,
        ignore_index,
        validate_args,
        input_format,
        capacity,
        "pr",
    )


@factory(higher_is_better=True)
def multilabel_average_precision(
    num_labels: int,
    average: str | None = "macro",
    thresholds: Any = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
    capacity: int | None = None,
) -> Metric:
    """Average precision of each label of multilabel scores.

    Args:
        num_labels: number of labels (``>= 2``).
        average: ``"macro"`` (mean over classes, NaN classes skipped), ``"weighted"`` (by
            support), ``"none"``/``None`` (one value per class), ``"micro"`` (pool every label).
        thresholds: ``None`` keeps every sample and gives the exact curve; an int ``T >= 2``
            uses ``T`` thresholds evenly spaced in [0, 1]; a list or 1-d tensor gives them
            explicitly (strictly increasing, in [0, 1]). Binned curves need ``O(T * C)``
            memory whatever the number of samples.
        ignore_index: target value whose elements are left out (masked, not dropped).
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` follows TorchMetrics per batch (scores outside [0, 1]
            get the activation), ``"probabilities"`` or ``"logits"`` declare it once, so
            accumulated results do not depend on the batching.
        capacity: with ``thresholds=None``, keep samples in a fixed-capacity buffer of this
            size (compiles once, vmaps); ``None`` grows eager storage.

    Returns:
        A metric computing a scalar, or ``(L,)`` with ``average="none"``.

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_average_precision
        >>> preds = torch.tensor([[0.8, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.3]])
        >>> multilabel_average_precision(2, average="micro")(preds, torch.tensor([[1, 0], [0, 1], [1, 1], [0, 0]]))
        tensor(1.)
    """
    return _multi_area(
        "multilabel",
        "multilabel_average_precision",
        num_labels,
        average,
        thresholds,
        ignore_index,
        validate_args,
        input_format,
        capacity,
        "pr",
    )


# ----------------------------------------------------------------------------- dispatchers


def _task(task: Any) -> str:
    return check_choice(task, "task", TASKS)


@factory(higher_is_better=None)
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
    """ROC curve for ``task`` in ``"binary"``, ``"multiclass"``, ``"multilabel"``.

    Dispatches to :func:`binary_roc`, :func:`multiclass_roc` or :func:`multilabel_roc`.

    Example:
        >>> import torch
        >>> from metrix.classification import roc
        >>> roc("binary", thresholds=3)(torch.tensor([0.2, 0.9]), torch.tensor([0, 1]))[1]
        tensor([0., 1., 1.])
    """
    kw = dict(input_format=input_format, capacity=capacity)
    task = _task(task)
    if task == "binary":
        return binary_roc(thresholds, ignore_index, validate_args, **kw)
    if task == "multiclass":
        return multiclass_roc(num_classes, thresholds, average, ignore_index, validate_args, **kw)  # type: ignore[arg-type]
    return multilabel_roc(num_labels, thresholds, ignore_index, validate_args, **kw)  # type: ignore[arg-type]


@factory(higher_is_better=None)
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
    """Precision-recall curve for ``task``; see :func:`binary_precision_recall_curve`.

    Example:
        >>> import torch
        >>> from metrix.classification import precision_recall_curve
        >>> precision_recall_curve("binary", thresholds=3)(torch.tensor([0.2, 0.9]), torch.tensor([0, 1]))[0]
        tensor([0.5000, 1.0000,    nan, 1.0000])
    """
    kw = dict(input_format=input_format, capacity=capacity)
    task = _task(task)
    if task == "binary":
        return binary_precision_recall_curve(thresholds, ignore_index, validate_args, **kw)
    if task == "multiclass":
        return multiclass_precision_recall_curve(
            num_classes,  # type: ignore[arg-type]
            thresholds,
            average,
            ignore_index,
            validate_args,
            **kw,
        )
    return multilabel_precision_recall_curve(num_labels, thresholds, ignore_index, validate_args, **kw)  # type: ignore[arg-type]


@factory(higher_is_better=None)
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
    """AUROC for ``task``; see :func:`binary_auroc` (``max_fpr`` applies to binary only).

    Example:
        >>> import torch
        >>> from metrix.classification import auroc
        >>> auroc("binary")(torch.tensor([0.2, 0.9, 0.4]), torch.tensor([0, 1, 1]))
        tensor(1.)
    """
    kw = dict(input_format=input_format, capacity=capacity)
    task = _task(task)
    if task == "binary":
        return binary_auroc(max_fpr, thresholds, ignore_index, validate_args, **kw)
    if task == "multiclass":
        return multiclass_auroc(num_classes, average, thresholds, ignore_index, validate_args, **kw)  # type: ignore[arg-type]
    return multilabel_auroc(num_labels, average, thresholds, ignore_index, validate_args, **kw)  # type: ignore[arg-type]


@factory(higher_is_better=True)
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
    """Average precision for ``task``; see :func:`binary_average_precision`.

    Example:
        >>> import torch
        >>> from metrix.classification import average_precision
        >>> average_precision("binary")(torch.tensor([0.2, 0.9, 0.4]), torch.tensor([0, 1, 1]))
        tensor(1.)
    """
    kw = dict(input_format=input_format, capacity=capacity)
    task = _task(task)
    if task == "binary":
        return binary_average_precision(thresholds, ignore_index, validate_args, **kw)
    if task == "multiclass":
        return multiclass_average_precision(
            num_classes,  # type: ignore[arg-type]
            average,
            thresholds,
            ignore_index,
            validate_args,
            **kw,
        )
    return multilabel_average_precision(num_labels, average, thresholds, ignore_index, validate_args, **kw)  # type: ignore[arg-type]
