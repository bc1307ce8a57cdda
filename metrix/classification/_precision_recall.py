"""Precision ``tp / (tp + fp)`` and recall ``tp / (tp + fn)``, from the shared stat-scores state."""

from __future__ import annotations

from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix.classification import _parameter_docs as parameter_docs
from metrix.classification._class_averaging import ScoreFn, recall_metric, scored_metric, uses_stats
from metrix.classification._dispatch import dispatch
from metrix.classification._division import count_divide
from metrix.classification._inputs import check_average, check_zero_division
from metrix.classification._stat_scores_state import binary_task, multiclass_task, multilabel_task

__all__ = [
    "binary_precision",
    "binary_recall",
    "multiclass_precision",
    "multiclass_recall",
    "multilabel_precision",
    "multilabel_recall",
    "precision",
    "recall",
]


def _precision(zero_division: float) -> ScoreFn:
    @uses_stats("tp", "fp")
    def score(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
        return count_divide(tp, tp + fp, zero_division)

    return score


def _recall(zero_division: float) -> ScoreFn:
    @uses_stats("tp", "fn")
    def score(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
        return count_divide(tp, tp + fn, zero_division)

    return score


@factory(higher_is_better=True)
@parameter_docs.BINARY
def binary_precision(
    threshold: float = 0.5,
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    zero_division: float = 0,
    *,
    input_format: str = "auto",
) -> Metric:
    """Precision of binary predictions: ``tp / (tp + fp)``.

    Same arguments, defaults and values as ``torchmetrics.functional.classification.binary_precision``.

    Returns:
        A metric computing a float32 scalar (``(N,)`` samplewise).

    Example:
        >>> import torch
        >>> from metrix.classification import binary_precision
        >>> binary_precision()(torch.tensor([0.2, 0.8, 0.6, 0.1, 0.7]), torch.tensor([0, 1, 0, 1, 1]))
        tensor(0.6667)
    """
    task = binary_task(threshold, multidim_average, ignore_index, validate_args, input_format)
    return scored_metric("binary_precision", task, "micro", _precision(check_zero_division(zero_division)))


@factory(higher_is_better=True)
@parameter_docs.MULTICLASS
def multiclass_precision(
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
    """Precision of multiclass predictions, per class then averaged.

    ``preds`` are float scores ``(N, C, ...)`` or integer labels ``(N, ...)``.

    Returns:
        A metric computing a float32 scalar (``(C,)`` for ``average="none"``; leading
        ``N`` samplewise).

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_precision
        >>> m = multiclass_precision(num_classes=3)
        >>> m(torch.tensor([2, 1, 0, 1, 0]), torch.tensor([2, 1, 0, 0, 1]))
        tensor(0.6667)
    """
    task = multiclass_task(num_classes, top_k, multidim_average, ignore_index, validate_args, input_format)
    score = _precision(check_zero_division(zero_division))
    return scored_metric("multiclass_precision", task, check_average(average), score)


@factory(higher_is_better=True)
@parameter_docs.MULTILABEL
def multilabel_precision(
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
    """Precision of multilabel predictions ``(N, L, ...)``, per label then averaged.

    Returns:
        A metric computing a float32 scalar (``(L,)`` for ``average="none"``).

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_precision
        >>> m = multilabel_precision(num_labels=2)
        >>> m(torch.tensor([[0.9, 0.2], [0.7, 0.6], [0.1, 0.8]]), torch.tensor([[1, 0], [0, 1], [1, 1]]))
        tensor(0.7500)
    """
    task = multilabel_task(num_labels, threshold, multidim_average, ignore_index, validate_args, input_format)
    score = _precision(check_zero_division(zero_division))
    return scored_metric("multilabel_precision", task, check_average(average), score)


@factory(higher_is_better=True)
def precision(
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
    """Precision for ``task="binary" | "multiclass" | "multilabel"`` (TorchMetrics' dispatcher).

    Builds :func:`binary_precision`, :func:`multiclass_precision` or :func:`multilabel_precision` from the
    arguments that task's function takes, passed by keyword (the others are ignored); they are documented there.
    ``task`` is ``"binary"``, ``"multiclass"`` or ``"multilabel"``.

    Returns:
        The task's metric.

    Example:
        >>> import torch
        >>> from metrix.classification import precision
        >>> m = precision("multiclass", num_classes=3)
        >>> m(torch.tensor([2, 1, 0, 1]), torch.tensor([2, 1, 1, 0]))
        tensor(0.5000)
    """
    return dispatch(
        task, locals(), binary=binary_precision, multiclass=multiclass_precision, multilabel=multilabel_precision
    )


@factory(higher_is_better=True)
@parameter_docs.BINARY
def binary_recall(
    threshold: float = 0.5,
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    zero_division: float = 0,
    *,
    input_format: str = "auto",
) -> Metric:
    """Recall of binary predictions: ``tp / (tp + fn)``.

    Same arguments, defaults and values as ``torchmetrics.functional.classification.binary_recall``.

    Returns:
        A metric computing a float32 scalar (``(N,)`` samplewise).

    Example:
        >>> import torch
        >>> from metrix.classification import binary_recall
        >>> binary_recall()(torch.tensor([0.2, 0.8, 0.6, 0.1, 0.7]), torch.tensor([0, 1, 0, 1, 1]))
        tensor(0.6667)
    """
    task = binary_task(threshold, multidim_average, ignore_index, validate_args, input_format)
    return scored_metric("binary_recall", task, "micro", _recall(check_zero_division(zero_division)))


@factory(higher_is_better=True)
@parameter_docs.MULTICLASS
def multiclass_recall(
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
    """Recall of multiclass predictions, per class then averaged.

    ``preds`` are float scores ``(N, C, ...)`` or integer labels ``(N, ...)``.

    Returns:
        A metric computing a float32 scalar (``(C,)`` for ``average="none"``; leading
        ``N`` samplewise).

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_recall
        >>> m = multiclass_recall(num_classes=3)
        >>> m(torch.tensor([2, 1, 0, 1, 0]), torch.tensor([2, 1, 0, 0, 1]))
        tensor(0.6667)
    """
    task = multiclass_task(num_classes, top_k, multidim_average, ignore_index, validate_args, input_format)
    zero_division = check_zero_division(zero_division)
    average = check_average(average)
    fast = recall_metric("multiclass_recall", task, average) if zero_division == 0 else None
    return fast if fast is not None else scored_metric("multiclass_recall", task, average, _recall(zero_division))


@factory(higher_is_better=True)
@parameter_docs.MULTILABEL
def multilabel_recall(
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
    """Recall of multilabel predictions ``(N, L, ...)``, per label then averaged.

    Returns:
        A metric computing a float32 scalar (``(L,)`` for ``average="none"``).

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_recall
        >>> m = multilabel_recall(num_labels=2)
        >>> m(torch.tensor([[0.9, 0.2], [0.7, 0.6], [0.1, 0.8]]), torch.tensor([[1, 0], [0, 1], [1, 1]]))
        tensor(0.7500)
    """
    task = multilabel_task(num_labels, threshold, multidim_average, ignore_index, validate_args, input_format)
    score = _recall(check_zero_division(zero_division))
    return scored_metric("multilabel_recall", task, check_average(average), score)


@factory(higher_is_better=True)
def recall(
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
    """Recall for ``task="binary" | "multiclass" | "multilabel"`` (TorchMetrics' dispatcher).

    Builds :func:`binary_recall`, :func:`multiclass_recall` or :func:`multilabel_recall` from the arguments that
    task's function takes, passed by keyword (the others are ignored); they are documented there. ``task`` is
    ``"binary"``, ``"multiclass"`` or ``"multilabel"``.

    Returns:
        The task's metric.

    Example:
        >>> import torch
        >>> from metrix.classification import recall
        >>> m = recall("multiclass", num_classes=3)
        >>> m(torch.tensor([2, 1, 0, 1]), torch.tensor([2, 1, 1, 0]))
        tensor(0.5000)
    """
    return dispatch(task, locals(), binary=binary_recall, multiclass=multiclass_recall, multilabel=multilabel_recall)
