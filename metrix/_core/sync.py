"""``sync``: combine a state across the processes of a ``torch.distributed`` group.

The plan is derived from the reduce ops the state declares, so that a sync costs a
handful of collectives however many metrics a collection holds:

1. **Fingerprint** (eager only): one ``all_reduce`` MAX of ``[h, -h]``, where ``h``
   hashes the state's structure (types, field names, ops, dtypes, shapes, buffer
   capacities). Ranks holding states of different metrics or configurations all see the
   mismatch and all raise the same ``ValueError``: no rank is left waiting in a
   collective of another size.
2. **SUM buckets**: ``sum`` leaves grouped by dtype, each group flattened into one
   bucket, one ``all_reduce`` per bucket. The lengths of ``cat`` storage and the counts
   of fixed-capacity buffers ride in the int64 bucket (each rank writes its own row of a
   ``(world, k)`` zero block, so the SUM gathers them). Small integer buckets
   (≤ ``_FOLD_LIMIT`` elements) ride in the float64 bucket when there is one: each int64
   is split into two 32-bit halves, which float64 sums exactly for fewer than 2**21
   ranks, and recombined in int64 afterwards.
3. **One MAX bucket**: every ``max`` and ``min`` leaf, whatever its dtype, travels as
   an int64 *key* through one ``all_reduce`` MAX. Keys are exact order-preserving
   bijections: integers and bools widen to int64; floats widen to float64 (exact) and
   their bits become a sortable int64 (negative floats get their 63 low bits flipped),
   with NaN mapped past +inf, so a NaN on any rank wins as ``torch.maximum`` would
   (deterministically, unlike a float MAX on some backends). A ``min`` leaf sends
   ``~key`` (an order-reversing bijection that never overflows, NaN mapped below -inf),
   so ``min(x) = ~max(~x)`` exactly.
4. **Buffers**: the data of fixed-capacity buffers, one ``all_gather`` per data dtype;
   every rank's samples are packed in rank order into a buffer of the same capacity (the
   rule of ``merge``: a capacity is part of the configuration, so a synced state has the
   local state's signature; more samples than the capacity over the whole group raise).
5. **Growing cat storage** (eager only): padded to the longest rank's length, one
   ``all_gather`` per dtype that is non-empty on some rank, trimmed (gloo cannot gather
   tensors of unequal lengths).

:func:`sync_collectives` gives the count; :func:`collectives_issued` counts what was
actually issued. Inside ``torch.compile`` the functional collectives are used (and
waited on), so a compiled eval step may sync with ``fullgraph=True``. Collectives
never run under vmap: sync a stacked ensemble state with ``ensemble_dims=1`` instead.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch
import torch.distributed as dist
from torch import Tensor

from metrix._core.state import Buffer, stored_values
from metrix._core.tree import flatten, signature, unflatten

if TYPE_CHECKING:
    from torch.distributed import ProcessGroup

__all__ = ["collectives_issued", "sync", "sync_collectives"]

_COUNTER = [0]
# Integer SUM buckets up to this many elements ride in the float64 bucket: one
# collective less, at twice the bytes for those elements (latency beats bandwidth here).
_FOLD_LIMIT = 1 << 16
# A float64 sum of n values in [0, 2**32) is exact while n * 2**32 < 2**53.
_FOLD_MAX_WORLD = 1 << 21
_LOW32 = 0xFFFFFFFF
_META = -1  # slot index of the (world, k) block carrying buffer counts and cat lengths


def collectives_issued() -> int:
    """Total number of collectives issued by :func:`sync` in eager in this process (a debug counter).

    Collectives inside ``torch.compile`` are not counted: bumping a Python counter there
    would make the compiled step guard on its value and recompile at every call.

    Example:
        >>> import metrix
        >>> isinstance(metrix.debug.collectives_issued(), int)
        True
    """
    return _COUNTER[0]


def _is_active(group: ProcessGroup | None) -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size(group) > 1


# ------------------------------------------------------------------------------ walking


def _cat_tensor(v: Any) -> Tensor:
    return v if isinstance(v, Tensor) else v[0]


def _entries(state: Any) -> tuple[list[tuple[str, Any]], Any]:
    """``(op, value)`` for every leaf, in the walk's fixed order, and the spec to rebuild."""
    flat, spec = flatten(state)
    return [(e.op, e.value) for e in flat], spec


