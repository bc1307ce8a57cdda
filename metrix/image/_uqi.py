"""Universal image quality index (UQI): SSIM without its stabilising constants.

``UQI = 4 cov(x, y) mu_x mu_y / ((var_x + var_y)(mu_x^2 + mu_y^2))`` per pixel, under a
Gaussian window (separable filtering, :mod:`metrix.image._filters`). The state is a
float64 sum of the per-pixel values and an int64 count (every map is kept only for
``reduction="none"``): TorchMetrics' class keeps every input image instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import state
from metrix.image import _parameter_docs as parameter_docs
from metrix.image._filters import gaussian_1d, local_moments
from metrix.image._inputs import check_bool, check_reduction, float_pair, image_pair, int_pair
from metrix.image._scores import ScoreSumsState, ScoreValuesState, scores_metric

__all__ = ["UQIState", "uqi_map", "universal_image_quality_index"]


@state
class UQIState(ScoreSumsState):
    """Sum of per-pixel UQI values and their number."""


@state
class UQIValuesState(ScoreValuesState):
    """Every UQI map (``reduction="none"``), flattened."""


def uqi_map(preds: Tensor, target: Tensor, kernel_size: Sequence[int], sigma: Sequence[float]) -> Tensor:
    """The UQI map of ``(N, C, H, W)`` images, cropped by the window's half size (TorchMetrics' layout).

    As TorchMetrics does, the width is padded by ``(kernel_size[0] - 1) // 2`` and the height
    by ``(kernel_size[1] - 1) // 2`` (the same for square windows).
    """
    pad_h, pad_w = (kernel_size[0] - 1) // 2, (kernel_size[1] - 1) // 2
    preds = F.pad(preds, (pad_h, pad_h, pad_w, pad_w), mode="reflect")
    target = F.pad(target, (pad_h, pad_h, pad_w, pad_w), mode="reflect")
    dtype, device = preds.dtype, preds.device
    windows = [gaussian_1d(kernel_size[i], sigma[i], dtype, device) for i in range(2)]
    mu_pp, mu_tt, mu_pt, var_p, var_t, cov = local_moments(preds, target, windows)
    eps = torch.finfo(dtype).eps
    uqi = (2 * mu_pt * 2 * cov) / ((mu_pp + mu_tt) * (var_p + var_t) + eps)
    return uqi[..., pad_h:-pad_h, pad_w:-pad_w]


@factory(higher_is_better=True)
@parameter_docs.SCALED_COPY
def universal_image_quality_index(
    kernel_size: Sequence[int] = (11, 11),
    sigma: Sequence[float] = (1.5, 1.5),
    reduction: str | None = "elementwise_mean",
    *,
    validate_args: bool = True,
) -> Metric:
    """Universal image quality index (UQI).

    Same arguments, defaults and values as
    ``torchmetrics.functional.image.universal_image_quality_index``.

    Args:
        kernel_size: the Gaussian window's size ``(h, w)``, odd ints.
        sigma: the Gaussian's standard deviations ``(h, w)``.
        reduction: ``"elementwise_mean"`` (over every pixel of every image), ``"sum"``, or
            ``"none"``/``None`` (the maps, ``(N, C, H', W')``).

    Example:
        >>> universal_image_quality_index()(preds, preds * 0.75)
        tensor(0.9216, dtype=torch.float64)

    Reference: Wang, Bovik, "A universal image quality index", IEEE SPL 2002.
    """
    kernel_size = int_pair(kernel_size, "kernel_size", 2, odd=True)
    sigma = float_pair(sigma, "sigma", 2)
    reduction = check_reduction(reduction)
    validate_args = check_bool(validate_args, "validate_args")

    def scores(preds: Any, target: Any) -> Tensor:
        p, t = image_pair(preds, target, validate_args=validate_args)
        return uqi_map(p, t, kernel_size, sigma)

    key = ("universal_image_quality_index", kernel_size, sigma, reduction, validate_args)
    return scores_metric(
        "universal_image_quality_index", UQIState, UQIValuesState, scores, reduction, key=key, map_rank=3
    )
