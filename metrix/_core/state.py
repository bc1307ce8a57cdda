"""State containers whose tensor leaves declare how two states combine.

A metric state is a frozen dataclass decorated with :func:`state`. Every field is
declared with :func:`leaf` and one reduce op:

* ``"sum"``, ``"max"``, ``"min"``: a tensor of fixed shape, combined elementwise.
* ``"cat"``: samples kept exactly, concatenated along dim 0. In eager code the value
  is a tuple of chunks (see :func:`cat_append`); a metric built with a ``capacity``
  uses a fixed-size :class:`Buffer` instead, which compiles once and vmaps.
* ``"node"``: a nested state (another ``@state`` class or a :class:`Buffer`), which
  declares its own ops.

The ops are static metadata of the class, never leaves, so they cost nothing under
``torch.compile`` and survive ``torch.func.vmap``. The classes are registered with
``torch.utils._pytree`` (with keys and a serialized type name, as vmap, dynamo and
``torch.export`` need), which also makes optree see them in its ``"torch"``
namespace, and they are allow-listed for ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast, overload

import optree
import torch
import torch.utils._cxx_pytree  # imported first: torch's register_pytree_node then registers with optree too
import torch.utils._pytree as pytree
from torch import Tensor

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # typing_extensions is a dependency of torch
    from typing_extensions import dataclass_transform

__all__ = [
    "REDUCE_OPS",
    "Buffer",
    "CatStorage",
    "buffer_init",
    "cat_append",
    "cat_constant",
    "cat_init",
    "cat_len",
    "is_constant",
    "is_state",
    "leaf",
    "reduce_ops",
    "state",
    "stored_masked",
    "stored_values",
]

REDUCE_OPS = ("sum", "max", "min", "cat", "node")
_OPS_ATTR = "__metrix_reduce_ops__"
# The optree namespace of metrix's own walk (metrix/_core/tree.py): a state's children are
# its fields, each with the path entry ``(name, op)``, so every leaf's path carries its op.
NAMESPACE = "metrix"

T = TypeVar("T")


def leaf(reduce: str, *, absent: tuple[str, float] | None = None) -> Any:
    """Declare a state field and how two states combine it.

    Args:
        reduce: one of ``"sum"``, ``"max"``, ``"min"``, ``"cat"`` or ``"node"`` (a
            nested state that declares its own ops).
        absent: for a ``"cat"`` field added to a state after checkpoints of it were
            saved: ``(sibling, value)`` says that a checkpoint without the field holds
            ``value`` for each row of the ``cat`` field ``sibling`` (e.g. the per-row
            weights of stored samples, all 1 before weights existed); ``MetricModule``
            then loads such a checkpoint.

    Returns:
        A dataclass field carrying the op as metadata.
    """
    if reduce not in REDUCE_OPS:
        raise ValueError(f"leaf(reduce=...) must be one of {REDUCE_OPS}, got {reduce!r}")
    if absent is not None and reduce != "cat":
        raise ValueError(f"leaf(absent=...) applies to 'cat' fields, got reduce={reduce!r}")
    return dataclasses.field(metadata={"reduce": reduce, "absent": absent})


class Chunks:
    """Growing ``cat`` storage (a tuple of chunks) seen as one leaf by metrix's walk."""

    __slots__ = ("value",)

    def __init__(self, value: tuple[Tensor, ...]) -> None:
        self.value = value


