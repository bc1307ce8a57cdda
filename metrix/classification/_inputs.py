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

from metrix._core.checks import check, check_finite

INPUT_FORMATS = ("auto", "probabilities", "logits", "labels")


def check_tensor(x: Any, name: str) -> Tensor:
    """Raise ``TypeError`` unless ``x`` is a tensor."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    return x


def check_input_format(input_format: Any) -> str:
    """Validate the ``input_format`` constructor argument."""
    if input_format not in INPUT_FORMATS:
        raise ValueError(f"input_format must be one of {INPUT_FORMATS}, got {input_format!r}")
    return input_format


def check_threshold(threshold: Any) -> float:
    """Validate a decision threshold in [0, 1]."""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be a float in [0, 1], got {threshold!r}")
    return float(threshold)


def check_ignore_index(ignore_index: Any) -> int | None:
    """Validate ``ignore_index`` (an int or ``None``)."""
    if ignore_index is not None and (isinstance(ignore_index, bool) or not isinstance(ignore_index, int)):
        raise ValueError(f"ignore_index must be an int or None, got {ignore_index!r}")
    return ignore_index


def check_multidim_average(multidim_average: Any) -> str:
    """Validate ``multidim_average``."""
    if multidim_average not in ("global", "samplewise"):
        raise ValueError(f"multidim_average must be 'global' or 'samplewise', got {multidim_average!r}")
    return multidim_average


def check_validate_args(validate_args: Any) -> bool:
    """Validate ``validate_args``."""
    if not isinstance(validate_args, bool):
        raise ValueError(f"validate_args must be a bool, got {validate_args!r}")
    return validate_args


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
        raise ValueError(
            "preds and target must have the same shape, "
            f"got preds {tuple(preds.shape)} and target {tuple(target.shape)}"
        )
    check_labels_dtype(target)
    if samplewise and preds.dim() < 2:
        raise ValueError(
            f"multidim_average='samplewise' needs preds of at least 2 dims (N, ...), got shape {tuple(preds.shape)}"
        )
    if input_format == "labels" and preds.is_floating_point():
        raise TypeError(f"input_format='labels' expects integer preds, got dtype {preds.dtype}")
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
    n = preds.shape[0] if preds.dim() else 1
    m = math.prod(preds.shape[1:])  # explicit: reshape(0, -1) is ambiguous
    hard = hard.reshape(n, m)
    target = target.reshape(n, m).long()
    if ignore_index is not None:
        keep = target != ignore_index
        weight = keep.long()
        target = torch.where(keep, target, 0)
    else:
        weight = torch.ones_like(target)
    return hard, target, weight
