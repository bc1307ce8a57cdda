"""Float-score inputs (probabilities or logits) for the families that rank or bin scores.

Calibration error, hinge loss, label ranking and the threshold curves take scores rather
than hard labels. The helpers here check them, move the class (or label) dim last and
flatten the extra dims into rows, mark ignored elements with a mask (never dropped by
boolean indexing) and apply the activation where ``input_format`` asks for it.

As in TorchMetrics, binary and multiclass inputs decide ``input_format="auto"`` over the
counted elements only, multilabel inputs over every element, ignored ones included.
"""

from __future__ import annotations

import torch
from torch import Tensor

from metrix.classification._inputs.tensors import (
    SWAP_HINT,
    check_binary_values,
    check_classes_dim,
    check_labels,
    check_labels_dtype,
    check_pair,
    check_same_shape,
    check_scores,
    check_scores_dtype,
    to_probabilities,
)

__all__ = ["TARGET_SMALL", "binary_scores", "curve_inputs", "multiclass_scores", "multilabel_scores"]

TARGET_SMALL = torch.int8  # storage dtype of binary/multilabel targets of exact curves


def _checked_rows(
    task: str, preds: Tensor, target: Tensor, num: int, ignore_index: int | None, validate_args: bool
) -> tuple[Tensor, Tensor]:
    """Check dtypes, shapes and target values; ``(scores, int64 target)`` as rows.

    Binary: ``(M,)`` and ``(M,)``; multiclass: ``(M, C)`` and ``(M,)``; multilabel:
    ``(M, L)`` and ``(M, L)``.
    """
    check_pair(preds, target)
    check_labels_dtype(target, preds)
    check_scores_dtype(preds)
    if task == "multiclass":
        if preds.dim() != target.dim() + 1:
            hint = SWAP_HINT if target.dim() == preds.dim() + 1 else ""
            raise ValueError(
                f"preds must be scores (N, {num}, ...) for target (N, ...), "
                f"got preds {tuple(preds.shape)} and target {tuple(target.shape)}{hint}"
            )
        check_classes_dim(preds, target, num)
        check_labels(target, num, ignore_index=ignore_index, validate_args=validate_args)
        return preds.movedim(1, -1).reshape(-1, num), target.reshape(-1).long()
    check_same_shape(preds, target)
    if task == "multilabel" and (preds.dim() < 2 or preds.shape[1] != num):
        raise ValueError(
            f"multilabel preds and target must have shape (N, {num}, ...) for num_labels={num}, "
            f"got {tuple(preds.shape)}"
        )
    check_binary_values(target, ignore_index=ignore_index, validate_args=validate_args)
    if task == "binary":
        return preds.reshape(-1), target.reshape(-1).long()
    return preds.movedim(1, -1).reshape(-1, num), target.movedim(1, -1).reshape(-1, num).long()


def _valid(target: Tensor, ignore_index: int | None) -> Tensor:
    return torch.ones_like(target, dtype=torch.bool) if ignore_index is None else target != ignore_index


def binary_scores(
    preds: Tensor, target: Tensor, *, ignore_index: int | None, validate_args: bool, input_format: str
) -> tuple[Tensor, Tensor, Tensor]:
    """Binary scores ``(N, ...)`` as probabilities; returns ``(probs, target, valid)``, each ``(M,)``.

    ``target`` is int64 in {0, 1} (ignored elements set to 0) and ``valid`` marks the
    counted elements.
    """
    p, t = _checked_rows("binary", preds, target, 1, ignore_index, validate_args)
    valid = _valid(t, ignore_index)
    check_scores(p, input_format, validate_args=validate_args, valid=valid)
    return to_probabilities(p, input_format, "sigmoid", valid), torch.where(valid, t, 0), valid


def multiclass_scores(
    preds: Tensor,
    target: Tensor,
    num_classes: int,
    *,
    ignore_index: int | None,
    validate_args: bool,
    input_format: str,
) -> tuple[Tensor, Tensor, Tensor]:
    """Multiclass scores ``(N, C, ...)`` with target ``(N, ...)`` as probability rows.

    Returns:
        ``(probs, target, valid)``: ``(M, C)`` rows (softmax where needed), int64 labels
        ``(M,)`` in ``[0, C)`` (ignored or, with ``validate_args=False``, out-of-range
        ones set to 0) and a bool mask ``(M,)`` of the counted rows.
    """
    rows, t = _checked_rows("multiclass", preds, target, num_classes, ignore_index, validate_args)
    valid = _valid(t, ignore_index)
    check_scores(rows, input_format, validate_args=validate_args, valid=valid[:, None])
    probs = to_probabilities(rows, input_format, "softmax", valid[:, None])
    return probs, torch.where(valid & (t >= 0) & (t < num_classes), t, 0), valid


def multilabel_scores(
    preds: Tensor,
    target: Tensor,
    num_labels: int,
    *,
    ignore_index: int | None,
    validate_args: bool,
    input_format: str,
) -> tuple[Tensor, Tensor, Tensor]:
    """Multilabel scores ``(N, L, ...)`` as probability rows ``(M, L)``: ``(probs, target, valid)``.

    ``target`` is int64 (ignored elements set to 0), ``valid`` the counted elements.
    """
    rows, t = _checked_rows("multilabel", preds, target, num_labels, ignore_index, validate_args)
    valid = _valid(t, ignore_index)
    check_scores(rows, input_format, validate_args=validate_args)
    return to_probabilities(rows, input_format, "sigmoid"), torch.where(valid, t, 0), valid


def curve_inputs(
    task: str,
    preds: Tensor,
    target: Tensor,
    num: int,
    *,
    ignore_index: int | None,
    validate_args: bool,
    input_format: str,
) -> tuple[Tensor, Tensor]:
    """Check a batch for a threshold curve and return ``(probs, target)`` in storage layout.

    ``probs`` is float32 ``(M,)`` for binary, ``(M, C)`` otherwise; ``target`` is int8
    ``(M,)`` for binary, ``(M, L)`` for multilabel and int64 ``(M,)`` for multiclass, with
    ``-1`` where the target equals ``ignore_index``.
    """
    p, t = _checked_rows(task, preds, target, num, ignore_index, validate_args)
    check_scores(preds, input_format, validate_args=validate_args)
    valid = _valid(t, ignore_index)
    if task != "multiclass":
        # binary/multilabel targets are stored as int8 (-1 ignored, 0, 1; out-of-range values
        # passed with validate_args=False keep their meaning: < 0 ignored, > 1 neither 0 nor 1)
        # (built from comparisons: no int64 temporary)
        t = (t > 0).to(TARGET_SMALL).add_(t > 1).sub_((t < 0).to(TARGET_SMALL))
    t = torch.where(valid, t, -1)
    if task == "binary":
        probs = to_probabilities(p, input_format, "sigmoid", valid)
    elif task == "multiclass":
        probs = to_probabilities(p, input_format, "softmax", valid.unsqueeze(-1))
    else:
        probs = to_probabilities(p, input_format, "sigmoid")
    return probs.to(torch.float32), t
