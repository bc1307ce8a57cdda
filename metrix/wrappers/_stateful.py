"""Metrics with extra pure methods over their state (``minmax.track``, ``tracker.increment`` ...).

TorchMetrics' stateful wrappers have methods beyond update/compute: ``MinMaxMetric``
records the value at every ``compute()``, ``MetricTracker`` has ``increment()``,
``compute_all()`` and ``best_metric()``. In metrix these are pure functions of the state
(``t.increment(state) -> state``), held by a :class:`StatefulMetric`, and
:class:`metrix.MetricModule` exposes them as methods of the module: a ``"state"`` method
replaces the module's state with its result, a ``"value"`` method reads the (synced)
state, and ``on_compute`` lets ``compute()`` record what it computed, as TorchMetrics does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from metrix._core.metric import Metric

__all__ = ["StatefulMetric"]


class StatefulMetric(Metric):
    """A :class:`Metric` with named pure methods over its state.

    Attributes:
        module_methods: method name -> ``"state"`` (``fn(state, ...) -> state``) or
            ``"value"`` (``fn(state, ...) -> value``); each is also an attribute.
        on_compute: ``None`` or ``fn(local_state, view_state) -> (local_state, view_state)``,
            called by ``MetricModule.compute`` before computing the view.
    """

    __slots__ = ("_methods", "module_methods", "on_compute")

    def __init__(
        self,
        init: Callable[..., Any],
        update: Callable[..., Any],
        compute: Callable[[Any], Any],
        *,
        methods: dict[str, tuple[str, Callable[..., Any]]],
        on_compute: Callable[[Any, Any], tuple[Any, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        """Wrap the triple (see :class:`Metric`) and the extra methods ``name -> (kind, fn)``."""
        super().__init__(init, update, compute, **kwargs)
        guarded = {k: _guard(fn, self.state_type, f"{self.name}.{k}") for k, (_, fn) in methods.items()}
        object.__setattr__(self, "_methods", guarded)
        object.__setattr__(self, "module_methods", {k: kind for k, (kind, _) in methods.items()})
        object.__setattr__(self, "on_compute", on_compute)

    def __getattr__(self, name: str) -> Any:
        methods = object.__getattribute__(self, "_methods")
        if name in methods:
            return methods[name]
        raise AttributeError(f"{type(self).__name__} {self.name!r} has no attribute {name!r}")


def _guard(fn: Callable[..., Any], state_type: type, where: str) -> Callable[..., Any]:
    def method(state: Any, /, *args: Any, **kwargs: Any) -> Any:
        if type(state) is not state_type:
            raise TypeError(
                f"{where}: state must be a {state_type.__name__} from this metric's init()/update(), "
                f"got {type(state).__name__}"
            )
        return fn(state, *args, **kwargs)

    method.__name__ = where
    method.__doc__ = fn.__doc__
    return method
