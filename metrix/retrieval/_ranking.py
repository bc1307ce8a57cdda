"""Ranking kernel: documents sorted by (query, descending score) and segmented reductions over queries.

Both input forms end here. The flat form sorts every stored document once on the key
``(query id, -score, arrival)``; the dense form sorts each ``(B, L)`` row on its own.
The result, :class:`Ranked`, lists the documents query after query, best score first,
with each document's query number (``seg``) and 0-based position in its query
(``rank``). Every retrieval metric is then a handful of segmented sums over it
(``index_add`` over ``seg``), with no Python loop over queries and no per-query host
sync, so the same code runs eagerly, under ``torch.compile`` and under ``vmap``.

Sort keys are int64, which PyTorch sorts with a radix sort (several times faster on
CPU than a float sort). A float32 score maps to an order-preserving 32-bit key. When
every query id is below ``2**31 - 1`` (checked once, eagerly) one sort on the composite
key ``id << 32 | score key`` does it; otherwise (ids up to ``2**62``, and always when
tracing) a stable sort on the score key is followed by a stable sort on the id. Memory
never depends on the id values: ids are sorted, not used as offsets. Ties in score keep
arrival order, in both forms.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from metrix._core.checks import is_tracing

__all__ = ["Ranked", "descending_key", "rank_dense", "rank_flat", "segment_sum"]

_INT64_MAX = torch.iinfo(torch.int64).max
_COMPOSITE_LIMIT = 2**31 - 1  # ids below this fit above a 32-bit score key in one int64
# "no cut-off" as a rank bound: larger than any position
NO_CUTOFF = 2**62


def descending_key(x: Tensor) -> Tensor:
    """int64 keys in ``[0, 2**32)`` that sort ascending as ``x`` (float32) sorts descending.

    The float's bits, read as a signed int32, order like the float for non-negative
    values; for negative values the magnitude bits are flipped. ``x + 0.0`` turns
    ``-0.0`` into ``+0.0`` so that the two zeros tie, as they compare equal.
    """
    return 0x7FFFFFFF - ascending_key32(x).to(torch.int64)


def ascending_key32(x: Tensor) -> Tensor:
    """int32 keys that sort as ``x`` (float32) sorts; ``-0.0`` and ``+0.0`` share a key."""
    bits = (x.to(torch.float32) + 0.0).view(torch.int32)
    # flip the magnitude bits of negative values: (bits >> 31) is -1 for them, 0 otherwise
    return bits ^ ((bits >> 31) & 0x7FFFFFFF)


def segment_sum(ids: Tensor, x: Tensor, num: int) -> Tensor:
    """Sums ``(num, ...)`` of the rows of ``x`` ``(M, ...)`` per id ``(M,)`` in ``0 .. num - 1``.

    One 1-d ``index_add``: over rows of a 2-d tensor it is about 30x slower on CPU (a
    slice copy per row), so trailing dimensions are folded into the index.
    """
    if x.dim() == 1:
        return torch.zeros(num, dtype=x.dtype, device=x.device).index_add(0, ids, x)
    width = x[0].numel() if x.shape[0] else math.prod(x.shape[1:])
    flat = x.reshape(x.shape[0], width)
    if width == 1:
        out = torch.zeros(num, dtype=x.dtype, device=x.device).index_add(0, ids, flat[:, 0])
    else:
        slots = ids.to(torch.int64).unsqueeze(1) * width + torch.arange(width, device=x.device)
        out = torch.zeros(num * width, dtype=x.dtype, device=x.device).index_add(0, slots.reshape(-1), flat.reshape(-1))
    return out.reshape(num, *x.shape[1:])


class Ranked:
    """Documents in ranking order, query after query.

    Attributes:
        seg: int64 ``(M,)``: the query (segment) of each document, ``0 .. num - 1``,
            non-decreasing.
        rank: int64 ``(M,)``: 0-based position in its query, best score first.
        preds: float32 ``(M,)``: scores.
        target: float64 ``(M,)``: relevance, 0 where the document does not count.
        valid: bool ``(M,)``: the document counts (not padding, not ignored). In each
            query the valid documents come first, so ``valid == rank < size[seg]``.
        size: int64 ``(num,)``: valid documents per query.
        num: number of segments (static): the exact number of queries in eager code, an
            upper bound (``M``) when traced, where the extra segments are empty.
        width: dense form only: each query is a row of ``width`` documents (``M = num *
            width``), so segmented sums are row sums (cheaper than scatters).
        all_valid: every document counts (static; lets masks be skipped).
    """

    def __init__(
        self,
        seg: Tensor | None,
        rank: Tensor,
        preds: Tensor,
        target: Tensor,
        valid: Tensor,
        size: Tensor,
        num: int,
        width: int | None = None,
        all_valid: bool = False,
    ) -> None:
        """Hold the ranked documents (``seg`` may be ``None`` in the dense form: rows)."""
        self._seg = seg
        self.rank, self.preds, self.target, self.valid, self.size = rank, preds, target, valid, size
        self.num, self.width, self.all_valid = num, width, all_valid

    @property
    def seg(self) -> Tensor:
        """int64 ``(M,)``: the query of each document (built on demand in the dense form)."""
        if self._seg is None:
            assert self.width is not None
            rows = torch.arange(self.num, device=self.rank.device).unsqueeze(1)
            self._seg = rows.expand(self.num, self.width).reshape(-1)
        return self._seg

    @property
    def exists(self) -> Tensor:
        """Whether each segment is a query (holds a valid document), bool ``(num,)``."""
        return self.size > 0

    def sum(self, x: Tensor) -> Tensor:
        """Per-query sums ``(num, ...)`` of a per-document quantity ``(M, ...)``."""
        if self.width is not None:
            return x.reshape(self.num, self.width, *x.shape[1:]).sum(1)
        return segment_sum(self.seg, x, self.num)

    def spread(self, q: Tensor) -> Tensor:
        """A per-query quantity ``(num, ...)`` given to each of its documents ``(M, ...)``."""
        if self.width is not None:
            rows = q.unsqueeze(1).expand(self.num, self.width, *q.shape[1:])
            return rows.reshape(self.num * self.width, *q.shape[1:])
        return q.index_select(0, self.seg)

    def cumsum(self, x: Tensor) -> Tensor:
        """Inclusive running sums of ``x`` ``(M, ...)`` inside each query, in ranking order."""
        if self.width is not None:
            return x.reshape(self.num, self.width, *x.shape[1:]).cumsum(1).reshape(x.shape)
        per_query = self.sum(x)
        before = torch.cumsum(per_query, 0) - per_query  # everything in earlier queries
        return torch.cumsum(x, 0) - self.spread(before)

    def cutoffs(self, ks: tuple[int | None, ...]) -> Tensor:
        """int64 ``(K,)``: the cut-offs, ``None`` (every document) as a bound no rank reaches."""
        return torch.tensor([NO_CUTOFF if k is None else k for k in ks], dtype=torch.int64, device=self.rank.device)

    @property
    def positions(self) -> Tensor:
        """1-based ranks ``(M,)`` (the divisor of the precision at each position), in the rank's dtype."""
        return self.rank + 1

    def top(self, x: Tensor, ks: tuple[int | None, ...]) -> Tensor:
        """``x`` ``(M,)`` (0 where invalid) kept inside each cut-off: float ``(M, K)``, 0 outside.

        Multiplying by the mask is about 4x cheaper than ``where`` on CPU; ``x`` is finite.
        """
        if ks == (None,):
            return x.unsqueeze(1)
        return x.unsqueeze(1) * (self.rank.unsqueeze(1) < self.cutoffs(ks).unsqueeze(0))

    def within(self, ks: tuple[int | None, ...]) -> Tensor:
        """Whether each document is valid and ranked inside each cut-off of ``ks``, bool ``(M, K)``."""
        if all(k is None for k in ks):
            return self.valid.unsqueeze(1).expand(-1, len(ks))
        inside = self.rank.unsqueeze(1) < self.cutoffs(ks).unsqueeze(0)
        return inside if self.all_valid else self.valid.unsqueeze(1) & inside

    def tie_groups(self) -> Tensor:
        """Ids ``(M,)`` of runs of equal score inside a query (ids in ``0 .. M - 1``)."""
        m = self.seg.shape[0]
        if m == 0:
            return self.seg
        new = torch.ones(m, dtype=torch.bool, device=self.seg.device)
        same = (self.seg[1:] == self.seg[:-1]) & (self.preds[1:] == self.preds[:-1])
        same = same & (self.valid[1:] == self.valid[:-1])
        new = torch.cat([new[:1], ~same])
        return torch.cumsum(new, 0, dtype=index_dtype(m)) - 1

    def group_start(self, groups: Tensor) -> Tensor:
        """Positions ``(M,)`` of the first document of each document's tie group."""
        m = groups.shape[0]
        ones = torch.ones(m, dtype=groups.dtype, device=groups.device)
        count = torch.zeros(m, dtype=groups.dtype, device=groups.device).index_add(0, groups, ones)
        return (torch.cumsum(count, 0, dtype=groups.dtype) - count).index_select(0, groups)

    def group_sum(self, groups: Tensor, x: Tensor) -> Tensor:
        """Sums of ``x`` ``(M, ...)`` per group id ``(M,)`` (at most ``M`` groups), read back per document."""
        return segment_sum(groups, x, groups.shape[0]).index_select(0, groups)

    def sorted_within(self, x: Tensor) -> Tensor:
        """``x`` ``(M,)`` re-sorted descending inside each query; invalid documents stay last.

        The queries keep their positions, so the result lines up with ``seg`` and ``rank``
        (the ideal ranking of NDCG).
        """
        if self.seg.shape[0] == 0:
            return x
        low = torch.tensor(-math.inf, dtype=torch.float32, device=x.device)
        key = (self.seg.to(torch.int64) << 32) | descending_key(torch.where(self.valid, x.to(torch.float32), low))
        order = torch.sort(key, stable=True).indices
        return x.index_select(0, order)


