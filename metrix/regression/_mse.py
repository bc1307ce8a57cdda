"""Mean squared error and its root: ``sum((preds - target)^2) / n``.

The state is one float64 sum of squared errors per output and one int64 count, so
``mean_squared_error(squared=True)`` and ``(squared=False)`` with the same
``num_outputs`` share a state (and one update) inside a collection.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.regression._inputs import check_bool, check_num_outputs, outputs_2d, paired
from metrix.regression._sum_count import mean_of, sum_count_metric, weighted_sum

__all__ = ["MeanSquaredErrorState", "mean_squared_error"]


@state
class MeanSquaredErrorState:
    """Sum of squared errors and number of observations."""

    total: Tensor = leaf("sum")  # float64 () or (num_outputs,): sum of w * (preds - target)^2
    weight: Tensor = leaf("sum")  # float64 (): elements (num_outputs=1) or rows (num_outputs>1), weighted


@factory(higher_is_better=False)
def mean_squared_error(squared: bool = True, num_outputs: int = 1, *, validate_args: bool = True) -> Metric:
    """Mean squared error ``sum((preds - target)^2) / n``, or its root with ``squared=False``.

    Same arguments, defaults and values as
    ``torchmetrics.functional.regression.mean_squared_error`` (and scikit-learn's
    ``mean_squared_error`` / ``root_mean_squared_error`` with
    ``multioutput="raw_values"``). Sums are kept in float64.

    Args:
        squared: ``True`` for MSE, ``False`` for RMSE.
        num_outputs: ``1`` averages over every element of any shape; ``k > 1`` expects
            inputs of shape ``(N, k)`` and returns one value per output column.
        validate_args: check that inputs (and weights) are finite (shapes are always checked).

    Returns:
        A metric whose ``update(state, preds, target, *, sample_weight=None)`` takes two
        tensors of one shape and optionally one non-negative weight per sample (row along
        dim 0, as scikit-learn's ``sample_weight``), and whose value is a float64 scalar,
        or a ``(num_outputs,)`` vector.

    Example:
        >>> import torch
        >>> from metrix.regression import mean_squared_error
        >>> preds, target = torch.tensor([0.0, 1, 2, 3]), torch.tensor([0.0, 1, 2, 2])
        >>> mean_squared_error()(preds, target)
        tensor(0.2500, dtype=torch.float64)
        >>> mean_squared_error(squared=False)(preds, target)
        tensor(0.5000, dtype=torch.float64)
        >>> mean_squared_error()(preds, target, sample_weight=torch.tensor([1.0, 1, 1, 5]))
        tensor(0.6250, dtype=torch.float64)
    """
    squared = check_bool(squared, "squared")
    name = "mean_squared_error" if squared else "root_mean_squared_error"
    num_outputs = check_num_outputs(num_outputs)
    validate_args = check_bool(validate_args, "validate_args")

    def batch(preds: Any, target: Any, sample_weight: Any) -> tuple[Tensor, Any]:
        p, t = paired(preds, target, validate_args=validate_args)
        outputs_2d(p, num_outputs)
        diff = p - t
        return weighted_sum(diff * diff, sample_weight, name, validate_args=validate_args, outputs=num_outputs > 1)

    def finish(total: Tensor, weight: Tensor) -> Tensor:
        mse = mean_of(total, weight)
        return mse if squared else torch.sqrt(mse)

    shape = () if num_outputs == 1 else (num_outputs,)
    key = ("mean_squared_error", num_outputs, validate_args)
    return sum_count_metric(name, MeanSquaredErrorState, batch, finish, shape=shape, key=key)
