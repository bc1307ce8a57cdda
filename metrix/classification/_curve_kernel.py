"""The curve kernel: counts by threshold, curve points, per-class averaging.

Compute works on fixed-length curves in both state forms: in the exact form every
sample is a curve point, ties are resolved by giving every member of a tie group the
counts of the group's last member (so the extra points repeat a point and add no
area), and samples masked out (padding of a buffer, ignored targets) sort last with
zero weight. Eager curves drop the repeated points with a boolean mask, which yields
TorchMetrics' curves.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeAlias

import torch
from torch import Tensor

from metrix._core.checks import warn_if
from metrix._core.metric import Metric
from metrix.classification._curve_state import CurveSpec, CurveState, ExactCurveState, curve_metric, micro, stored
from metrix.classification._division import safe_divide

__all__ = [
    "CurveOutput",
    "curve_output",
    "exact_counts",
    "float32_curves",
    "macro_curve",
    "per_column_metric",
    "pr_points",
    "reduce_average",
    "roc_points",
    "support",
]

Curve = tuple[Tensor, Tensor, Tensor, "Tensor | None"]

# ----------------------------------------------------------------------------- counting


def mask_scores(scores: Tensor, valid: Tensor) -> Tensor:
    """Scores with masked-out samples at ``-inf`` (they sort last), rows contiguous."""
    neg_inf = torch.tensor(-math.inf, dtype=scores.dtype, device=scores.device)
    return torch.where(valid, scores, neg_inf).contiguous()  # rows contiguous: sorting is faster


def exact_counts(
    masked: Tensor, pos: Tensor, valid: Tensor, weight: Tensor | None = None
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Cumulative (weighted) counts at every sample, by decreasing score, with ties resolved.

    ``masked`` comes from :func:`mask_scores`; pass it as a temporary (no other reference)
    and it is freed as soon as it is sorted. ``weight`` (float64, broadcastable to
    ``(K, n)``) weighs each sample; ``None`` counts every sample once (the unweighted path,
    integer counting).

    Returns ``(thresholds, tps, fps, keep)`` of shape ``(K, n)``: ``tps[:, i]``/``fps[:, i]``
    are the (weighted) counts of valid positives/negatives scoring ``>= thresholds[:, i]``
    (float64); ``keep`` marks the last member of each tie group among valid samples (the
    points TorchMetrics keeps).
    """
    s_sorted, order = masked.sort(dim=-1, descending=True)
    del masked
    hit = (pos & valid).gather(-1, order)
    valid_sorted = valid.gather(-1, order)  # valid samples sort first (masked ones are -inf)
    w_sorted = None if weight is None else weight.expand(order.shape).gather(-1, order)
    del order
    # ge[:, i] = samples scoring >= s_sorted[:, i], i.e. one past the end of i's tie group
    # (searchsorted needs ascending rows: the negated scores are)
    asc = s_sorted.neg()
    ge = torch.searchsorted(asc, asc, right=True)
    del asc
    n_valid = valid_sorted.sum(-1, keepdim=True)
    if w_sorted is None:
        # positives among the first j sorted samples, j = 0..n, read at j = ge: the counts of the
        # group's last member. Counted in int32 when that cannot overflow, then made float64
        # (exact integers either way).
        n = s_sorted.shape[-1]
        small = torch.int32 if n < 2**31 - 1 else torch.int64
        hits_before = torch.cat([torch.zeros_like(hit[..., :1]), hit], -1).cumsum(-1, dtype=small)
        del hit
        tps = hits_before.gather(-1, ge)
        del hits_before
        # valid samples up to the group's end, minus its positives (masked samples form one last
        # group, which gets the totals)
        fps = torch.minimum(ge, n_valid)
        fps = fps.sub_(tps).to(torch.float64)
        tps = tps.to(torch.float64)
    else:
        # the weights of positives and of negatives summed separately (as scikit-learn does): a
        # difference of two rounded sums could leave a tiny false count where there is none
        zero = torch.zeros_like(w_sorted[..., :1])
        tps = torch.cat([zero, torch.where(hit, w_sorted, 0.0)], -1).cumsum(-1).gather(-1, ge)
        fps = torch.cat([zero, torch.where(valid_sorted & ~hit, w_sorted, 0.0)], -1).cumsum(-1).gather(-1, ge)
        del hit, w_sorted
    del ge
    is_end = torch.cat([s_sorted[..., 1:] != s_sorted[..., :-1], torch.ones_like(valid_sorted[..., :1])], -1)
    keep = is_end & valid_sorted
    # padding points repeat the last valid threshold instead of -inf
    last = s_sorted.gather(-1, (n_valid - 1).clamp(min=0))
    thr = torch.where(valid_sorted, s_sorted, last)
    return thr, tps, fps, keep


