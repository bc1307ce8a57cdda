"""Running windows: a metric over the last ``window`` updates only.

The state keeps one slot per update in the window, each holding the base metric's
state for that batch (stacked along a leading dim), plus the number of updates seen.
An update overwrites slot ``step % window`` with ``torch.where``, so it traces and
vmaps; ``compute`` reduces the slots with the base state's own ops and calls the base
``compute``. Merging two running states combines slot by slot, which is what syncing
ranks that step in lockstep (DDP) needs: the result covers the last ``window`` steps
of every rank. A running metric is deliberately not split-invariant: its value depends
on how the data was batched.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.args import type_error, value_error
from metrix._core.metric import Metric, factory
from metrix._core.state import is_state, leaf, state
from metrix._core.tree import Entry, flatten, map_entries, unflatten
from metrix._core.weights import mark_sample_weight, takes_sample_weight
from metrix.wrappers._stacking import check_metric

__all__ = ["RunningState", "running"]


@state
class RunningState:
    """The last ``window`` batch states of a base metric."""

    slots: Any = leaf("node")  # the base state with a leading (window,) dim on every leaf
    step: Tensor = leaf("max")  # int64 scalar: updates seen so far


def _check_base(s: Any) -> None:
    if not is_state(s):
        raise TypeError(f"running(): the base metric's state must be a @metrix.state, got {type(s).__name__}")
    for e in flatten(s)[0]:
        if e.op not in ("sum", "max", "min"):
            raise ValueError(
                f"running(): base state field state.{e.path} has op {e.op!r}; only sum/max/min states have a fixed size"
            )


def _reduce(e: Entry) -> Tensor:
    # the window's slots combined with the base state's own op
    if e.op == "sum":
        return e.value.sum(0)
    return e.value.amax(0) if e.op == "max" else e.value.amin(0)


@factory(higher_is_better=None)
def running(metric: Metric, window: int) -> Metric:
    """The base metric computed over its last ``window`` updates.

    Args:
        metric: a metric whose state has only ``sum``/``max``/``min`` leaves.
        window: number of most recent updates covered (a positive int).

    Example:
        >>> import torch
        >>> from metrix.aggregation import mean
        >>> from metrix.wrappers import running
        >>> m = running(mean(), window=2)
        >>> s = m.init()
        >>> for v in [1.0, 2.0, 4.0]:
        ...     s = m.update(s, torch.tensor([v]))
        >>> m.compute(s)                      # mean of the last two updates
        tensor(3., dtype=torch.float64)
    """
    check_metric(metric, "running")
    if isinstance(window, bool) or not isinstance(window, int):
        raise type_error("window", "a positive int", window)
    if window < 1:
        raise value_error("window", "a positive int", window)
    _check_base(metric.init())
    base_init, base_update, base_compute = metric.init, metric.update, metric.compute
    arange = torch.arange(window)

    def init(*, device: Any = None) -> RunningState:
        slots = map_entries(
            lambda e: e.value.unsqueeze(0).expand(window, *e.value.shape).clone(), base_init(device=device)
        )
        return RunningState(slots, torch.zeros((), dtype=torch.int64, device=device))

    def update(s: RunningState, *inputs: Any, **kwargs: Any) -> RunningState:
        batch, spec = flatten(base_update(base_init(device=s.step.device), *inputs, **kwargs))
        hit = arange.to(s.step.device) == s.step % window
        old = flatten(s.slots)[0]
        slots = [
            torch.where(hit.reshape((-1,) + (1,) * b.value.dim()), b.value.unsqueeze(0), o.value)
            for b, o in zip(batch, old)
        ]
        return RunningState(unflatten(spec, slots), s.step + 1)

    def compute(s: RunningState) -> Any:
        return base_compute(map_entries(_reduce, s.slots))

    mark_sample_weight(update, takes_sample_weight(metric))  # sample_weight= reaches the base metric

    return Metric(init, update, compute, name=f"running({metric.name}, window={window})", batch_merge=False)
