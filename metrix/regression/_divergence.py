"""Divergences between distributions given row by row: Kullback-Leibler and Jensen-Shannon.

Each row of ``p`` and ``q`` is one discrete distribution (probabilities, normalised
per row, or log-probabilities with ``log_prob=True``). A row's divergence is final once
its batch is seen, so ``reduction="mean"``/``"sum"`` keep a float64 sum and a float64
(weighted) row count (they compile and vmap, and take ``sample_weight=``, one weight per
row); ``reduction="none"`` keeps the per-row values and refuses weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import check
from metrix._core.metric import Metric, factory
from metrix._core.state import CatStorage, cat_append, cat_init, leaf, state, stored_values
from metrix._core.weights import mark_sample_weight, refuse_sample_weight
from metrix.regression import _parameter_docs as parameter_docs
from metrix.regression._inputs import F64, check_bool, check_reduction, paired, rows_2d
from metrix.regression._sum_count import mean_of, sum_count_metric, weighted_sum

__all__ = [
    "JensenShannonDivergenceState",
    "KLDivergenceState",
    "SamplewiseJensenShannonDivergenceState",
    "SamplewiseKLDivergenceState",
    "jensen_shannon_divergence",
    "kl_divergence",
]


@state
class KLDivergenceState:
    """Sum of per-row KL divergences and number of rows."""

    total: Tensor = leaf("sum")  # float64 (): sum over rows of w_i * KL(p_i || q_i)
    weight: Tensor = leaf("sum")  # float64 (): number of rows, weighted


@state
class SamplewiseKLDivergenceState:
    """Every row's KL divergence, in arrival order."""

    values: CatStorage = leaf("cat")  # float64 (N,)


@state
class JensenShannonDivergenceState:
    """Sum of per-row JS divergences and number of rows."""

    total: Tensor = leaf("sum")  # float64 (): sum over rows of w_i * JS(p_i, q_i)
    weight: Tensor = leaf("sum")  # float64 (): number of rows, weighted


@state
class SamplewiseJensenShannonDivergenceState:
    """Every row's JS divergence, in arrival order."""

    values: CatStorage = leaf("cat")  # float64 (N,)


def _xlogy(x: Tensor, y: Tensor) -> Tensor:
    # x * log(y) with the limit 0 where x == 0 (even if y is 0 or NaN there).
    safe_y = torch.where(x == 0, torch.ones_like(y), y)
    return torch.where(x == 0, torch.zeros_like(x), x * torch.log(safe_y))


def _normalise(x: Tensor) -> Tensor:
    return x / x.sum(-1, keepdim=True)


def _kl_rows(p: Tensor, q: Tensor, log_prob: bool) -> Tensor:
    if log_prob:
        return (p.exp() * (p - q)).sum(-1)
    p, q = _normalise(p), _normalise(q)
    return _xlogy(p, p / q).sum(-1)


def _js_rows(p: Tensor, q: Tensor, log_prob: bool) -> Tensor:
    if log_prob:
        m = torch.logsumexp(torch.stack([p, q]), dim=0) - math.log(2.0)
    else:
        p, q = _normalise(p), _normalise(q)
        m = (p + q) / 2
    return 0.5 * _kl_rows(p, m, log_prob) + 0.5 * _kl_rows(q, m, log_prob)


Samplewise = SamplewiseKLDivergenceState | SamplewiseJensenShannonDivergenceState


