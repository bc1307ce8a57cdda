"""A metric tracked over steps (epochs): TorchMetrics' ``MetricTracker``, pure.

The state holds the current step's base state and a fixed-capacity history of the
states of the steps before it (the base state stacked ``capacity`` times), plus the
index of the current step. ``increment(state)`` files the current state into the
history and starts a new step; ``update`` and ``compute`` act on the current step;
``compute_all`` computes every step (one vmapped compute over the history);
``best_metric`` picks the best step. Keeping states rather than values means the whole
history merges and syncs exactly (step by step), compiles once and vmaps; a value per
step could not be synced.

Differences from TorchMetrics: the history has a fixed ``capacity`` (an ``increment``
past it raises); an ``update`` before the first ``increment`` starts step 0 instead of
raising (so a ``MetricModule`` can build a batch state from ``init()`` in ``forward``).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.utils._pytree as pytree
from torch import Tensor

from metrix._core.args import check_int, type_error
from metrix._core.checks import check, is_tracing
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix._core.weights import mark_sample_weight, takes_sample_weight
from metrix.wrappers._stacking import check_fixed, check_metric, compute_stacked, stack_init, write
from metrix.wrappers._stateful import StatefulMetric

__all__ = ["TrackerState", "tracker"]


@state
class TrackerState:
    """The current step's state, the states of earlier steps, and the current step index."""

    current: Any = leaf("node")  # the base state of the current step
    history: Any = leaf("node")  # the base state with a leading (capacity,) dim: step i at index i
    step: Tensor = leaf("max")  # int64 (): the current step, -1 before the first increment


def _check_maximize(maximize: Any) -> Any:
    if isinstance(maximize, bool):
        return maximize
    if isinstance(maximize, (list, tuple)) and maximize and all(isinstance(m, bool) for m in maximize):
        return list(maximize)
    raise type_error("maximize", "a bool or a non-empty list of bools (one per collection member)", maximize)


@factory(higher_is_better=None)
def tracker(metric: Metric, maximize: bool | list[bool] = True, *, capacity: int = 100) -> Metric:
    """Track a metric over steps and find the best one (TorchMetrics' ``MetricTracker``).

    Methods (pure; ``MetricModule(tracker(...))`` has them too, without the state):
    ``increment(state) -> state`` starts a new step; ``compute_all(state)`` returns the
    values of steps ``0..n_steps-1`` stacked (a dict of stacked tensors for a dict-valued
    metric); ``best_metric(state, return_step=False)`` returns the best value as a float
    (and its step as an int), per key for a dict-valued metric; ``n_steps(state)``.

    Args:
        metric: the tracked metric (fixed-size state).
        maximize: whether higher values are better; a list gives one bool per key of a
            dict-valued metric (in key order).
        capacity: the number of steps the history holds.

    Returns:
        A metric whose ``update``/``compute`` act on the current step.

    Example:
        >>> import torch
        >>> from metrix.regression import mean_absolute_error
        >>> from metrix.wrappers import tracker
        >>> t = tracker(mean_absolute_error(), maximize=False, capacity=10)
        >>> s = t.init()
        >>> for epoch, error in enumerate([3.0, 1.0, 2.0]):
        ...     s = t.increment(s)
        ...     s = t.update(s, torch.tensor([error]), torch.tensor([0.0]))
        >>> t.compute_all(s)
        tensor([3., 1., 2.], dtype=torch.float64)
        >>> t.best_metric(s, return_step=True)
        (1.0, 1)
    """
    base = check_metric(metric, "tracker")
    maximize = _check_maximize(maximize)
    capacity = check_int(capacity, "capacity", 1)
    check_fixed(base.init(), "tracker", base.name)
    name = f"tracker({base.name})"
    slots = torch.arange(capacity)

    def init(*, device: Any = None) -> TrackerState:
        empty = base.init(device=device)
        return TrackerState(
            base.init(device=device),
            stack_init(empty, capacity),
            torch.full((), -1, dtype=torch.int64, device=device),
        )

    def update(s: TrackerState, *inputs: Any, **kwargs: Any) -> TrackerState:
        # an update before the first increment starts step 0
        return TrackerState(base.update(s.current, *inputs, **kwargs), s.history, torch.clamp(s.step, min=0))

    def compute(s: TrackerState) -> Any:
        return base.compute(s.current)

    def increment(s: TrackerState) -> TrackerState:
        """File the current step into the history and start a new, empty step."""
        step = s.step
        if not is_tracing(step):
            if int(step) + 1 >= capacity:
                raise ValueError(
                    f"{name}: the history is full (capacity={capacity} steps); build it with a larger capacity="
                )
        else:
            check(step + 1 < capacity, f"{name}: the history is full (capacity={capacity} steps)")
        hit = slots.to(step.device) == step
        return TrackerState(base.init(device=step.device), write(s.history, s.current, hit), step + 1)

    def n_steps(s: TrackerState) -> int:
        """Number of steps started (increments, or 1 after an update without increment)."""
        return int(s.step) + 1

    def compute_all(s: TrackerState) -> Any:
        """The value of every step so far, stacked along a leading dim of length ``n_steps``."""
        n = n_steps(s)
        if n == 0:
            raise ValueError(f"{name}.compute_all: no step yet; call increment() (or update) first")
        hit = slots.to(s.step.device) == s.step
        steps = pytree.tree_map(lambda x: x[:n], write(s.history, s.current, hit))
        return compute_stacked(base, steps)

    def best_metric(s: TrackerState, return_step: bool = False) -> Any:
        """The best value over the steps (``max`` if maximizing) as a float, and its step with ``return_step``."""
        values = compute_all(s)
        if isinstance(values, dict):
            flags = maximize if isinstance(maximize, list) else [maximize] * len(values)
            if len(flags) != len(values):
                raise ValueError(f"{name}: maximize has {len(flags)} entries for {len(values)} values")
            best, where = {}, {}
            for (key, v), up in zip(values.items(), flags):
                best[key], where[key] = _best(v, up)
            return (best, where) if return_step else best
        if isinstance(maximize, list):
            raise ValueError(f"{name}: maximize must be a single bool for a metric with one value")
        value, step = _best(values, maximize)
        return (value, step) if return_step else value

    mark_sample_weight(update, takes_sample_weight(base))
    return StatefulMetric(
        init,
        update,
        compute,
        methods={
            "increment": ("state", increment),
            "compute_all": ("value", compute_all),
            "best_metric": ("value", best_metric),
            "n_steps": ("value", n_steps),
        },
        name=name,
        batch_merge=base.batch_merge,
    )


def _best(values: Tensor, maximize: bool) -> tuple[float, int]:
    if values.dim() != 1:
        raise ValueError(f"best_metric needs one scalar value per step, got values of shape {tuple(values.shape)}")
    value, step = values.max(0) if maximize else values.min(0)
    return float(value), int(step)
