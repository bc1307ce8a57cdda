"""Edge cases of the threshold-curve family: scikit-learn cross-checks, storage growth,
fixed-capacity curves under compile/vmap, constructor validation, input formats."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torchmetrics.functional.classification as tmf
from sklearn import metrics as skm

import metrix
from metrix import classification as mc
from metrix._core.state import cat_len
from tests.catalogue._case import assert_close, quietly


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _binary(seed: int, n: int = 200, ties: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    g = _gen(seed)
    p = torch.rand(n, generator=g)
    if ties:
        p = (p * 20).round() / 20
    return p, torch.randint(0, 2, (n,), generator=g)


# ----------------------------------------------------------------------------- scikit-learn


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("max_fpr", [None, 0.2, 0.5, 1.0])
def test_binary_auroc_matches_sklearn(seed: int, max_fpr: float | None) -> None:
    p, t = _binary(seed)
    got = mc.binary_auroc(max_fpr=max_fpr)(p, t)
    expected = skm.roc_auc_score(t.numpy(), p.numpy(), max_fpr=max_fpr)
    assert math.isclose(float(got), expected, rel_tol=1e-5, abs_tol=1e-6)
    capped = mc.binary_auroc(max_fpr=max_fpr, capacity=256)(p, t)
    assert math.isclose(float(capped), expected, rel_tol=1e-5, abs_tol=1e-6)


@pytest.mark.parametrize("seed", [0, 1])
def test_binary_roc_curve_matches_sklearn(seed: int) -> None:
    p, t = _binary(seed)
    fpr, tpr, thr = mc.binary_roc()(p, t)
    sk_fpr, sk_tpr, sk_thr = skm.roc_curve(t.numpy(), p.numpy(), drop_intermediate=False)
    np.testing.assert_allclose(fpr.numpy(), sk_fpr, atol=1e-6)
    np.testing.assert_allclose(tpr.numpy(), sk_tpr, atol=1e-6)
    np.testing.assert_allclose(thr[1:].numpy(), sk_thr[1:], atol=1e-6)  # sklearn starts at +inf, TorchMetrics at 1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_average_precision_matches_sklearn(seed: int) -> None:
    p, t = _binary(seed)
    expected = skm.average_precision_score(t.numpy(), p.numpy())
    assert math.isclose(float(mc.binary_average_precision()(p, t)), expected, rel_tol=1e-5)
    assert math.isclose(float(mc.binary_average_precision(capacity=300)(p, t)), expected, rel_tol=1e-5)


@pytest.mark.parametrize("average", ["macro", "weighted"])
def test_multiclass_auroc_matches_sklearn_ovr(average: str) -> None:
    g = _gen(3)
    probs = torch.randn(150, 5, generator=g).softmax(-1)
    target = torch.randint(0, 5, (150,), generator=g)
    got = mc.multiclass_auroc(5, average=average)(probs, target)
    expected = skm.roc_auc_score(target.numpy(), probs.numpy(), multi_class="ovr", average=average)
    assert math.isclose(float(got), expected, rel_tol=1e-5)


@pytest.mark.parametrize("average", ["macro", "micro", "weighted"])
def test_multilabel_auroc_and_ap_match_sklearn(average: str) -> None:
    g = _gen(4)
    probs = torch.rand(120, 3, generator=g)
    target = torch.randint(0, 2, (120, 3), generator=g)
    got = mc.multilabel_auroc(3, average=average)(probs, target)
    assert math.isclose(float(got), skm.roc_auc_score(target.numpy(), probs.numpy(), average=average), rel_tol=1e-5)
    got = mc.multilabel_average_precision(3, average=average)(probs, target)
    expected = skm.average_precision_score(target.numpy(), probs.numpy(), average=average)
    assert math.isclose(float(got), expected, rel_tol=1e-5)


# ----------------------------------------------------------------------------- exact storage growth


def test_exact_storage_appends_without_copying_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """The eager chunk store stays O(log steps) long and copies each sample O(log steps) times."""
    m = mc.binary_auroc()
    state = m.init()
    copied = 0
    real_cat = torch.cat

    def counting_cat(tensors, *args, **kwargs):
        nonlocal copied
        out = real_cat(tensors, *args, **kwargs)
        copied += out.numel()
        return out

    monkeypatch.setattr(torch, "cat", counting_cat)
    steps, batch = 1024, 8
    g = _gen(5)
    max_chunks = 0
    for _ in range(steps):
        state = m.update(state, torch.rand(batch, generator=g), torch.randint(0, 2, (batch,), generator=g))
        max_chunks = max(max_chunks, len(state.preds))
    monkeypatch.setattr(torch, "cat", real_cat)
    total = steps * batch
    log_steps = math.log2(steps)
    assert max_chunks <= log_steps + 2, f"{max_chunks} chunks after {steps} appends"
    # two leaves (preds, target): each sample copied at most ~log2(steps) times per leaf
    assert copied <= 2 * total * (log_steps + 1), f"copied {copied} elements for {total} samples"
    assert cat_len(state.preds) == total
    expected = quietly(tmf.binary_auroc, *_stack_store(state))
    assert_close(m.compute(state), expected, atol=1e-6)


def _stack_store(state) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.cat(state.preds), torch.cat(state.target)


# ----------------------------------------------------------------------------- fixed-capacity curves


def _dedup(x: torch.Tensor, y: torch.Tensor, keep_last: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Drop consecutive repeated points of a fixed-length curve."""
    same = (x[1:] == x[:-1]) & (y[1:] == y[:-1])
    keep = torch.cat([~same, torch.tensor([True])]) if keep_last else torch.cat([torch.tensor([True]), ~same])
    return x[keep], y[keep]


