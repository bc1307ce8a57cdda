"""Errors under a sliding window: RMSE-SW and the relative average spectral error (RASE).

Both filter the squared error with a uniform window (symmetric padding, as TorchMetrics
and scipy's ``uniform_filter`` do). RMSE-SW's value needs only a float64 sum of per-image
means and a count: a fixed state. The per-pixel RMSE map (``return_rmse_map=True``) and
RASE need sums per pixel and band, whose shape is known only from the data; they are kept
as one flat row of sums (see :func:`metrix.image._scores.map_sums_add`), not as every image
(TorchMetrics' RASE class keeps every input image).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.image import _parameter_docs as parameter_docs
from metrix.image._filters import separable_filter, uniform_1d
from metrix.image._inputs import F64, check_bool, check_int, image_pair
from metrix.image._scc import _symmetric_pad
from metrix.image._scores import ScoreSumsState, map_sums_add, map_sums_init, map_sums_total

__all__ = ["relative_average_spectral_error", "root_mean_squared_error_using_sliding_window"]


@state
class RMSESWState(ScoreSumsState):
    """Sum of per-image mean windowed RMSE (cropped) and number of images."""


@state
class PixelSums:
    """Per-pixel sums whose shape comes from the data, as one flat row (plus one per merged state)."""

    rows: Any = leaf("cat")  # float64, flattened sums
    shape: Tensor = leaf("max")  # int64 (k,): the sums' shape
    count: Tensor = leaf("sum")  # int64 (1,): images seen


@state
class RMSESWMapState:
    """RMSE-SW with its per-pixel map: the scalar sums and the summed maps."""

    total: Tensor = leaf("sum")  # float64 (): sum over images of the cropped map's mean
    maps: Any = leaf("node")  # PixelSums of shape (C, H, W): sum of per-image RMSE maps


@state
class RASEState:
    """Summed RMSE maps and filtered targets, ``(2, C, H, W)``, and the image count."""

    sums: Any = leaf("node")  # PixelSums


def uniform_filter(x: Tensor, window_size: int) -> Tensor:
    """Mean over a ``window_size`` square around each pixel, with symmetric padding (same size out)."""
    lo, hi = window_size // 2, window_size // 2 + window_size % 2 - 1
    w = uniform_1d(window_size, x.dtype, x.device)
    return separable_filter(_symmetric_pad(x, lo, hi, lo, hi), [w, w])


def _checked(preds: Any, target: Any, window_size: int, validate_args: bool) -> tuple[Tensor, Tensor]:
    if hasattr(preds, "dtype") and hasattr(target, "dtype") and preds.dtype != target.dtype:
        raise TypeError(f"preds and target must have the same dtype, got {preds.dtype} and {target.dtype}")
    p, t = image_pair(preds, target, validate_args=validate_args)
    crop = round(window_size / 2)
    if crop >= p.shape[2] or crop >= p.shape[3]:
        raise ValueError(
            f"round(window_size / 2) = {crop} must be smaller than the image sides, got shape {tuple(p.shape)}"
        )
    return p, t


def _rmse_maps(p: Tensor, t: Tensor, window_size: int) -> tuple[Tensor, Tensor]:
    """Per-image RMSE maps and the mean of each cropped map."""
    rmse = torch.sqrt(uniform_filter((t - p) ** 2, window_size))
    crop = round(window_size / 2)
    inner = rmse[:, :, crop:-crop, crop:-crop]
    return rmse, inner.flatten(1).mean(-1)


@factory(higher_is_better=False)
@parameter_docs.RANDOM_PAIR
def root_mean_squared_error_using_sliding_window(
    window_size: int = 8, return_rmse_map: bool = False, *, validate_args: bool = True
) -> Metric:
    """Root mean squared error under a sliding window (RMSE-SW).

    Same arguments, defaults and values as
    ``torchmetrics.functional.image.root_mean_squared_error_using_sliding_window``.

    Args:
        window_size: the side of the uniform window.
        return_rmse_map: also return the per-pixel RMSE map averaged over images, ``(C, H, W)``.

    Returns:
        A metric whose ``update(state, preds, target)`` takes two ``(N, C, H, W)`` batches
        and whose value is the RMSE-SW (float64), or ``(rmse, rmse_map)``.

    Example:
        >>> root_mean_squared_error_using_sliding_window()(preds, target)
        tensor(0.4069, dtype=torch.float64)
    """
    window_size = check_int(window_size, "window_size", 1)
    return_rmse_map = check_bool(return_rmse_map, "return_rmse_map")
    validate_args = check_bool(validate_args, "validate_args")
    name = "root_mean_squared_error_using_sliding_window"
    key = (name, window_size, return_rmse_map, validate_args)

    if not return_rmse_map:

        def init(*, device: Any = None) -> RMSESWState:
            return RMSESWState(
                torch.zeros((), dtype=F64, device=device), torch.zeros((), dtype=torch.int64, device=device)
            )

        def update(s: RMSESWState, preds: Any, target: Any) -> RMSESWState:
            p, t = _checked(preds, target, window_size, validate_args)
            means = _rmse_maps(p, t, window_size)[1].to(F64)
            return RMSESWState(s.total + means.sum(), s.count + p.shape[0])

        def compute(s: RMSESWState) -> Tensor:
            return s.total / s.count.to(F64)

        return Metric(init, update, compute, name=name, key=key)

    def init_map(*, device: Any = None) -> RMSESWMapState:
        return RMSESWMapState(torch.zeros((), dtype=F64, device=device), map_sums_init(PixelSums, 3, device))

    def update_map(s: RMSESWMapState, preds: Any, target: Any) -> RMSESWMapState:
        p, t = _checked(preds, target, window_size, validate_args)
        if p.shape[0] == 0:
            return s
        rmse, means = _rmse_maps(p, t, window_size)
        return RMSESWMapState(
            s.total + means.to(F64).sum(), map_sums_add(s.maps, rmse.to(F64).sum(0), p.shape[0], name)
        )

    def compute_map(s: RMSESWMapState) -> tuple[Tensor, Tensor]:
        n = s.maps.count[0].to(F64)
        return s.total / n, map_sums_total(s.maps) / n

    return Metric(init_map, update_map, compute_map, name=name, key=key)


@factory(higher_is_better=False)
@parameter_docs.RANDOM_PAIR
def relative_average_spectral_error(window_size: int = 8, *, validate_args: bool = True) -> Metric:
    """Relative average spectral error (RASE) under a sliding window.

    Same arguments, defaults and values as
    ``torchmetrics.functional.image.relative_average_spectral_error`` on the union of all
    batches (the per-pixel sums over images are kept, not the images).

    Args:
        window_size: the side of the uniform window.

    Returns:
        A metric whose ``update(state, preds, target)`` takes two ``(N, C, H, W)`` batches of
        one image size.

    Example:
        >>> relative_average_spectral_error()(preds, target)
        tensor(5253.3062, dtype=torch.float64)

    Reference: Choi, "A new intensity-hue-saturation fusion approach to image fusion with a
    tradeoff parameter", IEEE TGRS 2006.
    """
    window_size = check_int(window_size, "window_size", 1)
    validate_args = check_bool(validate_args, "validate_args")
    name = "relative_average_spectral_error"

    def init(*, device: Any = None) -> RASEState:
        return RASEState(map_sums_init(PixelSums, 4, device))

    def update(s: RASEState, preds: Any, target: Any) -> RASEState:
        p, t = _checked(preds, target, window_size, validate_args)
        if p.shape[0] == 0:
            return s
        rmse = _rmse_maps(p, t, window_size)[0]
        # TorchMetrics divides the windowed mean of the target by window_size^2 once more
        target_mean = uniform_filter(t, window_size) / window_size**2
        sums = torch.stack((rmse.to(F64).sum(0), target_mean.to(F64).sum(0)))
        return RASEState(map_sums_add(s.sums, sums, p.shape[0], name))

    def compute(s: RASEState) -> Tensor:
        n = s.sums.count[0].to(F64)
        if not bool(s.sums.count[0]):  # no image yet (the map's shape is unknown): NaN, as RMSE-SW
            return torch.full((), torch.nan, dtype=F64)
        rmse_map, target_sum = map_sums_total(s.sums) / n
        rase_map = 100 / target_sum.mean(0) * torch.sqrt(torch.mean(rmse_map**2, 0))
        crop = round(window_size / 2)
        return torch.mean(rase_map[crop:-crop, crop:-crop])

    return Metric(init, update, compute, name=name, key=(name, window_size, validate_args))
