"""Tweedie deviance: the deviance of a Tweedie distribution with a given ``power``.

``power`` selects the distribution: 0 normal (squared error), 1 Poisson, 2 gamma,
3 inverse Gaussian, ``1 < power < 2`` compound Poisson-gamma. It is closed over, so
the branch on it is resolved once, when the metric is built.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import check
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.regression._inputs import check_bool, check_number, paired
from metrix.regression._sum_count import mean_of, sum_count_metric, weighted_sum

__all__ = ["TweedieDevianceScoreState", "tweedie_deviance_score"]


@state
class TweedieDevianceScoreState:
    """Sum of unit deviances and number of elements."""

    total: Tensor = leaf("sum")  # float64 (): sum of weighted unit deviances
    weight: Tensor = leaf("sum")  # float64 (): number of elements, weighted


def _xlogy(x: Tensor, y: Tensor) -> Tensor:
    # x * log(y), with 0 where x == 0 (the limit), even when y is 0 or inf there.
    safe_y = torch.where(x == 0, torch.ones_like(y), y)
    return torch.where(x == 0, torch.zeros_like(x), x * torch.log(safe_y))


def _domain(power: float) -> tuple[str, str]:
    """What ``preds`` and ``targets`` must satisfy: ``(preds rule, targets rule)``."""
    if power == 0:
        return "any", "any"
    if power < 0:
        return "positive", "any"
    if 1 <= power < 2:
        return "positive", "non-negative"
    return "positive", "positive"


def _deviance(p: Tensor, y: Tensor, power: float) -> Tensor:
    if power == 0:
        return (y - p) ** 2
    if power == 1:
        return 2 * (_xlogy(y, y / p) + p - y)
    if power == 2:
        return 2 * (torch.log(p / y) + y / p - 1)
    a = torch.clamp(y, min=0).pow(2 - power) / ((1 - power) * (2 - power))
    b = y * p.pow(1 - power) / (1 - power)
    c = p.pow(2 - power) / (2 - power)
    return 2 * (a - b + c)


@factory(higher_is_better=False)
def tweedie_deviance_score(power: float = 0.0, *, validate_args: bool = True) -> Metric:
    """Mean Tweedie deviance of ``preds`` (predicted means) against ``targets``.

    Same arguments, defaults and values as
    ``torchmetrics.functional.regression.tweedie_deviance_score`` and scikit-learn's
    ``mean_tweedie_deviance`` (with its ``sample_weight``: one non-negative weight per
    row along dim 0, passed as ``update(..., sample_weight=w)``).

    Args:
        power: ``power <= 0`` or ``power >= 1`` (the deviance is undefined in
            ``(0, 1)``). Domains: ``power < 0`` needs positive preds; ``1 <= power < 2``
            positive preds and non-negative targets; ``power >= 2`` both positive.
        validate_args: check that inputs are finite and in the power's domain (shapes are
            always checked).

    Returns:
        A metric whose ``update(state, preds, targets, *, sample_weight=None)`` takes two
        tensors of one shape and whose value is a float64 scalar.

    Example:
        >>> import torch
        >>> from metrix.regression import tweedie_deviance_score
        >>> tweedie_deviance_score(power=2)(torch.tensor([4.0, 3.0, 2.0, 1.0]), torch.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor(1.2083, dtype=torch.float64)
    """
    # the deviance is undefined for powers in (0, 1)
    power = check_number(power, "power", "a finite number <= 0 or >= 1", lambda v: math.isfinite(v) and not 0 < v < 1)
    validate_args = check_bool(validate_args, "validate_args")
    preds_rule, targets_rule = _domain(power)
    # formatted here, not while tracing: under dynamic=True a closed-over number is symbolic
    prefix = f"tweedie_deviance_score(power={power})"

    def batch(preds: Any, targets: Any, sample_weight: Any) -> tuple[Tensor, Any]:
        p, y = paired(preds, targets, validate_args=validate_args, names=("preds", "targets"))
        if preds_rule == "positive":
            check(p > 0, f"{prefix}: preds must be strictly positive", enabled=validate_args)
        if targets_rule == "positive":
            check(
                y > 0,
                f"{prefix}: targets must be strictly positive",
                enabled=validate_args,
            )
        elif targets_rule == "non-negative":
            check(y >= 0, f"{prefix}: targets cannot be negative", enabled=validate_args)
        return weighted_sum(
            _deviance(p, y, power), sample_weight, "tweedie_deviance_score", validate_args=validate_args
        )

    return sum_count_metric(
        "tweedie_deviance_score",
        TweedieDevianceScoreState,
        batch,
        mean_of,
        key=("tweedie_deviance_score", power, validate_args),
    )