def test_capacity_roc_is_the_exact_curve_with_repeated_points() -> None:
    p, t = _binary(6, n=100)
    fpr, tpr, thr = mc.binary_roc(capacity=128)(p, t)
    assert fpr.shape == (129,) and thr.shape == (129,)
    exp_fpr, exp_tpr, _ = quietly(tmf.binary_roc, p, t)
    got_fpr, got_tpr = _dedup(fpr, tpr)
    assert_close((got_fpr, got_tpr), _dedup(exp_fpr, exp_tpr))


def test_capacity_pr_curve_is_the_exact_curve_with_repeated_points() -> None:
    p, t = _binary(7, n=100)
    precision, recall, thr = mc.binary_precision_recall_curve(capacity=128)(p, t)
    assert precision.shape == (129,) and thr.shape == (128,)
    exp_p, exp_r, _ = quietly(tmf.binary_precision_recall_curve, p, t)
    assert_close(_dedup(precision, recall), _dedup(exp_p, exp_r))


def test_capacity_curves_compile_once_and_vmap() -> None:
    torch._dynamo.reset()
    m = mc.multiclass_roc(3, capacity=64)
    update = torch.compile(m.update, backend="eager", fullgraph=True)
    compute = torch.compile(m.compute, backend="eager", fullgraph=True)
    g = _gen(8)
    s_c = s_e = m.init()
    for _ in range(3):
        probs, target = torch.randn(16, 3, generator=g).softmax(-1), torch.randint(0, 3, (16,), generator=g)
        s_c, s_e = update(s_c, probs, target), m.update(s_e, probs, target)
    assert_close(compute(s_c), m.compute(s_e))
    # vmap over an ensemble of 2 members equals a loop
    a = mc.binary_auroc(capacity=32)
    stacked = torch.utils._pytree.tree_map(lambda *xs: torch.stack(xs), a.init(), a.init())
    preds, target = torch.rand(2, 20, generator=g), torch.randint(0, 2, (2, 20), generator=g)
    values = torch.func.vmap(a.compute)(torch.func.vmap(a.update)(stacked, preds, target))
    for e in range(2):
        assert_close(values[e], a(preds[e], target[e]))


