"""Cohen's kappa, from the shared confusion matrix.

``kappa = 1 − Σ w_ij O_ij / Σ w_ij E_ij`` with ``O`` the observed confusion matrix,
``E`` the one expected by chance (outer product of its marginals over the total) and
``w`` the disagreement weights: 0 on the diagonal and 1 off it, ``|i − j|``
(``"linear"``) or ``(i − j)²`` (``"quadratic"``).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix.classification._dispatch import dispatch
from metrix.classification._inputs import check_choice
from metrix.classification._stat_scores_state import Task, binary_task, confmat_of, multiclass_task, task_metric

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


def _kappa_metric(name: str, task: Task, weights: str) -> Metric:
    return task_metric(name, task, lambda s: kappa_from_confmat(confmat_of(task, s), weights))


@factory(higher_is_better=True)
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
        threshold: probability above which a prediction counts as positive.
        weights: ``"linear"``, ``"quadratic"`` or ``"none"``/``None`` disagreement weights.
        ignore_index: target value whose elements are not counted.
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.

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
        num_classes: number of classes ``C`` (an int >= 2).
        weights: ``"linear"``, ``"quadratic"`` or ``"none"``/``None`` disagreement weights.
        ignore_index: target value whose elements are not counted.
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.

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
    """Cohen's kappa for ``task="binary" | "multiclass"`` (TorchMetrics' dispatcher).

    Args:
        task: ``"binary"`` or ``"multiclass"``.
        threshold: decision threshold (binary).
        num_classes: number of classes (multiclass).
        weights: ``"linear"``, ``"quadratic"`` or ``"none"``/``None``.
        ignore_index: target value whose elements are not counted.
        validate_args: check input values.
        input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.

    Returns:
        The task's kappa metric.

    Example:
        >>> import torch
        >>> from metrix.classification import cohen_kappa
        >>> cohen_kappa("binary")(torch.tensor([1, 1, 0, 1]), torch.tensor([1, 1, 0, 1]))
        tensor(1.)
    """
    return dispatch(task, locals(), binary=binary_cohen_kappa, multiclass=multiclass_cohen_kappa)
