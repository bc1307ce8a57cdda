"""F-beta and F1 scores ``(1 + b²) tp / ((1 + b²) tp + b² fn + fp)``, from the shared stat-scores state."""

from __future__ import annotations

import functools
from typing import Any

from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix.classification._class_averaging import ScoreFn, scored_metric, uses_stats
from metrix.classification._dispatch import dispatch, documented_dispatcher
from metrix.classification._division import safe_divide
from metrix.classification._inputs import check_average, check_number, check_zero_division
from metrix.classification._stat_score_family import ZeroDivisionScore
from metrix.classification._stat_scores_state import binary_task, multiclass_task, multilabel_task

__all__ = [
    "binary_f1_score",
    "binary_fbeta_score",
    "f1_score",
    "fbeta_score",
    "multiclass_f1_score",
    "multiclass_fbeta_score",
    "multilabel_f1_score",
    "multilabel_fbeta_score",
]


def check_beta(beta: Any) -> float:
    """Validate ``beta``: a positive number."""
    return check_number(beta, "beta", "a float > 0", lambda b: b > 0)


def _fbeta(beta: float, zero_division: float) -> ScoreFn:
    b2 = beta * beta

    @uses_stats("tp", "fp", "fn")
    def score(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
        return safe_divide((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp, zero_division)

    return score


@factory(higher_is_better=True)
def binary_fbeta_score(
    beta: float,
    threshold: float = 0.5,
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    zero_division: float = 0,
    *,
    input_format: str = "auto",
) -> Metric:
    """F-beta score of binary predictions: ``(1 + beta²) tp / ((1 + beta²) tp + beta² fn + fp)``.

    Same arguments, defaults and values as ``torchmetrics.functional.classification.binary_fbeta_score``.

    Args:
        beta: weight of recall against precision (> 0).
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
        >>> from metrix.classification import binary_fbeta_score
        >>> binary_fbeta_score(beta=2.0, )(torch.tensor([0.2, 0.8, 0.6, 0.1, 0.7]), torch.tensor([0, 1, 0, 1, 1]))
        tensor(0.6667)
    """
    task = binary_task(threshold, multidim_average, ignore_index, validate_args, input_format)
    return scored_metric(
        "binary_fbeta_score", task, "micro", _fbeta(check_beta(beta), check_zero_division(zero_division))
    )


@factory(higher_is_better=True)
def multiclass_fbeta_score(
    beta: float,
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
    """F-beta score of multiclass predictions, per class then averaged.

    ``preds`` are float scores ``(N, C, ...)`` or integer labels ``(N, ...)``.

    Args:
        beta: weight of recall against precision (> 0).
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
        >>> from metrix.classification import multiclass_fbeta_score
        >>> m = multiclass_fbeta_score(beta=2.0, num_classes=3)
        >>> m(torch.tensor([2, 1, 0, 1, 0]), torch.tensor([2, 1, 0, 0, 1]))
        tensor(0.6667)
    """
    task = multiclass_task(num_classes, top_k, multidim_average, ignore_index, validate_args, input_format)
    score = _fbeta(check_beta(beta), check_zero_division(zero_division))
    return scored_metric("multiclass_fbeta_score", task, check_average(average), score, top_k_weights=False)


@factory(higher_is_better=True)
def multilabel_fbeta_score(
    beta: float,
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
    """F-beta score of multilabel predictions ``(N, L, ...)``, per label then averaged.

    Args:
        beta: weight of recall against precision (> 0).
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
        >>> from metrix.classification import multilabel_fbeta_score
        >>> m = multilabel_fbeta_score(beta=2.0, num_labels=2)
        >>> m(torch.tensor([[0.9, 0.2], [0.7, 0.6], [0.1, 0.8]]), torch.tensor([[1, 0], [0, 1], [1, 1]]))
        tensor(0.7500)
    """
    task = multilabel_task(num_labels, threshold, multidim_average, ignore_index, validate_args, input_format)
    score = _fbeta(check_beta(beta), check_zero_division(zero_division))
    return scored_metric("multilabel_fbeta_score", task, check_average(average), score, top_k_weights=False)


@factory(higher_is_better=True)
@documented_dispatcher(
    "F-beta score",
    'm = fbeta_score("multiclass", beta=2.0, num_classes=3)\n'
    ">>> m(torch.tensor([2, 1, 0, 1]), torch.tensor([2, 1, 1, 0]))\n"
    "tensor(0.5000)",
)
def fbeta_score(
    task: str,
    beta: float = 1.0,
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
    return dispatch(
        task, locals(), binary=binary_fbeta_score, multiclass=multiclass_fbeta_score, multilabel=multilabel_fbeta_score
    )


# F1 is F-beta at beta = 1
binary_f1_score, multiclass_f1_score, multilabel_f1_score, f1_score = ZeroDivisionScore(
    "f1_score", "F1 score", "2 tp / (2 tp + fn + fp)", __name__, functools.partial(_fbeta, 1.0),
    higher_is_better=True, examples=("0.6667", "0.6667", "0.7500", "0.5000"), top_k_weights=False,
).factories  # fmt: skip
