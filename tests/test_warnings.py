"""Degenerate data warns where TorchMetrics warns: a ``MetrixWarning`` naming the metric, once, from compute.

Each case computes a metric on data TorchMetrics calls degenerate (a single-class target,
a constant input, an empty row of a normalized confusion matrix…), checks the warning
names the metric, checks the value equals TorchMetrics' on the same data, and records
whether TorchMetrics itself warns there (``tm_warns``: metrix warns in a few more places,
each listed in docs/guide/empty-state.md).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from typing import Any

import pytest
import torch
import torchmetrics.functional.classification as tmc
import torchmetrics.functional.regression as tmr

import metrix
from metrix import classification as mc
from metrix import regression as mr
from tests.catalogue._case import assert_close, gen

N = 16
_g = gen(11)
P_BIN = torch.rand(N, generator=_g)
T_NEG = torch.zeros(N, dtype=torch.long)  # no positive sample
T_POS = torch.ones(N, dtype=torch.long)  # no negative sample
T_BIN = torch.arange(N) % 2
P_MC = torch.rand(N, 3, generator=_g).softmax(-1)
T_MC_ABSENT = torch.arange(N) % 2  # class 2 never occurs
T_MC_ZERO = torch.zeros(N, dtype=torch.long)  # every target is class 0
P_ML = torch.rand(N, 3, generator=_g)
T_ML = torch.stack([torch.zeros(N, dtype=torch.long), torch.arange(N) % 2, 1 - torch.arange(N) % 2], 1)
X = torch.randn(N, generator=_g)
Y = X + 0.3 * torch.randn(N, generator=_g)
CONST = torch.full((N,), 2.0)


@dataclasses.dataclass(frozen=True)
class Warns:
    """``factory(**kwargs)`` on ``inputs`` warns ``match``; TorchMetrics' ``reference`` gives the same value."""

    id: str
    factory: Callable[..., metrix.Metric]
    kwargs: dict[str, Any]
    inputs: tuple[Any, ...]
    reference: Callable[..., Any]
    match: str
    tm_warns: bool
    in_update: bool = False  # a warning about the call itself (not the data) comes from update


def tm(module: Any, name: str, *, squeeze: bool = False, **kwargs: Any) -> Callable[..., Any]:
    """TorchMetrics' functional ``name`` with ``kwargs`` (``squeeze``: its concordance is ``(1,)``)."""
    fn = getattr(module, name)

    def ref(*inputs: Any) -> Any:
        out = fn(*inputs, **kwargs)
        return out.squeeze() if squeeze else out

    return ref


NO_POS_TPR = "has no positive samples: its true positive rate is set to 0"
NO_NEG_FPR = "has no negative samples: its false positive rate is set to 0"
RECALL_ONE = "has no positive samples: its recall is set to 1 at every threshold"
RECALL_NAN = "has no positive samples: its recall is undefined"

CASES: list[Warns] = []
for thr in (None, 5):
    form = "exact" if thr is None else "binned"
    tm_kw = {"thresholds": thr}
    ops_kw = {"min_specificity": 0.5}, {"min_sensitivity": 0.5}
    for name, extra in [
        ("binary_roc", {}),
        ("binary_auroc", {}),
        ("binary_eer", {}),
        ("binary_logauc", {}),
        ("binary_sensitivity_at_specificity", ops_kw[0]),
        ("binary_specificity_at_sensitivity", ops_kw[1]),
    ]:
        ours = getattr(mc, name)
        for target, match in ((T_NEG, NO_POS_TPR), (T_POS, NO_NEG_FPR)):
            CASES.append(
                Warns(
                    f"{name}-{form}-{'no_pos' if target is T_NEG else 'no_neg'}",
                    ours,
                    {**extra, "thresholds": thr},
                    (P_BIN, target),
                    tm(tmc, name, **extra, **tm_kw),
                    f"the target {match}",
                    tm_warns=thr is None,
                )
            )
    for name, extra in [
        ("binary_precision_recall_curve", {}),
        ("binary_average_precision", {}),
        ("binary_recall_at_fixed_precision", {"min_precision": 0.5}),
        ("binary_precision_at_fixed_recall", {"min_recall": 0.5}),
    ]:
        ours = getattr(mc, name)
        CASES.append(
            Warns(
                f"{name}-{form}-no_pos",
                ours,
                {**extra, "thresholds": thr},
                (P_BIN, T_NEG),
                tm(tmc, name, **extra, **tm_kw),
                f"the target {RECALL_ONE if thr is None else RECALL_NAN}",
                tm_warns=thr is None,
            )
        )
    columns = (("multiclass", P_MC, T_MC_ABSENT, "num_classes"), ("multilabel", P_ML, T_ML, "num_labels"))
    for task, preds, target, num in columns:
        whose = "the target of a class" if task == "multiclass" else "a label"
        for kind in ("auroc", "roc", "eer"):
            CASES.append(
                Warns(
                    f"{task}_{kind}-{form}",
                    getattr(mc, f"{task}_{kind}"),
                    {num: 3, "thresholds": thr},
                    (preds, target),
                    tm(tmc, f"{task}_{kind}", **{num: 3}, **tm_kw),
                    f"{whose} {NO_POS_TPR}",
                    tm_warns=thr is None,
                )
            )
    CASES.append(
        Warns(
            f"multiclass_average_precision-{form}-absent_class",
            mc.multiclass_average_precision,
            {"num_classes": 3, "thresholds": thr},
            (P_MC, T_MC_ABSENT),
            lambda p, t, kw=tm_kw: tmc.multiclass_average_precision(p, t, num_classes=3, **kw),
            f"the target of a class {RECALL_NAN}",
            tm_warns=thr is None,  # TorchMetrics: a NaN class is left out of the macro average
        )
    )
