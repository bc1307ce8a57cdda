"""Multiclass stat scores at many classes: O(C) states, no C² temporary, both sides of the C×C crossover."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import torch
import torchmetrics.functional.classification as tmf

import metrix
from metrix import classification as mc
from metrix.classification import _stat_scores_state as states
from metrix.classification._stat_scores_counting import SMALL_C, class_counts
from tests.catalogue._case import assert_close, gen, leaves, quietly


def _state_bytes(metric: metrix.Metric) -> int:
    return sum(x.numel() * x.element_size() for x in leaves(metric.init()))


def test_state_sizes_at_32000_classes() -> None:
    c = 32000
    # token accuracy: two float64 counts, whatever the vocabulary
    assert _state_bytes(mc.multiclass_accuracy(num_classes=c, average="micro")) == 16
    assert _state_bytes(mc.accuracy("multiclass", num_classes=c)) == 16  # the dispatcher's default is micro
    # per-class averages: hits, predicted and actual per class
    for metric in (
        mc.multiclass_accuracy(num_classes=c),
        mc.multiclass_f1_score(num_classes=c, average="weighted"),
        mc.multiclass_stat_scores(num_classes=c, average=None, top_k=5, ignore_index=0),
        mc.multiclass_matthews_corrcoef(num_classes=c),
        mc.multiclass_cohen_kappa(num_classes=c),
        mc.multiclass_jaccard_index(num_classes=c),
    ):
        assert _state_bytes(metric) == 3 * c * 8 <= 5 * c * 8, metric.name


def test_the_state_switches_from_the_matrix_to_class_counts_above_small_c() -> None:
    assert type(mc.multiclass_precision(SMALL_C).init()) is states.MulticlassConfusionMatrixState
    assert type(mc.multiclass_precision(SMALL_C + 1).init()) is states.MulticlassStatScoresState
    assert type(mc.multiclass_precision(SMALL_C + 1, average="micro").init()) is states.MulticlassMicroStatScoresState
    # the confusion matrix and weighted kappa keep the matrix at any C
    assert type(mc.multiclass_confusion_matrix(SMALL_C + 1).init()) is states.MulticlassConfusionMatrixState
    assert (
        type(mc.multiclass_cohen_kappa(SMALL_C + 1, weights="linear").init()) is states.MulticlassConfusionMatrixState
    )
    # samplewise keeps one row per sample either way
    assert (
        type(mc.multiclass_recall(SMALL_C + 1, multidim_average="samplewise").init())
        is states.SamplewiseStatScoresState
    )


NAMES = ["accuracy", "precision", "recall", "f1_score", "specificity", "negative_predictive_value", "hamming_distance"]


@pytest.mark.parametrize("c", [SMALL_C, SMALL_C + 1], ids=["matrix", "class_counts"])
@pytest.mark.parametrize("options", [{}, {"top_k": 2}, {"ignore_index": -1}, {"ignore_index": 1}], ids=str)
def test_both_sides_of_the_crossover_match_torchmetrics(c: int, options: dict) -> None:
    g = gen(21)
    p, t = torch.randn(300, c, generator=g), torch.randint(0, c // 3, (300,), generator=g)
    if options.get("ignore_index") == -1:
        t = torch.where(torch.rand(300, generator=g) < 0.2, -1, t)
    for name in NAMES:
        for average in ("micro", "macro", "weighted", None):
            kw = {**options, "average": average}
            got = getattr(mc, f"multiclass_{name}")(c, **kw)(p, t)
            assert_close(got, quietly(getattr(tmf, f"multiclass_{name}"), p, t, c, **kw), what=f"{name} {kw}")
    for name in ("jaccard_index", "matthews_corrcoef", "cohen_kappa"):
        kw = {k: v for k, v in options.items() if k != "top_k"}
        got = getattr(mc, f"multiclass_{name}")(c, **kw)(p, t)
        assert_close(got, quietly(getattr(tmf, f"multiclass_{name}"), p, t, c, **kw), what=f"{name} {kw}")


def test_class_counts_equal_the_confusion_matrix_marginals() -> None:
    g = gen(22)
    c = 90
    pred, target = torch.randint(0, c, (1000, 3), generator=g), torch.randint(0, c, (1000, 3), generator=g)
    weight = (torch.rand(1000, 3, generator=g) < 0.8).long()
    cm = torch.zeros(c, c, dtype=torch.int64).index_put_(
        (target.reshape(-1), pred.reshape(-1)), weight.reshape(-1), accumulate=True
    )
    expected = torch.stack([cm.diagonal(), cm.sum(0), cm.sum(1)])
    assert torch.equal(class_counts(c, pred, target, weight), expected)
    # the traced kernel (scatter_add) gives the same counts as the eager one (bincount)
    traced = torch.func.vmap(lambda p, t, w: class_counts(c, p, t, w))(pred[None], target[None], weight[None])[0]
    assert torch.equal(traced, expected)


def test_collections_share_one_state_per_kind() -> None:
    c = SMALL_C + 6
    members = {
        "acc": mc.multiclass_accuracy(c),
        "f1": mc.multiclass_f1_score(c, average="weighted"),
        "mcc": mc.multiclass_matthews_corrcoef(c),
        "kappa": mc.multiclass_cohen_kappa(c),
        "acc_micro": mc.multiclass_accuracy(c, average="micro"),
        "prec_micro": mc.multiclass_precision(c, average="micro"),
        "cm": mc.multiclass_confusion_matrix(c),
        "kappa_linear": mc.multiclass_cohen_kappa(c, weights="linear"),
    }
    col = metrix.collection(members)
    kinds = sorted(type(s).__name__ for s in col.init().values())
    assert kinds == [
        "MulticlassConfusionMatrixState",
        "MulticlassMicroStatScoresState",
        "MulticlassStatScoresState",
    ]
    g = gen(23)
    p, t = torch.randn(200, c, generator=g), torch.randint(0, c, (200,), generator=g)
    out = col.compute(col.update(col.init(), p, t))
    for name, metric in members.items():
        assert_close(out[name], metric(p, t), atol=0, rtol=0, what=name)


def test_vocabulary_sized_update_has_no_quadratic_temporary() -> None:
    # 200k classes: a C x C temporary (or state) would need 320 GB; the child must finish in little memory
    code = textwrap.dedent(
        """
        import resource, torch
        from metrix import classification as mc
        c = 200_000
        g = torch.Generator().manual_seed(0)
        p, t = torch.randint(0, c, (4096,), generator=g), torch.randint(0, c, (4096,), generator=g)
        for m in (mc.multiclass_f1_score(c), mc.multiclass_accuracy(c, average="micro"), mc.multiclass_cohen_kappa(c)):
            s = m.update(m.update(m.init(), p, t), p, t)
            float(m.compute(s))
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert int(out.stdout.split()[-1]) < 1024, f"peak RSS {out.stdout.strip()} MiB"


