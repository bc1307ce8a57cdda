"""Helpers shared by the wrappers that keep several copies of a base metric's state.

A stacked state is the base state with a leading dim of size ``k`` on every leaf (what
``torch.func.vmap`` takes and returns): ``k`` bootstrap replicates, ``k`` groups, ``k``
outputs, ``k`` tracked steps. Stacking keeps the declared ops: a ``sum`` leaf of shape
``(k, ...)`` still merges and syncs elementwise, so a stacked state merges and syncs
exactly like the base state, member by member. Only fixed-size states stack (``cat``
storage has a data-dependent length).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.utils._pytree as pytree
from torch import Tensor

from metrix._core.metric import Metric, check_metric
from metrix._core.state import Buffer, is_state, reduce_ops

__all__ = ["check_fixed", "check_metric", "compute_stacked", "select", "stack_init", "write"]


def check_fixed(tree: Any, wrapper: str, name: str, path: str = "state") -> None:
    """Raise ``ValueError`` unless every leaf of a state has a fixed size (no ``cat`` storage)."""
    if isinstance(tree, Buffer):
        return
    if is_state(tree):
        for field, op in reduce_ops(tree):
            value = getattr(tree, field)
            if op == "cat" and not isinstance(value, Buffer):
                raise ValueError(
                    f"{wrapper}: the state of {name} keeps samples in growing storage ({path}.{field}); "
                    "only fixed-size states can be stacked: build the metric with capacity= if it has one"
                )
            if op in ("node", "cat"):
                check_fixed(value, wrapper, name, f"{path}.{field}")
    elif isinstance(tree, dict):
        for k, v in tree.items():
            check_fixed(v, wrapper, name, f"{path}[{k!r}]")
    elif isinstance(tree, (tuple, list)):
        for i, v in enumerate(tree):
            check_fixed(v, wrapper, name, f"{path}[{i}]")


def stack_init(state: Any, k: int) -> Any:
    """``k`` copies of a state along a new leading dim, each leaf a fresh contiguous tensor."""
    return pytree.tree_map(lambda x: x.unsqueeze(0).repeat(k, *([1] * x.dim())), state)


def select(stacked: Any, index: int) -> Any:
    """Member ``index`` of a stacked state."""
    return pytree.tree_map(lambda x: x[index], stacked)


def write(stacked: Any, member: Any, hit: Tensor) -> Any:
    """Replace the members where the bool vector ``hit`` is true by ``member`` (out of place, traces)."""

    def put(old: Tensor, new: Tensor) -> Tensor:
        return torch.where(hit.reshape((-1,) + (1,) * new.dim()), new.unsqueeze(0), old)

    return pytree.tree_map(put, stacked, member)


def compute_stacked(metric: Metric, stacked: Any) -> Any:
    """``metric.compute`` of every member of a stacked state: values with a leading member dim."""
    return torch.func.vmap(metric.compute)(stacked)