# ------------------------------------------------------------------------------ planning


@dataclasses.dataclass
class _Bucket:
    """One ``all_reduce``: slots ``(entry index or _META, how)`` packed into one flat tensor.

    ``how`` is ``"plain"`` (cast to the bucket dtype), ``"split"`` (an integer leaf sent
    as two float64 32-bit halves), ``"max"``/``"min"`` (a leaf sent as an int64 key, see
    :func:`_key`) or ``"flip"`` (a ``min`` leaf of a dtype without a key).
    """

    op: str
    dtype: torch.dtype
    slots: list[tuple[int, str]]


@dataclasses.dataclass
class _Plan:
    buckets: list[_Bucket]
    buffers: dict[torch.dtype, list[int]]  # data dtype -> entry indices
    cats: list[int]
    meta_width: int  # k of the (world, k) meta block: buffer count elements + cat leaves


_KEYED: tuple[torch.dtype, ...] = (torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64)
_KEYED += (torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool)


def _sum_transport(dtype: torch.dtype) -> torch.dtype:
    # bool and int8..int32 sums travel (and wrap back) through int64
    return torch.int64 if dtype == torch.bool or not (dtype.is_floating_point or dtype.is_complex) else dtype


def _plan(entries: list[tuple[str, Any]], world: int) -> _Plan:
    sums: dict[torch.dtype, list[tuple[int, str]]] = {}
    maxes: dict[torch.dtype, list[tuple[int, str]]] = {}
    buffers: dict[torch.dtype, list[int]] = {}
    cats: list[int] = []
    meta_width = 0
    for i, (op, v) in enumerate(entries):
        if op == "sum":
            sums.setdefault(_sum_transport(v.dtype), []).append((i, "plain"))
        elif op in ("max", "min"):
            if v.dtype in _KEYED:
                maxes.setdefault(torch.int64, []).append((i, op))
            else:  # e.g. uint64: a bucket of its own
                maxes.setdefault(v.dtype, []).append((i, "plain" if op == "max" else "flip"))
        elif op == "buffer":
            buffers.setdefault(v.data.dtype, []).append(i)
            meta_width += v.count.numel()
        else:
            cats.append(i)
            meta_width += 1
    if meta_width:
        sums.setdefault(torch.int64, []).append((_META, "plain"))
    if torch.float64 in sums and world < _FOLD_MAX_WORLD and torch.int64 in sums:
        ints = sums[torch.int64]
        numel = sum(world * meta_width if i == _META else entries[i][1].numel() for i, _ in ints)
        if numel <= _FOLD_LIMIT:
            sums[torch.float64] += [(i, "split") for i, _ in sums.pop(torch.int64)]
    buckets = [_Bucket("sum", d, s) for d, s in sums.items()] + [_Bucket("max", d, s) for d, s in maxes.items()]
    return _Plan(buckets, buffers, cats, meta_width)


