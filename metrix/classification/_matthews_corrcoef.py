"""Matthews correlation coefficient, from the shared stat-scores state.

``MCC = (c·s − Σ t_k p_k) / sqrt((s² − Σ p_k²)(s² − Σ t_k²))`` with ``t_k``/``p_k`` the
target/prediction counts of class ``k``, ``c`` the correct and ``s`` all samples
(Gorodkin's multiclass form). For 2×2 matrices the degenerate cases (a zero
denominator) follow TorchMetrics' rules; they are selected with ``torch.where``,
never a Python branch, so the metric traces.
"""

from __future__ import annotations

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix.classification import _parameter_docs as parameter_docs
from metrix.classification._dispatch import dispatch, documented_dispatcher
from metrix.classification._stat_scores_state import (
    ClassCounts,
    Task,
    binary_task,
    class_counts_of,
    confusion_matrix_metric,
    multiclass_task,
    multilabel_task,
    task_metric,
)

__all__ = [
    "binary_matthews_corrcoef",
    "matthews_corrcoef",
    "multiclass_matthews_corrcoef",
    "multilabel_matthews_corrcoef",
]


def _gorodkin(tk: Tensor, pk: Tensor, c: Tensor, s: Tensor) -> tuple[Tensor, Tensor]:
    """``(MCC, zero denominator)`` from float32 target/prediction counts per class, correct and all samples."""
    num = c * s - (tk * pk).sum()
    den = (s * s - (pk * pk).sum()) * (s * s - (tk * tk).sum())
    zero = den == 0
    return torch.where(zero, 0.0, num / torch.where(zero, 1.0, den).sqrt()), zero


def mcc_from_class_counts(counts: ClassCounts) -> Tensor:
    """MCC from per-class counts (no confusion matrix needed, except for its 2×2 special cases)."""
    hits, predicted, actual = counts
    if hits.shape[-1] == 2:  # the 2×2 matrix is known from the counts; TorchMetrics' rules apply to it
        wrong = actual - hits  # off the diagonal of each row (target k, predicted the other class)
        return mcc_from_confmat(torch.stack([torch.stack([hits[0], wrong[0]]), torch.stack([wrong[1], hits[1]])]))
    # float32 of exact integer counts, as TorchMetrics computes on its confusion matrix
    value, _ = _gorodkin(
        actual.to(torch.float32), predicted.to(torch.float32), *(x.sum().to(torch.float32) for x in (hits, actual))
    )
    return value


def mcc_from_confmat(confmat: Tensor) -> Tensor:
    """MCC of a ``(C, C)`` confusion matrix (a multilabel ``(L, 2, 2)`` is summed over labels first)."""
    if confmat.dim() == 3:
        confmat = confmat.sum(0)
    cm = confmat.to(torch.float32)
    value, zero = _gorodkin(cm.sum(-1), cm.sum(-2), cm.diagonal().sum(), cm.sum())
    if cm.shape[-1] != 2:
        return value
    tn, fp, fn, tp = cm.reshape(-1).unbind()
    eps = torch.tensor(torch.finfo(torch.float32).eps, device=cm.device)
    root_eps = eps.sqrt()
    # TorchMetrics' numerators for a zero denominator, first matching rule wins
    rules = [
        ((fn == 0) & (tn == 0), root_eps * (tp - fp)),
        ((fp == 0) & (tn == 0), root_eps * (tp - fn)),
        ((tp == 0) & (fn == 0), root_eps * (tn - fp)),
        ((tp == 0) & (fp == 0), root_eps * (tn - fn)),
        (tp == 0, tn - fp * fn),
        (tn == 0, tp - fp * fn),
        ((fp == 0) | (fn == 0), tp * tn),
    ]
    special_num = torch.zeros_like(value)
    matched = torch.zeros_like(zero)
    for cond, rule_num in rules:
        special_num = torch.where(cond & ~matched, rule_num, special_num)
        matched = matched | cond
    special_den = (tp + fp + eps) * (tp + fn + eps) * (tn + fp + eps) * (tn + fn + eps)
    special = torch.where(matched, special_num / special_den.sqrt(), 0.0)
    value = torch.where(zero, special, value)
    correct, wrong = tp + tn, fp + fn
    value = torch.where((correct == 0) & (wrong != 0), -1.0, value)
    return torch.where((correct != 0) & (wrong == 0), 1.0, value)


def _mcc_metric(name: str, task: Task) -> Metric:
    if task.kind == "multiclass":
        return task_metric(name, task, lambda s: mcc_from_class_counts(class_counts_of(task, s)))
    return confusion_matrix_metric(name, task, mcc_from_confmat)


@factory(higher_is_better=True)
@parameter_docs.BINARY
def binary_matthews_corrcoef(
    threshold: float = 0.5,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Matthews correlation coefficient of binary predictions.

    Returns:
        A metric computing a float32 scalar in [-1, 1].

    Example:
        >>> import torch
        >>> from metrix.classification import binary_matthews_corrcoef
        >>> binary_matthews_corrcoef()(torch.tensor([0.2, 0.8, 0.6, 0.1]), torch.tensor([0, 1, 0, 0]))
        tensor(0.5774)
    """
    task = binary_task(threshold, "global", ignore_index, validate_args, input_format)
    return _mcc_metric("binary_matthews_corrcoef", task)


@factory(higher_is_better=True)
@parameter_docs.MULTICLASS
def multiclass_matthews_corrcoef(
    num_classes: int,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Matthews correlation coefficient of multiclass predictions.

    Returns:
        A metric computing a float32 scalar.

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_matthews_corrcoef
        >>> m = multiclass_matthews_corrcoef(num_classes=3)
        >>> m(torch.tensor([2, 1, 0, 1]), torch.tensor([2, 1, 0, 0]))
        tensor(0.7000)
    """
    task = multiclass_task(num_classes, 1, "global", ignore_index, validate_args, input_format)
    return _mcc_metric("multiclass_matthews_corrcoef", task)


@factory(higher_is_better=True)
@parameter_docs.MULTILABEL
def multilabel_matthews_corrcoef(
    num_labels: int,
    threshold: float = 0.5,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Matthews correlation coefficient of multilabel predictions (all labels pooled into one 2×2 matrix).

    Returns:
        A metric computing a float32 scalar.

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_matthews_corrcoef
        >>> m = multilabel_matthews_corrcoef(num_labels=2)
        >>> m(torch.tensor([[0.9, 0.2], [0.7, 0.6]]), torch.tensor([[1, 0], [0, 1]]))
        tensor(0.5774)
    """
    task = multilabel_task(num_labels, threshold, "global", ignore_index, validate_args, input_format)
    return _mcc_metric("multilabel_matthews_corrcoef", task)


@factory(higher_is_better=True)
@documented_dispatcher(
    "Matthews correlation coefficient",
    'matthews_corrcoef("binary")(torch.tensor([1, 1, 0, 1]), torch.tensor([1, 1, 0, 1]))\ntensor(1.)',
)
def matthews_corrcoef(
    task: str,
    threshold: float = 0.5,
    num_classes: int | None = None,
    num_labels: int | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    return dispatch(
        task,
        locals(),
        binary=binary_matthews_corrcoef,
        multiclass=multiclass_matthews_corrcoef,
        multilabel=multilabel_matthews_corrcoef,
    )
