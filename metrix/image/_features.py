"""Shared pieces of the feature-based generative metrics (FID, KID, IS, MiFID).

* **Features in, or images and your extractor.** ``update`` takes features ``(N, D)``; a
  metric built with ``feature_extractor=module`` takes images and runs the module on them
  (under ``torch.no_grad``). metrix ships no network and downloads nothing: any module that
  maps a batch to ``(N, D)`` features works (an InceptionV3 you load yourself, a CLIP image
  encoder, a small test network).
* **real=True/False, or a mask.** ``real`` is a bool for the whole batch, as in
  TorchMetrics, or a bool tensor ``(N,)`` marking each sample (one stream of mixed samples).
* **Samples, kept exactly.** KID, IS and MiFID need samples. They are stored in float64
  with the real flag as an extra column (one store, one dtype), in eager chunk storage or a
  fixed-capacity buffer (``capacity=``), which compiles once and vmaps.
* **Random subsets without randomness.** TorchMetrics draws KID's subsets and IS's split
  with ``torch.randperm`` at every compute, so its value changes from call to call and
  depends on the order of the samples. Here every sample gets a pseudo-random key from a
  hash of its feature bits (exact integer arithmetic, no overflow), and subsets are the
  samples with the smallest keys: the value is a function of the set of samples only, so
  ``compute`` is deterministic and merge, sync and any batching give the same value.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, NamedTuple, TypeVar

import torch
from torch import Tensor

from metrix._core.args import check_int, check_optional_int, check_tensor
from metrix._core.checks import check_finite
from metrix._core.metric import Metric
from metrix._core.state import buffer_init, cat_append, cat_init, leaf, state, stored_masked

F64 = torch.float64
PRIME = 2**31 - 1  # keys live in [0, PRIME): products of two stay below 2**62


def check_extractor(feature_extractor: Any) -> Any:
    """``None`` or a callable module mapping a batch to ``(N, D)`` features."""
    if feature_extractor is not None and not callable(feature_extractor):
        raise TypeError(
            "feature_extractor must be a callable module (e.g. a torch.nn.Module), "
            f"got {type(feature_extractor).__name__}"
        )
    return feature_extractor


def features_of(inputs: Any, num_features: int, feature_extractor: Any, validate_args: bool) -> Tensor:
    """The float64 ``(N, num_features)`` features of a batch (running the extractor on images)."""
    if feature_extractor is not None:
        check_tensor(inputs, "imgs")
        with torch.no_grad():
            feats = feature_extractor(inputs)
        check_tensor(feats, "feature_extractor(imgs)")
        feats = feats.flatten(1) if feats.dim() != 1 else feats.unsqueeze(0)
        name = "feature_extractor(imgs)"
    else:
        check_tensor(inputs, "features")
        feats, name = inputs, "features"
        if feats.dim() != 2:
            raise ValueError(
                f"features must be 2-d of shape (N, {num_features}), got shape {tuple(feats.shape)}; "
                "to pass images, build the metric with feature_extractor=your_module"
            )
    if feats.shape[1] != num_features:
        raise ValueError(
            f"{name} has {feats.shape[1]} features per sample but num_features={num_features}; "
            f"pass num_features={feats.shape[1]}"
        )
    feats = feats.detach().to(F64)
    check_finite(feats, name, enabled=validate_args)
    return feats


def real_mask(real: Any, n: int, device: torch.device) -> Tensor | bool:
    """``real`` as a bool, or as a bool ``(n,)`` tensor marking the real samples."""
    if isinstance(real, bool):
        return real
    if isinstance(real, Tensor):
        if real.dtype != torch.bool:
            raise TypeError(f"real must be a bool or a bool tensor, got a tensor of dtype {real.dtype}")
        if real.dim() == 0:
            return real.reshape(1).expand(n).to(device)
        if real.shape != (n,):
            raise ValueError(f"real as a tensor must have shape ({n},) (one flag per sample), got {tuple(real.shape)}")
        return real.to(device)
    raise TypeError(f"real must be a bool or a bool tensor, got {type(real).__name__}")


@state
class FeatureSamplesState:
    """Every sample's features (or logits) with its real flag as a last column; each metric subclasses it."""

    samples: Any = leaf("cat")  # float64 (n, D + 1), chunks or a Buffer


class StoreOptions(NamedTuple):
    """The checked options of every sample-storing metric."""

    num_features: int
    feature_extractor: Any
    capacity: int | None


