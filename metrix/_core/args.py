"""Constructor-argument and input-type checks shared by every metric family.

Each raises with a message that names the argument, what is allowed and what was
received, e.g. ``num_classes must be an int >= 2, got 1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import Tensor

__all__ = ["check_bool", "check_choice", "check_int", "check_optional_int", "check_tensor", "check_unit"]


def check_tensor(x: Any, name: str) -> Tensor:
    """Raise ``TypeError`` unless ``x`` is a real (not complex) tensor."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.is_complex():
        raise TypeError(f"{name} must be real, got dtype {x.dtype}")
    return x


def check_bool(value: Any, name: str) -> bool:
    """Validate a bool argument."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be a bool, got {value!r}")
    return value


def check_int(value: Any, name: str, minimum: int) -> int:
    """Validate an int argument ``>= minimum`` (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return value


def check_optional_int(value: Any, name: str) -> int | None:
    """Validate an int-or-``None`` argument such as ``ignore_index``."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"{name} must be an int or None, got {value!r}")
    return value


def check_choice(value: Any, name: str, allowed: Sequence[Any]) -> Any:
    """Validate an enumerated option."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {tuple(allowed)}, got {value!r}")
    return value


def check_unit(value: Any, name: str) -> float:
    """Validate a number in [0, 1] (``threshold``, ``min_recall``, …); returns it as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a float in [0, 1], got {value!r}")
    return float(value)
