"""Image gradients: forward differences along height and width (a plain function, no state)."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix.image._inputs import image

__all__ = ["image_gradients"]


def image_gradients(img: Any) -> tuple[Tensor, Tensor]:
    """Forward differences ``(dy, dx)`` of an ``(N, C, H, W)`` batch, zero in the last row/column.

    A plain function with TorchMetrics' signature and values
    (``torchmetrics.functional.image.image_gradients``): it is not a metric (nothing is
    accumulated), so it has no state.

    Args:
        img: an ``(N, C, H, W)`` tensor.

    Returns:
        ``(dy, dx)``, each of ``img``'s shape.

    Example:
        >>> import torch
        >>> from metrix.image import image_gradients
        >>> img = torch.arange(9.0).reshape(1, 1, 3, 3)
        >>> dy, dx = image_gradients(img)
        >>> dy[0, 0]
        tensor([[3., 3., 3.],
                [3., 3., 3.],
                [0., 0., 0.]])
    """
    x = image(img, "img", validate_args=False)
    dy = torch.cat([x[..., 1:, :] - x[..., :-1, :], torch.zeros_like(x[..., :1, :])], dim=2)
    dx = torch.cat([x[..., :, 1:] - x[..., :, :-1], torch.zeros_like(x[..., :, :1])], dim=3)
    return dy, dx


image_gradients.__metrix_plain_function__ = True  # type: ignore[attr-defined]  # a marker attribute on a function object, which mypy does not let one declare
