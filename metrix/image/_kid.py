"""Kernel inception distance (KID): polynomial-kernel MMD between real and generated features.

KID is an unbiased MMD estimate averaged over random subsets, so it needs the samples:
they are kept in float64 (eager chunk storage, or a fixed-capacity buffer with
``capacity=``, which compiles once and vmaps). The subsets are chosen by a hash of each
sample's features (see :mod:`metrix.image._features`), so the value is deterministic and
the same for any batching, merge order or number of ranks; TorchMetrics draws them with
``torch.randperm`` at every ``compute``. For one subset of all samples
(``subset_size`` = number of samples) both are exactly TorchMetrics' value.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from metrix._core.checks import check
from metrix._core.metric import Metric, factory
from metrix._core.state import state
from metrix.image._features import (
    F64,
    FeatureSamplesState,
    check_store_options,
    feature_samples_metric,
    hash_coefficients,
    row_hash,
    stored_samples,
    subset_keys,
)
from metrix.image._inputs import check_bool, check_int, check_positive

__all__ = ["KernelInceptionDistanceState", "kernel_inception_distance", "poly_mmd", "subset_indices"]


@state
class KernelInceptionDistanceState(FeatureSamplesState):
    """Every sample's features with its real flag as a last column."""


def poly_mmd(real: Tensor, fake: Tensor, degree: int, gamma: float | None, coef: float) -> Tensor:
    """Unbiased MMD^2 with the kernel ``(gamma x.y + coef)^degree`` between two equal-size samples."""
    gamma = 1.0 / real.shape[1] if gamma is None else gamma
    k_rr = (real @ real.T * gamma + coef) ** degree
    k_ff = (fake @ fake.T * gamma + coef) ** degree
    k_rf = (real @ fake.T * gamma + coef) ** degree
    m = real.shape[0]
    within = (k_rr.sum() - torch.diagonal(k_rr).sum() + k_ff.sum() - torch.diagonal(k_ff).sum()) / (m * (m - 1))
    return within - 2 * k_rf.sum() / m**2


def subset_indices(feats: Tensor, mask: Tensor, size: int, row: Tensor, subset: Tensor) -> Tensor:
    """``(subsets, size)`` row indices: per subset, the ``size`` masked rows with the smallest keys.

    ``row`` and ``subset`` are the hash coefficients (:func:`hash_coefficients`).
    """
    keys = subset_keys(row_hash(feats, row), subset)
    keys = torch.where(mask, keys, torch.full_like(keys, float("inf")))
    return torch.topk(keys, size, dim=1, largest=False).indices


@factory(higher_is_better=False)
def kernel_inception_distance(
    num_features: int = 2048,
    subsets: int = 100,
    subset_size: int = 1000,
    degree: int = 3,
    gamma: float | None = None,
    coef: float = 1.0,
    *,
    feature_extractor: Callable[[Tensor], Tensor] | None = None,
    capacity: int | None = None,
    seed: int = 0,
    validate_args: bool = True,
) -> Metric:
    """Kernel inception distance (KID): mean and std of polynomial MMD over feature subsets.

    Arguments and kernel as ``torchmetrics.image.KernelInceptionDistance(feature=module)``;
    pass features, or images with ``feature_extractor=`` your own module (nothing is
    downloaded). Subsets are picked by a hash of the features, not ``torch.randperm``.

    Args:
        num_features: the feature dimension ``D``.
        subsets: the number of subsets the MMD is averaged over.
        subset_size: samples per subset (of the real and of the generated samples each).
        degree: the polynomial kernel's degree.
        gamma: the kernel's scale (``None``: ``1 / D``).
        coef: the kernel's offset.
        feature_extractor: optional module run on ``update``'s first input.
        capacity: ``None`` keeps samples in growing eager storage; an int keeps at most
            that many (real and generated together) in a fixed buffer that compiles once.
        seed: the seed of the subset hash.
        validate_args: check that features are finite, and in ``compute`` that there are at
            least ``subset_size`` real and generated samples.

    Returns:
        A metric whose ``update(state, features_or_imgs, real)`` takes a batch and ``real``
        (a bool, or a bool ``(N,)`` tensor), and whose value is ``(kid_mean, kid_std)``.

    Example:
        >>> import torch
        >>> from metrix.image import kernel_inception_distance
        >>> g = torch.Generator().manual_seed(0)
        >>> kid = kernel_inception_distance(num_features=8, subsets=5, subset_size=50)
        >>> s = kid.update(kid.init(), torch.randn(100, 8, generator=g), real=True)
        >>> s = kid.update(s, torch.randn(100, 8, generator=g) + 0.5, real=False)
        >>> kid.compute(s)
        (tensor(0.9658, dtype=torch.float64), tensor(0.4872, dtype=torch.float64))

    Reference: Bińkowski et al., "Demystifying MMD GANs", ICLR 2018.
    """
    store = check_store_options(num_features, feature_extractor, capacity)
    subsets = check_int(subsets, "subsets", 1)
    subset_size = check_int(subset_size, "subset_size", 2)
    degree = check_int(degree, "degree", 1)
    if gamma is not None:
        gamma = check_positive(gamma, "gamma")
    coef = check_positive(coef, "coef")
    seed = check_int(seed, "seed", 0)
    validate_args = check_bool(validate_args, "validate_args")
    name = "kernel_inception_distance"
    row_coef = hash_coefficients(store.num_features, seed)
    real_coef, fake_coef = hash_coefficients(2 * subsets, seed + 1), hash_coefficients(2 * subsets, seed + 2)

    def compute(s: KernelInceptionDistanceState) -> tuple[Tensor, Tensor]:
        feats, real, fake = stored_samples(s.samples)
        check(
            (real.sum() >= subset_size) & (fake.sum() >= subset_size),
            f"{name}: subset_size={subset_size} must not exceed the number of real or of generated samples",
            enabled=validate_args,
        )
        if feats.shape[0] < subset_size:
            nan = torch.full((), float("nan"), dtype=F64, device=feats.device)
            return nan, nan
        idx_r = subset_indices(feats, real, subset_size, row_coef, real_coef)
        idx_f = subset_indices(feats, fake, subset_size, row_coef, fake_coef)
        scores = torch.stack([poly_mmd(feats[idx_r[i]], feats[idx_f[i]], degree, gamma, coef) for i in range(subsets)])
        return scores.mean(), scores.std(unbiased=False)

    key = (name, store.num_features, subsets, subset_size, degree, gamma, coef, store.capacity, seed, validate_args)
    return feature_samples_metric(name, KernelInceptionDistanceState, compute, key, store, validate_args)
