"""Input checking and formatting shared by the classification families.

Every helper here traces: value checks go through :func:`metrix._core.checks.check`
(a custom op under compile/vmap), probabilities-vs-logits is decided with
``torch.where`` instead of a Python branch, and ignored samples are masked, never
dropped by boolean indexing.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool, check_int, check_optional_int, check_tensor, check_unit
from metrix._core.checks import check, check_finite, check_in_range, is_tracing

INPUT_FORMATS = ("auto", "probabilities", "logits", "labels")


def check_input_format(input_format: Any) -> str:
    """Validate the ``input_format`` constructor argument."""
    if input_format not in INPUT_FORMATS:
        raise ValueError(f"input_format must be one of {INPUT_FORMATS}, got {input_format!r}")
    return input_format


def check_threshold(threshold: Any) -> float:
    """Validate a decision threshold in [0, 1]."""
    return check_unit(threshold, "threshold")


def check_ignore_index(ignore_index: Any) -> int | None:
    """Validate ``ignore_index`` (an int or ``None``)."""
    return check_optional_int(ignore_index, "ignore_index")


def check_multidim_average(multidim_average: Any) -> str:
    """Validate ``multidim_average``."""
    if multidim_average not in ("global", "samplewise"):
        raise ValueError(f"multidim_average must be 'global' or 'samplewise', got {multidim_average!r}")
    return multidim_average


def check_validate_args(validate_args: Any) -> bool:
    """Validate ``validate_args``."""
    return check_bool(validate_args, "validate_args")


def check_num(value: Any, name: str) -> int:
    """Validate ``num_classes`` / ``num_labels``: an int >= 2."""
    return check_int(value, name, 2)


def check_top_k(top_k: Any, num_classes: int) -> int:
    """Validate ``top_k`` in ``[1, num_classes]``."""
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= num_classes:
        raise ValueError(f"top_k must be an int in [1, num_classes={num_classes}], got {top_k!r}")
    return top_k


AVERAGES = ("micro", "macro", "weighted", "none", None)


def check_average(average: Any) -> str:
    """Validate ``average``; ``None`` is spelled ``"none"`` afterwards."""
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}")
    return "none" if average is None else average


def check_zero_division(zero_division: Any) -> float:
    """Validate ``zero_division`` (0 or 1, as TorchMetrics)."""
    if isinstance(zero_division, bool) or zero_division not in (0, 1):
        raise ValueError(f"zero_division must be 0 or 1, got {zero_division!r}")
    return float(zero_division)


def check_labels_dtype(target: Tensor, name: str = "target") -> None:
    """Labels must be integers (or bool); floats are refused, not rounded."""
    if target.is_floating_point() or target.is_complex():
        raise TypeError(f"{name} must hold integer class labels, got dtype {target.dtype}; pass target.long()")


def to_probabilities(preds: Tensor, input_format: str, activation: str) -> Tensor:
    """Turn float scores into probabilities without a host sync.

    ``"auto"`` follows TorchMetrics per batch: scores all inside [0, 1] are taken as
    probabilities, otherwise the activation (``"sigmoid"`` or ``"softmax"`` over dim 1)
    is applied. ``"probabilities"``/``"logits"`` state it once for every batch, which
    keeps accumulated results consistent when some batches of logits happen to fall in
    [0, 1].
    """
    if input_format == "probabilities":
        return preds
    act = preds.sigmoid() if activation == "sigmoid" else preds.softmax(1)
    if input_format == "logits":
        return act
    in_range = ((preds >= 0) & (preds <= 1)).all()
    return torch.where(in_range, preds, act)


def _shape_error(preds: Tensor, target: Tensor, expected: str) -> ValueError:
    return ValueError(
        f"preds and target must have the same shape{expected}, "
        f"got preds {tuple(preds.shape)} and target {tuple(target.shape)}"
    )


def _hard_binary(
    preds: Tensor,
    target: Tensor,
    *,
    threshold: float,
    ignore_index: int | None,
    input_format: str,
    validate_args: bool,
) -> tuple[Tensor, Tensor, Tensor]:
    """Check 0/1 targets and scores, threshold the scores; returns int64 ``(hard, target, weight)``.

    Shapes are kept. Ignored elements get weight 0 and target 0 (so every index they
    produce stays in range).
    """
    check_labels_dtype(target)
    if input_format == "labels" and preds.is_floating_point():
        raise TypeError(f"input_format='labels' expects integer preds, got dtype {preds.dtype}")
    if input_format in ("probabilities", "logits") and not preds.is_floating_point():
        raise TypeError(f"input_format={input_format!r} expects float preds, got dtype {preds.dtype}")
    ok_target = (target == 0) | (target == 1)
    if ignore_index is not None:
        ok_target = ok_target | (target == ignore_index)
    check(
        ok_target,
        f"target must hold only 0 and 1{'' if ignore_index is None else f' (or ignore_index={ignore_index})'}",
        enabled=validate_args,
    )
    if preds.is_floating_point():
        check_finite(preds, "preds", enabled=validate_args)
        if input_format == "probabilities":
            check(
                (preds >= 0) & (preds <= 1),
                "preds must be probabilities in [0, 1] (input_format='probabilities')",
                enabled=validate_args,
            )
        hard = (to_probabilities(preds, input_format, "sigmoid") > threshold).long()
    else:
        check(
            (preds == 0) | (preds == 1),
            "integer preds must hold only 0 and 1 (or pass float scores)",
            enabled=validate_args,
        )
        hard = preds.long()
    target = target.long()
    if ignore_index is not None:
        keep = target != ignore_index
        weight = keep.long()
        target = torch.where(keep, target, 0)
    else:
        weight = torch.ones_like(target)
    return hard, target, weight


def binary_format(
    preds: Tensor,
    target: Tensor,
    *,
    threshold: float,
    ignore_index: int | None,
    input_format: str,
    validate_args: bool,
    samplewise: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """Check binary inputs and return ``(hard_preds, target, weight)`` of shape ``(N, M)``.

    ``hard_preds`` and ``target`` are int64 in {0, 1}; ``weight`` is 1 for counted
    elements and 0 for ``ignore_index`` ones (their target is set to 0 so that every
    index stays in range).
    """
    check_tensor(preds, "preds")
    check_tensor(target, "target")
    if preds.shape != target.shape:
        raise _shape_error(preds, target, "")
    if samplewise and preds.dim() < 2:
        raise ValueError(
            f"multidim_average='samplewise' needs preds of at least 2 dims (N, ...), got shape {tuple(preds.shape)}"
        )
    hard, target, weight = _hard_binary(
        preds,
        target,
        threshold=threshold,
        ignore_index=ignore_index,
        input_format=input_format,
        validate_args=validate_args,
    )
    n = preds.shape[0] if preds.dim() else 1
    m = math.prod(preds.shape[1:])  # explicit: reshape(0, -1) is ambiguous
    return hard.reshape(n, m), target.reshape(n, m), weight.reshape(n, m)


def multilabel_format(
    preds: Tensor,
    target: Tensor,
    *,
    num_labels: int,
    threshold: float,
    ignore_index: int | None,
    input_format: str,
    validate_args: bool,
    samplewise: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """Check multilabel inputs ``(N, L, ...)``; return int64 ``(hard, target, weight)`` of shape ``(N, L, M)``."""
    check_tensor(preds, "preds")
    check_tensor(target, "target")
    if preds.shape != target.shape:
        raise _shape_error(preds, target, f" (N, {num_labels}, ...)")
    if preds.dim() < 2 or preds.shape[1] != num_labels:
        got = preds.shape[1] if preds.dim() >= 2 else None
        raise ValueError(
            f"preds and target must have shape (N, {num_labels}, ...) with num_labels={num_labels} in dim 1, "
            f"got shape {tuple(preds.shape)} ({got} labels)"
        )
    if samplewise and preds.dim() < 3:
        raise ValueError(
            f"multidim_average='samplewise' needs preds of at least 3 dims (N, L, ...), got shape {tuple(preds.shape)}"
        )
    hard, target, weight = _hard_binary(
        preds,
        target,
        threshold=threshold,
        ignore_index=ignore_index,
        input_format=input_format,
        validate_args=validate_args,
    )
    n = preds.shape[0]
    m = math.prod(preds.shape[2:])
    shape = (n, num_labels, m)
    return hard.reshape(shape), target.reshape(shape), weight.reshape(shape)


def multiclass_format(
    preds: Tensor,
    target: Tensor,
    *,
    num_classes: int | None,
    top_k: int,
    ignore_index: int | None,
    input_format: str,
    validate_args: bool,
    samplewise: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """Check multiclass inputs; return int64 ``(pred_label, target, weight)`` of shape ``(N, M)``.

    ``num_classes=None`` (micro accuracy only) takes the class count from scores and
    checks label preds and targets only for being non-negative.

    ``preds`` are float scores ``(N, C, ...)`` (probabilities or logits: the argmax is
    the same, so no softmax is needed) or integer labels ``(N, ...)``. With
    ``top_k > 1`` the predicted label is the target when the target is among the
    ``top_k`` highest scores, and the top-1 class otherwise: that is how TorchMetrics
    counts a top-k hit, and it keeps one label per element, so a single confusion
    matrix still holds every statistic.
    """
    label, target, weight = multiclass_format_lean(
        preds,
        target,
        num_classes=num_classes,
        top_k=top_k,
        ignore_index=ignore_index,
        input_format=input_format,
        validate_args=validate_args,
        samplewise=samplewise,
    )
    return label, target, torch.ones_like(target) if weight is None else weight


# Below this many (sample, position) pairs ``argmax`` is faster on CPU, above it
# ``max(...).indices`` (same result: the first index of the largest value).
_ARGMAX_MAX_ROWS = 256


def multiclass_format_lean(
    preds: Tensor,
    target: Tensor,
    *,
    num_classes: int | None,
    top_k: int,
    ignore_index: int | None,
    input_format: str,
    validate_args: bool,
    samplewise: bool = False,
) -> tuple[Tensor, Tensor, Tensor | None]:
    """:func:`multiclass_format` with ``weight=None`` when every element counts (no ``ignore_index``).

    Skipping the all-ones weight saves a tensor per batch and lets the caller count
    with an unweighted ``bincount``.
    """
    check_tensor(preds, "preds")
    check_tensor(target, "target")
    check_labels_dtype(target)
    c = num_classes
    if preds.dim() == target.dim() + 1:
        if not preds.is_floating_point():
            raise TypeError(
                f"preds with one more dim than target must be float scores (N, {c}, ...), got dtype {preds.dtype}"
            )
        if c is None:
            c = preds.shape[1]
        elif preds.shape[1] != c:
            raise ValueError(
                f"preds has {preds.shape[1]} classes in dim 1 but num_classes={c}; "
                f"pass preds of shape (N, {c}, ...), got {tuple(preds.shape)}"
            )
        if preds.shape[:1] + preds.shape[2:] != target.shape:
            raise ValueError(
                f"preds (N, C, ...) and target (N, ...) must agree outside dim 1, "
                f"got preds {tuple(preds.shape)} and target {tuple(target.shape)}"
            )
        scores = True
    elif preds.dim() == target.dim():
        if preds.shape != target.shape:
            raise _shape_error(preds, target, "")
        if preds.is_floating_point():
            raise TypeError(
                f"float preds must be scores of shape (N, {c}, ...) with target (N, ...); "
                f"got preds {tuple(preds.shape)} ({preds.dtype}) and target {tuple(target.shape)}"
            )
        scores = False
    else:
        raise ValueError(
            f"preds must be scores (N, {c}, ...) or labels (N, ...) for target (N, ...), "
            f"got preds {tuple(preds.shape)} and target {tuple(target.shape)}"
        )
    if input_format == "labels" and scores:
        raise TypeError(f"input_format='labels' expects integer label preds (N, ...), got {tuple(preds.shape)}")
    if input_format in ("probabilities", "logits") and not scores:
        raise TypeError(f"input_format={input_format!r} expects float scores (N, {c}, ...), got dtype {preds.dtype}")
    if top_k > 1 and not scores:
        raise ValueError(f"top_k={top_k} needs float scores of shape (N, {c}, ...), got integer labels")
    if samplewise and target.dim() < 2:
        raise ValueError(
            f"multidim_average='samplewise' needs target of at least 2 dims (N, ...), got target {tuple(target.shape)}"
        )
    also = "" if ignore_index is None else f" or ignore_index={ignore_index}"
    message = f"target must hold class labels in [0, {'num_classes' if c is None else c}){also}"
    if c is None:
        ok_target = target >= 0
        if ignore_index is not None:
            ok_target = ok_target | (target == ignore_index)
        check(ok_target, message, enabled=validate_args)
    else:
        check_in_range(target, 0, c, message, allowed=ignore_index, enabled=validate_args)
    target = target.long()
    n = target.shape[0] if target.dim() else 1
    m = math.prod(target.shape[1:])
    if ignore_index is not None:
        keep = target != ignore_index
        weight = keep.long().reshape(n, m)
        target = torch.where(keep, target, 0)
    else:
        weight = None
    if target.dim() != 2:
        target = target.reshape(n, m)
    if scores:
        check_finite(preds, "preds", enabled=validate_args)
        if input_format == "probabilities":
            check(
                (preds >= 0) & (preds <= 1),
                "preds must be probabilities in [0, 1] (input_format='probabilities')",
                enabled=validate_args,
            )
        if top_k == 1:
            # (N, C) scores stay 2-D (a 2-D reduction is faster than over (N, C, 1)).
            # argmax and max(1).indices give the same labels (the first largest score);
            # argmax is faster on small batches, max on large ones, and under vmap the
            # real batch is members x N, so traced code keeps max.
            flat = preds if 2 <= preds.dim() <= 3 else preds.reshape(n, c, m)
            small = n * m <= _ARGMAX_MAX_ROWS and not is_tracing(flat)
            label = flat.argmax(1) if small else flat.max(1).indices
            if label.dim() != 2:
                label = label.reshape(n, m)
        else:
            top = preds.reshape(n, c, m).topk(top_k, dim=1).indices  # (N, k, M)
            t = target.unsqueeze(1)
            hit = (top == t).any(1)
            label = torch.where(hit, target, top[:, 0])
    else:
        message = f"integer preds must hold class labels in [0, {'num_classes' if c is None else c})"
        if c is None:
            check(preds >= 0, message, enabled=validate_args)
        else:
            check_in_range(preds, 0, c, message, enabled=validate_args)
        label = preds.long()
        if label.dim() != 2:
            label = label.reshape(n, m)
    return label, target, weight
