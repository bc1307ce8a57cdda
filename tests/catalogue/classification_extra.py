"""Catalogue entries for calibration error, hinge loss, label ranking and group fairness.

Reference: the TorchMetrics functional of the same name. Inputs that are logits are
scaled so that no batch of them falls inside [0, 1] by chance, since TorchMetrics
guesses probabilities-vs-logits per call (and the law suite calls it on every split).
"""

from __future__ import annotations

import re

import torch
import torchmetrics.functional.classification as tmf

from metrix import classification as mc
from tests.catalogue._case import BadInput, Case, tm_reference
from tests.catalogue._classification_bad import binary_bad, multiclass_bad, multilabel_bad, probabilities_bad

C = 4  # classes
L = 5  # labels
G = 3  # groups

# ----------------------------------------------------------------------------- inputs


def binary_probs(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.rand(n, generator=g), torch.randint(0, 2, (n,), generator=g)


def binary_logits(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return 4 * torch.randn(n, 3, generator=g), torch.randint(0, 2, (n, 3), generator=g)


def binary_ignore(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    p, t = binary_probs(g, n)
    return p, torch.where(torch.rand(n, generator=g) < 0.2, -1, t)


def mc_probs(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, C, generator=g).softmax(1), torch.randint(0, C, (n,), generator=g)


def mc_logits(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return 4 * torch.randn(n, C, generator=g), torch.randint(0, C, (n,), generator=g)


def mc_multidim_ignore(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    p = torch.randn(n, C, 2, generator=g).softmax(1)
    t = torch.randint(0, C, (n, 2), generator=g)
    return p, torch.where(torch.rand(n, 2, generator=g) < 0.2, -1, t)


def ml_probs(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.rand(n, L, generator=g), torch.randint(0, 2, (n, L), generator=g)


def ml_logits_multidim(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return 4 * torch.randn(n, L, 2, generator=g), torch.randint(0, 2, (n, L, 2), generator=g)


def ml_ignore(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    p, t = ml_probs(g, n)
    return p, torch.where(torch.rand(n, L, generator=g) < 0.15, -1, t)


def grouped(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    # every group occurs (n >= G): TorchMetrics renumbers the groups it sees
    groups = torch.randperm(n, generator=g) % G
    return torch.rand(n, generator=g), torch.randint(0, 2, (n,), generator=g), groups


def grouped_target_none(g: torch.Generator, n: int) -> tuple[torch.Tensor, None, torch.Tensor]:
    # demographic parity reads no target: pass None (a target would warn, as in TorchMetrics)
    preds, _, groups = grouped(g, n)
    return preds, None, groups


def grouped_logits_multidim(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    groups = torch.randperm(n, generator=g) % G
    return 4 * torch.randn(n, 2, generator=g), torch.randint(0, 2, (n, 2), generator=g), groups


def grouped_labels_ignore(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    groups = torch.randperm(n, generator=g) % G
    t = torch.randint(0, 2, (n,), generator=g)
    t = torch.where(torch.rand(n, generator=g) < 0.2, -1, t)
    return torch.randint(0, 2, (n,), generator=g), t, groups


def grouped_no_target(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    p, _, groups = grouped(g, n)
    return p, groups


# ----------------------------------------------------------------------------- references


_KEY = re.compile(r"^(DP|EO)_(\d+)_(\d+)$")


def fixed_keys(result: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """TorchMetrics' ``{"DP_i_j": ratio}`` in metrix' fixed-key form."""
    out = {}
    for k, v in result.items():
        kind, lo, hi = _KEY.match(k).groups()
        out[kind] = v
        out[f"{kind}_min_group"] = torch.tensor(int(lo))
        out[f"{kind}_max_group"] = torch.tensor(int(hi))
    return out


def _tm_fair(task: str, **kw):
    def ref(p, t, groups):
        return fixed_keys(tmf.binary_fairness(p, None if task == "demographic_parity" else t, groups, task=task, **kw))

    return ref


# ----------------------------------------------------------------------------- bad inputs

BINARY_BAD = binary_bad(scores_only=True)
PROBS_BAD = probabilities_bad(torch.tensor([0.1, 1.5, 0.3, 0.4]), torch.ones(4, dtype=torch.long))
MC_BAD = multiclass_bad(C, scores_only=True)
ML_BAD = multilabel_bad(L, scores_only=True)

GROUP_BAD = [
    BadInput(
        lambda g: (torch.rand(4), torch.ones(4, dtype=torch.long), torch.tensor([0, 1, G, 0])),
        ValueError,
        "group ids in",
        traced=True,
    ),
    BadInput(
        lambda g: (torch.rand(4), torch.tensor([0, 1, 2, 0]), torch.zeros(4, dtype=torch.long)),
        ValueError,
        "target must hold only 0 and 1",
        traced=True,
    ),
    BadInput(
        lambda g: (torch.tensor([0, 1, 2, 0]), torch.ones(4, dtype=torch.long), torch.zeros(4, dtype=torch.long)),
        ValueError,
        "integer preds must hold only 0 and 1",
        traced=True,
    ),
    BadInput(
        lambda g: (torch.tensor([0.1, float("nan"), 0.3, 0.4]), torch.ones(4, dtype=torch.long), torch.zeros(4).long()),
        ValueError,
        "NaN",
        traced=True,
    ),
    BadInput(lambda g: (torch.rand(4), torch.ones(4, dtype=torch.long), torch.zeros(4)), TypeError, "group ids"),
    BadInput(
        lambda g: (torch.rand(4), torch.ones(4, dtype=torch.long), torch.zeros(3, dtype=torch.long)),
        ValueError,
        "groups must have shape",
    ),
    BadInput(lambda g: (torch.rand(4), torch.ones(3, dtype=torch.long), torch.zeros(4).long()), ValueError, "same"),
]

# ----------------------------------------------------------------------------- cases

CALIBRATION = [
    Case(
        "binary_calibration_error-probs",
        mc.binary_calibration_error,
        {},
        binary_probs,
        tm_reference(tmf.binary_calibration_error),
        bad_inputs=BINARY_BAD,
        weighted=True,
    ),
    Case(
        "binary_calibration_error-logits-l2",
        mc.binary_calibration_error,
        {"n_bins": 7, "norm": "l2", "input_format": "logits"},
        binary_logits,
        tm_reference(tmf.binary_calibration_error, n_bins=7, norm="l2"),
        weighted=True,
    ),
    Case(
        "binary_calibration_error-ignore-max",
        mc.binary_calibration_error,
        {"n_bins": 5, "norm": "max", "ignore_index": -1, "input_format": "probabilities"},
        binary_ignore,
        tm_reference(tmf.binary_calibration_error, n_bins=5, norm="max", ignore_index=-1),
        bad_inputs=PROBS_BAD,
        weighted=True,
    ),
    Case(
        "multiclass_calibration_error-probs",
        mc.multiclass_calibration_error,
        {"num_classes": C},
        mc_probs,
        tm_reference(tmf.multiclass_calibration_error, num_classes=C),
        bad_inputs=MC_BAD,
        weighted=True,
    ),
    Case(
        "multiclass_calibration_error-logits-l2",
        mc.multiclass_calibration_error,
        {"num_classes": C, "n_bins": 10, "norm": "l2", "input_format": "logits"},
        mc_logits,
        tm_reference(tmf.multiclass_calibration_error, num_classes=C, n_bins=10, norm="l2"),
        weighted=True,
    ),
    Case(
        "multiclass_calibration_error-multidim-ignore-max",
        mc.multiclass_calibration_error,
        {"num_classes": C, "norm": "max", "ignore_index": -1},
        mc_multidim_ignore,
        tm_reference(tmf.multiclass_calibration_error, num_classes=C, norm="max", ignore_index=-1),
        weighted=True,
    ),
    Case(
        "calibration_error-task-binary",
        mc.calibration_error,
        {"task": "binary", "n_bins": 4},
        binary_probs,
        tm_reference(tmf.calibration_error, task="binary", n_bins=4),
        weighted=True,
    ),
    Case(
        "calibration_error-task-multiclass",
        mc.calibration_error,
        {"task": "multiclass", "num_classes": C, "norm": "l2"},
        mc_probs,
        tm_reference(tmf.calibration_error, task="multiclass", num_classes=C, norm="l2"),
        weighted=True,
    ),
]

HINGE = [
    Case(
        "binary_hinge_loss-probs",
        mc.binary_hinge_loss,
        {"validate_args": True},
        binary_probs,
        tm_reference(tmf.binary_hinge_loss),
        bad_inputs=BINARY_BAD,
        weighted=True,
    ),
    Case(
        "binary_hinge_loss-logits-squared",
        mc.binary_hinge_loss,
        {"squared": True, "input_format": "logits"},
        binary_logits,
        tm_reference(tmf.binary_hinge_loss, squared=True),
        weighted=True,
    ),
    Case(
        "binary_hinge_loss-ignore",
        mc.binary_hinge_loss,
        {"ignore_index": -1},
        binary_ignore,
        tm_reference(tmf.binary_hinge_loss, ignore_index=-1),
        weighted=True,
    ),
    Case(
        "multiclass_hinge_loss-probs",
        mc.multiclass_hinge_loss,
        {"num_classes": C, "validate_args": True},
        mc_probs,
        tm_reference(tmf.multiclass_hinge_loss, num_classes=C),
        bad_inputs=MC_BAD,
        weighted=True,
    ),
    Case(
        "multiclass_hinge_loss-logits-squared",
        mc.multiclass_hinge_loss,
        {"num_classes": C, "squared": True, "input_format": "logits"},
        mc_logits,
        tm_reference(tmf.multiclass_hinge_loss, num_classes=C, squared=True),
        weighted=True,
    ),
    Case(
        "multiclass_hinge_loss-one-vs-all",
        mc.multiclass_hinge_loss,
        {"num_classes": C, "multiclass_mode": "one-vs-all"},
        mc_probs,
        tm_reference(tmf.multiclass_hinge_loss, num_classes=C, multiclass_mode="one-vs-all"),
        weighted=True,
    ),
    Case(
        "multiclass_hinge_loss-one-vs-all-logits-squared",
        mc.multiclass_hinge_loss,
        {"num_classes": C, "multiclass_mode": "one-vs-all", "squared": True, "input_format": "logits"},
        mc_logits,
        tm_reference(tmf.multiclass_hinge_loss, num_classes=C, multiclass_mode="one-vs-all", squared=True),
        weighted=True,
    ),
    Case(
        "multiclass_hinge_loss-multidim-ignore",
        mc.multiclass_hinge_loss,
        {"num_classes": C, "ignore_index": -1},
        mc_multidim_ignore,
        tm_reference(tmf.multiclass_hinge_loss, num_classes=C, ignore_index=-1),
        weighted=True,
    ),
    Case(
        "hinge_loss-task-binary",
        mc.hinge_loss,
        {"task": "binary"},
        binary_probs,
        tm_reference(tmf.hinge_loss, task="binary"),
        weighted=True,
    ),
    Case(
        "hinge_loss-task-multiclass",
        mc.hinge_loss,
        {"task": "multiclass", "num_classes": C, "multiclass_mode": "one-vs-all"},
        mc_probs,
        tm_reference(tmf.hinge_loss, task="multiclass", num_classes=C, multiclass_mode="one-vs-all"),
        weighted=True,
    ),
]

RANKING = [
    case
    for name in ("multilabel_coverage_error", "multilabel_ranking_average_precision", "multilabel_ranking_loss")
    for case in (
        Case(
            f"{name}-probs",
            getattr(mc, name),
            {"num_labels": L},
            ml_probs,
            tm_reference(getattr(tmf, name), num_labels=L),
            weighted=True,
        ),
        Case(
            f"{name}-logits-multidim",
            getattr(mc, name),
            {"num_labels": L, "input_format": "logits"},
            ml_logits_multidim,
            tm_reference(getattr(tmf, name), num_labels=L),
            weighted=True,
        ),
        Case(
            f"{name}-ignore",
            getattr(mc, name),
            {"num_labels": L, "ignore_index": -1},
            ml_ignore,
            tm_reference(getattr(tmf, name), num_labels=L, ignore_index=-1),
            bad_inputs=ML_BAD,
            weighted=True,
        ),
    )
]

FAIRNESS = [
    Case(
        "binary_groups_stat_rates",
        mc.binary_groups_stat_rates,
        {"num_groups": G},
        grouped,
        tm_reference(tmf.binary_groups_stat_rates, num_groups=G),
        bad_inputs=GROUP_BAD,
        weighted=True,
    ),
    Case(
        "binary_groups_stat_rates-logits-multidim-thr",
        mc.binary_groups_stat_rates,
        {"num_groups": G, "threshold": 0.3, "input_format": "logits"},
        grouped_logits_multidim,
        tm_reference(tmf.binary_groups_stat_rates, num_groups=G, threshold=0.3),
        weighted=True,
    ),
    Case(
        "binary_groups_stat_rates-labels-ignore",
        mc.binary_groups_stat_rates,
        {"num_groups": G, "ignore_index": -1},
        grouped_labels_ignore,
        tm_reference(tmf.binary_groups_stat_rates, num_groups=G, ignore_index=-1),
        weighted=True,
    ),
    Case(
        "binary_fairness-all",
        mc.binary_fairness,
        {"num_groups": G},
        grouped,
        _tm_fair("all"),
        bad_inputs=GROUP_BAD,
        weighted=True,
    ),
    Case(
        "binary_fairness-dp",
        mc.binary_fairness,
        {"num_groups": G, "task": "demographic_parity", "threshold": 0.4},
        grouped_target_none,
        _tm_fair("demographic_parity", threshold=0.4),
        weighted=True,
    ),
    Case(
        "binary_fairness-eo-logits-multidim",
        mc.binary_fairness,
        {"num_groups": G, "task": "equal_opportunity", "input_format": "logits"},
        grouped_logits_multidim,
        _tm_fair("equal_opportunity"),
        weighted=True,
    ),
    Case(
        "binary_fairness-all-labels-ignore",
        mc.binary_fairness,
        {"num_groups": G, "ignore_index": -1},
        grouped_labels_ignore,
        _tm_fair("all", ignore_index=-1),
        weighted=True,
    ),
    Case(
        "demographic_parity",
        mc.demographic_parity,
        {"num_groups": G},
        grouped_no_target,
        lambda p, groups: fixed_keys(tmf.demographic_parity(p, groups)),
        weighted=True,
    ),
    Case(
        "equal_opportunity",
        mc.equal_opportunity,
        {"num_groups": G, "threshold": 0.6},
        grouped,
        lambda p, t, groups: fixed_keys(tmf.equal_opportunity(p, t, groups, threshold=0.6)),
        weighted=True,
    ),
]

CASES = CALIBRATION + HINGE + RANKING + FAIRNESS
