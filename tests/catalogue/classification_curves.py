"""Catalogue entries for the threshold-curve family (reference: TorchMetrics functional).

Exact curves (``thresholds=None``) keep samples in growing storage (``fixed_state=False``);
the same metrics with ``capacity=`` and the binned ones (``thresholds=T``) have fixed-size
states, so the compile and vmap laws run on them too.
"""

from __future__ import annotations

import torch
import torchmetrics.functional.classification as tmf

from metrix import classification as mc
from tests.catalogue._case import Case, tm_reference
from tests.catalogue._classification_bad import binary_bad, multiclass_bad, multilabel_bad

C = 4
CAP = 256  # >= the most samples the law suite feeds one state (64 rows x 3)


def binary_probs(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    # rounded scores: ties are where exact curves are subtle
    return (torch.rand(n, generator=g) * 20).round() / 20, torch.randint(0, 2, (n,), generator=g)


def binary_logits(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, 3, generator=g) * 3, torch.randint(0, 2, (n, 3), generator=g)


def binary_ignore(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    t = torch.randint(0, 2, (n,), generator=g)
    t = torch.where(torch.rand(n, generator=g) < 0.2, -1, t)
    return torch.rand(n, generator=g), t


def mc_probs(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, C, generator=g).softmax(-1), torch.randint(0, C, (n,), generator=g)


def mc_logits_ignore(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    t = torch.randint(0, C, (n,), generator=g)
    t = torch.where(torch.rand(n, generator=g) < 0.2, -1, t)
    return torch.randn(n, C, generator=g), t


def ml_probs(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return (torch.rand(n, C, generator=g) * 10).round() / 10, torch.randint(0, 2, (n, C), generator=g)


def ml_ignore(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    t = torch.randint(0, 2, (n, C), generator=g)
    t = torch.where(torch.rand(n, C, generator=g) < 0.2, -1, t)
    return torch.rand(n, C, generator=g), t


LOGITS = {"input_format": "logits"}


BINARY_BAD = binary_bad(scores_only=True)
MC_BAD = multiclass_bad(C, scores_only=True)
ML_BAD = multilabel_bad(C, scores_only=True)


def _family(
    prefix: str,
    fn,
    args: tuple,
    kwargs: dict,
    inputs,
    bad,
    *,
    curve: bool,
    tol: float = 1e-5,
    extra: dict | None = None,
):
    """Exact and binned cases, plus capacity unless ``curve`` (capacity curves have a fixed padded length)."""
    tm_fn = getattr(tmf, fn.__name__)
    ours = {**kwargs, **(extra or {})}  # metrix-only keywords (e.g. input_format)
    out = [
        Case(
            f"{prefix}-exact",
            fn,
            {**dict(zip(_argnames(fn), args)), **ours},
            inputs,
            tm_reference(tm_fn, *args, **kwargs),
            fixed_state=False,
            bad_inputs=bad,
            atol=tol,
            weighted=True,  # exact curves keep a float64 weight per stored sample
        ),
        Case(
            f"{prefix}-binned",
            fn,
            {**dict(zip(_argnames(fn), args)), **ours, "thresholds": 7},
            inputs,
            tm_reference(tm_fn, *args, **kwargs, thresholds=7),
            bad_inputs=bad,
            atol=tol,
            weighted=True,  # binned curves keep float64 weight sums
        ),
    ]
    if not curve:
        out.append(
            Case(
                f"{prefix}-capacity",
                fn,
                {**dict(zip(_argnames(fn), args)), **ours, "capacity": CAP},
                inputs,
                tm_reference(tm_fn, *args, **kwargs),
                bad_inputs=bad,
                atol=tol,
                weighted=True,
            )
        )
    return out


def _argnames(fn) -> list[str]:
    import inspect

    return [p.name for p in inspect.signature(fn).parameters.values() if p.default is inspect.Parameter.empty]


CASES = [
    *_family("binary_roc", mc.binary_roc, (), {}, binary_probs, BINARY_BAD, curve=True),
    *_family("binary_roc-ignore", mc.binary_roc, (), {"ignore_index": -1}, binary_ignore, (), curve=True),
    *_family("binary_pr_curve", mc.binary_precision_recall_curve, (), {}, binary_probs, (), curve=True),
    *_family(
        "binary_pr_curve-logits", mc.binary_precision_recall_curve, (), {}, binary_logits, (), curve=True, extra=LOGITS
    ),
    *_family("binary_auroc", mc.binary_auroc, (), {}, binary_probs, BINARY_BAD, curve=False),
    *_family(
        "binary_auroc-maxfpr", mc.binary_auroc, (), {"max_fpr": 0.3}, binary_logits, (), curve=False, extra=LOGITS
    ),
    *_family("binary_auroc-ignore", mc.binary_auroc, (), {"ignore_index": -1}, binary_ignore, (), curve=False),
    *_family("binary_ap", mc.binary_average_precision, (), {}, binary_probs, (), curve=False),
    *_family("binary_ap-ignore", mc.binary_average_precision, (), {"ignore_index": -1}, binary_ignore, (), curve=False),
    *_family("multiclass_roc", mc.multiclass_roc, (C,), {}, mc_probs, MC_BAD, curve=True),
    *_family("multiclass_roc-micro", mc.multiclass_roc, (C,), {"average": "micro"}, mc_probs, (), curve=True),
    *_family(
        "multiclass_pr_curve",
        mc.multiclass_precision_recall_curve,
        (C,),
        {},
        mc_probs,
        (),
        curve=True,
    ),
    *_family(
        "multiclass_pr_curve-ignore",
        mc.multiclass_precision_recall_curve,
        (C,),
        {"ignore_index": -1},
        mc_logits_ignore,
        (),
        curve=True,
        extra=LOGITS,
    ),
    *_family("multiclass_auroc", mc.multiclass_auroc, (C,), {}, mc_probs, MC_BAD, curve=False),
    *_family(
        "multiclass_auroc-weighted-ignore",
        mc.multiclass_auroc,
        (C,),
        {"average": "weighted", "ignore_index": -1},
        mc_logits_ignore,
        (),
        curve=False,
        extra=LOGITS,
    ),
    *_family("multiclass_auroc-none", mc.multiclass_auroc, (C,), {"average": "none"}, mc_probs, (), curve=False),
    *_family("multiclass_ap", mc.multiclass_average_precision, (C,), {}, mc_probs, (), curve=False),
    *_family(
        "multiclass_ap-none-ignore",
        mc.multiclass_average_precision,
        (C,),
        {"average": "none", "ignore_index": -1},
        mc_logits_ignore,
        (),
        curve=False,
        extra=LOGITS,
    ),
    *_family("multilabel_roc", mc.multilabel_roc, (C,), {}, ml_probs, ML_BAD, curve=True),
    *_family(
        "multilabel_pr_curve-ignore",
        mc.multilabel_precision_recall_curve,
        (C,),
        {"ignore_index": -1},
        ml_ignore,
        (),
        curve=True,
    ),
    *_family("multilabel_auroc", mc.multilabel_auroc, (C,), {}, ml_probs, ML_BAD, curve=False),
    *_family(
        "multilabel_auroc-micro-ignore",
        mc.multilabel_auroc,
        (C,),
        {"average": "micro", "ignore_index": -1},
        ml_ignore,
        (),
        curve=False,
    ),
    *_family(
        "multilabel_ap-weighted",
        mc.multilabel_average_precision,
        (C,),
        {"average": "weighted"},
        ml_probs,
        (),
        curve=False,
    ),
    *_family(
        "multilabel_ap-ignore", mc.multilabel_average_precision, (C,), {"ignore_index": -1}, ml_ignore, (), curve=False
    ),
]

# operating points, EER and LogAUC (same states; scalar-shaped outputs, so capacity cases too)
CASES += [
    *_family("binary_rfp", mc.binary_recall_at_fixed_precision, (0.6,), {}, binary_probs, BINARY_BAD, curve=False),
    *_family(
        "binary_pfr-ignore",
        mc.binary_precision_at_fixed_recall,
        (0.5,),
        {"ignore_index": -1},
        binary_ignore,
        (),
        curve=False,
    ),
    *_family("binary_sas", mc.binary_sensitivity_at_specificity, (0.6,), {}, binary_probs, (), curve=False),
    *_family("binary_spsens", mc.binary_specificity_at_sensitivity, (0.6,), {}, binary_probs, (), curve=False),
    *_family("multiclass_rfp", mc.multiclass_recall_at_fixed_precision, (C, 0.5), {}, mc_probs, MC_BAD, curve=False),
    *_family("multiclass_sas", mc.multiclass_sensitivity_at_specificity, (C, 0.6), {}, mc_probs, (), curve=False),
    *_family("multilabel_pfr", mc.multilabel_precision_at_fixed_recall, (C, 0.5), {}, ml_probs, ML_BAD, curve=False),
    *_family("multilabel_spsens", mc.multilabel_specificity_at_sensitivity, (C, 0.5), {}, ml_probs, (), curve=False),
    *_family("binary_eer", mc.binary_eer, (), {}, binary_probs, (), curve=False),
    *_family("multiclass_eer", mc.multiclass_eer, (C,), {}, mc_probs, (), curve=False),
    *_family("multiclass_eer-micro", mc.multiclass_eer, (C,), {"average": "micro"}, mc_probs, (), curve=False),
    *_family("multilabel_eer", mc.multilabel_eer, (C,), {}, ml_probs, (), curve=False),
    # LogAUC with capacity= follows the curve's point order where TorchMetrics' interpolation
    # depends on an unstable argsort among equal fpr values: no capacity case (see test file)
    *_family("binary_logauc", mc.binary_logauc, (), {"fpr_range": (0.05, 0.5)}, binary_probs, (), curve=True),
    *_family("multiclass_logauc", mc.multiclass_logauc, (C,), {"fpr_range": (0.05, 0.5)}, mc_probs, (), curve=True),
    *_family("multilabel_logauc-none", mc.multilabel_logauc, (C,), {"average": "none"}, ml_probs, (), curve=True),
]


def mc_multidim(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, C, 3, generator=g).softmax(1), torch.randint(0, C, (n, 3), generator=g)


def ml_multidim(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.rand(n, C, 2, generator=g), torch.randint(0, 2, (n, C, 2), generator=g)


# extra dims are flattened into the sample dim
CASES += [
    *_family("multiclass_auroc-multidim", mc.multiclass_auroc, (C,), {}, mc_multidim, (), curve=False),
    *_family("multilabel_ap-multidim", mc.multilabel_average_precision, (C,), {}, ml_multidim, (), curve=False),
    *_family("multiclass_roc-multidim", mc.multiclass_roc, (C,), {}, mc_multidim, (), curve=True),
]


# ----------------------------------------------------------------------------- fixed-length curves
# With capacity=, curves have one point per buffer slot: ties repeat their group's last point
# and unused slots repeat the final point. The reference builds that layout directly from
# pairwise comparisons (O(n^2), fine at n=64); deduplicated, it is TorchMetrics' curve
# (checked in tests/test_classification_curves.py).


def _padded_counts(score: torch.Tensor, positive: torch.Tensor, cap: int):
    s = score.double().sort(descending=True).values
    ge = score.double()[None, :] >= s[:, None]
    tps = (ge & positive[None, :]).sum(1).double()
    fps = (ge & ~positive[None, :]).sum(1).double()
    pad = cap - s.numel()
    return (torch.cat([x, x[-1:].expand(pad)]) for x in (s, tps, fps))


def _padded_roc(score, positive, cap):
    s, tps, fps = _padded_counts(score, positive, cap)
    zero = torch.zeros(1, dtype=torch.float64)
    fpr = torch.cat([zero, fps]) / max(float(fps[-1]), 1.0)
    tpr = torch.cat([zero, tps]) / max(float(tps[-1]), 1.0)
    return fpr.float(), tpr.float(), torch.cat([torch.ones(1, dtype=torch.float64), s]).float()


def _padded_pr(score, positive, cap, all_zero=None):
    # TorchMetrics: recall is 1 when every target is 0 (multiclass: label 0), else tps / P
    s, tps, fps = _padded_counts(score, positive, cap)
    precision = tps / (tps + fps)
    all_zero = bool(tps[-1] == 0) if all_zero is None else all_zero
    recall = torch.ones_like(tps) if all_zero else tps / tps[-1]
    one, zero = torch.ones(1, dtype=torch.float64), torch.zeros(1, dtype=torch.float64)
    return torch.cat([precision.flip(0), one]).float(), torch.cat([recall.flip(0), zero]).float(), s.flip(0).float()


def _padded_binary(curve, ignore_index=None):
    def ref(p, t):
        p, t = p.flatten(), t.flatten()
        if ignore_index is not None:
            p, t = p[t != ignore_index], t[t != ignore_index]
        if ((p < 0) | (p > 1)).any():
            p = p.sigmoid()
        return curve(p, t == 1, CAP)

    return ref


def _padded_multiclass(curve):
    def ref(p, t):
        extra = {"all_zero": bool((t == 0).all())} if curve is _padded_pr else {}
        rows = [curve(p[:, c], t == c, CAP, **extra) for c in range(p.shape[1])]
        return tuple(torch.stack(parts) for parts in zip(*rows))

    return ref


CASES += [
    Case(
        "binary_roc-capacity",
        mc.binary_roc,
        {"capacity": CAP},
        binary_probs,
        _padded_binary(_padded_roc),
        weighted=True,
        weight_repeats=False,
    ),
    Case(
        "binary_roc-ignore-capacity",
        mc.binary_roc,
        {"capacity": CAP, "ignore_index": -1},
        binary_ignore,
        _padded_binary(_padded_roc, ignore_index=-1),
        bad_inputs=BINARY_BAD,
        weighted=True,
        weight_repeats=False,
    ),
    Case(
        "binary_pr_curve-capacity",
        mc.binary_precision_recall_curve,
        {"capacity": CAP},
        binary_probs,
        _padded_binary(_padded_pr),
        weighted=True,
        weight_repeats=False,
    ),
    Case(
        "multiclass_roc-capacity",
        mc.multiclass_roc,
        {"num_classes": C, "capacity": CAP},
        mc_probs,
        _padded_multiclass(_padded_roc),
        weighted=True,
        weight_repeats=False,
    ),
    Case(
        "multiclass_pr_curve-capacity",
        mc.multiclass_precision_recall_curve,
        {"num_classes": C, "capacity": CAP},
        mc_probs,
        _padded_multiclass(_padded_pr),
        weighted=True,
        weight_repeats=False,
    ),
]


# the remaining variants and the task= dispatchers (exact + binned; the machinery is shared)
def _light(prefix: str, fn, args: tuple, kwargs: dict, inputs) -> list[Case]:
    return _family(prefix, fn, args, kwargs, inputs, (), curve=True)


CASES += [
    *_light("multiclass_pfr", mc.multiclass_precision_at_fixed_recall, (C, 0.5), {}, mc_probs),
    *_light("multiclass_spsens", mc.multiclass_specificity_at_sensitivity, (C, 0.5), {}, mc_probs),
    *_light("multilabel_rfp", mc.multilabel_recall_at_fixed_precision, (C, 0.5), {}, ml_probs),
    *_light("multilabel_sas", mc.multilabel_sensitivity_at_specificity, (C, 0.5), {}, ml_probs),
    *_light("task_auroc-multiclass", mc.auroc, ("multiclass",), {"num_classes": C}, mc_probs),
    *_light("task_ap-multilabel", mc.average_precision, ("multilabel",), {"num_labels": C}, ml_probs),
    *_light("task_roc-binary", mc.roc, ("binary",), {}, binary_probs),
    *_light("task_pr_curve-multiclass", mc.precision_recall_curve, ("multiclass",), {"num_classes": C}, mc_probs),
    *_light("task_eer-multilabel", mc.eer, ("multilabel",), {"num_labels": C}, ml_probs),
    *_light("task_logauc-binary", mc.logauc, ("binary",), {}, binary_probs),
    *_light("task_rfp-binary", mc.recall_at_fixed_precision, ("binary", 0.5), {}, binary_probs),
    *_light("task_pfr-multiclass", mc.precision_at_fixed_recall, ("multiclass", 0.5), {"num_classes": C}, mc_probs),
    *_light("task_sas-multilabel", mc.sensitivity_at_specificity, ("multilabel", 0.5), {"num_labels": C}, ml_probs),
    *_light("task_spsens-binary", mc.specificity_at_sensitivity, ("binary", 0.5), {}, binary_probs),
]
