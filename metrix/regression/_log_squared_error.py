"""Mean squared logarithmic error: ``mean((log(1 + preds) - log(1 + target))^2)``."""

from __future__ import annotations

from typing import Any

from torch import Tensor

from metrix._core.checks import check
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.regression import _parameter_docs as parameter_docs
from metrix.regression._inputs import check_bool, paired
from metrix.regression._sum_count import mean_of, sum_count_metric, weighted_sum

__all__ = ["MeanSquaredLogErrorState", "mean_squared_log_error"]


@state
class MeanSquaredLogErrorState:
    """Sum of squared log errors and number of elements."""

    total: Tensor = leaf("sum")  # float64 (): sum of w * (log1p(preds) - log1p(target))^2
    weight: Tensor = leaf("sum")  # float64 (): number of elements, weighted


@factory(higher_is_better=False)
@parameter_docs.SCALAR
def mean_squared_log_error(*, validate_args: bool = True) -> Metric:
    """Mean squared logarithmic error ``mean((log1p(preds) - log1p(target))^2)``.

    Same values as ``torchmetrics.functional.regression.mean_squared_log_error`` and
    scikit-learn's ``mean_squared_log_error`` (with its ``sample_weight``: pass
    ``update(..., sample_weight=w)``, one non-negative weight per row along dim 0).
    ``log1p`` is defined above ``-1`` only: values ``<= -1`` are refused (as
    scikit-learn does) instead of giving NaN.

    Args:
        validate_args: check that inputs are finite and greater than -1 (shapes are
            always checked).

    Example:
        >>> import torch
        >>> from metrix.regression import mean_squared_log_error
        >>> mean_squared_log_error()(torch.tensor([0.0, 1, 2, 3]), torch.tensor([0.0, 1, 2, 2]))
        tensor(0.0207, dtype=torch.float64)
    """
    validate_args = check_bool(validate_args, "validate_args")

    def batch(preds: Any, target: Any, sample_weight: Any) -> tuple[Tensor, Any]:
        p, t = paired(preds, target, validate_args=validate_args)
        check(
            (p > -1) & (t > -1),
            "mean_squared_log_error: preds and target must be greater than -1 (log1p is undefined at or below -1)",
            enabled=validate_args,
        )
        diff = p.log1p() - t.log1p()
        return weighted_sum(diff * diff, sample_weight, "mean_squared_log_error", validate_args=validate_args)

    return sum_count_metric(
        "mean_squared_log_error",
        MeanSquaredLogErrorState,
        batch,
        mean_of,
        key=("mean_squared_log_error", validate_args),
    )
