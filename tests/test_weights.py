"""The weighted laws, for every Case whose metric takes ``sample_weight=`` (``Case.weighted``).

1. all-ones weights equal no weights;
2. a weight of 0 equals dropping the sample;
3. an integer weight ``k`` equals repeating the sample ``k`` times;
4. with integer weights, merge is a commutative monoid, any batching (empty batches
   included) gives the one-shot value, vmap equals a loop and, for one Case per weighted
   state layout, ``torch.compile`` compiles once and equals eager.

The reference of a weighted variant is the Case's own reference on the inputs with every
sample repeated by its weight, so a classification Case opts in with ``weighted=True``.
Float weights against scikit-learn, SciPy and NumPy are Cases of
``tests/catalogue/weighted.py`` (they run the whole law suite, the gloo law included).
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest
import torch

import metrix
import tests.test_laws as laws
from metrix import aggregation as agg
from metrix import classification as mc
from metrix import regression as mr
from metrix._core.weights import check_sample_weight, takes_sample_weight
from tests.catalogue import CASES, Case
from tests.catalogue._case import assert_close, gen, inputs_len, slice_inputs, snapshot, unchanged

# weighted random shards may be degenerate (a class never predicted under zero weights): the
# MetrixWarning that says so is tested in tests/test_warnings.py, not by these laws
pytestmark = pytest.mark.filterwarnings("ignore::metrix.MetrixWarning")

WEIGHTED = [pytest.param(c, id=c.id) for c in CASES if c.weighted]
# one Case per weighted state layout for the (slower) compile law; the float-weight Cases
# of tests/catalogue/weighted.py compile every weighted factory in test_laws.py
COMPILED = [
    "mse-outputs",
    "wmape",
    "csi",
    "r2",
    "pearson-multi",
    "mean-weighted",
    "max",
    "binary_accuracy-probs",
    "mc70_accuracy-macro",
    "ml_f1-macro-multidim",
    "binary_auroc-binned",
    "multiclass_hinge_loss-one-vs-all",
    "multiclass_calibration_error-probs",
    "multilabel_ranking_loss-probs",
]


def _repeat(inputs: tuple[Any, ...], w: torch.Tensor) -> tuple[Any, ...]:
    """Every per-sample input with sample ``i`` repeated ``w[i]`` times."""
    counts = w.long()
    out = []
    for x in inputs:
        if isinstance(x, torch.Tensor) and x.dim() > 0:
            out.append(x.repeat_interleave(counts, dim=0))
        elif isinstance(x, list):
            out.append([item for item, k in zip(x, counts.tolist()) for _ in range(k)])
        else:
            out.append(x)
    return tuple(out)


def _integer_weights(g: torch.Generator, n: int) -> torch.Tensor:
    return torch.randint(0, 4, (n,), generator=g).to(torch.float32)


def weighted_variant(case: Case) -> Case:
    """The Case with integer weights appended to its inputs; its reference repeats the samples."""

    def inputs(g: torch.Generator, n: int) -> tuple[Any, ...]:
        x = case.inputs(g, n)
        return (*x, _integer_weights(g, inputs_len(x)))

    def reference(*args: Any) -> Any:
        *x, w = args
        return case.reference(*_repeat(tuple(x), w))

    return dataclasses.replace(
        case,
        id=f"{case.id}-int-weights",
        inputs=inputs,
        reference=reference,
        keywords=(*case.keywords, "sample_weight"),
        bad_inputs=(),
        weighted=False,
    )


def _value(case: Case, inputs: tuple[Any, ...], w: torch.Tensor | None) -> Any:
    m = case.metric()
    if w is None:
        return case.value(m, inputs)
    args, kwargs = case.call_args(inputs)
    return m(*args, **kwargs, sample_weight=w)


# ----------------------------------------------------------------------------- the flag


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_weighted_flag_matches_the_metric(case: Case) -> None:
    takes = takes_sample_weight(case.metric())
    if case.rank_streams:
        # resampling (bootstrap) draws by row position: dropping or repeating rows moves the
        # draws of later rows, so the weighted laws cannot hold; its Cases pass weights directly
        return
    if "sample_weight" in case.keywords:
        assert takes and not case.weighted, "a Case that passes sample_weight is already weighted"
    else:
        assert takes == case.weighted, (
            f"{case.id}: the metric {'takes' if takes else 'does not take'} sample_weight; set weighted={takes}"
        )


# ----------------------------------------------------------------------------- laws 1-3


@pytest.mark.parametrize("case", WEIGHTED)
def test_all_ones_weights_equal_no_weights(case: Case) -> None:
    inputs = case.inputs(gen(20), 24)
    ones = torch.ones(inputs_len(inputs))
    assert_close(_value(case, inputs, ones), _value(case, inputs, None), atol=case.atol, rtol=case.rtol)


@pytest.mark.parametrize("case", WEIGHTED)
def test_zero_weight_equals_dropping_the_sample(case: Case) -> None:
    inputs = case.inputs(gen(21), 24)
    n = inputs_len(inputs)
    keep = torch.rand(n, generator=gen(22)) < 0.6
    keep[:3] = True  # R² needs two samples; max/min need one
    w = keep.to(torch.float32)
    assert_close(_value(case, inputs, w), _value(case, _repeat(inputs, w), None), atol=case.atol, rtol=case.rtol)


@pytest.mark.parametrize("case", [c for c in WEIGHTED if c.values[0].weight_repeats])
def test_integer_weight_equals_repeating_the_sample(case: Case) -> None:
    inputs = case.inputs(gen(23), 24)
    w = _integer_weights(gen(24), inputs_len(inputs))
    w[:2] = 2.0
    expected = _value(case, _repeat(inputs, w), None)
    assert_close(_value(case, inputs, w), expected, atol=case.atol, rtol=case.rtol, what="integer weights")
    assert_close(_value(case, inputs, w.long()), expected, atol=case.atol, rtol=case.rtol, what="int64 weights")


# ----------------------------------------------------------------------------- law 4, with weights


@pytest.mark.parametrize("case", WEIGHTED)
def test_merge_laws_with_weights(case: Case) -> None:
    laws.test_merge_laws(weighted_variant(case))


@pytest.mark.parametrize("case", [c for c in WEIGHTED if c.values[0].split_invariant])
def test_split_invariance_with_weights(case: Case) -> None:
    wc = weighted_variant(case)
    m = wc.metric()
    inputs = wc.inputs(gen(25), 20)
    one_shot = m.compute(wc.update(m, m.init(), inputs))
    if case.weight_repeats:
        assert_close(one_shot, wc.reference(*inputs), atol=case.atol, rtol=case.rtol, what="one-shot vs repeated")
    for cuts in ([0, 0, 7, 7, 19], [3, 11], [20, 20]):  # empty batches included
        bounds = [0, *cuts, 20]
        state = m.init()
        shards = []
        for a, b in itertools.pairwise(bounds):
            state = wc.update(m, state, slice_inputs(inputs, a, b))
            shards.append(wc.update(m, m.init(), slice_inputs(inputs, a, b)))
        assert_close(m.compute(state), one_shot, atol=case.atol, rtol=case.rtol, what=f"batches {cuts}")
        merged = metrix.merge(m.init(), *shards)
        assert_close(m.compute(merged), one_shot, atol=case.atol, rtol=case.rtol, what=f"merged shards {cuts}")


@pytest.mark.parametrize("case", [c for c in WEIGHTED if c.values[0].fixed_state and c.values[0].vmap])
def test_vmap_with_weights_equals_loop(case: Case) -> None:
    laws.test_vmap_equals_loop(weighted_variant(case))


@pytest.mark.parametrize("case", [c for c in WEIGHTED if c.id in COMPILED])
def test_compile_once_with_weights(case: Case) -> None:
    laws.test_compile_once(weighted_variant(case))


def test_every_compiled_layout_is_in_the_catalogue() -> None:
    assert set(COMPILED) <= {c.id for c in CASES if c.weighted}


# ----------------------------------------------------------------------------- state, adapters, errors


@pytest.mark.parametrize("case", WEIGHTED)
def test_state_layout_does_not_depend_on_weights(case: Case) -> None:
    m = case.metric()
    inputs = case.inputs(gen(26), 8)
    args, kwargs = case.call_args(inputs)
    plain = m.update(m.init(), *args, **kwargs)
    weighted = m.update(
        m.init(), *args, **kwargs, sample_weight=torch.randint(0, 4, (inputs_len(inputs),)).float()
    )  # whole: counts
    assert metrix.signature(plain) == metrix.signature(weighted) == metrix.signature(m.init())


def test_metric_module_and_one_shot_pass_weights_through() -> None:
    g = gen(27)
    p, t, w = torch.randn(30, generator=g), torch.randn(30, generator=g), torch.rand(30, generator=g)
    m = mr.mean_squared_error()
    expected = m(p, t, sample_weight=w)
    mod = metrix.MetricModule(m)
    mod.update(p[:10], t[:10], sample_weight=w[:10])
    batch = mod(p[10:], t[10:], sample_weight=w[10:])
    assert_close(batch, m(p[10:], t[10:], sample_weight=w[10:]), what="forward batch value")
    assert_close(mod.compute(), expected, what="module")
    reg = metrix.collection({"mse": m, "mae": mr.mean_absolute_error(), "r2": mr.r2_score()})
    assert takes_sample_weight(reg)
    values = reg(p, t, sample_weight=w)
    assert_close(values["mse"], expected, what="collection member")
    assert_close(values["r2"], mr.r2_score()(p, t, sample_weight=w), what="collection member")


def test_collection_with_a_refusing_member_does_not_take_weights() -> None:
    c = metrix.collection({"mse": mr.mean_squared_error(), "tau": mr.kendall_rank_corrcoef()})
    assert not takes_sample_weight(c)
    with pytest.raises(TypeError, match="kendall_rank_corrcoef does not take sample_weight"):
        c(torch.randn(5), torch.randn(5), sample_weight=torch.ones(5))


REFUSE = [
    (mr.kendall_rank_corrcoef, {}, "kendall_rank_corrcoef", (5,)),
    (mr.spearman_corrcoef, {}, "spearman_corrcoef", (5,)),
    (mr.spearman_corrcoef, {"capacity": 16}, "spearman_corrcoef", (5,)),
    (mr.cosine_similarity, {"reduction": "none"}, r"cosine_similarity\(reduction='none'\)", (5, 3)),
    (mr.kl_divergence, {"reduction": "none"}, r"kl_divergence\(reduction='none'\)", (5, 3)),
    (mr.jensen_shannon_divergence, {"reduction": None}, "jensen_shannon_divergence", (5, 3)),
    (mr.critical_success_index, {"threshold": 0.5, "keep_sequence_dim": 0}, "critical_success_index", (5, 3)),
]


@pytest.mark.parametrize(("factory", "kwargs", "name", "shape"), REFUSE)
def test_undefined_weighting_is_a_type_error_naming_the_metric(factory, kwargs, name, shape) -> None:
    m = factory(**kwargs)
    assert not takes_sample_weight(m)
    state = m.update(m.init(), torch.rand(shape), torch.rand(shape))
    snap = snapshot(state)
    with pytest.raises(TypeError, match=f"{name}.* does not take sample_weight"):
        m.update(state, torch.rand(shape), torch.rand(shape), sample_weight=torch.ones(shape[0]))
    assert unchanged(state, snap)


def test_cat_refuses_weights() -> None:
    m = agg.cat()
    assert not takes_sample_weight(m)
    with pytest.raises(TypeError, match="cat does not take sample_weight"):
        m(torch.ones(3), sample_weight=torch.ones(3))


CLASSIFICATION_REFUSE = [
    (mc.binary_accuracy, {"multidim_average": "samplewise"}, r"binary_accuracy\(multidim_average='samplewise'\)"),
    (
        mc.multiclass_f1_score,
        {"num_classes": 3, "multidim_average": "samplewise"},
        r"multiclass_f1_score\(multidim_average='samplewise'\)",
    ),
]


@pytest.mark.parametrize(("factory", "kwargs", "name"), CLASSIFICATION_REFUSE)
def test_samplewise_classification_refuses_weights(factory, kwargs, name) -> None:
    m = factory(**kwargs)
    assert not takes_sample_weight(m)
    p = torch.randint(0, 2, (4, 3))
    state = m.update(m.init(), p, p)
    snap = snapshot(state)
    with pytest.raises(TypeError, match=f"{name} does not take sample_weight: .*one value per sample"):
        m.update(state, p, p, sample_weight=torch.ones(4))
    assert unchanged(state, snap)


def test_counts_and_curves_take_fractional_weights() -> None:
    p, t = torch.tensor([0.9, 0.2, 0.7]), torch.tensor([1, 0, 0])
    m = mc.binary_accuracy()
    assert takes_sample_weight(m)
    # float64 counts: any non-negative weight, scikit-learn's sample_weight (0.5 + 2.0 right of 3.0)
    assert float(m(p, t, sample_weight=torch.tensor([0.5, 0.5, 2.0]))) == pytest.approx(1 / 3)
    # a whole weight in any real dtype counts the sample that many times
    for w in (torch.tensor([3, 0, 2]), torch.tensor([3.0, 0.0, 2.0], dtype=torch.float16)):
        assert float(m(p, t, sample_weight=w)) == pytest.approx(3 / 5)
    # accuracy without num_classes keeps float64 counts too, read by the stat-scores rule: whole
    # weights give the int64 path's value, fractional ones scikit-learn's
    micro = mc.multiclass_accuracy(average="micro")
    labels = (p > 0.5).long()
    assert float(micro(labels, t, sample_weight=torch.tensor([1.0, 0.5, 2.0]))) == pytest.approx(1.5 / 3.5)
    rows = [0, 0, 0, 2, 2]
    assert torch.equal(micro(labels, t, sample_weight=torch.tensor([3, 0, 2])), micro(labels[rows], t[rows]))
    # binned and exact curves hold float64 weight sums: fractional weights are scikit-learn's
    # (the positive 0.5 outranks the negative 0.2 (weight 0.5) but not 0.7 (weight 2): 0.5 / 2.5)
    scores, labels, w = torch.tensor([0.5, 0.2, 0.7]), torch.tensor([1, 0, 0]), torch.tensor([1.0, 0.5, 2.0])
    for curve in (mc.binary_auroc(thresholds=11), mc.binary_auroc()):
        assert float(curve(scores, labels, sample_weight=w)) == pytest.approx(0.2)


def test_multidim_weight_applies_to_every_element_of_its_sample() -> None:
    # (N, M) inputs: sample i weighs w[i] at each of its M positions; ignored positions weigh 0
    p = torch.tensor([[1, 1, 0], [0, 0, 0]])
    t = torch.tensor([[1, 0, -1], [1, 1, 1]])
    w = torch.tensor([2.0, 1.0])
    stat = mc.binary_stat_scores(ignore_index=-1)(p, t, sample_weight=w)
    # sample 0 (x2): one tp, one fp (the third position is ignored); sample 1 (x1): three fn
    assert stat.tolist() == [2, 2, 0, 3, 5]
    rep = mc.binary_stat_scores(ignore_index=-1)(p.repeat_interleave(2, 0)[:3], t.repeat_interleave(2, 0)[:3])
    assert stat.tolist() == rep.tolist()


@pytest.mark.parametrize(
    ("weight", "error", "match"),
    [
        (torch.ones(3, 1), ValueError, r"sample_weight must have shape \(3,\)"),
        (torch.ones(2), ValueError, r"got shape \(2,\)"),
        (torch.tensor([1.0, -0.5, 1.0]), ValueError, "sample_weight must be non-negative, got a minimum of -0.5"),
        (torch.tensor([1.0, float("nan"), 1.0]), ValueError, "sample_weight contains NaN"),
        (torch.tensor([1.0, float("-inf"), 1.0]), ValueError, "sample_weight contains NaN or inf"),
        (torch.ones(3, device="meta"), ValueError, "sample_weight is on meta but the inputs are on cpu"),
        (torch.ones(3, dtype=torch.complex64), TypeError, "sample_weight must be a real"),
        (torch.ones(3, dtype=torch.bool), TypeError, "sample_weight must be a real"),
        ([1.0, 1.0, 1.0], TypeError, "sample_weight must be a torch.Tensor"),
    ],
)
def test_the_shared_weight_check(weight: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        check_sample_weight(weight, torch.zeros(3, 2), "my_metric")
    for m in (mr.mean_squared_error(), mr.pearson_corrcoef(), agg.mean()):
        args = (torch.zeros(3),) if m.name == "mean" else (torch.zeros(3), torch.zeros(3))
        state = m.update(m.init(), *args)
        snap = snapshot(state)
        with pytest.raises(error, match=match.replace("my_metric", m.name)):
            m.update(state, *args, sample_weight=weight)
        assert unchanged(state, snap), "a failed update changed the state"


def test_value_checks_of_weights_are_switchable() -> None:
    w = torch.tensor([2.0, -1.0])
    with pytest.raises(ValueError, match="non-negative"):
        mr.mean_squared_error()(torch.tensor([1.0, 0.0]), torch.zeros(2), sample_weight=w)
    # validate_args=False skips the value checks (shapes are still checked): 2 * 1 / (2 - 1)
    assert (
        float(mr.mean_squared_error(validate_args=False)(torch.tensor([1.0, 0.0]), torch.zeros(2), sample_weight=w))
        == 2.0
    )
    with metrix.validation(False):
        assert float(mr.mean_squared_error()(torch.tensor([1.0, 0.0]), torch.zeros(2), sample_weight=w)) == 2.0
    with pytest.raises(ValueError, match="sample_weight must have shape"):
        mr.mean_squared_error(validate_args=False)(torch.ones(2), torch.zeros(2), sample_weight=torch.ones(3))


def test_the_docs_table_of_weighted_metrics_is_right() -> None:
    """docs/guide/weights.md lists every regression and aggregation factory, in the right column."""
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "guide" / "weights.md").read_text()
    required = {"minkowski_distance": {"p": 2}, "critical_success_index": {"threshold": 0.5}}
    for family, module in (("regression", mr), ("aggregation", agg)):
        row = next(line for line in page.splitlines() if line.startswith(f"| {family} |"))
        _, takes, refuses = (cell.strip() for cell in row.strip().strip("|").split("|"))
        take_names = set(re.findall(r"`(\w+)`", takes))
        refuse_names = set(re.findall(r"`(\w+)`", refuses.split("(")[0] if family == "aggregation" else refuses))
        public = {n for n in dir(module) if not n.startswith("_") and callable(getattr(module, n))}
        assert public <= take_names | refuse_names, f"{family}: not in the table: {public - take_names - refuse_names}"
        for name in public & take_names:
            assert takes_sample_weight(getattr(module, name)(**required.get(name, {}))), name
        for name in public & refuse_names - take_names:
            assert not takes_sample_weight(getattr(module, name)(**required.get(name, {}))), name


def test_the_docs_table_row_for_classification_is_generated_from_the_code() -> None:
    """docs/guide/weights.md holds the row ``python -m tests.tools.weights_table`` prints."""
    from pathlib import Path

    from tests.tools.weights_table import row

    page = (Path(__file__).resolve().parent.parent / "docs" / "guide" / "weights.md").read_text()
    assert row() in page.splitlines(), "regenerate the row: python -m tests.tools.weights_table"


def test_every_weighted_classification_factory_has_a_weighted_case() -> None:
    from tests.tools.weights_table import REFUSES, statuses

    covered = {c.factory.__name__ for c in CASES if c.weighted or "sample_weight" in c.keywords}
    missing = [name for name, st in statuses().items() if st != REFUSES and name not in covered]
    assert not missing, f"weighted classification factories without a weighted Case: {missing}"


def test_metric_module_passes_weights_to_classification() -> None:
    g = gen(28)
    p, t = torch.rand(30, generator=g), torch.randint(0, 2, (30,), generator=g)
    w = torch.randint(0, 3, (30,), generator=g).float()
    m = mc.binary_f1_score()
    mod = metrix.MetricModule(m)
    mod.update(p[:10], t[:10], sample_weight=w[:10])
    batch = mod(p[10:], t[10:], sample_weight=w[10:])
    assert_close(batch, m(p[10:], t[10:], sample_weight=w[10:]), what="forward batch value")
    rep = w.long()
    assert_close(mod.compute(), m(p.repeat_interleave(rep), t.repeat_interleave(rep)), what="module vs repeated")


# ----------------------------------------------------------------------------- fractional weights (stat scores)


def _fractional_inputs(n: int = 60):
    g = gen(29)
    return (
        torch.randn(n, 4, generator=g),
        torch.randint(0, 4, (n,), generator=g),
        torch.rand(n, generator=g) * 3,  # any real weight, not dyadic
    )


def _split_value(m, p, t, w):
    """The value over uneven batches, an empty one included, merged from two shards."""
    cuts = [0, 7, 7, 31, len(t)]
    shards = []
    for a, b in itertools.pairwise(cuts):
        shards.append(m.update(m.init(), p[a:b], t[a:b], sample_weight=w[a:b]))
    return m.compute(metrix.merge(m.init(), *shards))


def test_fractional_weights_against_scikit_learn_over_uneven_batches() -> None:
    import numpy as np
    import sklearn.metrics as skm

    p, t, w = _fractional_inputs()
    yt, yp, sw = t.numpy(), p.argmax(1).numpy(), w.double().numpy()
    labels = list(range(4))
    cm = skm.confusion_matrix(yt, yp, labels=labels, sample_weight=sw)
    expected = {
        "accuracy": (mc.multiclass_accuracy(4, average="micro"), skm.accuracy_score(yt, yp, sample_weight=sw)),
        "f1": (mc.multiclass_f1_score(4), skm.f1_score(yt, yp, average="macro", sample_weight=sw)),
        "kappa": (
            mc.multiclass_cohen_kappa(4, weights="quadratic"),
            skm.cohen_kappa_score(yt, yp, weights="quadratic", sample_weight=sw),
        ),
        "mcc": (mc.multiclass_matthews_corrcoef(4), skm.matthews_corrcoef(yt, yp, sample_weight=sw)),
        "jaccard": (mc.multiclass_jaccard_index(4), skm.jaccard_score(yt, yp, average="macro", sample_weight=sw)),
        "recall70": (
            mc.multiclass_recall(70, average="weighted"),
            skm.recall_score(yt, yp, average="weighted", sample_weight=sw),
        ),
        "confmat": (mc.multiclass_confusion_matrix(4), cm),
        "confmat-true": (mc.multiclass_confusion_matrix(4, normalize="true"), cm / cm.sum(1, keepdims=True)),
    }
    for name, (m, ref) in expected.items():
        args = (p.argmax(1), t, w) if name == "recall70" else (p, t, w)
        got = _split_value(m, *args)
        # rates keep TorchMetrics' float32; fractional counts are float64, as scikit-learn's
        assert got.dtype == (torch.float64 if name == "confmat" else torch.float32), name
        assert_close(got, torch.as_tensor(np.asarray(ref)), rtol=1e-5, atol=1e-6, what=name)
    tn, fp, fn, tp = skm.confusion_matrix(yt == 2, yp == 2, sample_weight=sw).ravel()
    binary = mc.binary_stat_scores()((p.argmax(1) == 2).long(), (t == 2).long(), sample_weight=w)
    assert binary.dtype == torch.float64
    assert_close(binary, torch.tensor([tp, fp, tn, fn, tp + fn]), what="binary stat scores")
    mcc = mc.binary_matthews_corrcoef()((p.argmax(1) == 2).long(), (t == 2).long(), sample_weight=w)
    assert_close(mcc, torch.tensor(skm.matthews_corrcoef(yt == 2, yp == 2, sample_weight=sw)), what="binary mcc")


def test_whole_weights_keep_int64_counts_and_unweighted_dtypes() -> None:
    p, t, w = _fractional_inputs()
    cm = mc.multiclass_confusion_matrix(4)
    assert cm(p, t).dtype == cm(p, t, sample_weight=w.round()).dtype == torch.int64
    state = cm.update(cm.update(cm.init(), p, t, sample_weight=w.round()), p, t)
    assert cm.compute(state).dtype == torch.int64
    # one fractional batch makes the merged counts fractional, and the output float64
    frac = cm.update(cm.init(), p[:5], t[:5], sample_weight=w[:5])
    assert not torch.equal(frac.confmat, frac.confmat.round())
    assert cm.compute(metrix.merge(state, frac)).dtype == torch.float64
    # the rule reads the final counts: fractional weights that add up to whole counts give int64 counts,
    # with the exact values (split invariance holds: the counts do not depend on the batches)
    halves = cm.update(
        cm.update(cm.init(), p, t, sample_weight=torch.full_like(w, 0.5)), p, t, sample_weight=torch.full_like(w, 0.5)
    )
    assert torch.equal(cm.compute(halves), cm(p, t))


def test_threads_computing_whole_and_fractional_counts_do_not_share_a_mode() -> None:
    # Each compute learns from its own state whether the counts are whole: with a shared
    # mode (a module-global toggle, as before), a thread computing fractional counts made
    # another thread's whole counts come out float64 now and then.
    import threading

    p, t, w = _fractional_inputs()
    cm = mc.multiclass_confusion_matrix(4)
    whole, frac = cm.update(cm.init(), p, t), cm.update(cm.init(), p, t, sample_weight=w)
    seen: list[torch.dtype] = []

    def run(state, n=400):
        seen.extend(cm.compute(state).dtype for _ in range(n))

    threads = [threading.Thread(target=run, args=(s,)) for s in (whole, frac, whole, frac)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert seen.count(torch.int64) == seen.count(torch.float64) == 800


def test_fractional_counts_cannot_be_int64_inside_compile_or_vmap() -> None:
    p, t, w = _fractional_inputs()
    cm = mc.multiclass_confusion_matrix(4)
    state = cm.update(cm.init(), p, t, sample_weight=w)
    torch._dynamo.reset()
    with pytest.raises(Exception, match="multiclass_confusion_matrix: the counts are fractional"):
        torch.compile(cm.compute, backend="eager", fullgraph=True)(state)
    stacked = pytree_stack([state, state])
    with pytest.raises(ValueError, match="the counts are fractional"):
        torch.func.vmap(cm.compute)(stacked)
    # rates are selected with torch.where: compile and vmap give the eager value
    f1 = mc.multiclass_f1_score(4)
    s = f1.update(f1.init(), p, t, sample_weight=w)
    compiled = torch.compile(f1.compute, backend="eager", fullgraph=True)(s)
    assert torch.equal(compiled, f1.compute(s))
    assert torch.equal(torch.func.vmap(f1.compute)(pytree_stack([s, s]))[1], f1.compute(s))


def pytree_stack(states: list) -> Any:
    from torch.utils import _pytree as pytree

    return pytree.tree_map(lambda *xs: torch.stack(xs), *states)


def test_fractional_weights_calibration_error_against_numpy() -> None:
    import numpy as np

    g = gen(30)
    probs = torch.randn(80, 3, generator=g).softmax(1)
    target = torch.randint(0, 3, (80,), generator=g)
    w = torch.rand(80, generator=g) * 2
    conf, pred = probs.max(1)
    n_bins = 5
    bounds = np.linspace(0, 1, n_bins + 1, dtype=np.float32)
    idx = np.clip(np.searchsorted(bounds, conf.numpy(), side="right") - 1, 0, n_bins)
    wd, cd, ok = w.double().numpy(), conf.double().numpy(), (pred == target).double().numpy()
    ece = 0.0
    for b in range(n_bins + 1):
        sel = idx == b
        if wd[sel].sum() > 0:
            gap = (wd[sel] * ok[sel]).sum() / wd[sel].sum() - (wd[sel] * cd[sel]).sum() / wd[sel].sum()
            ece += abs(gap) * wd[sel].sum() / wd.sum()
    m = mc.multiclass_calibration_error(3, n_bins=n_bins)
    assert_close(_split_value(m, probs, target, w), torch.tensor(ece), what="weighted ECE")
