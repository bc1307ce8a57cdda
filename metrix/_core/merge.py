"""``merge``: combine two states leaf by leaf with the ops their types declare.

merge is associative and commutative as far as ``compute`` can see, and ``init()``
is its identity; the law suite checks this for every metric in the catalogue.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.state import Buffer, _compact, is_state, reduce_ops

__all__ = ["merge", "signature"]


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
            with a different configuration (shapes or dtypes differ).

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
        check_compatible(out, other)
        out = merge_unchecked(out, other)
    return out


def _describe(x: Any) -> str:
    if isinstance(x, Tensor):
        return f"tensor(shape={tuple(x.shape)}, dtype={x.dtype})"
    return type(x).__name__


def check_compatible(a: Any, b: Any, path: str = "state") -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same structure, shapes and dtypes."""
    if type(a) is not type(b) and not (isinstance(a, tuple) and isinstance(b, tuple)):
        raise ValueError(
            f"cannot merge {path}: got {_describe(a)} and {_describe(b)}; "
            "only states of the same metric (and configuration) can be merged"
        )
    if is_state(a):
        for name, op in reduce_ops(a):
            x, y = getattr(a, name), getattr(b, name)
            sub = f"{path}.{name}"
            if op in ("sum", "max", "min"):
                _same_tensor(x, y, sub, full_shape=True)
            elif op == "buffer":
                _same_tensor(x, y, sub, full_shape=name == "count")
            elif op == "cat":
                if isinstance(x, Buffer) or isinstance(y, Buffer):
                    check_compatible(x, y, sub)
                else:
                    _same_tensor(_first(x), _first(y), sub, full_shape=False)
            else:
                check_compatible(x, y, sub)
    elif isinstance(a, dict):
        if set(a) != set(b):
            raise ValueError(f"cannot merge {path}: keys {sorted(a)} and {sorted(b)} differ")
        for k in a:
            check_compatible(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (tuple, list)):
        if len(a) != len(b):
            raise ValueError(f"cannot merge {path}: lengths {len(a)} and {len(b)} differ")
        for i, (x, y) in enumerate(zip(a, b)):
            check_compatible(x, y, f"{path}[{i}]")
    elif isinstance(a, Tensor):
        _same_tensor(a, b, path, full_shape=True)
    else:
        raise ValueError(f"cannot merge {path}: {type(a).__name__} is not a metric state")


def _first(x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, tuple) and x and isinstance(x[0], Tensor):
        return x[0]
    raise ValueError(f"a 'cat' leaf must hold a tensor or a tuple of tensors, got {_describe(x)}")


def _same_tensor(x: Any, y: Any, path: str, *, full_shape: bool) -> None:
    if not isinstance(x, Tensor) or not isinstance(y, Tensor):
        raise ValueError(f"cannot merge {path}: expected tensors, got {_describe(x)} and {_describe(y)}")
    if x.dtype != y.dtype:
        raise ValueError(f"cannot merge {path}: dtypes {x.dtype} and {y.dtype} differ")
    xs, ys = (x.shape, y.shape) if full_shape else (x.shape[1:], y.shape[1:])
    if xs != ys:
        what = "shapes" if full_shape else "sample shapes"
        raise ValueError(
            f"cannot merge {path}: {what} {tuple(xs)} and {tuple(ys)} differ "
            "(states of one metric built with different configurations?)"
        )


def combine(op: str, x: Any, y: Any) -> Any:
    """Combine two leaf values with a declared reduce op."""
    if op == "sum":
        return x + y
    if op == "max":
        return torch.maximum(x, y)
    if op == "min":
        return torch.minimum(x, y)
    if op == "cat":
        if isinstance(x, Buffer):
            return merge_buffers(x, y)
        xs = x if isinstance(x, tuple) else (x,)
        ys = y if isinstance(y, tuple) else (y,)
        parts = tuple(c for c in (*xs, *ys) if c.shape[0]) or (xs[0],)
        return _compact(parts)
    return merge_unchecked(x, y)


def merge_unchecked(a: Any, b: Any) -> Any:
    """:func:`merge` without the compatibility check (for callers that know)."""
    if isinstance(a, Buffer):
        return merge_buffers(a, b)
    if is_state(a):
        return type(a)(*(combine(op, getattr(a, n), getattr(b, n)) for n, op in reduce_ops(a)))
    if isinstance(a, dict):
        return {k: merge_unchecked(a[k], b[k]) for k in a}
    if isinstance(a, (tuple, list)):
        return type(a)(merge_unchecked(x, y) for x, y in zip(a, b))
    if isinstance(a, Tensor):
        return a + b
    raise TypeError(f"cannot merge {type(a).__name__}")


def merge_buffers(a: Buffer, b: Buffer) -> Buffer:
    """Concatenate the samples of two buffers into one of the larger capacity.

    Written with gathers and ``where`` only, so it traces; an overflow raises in eager
    and is recorded in ``count`` otherwise.
    """
    from metrix._core.checks import is_tracing

    cap = max(a.capacity, b.capacity)
    total = a.count + b.count
    if not is_tracing(a.count, b.count) and int(total) > cap:
        raise ValueError(
            f"fixed-capacity storage overflow when merging: {int(total)} samples but capacity={cap}; "
            "build the metric with a larger capacity="
        )
    pos = torch.arange(cap, device=a.data.device)
    a_idx = torch.clamp(pos, max=a.capacity - 1)
    b_idx = torch.clamp(pos - a.count, min=0, max=b.capacity - 1)
    shape = (cap,) + (1,) * (a.data.dim() - 1)
    from_a = (pos < a.count).reshape(shape)
    from_b = ((pos >= a.count) & (pos - a.count < b.count)).reshape(shape)
    zero = torch.zeros((), dtype=a.data.dtype, device=a.data.device)
    data = torch.where(from_a, a.data.index_select(0, a_idx), torch.where(from_b, b.data.index_select(0, b_idx), zero))
    return Buffer(data, total)


def signature(tree: Any) -> tuple[Any, ...]:
    """A hashable description of a state's structure: types, ops, shapes and dtypes.

    Two states can be merged or synced together exactly when their signatures are equal.
    ``cat`` leaves contribute their sample shape (their length may differ).
    """
    if is_state(tree):
        items = []
        for name, op in reduce_ops(tree):
            v = getattr(tree, name)
            if op == "cat" and not isinstance(v, Buffer):
                t = _first(v)
                items.append((name, op, str(t.dtype), tuple(t.shape[1:])))
            elif isinstance(v, Tensor):
                shape = tuple(v.shape[1:]) if (op == "buffer" and name == "data") else tuple(v.shape)
                items.append((name, op, str(v.dtype), shape))
            else:
                items.append((name, op, signature(v)))
        return (f"{type(tree).__module__}.{type(tree).__qualname__}", tuple(items))
    if isinstance(tree, dict):
        return ("dict", tuple((k, signature(tree[k])) for k in sorted(tree)))
    if isinstance(tree, (tuple, list)):
        return (type(tree).__name__, tuple(signature(x) for x in tree))
    if isinstance(tree, Tensor):
        return ("tensor", str(tree.dtype), tuple(tree.shape))
    raise TypeError(f"{type(tree).__name__} is not a metric state")
