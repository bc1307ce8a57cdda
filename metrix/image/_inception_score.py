"""Inception score (IS) from logits: ``exp(E[KL(p(y|x) || p(y))])`` over splits of the samples.

IS needs the samples (each split's marginal ``p(y)`` comes from its members), kept in
float64: eager chunk storage, or a fixed-capacity buffer with ``capacity=``. TorchMetrics
shuffles with ``torch.randperm`` before splitting, at every ``compute``; here the samples
are ordered by a hash of their logits (see :mod:`metrix.image._features`) and split into
``splits`` chunks as ``torch.chunk`` does, so the value is deterministic and the same for
any batching or merge order. With ``splits=1`` both equal TorchMetrics exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

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
)
from metrix.image._inputs import check_bool, check_int

__all__ = ["InceptionScoreState", "content_order", "inception_score"]


@state
class InceptionScoreState(FeatureSamplesState):
    """Every sample's logits (with a constant flag column, as the shared sample store has)."""


def content_order(logits: Tensor, valid: Tensor, coefficients: Tensor) -> Tensor:
    """The rank of every row in the hash order (valid rows first)."""
    key = row_hash(logits, coefficients).to(F64)
    key = torch.where(valid, key, torch.full_like(key, float("inf")))
    order = torch.sort(key, stable=True).indices
    return torch.zeros_like(order).scatter(0, order, torch.arange(order.numel(), device=order.device))


@factory(higher_is_better=True)
def inception_score(
    splits: int = 10,
    *,
    num_features: int = 1008,
    feature_extractor: Callable[[Tensor], Tensor] | None = None,
    capacity: int | None = None,
    seed: int = 0,
    validate_args: bool = True,
) -> Metric:
    """Inception score: mean and standard deviation over ``splits`` of ``exp(mean KL(p(y|x) || p(y)))``.

    As ``torchmetrics.image.InceptionScore(feature=module, splits=...)``: pass logits (the
    classifier's outputs before softmax), or images with ``feature_extractor=`` your own
    classifier (nothing is downloaded). The split is by a hash of the logits, not
    ``torch.randperm``.

    Args:
        splits: the number of splits.
        num_features: the number of classes (logits per sample); 1008 for the FID Inception.
        feature_extractor: optional module run on ``update``'s input.
        capacity: ``None`` keeps samples in growing eager storage; an int keeps at most that
            many in a fixed buffer that compiles once.
        seed: the seed of the ordering hash.
        validate_args: check that logits are finite.

    Returns:
        A metric whose ``update(state, logits_or_imgs)`` takes a batch and whose value is
        ``(is_mean, is_std)`` (float64; the std is unbiased, as in TorchMetrics).

    Example:
        >>> import torch
        >>> from metrix.image import inception_score
        >>> g = torch.Generator().manual_seed(0)
        >>> metric = inception_score(splits=2, num_features=10)
        >>> metric(3 * torch.randn(100, 10, generator=g))
        (tensor(4.0156, dtype=torch.float64), tensor(0.0496, dtype=torch.float64))

    Reference: Salimans et al., "Improved techniques for training GANs", NeurIPS 2016.
    """
    splits = check_int(splits, "splits", 1)
    store = check_store_options(num_features, feature_extractor, capacity)
    seed = check_int(seed, "seed", 0)
    validate_args = check_bool(validate_args, "validate_args")
    coefficients = hash_coefficients(store.num_features, seed)
    name = "inception_score"

    def compute(s: InceptionScoreState) -> tuple[Tensor, Tensor]:
        logits, valid, _ = stored_samples(s.samples)
        n = valid.sum()
        rank = content_order(logits, valid, coefficients)
        size = torch.div(n + splits - 1, splits, rounding_mode="floor").clamp(min=1)  # torch.chunk's chunk size
        chunk = torch.where(valid, torch.div(rank, size, rounding_mode="floor"), splits).clamp(max=splits)
        prob, log_prob = logits.softmax(dim=1), logits.log_softmax(dim=1)
        w = valid.to(F64).unsqueeze(1)
        counts = torch.zeros(splits + 1, dtype=F64, device=logits.device).index_add(0, chunk, valid.to(F64))
        sums = torch.zeros(splits + 1, logits.shape[1], dtype=F64, device=logits.device).index_add(0, chunk, prob * w)
        mean_prob = sums / counts.clamp(min=1).unsqueeze(1)
        kl = (prob * (log_prob - torch.log(mean_prob[chunk]))).sum(1)
        kl = torch.where(valid, kl, torch.zeros_like(kl))
        per_chunk = torch.zeros(splits + 1, dtype=F64, device=logits.device).index_add(0, chunk, kl)
        used = counts[:splits] > 0
        scores = torch.where(
            used, torch.exp(per_chunk[:splits] / counts[:splits].clamp(min=1)), torch.zeros_like(counts[:splits])
        )
        k = used.sum().to(F64)
        mean = scores.sum() / k
        var = torch.where(used, (scores - mean) ** 2, torch.zeros_like(scores)).sum() / (k - 1)
        return mean, torch.sqrt(var)

    key = (name, splits, store.num_features, store.capacity, seed, validate_args)
    return feature_samples_metric(name, InceptionScoreState, compute, key, store, validate_args, labelled=False)
