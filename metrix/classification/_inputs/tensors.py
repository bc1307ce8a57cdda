"""Checks of input tensors shared by every classification family, with one wording each.

Shape and dtype checks are plain Python (they always run); value checks go through
:func:`metrix._core.checks.check` so they raise in eager, under ``torch.compile`` and under
``vmap``, and turn off with ``validate_args=False``. In eager a failed value check names an
offending value; a likely swap of ``preds`` and ``target`` gets a hint.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from metrix._core.args import check_tensor
from metrix._core.checks import check, check_finite, check_in_range, is_tracing

__all__ = [
    "check_binary_values",
    "check_classes_dim",
    "check_labels",
    "check_labels_dtype",
    "check_pair",
    "check_same_shape",
    "check_scores",
    "check_scores_dtype",
    "flat_len",
    "ignored_text",
    "to_probabilities",
]

SWAP_HINT = "; were preds and target swapped? update takes (preds, target)"


def flat_len(shape: torch.Size | tuple[int, ...]) -> int:
    """Number of elements of a shape (explicit: ``reshape(0, -1)`` is ambiguous)."""
    return math.prod(shape)


def ignored_text(ignore_index: int | None) -> str:
    """`` (or ignore_index=k)`` when an ignore index is set."""
    # int(): under torch.compile(dynamic=True) an int closed over by a factory is symbolic, and
    # dynamo formats only constants into strings; int() specialises it (it is a constant anyway)
    return "" if ignore_index is None else f" (or ignore_index={int(ignore_index)})"


def check_pair(preds: object, target: object) -> tuple[Tensor, Tensor]:
    """Both inputs are real tensors (``TypeError`` otherwise)."""
    return check_tensor(preds, "preds"), check_tensor(target, "target")


def check_labels_dtype(target: Tensor, preds: Tensor | None = None, name: str = "target") -> None:
    """Labels must be integers (or bool); floats are refused, not rounded.

    With integer ``preds`` beside float labels, the message adds a hint that the two
    may have been passed in the wrong order.
    """
    if target.is_floating_point() or target.is_complex():
        hint = SWAP_HINT if preds is not None and not preds.is_floating_point() else ""
        raise TypeError(f"{name} must hold integer class labels, got dtype {target.dtype}; pass target.long(){hint}")


def check_scores_dtype(preds: Tensor, name: str = "preds") -> None:
    """Scores must be floating point (probabilities or logits)."""
    if not preds.is_floating_point():
        raise TypeError(
            f"{name} must be a floating tensor of probabilities or logits, got dtype {preds.dtype}; pass preds.float()"
        )


def check_same_shape(preds: Tensor, target: Tensor, expected: str = "") -> None:
    """``preds`` and ``target`` must have the same shape (``expected`` describes it, e.g. ``" (N, 3, ...)"``)."""
    if preds.shape != target.shape:
        raise ValueError(
            f"preds and target must have the same shape{expected}, "
            f"got preds {tuple(preds.shape)} and target {tuple(target.shape)}"
        )


def check_classes_dim(preds: Tensor, target: Tensor, num: int) -> None:
    """Scores ``(N, C, ...)`` have ``num`` classes in dim 1 and agree with target ``(N, ...)`` elsewhere."""
    if preds.shape[1] != num:
        raise ValueError(
            f"preds has {preds.shape[1]} classes in dim 1 but num_classes={num}; "
            f"pass preds of shape (N, {num}, ...), got {tuple(preds.shape)}"
        )
    if preds.shape[:1] + preds.shape[2:] != target.shape:
        raise ValueError(
            f"preds (N, C, ...) and target (N, ...) must agree outside dim 1, "
            f"got preds {tuple(preds.shape)} and target {tuple(target.shape)}"
        )


def _first(x: Tensor, bad: Tensor) -> str:
    """The first value of ``x`` where ``bad`` holds, for a message (eager only)."""
    values = x[bad.expand_as(x)]
    return f", got {values[0].item()}" if values.numel() else ""


def _offending(x: Tensor, ok: Tensor | None = None, low: int = 0, high: int = 0, allowed: int | None = None) -> str:
    if is_tracing(x):  # no value to read while tracing
        return ""
    if ok is None:
        ok = (x >= low) & (x < high)
        if allowed is not None:
            ok = ok | (x == allowed)
    return _first(x, ~ok)


def check_labels(
    x: Tensor, num: int, *, name: str = "target", ignore_index: int | None = None, validate_args: bool
) -> None:
    """Values of ``x`` are class labels in ``[0, num)`` (or ``ignore_index``)."""
    check_in_range(
        x,
        0,
        num,
        lambda: (
            f"{name} must hold class labels in [0, {int(num)}){ignored_text(ignore_index)}"
            + _offending(x, low=0, high=num, allowed=ignore_index)
        ),
        allowed=ignore_index,
        enabled=validate_args,
    )


def check_binary_values(
    x: Tensor,
    *,
    name: str = "target",
    ignore_index: int | None = None,
    valid: Tensor | None = None,
    validate_args: bool,
) -> None:
    """Values of ``x`` are 0 or 1 (or ``ignore_index``, or outside the ``valid`` mask)."""
    ok = (x == 0) | (x == 1)
    if valid is not None:
        ok = ok | ~valid
    elif ignore_index is not None:
        ok = ok | (x == ignore_index)
    check(
        ok,
        lambda: f"{name} must hold only 0 and 1{ignored_text(ignore_index)}" + _offending(x, ok),
        enabled=validate_args,
    )


def check_scores(preds: Tensor, input_format: str, *, validate_args: bool, valid: Tensor | None = None) -> None:
    """Float scores are finite, and in [0, 1] for ``input_format="probabilities"`` (outside ``valid`` ignored)."""
    check_finite(preds, "preds", enabled=validate_args)
    if input_format == "probabilities":
        in_range = (preds >= 0) & (preds <= 1)
        if valid is not None:
            in_range = in_range | ~valid
        check(
            in_range,
            "preds must be probabilities in [0, 1] (input_format='probabilities'); "
            "pass input_format='logits' or 'auto' for raw scores",
            enabled=validate_args,
        )


def to_probabilities(preds: Tensor, input_format: str, activation: str, valid: Tensor | None = None) -> Tensor:
    """Float scores as probabilities, without a host sync.

    ``"auto"`` follows TorchMetrics per batch: scores all inside [0, 1] (among the
    counted ones, where ``valid`` is given: TorchMetrics drops ignored elements before
    deciding) are taken as probabilities, otherwise the activation (``"sigmoid"``, or
    ``"softmax"`` over dim 1) is applied. ``"probabilities"`` and ``"logits"`` state it
    once for every batch, which keeps accumulated results consistent when some batches
    of logits happen to fall in [0, 1].
    """
    if input_format == "probabilities":
        return preds
    act = preds.sigmoid() if activation == "sigmoid" else preds.softmax(1)
    if input_format == "logits":
        return act
    in_range = (preds >= 0) & (preds <= 1)
    if valid is not None:
        in_range = in_range | ~valid
    return torch.where(in_range.all(), preds, act)
