"""Edge cases of the stat-scores family: shared state, oracle sweeps, sklearn, argument checks."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics as skm
import torch
import torchmetrics.functional.classification as tmf

import metrix
from metrix import classification as mc
from tests.catalogue._case import assert_close, gen, quietly

C, L = 4, 3


# ----------------------------------------------------------------------------- shared state


def _count_updates(monkeypatch) -> list[int]:
    """Count calls of the stat-scores counting kernels."""
    from metrix.classification import _stat_scores_state as _stat_scores

    calls = [0]
    original = _stat_scores.confusion_counts  # the kernel of C <= SMALL_C classes

    def counting(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(_stat_scores, "confusion_counts", counting)
    return calls


def test_collection_shares_one_state(monkeypatch) -> None:
    calls = _count_updates(monkeypatch)
    kw = dict(num_classes=C)
    col = metrix.collection(
        {
            "acc": mc.multiclass_accuracy(**kw),
            "prec": mc.multiclass_precision(**kw),
            "rec": mc.multiclass_recall(**kw, average="micro"),
            "f1": mc.multiclass_f1_score(**kw, average="weighted"),
            "spec": mc.multiclass_specificity(**kw),
        }
    )
    state = col.init()
    assert len(state) == 1
    p, t = torch.randn(32, C), torch.randint(0, C, (32,))
    state = col.update(state, p, t)
    assert calls[0] == 1, "five metrics of one task config must update one state once"
    out = col.compute(state)
    assert_close(out["acc"], tmf.multiclass_accuracy(p, t, C))
    assert_close(out["prec"], tmf.multiclass_precision(p, t, C))
    assert_close(out["rec"], tmf.multiclass_recall(p, t, C, average="micro"))
    assert_close(out["f1"], tmf.multiclass_f1_score(p, t, C, average="weighted"))
    assert_close(out["spec"], tmf.multiclass_specificity(p, t, C))


@pytest.mark.parametrize(
    "members",
    [
        lambda: {
            "cm": mc.multiclass_confusion_matrix(C, ignore_index=-1),
            "jac": mc.multiclass_jaccard_index(C, ignore_index=-1),
            "mcc": mc.multiclass_matthews_corrcoef(C, ignore_index=-1),
            "kappa": mc.multiclass_cohen_kappa(C, weights="quadratic", ignore_index=-1),
            "acc": mc.multiclass_accuracy(C, ignore_index=-1),
            "task": mc.accuracy("multiclass", num_classes=C, ignore_index=-1),
        },
        lambda: {
            "cm": mc.binary_confusion_matrix(),
            "jac": mc.binary_jaccard_index(),
            "mcc": mc.binary_matthews_corrcoef(),
            "kappa": mc.binary_cohen_kappa(),
            "f1": mc.binary_f1_score(),
            "spec": mc.binary_specificity(),
        },
        lambda: {
            "cm": mc.multilabel_confusion_matrix(L),
            "jac": mc.multilabel_jaccard_index(L),
            "mcc": mc.multilabel_matthews_corrcoef(L),
            "prec": mc.multilabel_precision(L, average=None),
            "hamming": mc.multilabel_hamming_distance(L),
        },
    ],
    ids=["multiclass", "binary", "multilabel"],
)
def test_confmat_metrics_share_state(members) -> None:
    col = metrix.collection(members())
    assert len(col.init()) == 1


def test_different_configs_do_not_share() -> None:
    col = metrix.collection(
        {
            "a": mc.multiclass_accuracy(C),
            "b": mc.multiclass_accuracy(C, top_k=2),
            "c": mc.multiclass_accuracy(C, ignore_index=0),
            "d": mc.multiclass_accuracy(C, multidim_average="samplewise"),
            "e": mc.multiclass_exact_match(C),
        }
    )
    assert len(col.init()) == 5


# ----------------------------------------------------------------------------- oracle sweeps

SCORE_FAMILIES = [
    "stat_scores",
    "accuracy",
    "precision",
    "recall",
    "f1_score",
    "fbeta_score",
    "specificity",
    "negative_predictive_value",
    "hamming_distance",
]
ZD = {"precision", "recall", "f1_score", "fbeta_score", "negative_predictive_value"}


def _extra(name: str, zd: int) -> dict:
    kw = {"beta": 0.7} if name == "fbeta_score" else {}
    if name in ZD:
        kw["zero_division"] = zd
    return kw


@pytest.mark.parametrize("name", SCORE_FAMILIES)
def test_multiclass_sweep(name: str) -> None:
    g = gen(11)
    p, t = torch.randn(40, C, 3, generator=g), torch.randint(0, C, (40, 3), generator=g)
    ti = torch.where(torch.rand(40, 3, generator=g) < 0.2, -1, t)
    for avg in ("micro", "macro", "weighted", "none"):
        for opts in ({}, {"top_k": 2}, {"ignore_index": 1}, {"multidim_average": "samplewise", "ignore_index": -1}):
            target = ti if opts.get("ignore_index") == -1 else t
            kw = dict(num_classes=C, average=avg, **opts, **_extra(name, 1))
            got = getattr(mc, f"multiclass_{name}")(**kw)(p, target)
            assert_close(got, quietly(getattr(tmf, f"multiclass_{name}"), p, target, **kw), what=f"{name} {kw}")


@pytest.mark.parametrize("name", SCORE_FAMILIES)
def test_multilabel_and_binary_sweep(name: str) -> None:
    g = gen(12)
    p, t = torch.randn(30, L, 2, generator=g), torch.randint(0, 2, (30, L, 2), generator=g)
    ti = torch.where(torch.rand(30, L, 2, generator=g) < 0.2, -1, t)
    for avg in ("micro", "macro", "weighted", "none"):
        for opts in ({}, {"threshold": 0.7}, {"multidim_average": "samplewise", "ignore_index": -1}):
            target = ti if "ignore_index" in opts else t
            kw = dict(num_labels=L, average=avg, **opts, **_extra(name, 0))
            got = getattr(mc, f"multilabel_{name}")(**kw)(p, target)
            assert_close(got, quietly(getattr(tmf, f"multilabel_{name}"), p, target, **kw), what=f"{name} {kw}")
    for opts in ({}, {"threshold": 0.2}, {"multidim_average": "samplewise", "ignore_index": -1}):
        target = ti[:, 0] if "ignore_index" in opts else t[:, 0]
        kw = dict(**opts, **_extra(name, 1))
        got = getattr(mc, f"binary_{name}")(**kw)(p[:, 0], target)
        assert_close(got, quietly(getattr(tmf, f"binary_{name}"), p[:, 0], target, **kw), what=f"binary {name} {kw}")


DISPATCH = [*SCORE_FAMILIES, "confusion_matrix", "jaccard_index", "matthews_corrcoef", "cohen_kappa", "exact_match"]


@pytest.mark.parametrize("name", DISPATCH)
def test_dispatchers(name: str) -> None:
    g = gen(13)
    data = {
        "binary": (torch.rand(20, generator=g), torch.randint(0, 2, (20,), generator=g), {}),
        "multiclass": (torch.randn(20, C, generator=g), torch.randint(0, C, (20,), generator=g), {"num_classes": C}),
        "multilabel": (torch.rand(20, L, generator=g), torch.randint(0, 2, (20, L), generator=g), {"num_labels": L}),
    }
    tasks = {"cohen_kappa": ("binary", "multiclass"), "exact_match": ("multiclass", "multilabel")}.get(name, data)
    for task in tasks:
        p, t, kw = data[task]
        extra = {"beta": 2.0} if name == "fbeta_score" else {}
        got = getattr(mc, name)(task, **kw, **extra)(p, t)
        assert_close(got, quietly(getattr(tmf, name), p, t, task, **kw, **extra), what=f"{name} {task}")


def test_exhaustive_mcc_edge_cases() -> None:
    # every 2x2 confusion matrix with counts in {0, 1, 2}: the degenerate-denominator rules
    for counts in torch.cartesian_prod(*[torch.arange(3)] * 4):
        tn, fp, fn, tp = counts.tolist()
        target = torch.tensor([0] * tn + [0] * fp + [1] * fn + [1] * tp)
        preds = torch.tensor([0] * tn + [1] * fp + [0] * fn + [1] * tp)
        if target.numel() == 0:
            continue
        assert_close(mc.binary_matthews_corrcoef()(preds, target), tmf.binary_matthews_corrcoef(preds, target))


# ----------------------------------------------------------------------------- scikit-learn


def _sk_data(seed: int = 21) -> tuple[torch.Tensor, torch.Tensor, np.ndarray, np.ndarray]:
    g = gen(seed)
    p, t = torch.randn(200, 5, generator=g), torch.randint(0, 5, (200,), generator=g)
    return p, t, p.argmax(1).numpy(), t.numpy()


def test_sklearn_accuracy_and_f1() -> None:
    p, t, yp, yt = _sk_data()
    assert_close(mc.multiclass_accuracy(5, average="micro")(p, t), skm.accuracy_score(yt, yp))
    assert_close(mc.multiclass_f1_score(5, average="macro")(p, t), skm.f1_score(yt, yp, average="macro"))
    assert_close(mc.multiclass_precision(5, average=None)(p, t), skm.precision_score(yt, yp, average=None))


def test_sklearn_confusion_matrix_mcc_kappa() -> None:
    p, t, yp, yt = _sk_data()
    assert_close(mc.multiclass_confusion_matrix(5)(p, t), skm.confusion_matrix(yt, yp))
    assert_close(
        mc.multiclass_confusion_matrix(5, normalize="true")(p, t), skm.confusion_matrix(yt, yp, normalize="true")
    )
    assert_close(mc.multiclass_matthews_corrcoef(5)(p, t), skm.matthews_corrcoef(yt, yp), atol=1e-5)
    assert_close(
        mc.multiclass_cohen_kappa(5, weights="quadratic")(p, t),
        skm.cohen_kappa_score(yt, yp, weights="quadratic"),
        atol=1e-5,
    )


# ----------------------------------------------------------------------------- arguments and inputs


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: mc.multiclass_accuracy(1), ValueError, "num_classes must be an int >= 2, got 1"),
        (lambda: mc.multiclass_precision(None), TypeError, r"num_classes must be an int >= 2, got None \(NoneType\)"),
        (lambda: mc.multiclass_accuracy(None), ValueError, "num_classes can be None only with average='micro'"),
        (lambda: mc.multiclass_accuracy(None, "micro", top_k=2), ValueError, "num_classes=None supports only top_k=1"),
        (lambda: mc.multiclass_accuracy(3, average="avg"), ValueError, "average must be one of"),
        (
            lambda: mc.multiclass_accuracy(3, top_k=4),
            ValueError,
            r"top_k must be an int in \[1, num_classes=3\], got 4",
        ),
        (lambda: mc.multiclass_accuracy(3, top_k=0), ValueError, "top_k must be"),
        (lambda: mc.multiclass_accuracy(3, multidim_average="x"), ValueError, "multidim_average"),
        (lambda: mc.multiclass_accuracy(3, ignore_index=1.5), TypeError, "ignore_index"),
        (lambda: mc.binary_accuracy(threshold=1.5), ValueError, r"threshold must be a float in \[0, 1\]"),
        (lambda: mc.multilabel_f1_score(1), ValueError, "num_labels must be an int >= 2"),
        (lambda: mc.multilabel_precision(3, zero_division=0.5), ValueError, "zero_division must be 0 or 1"),
        (lambda: mc.binary_fbeta_score(beta=0.0), ValueError, "beta must be a float > 0"),
        (lambda: mc.multiclass_confusion_matrix(3, normalize="rows"), ValueError, "normalize must be one of"),
        (lambda: mc.multiclass_cohen_kappa(3, weights="cubic"), ValueError, "weights must be one of"),
        (lambda: mc.binary_accuracy(input_format="scores"), ValueError, "input_format must be one of"),
        (lambda: mc.binary_accuracy(validate_args="yes"), TypeError, "validate_args must be a bool"),
        (lambda: mc.accuracy("multiclass"), TypeError, "num_classes must be an int for task='multiclass'"),
        (lambda: mc.f1_score("multilabel"), TypeError, "num_labels must be an int for task='multilabel'"),
        (lambda: mc.accuracy("ternary"), ValueError, "task must be one of"),
        (
            lambda: mc.binary_accuracy(threshold="0.5"),
            TypeError,
            r"threshold must be a float in \[0, 1\], got '0.5' \(str\)",
        ),
        (lambda: mc.multiclass_accuracy(3, top_k=1.0), TypeError, "top_k must be an int"),
        (lambda: mc.multiclass_accuracy(2.0), TypeError, "num_classes must be an int >= 2"),
        (lambda: mc.binary_fbeta_score(beta="2"), TypeError, "beta must be a float > 0"),
        (lambda: mc.binary_f1_score(zero_division="1"), TypeError, "zero_division must be 0 or 1"),
        (lambda: mc.accuracy("multiclass", num_classes=3, top_k=None), TypeError, "top_k must be an int for task="),
        (lambda: mc.cohen_kappa("multilabel"), ValueError, "task must be one of"),
        (lambda: mc.exact_match("binary"), ValueError, "task must be one of"),
    ],
)
def test_constructor_arguments(build, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        build()


@pytest.mark.parametrize(
    ("build", "inputs", "error", "match"),
    [
        (
            lambda: mc.multiclass_accuracy(C, top_k=2),
            (torch.tensor([0, 1]), torch.tensor([0, 1])),
            ValueError,
            "top_k=2",
        ),
        (
            lambda: mc.multiclass_accuracy(C, multidim_average="samplewise"),
            (torch.randn(3, C), torch.tensor([0, 1, 2])),
            ValueError,
            "samplewise",
        ),
        (
            lambda: mc.multilabel_accuracy(L, multidim_average="samplewise"),
            (torch.rand(3, L), torch.zeros(3, L, dtype=torch.long)),
            ValueError,
            "samplewise",
        ),
        (
            lambda: mc.multiclass_accuracy(C, input_format="labels"),
            (torch.randn(3, C), torch.tensor([0, 1, 2])),
            TypeError,
            "input_format='labels'",
        ),
        (
            lambda: mc.multiclass_accuracy(C, input_format="logits"),
            (torch.tensor([0, 1, 2]), torch.tensor([0, 1, 2])),
            TypeError,
            "input_format='logits'",
        ),
        (
            lambda: mc.binary_precision(input_format="probabilities"),
            (torch.tensor([0, 1]), torch.tensor([0, 1])),
            TypeError,
            "float preds",
        ),
        (
            lambda: mc.multiclass_accuracy(C),
            (torch.randint(0, C, (3, C)), torch.tensor([0, 1, 2])),
            TypeError,
            "float scores",
        ),
        (
            lambda: mc.multiclass_accuracy(C),
            (torch.randn(3, C, 2, 2), torch.tensor([0, 1, 2])),
            ValueError,
            "preds must",
        ),
        (lambda: mc.multilabel_exact_match(L), (torch.rand(3, L), torch.full((3, L), 2)), ValueError, "only 0 and 1"),
    ],
)
def test_bad_inputs(build, inputs, error, match) -> None:
    with pytest.raises(error, match=match):
        build()(*inputs)


def test_target_checked_even_with_float_preds() -> None:
    # TorchMetrics only counts unique values here; metrix refuses the out-of-range label
    with pytest.raises(ValueError, match="target must hold class labels"):
        mc.multiclass_f1_score(C)(torch.randn(4, C), torch.tensor([0, 1, 2, 7]))


def test_validate_args_false_skips_value_checks() -> None:
    m = mc.binary_accuracy(validate_args=False)
    m(torch.tensor([0.2, float("nan")]), torch.tensor([0, 1]))  # no error
    with metrix.validation(False):
        mc.multiclass_accuracy(C)(torch.randn(2, C), torch.tensor([0, 1]))


def test_input_format_fixes_logits_in_unit_interval() -> None:
    # logits that happen to lie in [0, 1]: "auto" takes them as probabilities, "logits" does not
    p, t = torch.tensor([0.3, 0.4, 0.9]), torch.tensor([0, 1, 1])
    assert_close(mc.binary_recall()(p, t), tmf.binary_recall(p, t))
    assert_close(mc.binary_recall(input_format="logits")(p, t), torch.tensor(1.0))  # sigmoid(x) > 0.5 for x > 0


def test_top_k_hits_are_one_confusion_matrix() -> None:
    # a top-k hit counts as predicting the target; a miss as predicting the top-1 class
    p = torch.tensor([[0.5, 0.3, 0.2], [0.5, 0.3, 0.2], [0.1, 0.3, 0.6]])
    t = torch.tensor([1, 2, 0])
    m = mc.multiclass_stat_scores(3, average=None, top_k=2)
    assert_close(m(p, t), tmf.multiclass_stat_scores(p, t, 3, average=None, top_k=2))
    assert m.init().confmat.shape == (9,)


def test_samplewise_counts_over_batches() -> None:
    g = gen(14)
    p, t = torch.randn(10, C, 5, generator=g), torch.randint(0, C, (10, 5), generator=g)
    m = mc.multiclass_stat_scores(C, average=None, multidim_average="samplewise")
    s = m.update(m.update(m.init(), p[:3], t[:3]), p[3:], t[3:])
    assert_close(m.compute(s), tmf.multiclass_stat_scores(p, t, C, average=None, multidim_average="samplewise"))


def test_module_adapter_accumulates() -> None:
    mod = metrix.MetricModule(mc.multiclass_f1_score(C))
    g = gen(15)
    p, t = torch.randn(40, C, generator=g), torch.randint(0, C, (40,), generator=g)
    mod.update(p[:25], t[:25])
    mod.update(p[25:], t[25:])
    assert_close(mod.compute(), tmf.multiclass_f1_score(p, t, C))


@pytest.mark.parametrize("top_k", [1, 2])
@pytest.mark.parametrize("ignore_index", [None, 1])
@pytest.mark.parametrize(
    "preds_shape, target_shape, labels",
    [((8, 4), (8,), False), ((8, 4, 3), (8, 3), False), ((8, 4, 2, 3), (8, 2, 3), False), ((8, 3), (8, 3), True)],
)
def test_flat_format_is_the_batched_one_flattened(preds_shape, target_shape, labels, ignore_index, top_k) -> None:
    # the counting kernels take flat labels (format_lean(flat=True)); they must be the (N, M) ones, flattened
    from metrix.classification._inputs import multiclass_format_lean

    if labels and top_k > 1:
        pytest.skip("top_k > 1 needs float scores")
    g = torch.Generator().manual_seed(0)
    target = torch.randint(0, 4, target_shape, generator=g)
    preds = torch.randint(0, 4, preds_shape, generator=g) if labels else torch.randn(preds_shape, generator=g)
    options = dict(num_classes=4, top_k=top_k, ignore_index=ignore_index, input_format="auto", validate_args=True)
    batched = multiclass_format_lean(preds, target, **options)
    flat = multiclass_format_lean(preds, target, flat=True, **options)
    for b, f in zip(batched, flat):
        if b is None:
            assert f is None
            continue
        assert b.dim() == 2 and f.dim() == 1
        assert torch.equal(b.reshape(-1), f)
