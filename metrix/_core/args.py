"""Constructor-argument and input-type checks shared by every metric family.

One rule for the whole library: a value of the wrong *type* raises ``TypeError``, a
value of the right type but outside what is allowed raises ``ValueError``. Both say the
same thing, ``<name> must be <expected>, got <received>``, e.g. ``num_classes must be
an int >= 2, got 1`` (a ``ValueError``) or ``num_classes must be an int >= 2, got None
(NoneType)`` (a ``TypeError``). Enumerated options (``average``, ``norm``, …) raise
``ValueError`` for anything outside their list, whatever its type.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor

__all__ = [
    "check_bool",
    "check_choice",
    "check_int",
    "check_ints",
    "check_number",
    "check_numbers",
    "check_optional_int",
    "check_optional_number",
    "check_tensor",
    "check_tensor_pair",
    "check_unit",
    "float_dtype_of",
    "type_error",
    "value_error",
]


def type_error(name: str, expected: str, value: Any) -> TypeError:
    """``TypeError("<name> must be <expected>, got <value> (<type>)")``."""
    return TypeError(f"{name} must be {expected}, got {value!r} ({type(value).__name__})")


def value_error(name: str, expected: str, value: Any) -> ValueError:
    """``ValueError("<name> must be <expected>, got <value>")``."""
    return ValueError(f"{name} must be {expected}, got {value!r}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_tensor(x: Any, name: str) -> Tensor:
    """Raise ``TypeError`` unless ``x`` is a real (not complex) tensor."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.is_complex():
        raise TypeError(f"{name} must be real, got dtype {x.dtype}")
    return x


def check_tensor_pair(
    preds: Any, target: Any, names: tuple[str, str] = ("preds", "target"), *, detail: str = ""
) -> None:
    """Raise ``TypeError`` unless both are real tensors, ``ValueError`` unless they have one shape.

    Args:
        preds: the first tensor.
        target: the second tensor.
        names: their names in messages.
        detail: words after "the same shape" in the message (e.g. the expected layout).
    """
    a, b = names
    check_tensor(preds, a)
    check_tensor(target, b)
    if preds.shape != target.shape:
        raise ValueError(
            f"{a} and {b} must have the same shape{detail}, got {a} {tuple(preds.shape)} and {b} {tuple(target.shape)}"
        )


def float_dtype_of(*tensors: Tensor) -> torch.dtype:
    """The dtype the tensors promote to when it is a float dtype, otherwise the default float dtype."""
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    return dtype if dtype.is_floating_point else torch.get_default_dtype()


def check_bool(value: Any, name: str) -> bool:
    """Validate a bool argument (``TypeError`` for anything else, ``0`` and ``1`` included)."""
    if not isinstance(value, bool):
        raise type_error(name, "a bool", value)
    return value


def check_int(value: Any, name: str, minimum: int) -> int:
    """Validate an int argument ``>= minimum`` (bools are refused)."""
    expected = f"an int >= {minimum}"
    if not _is_int(value):
        raise type_error(name, expected, value)
    if value < minimum:
        raise value_error(name, expected, value)
    return value


def check_optional_int(value: Any, name: str, minimum: int | None = None) -> int | None:
    """Validate an int-or-``None`` argument such as ``ignore_index`` (``>= minimum`` if given)."""
    if value is None:
        return None
    expected = "an int or None" if minimum is None else f"an int >= {minimum} or None"
    if not _is_int(value):
        raise type_error(name, expected, value)
    if minimum is not None and value < minimum:
        raise value_error(name, expected, value)
    return value


def check_choice(value: Any, name: str, allowed: Sequence[Any]) -> Any:
    """Validate an enumerated option (``ValueError`` for anything outside ``allowed``)."""
    if value not in allowed:
        raise value_error(name, f"one of {tuple(allowed)}", value)
    return value


def check_number(value: Any, name: str, expected: str, ok: Callable[[float], bool] = math.isfinite) -> float:
    """Validate a real number (an int or a float, not a bool) for which ``ok`` holds; returns it as a float.

    Args:
        value: the argument.
        name: its name in messages.
        expected: what is allowed, in words (``"a float > 0"``).
        ok: the value condition (default: finite).
    """
    if not _is_number(value):
        raise type_error(name, expected, value)
    if not ok(value):
        raise value_error(name, expected, value)
    return float(value)


def check_optional_number(
    value: Any, name: str, expected: str, ok: Callable[[float], bool] = math.isfinite
) -> float | None:
    """:func:`check_number` for an argument that may also be ``None`` (say so in ``expected``)."""
    return None if value is None else check_number(value, name, expected, ok)


def _items(value: Any, name: str, expected: str, scalar: Callable[[Any], bool], length: int | None) -> tuple[Any, ...]:
    """``value`` as a tuple: a list or tuple of items, or one item alone when ``scalar(value)`` holds."""
    if scalar(value):
        return (value,) * (length or 1)
    if not isinstance(value, (list, tuple)):
        raise type_error(name, expected, value)
    if not value or (length is not None and len(value) != length):
        raise value_error(name, expected, value)
    return tuple(value)


def check_ints(
    value: Any,
    name: str,
    minimum: int | None,
    *,
    length: int | None = None,
    scalar: bool = False,
    expected: str | None = None,
) -> tuple[int, ...]:
    """Validate a non-empty list or tuple of ints ``>= minimum`` (``top_k=(1, 5)``, ``kernel_size=(11, 11)``).

    Args:
        value: the argument.
        name: its name in messages.
        minimum: the smallest allowed item (``None``: any int).
        length: the number of items required (``None``: any number >= 1).
        scalar: also accept one int alone, repeated ``length`` times (once without a ``length``).
        expected: what is allowed, in words (default: built from the other arguments).

    Returns:
        The items as a tuple of ints.
    """
    if expected is None:
        ints = "ints" if minimum is None else f"ints >= {minimum}"
        count = "a non-empty sequence" if length is None else f"a sequence of {length}"
        expected = f"{'an int' + ints[3:] + ' or ' if scalar else ''}{count} of {ints}"
    items = _items(value, name, expected, lambda v: scalar and _is_int(v), length)
    if not all(_is_int(v) for v in items):
        raise type_error(name, expected, value)
    if minimum is not None and any(v < minimum for v in items):
        raise value_error(name, expected, value)
    return items


def check_numbers(
    value: Any,
    name: str,
    expected: str,
    ok: Callable[[float], bool] = math.isfinite,
    *,
    length: int | None = None,
    scalar: bool = False,
) -> tuple[float, ...]:
    """Validate a non-empty list or tuple of real numbers for which ``ok`` holds (``iou_thresholds``, ``betas``).

    Args:
        value: the argument.
        name: its name in messages.
        expected: what is allowed, in words (``"a non-empty list of floats in [0, 1]"``).
        ok: the condition on each item (default: finite).
        length: the number of items required (``None``: any number >= 1).
        scalar: also accept one number alone, repeated ``length`` times (once without a ``length``).

    Returns:
        The items as a tuple of floats.
    """
    items = _items(value, name, expected, lambda v: scalar and _is_number(v), length)
    if not all(_is_number(v) for v in items):
        raise type_error(name, expected, value)
    if not all(ok(v) for v in items):
        raise value_error(name, expected, value)
    return tuple(float(v) for v in items)


def check_unit(value: Any, name: str) -> float:
    """Validate a number in [0, 1] (``threshold``, ``min_recall``, …); returns it as a float."""
    return check_number(value, name, "a float in [0, 1]", lambda v: 0.0 <= v <= 1.0)
