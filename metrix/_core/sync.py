"""``sync``: combine a state across the processes of a ``torch.distributed`` group.

The plan is derived from the reduce ops the state declares:

* ``sum``/``max``/``min`` leaves are grouped by (op, dtype), flattened into one bucket
  each and reduced with one ``all_reduce`` per bucket;
* fixed-capacity buffers are grouped by dtype and gathered with one ``all_gather`` per
  dtype (their counts ride in the int64 bucket);
* growing ``cat`` leaves exchange all their lengths in one ``all_gather``, are padded
  to the longest, gathered with one ``all_gather`` per dtype, and trimmed;
* in eager, one small ``all_reduce`` first compares a fingerprint of every rank's state
  structure, so that ranks holding states of different metrics or configurations all
  get the same clear ``ValueError`` instead of a hang or garbage.

:func:`sync_collectives` gives the number of collectives a sync issues. Inside
``torch.compile`` the functional collectives are used (results waited on), so a
compiled eval step may sync with ``fullgraph=True``. Collectives never run under vmap:
sync a stacked ensemble state with ``ensemble_dims=1`` instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor

from metrix._core.merge import signature
from metrix._core.state import Buffer, is_state, reduce_ops, stored_values

__all__ = ["collectives_issued", "sync", "sync_collectives"]

_COUNTER = [0]


def collectives_issued() -> int:
    """Total number of collectives issued by :func:`sync` in this process (a debug counter)."""
    return _COUNTER[0]


def _is_active(group: Any) -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size(group) > 1


# ------------------------------------------------------------------------------ walking


def _entries(tree: Any, out: list[tuple[str, Any]]) -> None:
    if isinstance(tree, Buffer):
        out.append(("buffer", tree))
    elif is_state(tree):
        for name, op in reduce_ops(tree):
            v = getattr(tree, name)
            if op == "node" or (op == "cat" and isinstance(v, Buffer)):
                _entries(v, out)
            else:
                out.append((op, v))
    elif isinstance(tree, dict):
        for k in tree:
            _entries(tree[k], out)
    elif isinstance(tree, (tuple, list)):
        for x in tree:
            _entries(x, out)
    elif isinstance(tree, Tensor):
        out.append(("sum", tree))
    else:
        raise TypeError(f"sync: {type(tree).__name__} is not a metric state")


def _rebuild(tree: Any, values: Any) -> Any:
    if isinstance(tree, Buffer):
        return next(values)
    if is_state(tree):
        new = []
        for name, op in reduce_ops(tree):
            v = getattr(tree, name)
            if op == "node" or (op == "cat" and isinstance(v, Buffer)):
                new.append(_rebuild(v, values))
            else:
                new.append(next(values))
        return type(tree)(*new)
    if isinstance(tree, dict):
        return {k: _rebuild(tree[k], values) for k in tree}
    if isinstance(tree, (tuple, list)):
        return type(tree)(_rebuild(x, values) for x in tree)
    return next(values)


# ------------------------------------------------------------------------------ planning


def _plan(
    entries: list[tuple[str, Any]],
) -> tuple[dict[tuple[str, torch.dtype], list[int]], dict[torch.dtype, list[int]], list[int]]:
    reduce: dict[tuple[str, torch.dtype], list[int]] = {}
    gather: dict[torch.dtype, list[int]] = {}
    cats: list[int] = []
    for i, (op, v) in enumerate(entries):
        if op in ("sum", "max", "min"):
            reduce.setdefault((op, v.dtype), []).append(i)
        elif op == "buffer":
            gather.setdefault(v.data.dtype, []).append(i)
            # Buffer counts are gathered with the data of their dtype group via a side
            # bucket; see _sync_buffers.
        else:
            cats.append(i)
    return reduce, gather, cats


def sync_collectives(state: Any, /, *, fingerprint: bool = True) -> int:
    """Number of collectives :func:`sync` issues for this state (in eager).

    Formula: ``fingerprint`` (1) + one ``all_reduce`` per (op, dtype) bucket of
    ``sum``/``max``/``min`` leaves + for fixed-capacity buffers one ``all_gather`` per data
    dtype plus one for their counts + for growing ``cat`` leaves one length exchange plus
    one ``all_gather`` per dtype that is non-empty on some rank (at most).

    Example:
        >>> import metrix
        >>> from metrix.aggregation import mean, max as max_
        >>> metrix.sync_collectives({"m": mean().init(), "x": max_().init()})
        3
    """
    entries: list[tuple[str, Any]] = []
    _entries(state, entries)
    reduce, gather, cats = _plan(entries)
    n = int(fingerprint) + len(reduce)
    if gather:
        n += len(gather) + 1
    if cats:
        n += 1 + len({_cat_dtype(entries[i][1]) for i in cats})
    return n


def _cat_dtype(v: Any) -> torch.dtype:
    return v.dtype if isinstance(v, Tensor) else v[0].dtype


# ------------------------------------------------------------------------------ collectives

_REDUCE_OPS = {"sum": "SUM", "max": "MAX", "min": "MIN"}


def _all_reduce(flat: Tensor, op: str, group: Any, compiled: bool) -> Tensor:
    _COUNTER[0] += 1
    if compiled:
        import torch.distributed._functional_collectives as funcol

        return funcol.wait_tensor(funcol.all_reduce(flat, op, group if group is not None else dist.group.WORLD))
    dist.all_reduce(flat, op=getattr(dist.ReduceOp, _REDUCE_OPS[op]), group=group)
    return flat


def _all_gather(flat: Tensor, world: int, group: Any, compiled: bool) -> Tensor:
    """Gather equal-length 1-d tensors; returns ``(world, n)``."""
    _COUNTER[0] += 1
    if compiled:
        import torch.distributed._functional_collectives as funcol

        out = funcol.all_gather_tensor(flat, 0, group if group is not None else dist.group.WORLD)
        return funcol.wait_tensor(out).reshape(world, -1)
    parts = [torch.empty_like(flat) for _ in range(world)]
    dist.all_gather(parts, flat, group=group)
    return torch.stack(parts)


def _fingerprint(state: Any) -> int:
    digest = hashlib.sha256(repr(signature(state)).encode()).digest()
    return int.from_bytes(digest[:8], "little") & ((1 << 62) - 1)


def _check_fingerprint(state: Any, group: Any, device: torch.device) -> None:
    h = _fingerprint(state)
    t = torch.tensor([h, -h], dtype=torch.int64, device=device)
    _all_reduce(t, "max", group, compiled=False)
    if int(t[0]) != h or -int(t[1]) != h:
        raise ValueError(
            "sync: ranks hold states of different structure (another metric, or one built with another "
            "configuration such as num_classes); every rank must sync the same metric. "
            f"This rank's state: {signature(state)}"
        )


def sync(state: Any, /, group: Any = None, *, fingerprint: bool | None = None, ensemble_dims: int = 0) -> Any:
    """Combine a state over all ranks of a process group; returns a new state.

    On one process (or without an initialised process group) the state is returned as
    it is. The argument is never modified, so ``update → sync → compute → update`` keeps
    accumulating the local data correctly.

    Args:
        state: a state, or a dict/tuple of states (a collection's state).
        group: the process group (default: the world).
        fingerprint: compare every rank's state structure first (one small all_reduce)
            and raise the same ``ValueError`` on all ranks if they differ. Default: on
            in eager, off inside ``torch.compile``.
        ensemble_dims: number of leading ensemble dims of a stacked state (``1`` for the
            states of a ``vmap``-ed ensemble). Growing ``cat`` leaves are concatenated
            along the first dim after them.

    Returns:
        The state every rank would have after seeing the union of all ranks' data.

    Example:
        >>> import torch, metrix
        >>> from metrix.aggregation import mean
        >>> s = mean().update(mean().init(), torch.tensor([1.0, 2.0]))
        >>> metrix.sync(s) is s          # no process group: nothing to do
        True
    """
    if not _is_active(group):
        return state
    entries: list[tuple[str, Any]] = []
    _entries(state, entries)
    tensors = [v if isinstance(v, Tensor) else (v.data if isinstance(v, Buffer) else v[0]) for _, v in entries]
    if any(torch._C._functorch.is_functorch_wrapped_tensor(t) for t in tensors):
        raise RuntimeError(
            "sync must not run under torch.func.vmap (collectives there give racy, wrong results); "
            "sync the stacked ensemble state outside vmap with ensemble_dims=1"
        )
    compiled = torch.compiler.is_compiling()
    world = dist.get_world_size(group)
    device = tensors[0].device if tensors else torch.device("cpu")
    if fingerprint is None:
        fingerprint = not compiled
    if fingerprint:
        if compiled:
            raise ValueError("sync(fingerprint=True) is eager-only; pass fingerprint=False inside torch.compile")
        _check_fingerprint(state, group, device)

    reduce, gather, cats = _plan(entries)
    results: list[Any] = [None] * len(entries)

    for (op, _dtype), idx in reduce.items():
        vals = [entries[i][1] for i in idx]
        flat = torch.cat([v.reshape(-1) for v in vals])  # always a fresh tensor: never mutate the state
        flat = _all_reduce(flat, op, group, compiled)
        offset = 0
        for i, v in zip(idx, vals):
            results[i] = flat[offset : offset + v.numel()].reshape(v.shape)
            offset += v.numel()

    if gather:
        _sync_buffers(entries, gather, results, world, group, compiled, ensemble_dims)

    if cats:
        if compiled:
            raise ValueError(
                "sync: growing 'cat' storage cannot be synced inside torch.compile (its length is data-"
                "dependent); build the metric with capacity= for a fixed-size buffer"
            )
        _sync_cats(entries, cats, results, world, group, ensemble_dims)

    return _rebuild(state, iter(results))


def _sync_buffers(
    entries: list[tuple[str, Any]],
    gather: dict[torch.dtype, list[int]],
    results: list[Any],
    world: int,
    group: Any,
    compiled: bool,
    ensemble_dims: int,
) -> None:
    all_idx = [i for idx in gather.values() for i in idx]
    counts = _all_gather(
        torch.stack([entries[i][1].count.reshape(-1) for i in all_idx]).reshape(-1), world, group, compiled
    )
    counts = counts.reshape(world, len(all_idx), -1)
    gathered: dict[int, Tensor] = {}
    for _dtype, idx in gather.items():
        datas = [entries[i][1].data for i in idx]
        flat = _all_gather(torch.cat([d.reshape(-1) for d in datas]), world, group, compiled)
        offset = 0
        for i, d in zip(idx, datas):
            gathered[i] = flat[:, offset : offset + d.numel()].reshape(world, *d.shape)
            offset += d.numel()
    for j, i in enumerate(all_idx):
        buf = entries[i][1]
        c = counts[:, j].reshape(world, *buf.count.shape)
        results[i] = _stack_buffers(gathered[i], c, ensemble_dims)


def _stack_buffers(data: Tensor, counts: Tensor, ensemble_dims: int) -> Buffer:
    """One buffer of capacity ``world * cap`` holding every rank's samples, in rank order."""
    if ensemble_dims:
        fn: Callable[[Tensor, Tensor], Buffer] = _stack_buffers_one
        for _ in range(ensemble_dims):
            fn = torch.func.vmap(fn, in_dims=(1, 1))
        return fn(data, counts)
    return _stack_buffers_one(data, counts)


def _stack_buffers_one(data: Tensor, counts: Tensor) -> Buffer:
    world, cap = data.shape[0], data.shape[1]
    rows = torch.arange(cap, device=data.device)
    kept = torch.clamp(counts, max=cap)
    valid = (rows.unsqueeze(0) < kept.unsqueeze(1)).reshape(-1)
    offsets = (torch.cumsum(kept, 0) - kept).unsqueeze(1)
    target = (offsets + rows.unsqueeze(0)).reshape(-1)
    n_valid = kept.sum()
    invalid_rank = torch.cumsum((~valid).to(torch.int64), 0) - 1
    target = torch.where(valid, target, n_valid + invalid_rank)
    flat = data.reshape(world * cap, *data.shape[2:])
    out = torch.zeros_like(flat).index_copy(0, target, flat)
    return Buffer(out, counts.sum())


def _sync_cats(
    entries: list[tuple[str, Any]],
    cats: list[int],
    results: list[Any],
    world: int,
    group: Any,
    ensemble_dims: int,
) -> None:
    d = ensemble_dims
    values = {}
    for i in cats:
        v = entries[i][1]
        values[i] = (
            torch.cat(v, dim=d)
            if isinstance(v, tuple) and len(v) > 1
            else stored_values(v if not isinstance(v, tuple) else v[0])
        )
    lengths = torch.tensor([values[i].shape[d] for i in cats], dtype=torch.int64, device=values[cats[0]].device)
    all_lengths = _all_gather(lengths, world, group, compiled=False)  # (world, n_cat)
    by_dtype: dict[torch.dtype, list[int]] = {}
    for i in cats:
        by_dtype.setdefault(values[i].dtype, []).append(i)
    col = {i: j for j, i in enumerate(cats)}
    for _dtype, idx in by_dtype.items():
        max_len = {i: int(all_lengths[:, col[i]].max()) for i in idx}
        if all(m == 0 for m in max_len.values()):
            for i in idx:
                results[i] = (values[i],)
            continue
        padded = []
        for i in idx:
            v = values[i]
            pad = max_len[i] - v.shape[d]
            if pad:
                shape = list(v.shape)
                shape[d] = pad
                v = torch.cat([v, v.new_zeros(shape)], dim=d)
            padded.append(v)
        flat = _all_gather(torch.cat([p.reshape(-1) for p in padded]), world, group, compiled=False)
        offset = 0
        for i, p in zip(idx, padded):
            pieces = []
            for r in range(world):
                chunk = flat[r, offset : offset + p.numel()].reshape(p.shape)
                pieces.append(chunk.narrow(d, 0, int(all_lengths[r, col[i]])))
            offset += p.numel()
            results[i] = (torch.cat(pieces, dim=d),)
