"""Log-cosh error: ``mean(log(cosh(preds - target)))``, per output."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.regression import _parameter_docs as parameter_docs
from metrix.regression._inputs import check_bool, check_num_outputs, paired
from metrix.regression._sum_count import mean_of, sum_count_metric, weighted_sum

__all__ = ["LogCoshErrorState", "log_cosh_error"]


@state
class LogCoshErrorState:
    """Sum of log-cosh errors per output and number of rows."""

    total: Tensor = leaf("sum")  # float64 () or (num_outputs,): sum of w * log(cosh(preds - target))
    weight: Tensor = leaf("sum")  # float64 (): number of rows, weighted


def _log_cosh(x: Tensor) -> Tensor:
    # log(cosh(x)) = |x| + log1p(exp(-2|x|)) - log(2): no overflow of exp for large |x|.
    a = x.abs()
    return a + torch.log1p(torch.exp(-2 * a)) - math.log(2.0)


@factory(higher_is_better=False)
@parameter_docs.MEAN_OUTPUTS
def log_cosh_error(*, num_outputs: int = 1, validate_args: bool = True) -> Metric:
    """Log-cosh error ``mean(log(cosh(preds - target)))``: like MSE near 0, like MAE far out.

    Same values as ``torchmetrics.functional.regression.log_cosh_error``; with
    ``update(..., sample_weight=w)`` (one non-negative weight per row) the weighted mean. That function
    reads the number of outputs from the input's shape; a metric's state has a fixed
    size, so ``num_outputs`` is given here (as for TorchMetrics' ``LogCoshError``).

    Args:
        num_outputs: ``1`` for inputs of shape ``(N,)`` or ``(N, 1)``; ``k > 1`` for
            inputs of shape ``(N, k)``, with one value per output column.

    Example:
        >>> import torch
        >>> from metrix.regression import log_cosh_error
        >>> log_cosh_error()(torch.tensor([3.0, 5.0, 2.5, 7.0]), torch.tensor([2.5, 5.0, 4.0, 8.0]))
        tensor(0.3523, dtype=torch.float64)
    """
    num_outputs = check_num_outputs(num_outputs)
    validate_args = check_bool(validate_args, "validate_args")

    def batch(preds: Any, target: Any, sample_weight: Any) -> tuple[Tensor, Any]:
        p, t = paired(preds, target, validate_args=validate_args)
        if p.dim() > 2:
            raise ValueError(f"log_cosh_error expects preds of shape (N,) or (N, k), got {tuple(p.shape)}")
        width = 1 if p.dim() == 1 else p.shape[1]
        if width != num_outputs:
            raise ValueError(
                f"log_cosh_error(num_outputs={num_outputs}) got preds with {width} output column(s), "
                f"shape {tuple(p.shape)}; pass num_outputs={width} or reshape the inputs"
            )
        err = _log_cosh(p - t)
        if num_outputs == 1:
            err = err.reshape(-1)
        return weighted_sum(err, sample_weight, "log_cosh_error", validate_args=validate_args, outputs=num_outputs > 1)

    shape = () if num_outputs == 1 else (num_outputs,)
    return sum_count_metric(
        "log_cosh_error",
        LogCoshErrorState,
        batch,
        mean_of,
        shape=shape,
        key=("log_cosh_error", num_outputs, validate_args),
    )
