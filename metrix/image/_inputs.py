"""Input and argument checks shared by the image families.

Shape and dtype checks are plain Python raises (shapes are static under compile and
vmap); value checks (NaN/inf) go through :func:`metrix._core.checks.check_finite`, so
they raise ``ValueError`` in eager, under ``torch.compile`` and under ``torch.func.vmap``.
Every message names the argument, what is expected and what was received.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, overload

import torch
from torch import Tensor

from metrix._core.args import check_bool as check_bool
from metrix._core.args import check_choice as check_choice
from metrix._core.args import check_int as check_int
from metrix._core.args import (
    check_ints,
    check_number,
    check_numbers,
    check_tensor_pair,
    float_dtype_of,
    type_error,
    value_error,
)
from metrix._core.args import check_tensor as check_tensor
from metrix._core.checks import check_finite

F64 = torch.float64
REDUCTIONS = ("elementwise_mean", "sum", "none", None)


def check_reduction(reduction: Any, allowed: Sequence[Any] = REDUCTIONS) -> str:
    """Validate ``reduction``; ``None`` becomes ``"none"`` and ``"mean"`` stays ``"mean"``."""
    check_choice(reduction, "reduction", tuple(allowed))
    return "none" if reduction is None else reduction


def check_positive(value: Any, name: str) -> float:
    """A real number > 0 (``data_range``, ``sigma``, ``ratio``…)."""
    return check_number(value, name, "a number > 0", lambda v: v > 0)


@overload
def check_data_range(data_range: Any, *, optional: Literal[False]) -> tuple[float, tuple[float, float] | None]: ...
@overload
def check_data_range(data_range: Any, *, optional: bool) -> tuple[float | None, tuple[float, float] | None]: ...
def check_data_range(data_range: Any, *, optional: bool) -> tuple[float | None, tuple[float, float] | None]:
    """Validate ``data_range``: a number > 0, a ``(min, max)`` tuple with ``max > min``, or ``None``.

    Returns:
        ``(range, clamp)``: the range as a float (``None`` when it comes from the data) and
        the clamping bounds when a tuple was given.
    """
    expected = "a number > 0 or a (min, max) tuple with max > min"
    if data_range is None:
        if optional:
            return None, None
        raise type_error("data_range", expected, data_range)
    if isinstance(data_range, tuple):
        lo, hi = check_numbers(data_range, "data_range", expected, lambda v: True, length=2)
        if not hi > lo:
            raise value_error("data_range", expected, data_range)
        return hi - lo, (lo, hi)
    return check_number(data_range, "data_range", expected, lambda v: v > 0), None


def int_pair(value: Any, name: str, n: int, *, odd: bool = False) -> tuple[int, ...]:
    """An int or a sequence of ``n`` ints, each >= 1 (and odd when ``odd``)."""
    expected = f"an int or a sequence of {n} {'odd ints' if odd else 'ints'} >= 1"
    values = check_ints(value, name, 1, length=n, scalar=True, expected=expected)
    if odd and any(v % 2 == 0 for v in values):
        raise value_error(name, expected, value)
    return values


def float_pair(value: Any, name: str, n: int) -> tuple[float, ...]:
    """A number or a sequence of ``n`` numbers, each > 0."""
    expected = f"a number or a sequence of {n} numbers > 0"
    return check_numbers(value, name, expected, lambda v: v > 0, length=n, scalar=True)


def image(x: Any, name: str, ranks: tuple[int, ...] = (4,), *, validate_args: bool = True) -> Tensor:
    """Check one image batch: a real tensor of one of ``ranks`` (``(N, C, H, W)`` by default), finite."""
    check_tensor(x, name)
    if x.dim() not in ranks:
        shapes = " or ".join({3: "(N, H, W)", 4: "(N, C, H, W)", 5: "(N, C, D, H, W)"}[r] for r in ranks)
        raise ValueError(f"{name} must have shape {shapes}, got shape {tuple(x.shape)}")
    if x.is_floating_point():
        check_finite(x, name, enabled=validate_args)
    return x


def image_pair(
    preds: Any,
    target: Any,
    *,
    ranks: tuple[int, ...] = (4,),
    validate_args: bool = True,
    names: tuple[str, str] = ("preds", "target"),
) -> tuple[Tensor, Tensor]:
    """Check a ``(preds, target)`` pair of image batches of one shape; returns both as one float dtype."""
    a, b = names
    check_tensor_pair(preds, target, names)
    image(preds, a, ranks, validate_args=validate_args)
    image(target, b, ranks, validate_args=validate_args)
    dtype = float_dtype_of(preds, target)
    return preds.to(dtype), target.to(dtype)


def min_size(x: Tensor, name: str, size: int, why: str) -> None:
    """Require every spatial side of ``x`` (dims 2 and on) to be at least ``size``."""
    sides = tuple(x.shape[2:])
    if any(s < size for s in sides):
        raise ValueError(f"{name} must have spatial sides >= {size} ({why}), got shape {tuple(x.shape)}")
