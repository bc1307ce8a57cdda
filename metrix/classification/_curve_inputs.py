"""States, input checks and the counting kernels shared by the threshold-curve family.

Every curve metric (ROC, precision-recall, AUROC, average precision, the fixed-point
metrics, EER, LogAUC) reduces to per-column binary curves: one column for binary
tasks, one per class (one-vs-rest) for multiclass, one per label for multilabel.
Two state forms exist:

* **exact** (``thresholds=None``): the probabilities and targets are kept in ``cat``
  storage (a tuple of chunks in eager code, a fixed-capacity :class:`Buffer` with
  ``capacity=``). Ignored targets are stored as ``-1`` and masked out in compute.
* **binned** (``thresholds`` given): an int64 histogram ``hist[k, column, target]``
  counting the samples for which exactly ``k`` thresholds are ``<= score``; one
  ``scatter_add`` per batch builds it and the per-threshold confusion counts are its
  reverse cumulative sum. Its size is ``O(T * C)`` whatever the number of samples.

Compute works on fixed-length curves in both forms: in the exact form every sample is a
curve point, ties are resolved by giving every member of a tie group the counts of the
group's last member (so the extra points repeat a point and add no area), and samples
masked out (padding of a buffer, ignored targets) sort last with zero weight. Eager
curves drop the repeated points with a boolean mask, which yields TorchMetrics' curves.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool as check_bool  # re-exported for the curve families
from metrix._core.args import check_choice, check_int
from metrix._core.args import check_optional_int as _check_optional_int
from metrix._core.args import check_unit as check_unit
from metrix._core.checks import check, check_finite
from metrix._core.state import buffer_init, cat_append, cat_init, leaf, state, stored_masked

TASKS = ("binary", "multiclass", "multilabel")
TARGET_SMALL = torch.int8  # storage dtype of binary/multilabel targets in the exact form
CURVE_INPUT_FORMATS = ("auto", "probabilities", "logits")


@state
class ExactCurveState:
    """Every sample, kept exactly (``thresholds=None``)."""

    preds: Any = leaf("cat")  # float32 (N,) binary or (N, C): probabilities after the activation
    target: Any = leaf("cat")  # int8 (N,) binary, (N, C) multilabel; int64 (N,) multiclass; -1 marks ignored


@state
class BinnedCurveState:
    """Per-threshold counts (``thresholds`` given)."""

    hist: Tensor = leaf("sum")  # int64 (T + 1, K, 2): samples with k thresholds <= score, by column and target


# ----------------------------------------------------------------------------- arguments


def check_thresholds(thresholds: Any) -> Tensor | None:
    """Validate ``thresholds`` and return them as a 1-d increasing tensor (or ``None``)."""
    if thresholds is None:
        return None
    if isinstance(thresholds, bool):
        raise ValueError(f"thresholds must be None, an int >= 2, a list of floats or a 1-d tensor, got {thresholds!r}")
    if isinstance(thresholds, int):
        if thresholds < 2:
            raise ValueError(f"thresholds as an int must be >= 2 (number of bins in [0, 1]), got {thresholds}")
        return torch.linspace(0, 1, thresholds)
    if isinstance(thresholds, (list, tuple)):
        if not all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in thresholds):
            raise ValueError(f"thresholds as a list must hold floats in [0, 1], got {thresholds!r}")
        t = torch.tensor([float(x) for x in thresholds], dtype=torch.float32)
    elif isinstance(thresholds, Tensor):
        if thresholds.dim() != 1 or not thresholds.is_floating_point():
            raise ValueError(
                f"thresholds as a tensor must be 1-d floating point, got shape {tuple(thresholds.shape)} "
                f"and dtype {thresholds.dtype}"
            )
        t = thresholds.detach().cpu().clone()
    else:
        raise ValueError(
            f"thresholds must be None, an int >= 2, a list of floats or a 1-d tensor, got {type(thresholds).__name__}"
        )
    if t.numel() < 1:
        raise ValueError("thresholds must hold at least one value, got an empty sequence")
    if not bool(((t >= 0) & (t <= 1)).all()):
        raise ValueError(f"thresholds must lie in [0, 1], got {t.tolist()}")
    if t.numel() > 1 and not bool((t[1:] > t[:-1]).all()):
        raise ValueError(f"thresholds must be strictly increasing, got {t.tolist()}")
    return t


def check_capacity(capacity: Any, thresholds: Tensor | None) -> int | None:
    """Validate ``capacity`` (only meaningful for the exact form)."""
    if capacity is None:
        return None
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
        raise ValueError(f"capacity must be a positive int or None, got {capacity!r}")
    if thresholds is not None:
        raise ValueError("capacity= applies to exact curves (thresholds=None); binned curves already have a fixed size")
    return capacity


# ----------------------------------------------------------------------------- inputs


class CurveSpec:
    """Static configuration of a curve state: task, size, thresholds, storage form."""

    def __init__(
        self,
        task: str,
        num: int,
        thresholds: Tensor | None,
        ignore_index: int | None,
        validate_args: bool,
        input_format: str,
        capacity: int | None,
        linspace: bool = False,
    ) -> None:
        """Hold validated options."""
        self.task = task
        self.num = num  # number of columns: 1 (binary), num_classes or num_labels
        self.thresholds = thresholds
        self.linspace = linspace  # thresholds given as an int count
        self.ignore_index = ignore_index
        self.validate_args = validate_args
        self.input_format = check_choice(input_format, "input_format", CURVE_INPUT_FORMATS)
        self.capacity = capacity

    def thresholds_on(self, device: torch.device) -> Tensor:
        """The thresholds on ``device``.

        An int count is rebuilt there with ``linspace`` (as TorchMetrics does) instead of
        being copied from the host at every step.
        """
        assert self.thresholds is not None
        if self.linspace:
            return torch.linspace(0, 1, self.thresholds.numel(), device=device)
        return self.thresholds.to(device)

    @property
    def key(self) -> tuple[Any, ...]:
        """Metrics with equal keys build identical states."""
        thr = None if self.thresholds is None else tuple(self.thresholds.tolist())
        dtype = None if self.thresholds is None else str(self.thresholds.dtype)
        return (
            "curve",
            self.task,
            self.num,
            thr,
            dtype,
            self.ignore_index,
            self.validate_args,
            self.input_format,
            self.capacity,
        )


def _activate(preds: Tensor, valid: Tensor, input_format: str, softmax: bool) -> Tensor:
    """Probabilities from scores; ``"auto"`` decides per batch over the counted elements."""
    if input_format == "probabilities":
        return preds
    act = preds.softmax(-1) if softmax else preds.sigmoid()
    if input_format == "logits":
        return act
    in_range = ((preds >= 0) & (preds <= 1)) | ~valid
    return torch.where(in_range.all(), preds, act)


def format_inputs(spec: CurveSpec, preds: Any, target: Any) -> tuple[Tensor, Tensor]:
    """Check a batch and return ``(probs, target)`` in storage layout.

    ``probs`` is float32 ``(n,)`` for binary, ``(n, C)`` otherwise; ``target`` is int8
    ``(n,)`` for binary, ``(n, C)`` for multilabel and int64 ``(n,)`` for multiclass, with
    ``-1`` where the target equals ``ignore_index``.
    """
    if not isinstance(preds, Tensor):
        raise TypeError(f"preds must be a torch.Tensor, got {type(preds).__name__}")
    if not isinstance(target, Tensor):
        raise TypeError(f"target must be a torch.Tensor, got {type(target).__name__}")
    if target.is_floating_point() or target.is_complex():
        raise TypeError(f"target must hold integer class labels, got dtype {target.dtype}; pass target.long()")
    if not preds.is_floating_point():
        raise TypeError(f"preds must be a floating point tensor of probabilities or logits, got dtype {preds.dtype}")
    c, ign, va = spec.num, spec.ignore_index, spec.validate_args
    if spec.task == "multiclass":
        if preds.dim() != target.dim() + 1 or preds.shape[0] != target.shape[0] or preds.shape[2:] != target.shape[1:]:
            raise ValueError(
                f"preds must have shape (N, C, ...) and target (N, ...), got preds {tuple(preds.shape)} "
                f"and target {tuple(target.shape)}"
            )
        if preds.shape[1] != c:
            raise ValueError(
                f"preds has {preds.shape[1]} classes but num_classes={c}; pass preds of shape (N, {c}, ...)"
            )
    else:
        if preds.shape != target.shape:
            raise ValueError(
                "preds and target must have the same shape, "
                f"got preds {tuple(preds.shape)} and target {tuple(target.shape)}"
            )
        if spec.task == "multilabel" and (preds.dim() < 2 or preds.shape[1] != c):
            raise ValueError(f"preds must have shape (N, {c}, ...) for num_labels={c}, got {tuple(preds.shape)}")
    upper = 1 if spec.task != "multiclass" else c - 1
    ok = (target >= 0) & (target <= upper)
    if ign is not None:
        ok = ok | (target == ign)
    what = "only 0 and 1" if spec.task != "multiclass" else f"class labels in [0, {c})"
    check(ok, f"target must hold {what}{'' if ign is None else f' (or ignore_index={ign})'}", enabled=va)
    check_finite(preds, "preds", enabled=va)
    if spec.input_format == "probabilities":
        check(
            (preds >= 0) & (preds <= 1),
            "preds must be probabilities in [0, 1] (input_format='probabilities')",
            enabled=va,
        )

    if spec.task == "binary":
        p = preds.reshape(-1)
        t = target.reshape(-1).long()
    else:
        p = preds.movedim(1, -1).reshape(-1, c)
        t = target.reshape(-1).long() if spec.task == "multiclass" else target.movedim(1, -1).reshape(-1, c).long()
    valid = t != ign if ign is not None else torch.ones_like(t, dtype=torch.bool)
    if spec.task != "multiclass":
        # binary/multilabel targets are stored as int8 (-1 ignored, 0, 1; out-of-range values
        # passed with validate_args=False keep their meaning: < 0 ignored, > 1 neither 0 nor 1)
        # (built from comparisons: no int64 temporary)
        t = (t > 0).to(TARGET_SMALL).add_(t > 1).sub_((t < 0).to(TARGET_SMALL))
    t = torch.where(valid, t, -1)
    if spec.task == "binary":
        probs = _activate(p, valid, spec.input_format, softmax=False)
    elif spec.task == "multiclass":
        probs = _activate(p, valid.unsqueeze(-1), spec.input_format, softmax=True)
    else:
        # TorchMetrics decides on the activation over every element here, ignored ones included
        probs = _activate(p, torch.ones_like(valid), spec.input_format, softmax=False)
    return probs.to(torch.float32), t


def columns(spec: CurveSpec, probs: Tensor, target: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """``(scores, positive, valid)``, each ``(K, n)``: one binary problem per column."""
    if spec.task == "binary":
        return probs.unsqueeze(0), (target == 1).unsqueeze(0), (target >= 0).unsqueeze(0)
    if spec.task == "multiclass":
        classes = torch.arange(spec.num, device=target.device).unsqueeze(1)
        valid = (target >= 0).unsqueeze(0).expand(spec.num, -1)
        return probs.T, target.unsqueeze(0) == classes, valid
    return probs.T, (target == 1).T, (target >= 0).T


# ----------------------------------------------------------------------------- state builders


def make_state_fns(spec: CurveSpec) -> tuple[Any, Any]:
    """``init`` and ``update`` for the spec's state form."""
    trail = () if spec.task == "binary" else (spec.num,)
    ttrail = (spec.num,) if spec.task == "multilabel" else ()
    thresholds = spec.thresholds

    if thresholds is None:
        cap = spec.capacity
        tdtype = torch.int64 if spec.task == "multiclass" else TARGET_SMALL

        def init(*, device: Any = None) -> ExactCurveState:
            if cap is None:
                return ExactCurveState(cat_init(trail, torch.float32, device), cat_init(ttrail, tdtype, device))
            return ExactCurveState(
                buffer_init(cap, trail, torch.float32, device), buffer_init(cap, ttrail, tdtype, device)
            )

        def update(s: ExactCurveState, preds: Tensor, target: Tensor) -> ExactCurveState:
            probs, t = format_inputs(spec, preds, target)
            return ExactCurveState(cat_append(s.preds, probs), cat_append(s.target, t))

        return init, update

    n_thr = thresholds.numel()
    k = spec.num if spec.task != "binary" else 1

    def init(*, device: Any = None) -> BinnedCurveState:  # type: ignore[misc]
        return BinnedCurveState(torch.zeros((n_thr + 1, k, 2), dtype=torch.int64, device=device))

    def update(s: BinnedCurveState, preds: Tensor, target: Tensor) -> BinnedCurveState:  # type: ignore[misc]
        probs, t = format_inputs(spec, preds, target)
        scores, pos, valid = columns(spec, probs, t)
        thr = spec.thresholds_on(scores.device)
        # Compare in float32 when that is exact (scores are float32; float32/16 thresholds
        # convert exactly); float64 thresholds keep the float64 comparison.
        if thr.dtype == torch.float64:
            scores = scores.to(torch.float64)
        else:
            thr = thr.to(torch.float32)
        # number of thresholds <= score: the sample is predicted positive at exactly those;
        # the flat histogram slot is built in place in that fresh index tensor, and ignored
        # samples go to one extra slot that is dropped, so the counts need no int64 copy
        idx = torch.searchsorted(thr, scores.contiguous(), right=True)
        if k > 1:
            idx.mul_(k).add_(torch.arange(k, device=idx.device).unsqueeze(1))
        idx.mul_(2).add_(pos)
        size = s.hist.numel()
        idx.masked_fill_(~valid, size)
        flat = torch.cat([s.hist.reshape(-1), s.hist.new_zeros(1)])
        ones = s.hist.new_ones(1).expand(idx.numel())
        flat = flat.scatter_add(0, idx.reshape(-1), ones)
        return BinnedCurveState(flat[:size].reshape(s.hist.shape))

    return init, update


