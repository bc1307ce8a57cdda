"""Catalogue entries for the stat-scores family (reference: TorchMetrics functional).

Each option appears at least once per task: averages, top_k, thresholds, ignore_index
(outside and inside the class range), samplewise, logits/probabilities/labels,
zero_division, normalize, kappa weights, and the ``task=`` dispatchers.
"""

from __future__ import annotations

import torch
import torchmetrics.functional.classification as tmf

from metrix import classification as mc
from tests.catalogue._case import BadInput, Case, tm_reference
from tests.catalogue._classification_bad import (
    binary_bad,
    multiclass_bad,
    multiclass_label_preds_bad,
    multilabel_bad,
    probabilities_bad,
)
from tests.catalogue.classification_binary_core import (
    binary_ignore,
    binary_labels,
    binary_multidim,
    binary_probs,
)

C = 4  # classes
L = 3  # labels


# ----------------------------------------------------------------------------- inputs


def mc_logits(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, C, generator=g) * 2, torch.randint(0, C, (n,), generator=g)


def mc_probs(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, C, generator=g).softmax(1), torch.randint(0, C, (n,), generator=g)


def mc_labels(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randint(0, C, (n,), generator=g), torch.randint(0, C, (n,), generator=g)


def mc_multidim(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, C, 3, generator=g), torch.randint(0, C, (n, 3), generator=g)


def mc_ignore(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    p, t = mc_logits(g, n)
    return p, torch.where(torch.rand(n, generator=g) < 0.2, -1, t)


def mc_ignore_multidim(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    p, t = mc_multidim(g, n)
    return p, torch.where(torch.rand(n, 3, generator=g) < 0.2, -1, t)


def mc_match(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    # half the samples are predicted right at every position, so exact match is not ~0
    p, t = mc_multidim(g, n)
    right = torch.rand(n, 1, generator=g) < 0.5
    return p, torch.where(right, p.argmax(1), t)


def ml_probs(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.rand(n, L, generator=g), torch.randint(0, 2, (n, L), generator=g)


def ml_logits(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, L, generator=g) * 2, torch.randint(0, 2, (n, L), generator=g)


def ml_labels(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randint(0, 2, (n, L), generator=g), torch.randint(0, 2, (n, L), generator=g)


def ml_multidim(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.rand(n, L, 3, generator=g), torch.randint(0, 2, (n, L, 3), generator=g)


def ml_ignore(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    p, t = ml_probs(g, n)
    return p, torch.where(torch.rand(n, L, generator=g) < 0.2, -1, t)


def ml_match(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    p, t = ml_multidim(g, n)
    right = torch.rand(n, 1, 1, generator=g) < 0.5
    return p, torch.where(right, (p > 0.5).long(), t)


# ----------------------------------------------------------------------------- bad inputs

MC_BAD = [*multiclass_bad(C), *multiclass_label_preds_bad(C)]
MC_IGNORE_BAD = [
    BadInput(lambda g: (torch.randn(3, C), torch.tensor([0, -2, 1])), ValueError, "or ignore_index=-1", traced=True),
]
PROB_BAD = probabilities_bad(torch.tensor([[1.5, 0.2, 0.1, 0.0]]), torch.tensor([0]))


# Stat-scores metrics and exact match take sample_weight= (the weighted laws run on these
# Cases), except samplewise values (one per sample: a weight cannot change them).


def _case(id_, factory, kwargs, inputs, ref, ref_kw=None, **extra):
    """A Case whose reference is the TorchMetrics functional ``ref`` with the same kwargs (minus metrix extras)."""
    rkw = {k: v for k, v in kwargs.items() if k != "input_format"} if ref_kw is None else ref_kw
    extra.setdefault("weighted", kwargs.get("multidim_average") != "samplewise")
    return Case(id_, factory, kwargs, inputs, tm_reference(ref, quiet=True, **rkw), **extra)


SW = dict(fixed_state=False, ordered=True)  # samplewise: cat storage, values in arrival order

MULTICLASS = [
    _case("mc_stat_scores-macro", mc.multiclass_stat_scores, {"num_classes": C}, mc_logits, tmf.multiclass_stat_scores),
    _case(
        "mc_stat_scores-none-top2",
        mc.multiclass_stat_scores,
        {"num_classes": C, "average": None, "top_k": 2},
        mc_probs,
        tmf.multiclass_stat_scores,
    ),
    _case(
        "mc_stat_scores-weighted-labels",
        mc.multiclass_stat_scores,
        {"num_classes": C, "average": "weighted"},
        mc_labels,
        tmf.multiclass_stat_scores,
        atol=1e-4,
    ),
    _case(
        "mc_accuracy-micro",
        mc.multiclass_accuracy,
        {"num_classes": C, "average": "micro"},
        mc_logits,
        tmf.multiclass_accuracy,
        bad_inputs=MC_BAD,
    ),
    _case(
        "mc_accuracy-micro-no-num_classes",
        mc.multiclass_accuracy,
        {"average": "micro", "ignore_index": -1},
        mc_ignore,
        tmf.multiclass_accuracy,
        bad_inputs=[
            BadInput(lambda g: (torch.randn(3, C), torch.tensor([0, -3, 1])), ValueError, "target must", traced=True)
        ],
    ),
    _case(
        "mc_accuracy-macro-labels",
        mc.multiclass_accuracy,
        {"num_classes": C, "input_format": "labels"},
        mc_labels,
        tmf.multiclass_accuracy,
        bad_inputs=multiclass_label_preds_bad(C),
    ),
    _case(
        "mc_accuracy-weighted-top3-probs",
        mc.multiclass_accuracy,
        {"num_classes": C, "average": "weighted", "top_k": 3, "input_format": "probabilities"},
        mc_probs,
        tmf.multiclass_accuracy,
        bad_inputs=PROB_BAD,
    ),
    _case(
        "mc_accuracy-ignore",
        mc.multiclass_accuracy,
        {"num_classes": C, "ignore_index": -1},
        mc_ignore,
        tmf.multiclass_accuracy,
        bad_inputs=MC_IGNORE_BAD,
    ),
    _case(
        "mc_accuracy-samplewise",
        mc.multiclass_accuracy,
        {"num_classes": C, "multidim_average": "samplewise"},
        mc_multidim,
        tmf.multiclass_accuracy,
        **SW,
    ),
    _case(
        "mc_precision-macro-ignore-class0",
        mc.multiclass_precision,
        {"num_classes": C, "ignore_index": 0},
        mc_logits,
        tmf.multiclass_precision,
    ),
    _case(
        "mc_precision-none-zd1-top2",
        mc.multiclass_precision,
        {"num_classes": C, "average": "none", "zero_division": 1, "top_k": 2},
        mc_logits,
        tmf.multiclass_precision,
    ),
    _case(
        "mc_recall-weighted",
        mc.multiclass_recall,
        {"num_classes": C, "average": "weighted"},
        mc_multidim,
        tmf.multiclass_recall,
    ),
    _case(
        "mc_recall-samplewise-ignore-micro",
        mc.multiclass_recall,
        {"num_classes": C, "average": "micro", "multidim_average": "samplewise", "ignore_index": -1},
        mc_ignore_multidim,
        tmf.multiclass_recall,
        **SW,
    ),
    _case("mc_f1-macro", mc.multiclass_f1_score, {"num_classes": C}, mc_multidim, tmf.multiclass_f1_score),
    _case(
        "mc_fbeta-micro-top2",
        mc.multiclass_fbeta_score,
        {"beta": 0.5, "num_classes": C, "average": "micro", "top_k": 2},
        mc_logits,
        tmf.multiclass_fbeta_score,
    ),
    _case(
        "mc_specificity-macro-logits",
        mc.multiclass_specificity,
        {"num_classes": C, "input_format": "logits"},
        mc_logits,
        tmf.multiclass_specificity,
    ),
    _case(
        "mc_specificity-none-ignore",
        mc.multiclass_specificity,
        {"num_classes": C, "average": None, "ignore_index": -1},
        mc_ignore,
        tmf.multiclass_specificity,
    ),
    _case(
        "mc_npv-macro-zd1",
        mc.multiclass_negative_predictive_value,
        {"num_classes": C, "zero_division": 1},
        mc_logits,
        tmf.multiclass_negative_predictive_value,
    ),
    _case(
        "mc_hamming-macro",
        mc.multiclass_hamming_distance,
        {"num_classes": C},
        mc_logits,
        tmf.multiclass_hamming_distance,
    ),
    _case("mc_exact_match", mc.multiclass_exact_match, {"num_classes": C}, mc_match, tmf.multiclass_exact_match),
    _case(
        "mc_exact_match-samplewise-ignore",
        mc.multiclass_exact_match,
        {"num_classes": C, "multidim_average": "samplewise", "ignore_index": -1},
        mc_ignore_multidim,
        tmf.multiclass_exact_match,
        **SW,
    ),
    _case("mc_confmat", mc.multiclass_confusion_matrix, {"num_classes": C}, mc_logits, tmf.multiclass_confusion_matrix),
    _case(
        "mc_confmat-true-ignore",
        mc.multiclass_confusion_matrix,
        {"num_classes": C, "normalize": "true", "ignore_index": -1},
        mc_ignore,
        tmf.multiclass_confusion_matrix,
    ),
    _case(
        "mc_confmat-pred-labels",
        mc.multiclass_confusion_matrix,
        {"num_classes": C, "normalize": "pred"},
        mc_labels,
        tmf.multiclass_confusion_matrix,
    ),
    _case(
        "mc_confmat-all",
        mc.multiclass_confusion_matrix,
        {"num_classes": C, "normalize": "all"},
        mc_multidim,
        tmf.multiclass_confusion_matrix,
    ),
    _case(
        "mc_jaccard-macro-ignore-class0",
        mc.multiclass_jaccard_index,
        {"num_classes": C, "ignore_index": 0},
        mc_logits,
        tmf.multiclass_jaccard_index,
    ),
    _case(
        "mc_jaccard-micro",
        mc.multiclass_jaccard_index,
        {"num_classes": C, "average": "micro"},
        mc_logits,
        tmf.multiclass_jaccard_index,
    ),
    _case("mc_mcc", mc.multiclass_matthews_corrcoef, {"num_classes": C}, mc_logits, tmf.multiclass_matthews_corrcoef),
    _case(
        "mc_kappa-quadratic",
        mc.multiclass_cohen_kappa,
        {"num_classes": C, "weights": "quadratic"},
        mc_logits,
        tmf.multiclass_cohen_kappa,
    ),
    _case(
        "mc_kappa-linear-ignore",
        mc.multiclass_cohen_kappa,
        {"num_classes": C, "weights": "linear", "ignore_index": -1},
        mc_ignore,
        tmf.multiclass_cohen_kappa,
    ),
]

BINARY = [
    _case("b_stat_scores-ignore", mc.binary_stat_scores, {"ignore_index": -1}, binary_ignore, tmf.binary_stat_scores),
    _case(
        "b_precision-zd1",
        mc.binary_precision,
        {"zero_division": 1},
        binary_probs,
        tmf.binary_precision,
        bad_inputs=binary_bad(),
    ),
    _case("b_recall-ignore", mc.binary_recall, {"ignore_index": -1}, binary_ignore, tmf.binary_recall),
    _case("b_f1-multidim", mc.binary_f1_score, {}, binary_multidim, tmf.binary_f1_score),
    _case(
        "b_fbeta-labels",
        mc.binary_fbeta_score,
        {"beta": 2.0, "input_format": "labels"},
        binary_labels,
        tmf.binary_fbeta_score,
    ),
    _case(
        "b_specificity-logits-thr",
        mc.binary_specificity,
        {"threshold": 0.3, "input_format": "logits"},
        binary_multidim,
        tmf.binary_specificity,
    ),
    _case("b_npv", mc.binary_negative_predictive_value, {}, binary_probs, tmf.binary_negative_predictive_value),
    _case(
        "b_hamming-samplewise",
        mc.binary_hamming_distance,
        {"multidim_average": "samplewise"},
        binary_multidim,
        tmf.binary_hamming_distance,
        **SW,
    ),
    _case(
        "b_confmat-true", mc.binary_confusion_matrix, {"normalize": "true"}, binary_probs, tmf.binary_confusion_matrix
    ),
    _case("b_jaccard-zd1", mc.binary_jaccard_index, {"zero_division": 1}, binary_probs, tmf.binary_jaccard_index),
    _case(
        "b_mcc-ignore", mc.binary_matthews_corrcoef, {"ignore_index": -1}, binary_ignore, tmf.binary_matthews_corrcoef
    ),
    _case("b_kappa-linear", mc.binary_cohen_kappa, {"weights": "linear"}, binary_probs, tmf.binary_cohen_kappa),
]

MULTILABEL = [
    _case(
        "ml_stat_scores-macro",
        mc.multilabel_stat_scores,
        {"num_labels": L},
        ml_probs,
        tmf.multilabel_stat_scores,
        bad_inputs=multilabel_bad(L),
    ),
    _case(
        "ml_accuracy-micro-thr",
        mc.multilabel_accuracy,
        {"num_labels": L, "threshold": 0.3, "average": "micro"},
        ml_probs,
        tmf.multilabel_accuracy,
    ),
    _case(
        "ml_precision-none-logits",
        mc.multilabel_precision,
        {"num_labels": L, "average": None, "input_format": "logits"},
        ml_logits,
        tmf.multilabel_precision,
    ),
    _case(
        "ml_recall-weighted-ignore",
        mc.multilabel_recall,
        {"num_labels": L, "average": "weighted", "ignore_index": -1},
        ml_ignore,
        tmf.multilabel_recall,
    ),
    _case("ml_f1-macro-multidim", mc.multilabel_f1_score, {"num_labels": L}, ml_multidim, tmf.multilabel_f1_score),
    _case(
        "ml_fbeta-micro-labels",
        mc.multilabel_fbeta_score,
        {"beta": 2.0, "num_labels": L, "average": "micro"},
        ml_labels,
        tmf.multilabel_fbeta_score,
    ),
    _case(
        "ml_specificity-macro-probs",
        mc.multilabel_specificity,
        {"num_labels": L, "input_format": "probabilities"},
        ml_probs,
        tmf.multilabel_specificity,
    ),
    _case(
        "ml_npv-macro",
        mc.multilabel_negative_predictive_value,
        {"num_labels": L, "zero_division": 1},
        ml_probs,
        tmf.multilabel_negative_predictive_value,
    ),
    _case(
        "ml_hamming-samplewise",
        mc.multilabel_hamming_distance,
        {"num_labels": L, "multidim_average": "samplewise"},
        ml_multidim,
        tmf.multilabel_hamming_distance,
        **SW,
    ),
    _case("ml_exact_match", mc.multilabel_exact_match, {"num_labels": L}, ml_match, tmf.multilabel_exact_match),
    _case(
        "ml_exact_match-samplewise",
        mc.multilabel_exact_match,
        {"num_labels": L, "multidim_average": "samplewise"},
        ml_match,
        tmf.multilabel_exact_match,
        **SW,
    ),
    _case(
        "ml_confmat-pred-ignore",
        mc.multilabel_confusion_matrix,
        {"num_labels": L, "normalize": "pred", "ignore_index": -1},
        ml_ignore,
        tmf.multilabel_confusion_matrix,
    ),
    _case("ml_jaccard-macro", mc.multilabel_jaccard_index, {"num_labels": L}, ml_probs, tmf.multilabel_jaccard_index),
    _case("ml_mcc", mc.multilabel_matthews_corrcoef, {"num_labels": L}, ml_probs, tmf.multilabel_matthews_corrcoef),
]

DISPATCH = [
    _case("task_stat_scores-mc", mc.stat_scores, {"task": "multiclass", "num_classes": C}, mc_logits, tmf.stat_scores),
    _case("task_accuracy-ml", mc.accuracy, {"task": "multilabel", "num_labels": L}, ml_probs, tmf.accuracy),
    _case("task_precision-b", mc.precision, {"task": "binary"}, binary_probs, tmf.precision),
    _case(
        "task_f1-mc-macro",
        mc.f1_score,
        {"task": "multiclass", "num_classes": C, "average": "macro"},
        mc_logits,
        tmf.f1_score,
    ),
    _case(
        "task_confmat-ml", mc.confusion_matrix, {"task": "multilabel", "num_labels": L}, ml_probs, tmf.confusion_matrix
    ),
    _case("task_kappa-mc", mc.cohen_kappa, {"task": "multiclass", "num_classes": C}, mc_logits, tmf.cohen_kappa),
    _case(
        "task_recall-ml-macro",
        mc.recall,
        {"task": "multilabel", "num_labels": L, "average": "macro"},
        ml_probs,
        tmf.recall,
    ),
    _case("task_specificity-b", mc.specificity, {"task": "binary"}, binary_probs, tmf.specificity),
    _case(
        "task_npv-mc",
        mc.negative_predictive_value,
        {"task": "multiclass", "num_classes": C},
        mc_logits,
        tmf.negative_predictive_value,
    ),
    _case(
        "task_hamming-ml", mc.hamming_distance, {"task": "multilabel", "num_labels": L}, ml_probs, tmf.hamming_distance
    ),
    _case("task_fbeta-b", mc.fbeta_score, {"task": "binary", "beta": 2.0}, binary_probs, tmf.fbeta_score),
    _case("task_jaccard-mc", mc.jaccard_index, {"task": "multiclass", "num_classes": C}, mc_logits, tmf.jaccard_index),
    _case(
        "task_mcc-ml", mc.matthews_corrcoef, {"task": "multilabel", "num_labels": L}, ml_probs, tmf.matthews_corrcoef
    ),
    _case("task_exact_match-ml", mc.exact_match, {"task": "multilabel", "num_labels": L}, ml_match, tmf.exact_match),
]

# ----------------------------------------------------------------------------- many classes

# above SMALL_C (64) classes the multiclass state is per-class counts (micro averages: two
# counts), not the C×C matrix: every law runs on those states too
MANY = 70


def many_logits(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    # targets concentrated on a fifth of the classes, so that per-class counts are not all 0 or 1
    t = torch.where(torch.rand(n, generator=g) < 0.6, torch.randint(0, MANY // 5, (n,), generator=g), 0)
    t = t + torch.randint(0, MANY, (n,), generator=g) * (t == 0)
    return torch.randn(n, MANY, generator=g) + 3 * torch.nn.functional.one_hot(t, MANY), t


def many_ignore(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    p, t = many_logits(g, n)
    return p, torch.where(torch.rand(n, generator=g) < 0.2, -1, t)


def many_labels(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    p, t = many_logits(g, n)
    return torch.where(torch.rand(n, generator=g) < 0.5, t, p.argmin(1)), t


MANY_CLASSES = [
    _case(
        "mc70_accuracy-macro",
        mc.multiclass_accuracy,
        {"num_classes": MANY},
        many_logits,
        tmf.multiclass_accuracy,
        bad_inputs=multiclass_bad(MANY),
    ),
    _case(
        "mc70_accuracy-micro",
        mc.multiclass_accuracy,
        {"num_classes": MANY, "average": "micro"},
        many_logits,
        tmf.multiclass_accuracy,
    ),
    _case(
        "mc70_f1-micro-ignore-top3",
        mc.multiclass_f1_score,
        {"num_classes": MANY, "average": "micro", "ignore_index": -1, "top_k": 3},
        many_ignore,
        tmf.multiclass_f1_score,
    ),
    _case(
        "mc70_stat_scores-none-ignore",
        mc.multiclass_stat_scores,
        {"num_classes": MANY, "average": None, "ignore_index": -1},
        many_ignore,
        tmf.multiclass_stat_scores,
    ),
    _case(
        "mc70_specificity-weighted-top2",
        mc.multiclass_specificity,
        {"num_classes": MANY, "average": "weighted", "top_k": 2},
        many_logits,
        tmf.multiclass_specificity,
    ),
    _case(
        "mc70_precision-micro-labels",
        mc.multiclass_precision,
        {"num_classes": MANY, "average": "micro"},
        many_labels,
        tmf.multiclass_precision,
    ),
    _case(
        "mc70_jaccard-ignore-class",
        mc.multiclass_jaccard_index,
        {"num_classes": MANY, "ignore_index": 3},
        many_logits,
        tmf.multiclass_jaccard_index,
    ),
    _case(
        "mc70_mcc",
        mc.multiclass_matthews_corrcoef,
        {"num_classes": MANY},
        many_labels,
        tmf.multiclass_matthews_corrcoef,
    ),
    _case("mc70_kappa", mc.multiclass_cohen_kappa, {"num_classes": MANY}, many_labels, tmf.multiclass_cohen_kappa),
    _case(
        "mc70_kappa-quadratic",
        mc.multiclass_cohen_kappa,
        {"num_classes": MANY, "weights": "quadratic"},
        many_labels,
        tmf.multiclass_cohen_kappa,
    ),
    _case(
        "mc70_confusion_matrix-ignore",
        mc.multiclass_confusion_matrix,
        {"num_classes": MANY, "ignore_index": -1},
        many_ignore,
        tmf.multiclass_confusion_matrix,
    ),
]

CASES = MULTICLASS + BINARY + MULTILABEL + DISPATCH + MANY_CLASSES