def test_capacity_overflow_is_an_error() -> None:
    m = mc.binary_auroc(capacity=4)
    with pytest.raises(ValueError, match="capacity"):
        m.update(m.init(), torch.rand(5), torch.randint(0, 2, (5,)))


def test_masked_samples_do_not_affect_the_curve() -> None:
    """ignore_index and unused capacity are masked: the curve equals the one without them."""
    p, t = _binary(9, n=60)
    t_ign = t.clone()
    t_ign[::3] = -1
    keep = t_ign != -1
    for kw in ({}, {"capacity": 100}, {"thresholds": 11}):
        got = mc.binary_average_precision(ignore_index=-1, **kw)(p, t_ign)
        assert_close(got, mc.binary_average_precision(**kw)(p[keep], t[keep]))
        got = mc.binary_auroc(ignore_index=-1, max_fpr=0.4, **kw)(p, t_ign)
        assert_close(got, mc.binary_auroc(max_fpr=0.4, **kw)(p[keep], t[keep]))


# ----------------------------------------------------------------------------- binned state


def test_binned_state_is_fixed_size_float64() -> None:
    m = mc.multiclass_auroc(5, thresholds=17)
    s = m.init()
    # float64 weight sums (whole counts without weights, exact up to 2^53)
    assert s.hist.shape == (18, 5, 2) and s.hist.dtype == torch.float64
    s = m.update(s, torch.randn(300, 5).softmax(-1), torch.randint(0, 5, (300,)))
    assert s.hist.shape == (18, 5, 2) and int(s.hist.sum()) == 300 * 5


@pytest.mark.parametrize("thresholds", [5, [0.1, 0.3, 0.9], torch.tensor([0.0, 0.25, 0.5, 1.0])])
def test_binned_thresholds_forms_match_torchmetrics(thresholds) -> None:
    p, t = _binary(10)
    assert_close(mc.binary_roc(thresholds=thresholds)(p, t), quietly(tmf.binary_roc, p, t, thresholds=thresholds))
    assert_close(
        mc.binary_precision_recall_curve(thresholds=thresholds)(p, t),
        quietly(tmf.binary_precision_recall_curve, p, t, thresholds=thresholds),
    )


# ----------------------------------------------------------------------------- logits / probabilities


def test_input_format_makes_accumulation_batch_independent() -> None:
    g = _gen(11)
    logits = torch.randn(40, generator=g)
    logits[:10] = torch.rand(10, generator=g)  # a first batch of logits that looks like probabilities
    target = torch.randint(0, 2, (40,), generator=g)
    one_shot = quietly(tmf.binary_auroc, logits, target)  # sigmoid applied to all of them
    m = mc.binary_auroc(input_format="logits")
    s = m.update(m.update(m.init(), logits[:10], target[:10]), logits[10:], target[10:])
    assert_close(m.compute(s), one_shot)
    auto = mc.binary_auroc()  # TorchMetrics' per-batch guess: the first batch is taken as probabilities
    s = auto.update(auto.update(auto.init(), logits[:10], target[:10]), logits[10:], target[10:])
    mixed = torch.cat([logits[:10], logits[10:].sigmoid()])
    assert_close(auto.compute(s), quietly(tmf.binary_auroc, mixed, target))


def test_probabilities_format_rejects_scores_outside_unit_interval() -> None:
    m = mc.binary_auroc(input_format="probabilities")
    with pytest.raises(ValueError, match="probabilities"):
        m.update(m.init(), torch.tensor([0.2, 1.5]), torch.tensor([0, 1]))