def index_dtype(m: int) -> torch.dtype:
    """int32 positions while ``m`` fits (half the memory of int64 on the largest arrays), else int64."""
    return torch.int32 if m < 2**31 else torch.int64


def _segments(first: Tensor, valid: Tensor | None, num: int | None) -> tuple[Tensor, Tensor, Tensor, int]:
    """``(seg, rank, size, num)`` from the first-of-query flags of sorted documents."""
    m = first.shape[0]
    dtype = index_dtype(m)
    seg = torch.cumsum(first, 0, dtype=dtype) - 1
    if num is None:
        num = int(seg[-1]) + 1 if m else 0
    ones = torch.ones(m, dtype=dtype, device=first.device)
    count = torch.zeros(num, dtype=dtype, device=first.device).index_add(0, seg, ones)
    del ones
    starts = torch.cumsum(count, 0, dtype=dtype) - count
    rank = torch.arange(m, dtype=dtype, device=first.device) - starts.index_select(0, seg)
    if valid is None:
        size = count.to(torch.int64)
    else:
        size = torch.zeros(num, dtype=torch.int64, device=first.device).index_add(0, seg, valid.to(torch.int64))
    return seg, rank, size, num


def _cat(chunks: Sequence[Tensor]) -> Tensor:
    return chunks[0] if len(chunks) == 1 else torch.cat(list(chunks))


