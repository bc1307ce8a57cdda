"""The state shared in form by most regression metrics: a float64 sum and an int64 count.

Each family declares its own state class (so a state built by one metric is refused by
another), and builds its metric with :func:`sum_count_metric`: ``update`` adds what a
batch contributes, ``compute`` divides once at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric
from metrix.regression._inputs import F64

BatchFn = Callable[[Any, Any], tuple[Tensor, int]]
FinishFn = Callable[[Tensor, Tensor], Tensor]


def sum_count_metric(
    name: str,
    state_cls: type,
    batch: BatchFn,
    finish: FinishFn,
    *,
    shape: tuple[int, ...] = (),
    key: Hashable | None = None,
) -> Metric:
    """Build a metric whose state is ``state_cls(total, count)``.

    Args:
        name: the metric's name.
        state_cls: a ``@metrix.state`` class with ``total`` (float64 ``shape``) and
            ``count`` (int64 scalar) sum leaves.
        batch: ``batch(preds, target) -> (sum, n)``: checks the inputs and returns the
            batch's float64 sum (of shape ``shape``) and its number of observations.
        finish: ``finish(total, count) -> value``.
        shape: the shape of ``total`` (``(num_outputs,)`` for multi-output metrics).
        key: the state's identity, shared by metrics that build the same state.
    """

    def init(*, device: Any = None) -> Any:
        # A fresh tensor per leaf: shared storage would make the compiler guard on identity.
        return state_cls(
            torch.zeros(shape, dtype=F64, device=device), torch.zeros((), dtype=torch.int64, device=device)
        )

    def update(s: Any, preds: Any, target: Any) -> Any:
        total, n = batch(preds, target)
        return state_cls(s.total + total, s.count + n)

    def compute(s: Any) -> Tensor:
        return finish(s.total, s.count)

    return Metric(init, update, compute, name=name, key=key)


def mean_of(total: Tensor, count: Tensor) -> Tensor:
    """``total / count`` in float64 (NaN before any data, as in TorchMetrics)."""
    return total / count.to(total.dtype)
