"""Memorization-informed FID (MiFID): FID divided by a memorization distance.

The distance is the mean, over real samples, of the smallest cosine distance
``1 - |cos|`` to any generated sample (1 when that mean is at least
``cosine_distance_eps``); it needs every sample, kept in float64 (eager chunk storage, or
a fixed-capacity buffer with ``capacity=``). The FID part is computed from the same samples.
Rows whose features sum to 0 are left out of the distance, as in TorchMetrics.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from metrix._core.args import type_error, value_error
from metrix._core.checks import check
from metrix._core.metric import Metric, factory
from metrix._core.state import state
from metrix.image._features import (
    F64,
    FeatureSamplesState,
    check_store_options,
    feature_samples_metric,
    stored_samples,
)
from metrix.image._fid import frechet_distance, mean_cov
from metrix.image._inputs import check_bool

__all__ = ["MemorizationInformedFIDState", "memorization_informed_frechet_inception_distance"]

_BLOCK = 1024  # real rows per block of the cosine-distance matrix (bounds its memory)


@state
class MemorizationInformedFIDState(FeatureSamplesState):
    """Every sample's features with its real flag as a last column."""


def _masked_moments(feats: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
    w = mask.to(F64).unsqueeze(1)
    x = feats * w
    return mean_cov(mask.sum(), x.sum(0), x.T @ x)


def _memorization_distance(feats: Tensor, real: Tensor, fake: Tensor, eps: float) -> Tensor:
    nonzero = feats.sum(dim=1) != 0
    unit = feats / torch.linalg.vector_norm(feats, dim=1, keepdim=True).clamp(min=1e-300)
    use_real, use_fake = real & nonzero, fake & nonzero
    inf = torch.tensor(float("inf"), dtype=F64, device=feats.device)
    total = torch.zeros((), dtype=F64, device=feats.device)
    for start in range(0, feats.shape[0], _BLOCK):
        block = unit[start : start + _BLOCK]
        d = 1.0 - torch.abs(block @ unit.T)
        nearest = torch.where(use_fake.unsqueeze(0), d, inf).amin(dim=1)
        total = total + torch.where(use_real[start : start + _BLOCK], nearest, 0.0).sum()
    mean_min = total / use_real.sum().to(F64)
    return torch.where(mean_min < eps, mean_min, torch.ones_like(mean_min))


@factory(higher_is_better=False)
def memorization_informed_frechet_inception_distance(
    num_features: int = 2048,
    cosine_distance_eps: float = 0.1,
    *,
    feature_extractor: Callable[[Tensor], Tensor] | None = None,
    capacity: int | None = None,
    validate_args: bool = True,
) -> Metric:
    """Memorization-informed Fréchet inception distance (MiFID).

    Same value as ``torchmetrics.image.MemorizationInformedFrechetInceptionDistance(feature=module)``
    given the same features; pass features, or images with ``feature_extractor=`` your own
    module (nothing is downloaded).

    Args:
        num_features: the feature dimension ``D``.
        cosine_distance_eps: memorization distances at or above it count as 1 (in ``(0, 1]``).
        feature_extractor: optional module run on ``update``'s first input.
        capacity: ``None`` keeps samples in growing eager storage; an int keeps at most that
            many (real and generated together) in a fixed buffer that compiles once.
        validate_args: check that features are finite, and in ``compute`` that there are at
            least 2 real and 2 generated samples.

    Returns:
        A metric whose ``update(state, features_or_imgs, real)`` takes a batch and ``real``
        (a bool, or a bool ``(N,)`` tensor), and whose value is the MiFID (float64).

    Example:
        >>> import torch
        >>> from metrix.image import memorization_informed_frechet_inception_distance
        >>> g = torch.Generator().manual_seed(0)
        >>> mifid = memorization_informed_frechet_inception_distance(num_features=8)
        >>> s = mifid.update(mifid.init(), torch.randn(100, 8, generator=g), real=True)
        >>> s = mifid.update(s, torch.randn(100, 8, generator=g) + 0.5, real=False)
        >>> mifid.compute(s)
        tensor(2.2070, dtype=torch.float64)

    Reference: Bai et al., "On training sample memorization: lessons from benchmarking
    generative modeling with a large-scale competition", KDD 2021.
    """
    store = check_store_options(num_features, feature_extractor, capacity)
    if not isinstance(cosine_distance_eps, float):  # a float only, as TorchMetrics
        raise type_error("cosine_distance_eps", "a float in (0, 1]", cosine_distance_eps)
    if not 0 < cosine_distance_eps <= 1:
        raise value_error("cosine_distance_eps", "a float in (0, 1]", cosine_distance_eps)
    validate_args = check_bool(validate_args, "validate_args")
    name = "memorization_informed_frechet_inception_distance"

    def compute(s: MemorizationInformedFIDState) -> Tensor:
        feats, real, fake = stored_samples(s.samples)
        check(
            (real.sum() >= 2) & (fake.sum() >= 2),
            f"{name}: more than one sample is required for both the real and the fake distribution",
            enabled=validate_args,
        )
        mu_r, cov_r = _masked_moments(feats, real)
        mu_f, cov_f = _masked_moments(feats, fake)
        fid = frechet_distance(mu_r, cov_r, mu_f, cov_f)
        distance = _memorization_distance(feats, real, fake, cosine_distance_eps)
        return torch.where(fid > 1e-8, fid / (distance + 10e-15), torch.zeros_like(fid))

    key = (name, store.num_features, cosine_distance_eps, store.capacity, validate_args)
    return feature_samples_metric(name, MemorizationInformedFIDState, compute, key, store, validate_args)
