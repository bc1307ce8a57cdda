"""Catalogue entries with ``sample_weight=`` for classification, against scikit-learn's ``sample_weight``.

The stat-scores, hinge and label-ranking states hold float64 sums, so their Cases use
fractional weights (multiples of 1/4 in ``0 .. 2.75``, some exact zeros: dyadic, so
float64 sums are exact in any order and every split and merge gives the one-shot value).
Whole numbers (``0 .. 3``) are kept where they must be: count-valued outputs
(``stat_scores``, an unnormalised confusion matrix: float64 for fractional counts, which
compile and vmap cannot return as int64; both are checked with fractional weights eagerly
in ``tests/test_weights.py``), and the binary MCC and hinge Cases whose references repeat
samples in degenerate cases.
Every metric scikit-learn has is checked here with weights: accuracy, precision, recall,
F1/F-beta (``precision_recall_fscore_support``), Jaccard, the confusion matrix (every
``normalize``), Cohen's kappa (every ``weights``), MCC, Hamming loss, multilabel subset
accuracy. Inputs with extra dims ``(N, ...)`` weigh every element of sample ``i`` by
``w[i]`` (the reference repeats the weight per element); ``ignore_index`` elements weigh 0
(the reference drops them). These Cases run every law of the suite with weights (split
invariance over uneven batches with empty ones, merge, compile, vmap, the gloo sync law);
the weighted laws (ones, zeros, integer repeats) run over every ``weighted=True`` Case
in ``tests/test_weights.py``.
"""

from __future__ import annotations

import warnings

import numpy as np
import sklearn.metrics as skm
import torch
import torchmetrics.functional.classification as tmf

from metrix import classification as mc
from tests.catalogue._case import BadInput, Case

C = 4  # classes
L = 3  # labels
LABELS = list(range(C))


def _weights(g: torch.Generator, n: int) -> torch.Tensor:
    w = torch.randint(0, 4, (n,), generator=g).to(torch.float32)
    w[: min(n, 2)] = 1.0  # never all zero
    return w


def _fractional_weights(g: torch.Generator, n: int) -> torch.Tensor:
    w = torch.randint(0, 12, (n,), generator=g).to(torch.float32) / 4
    w[: min(n, 2)] = 0.75  # never all zero, always a fractional part
    return w


def _with_weights(inputs, whole: bool = False):
    weights = _weights if whole else _fractional_weights

    def make(g: torch.Generator, n: int) -> tuple:
        return (*inputs(g, n), weights(g, n))

    return make


def _b_probs(g, n):
    return torch.rand(n, generator=g), torch.randint(0, 2, (n,), generator=g)


def _b_multidim(g, n):
    return torch.rand(n, 3, generator=g), torch.randint(0, 2, (n, 3), generator=g)


def _b_ignore(g, n):
    p, t = _b_probs(g, n)
    return p, torch.where(torch.rand(n, generator=g) < 0.2, -1, t)


def _mc_logits(g, n):
    return torch.randn(n, C, generator=g) * 2, torch.randint(0, C, (n,), generator=g)


def _mc_multidim(g, n):
    return torch.randn(n, C, 3, generator=g), torch.randint(0, C, (n, 3), generator=g)


def _mc_ignore(g, n):
    p, t = _mc_logits(g, n)
    return p, torch.where(torch.rand(n, generator=g) < 0.2, -1, t)


def _ml_probs(g, n):
    return torch.rand(n, L, generator=g), torch.randint(0, 2, (n, L), generator=g)


def _many_labels(g, n):
    return torch.randint(0, 70, (n,), generator=g), torch.randint(0, 70, (n,), generator=g)


# ----------------------------------------------------------------------------- inputs as scikit-learn sees them


def _flat(p: torch.Tensor, t: torch.Tensor, w: torch.Tensor, kind: str, ignore_index: int | None = None):
    """(y_true, y_pred, sample_weight) as NumPy: labels per element, the sample weight repeated per element."""
    if kind == "binary":
        pred = (p > 0.5).long()
    elif kind == "multiclass":
        pred = p.argmax(1) if p.is_floating_point() else p
    else:  # multilabel: (N, L) indicators, one row per sample
        return t.numpy(), (p > 0.5).long().numpy(), w.double().numpy()
    per = t[0].numel() if t.dim() > 1 and t.shape[0] else 1
    tf, pf, wf = t.reshape(-1), pred.reshape(-1), w.double().repeat_interleave(per)
    if ignore_index is not None:
        keep = tf != ignore_index
        tf, pf, wf = tf[keep], pf[keep], wf[keep]
    return tf.numpy(), pf.numpy(), wf.numpy()