def test_multiclass_quirk_when_every_target_is_label_zero() -> None:
    probs = torch.randn(10, 3, generator=_gen(12)).softmax(-1)
    target = torch.zeros(10, dtype=torch.long)
    quirk = "the target of a class has no positive samples: its recall is set to 1 at every threshold"
    for avg in ("none", "macro"):
        with pytest.warns(metrix.MetrixWarning, match=f"^multiclass_average_precision: {quirk}"):
            got = mc.multiclass_average_precision(3, average=avg)(probs, target)
        assert_close(got, quietly(tmf.multiclass_average_precision, probs, target, 3, average=avg))
    with pytest.warns(metrix.MetrixWarning, match=f"^multiclass_precision_recall_curve: {quirk}"):
        got = mc.multiclass_precision_recall_curve(3)(probs, target)
    assert_close(got, quietly(tmf.multiclass_precision_recall_curve, probs, target, 3))


def test_curve_metrics_share_a_state_key() -> None:
    assert mc.binary_auroc().key == mc.binary_average_precision().key == mc.binary_roc().key
    assert mc.binary_auroc(thresholds=5).key != mc.binary_auroc().key
    assert mc.multiclass_auroc(3).key == mc.multiclass_recall_at_fixed_precision(3, 0.5).key


def test_dispatchers_pick_the_task() -> None:
    p, t = _binary(13)
    assert_close(mc.auroc("binary", max_fpr=0.3)(p, t), mc.binary_auroc(max_fpr=0.3)(p, t))
    probs = torch.randn(30, 3).softmax(-1)
    target = torch.randint(0, 3, (30,))
    assert_close(
        mc.average_precision("multiclass", num_classes=3)(probs, target),
        quietly(tmf.average_precision, probs, target, "multiclass", num_classes=3),
    )
    assert_close(
        mc.roc("multiclass", thresholds=5, num_classes=3)(probs, target),
        quietly(tmf.roc, probs, target, "multiclass", thresholds=5, num_classes=3),
    )
    assert_close(
        mc.sensitivity_at_specificity("multiclass", 0.5, num_classes=3)(probs, target),
        quietly(tmf.sensitivity_at_specificity, probs, target, "multiclass", 0.5, num_classes=3),
    )
    assert_close(mc.eer("binary")(p, t), quietly(tmf.eer, p, t, "binary"))
    assert_close(mc.logauc("binary")(p, t), quietly(tmf.logauc, p, t, "binary"))
    assert_close(
        mc.precision_recall_curve("multilabel", num_labels=3)(torch.rand(20, 3), torch.randint(0, 2, (20, 3)))[0][
            0
        ].shape[0]
        > 0,
        True,
    )


