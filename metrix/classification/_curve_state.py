"""The threshold-curve state: what every curve metric keeps, and how a batch is folded into it.

Every curve metric (ROC, precision-recall, AUROC, average precision, the operating
points, EER, LogAUC) reduces to per-column binary curves: one column for binary tasks,
one per class (one-vs-rest) for multiclass, one per label for multilabel. Two state
forms exist:

* **exact** (``thresholds=None``): the probabilities, targets and sample weights are
  kept in ``cat`` storage (a tuple of chunks in eager code, a fixed-capacity
  :class:`Buffer` with ``capacity=``). Ignored targets are stored as ``-1`` and masked
  out in compute, as are samples of weight 0 (scikit-learn drops them: they make no
  curve point). Without ``sample_weight`` an eager update stores its weights as one
  stride-0 view of a shared ``1.0`` (:func:`~metrix._core.state.cat_constant`: 8 bytes
  per chunk, not per sample), and compute recognises such storage and counts as it did
  before weights existed; a ``capacity=`` buffer holds one float64 weight per slot
  (8 bytes more per slot).
* **binned** (``thresholds`` given): a float64 histogram ``hist[k, column, target]``
  summing the weights (1 per sample without ``sample_weight``) of the samples for which
  exactly ``k`` thresholds are ``<= score``; one ``scatter_add`` per batch builds it and
  the per-threshold confusion counts are its reverse cumulative sum. Its size is
  ``O(T * C)`` whatever the number of samples. float64 holds whole counts exactly up to
  2^53 and takes any non-negative weight (scikit-learn's ``sample_weight``); compute
  turned the counts into float64 anyway, so unweighted values are the int64 ones bit for bit.

All metrics of the family built with the same :class:`CurveSpec` share ``Metric.key``,
so a :func:`metrix.collection` of, e.g., AUROC, AP and the ROC curve updates one state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

import torch
from torch import Tensor

from metrix._core.args import type_error, value_error
from metrix._core.metric import Metric
from metrix._core.state import (
    Buffer,
    buffer_init,
    cat_append,
    cat_constant,
    cat_init,
    is_constant,
    leaf,
    state,
    stored_masked,
)
from metrix.classification._inputs import (
    TARGET_SMALL,
    check_bool,
    check_ignore_index,
    check_input_format,
    check_num,
    curve_inputs,
)
from metrix.classification._sample_weights import float_row_weights

_F64 = torch.float64

__all__ = [
    "BinnedCurveState",
    "CurveSpec",
    "CurveState",
    "ExactCurveState",
    "build_spec",
    "check_macro_capacity",
    "columns",
    "curve_metric",
    "micro",
    "stored",
]


@state
class ExactCurveState:
    """Every sample, kept exactly (``thresholds=None``)."""

    preds: tuple[Tensor, ...] | Buffer = leaf("cat")  # float32 (N,) binary or (N, C): probabilities
    target: tuple[Tensor, ...] | Buffer = leaf("cat")  # int8 (N,) binary, (N, C) multilabel; int64 (N,) multiclass
    # float64 (N,): the sample weight of each stored row; a checkpoint saved before weights
    # existed has none, and its rows weighed 1
    weight: tuple[Tensor, ...] | Buffer = leaf("cat", absent=("preds", 1.0))


@state
class BinnedCurveState:
    """Per-threshold counts (``thresholds`` given)."""

    # float64 (T + 1, K, 2): the weight of the samples with k thresholds <= score, by column and target
    hist: Tensor = leaf("sum")


CurveState: TypeAlias = ExactCurveState | BinnedCurveState

# ----------------------------------------------------------------------------- arguments

_THRESHOLDS = "None, an int >= 2, a list of floats in [0, 1] or a 1-d float tensor"


def check_thresholds(thresholds: Any) -> Tensor | None:
    """Validate ``thresholds`` and return them as a 1-d increasing tensor (or ``None``)."""
    if thresholds is None:
        return None
    if isinstance(thresholds, bool):
        raise type_error("thresholds", _THRESHOLDS, thresholds)
    if isinstance(thresholds, int):
        if thresholds < 2:
            raise value_error("thresholds", "an int >= 2 (the number of bins in [0, 1])", thresholds)
        return torch.linspace(0, 1, thresholds)
    if isinstance(thresholds, (list, tuple)):
        if not all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in thresholds):
            raise type_error("thresholds", "a list of floats in [0, 1]", thresholds)
        t = torch.tensor([float(x) for x in thresholds], dtype=torch.float32)
    elif isinstance(thresholds, Tensor):
        if not thresholds.is_floating_point():
            raise TypeError(f"thresholds as a tensor must be floating point, got dtype {thresholds.dtype}")
        if thresholds.dim() != 1:
            raise ValueError(f"thresholds as a tensor must be 1-d, got shape {tuple(thresholds.shape)}")
        t = thresholds.detach().cpu().clone()
    else:
        raise type_error("thresholds", _THRESHOLDS, thresholds)
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
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise type_error("capacity", "a positive int or None", capacity)
    if capacity < 1:
        raise value_error("capacity", "a positive int or None", capacity)
    if thresholds is not None:
        raise ValueError("capacity= applies to exact curves (thresholds=None); binned curves already have a fixed size")
    return capacity


def check_macro_capacity(average: Any, capacity: Any) -> None:
    """Macro-averaged curves have a data-dependent length, which a fixed capacity cannot hold."""
    if average == "macro" and capacity is not None:
        raise ValueError("average='macro' curves have a data-dependent length; use capacity=None or thresholds=")


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
        self.input_format = check_input_format(input_format, scores=True)
        self.capacity = capacity
        # the metric built on this spec, named in its warnings (set by curve_metric; not part of the key)
        self.name = ""

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


def build_spec(
    task: str,
    num: Any,
    thresholds: Any,
    ignore_index: Any,
    validate_args: Any,
    input_format: Any,
    capacity: Any,
) -> CurveSpec:
    """Validate the constructor arguments every curve metric shares."""
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
        check_ignore_index(ignore_index),
        check_bool(validate_args, "validate_args"),
        input_format,
        check_capacity(capacity, thr),
        linspace=isinstance(thresholds, int) and not isinstance(thresholds, bool),
    )


# ----------------------------------------------------------------------------- state builders


def _inputs(spec: CurveSpec, preds: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    return curve_inputs(
        spec.task,
        preds,
        target,
        spec.num,
        ignore_index=spec.ignore_index,
        validate_args=spec.validate_args,
        input_format=spec.input_format,
    )


def columns(spec: CurveSpec, probs: Tensor, target: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """``(scores, positive, valid)``, each ``(K, n)``: one binary problem per column."""
    if spec.task == "binary":
        return probs.unsqueeze(0), (target == 1).unsqueeze(0), (target >= 0).unsqueeze(0)
    if spec.task == "multiclass":
        classes = torch.arange(spec.num, device=target.device).unsqueeze(1)
        valid = (target >= 0).unsqueeze(0).expand(spec.num, -1)
        return probs.T, target.unsqueeze(0) == classes, valid
    return probs.T, (target == 1).T, (target >= 0).T


def _exact_fns(spec: CurveSpec, name: str) -> tuple[Callable[..., ExactCurveState], Callable[..., ExactCurveState]]:
    trail = () if spec.task == "binary" else (spec.num,)
    ttrail = (spec.num,) if spec.task == "multilabel" else ()
    cap = spec.capacity
    tdtype = torch.int64 if spec.task == "multiclass" else TARGET_SMALL

    def init(*, device: Any = None) -> ExactCurveState:
        if cap is None:
            return ExactCurveState(
                cat_init(trail, torch.float32, device), cat_init(ttrail, tdtype, device), cat_init((), _F64, device)
            )
        return ExactCurveState(
            buffer_init(cap, trail, torch.float32, device),
            buffer_init(cap, ttrail, tdtype, device),
            buffer_init(cap, (), _F64, device),
        )

    def update(
        s: ExactCurveState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None
    ) -> ExactCurveState:
        probs, t = _inputs(spec, preds, target)
        rows = probs.shape[0]
        if sample_weight is not None:
            w = float_row_weights(sample_weight, target, rows, name, validate_args=spec.validate_args)
        elif cap is None:  # eager chunks: one shared 1.0, no memory per sample
            w = cat_constant(1.0, rows, _F64, probs.device)
        else:
            w = torch.ones(rows, dtype=_F64, device=probs.device)
        return ExactCurveState(cat_append(s.preds, probs), cat_append(s.target, t), cat_append(s.weight, w))

    return init, update


def _binned_fns(spec: CurveSpec, name: str) -> tuple[Callable[..., BinnedCurveState], Callable[..., BinnedCurveState]]:
    assert spec.thresholds is not None
    n_thr = spec.thresholds.numel()
    k = spec.num if spec.task != "binary" else 1

    def init(*, device: Any = None) -> BinnedCurveState:
        return BinnedCurveState(torch.zeros((n_thr + 1, k, 2), dtype=torch.float64, device=device))

    def update(
        s: BinnedCurveState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None
    ) -> BinnedCurveState:
        probs, t = _inputs(spec, preds, target)
        rows = (
            None
            if sample_weight is None
            else float_row_weights(sample_weight, target, probs.shape[0], name, validate_args=spec.validate_args)
        )
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
        # samples go to one extra slot that is dropped, so the indexes need no int64 copy
        idx = torch.searchsorted(thr, scores.contiguous(), right=True)
        if k > 1:
            idx.mul_(k).add_(torch.arange(k, device=idx.device).unsqueeze(1))
        idx.mul_(2).add_(pos)
        size = s.hist.numel()
        idx.masked_fill_(~valid, size)
        flat = torch.cat([s.hist.reshape(-1), s.hist.new_zeros(1)])
        if rows is None:
            counts = s.hist.new_ones(1).expand(idx.numel())
        else:  # float64 weights (any non-negative real), one per flattened row
            counts = rows.unsqueeze(0).expand(idx.shape).reshape(-1)
        flat = flat.scatter_add(0, idx.reshape(-1), counts)
        return BinnedCurveState(flat[:size].reshape(s.hist.shape))

    return init, update


def curve_metric(name: str, spec: CurveSpec, compute: Callable[[Any], Any]) -> Metric:
    """A metric over the curve state of ``spec``; ``compute`` maps the state to the value.

    Every curve metric is built here, once per spec: the spec records ``name``, which the
    kernel's degenerate-target warnings name.
    """
    spec.name = name
    init, update = _exact_fns(spec, name) if spec.thresholds is None else _binned_fns(spec, name)
    return Metric(init, update, compute, name=name, key=spec.key)


def stored(spec: CurveSpec, s: ExactCurveState) -> tuple[Tensor, Tensor, Tensor, Tensor | None]:
    """Stored samples as columns ``(scores, positive, valid, weight)``, each ``(K, n)`` (``weight`` ``(1, n)``).

    ``weight`` (float64) is ``None`` when every stored weight is the shared ``1.0`` of an
    unweighted eager update (:func:`~metrix._core.state.is_constant`): compute then counts
    samples, as it did before weights existed. Samples of weight 0 are not ``valid``.
    """
    probs, keep = stored_masked(s.preds)
    target, _ = stored_masked(s.target)
    scores, pos, valid = columns(spec, probs, target)
    valid = valid & keep.unsqueeze(0)
    if is_constant(s.weight, 1.0):
        return scores, pos, valid, None
    weight, _ = stored_masked(s.weight)
    weight = weight.unsqueeze(0)
    return scores, pos, valid & (weight > 0), weight


def micro(scores: Tensor, pos: Tensor, valid: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Pool every column into one binary problem."""
    return scores.reshape(1, -1), pos.reshape(1, -1), valid.reshape(1, -1)
