"""Per-item scores reduced over everything seen: the state most image metrics share.

An image metric that TorchMetrics reduces with ``reduction="elementwise_mean"`` (or
``"mean"``) or ``"sum"`` needs only a float64 sum of the per-item scores and an int64
count: a fixed state that merges and syncs exactly, compiles once and vmaps (where
TorchMetrics often keeps every input image). ``reduction="none"`` returns every score,
so it keeps them (eager chunk storage, ``cat``).

Scores with a spatial shape (a per-pixel map) are kept flattened, with the map's shape in
a ``max`` leaf: a rank that saw nothing then still syncs (its empty storage has the same
trailing shape, and its zero shape loses the ``max``).

Each family declares its own two small state classes, subclasses of :class:`ScoreSumsState`
and :class:`ScoreValuesState` (so one metric refuses another's state), and builds its
metric with :func:`scores_metric`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import torch
from torch import Tensor

from metrix._core.checks import is_tracing
from metrix._core.metric import Metric
from metrix._core.state import CatStorage, cat_append, cat_init, leaf, state, stored_values

F64 = torch.float64
MEANS = ("elementwise_mean", "mean")


@state
class ScoreSumsState:
    """Sum of per-item scores and their number (the mean and sum reductions)."""

    total: Tensor = leaf("sum")  # float64 (): sum of per-item scores
    count: Tensor = leaf("sum")  # int64 (): scores seen


@state
class ScoreValuesState:
    """Every per-item score (``reduction="none"``), flattened, and the shape of one item's map."""

    values: CatStorage = leaf("cat")  # float64, flattened (n, *map)
    shape: Tensor = leaf("max")  # int64 (map_rank,): the map's shape ((0,) for one number per item)


Sums = TypeVar("Sums", bound=ScoreSumsState)
Values = TypeVar("Values", bound=ScoreValuesState)


def scores_metric(
    name: str,
    sums_cls: type[Sums],
    values_cls: type[Values],
    scores: Callable[..., Tensor],
    reduction: str,
    *,
    key: Hashable,
    map_rank: int = 0,
    finish: Callable[[Tensor], Tensor] | None = None,
) -> Metric:
    """Build a metric over per-item scores.

    Args:
        name: the metric's name.
        sums_cls: the family's subclass of :class:`ScoreSumsState`, used by the mean and
            sum reductions.
        values_cls: the family's subclass of :class:`ScoreValuesState`, used by
            ``reduction="none"``.
        scores: ``scores(*inputs) -> Tensor``: checks the inputs and returns the batch's
            scores, shaped ``(N, *map)`` with ``len(map) == map_rank``.
        reduction: ``"elementwise_mean"``/``"mean"``, ``"sum"`` or ``"none"``.
        key: the state's identity.
        map_rank: number of trailing dims each item's score has (0: one number per item).
        finish: optional transform of the reduced value (e.g. a power).
    """
    finish = finish or (lambda v: v)

    if reduction in (*MEANS, "sum"):

        def init(*, device: Any = None) -> Sums:
            return sums_cls(
                torch.zeros((), dtype=F64, device=device), torch.zeros((), dtype=torch.int64, device=device)
            )

        def update(s: Sums, *inputs: Any, **kwargs: Any) -> Sums:
            v = scores(*inputs, **kwargs).to(F64)
            return sums_cls(s.total + v.sum(), s.count + v.numel())

        def compute(s: Sums) -> Tensor:
            if reduction == "sum":
                return finish(s.total)
            return finish(s.total / s.count.to(F64))

        return Metric(init, _takes_inputs_of(update, scores), compute, name=name, key=key)

    def init_values(*, device: Any = None) -> Values:
        return values_cls(cat_init((), F64, device), torch.zeros((map_rank,), dtype=torch.int64, device=device))

    def update_values(s: Values, *inputs: Any, **kwargs: Any) -> Values:
        v = scores(*inputs, **kwargs).to(F64)
        item = torch.tensor(v.shape[1:], dtype=torch.int64, device=s.shape.device)
        if v.shape[0] and map_rank and not is_tracing(v):
            seen = bool(torch.count_nonzero(s.shape))
            if seen and not torch.equal(s.shape, item):
                raise ValueError(
                    f"{name}: every batch must have the same image size to keep per-pixel values; "
                    f"got maps of shape {tuple(v.shape[1:])} after {tuple(s.shape.tolist())}"
                )
        shape = torch.maximum(s.shape, item) if v.shape[0] else s.shape
        return values_cls(cat_append(s.values, v.reshape(-1)), shape)

    def compute_values(s: Values) -> Tensor:
        flat = stored_values(s.values)
        return finish(flat.reshape(-1, *s.shape.tolist()) if map_rank else flat)

    return Metric(init_values, _takes_inputs_of(update_values, scores), compute_values, name=name, key=key)


def _takes_inputs_of(update: Callable[..., Any], scores: Callable[..., Tensor]) -> Callable[..., Any]:
    """``update(state, *inputs, **kwargs)`` declared with the inputs of ``scores``.

    ``update`` forwards its inputs to ``scores``; declaring them (``update.__signature__``,
    which ``Metric`` reads) lets an unknown keyword fail at the update with the list of
    the inputs it accepts, instead of deep inside ``scores``.
    """
    params = list(inspect.signature(scores).parameters.values())
    state = inspect.Parameter("state", inspect.Parameter.POSITIONAL_ONLY)
    update.__signature__ = inspect.Signature([state, *params])  # type: ignore[attr-defined]
    return update


def map_sums_init(state_cls: type, rank: int, device: Any = None, *, counts: int = 1) -> Any:
    """An empty per-pixel (or per-band) sum state: ``rows`` (cat), ``shape`` (max), ``count`` (sum).

    Sums whose shape is known only from the data (an image's size, its number of bands)
    cannot be fixed ``sum`` leaves. They are kept as flat rows in ``cat`` storage: an
    update folds the rows it holds and the batch's sums into one row, so a state holds one
    row, plus one per state merged into it. ``compute`` adds the rows up.
    """
    return state_cls(
        cat_init((), F64, device),
        torch.zeros((rank,), dtype=torch.int64, device=device),
        torch.zeros((counts,), dtype=torch.int64, device=device),
    )


def map_sums_add(s: Any, sums: Tensor, n: Tensor | int, name: str) -> Any:
    """Fold a batch's sums (any shape; its shape must not change between batches) into ``s``."""
    item = torch.tensor(sums.shape, dtype=torch.int64, device=s.shape.device)
    if not is_tracing(sums) and bool(torch.count_nonzero(s.shape)) and not torch.equal(s.shape, item):
        raise ValueError(
            f"{name}: every batch must have the same image size and number of channels; "
            f"got sums of shape {tuple(sums.shape)} after {tuple(s.shape.tolist())}"
        )
    held = stored_values(s.rows)
    row = sums.to(F64).reshape(-1)
    if held.numel():
        row = row + held.reshape(-1, row.numel()).sum(0)
    return type(s)((row,), torch.maximum(s.shape, item), s.count + n)


def map_sums_total(s: Any) -> Tensor:
    """The summed rows of a map-sums state, in their shape (empty before any data)."""
    held = stored_values(s.rows)
    shape = s.shape.tolist()
    size = 1
    for d in shape:
        size *= d
    if not held.numel() or size == 0:
        return held.new_zeros(shape)
    return held.reshape(-1, size).sum(0).reshape(shape)
