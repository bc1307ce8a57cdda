"""Input and argument checks shared by the nominal (categorical association) metrics.

Nominal data are category labels: integer tensors, or float tensors holding whole
numbers and possibly ``NaN`` (missing values), which ``nan_strategy`` replaces by
``nan_replace_value`` or drops pair by pair, as in TorchMetrics. A 2-d ``(N, C)`` input
holds scores and is reduced to labels by ``argmax`` over its columns first.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool as check_bool
from metrix._core.args import check_choice, check_optional_int, check_optional_number, check_tensor, value_error
from metrix._core.checks import check

__all__ = ["check_bool", "check_nan_strategy", "check_num_classes", "labels_of", "paired_labels"]

NAN_STRATEGIES = ("replace", "drop")


def check_nan_strategy(nan_strategy: Any, nan_replace_value: Any) -> tuple[str, float | None]:
    """Validate ``nan_strategy`` and ``nan_replace_value`` (a number when replacing)."""
    check_choice(nan_strategy, "nan_strategy", NAN_STRATEGIES)
    check_optional_number(nan_replace_value, "nan_replace_value", "an int or float, or None", lambda v: True)
    if nan_strategy == "replace":
        if nan_replace_value is None:
            raise value_error("nan_replace_value", "an int or float when nan_strategy='replace'", None)
        if not math.isfinite(nan_replace_value) or nan_replace_value != int(nan_replace_value):
            raise ValueError(f"nan_replace_value must be a category label (a whole number), got {nan_replace_value!r}")
    return nan_strategy, nan_replace_value


def check_num_classes(num_classes: Any, name: str = "num_classes") -> int | None:
    """Validate an optional number of categories (an int >= 1, or ``None`` for stored labels)."""
    return check_optional_int(num_classes, name, 1)


def as_1d(x: Any, name: str) -> Tensor:
    """A label vector: 1-d as given, 2-d ``(N, C)`` scores reduced by ``argmax`` over the columns."""
    check_tensor(x, name)
    if x.dim() == 2:
        return x.argmax(1)
    if x.dim() != 1:
        raise ValueError(f"{name} must be 1-d labels (N,) or 2-d scores (N, C), got shape {tuple(x.shape)}")
    return x


def labels_of(
    x: Tensor, name: str, valid: Tensor | None, nan_strategy: str, nan_replace_value: Any, validate_args: bool
) -> Tensor:
    """Whole-number labels as int64 (``NaN`` replaced, or masked out by ``valid``)."""
    if not x.is_floating_point():
        return x.to(torch.int64)
    if nan_strategy == "replace":
        x = torch.where(torch.isnan(x), float(nan_replace_value), x)
    elif valid is not None:  # "drop": float labels always come with the mask of their pairs without NaN
        x = torch.where(valid, x, 0.0)
    check(
        (x == torch.trunc(x)) & torch.isfinite(x),
        f"{name} must hold whole-number category labels (or NaN)",
        enabled=validate_args,
    )
    return x.to(torch.int64)


def paired_labels(
    preds: Any, target: Any, nan_strategy: str, nan_replace_value: Any, validate_args: bool
) -> tuple[Tensor, Tensor, Tensor | None]:
    """Check a (preds, target) pair of label vectors; returns int64 labels and the pairs to count."""
    p, t = as_1d(preds, "preds"), as_1d(target, "target")
    if p.shape != t.shape:
        raise ValueError(
            f"preds and target must hold the same number of samples, got preds {tuple(preds.shape)} "
            f"and target {tuple(target.shape)}"
        )
    valid = None
    if nan_strategy == "drop":
        present = [~torch.isnan(x) for x in (p, t) if x.is_floating_point()]
        if present:
            valid = present[0] if len(present) == 1 else present[0] & present[1]
    p = labels_of(p, "preds", valid, nan_strategy, nan_replace_value, validate_args)
    t = labels_of(t, "target", valid, nan_strategy, nan_replace_value, validate_args)
    return p, t, valid