def sync_collectives(
    state: Any, /, group: ProcessGroup | None = None, *, fingerprint: bool = True, ensemble_dims: int = 0
) -> int:
    """Number of collectives :func:`sync` issues for this state (in eager).

    Formula: ``fingerprint`` (1) + one ``all_reduce`` per SUM bucket (one per dtype of
    the ``sum`` leaves; small integer buckets, buffer counts and ``cat`` lengths ride in
    the float64 one when there is one) + one ``all_reduce`` for all ``max``/``min``
    leaves (float, integer or bool) + one ``all_gather`` per data dtype of fixed-capacity buffers +
    at most one ``all_gather`` per dtype of growing ``cat`` storage (none for a dtype that
    is empty on every rank). Counted for the group's size, or for 2 ranks when no process
    group is initialised.

    Example:
        >>> import metrix
        >>> from metrix.aggregation import mean, max as max_, min as min_
        >>> from metrix.classification import binary_accuracy
        >>> c = metrix.collection({"m": mean(), "hi": max_(), "lo": min_(), "acc": binary_accuracy()})
        >>> metrix.debug.sync_collectives(c.init())   # fingerprint + one SUM + one MAX
        3
    """
    entries, _ = _entries(state)
    world = dist.get_world_size(group) if _is_active(group) else 2
    plan = _plan(entries, world)
    dtypes = {_cat_tensor(entries[i][1]).dtype for i in plan.cats}
    return int(fingerprint) + len(plan.buckets) + len(plan.buffers) + len(dtypes)


# ------------------------------------------------------------------------------ collectives

_REDUCE_OPS = {"sum": "SUM", "max": "MAX"}


def _explicit(group: ProcessGroup | None) -> ProcessGroup:
    """The group itself, or the world's (the functional collectives take no ``None``)."""
    world = group if group is not None else dist.group.WORLD
    if world is None:  # sync runs collectives only once a process group is initialised
        raise RuntimeError("sync: no process group is initialised")
    return world


def _slot(i: int, meta: Tensor | None, entries: list[tuple[str, Any]]) -> Any:
    """What a bucket slot carries: the ``(world, k)`` meta block, or the leaf of entry ``i``."""
    if i != _META:
        return entries[i][1]
    if meta is None:  # the plan adds a _META slot only when it also has a meta block
        raise RuntimeError("sync: a meta slot without a meta block")
    return meta


def _all_reduce(flat: Tensor, op: str, group: ProcessGroup | None, compiled: bool) -> Tensor:
    if compiled:
        import torch.distributed._functional_collectives as funcol

        return funcol.wait_tensor(funcol.all_reduce(flat, op, _explicit(group)))
    _COUNTER[0] += 1
    dist.all_reduce(flat, op=getattr(dist.ReduceOp, _REDUCE_OPS[op]), group=group)
    return flat


def _all_gather(flat: Tensor, world: int, group: ProcessGroup | None, compiled: bool) -> Tensor:
    """Gather equal-length 1-d tensors; returns ``(world, n)``."""
    if compiled:
        import torch.distributed._functional_collectives as funcol

        out = funcol.all_gather_tensor(flat, 0, _explicit(group))
        return funcol.wait_tensor(out).reshape(world, -1)
    _COUNTER[0] += 1
    parts = [torch.empty_like(flat) for _ in range(world)]
    dist.all_gather(parts, flat, group=group)
    return torch.stack(parts)


def _hash(sig: Any) -> int:
    digest = hashlib.sha256(repr(sig).encode()).digest()
    return int.from_bytes(digest[:8], "little") & ((1 << 62) - 1)  # so that -h fits in int64


def _check_fingerprint(sig: Any, group: ProcessGroup | None, world: int, device: torch.device) -> None:
    h = _hash(sig)
    t = _all_reduce(torch.tensor([h, -h], dtype=torch.int64, device=device), "max", group, compiled=False)
    if int(t[0]) == h and -int(t[1]) == h:
        return
    # Every rank saw the mismatch, so every rank takes this branch: one more collective
    # is safe, and it tells the user which ranks disagree.
    hashes = _all_gather(torch.tensor([h], dtype=torch.int64, device=device), world, group, False).reshape(-1)
    classes: dict[int, list[int]] = {}
    for r, x in enumerate(hashes.tolist()):
        classes.setdefault(x, []).append(r)
    groups = " vs ".join(str(ranks) for ranks in classes.values())
    mine = repr(sig)
    mine = mine if len(mine) <= 2000 else mine[:2000] + "..."
    raise ValueError(
        f"sync: ranks hold states of different structure (ranks {groups}): another metric, or one built with "
        "another configuration (num_classes, capacity, dtype, ensemble size...); every rank must sync the same "
        f"metric. This rank (rank {dist.get_rank(group)} of the group) holds {mine}"
    )