def _register(cls: type, names: tuple[str, ...]) -> None:
    fields = getattr(cls, _OPS_ATTR)
    type_name = f"{cls.__module__}.{cls.__qualname__}"

    def children(obj: Any) -> tuple[list[Any], str, tuple[tuple[str, str], ...]]:
        # a tuple of chunks under a "cat" field is one leaf: wrapped, so the walk does not enter it
        values = [getattr(obj, n) for n in names]
        values = [Chunks(v) if op == "cat" and isinstance(v, tuple) else v for v, (_, op) in zip(values, fields)]
        return values, type_name, fields

    optree.register_pytree_node(cls, children, lambda _, values: cls(*values), namespace=NAMESPACE)

    def flatten(obj: Any) -> tuple[list[Any], None]:
        return [getattr(obj, n) for n in names], None

    def flatten_with_keys(obj: Any) -> tuple[list[tuple[Any, Any]], None]:
        return [(pytree.GetAttrKey(n), getattr(obj, n)) for n in names], None

    def unflatten(values: Any, context: None) -> Any:
        return cls(*values)

    pytree.register_pytree_node(
        cls,
        flatten,
        unflatten,
        flatten_with_keys_fn=flatten_with_keys,
        serialized_type_name=f"{cls.__module__}.{cls.__qualname__}",
    )
    torch.serialization.add_safe_globals([cls])


@dataclass_transform(frozen_default=True, eq_default=False, field_specifiers=(leaf,))
def state(cls: type[T]) -> type[T]:
    """Class decorator that turns an annotated class into a metric state type.

    The class becomes a frozen dataclass (``replace`` returns a new state), is
    registered as a pytree node, and remembers the reduce op of every field.

    Example:
        >>> import torch, metrix
        >>> @metrix.state
        ... class Total:
        ...     value: torch.Tensor = metrix.leaf("sum")   # float64 scalar
        ...     count: torch.Tensor = metrix.leaf("sum")   # int64 scalar
        >>> s = Total(torch.tensor(1.5, dtype=torch.float64), torch.tensor(2))
        >>> metrix.merge(s, s).count
        tensor(4)
    """
    dc = dataclasses.dataclass(frozen=True, eq=False)(cls)
    fields = dataclasses.fields(cast("type[DataclassInstance]", dc))  # dataclass() made it one
    missing = [f.name for f in fields if "reduce" not in f.metadata]
    if missing:
        raise TypeError(
            f"@metrix.state class {cls.__qualname__}: every field needs a reduce op, "
            f"declare {missing} with metrix.leaf('sum'|'max'|'min'|'cat'|'node')"
        )
    names = tuple(f.name for f in fields)
    ops = tuple(f.metadata["reduce"] for f in fields)
    setattr(dc, _OPS_ATTR, tuple(zip(names, ops)))  # before _register, which reads it
    # a method added to the decorated class at run time (mypy sees the class as written)
    dc.replace = lambda self, **changes: dataclasses.replace(self, **changes)  # type: ignore[attr-defined]
    _register(dc, names)
    return dc


def is_state(obj: Any) -> bool:
    """Whether ``obj`` is an instance of a ``@metrix.state`` class or a :class:`Buffer`."""
    return hasattr(type(obj), _OPS_ATTR)


def reduce_ops(obj: Any) -> tuple[tuple[str, str], ...]:
    """The ``(field name, op)`` pairs declared by a state's type."""
    return getattr(type(obj), _OPS_ATTR)


# --------------------------------------------------------------------------------------
# Exact-sample storage
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class Buffer:
    """Fixed-capacity sample storage that compiles once and vmaps.

    Attributes:
        data: ``(capacity, *shape)`` preallocated samples; rows past ``count`` are
            padding.
        count: int64 scalar, number of samples appended so far. A count above the
            capacity means samples were dropped: eager code raises at the append,
            traced code raises when the buffer is read (:func:`stored_masked` checks it).
    """

    data: Tensor
    count: Tensor

    @property
    def capacity(self) -> int:
        """Number of rows the buffer holds."""
        return self.data.shape[0]

    def replace(self, **changes: Any) -> Buffer:
        """A copy with some fields replaced."""
        return dataclasses.replace(self, **changes)


setattr(Buffer, _OPS_ATTR, (("data", "buffer"), ("count", "buffer")))
_register(Buffer, ("data", "count"))


CatStorage: TypeAlias = tuple[Tensor, ...] | Buffer
"""What a ``leaf("cat")`` field holds: a tuple of chunks (growing, eager) or a :class:`Buffer`."""