def _divergence_metric(
    name: str,
    rows_fn: Callable[[Tensor, Tensor, bool], Tensor],
    state_cls: type[KLDivergenceState | JensenShannonDivergenceState],
    samplewise_cls: type[SamplewiseKLDivergenceState | SamplewiseJensenShannonDivergenceState],
    log_prob: Any,
    reduction: Any,
    validate_args: Any,
) -> Metric:
    log_prob = check_bool(log_prob, "log_prob")
    reduction = check_reduction(reduction)
    validate_args = check_bool(validate_args, "validate_args")

    def rows(p: Any, q: Any) -> Tensor:
        p, q = paired(p, q, validate_args=validate_args, names=("p", "q"))
        rows_2d(p, "p", "one distribution per row")
        if not log_prob:
            check(
                (p >= 0) & (q >= 0),
                f"{name}: p and q must be non-negative probabilities (pass log_prob=True for log-probabilities)",
                enabled=validate_args,
            )
        return rows_fn(p, q, log_prob)

    if reduction == "none":

        def init(*, device: Any = None) -> Samplewise:
            return samplewise_cls(cat_init((), F64, device))

        def update(s: Samplewise, p: Any, q: Any, *, sample_weight: Any = None) -> Samplewise:
            refuse_sample_weight(
                f"{name}(reduction='none')",
                sample_weight,
                "it reports one value per row; weight the rows of its result instead",
            )
            return samplewise_cls(cat_append(s.values, rows(p, q)))

        mark_sample_weight(update, False)

        def compute(s: Samplewise) -> Tensor:
            return stored_values(s.values)

        return Metric(init, update, compute, name=name, key=(name, log_prob, "none", validate_args))

    def batch(p: Any, q: Any, sample_weight: Any) -> tuple[Tensor, Any]:
        return weighted_sum(rows(p, q), sample_weight, name, validate_args=validate_args)

    def finish(total: Tensor, weight: Tensor) -> Tensor:
        return total if reduction == "sum" else mean_of(total, weight)

    # sum and mean build the same state: a collection of both updates it once.
    return sum_count_metric(name, state_cls, batch, finish, key=(name, log_prob, validate_args))


@factory(higher_is_better=False)
@parameter_docs.DIVERGENCE
def kl_divergence(log_prob: bool = False, reduction: str | None = "mean", *, validate_args: bool = True) -> Metric:
    """Kullback-Leibler divergence ``KL(p || q) = sum_j p_j log(p_j / q_j)`` of each row.

    Same arguments, defaults and values as
    ``torchmetrics.functional.regression.kl_divergence``. ``update(state, p, q)`` takes
    two ``(N, D)`` tensors; rows of probabilities are normalised to sum to 1. KL is not
    symmetric: ``p`` is the reference distribution.

    Args:
        validate_args: check that inputs are finite, and non-negative unless
            ``log_prob`` (shapes are always checked). A log-probability of ``-inf`` is
            therefore refused: pass a large negative number instead.

    Example:
        >>> import torch
        >>> from metrix.regression import kl_divergence
        >>> p, q = torch.tensor([[0.36, 0.48, 0.16]]), torch.tensor([[1 / 3, 1 / 3, 1 / 3]])
        >>> kl_divergence()(p, q)
        tensor(0.0853, dtype=torch.float64)
    """
    return _divergence_metric(
        "kl_divergence", _kl_rows, KLDivergenceState, SamplewiseKLDivergenceState, log_prob, reduction, validate_args
    )


@factory(higher_is_better=False)
@parameter_docs.DIVERGENCE
def jensen_shannon_divergence(
    log_prob: bool = False, reduction: str | None = "mean", *, validate_args: bool = True
) -> Metric:
    """Jensen-Shannon divergence ``(KL(p || m) + KL(q || m)) / 2`` with ``m = (p + q) / 2``.

    Same arguments, defaults and values as
    ``torchmetrics.functional.regression.jensen_shannon_divergence``: symmetric, and at
    most ``log(2)``. ``update(state, p, q)`` takes two ``(N, D)`` tensors.

    Args:
        validate_args: check that inputs are finite, and non-negative unless
            ``log_prob`` (shapes are always checked).

    Example:
        >>> import torch
        >>> from metrix.regression import jensen_shannon_divergence
        >>> p, q = torch.tensor([[0.36, 0.48, 0.16]]), torch.tensor([[1 / 3, 1 / 3, 1 / 3]])
        >>> jensen_shannon_divergence()(p, q)
        tensor(0.0225, dtype=torch.float64)
    """
    return _divergence_metric(
        "jensen_shannon_divergence",
        _js_rows,
        JensenShannonDivergenceState,
        SamplewiseJensenShannonDivergenceState,
        log_prob,
        reduction,
        validate_args,
    )
