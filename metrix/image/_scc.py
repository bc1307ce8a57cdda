"""Spatial correlation coefficient (SCC): local correlation of high-pass filtered images.

Both images are high-pass filtered (a Laplacian by default), then correlated under a
uniform window; the per-pixel correlations are averaged per image. The state is a float64
sum of per-image means and an int64 count (every per-image value for ``reduction="none"``).
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from metrix._core.args import check_tensor
from metrix._core.metric import Metric, factory
from metrix._core.state import state
from metrix.image._filters import separable_filter, uniform_1d
from metrix.image._inputs import check_bool, check_int, check_reduction, image_pair
from metrix.image._scores import ScoreSumsState, ScoreValuesState, scores_metric

__all__ = ["SCCState", "spatial_correlation_coefficient"]


@state
class SCCState(ScoreSumsState):
    """Sum of per-image SCC and number of images."""


@state
class SCCValuesState(ScoreValuesState):
    """Every per-image SCC (``reduction="none"``)."""


def _symmetric_pad(x: Tensor, left: int, right: int, top: int, bottom: int) -> Tensor:
    # edge-including mirror padding ("symmetric"), as scipy.signal.convolve2d(boundary="symm")
    x = torch.cat([x[..., :, :left].flip(-1), x, x[..., :, x.shape[-1] - right :].flip(-1)], dim=-1)
    return torch.cat([x[..., :top, :].flip(-2), x, x[..., x.shape[-2] - bottom :, :].flip(-2)], dim=-2)


def _scc_map(preds: Tensor, target: Tensor, hp_filter: Tensor, window_size: int) -> Tensor:
    kh, kw = hp_filter.shape
    kernel = hp_filter.flip(0, 1).to(preds.dtype).reshape(1, 1, kh, kw)
    pads = (math.floor((kw - 1) / 2), math.ceil((kw - 1) / 2), math.floor((kh - 1) / 2), math.ceil((kh - 1) / 2))
    b, c, h, w = preds.shape

    def high_pass(x: Tensor) -> Tensor:
        return F.conv2d(_symmetric_pad(x.reshape(b * c, 1, h, w), *pads), kernel) * 2.0

    hp_p, hp_t = high_pass(preds), high_pass(target)
    lo, hi = math.ceil((window_size - 1) / 2), math.floor((window_size - 1) / 2)
    window = uniform_1d(window_size, preds.dtype, preds.device)
    stacked = torch.cat((hp_p, hp_t, hp_p * hp_p, hp_t * hp_t, hp_t * hp_p))
    moments = separable_filter(F.pad(stacked, (lo, hi, lo, hi)), [window, window])
    mu_p, mu_t, e_pp, e_tt, e_pt = moments.unflatten(0, (5, b * c))
    var_p = torch.clamp(e_pp - mu_p**2, min=0.0)
    var_t = torch.clamp(e_tt - mu_t**2, min=0.0)
    cov = e_pt - mu_t * mu_p
    den = torch.sqrt(var_t) * torch.sqrt(var_p)
    scc = torch.where(den == 0, torch.zeros_like(cov), cov / torch.where(den == 0, torch.ones_like(den), den))
    return scc.reshape(b, c, *scc.shape[2:])


@factory(higher_is_better=True)
def spatial_correlation_coefficient(
    hp_filter: Tensor | None = None,
    window_size: int = 8,
    reduction: str | None = "mean",
    *,
    validate_args: bool = True,
) -> Metric:
    """Spatial correlation coefficient of high-pass filtered images.

    Same arguments, defaults and values as
    ``torchmetrics.functional.image.spatial_correlation_coefficient`` (computed in float32,
    as there). ``"mean"`` averages the per-image means (equal to TorchMetrics' mean over all
    pixels when all images have one size).

    Args:
        hp_filter: the 2-d high-pass kernel (default: the 3x3 Laplacian ``8`` centre, ``-1`` around).
        window_size: the side of the uniform correlation window.
        reduction: ``"mean"`` or ``"none"``/``None`` (one value per image).
        validate_args: check that the images are finite (shapes are always checked).

    Returns:
        A metric whose ``update(state, preds, target)`` takes two ``(N, C, H, W)`` or ``(N, H, W)`` batches.

    Example:
        >>> import torch
        >>> from metrix.image import spatial_correlation_coefficient
        >>> g = torch.Generator().manual_seed(0)
        >>> preds = torch.rand(2, 3, 16, 16, generator=g)
        >>> spatial_correlation_coefficient()(preds, preds * 0.5 + 0.1)
        tensor(1., dtype=torch.float64)

    Reference: Zhou, Civco, Silander, "A wavelet transform method to merge Landsat TM and
    SPOT panchromatic data", 1998.
    """
    if hp_filter is None:
        hp_filter = torch.tensor([[-1.0, -1.0, -1.0], [-1.0, 8.0, -1.0], [-1.0, -1.0, -1.0]])
    check_tensor(hp_filter, "hp_filter")
    if hp_filter.dim() != 2:
        raise ValueError(f"hp_filter must be a 2-d kernel, got shape {tuple(hp_filter.shape)}")
    hp_filter = hp_filter.detach().to(torch.float32).clone()
    window_size = check_int(window_size, "window_size", 1)
    reduction = check_reduction(reduction, ("mean", "none", None))
    validate_args = check_bool(validate_args, "validate_args")

    def scores(preds: Any, target: Any) -> Tensor:
        p, t = image_pair(preds, target, ranks=(3, 4), validate_args=validate_args)
        if p.dim() == 3:
            p, t = p.unsqueeze(1), t.unsqueeze(1)
        if window_size > p.shape[2] or window_size > p.shape[3]:
            raise ValueError(
                f"window_size={window_size} must not exceed the image size, got images of shape {tuple(p.shape)}"
            )
        scc = _scc_map(p.to(torch.float32), t.to(torch.float32), hp_filter.to(p.device), window_size)
        return scc.flatten(1).mean(-1)

    name = "spatial_correlation_coefficient"
    key = (name, tuple(hp_filter.reshape(-1).tolist()), hp_filter.shape, window_size, reduction, validate_args)
    return scores_metric(name, SCCState, SCCValuesState, scores, reduction, key=key)
