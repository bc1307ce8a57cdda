"""Mean absolute error: ``sum(|preds - target|) / n``."""

from __future__ import annotations

from typing import Any

from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.regression import _parameter_docs as parameter_docs
from metrix.regression._inputs import check_bool, check_num_outputs, outputs_2d, paired
from metrix.regression._sum_count import mean_of, sum_count_metric, weighted_sum

__all__ = ["MeanAbsoluteErrorState", "mean_absolute_error"]


@state
class MeanAbsoluteErrorState:
    """Sum of absolute errors and number of observations."""

    total: Tensor = leaf("sum")  # float64 () or (num_outputs,): sum of w * |preds - target|
    weight: Tensor = leaf("sum")  # float64 (): elements (num_outputs=1) or rows (num_outputs>1), weighted


@factory(higher_is_better=False)
@parameter_docs.MEAN_OUTPUTS
def mean_absolute_error(num_outputs: int = 1, *, validate_args: bool = True) -> Metric:
    """Mean absolute error ``sum(|preds - target|) / n``.

    Same arguments, defaults and values as
    ``torchmetrics.functional.regression.mean_absolute_error`` (and scikit-learn's
    ``mean_absolute_error`` with ``multioutput="raw_values"``, and its ``sample_weight``:
    ``update(state, preds, target, *, sample_weight=None)`` takes one non-negative weight
    per sample, i.e. per row along dim 0).

    Args:
        num_outputs: ``1`` averages over every element of any shape; ``k > 1`` expects
            inputs of shape ``(N, k)`` and returns one value per output column.
        validate_args: check that inputs and weights are finite (shapes are always checked).

    Example:
        >>> import torch
        >>> from metrix.regression import mean_absolute_error
        >>> mean_absolute_error()(torch.tensor([0.0, 1, 2, 3]), torch.tensor([0.0, 1, 2, 2]))
        tensor(0.2500, dtype=torch.float64)
    """
    num_outputs = check_num_outputs(num_outputs)
    validate_args = check_bool(validate_args, "validate_args")

    def batch(preds: Any, target: Any, sample_weight: Any) -> tuple[Tensor, Any]:
        p, t = paired(preds, target, validate_args=validate_args)
        outputs_2d(p, num_outputs)
        errors = (p - t).abs()
        return weighted_sum(
            errors, sample_weight, "mean_absolute_error", validate_args=validate_args, outputs=num_outputs > 1
        )

    shape = () if num_outputs == 1 else (num_outputs,)
    key = ("mean_absolute_error", num_outputs, validate_args)
    return sum_count_metric("mean_absolute_error", MeanAbsoluteErrorState, batch, mean_of, shape=shape, key=key)
