"""Continuous ranked probability score of an ensemble forecast.

For an ensemble ``x_1..x_M`` and an observation ``y``:
``CRPS = mean_j |x_j - y| - sum_{j,k} |x_j - x_k| / (2 M^2)``. The pairwise sum is
taken from the sorted ensemble, ``sum_{j,k} |x_j - x_k| = 2 sum_j (2j - M + 1) x_(j)``
(``j`` from 0), in O(M log M) instead of O(M^2) memory and time.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import check_finite
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.regression import _parameter_docs as parameter_docs
from metrix.regression._inputs import check_bool, check_tensor, to_f64
from metrix.regression._sum_count import mean_of, sum_count_metric, weighted_sum

__all__ = ["ContinuousRankedProbabilityScoreState", "continuous_ranked_probability_score"]


@state
class ContinuousRankedProbabilityScoreState:
    """Sum of per-sample CRPS and number of samples."""

    total: Tensor = leaf("sum")  # float64 (): sum of w * CRPS over samples
    weight: Tensor = leaf("sum")  # float64 (): number of samples, weighted


@factory(higher_is_better=False)
@parameter_docs.SCALAR
def continuous_ranked_probability_score(*, validate_args: bool = True) -> Metric:
    """Mean continuous ranked probability score of ensemble forecasts (lower is better).

    Same values as
    ``torchmetrics.functional.regression.continuous_ranked_probability_score``.
    ``update(state, preds, target)`` takes ``preds`` of shape ``(N, M)`` (an ensemble of
    ``M >= 2`` members per sample) and ``target`` of shape ``(N,)``; with
    ``sample_weight=w`` (shape ``(N,)``, non-negative) the mean is weighted.

    Example:
        >>> import torch
        >>> from metrix.regression import continuous_ranked_probability_score
        >>> preds = torch.tensor([[0.0, 1.0, 2.0], [1.0, 2.0, 4.0]])
        >>> continuous_ranked_probability_score()(preds, torch.tensor([1.0, 2.0]))
        tensor(0.2778, dtype=torch.float64)
    """
    validate_args = check_bool(validate_args, "validate_args")

    def batch(preds: Any, target: Any, sample_weight: Any) -> tuple[Tensor, Any]:
        check_tensor(preds, "preds")
        check_tensor(target, "target")
        if preds.dim() != 2 or target.dim() != 1 or preds.shape[0] != target.shape[0]:
            raise ValueError(
                "continuous_ranked_probability_score expects preds of shape (N, M) and target of shape (N,), "
                f"got preds {tuple(preds.shape)} and target {tuple(target.shape)}"
            )
        m = preds.shape[1]
        if m < 2:
            raise ValueError(
                f"continuous_ranked_probability_score needs at least 2 ensemble members, got preds {tuple(preds.shape)}"
            )
        x, y = to_f64(preds), to_f64(target)
        check_finite(x, "preds", enabled=validate_args)
        check_finite(y, "target", enabled=validate_args)
        spread = (x - y.unsqueeze(1)).abs().sum(1) / m
        xs = x.sort(dim=1).values
        rank_weight = 2 * torch.arange(m, dtype=x.dtype, device=x.device) - (m - 1)
        pairwise = 2 * (xs * rank_weight).sum(1)
        scores = spread - pairwise / (2 * m * m)
        return weighted_sum(
            scores, sample_weight, "continuous_ranked_probability_score", validate_args=validate_args, like=x
        )

    return sum_count_metric(
        "continuous_ranked_probability_score",
        ContinuousRankedProbabilityScoreState,
        batch,
        mean_of,
        key=("continuous_ranked_probability_score", validate_args),
    )