def _flip(x: Tensor) -> Tensor:
    """An order-reversing bijection of the dtype: ``min(x) = flip(max(flip(x)))``."""
    return -x if x.is_floating_point() else torch.bitwise_not(x)


_LOW63 = 0x7FFFFFFFFFFFFFFF


def _key(x: Tensor, op: str) -> Tensor:
    """An int64 whose order is the value's order (exact, invertible by :func:`_unkey`).

    Floats: the float64 bits as int64 sort non-negative floats correctly and negative
    ones backwards; flipping the 63 low bits of the negative ones fixes that. NaN gets the
    sign that makes it win the reduction (largest for ``max``, smallest for ``min``
    before the final ``~``), so it propagates like ``torch.maximum``/``minimum``.
    """
    if x.is_floating_point():
        x = x.to(torch.float64)
        x = torch.where(torch.isnan(x), x.abs() if op == "max" else -x.abs(), x)
        bits = x.view(torch.int64)
        x = torch.where(bits < 0, torch.bitwise_xor(bits, _LOW63), bits)
    else:
        x = x.to(torch.int64)
    return torch.bitwise_not(x) if op == "min" else x


def _unkey(key: Tensor, op: str, dtype: torch.dtype) -> Tensor:
    key = torch.bitwise_not(key) if op == "min" else key
    if dtype.is_floating_point:
        bits = torch.where(key < 0, torch.bitwise_xor(key, _LOW63), key)
        return bits.view(torch.float64).to(dtype)
    return key != 0 if dtype == torch.bool else key.to(dtype)


def _encode(x: Tensor, how: str, dtype: torch.dtype) -> list[Tensor]:
    x = x.reshape(-1)
    if how == "split":
        x = x.to(torch.int64)
        return [torch.bitwise_and(x, _LOW32).to(dtype), torch.bitwise_right_shift(x, 32).to(dtype)]
    if how in ("max", "min"):
        return [_key(x, how)]
    x = x.to(dtype)
    return [_flip(x) if how == "flip" else x]


def _decode(flat: Tensor, offset: int, like: Tensor, how: str, shared: bool) -> tuple[Tensor, int]:
    n = like.numel()
    if how == "split":
        low = flat[offset : offset + n].to(torch.int64)
        high = flat[offset + n : offset + 2 * n].to(torch.int64)
        out = torch.bitwise_left_shift(high, 32) + low  # wraps like an int64 all_reduce would
        return out.to(like.dtype).reshape(like.shape), offset + 2 * n
    out = flat[offset : offset + n]
    if how in ("max", "min"):
        return _unkey(out, how, like.dtype).reshape(like.shape), offset + n
    if how == "flip":
        out = _flip(out)
    elif shared and out.dtype == like.dtype:
        out = out.clone()  # each leaf owns its storage (no views into a shared bucket)
    if like.dtype == torch.bool:
        out = out != 0
    return out.to(like.dtype).reshape(like.shape), offset + n


