"""``merge``: combine two states leaf by leaf with the ops their types declare.

merge is associative and commutative as far as ``compute`` can see, and ``init()``
is its identity; the law suite checks this for every metric in the catalogue. Two
states merge exactly when their :func:`metrix.signature` is equal, which is also the
rule ``sync`` applies across ranks (both walk the state with :mod:`metrix._core.tree`).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.state import _OPS_ATTR, Buffer, _compact, is_state
from metrix._core.tree import Entry, Spec, flatten, leaf_signature, unflatten

__all__ = ["check_compatible", "combine", "merge", "merge_buffers", "merge_unchecked"]


def merge(a: Any, b: Any, /, *more: Any) -> Any:
    """Combine states (of one metric, or of one collection) into one.

    Args:
        a: a state returned by ``init``/``update``, or a dict/tuple of them.
        b: a state of the same metric and configuration.
        *more: further states to fold in, left to right.

    Returns:
        A new state; the arguments are not modified.

    Raises:
        ValueError: the states come from different metrics, or from one metric built
            with a different configuration (shapes, dtypes or buffer capacities differ).

    Example:
        >>> import torch, metrix
        >>> from metrix.aggregation import mean
        >>> m = mean()
        >>> a = m.update(m.init(), torch.tensor([1.0, 2.0]))
        >>> b = m.update(m.init(), torch.tensor([6.0]))
        >>> m.compute(metrix.merge(a, b))
        tensor(3., dtype=torch.float64)
    """
    out = a
    for other in (b, *more):
        ea, spec = _flatten_for_merge(out, "state")
        eb, spec_b = _flatten_for_merge(other, "state")
        _check(ea, spec, eb, spec_b)
        out = unflatten(spec, [combine(x.op, x.value, y.value) for x, y in zip(ea, eb)])
    return out


def check_compatible(a: Any, b: Any, what: str = "state") -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have equal signatures (they merge and sync together)."""
    ea, sa = _flatten_for_merge(a, what)
    eb, sb = _flatten_for_merge(b, what)
    _check(ea, sa, eb, sb, what)


def _flatten_for_merge(x: Any, what: str) -> tuple[list[Entry], Spec]:
    try:
        return flatten(x)
    except TypeError as err:
        raise ValueError(f"cannot merge {what}: {err}") from None


def _describe(spec: Spec) -> str:
    if spec.is_leaf():
        return "a tensor"
    if spec.type is dict:
        return f"a dict with keys {list(spec.entries())}"
    if spec.type in (tuple, list):
        return f"a {spec.type.__name__} of {spec.num_children}"
    return spec.type.__name__


def _first_difference(sa: Spec, sb: Spec, path: str) -> str:
    """Where two specs part, and how, for the error message (``path`` starts with what is merged)."""
    if sa.is_leaf() or sb.is_leaf() or sa.type is not sb.type or sa.entries() != sb.entries():
        if not sa.is_leaf() and sa.type is dict and sb.type is dict:
            return f"cannot merge {path}: keys {list(sa.entries())} and {list(sb.entries())} differ"
        return (
            f"cannot merge {path}: got {_describe(sa)} and {_describe(sb)}; "
            "only states of the same metric (and configuration) can be merged"
        )
    for entry, ca, cb in zip(sa.entries(), sa.children(), sb.children()):
        if ca != cb:
            return _first_difference(ca, cb, f"{path}.{entry[0] if isinstance(entry, tuple) else entry}")
    return f"cannot merge {path}: the structures differ"


def _check(ea: list[Entry], sa: Spec, eb: list[Entry], sb: Spec, what: str = "state") -> None:
    if sa != sb:
        raise ValueError(_first_difference(sa, sb, what))
    for x, y in zip(ea, eb):
        if leaf_signature(x) == leaf_signature(y):
            continue
        where = f"{what}.{x.path}" if x.path else what
        tx, ty = _tensor_of(x), _tensor_of(y)
        if x.op != y.op:
            raise ValueError(f"cannot merge {where}: ops {x.op!r} and {y.op!r} differ")
        if tx.dtype != ty.dtype:
            raise ValueError(f"cannot merge {where}: dtypes {tx.dtype} and {ty.dtype} differ")
        if x.op == "buffer" and tx.shape[1:] == ty.shape[1:]:
            raise ValueError(
                f"cannot merge {where}: buffer capacities {tx.shape[0]} and {ty.shape[0]} differ; a capacity is "
                "part of the metric's configuration: build both metrics with the same capacity="
            )
        xs, ys = (tx.shape[1:], ty.shape[1:]) if x.op == "cat" else (tx.shape, ty.shape)
        kind = "sample shapes" if x.op == "cat" else "shapes"
        raise ValueError(
            f"cannot merge {where}: {kind} {tuple(xs)} and {tuple(ys)} differ "
            "(states of one metric built with different configurations?)"
        )


