"""Input formats shared by the segmentation metrics: one-hot, index or mixed, as TorchMetrics 1.9 takes them.

Every metric works on boolean one-hot maps ``(N, C, *spatial)``: floating one-hot
inputs are taken as scores (argmax over the class dim), integer ones as 0/1 maps,
index maps are one-hot encoded with ``num_classes``. ``include_background=False``
drops class 0. Shapes are checked in plain Python; label ranges through ``check``
(so they also raise under compile and vmap).
"""

from __future__ import annotations

from typing import Any, Literal, overload

import torch
import torch.nn.functional as F
from torch import Tensor

from metrix._core.args import check_bool, check_choice, check_int, check_tensor, value_error
from metrix._core.checks import check

INPUT_FORMATS = ("one-hot", "index", "mixed")


@overload
def check_num_classes(num_classes: Any, *, required: bool = True, optional: Literal[False] = False) -> int: ...
@overload
def check_num_classes(num_classes: Any, *, required: bool = True, optional: bool) -> int | None: ...
def check_num_classes(num_classes: Any, *, required: bool = True, optional: bool = False) -> int | None:
    """``num_classes``: a positive int, or ``None`` where allowed (``optional``) and not needed (not ``required``)."""
    if num_classes is None and optional:
        if required:
            raise value_error("num_classes", "an int >= 1 for this configuration", None)
        return None
    return check_int(num_classes, "num_classes", 1)


def check_common(include_background: Any, input_format: Any) -> tuple[bool, str]:
    """Validate the two options every segmentation metric has."""
    return check_bool(include_background, "include_background"), check_choice(
        input_format, "input_format", INPUT_FORMATS
    )


def _from_one_hot(x: Tensor, num_classes: int, name: str, validate_args: bool) -> Tensor:
    if x.dim() < 3:
        raise ValueError(f"{name} must have shape (N, C, *spatial) with at least one spatial dim, got {tuple(x.shape)}")
    if x.shape[1] != num_classes:
        raise ValueError(f"{name} has {x.shape[1]} classes (dim 1) but num_classes={num_classes}")
    if x.is_floating_point():
        return F.one_hot(x.argmax(1), num_classes).movedim(-1, 1).bool()
    if x.dtype != torch.bool:
        check((x == 0) | (x == 1), f"{name} must be one-hot (0/1) in input_format='one-hot'", enabled=validate_args)
    return x != 0


def _from_index(x: Tensor, num_classes: int, name: str, validate_args: bool) -> Tensor:
    if x.is_floating_point() or x.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer class indices, got dtype {x.dtype}")
    if x.dim() < 2:
        raise ValueError(f"{name} must have shape (N, *spatial) as class indices, got {tuple(x.shape)}")
    check(
        (x >= 0) & (x < num_classes),
        f"{name} must hold class indices in [0, {int(num_classes)})",
        enabled=validate_args,
    )
    return F.one_hot(x.long().clamp(0, num_classes - 1), num_classes).movedim(-1, 1).bool()


def one_hot_pair(
    preds: Any,
    target: Any,
    num_classes: int,
    include_background: bool,
    input_format: str,
    *,
    validate_args: bool,
) -> tuple[Tensor, Tensor]:
    """``(preds, target)`` as boolean ``(N, C', *spatial)`` maps (``C' = C - 1`` without background)."""
    preds, target = check_tensor(preds, "preds"), check_tensor(target, "target")
    if input_format == "mixed":
        if preds.dim() == target.dim() + 1:
            fmt_p, fmt_t = "one-hot", "index"
        elif target.dim() == preds.dim() + 1:
            fmt_p, fmt_t = "index", "one-hot"
        else:
            raise ValueError(
                "input_format='mixed' needs one one-hot (N, C, ...) and one index (N, ...) tensor, "
                f"got preds {tuple(preds.shape)} and target {tuple(target.shape)}"
            )
    else:
        fmt_p = fmt_t = input_format
        if preds.shape != target.shape:
            raise ValueError(
                f"preds and target must have the same shape, got {tuple(preds.shape)} and {tuple(target.shape)}"
            )
    p = (_from_one_hot if fmt_p == "one-hot" else _from_index)(preds, num_classes, "preds", validate_args)
    t = (_from_one_hot if fmt_t == "one-hot" else _from_index)(target, num_classes, "target", validate_args)
    if p.shape != t.shape:
        raise ValueError(f"preds and target describe maps of different shapes: {tuple(p.shape)} and {tuple(t.shape)}")
    if not include_background and p.shape[1] > 1:
        p, t = p[:, 1:], t[:, 1:]
    return p, t


def class_sums(p: Tensor, t: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Per (sample, class) int64 ``(intersection, pred_sum, target_sum)``, each ``(N, C')``."""
    dims = tuple(range(2, p.dim()))
    return (p & t).sum(dims), p.sum(dims), t.sum(dims)
