"""Catalogue entries for metrix.retrieval (reference: TorchMetrics' retrieval module classes).

Flat cases feed documents of ``QUERIES`` queries in random (interleaved) order, so every
split of the law suite, and every shard of the distributed law, cuts queries across
batches and ranks; the reference is the TorchMetrics class updated with ``indexes`` on
all the data. Scores go slightly below 0 (TorchMetrics never counts a hit at a score
``<= 0`` in AP, MRR, precision and recall), targets leave some queries without a
relevant document (``empty_target_action``), and ``-1`` targets are ``ignore_index``.
Scores are continuous except in the tie cases of the tie-invariant metrics (NDCG,
AUROC without ``top_k``): elsewhere TorchMetrics breaks ties in an unspecified order.

Flat cases pass ``indexes`` by keyword; ``capacity=`` cases (fixed state) pass it by
position, because ``torch.func.vmap`` batches positional arguments only. Dense cases
take ``(rows, L)`` scores, relevance and a mask; their reference is TorchMetrics on the
same documents flattened with the row number as query id (masked documents dropped).
``empty_target_action="error"`` is checked in ``tests/test_retrieval.py``: a shard of
the merge and distributed laws may hold a query without a relevant document.
"""

from __future__ import annotations

from typing import Any

import torch
import torchmetrics.retrieval as tmr

from metrix import retrieval as mr
from tests.catalogue._case import BadInput, Case, quietly

QUERIES = 6
L = 7  # documents per dense row
CAP = 256  # >= the most documents the law suite feeds one state
BIG = 2**40  # query ids far beyond 2**31: the general (two-sort) ranking path


# ----------------------------------------------------------------------------- inputs


def _scores(g: torch.Generator, shape: tuple[int, ...]) -> torch.Tensor:
    return torch.rand(shape, generator=g) * 1.2 - 0.1


def flat_docs(g: torch.Generator, n: int) -> tuple[torch.Tensor, ...]:
    target = (torch.rand(n, generator=g) < 0.35).long()
    return _scores(g, (n,)), target, torch.randint(0, QUERIES, (n,), generator=g)


def flat_docs_ignore(g: torch.Generator, n: int) -> tuple[torch.Tensor, ...]:
    p, t, q = flat_docs(g, n)
    return p, torch.where(torch.rand(n, generator=g) < 0.15, -1, t), q


def flat_docs_big_ids(g: torch.Generator, n: int) -> tuple[torch.Tensor, ...]:
    p, t, q = flat_docs(g, n)
    return p, t.bool(), q * BIG + 2**62 - QUERIES * BIG


def flat_graded(g: torch.Generator, n: int) -> tuple[torch.Tensor, ...]:
    p, _, q = flat_docs(g, n)
    return p, torch.randint(0, 4, (n,), generator=g), q


def flat_graded_ties(g: torch.Generator, n: int) -> tuple[torch.Tensor, ...]:
    _, t, q = flat_graded(g, n)
    return torch.randint(0, 4, (n,), generator=g) / 3, t.float() / 2, q


def flat_ties(g: torch.Generator, n: int) -> tuple[torch.Tensor, ...]:
    _, t, q = flat_docs(g, n)
    return torch.randint(0, 4, (n,), generator=g) / 3, t, q


def dense_rows(g: torch.Generator, n: int) -> tuple[torch.Tensor, ...]:
    target = (torch.rand(n, L, generator=g) < 0.35).long()
    return _scores(g, (n, L)), target, torch.rand(n, L, generator=g) < 0.85


def dense_rows_ignore(g: torch.Generator, n: int) -> tuple[torch.Tensor, ...]:
    p, t, m = dense_rows(g, n)
    return p, torch.where(torch.rand(n, L, generator=g) < 0.15, -1, t), m


def dense_graded(g: torch.Generator, n: int) -> tuple[torch.Tensor, ...]:
    p, _, m = dense_rows(g, n)
    return p, torch.randint(0, 4, (n, L), generator=g), m


def dense_ties(g: torch.Generator, n: int) -> tuple[torch.Tensor, ...]:
    _, t, m = dense_rows(g, n)
    return torch.randint(0, 4, (n, L), generator=g) / 3, t, m


