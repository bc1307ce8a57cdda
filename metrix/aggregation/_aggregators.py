"""Aggregators: mean, sum, max, min and cat of streamed values.

Values are accumulated in float64 (float32 running sums drift); ``max``/``min`` start
at ``-inf``/``+inf``, the identities of their merge. NaNs follow TorchMetrics'
``nan_strategy``: ``"error"`` raises, ``"warn"`` warns (in eager) and drops them,
``"ignore"`` drops them silently, ``"disable"`` lets them through, and a float
replaces them. Dropping is done by masking (weight 0, or the op's identity), never by
boolean indexing, so every aggregator but ``cat`` compiles and vmaps.

``sample_weight=`` (one non-negative weight per value along dim 0, as in scikit-learn)
weights ``mean`` and ``sum``; ``max`` and ``min`` skip values of weight 0 (an integer
weight repeats a value, which leaves an extremum unchanged); ``cat`` refuses weights.
``mean`` also keeps TorchMetrics' own ``weight`` argument (any shape that broadcasts to
the values, unchecked); given both, the weights multiply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import torch
from torch import Tensor

from metrix._core.args import type_error, value_error
from metrix._core.checks import check, is_tracing, warn
from metrix._core.metric import Metric, factory
from metrix._core.state import CatStorage, cat_append, cat_init, leaf, state, stored_values
from metrix._core.weights import check_sample_weight, mark_sample_weight, refuse_sample_weight, row_weights

__all__ = ["CatState", "MaxState", "MeanState", "MinState", "SumState", "cat", "max", "mean", "min", "sum"]

_STRATEGIES = ("error", "warn", "ignore", "disable")
_F64 = torch.float64


def check_nan_strategy(nan_strategy: Any) -> str | float:
    """Validate ``nan_strategy``: one of the named strategies or a float replacement."""
    if isinstance(nan_strategy, str):
        if nan_strategy not in _STRATEGIES:
            raise value_error("nan_strategy", f"one of {_STRATEGIES} or a float", nan_strategy)
        return nan_strategy
    if isinstance(nan_strategy, bool) or not isinstance(nan_strategy, (int, float)):
        raise type_error("nan_strategy", f"one of {_STRATEGIES} or a float", nan_strategy)
    return float(nan_strategy)


def _is_int(d: Any) -> bool:
    return isinstance(d, int) and not isinstance(d, bool)


def _as_tensor(value: Any, name: str, device: torch.device) -> Tensor:
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return torch.tensor(value, dtype=_F64, device=device)
    raise TypeError(f"{name} must be a tensor or a number, got {type(value).__name__}")


_NAN_DROPPED = "value contains NaN: dropped (nan_strategy='warn')"


def prepare(
    value: Any, weight: Any, nan_strategy: str | float, device: torch.device, fill: float, name: str
) -> tuple[Tensor, Tensor]:
    """Return ``(value, weight)`` in float64 with NaNs handled; dropped entries get weight 0 and ``fill``.

    ``nan_strategy="warn"`` warns in the update (it is asked for), naming the metric ``name``.
    """
    value = _as_tensor(value, "value", device)
    if value.is_complex():
        raise TypeError(f"value must be real, got dtype {value.dtype}")
    value = value.to(_F64)
    if weight is None:
        w = torch.ones_like(value)
    else:
        w = _as_tensor(weight, "weight", device).to(_F64)
        try:
            w = torch.broadcast_to(w, value.shape)
        except RuntimeError:
            raise ValueError(
                f"weight of shape {tuple(w.shape)} does not broadcast to value of shape {tuple(value.shape)}"
            ) from None
    if nan_strategy == "disable":
        return value, w
    nans = torch.isnan(value) | torch.isnan(w)
    if nan_strategy == "error":
        check(~nans, "value (or weight) contains NaN and nan_strategy='error'")
        return value, w
    if isinstance(nan_strategy, float):
        return torch.where(nans, nan_strategy, value), torch.where(nans, 1.0, w)
    if nan_strategy == "warn" and not is_tracing(nans) and bool(nans.any()):
        warn(name, _NAN_DROPPED)
    return torch.where(nans, fill, value), torch.where(nans, 0.0, w)


def _sample_weights(sample_weight: Any, value: Tensor, metric: str) -> Tensor | None:
    if sample_weight is None:
        return None
    return row_weights(check_sample_weight(sample_weight, value, metric), value)


@state
class MeanState:
    """Weighted sum and total weight."""

    total: Tensor = leaf("sum")  # float64 scalar: sum(value * weight)
    weight: Tensor = leaf("sum")  # float64 scalar: sum(weight)


@state
class SumState:
    """A running sum."""

    total: Tensor = leaf("sum")  # float64 scalar


@state
class MaxState:
    """A running maximum."""

    value: Tensor = leaf("max")  # float64 scalar; -inf before any data


@state
class MinState:
    """A running minimum."""

    value: Tensor = leaf("min")  # float64 scalar; +inf before any data


@state
class CatState:
    """Every value seen, in order."""

    values: CatStorage = leaf("cat")  # float64 (n, *value_shape)


@factory(higher_is_better=None)
def mean(nan_strategy: str | float = "warn") -> Metric:
    """Weighted mean of streamed values: ``sum(value * weight) / sum(weight)``.

    ``update(state, value, weight=None, *, sample_weight=None)``: ``weight`` broadcasts
    to ``value``'s shape (TorchMetrics' argument); ``sample_weight`` holds one checked,
    non-negative weight per value along dim 0 (scikit-learn's); both multiply. The mean
    of no data is NaN (0 / 0), as in TorchMetrics' ``MeanMetric``.

    Example:
        >>> import torch
        >>> from metrix.aggregation import mean
        >>> m = mean()
        >>> s = m.update(m.init(), torch.tensor([1.0, 2.0]), torch.tensor([1.0, 3.0]))
        >>> m.compute(s)
        tensor(1.7500, dtype=torch.float64)
    """
    strategy = check_nan_strategy(nan_strategy)

    def init(*, device: Any = None) -> MeanState:
        return MeanState(torch.zeros((), dtype=_F64, device=device), torch.zeros((), dtype=_F64, device=device))

    def update(s: MeanState, value: Any, weight: Any = None, *, sample_weight: Any = None) -> MeanState:
        v, w = prepare(value, weight, strategy, s.total.device, 0.0, "mean")
        sw = _sample_weights(sample_weight, v, "mean")
        if sw is not None:
            w = w * sw
        return MeanState(s.total + (v * w).sum(), s.weight + w.sum())

    def compute(s: MeanState) -> Tensor:
        return s.total / s.weight

    return Metric(init, update, compute, name="mean")


@factory(higher_is_better=None)
def sum(nan_strategy: str | float = "warn") -> Metric:  # noqa: A001 - TorchMetrics' name
    """Sum of streamed values (float64): ``sum(sample_weight * value)`` with ``update(..., sample_weight=w)``.

    Example:
        >>> import torch
        >>> from metrix.aggregation import sum
        >>> sum()(torch.tensor([1.0, 2.5]))
        tensor(3.5000, dtype=torch.float64)
    """
    strategy = check_nan_strategy(nan_strategy)

    def init(*, device: Any = None) -> SumState:
        return SumState(torch.zeros((), dtype=_F64, device=device))

    def update(s: SumState, value: Any, *, sample_weight: Any = None) -> SumState:
        v, w = prepare(value, None, strategy, s.total.device, 0.0, "sum")
        sw = _sample_weights(sample_weight, v, "sum")
        if sw is not None:
            return SumState(s.total + (v * (sw if strategy == "disable" else w * sw)).sum())
        return SumState(s.total + (v * w).sum() if strategy != "disable" else s.total + v.sum())

    def compute(s: SumState) -> Tensor:
        return s.total

    return Metric(init, update, compute, name="sum")


@factory(higher_is_better=None)
def max(nan_strategy: str | float = "warn") -> Metric:  # noqa: A001 - TorchMetrics' name
    """Largest streamed value; ``-inf`` before any data. Values of ``sample_weight`` 0 are skipped.

    Example:
        >>> import torch
        >>> from metrix.aggregation import max
        >>> max()(torch.tensor([1.0, 7.0, 3.0]))
        tensor(7., dtype=torch.float64)
    """
    return _extremum("max", MaxState, check_nan_strategy(nan_strategy), -torch.inf, Tensor.amax, torch.maximum)


@factory(higher_is_better=None)
def min(nan_strategy: str | float = "warn") -> Metric:  # noqa: A001 - TorchMetrics' name
    """Smallest streamed value; ``+inf`` before any data. Values of ``sample_weight`` 0 are skipped.

    Example:
        >>> import torch
        >>> from metrix.aggregation import min
        >>> min()(torch.tensor([1.0, 7.0, -3.0]))
        tensor(-3., dtype=torch.float64)
    """
    return _extremum("min", MinState, check_nan_strategy(nan_strategy), torch.inf, Tensor.amin, torch.minimum)


Extremum = TypeVar("Extremum", MaxState, MinState)


def _extremum(
    name: str,
    state_cls: type[Extremum],
    strategy: str | float,
    empty: float,
    reduce: Callable[[Tensor], Tensor],
    keep: Callable[[Tensor, Tensor], Tensor],
) -> Metric:
    """``max`` or ``min``: ``empty`` (the op's identity) before any data and for unseen values."""

    def init(*, device: Any = None) -> Extremum:
        return state_cls(torch.full((), empty, dtype=_F64, device=device))

    def update(s: Extremum, value: Any, *, sample_weight: Any = None) -> Extremum:
        v, _ = prepare(value, None, strategy, s.value.device, empty, name)
        sw = _sample_weights(sample_weight, v, name)
        if sw is not None:
            v = torch.where(sw > 0, v, empty)  # a value of weight 0 is not seen
        batch = reduce(v) if v.numel() else torch.full((), empty, dtype=_F64, device=v.device)
        return state_cls(keep(s.value, batch))

    def compute(s: Extremum) -> Tensor:
        return s.value

    return Metric(init, update, compute, name=name)


@factory(higher_is_better=None)
def cat(nan_strategy: str | float = "warn", *, value_shape: tuple[int, ...] = ()) -> Metric:
    """Concatenation of every streamed value along dim 0 (float64).

    Each update takes one value of shape ``value_shape`` or a batch of them, of shape
    ``(n, *value_shape)``, as TorchMetrics' ``CatMetric`` concatenates its inputs along dim 0.
    The shape of one value is fixed when the metric is built (``()``: scalars), because it is
    part of the state: a rank that saw nothing must still sync with the others. NaNs dropped
    by ``"warn"``/``"ignore"`` take their whole value (row) with them (eager only: the
    result's length depends on the data).

    Args:
        nan_strategy: ``"error"``, ``"warn"`` (drop and warn), ``"ignore"`` (drop),
            ``"disable"`` (keep) or a float that replaces NaNs.
        value_shape: the shape of one value (keyword-only; ``()`` streams scalars).

    Example:
        >>> import torch
        >>> from metrix.aggregation import cat
        >>> m = cat()
        >>> s = m.update(m.init(), torch.tensor([1.0, 2.0]))
        >>> m.compute(m.update(s, torch.tensor(3.0)))
        tensor([1., 2., 3.], dtype=torch.float64)
        >>> rows = cat(value_shape=(2,))
        >>> s = rows.update(rows.init(), torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> rows.compute(rows.update(s, torch.tensor([5.0, 6.0])))
        tensor([[1., 2.],
                [3., 4.],
                [5., 6.]], dtype=torch.float64)
    """
    strategy = check_nan_strategy(nan_strategy)
    if not isinstance(value_shape, (tuple, list)) or not all(_is_int(d) for d in value_shape):
        raise type_error("value_shape", "a tuple of ints >= 0", value_shape)
    if any(d < 0 for d in value_shape):
        raise value_error("value_shape", "a tuple of ints >= 0", value_shape)
    shape = tuple(value_shape)

    def init(*, device: Any = None) -> CatState:
        return CatState(cat_init(shape, _F64, device))

    def update(s: CatState, value: Any, *, sample_weight: Any = None) -> CatState:
        refuse_sample_weight("cat", sample_weight, "it returns the values themselves; keep the weights beside them")
        device = s.values[0].device if isinstance(s.values, tuple) else s.values.data.device
        v = _as_tensor(value, "value", device).to(_F64)
        v = v.unsqueeze(0) if v.dim() == len(shape) else v
        if v.dim() != len(shape) + 1 or tuple(v.shape[1:]) != shape:
            raise ValueError(
                f"value must have shape {shape} (one value) or (n, *{shape}) (n values), got {tuple(v.shape)}; "
                "build the metric with cat(value_shape=...) for values that are not scalars"
            )
        if strategy == "error":
            check(~torch.isnan(v), "value contains NaN and nan_strategy='error'")
        elif isinstance(strategy, float):
            v = torch.where(torch.isnan(v), strategy, v)
        elif strategy in ("warn", "ignore"):
            nans = torch.isnan(v)
            nans = nans.flatten(1).any(1) if nans.dim() > 1 else nans  # a value with a NaN is dropped whole
            if is_tracing(v):
                raise RuntimeError(
                    "cat() with nan_strategy='warn'/'ignore' drops values (data-dependent length) and is eager-only"
                )
            if bool(nans.any()):
                if strategy == "warn":
                    warn("cat", _NAN_DROPPED)
                v = v[~nans]
        return CatState(cat_append(s.values, v))

    def compute(s: CatState) -> Tensor:
        return stored_values(s.values)

    mark_sample_weight(update, False)
    return Metric(init, update, compute, name="cat")
