"""Contingency tables of two label vectors: the state behind the nominal and clustering scores.

A contingency table counts how often each pair ``(target label, preds label)`` occurs;
every association statistic (Cramér's V, Theil's U, mutual information, the Rand
indices, cluster accuracy, …) is a function of it. When the label ranges are known the
table itself is the state: an int64 ``(R, C)`` sum leaf, exact under merge and sync,
compiled once and vmapped, and O(R·C) however many labels are seen (TorchMetrics keeps
every label for most of these). Without them the labels are stored exactly and the
table is built once at ``compute`` from the labels present (any integer values).

Rows are ``target`` labels and columns ``preds`` labels, as in TorchMetrics. Tables
built from stored labels hold only the labels present; fixed tables may have empty rows
and columns, so every statistic built on them ignores empty rows and columns (as
TorchMetrics drops them).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import check_in_range, is_tracing
from metrix._core.metric import Metric
from metrix._core.state import cat_append, cat_init, leaf, state, stored_values

__all__ = [
    "ContingencyState",
    "LabelPairsState",
    "contingency_metric",
    "count_pairs",
    "range_message",
    "dense_contingency",
]

Prepare = Callable[[Any, Any], tuple[Tensor, Tensor, Tensor | None]]


@state
class ContingencyState:
    """A contingency table of fixed size."""

    counts: Tensor = leaf("sum")  # int64 (R, C): counts of (target label, preds label)


@state
class LabelPairsState:
    """Every (preds, target) label pair seen, for tables whose label ranges are unknown."""

    preds: Any = leaf("cat")  # int64 (n,) chunks
    target: Any = leaf("cat")  # int64 (n,) chunks


def range_message(text: str, x: Tensor) -> str | Callable[[], str]:
    """An out-of-range message; in eager it also names the range of values found."""
    return text if is_tracing(x) else _with_values(text, x)


def _with_values(text: str, x: Tensor) -> Callable[[], str]:
    return lambda: f"{text} (found values in [{int(x.min())}, {int(x.max())}])"


def count_pairs(
    rows: Tensor, cols: Tensor, valid: Tensor | None, num_rows: int, num_cols: int, *, traced: bool | None = None
) -> Tensor:
    """The ``(num_rows, num_cols)`` int64 table of label pairs; pairs with ``valid`` False are not counted.

    Labels must already be in range. Invalid pairs go to one extra bin that is cut off
    (a mask, not boolean indexing, so it traces). Eager code counts with ``bincount``
    (fastest on CPU); traced code with ``scatter_add``, which has a vmap rule.
    """
    size = num_rows * num_cols
    index = rows * num_cols + cols
    if valid is not None:
        index = torch.where(valid, index, size)
    index = index.reshape(-1)
    if is_tracing(index) if traced is None else traced:
        ones = torch.ones_like(index)
        bins = torch.zeros(size + 1, dtype=torch.int64, device=index.device).scatter_add(0, index, ones)
    else:
        bins = torch.bincount(index, minlength=size + 1)
    return bins[:size].reshape(num_rows, num_cols)


def dense_contingency(preds: Tensor, target: Tensor) -> Tensor:
    """The table of the labels present (any integers): rows are sorted ``target`` values, columns ``preds``."""
    row_values, rows = torch.unique(target, return_inverse=True)
    col_values, cols = torch.unique(preds, return_inverse=True)
    return count_pairs(rows, cols, None, row_values.numel(), col_values.numel())


def contingency_metric(
    name: str,
    reduce: Callable[[Tensor], Any],
    prepare: Prepare,
    *,
    num_rows: int | None,
    num_cols: int | None,
    range_names: tuple[str, str],
    key: Hashable,
    validate_args: bool,
) -> Metric:
    """A metric whose value is ``reduce(table)``; the table is fixed when both sizes are given.

    Args:
        name: the metric's name.
        reduce: the statistic of an int64 ``(R, C)`` table (which may hold empty rows
            and columns).
        prepare: ``prepare(preds, target) -> (preds_labels, target_labels, valid)``:
            checks and converts one batch to int64 label vectors; ``valid`` (or
            ``None``) marks the pairs to count.
        num_rows: range of the ``target`` labels, or ``None`` for stored labels.
        num_cols: range of the ``preds`` labels, or ``None`` for stored labels.
        range_names: the argument names of the two ranges, for error messages
            (``("num_classes", "num_clusters")``).
        key: identifies the state's configuration (shared by metrics of one table).
        validate_args: check that labels are in range (fixed tables).
    """
    row_name, col_name = range_names

    if num_rows is not None and num_cols is not None:
        rows, cols = num_rows, num_cols  # int: the closures below see the narrowed sizes

        def init(*, device: Any = None) -> ContingencyState:
            return ContingencyState(torch.zeros(rows, cols, dtype=torch.int64, device=device))

        def update(s: ContingencyState, preds: Any, target: Any) -> ContingencyState:
            p, t, valid = prepare(preds, target)
            traced = is_tracing(p, t)
            if validate_args:
                for x, label, high, arg in ((p, "preds", cols, col_name), (t, "target", rows, row_name)):
                    masked = x if valid is None else torch.where(valid, x, 0)
                    text = f"{label} holds labels outside [0, {arg}={int(high)}); pass {arg} above the largest label"
                    check_in_range(masked, 0, high, text if traced else _with_values(text, masked))
            else:  # unchecked labels are clamped, so a bad label cannot fail or land outside the table
                p, t = p.clamp(0, cols - 1), t.clamp(0, rows - 1)
            return ContingencyState(s.counts + count_pairs(t, p, valid, rows, cols, traced=traced))

        def compute(s: ContingencyState) -> Any:  # reduce's statistic: a tensor or a tuple of them
            return reduce(s.counts)

        return Metric(init, update, compute, name=name, key=key)

    def init_samples(*, device: Any = None) -> LabelPairsState:
        return LabelPairsState(cat_init((), torch.int64, device), cat_init((), torch.int64, device))

    def update_samples(s: LabelPairsState, preds: Any, target: Any) -> LabelPairsState:
        p, t, valid = prepare(preds, target)
        if valid is not None:  # eager storage: dropping pairs by indexing is fine here
            p, t = p[valid], t[valid]
        return LabelPairsState(cat_append(s.preds, p), cat_append(s.target, t))

    def compute_samples(s: LabelPairsState) -> Any:
        return reduce(dense_contingency(stored_values(s.preds), stored_values(s.target)))

    return Metric(init_samples, update_samples, compute_samples, name=name, key=key)
