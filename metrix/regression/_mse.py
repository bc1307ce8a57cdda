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
from metrix.regression._sum_count import mean_of, sum_count_metric

__all__ = ["MeanSquaredErrorState", "mean_squared_error"]


@state
class MeanSquaredErrorState:
    """Sum of squared errors and number of observations."""

    total: Tensor = leaf("sum")  # float64 () or (num_outputs,): sum of (preds - target)^2
    count: Tensor = leaf("sum")  # int64 (): elements (num_outputs=1) or rows (num_outputs>1)


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
        validate_args: check that inputs are finite (shapes are always checked).

    Returns:
        A metric whose ``update(state, preds, target)`` takes two tensors of one shape and
        whose value is a float64 scalar, or a ``(num_outputs,)`` vector.

    Example:
        >>> import torch
        >>> from metrix.regression import mean_squared_error
        >>> preds, target = torch.tensor([0.0, 1, 2, 3]), torch.tensor([0.0, 1, 2, 2])
        >>> mean_squared_error()(preds, target)
        tensor(0.2500, dtype=torch.float64)
        >>> mean_squared_error(squared=False)(preds, target)
        tensor(0.5000, dtype=torch.float64)
    """
    squared = check_bool(squared, "squared")
    num_outputs = check_num_outputs(num_outputs)
    validate_args = check_bool(validate_args, "validate_args")

    def batch(preds: Any, target: Any) -> tuple[Tensor, int]:
        p, t = paired(preds, target, validate_args=validate_args)
        outputs_2d(p, num_outputs)
        if num_outputs == 1:
            p, t = p.reshape(-1), t.reshape(-1)
        diff = p - t
        return (diff * diff).sum(0), t.shape[0]

    def finish(total: Tensor, count: Tensor) -> Tensor:
        mse = mean_of(total, count)
        return mse if squared else torch.sqrt(mse)

    shape = () if num_outputs == 1 else (num_outputs,)
    key = ("mean_squared_error", num_outputs, validate_args)
    name = "mean_squared_error" if squared else "root_mean_squared_error"
    return sum_count_metric(name, MeanSquaredErrorState, batch, finish, shape=shape, key=key)
