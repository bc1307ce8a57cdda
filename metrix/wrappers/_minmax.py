"""The smallest and largest value a metric has taken (TorchMetrics' ``MinMaxMetric``).

The state is the base state plus two float64 scalars with ``min``/``max`` ops.
``track(state)`` records the base metric's current value in them and returns the new
state; ``compute(state)`` returns ``{"raw", "max", "min"}`` where ``max``/``min`` include
the current value (without recording it: compute stays pure). ``MetricModule.compute()``
tracks, as TorchMetrics' ``compute()`` does, so a module over ``minmax(metric)`` behaves
like ``MinMaxMetric`` (``forward`` records the batch value too, as there; ``reset``
clears the extrema, as its documentation says). The extrema merge and sync with their ops: the max of the ranks'
tracked maxima is the tracked maximum of the (synced) values every rank recorded.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix._core.weights import mark_sample_weight, takes_sample_weight
from metrix.wrappers._stacking import check_metric
from metrix.wrappers._stateful import StatefulMetric

__all__ = ["MinMaxState", "minmax"]


@state
class MinMaxState:
    """A base state and the extrema of the values recorded by ``track``."""

    base: Any = leaf("node")  # the base metric's state
    min: Tensor = leaf("min")  # float64 (): smallest tracked value, +inf before any
    max: Tensor = leaf("max")  # float64 (): largest tracked value, -inf before any


@factory(higher_is_better=None)
def minmax(metric: Metric) -> Metric:
    """Track the minimum and maximum of a scalar metric over successive computes.

    ``update`` is the base metric's; ``track(state) -> state`` records the current value;
    ``compute(state)`` returns ``{"raw": value, "max": ..., "min": ...}``.

    Args:
        metric: a metric whose value is a scalar.

    Returns:
        A metric with a ``track`` method (also ``MetricModule(...).track()``;
        ``MetricModule.compute()`` tracks by itself).

    Example:
        >>> import torch
        >>> from metrix.classification import binary_accuracy
        >>> from metrix.wrappers import minmax
        >>> m = minmax(binary_accuracy())
        >>> s = m.track(m.update(m.init(), torch.tensor([1, 1]), torch.tensor([1, 1])))
        >>> s = m.update(s, torch.tensor([0, 0]), torch.tensor([1, 1]))
        >>> {k: float(v) for k, v in m.compute(s).items()}
        {'raw': 0.5, 'max': 1.0, 'min': 0.5}
    """
    base = check_metric(metric, "minmax")
    name = f"minmax({base.name})"

    def value(s: MinMaxState) -> Tensor:
        v = base.compute(s.base)
        if not isinstance(v, Tensor) or v.numel() != 1:
            raise ValueError(f"{name}: the base metric must return a scalar, got {getattr(v, 'shape', type(v))}")
        return v.reshape(())

    def record(s: MinMaxState, v: Tensor) -> MinMaxState:
        v64 = v.to(torch.float64)
        return MinMaxState(s.base, torch.minimum(s.min, v64), torch.maximum(s.max, v64))

    def init(*, device: Any = None) -> MinMaxState:
        return MinMaxState(
            base.init(device=device),
            torch.full((), torch.inf, dtype=torch.float64, device=device),
            torch.full((), -torch.inf, dtype=torch.float64, device=device),
        )

    def update(s: MinMaxState, *inputs: Any, **kwargs: Any) -> MinMaxState:
        return MinMaxState(base.update(s.base, *inputs, **kwargs), s.min, s.max)

    def compute(s: MinMaxState) -> dict[str, Tensor]:
        v = value(s)
        return {
            "raw": v,
            "max": torch.maximum(s.max, v.to(torch.float64)).to(v.dtype),
            "min": torch.minimum(s.min, v.to(torch.float64)).to(v.dtype),
        }

    def track(s: MinMaxState) -> MinMaxState:
        """Record the current value of the base metric in the extrema."""
        return record(s, value(s))

    def on_compute(local: MinMaxState, view: MinMaxState) -> tuple[MinMaxState, MinMaxState]:
        # The value of the view (synced, or the batch in forward) is what every rank records;
        # the extrema reported with it are those recorded so far, as TorchMetrics reports them.
        v = value(view)
        local = record(local, v.detach())  # the state keeps no autograd history
        return local, MinMaxState(view.base, torch.minimum(view.min, local.min), torch.maximum(view.max, local.max))

    mark_sample_weight(update, takes_sample_weight(base))
    return StatefulMetric(
        init,
        update,
        compute,
        methods={"track": ("state", track)},
        on_compute=on_compute,
        name=name,
        batch_merge=base.batch_merge,
    )
