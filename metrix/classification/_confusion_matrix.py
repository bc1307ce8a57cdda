"""Confusion matrices (rows are targets), int64 counts or normalised rates.

The binary matrix and the multilabel per-label 2×2 matrices are the shared stat-scores
counts reshaped, so a collection of a confusion matrix and accuracy/precision/… of the
same binary or multilabel configuration updates one state. The multiclass matrix is the
one C×C state of the family (``C * C`` float64 counts): accuracy, precision, … keep O(C)
per-class counts instead, so a collection holding both updates two states.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import warn_if
from metrix._core.metric import Metric, factory
from metrix.classification import _parameter_docs as parameter_docs
from metrix.classification._dispatch import dispatch, documented_dispatcher
from metrix.classification._inputs import check_choice
from metrix.classification._stat_scores_state import (
    Task,
    binary_task,
    confusion_matrix_metric,
    multiclass_task,
    multilabel_task,
)

__all__ = ["binary_confusion_matrix", "confusion_matrix", "multiclass_confusion_matrix", "multilabel_confusion_matrix"]

NORMALIZE = ("true", "pred", "all", "none", None)


def check_normalize(normalize: Any) -> str:
    """Validate ``normalize``; ``None`` is spelled ``"none"`` afterwards."""
    check_choice(normalize, "normalize", NORMALIZE)
    return "none" if normalize is None else normalize


_EMPTY = {
    "true": "a row (a target value) has no samples: its normalized entries are set to 0",
    "pred": "a column (a predicted value) has no samples: its normalized entries are set to 0",
    "all": "the matrix has no samples: its normalized entries are set to 0",
}


def normalize_confmat(confmat: Tensor, normalize: str, name: str = "") -> Tensor:
    """Divide by the row sums (``"true"``), column sums (``"pred"``) or total (``"all"``); 0/0 gives 0.

    As TorchMetrics, a metric ``name``d here warns when it sets such 0/0 entries to 0.
    """
    if normalize == "none":
        return confmat
    cm = confmat.to(torch.float32)
    if normalize == "true":
        den = cm.sum(-1, keepdim=True)
    elif normalize == "pred":
        den = cm.sum(-2, keepdim=True)
    else:
        den = cm.sum((-2, -1), keepdim=True)
    # an empty row/column only happens with all-zero counts: TorchMetrics reports 0 there
    if name:
        warn_if(den == 0, name, _EMPTY[normalize])
    return torch.where(den != 0, cm / torch.where(den != 0, den, 1), 0.0)


def _confmat_metric(name: str, task: Task, normalize: str) -> Metric:
    return confusion_matrix_metric(name, task, lambda cm: normalize_confmat(cm, normalize, name))


@factory(higher_is_better=None)
@parameter_docs.BINARY
def binary_confusion_matrix(
    threshold: float = 0.5,
    normalize: str | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """The 2×2 confusion matrix ``[[tn, fp], [fn, tp]]`` of binary predictions.

    Args:
        normalize: ``"true"`` (rows sum to 1), ``"pred"`` (columns), ``"all"`` or
            ``"none"``/``None`` (int64 counts).

    Returns:
        A metric computing a ``(2, 2)`` tensor.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_confusion_matrix
        >>> binary_confusion_matrix()(torch.tensor([0.2, 0.8, 0.6, 0.1]), torch.tensor([0, 1, 0, 1]))
        tensor([[1, 1],
                [1, 1]])
    """
    task = binary_task(threshold, "global", ignore_index, validate_args, input_format)
    return _confmat_metric("binary_confusion_matrix", task, check_normalize(normalize))


@factory(higher_is_better=None)
@parameter_docs.MULTICLASS
def multiclass_confusion_matrix(
    num_classes: int,
    normalize: str | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """The ``(C, C)`` confusion matrix of multiclass predictions (rows: target, columns: prediction).

    Args:
        normalize: ``"true"`` (rows sum to 1), ``"pred"`` (columns), ``"all"`` or
            ``"none"``/``None`` (int64 counts).

    Returns:
        A metric computing a ``(C, C)`` tensor.

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_confusion_matrix
        >>> m = multiclass_confusion_matrix(num_classes=3)
        >>> m(torch.tensor([2, 1, 0, 1]), torch.tensor([2, 1, 0, 0]))
        tensor([[1, 1, 0],
                [0, 1, 0],
                [0, 0, 1]])
    """
    task = multiclass_task(num_classes, 1, "global", ignore_index, validate_args, input_format)
    return _confmat_metric("multiclass_confusion_matrix", task, check_normalize(normalize))


@factory(higher_is_better=None)
@parameter_docs.MULTILABEL
def multilabel_confusion_matrix(
    num_labels: int,
    threshold: float = 0.5,
    normalize: str | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """One 2×2 confusion matrix ``[[tn, fp], [fn, tp]]`` per label of multilabel predictions.

    Args:
        normalize: ``"true"``, ``"pred"``, ``"all"`` (per label) or ``"none"``/``None``.

    Returns:
        A metric computing an ``(L, 2, 2)`` tensor.

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_confusion_matrix
        >>> m = multilabel_confusion_matrix(num_labels=2)
        >>> m(torch.tensor([[0.9, 0.2], [0.7, 0.6]]), torch.tensor([[1, 0], [0, 1]]))
        tensor([[[0, 1],
                 [0, 1]],
        <BLANKLINE>
                [[1, 0],
                 [0, 1]]])
    """
    task = multilabel_task(num_labels, threshold, "global", ignore_index, validate_args, input_format)
    return _confmat_metric("multilabel_confusion_matrix", task, check_normalize(normalize))


@factory(higher_is_better=None)
@documented_dispatcher(
    "Confusion matrix",
    'm = confusion_matrix("binary", normalize="true")\n'
    ">>> m(torch.tensor([1, 1, 0, 1]), torch.tensor([0, 1, 0, 1]))\n"
    "tensor([[0.5000, 0.5000],\n"
    "        [0.0000, 1.0000]])",
)
def confusion_matrix(
    task: str,
    threshold: float = 0.5,
    num_classes: int | None = None,
    num_labels: int | None = None,
    normalize: str | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    return dispatch(
        task,
        locals(),
        binary=binary_confusion_matrix,
        multiclass=multiclass_confusion_matrix,
        multilabel=multilabel_confusion_matrix,
    )
