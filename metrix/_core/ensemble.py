"""Stacking states for ensembles: the state of E members with a leading ``(E,)`` dim."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from metrix._core.merge import check_compatible
from metrix._core.state import Buffer, stored_values
from metrix._core.tree import Entry, flatten, map_entries, unflatten

__all__ = ["stack", "unstack"]


def stack(states: Sequence[Any], /) -> Any:
    """Stack states of one metric into one ensemble state (a leading dim on every leaf).

    The result is what ``torch.func.vmap(metric.update)`` takes and returns; sync it with
    ``metrix.sync(state, ensemble_dims=1)``.

    Args:
        states: states of the same metric and configuration (e.g. ``[m.init()] * E``).

    Returns:
        One state whose every tensor has a leading ``(len(states),)`` dim.

    Example:
        >>> import torch, metrix
        >>> from metrix.aggregation import mean
        >>> m = mean()
        >>> states = metrix.stack([m.init() for _ in range(3)])
        >>> states = torch.func.vmap(m.update)(states, torch.tensor([[1.0], [2.0], [3.0]]))
        >>> torch.func.vmap(m.compute)(states)
        tensor([1., 2., 3.], dtype=torch.float64)
    """
    if not isinstance(states, Sequence) or isinstance(states, (str, bytes)) or not states:
        raise TypeError(f"stack(states) expects a non-empty sequence of states, got {type(states).__name__}")
    for i, s in enumerate(states[1:], start=1):
        try:
            check_compatible(states[0], s)
        except ValueError as err:
            raise ValueError(f"stack: states[{i}] does not match states[0]: {err}") from None
    flats = [flatten(s)[0] for s in states]
    spec = flatten(states[0])[1]
    return unflatten(spec, [_stack_leaf([f[j] for f in flats]) for j in range(len(flats[0]))])


def _stack_leaf(members: list[Entry]) -> Any:
    op = members[0].op
    if op == "buffer":
        return Buffer(torch.stack([e.value.data for e in members]), torch.stack([e.value.count for e in members]))
    if op == "cat":
        values = [stored_values(e.value) for e in members]
        if len({v.shape[0] for v in values}) > 1:
            raise ValueError(
                f"stack: state.{members[0].path} holds {[v.shape[0] for v in values]} samples in the members; "
                "growing storage can only be stacked at equal lengths"
            )
        return (torch.stack(values),)
    return torch.stack([e.value for e in members])


def unstack(state: Any, /, index: int) -> Any:
    """Member ``index`` of an ensemble state built by :func:`stack` (an ordinary state).

    Example:
        >>> import torch, metrix
        >>> from metrix.aggregation import mean
        >>> m = mean()
        >>> states = metrix.stack([m.update(m.init(), torch.tensor([float(i)])) for i in range(3)])
        >>> m.compute(metrix.unstack(states, 2))
        tensor(2., dtype=torch.float64)
    """

    def member(e: Entry) -> Any:
        if e.op == "buffer":
            return Buffer(e.value.data[index], e.value.count[index])
        if e.op == "cat" and isinstance(e.value, tuple):
            return tuple(c[index] for c in e.value)
        return e.value[index]

    return map_entries(member, state)
