"""Catalogue entries for curves with fractional ``sample_weight=``, exact (``thresholds=None``) and binned.

Oracles: scikit-learn's ``roc_curve`` (``drop_intermediate=False``, TorchMetrics' points),
``precision_recall_curve``, ``roc_auc_score`` (with ``max_fpr``; one-vs-rest for multiclass)
and ``average_precision_score`` with ``sample_weight``, for binary, multiclass (one-vs-rest)
and multilabel inputs and the averages scikit-learn has. Where scikit-learn has no function
(EER, LogAUC, the operating points, binned curves), the reference is TorchMetrics' functional
on the samples repeated ``4 w`` times: the weights are multiples of 1/4, and every curve value
is a ratio of weight sums, unchanged when all weights are scaled by 4. Both oracles see the
zero weights: scikit-learn drops those samples, repeating a sample 0 times drops it too.

The weights are dyadic, so float64 sums are exact in any order and every split, merge and
sync gives the one-shot value. These Cases run the whole law suite (split invariance over
uneven batches with empty ones, merge, the gloo sync law; compile and vmap for the
``capacity=`` and binned ones).
"""

from __future__ import annotations

import warnings

import numpy as np
import sklearn.metrics as skm
import torch
import torchmetrics.functional.classification as tmf

from metrix import classification as mc
from tests.catalogue._case import Case
from tests.catalogue.classification_curves import (
    CAP,
    C,
    binary_ignore,
    binary_logits,
    binary_probs,
    mc_multidim,
    mc_probs,
    ml_probs,
)
from tests.catalogue.classification_weighted import _fractional_weights


def _weighted(inputs):
    def make(g: torch.Generator, n: int) -> tuple:
        return (*inputs(g, n), _fractional_weights(g, n))

    return make


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _flat(p: torch.Tensor, t: torch.Tensor, w: torch.Tensor, kind: str, ignore_index: int | None = None):
    """(y_true, y_score, sample_weight) as NumPy; extra dims flattened, the sample weight repeated per element."""
    if kind == "binary":
        if ((p < 0) | (p > 1)).any():
            p = p.sigmoid()
        per = t[0].numel() if t.dim() > 1 and t.shape[0] else 1
        tf, pf, wf = t.reshape(-1), p.reshape(-1), w.double().repeat_interleave(per)
        if ignore_index is not None:
            keep = tf != ignore_index
            tf, pf, wf = tf[keep], pf[keep], wf[keep]
        return tf.numpy(), pf.double().numpy(), wf.numpy()
    if kind == "multiclass":  # (N, C, ...) -> one row per element, one-hot targets
        per = t[0].numel() if t.dim() > 1 and t.shape[0] else 1
        pf = p.movedim(1, -1).reshape(-1, p.shape[1])
        tf = torch.nn.functional.one_hot(t.reshape(-1), p.shape[1])
        return tf.numpy(), pf.double().numpy(), w.double().repeat_interleave(per).numpy()
    return t.numpy(), p.double().numpy(), w.double().numpy()  # multilabel (N, L)


def _repeated(fn, *args, **kwargs):
    """TorchMetrics' ``fn`` on the samples repeated ``4 w`` times (weights are multiples of 1/4)."""

    def ref(p, t, w):
        k = (w.double() * 4).round().long()
        assert torch.equal(k.double(), w.double() * 4), "weights must be multiples of 1/4"
        return _quiet(fn, p.repeat_interleave(k, 0), t.repeat_interleave(k, 0), *args, **kwargs)

    return ref


def _degenerate(yt: np.ndarray, sw: np.ndarray) -> bool:
    """No weight at all, or a column without positive or without negative weight."""
    if len(yt) == 0:
        return True
    cols, w = yt.reshape(len(yt), -1), sw.reshape(-1, 1)
    return bool((((cols == 1) * w).sum(0) == 0).any() or (((cols == 0) * w).sum(0) == 0).any())


def _sk(fn, kind: str, fallback, ignore_index: int | None = None, **kw):
    """scikit-learn's ``fn`` with ``sample_weight``.

    Where a column has no positive or no negative weight (small shards), scikit-learn's value
    is undefined (NaN or an error) and the reference is TorchMetrics' convention, ``fallback``
    (a :func:`_repeated` oracle).
    """

    def ref(p, t, w):
        yt, ys, sw = _flat(p, t, w, kind, ignore_index)
        if _degenerate(yt, sw):
            return fallback(p, t, w)
        return torch.as_tensor(np.asarray(_quiet(fn, yt, ys, sample_weight=sw, **kw), dtype=np.float64))

    return ref


def _sk_roc(p, t, w):
    yt, ys, sw = _flat(p, t, w, "binary")
    if _degenerate(yt, sw):
        return _repeated(tmf.binary_roc)(p, t, w)
    fpr, tpr, thr = _quiet(skm.roc_curve, yt, ys, sample_weight=sw, drop_intermediate=False)
    thr[0] = 1.0  # scikit-learn starts at inf, TorchMetrics at 1
    return tuple(torch.as_tensor(x, dtype=torch.float32) for x in (fpr, tpr, thr))


def _sk_pr(p, t, w):
    yt, ys, sw = _flat(p, t, w, "binary")
    if _degenerate(yt, sw):
        return _repeated(tmf.binary_precision_recall_curve)(p, t, w)
    curve = _quiet(skm.precision_recall_curve, yt, ys, sample_weight=sw)
    return tuple(torch.as_tensor(x.copy(), dtype=torch.float32) for x in curve)


def _mc(average: str):
    """One-vs-rest AUROC: the binary AUROC of each class column, averaged (weighted: by weighted positives)."""
    fallback = _repeated(tmf.multiclass_auroc, num_classes=C, average=average)
    return _sk(skm.roc_auc_score, "multiclass", fallback, average=average)


