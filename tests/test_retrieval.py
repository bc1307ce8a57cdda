"""metrix.retrieval beyond the catalogue: the full option grid against TorchMetrics, scikit-learn
per query, dense against flat, and edge cases.

The catalogue (tests/catalogue/retrieval.py) runs every law over each factory; here:

* every ``empty_target_action`` x ``ignore_index`` x ``top_k`` combination of every metric
  against TorchMetrics' class fed the same uneven batches (queries interleaved across
  them, empty batches included) and against "ranks" (shards merged as ``sync`` does);
* scikit-learn's ``ndcg_score``, ``average_precision_score`` and ``roc_auc_score`` query by query;
* the dense form against the flat form on the same documents;
* errors, capacity, ids up to 2**62, collections and the stateful module.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pytest
import torch
import torchmetrics.retrieval as tmr
from sklearn.metrics import average_precision_score, ndcg_score, roc_auc_score

import metrix
from metrix import retrieval as mr
from tests.catalogue._case import assert_close, gen, snapshot, unchanged

# factory, TorchMetrics class, graded, the cut-off argument ("top_k", "max_k" or None), extra kwargs
METRICS = [
    (mr.retrieval_average_precision, tmr.RetrievalMAP, False, "top_k", {}),
    (mr.retrieval_reciprocal_rank, tmr.RetrievalMRR, False, "top_k", {}),
    (mr.retrieval_normalized_dcg, tmr.RetrievalNormalizedDCG, True, "top_k", {}),
    (mr.retrieval_precision, tmr.RetrievalPrecision, False, "top_k", {}),
    (mr.retrieval_precision, tmr.RetrievalPrecision, False, "top_k", {"adaptive_k": True}),
    (mr.retrieval_recall, tmr.RetrievalRecall, False, "top_k", {}),
    (mr.retrieval_hit_rate, tmr.RetrievalHitRate, False, "top_k", {}),
    (mr.retrieval_fall_out, tmr.RetrievalFallOut, False, "top_k", {}),
    (mr.retrieval_r_precision, tmr.RetrievalRPrecision, False, None, {}),
    (mr.retrieval_auroc, tmr.RetrievalAUROC, False, "top_k", {}),
    (mr.retrieval_auroc, tmr.RetrievalAUROC, False, "top_k", {"max_fpr": 0.3}),
    (mr.retrieval_precision_recall_curve, tmr.RetrievalPrecisionRecallCurve, False, "max_k", {}),
    (mr.retrieval_precision_recall_curve, tmr.RetrievalPrecisionRecallCurve, False, "max_k", {"adaptive_k": True}),
    (mr.retrieval_recall_at_fixed_precision, tmr.RetrievalRecallAtFixedPrecision, False, "max_k", {}),
    (
        mr.retrieval_recall_at_fixed_precision,
        tmr.RetrievalRecallAtFixedPrecision,
        False,
        "max_k",
        {"min_precision": 0.5},
    ),
]
IDS = [f"{fn.__name__.removeprefix('retrieval_')}{'-' + str(extra) if extra else ''}" for fn, *_, extra in METRICS]
ACTIONS = ("neg", "pos", "skip", "error")


def documents(seed: int, n: int, *, graded: bool, queries: int = 9) -> tuple[torch.Tensor, ...]:
    """Interleaved documents of ``queries`` queries: scores (some <= 0), relevance with -1 (ignored)."""
    g = gen(seed)
    preds = torch.rand(n, generator=g) * 1.3 - 0.15
    target = torch.randint(0, 4, (n,), generator=g) if graded else (torch.rand(n, generator=g) < 0.3).long()
    target = torch.where(torch.rand(n, generator=g) < 0.1, -1, target)
    return preds, target, torch.randint(0, queries, (n,), generator=g)


def uneven_batches(n: int, seed: int) -> list[tuple[int, int]]:
    g = gen(seed)
    cuts = sorted(torch.randint(0, n + 1, (6,), generator=g).tolist())  # repeats: empty batches
    bounds = [0, *cuts, n]
    return list(itertools.pairwise(bounds))


def tm_run(cls: type, kwargs: dict[str, Any], batches: list[tuple[torch.Tensor, ...]]) -> Any:
    metric = cls(**kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p, t, q in batches:
            ignore = kwargs.get("ignore_index")
            if p.numel() and (ignore is None or bool((t != ignore).any())):  # TorchMetrics refuses empty batches
                metric.update(p, t, indexes=q)
        return metric.compute()


def outcome(fn: Any) -> Any:
    """The value, or the error type and nothing else (both must raise in the same cases)."""
    try:
        return fn()
    except ValueError:
        return ValueError


def compare(got: Any, expected: Any, what: str) -> None:
    if expected is ValueError or got is ValueError:
        assert got is expected, f"{what}: metrix {got!r}, TorchMetrics {expected!r}"
        return
    assert_close(got, expected, atol=1e-6, what=what)


@pytest.mark.parametrize(("fn", "cls", "graded", "cut", "extra"), METRICS, ids=IDS)
def test_every_option_against_torchmetrics(fn: Any, cls: type, graded: bool, cut: str | None, extra: dict) -> None:
    n = 150
    preds, target, indexes = documents(7, n, graded=graded)
    ignored = torch.where(target == -1, 0, target)  # the same data without ignore_index
    spans = uneven_batches(n, 8)
    cuts = [None, 3, 30] if cut else [None]  # 30: longer than any query (adaptive_k)
    checked = 0
    for action, ignore, k in itertools.product(ACTIONS, (None, -1), cuts):
        kwargs = {**extra, "empty_target_action": action, "ignore_index": ignore}
        if cut:
            kwargs[cut] = k
        t = target if ignore is not None else ignored
        batches = [(preds[a:b], t[a:b], indexes[a:b]) for a, b in spans]
        expected = outcome(lambda: tm_run(cls, kwargs, batches))
        m = fn(**kwargs)

        def batched(m: Any = m, batches: list = batches) -> Any:
            s = m.init()
            for p, tt, q in batches:
                s = m.update(s, p, tt, indexes=q)
            return m.compute(s)

        def ranks(m: Any = m, batches: list = batches) -> Any:
            # three "ranks" with uneven shards (one empty); merged as sync concatenates them
            shards = [batches[:1], [], batches[1:]]
            states = []
            for shard in shards:
                s = m.init()
                for p, tt, q in shard:
                    s = m.update(s, p, tt, q)  # indexes by position, as TorchMetrics' update
                states.append(s)
            return m.compute(metrix.merge(*states))

        compare(outcome(batched), expected, f"{kwargs} batched")
        compare(outcome(ranks), expected, f"{kwargs} ranks")
        checked += expected is not ValueError
    assert checked >= len(cuts) * 3  # the grid is not all errors


# ----------------------------------------------------------------------------- scikit-learn


def _per_query(preds: torch.Tensor, target: torch.Tensor, indexes: torch.Tensor) -> list[tuple[np.ndarray, ...]]:
    return [(preds[indexes == q].numpy(), target[indexes == q].numpy()) for q in indexes.unique()]


def test_ndcg_against_sklearn_per_query() -> None:
    g = gen(11)
    n = 400
    preds = torch.randint(0, 6, (n,), generator=g) / 5  # ties: averaged as sklearn does
    target = torch.randint(0, 5, (n,), generator=g)
    indexes = torch.randint(0, 12, (n,), generator=g) * 1000
    for k in (None, 1, 3, 10):
        got = mr.retrieval_normalized_dcg(top_k=k, aggregation="median")(preds, target, indexes)
        values = [ndcg_score(t[None], p[None], k=k) for p, t in _per_query(preds, target, indexes)]
        assert_close(got, torch.tensor(sorted(values)[(len(values) - 1) // 2]), what=f"median ndcg@{k}")  # lower median
        got = mr.retrieval_normalized_dcg(top_k=k)(preds, target, indexes)
        assert_close(got, torch.tensor(np.mean(values)), what=f"ndcg@{k}")
        dense = mr.retrieval_normalized_dcg(top_k=k, dense=True)
        rows_p, rows_t = preds.reshape(40, 10), target.reshape(40, 10)
        expected = np.mean([ndcg_score(t[None], p[None], k=k) for p, t in zip(rows_p.numpy(), rows_t.numpy())])
        assert_close(dense(rows_p, rows_t), torch.tensor(expected), what=f"dense ndcg@{k}")


def test_average_precision_and_auroc_against_sklearn_per_query() -> None:
    g = gen(12)
    n = 500
    preds = torch.rand(n, generator=g) + 0.01  # positive and continuous: sklearn's definitions apply
    target = (torch.rand(n, generator=g) < 0.3).long()
    indexes = torch.randint(0, 15, (n,), generator=g)
    queries = [(p, t) for p, t in _per_query(preds, target, indexes) if 0 < t.sum() < len(t)]
    ap = mr.retrieval_average_precision(empty_target_action="skip")(preds, target, indexes)
    assert_close(ap, torch.tensor(np.mean([average_precision_score(t, p) for p, t in queries])))
    auc = mr.retrieval_auroc(empty_target_action="skip")(preds, target, indexes)
    assert_close(auc, torch.tensor(np.mean([roc_auc_score(t, p) for p, t in queries])))
    auc = mr.retrieval_auroc(empty_target_action="skip", max_fpr=0.4)(preds, target, indexes)
    assert_close(auc, torch.tensor(np.mean([roc_auc_score(t, p, max_fpr=0.4) for p, t in queries])), atol=1e-5)


# ----------------------------------------------------------------------------- dense vs flat

DENSE = [
    (mr.retrieval_average_precision, {"top_k": (1, 3, 8)}),
    (mr.retrieval_reciprocal_rank, {"top_k": 2}),
    (mr.retrieval_normalized_dcg, {"top_k": (2, 4)}),
    (mr.retrieval_precision, {"top_k": (3, 9), "adaptive_k": True}),
    (mr.retrieval_recall, {"top_k": 3, "empty_target_action": "skip"}),
    (mr.retrieval_hit_rate, {"top_k": (1, 2), "aggregation": "min"}),
    (mr.retrieval_fall_out, {"top_k": 4}),
    (mr.retrieval_r_precision, {"aggregation": "max"}),
    (mr.retrieval_auroc, {"top_k": (4, 8), "max_fpr": 0.5}),
    (mr.retrieval_precision_recall_curve, {"max_k": 6, "empty_target_action": "pos"}),
    (mr.retrieval_recall_at_fixed_precision, {"max_k": 6, "min_precision": 0.3}),
]


@pytest.mark.parametrize(("fn", "kwargs"), DENSE, ids=[f.__name__.removeprefix("retrieval_") for f, _ in DENSE])
def test_dense_equals_flat(fn: Any, kwargs: dict) -> None:
    g = gen(13)
    rows, width = 30, 8
    preds = torch.randint(0, 5, (rows, width), generator=g) / 4  # ties: broken by position in both forms
    graded = fn is mr.retrieval_normalized_dcg
    target = torch.randint(0, 3 if graded else 2, (rows, width), generator=g)
    target = torch.where(torch.rand(rows, width, generator=g) < 0.1, -1, target)
    mask = torch.rand(rows, width, generator=g) < 0.8
    mask[3] = False  # a row with no document is no query
    kwargs = {**kwargs, "ignore_index": -1}
    dense, flat = fn(dense=True, **kwargs), fn(**kwargs)
    state = dense.init()
    for a, b in [(0, 7), (7, 7), (7, 30)]:
        state = dense.update(state, preds[a:b], target[a:b], mask[a:b])
    indexes = torch.arange(rows).unsqueeze(1).expand(rows, width)
    expected = flat(preds[mask], target[mask], indexes=indexes[mask])
    assert_close(dense.compute(state), expected, atol=1e-6, what="dense vs flat")
    # no mask: every document counts
    assert_close(dense(preds, target), flat(preds.reshape(-1), target.reshape(-1), indexes.reshape(-1)))


# ----------------------------------------------------------------------------- edge cases


def test_error_action_raises_in_compute_flat_and_in_update_dense() -> None:
    for validate_args in (True, False):  # a chosen behaviour, not an input check
        m = mr.retrieval_average_precision(empty_target_action="error", validate_args=validate_args)
        s = m.update(m.init(), torch.tensor([0.1, 0.2, 0.3]), torch.tensor([0, 1, 0]), indexes=torch.tensor([0, 0, 1]))
        with pytest.raises(ValueError, match="no positive target"):
            m.compute(s)
    d = mr.retrieval_fall_out(dense=True, empty_target_action="error")
    s = d.update(d.init(), torch.rand(2, 3), torch.tensor([[0, 1, 0], [1, 0, 0]]))
    snap = snapshot(s)
    with pytest.raises(ValueError, match="no negative target"):
        d.update(s, torch.rand(2, 3), torch.tensor([[0, 1, 0], [1, 1, 1]]))
    assert unchanged(s, snap)


def test_error_action_raises_under_compile() -> None:
    d = mr.retrieval_fall_out(dense=True, empty_target_action="error")
    compiled = torch.compile(d.update, backend="eager", fullgraph=True)
    with pytest.raises(ValueError, match="no negative target"):
        compiled(d.init(), torch.rand(2, 3), torch.ones(2, 3, dtype=torch.long))


def test_ids_up_to_2_62_rank_as_small_ids() -> None:
    preds, target, indexes = documents(3, 300, graded=True)
    for fn in (mr.retrieval_normalized_dcg, mr.retrieval_auroc, mr.retrieval_precision_recall_curve):
        t = target.clamp(min=0) if fn is mr.retrieval_normalized_dcg else (target > 0).long()
        small = fn()(preds, t, indexes)  # ids < 2**31: one composite sort
        sparse = fn()(preds, t, indexes * 2**58 + 7)  # up to 2**62: two stable sorts
        assert_close(sparse, small, atol=0, what=fn.__name__)
    top = torch.full((3,), 2**62)
    assert mr.retrieval_hit_rate()(torch.rand(3), torch.tensor([0, 1, 0]), top) == 1.0
    with pytest.raises(ValueError, match=r"\[0, 2\*\*62\]"):
        mr.retrieval_hit_rate()(torch.rand(3), torch.tensor([0, 1, 0]), top + 1)


def test_signed_zero_scores_tie() -> None:
    preds = torch.tensor([0.0, -0.0, 0.0, -0.0])
    target = torch.tensor([1, 0, 0, 1])
    got = mr.retrieval_auroc()(preds, target, torch.zeros(4, dtype=torch.long))
    assert_close(got, torch.tensor(0.5))


def test_no_query_gives_zero() -> None:
    m = mr.retrieval_average_precision()
    assert_close(m.compute(m.init()), torch.tensor(0.0))
    all_ignored = mr.retrieval_recall(ignore_index=-1)
    assert_close(all_ignored(torch.rand(3), torch.full((3,), -1), torch.zeros(3, dtype=torch.long)), torch.tensor(0.0))
    dense = mr.retrieval_precision(dense=True)
    assert_close(dense(torch.rand(2, 3), torch.ones(2, 3), torch.zeros(2, 3, dtype=torch.bool)), torch.tensor(0.0))


def test_capacity_overflow_is_an_error() -> None:
    m = mr.retrieval_average_precision(capacity=4)
    s = m.update(m.init(), torch.rand(3), torch.ones(3, dtype=torch.long), torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="capacity=4"):
        m.update(s, torch.rand(2), torch.ones(2, dtype=torch.long), torch.zeros(2, dtype=torch.long))


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="empty_target_action"):
        mr.retrieval_precision(empty_target_action="drop")
    with pytest.raises(ValueError, match="top_k"):
        mr.retrieval_precision(top_k=0)
    with pytest.raises(ValueError, match="top_k"):
        mr.retrieval_recall(top_k=(2, 0))
    with pytest.raises(ValueError, match="aggregation"):
        mr.retrieval_hit_rate(aggregation="sum")
    with pytest.raises(ValueError, match="dense=True keeps only"):
        mr.retrieval_hit_rate(aggregation="median", dense=True)
    with pytest.raises(ValueError, match="max_k is required"):
        mr.retrieval_precision_recall_curve(dense=True)
    with pytest.raises(ValueError, match="max_k is required"):
        mr.retrieval_recall_at_fixed_precision(capacity=10)
    with pytest.raises(ValueError, match="capacity= applies to the flat form"):
        mr.retrieval_auroc(dense=True, capacity=10)
    with pytest.raises(ValueError, match="max_fpr"):
        mr.retrieval_auroc(max_fpr=1.5)
    with pytest.raises(ValueError, match="min_precision"):
        mr.retrieval_recall_at_fixed_precision(min_precision=2.0)
    with pytest.raises(TypeError, match="adaptive_k"):
        mr.retrieval_precision(adaptive_k="yes")
    with pytest.raises(TypeError, match="dense=True takes"):
        mr.retrieval_precision(dense=True)(torch.rand(2, 3), torch.ones(2, 3), indexes=torch.zeros(2, 3))


def test_callable_aggregation_is_refused_under_compile() -> None:
    m = mr.retrieval_recall(capacity=16, aggregation=lambda v, dim=None: v.mean())
    s = m.update(m.init(), torch.rand(4), torch.tensor([0, 1, 1, 0]), torch.tensor([0, 0, 1, 1]))
    assert_close(m.compute(s), torch.tensor(1.0))
    with pytest.raises(Exception, match="aggregation=<callable>"):
        torch.compile(m.compute, backend="eager", fullgraph=True)(s)


def test_flat_metrics_share_one_document_store_in_a_collection() -> None:
    c = metrix.collection(
        {
            "map": mr.retrieval_average_precision(),
            "mrr": mr.retrieval_reciprocal_rank(top_k=3),
            "p@2": mr.retrieval_precision(top_k=2),
            "ndcg": mr.retrieval_normalized_dcg(),  # graded relevance: a store of its own
        }
    )
    state = c.init()
    assert len(state) == 2
    preds, target, indexes = documents(5, 80, graded=False)
    target = target.clamp(min=0)
    state = c.update(state, preds, target, indexes=indexes)
    got = c.compute(state)
    assert_close(got["mrr"], mr.retrieval_reciprocal_rank(top_k=3)(preds, target, indexes))
    assert_close(got["ndcg"], mr.retrieval_normalized_dcg()(preds, target, indexes))


def test_metric_module_forward_and_compute() -> None:
    preds, target, indexes = documents(6, 120, graded=False)
    target = target.clamp(min=0)
    module = metrix.MetricModule(mr.retrieval_average_precision(top_k=5))
    batch = module(preds[:50], target[:50], indexes[:50])
    assert_close(batch, mr.retrieval_average_precision(top_k=5)(preds[:50], target[:50], indexes[:50]))
    module.update(preds[50:], target[50:], indexes=indexes[50:])
    assert_close(module.compute(), tm_run(tmr.RetrievalMAP, {"top_k": 5}, [(preds, target, indexes)]))


def test_distributed_law_splits_queries_across_ranks() -> None:
    """The gloo law shards each flat Case's documents by rank: queries must straddle ranks."""
    from tests.catalogue import CASES
    from tests.test_distributed import SCENARIOS, _bounds, _seed

    flat = [c for c in CASES if c.factory.__module__.startswith("metrix.retrieval") and not c.kwargs.get("dense")]
    assert flat
    for case in flat:
        inputs = case.inputs(gen(_seed(case.id)), case.n)
        indexes = inputs[-1]
        for world, scenarios in SCENARIOS.items():
            for shards in scenarios:
                ranks_of: dict[int, set[int]] = {}
                for rank, shard in enumerate(shards):
                    lo, _, hi = _bounds(shard, case.n)
                    for q in indexes[lo:hi].tolist():
                        ranks_of.setdefault(q, set()).add(rank)
                if len(set().union(*ranks_of.values())) < 2:
                    continue  # one rank holds everything (the other ranks saw nothing)
                straddling = sum(len(r) > 1 for r in ranks_of.values())
                assert straddling >= 2, f"{case.id}, world {world}: only {straddling} queries span ranks"
