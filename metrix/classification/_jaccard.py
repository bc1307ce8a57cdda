"""Jaccard index (intersection over union) ``tp / (tp + fp + fn)``, from the shared stat-scores state."""

from __future__ import annotations

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix.classification import _parameter_docs as parameter_docs
from metrix.classification._dispatch import dispatch, documented_dispatcher
from metrix.classification._division import safe_divide
from metrix.classification._inputs import check_average, check_zero_division
from metrix.classification._stat_scores_state import (
    Stats,
    Task,
    binary_task,
    multiclass_task,
    multilabel_task,
    stats_metric,
)

__all__ = ["binary_jaccard_index", "jaccard_index", "multiclass_jaccard_index", "multilabel_jaccard_index"]


def _jaccard(st: Stats, task: Task, average: str, zero_division: float) -> Tensor:
    # float32 of exact integer counts, as TorchMetrics computes on its confusion matrix
    tp, fp, fn = (x.to(torch.float32) for x in (st.tp, st.fp, st.fn))
    if task.kind == "binary":
        return safe_divide(tp, fp + fn + tp, zero_division)
    multilabel = task.kind == "multilabel"
    # TorchMetrics leaves the ignored class out of the micro and macro averages when
    # ignore_index is a valid class index
    ii = task.ignore_index
    drop = ii is not None and 0 <= ii < task.num
    num = tp
    den = tp + fp + fn
    if average == "micro":
        num = num.sum()
        den = den.sum() - (den[ii] if drop else 0.0)
    score = safe_divide(num, den, zero_division)
    if average in ("none", "micro"):
        return score
    if average == "weighted":
        weights = tp + fn
    else:
        weights = torch.ones_like(score)
        if drop and ii is not None:
            weights = torch.where(torch.arange(score.shape[-1], device=score.device) == ii, 0.0, weights)
        if not multilabel:
            weights = torch.where(den == 0, 0.0, weights)
    return ((weights * score) / weights.sum()).sum()


def _jaccard_metric(name: str, task: Task, average: str, zero_division: float) -> Metric:
    return stats_metric(name, task, lambda st: _jaccard(st, task, average, zero_division), need_tn=False)


@factory(higher_is_better=True)
@parameter_docs.BINARY
def binary_jaccard_index(
    threshold: float = 0.5,
    ignore_index: int | None = None,
    validate_args: bool = True,
    zero_division: float = 0.0,
    *,
    input_format: str = "auto",
) -> Metric:
    """Jaccard index of binary predictions: ``tp / (tp + fp + fn)``.

    Args:
        zero_division: value returned when ``tp + fp + fn == 0`` (0 or 1).

    Returns:
        A metric computing a float32 scalar.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_jaccard_index
        >>> binary_jaccard_index()(torch.tensor([0.2, 0.8, 0.6, 0.1]), torch.tensor([0, 1, 0, 1]))
        tensor(0.3333)
    """
    task = binary_task(threshold, "global", ignore_index, validate_args, input_format)
    return _jaccard_metric("binary_jaccard_index", task, "micro", check_zero_division(zero_division))


@factory(higher_is_better=True)
@parameter_docs.MULTICLASS
def multiclass_jaccard_index(
    num_classes: int,
    average: str | None = "macro",
    ignore_index: int | None = None,
    validate_args: bool = True,
    zero_division: float = 0.0,
    *,
    input_format: str = "auto",
) -> Metric:
    """Jaccard index of multiclass predictions, per class then averaged.

    Args:
        average: ``"micro"``, ``"macro"`` (classes that occur), ``"weighted"`` (by
            support) or ``"none"``/``None``.
        ignore_index: target value whose elements are not counted (a valid class index
            is also left out of the micro and macro averages).
        zero_division: value returned for an empty union (0 or 1).

    Returns:
        A metric computing a float32 scalar (``(C,)`` for ``average="none"``).

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_jaccard_index
        >>> m = multiclass_jaccard_index(num_classes=3)
        >>> m(torch.tensor([2, 1, 0, 1]), torch.tensor([2, 1, 0, 0]))
        tensor(0.6667)
    """
    task = multiclass_task(num_classes, 1, "global", ignore_index, validate_args, input_format)
    return _jaccard_metric("multiclass_jaccard_index", task, check_average(average), check_zero_division(zero_division))


@factory(higher_is_better=True)
@parameter_docs.MULTILABEL
def multilabel_jaccard_index(
    num_labels: int,
    threshold: float = 0.5,
    average: str | None = "macro",
    ignore_index: int | None = None,
    validate_args: bool = True,
    zero_division: float = 0.0,
    *,
    input_format: str = "auto",
) -> Metric:
    """Jaccard index of multilabel predictions, per label then averaged.

    Args:
        zero_division: value returned for an empty union (0 or 1).

    Returns:
        A metric computing a float32 scalar (``(L,)`` for ``average="none"``).

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_jaccard_index
        >>> m = multilabel_jaccard_index(num_labels=2)
        >>> m(torch.tensor([[0.9, 0.2], [0.7, 0.6]]), torch.tensor([[1, 0], [0, 1]]))
        tensor(0.7500)
    """
    task = multilabel_task(num_labels, threshold, "global", ignore_index, validate_args, input_format)
    return _jaccard_metric("multilabel_jaccard_index", task, check_average(average), check_zero_division(zero_division))


@factory(higher_is_better=True)
@documented_dispatcher(
    "Jaccard index", 'jaccard_index("binary")(torch.tensor([1, 1, 0, 1]), torch.tensor([0, 1, 0, 1]))\ntensor(0.6667)'
)
def jaccard_index(
    task: str,
    threshold: float = 0.5,
    num_classes: int | None = None,
    num_labels: int | None = None,
    average: str | None = "macro",
    ignore_index: int | None = None,
    validate_args: bool = True,
    zero_division: float = 0.0,
    *,
    input_format: str = "auto",
) -> Metric:
    return dispatch(
        task,
        locals(),
        binary=binary_jaccard_index,
        multiclass=multiclass_jaccard_index,
        multilabel=multilabel_jaccard_index,
    )