def _tensor_of(e: Entry) -> Tensor:
    if e.op == "buffer":
        return e.value.data
    if e.op == "cat":
        return e.value if isinstance(e.value, Tensor) else e.value[0]
    return e.value


def combine(op: str, x: Any, y: Any) -> Any:
    """Combine two leaf values with a declared reduce op."""
    if op == "sum":
        return x + y
    if op == "max":
        return torch.maximum(x, y)
    if op == "min":
        return torch.minimum(x, y)
    if op == "buffer":
        return merge_buffers(x, y)
    xs = x if isinstance(x, tuple) else (x,)
    ys = y if isinstance(y, tuple) else (y,)
    parts = tuple(c for c in (*xs, *ys) if c.shape[0]) or (xs[0],)
    return _compact(parts)


_FLAT: dict[type, tuple[tuple[str, str], ...] | None] = {}


def _flat_fields(cls: type) -> tuple[tuple[str, str], ...] | None:
    """``(name, op)`` of a state type whose fields are all fixed tensors (sum/max/min), else ``None``."""
    fields = _FLAT.get(cls, ())
    if fields == ():
        declared = getattr(cls, _OPS_ATTR)
        fields = declared if all(op in ("sum", "max", "min") for _, op in declared) else None
        _FLAT[cls] = fields
    return fields


def merge_unchecked(a: Any, b: Any) -> Any:
    """:func:`merge` of two states known to be compatible (no signature check).

    The hot path of ``MetricModule.forward``: a state whose fields are all fixed
    tensors is combined field by field without walking a spec.
    """
    cls = type(a)
    if is_state(a) and not isinstance(a, Buffer):
        fields = _flat_fields(cls)
        if fields is not None:
            return cls(*(combine(op, getattr(a, n), getattr(b, n)) for n, op in fields))
    ea, spec = flatten(a)
    eb, _ = flatten(b)
    return unflatten(spec, [combine(x.op, x.value, y.value) for x, y in zip(ea, eb)])


def merge_buffers(a: Buffer, b: Buffer) -> Buffer:
    """Concatenate the samples of two buffers of one capacity into a buffer of that capacity.

    The rule for fixed-capacity storage, here and in ``sync``: the capacity is part of
    the metric's configuration, so only equal capacities combine and the result keeps
    it. More samples than the capacity raise ``ValueError`` in eager; when traced the
    excess is recorded in ``count`` and raises where the buffer is read. Written with
    gathers and ``where`` only, so it traces and vmaps.
    """
    from metrix._core.checks import is_tracing

    cap = a.capacity
    if b.capacity != cap:
        raise ValueError(f"cannot merge buffers of capacities {cap} and {b.capacity}; build both with one capacity=")
    total = a.count + b.count
    if not is_tracing(a.count, b.count) and int(total) > cap:
        raise ValueError(
            f"fixed-capacity storage overflow when merging: {int(total)} samples but capacity={cap}; "
            "build the metric with a larger capacity="
        )
    pos = torch.arange(cap, device=a.data.device)
    b_idx = torch.clamp(pos - a.count, min=0, max=cap - 1)
    shape = (cap,) + (1,) * (a.data.dim() - 1)
    from_a = (pos < a.count).reshape(shape)
    from_b = ((pos >= a.count) & (pos - a.count < b.count)).reshape(shape)
    zero = torch.zeros((), dtype=a.data.dtype, device=a.data.device)
    data = torch.where(from_a, a.data, torch.where(from_b, b.data.index_select(0, b_idx), zero))
    return Buffer(data, total)
