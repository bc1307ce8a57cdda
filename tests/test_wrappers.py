"""What the catalogue cannot say about metrix.wrappers.

The multinomial words (exact against a Python reference; the Poisson generator has
tests/test_bootstrap_poisson.py), the bootstrap's
statistics against explicit NumPy resampling, its streams (batching, seeds, ranks),
the stateful wrappers against TorchMetrics' modules over several steps, and errors.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
import torch
import torchmetrics

import metrix
import tests.test_laws as laws
from metrix import aggregation as agg
from metrix import classification as mc
from metrix import regression as mr
from metrix import wrappers as mw
from metrix._core.weights import takes_sample_weight
from metrix.wrappers._bootstrap_poisson import poisson_weights
from metrix.wrappers._random import mix, mix_int, words
from tests.catalogue import Case
from tests.catalogue._case import assert_close, gen, snapshot, unchanged

# ----------------------------------------------------------------------------- the generator


def test_mixer_is_exact_against_python_ints() -> None:
    x = torch.randint(0, 2**31 - 1, (20000,), generator=gen(0), dtype=torch.int64)
    x = torch.cat([x, torch.tensor([0, 1, 2**31 - 1, 2**30])])
    assert mix(x.to(torch.int32)).tolist() == [mix_int(v) for v in x.tolist()]


def test_words_do_not_depend_on_how_a_stream_is_cut() -> None:
    whole = words(5, 0, torch.tensor(0), 100, 7)
    parts = torch.cat([words(5, 0, torch.tensor(a), b - a, 7) for a, b in [(0, 13), (13, 13), (13, 100)]], 1)
    assert torch.equal(whole, parts)
    assert not torch.equal(whole, words(6, 0, torch.tensor(0), 100, 7)), "seeds must give other words"
    assert not torch.equal(whole, words(5, 1, torch.tensor(0), 100, 7)), "streams must give other words"
    far = words(5, 0, torch.tensor(2**31), 100, 7)  # past 2**31 rows: new words, not a repeat
    assert (far == whole).float().mean() < 0.01


# ----------------------------------------------------------------------------- bootstrap statistics


def _numpy_bootstrap(fn, data: tuple[np.ndarray, ...], b: int, rng: np.random.Generator) -> np.ndarray:
    n = len(data[0])
    out = []
    for _ in range(b):
        idx = rng.integers(0, n, n)
        out.append(fn(*(x[idx] for x in data)))
    return np.array(out)


def _pearson(p: np.ndarray, t: np.ndarray) -> float:
    return float(np.corrcoef(p, t)[0, 1])


@pytest.mark.parametrize("strategy", ["poisson", "multinomial"])
@pytest.mark.parametrize(
    ("factory", "fn"),
    [(mr.mean_squared_error, lambda p, t: float(np.mean((p - t) ** 2))), (mr.pearson_corrcoef, _pearson)],
    ids=["mse", "pearson"],
)
def test_bootstrap_matches_numpy_resampling(strategy: str, factory, fn) -> None:
    """B=2000: std within 12% (4 standard errors of a difference of two std estimates, ~2.2% each, plus
    the O(1/n) Poisson-vs-multinomial difference), 95% interval ends within 0.35 std (4 standard errors)."""
    g = gen(2)
    n, b = 300, 2000
    target = torch.randn(n, generator=g, dtype=torch.float64)
    preds = target + torch.randn(n, generator=g, dtype=torch.float64) * 0.8
    m = mw.bootstrap(factory(), num_bootstraps=b, quantile=[0.025, 0.975], raw=True, sampling_strategy=strategy)
    ours = m(preds, target)
    theirs = _numpy_bootstrap(fn, (preds.numpy(), target.numpy()), b, np.random.default_rng(0))
    sd = theirs.std(ddof=1)
    assert abs(float(ours["std"]) / sd - 1) < 0.12, (float(ours["std"]), sd)
    assert abs(float(ours["mean"]) - theirs.mean()) < 0.15 * sd
    lo, hi = np.quantile(theirs, [0.025, 0.975])
    assert abs(float(ours["quantile"][0]) - lo) < 0.35 * sd
    assert abs(float(ours["quantile"][1]) - hi) < 0.35 * sd
    assert ours["raw"].shape == (b,)
    assert_close(ours["std"], ours["raw"].std(), what="std of raw")


def _binned_auroc(p: np.ndarray, t: np.ndarray) -> float:
    return float(mc.binary_auroc(thresholds=50)(torch.from_numpy(p), torch.from_numpy(t)))


@pytest.mark.parametrize(
    ("factory", "fn"),
    [
        (mc.binary_accuracy, lambda p, t: float(np.mean((p > 0.5) == t))),
        (lambda: mc.binary_auroc(thresholds=50), _binned_auroc),
    ],
    ids=["accuracy", "binned-auroc"],
)
def test_bootstrap_of_classification_matches_numpy_resampling(factory, fn) -> None:
    """As above, for classification bases (whole-number Poisson weights on exact counts)."""
    g = gen(4)
    n, b = 300, 2000
    target = torch.randint(0, 2, (n,), generator=g)
    preds = (target * 0.3 + torch.rand(n, generator=g) * 0.7).float()
    m = mw.bootstrap(factory(), num_bootstraps=b, quantile=[0.025, 0.975])
    ours = m(preds, target)
    theirs = _numpy_bootstrap(
        fn, (preds.numpy(), target.numpy()), 400 if fn is _binned_auroc else b, np.random.default_rng(0)
    )
    sd = theirs.std(ddof=1)
    # std within 15% (the NumPy side of the AUROC row has 400 replicates: ~3.5% standard error)
    assert abs(float(ours["std"]) / sd - 1) < 0.15, (float(ours["std"]), sd)
    assert abs(float(ours["mean"]) - theirs.mean()) < 0.2 * sd
    lo, hi = np.quantile(theirs, [0.025, 0.975])
    assert abs(float(ours["quantile"][0]) - lo) < 0.4 * sd
    assert abs(float(ours["quantile"][1]) - hi) < 0.4 * sd


def test_bootstrap_does_not_depend_on_the_batching_on_one_process() -> None:
    g = gen(3)
    p, t = torch.randn(200, generator=g), torch.randn(200, generator=g)
    m = mw.bootstrap(mr.r2_score(), num_bootstraps=16, raw=True)
    one = m(p, t)["raw"]
    s = m.init()
    for a, b in [(0, 17), (17, 17), (17, 150), (150, 200)]:
        s = m.update(s, p[a:b], t[a:b])
    assert_close(m.compute(s)["raw"], one, atol=1e-12, rtol=1e-10, what="batched")


def test_bootstrap_seeds_and_streams() -> None:
    g = gen(4)
    p, t = torch.randn(100, generator=g), torch.randn(100, generator=g)

    def raw(**kw):
        return mw.bootstrap(mr.mean_absolute_error(), num_bootstraps=8, raw=True, std=False, mean=False, **kw)(p, t)[
            "raw"
        ]

    assert torch.equal(raw(seed=1), raw(seed=1)), "reproducible from the seed"
    assert not torch.equal(raw(seed=1), raw(seed=2))
    assert torch.equal(raw(), raw(stream=0)), "the default stream is the rank (0 without a process group)"
    assert not torch.equal(raw(stream=0), raw(stream=1))
    # the replicates differ from each other
    assert len(set(raw().tolist())) == 8


def test_bootstrap_merges_states_of_different_streams() -> None:
    g = gen(5)
    p, t = torch.randn(60, generator=g), torch.randn(60, generator=g)
    a = mw.bootstrap(mr.mean_squared_error(), num_bootstraps=4, raw=True, stream=0)
    b = mw.bootstrap(mr.mean_squared_error(), num_bootstraps=4, raw=True, stream=1)
    merged = metrix.merge(a.update(a.init(), p[:20], t[:20]), b.update(b.init(), p[20:], t[20:]))
    w0 = poisson_weights(0, 0, torch.tensor(0), 20, 4)
    w1 = poisson_weights(0, 1, torch.tensor(0), 40, 4)
    w = torch.cat([w0, w1], 1)
    expected = (w * (p - t).double() ** 2).sum(1) / w.sum(1)
    assert_close(a.compute(merged)["raw"], expected, what="merged streams")


def test_bootstrap_user_weights_multiply_the_resampling_weights() -> None:
    g = gen(6)
    p, t, uw = torch.randn(50, generator=g), torch.randn(50, generator=g), torch.rand(50, generator=g)
    m = mw.bootstrap(mr.mean_absolute_error(), num_bootstraps=5, raw=True)
    w = poisson_weights(0, 0, torch.tensor(0), 50, 5) * uw.double()
    expected = (w * (p - t).abs().double()).sum(1) / w.sum(1)
    assert_close(m(p, t, sample_weight=uw)["raw"], expected, what="user weights")


def test_bootstrap_chunks_large_batches() -> None:
    # B * N above the chunk budget: rows are processed in chunks, with the same draws
    from metrix.wrappers import _bootstrap

    g = gen(7)
    p, t = torch.randn(3000, generator=g), torch.randn(3000, generator=g)
    m = mw.bootstrap(mr.mean_squared_error(), num_bootstraps=4, raw=True)
    old = _bootstrap._CHUNK_VALUES
    try:
        _bootstrap._CHUNK_VALUES = 4 * 700
        chunked = mw.bootstrap(mr.mean_squared_error(), num_bootstraps=4, raw=True)(p, t)["raw"]
    finally:
        _bootstrap._CHUNK_VALUES = old
    assert_close(chunked, m(p, t)["raw"], atol=1e-12, rtol=1e-10, what="chunked")


def test_bootstrap_of_by_group_cuts_keyword_inputs_into_chunks() -> None:
    from metrix.wrappers import _bootstrap

    g = gen(18)
    p, t, groups = (
        torch.randn(900, generator=g),
        torch.randn(900, generator=g),
        torch.randint(0, 2, (900,), generator=g),
    )
    make = lambda: mw.bootstrap(mw.by_group(mr.mean_squared_error(), num_groups=2), num_bootstraps=4, raw=True)  # noqa: E731
    whole = make()(p, t, groups=groups)["raw"]
    old = _bootstrap._CHUNK_VALUES
    try:
        _bootstrap._CHUNK_VALUES = 4 * 250
        chunked = make()(p, t, groups=groups)["raw"]
    finally:
        _bootstrap._CHUNK_VALUES = old
    assert whole.shape == (4, 2)
    assert_close(chunked, whole, atol=1e-12, rtol=1e-10, what="chunked with groups=")


def test_bootstrap_in_a_module_forward_and_compute() -> None:
    g = gen(8)
    p, t = torch.randn(90, generator=g), torch.randn(90, generator=g)
    m = mw.bootstrap(mr.mean_squared_error(), num_bootstraps=6, raw=True)
    mod = metrix.MetricModule(m)
    batch = mod(p[:40], t[:40])
    assert_close(batch["raw"], m(p[:40], t[:40])["raw"], what="forward: the batch's bootstrap")
    mod.update(p[40:], t[40:])
    assert_close(mod.compute()["raw"], m(p, t)["raw"], what="compute: one stream over all batches")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"metric": mr.mean_squared_error(), "num_bootstraps": 1}, ValueError, "num_bootstraps must be an int >= 2"),
        ({"metric": mr.mean_squared_error(), "num_bootstraps": 2.5}, TypeError, "num_bootstraps must be an int >= 2"),
        ({"metric": mr.mean_squared_error(), "quantile": "0.5"}, TypeError, "quantile"),
        ({"metric": mr.mean_squared_error(), "mean": 1}, TypeError, "mean must be a bool"),
        ({"metric": mr.spearman_corrcoef()}, TypeError, "spearman_corrcoef does not take sample_weight"),
        ({"metric": mr.kendall_rank_corrcoef()}, TypeError, "kendall_rank_corrcoef does not take sample_weight"),
        ({"metric": agg.cat()}, TypeError, "cat does not take sample_weight"),
        ({"metric": mr.mean_squared_error(), "sampling_strategy": "jackknife"}, ValueError, "sampling_strategy"),
        ({"metric": mr.mean_squared_error(), "quantile": 1.5}, ValueError, "quantile"),
        ({"metric": mr.mean_squared_error(), "seed": -1}, ValueError, "seed"),
        ({"metric": "mse"}, TypeError, "metric must be a metrix.Metric, got"),
    ],
)
def test_bootstrap_arguments(kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        mw.bootstrap(**kwargs)


# ----------------------------------------------------------------------------- by_group


def test_by_group_with_weights_and_errors() -> None:
    g = gen(9)
    p, t = torch.randn(40, generator=g), torch.randn(40, generator=g)
    groups, w = torch.randint(0, 3, (40,), generator=g), torch.rand(40, generator=g)
    m = mw.by_group(mr.mean_squared_error(), num_groups=3)
    got = m(p, t, groups=groups, sample_weight=w)
    for k in range(3):
        keep = groups == k
        assert_close(got[k], mr.mean_squared_error()(p[keep], t[keep], sample_weight=w[keep]), what=f"group {k}")
    state = m.update(m.init(), p, t, groups=groups)
    snap = snapshot(state)
    with pytest.raises(ValueError, match=r"groups must be in \[0, 3\)"):
        m.update(state, p, t, groups=groups + 1)
    with pytest.raises(TypeError, match="groups must be a torch.Tensor"):
        m.update(state, p, t, groups=[0] * 40)
    assert unchanged(state, snap)
    with pytest.raises(TypeError, match="spearman_corrcoef does not take sample_weight"):
        mw.by_group(mr.spearman_corrcoef(capacity=16), num_groups=2)
    with pytest.raises(ValueError, match="num_groups must be an int >= 1"):
        mw.by_group(mr.mean_squared_error(), num_groups=0)


# ----------------------------------------------------------------------------- classwise


def test_classwise_shares_the_base_state_in_a_collection_and_checks_labels() -> None:
    acc = mc.multiclass_accuracy(num_classes=3, average=None)
    c = metrix.collection({"acc": acc, "per_class": mw.classwise(acc, labels=["a", "b", "c"])})
    assert len(c.init()) == 1, "classwise has the base metric's key: one shared state"
    p, t = torch.tensor([0, 1, 2, 2]), torch.tensor([0, 1, 1, 2])
    out = c(p, t)
    assert_close(out["per_class"], {f"multiclassaccuracy_{k}": v for k, v in zip("abc", out["acc"])})
    with pytest.raises(ValueError, match="2 labels for 3 classes"):
        mw.classwise(acc, labels=["a", "b"])(p, t)
    with pytest.raises(ValueError, match="must return a 1-d tensor"):
        mw.classwise(mc.multiclass_accuracy(num_classes=3))(p, t)
    with pytest.raises(TypeError, match="labels must be a list of str"):
        mw.classwise(acc, labels="abc")


# ----------------------------------------------------------------------------- minmax and tracker


def test_minmax_module_matches_torchmetrics_over_steps() -> None:
    g = gen(10)
    ours = metrix.MetricModule(mw.minmax(mc.binary_accuracy()))
    theirs = torchmetrics.wrappers.MinMaxMetric(torchmetrics.classification.BinaryAccuracy())
    for step in range(5):
        p, t = torch.rand(8, generator=g), torch.randint(0, 2, (8,), generator=g)
        ours.update(p, t)
        theirs.update(p, t)
        assert_close(ours.compute(), theirs.compute(), what=f"compute {step}")
    # forward returns the batch value with the extrema recorded so far and records the batch
    # value too (as TorchMetrics' forward does); unlike TorchMetrics 1.9, whose forward resets
    # the base metric's accumulated state, the accumulated value survives
    p, t = torch.rand(8, generator=g), torch.randint(0, 2, (8,), generator=g)
    before = theirs.compute()
    batch = mc.binary_accuracy()(p, t)
    got = ours(p, t)
    assert_close(got["raw"], batch, what="forward value")
    assert_close(got["max"], torch.maximum(before["max"], batch), what="forward max")
    assert_close(got["min"], torch.minimum(before["min"], batch), what="forward min")
    theirs.update(p, t)
    after = ours.compute()
    assert_close(after["raw"], theirs.compute()["raw"], what="accumulated after forward")
    assert float(after["min"]) == min(float(got["min"]), float(after["raw"]))
    # reset clears the extrema, as MinMaxMetric.reset's docstring says (its code keeps them)
    ours.reset()
    p, t = torch.rand(8, generator=g), torch.randint(0, 2, (8,), generator=g)
    ours.update(p, t)
    value = mc.binary_accuracy()(p, t)
    assert_close(ours.compute(), {"raw": value, "max": value, "min": value}, what="after reset")


def test_minmax_track_is_pure_and_refuses_vectors() -> None:
    m = mw.minmax(mr.mean_squared_error())
    s = m.update(m.init(), torch.tensor([1.0]), torch.tensor([0.0]))
    snap = snapshot(s)
    tracked = m.track(s)
    assert unchanged(s, snap)
    assert float(tracked.max) == 1.0 and float(s.max) == -math.inf
    with pytest.raises(TypeError, match="state must be a MinMaxState"):
        m.track(mr.mean_squared_error().init())
    v = mw.minmax(mr.mean_squared_error(num_outputs=2))
    with pytest.raises(ValueError, match="must return a scalar"):
        v(torch.ones(3, 2), torch.zeros(3, 2))


def test_tracker_module_matches_torchmetrics_metric_tracker() -> None:
    g = gen(11)
    ours = metrix.MetricModule(mw.tracker(mc.binary_accuracy(), capacity=8))
    theirs = torchmetrics.wrappers.MetricTracker(torchmetrics.classification.BinaryAccuracy())
    for _epoch in range(4):
        ours.increment()
        theirs.increment()
        for _ in range(3):
            p, t = torch.rand(10, generator=g), torch.randint(0, 2, (10,), generator=g)
            assert_close(ours(p, t), theirs(p, t), what="forward")
        assert_close(ours.compute(), theirs.compute(), what="compute")
    assert_close(ours.compute_all(), theirs.compute_all(), what="compute_all")
    assert ours.best_metric(return_step=True) == theirs.best_metric(return_step=True)
    assert ours.best_metric() == theirs.best_metric()
    assert ours.n_steps() == theirs.n_steps == 4


def test_tracker_collection_maximize_per_key_and_capacity() -> None:
    c = metrix.collection({"mse": mr.mean_squared_error(), "r2": mr.r2_score()})
    t = mw.tracker(c, maximize=[False, True], capacity=3)
    s = t.init()
    values = [(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.5, 2.0])), (torch.arange(3.0), torch.arange(3.0))]
    for p, y in values:
        s = t.update(t.increment(s), p, y)
    best, step = t.best_metric(s, return_step=True)
    assert step == {"mse": 1, "r2": 1} and best["mse"] == 0.0 and best["r2"] == 1.0
    s = t.increment(s)
    snap = snapshot(s)
    with pytest.raises(ValueError, match=r"history is full \(capacity=3 steps\)"):
        t.increment(s)
    assert unchanged(s, snap)
    with pytest.raises(TypeError, match="maximize must be a bool or a non-empty list"):
        mw.tracker(c, maximize="max")


def test_tracker_states_of_two_ranks_merge_step_by_step() -> None:
    g = gen(12)
    t = mw.tracker(mr.mean_absolute_error(), maximize=False, capacity=4)
    data = [(torch.randn(6, generator=g), torch.randn(6, generator=g)) for _ in range(3)]
    a, b, whole = t.init(), t.init(), t.init()
    for p, y in data:
        a, b, whole = t.increment(a), t.increment(b), t.increment(whole)
        a, b, whole = t.update(a, p[:2], y[:2]), t.update(b, p[2:], y[2:]), t.update(whole, p, y)
    assert_close(t.compute_all(metrix.merge(a, b)), t.compute_all(whole), what="merged history")


# ----------------------------------------------------------------------------- multioutput, multitask, transforms


def test_multioutput_drops_nan_rows_of_an_unweighted_base_in_eager() -> None:
    g = gen(13)
    p, t = torch.rand(30, 3, generator=g), torch.rand(30, 3, generator=g)
    p = torch.where(torch.rand(30, 3, generator=g) < 0.2, torch.nan, p)
    ours = mw.multioutput(mr.spearman_corrcoef(capacity=64), num_outputs=3)  # ranks take no weights
    theirs = torchmetrics.wrappers.MultioutputWrapper(torchmetrics.regression.SpearmanCorrCoef(), num_outputs=3)
    assert_close(ours(p, t), theirs(p, t), what="eager NaN removal")
    with pytest.raises(RuntimeError, match="pass remove_nans=False under torch.compile/vmap"):
        torch.func.vmap(ours.update)(metrix.stack([ours.init(), ours.init()]), torch.stack([p, p]), torch.stack([t, t]))


def test_multioutput_keeps_the_output_dim_when_asked() -> None:
    g = gen(14)
    p, t = torch.randn(20, 2, generator=g), torch.randn(20, 2, generator=g)
    kept = mw.multioutput(mr.mean_squared_error(num_outputs=1), num_outputs=2, squeeze_outputs=False)
    squeezed = mw.multioutput(mr.mean_squared_error(), num_outputs=2)
    assert_close(kept(p, t), squeezed(p, t), what="(N, 1) slices")
    with pytest.raises(ValueError, match="has no output_dim=2"):
        mw.multioutput(mr.mean_squared_error(), num_outputs=2, output_dim=2)(p, t)


def test_multitask_errors_leave_the_state_untouched() -> None:
    m = mw.multitask({"a": mr.mean_squared_error(), "b": mr.mean_absolute_error()})
    s = m.update(m.init(), {"a": torch.ones(2), "b": torch.ones(2)}, {"a": torch.zeros(2), "b": torch.zeros(2)})
    snap = snapshot(s)
    with pytest.raises(ValueError, match=r"task_targets must have one entry per task \['a', 'b'\]; missing \['b'\]"):
        m.update(s, {"a": torch.ones(2), "b": torch.ones(2)}, {"a": torch.zeros(2)})
    with pytest.raises(ValueError, match=r"unknown \['c'\]"):
        m.update(s, {"a": torch.ones(2), "b": torch.ones(2), "c": torch.ones(2)}, {"a": torch.ones(2)})
    assert unchanged(s, snap)
    with pytest.raises(TypeError, match="must be a metrix.Metric"):
        mw.multitask({"a": "mse"})


def test_input_transform_arguments() -> None:
    with pytest.raises(TypeError, match="transform_pred must be callable"):
        mw.lambda_input(mr.mean_squared_error(), transform_pred=3)
    with pytest.raises(TypeError, match="threshold must be an int or float"):
        mw.binary_target(mc.binary_accuracy(), threshold="0.5")
    m = mw.binary_target(mc.binary_accuracy(), threshold=0.5)
    assert pickle.loads(pickle.dumps(m))(torch.tensor([0.9, 0.1]), torch.tensor([1, 0])) == 1.0


# ----------------------------------------------------------------------------- arithmetic


def _pair(g, n):
    return torch.randn(n, generator=g), torch.randn(n, generator=g)


def _binary(g, n):
    return torch.rand(n, generator=g), torch.randint(0, 2, (n,), generator=g)


OPERATORS = [
    ("add", lambda a, b: a + b, torch.add),
    ("sub", lambda a, b: a - b, torch.sub),
    ("mul", lambda a, b: a * b, torch.mul),
    ("div", lambda a, b: a / b, torch.div),
    ("lt", lambda a, b: a < b, torch.lt),
    ("ge", lambda a, b: a >= b, torch.ge),
]


@pytest.mark.parametrize(("name", "op", "fn"), OPERATORS, ids=[o[0] for o in OPERATORS])
def test_operators_between_metrics(name, op, fn) -> None:
    mse, mae = mr.mean_squared_error(), mr.mean_absolute_error()
    p, t = _pair(gen(15), 30)
    assert_close(op(mse, mae)(p, t), fn(mse(p, t), mae(p, t)), what=name)


def test_operators_with_numbers_and_unary() -> None:
    acc = mc.binary_accuracy()
    p, t = _binary(gen(16), 30)
    a = acc(p, t)
    cases = {
        "1 - acc": (1 - acc, 1 - a),
        "acc * 100": (acc * 100, a * 100),
        "2 ** acc": (2**acc, 2**a),
        "acc ** 2": (acc**2, a**2),
        "acc // 0.3": (acc // 0.3, a // 0.3),
        "acc % 0.3": (acc % 0.3, a % 0.3),
        "-acc": (-acc, -a),
        "abs(-acc)": (abs(-acc), a),
        "+acc": (+acc, a),
        "acc > 0.5": (acc > 0.5, a > 0.5),
        "0.5 < acc": (0.5 < acc, a > 0.5),
    }
    for what, (metric, expected) in cases.items():
        assert_close(metric(p, t), expected, what=what)
    with pytest.raises(TypeError):
        acc + "x"


def test_composed_members_with_equal_keys_share_one_state() -> None:
    mse, rmse = mr.mean_squared_error(), mr.mean_squared_error(squared=False)
    m = rmse - mse
    assert len(m.init()) == 1
    p, t = _pair(gen(17), 20)
    assert_close(m(p, t), rmse(p, t) - mse(p, t))
    assert_close(pickle.loads(pickle.dumps(m))(p, t), m(p, t), what="pickled")
    assert_close(pickle.loads(pickle.dumps(1 - m))(p, t), 1 - m(p, t), what="pickled with a constant")


def test_operator_metrics_follow_the_laws() -> None:
    case = Case(
        "abs-mse-minus-mae",
        lambda: abs(mr.mean_squared_error() - 2 * mr.mean_absolute_error()),
        {},
        _pair,
        lambda p, t: (
            torchmetrics.functional.mean_squared_error(p, t) - 2 * torchmetrics.functional.mean_absolute_error(p, t)
        ).abs(),
    )
    laws.test_reference(case)
    laws.test_merge_laws(case)
    laws.test_compile_once(case)
    laws.test_vmap_equals_loop(case)


def test_wrappers_take_sample_weight_exactly_when_their_bases_do() -> None:
    assert takes_sample_weight(mw.minmax(mr.mean_squared_error()))
    assert takes_sample_weight(mw.minmax(mc.binary_accuracy()))
    assert takes_sample_weight(mw.minmax(mc.binary_auroc()))
    assert not takes_sample_weight(mw.minmax(mr.kendall_rank_corrcoef()))
    assert takes_sample_weight(mw.bootstrap(mr.mean_squared_error()))
    assert takes_sample_weight(mr.mean_squared_error() + mr.r2_score())
    assert not takes_sample_weight(mr.mean_squared_error() + mr.kendall_rank_corrcoef())
    assert takes_sample_weight(mw.classwise(mr.mean_squared_error(num_outputs=2)))
    assert not takes_sample_weight(mw.multitask({"a": mr.mean_squared_error()}))
