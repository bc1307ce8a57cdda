"""Critical success index (threat score): ``hits / (hits + misses + false_alarms)``.

Values at or above ``threshold`` are events. Without ``keep_sequence_dim`` the state
is one float64 leaf of three (weighted) counts. With ``keep_sequence_dim=0`` one score
per sample is reported, so per-sample int64 counts are kept (``cat``); a weight cannot
change a sample's own score, so that form refuses ``sample_weight``. With
``keep_sequence_dim=k > 0`` one score per position along dim ``k`` is reported, summed
over every batch: each update stores its per-position (weighted) counts tagged with the
position, and ``compute`` adds them up, which equals the score on all the data at once.

``sample_weight`` holds one non-negative weight per sample (dim 0): every element of
sample ``i`` counts ``w_i`` times. Float64 holds unweighted counts exactly up to 2**53.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import CatStorage, cat_append, cat_init, leaf, state, stored_values
from metrix._core.weights import check_sample_weight, mark_sample_weight, refuse_sample_weight, row_weights
from metrix.regression._inputs import check_bool, check_number, check_optional_int, paired

__all__ = [
    "CriticalSuccessIndexState",
    "PositionwiseCriticalSuccessIndexState",
    "SamplewiseCriticalSuccessIndexState",
    "critical_success_index",
]


@state
class CriticalSuccessIndexState:
    """Global event counts."""

    counts: Tensor = leaf("sum")  # float64 (3,): [hits, misses, false_alarms], weighted


@state
class SamplewiseCriticalSuccessIndexState:
    """Counts per sample (``keep_sequence_dim=0``)."""

    counts: CatStorage = leaf("cat")  # int64 (N, 3): [hits, misses, false_alarms] per sample


@state
class PositionwiseCriticalSuccessIndexState:
    """Counts per position along ``keep_sequence_dim > 0``, one block per update."""

    counts: CatStorage = leaf("cat")  # float64 (rows, 4): [position, hits, misses, false_alarms], weighted


def _counts(p: Tensor, t: Tensor, threshold: float, dims: tuple[int, ...] | None, w: Tensor | None = None) -> Tensor:
    pe, te = p >= threshold, t >= threshold
    events = [pe & te, ~pe & te, pe & ~te]  # hits, misses, false alarms
    if w is not None:
        weights = row_weights(w, p)
        events = [e * weights for e in events]  # float64: each element counts w_i times
    # bool sums give int64: exact counts however many elements.
    return torch.stack([e.sum(dims) if dims is not None else e.sum() for e in events], dim=-1)


def _score(counts: Tensor) -> Tensor:
    hits, misses, false_alarms = counts.to(torch.float64).unbind(-1)
    den = hits + misses + false_alarms
    return torch.where(den != 0, hits / torch.where(den != 0, den, 1.0), 0.0)


@factory(higher_is_better=True)
def critical_success_index(
    threshold: float, keep_sequence_dim: int | None = None, *, validate_args: bool = True
) -> Metric:
    """Critical success index ``hits / (hits + misses + false_alarms)`` of thresholded values.

    Same arguments and values as
    ``torchmetrics.functional.regression.critical_success_index``; 0 where there are no
    events at all.

    Args:
        threshold: values ``>= threshold`` (in preds and in target) are events.
        keep_sequence_dim: ``None`` for one score over everything; ``0`` for one score per
            sample (a ``cat`` state); ``k > 0`` for one score per position along dim ``k``,
            accumulated over all batches (every batch must have the same size along ``k``).
        validate_args: check that inputs are finite (shapes are always checked).

    ``update(state, preds, target, *, sample_weight=None)``: one non-negative weight per
    sample (dim 0) weights its events (not with ``keep_sequence_dim=0``).

    Returns:
        A metric whose value is a float64 scalar, or a vector of per-sample or
        per-position scores.

    Example:
        >>> import torch
        >>> from metrix.regression import critical_success_index
        >>> preds = torch.tensor([[0.2, 0.7], [0.9, 0.3]])
        >>> target = torch.tensor([[0.4, 0.2], [0.8, 0.6]])
        >>> critical_success_index(0.5)(preds, target)
        tensor(0.3333, dtype=torch.float64)
        >>> critical_success_index(0.5, keep_sequence_dim=0)(preds, target)
        tensor([0.0000, 0.5000], dtype=torch.float64)
    """
    check_number(threshold, "threshold", "a number", lambda v: True)
    threshold = float(threshold)
    check_optional_int(keep_sequence_dim, "keep_sequence_dim", 0)
    validate_args = check_bool(validate_args, "validate_args")
    k = keep_sequence_dim

    def checked(preds: Any, target: Any, sample_weight: Any = None) -> tuple[Tensor, Tensor, Tensor | None]:
        p, t = paired(preds, target, validate_args=validate_args)
        if k is not None and not k < p.dim():
            raise ValueError(f"keep_sequence_dim={k} needs inputs with more than {k} dims, got shape {tuple(p.shape)}")
        if sample_weight is None:
            return p, t, None
        return p, t, check_sample_weight(sample_weight, p, "critical_success_index", validate_args=validate_args)

    key = ("critical_success_index", threshold, k, validate_args)
    if k is None:
        return _total_metric(checked, threshold, key)
    if k == 0:
        return _samplewise_metric(checked, threshold, key)
    return _positionwise_metric(checked, threshold, k, key)


# preds, target[, sample_weight] -> checked preds, target and weights (None: unweighted)
_Checked = Callable[..., tuple[Tensor, Tensor, Tensor | None]]


def _total_metric(checked: _Checked, threshold: float, key: tuple[Any, ...]) -> Metric:
    def init(*, device: Any = None) -> CriticalSuccessIndexState:
        return CriticalSuccessIndexState(torch.zeros(3, dtype=torch.float64, device=device))

    def update(
        s: CriticalSuccessIndexState, preds: Any, target: Any, *, sample_weight: Any = None
    ) -> CriticalSuccessIndexState:
        p, t, w = checked(preds, target, sample_weight)
        return CriticalSuccessIndexState(s.counts + _counts(p, t, threshold, None, w))

    def compute(s: CriticalSuccessIndexState) -> Tensor:
        return _score(s.counts)

    return Metric(init, update, compute, name="critical_success_index", key=key)


def _samplewise_metric(checked: _Checked, threshold: float, key: tuple[Any, ...]) -> Metric:
    def init(*, device: Any = None) -> SamplewiseCriticalSuccessIndexState:
        return SamplewiseCriticalSuccessIndexState(cat_init((3,), torch.int64, device))

    def update(
        s: SamplewiseCriticalSuccessIndexState, preds: Any, target: Any, *, sample_weight: Any = None
    ) -> SamplewiseCriticalSuccessIndexState:
        refuse_sample_weight(
            "critical_success_index(keep_sequence_dim=0)",
            sample_weight,
            "it reports one score per sample, which a weight on that sample cannot change",
        )
        p, t, _ = checked(preds, target)
        dims = tuple(range(1, p.dim()))
        return SamplewiseCriticalSuccessIndexState(cat_append(s.counts, _counts(p, t, threshold, dims)))

    mark_sample_weight(update, False)

    def compute(s: SamplewiseCriticalSuccessIndexState) -> Tensor:
        return _score(stored_values(s.counts))

    return Metric(init, update, compute, name="critical_success_index", key=key)


def _positionwise_metric(checked: _Checked, threshold: float, k: int, key: tuple[Any, ...]) -> Metric:
    def init(*, device: Any = None) -> PositionwiseCriticalSuccessIndexState:
        return PositionwiseCriticalSuccessIndexState(cat_init((4,), torch.float64, device))

    def update(
        s: PositionwiseCriticalSuccessIndexState, preds: Any, target: Any, *, sample_weight: Any = None
    ) -> PositionwiseCriticalSuccessIndexState:
        p, t, w = checked(preds, target, sample_weight)
        dims = tuple(d for d in range(p.dim()) if d != k)
        counts = _counts(p, t, threshold, dims, w).to(torch.float64)
        position = torch.arange(p.shape[k], dtype=torch.float64, device=p.device).unsqueeze(1)
        return PositionwiseCriticalSuccessIndexState(cat_append(s.counts, torch.cat([position, counts], dim=1)))

    def compute(s: PositionwiseCriticalSuccessIndexState) -> Tensor:
        rows = stored_values(s.counts)
        position = rows[:, 0].to(torch.int64)
        length = int(position.max()) + 1 if rows.shape[0] else 0
        totals = torch.zeros((length, 3), dtype=torch.float64, device=rows.device)
        totals = totals.index_add(0, position, rows[:, 1:])
        return _score(totals)

    return Metric(init, update, compute, name="critical_success_index", key=key)
