"""One walk over a state's structure: ``(path, op, value)`` entries, a spec, a rebuild.

A state is a ``@metrix.state`` instance, a :class:`Buffer`, or a dict/tuple/list of
them (a collection's state). :func:`flatten` visits it once with optree, in the
``"metrix"`` namespace where every state type is registered with its fields as
children and ``(name, op)`` as their path entries, and returns

* the **entries**: one :class:`Entry` per leaf, in a fixed order, each with its dotted
  path, its reduce op and its value. Ops are ``"sum"``, ``"max"``, ``"min"`` (a tensor),
  ``"cat"`` (growing storage: a tuple of chunks, or one tensor) and ``"buffer"`` (a
  fixed-capacity :class:`Buffer`, kept whole);
* the **spec**: the structure without the values (state types, field names, dict keys),
  from which :func:`unflatten` rebuilds a state around new values.

Everything that needs a state's structure is written on this one walk: ``merge``,
``signature``, ``sync`` (and its fingerprint), ``stack``/``unstack``, the ``running``
wrapper and ``MetricModule``'s ``state_dict`` mapping, so that "these two states merge"
and "these two states sync" are one rule: equal :func:`signature`. The walk is plain
Python/optree over static metadata: it traces under ``torch.compile(fullgraph=True)``
(dynamo handles optree's traversal) and never touches tensor values, so vmap sees only
the leaves.

Dict keys are visited in sorted order, so two collection states with the same members
have the same structure whatever order their dicts were built in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import optree
from torch import Tensor

from metrix._core.state import NAMESPACE, Buffer, Chunks

__all__ = ["Entry", "Spec", "flatten", "map_entries", "signature", "unflatten"]


class Entry(NamedTuple):
    """One leaf of a state: where it is, how it combines, what it holds."""

    path: str  # dotted, e.g. "confmat", "acc.confmat", "slots.total", "scores"
    op: str  # "sum" | "max" | "min" | "cat" | "buffer"
    value: Any  # a Tensor; for "cat" a tuple of chunk tensors (or a tensor); for "buffer" a Buffer


# The spec is optree's treespec of the walk (hashable; equal specs rebuild alike).
Spec = Any


def _is_leaf(x: Any) -> bool:
    return isinstance(x, (Buffer, Chunks))


def flatten(tree: Any, /) -> tuple[list[Entry], Spec]:
    """The entries of a state and the spec to rebuild it (see the module docstring).

    Raises:
        TypeError: a value in the tree is not a state, a container of states or a tensor.
    """
    paths, leaves, spec = optree.tree_flatten_with_path(tree, is_leaf=_is_leaf, namespace=NAMESPACE)
    entries = []
    for path, value in zip(paths, leaves):
        op = path[-1][1] if path and isinstance(path[-1], tuple) else "sum"  # a bare tensor in a container adds up
        if isinstance(value, Chunks):
            value = value.value
        elif isinstance(value, Buffer):
            op = "buffer"
        where = ".".join(str(p[0]) if isinstance(p, tuple) else str(p) for p in path)
        if not isinstance(value, Tensor) and not (op in ("cat", "buffer") and _is_storage(value)):
            what = f"the value at {where!r}" if where else "the state"
            raise TypeError(f"{what} is a {type(value).__name__}, not a metric state, a tensor or sample storage")
        entries.append(Entry(where, op, value))
    return entries, spec


def _is_storage(v: Any) -> bool:
    return isinstance(v, Buffer) or (isinstance(v, tuple) and bool(v) and isinstance(v[0], Tensor))


def unflatten(spec: Spec, values: Iterable[Any], /) -> Any:
    """Rebuild a state of structure ``spec`` around ``values`` (one per entry, in entry order)."""
    values = list(values)
    if len(values) != spec.num_leaves:
        raise ValueError(f"unflatten: {len(values)} values for a spec with {spec.num_leaves} leaves")
    return optree.tree_unflatten(spec, values)


def map_entries(fn: Callable[[Entry], Any], tree: Any, /) -> Any:
    """A state of the same structure with every leaf replaced by ``fn(entry)``."""
    entries, spec = flatten(tree)
    return unflatten(spec, [fn(e) for e in entries])


def _spec_signature(spec: Spec) -> str:
    # the treespec's text names every node type, state type (module.qualname), field, op and dict key
    return repr(spec)


def _sample_part(shape: tuple[int, ...], ensemble_dims: int) -> tuple[int, ...]:
    return shape[:ensemble_dims] + shape[ensemble_dims + 1 :]


def leaf_signature(entry: Entry, ensemble_dims: int = 0) -> tuple[Any, ...]:
    """What two leaves must share to merge or sync: op, dtype and shape (sample shape for ``cat``).

    A buffer contributes its capacity: capacities are part of a metric's configuration,
    and merge and sync both keep it (see ``merge_buffers`` and ``sync``).
    """
    path, op, v = entry
    if op == "buffer":
        return (path, op, str(v.data.dtype), tuple(v.data.shape), tuple(v.count.shape))
    if op == "cat":
        t = v if isinstance(v, Tensor) else v[0]
        return (path, op, str(t.dtype), _sample_part(tuple(t.shape), ensemble_dims))
    return (path, op, str(v.dtype), tuple(v.shape))


def signature(tree: Any, /, *, ensemble_dims: int = 0) -> tuple[Any, ...]:
    """A hashable description of a state's structure: types, ops, dtypes, shapes, capacities.

    Two states can be merged, and synced together, exactly when their signatures are
    equal. ``cat`` leaves contribute their sample shape (their length may differ);
    fixed-capacity buffers their capacity.

    Args:
        tree: a state, or a dict/tuple of states.
        ensemble_dims: number of leading ensemble dims (a stacked state).

    Example:
        >>> import metrix
        >>> from metrix.classification import multiclass_accuracy
        >>> a = multiclass_accuracy(num_classes=3).init()
        >>> metrix.signature(a) == metrix.signature(multiclass_accuracy(num_classes=3).init())
        True
        >>> metrix.signature(a) == metrix.signature(multiclass_accuracy(num_classes=4).init())
        False
    """
    entries, spec = flatten(tree)
    return (_spec_signature(spec), tuple(leaf_signature(e, ensemble_dims) for e in entries))