def cat_init(shape: tuple[int, ...] = (), dtype: torch.dtype = torch.float32, device: Any = None) -> tuple[Tensor, ...]:
    """Empty eager ``cat`` storage for samples of the given trailing shape and dtype.

    The value is a tuple of chunks. It starts with one empty chunk, so that a rank that
    saw no data still knows the dtype and trailing shape when it syncs.
    """
    return (torch.empty((0, *shape), dtype=dtype, device=device),)


def buffer_init(
    capacity: int, shape: tuple[int, ...] = (), dtype: torch.dtype = torch.float32, device: Any = None
) -> Buffer:
    """An empty fixed-capacity :class:`Buffer`."""
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
        raise ValueError(f"capacity must be a positive int, got {capacity!r}")
    return Buffer(
        torch.zeros((capacity, *shape), dtype=dtype, device=device),
        torch.zeros((), dtype=torch.int64, device=device),
    )


# One-element tensors that constant chunks are stride-0 views of, by (value, dtype, device).
_CONSTANTS: dict[tuple[float, torch.dtype, Any], Tensor] = {}


def _constant(value: float, dtype: torch.dtype, device: Any) -> Tensor:
    one = _CONSTANTS.get((value, dtype, device))
    if one is None:
        one = torch.full((1,), value, dtype=dtype, device=device)
        _CONSTANTS[(value, dtype, device)] = _CONSTANTS[(value, dtype, one.device)] = one
    return one


def cat_constant(value: float, n: int, dtype: torch.dtype, device: Any = None) -> Tensor:
    """``n`` rows of one ``value`` (1-d) as a stride-0 view of a shared one-element tensor.

    A chunk of eager ``cat`` storage that costs 8 bytes, not 8 per row: such chunks stay
    views when :func:`cat_append` compacts them or ``merge`` joins them (two views of the
    same one-element tensor join into one view), and :func:`is_constant` recognises them.
    Serialising, syncing or moving the storage gives ordinary (materialised) rows of the
    same values.
    """
    return _constant(value, dtype, device).expand(n)


def is_constant(store: CatStorage | Tensor, value: float) -> bool:
    """Whether eager ``cat`` storage holds only :func:`cat_constant` chunks of ``value`` (no host read).

    ``False`` for a :class:`Buffer` and for materialised rows, whatever they hold: a cheap
    test (the chunks' view bases) for a fast path, not a test of the values.
    """
    if isinstance(store, Buffer):
        return False
    chunks = (store,) if isinstance(store, Tensor) else store
    one = _CONSTANTS.get((value, chunks[0].dtype, chunks[0].device))
    # a 1-d view of a one-element tensor can only hold that element
    return all(c.shape[0] == 0 or (one is not None and c._base is one and c.dim() == 1) for c in chunks)


def _join(a: Tensor, b: Tensor) -> Tensor:
    """``cat([a, b])``; two 1-d views of one shared one-element tensor stay one view (a constant)."""
    base = a._base
    if base is not None and base is b._base and base.numel() == 1 and a.dim() == 1 and b.dim() == 1:
        return base.expand(a.shape[0] + b.shape[0])
    return torch.cat([a, b])