def sync(
    state: Any, /, group: ProcessGroup | None = None, *, fingerprint: bool | None = None, ensemble_dims: int = 0
) -> Any:
    """Combine a state over all ranks of a process group; returns a new state.

    On one process (or without an initialised process group, or on a rank outside
    ``group``) the state is returned as it is. The argument is never modified, so
    ``update → sync → compute → update`` keeps accumulating the local data correctly.
    Every rank of the group must call ``sync`` with a state of the same metric.

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
        The state every rank would have after seeing the union of all ranks' data
        (``cat`` samples and buffer rows in rank order), with the same signature as
        ``state``: a fixed-capacity buffer keeps its capacity, which must hold the
        samples of the whole group.

    Example:
        >>> import torch, metrix
        >>> from metrix.aggregation import mean
        >>> s = mean().update(mean().init(), torch.tensor([1.0, 2.0]))
        >>> metrix.sync(s) is s          # no process group: nothing to do
        True
    """
    if isinstance(ensemble_dims, bool) or not isinstance(ensemble_dims, int) or ensemble_dims < 0:
        raise ValueError(f"ensemble_dims must be an int >= 0, got {ensemble_dims!r}")
    if not _is_active(group):
        return state
    try:
        entries, spec = _entries(state)
    except TypeError as err:
        raise TypeError(f"sync: {err}") from None
    tensors = [v.data if isinstance(v, Buffer) else _cat_tensor(v) for _, v in entries]
    compiled = torch.compiler.is_compiling()
    if not compiled and any(torch._C._functorch.is_functorch_wrapped_tensor(t) for t in tensors):
        raise RuntimeError(
            "sync must not run under torch.func.vmap (collectives there give racy, wrong results); "
            "sync the stacked ensemble state outside vmap with ensemble_dims=1"
        )
    world, rank = dist.get_world_size(group), dist.get_rank(group)
    device = tensors[0].device if tensors else torch.device("cpu")
    if fingerprint is None:
        fingerprint = not compiled
    if fingerprint:
        if compiled:
            raise ValueError("sync(fingerprint=True) is eager-only; pass fingerprint=False inside torch.compile")
        # the signature is the merge rule's, so "these states sync" is "these states merge"
        _check_fingerprint((ensemble_dims, signature(state, ensemble_dims=ensemble_dims)), group, world, device)
    plan = _plan(entries, world)
    if plan.cats and compiled:
        raise ValueError(
            "sync: growing 'cat' storage cannot be synced inside torch.compile (its length is data-"
            "dependent); build the metric with capacity= for a fixed-size buffer"
        )

    d = ensemble_dims
    cat_values = {i: _cat_values(entries[i][1], d) for i in plan.cats}
    meta: Tensor | None = None
    if plan.meta_width:
        # this rank's buffer counts and cat lengths, written in its own row of a zero block
        local = [entries[i][1].count.reshape(-1).to(torch.int64) for idx in plan.buffers.values() for i in idx]
        if plan.cats:
            local.append(torch.tensor([cat_values[i].shape[d] for i in plan.cats], dtype=torch.int64, device=device))
        row = torch.cat(local)
        k = plan.meta_width
        meta = torch.cat([row.new_zeros(rank * k), row, row.new_zeros((world - rank - 1) * k)])

    results: list[Any] = [None] * len(entries)
    for bucket in plan.buckets:
        pieces: list[Tensor] = []
        for i, how in bucket.slots:
            pieces += _encode(_slot(i, meta, entries), how, bucket.dtype)
        flat = _all_reduce(torch.cat(pieces), bucket.op, group, compiled)  # cat: a fresh tensor, never the state
        offset, shared = 0, len(bucket.slots) > 1
        for i, how in bucket.slots:
            like = _slot(i, meta, entries)
            value, offset = _decode(flat, offset, like, how, shared)
            if i == _META:
                meta = value.reshape(world, plan.meta_width)
            else:
                results[i] = value

    if plan.buffers:
        assert meta is not None
        _sync_buffers(entries, plan.buffers, meta, results, world, group, compiled, d)
    if plan.cats:
        assert meta is not None
        lengths = meta[:, meta.shape[1] - len(plan.cats) :].tolist()  # (world, n_cat), one host sync
        _sync_cats(cat_values, plan.cats, lengths, results, world, group, d)
    return unflatten(spec, results)


def _cat_values(v: Any, d: int) -> Tensor:
    if isinstance(v, tuple) and len(v) > 1:
        return torch.cat(v, dim=d)
    return stored_values(_cat_tensor(v))


