"""Accuracy: the fraction of correct predictions, from the shared stat-scores state.

Binary and multilabel accuracy count every element, ``(tp + tn) / (tp + tn + fp +
fn)``; multiclass accuracy is the per-class recall ``tp / (tp + fn)``, whose micro
average is the plain fraction of correct labels.
"""

from __future__ import annotations

from torch import Tensor

from metrix._core.metric import Metric
from metrix.classification._inputs import check_average
from metrix.classification._stat_scores import (
    binary_task,
    check_task,
    multiclass_task,
    multilabel_task,
    need_int,
    safe_divide,
    scored_metric,
)

__all__ = ["accuracy", "binary_accuracy", "multiclass_accuracy", "multilabel_accuracy"]


def _elementwise(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
    return safe_divide(tp + tn, tp + tn + fp + fn)


def _per_class(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
    return safe_divide(tp, tp + fn)


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
    ``torchmetrics.functional.classification.binary_accuracy``.

    Args:
        threshold: probability above which a prediction counts as positive.
        multidim_average: ``"global"`` or ``"samplewise"`` (one value per sample).
        ignore_index: target value whose elements are not counted.
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.

    Returns:
        A metric computing a float32 scalar (``(N,)`` samplewise).

    Example:
        >>> import torch
        >>> from metrix.classification import binary_accuracy
        >>> binary_accuracy()(torch.tensor([0.2, 0.8, 0.6, 0.1]), torch.tensor([0, 1, 0, 0]))
        tensor(0.7500)
    """
    task = binary_task(threshold, multidim_average, ignore_index, validate_args, input_format)
    return scored_metric("binary_accuracy", task, "micro", _elementwise)


def multiclass_accuracy(
    num_classes: int | None = None,
    average: str | None = "macro",
    top_k: int = 1,
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Accuracy of multiclass predictions (per-class recall, then averaged).

    Args:
        num_classes: number of classes ``C`` (required: an int >= 2).
        average: ``"micro"`` (fraction of correct labels), ``"macro"`` (mean over
            classes that occur), ``"weighted"`` (by support) or ``"none"``/``None``.
        top_k: a prediction is correct when the target is among the ``top_k`` highest
            scores.
        multidim_average: ``"global"`` or ``"samplewise"``.
        ignore_index: target value whose elements are not counted.
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.

    Returns:
        A metric computing a float32 scalar (``(C,)`` for ``average="none"``; leading
        ``N`` samplewise).

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_accuracy
        >>> m = multiclass_accuracy(num_classes=3, average="micro")
        >>> m(torch.tensor([[0.1, 0.8, 0.1], [0.7, 0.2, 0.1], [0.2, 0.2, 0.6]]), torch.tensor([1, 2, 2]))
        tensor(0.6667)
    """
    task = multiclass_task(num_classes, top_k, multidim_average, ignore_index, validate_args, input_format)
    return scored_metric("multiclass_accuracy", task, check_average(average), _per_class)


def multilabel_accuracy(
    num_labels: int,
    threshold: float = 0.5,
    average: str | None = "macro",
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Accuracy of multilabel predictions ``(N, L, ...)``, per label then averaged.

    Args:
        num_labels: number of labels ``L`` (an int >= 2).
        threshold: probability above which a label counts as predicted.
        average: ``"micro"``, ``"macro"``, ``"weighted"`` or ``"none"``/``None``.
        multidim_average: ``"global"`` or ``"samplewise"``.
        ignore_index: target value whose elements are not counted.
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.

    Returns:
        A metric computing a float32 scalar (``(L,)`` for ``average="none"``).

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_accuracy
        >>> m = multilabel_accuracy(num_labels=2)
        >>> m(torch.tensor([[0.9, 0.2], [0.7, 0.6]]), torch.tensor([[1, 0], [0, 1]]))
        tensor(0.7500)
    """
    task = multilabel_task(num_labels, threshold, multidim_average, ignore_index, validate_args, input_format)
    return scored_metric("multilabel_accuracy", task, check_average(average), _elementwise)


def accuracy(
    task: str,
    threshold: float = 0.5,
    num_classes: int | None = None,
    num_labels: int | None = None,
    average: str | None = "micro",
    multidim_average: str = "global",
    top_k: int | None = 1,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Accuracy for ``task="binary" | "multiclass" | "multilabel"`` (TorchMetrics' dispatcher).

    Args:
        task: ``"binary"``, ``"multiclass"`` or ``"multilabel"``.
        threshold: decision threshold (binary, multilabel).
        num_classes: number of classes (multiclass).
        num_labels: number of labels (multilabel).
        average: class averaging (multiclass, multilabel).
        multidim_average: ``"global"`` or ``"samplewise"``.
        top_k: top-k hits (multiclass).
        ignore_index: target value whose elements are not counted.
        validate_args: check input values.
        input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.

    Returns:
        The task's accuracy metric.

    Example:
        >>> import torch
        >>> from metrix.classification import accuracy
        >>> accuracy("multiclass", num_classes=3)(torch.tensor([2, 1, 0]), torch.tensor([2, 1, 1]))
        tensor(0.6667)
    """
    task = check_task(task)
    if task == "binary":
        return binary_accuracy(threshold, multidim_average, ignore_index, validate_args, input_format=input_format)
    if task == "multiclass":
        return multiclass_accuracy(
            need_int(num_classes, "num_classes", task),
            average,
            need_int(top_k, "top_k", task),
            multidim_average,
            ignore_index,
            validate_args,
            input_format=input_format,
        )
    return multilabel_accuracy(
        need_int(num_labels, "num_labels", task),
        threshold,
        average,
        multidim_average,
        ignore_index,
        validate_args,
        input_format=input_format,
    )