# the compile law once per weighted curve layout (binary binned: tests/test_weights.py's list)
_COMPILED = {"sw-b_auroc-capacity", "sw-mc_auroc-weighted-capacity", "sw-mc_roc-binned"}


def _case(case_id, factory, kwargs, inputs, reference, **kw) -> Case:
    fixed = "capacity" in kwargs or "thresholds" in kwargs
    compiled = fixed and case_id in _COMPILED
    return Case(
        case_id,
        factory,
        kwargs,
        _weighted(inputs),
        reference,
        keywords=("sample_weight",),
        fixed_state=fixed,
        compile=compiled,
        note="" if compiled or not fixed else "compile law: one Case per weighted curve layout (see _COMPILED)",
        **kw,
    )


CASES = [
    # binary, against scikit-learn
    _case("sw-b_roc", mc.binary_roc, {}, binary_probs, _sk_roc),
    _case("sw-b_pr_curve", mc.binary_precision_recall_curve, {}, binary_probs, _sk_pr),
    _case(
        "sw-b_auroc", mc.binary_auroc, {}, binary_probs, _sk(skm.roc_auc_score, "binary", _repeated(tmf.binary_auroc))
    ),
    _case(
        "sw-b_auroc-capacity",
        mc.binary_auroc,
        {"capacity": CAP},
        binary_probs,
        _sk(skm.roc_auc_score, "binary", _repeated(tmf.binary_auroc)),
    ),
    _case(
        "sw-b_auroc-maxfpr-logits",
        mc.binary_auroc,
        {"max_fpr": 0.3, "input_format": "logits"},
        binary_logits,
        _sk(skm.roc_auc_score, "binary", _repeated(tmf.binary_auroc, max_fpr=0.3), max_fpr=0.3),
    ),
    _case(
        "sw-b_ap",
        mc.binary_average_precision,
        {},
        binary_probs,
        _sk(skm.average_precision_score, "binary", _repeated(tmf.binary_average_precision)),
    ),
    _case(
        "sw-b_ap-ignore",
        mc.binary_average_precision,
        {"ignore_index": -1},
        binary_ignore,
        _sk(
            skm.average_precision_score,
            "binary",
            _repeated(tmf.binary_average_precision, ignore_index=-1),
            ignore_index=-1,
        ),
    ),
    # multiclass (one-vs-rest) and multilabel, against scikit-learn
    _case("sw-mc_auroc-macro", mc.multiclass_auroc, {"num_classes": C}, mc_probs, _mc("macro")),
    _case(
        "sw-mc_auroc-weighted-capacity",
        mc.multiclass_auroc,
        {"num_classes": C, "average": "weighted", "capacity": CAP * 3},
        mc_multidim,
        _mc("weighted"),
    ),
    _case(
        "sw-mc_ap-weighted",
        mc.multiclass_average_precision,
        {"num_classes": C, "average": "weighted"},
        mc_probs,
        _sk(
            skm.average_precision_score,
            "multiclass",
            _repeated(tmf.multiclass_average_precision, num_classes=C, average="weighted"),
            average="weighted",
        ),
    ),
    *(
        _case(
            f"sw-ml_{name}-{average}",
            factory,
            {"num_labels": C, "average": average},
            ml_probs,
            _sk(fn, "multilabel", _repeated(tm, num_labels=C, average=average), average=average),
        )
        for name, factory, fn, tm in (
            ("auroc", mc.multilabel_auroc, skm.roc_auc_score, tmf.multilabel_auroc),
            ("ap", mc.multilabel_average_precision, skm.average_precision_score, tmf.multilabel_average_precision),
        )
        for average in ("micro", "macro", "weighted")
    ),
    # no scikit-learn function: TorchMetrics on the samples repeated 4 w times
    _case("sw-b_eer", mc.binary_eer, {}, binary_probs, _repeated(tmf.binary_eer)),
    _case(
        "sw-b_logauc",
        mc.binary_logauc,
        {"fpr_range": (0.05, 0.5)},
        binary_probs,
        _repeated(tmf.binary_logauc, fpr_range=(0.05, 0.5)),
    ),
    _case(
        "sw-b_rfp-capacity",
        mc.binary_recall_at_fixed_precision,
        {"min_precision": 0.6, "capacity": CAP},
        binary_probs,
        _repeated(tmf.binary_recall_at_fixed_precision, min_precision=0.6),
    ),
    _case(
        "sw-mc_sas",
        mc.multiclass_sensitivity_at_specificity,
        {"num_classes": C, "min_specificity": 0.6},
        mc_probs,
        _repeated(tmf.multiclass_sensitivity_at_specificity, num_classes=C, min_specificity=0.6),
    ),
    _case("sw-ml_eer", mc.multilabel_eer, {"num_labels": C}, ml_probs, _repeated(tmf.multilabel_eer, num_labels=C)),
    # binned curves: float64 histograms of fractional weights
    _case(
        "sw-b_auroc-binned",
        mc.binary_auroc,
        {"thresholds": 7},
        binary_probs,
        _repeated(tmf.binary_auroc, thresholds=7),
    ),
    _case(
        "sw-mc_roc-binned",
        mc.multiclass_roc,
        {"num_classes": C, "thresholds": 7},
        mc_probs,
        _repeated(tmf.multiclass_roc, num_classes=C, thresholds=7),
    ),
    _case(
        "sw-ml_ap-binned",
        mc.multilabel_average_precision,
        {"num_labels": C, "thresholds": 7},
        ml_probs,
        _repeated(tmf.multilabel_average_precision, num_labels=C, thresholds=7),
    ),
]

assert _COMPILED <= {c.id for c in CASES}, _COMPILED - {c.id for c in CASES}
