"""The two input forms of every retrieval metric: flat documents with query ids, and dense rows.

Each metric is a *per-query kernel* (``Ranked -> (values, empty)``: one value per
query, of a static shape, and whether the query lacks the targets the metric needs)
plus an aggregation over queries. This module turns a kernel into a :class:`Metric`
in either form.

**Flat** (``update(state, preds, target, indexes)``, TorchMetrics' form): a query may
span many batches and ranks, so its documents are stored (``cat`` storage: eager
chunks with amortised O(batch) appends, or a fixed-capacity ``Buffer`` with
``capacity=``, which compiles once and vmaps) and ranked only in ``compute``: one sort,
segmented sums, the aggregation. Documents whose target is ``ignore_index`` are dropped
(eager) or stored with query id ``-1`` (traced) and never count. A query split over
batches or ranks is whole again after ``merge``/``sync``, which concatenate the stored
documents.

**Dense** (``dense=True``, ``update(state, preds, target, mask=None)``): each row of a
``(B, L)`` batch is a whole query. Its value is computed in ``update`` and only the
aggregate is kept: a sum and a count (``aggregation="mean"``), or a running min/max.
The state has a fixed size: it compiles once, vmaps and syncs as sums. The same query
must not be split over two rows: each row is ranked on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import check, is_tracing
from metrix._core.metric import Metric
from metrix._core.state import buffer_init, cat_append, cat_init, leaf, state, stored_masked
from metrix.retrieval._inputs import Options, check_ks, dense_inputs, flat_inputs
from metrix.retrieval._ranking import Ranked, rank_dense, rank_flat

__all__ = [
    "Kernel",
    "QueryMaximum",
    "cutoff_metric",
    "first_value",
    "QueryMinimum",
    "QuerySums",
    "RetrievalSamples",
    "retrieval_metric",
]

_F64 = torch.float64
# (ranked documents, cut-offs) -> (per-query values (num, *shape) float64, empty (num,) bool)
Kernel = Callable[[Ranked, tuple[int | None, ...]], tuple[Tensor, Tensor]]


@state
class RetrievalSamples:
    """Every document seen (flat form), ranked in ``compute``."""

    indexes: Any = leaf("cat")  # int64 (n,) query ids; -1: ignored (target == ignore_index, traced updates)
    preds: Any = leaf("cat")  # float32 (n,) scores
    target: Any = leaf("cat")  # int8 (n,) binary relevance, or float32 (n,) graded relevance (NDCG)


@state
class QuerySums:
    """Dense form, ``aggregation="mean"``: the sum of per-query values and the number of queries."""

    total: Tensor = leaf("sum")  # float64 (*shape): sum of the values of the counted queries
    count: Tensor = leaf("sum")  # int64 (): counted queries


@state
class QueryMinimum:
    """Dense form, ``aggregation="min"``."""

    value: Tensor = leaf("min")  # float64 (*shape): smallest per-query value (+inf before any query)
    count: Tensor = leaf("sum")  # int64 (): counted queries


@state
class QueryMaximum:
    """Dense form, ``aggregation="max"``."""

    value: Tensor = leaf("max")  # float64 (*shape): largest per-query value (-inf before any query)
    count: Tensor = leaf("sum")  # int64 (): counted queries


def _empty_message(name: str, what: str) -> str:
    return (
        f"{name}: a query has no {what} target and empty_target_action='error'; choose 'neg', 'pos' or 'skip' "
        "to score such queries 0, 1 or not at all"
    )


def _settle(
    values: Tensor, empty: Tensor, exists: Tensor, opts: Options, name: str, what: str
) -> tuple[Tensor, Tensor]:
    """Apply ``empty_target_action``: returns the per-query values and which queries count."""
    lacking = empty & exists
    if opts.empty_target_action == "error":
        # a chosen behaviour, not an input check: validate_args does not turn it off
        if is_tracing(lacking):
            check(~lacking, _empty_message(name, what))
        elif bool(lacking.any()):
            raise ValueError(_empty_message(name, what))
    fill = 1.0 if opts.empty_target_action == "pos" else 0.0
    shape = (-1,) + (1,) * (values.dim() - 1)
    values = torch.where(lacking.reshape(shape), torch.as_tensor(fill, dtype=values.dtype), values)
    counted = exists & ~lacking if opts.empty_target_action == "skip" else exists
    return values, counted


def aggregate(values: Tensor, counted: Tensor, aggregation: Any) -> Tensor:
    """Aggregate per-query values ``(num, *shape)`` over the counted queries; 0 when none counts."""
    if values.shape[0] == 0:  # no query at all (eager, static shape)
        return torch.zeros(values.shape[1:], dtype=torch.float32, device=values.device)
    n = counted.to(torch.int64).sum()
    shape = (-1,) + (1,) * (values.dim() - 1)
    mask = counted.reshape(shape)
    if callable(aggregation):
        if is_tracing(values):
            raise ValueError(
                "aggregation=<callable> gets the values of the counted queries, a tensor whose length depends on "
                "the data: compute it eagerly, or use 'mean', 'median', 'min' or 'max' under torch.compile/vmap"
            )
        kept = values[counted].to(torch.float32)
        if kept.shape[0] == 0:  # TorchMetrics: 0 when every query is skipped
            return torch.zeros(values.shape[1:], dtype=torch.float32, device=values.device)
        if values.shape[1:] == (1,):  # one value per query: TorchMetrics passes them as (n,), dim=None
            out = aggregation(kept[:, 0], dim=None)
        else:  # one value per query and cut-off (or curve point): reduced along the queries
            out = aggregation(kept, dim=0)
        return torch.as_tensor(out, device=values.device).to(torch.float32).reshape(values.shape[1:])
    if aggregation == "mean":
        out = torch.where(mask, values, 0.0).sum(0) / n.clamp(min=1)
    elif aggregation in ("min", "max"):
        big = torch.tensor(torch.inf if aggregation == "min" else -torch.inf, dtype=values.dtype, device=values.device)
        masked = torch.where(mask, values, big)
        out = masked.amin(0) if aggregation == "min" else masked.amax(0)
    else:  # median: the lower middle value, as torch.median
        ordered = torch.where(mask, values, torch.inf).sort(0).values
        middle = ((n - 1).clamp(min=0) // 2).reshape((1,) + (1,) * (values.dim() - 1)).expand(1, *values.shape[1:])
        out = ordered.gather(0, middle).squeeze(0)
    return torch.where(n > 0, out, 0.0).to(torch.float32)


def _chunks(store: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    """The non-empty chunks of eager ``cat`` storage (the first, empty one keeps the dtype)."""
    kept = tuple(c for c in store if c.shape[0])
    return kept or store[:1]


def first_value(ks: tuple[int | None, ...]) -> Callable[[Tensor], Tensor]:
    """The output of a per-cut-off metric: a scalar for one ``top_k``, a ``(K,)`` vector for several."""
    if len(ks) == 1:
        return lambda v: v[0]
    return lambda v: v


def retrieval_metric(
    name: str,
    kernel: Kernel,
    opts: Options,
    *,
    ks: tuple[int | None, ...],
    graded: bool,
    empty_what: str,
    value_shape: tuple[int, ...] | None,
    finish: Callable[[Tensor], Any],
    key: tuple[Any, ...],
) -> Metric:
    """Build a retrieval metric in the form ``opts.dense`` selects.

    Args:
        name: the factory name (errors and the metric's name).
        kernel: per-query values and emptiness from ranked documents.
        opts: the shared options.
        ks: the cut-offs passed to the kernel.
        graded: targets may be any finite relevance (NDCG); otherwise they must be 0/1.
        empty_what: what an empty query lacks, for the error (``"positive"``/``"negative"``).
        value_shape: the shape of one query's value; needed by the dense form (its
            state), ``None`` where it depends on the data (flat curves without ``max_k``).
        finish: maps the aggregated value (float32, ``value_shape``) to the output.
        key: the metric's own configuration (the dense state is per metric).
    """
    score = _Scorer(name, kernel, opts, ks, empty_what)
    if opts.dense:
        if value_shape is None:
            raise ValueError(f"{name}: dense=True needs a fixed number of values per query (pass max_k)")
        return _dense_metric(score, graded, value_shape, finish, key)
    return _flat_metric(score, graded, finish)


@dataclass(frozen=True)
class _Scorer:
    """What both forms do with ranked documents: the kernel, then ``empty_target_action``."""

    name: str
    kernel: Kernel
    opts: Options
    ks: tuple[int | None, ...]
    empty_what: str

    def __call__(self, ranked: Ranked) -> tuple[Tensor, Tensor]:
        """Per-query values ``(num, *shape)`` and which queries count ``(num,)``."""
        values, empty = self.kernel(ranked, self.ks)
        return _settle(values, empty, ranked.exists, self.opts, self.name, self.empty_what)


def _flat_metric(score: _Scorer, graded: bool, finish: Callable[[Tensor], Any]) -> Metric:
    name, opts = score.name, score.opts
    capacity, ignore, va = opts.capacity, opts.ignore_index, opts.validate_args
    target_dtype = torch.float32 if graded else torch.int8

    def init(*, device: Any = None) -> RetrievalSamples:
        if capacity is None:
            return RetrievalSamples(
                cat_init((), torch.int64, device),
                cat_init((), torch.float32, device),
                cat_init((), target_dtype, device),
            )
        return RetrievalSamples(
            buffer_init(capacity, (), torch.int64, device),
            buffer_init(capacity, (), torch.float32, device),
            buffer_init(capacity, (), target_dtype, device),
        )

    def update(s: RetrievalSamples, preds: Tensor, target: Tensor, indexes: Tensor | None = None) -> RetrievalSamples:
        p, t, q = flat_inputs(name, preds, target, indexes, graded=graded, ignore_index=ignore, validate_args=va)
        if ignore is not None:
            ignored = t == ignore
            if is_tracing(p, t, q):
                # fixed shapes: keep the document with query id -1, which never counts
                q = torch.where(ignored, -1, q)
                t = torch.where(ignored, 0, t)
            else:
                keep = ~ignored
                p, t, q = p[keep], t[keep], q[keep]
        return RetrievalSamples(
            cat_append(s.indexes, q.to(torch.int64)),
            cat_append(s.preds, p.to(torch.float32)),
            cat_append(s.target, t.to(target_dtype)),
        )

    def compute(s: RetrievalSamples) -> Any:
        if capacity is None:
            # the chunks as stored (never concatenated whole: see rank_flat)
            q, p, t = _chunks(s.indexes), _chunks(s.preds), _chunks(s.target)
            # eager updates drop ignored documents, traced ones store them with id -1
            valid = None if ignore is None else torch.cat([c >= 0 for c in q])
        else:
            q_all, valid = stored_masked(s.indexes)
            p_all, _ = stored_masked(s.preds)
            t_all, _ = stored_masked(s.target)
            valid = valid & (q_all >= 0)
            q, p, t = (q_all,), (p_all,), (t_all,)
        ranked = rank_flat(p, t, q, valid)
        values, counted = score(ranked)
        del ranked  # the per-document arrays: free them before the aggregation
        return finish(aggregate(values, counted, opts.aggregation))

    key = ("retrieval_samples", graded, ignore, capacity, va)  # every flat metric stores the same documents
    return Metric(init, update, compute, name=name, key=key)


QueryState = QuerySums | QueryMinimum | QueryMaximum  # by aggregation=: mean, min, max


def _dense_metric(
    score: _Scorer,
    graded: bool,
    value_shape: tuple[int, ...],
    finish: Callable[[Tensor], Any],
    key: tuple[Any, ...],
) -> Metric:
    name, opts = score.name, score.opts
    ignore, va, aggregation = opts.ignore_index, opts.validate_args, opts.aggregation

    def init(*, device: Any = None) -> QueryState:
        count = torch.zeros((), dtype=torch.int64, device=device)
        if aggregation == "mean":
            return QuerySums(torch.zeros(value_shape, dtype=_F64, device=device), count)
        if aggregation == "min":
            return QueryMinimum(torch.full(value_shape, torch.inf, dtype=_F64, device=device), count)
        return QueryMaximum(torch.full(value_shape, -torch.inf, dtype=_F64, device=device), count)

    def update(
        s: QueryState, preds: Tensor, target: Tensor, mask: Tensor | None = None, *, indexes: Any = None
    ) -> QueryState:
        if indexes is not None:
            raise TypeError(
                f"{name}.update: dense=True takes (B, L) rows that are whole queries and no indexes; "
                "for documents with query ids build the metric with dense=False"
            )
        p, t, valid = dense_inputs(name, preds, target, mask, graded=graded, ignore_index=ignore, validate_args=va)
        values, counted = score(rank_dense(p, t, valid))
        mask_shape = (-1,) + (1,) * len(value_shape)
        w = counted.reshape(mask_shape)
        count = s.count + counted.to(torch.int64).sum()
        if isinstance(s, QuerySums):  # aggregation="mean"
            return QuerySums(s.total + torch.where(w, values, 0.0).sum(0), count)
        if values.shape[0] == 0:  # an empty batch (static shape): nothing to fold in
            return type(s)(s.value, count)
        if isinstance(s, QueryMinimum):
            return QueryMinimum(torch.minimum(s.value, torch.where(w, values, torch.inf).amin(0)), count)
        return QueryMaximum(torch.maximum(s.value, torch.where(w, values, -torch.inf).amax(0)), count)

    def compute(s: QueryState) -> Any:
        value = s.total / s.count.clamp(min=1) if isinstance(s, QuerySums) else s.value
        return finish(torch.where(s.count > 0, value, 0.0).to(torch.float32))

    return Metric(init, update, compute, name=name, key=("retrieval_dense", name, *key, opts.key, va))


def cutoff_metric(
    name: str,
    kernel: Kernel,
    options: Options,
    top_k: Any,
    *,
    graded: bool = False,
    empty_what: str = "positive",
    extra_key: tuple[Any, ...] = (),
) -> Metric:
    """A metric with one value per query and cut-off ``top_k`` (a scalar, or ``(K,)`` for several ks)."""
    ks = check_ks(top_k)
    return retrieval_metric(
        name,
        kernel,
        options,
        ks=ks,
        graded=graded,
        empty_what=empty_what,
        value_shape=(len(ks),),
        finish=first_value(ks),
        key=(ks, *extra_key),
    )
