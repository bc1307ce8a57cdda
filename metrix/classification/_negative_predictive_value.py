"""Negative predictive value ``tn / (tn + fn)``, from the shared stat-scores state."""

from __future__ import annotations

from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix.classification._class_averaging import ScoreFn, scored_metric
from metrix.classification._dispatch import dispatch
from metrix.classification._division import count_divide
from metrix.classification._inputs import check_average, check_zero_division
from metrix.classification._stat_scores_state import binary_task, multiclass_task, multilabel_task

__all__ = [
    "binary_negative_predictive_value",
    "multiclass_negative_predictive_value",
    "multilabel_negative_predictive_value",
    "negative_predictive_value",
]


def _npv(zero_division: float) -> ScoreFn:
    def score(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
        return count_divide(tn, tn + fn, zero_division)

    return score


@factory(higher_is_better=True)
def binary_negative_predictive_value(
    threshold: float = 0.5,
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    zero_division: float = 0,
    *,
    input_format: str = "auto",
) -> Metric:
    """Negative predictive value of binary predictions: ``tn / (tn + fn)``.

    Same arguments, defaults and values as ``torchmetrics.functional.classification.binary_negative_predictive_value``.

    Args:
        threshold: probability above which a prediction counts as positive.
        multidim_average: ``"global"`` or ``"samplewise"`` (one value per sample).
        ignore_index: target value whose elements are not counted.
        validate_args: check input values (shapes and dtypes are always checked).
        zero_division: value returned where the denominator is 0 (0 or 1).
        input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.

    Returns:
        A metric computing a float32 scalar (``(N,)`` samplewise).

    Example:
        >>> import torch
        >>> from metrix.classification import binary_negative_predictive_value
        >>> binary_negative_predictive_value()(torch.tensor([0.2, 0.8, 0.6, 0.1, 0.7]), torch.tensor([0, 1, 0, 1, 1]))
        tensor(0.5000)
    """
    task = binary_task(threshold, multidim_average, ignore_index, validate_args, input_format)
    return scored_metric("binary_negative_predictive_value", task, "micro", _npv(check_zero_division(zero_division)))


@factory(higher_is_better=True)
def multiclass_negative_predictive_value(
    num_classes: int,
    average: str | None = "macro",
    top_k: int = 1,
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    zero_division: float = 0,
    *,
    input_format: str = "auto",
) -> Metric:
    """Negative predictive value of multiclass predictions, per class then averaged.

    ``preds`` are float scores ``(N, C, ...)`` or integer labels ``(N, ...)``.

    Args:
        num_classes: number of classes ``C`` (an int >= 2).
        average: ``"micro"`` (counts summed over classes), ``"macro"`` (mean over the
            classes that occur), ``"weighted"`` (by support) or ``"none"``/``None``.
        top_k: a prediction is a hit when the target is among the ``top_k`` highest scores.
        multidim_average: ``"global"`` or ``"samplewise"`` (one value per sample).
        ignore_index: target value whose elements are not counted.
        validate_args: check input values (shapes and dtypes are always checked).
        zero_division: value returned where the denominator is 0 (0 or 1).
        input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.

    Returns:
        A metric computing a float32 scalar (``(C,)`` for ``average="none"``; leading
        ``N`` samplewise).

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_negative_predictive_value
        >>> m = multiclass_negative_predictive_value(num_classes=3)
        >>> m(torch.tensor([2, 1, 0, 1, 0]), torch.tensor([2, 1, 0, 0, 1]))
        tensor(0.7778)
    """
    task = multiclass_task(num_classes, top_k, multidim_average, ignore_index, validate_args, input_format)
    score = _npv(check_zero_division(zero_division))
    return scored_metric("multiclass_negative_predictive_value", task, check_average(average), score)


@factory(higher_is_better=True)
def multilabel_negative_predictive_value(
    num_labels: int,
    threshold: float = 0.5,
    average: str | None = "macro",
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    zero_division: float = 0,
    *,
    input_format: str = "auto",
) -> Metric:
    """Negative predictive value of multilabel predictions ``(N, L, ...)``, per label then averaged.

    Args:
        num_labels: number of labels ``L`` (an int >= 2).
        threshold: probability above which a label counts as predicted.
        average: ``"micro"``, ``"macro"``, ``"weighted"`` or ``"none"``/``None``.
        multidim_average: ``"global"`` or ``"samplewise"`` (one value per sample).
        ignore_index: target value whose elements are not counted.
        validate_args: check input values (shapes and dtypes are always checked).
        zero_division: value returned where the denominator is 0 (0 or 1).
        input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.

    Returns:
        A metric computing a float32 scalar (``(L,)`` for ``average="none"``).

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_negative_predictive_value
        >>> m = multilabel_negative_predictive_value(num_labels=2)
        >>> m(torch.tensor([[0.9, 0.2], [0.7, 0.6], [0.1, 0.8]]), torch.tensor([[1, 0], [0, 1], [1, 1]]))
        tensor(0.5000)
    """
    task = multilabel_task(num_labels, threshold, multidim_average, ignore_index, validate_args, input_format)
    score = _npv(check_zero_division(zero_division))
    return scored_metric("multilabel_negative_predictive_value", task, check_average(average), score)


@factory(higher_is_better=True)
def negative_predictive_value(
    task: str,
    threshold: float = 0.5,
    num_classes: int | None = None,
    num_labels: int | None = None,
    average: str | None = "micro",
    multidim_average: str = "global",
    top_k: int | None = 1,
    ignore_index: int | None = None,
    validate_args: bool = True,
    zero_division: float = 0,
    *,
    input_format: str = "auto",
) -> Metric:
    """Negative predictive value for ``task="binary" | "multiclass" | "multilabel"`` (TorchMetrics' dispatcher).

    Builds :func:`binary_negative_predictive_value`, :func:`multiclass_negative_predictive_value` or
    :func:`multilabel_negative_predictive_value` from the arguments that task's function takes, passed by
    keyword (the others are ignored); they are documented there. ``task`` is ``"binary"``, ``"multiclass"`` or
    ``"multilabel"``.

    Returns:
        The task's metric.

    Example:
        >>> import torch
        >>> from metrix.classification import negative_predictive_value
        >>> m = negative_predictive_value("multiclass", num_classes=3)
        >>> m(torch.tensor([2, 1, 0, 1]), torch.tensor([2, 1, 1, 0]))
        tensor(0.7500)
    """
    return dispatch(
        task,
        locals(),
        binary=binary_negative_predictive_value,
        multiclass=multiclass_negative_predictive_value,
        multilabel=multilabel_negative_predictive_value,
    )
