"""Constructor arguments shared by the classification families, validated once per factory call.

Every check follows the library's rule (see :mod:`metrix._core.args`): ``TypeError`` for a
value of the wrong type, ``ValueError`` for a wrong value, and a message that names the
argument, what is allowed and what was received.
"""

from __future__ import annotations

from typing import Any

from metrix._core.args import check_bool as check_bool
from metrix._core.args import check_choice as check_choice
from metrix._core.args import check_int as check_int
from metrix._core.args import check_number as check_number
from metrix._core.args import check_optional_int, type_error, value_error
from metrix._core.args import check_unit as check_unit

__all__ = [
    "AVERAGES",
    "INPUT_FORMATS",
    "MULTIDIM_AVERAGES",
    "SCORE_FORMATS",
    "TASKS",
    "check_average",
    "check_bool",
    "check_choice",
    "check_ignore_index",
    "check_input_format",
    "check_int",
    "check_multidim_average",
    "check_num",
    "check_number",
    "check_threshold",
    "check_top_k",
    "check_unit",
    "check_validate_args",
    "check_zero_division",
]

TASKS = ("binary", "multiclass", "multilabel")
# How float preds are read: "auto" is TorchMetrics' per-batch guess (scores all inside
# [0, 1] are probabilities, others get the activation); "labels" means integer preds.
INPUT_FORMATS = ("auto", "probabilities", "logits", "labels")
SCORE_FORMATS = INPUT_FORMATS[:3]  # families that need float scores take no "labels"
AVERAGES = ("micro", "macro", "weighted", "none", None)
MULTIDIM_AVERAGES = ("global", "samplewise")


def check_input_format(input_format: Any, *, scores: bool = False) -> str:
    """Validate ``input_format``; ``scores=True`` for families that need float scores (no ``"labels"``)."""
    return check_choice(input_format, "input_format", SCORE_FORMATS if scores else INPUT_FORMATS)


def check_threshold(threshold: Any) -> float:
    """Validate a decision threshold in [0, 1]."""
    return check_unit(threshold, "threshold")


def check_ignore_index(ignore_index: Any) -> int | None:
    """Validate ``ignore_index`` (an int or ``None``)."""
    return check_optional_int(ignore_index, "ignore_index")


def check_multidim_average(multidim_average: Any) -> str:
    """Validate ``multidim_average``."""
    return check_choice(multidim_average, "multidim_average", MULTIDIM_AVERAGES)


def check_validate_args(validate_args: Any) -> bool:
    """Validate ``validate_args``."""
    return check_bool(validate_args, "validate_args")


def check_num(value: Any, name: str) -> int:
    """Validate ``num_classes`` / ``num_labels``: an int >= 2."""
    return check_int(value, name, 2)


def check_top_k(top_k: Any, num_classes: int) -> int:
    """Validate ``top_k`` in ``[1, num_classes]``."""
    expected = f"an int in [1, num_classes={num_classes}]"
    if isinstance(top_k, bool) or not isinstance(top_k, int):
        raise type_error("top_k", expected, top_k)
    if not 1 <= top_k <= num_classes:
        raise value_error("top_k", expected, top_k)
    return top_k


def check_average(average: Any) -> str:
    """Validate ``average``; ``None`` is spelled ``"none"`` afterwards."""
    check_choice(average, "average", AVERAGES)
    return "none" if average is None else average


def check_zero_division(zero_division: Any) -> float:
    """Validate ``zero_division`` (0 or 1, as TorchMetrics)."""
    if isinstance(zero_division, bool) or not isinstance(zero_division, (int, float)):
        raise type_error("zero_division", "0 or 1", zero_division)
    if zero_division not in (0, 1):
        raise value_error("zero_division", "0 or 1", zero_division)
    return float(zero_division)
