"""Division with a convention for a zero denominator, shared by every classification family."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["count_divide", "safe_divide"]


def safe_divide(num: Tensor, den: Tensor, zero_division: float = 0.0) -> Tensor:
    """``num / den``, with ``zero_division`` where ``den == 0`` (no host sync).

    Integer numerators are divided in float32 (TorchMetrics' precision for rates of
    counts); floating ones keep their dtype.
    """
    if not num.is_floating_point():
        num = num.to(torch.float32)
    if den.dtype != num.dtype:
        den = den.to(num.dtype)
    # x / 0 gives inf or nan, which the where masks: two kernels, no host sync
    return torch.where(den == 0, zero_division, num / den)


def count_divide(num: Tensor, den: Tensor, zero_division: float = 0.0) -> Tensor:
    """:func:`safe_divide` for int64 counts where ``num`` is 0 wherever ``den`` is 0.

    Equal to ``safe_divide(num, den, zero_division)``; with ``zero_division == 0`` it is
    ``num / den.clamp(min=1)`` (``0 / 1`` is the 0 that the ``where`` would put there),
    one kernel instead of four. Callers must guarantee the precondition (e.g.
    ``tp / (tp + fn)``: a zero denominator forces ``tp == 0``).
    """
    if zero_division != 0 or num.is_floating_point() or den.is_floating_point():
        return safe_divide(num, den, zero_division)
    return num / den.clamp(min=1)  # int / int: divided in float32, as safe_divide does