def _sk(fn, kind: str, ignore_index: int | None = None, **kw):
    def ref(p, t, w):
        yt, yp, sw = _flat(p, t, w, kind, ignore_index)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.as_tensor(np.asarray(fn(yt, yp, sample_weight=sw, **kw), dtype=np.float64))

    return ref


def _prfs(which: int, kind: str, average: str | None, beta: float = 1.0, ignore_index: int | None = None):
    """One of precision / recall / F-beta from ``precision_recall_fscore_support``."""
    every = None if kind == "binary" else list(range(C if kind == "multiclass" else L))

    def fn(yt, yp, sample_weight):
        avg = "binary" if kind == "binary" else average
        labels = every
        if kind == "multiclass" and average == "macro":
            # TorchMetrics' macro average leaves out classes that never occur (no tp, fp, fn)
            seen = sample_weight > 0
            labels = sorted(set(yt[seen].tolist()) | set(yp[seen].tolist()))
        out = skm.precision_recall_fscore_support(
            yt, yp, beta=beta, labels=labels, average=avg, sample_weight=sample_weight, zero_division=0
        )
        return out[which]

    return _sk(fn, kind, ignore_index)


def _jaccard_macro(p, t, w):
    # TorchMetrics' macro Jaccard leaves out classes that never occur
    yt, yp, sw = _flat(p, t, w, "multiclass")
    seen = sw > 0
    labels = sorted(set(yt[seen].tolist()) | set(yp[seen].tolist()))
    score = skm.jaccard_score(yt, yp, labels=labels, average="macro", sample_weight=sw, zero_division=0)
    return torch.tensor(score, dtype=torch.float64)


def _mcc(kind: str, ignore_index: int | None = None):
    """scikit-learn's weighted MCC; TorchMetrics' convention (on repeated samples) where a marginal is zero."""
    sk = _sk(skm.matthews_corrcoef, kind, ignore_index)

    def ref(p, t, w):
        yt, yp, sw = _flat(p, t, w, kind, ignore_index)
        labels = [0, 1] if kind == "binary" else LABELS
        cm = skm.confusion_matrix(yt, yp, labels=labels, sample_weight=sw)
        if kind == "binary" and (cm.sum(0) == 0).any() | (cm.sum(1) == 0).any():
            rep = w.long().repeat_interleave(t[0].numel() if t.dim() > 1 else 1)
            return tmf.binary_matthews_corrcoef(
                p.reshape(-1).repeat_interleave(rep), t.reshape(-1).repeat_interleave(rep)
            )
        return sk(p, t, w)

    return ref


def _scores_ref(fn, **kw):
    """scikit-learn on raw scores: ``fn(y_true, scores, sample_weight=w)`` (hinge, label ranking)."""

    def ref(p, t, w):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = fn(t.numpy(), p.double().numpy(), sample_weight=w.double().numpy(), **kw)
        return torch.tensor(value, dtype=torch.float64)

    return ref


def _binary_hinge(p, t, w):
    # scikit-learn encodes the classes it sees as -1/+1: with one class only, it reads it as -1
    if len(set(t.tolist())) == 2:
        return _scores_ref(skm.hinge_loss)(p, t, w)
    rep = w.long()
    return tmf.binary_hinge_loss(p.repeat_interleave(rep), t.repeat_interleave(rep))


def _mc_probs(g, n):
    return torch.randn(n, C, generator=g).softmax(1), torch.randint(0, C, (n,), generator=g)


def _stat_scores_binary(p, t, w):
    yt, yp, sw = _flat(p, t, w, "binary")
    tn, fp, fn, tp = skm.confusion_matrix(yt, yp, labels=[0, 1], sample_weight=sw).ravel()
    return torch.tensor([tp, fp, tn, fn, tp + fn], dtype=torch.float64)


