"""Exact storage of rows whose width is only known at the first update.

``cat`` storage needs the trailing sample shape at ``init()``: a rank that saw no data
must still agree with the others on it when it syncs. Metrics called as in
TorchMetrics without a size argument (``fleiss_kappa()`` over ``(N, categories)``
counts, ``cramers_v_matrix()`` over ``(N, variables)`` columns, the intrinsic
clustering scores over ``(N, features)`` data) learn the width from their inputs. So
the rows are stored flattened, as one 1-d ``cat`` leaf, and the width travels in a
``max`` and a ``min`` leaf: merging or syncing states of different widths is detected
at ``compute`` (the two disagree) instead of silently mixing rows.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.state import cat_append, cat_init, leaf, state, stored_values

__all__ = ["RowStore", "rows_append", "rows_init", "rows_values"]

_NO_ROWS = 2**62  # identity of the min leaf: no width seen yet


@state
class RowStore:
    """Rows of one width, flattened, and the widths seen."""

    values: Any = leaf("cat")  # (n * width,) chunks of the flattened rows
    width: Tensor = leaf("max")  # int64 (): row width (0 before any update)
    width_min: Tensor = leaf("min")  # int64 (): smallest width seen (2**62 before any update)


def rows_init(dtype: torch.dtype, device: Any = None) -> RowStore:
    """Empty storage for rows of ``dtype``."""
    return RowStore(
        cat_init((), dtype, device),
        torch.zeros((), dtype=torch.int64, device=device),
        torch.full((), _NO_ROWS, dtype=torch.int64, device=device),
    )


def rows_append(store: RowStore, rows: Tensor, name: str) -> RowStore:
    """Append the rows of a 2-d tensor; its width must equal the width stored so far."""
    width = rows.shape[1]
    seen = int(store.width)
    if seen and seen != width:
        raise ValueError(
            f"{name} has {width} columns but earlier updates had {seen}; every update must have the same width"
        )
    return RowStore(
        cat_append(store.values, rows.reshape(-1)),
        torch.full_like(store.width, width),
        torch.full_like(store.width_min, width),
    )


def rows_values(store: RowStore, what: str) -> Tensor:
    """All stored rows as one ``(n, width)`` tensor (``(0, 0)`` when nothing was stored)."""
    width, low = int(store.width), int(store.width_min)
    flat = stored_values(store.values)
    if low == _NO_ROWS:
        return flat.reshape(0, 0)
    if low != width:
        raise ValueError(
            f"{what}: merged states hold rows of widths {low} and {width}; only states of inputs with the same "
            "number of columns can be merged"
        )
    return flat.reshape(-1, width)
