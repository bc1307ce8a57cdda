"""Cohen's kappa: agreement between predictions and targets beyond chance.

``kappa = 1 − Σ w_ij O_ij / Σ w_ij E_ij`` with ``O`` the observed confusion matrix,
``E`` the one expected by chance (outer product of its marginals over the total) and
``w`` the disagreement weights: 0 on the diagonal and 1 off it, ``|i − j|``
(``"linear"``) or ``(i − j)²`` (``"quadratic"``). Unweighted multiclass kappa needs only
the diagonal and the marginals, so it reads the O(C) per-class counts; the weighted
forms keep the C×C confusion matrix.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix.classification import _parameter_docs as parameter_docs
from metrix.classification._dispatch import dispatch, documented_dispatcher
from metrix.classification._inputs import check_choice
from metrix.classification._stat_scores_state import (
    ClassCounts,
    Task,
    binary_task,
    class_counts_of,
    confusion_matrix_metric,
    multiclass_task,
    per_class_state,
    task_metric,
)

__all__ = ["binary_cohen_kappa", "cohen_kappa", "multiclass_cohen_kappa"]

WEIGHTS = ("linear", "quadratic", "none", None)


def check_weights(weights: Any) -> str:
    """Validate ``weights``; ``None`` is spelled ``"none"`` afterwards."""
    check_choice(weights, "weights", WEIGHTS)
    return "none" if weights is None else weights


def kappa_from_confmat(confmat: Tensor, weights: str) -> Tensor:
    """Cohen's kappa of a ``(C, C)`` confusion matrix."""
    cm = confmat.to(torch.float32)
    c = cm.shape[-1]
    rows, cols = cm.sum(1, keepdim=True), cm.sum(0, keepdim=True)
    expected = rows @ cols / cols.sum()
    idx = torch.arange(c, dtype=torch.float32, device=cm.device)
    diff = idx.unsqueeze(1) - idx.unsqueeze(0)
    if weights == "linear":
        w = diff.abs()
    elif weights == "quadratic":
        w = diff * diff
    else:
        w = (diff != 0).to(torch.float32)
    return 1 - (w * cm).sum() / (w * expected).sum()


def kappa_from_class_counts(counts: ClassCounts) -> Tensor:
    """Unweighted Cohen's kappa from per-class counts: ``1 - (s - Σ h_k) / (s - Σ a_k p_k / s)``.

    The disagreements observed are the off-diagonal total, those expected by chance the
    off-diagonal total of the outer product of the marginals; computed in float64 and
    returned in float32 (it can differ from the confusion-matrix form in the last bit).
    """
    hits, predicted, actual = (x.to(torch.float64) for x in counts)
    total = actual.sum()
    observed = total - hits.sum()
    expected = total - (actual * predicted).sum() / total
    return (1 - observed / expected).to(torch.float32)


def _kappa_metric(name: str, task: Task, weights: str) -> Metric:
    if weights == "none" and per_class_state(task):  # needs the marginals only: O(C) state
        return task_metric(name, task, lambda s: kappa_from_class_counts(class_counts_of(task, s)))
    return confusion_matrix_metric(name, task, lambda cm: kappa_from_confmat(cm, weights))


@factory(higher_is_better=True)
@parameter_docs.BINARY
def binary_cohen_kappa(
    threshold: float = 0.5,
    weights: str | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Cohen's kappa between binary predictions and targets.

    Args:
        weights: ``"linear"``, ``"quadratic"`` or ``"none"``/``None`` disagreement weights.

    Returns:
        A metric computing a float32 scalar.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_cohen_kappa
        >>> binary_cohen_kappa()(torch.tensor([0.2, 0.8, 0.6, 0.1]), torch.tensor([0, 1, 0, 0]))
        tensor(0.5000)
    """
    task = binary_task(threshold, "global", ignore_index, validate_args, input_format)
    return _kappa_metric("binary_cohen_kappa", task, check_weights(weights))


@factory(higher_is_better=True)
@parameter_docs.MULTICLASS
def multiclass_cohen_kappa(
    num_classes: int,
    weights: str | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Cohen's kappa between multiclass predictions and targets.

    Args:
        weights: ``"linear"``, ``"quadratic"`` or ``"none"``/``None`` disagreement weights.

    Returns:
        A metric computing a float32 scalar.

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_cohen_kappa
        >>> m = multiclass_cohen_kappa(num_classes=3, weights="quadratic")
        >>> m(torch.tensor([2, 1, 0, 1]), torch.tensor([2, 1, 0, 0]))
        tensor(0.8000)
    """
    task = multiclass_task(num_classes, 1, "global", ignore_index, validate_args, input_format)
    return _kappa_metric("multiclass_cohen_kappa", task, check_weights(weights))


@factory(higher_is_better=True)
@documented_dispatcher(
    "Cohen's kappa", 'cohen_kappa("binary")(torch.tensor([1, 1, 0, 1]), torch.tensor([1, 1, 0, 1]))\ntensor(1.)'
)
def cohen_kappa(
    task: str,
    threshold: float = 0.5,
    num_classes: int | None = None,
    weights: str | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    return dispatch(task, locals(), binary=binary_cohen_kappa, multiclass=multiclass_cohen_kappa)