def _mc_recall_macro(p, t, w):
    # macro recall over the classes that occur = balanced accuracy when every predicted class is a target
    yt, yp, sw = _flat(p, t, w, "multiclass")
    seen = sw > 0
    if not set(yp[seen].tolist()) <= set(yt[seen].tolist()):
        return _prfs(1, "multiclass", "macro")(p, t, w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.tensor(skm.balanced_accuracy_score(yt, yp, sample_weight=sw), dtype=torch.float64)


def _ml_multidim(g, n):
    return torch.rand(n, L, 2, generator=g), torch.randint(0, 2, (n, L, 2), generator=g)


def _exact_match_multidim(p, t, w):
    # each extra position of sample i is one item of weight w[i] (ignore_index: none here)
    matched = ((p > 0.5).long() == t).all(1).double()  # (N, M)
    ew = w.double()[:, None].expand_as(matched)
    return (matched * ew).sum() / ew.sum()


def _grouped(g, n):
    groups = torch.randperm(n, generator=g) % 3
    return torch.rand(n, generator=g), torch.randint(0, 2, (n,), generator=g), groups


def _group_rates(p, t, groups, w):
    """Weighted [tp, fp, tn, fn] / total per group: NumPy, the definition."""
    hard, tt, wd = (p > 0.5).numpy(), t.numpy().astype(bool), w.double().numpy()
    out = {}
    for gid in range(3):
        sel = groups.numpy() == gid
        cells = [hard & tt, hard & ~tt, ~hard & ~tt, ~hard & tt]
        counts = np.array([wd[sel & c].sum() for c in cells])
        with np.errstate(invalid="ignore"):  # a group never seen: NaN rates, as the metric
            out[f"group_{gid}"] = torch.tensor(counts / counts.sum())
    return out


def _fairness(p, t, groups, w):
    """Weighted demographic parity and equal opportunity over the groups present (NumPy)."""
    hard, tt, wd, gg = (p > 0.5).numpy(), t.numpy().astype(bool), w.double().numpy(), groups.numpy()
    total = np.array([wd[gg == k].sum() for k in range(3)])
    positives = np.array([wd[(gg == k) & tt].sum() for k in range(3)])
    present = total > 0  # a group seen only with weight 0 is absent
    pr = np.array([wd[(gg == k) & hard].sum() for k in range(3)]) / np.where(present, total, 1)
    tpr = np.array([wd[(gg == k) & hard & tt].sum() for k in range(3)]) / np.where(positives > 0, positives, 1)
    out = {}
    for prefix, rates in (("DP", pr), ("EO", tpr)):
        lo = int(np.where(present, rates, np.inf).argmin())
        hi = int(np.where(present, rates, -np.inf).argmax())
        out[prefix] = torch.tensor(rates[lo] / rates[hi] if rates[hi] else 0.0, dtype=torch.float64)
        out[f"{prefix}_min_group"], out[f"{prefix}_max_group"] = torch.tensor(lo), torch.tensor(hi)
    return out


def _weight_bad(make_inputs) -> list[BadInput]:
    def bad(weight_fn, error, match, traced=False):
        def make(g):
            p, t = make_inputs(g, 4)
            return p, t, weight_fn(4)

        return BadInput(make, error, match, traced)

    return [
        bad(lambda n: torch.ones(n + 1), ValueError, r"sample_weight must have shape"),
        bad(lambda n: torch.full((n,), -1.0), ValueError, "sample_weight must be non-negative", True),
        bad(lambda n: torch.full((n,), float("nan")), ValueError, "sample_weight contains NaN", True),
        bad(lambda n: [1.0] * n, TypeError, "sample_weight must be a torch.Tensor"),
        bad(lambda n: torch.ones(n, dtype=torch.bool), TypeError, "sample_weight must be a real"),
        bad(lambda n: torch.ones(n, device="meta"), ValueError, "sample_weight is on meta"),
    ]


# one Case per weighted state layout compiles (binary, multilabel, C×C, per-class, micro, binned curve)
_COMPILED = {
    "sw-b_accuracy",
    "sw-ml_f1-macro",
    "sw-mc_confmat",
    "sw-mc_confmat-true",
    "sw-mc70_recall-macro",
    "sw-mc70_accuracy-micro",
}
# whole-number weights: count-valued outputs, references that repeat samples, int64 count states
_WHOLE = {
    "sw-b_stat_scores",
    "sw-mc_confmat",
    "sw-b_mcc",
    "sw-b_hinge",
}


def _case(case_id, factory, kwargs, inputs, reference, **kw) -> Case:
    compiled = case_id in _COMPILED
    note = "" if compiled else "compile law: one Case per weighted state layout (see _COMPILED)"
    return Case(
        case_id,
        factory,
        kwargs,
        _with_weights(inputs, whole=case_id in _WHOLE),
        reference,
        keywords=("sample_weight",),
        compile=compiled,
        note=note,
        **kw,
    )


CASES = [
    # binary
    _case(
        "sw-b_accuracy",
        mc.binary_accuracy,
        {},
        _b_probs,
        _sk(skm.accuracy_score, "binary"),
        bad_inputs=_weight_bad(_b_probs),
    ),
    _case("sw-b_accuracy-multidim", mc.binary_accuracy, {}, _b_multidim, _sk(skm.accuracy_score, "binary")),
    _case(
        "sw-b_accuracy-ignore",
        mc.binary_accuracy,
        {"ignore_index": -1},
        _b_ignore,
        _sk(skm.accuracy_score, "binary", ignore_index=-1),
    ),
    _case("sw-b_precision", mc.binary_precision, {}, _b_probs, _prfs(0, "binary", None)),
    _case("sw-b_recall-multidim", mc.binary_recall, {}, _b_multidim, _prfs(1, "binary", None)),
    _case("sw-b_fbeta2", mc.binary_fbeta_score, {"beta": 2.0}, _b_probs, _prfs(2, "binary", None, beta=2.0)),
    _case("sw-b_jaccard", mc.binary_jaccard_index, {}, _b_probs, _sk(skm.jaccard_score, "binary")),
    _case("sw-b_mcc", mc.binary_matthews_corrcoef, {}, _b_probs, _mcc("binary")),
    _case("sw-b_kappa", mc.binary_cohen_kappa, {}, _b_probs, _sk(skm.cohen_kappa_score, "binary")),
    _case(
        "sw-b_confmat-all",
        mc.binary_confusion_matrix,
        {"normalize": "all"},
        _b_probs,
        _sk(skm.confusion_matrix, "binary", labels=[0, 1], normalize="all"),
    ),
    _case("sw-b_stat_scores", mc.binary_stat_scores, {}, _b_probs, _stat_scores_binary),
    _case("sw-b_hamming", mc.binary_hamming_distance, {}, _b_probs, _sk(skm.hamming_loss, "binary")),
    # multiclass, C×C state (4 classes)
    _case(
        "sw-mc_accuracy-micro",
        mc.multiclass_accuracy,
        {"num_classes": C, "average": "micro"},
        _mc_logits,
        _sk(skm.accuracy_score, "multiclass"),
    ),
    _case(
        "sw-mc_accuracy-micro-ignore",
        mc.multiclass_accuracy,
        {"num_classes": C, "average": "micro", "ignore_index": -1},
        _mc_ignore,
        _sk(skm.accuracy_score, "multiclass", ignore_index=-1),
    ),
    _case(
        "sw-mc_accuracy-no-num_classes",
        mc.multiclass_accuracy,
        {"average": "micro"},
        _mc_logits,
        _sk(skm.accuracy_score, "multiclass"),
    ),
    _case("sw-mc_recall-macro", mc.multiclass_recall, {"num_classes": C}, _mc_multidim, _mc_recall_macro),
    _case(
        "sw-mc_precision-weighted",
        mc.multiclass_precision,
        {"num_classes": C, "average": "weighted"},
        _mc_logits,
        _prfs(0, "multiclass", "weighted"),
    ),
    _case(
        "sw-mc_precision-none-ignore",
        mc.multiclass_precision,
        {"num_classes": C, "average": "none", "ignore_index": -1},
        _mc_ignore,
        _prfs(0, "multiclass", None, ignore_index=-1),
    ),
    _case("sw-mc_f1-macro", mc.multiclass_f1_score, {"num_classes": C}, _mc_logits, _prfs(2, "multiclass", "macro")),
    _case(
        "sw-mc_fbeta-weighted",
        mc.multiclass_fbeta_score,
        {"num_classes": C, "beta": 0.5, "average": "weighted"},
        _mc_multidim,
        _prfs(2, "multiclass", "weighted", beta=0.5),
    ),
    _case(
        "sw-mc_jaccard-macro",
        mc.multiclass_jaccard_index,
        {"num_classes": C},
        _mc_logits,
        _jaccard_macro,
    ),
    *[
        _case(
            f"sw-mc_confmat{'' if norm is None else '-' + norm}",
            mc.multiclass_confusion_matrix,
            {"num_classes": C, "normalize": norm},
            _mc_logits,
            _sk(skm.confusion_matrix, "multiclass", labels=LABELS, normalize=norm),
        )
        for norm in (None, "true", "pred", "all")
    ],
    *[
        _case(
            f"sw-mc_kappa-{kw}",
            mc.multiclass_cohen_kappa,
            {"num_classes": C, "weights": kw},
            _mc_logits,
            _sk(skm.cohen_kappa_score, "multiclass", labels=LABELS, weights=kw),
        )
        for kw in ("linear", "quadratic")
    ],
    _case(
        "sw-mc_mcc-ignore",
        mc.multiclass_matthews_corrcoef,
        {"num_classes": C, "ignore_index": -1},
        _mc_ignore,
        _mcc("multiclass", ignore_index=-1),
    ),
    _case(
        "sw-mc_hamming-micro",
        mc.multiclass_hamming_distance,
        {"num_classes": C, "average": "micro"},
        _mc_logits,
        _sk(skm.hamming_loss, "multiclass"),
    ),
    # multiclass above 64 classes: per-class counts and the micro state
    _case(
        "sw-mc70_recall-macro",
        mc.multiclass_recall,
        {"num_classes": 70, "average": "weighted"},
        _many_labels,
        _sk(
            lambda yt, yp, sample_weight: skm.recall_score(
                yt, yp, labels=list(range(70)), average="weighted", sample_weight=sample_weight, zero_division=0
            ),
            "multiclass",
        ),
    ),
    _case(
        "sw-mc70_accuracy-micro",
        mc.multiclass_accuracy,
        {"num_classes": 70, "average": "micro"},
        _many_labels,
        _sk(skm.accuracy_score, "multiclass"),
    ),
    _case(
        "sw-mc70_kappa",
        mc.multiclass_cohen_kappa,
        {"num_classes": 70},
        _many_labels,
        _sk(skm.cohen_kappa_score, "multiclass"),
        atol=1e-5,
    ),
    # hinge, calibration, label ranking
    _case("sw-b_hinge", mc.binary_hinge_loss, {}, _b_probs, _binary_hinge),
    _case(
        "sw-mc_hinge",
        mc.multiclass_hinge_loss,
        {"num_classes": C},
        _mc_probs,
        _scores_ref(skm.hinge_loss, labels=LABELS),
    ),
    *[
        _case(f"sw-ml_{name}", getattr(mc, f"multilabel_{name}"), {"num_labels": L}, _ml_probs, _scores_ref(fn))
        for name, fn in (
            ("coverage_error", skm.coverage_error),
            ("ranking_average_precision", skm.label_ranking_average_precision_score),
            ("ranking_loss", skm.label_ranking_loss),
        )
    ],
    # multilabel
    _case("sw-ml_f1-macro", mc.multilabel_f1_score, {"num_labels": L}, _ml_probs, _prfs(2, "multilabel", "macro")),
    _case(
        "sw-ml_precision-micro",
        mc.multilabel_precision,
        {"num_labels": L, "average": "micro"},
        _ml_probs,
        _prfs(0, "multilabel", "micro"),
    ),
    _case(
        "sw-ml_hamming",
        mc.multilabel_hamming_distance,
        {"num_labels": L, "average": "micro"},
        _ml_probs,
        _sk(skm.hamming_loss, "multilabel"),
    ),
    _case(
        "sw-ml_jaccard-weighted",
        mc.multilabel_jaccard_index,
        {"num_labels": L, "average": "weighted"},
        _ml_probs,
        _sk(skm.jaccard_score, "multilabel", average="weighted"),
    ),
    # exact match (multilabel: scikit-learn's subset accuracy) and group fairness (weighted rates per group)
    _case(
        "sw-ml_exact_match",
        mc.multilabel_exact_match,
        {"num_labels": L},
        _ml_probs,
        _sk(skm.accuracy_score, "multilabel"),
    ),
    _case(
        "sw-ml_exact_match-multidim",
        mc.multilabel_exact_match,
        {"num_labels": L},
        _ml_multidim,
        _exact_match_multidim,
    ),
    _case(
        "sw-mc_exact_match",
        mc.multiclass_exact_match,
        {"num_classes": C},
        _mc_multidim,
        # one item per sample: matched when every position is
        lambda p, t, w: ((p.argmax(1) == t).all(1).double() * w.double()).sum() / w.double().sum(),
    ),
    _case("sw-groups_stat_rates", mc.binary_groups_stat_rates, {"num_groups": 3}, _grouped, _group_rates),
    _case("sw-fairness", mc.binary_fairness, {"num_groups": 3}, _grouped, _fairness),
]
assert _COMPILED <= {c.id for c in CASES}, _COMPILED - {c.id for c in CASES}
assert _WHOLE <= {c.id for c in CASES}, _WHOLE - {c.id for c in CASES}
