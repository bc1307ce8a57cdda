"""Argument and input checks shared by every retrieval metric (one home for the domain).

Two input forms exist (see :mod:`metrix.retrieval`):

* **flat**: ``update(state, preds, target, indexes)``, three tensors of one shape (any
  shape, flattened), ``indexes[i]`` naming the query of document ``i``;
* **dense**: ``update(state, preds, target, mask=None)``, ``(B, L)`` tensors whose rows
  are whole queries, with an optional boolean ``mask`` of the same shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool, check_choice, check_ints, check_optional_int, check_tensor, type_error
from metrix._core.checks import check, check_finite, check_in_range, is_tracing

EMPTY_TARGET_ACTIONS = ("neg", "pos", "skip", "error")
AGGREGATIONS = ("mean", "median", "min", "max")
DENSE_AGGREGATIONS = ("mean", "min", "max")
# Query ids live in [0, MAX_INDEX]: larger values are refused so that the sort key INT64_MAX
# stays free for padding and ignored documents (and -1 for ignored ones in storage).
MAX_INDEX = 2**62

__all__ = [
    "AGGREGATIONS",
    "EMPTY_TARGET_ACTIONS",
    "MAX_INDEX",
    "Options",
    "check_capacity",
    "check_ks",
    "dense_inputs",
    "flat_inputs",
]


class Options:
    """The configuration every retrieval metric shares, validated once."""

    def __init__(
        self,
        empty_target_action: Any,
        ignore_index: Any,
        aggregation: str | Callable[..., Tensor],
        dense: Any,
        capacity: Any,
        validate_args: Any,
    ) -> None:
        """Validate and hold the shared options."""
        self.empty_target_action = check_choice(empty_target_action, "empty_target_action", EMPTY_TARGET_ACTIONS)
        self.ignore_index = check_optional_int(ignore_index, "ignore_index")
        self.dense = check_bool(dense, "dense")
        self.validate_args = check_bool(validate_args, "validate_args")
        expected = f"one of {AGGREGATIONS} or a callable taking (values, dim=...)"
        if not (callable(aggregation) or isinstance(aggregation, str)):
            raise type_error("aggregation", expected, aggregation)
        if not (callable(aggregation) or aggregation in AGGREGATIONS):
            raise ValueError(f"aggregation must be {expected}, got {aggregation!r}")
        if self.dense and aggregation not in DENSE_AGGREGATIONS:
            raise ValueError(
                f"aggregation={aggregation!r} needs every per-query value; dense=True keeps only their sum, min "
                f"or max: use one of {DENSE_AGGREGATIONS}, or the flat form (dense=False) with indexes="
            )
        self.aggregation: str | Callable[..., Tensor] = aggregation
        self.capacity = check_capacity(capacity, self.dense)

    @property
    def key(self) -> tuple[Any, ...]:
        """The options that change a value (the aggregation by identity when it is a callable)."""
        return (self.empty_target_action, self.ignore_index, self.aggregation, self.dense, self.capacity)


def check_capacity(capacity: Any, dense: bool) -> int | None:
    """``capacity`` is a positive int (flat form only) or ``None``."""
    if check_optional_int(capacity, "capacity", 1) is None:
        return None
    if dense:
        raise ValueError(
            "capacity= applies to the flat form (samples are stored); dense=True already has a fixed state"
        )
    return capacity


def check_ks(top_k: Any, name: str = "top_k") -> tuple[int | None, ...]:
    """``top_k`` as a tuple of cut-offs: ``None`` (every document), an int >= 1 or a sequence of them."""
    if top_k is None:
        return (None,)
    return check_ints(top_k, name, 1, scalar=True, expected="None, an int >= 1 or a non-empty sequence of ints >= 1")


# ----------------------------------------------------------------------------- inputs


def _check_target_values(target: Tensor, graded: bool, ignore_index: int | None, enabled: bool) -> None:
    """Binary targets are 0/1 (or ``ignore_index``); graded ones are finite."""
    if graded:
        if target.is_floating_point():
            check_finite(target, "target", enabled=enabled)
        return
    if target.dtype == torch.bool:
        return
    message = (
        "target must be binary (0 or 1"
        + (f", or ignore_index={int(ignore_index)}" if ignore_index is not None else "")
        + ") for this metric; graded relevance is only for retrieval_normalized_dcg"
    )
    if target.is_floating_point():
        ok = (target == 0) | (target == 1)
        if ignore_index is not None:
            ok = ok | (target == ignore_index)
        check(ok, message, enabled=enabled)
        return
    check_in_range(target, 0, 2, message, allowed=ignore_index, enabled=enabled)


def _check_preds(preds: Tensor) -> None:
    if not preds.is_floating_point():
        raise TypeError(f"preds must be a floating point tensor of scores, got dtype {preds.dtype}")


def flat_inputs(
    name: str, preds: Any, target: Any, indexes: Any, *, graded: bool, ignore_index: int | None, validate_args: bool
) -> tuple[Tensor, Tensor, Tensor]:
    """Check a flat batch; returns flattened ``(preds, target, indexes)`` as given (no copies).

    Raises:
        TypeError: a missing ``indexes``, a non-tensor, float ``indexes``, non-float ``preds``.
        ValueError: shapes that differ, negative ``indexes`` or ids above ``2**62``,
            non-binary targets for a binary metric, NaN or inf scores.
    """
    if indexes is None:
        raise TypeError(
            f"{name}.update: indexes is required, the query id of every document: "
            "update(state, preds, target, indexes) or indexes=...; for (B, L) rows of whole queries "
            "build the metric with dense=True"
        )
    preds = check_tensor(preds, "preds")
    target = check_tensor(target, "target")
    indexes = check_tensor(indexes, "indexes")
    if not (preds.shape == target.shape == indexes.shape):
        raise ValueError(
            f"{name}.update: preds, target and indexes must have the same shape, got preds {tuple(preds.shape)}, "
            f"target {tuple(target.shape)} and indexes {tuple(indexes.shape)}"
        )
    _check_preds(preds)
    if indexes.is_floating_point() or indexes.dtype == torch.bool:
        raise TypeError(f"indexes must hold integer query ids, got dtype {indexes.dtype}; pass indexes.long()")
    preds, target, indexes = preds.reshape(-1), target.reshape(-1), indexes.reshape(-1)

    def index_message() -> str:
        text = "indexes must be query ids in [0, 2**62]"
        if is_tracing(indexes):  # no values to read
            return text
        return f"{text}, got values in [{int(indexes.min())}, {int(indexes.max())}]"

    check_in_range(indexes, 0, MAX_INDEX + 1, index_message, enabled=validate_args)
    _check_target_values(target, graded, ignore_index, validate_args)
    check_finite(preds, "preds", enabled=validate_args)
    return preds, target, indexes


def dense_inputs(
    name: str, preds: Any, target: Any, mask: Any, *, graded: bool, ignore_index: int | None, validate_args: bool
) -> tuple[Tensor, Tensor, Tensor | None]:
    """Check a dense batch; returns ``(preds, target, valid)`` with ``valid`` the documents that count.

    ``valid`` is ``mask`` without the documents whose target is ``ignore_index``; ``None``
    when every document counts.
    """
    preds = check_tensor(preds, "preds")
    target = check_tensor(target, "target")
    if preds.dim() != 2:
        raise ValueError(
            f"{name}.update with dense=True takes (B, L) rows, one query per row, got preds of shape "
            f"{tuple(preds.shape)}; for a flat list of documents with query ids use dense=False and indexes="
        )
    if target.shape != preds.shape:
        raise ValueError(
            f"{name}.update: target must have the shape of preds {tuple(preds.shape)}, got {tuple(target.shape)}"
        )
    _check_preds(preds)
    if mask is not None:
        mask = check_tensor(mask, "mask")
        if mask.dtype != torch.bool:
            raise TypeError(
                f"mask must be a bool tensor (True: the document counts), got dtype {mask.dtype}; with dense=True "
                "the third argument is the mask: documents with query ids need dense=False"
            )
        if mask.shape != preds.shape:
            raise ValueError(
                f"{name}.update: mask must have the shape of preds {tuple(preds.shape)}, got {tuple(mask.shape)}"
            )
    _check_target_values(target, graded, ignore_index, validate_args)
    check_finite(preds, "preds", enabled=validate_args)
    valid = mask
    if ignore_index is not None:
        kept = target != ignore_index
        valid = kept if valid is None else valid & kept
    return preds, target, valid
