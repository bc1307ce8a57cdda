"""Total variation: the sum of absolute differences between neighbouring pixels, per image.

The state is a float64 sum of per-image values and an int64 count (every value for
``reduction="none"``).
"""

from __future__ import annotations

from typing import Any

from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import state
from metrix.image._inputs import check_bool, check_reduction, image
from metrix.image._scores import ScoreSumsState, ScoreValuesState, scores_metric

__all__ = ["TotalVariationState", "total_variation"]


@state
class TotalVariationState(ScoreSumsState):
    """Sum of per-image total variation and number of images."""


@state
class TotalVariationValuesState(ScoreValuesState):
    """Every per-image total variation (``reduction="none"``)."""


@factory(higher_is_better=False)
def total_variation(reduction: str | None = "sum", *, validate_args: bool = True) -> Metric:
    """Total variation ``sum |x[i+1, j] - x[i, j]| + |x[i, j+1] - x[i, j]|`` of each image.

    Same arguments, defaults and values as ``torchmetrics.functional.image.total_variation``.

    Args:
        reduction: ``"sum"`` (over images), ``"mean"``, or ``"none"``/``None`` (one value per image).
        validate_args: check that the images are finite (shapes are always checked).

    Returns:
        A metric whose ``update(state, img)`` takes one ``(N, C, H, W)`` batch.

    Example:
        >>> import torch
        >>> from metrix.image import total_variation
        >>> img = torch.tensor([[[[0.0, 1.0], [3.0, 1.0]]]])
        >>> total_variation()(img)
        tensor(6., dtype=torch.float64)

    Reference: Rudin, Osher, Fatemi, "Nonlinear total variation based noise removal
    algorithms", 1992.
    """
    reduction = check_reduction(reduction, ("sum", "mean", "none", None))
    validate_args = check_bool(validate_args, "validate_args")

    def scores(img: Any) -> Tensor:
        x = image(img, "img", validate_args=validate_args)
        dy = (x[..., 1:, :] - x[..., :-1, :]).abs().sum(dim=(1, 2, 3))
        dx = (x[..., :, 1:] - x[..., :, :-1]).abs().sum(dim=(1, 2, 3))
        return dy + dx

    key = ("total_variation", reduction, validate_args)
    return scores_metric("total_variation", TotalVariationState, TotalVariationValuesState, scores, reduction, key=key)