# ----------------------------------------------------------------------------- references


def tm_module(cls: type, **kwargs: Any) -> Any:
    """TorchMetrics' class with ``indexes`` on all the data; a tuple of ``top_k`` gives one value per k."""
    top_k = kwargs.get("top_k")
    if isinstance(top_k, tuple):
        refs = [tm_module(cls, **{**kwargs, "top_k": k}) for k in top_k]
        return lambda *inputs: torch.stack([ref(*inputs) for ref in refs])

    def ref(preds: torch.Tensor, target: torch.Tensor, indexes: torch.Tensor) -> Any:
        if bool((target == kwargs.get("ignore_index", torch.inf)).all()):
            return no_query(cls, kwargs)  # TorchMetrics refuses a batch with no document left
        metric = cls(**kwargs)
        quietly(metric.update, preds, target, indexes=indexes)
        return quietly(metric.compute)

    return ref


def no_query(cls: type, kwargs: dict[str, Any]) -> Any:
    """TorchMetrics' value when no query counts: 0, zero curves, or (0, max_k)."""
    if cls is tmr.RetrievalPrecisionRecallCurve:
        k = kwargs["max_k"]
        return torch.zeros(k), torch.zeros(k), torch.arange(1, k + 1)
    if cls is tmr.RetrievalRecallAtFixedPrecision:
        return torch.tensor(0.0), torch.tensor(kwargs["max_k"])
    return torch.tensor(0.0)