def _sync_buffers(
    entries: list[tuple[str, Any]],
    buffers: dict[torch.dtype, list[int]],
    meta: Tensor,
    results: list[Any],
    world: int,
    group: ProcessGroup | None,
    compiled: bool,
    ensemble_dims: int,
) -> None:
    offset = 0
    counts: dict[int, Tensor] = {}
    for idx in buffers.values():
        for i in idx:
            c = entries[i][1].count
            counts[i] = meta[:, offset : offset + c.numel()].reshape(world, *c.shape)
            offset += c.numel()
    for idx in buffers.values():
        datas = [entries[i][1].data for i in idx]
        flat = _all_gather(torch.cat([x.reshape(-1) for x in datas]), world, group, compiled)
        offset = 0
        for i, x in zip(idx, datas):
            gathered = flat[:, offset : offset + x.numel()].reshape(world, *x.shape)
            offset += x.numel()
            results[i] = _stack_buffers(gathered, counts[i], ensemble_dims)
            total = int(results[i].count.max()) if not compiled else 0  # every rank holds the same counts
            if total > x.shape[ensemble_dims]:
                raise ValueError(
                    f"sync: fixed-capacity storage overflow: {total} samples over all ranks but "
                    f"capacity={x.shape[ensemble_dims]}; a buffer's capacity bounds the samples of the whole "
                    "group: build the metric with capacity >= the total number of samples"
                )


def _stack_buffers(data: Tensor, counts: Tensor, ensemble_dims: int) -> Buffer:
    """Every rank's samples in one buffer of the same capacity, in rank order."""
    fn: Callable[[Tensor, Tensor], Buffer] = _stack_buffers_one
    for _ in range(ensemble_dims):
        fn = torch.func.vmap(fn, in_dims=(1, 1))
    return fn(data, counts)


def _stack_buffers_one(data: Tensor, counts: Tensor) -> Buffer:
    # The rule of merge_buffers: the capacity is part of the configuration and is kept.
    # Valid rows of every rank move to the front in rank order (index_copy on a
    # permutation, so it traces and vmaps), then the first `cap` rows are kept. Samples
    # past the capacity stay in the summed count: an overflow is never silent (eager
    # sync raises below, traced code raises where the buffer is read).
    world, cap = data.shape[0], data.shape[1]
    rows = torch.arange(cap, device=data.device)
    kept = torch.clamp(counts, max=cap)
    valid = (rows.unsqueeze(0) < kept.unsqueeze(1)).reshape(-1)
    offsets = (torch.cumsum(kept, 0) - kept).unsqueeze(1)
    target = (offsets + rows.unsqueeze(0)).reshape(-1)
    invalid_rank = torch.cumsum((~valid).to(torch.int64), 0) - 1
    target = torch.where(valid, target, kept.sum() + invalid_rank)
    flat = data.reshape(world * cap, *data.shape[2:])
    out = torch.zeros_like(flat).index_copy(0, target, flat)
    return Buffer(out[:cap].clone(), counts.sum())


def _sync_cats(
    values: dict[int, Tensor],
    cats: list[int],
    lengths: list[list[int]],
    results: list[Any],
    world: int,
    group: ProcessGroup | None,
    d: int,
) -> None:
    col = {i: j for j, i in enumerate(cats)}
    by_dtype: dict[torch.dtype, list[int]] = {}
    for i in cats:
        by_dtype.setdefault(values[i].dtype, []).append(i)
    for idx in by_dtype.values():
        longest = {i: max(lengths[r][col[i]] for r in range(world)) for i in idx}
        if not any(longest.values()):  # empty on every rank: nothing to gather
            for i in idx:
                results[i] = (values[i],)
            continue
        padded = []
        for i in idx:
            v = values[i]
            pad = longest[i] - v.shape[d]
            if pad:
                shape = list(v.shape)
                shape[d] = pad
                v = torch.cat([v, v.new_zeros(shape)], dim=d)
            padded.append(v)
        flat = _all_gather(torch.cat([p.reshape(-1) for p in padded]), world, group, compiled=False)
        offset = 0
        for i, p in zip(idx, padded):
            pieces = [
                flat[r, offset : offset + p.numel()].reshape(p.shape).narrow(d, 0, lengths[r][col[i]])
                for r in range(world)
            ]
            offset += p.numel()
            results[i] = (torch.cat(pieces, dim=d),)