CASES += [
    Warns(
        "multiclass_average_precision-every_target_class_0",
        mc.multiclass_average_precision,
        {"num_classes": 3, "average": "none"},
        (P_MC, T_MC_ZERO),
        lambda p, t: tmc.multiclass_average_precision(p, t, num_classes=3, average="none"),
        f"the target of a class {RECALL_ONE}",
        tm_warns=True,
    ),
    Warns(
        "multilabel_average_precision-micro",
        mc.multilabel_average_precision,
        {"num_labels": 3, "average": "micro"},
        (P_ML, torch.zeros_like(T_ML)),
        lambda p, t: tmc.multilabel_average_precision(p, t, num_labels=3, average="micro"),
        f"the target {RECALL_ONE}",
        tm_warns=True,
    ),
    Warns(
        "multilabel_precision_recall_curve",
        mc.multilabel_precision_recall_curve,
        {"num_labels": 3},
        (P_ML, T_ML),
        lambda p, t: tmc.multilabel_precision_recall_curve(p, t, num_labels=3),
        f"a label {RECALL_ONE}",
        tm_warns=True,
    ),
    # normalized confusion matrices: 0/0 entries are 0
    Warns(
        "binary_confusion_matrix-true",
        mc.binary_confusion_matrix,
        {"normalize": "true"},
        (P_BIN, T_NEG),
        lambda p, t: tmc.binary_confusion_matrix(p, t, normalize="true"),
        "a row .* has no samples",
        tm_warns=True,
    ),
    Warns(
        "multiclass_confusion_matrix-true",
        mc.multiclass_confusion_matrix,
        {"num_classes": 3, "normalize": "true"},
        (P_MC.argmax(-1), T_MC_ABSENT),
        lambda p, t: tmc.multiclass_confusion_matrix(p, t, num_classes=3, normalize="true"),
        "a row .* has no samples",
        tm_warns=True,
    ),
    Warns(
        "multiclass_confusion_matrix-pred",
        mc.multiclass_confusion_matrix,
        {"num_classes": 3, "normalize": "pred"},
        (T_MC_ABSENT, P_MC.argmax(-1)),
        lambda p, t: tmc.multiclass_confusion_matrix(p, t, num_classes=3, normalize="pred"),
        "a column .* has no samples",
        tm_warns=True,
    ),
    Warns(
        "multilabel_confusion_matrix-true",
        mc.multilabel_confusion_matrix,
        {"num_labels": 3, "normalize": "true"},
        (P_ML, T_ML),
        lambda p, t: tmc.multilabel_confusion_matrix(p, t, num_labels=3, normalize="true"),
        "a row .* has no samples",
        tm_warns=True,
    ),
    # fairness: demographic parity reads no target
    Warns(
        "binary_fairness-demographic_parity-target",
        mc.binary_fairness,
        {"num_groups": 2, "task": "demographic_parity"},
        (P_BIN, T_BIN, torch.arange(N) % 2),
        lambda p, t, g: {
            k.split("_")[0] if k.count("_") == 2 else k: v
            for k, v in tmc.binary_fairness(p, t, g, task="demographic_parity").items()
        },
        "does not use target",
        tm_warns=True,
        in_update=True,
    ),
    # correlations of a constant input
    *[
        Warns(
            f"{name}-{which}",
            getattr(mr, name),
            {},
            inputs,
            tm(tmr, name, squeeze=True),
            "constant",
            tm_warns=name in ("pearson_corrcoef", "concordance_corrcoef"),
        )
        for name in ("pearson_corrcoef", "concordance_corrcoef", "spearman_corrcoef", "kendall_rank_corrcoef")
        for which, inputs in (("const_preds", (CONST, Y)), ("const_target", (X, CONST)))
    ],
    # a constant target: r2 and explained variance answer by convention
    Warns("r2_score-const_target", mr.r2_score, {}, (X, CONST), tmr.r2_score, "target is constant", tm_warns=False),
    Warns(
        "r2_score-perfect_const",
        mr.r2_score,
        {},
        (CONST, CONST),
        tmr.r2_score,
        "target is constant",
        tm_warns=False,
    ),
    Warns(
        "explained_variance-const_target",
        mr.explained_variance,
        {},
        (X, CONST),
        tmr.explained_variance,
        "target is constant",
        tm_warns=False,
    ),
    Warns(
        "r2_score-adjusted-too_many",
        mr.r2_score,
        {"adjusted": 20},
        (X, Y),
        lambda p, t: tmr.r2_score(p, t, adjusted=20),
        "More independent regressors than data points",
        tm_warns=True,
    ),
    Warns(
        "r2_score-adjusted-division_by_zero",
        mr.r2_score,
        {"adjusted": N - 1},
        (X, Y),
        lambda p, t: tmr.r2_score(p, t, adjusted=N - 1),
        "Division by zero",
        tm_warns=True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_degenerate_data_warns_naming_the_metric(case: Warns) -> None:
    m = case.factory(**case.kwargs)
    if case.in_update:
        with pytest.warns(metrix.MetrixWarning, match=rf"^{m.name}: .*{case.match}"):
            state = m.update(m.init(), *case.inputs)
        got = m.compute(state)
    else:
        state = m.update(m.init(), *case.inputs)  # update never warns (the suite turns warnings into errors)
        with pytest.warns(metrix.MetrixWarning, match=rf"^{m.name}: .*{case.match}"):
            got = m.compute(state)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        expected = case.reference(*case.inputs)
    if case.id.startswith("binary_fairness"):  # TorchMetrics names the groups in its keys
        got = {k: v for k, v in got.items() if k == "DP"}
    assert_close(got, expected, atol=1e-6, what=case.id)
    tm_warned = any(issubclass(w.category, UserWarning) for w in theirs)
    assert tm_warned == case.tm_warns, f"{case.id}: TorchMetrics warns={tm_warned}, recorded {case.tm_warns}"


def test_a_warning_shows_once_per_metric_with_python_default_filter() -> None:
    first, second = mc.binary_auroc(), mc.binary_average_precision()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("default")
        for _ in range(3):
            first(P_BIN, T_NEG)
            second(P_BIN, T_NEG)
    texts = [str(w.message) for w in seen if issubclass(w.category, metrix.MetrixWarning)]
    assert len(texts) == 2, texts
    assert texts[0].startswith("binary_auroc: ") and texts[1].startswith("binary_average_precision: ")


def test_nothing_is_warned_while_compiling() -> None:
    torch._dynamo.reset()
    for m, inputs in (
        (mc.binary_auroc(thresholds=5), (P_BIN, T_NEG)),
        (mc.binary_auroc(capacity=32), (P_BIN, T_NEG)),
        (mr.pearson_corrcoef(), (CONST, Y)),
        (mc.multiclass_confusion_matrix(3, normalize="true"), (P_MC, T_MC_ABSENT)),
    ):
        state = m.update(m.init(), *inputs)
        compiled = torch.compile(m.compute, backend="eager", fullgraph=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            value = compiled(state)
        with pytest.warns(metrix.MetrixWarning, match=m.name):
            assert_close(value, m.compute(state), what=m.name)


def test_eager_vmap_warns_for_the_whole_ensemble() -> None:
    m = mc.binary_auroc(thresholds=5)
    preds, target = torch.stack([P_BIN, P_BIN]), torch.stack([T_BIN, T_NEG])
    stacked = torch.func.vmap(m.update, in_dims=(None, 0, 0))(m.init(), preds, target)
    with pytest.warns(metrix.MetrixWarning, match="binary_auroc: the target has no positive samples"):
        torch.func.vmap(m.compute)(stacked)


def test_a_collection_member_warns_with_its_own_name() -> None:
    c = metrix.collection({"auc": mc.binary_auroc(), "acc": mc.binary_accuracy()})
    with pytest.warns(metrix.MetrixWarning, match="^binary_auroc: the target has no positive samples"):
        c(P_BIN, T_NEG)


def test_module_forward_batch_values_are_quiet_and_compute_warns() -> None:
    # a batch without positives is common in small batches: forward's batch value does not warn
    # about it, compute() of the accumulated state warns while the whole epoch is degenerate
    module = metrix.MetricModule(mc.binary_auroc())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batch_value = module(P_BIN, T_NEG)
    # the pure one-shot call still warns: it is the value of everything it was given
    with pytest.warns(metrix.MetrixWarning, match="^binary_auroc: the target has no positive samples"):
        expected = mc.binary_auroc()(P_BIN, T_NEG)
    assert_close(batch_value, expected, what="batch value")
    with pytest.warns(metrix.MetrixWarning, match="^binary_auroc: the target has no positive samples"):
        module.compute()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        module(P_BIN, T_BIN)  # the epoch now has positives: neither the batch nor the epoch warns
        module.compute()
