"""Percentage errors: MAPE, symmetric MAPE and weighted MAPE.

Denominators near zero are clamped to ``EPSILON`` (the constant TorchMetrics uses),
so a zero target gives a large but finite error instead of inf. Each takes
``update(..., sample_weight=w)``, one non-negative weight per row along dim 0
(scikit-learn's semantics for ``mean_absolute_percentage_error``); WMAPE weights both
its sums, ``sum(w |preds - target|) / sum(w |target|)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix._core.weights import check_sample_weight, row_weights
from metrix.regression import _parameter_docs as parameter_docs
from metrix.regression._inputs import F64, check_bool, paired
from metrix.regression._sum_count import S, mean_of, sum_count_metric, weighted_sum

__all__ = [
    "MeanAbsolutePercentageErrorState",
    "SymmetricMeanAbsolutePercentageErrorState",
    "WeightedMeanAbsolutePercentageErrorState",
    "mean_absolute_percentage_error",
    "symmetric_mean_absolute_percentage_error",
    "weighted_mean_absolute_percentage_error",
]

EPSILON = 1.17e-06


@state
class MeanAbsolutePercentageErrorState:
    """Sum of relative errors and number of elements."""

    total: Tensor = leaf("sum")  # float64 (): sum of w * |preds - target| / max(|target|, eps)
    weight: Tensor = leaf("sum")  # float64 (): number of elements, weighted


@state
class SymmetricMeanAbsolutePercentageErrorState:
    """Sum of symmetric relative errors and number of elements."""

    total: Tensor = leaf("sum")  # float64 (): sum of w * 2 |preds - target| / max(|target| + |preds|, eps)
    weight: Tensor = leaf("sum")  # float64 (): number of elements, weighted


@state
class WeightedMeanAbsolutePercentageErrorState:
    """Sum of absolute errors and sum of absolute targets."""

    error: Tensor = leaf("sum")  # float64 (): sum of w * |preds - target|
    scale: Tensor = leaf("sum")  # float64 (): sum of w * |target|


def _ape(p: Tensor, t: Tensor) -> Tensor:
    return (p - t).abs() / t.abs().clamp(min=EPSILON)


def _sape(p: Tensor, t: Tensor) -> Tensor:
    return 2 * (p - t).abs() / (t.abs() + p.abs()).clamp(min=EPSILON)


def _mean_error_metric(
    name: str, state_cls: Callable[[Tensor, Tensor], S], errors: Callable[[Tensor, Tensor], Tensor], validate_args: Any
) -> Metric:
    """The mean of ``errors(preds, target)`` over every element (weighted by ``sample_weight``)."""
    validate_args = check_bool(validate_args, "validate_args")

    def batch(preds: Any, target: Any, sample_weight: Any) -> tuple[Tensor, Any]:
        p, t = paired(preds, target, validate_args=validate_args)
        return weighted_sum(errors(p, t), sample_weight, name, validate_args=validate_args)

    return sum_count_metric(name, state_cls, batch, mean_of, key=(name, validate_args))


@factory(higher_is_better=False)
@parameter_docs.SCALAR
def mean_absolute_percentage_error(*, validate_args: bool = True) -> Metric:
    """Mean absolute percentage error ``mean(|preds - target| / max(|target|, 1.17e-6))``.

    Same values as ``torchmetrics.functional.regression.mean_absolute_percentage_error``
    (and scikit-learn's, which clamps at machine epsilon instead). Inputs of any shape;
    the mean runs over every element. The result is a fraction, not a percentage.

    Example:
        >>> import torch
        >>> from metrix.regression import mean_absolute_percentage_error
        >>> mean_absolute_percentage_error()(torch.tensor([0.9, 15.0, 1.2e6]), torch.tensor([1.0, 10.0, 1e6]))
        tensor(0.2667, dtype=torch.float64)
    """
    return _mean_error_metric("mean_absolute_percentage_error", MeanAbsolutePercentageErrorState, _ape, validate_args)


@factory(higher_is_better=False)
@parameter_docs.SCALAR
def symmetric_mean_absolute_percentage_error(*, validate_args: bool = True) -> Metric:
    """Symmetric MAPE ``mean(2 |preds - target| / max(|target| + |preds|, 1.17e-6))``.

    Same values as
    ``torchmetrics.functional.regression.symmetric_mean_absolute_percentage_error``;
    it lies in ``[0, 2]``.

    Example:
        >>> import torch
        >>> from metrix.regression import symmetric_mean_absolute_percentage_error
        >>> smape = symmetric_mean_absolute_percentage_error()
        >>> smape(torch.tensor([0.9, 15.0, 1.2e6]), torch.tensor([1.0, 10.0, 1e6]))
        tensor(0.2290, dtype=torch.float64)
    """
    name = "symmetric_mean_absolute_percentage_error"
    return _mean_error_metric(name, SymmetricMeanAbsolutePercentageErrorState, _sape, validate_args)


@factory(higher_is_better=False)
@parameter_docs.SCALAR
def weighted_mean_absolute_percentage_error(*, validate_args: bool = True) -> Metric:
    """Weighted MAPE ``sum(|preds - target|) / max(sum(|target|), 1.17e-6)``.

    Same values as
    ``torchmetrics.functional.regression.weighted_mean_absolute_percentage_error``:
    errors are weighted by the size of their target, so small targets do not dominate.

    Example:
        >>> import torch
        >>> from metrix.regression import weighted_mean_absolute_percentage_error
        >>> wmape = weighted_mean_absolute_percentage_error()
        >>> wmape(torch.tensor([0.9, 15.0, 1.2]), torch.tensor([1.0, 10.0, 1.0]))
        tensor(0.4417, dtype=torch.float64)
    """
    validate_args = check_bool(validate_args, "validate_args")
    cls = WeightedMeanAbsolutePercentageErrorState

    def init(*, device: Any = None) -> WeightedMeanAbsolutePercentageErrorState:
        return cls(torch.zeros((), dtype=F64, device=device), torch.zeros((), dtype=F64, device=device))

    def update(
        s: WeightedMeanAbsolutePercentageErrorState, preds: Any, target: Any, *, sample_weight: Any = None
    ) -> WeightedMeanAbsolutePercentageErrorState:
        p, t = paired(preds, target, validate_args=validate_args)
        errors, scale = (p - t).abs(), t.abs()
        if sample_weight is not None:
            w = check_sample_weight(
                sample_weight, p, "weighted_mean_absolute_percentage_error", validate_args=validate_args
            )
            errors, scale = errors * row_weights(w, p), scale * row_weights(w, p)
        return cls(s.error + errors.sum(), s.scale + scale.sum())

    def compute(s: WeightedMeanAbsolutePercentageErrorState) -> Tensor:
        return s.error / s.scale.clamp(min=EPSILON)

    return Metric(
        init,
        update,
        compute,
        name="weighted_mean_absolute_percentage_error",
        key=("weighted_mean_absolute_percentage_error", validate_args),
    )