# ----------------------------------------------------------------------------- constructor validation


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: mc.binary_roc(thresholds=1), ValueError, "thresholds"),
        (lambda: mc.binary_roc(thresholds=[0.5, 0.2]), ValueError, "strictly increasing"),
        (lambda: mc.binary_roc(thresholds=[0.1, 1.5]), ValueError, r"\[0, 1\]"),
        (lambda: mc.binary_roc(thresholds=torch.tensor([[0.1, 0.2]])), ValueError, "1-d"),
        (lambda: mc.binary_roc(thresholds="10"), TypeError, "thresholds"),
        (lambda: mc.binary_auroc(max_fpr=0.0), ValueError, "max_fpr"),
        (lambda: mc.binary_auroc(max_fpr=1.5), ValueError, "max_fpr"),
        (lambda: mc.binary_precision_at_fixed_recall(-0.1), ValueError, "min_recall"),
        (lambda: mc.binary_recall_at_fixed_precision(1.5), ValueError, "min_precision"),
        (lambda: mc.multiclass_sensitivity_at_specificity(3, 2.0), ValueError, "min_specificity"),
        (lambda: mc.multilabel_specificity_at_sensitivity(3, -1.0), ValueError, "min_sensitivity"),
        (lambda: mc.multiclass_auroc(1), ValueError, "num_classes"),
        (lambda: mc.multilabel_auroc(1), ValueError, "num_labels"),
        (lambda: mc.multiclass_auroc(3, average="micro"), ValueError, "average"),
        (lambda: mc.multiclass_roc(3, average="weighted"), ValueError, "average"),
        (lambda: mc.multiclass_roc(3, average="macro", capacity=10), ValueError, "macro"),
        (lambda: mc.binary_auroc(capacity=0), ValueError, "capacity"),
        (lambda: mc.binary_auroc(thresholds=5, capacity=10), ValueError, "capacity"),
        (lambda: mc.binary_auroc(input_format="labels"), ValueError, "input_format"),
        (lambda: mc.binary_auroc(ignore_index=1.5), TypeError, "ignore_index"),
        (lambda: mc.binary_logauc(fpr_range=(0.5, 0.1)), ValueError, "fpr_range"),
        (lambda: mc.auroc("regression"), ValueError, "task"),
        (lambda: mc.binary_roc(thresholds=True), TypeError, "thresholds must be"),
        (lambda: mc.binary_roc(thresholds=[0.1, "0.5"]), TypeError, "thresholds must be"),
        (lambda: mc.binary_roc(thresholds=torch.tensor([1, 2])), TypeError, "floating point"),
        (lambda: mc.binary_auroc(capacity=2.5), TypeError, "capacity must be a positive int"),
        (lambda: mc.binary_auroc(max_fpr="0.5"), TypeError, "max_fpr"),
        (lambda: mc.binary_logauc(fpr_range=[0.1, 0.5]), TypeError, "fpr_range must be a tuple"),
        (lambda: mc.binary_recall_at_fixed_precision(None), TypeError, "min_precision must be a float"),
        (lambda: mc.roc("multiclass"), TypeError, "num_classes must be an int for task='multiclass'"),
    ],
)
def test_bad_constructor_arguments(build, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        build()


def test_validate_args_false_skips_value_checks() -> None:
    m = mc.binary_auroc(validate_args=False)
    m.update(m.init(), torch.rand(4), torch.tensor([0, 1, 2, 0]))  # no error


def test_fixed_point_search_skips_undefined_precision() -> None:
    """Binned thresholds above every score have NaN precision; TorchMetrics' search passes over them."""
    g = _gen(14)
    p, t = torch.rand(30, generator=g) * 0.9, torch.randint(0, 2, (30,), generator=g)
    for min_recall in (0.0, 0.3):
        assert_close(
            mc.binary_precision_at_fixed_recall(min_recall, thresholds=5)(p, t),
            quietly(tmf.binary_precision_at_fixed_recall, p, t, min_recall, thresholds=5),
        )
    low = p * 0.1  # every candidate undefined: NaN at the first one
    assert_close(
        mc.binary_precision_at_fixed_recall(0.0, thresholds=[0.5, 0.9])(low, t),
        quietly(tmf.binary_precision_at_fixed_recall, low, t, 0.0, thresholds=[0.5, 0.9]),
    )


@pytest.mark.parametrize(
    "metric",
    [
        mc.binary_auroc(),
        mc.binary_roc(),
        mc.binary_average_precision(),
        mc.multiclass_auroc(3),
        mc.multiclass_roc(3),
        mc.binary_auroc(capacity=5),
        mc.binary_auroc(thresholds=5),
        mc.binary_eer(),
        mc.binary_logauc(),
        mc.multilabel_logauc(2),
        mc.binary_recall_at_fixed_precision(0.5),
    ],
    ids=lambda m: m.name,
)
def test_compute_on_an_empty_state_does_not_crash(metric) -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        metric.compute(metric.init())
    # no positive (and for ROC no negative) samples: each said once, naming the metric
    assert seen and all(issubclass(w.category, metrix.MetrixWarning) for w in seen)
    assert all(str(w.message).startswith(f"{metric.name}: ") and "has no" in str(w.message) for w in seen)


def test_capacity_curves_keep_their_length_through_merge() -> None:
    """A capacity is configuration: merged (and synced) buffers keep it, so curves keep their length."""
    from metrix._core.state import Buffer

    m = mc.binary_roc(capacity=8)
    a = m.update(m.init(), torch.tensor([0.1, 0.7, 0.4]), torch.tensor([0, 1, 1]))
    merged = metrix.merge(a, m.update(m.init(), torch.tensor([0.3, 0.9]), torch.tensor([0, 1])))
    assert m.compute(merged)[0].shape == (9,)
    assert_close(m.compute(merged), m.compute(m.update(a, torch.tensor([0.3, 0.9]), torch.tensor([0, 1]))))
    # a traced append past the capacity is recorded in count; reading the buffer raises
    overflowed = type(a)(*(Buffer(b.data, b.count + 8) for b in (a.preds, a.target, a.weight)))
    with pytest.raises(ValueError, match="capacity"):
        m.compute(overflowed)


# ----------------------------------------------------------------------------- storage and kernels


def test_exact_state_stores_small_targets() -> None:
    for m, p, t, dtype in [
        (mc.binary_auroc(), torch.rand(10), torch.randint(0, 2, (10,)), torch.int8),
        (mc.multilabel_auroc(3), torch.rand(10, 3), torch.randint(0, 2, (10, 3)), torch.int8),
        (mc.binary_auroc(capacity=16), torch.rand(10), torch.randint(0, 2, (10,)), torch.int8),
        (mc.multiclass_auroc(3), torch.rand(10, 3), torch.randint(0, 3, (10,)), torch.int64),
    ]:
        s = m.update(m.init(), p, t)
        stored = s.target.data if hasattr(s.target, "data") else s.target[0]
        assert stored.dtype == dtype


def test_unvalidated_out_of_range_binary_targets_keep_their_meaning() -> None:
    # validate_args=False: 2 and 300 are valid non-positives, -5 is left out (as int64 storage did)
    p = torch.tensor([0.1, 0.4, 0.35, 0.8, 0.6, 0.2])
    t = torch.tensor([0, 1, 2, 1, 300, -5])
    got = mc.binary_roc(validate_args=False)(p, t)
    keep = t >= 0
    ref = mc.binary_roc()(p[keep], (t[keep] == 1).long())
    assert_close(got, ref)


def test_exact_curves_with_heavy_ties_and_ignored_samples_match_torchmetrics() -> None:
    g = _gen(31)
    p = (torch.rand(3000, generator=g) * 7).round() / 7
    t = torch.randint(0, 2, (3000,), generator=g)
    t[::5] = -1
    for fn, tm_fn in [
        (mc.binary_roc, tmf.binary_roc),
        (mc.binary_precision_recall_curve, tmf.binary_precision_recall_curve),
        (mc.binary_auroc, tmf.binary_auroc),
        (mc.binary_average_precision, tmf.binary_average_precision),
    ]:
        m = fn(ignore_index=-1)
        s = m.init()
        for i in range(0, 3000, 700):  # several stored chunks
            s = m.update(s, p[i : i + 700], t[i : i + 700])
        assert_close(m.compute(s), quietly(tm_fn, p, t, ignore_index=-1))


def test_binned_float64_thresholds_compare_in_float64() -> None:
    # float32 scores just below a float64 threshold that rounds down onto them in float32
    p = torch.tensor([0.3, 0.3, 0.8, 0.05], dtype=torch.float32)
    thr = torch.tensor([0.1, float(p[0]) + 1e-12, 0.7], dtype=torch.float64)
    assert thr.float()[1] == p[0] and thr[1] > p[0].double()
    t = torch.tensor([1, 0, 1, 0])
    s = mc.binary_roc(thresholds=thr).update(mc.binary_roc(thresholds=thr).init(), p, t)
    bins = (thr.unsqueeze(1) <= p.double()).sum(0)
    expect = torch.zeros(4, 1, 2, dtype=torch.float64)
    for b, y in zip(bins.tolist(), t.tolist()):
        expect[b, 0, y] += 1
    assert torch.equal(s.hist, expect)
