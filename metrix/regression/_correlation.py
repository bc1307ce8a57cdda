"""Pearson and concordance correlation coefficients over exact streamed moments.

Both read one state (see :mod:`metrix.regression._moments`): the count, double-double
sums of ``x = preds`` and ``y = target``, of ``x²``, ``y²`` and ``xy``, and the extrema
of ``x`` and ``y``. Metrics built with the same ``num_outputs``/``validate_args``
share ``Metric.key``, so a collection of both updates the state once per batch.

Both take ``update(..., sample_weight=w)`` (one non-negative weight per sample) as
frequency weights: weighted means and co-moments, and ``n - 1`` becomes ``sum(w) - 1``
(NumPy's ``np.cov(..., fweights=w)`` for integer weights), so an integer weight ``k``
counts a sample ``k`` times.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import warn_if
from metrix._core.metric import Metric, factory
from metrix.regression import _parameter_docs as parameter_docs
from metrix.regression._moments import (
    MomentState,
    check_num_outputs,
    check_validate_args,
    comoment,
    mean,
    moment_init,
    moment_update,
    paired_outputs,
    sample_weights,
)

__all__ = ["concordance_corrcoef", "pearson_corrcoef"]

_PAIRS = ((0, 0), (1, 1), (0, 1))  # xx, yy, xy
# TorchMetrics calls a variance "close to zero" (and returns NaN) below this bound,
# relative to the squared largest absolute deviation from the mean; float32 is its dtype.
_BOUND = math.sqrt(torch.finfo(torch.float32).eps)


def _correlation_metric(name: str, num_outputs: Any, validate_args: Any, reduce: Any) -> Metric:
    d = check_num_outputs(num_outputs)
    validate_args = check_validate_args(validate_args)

    def init(*, device: Any = None) -> MomentState:
        return moment_init(2, 3, d, device)

    def update(s: MomentState, preds: Tensor, target: Tensor, *, sample_weight: Any = None) -> MomentState:
        x, y = paired_outputs(preds, target, d, validate_args=validate_args)
        w = sample_weights(sample_weight, preds, x.shape[0], name, validate_args=validate_args)
        return moment_update(s, torch.stack([x, y], 1), _PAIRS, w)

    def compute(s: MomentState) -> Tensor:
        value = reduce(s)
        return value[0] if d == 1 else value

    key = ("regression_correlation_moments", d, validate_args)
    return Metric(init, update, compute, name=name, key=key)


_CONSTANT = (
    "the variance of preds or target is close to zero (a constant input): the coefficient is NaN there, "
    "as in TorchMetrics"
)


def _pearson(s: MomentState, name: str) -> Tensor:
    n = s.weight
    var_x = comoment(s, 0, 0, 0) / (n - 1)
    var_y = comoment(s, 1, 1, 1) / (n - 1)
    cov = comoment(s, 2, 0, 1) / (n - 1)
    mx, my = mean(s, 0), mean(s, 1)
    # TorchMetrics' near-constant guard, with the exact largest deviation from the mean
    dev_x = torch.maximum(s.vmax[0] - mx, mx - s.vmin[0])
    dev_y = torch.maximum(s.vmax[1] - my, my - s.vmin[1])
    rel_x, rel_y = var_x / dev_x**2, var_y / dev_y**2
    bad = (rel_x < _BOUND) | (rel_y < _BOUND) | ~torch.isfinite(rel_x) | ~torch.isfinite(rel_y)
    bad = bad | ~torch.isfinite(cov / (dev_x * dev_y))
    warn_if(bad, name, _CONSTANT)
    r = torch.clamp(cov / torch.sqrt(var_x * var_y), -1.0, 1.0)
    return torch.where(bad, torch.full_like(r, torch.nan), r)


@factory(higher_is_better=None)
@parameter_docs.CORRELATION
def pearson_corrcoef(*, num_outputs: int = 1, validate_args: bool = True) -> Metric:
    r"""Pearson correlation coefficient between predictions and targets.

    .. math:: r = \frac{\operatorname{cov}(x, y)}{\sigma_x \sigma_y}

    Same values as ``torchmetrics.functional.regression.pearson_corrcoef`` (NaN where
    the variance of either input is close to zero relative to its largest deviation
    from the mean, as there), computed from exact moments: float32 data far from zero
    keeps all its digits.

    Example:
        >>> import torch
        >>> from metrix.regression import pearson_corrcoef
        >>> pearson_corrcoef()(torch.tensor([2.5, 0.0, 2, 8]), torch.tensor([3, -0.5, 2, 7]))
        tensor(0.9849, dtype=torch.float64)
    """
    return _correlation_metric("pearson_corrcoef", num_outputs, validate_args, _pearson_of)


def _pearson_of(s: MomentState) -> Tensor:
    return _pearson(s, "pearson_corrcoef")


def _concordance(s: MomentState) -> Tensor:
    n = s.weight
    var_x = comoment(s, 0, 0, 0) / (n - 1)
    var_y = comoment(s, 1, 1, 1) / (n - 1)
    shift = mean(s, 0) - mean(s, 1)
    r = _pearson(s, "concordance_corrcoef")
    return 2.0 * r * torch.sqrt(var_x) * torch.sqrt(var_y) / (var_x + var_y + shift**2)


@factory(higher_is_better=True)
@parameter_docs.CORRELATION
def concordance_corrcoef(*, num_outputs: int = 1, validate_args: bool = True) -> Metric:
    r"""Lin's concordance correlation coefficient between predictions and targets.

    .. math:: \rho_c = \frac{2 \rho \sigma_x \sigma_y}{\sigma_x^2 + \sigma_y^2 + (\mu_x - \mu_y)^2}

    Same values as ``torchmetrics.functional.regression.concordance_corrcoef`` (which
    uses unbiased variances, ``n - 1``), from exact moments.

    Example:
        >>> import torch
        >>> from metrix.regression import concordance_corrcoef
        >>> concordance_corrcoef()(torch.tensor([2.5, 0.0, 2, 8]), torch.tensor([3, -0.5, 2, 7]))
        tensor(0.9777, dtype=torch.float64)
    """
    return _correlation_metric("concordance_corrcoef", num_outputs, validate_args, _concordance)
