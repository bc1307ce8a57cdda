"""Separable window filters shared by the image families (SSIM, UQI, VIF, RMSE-SW…).

A Gaussian or uniform 2-d (or 3-d) window is the outer product of 1-d windows, so
filtering with it is one 1-d convolution per spatial dim: ``2k`` multiply-adds per pixel
instead of ``k^2`` (11x11 SSIM windows: 22 against 121). Each 1-d pass is one depthwise
convolution over all ``N * C`` planes at once (a ``(k, 1)`` then a ``(1, k)`` kernel):
on CPU that runs several times faster than a batch of single-channel convolutions with
the same thin kernels, which oneDNN handles poorly. The result equals the full window's
convolution up to float rounding.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor


def gaussian_1d(size: int, sigma: float, dtype: torch.dtype, device: torch.device | None) -> Tensor:
    """The normalised 1-d Gaussian window of ``size`` taps centred on the middle tap."""
    dist = torch.arange((1 - size) / 2, (1 + size) / 2, 1, dtype=dtype, device=device)
    g = torch.exp(-((dist / sigma) ** 2) / 2)
    return g / g.sum()


def uniform_1d(size: int, dtype: torch.dtype, device: torch.device | None) -> Tensor:
    """The 1-d box window of ``size`` taps, each ``1 / size``."""
    return torch.full((size,), 1.0 / size, dtype=dtype, device=device)


def separable_filter(x: Tensor, windows: Sequence[Tensor]) -> Tensor:
    """Valid (unpadded) correlation of ``x (N, C, *spatial)`` with the outer product of ``windows``.

    ``windows[i]`` filters spatial dim ``i``; each channel is filtered on its own.
    """
    n, c, *spatial = x.shape
    if n * c == 0:  # an empty batch: a depthwise convolution needs at least one group
        return x.new_zeros((n, c, *[s - w.numel() + 1 for s, w in zip(spatial, windows)]))
    conv = F.conv2d if len(spatial) == 2 else F.conv3d
    # every (image, channel) plane becomes a channel of one depthwise convolution
    y = x.reshape(1, n * c, *spatial)
    for i, w in enumerate(windows):
        shape = [1] * len(spatial)
        shape[i] = w.numel()
        y = conv(y, w.to(y.dtype).reshape(1, 1, *shape).expand(n * c, 1, *shape), groups=n * c)
    return y.reshape(n, c, *y.shape[2:])


def local_moments(preds: Tensor, target: Tensor, windows: Sequence[Tensor]) -> tuple[Tensor, ...]:
    """Windowed first and second moments of an image pair (the SSIM and UQI statistics).

    Returns:
        ``(mu_pp, mu_tt, mu_pt, var_p, var_t, cov)``: the products of the local means, the
        local variances (clamped at 0) and the local covariance, each of the images' shape.
    """
    b = preds.shape[0]
    moments = separable_filter(torch.cat((preds, target, preds * preds, target * target, preds * target)), windows)
    mu_p, mu_t, e_pp, e_tt, e_pt = moments.unflatten(0, (5, b))
    mu_pp, mu_tt, mu_pt = mu_p * mu_p, mu_t * mu_t, mu_p * mu_t
    var_p = torch.clamp(e_pp - mu_pp, min=0.0)
    var_t = torch.clamp(e_tt - mu_tt, min=0.0)
    return mu_pp, mu_tt, mu_pt, var_p, var_t, e_pt - mu_pt