def binned_counts(hist: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """``(tps, fps, fns, tns)`` of shape ``(K, T)`` (float64) from a binned histogram."""
    ge = hist.flip(0).cumsum(0).flip(0).to(torch.float64)  # ge[i] = samples with >= i thresholds <= score
    at = ge[1:].movedim(0, 1)  # (K, T, 2)
    total = ge[0].unsqueeze(1)  # (K, 1, 2)
    tps, fps = at[..., 1], at[..., 0]
    return tps, fps, total[..., 1] - tps, total[..., 0] - fps


# ----------------------------------------------------------------------------- points


def _exact_columns(spec: CurveSpec, s: ExactCurveState, pooled: bool) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """``exact_counts`` of the stored samples (a capacity buffer keeps its length through merge and sync)."""
    scores, pos, valid, weight = stored(spec, s)
    if scores.shape[-1] == 0:  # an empty eager store: one masked-out sample keeps the shapes legal
        scores = torch.zeros((*scores.shape[:-1], 1), dtype=scores.dtype, device=scores.device)
        pos = torch.zeros(scores.shape, dtype=torch.bool, device=scores.device)
        valid = pos
        weight = None
    if pooled:
        if weight is not None:  # every column of a sample carries the sample's weight
            weight = weight.expand(scores.shape).reshape(1, -1)
        scores, pos, valid = micro(scores, pos, valid)
    # hand the masked scores over without a name here, so the sort can free them (and the
    # stored copy of the scores is released before it)
    masked = [mask_scores(scores, valid)]
    del scores
    return exact_counts(masked.pop(), pos, valid, weight)


def _rates(counts: Tensor) -> Tensor:
    """Each row of a fresh count tensor divided in place by its last entry (0 where that is 0)."""
    den = counts[:, -1:].clone()
    ok = den != 0
    return counts.div_(torch.where(ok, den, 1)).masked_fill_(~ok, 0.0)


# ----------------------------------------------------------------------------- degenerate targets


def _whose(spec: CurveSpec, pooled: bool) -> str:
    if spec.task == "binary" or pooled:
        return "the target"
    return "the target of a class" if spec.task == "multiclass" else "a label"


def _warn_roc(spec: CurveSpec, n_pos: Tensor, n_neg: Tensor, pooled: bool) -> None:
    """Warn (in eager, in compute) when a column has no positive or no negative target, as TorchMetrics does."""
    if not spec.name:
        return
    whose = _whose(spec, pooled)
    warn_if(n_pos == 0, spec.name, f"{whose} has no positive samples: its true positive rate is set to 0")
    warn_if(n_neg == 0, spec.name, f"{whose} has no negative samples: its false positive rate is set to 0")


def _warn_pr(spec: CurveSpec, n_pos: Tensor, set_to_one: Tensor | None, pooled: bool) -> None:
    """Warn when a column has no positive target: its recall is undefined (1 where TorchMetrics sets it, else NaN)."""
    if not spec.name:
        return
    whose = _whose(spec, pooled)
    if set_to_one is None:
        nan = n_pos == 0
    else:
        warn_if(set_to_one, spec.name, f"{whose} has no positive samples: its recall is set to 1 at every threshold")
        nan = (n_pos == 0) & ~set_to_one
    warn_if(nan, spec.name, f"{whose} has no positive samples: its recall is undefined (NaN; averages leave it out)")


def roc_points(spec: CurveSpec, s: CurveState, pooled: bool = False) -> Curve:
    """``(fpr, tpr, thresholds, keep)``, float64 ``(K, L)``, in order of decreasing threshold.

    ``keep`` (exact form only) marks the points TorchMetrics reports; thresholds are
    ``(K, L)`` in the exact form and ``(T,)`` in the binned one.
    """
    if isinstance(s, ExactCurveState):  # the form spec.thresholds=None builds
        thr, tps, fps, keep = _exact_columns(spec, s, pooled)
        _warn_roc(spec, tps[:, -1], fps[:, -1], pooled)
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
    _warn_roc(spec, tps[:, 0] + fns[:, 0], fps[:, 0] + tns[:, 0], pooled)
    tpr = safe_divide(tps, tps + fns, 0.0).flip(-1)
    fpr = safe_divide(fps, fps + tns, 0.0).flip(-1)
    return fpr, tpr, spec.thresholds_on(tpr.device).flip(0), None


def pr_points(spec: CurveSpec, s: CurveState, pooled: bool = False) -> Curve:
    """``(precision, recall, thresholds, keep)`` in order of increasing threshold.

    The final ``(1, 0)`` point is appended (see :func:`roc_points` for the shapes).
    """
    if isinstance(s, ExactCurveState):  # the form spec.thresholds=None builds
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
        _warn_pr(spec, n_pos, all_zero, pooled)
        # (a weighted total of positives may lie in (0, 1): divide by it, 1 only where it is 0)
        has_pos = n_pos != 0
        recall = (tps / torch.where(has_pos, n_pos, 1.0)).masked_fill_(~has_pos, torch.nan)
        recall = recall.masked_fill_(all_zero, 1.0)
        one, zero = torch.ones_like(tps[:, :1]), torch.zeros_like(tps[:, :1])
        precision = torch.cat([precision.flip(-1), one], -1)
        recall = torch.cat([recall.flip(-1), zero], -1)
        keep = torch.cat([keep.flip(-1), torch.ones_like(keep[:, :1])], -1)
        return precision, recall, thr.flip(-1), keep
    hist = s.hist.sum(1, keepdim=True) if pooled else s.hist
    tps, fps, fns, _ = binned_counts(hist)
    _warn_pr(spec, tps[:, 0] + fns[:, 0], None, pooled)
    precision = safe_divide(tps, tps + fps, torch.nan)
    recall = safe_divide(tps, tps + fns, torch.nan)
    one, zero = torch.ones_like(tps[:, :1]), torch.zeros_like(tps[:, :1])
    return torch.cat([precision, one], -1), torch.cat([recall, zero], -1), spec.thresholds_on(tps.device), None


def support(spec: CurveSpec, s: CurveState) -> Tensor:
    """Positives per column (float64), the weights of ``average="weighted"``."""
    if isinstance(s, ExactCurveState):  # the form spec.thresholds=None builds
        _, pos, valid, weight = stored(spec, s)
        if weight is None:
            return (pos & valid).sum(-1).to(torch.float64)
        return torch.where(pos & valid, weight, 0.0).sum(-1)
    return s.hist[..., 1].sum(0).to(torch.float64)


def float32_curves(spec: CurveSpec, s: CurveState, kind: str, pooled: bool = False) -> tuple[Tensor, Tensor, Tensor]:
    """Fixed-length ROC (``kind="roc"``) or PR curves in float32 (TorchMetrics' precision), thresholds ``(K, L)``."""
    a, b, thr, _ = (roc_points if kind == "roc" else pr_points)(spec, s, pooled)
    a, b = a.to(torch.float32), b.to(torch.float32)
    if thr.dim() == 1:
        thr = thr.unsqueeze(0).expand(a.shape[0], -1)
    return a, b, thr


# ----------------------------------------------------------------------------- outputs and averages


# (x, y, thresholds) of a curve: tensors, or one tensor per class for exact per-class curves
CurveOutput: TypeAlias = tuple[Tensor | list[Tensor], Tensor | list[Tensor], Tensor | list[Tensor]]


def curve_output(
    spec: CurveSpec, a: Tensor, b: Tensor, thr: Tensor, keep: Tensor | None, per_column: bool
) -> CurveOutput:
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
    slope = safe_divide(fp[1:] - fp[:-1], xp[1:] - xp[:-1], 0.0)
    intercept = fp[:-1] - slope * xp[:-1]
    idx = ((x[:, None] >= xp[None, :]).sum(1) - 1).clamp(0, slope.numel() - 1)
    return slope[idx] * x + intercept[idx]


def macro_curve(
    xs: Tensor | list[Tensor], ys: Tensor | list[Tensor], thrs: Tensor | list[Tensor], descending: bool
) -> tuple[Tensor, Tensor, Tensor]:
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
    w = safe_divide(w, w.sum().expand_as(w), 0.0)
    return (vals * w).sum()


def per_column_metric(
    name: str, spec: CurveSpec, reduce: Callable[[CurveSpec, CurveState], Tensor | tuple[Tensor, ...]]
) -> Metric:
    """A curve metric whose value ``reduce(spec, state)`` has one entry per column (a tuple of such).

    Binary tasks have one column: their value is that column's entry.
    """
    single = spec.task == "binary"

    def compute(s: CurveState) -> Tensor | tuple[Tensor, ...]:
        out = reduce(spec, s)
        if single:
            return tuple(x[0] for x in out) if isinstance(out, tuple) else out[0]
        return out

    return curve_metric(name, spec, compute)