def as_flat(ref: Any) -> Any:
    """A flat reference applied to dense rows: the row number is the query id, masked documents dropped."""

    def dense_ref(preds: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> Any:
        rows = torch.arange(preds.shape[0]).unsqueeze(1).expand_as(preds)
        return ref(preds[mask], target[mask], rows[mask])

    return dense_ref


def keep_largest(values: torch.Tensor, dim: int | None = None) -> torch.Tensor:
    """A callable aggregation (module level, so the metric pickles): the 75% quantile."""
    return torch.quantile(values, 0.75) if dim is None else torch.quantile(values, 0.75, dim=dim)


# ----------------------------------------------------------------------------- bad inputs


def _flat(p: Any = None, t: Any = None, q: Any = None) -> tuple[Any, ...]:
    return (
        torch.rand(4) if p is None else p,
        torch.tensor([0, 1, 1, 0]) if t is None else t,
        torch.tensor([0, 0, 1, 1]) if q is None else q,
    )


FLAT_BAD = [
    BadInput(lambda g: (torch.rand(4), torch.ones(4, dtype=torch.long), None), TypeError, "indexes is required"),
    BadInput(lambda g: _flat(q=torch.zeros(5, dtype=torch.long)), ValueError, "must have the same shape"),
    BadInput(lambda g: _flat(q=torch.zeros(2, 2, dtype=torch.long)), ValueError, "must have the same shape"),
    BadInput(lambda g: _flat(q=torch.tensor([0.0, 0.0, 1.0, 1.0])), TypeError, "indexes must hold integer query ids"),
    BadInput(lambda g: _flat(q=torch.tensor([0, -3, 1, 1])), ValueError, r"query ids in \[0, 2\*\*62\]"),
    BadInput(lambda g: _flat(t=torch.tensor([0, 2, 1, 0])), ValueError, "target must be binary"),
    BadInput(lambda g: _flat(t=torch.tensor([0.0, 0.5, 1.0, 0.0])), ValueError, "target must be binary"),
    BadInput(lambda g: _flat(p=torch.tensor([0.1, float("nan"), 0.3, 0.4])), ValueError, "preds contains NaN"),
    BadInput(lambda g: _flat(p=torch.ones(4, dtype=torch.long)), TypeError, "preds must be a floating point"),
    BadInput(lambda g: ([0.1, 0.2], torch.ones(2), torch.zeros(2)), TypeError, "preds must be a torch.Tensor"),
]
# value checks that must also raise under torch.compile and vmap (fixed-state cases)
FLAT_BAD_TRACED = [
    BadInput(lambda g: _flat(q=torch.tensor([0, -3, 1, 1])), ValueError, r"indexes must be query ids", traced=True),
    BadInput(lambda g: _flat(t=torch.tensor([0, 2, 1, 0])), ValueError, "target must be binary", traced=True),
    BadInput(lambda g: _flat(p=torch.tensor([0.1, float("nan"), 0.3, 0.4])), ValueError, "preds contains", traced=True),
]


def _dense(p: Any = None, t: Any = None, m: Any = None) -> tuple[Any, ...]:
    return (
        torch.rand(2, L) if p is None else p,
        torch.randint(0, 2, (2, L)) if t is None else t,
        torch.ones(2, L, dtype=torch.bool) if m is None else m,
    )


DENSE_BAD = [
    BadInput(lambda g: _dense(m=torch.ones(2, L + 1, dtype=torch.bool)), ValueError, "mask must have the shape"),
    BadInput(lambda g: _dense(m=torch.ones(2, L)), TypeError, "mask must be a bool tensor"),
    BadInput(lambda g: _dense(t=torch.ones(2, L + 1, dtype=torch.long)), ValueError, "target must have the shape"),
    BadInput(lambda g: (torch.rand(L), torch.ones(L, dtype=torch.long), None), ValueError, r"\(B, L\) rows"),
    BadInput(lambda g: _dense(t=torch.full((2, L), 3)), ValueError, "target must be binary", traced=True),
    BadInput(lambda g: _dense(p=torch.full((2, L), float("inf"))), ValueError, "preds contains", traced=True),
]
DENSE_GRADED_BAD = [
    BadInput(lambda g: _dense(m=torch.ones(3, L, dtype=torch.bool)), ValueError, "mask must have the shape"),
    BadInput(lambda g: _dense(t=torch.full((2, L), float("nan"))), ValueError, "target contains NaN", traced=True),
]

# ----------------------------------------------------------------------------- cases

# (factory, TorchMetrics class, graded relevance, extra options of the second flat case)
METRICS = [
    (mr.retrieval_average_precision, tmr.RetrievalMAP, False, {"top_k": 3, "aggregation": "median"}),
    (mr.retrieval_reciprocal_rank, tmr.RetrievalMRR, False, {"top_k": 2, "empty_target_action": "pos"}),
    (mr.retrieval_normalized_dcg, tmr.RetrievalNormalizedDCG, True, {"top_k": 4, "aggregation": "min"}),
    (mr.retrieval_precision, tmr.RetrievalPrecision, False, {"top_k": 12, "adaptive_k": True}),
    (mr.retrieval_recall, tmr.RetrievalRecall, False, {"top_k": 2, "aggregation": "max"}),
    (mr.retrieval_hit_rate, tmr.RetrievalHitRate, False, {"top_k": 1, "empty_target_action": "pos"}),
    (mr.retrieval_fall_out, tmr.RetrievalFallOut, False, {"top_k": 3, "empty_target_action": "neg"}),
    (mr.retrieval_r_precision, tmr.RetrievalRPrecision, False, {"aggregation": "median"}),
    (mr.retrieval_auroc, tmr.RetrievalAUROC, False, {"top_k": 5, "max_fpr": 0.4}),
    (mr.retrieval_precision_recall_curve, tmr.RetrievalPrecisionRecallCurve, False, {"max_k": 4, "adaptive_k": True}),
    (
        mr.retrieval_recall_at_fixed_precision,
        tmr.RetrievalRecallAtFixedPrecision,
        False,
        {"min_precision": 0.3, "max_k": 5},
    ),
]


def _flat_cases() -> list[Case]:
    out = []
    for fn, cls, graded, extra in METRICS:
        name = fn.__name__
        plain, ignoring = (flat_graded, flat_graded) if graded else (flat_docs, flat_docs_ignore)
        out.append(
            Case(
                name,
                fn,
                {},
                plain,
                tm_module(cls),
                keywords=("indexes",),
                fixed_state=False,
                bad_inputs=FLAT_BAD if not graded else FLAT_BAD[:5],
            )
        )
        options = {**extra, "ignore_index": -1, "empty_target_action": extra.get("empty_target_action", "skip")}
        out.append(
            Case(
                f"{name}-{'-'.join(f'{k}={v}' for k, v in extra.items())}-ignore-skip",
                fn,
                options,
                ignoring,
                tm_module(cls, **options),
                keywords=("indexes",),
                fixed_state=False,
            )
        )
    return out


CASES = [
    *_flat_cases(),
    # ids up to 2**62 (sparse, far past 2**31) and bool targets
    Case(
        "retrieval_average_precision-ids-2**62",
        mr.retrieval_average_precision,
        {"top_k": 4},
        flat_docs_big_ids,
        tm_module(tmr.RetrievalMAP, top_k=4),
        keywords=("indexes",),
        fixed_state=False,
    ),
    Case(
        "retrieval_normalized_dcg-ids-2**62",
        mr.retrieval_normalized_dcg,
        {},
        flat_docs_big_ids,
        tm_module(tmr.RetrievalNormalizedDCG),
        keywords=("indexes",),
        fixed_state=False,
    ),
    # tied scores, where the result does not depend on how ties are ordered
    Case(
        "retrieval_normalized_dcg-ties-graded-float",
        mr.retrieval_normalized_dcg,
        {"top_k": 3},
        flat_graded_ties,
        tm_module(tmr.RetrievalNormalizedDCG, top_k=3),
        keywords=("indexes",),
        fixed_state=False,
    ),
    Case(
        "retrieval_auroc-ties",
        mr.retrieval_auroc,
        {},
        flat_ties,
        tm_module(tmr.RetrievalAUROC),
        keywords=("indexes",),
        fixed_state=False,
    ),
    Case(
        "retrieval_auroc-ties-max_fpr",
        mr.retrieval_auroc,
        {"max_fpr": 0.5, "empty_target_action": "pos"},
        flat_ties,
        tm_module(tmr.RetrievalAUROC, max_fpr=0.5, empty_target_action="pos"),
        keywords=("indexes",),
        fixed_state=False,
    ),
    # a callable aggregation (TorchMetrics calls it with dim=None, dim=0 for curves)
    Case(
        "retrieval_hit_rate-callable",
        mr.retrieval_hit_rate,
        {"top_k": 2, "aggregation": keep_largest},
        flat_docs,
        tm_module(tmr.RetrievalHitRate, top_k=2, aggregation=keep_largest),
        keywords=("indexes",),
        fixed_state=False,
    ),
    Case(
        "retrieval_precision_recall_curve-callable",
        mr.retrieval_precision_recall_curve,
        {"max_k": 3, "aggregation": keep_largest},
        flat_docs,
        tm_module(tmr.RetrievalPrecisionRecallCurve, max_k=3, aggregation=keep_largest),
        keywords=("indexes",),
        fixed_state=False,
    ),
    # a vector of cut-offs (one TorchMetrics call per k)
    Case(
        "retrieval_recall-ks",
        mr.retrieval_recall,
        {"top_k": (1, 3, 5)},
        flat_docs,
        tm_module(tmr.RetrievalRecall, top_k=(1, 3, 5)),
        keywords=("indexes",),
        fixed_state=False,
    ),
    # ---- capacity=: fixed buffers (compile once, vmap); indexes by position
    Case(
        "retrieval_average_precision-capacity",
        mr.retrieval_average_precision,
        {"top_k": 3, "ignore_index": -1, "capacity": CAP},
        flat_docs_ignore,
        tm_module(tmr.RetrievalMAP, top_k=3, ignore_index=-1),
        bad_inputs=FLAT_BAD[:2] + FLAT_BAD_TRACED,
    ),
    Case(
        "retrieval_normalized_dcg-capacity-big-ids",
        mr.retrieval_normalized_dcg,
        {"capacity": CAP, "aggregation": "median"},
        flat_docs_big_ids,
        tm_module(tmr.RetrievalNormalizedDCG, aggregation="median"),
    ),
    Case(
        "retrieval_auroc-capacity-max_fpr",
        mr.retrieval_auroc,
        {"max_fpr": 0.5, "empty_target_action": "skip", "capacity": CAP},
        flat_ties,
        tm_module(tmr.RetrievalAUROC, max_fpr=0.5, empty_target_action="skip"),
    ),
    Case(
        "retrieval_recall_at_fixed_precision-capacity",
        mr.retrieval_recall_at_fixed_precision,
        {"min_precision": 0.2, "max_k": 4, "capacity": CAP},
        flat_docs,
        tm_module(tmr.RetrievalRecallAtFixedPrecision, min_precision=0.2, max_k=4),
    ),
    # ---- dense=True: rows are whole queries, fixed sums (compile once, vmap, sync as sums)
    Case(
        "retrieval_average_precision-dense",
        mr.retrieval_average_precision,
        {"dense": True},
        dense_rows,
        as_flat(tm_module(tmr.RetrievalMAP)),
        bad_inputs=DENSE_BAD,
    ),
    Case(
        "retrieval_reciprocal_rank-dense-ks",
        mr.retrieval_reciprocal_rank,
        {"dense": True, "top_k": (1, 3), "ignore_index": -1},
        dense_rows_ignore,
        as_flat(tm_module(tmr.RetrievalMRR, top_k=(1, 3), ignore_index=-1)),
    ),
    Case(
        "retrieval_normalized_dcg-dense-graded",
        mr.retrieval_normalized_dcg,
        {"dense": True, "top_k": (2, 5), "aggregation": "max"},
        dense_graded,
        as_flat(tm_module(tmr.RetrievalNormalizedDCG, top_k=(2, 5), aggregation="max")),
        bad_inputs=DENSE_GRADED_BAD,
    ),
    Case(
        "retrieval_precision-dense-adaptive",
        mr.retrieval_precision,
        {"dense": True, "top_k": 6, "adaptive_k": True, "empty_target_action": "skip"},
        dense_rows,
        as_flat(tm_module(tmr.RetrievalPrecision, top_k=6, adaptive_k=True, empty_target_action="skip")),
    ),
    Case(
        "retrieval_recall-dense",
        mr.retrieval_recall,
        {"dense": True, "top_k": 3, "aggregation": "min", "empty_target_action": "pos"},
        dense_rows,
        as_flat(tm_module(tmr.RetrievalRecall, top_k=3, aggregation="min", empty_target_action="pos")),
    ),
    Case(
        "retrieval_hit_rate-dense",
        mr.retrieval_hit_rate,
        {"dense": True, "top_k": 2},
        dense_rows,
        as_flat(tm_module(tmr.RetrievalHitRate, top_k=2)),
    ),
    Case(
        "retrieval_fall_out-dense",
        mr.retrieval_fall_out,
        {"dense": True, "top_k": 2, "ignore_index": -1},
        dense_rows_ignore,
        as_flat(tm_module(tmr.RetrievalFallOut, top_k=2, ignore_index=-1)),
    ),
    Case(
        "retrieval_r_precision-dense",
        mr.retrieval_r_precision,
        {"dense": True, "empty_target_action": "skip"},
        dense_rows,
        as_flat(tm_module(tmr.RetrievalRPrecision, empty_target_action="skip")),
    ),
    Case(
        "retrieval_auroc-dense-ties",
        mr.retrieval_auroc,
        {"dense": True, "max_fpr": 0.5},
        dense_ties,
        as_flat(tm_module(tmr.RetrievalAUROC, max_fpr=0.5)),
    ),
    Case(
        "retrieval_precision_recall_curve-dense",
        mr.retrieval_precision_recall_curve,
        {"dense": True, "max_k": 5, "empty_target_action": "pos"},
        dense_rows,
        as_flat(tm_module(tmr.RetrievalPrecisionRecallCurve, max_k=5, empty_target_action="pos")),
    ),
    Case(
        "retrieval_recall_at_fixed_precision-dense",
        mr.retrieval_recall_at_fixed_precision,
        {"dense": True, "min_precision": 0.4, "max_k": 5, "adaptive_k": True},
        dense_rows,
        as_flat(tm_module(tmr.RetrievalRecallAtFixedPrecision, min_precision=0.4, max_k=5, adaptive_k=True)),
    ),
]
