"""Input checking and formatting for the score-based classification families.

Calibration error, hinge loss, label ranking and group fairness take float scores
(probabilities or logits) rather than hard labels. The helpers here flatten the
extra dims away, check values through :func:`metrix._core.checks.check` (so they
raise in eager, under compile and under vmap), turn ignored elements into weight-0
entries (never dropped by boolean indexing) and decide probabilities-vs-logits with
``torch.where`` instead of a Python branch.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool as check_bool  # re-exported for the score families
from metrix._core.args import check_choice as check_choice
from metrix._core.args import check_int as check_int
from metrix._core.checks import check, check_finite
from metrix.classification._inputs import check_labels_dtype, check_tensor

SCORE_FORMATS = ("auto", "probabilities", "logits")


def check_score_format(input_format: Any) -> str:
    """Validate the ``input_format`` argument of a score-based metric."""
    if input_format not in SCORE_FORMATS:
        raise ValueError(f"input_format must be one of {SCORE_FORMATS}, got {input_format!r}")
    return input_format


def check_scores_dtype(preds: Tensor, name: str = "preds") -> None:
    """Scores must be floating point (probabilities or logits)."""
    if not preds.is_floating_point():
        raise TypeError(
            f"{name} must be a floating tensor of probabilities or logits, got dtype {preds.dtype}; pass preds.float()"
        )


def to_probabilities(
    preds: Tensor,
    *,
    input_format: str,
    activation: str,
    validate_args: bool,
    valid: Tensor | None = None,
) -> Tensor:
    """Check float scores and turn them into probabilities without a host sync.

    Args:
        preds: float scores; ``(M,)`` for sigmoid, ``(M, C)`` for softmax over dim 1.
        input_format: ``"auto"`` applies the activation when any (counted) score lies
            outside [0, 1], exactly as TorchMetrics decides per batch;
            ``"probabilities"`` checks the range and keeps the scores;
            ``"logits"`` always applies the activation.
        activation: ``"sigmoid"`` or ``"softmax"``.
        validate_args: run the value checks.
        valid: optional bool mask broadcastable to ``preds``: elements outside it are
            not counted (``ignore_index``) and do not take part in the ``"auto"``
            decision (TorchMetrics drops them before deciding).
    """
    check_finite(preds, "preds", enabled=validate_args)
    in_range = (preds >= 0) & (preds <= 1)
    if valid is not None:
        in_range = in_range | ~valid
    if input_format == "probabilities":
        check(
            in_range,
            "preds must be probabilities in [0, 1] (input_format='probabilities'); "
            "pass input_format='logits' or 'auto' for raw scores",
            enabled=validate_args,
        )
        return preds
    act = preds.sigmoid() if activation == "sigmoid" else preds.softmax(1)
    if input_format == "logits":
        return act
    return torch.where(in_range.all(), preds, act)


def _check_same_shape(preds: Tensor, target: Tensor) -> None:
    if preds.shape != target.shape:
        raise ValueError(
            "preds and target must have the same shape, "
            f"got preds {tuple(preds.shape)} and target {tuple(target.shape)}"
        )


def _ignore_message(allowed: str, ignore_index: int | None) -> str:
    return f"target must hold only {allowed}" + ("" if ignore_index is None else f" (or ignore_index={ignore_index})")


def binary_scores(
    preds: Tensor,
    target: Tensor,
    *,
    ignore_index: int | None,
    validate_args: bool,
) -> tuple[Tensor, Tensor, Tensor]:
    """Check binary score inputs of shape ``(N, ...)`` and flatten them.

    Returns:
        ``(preds, target, valid)``, all of shape ``(N * ...,)``: the float scores as
        given, int64 targets in {0, 1} (ignored ones set to 0) and a bool mask of the
        counted elements.
    """
    check_tensor(preds, "preds")
    check_tensor(target, "target")
    _check_same_shape(preds, target)
    check_labels_dtype(target)
    check_scores_dtype(preds)
    target = target.reshape(-1).long()
    ok = (target == 0) | (target == 1)
    valid = torch.ones_like(ok) if ignore_index is None else target != ignore_index
    check(ok | ~valid, _ignore_message("0 and 1", ignore_index), enabled=validate_args)
    target = torch.where(valid, target, 0)
    return preds.reshape(-1), target, valid


def multiclass_scores(
    preds: Tensor,
    target: Tensor,
    num_classes: int,
    *,
    ignore_index: int | None,
    validate_args: bool,
) -> tuple[Tensor, Tensor, Tensor]:
    """Check multiclass inputs ``preds (N, C, ...)``, ``target (N, ...)`` and flatten them.

    Returns:
        ``(preds, target, valid)``: scores ``(M, C)`` with the extra dims moved into
        the rows, int64 labels ``(M,)`` in ``[0, C)`` (ignored ones set to 0) and a
        bool mask ``(M,)`` of the counted rows.
    """
    check_tensor(preds, "preds")
    check_tensor(target, "target")
    check_labels_dtype(target)
    check_scores_dtype(preds)
    if preds.dim() != target.dim() + 1 or preds.shape[:1] + preds.shape[2:] != target.shape:
        raise ValueError(
            "multiclass preds must have shape (N, C, ...) for target of shape (N, ...), "
            f"got preds {tuple(preds.shape)} and target {tuple(target.shape)}"
        )
    if preds.shape[1] != num_classes:
        raise ValueError(
            f"preds has {preds.shape[1]} classes but num_classes={num_classes}; "
            f"pass preds of shape (N, {num_classes}, ...)"
        )
    rows = preds.movedim(1, -1).reshape(-1, num_classes)
    target = target.reshape(-1).long()
    ok = (target >= 0) & (target < num_classes)
    valid = torch.ones_like(ok) if ignore_index is None else target != ignore_index
    check(ok | ~valid, _ignore_message(f"labels in [0, {num_classes})", ignore_index), enabled=validate_args)
    target = torch.where(valid & ok, target, 0)
    return rows, target, valid


def multilabel_scores(
    preds: Tensor,
    target: Tensor,
    num_labels: int,
    *,
    ignore_index: int | None,
    validate_args: bool,
) -> tuple[Tensor, Tensor, Tensor]:
    """Check multilabel inputs ``preds``, ``target`` of shape ``(N, L, ...)`` and flatten them.

    Returns:
        ``(preds, target, valid)`` of shape ``(M, L)``: the float scores as given,
        int64 targets (ignored ones set to 0) and a bool mask of counted elements.
    """
    check_tensor(preds, "preds")
    check_tensor(target, "target")
    _check_same_shape(preds, target)
    check_labels_dtype(target)
    check_scores_dtype(preds)
    if preds.dim() < 2 or preds.shape[1] != num_labels:
        raise ValueError(
            f"multilabel preds and target must have shape (N, {num_labels}, ...) for num_labels={num_labels}, "
            f"got {tuple(preds.shape)}"
        )
    rows = preds.movedim(1, -1).reshape(-1, num_labels)
    target = target.movedim(1, -1).reshape(-1, num_labels).long()
    ok = (target == 0) | (target == 1)
    valid = torch.ones_like(ok) if ignore_index is None else target != ignore_index
    check(ok | ~valid, _ignore_message("0 and 1", ignore_index), enabled=validate_args)
    target = torch.where(valid, target, 0)
    return rows, target, valid


def flat_len(shape: torch.Size) -> int:
    """Number of elements of a shape (explicit: ``reshape(0, -1)`` is ambiguous)."""
    return math.prod(shape)
