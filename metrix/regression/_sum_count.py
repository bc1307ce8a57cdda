"""The state shared in form by most regression metrics: a float64 sum and a float64 total weight.

Each family declares its own state class (so a state built by one metric is refused by
another), and builds its metric with :func:`sum_count_metric`: ``update`` adds what a
batch contributes, ``compute`` divides once at the end.

The total weight is the number of observations when no ``sample_weight`` is given (a
float64 holds every count up to 2**53 exactly) and the sum of the weights otherwise,
so the state has the same shapes and dtypes with and without weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from typing import Any, Protocol, TypeVar

import torch
from torch import Tensor

from metrix._core.checks import is_tracing
from metrix._core.metric import Metric
from metrix._core.weights import check_sample_weight_total, row_weights
from metrix.regression._inputs import F64

BatchFn = Callable[[Any, Any, Any], tuple[Tensor, Any]]
FinishFn = Callable[[Tensor, Tensor], Tensor]


class SumWeightState(Protocol):
    """The form of every state :func:`sum_count_metric` builds (read-only fields)."""

    @property
    def total(self) -> Tensor: ...  # float64 (), or (num_outputs,)

    @property
    def weight(self) -> Tensor: ...  # float64 (): observations, weighted


S = TypeVar("S", bound=SumWeightState)


def sum_count_metric(
    name: str,
    state_cls: Callable[[Tensor, Tensor], S],
    batch: BatchFn,
    finish: FinishFn,
    *,
    shape: tuple[int, ...] = (),
    key: Hashable | None = None,
) -> Metric:
    """Build a metric whose state is ``state_cls(total, weight)``.

    Args:
        name: the metric's name.
        state_cls: a ``@metrix.state`` class with ``total`` (float64 ``shape``) and
            ``weight`` (float64 scalar) sum leaves.
        batch: ``batch(preds, target, sample_weight) -> (sum, weight)``: checks the
            inputs (and the weights, with :func:`weighted_sum`) and returns the batch's
            float64 sum (of shape ``shape``) and its number of observations (an int) or
            total weight (a float64 tensor).
        finish: ``finish(total, weight) -> value``.
        shape: the shape of ``total`` (``(num_outputs,)`` for multi-output metrics).
        key: the state's identity, shared by metrics that build the same state.
    """

    def init(*, device: Any = None) -> S:
        # A fresh tensor per leaf: shared storage would make the compiler guard on identity.
        return state_cls(torch.zeros(shape, dtype=F64, device=device), torch.zeros((), dtype=F64, device=device))

    def update(s: S, preds: Any, target: Any, *, sample_weight: Any = None) -> S:
        total, weight = batch(preds, target, sample_weight)
        return state_cls(s.total + total, s.weight + weight)

    def compute(s: S) -> Tensor:
        return finish(s.total, s.weight)

    return Metric(init, update, compute, name=name, key=key)


def weighted_sum(
    values: Tensor,
    sample_weight: Any,
    name: str,
    *,
    validate_args: bool,
    outputs: bool = False,
    like: Tensor | None = None,
) -> tuple[Tensor, Any]:
    """Sum per-element ``values`` of shape ``(N, ...)`` with one weight per row.

    Args:
        values: per-element contributions; row ``i`` belongs to sample ``i``.
        sample_weight: ``None`` or the raw ``sample_weight`` argument (checked here).
        name: the metric's name, for errors.
        validate_args: run the weights' value checks.
        outputs: ``values`` is ``(N, k)`` with one column per output: sum over rows only.
        like: the input the weights are checked against (default ``values``).

    Returns:
        ``(sum, weight)``: the (weighted) sum over every element (or every row, per
        output) and the number of elements (or rows) counted, weighted.
    """
    per_row = 1 if outputs else math.prod(values.shape[1:])
    if sample_weight is None:
        total = values.sum(0) if outputs else values.sum()
        return total, (values.shape[0] if values.dim() else 1) * per_row
    w, total_weight = check_sample_weight_total(
        sample_weight, values if like is None else like, name, validate_args=validate_args
    )
    if per_row != 1:
        total_weight = total_weight * per_row
    if values.dim() <= 1:
        return (values * w if values.dim() == 0 else torch.dot(w, values)), total_weight
    if is_tracing(w):
        # under vmap (a bootstrap's B replicates) one matrix product instead of a B x N x k temporary
        total = w @ values.reshape(values.shape[0], math.prod(values.shape[1:]))
        return (total if outputs else total.sum()), total_weight
    weighted = values * row_weights(w, values)
    return (weighted.sum(0) if outputs else weighted.sum()), total_weight


def mean_of(total: Tensor, weight: Tensor) -> Tensor:
    """``total / weight`` in float64 (NaN before any data, as in TorchMetrics)."""
    return total / weight