def stored(spec: CurveSpec, s: ExactCurveState) -> tuple[Tensor, Tensor, Tensor]:
    """Stored samples as columns ``(scores, positive, valid)``, each ``(K, n)``."""
    probs, keep = stored_masked(s.preds)
    target, _ = stored_masked(s.target)
    scores, pos, valid = columns(spec, probs, target)
    return scores, pos, valid & keep.unsqueeze(0)


def micro(scores: Tensor, pos: Tensor, valid: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Pool every column into one binary problem."""
    return scores.reshape(1, -1), pos.reshape(1, -1), valid.reshape(1, -1)


# ----------------------------------------------------------------------------- counting kernels


def mask_scores(scores: Tensor, valid: Tensor) -> Tensor:
    """Scores with masked-out samples at ``-inf`` (they sort last), rows contiguous."""
    neg_inf = torch.tensor(-math.inf, dtype=scores.dtype, device=scores.device)
    return torch.where(valid, scores, neg_inf).contiguous()  # rows contiguous: sorting is faster


def exact_counts(masked: Tensor, pos: Tensor, valid: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Cumulative counts at every sample, by decreasing score, with ties resolved.

    ``masked`` comes from :func:`mask_scores`; pass it as a temporary (no other reference)
    and it is freed as soon as it is sorted.

    Returns ``(thresholds, tps, fps, keep)`` of shape ``(K, n)``: ``tps[:, i]``/``fps[:, i]``
    count the valid positives/negatives scoring ``>= thresholds[:, i]`` (float64); ``keep``
    marks the last member of each tie group among valid samples (the points TorchMetrics
    keeps).
    """
    s_sorted, order = masked.sort(dim=-1, descending=True)
    del masked
    hit = (pos & valid).gather(-1, order)
    valid_sorted = valid.gather(-1, order)  # valid samples sort first (masked ones are -inf)
    del order
    # ge[:, i] = samples scoring >= s_sorted[:, i], i.e. one past the end of i's tie group
    # (searchsorted needs ascending rows: the negated scores are)
    asc = s_sorted.neg()
    ge = torch.searchsorted(asc, asc, right=True)
    del asc
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
    n_valid = valid_sorted.sum(-1, keepdim=True)
    fps = torch.minimum(ge, n_valid)
    del ge
    fps = fps.sub_(tps).to(torch.float64)
    tps = tps.to(torch.float64)
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


def safe_div(num: Tensor, den: Tensor, zero: float) -> Tensor:
    """``num / den`` with ``zero`` where ``den == 0``."""
    ok = den != 0
    return (num / torch.where(ok, den, 1)).masked_fill_(~ok, zero)


def check_num(value: Any, name: str) -> int:
    """Validate ``num_classes``/``num_labels`` (an int >= 2)."""
    return check_int(value, name, 2)


def check_ignore(ignore_index: Any) -> int | None:
    """Validate ``ignore_index``."""
    return _check_optional_int(ignore_index, "ignore_index")