def rank_flat(
    preds: Sequence[Tensor], target: Sequence[Tensor], indexes: Sequence[Tensor], valid: Tensor | None
) -> Ranked:
    """Sort flat documents on ``(query id, -score, arrival)`` and segment them by query.

    Memory matters here (every stored document passes through it): the inputs come as the
    storage's chunks and are never concatenated whole (the sort key is built chunk by
    chunk, scores and relevance are concatenated only to be gathered in order),
    temporaries are freed as soon as they are used, and positions are int32 while they fit.

    Args:
        preds: chunks of float ``(M_i,)`` scores.
        target: chunks of ``(M_i,)`` relevance.
        indexes: chunks of int64 ``(M_i,)`` query ids in ``[0, 2**62]`` (anything where
            ``valid`` is false).
        valid: bool ``(M,)`` over all chunks: documents that count; the others sort last,
            in segments of their own that are not queries. ``None``: every document counts.
    """
    m = sum(p.shape[0] for p in preds)
    device = preds[0].device
    traced = is_tracing(*preds, *indexes) or (valid is not None and is_tracing(valid))
    if valid is None:
        fast = not traced and m > 0 and max(int(q.max()) for q in indexes if q.numel()) < _COMPOSITE_LIMIT
    else:
        ids = torch.where(valid, _cat(indexes), _INT64_MAX)  # invalid documents sort last
        fast = not traced and m > 0 and int(torch.where(valid, ids, 0).max()) < _COMPOSITE_LIMIT
    if fast:  # eager only: in-place updates of fresh temporaries are safe
        parts = []
        for q, p in zip(indexes, preds):
            part = q << 32  # | descending_key(p), in three in-place passes over int64
            part += 0x7FFFFFFF
            part -= ascending_key32(p)
            parts.append(part)
        key = _cat(parts)
        del parts
        if valid is not None:
            key = torch.where(valid, key, _INT64_MAX)
        qid, order = torch.sort(key, stable=True)
        del key
        qid >>= 32
    else:
        score = descending_key(_cat(preds))
        by_score = torch.sort(score, stable=True).indices
        del score
        if valid is None:
            ids = _cat(indexes)
        qid, by_query = torch.sort(ids.index_select(0, by_score), stable=True)
        order = by_score.index_select(0, by_query)
        del by_score, by_query
    if valid is not None or not fast:
        del ids
    first = torch.ones(m, dtype=torch.bool, device=device)
    valid_s = None if valid is None else valid.index_select(0, order)
    if m:
        change = qid[1:] != qid[:-1]
        if valid_s is not None:
            change = change | (valid_s[1:] != valid_s[:-1])
        first = torch.cat([first[:1], change])
        del change
    del qid
    seg, rank, size, num = _segments(first, valid_s, m if traced else None)
    del first
    t = _cat(target).index_select(0, order).to(torch.float64)
    if valid_s is not None:
        t = t * valid_s
    else:
        valid_s = torch.ones(m, dtype=torch.bool, device=device)
    p = _cat(preds).index_select(0, order).to(torch.float32)
    return Ranked(seg, rank, p, t, valid_s, size, num, all_valid=valid is None)


def rank_dense(preds: Tensor, target: Tensor, valid: Tensor | None) -> Ranked:
    """Sort each ``(B, L)`` row on ``(-score, position)``, invalid documents last; rows are queries.

    ``valid=None`` means every document counts (no mask, no ignored target).
    """
    b, n = preds.shape
    # int32 keys sort about 30% faster than float32 scores; invalid documents get the
    # smallest key (every finite score and -inf map above it)
    key = ascending_key32(preds)
    if valid is not None:
        key = torch.where(valid, key, torch.iinfo(torch.int32).min)
    order = torch.sort(key, dim=1, descending=True, stable=True).indices
    p = preds.to(torch.float32).gather(1, order)
    t = target.gather(1, order).to(torch.float64).reshape(-1)
    rank = torch.arange(n, device=preds.device).repeat(b)
    if valid is None:
        v = torch.ones(b * n, dtype=torch.bool, device=preds.device)
        size = torch.full((b,), n, dtype=torch.int64, device=preds.device)
    else:
        v = valid.gather(1, order).reshape(-1)
        size = valid.to(torch.int64).sum(1)
        t = t * v
    return Ranked(None, rank, p.reshape(-1), t, v, size, b, width=n, all_valid=valid is None)
