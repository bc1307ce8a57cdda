"""Hamming distance: the fraction of wrong labels, ``1 - accuracy``, from the shared stat-scores state."""

from __future__ import annotations

from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix.classification._class_averaging import scored_metric
from metrix.classification._dispatch import dispatch
from metrix.classification._division import safe_divide
from metrix.classification._inputs import check_average
from metrix.classification._stat_scores_state import binary_task, multiclass_task, multilabel_task

__all__ = ["binary_hamming_distance", "hamming_distance", "multiclass_hamming_distance", "multilabel_hamming_distance"]


def _elementwise(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
    return 1 - safe_divide(tp + tn, tp + tn + fp + fn)


def _per_class(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
    return 1 - safe_divide(tp, tp + fn)


@factory(higher_is_better=False)
def binary_hamming_distance(
    threshold: float = 0.5,
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Hamming distance of binary predictions: ``1 - accuracy``.

    Same arguments, defaults and values as ``torchmetrics.functional.classification.binary_hamming_distance``.

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
        >>> from metrix.classification import binary_hamming_distance
        >>> binary_hamming_distance()(torch.tensor([0.2, 0.8, 0.6, 0.1, 0.7]), torch.tensor([0, 1, 0, 1, 1]))
        tensor(0.4000)
    """
    task = binary_task(threshold, multidim_average, ignore_index, validate_args, input_format)
    return scored_metric("binary_hamming_distance", task, "micro", _elementwise)


@factory(higher_is_better=False)
def multiclass_hamming_distance(
    num_classes: int,
    average: str | None = "macro",
    top_k: int = 1,
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Hamming distance of multiclass predictions, per class then averaged.

    ``preds`` are float scores ``(N, C, ...)`` or integer labels ``(N, ...)``.

    Args:
        num_classes: number of classes ``C`` (an int >= 2).
        average: ``"micro"`` (counts summed over classes), ``"macro"`` (mean over the
            classes that occur), ``"weighted"`` (by support) or ``"none"``/``None``.
        top_k: a prediction is a hit when the target is among the ``top_k`` highest scores.
        multidim_average: ``"global"`` or ``"samplewise"`` (one value per sample).
        ignore_index: target value whose elements are not counted.
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.

    Returns:
        A metric computing a float32 scalar (``(C,)`` for ``average="none"``; leading
        ``N`` samplewise).

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_hamming_distance
        >>> m = multiclass_hamming_distance(num_classes=3)
        >>> m(torch.tensor([2, 1, 0, 1, 0]), torch.tensor([2, 1, 0, 0, 1]))
        tensor(0.3333)
    """
    task = multiclass_task(num_classes, top_k, multidim_average, ignore_index, validate_args, input_format)
    score = _per_class
    return scored_metric("multiclass_hamming_distance", task, check_average(average), score, top_k_weights=False)


@factory(higher_is_better=False)
def multilabel_hamming_distance(
    num_labels: int,
    threshold: float = 0.5,
    average: str | None = "macro",
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Hamming distance of multilabel predictions ``(N, L, ...)``, per label then averaged.

    Args:
        num_labels: number of labels ``L`` (an int >= 2).
        threshold: probability above which a label counts as predicted.
        average: ``"micro"``, ``"macro"``, ``"weighted"`` or ``"none"``/``None``.
        multidim_average: ``"global"`` or ``"samplewise"`` (one value per sample).
        ignore_index: target value whose elements are not counted.
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.

    Returns:
        A metric computing a float32 scalar (``(L,)`` for ``average="none"``).

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_hamming_distance
        >>> m = multilabel_hamming_distance(num_labels=2)
        >>> m(torch.tensor([[0.9, 0.2], [0.7, 0.6], [0.1, 0.8]]), torch.tensor([[1, 0], [0, 1], [1, 1]]))
        tensor(0.3333)
    """
    task = multilabel_task(num_labels, threshold, multidim_average, ignore_index, validate_args, input_format)
    score = _elementwise
    return scored_metric("multilabel_hamming_distance", task, check_average(average), score, top_k_weights=False)


@factory(higher_is_better=False)
def hamming_distance(
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
    """Hamming distance for ``task="binary" | "multiclass" | "multilabel"`` (TorchMetrics' dispatcher).

    Builds :func:`binary_hamming_distance`, :func:`multiclass_hamming_distance` or
    :func:`multilabel_hamming_distance` from the arguments that task's function takes, passed by keyword (the
    others are ignored); they are documented there. ``task`` is ``"binary"``, ``"multiclass"`` or
    ``"multilabel"``.

    Returns:
        The task's metric.

    Example:
        >>> import torch
        >>> from metrix.classification import hamming_distance
        >>> m = hamming_distance("multiclass", num_classes=3)
        >>> m(torch.tensor([2, 1, 0, 1]), torch.tensor([2, 1, 1, 0]))
        tensor(0.5000)
    """
    return dispatch(
        task,
        locals(),
        binary=binary_hamming_distance,
        multiclass=multiclass_hamming_distance,
        multilabel=multilabel_hamming_distance,
    )