def check_store_options(num_features: Any, feature_extractor: Any, capacity: Any) -> StoreOptions:
    """Check ``num_features``, ``feature_extractor`` and ``capacity``."""
    num_features = check_int(num_features, "num_features", 1)
    return StoreOptions(num_features, check_extractor(feature_extractor), check_optional_int(capacity, "capacity", 1))


FeatureState = TypeVar("FeatureState", bound=FeatureSamplesState)


def feature_samples_metric(
    name: str,
    state_cls: type[FeatureState],
    compute: Callable[[FeatureState], Any],
    key: Hashable,
    store: StoreOptions,
    validate_args: bool,
    *,
    labelled: bool = True,
) -> Metric:
    """A metric that stores every sample's features and computes from them.

    Args:
        name: the metric's name.
        state_cls: the metric's subclass of :class:`FeatureSamplesState`.
        compute: the metric's ``compute`` (read the samples with :func:`stored_samples`).
        key: the configuration's identity (dropped with a ``feature_extractor``: a module
            is not a configuration a collection can compare).
        store: the features' width ``D``, the extractor (``None``: features in) and the
            capacity (``None``: eager storage).
        validate_args: check that features are finite.
        labelled: ``update(state, inputs, real)`` (KID, MiFID); ``False``: ``update(state,
            inputs)``, every sample flagged real (IS).
    """
    num_features, feature_extractor, capacity = store

    def init(*, device: Any = None) -> FeatureState:
        return state_cls(store_init(num_features, capacity, device))

    def update_labelled(s: FeatureState, inputs: Any, real: Any) -> FeatureState:
        feats = features_of(inputs, num_features, feature_extractor, validate_args)
        return state_cls(store_append(s.samples, feats, real_mask(real, feats.shape[0], feats.device)))

    def update_real(s: FeatureState, inputs: Any) -> FeatureState:  # every sample is real
        return state_cls(
            store_append(s.samples, features_of(inputs, num_features, feature_extractor, validate_args), True)
        )

    update: Callable[..., FeatureState] = update_labelled if labelled else update_real
    return Metric(init, update, compute, name=name, key=key if feature_extractor is None else None)


def store_init(num_features: int, capacity: int | None, device: Any) -> Any:
    """Empty sample storage for ``(features, real flag)`` rows."""
    if capacity is None:
        return cat_init((num_features + 1,), F64, device)
    return buffer_init(capacity, (num_features + 1,), F64, device)


def store_append(store: Any, feats: Tensor, real: Tensor | bool) -> Any:
    """Append rows of features with their real flag as a last column."""
    flag = feats.new_full((feats.shape[0], 1), float(real)) if isinstance(real, bool) else real.to(F64).unsqueeze(1)
    return cat_append(store, torch.cat((feats, flag), dim=1))


def stored_samples(store: Any) -> tuple[Tensor, Tensor, Tensor]:
    """``(features, real, fake)``: the stored features and bool masks of the real and fake rows."""
    data, valid = stored_masked(store)
    flag = data[:, -1] > 0.5
    return data[:, :-1], valid & flag, valid & ~flag


def hash_coefficients(count: int, seed: int) -> Tensor:
    """``count`` random ints in ``[1, PRIME)`` from ``seed`` (drawn once, in the factory)."""
    g = torch.Generator().manual_seed(seed)
    return torch.randint(1, PRIME, (count,), generator=g, dtype=torch.int64)


def row_hash(feats: Tensor, coefficients: Tensor) -> Tensor:
    """A hash in ``[0, PRIME)`` of every row's float64 bits (exact: integer ops, no overflow)."""
    bits = feats.contiguous().view(torch.int64)
    a = coefficients.to(feats.device)
    # (bits mod p) * a < 2**62, and a sum of D values below p stays far below 2**63
    return torch.remainder(torch.remainder(torch.remainder(bits, PRIME) * a, PRIME).sum(-1), PRIME)


def subset_keys(hashes: Tensor, coefficients: Tensor) -> Tensor:
    """Pseudo-random keys in ``[0, 1)`` per row and subset: ``((a h + b) mod p) / p``.

    ``coefficients`` holds ``2 * count`` ints: ``count`` multipliers, then ``count`` offsets.
    """
    ab = coefficients.to(hashes.device).reshape(2, -1, 1)
    return torch.remainder(ab[0] * hashes + ab[1], PRIME).to(F64) / PRIME
