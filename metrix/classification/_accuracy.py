"""Accuracy: the fraction of correct predictions, from the shared stat-scores state."""

from __future__ import annotations

from torch import Tensor

from metrix._core.metric import Metric
from metrix.classification._stat_scores import binary_stats_metric, safe_divide

__all__ = ["binary_accuracy"]


def binary_accuracy(
    threshold: float = 0.5,
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Accuracy of binary predictions: ``(tp + tn) / (tp + tn + fp + fn)``.

    Same arguments, defaults and values as
    ``torchmetrics.functional.classification.binary_accuracy``; see
    :func:`binary_stat_scores` for their meaning.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_accuracy
        >>> binary_accuracy()(torch.tensor([0.2, 0.8, 0.6, 0.1]), torch.tensor([0, 1, 0, 0]))
        tensor(0.7500)
    """

    def reduce(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
        return safe_divide(tp + tn, tp + tn + fp + fn)

    return binary_stats_metric(
        "binary_accuracy",
        reduce,
        threshold=threshold,
        multidim_average=multidim_average,
        ignore_index=ignore_index,
        validate_args=validate_args,
        input_format=input_format,
    )
