"""Fréchet inception distance (FID) from features: exact sums, no stored samples.

FID compares the Gaussians fitted to real and generated features:
``|mu_r - mu_f|^2 + tr(S_r) + tr(S_f) - 2 tr((S_r S_f)^(1/2))``. The state is, for real and
for fake, the count ``n``, the feature sum ``sum x`` and the Gram matrix ``sum x x^T`` in
float64: merge and sync are exact sums (as in TorchMetrics), it compiles once and vmaps.
The square root's trace is taken from symmetric eigendecompositions
(``tr (S_r^(1/2) S_f S_r^(1/2))^(1/2)``), which is what ``scipy.linalg.sqrtm`` of the
product gives on PSD covariances, without complex arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import check
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.image._features import F64, check_extractor, features_of, real_mask
from metrix.image._inputs import check_bool, check_int

__all__ = ["FrechetInceptionDistanceState", "frechet_inception_distance", "frechet_distance"]


@state
class FrechetInceptionDistanceState:
    """Counts, feature sums and Gram matrices of the real and the generated samples."""

    real_count: Tensor = leaf("sum")  # int64 ()
    real_sum: Tensor = leaf("sum")  # float64 (D,): sum of real features
    real_gram: Tensor = leaf("sum")  # float64 (D, D): sum of x x^T over real features
    fake_count: Tensor = leaf("sum")  # int64 ()
    fake_sum: Tensor = leaf("sum")  # float64 (D,)
    fake_gram: Tensor = leaf("sum")  # float64 (D, D)


def mean_cov(count: Tensor, total: Tensor, gram: Tensor) -> tuple[Tensor, Tensor]:
    """Mean and unbiased covariance from ``n``, ``sum x`` and ``sum x x^T``."""
    n = count.to(F64)
    mean = total / n
    cov = (gram - n * torch.outer(mean, mean)) / (n - 1)
    return mean, cov


def _psd_sqrt(a: Tensor) -> Tensor:
    w, v = torch.linalg.eigh((a + a.T) / 2)
    return (v * torch.sqrt(torch.clamp(w, min=0.0))) @ v.T


def frechet_distance(mu1: Tensor, cov1: Tensor, mu2: Tensor, cov2: Tensor) -> Tensor:
    """Fréchet distance between two Gaussians with PSD covariances."""
    root = _psd_sqrt(cov1)
    inner = root @ cov2 @ root
    trace_sqrt = torch.sqrt(torch.clamp(torch.linalg.eigvalsh((inner + inner.T) / 2), min=0.0)).sum()
    diff = mu1 - mu2
    return (diff * diff).sum() + torch.diagonal(cov1).sum() + torch.diagonal(cov2).sum() - 2 * trace_sqrt


@factory(higher_is_better=False)
def frechet_inception_distance(
    num_features: int = 2048, *, feature_extractor: Callable[[Tensor], Tensor] | None = None, validate_args: bool = True
) -> Metric:
    """Fréchet inception distance (FID) between real and generated samples' features.

    Same value as ``torchmetrics.image.FrechetInceptionDistance(feature=module)`` given the
    same features. metrix ships no InceptionV3 and downloads nothing: pass features, or
    images with ``feature_extractor=`` any module that maps a batch to ``(N, num_features)``
    (for the standard FID, the 2048-d pool features of the FID InceptionV3, loaded yourself).
    TorchMetrics' ``reset_real_features=False`` is simply keeping the real half of a state.

    Args:
        num_features: the feature dimension ``D``.
        feature_extractor: optional module run (under ``torch.no_grad``) on ``update``'s
            first input; without it that input is the features themselves.
        validate_args: check that features are finite, and in ``compute`` that there are at
            least 2 real and 2 generated samples.

    Returns:
        A metric whose ``update(state, features_or_imgs, real)`` takes a batch and ``real``
        (a bool, or a bool ``(N,)`` tensor flagging each sample), and whose value is the
        FID (float64).

    Example:
        >>> import torch
        >>> from metrix.image import frechet_inception_distance
        >>> g = torch.Generator().manual_seed(0)
        >>> fid = frechet_inception_distance(num_features=8)
        >>> s = fid.init()
        >>> s = fid.update(s, torch.randn(100, 8, generator=g), real=True)
        >>> s = fid.update(s, torch.randn(100, 8, generator=g) + 0.5, real=False)
        >>> fid.compute(s)
        tensor(2.2070, dtype=torch.float64)

    Reference: Heusel et al., "GANs trained by a two time-scale update rule converge to a
    local Nash equilibrium", NeurIPS 2017.
    """
    num_features = check_int(num_features, "num_features", 1)
    feature_extractor = check_extractor(feature_extractor)
    validate_args = check_bool(validate_args, "validate_args")
    d = num_features

    def init(*, device: Any = None) -> FrechetInceptionDistanceState:
        def zeros(*shape: int, dtype: torch.dtype = F64) -> Tensor:
            return torch.zeros(shape, dtype=dtype, device=device)

        return FrechetInceptionDistanceState(
            zeros(dtype=torch.int64), zeros(d), zeros(d, d), zeros(dtype=torch.int64), zeros(d), zeros(d, d)
        )

    def update(s: FrechetInceptionDistanceState, inputs: Any, real: Any) -> FrechetInceptionDistanceState:
        feats = features_of(inputs, d, feature_extractor, validate_args)
        mask = real_mask(real, feats.shape[0], feats.device)
        if isinstance(mask, bool):
            # one Gram update: a fused multiply-add into the running sum
            gram = torch.addmm(s.real_gram if mask else s.fake_gram, feats.T, feats)
            total = (s.real_sum if mask else s.fake_sum) + feats.sum(0)
            count = (s.real_count if mask else s.fake_count) + feats.shape[0]
            if mask:
                return FrechetInceptionDistanceState(count, total, gram, s.fake_count, s.fake_sum, s.fake_gram)
            return FrechetInceptionDistanceState(s.real_count, s.real_sum, s.real_gram, count, total, gram)
        w = mask.to(F64).unsqueeze(1)
        fr, ff = feats * w, feats * (1 - w)
        n_real = mask.sum()
        return FrechetInceptionDistanceState(
            s.real_count + n_real,
            s.real_sum + fr.sum(0),
            torch.addmm(s.real_gram, fr.T, fr),
            s.fake_count + (feats.shape[0] - n_real),
            s.fake_sum + ff.sum(0),
            torch.addmm(s.fake_gram, ff.T, ff),
        )

    def compute(s: FrechetInceptionDistanceState) -> Tensor:
        check(
            (s.real_count >= 2) & (s.fake_count >= 2),
            "frechet_inception_distance: more than one sample is required for both the real and the fake "
            "distribution to compute FID",
            enabled=validate_args,
        )
        mu_r, cov_r = mean_cov(s.real_count, s.real_sum, s.real_gram)
        mu_f, cov_f = mean_cov(s.fake_count, s.fake_sum, s.fake_gram)
        return frechet_distance(mu_r, cov_r, mu_f, cov_f)

    # a metric with its own extractor shares its state with no other metric (no key)
    key = ("frechet_inception_distance", d, validate_args) if feature_extractor is None else None
    return Metric(init, update, compute, name="frechet_inception_distance", key=key)
