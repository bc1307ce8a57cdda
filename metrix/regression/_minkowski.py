"""Minkowski distance: ``(sum |preds - target|^p)^(1/p)`` over every element."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.regression import _parameter_docs as parameter_docs
from metrix.regression._inputs import check_bool, check_number, paired
from metrix.regression._sum_count import sum_count_metric, weighted_sum

__all__ = ["MinkowskiDistanceState", "minkowski_distance"]


@state
class MinkowskiDistanceState:
    """Sum of ``w |preds - target|^p`` (the total weight is kept for symmetry, not needed by the value)."""

    total: Tensor = leaf("sum")  # float64 (): sum of w * |preds - target|^p
    weight: Tensor = leaf("sum")  # float64 (): number of elements, weighted


@factory(higher_is_better=False)
@parameter_docs.SCALAR
def minkowski_distance(p: float, *, validate_args: bool = True) -> Metric:
    """Minkowski distance ``(sum |preds - target|^p)^(1/p)`` between two tensors.

    Same arguments and values as ``torchmetrics.functional.regression.minkowski_distance``
    (``p=1`` is the Manhattan and ``p=2`` the Euclidean distance). The sum is taken over
    every element of every batch. With ``update(..., sample_weight=w)`` (one non-negative
    weight per row along dim 0) it is ``(sum w |preds - target|^p)^(1/p)``, as
    ``scipy.spatial.distance.minkowski(u, v, p, w)``.

    Args:
        p: the order, a finite number ``>= 1``.

    Example:
        >>> import torch
        >>> from metrix.regression import minkowski_distance
        >>> minkowski_distance(p=3)(torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([-1.0, 0.0, 4.0, 5.0]))
        tensor(2.6207, dtype=torch.float64)
    """
    check_number(p, "p", "a finite float or int >= 1", lambda v: math.isfinite(v) and v >= 1)
    order = float(p)
    validate_args = check_bool(validate_args, "validate_args")

    def batch(preds: Any, target: Any, sample_weight: Any) -> tuple[Tensor, Any]:
        x, y = paired(preds, target, validate_args=validate_args, names=("preds", "targets"))
        return weighted_sum((x - y).abs().pow(order), sample_weight, "minkowski_distance", validate_args=validate_args)

    def finish(total: Tensor, weight: Tensor) -> Tensor:
        return torch.pow(total, 1.0 / order)

    return sum_count_metric(
        "minkowski_distance", MinkowskiDistanceState, batch, finish, key=("minkowski_distance", order, validate_args)
    )
