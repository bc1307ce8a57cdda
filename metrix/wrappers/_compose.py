"""Metric arithmetic: a metric whose value is a function of other metrics' values.

``compose(fn, *metrics)`` updates every member with the same inputs and computes
``fn(*values)``; the operators of :class:`metrix.Metric` (``+ - * / // % **``, unary
``-``, ``abs``, ``< <= > >=``) build such metrics, with numbers as constants (TorchMetrics'
``CompositionalMetric``, Ignite's ``MetricsLambda``). Members with equal
``Metric.key`` share one state, updated once per batch (``mse + sqrt(mse)`` keeps one
sum of squares), so the state is a dict of the distinct members' states: it merges,
syncs, compiles and vmaps as they do. ``==``/``!=`` keep their identity meaning on
metrics (a metric is a hashable value); use ``compose(torch.eq, a, b)``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from metrix._core.metric import Metric, factory
from metrix._core.weights import mark_sample_weight, takes_sample_weight

__all__ = ["compose", "operate"]


@factory(higher_is_better=None)
def compose(fn: Callable[..., Any], /, *metrics: Metric) -> Metric:
    """A metric whose value is ``fn(*(m.compute(...) for m in metrics))``.

    Args:
        fn: combines the members' values (module-level functions pickle, lambdas do not).
        *metrics: the members; all are updated with the same inputs.

    Returns:
        A metric whose state holds one state per distinct member (equal keys share).

    Example:
        >>> import torch
        >>> from metrix.regression import mean_absolute_error, mean_squared_error
        >>> from metrix.wrappers import compose
        >>> preds, target = torch.tensor([0.0, 2.0]), torch.tensor([1.0, 1.0])
        >>> compose(torch.maximum, mean_absolute_error(), mean_squared_error())(preds, target)
        tensor(1., dtype=torch.float64)
        >>> (mean_squared_error() - mean_absolute_error() + 1)(preds, target)
        tensor(1., dtype=torch.float64)
    """
    if not callable(fn):
        raise TypeError(f"compose(fn, *metrics): fn must be callable, got {type(fn).__name__}")
    if not metrics:
        raise TypeError("compose(fn, *metrics) needs at least one metric")
    for i, m in enumerate(metrics):
        if not isinstance(m, Metric):
            raise TypeError(f"compose: metrics[{i}] must be a metrix.Metric, got {type(m).__name__}")
    slot_of: list[str] = []
    owners: dict[str, Metric] = {}
    by_key: dict[Any, str] = {}
    for m in metrics:
        if m.key is not None and m.key in by_key:
            slot_of.append(by_key[m.key])
            continue
        slot = str(len(owners))
        slot_of.append(slot)
        owners[slot] = m
        if m.key is not None:
            by_key[m.key] = slot
    owner_items = tuple(owners.items())
    members = tuple(zip(slot_of, metrics))
    label = getattr(fn, "__name__", type(fn).__name__)

    def init(*, device: Any = None) -> dict[str, Any]:
        return {slot: m.init(device=device) for slot, m in owner_items}

    def check(state: Any, where: str) -> None:
        if set(state) != set(owners):
            raise ValueError(
                f"compose.{where}: state has entries {sorted(state)} but this metric expects {sorted(owners)}"
            )

    def update(state: dict[str, Any], *inputs: Any, **kwargs: Any) -> dict[str, Any]:
        check(state, "update")
        return {slot: m.update(state[slot], *inputs, **kwargs) for slot, m in owner_items}

    def compute(state: dict[str, Any]) -> Any:
        check(state, "compute")
        return fn(*(m.compute(state[slot]) for slot, m in members))

    mark_sample_weight(update, all(takes_sample_weight(m) for m in metrics))
    return Metric(
        init,
        update,
        compute,
        name=f"compose({label}, {', '.join(m.name for m in metrics)})",
        state_type=dict,
        batch_merge=all(m.batch_merge for m in metrics),
    )


class _WithConstant:
    """``op(value, constant)`` (or ``op(constant, value)`` when ``right``): picklable, unlike a lambda."""

    def __init__(self, op: Callable[[Any, Any], Any], constant: Any, right: bool) -> None:
        self.op, self.constant, self.right = op, constant, right
        self.__name__ = op.__name__

    def __call__(self, value: Any) -> Any:
        return self.op(self.constant, value) if self.right else self.op(value, self.constant)


def operate(op: Callable[..., Any], a: Any, b: Any = None, *, unary: bool = False, right: bool = False) -> Any:
    """``op`` on metrics and numbers, for :class:`metrix.Metric`'s operators (``NotImplemented`` otherwise)."""
    if unary:
        return compose(op, a)
    if isinstance(b, Metric):
        return compose(op, b, a) if right else compose(op, a, b)
    if isinstance(b, (int, float, bool)) or _is_tensor(b):
        return compose(_WithConstant(op, b, right), a)
    return NotImplemented


def _is_tensor(x: Any) -> bool:
    import torch

    return isinstance(x, torch.Tensor)


BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "__add__": operator.add,
    "__sub__": operator.sub,
    "__mul__": operator.mul,
    "__truediv__": operator.truediv,
    "__floordiv__": operator.floordiv,
    "__mod__": operator.mod,
    "__pow__": operator.pow,
    "__lt__": operator.lt,
    "__le__": operator.le,
    "__gt__": operator.gt,
    "__ge__": operator.ge,
}
UNARY: dict[str, Callable[[Any], Any]] = {"__neg__": operator.neg, "__abs__": operator.abs, "__pos__": operator.pos}
