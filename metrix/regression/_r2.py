"""R², explained variance, relative squared error and normalized RMSE.

All four read one state (see :mod:`metrix.regression._moments`): the count and total weight, exact
double-double sums of ``y = target`` and of the residual ``d = target - preds``, of
``y²`` and ``d²``, and the extrema of ``y`` and ``d``. From it:

* ``SS_res = sum(d²)`` (a raw sum: no cancellation),
* ``SS_tot = sum((y - mean(y))²)`` and ``sum((d - mean(d))²)`` (exact centred moments),
* ``mean(y)``, ``max(y) - min(y)``, ``std(y)`` and ``||y||₂`` for NRMSE.

Metrics built with the same ``num_outputs``/``validate_args`` (and input layout) share
``Metric.key``, so a collection of them updates the state once per batch.

All four take ``update(..., sample_weight=w)``, one non-negative weight per sample, with
scikit-learn's semantics (``r2_score``, ``explained_variance_score``): weighted sums of
squares around the weighted mean. ``n`` in adjusted R² and the population variances is
the total weight (frequency weights: an integer weight ``k`` counts a sample ``k`` times).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import check, is_tracing, warn, warn_if
from metrix._core.metric import Metric, factory
from metrix.regression._inputs import check_bool, check_choice, check_int
from metrix.regression._moments import (
    MomentState,
    check_num_outputs,
    check_validate_args,
    comoment,
    mean,
    moment_init,
    moment_update,
    paired_outputs,
    raw_sum,
    sample_weights,
)

__all__ = ["explained_variance", "normalized_root_mean_squared_error", "r2_score", "relative_squared_error"]

_F64 = torch.float64
_PAIRS = ((0, 0), (1, 1))  # yy, dd
_MULTIOUTPUT = ("raw_values", "uniform_average", "variance_weighted")
_NORMALIZATIONS = ("mean", "range", "std", "l2")


# TorchMetrics answers a constant target by convention, silently; metrix says so once
_CONSTANT_TARGET = "target is constant (zero variance): the score is 1 for a perfect fit, else 0, by convention"


def _check_multioutput(multioutput: Any) -> str:
    check_choice(multioutput, "multioutput", _MULTIOUTPUT)
    return multioutput


def _residual_metric(name: str, num_outputs: int, validate_args: Any, reduce: Any, *, flatten: bool = False) -> Metric:
    validate_args = check_validate_args(validate_args)
    d = num_outputs

    def init(*, device: Any = None) -> MomentState:
        return moment_init(2, 2, d, device)

    def update(s: MomentState, preds: Tensor, target: Tensor, *, sample_weight: Any = None) -> MomentState:
        x, y = paired_outputs(preds, target, d, validate_args=validate_args, flatten=flatten)
        w = sample_weights(sample_weight, preds, x.shape[0], name, validate_args=validate_args)
        return moment_update(s, torch.stack([y, y - x], 1), _PAIRS, w)

    key = ("regression_residual_moments", d, validate_args, flatten and d == 1)
    return Metric(init, update, reduce, name=name, key=key)


def _average(scores: Tensor, weights: Tensor, multioutput: str, d: int) -> Tensor:
    if multioutput == "raw_values":
        return scores[0] if d == 1 else scores
    if multioutput == "uniform_average":
        return scores.mean()
    return (weights / weights.sum() * scores).sum()


@factory(higher_is_better=True)
def r2_score(
    adjusted: int = 0, multioutput: str = "uniform_average", *, num_outputs: int = 1, validate_args: bool = True
) -> Metric:
    r"""Coefficient of determination :math:`R^2 = 1 - SS_{res} / SS_{tot}`.

    Same arguments and values as ``torchmetrics.functional.regression.r2_score``:
    an output whose ``SS_res`` is within 1e-4 of zero scores 1, one whose ``SS_tot``
    is within 1e-4 of zero (and ``SS_res`` is not) scores 0. With ``adjusted=k``,
    :math:`R^2_{adj} = 1 - (1 - R^2)(n - 1)/(n - k - 1)`; when ``k >= n - 1`` the
    plain score is returned with a warning (in eager). ``SS_tot`` comes from exact
    moments, so float32 targets far from zero keep all their digits.

    Args:
        adjusted: number of independent regressors ``k`` (0: plain R²).
        multioutput: ``"raw_values"`` (one score per output), ``"uniform_average"`` or
            ``"variance_weighted"`` (weighted by each output's ``SS_tot``).
        num_outputs: number of outputs; inputs are ``(N,)`` for 1, else ``(N, num_outputs)``.
        validate_args: check input values (NaN/inf); shapes are always checked.

    Returns:
        A metric computing the score (float64). ``compute`` raises ``ValueError`` with
        fewer than two samples.

    Example:
        >>> import torch
        >>> from metrix.regression import r2_score
        >>> r2_score()(torch.tensor([2.5, 0.0, 2, 8]), torch.tensor([3, -0.5, 2, 7]))
        tensor(0.9486, dtype=torch.float64)
    """
    check_int(adjusted, "adjusted", 0)  # the number of regressors
    multioutput = _check_multioutput(multioutput)
    d = check_num_outputs(num_outputs)

    def compute(s: MomentState) -> Tensor:
        check(s.count >= 2, "r2_score needs at least two samples")
        rss = raw_sum(s, 1)
        tss = comoment(s, 0, 0, 0)
        rss_zero = rss.abs() <= 1e-4  # TorchMetrics' isclose(., 0, atol=1e-4)
        tss_zero = tss.abs() <= 1e-4
        raw = torch.where(rss_zero, 1.0, torch.where(tss_zero, 0.0, 1 - rss / torch.where(tss_zero, 1.0, tss)))
        warn_if(tss_zero, "r2_score", _CONSTANT_TARGET)
        r2 = _average(raw, tss, multioutput, d)
        if adjusted == 0:
            return r2
        n = s.weight  # the number of samples, or the total weight (frequency weights)
        if not is_tracing(n) and adjusted >= float(n) - 1:
            what = "More independent regressors than data points" if adjusted > float(n) - 1 else "Division by zero"
            warn("r2_score", f"{what} in the adjusted score (adjusted={adjusted}): falls back to the plain r2 score")
        denom = n - adjusted - 1
        return torch.where(denom > 0, 1 - (1 - r2) * (n - 1) / torch.where(denom > 0, denom, 1.0), r2)

    return _residual_metric("r2_score", d, validate_args, compute)


@factory(higher_is_better=True)
def explained_variance(
    multioutput: str = "uniform_average", *, num_outputs: int = 1, validate_args: bool = True
) -> Metric:
    r"""Explained variance :math:`1 - \operatorname{Var}(y - \hat y) / \operatorname{Var}(y)`.

    Same arguments and values as ``torchmetrics.functional.regression.explained_variance``:
    an output with constant residuals scores 1, one with a constant target (and
    non-constant residuals) scores 0. Both variances come from exact moments, so
    float32 data far from zero keeps all its digits.

    Args:
        multioutput: ``"raw_values"``, ``"uniform_average"`` or ``"variance_weighted"``
            (weighted by each output's target variance).
        num_outputs: number of outputs; inputs are ``(N,)`` for 1, else ``(N, num_outputs)``.
        validate_args: check input values (NaN/inf); shapes are always checked.

    Returns:
        A metric computing the score (float64).

    Example:
        >>> import torch
        >>> from metrix.regression import explained_variance
        >>> explained_variance()(torch.tensor([2.5, 0.0, 2, 8]), torch.tensor([3, -0.5, 2, 7]))
        tensor(0.9572, dtype=torch.float64)
    """
    multioutput = _check_multioutput(multioutput)
    d = check_num_outputs(num_outputs)

    def compute(s: MomentState) -> Tensor:
        n = s.weight
        numerator = comoment(s, 1, 1, 1) / n
        denominator = comoment(s, 0, 0, 0) / n
        num_zero, den_zero = numerator == 0, denominator == 0
        warn_if(den_zero, "explained_variance", _CONSTANT_TARGET)
        raw = torch.where(
            num_zero, 1.0, torch.where(den_zero, 0.0, 1 - numerator / torch.where(den_zero, 1.0, denominator))
        )
        return _average(raw, denominator, multioutput, d)

    return _residual_metric("explained_variance", d, validate_args, compute)


@factory(higher_is_better=False)
def relative_squared_error(squared: bool = True, *, num_outputs: int = 1, validate_args: bool = True) -> Metric:
    r"""Relative squared error :math:`\sum (y - \hat y)^2 / \sum (y - \bar y)^2`.

    Same arguments and values as ``torchmetrics.functional.regression.relative_squared_error``
    (the denominator is clamped at float32's eps; several outputs are averaged).

    Args:
        squared: ``False`` returns the root relative squared error.
        num_outputs: number of outputs; inputs are ``(N,)`` for 1, else ``(N, num_outputs)``.
        validate_args: check input values (NaN/inf); shapes are always checked.

    Returns:
        A metric computing the error (float64 scalar).

    Example:
        >>> import torch
        >>> from metrix.regression import relative_squared_error
        >>> relative_squared_error()(torch.tensor([2.5, 0.0, 2, 8]), torch.tensor([3, -0.5, 2, 7]))
        tensor(0.0514, dtype=torch.float64)
    """
    check_bool(squared, "squared")
    d = check_num_outputs(num_outputs)
    eps = torch.finfo(torch.float32).eps

    def compute(s: MomentState) -> Tensor:
        rse = raw_sum(s, 1) / torch.clamp(comoment(s, 0, 0, 0), min=eps)
        return (rse if squared else torch.sqrt(rse)).mean()

    return _residual_metric("relative_squared_error", d, validate_args, compute)


@factory(higher_is_better=False)
def normalized_root_mean_squared_error(
    normalization: str = "mean", num_outputs: int = 1, *, validate_args: bool = True
) -> Metric:
    r"""Root mean squared error divided by a scale of the target.

    Same arguments and values as
    ``torchmetrics.functional.regression.normalized_root_mean_squared_error``:
    :math:`\sqrt{\operatorname{mean}((y - \hat y)^2)} / s` with ``s`` the target's mean,
    range (max - min), population standard deviation or L2 norm, over all the data
    (streamed exactly: extrema and moments).

    Args:
        normalization: ``"mean"``, ``"range"``, ``"std"`` or ``"l2"``.
        num_outputs: number of outputs; with 1, inputs of any (equal) shape are
            flattened, else they are ``(N, num_outputs)``.
        validate_args: check input values (NaN/inf); shapes are always checked.

    Returns:
        A metric computing the score (float64; a scalar, or ``(num_outputs,)``).

    Example:
        >>> import torch
        >>> from metrix.regression import normalized_root_mean_squared_error as nrmse
        >>> nrmse("range")(torch.tensor([0.0, 1, 2, 3]), torch.tensor([0.0, 1, 2, 2]))
        tensor(0.2500, dtype=torch.float64)
    """
    check_choice(normalization, "normalization", _NORMALIZATIONS)
    d = check_num_outputs(num_outputs)

    def compute(s: MomentState) -> Tensor:
        n = s.weight
        rmse = torch.sqrt(raw_sum(s, 1) / n)
        if normalization == "mean":
            scale = mean(s, 0)
        elif normalization == "range":
            scale = s.vmax[0] - s.vmin[0]
        elif normalization == "std":
            scale = torch.sqrt(comoment(s, 0, 0, 0) / n)
        else:
            scale = torch.sqrt(raw_sum(s, 0))
        value = rmse / scale
        return value[0] if d == 1 else value

    return _residual_metric("normalized_root_mean_squared_error", d, validate_args, compute, flatten=True)