def _compact(chunks: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    # Log-structured merging (a binary counter): concatenate the last two chunks while
    # the newer one is at least as long as the older one. Every sample is copied
    # O(log(n / batch)) times in total and the tuple stays O(log n) long, so an append
    # costs amortised O(batch) work per step and never copies everything each step.
    parts = list(chunks)
    while len(parts) >= 2 and parts[-1].shape[0] >= parts[-2].shape[0]:
        last = parts.pop()
        parts[-1] = _join(parts[-1], last) if parts[-1].shape[0] else last
    return tuple(parts)


@overload
def cat_append(store: Buffer, values: Tensor) -> Buffer: ...
@overload
def cat_append(store: tuple[Tensor, ...], values: Tensor) -> tuple[Tensor, ...]: ...
@overload
def cat_append(store: CatStorage, values: Tensor) -> CatStorage: ...
def cat_append(store: CatStorage, values: Tensor) -> CatStorage:
    """Append samples (rows of ``values``) to ``cat`` storage; returns new storage.

    Works on both forms: a tuple of chunks (eager, amortised O(batch)) and a
    :class:`Buffer` (fixed capacity; writes at ``count + arange(n)`` out of place, so
    it traces; an overflow raises ``ValueError`` in eager). Appending to chunks while
    ``torch.compile`` traces raises ``ValueError`` naming ``capacity=``/``thresholds=``:
    growing storage would recompile at every step.
    """
    if isinstance(store, Buffer):
        return _buffer_append(store, values)
    if not isinstance(store, tuple):
        raise TypeError(f"cat storage must be a tuple of chunks or a Buffer, got {type(store).__name__}")
    if torch.compiler.is_compiling():
        # Growing storage changes shape at every step: a compiled step would recompile each
        # call until dynamo's limit. Refuse it while tracing, with the fix, instead.
        raise ValueError(
            "growing `cat` storage cannot be compiled (its length changes at every update, so torch.compile "
            "would recompile at every step): build the metric with capacity=N (fixed-size storage that compiles "
            "once), or with thresholds= for curve metrics (binned, fixed-size state); eager code and eager "
            "torch.func.vmap work without them"
        )
    values = values.to(store[0].dtype)
    return _compact((*store, values))


def _buffer_append(buf: Buffer, values: Tensor) -> Buffer:
    from metrix._core.checks import check, is_tracing  # local: checks imports state

    n = values.shape[0]
    cap = buf.data.shape[0]
    new_count = buf.count + n
    if not is_tracing(values, buf.count):
        if int(new_count) > cap:
            raise ValueError(
                f"fixed-capacity storage overflow: {int(new_count)} samples but capacity={cap}; "
                "build the metric with a larger capacity=, or capacity=None for growing eager storage"
            )
    else:
        check(new_count <= cap, f"fixed-capacity storage overflow: more samples than capacity={cap}")
    if n == 0:
        return Buffer(buf.data, new_count)
    idx = buf.count + torch.arange(n, device=values.device)
    # Rows that would land past the end are written to the last row and masked out;
    # the count still records them, so the overflow is never silent.
    safe = torch.clamp(idx, max=cap - 1)
    keep = (idx < cap).reshape((n,) + (1,) * (values.dim() - 1))
    vals = values.to(buf.data.dtype)
    current = buf.data.index_select(0, safe)
    data = buf.data.index_copy(0, safe, torch.where(keep, vals, current))
    return Buffer(data, new_count)


def cat_len(store: CatStorage) -> Tensor | int:
    """Number of samples held (an int for chunks, an int64 tensor for a Buffer)."""
    if isinstance(store, Buffer):
        return store.count
    return sum(c.shape[0] for c in store)


def stored_values(store: CatStorage | Tensor) -> Tensor:
    """All stored samples as one tensor (eager; a Buffer is sliced to its count)."""
    if isinstance(store, Buffer):
        count = int(store.count)
        if count > store.capacity:
            raise ValueError(f"fixed-capacity storage overflow: {count} samples but capacity={store.capacity}")
        return store.data[:count]
    if isinstance(store, Tensor):
        return store
    return store[0] if len(store) == 1 else torch.cat(store)


def stored_masked(store: CatStorage | Tensor) -> tuple[Tensor, Tensor]:
    """Stored samples and a validity mask, in a form that traces (compile and vmap).

    Returns:
        ``(data, valid)``: ``data`` has the storage's full length; ``valid`` is a bool
        vector marking the real samples.
    """
    if isinstance(store, Buffer):
        from metrix._core.checks import check

        check(
            store.count <= store.capacity,
            f"fixed-capacity storage overflow: more samples than capacity={store.capacity}",
        )
        valid = torch.arange(store.capacity, device=store.data.device) < store.count
        return store.data, valid
    data = stored_values(store)
    return data, torch.ones(data.shape[0], dtype=torch.bool, device=data.device)
