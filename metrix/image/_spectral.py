"""Spectral fidelity of multi-band images: spectral angle (SAM) and ERGAS.

Both are per-item scores (per pixel for SAM, per image for ERGAS) reduced over all items,
so the state is a float64 sum and an int64 count, or every score for
``reduction="none"``. TorchMetrics' classes keep every input image.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import state
from metrix.image import _parameter_docs as parameter_docs
from metrix.image._inputs import check_bool, check_positive, check_reduction, image_pair
from metrix.image._scores import ScoreSumsState, ScoreValuesState, scores_metric

__all__ = ["error_relative_global_dimensionless_synthesis", "spectral_angle_mapper"]


@state
class SAMState(ScoreSumsState):
    """Sum of per-pixel spectral angles and their number."""


@state
class SAMValuesState(ScoreValuesState):
    """Every per-pixel angle (``reduction="none"``), flattened."""


@state
class ERGASState(ScoreSumsState):
    """Sum of per-image ERGAS and number of images."""


@state
class ERGASValuesState(ScoreValuesState):
    """Every per-image ERGAS (``reduction="none"``)."""


def _same_dtype(preds: Any, target: Any) -> None:
    if hasattr(preds, "dtype") and hasattr(target, "dtype") and preds.dtype != target.dtype:
        raise TypeError(f"preds and target must have the same dtype, got {preds.dtype} and {target.dtype}")


@factory(higher_is_better=False)
@parameter_docs.RANDOM_PAIR
def spectral_angle_mapper(reduction: str | None = "elementwise_mean", *, validate_args: bool = True) -> Metric:
    """Spectral angle mapper: the angle between the band vectors of ``preds`` and ``target`` per pixel.

    Same arguments, defaults and values as ``torchmetrics.functional.image.spectral_angle_mapper``.

    Args:
        reduction: ``"elementwise_mean"`` (over every pixel), ``"sum"``, or
            ``"none"``/``None`` (the angle maps, ``(N, H, W)``).

    Returns:
        A metric whose ``update(state, preds, target)`` takes two ``(N, C, H, W)`` batches
        with ``C >= 2`` bands; the value is in radians.

    Example:
        >>> spectral_angle_mapper()(preds, target)
        tensor(0.5858, dtype=torch.float64)

    Reference: Kruse et al., "The spectral image processing system (SIPS)", 1993.
    """
    reduction = check_reduction(reduction)
    validate_args = check_bool(validate_args, "validate_args")

    def scores(preds: Any, target: Any) -> Tensor:
        _same_dtype(preds, target)
        p, t = image_pair(preds, target, validate_args=validate_args)
        if p.shape[1] < 2:
            raise ValueError(f"preds must have at least 2 channels (bands), got shape {tuple(p.shape)}")
        dot = (p * t).sum(dim=1)
        return torch.clamp(dot / (p.norm(dim=1) * t.norm(dim=1)), -1, 1).acos()

    key = ("spectral_angle_mapper", reduction, validate_args)
    return scores_metric("spectral_angle_mapper", SAMState, SAMValuesState, scores, reduction, key=key, map_rank=2)


@factory(higher_is_better=False)
@parameter_docs.SCALED_COPY
def error_relative_global_dimensionless_synthesis(
    ratio: float = 4, reduction: str | None = "elementwise_mean", *, validate_args: bool = True
) -> Metric:
    """Relative dimensionless global error in synthesis (ERGAS) of pansharpened images.

    ``100 / ratio * sqrt(mean over bands of (RMSE_band / mean(target_band))^2)`` per image.
    Same arguments, defaults and values as
    ``torchmetrics.functional.image.error_relative_global_dimensionless_synthesis``.

    Args:
        ratio: the ratio of high to low resolution pixel sizes.
        reduction: ``"elementwise_mean"``, ``"sum"`` or ``"none"``/``None`` (one value per image).

    Example:
        >>> error_relative_global_dimensionless_synthesis()(preds, preds * 0.75)
        tensor(9.6185, dtype=torch.float64)

    Reference: Wald, "Quality of high resolution synthesised images: is there a simple
    criterion?", 2000.
    """
    ratio = check_positive(ratio, "ratio")
    reduction = check_reduction(reduction)
    validate_args = check_bool(validate_args, "validate_args")

    def scores(preds: Any, target: Any) -> Tensor:
        _same_dtype(preds, target)
        p, t = image_pair(preds, target, validate_args=validate_args)
        b, c, h, w = p.shape
        p, t = p.reshape(b, c, h * w), t.reshape(b, c, h * w)
        diff = p - t
        rmse = torch.sqrt((diff * diff).sum(dim=2) / (h * w))
        return 100 / ratio * torch.sqrt(torch.sum((rmse / t.mean(dim=2)) ** 2, dim=1) / c)

    key = ("error_relative_global_dimensionless_synthesis", ratio, reduction, validate_args)
    return scores_metric(
        "error_relative_global_dimensionless_synthesis", ERGASState, ERGASValuesState, scores, reduction, key=key
    )
