"""Visual information fidelity (VIF, pixel domain): information preserved over 4 scales.

VIF is a ratio per image (and channel), so the state is a float64 sum of per-image values
and an int64 count (every value for ``reduction="none"``). TorchMetrics' class keeps a
list of per-image values.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import state
from metrix.image._filters import separable_filter
from metrix.image._inputs import check_bool, check_positive, check_reduction, image_pair
from metrix.image._scores import ScoreSumsState, ScoreValuesState, scores_metric

__all__ = ["VIFState", "visual_information_fidelity"]


@state
class VIFState(ScoreSumsState):
    """Sum of per-image VIF and number of images."""


@state
class VIFValuesState(ScoreValuesState):
    """Every per-image VIF (``reduction="none"``)."""


def _window(size: int, dtype: torch.dtype, device: torch.device) -> Tensor:
    # the 2-d Gaussian of sigma size / 5 is the outer product of this 1-d window
    coords = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2
    g = torch.exp(-(coords**2) / (2.0 * (size / 5) ** 2))
    return g / g.sum()


def _vif_per_image(preds: Tensor, target: Tensor, sigma_n_sq: float) -> Tensor:
    """VIF of every ``(N, C, H, W)`` image: per channel, then averaged over channels."""
    b, c = preds.shape[:2]
    x, y = target.reshape(b * c, 1, *target.shape[2:]), preds.reshape(b * c, 1, *preds.shape[2:])
    eps = 1e-10
    num = torch.zeros(b * c, dtype=x.dtype, device=x.device)
    den = torch.zeros(b * c, dtype=x.dtype, device=x.device)
    for scale in range(4):
        n = int(2 ** (4 - scale) + 1)
        w = _window(n, x.dtype, x.device)
        if scale > 0:
            x = separable_filter(x, [w, w])[:, :, ::2, ::2]
            y = separable_filter(y, [w, w])[:, :, ::2, ::2]
        mu_x, mu_y, e_xx, e_yy, e_xy = separable_filter(torch.cat((x, y, x * x, y * y, x * y)), [w, w]).unflatten(
            0, (5, b * c)
        )
        var_x = torch.clamp(e_xx - mu_x**2, min=0.0)
        var_y = torch.clamp(e_yy - mu_y**2, min=0.0)
        cov = e_xy - mu_x * mu_y
        g = cov / (var_x + eps)
        sv = var_y - g * cov
        low_x = var_x < eps
        g = torch.where(low_x, 0.0, g)
        sv = torch.where(low_x, var_y, sv)
        var_x = torch.where(low_x, 0.0, var_x)
        low_y = var_y < eps
        g = torch.where(low_y, 0.0, g)
        sv = torch.where(low_y, 0.0, sv)
        neg = g < 0
        sv = torch.where(neg, var_y, sv)
        g = torch.where(neg, 0.0, g)
        sv = torch.clamp(sv, min=eps)
        num = num + torch.log10(1.0 + g**2 * var_x / (sv + sigma_n_sq)).sum(dim=(1, 2, 3))
        den = den + torch.log10(1.0 + var_x / sigma_n_sq).sum(dim=(1, 2, 3))
    return (num / den).reshape(b, c).mean(1)


@factory(higher_is_better=True)
def visual_information_fidelity(
    sigma_n_sq: float = 2.0, reduction: str | None = "mean", *, validate_args: bool = True
) -> Metric:
    """Pixel-domain visual information fidelity (VIF-P).

    Same arguments, defaults and values as ``torchmetrics.functional.image.visual_information_fidelity``.

    Args:
        sigma_n_sq: the variance of the visual noise model.
        reduction: ``"mean"`` or ``"none"``/``None`` (one value per image).
        validate_args: check that the images are finite (shapes are always checked).

    Returns:
        A metric whose ``update(state, preds, target)`` takes two ``(N, C, H, W)`` batches of
        images at least 41x41.

    Example:
        >>> import torch
        >>> from metrix.image import visual_information_fidelity
        >>> g = torch.Generator().manual_seed(0)
        >>> target = torch.rand(2, 1, 48, 48, generator=g)
        >>> preds = target + 0.1 * torch.rand(2, 1, 48, 48, generator=g)
        >>> visual_information_fidelity()(preds, target)
        tensor(1.0042, dtype=torch.float64)

    Reference: Sheikh, Bovik, "Image information and visual quality", IEEE TIP 2006.
    """
    sigma_n_sq = check_positive(sigma_n_sq, "sigma_n_sq")
    reduction = check_reduction(reduction, ("mean", "none", None))
    validate_args = check_bool(validate_args, "validate_args")

    def scores(preds: Any, target: Any) -> Tensor:
        p, t = image_pair(preds, target, validate_args=validate_args)
        if p.shape[-1] < 41 or p.shape[-2] < 41:
            raise ValueError(f"preds and target must be at least 41x41, got shape {tuple(p.shape)}")
        return _vif_per_image(p, t, sigma_n_sq)

    key = ("visual_information_fidelity", sigma_n_sq, reduction, validate_args)
    return scores_metric("visual_information_fidelity", VIFState, VIFValuesState, scores, reduction, key=key)
