"""Hinge loss, the margin loss of support vector machines, averaged over samples.

With ``y`` in {-1, +1} (binary) the loss of a score ``s`` is ``max(0, 1 - y s)``.
Multiclass comes in two forms:

* ``"crammer-singer"``: ``max(0, 1 - s_y + max_{i != y} s_i)``, one value per sample;
* ``"one-vs-all"``: every class scored as its own binary problem, one value per class.

``squared=True`` squares each loss. The state is the sum of losses (float64) and the
number of counted samples (int64); ``compute`` divides.

Scores follow TorchMetrics: outside [0, 1] they are taken as logits and mapped to
probabilities (sigmoid for binary, softmax for multiclass) before the margin is taken.

Reference: Crammer, Singer, "On the Algorithmic Implementation of Multiclass
Kernel-based Vector Machines", JMLR 2001.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.classification import _parameter_docs as parameter_docs
from metrix.classification._dispatch import dispatch, documented_dispatcher
from metrix.classification._inputs import (
    binary_scores,
    check_bool,
    check_choice,
    check_ignore_index,
    check_input_format,
    check_int,
    check_validate_args,
    multiclass_scores,
)
from metrix.classification._sample_weights import float_row_weights

__all__ = ["HingeState", "binary_hinge_loss", "hinge_loss", "multiclass_hinge_loss"]

MULTICLASS_MODES = ("crammer-singer", "one-vs-all")


@state
class HingeState:
    """Sum of hinge losses and the number of samples they came from."""

    measure: Tensor = leaf("sum")  # float64 () or (C,) for one-vs-all: sum of losses
    total: Tensor = leaf("sum")  # float64 (): counted samples (their total weight with sample_weight=)


def _init_fn(shape: tuple[int, ...]) -> Callable[..., HingeState]:
    def init(*, device: Any = None) -> HingeState:
        return HingeState(
            torch.zeros(shape, dtype=torch.float64, device=device), torch.zeros((), dtype=torch.float64, device=device)
        )

    return init


def _loss(margin: Tensor, squared: bool) -> Tensor:
    loss = (1 - margin).clamp(min=0)
    return loss.square() if squared else loss


def _compute(s: HingeState) -> Tensor:
    # float64, the accumulator's precision: float64 scores keep every digit (and gradcheck passes)
    return s.measure / s.total


@factory(higher_is_better=False)
@parameter_docs.BINARY_SCORES
def binary_hinge_loss(
    squared: bool = False,
    ignore_index: int | None = None,
    validate_args: bool = False,
    *,
    input_format: str = "auto",
) -> Metric:
    """Mean hinge loss of binary scores: ``max(0, 1 - y s)`` with ``y = 2 target - 1``.

    Same arguments, defaults (``validate_args=False``, as in TorchMetrics) and values as
    ``torchmetrics.functional.classification.binary_hinge_loss``.

    Args:
        squared: square each loss.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_hinge_loss
        >>> preds = torch.tensor([0.25, 0.25, 0.55, 0.75, 0.75])
        >>> target = torch.tensor([0, 0, 1, 1, 1])
        >>> binary_hinge_loss()(preds, target)
        tensor(0.6900, dtype=torch.float64)
        >>> binary_hinge_loss(squared=True)(preds, target)
        tensor(0.6905, dtype=torch.float64)
    """
    check_bool(squared, "squared")
    check_ignore_index(ignore_index)
    check_validate_args(validate_args)
    check_input_format(input_format, scores=True)

    def update(s: HingeState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None) -> HingeState:
        p, t, valid = binary_scores(
            preds, target, ignore_index=ignore_index, validate_args=validate_args, input_format=input_format
        )
        margin = torch.where(t == 1, p, -p)
        loss = torch.where(valid, _loss(margin, squared), 0).double()
        if sample_weight is None:
            return HingeState(s.measure + loss.sum(), s.total + valid.sum())
        w = float_row_weights(sample_weight, target, p.shape[0], "binary_hinge_loss", validate_args=validate_args)
        return HingeState(s.measure + torch.dot(loss, w), s.total + (valid * w).sum())

    key = ("binary_hinge_loss", squared, ignore_index, validate_args, input_format)
    return Metric(_init_fn(()), update, _compute, name="binary_hinge_loss", key=key)


@factory(higher_is_better=False)
@parameter_docs.MULTICLASS_SCORES
def multiclass_hinge_loss(
    num_classes: int,
    squared: bool = False,
    multiclass_mode: str = "crammer-singer",
    ignore_index: int | None = None,
    validate_args: bool = False,
    *,
    input_format: str = "auto",
) -> Metric:
    """Mean multiclass hinge loss, Crammer-Singer or one-vs-all.

    Same arguments, defaults (``validate_args=False``, as in TorchMetrics) and values as
    ``torchmetrics.functional.classification.multiclass_hinge_loss``.

    Args:
        squared: square each loss.
        multiclass_mode: ``"crammer-singer"`` (one loss per sample: the true class'
            score against the best other class) or ``"one-vs-all"`` (one binary
            hinge loss per class).

    Returns:
        A metric taking ``preds`` (float, ``(N, C, ...)``) and ``target`` (int labels,
        ``(N, ...)``) and computing a float64 scalar (``"crammer-singer"``) or a
        ``(C,)`` vector (``"one-vs-all"``).

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_hinge_loss
        >>> preds = torch.tensor([[0.25, 0.20, 0.55], [0.55, 0.05, 0.40], [0.10, 0.30, 0.60], [0.90, 0.05, 0.05]])
        >>> target = torch.tensor([0, 1, 2, 0])
        >>> multiclass_hinge_loss(num_classes=3)(preds, target)
        tensor(0.9125, dtype=torch.float64)
        >>> multiclass_hinge_loss(num_classes=3, multiclass_mode="one-vs-all")(preds, target)
        tensor([0.8750, 1.1250, 1.1000], dtype=torch.float64)
    """
    check_int(num_classes, "num_classes", 2)
    check_bool(squared, "squared")
    check_choice(multiclass_mode, "multiclass_mode", MULTICLASS_MODES)
    check_ignore_index(ignore_index)
    check_validate_args(validate_args)
    check_input_format(input_format, scores=True)
    one_vs_all = multiclass_mode == "one-vs-all"

    def update(s: HingeState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None) -> HingeState:
        p, t, valid = multiclass_scores(
            preds,
            target,
            num_classes,
            ignore_index=ignore_index,
            validate_args=validate_args,
            input_format=input_format,
        )
        is_target = torch.nn.functional.one_hot(t, num_classes).bool()
        w = None
        if sample_weight is not None:
            w = float_row_weights(
                sample_weight, target, p.shape[0], "multiclass_hinge_loss", validate_args=validate_args
            )
        if one_vs_all:
            loss = torch.where(valid[:, None], _loss(torch.where(is_target, p, -p), squared), 0).double()
            loss = loss.sum(0) if w is None else w.double() @ loss
        else:
            true_score = (p * is_target).sum(1)
            best_other = torch.where(is_target, float("-inf"), p).amax(1)
            loss = torch.where(valid, _loss(true_score - best_other, squared), 0).double()
            loss = loss.sum() if w is None else torch.dot(loss, w.double())
        return HingeState(s.measure + loss, s.total + (valid.sum() if w is None else (valid * w).sum()))

    key = ("multiclass_hinge_loss", num_classes, squared, multiclass_mode, ignore_index, validate_args, input_format)
    shape = (num_classes,) if one_vs_all else ()
    return Metric(_init_fn(shape), update, _compute, name="multiclass_hinge_loss", key=key)


@factory(higher_is_better=False)
@documented_dispatcher(
    "Mean hinge loss",
    'hinge_loss("binary")(torch.tensor([0.5, 0.7, 0.1]), torch.tensor([0, 1, 1]))\ntensor(0.9000, dtype=torch.float64)',
)
def hinge_loss(
    task: str,
    num_classes: int | None = None,
    squared: bool = False,
    multiclass_mode: str = "crammer-singer",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    return dispatch(task, locals(), binary=binary_hinge_loss, multiclass=multiclass_hinge_loss)