def test_compile_once_and_vmap_at_many_classes() -> None:
    c = SMALL_C * 4
    m = mc.multiclass_f1_score(c, ignore_index=-1)
    g = gen(24)
    batches = [(torch.randn(32, c, generator=g), torch.randint(-1, c, (32,), generator=g)) for _ in range(3)]
    counts = [0]

    def backend(gm: torch.fx.GraphModule, example_inputs: list) -> object:
        counts[0] += 1
        return gm.forward

    step = torch.compile(m.update, backend=backend, fullgraph=True)
    s, ref = m.init(), m.init()
    for p, t in batches:
        s, ref = step(s, p, t), m.update(ref, p, t)
    assert counts[0] == 1
    assert torch.equal(s.counts, ref.counts)
    stacked = metrix.stack([m.init(), m.init()])
    vm = torch.func.vmap(m.update)(
        stacked, torch.stack([batches[0][0], batches[1][0]]), torch.stack([batches[0][1], batches[1][1]])
    )
    for i in range(2):
        assert torch.equal(metrix.unstack(vm, i).counts, m.update(m.init(), *batches[i]).counts)


@pytest.mark.parametrize("batch", [4, 400], ids=["argmax", "max"])
@pytest.mark.parametrize("top_k", [1, 2])
def test_only_the_best_score_of_each_element_must_be_finite(batch: int, top_k: int) -> None:
    # multiclass labels come from the largest score: NaN or +inf anywhere in a row makes that
    # largest score non-finite and is refused; -inf (a masked class) below it is accepted
    m = mc.multiclass_accuracy(5, top_k=top_k)
    g = gen(25)
    p, t = torch.randn(batch, 5, generator=g), torch.randint(0, 5, (batch,), generator=g)
    masked = p.clone()
    masked[:, 1] = float("-inf")
    assert_close(m(masked, t), tmf.multiclass_accuracy(masked, t, 5, top_k=top_k))
    for bad in (float("nan"), float("inf")):
        x = p.clone()
        x[batch // 2, 3] = bad
        with pytest.raises(ValueError, match="NaN or inf"):
            m.update(m.init(), x, t)
    rows = p.clone()
    rows[0] = float("-inf")
    with pytest.raises(ValueError, match="NaN or inf"):
        m.update(m.init(), rows, t)
    # input_format="probabilities" reads every score
    probs = mc.multiclass_accuracy(5, top_k=top_k, input_format="probabilities")
    with pytest.raises(ValueError, match="NaN or inf"):
        probs.update(probs.init(), masked.softmax(1).masked_fill(masked.isinf(), float("-inf")), t)
