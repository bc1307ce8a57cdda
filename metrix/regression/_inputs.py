"""Input and argument checks shared by the regression families.

Inputs are promoted to float64 before anything is summed: float32 running sums drift,
and integer inputs would overflow or truncate. Shape checks are plain Python raises
(shapes are static under compile and vmap); value checks (NaN/inf, domains of logs
and powers) go through :func:`metrix._core.checks.check`, so they raise
``ValueError`` in eager, under ``torch.compile`` and under ``torch.func.vmap`` alike.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool as check_bool
from metrix._core.args import check_choice as check_choice
from metrix._core.args import check_int as check_int
from metrix._core.args import check_number as check_number
from metrix._core.args import check_optional_int as check_optional_int
from metrix._core.args import check_tensor as check_tensor
from metrix._core.args import check_tensor_pair
from metrix._core.checks import check_finite

F64 = torch.float64
REDUCTIONS = ("sum", "mean", "none", None)


def to_f64(x: Tensor) -> Tensor:
    """``x`` as float64, or as its own dtype where that is a wider float (none today)."""
    return x if x.dtype == F64 else x.to(F64)


def paired(
    preds: Any, target: Any, *, validate_args: bool, names: tuple[str, str] = ("preds", "target")
) -> tuple[Tensor, Tensor]:
    """Check a (preds, target) pair of equal shape and return both as finite float64."""
    a, b = names
    check_tensor_pair(preds, target, names)
    preds, target = to_f64(preds), to_f64(target)
    check_finite(preds, a, enabled=validate_args)
    check_finite(target, b, enabled=validate_args)
    return preds, target


def check_num_outputs(num_outputs: Any) -> int:
    """Validate ``num_outputs`` (an int >= 1)."""
    return check_int(num_outputs, "num_outputs", 1)


def check_reduction(reduction: Any) -> str:
    """Validate ``reduction`` and normalise ``None`` to ``"none"``."""
    check_choice(reduction, "reduction", REDUCTIONS)
    return "none" if reduction is None else reduction


def outputs_2d(preds: Tensor, num_outputs: int, name: str = "preds") -> None:
    """With ``num_outputs > 1`` the inputs must be ``(N, num_outputs)``: one column per output."""
    if num_outputs > 1 and (preds.dim() != 2 or preds.shape[1] != num_outputs):
        raise ValueError(
            f"num_outputs={num_outputs} expects {name} of shape (N, {num_outputs}), got {tuple(preds.shape)}; "
            "pass num_outputs equal to the number of columns"
        )


def rows_2d(x: Tensor, name: str, what: str) -> None:
    """Require a 2-d ``(N, D)`` input."""
    if x.dim() != 2:
        raise ValueError(f"{name} must be 2-d of shape (N, D) ({what}), got shape {tuple(x.shape)}")
