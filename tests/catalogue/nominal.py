"""Catalogue entries for metrix.nominal (reference: TorchMetrics' nominal functionals and classes).

TorchMetrics' functionals size their table by the number of distinct labels, so they
need every label below that number: the generators make ``preds`` (and every column of
a matrix) cycle through all labels, so the union always covers ``0..k-1``. Its
functionals cannot apply Yates' correction to a 2×2 table (an in-place float add on an
int64 table raises); the 2×2 cases use its classes, whose table is float.
"""

from __future__ import annotations

import torch
import torchmetrics.functional.nominal as tmn
import torchmetrics.nominal as tmn_classes

from metrix import nominal as mn
from tests.catalogue._case import BadInput, Case, quietly, tm_reference

# Categories in the generated data: 3 < every sample count the law suite draws (>= 4), as
# bias correction is undefined (NaN, with a warning) when a side has as many categories as samples.
K = 3


def _cycling(g: torch.Generator, n: int, k: int) -> torch.Tensor:
    return (torch.arange(n) + torch.randint(0, k, (1,), generator=g)) % k


def pair(g: torch.Generator, n: int, k: int = K) -> tuple[torch.Tensor, torch.Tensor]:
    preds = _cycling(g, n, k)
    noise = torch.randint(0, k, (n,), generator=g)
    target = torch.where(torch.rand(n, generator=g) < 0.6, preds, noise)
    return preds, target


def pair_binary(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return pair(g, n, 2)


def pair_float_nan(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    preds, target = (x.to(torch.float32) for x in pair(g, n))
    target = torch.where(torch.rand(n, generator=g) < 0.15, torch.nan, target)
    preds = torch.where(torch.rand(n, generator=g) < 0.1, torch.nan, preds)
    # keep preds cycling through every label somewhere (TorchMetrics' table size)
    preds[: min(n, K)] = torch.arange(min(n, K), dtype=torch.float32)
    return preds, target


def pair_scores(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    preds, target = pair(g, n)
    scores = torch.rand(n, K, generator=g) + torch.nn.functional.one_hot(preds, K)
    return scores, target


def _blocks(g: torch.Generator, n: int) -> torch.Tensor:
    """Labels in blocks of K, each block a random permutation of 0..K-1: every prefix of K covers all labels."""
    blocks = -(-n // K)
    return torch.rand(blocks, K, generator=g).argsort(1).reshape(-1)[:n]


def matrix(g: torch.Generator, n: int) -> tuple[torch.Tensor]:
    base = _blocks(g, n)
    cols = [base]
    for share in (0.7, 0.4, 0.0):
        keep = (torch.rand(-(-n // K), generator=g) < share).repeat_interleave(K)[:n]  # whole blocks
        cols.append(torch.where(keep, base, _blocks(g, n)))
    return (torch.stack(cols, 1),)


def matrix_nan(g: torch.Generator, n: int) -> tuple[torch.Tensor]:
    (m,) = matrix(g, n)
    m = m.to(torch.float64)
    nan = torch.rand(m.shape, generator=g) < 0.1
    nan[:K] = False  # the first block stays whole in every column (TorchMetrics' table size)
    return (torch.where(nan, torch.nan, m),)


def ratings_counts(g: torch.Generator, n: int) -> tuple[torch.Tensor]:
    choices = torch.randint(0, 3, (n, 5), generator=g)
    return (torch.nn.functional.one_hot(choices, 3).sum(1),)


def ratings_probs(g: torch.Generator, n: int) -> tuple[torch.Tensor]:
    # 3 categories and 5 raters: TorchMetrics sizes its one-hot by the raters, fine while categories <= raters
    return (torch.rand(n, 3, 5, generator=g),)


def _class_oracle(cls, **kwargs):
    """A TorchMetrics class as oracle: one update on all the data, then compute."""

    def ref(preds, target):
        metric = cls(**kwargs)
        metric.update(preds, target)
        return quietly(metric.compute)

    return ref


# ----------------------------------------------------------------------------- bad inputs

LABEL_BAD = [
    BadInput(lambda g: (torch.zeros(4, dtype=torch.long), torch.zeros(5, dtype=torch.long)), ValueError, "same number"),
    BadInput(lambda g: (torch.zeros(4, 2, 2), torch.zeros(4)), ValueError, "1-d labels"),
    BadInput(lambda g: ([0, 1], torch.zeros(2)), TypeError, "preds must be a torch.Tensor"),
    BadInput(lambda g: (torch.tensor([0.5, 1.0, 2.0, 0.0]), torch.zeros(4)), ValueError, "whole-number"),
    BadInput(lambda g: (torch.tensor([0.0, 1.0, torch.inf, 0.0]), torch.zeros(4)), ValueError, "whole-number"),
]
FIXED_BAD = [
    *LABEL_BAD[:3],
    BadInput(lambda g: (torch.tensor([0.5, 1.0, 2.0, 0.0]), torch.zeros(4)), ValueError, "whole-number", traced=True),
    BadInput(
        lambda g: (torch.tensor([0, 1, 7, 2]), torch.zeros(4, dtype=torch.long)),
        ValueError,
        "num_classes=5",
        traced=True,
    ),
    BadInput(
        lambda g: (torch.zeros(4, dtype=torch.long), torch.tensor([0, -1, 2, 3])),
        ValueError,
        "target holds",
        traced=True,
    ),
]
MATRIX_BAD = [
    BadInput(lambda g: (torch.zeros(4, 3, dtype=torch.long),), ValueError, "num_variables=4"),
    BadInput(lambda g: (torch.zeros(4, dtype=torch.long),), ValueError, "2-d"),
    BadInput(lambda g: (torch.full((4, 4), 6),), ValueError, f"num_classes={K}", traced=True),
    BadInput(lambda g: (torch.full((4, 4), 0.5),), ValueError, "whole-number", traced=True),
]
FLEISS_BAD = [
    BadInput(lambda g: (torch.ones(4, 3),), ValueError, "integer ratings"),
    BadInput(lambda g: (torch.ones(4, 3, 2, dtype=torch.long),), ValueError, "mode='counts'"),
    BadInput(lambda g: (-torch.ones(4, 3, dtype=torch.long),), ValueError, "counts >= 0", traced=True),
]
FLEISS_FIXED_BAD = [
    *FLEISS_BAD,
    BadInput(lambda g: (torch.ones(4, 4, dtype=torch.long),), ValueError, "num_categories=3"),
]


# ----------------------------------------------------------------------------- cases

CASES = [
    # chi-squared family: stored labels (TorchMetrics' functional call) and fixed tables
    Case(
        "cramers_v",
        mn.cramers_v,
        {},
        pair,
        tm_reference(tmn.cramers_v, quiet=True),
        fixed_state=False,
        bad_inputs=LABEL_BAD,
    ),
    Case(
        "cramers_v-fixed",
        mn.cramers_v,
        {"num_classes": 5},
        pair,
        tm_reference(tmn.cramers_v, quiet=True),
        bad_inputs=FIXED_BAD,
    ),
    Case(
        "cramers_v-nobias",
        mn.cramers_v,
        {"num_classes": K, "bias_correction": False},
        pair,
        tm_reference(tmn.cramers_v, bias_correction=False),
    ),
    Case(
        "cramers_v-yates-2x2",
        mn.cramers_v,
        {"num_classes": 2},
        pair_binary,
        _class_oracle(tmn_classes.CramersV, num_classes=2),
    ),
    # TorchMetrics' functional cannot take (N, C) scores beside (N,) labels (it concatenates them); its class can
    Case(
        "cramers_v-scores",
        mn.cramers_v,
        {"num_classes": K},
        pair_scores,
        _class_oracle(tmn_classes.CramersV, num_classes=K),
    ),
    Case(
        "cramers_v-nan-drop",
        mn.cramers_v,
        {"nan_strategy": "drop", "bias_correction": False},
        pair_float_nan,
        tm_reference(tmn.cramers_v, nan_strategy="drop", bias_correction=False),
        fixed_state=False,
    ),
    Case(
        "cramers_v-nan-replace-fixed",
        mn.cramers_v,
        {"num_classes": K, "nan_replace_value": 2},
        pair_float_nan,
        tm_reference(tmn.cramers_v, nan_replace_value=2, quiet=True),
    ),
    Case("tschuprows_t", mn.tschuprows_t, {}, pair, tm_reference(tmn.tschuprows_t, quiet=True), fixed_state=False),
    Case(
        "tschuprows_t-fixed-drop",
        mn.tschuprows_t,
        {"num_classes": K, "nan_strategy": "drop", "bias_correction": False},
        pair_float_nan,
        tm_reference(tmn.tschuprows_t, nan_strategy="drop", bias_correction=False),
    ),
    Case(
        "tschuprows_t-yates-2x2",
        mn.tschuprows_t,
        {"num_classes": 2},
        pair_binary,
        _class_oracle(tmn_classes.TschuprowsT, num_classes=2),
    ),
    Case(
        "pearsons_cc",
        mn.pearsons_contingency_coefficient,
        {},
        pair,
        tm_reference(tmn.pearsons_contingency_coefficient),
        fixed_state=False,
    ),
    Case(
        "pearsons_cc-fixed",
        mn.pearsons_contingency_coefficient,
        {"num_classes": K},
        pair,
        tm_reference(tmn.pearsons_contingency_coefficient),
    ),
    Case("theils_u", mn.theils_u, {}, pair, tm_reference(tmn.theils_u), fixed_state=False),
    Case(
        "theils_u-fixed-drop",
        mn.theils_u,
        {"num_classes": K, "nan_strategy": "drop"},
        pair_float_nan,
        tm_reference(tmn.theils_u, nan_strategy="drop"),
    ),
    # matrices
    Case(
        "cramers_v_matrix",
        mn.cramers_v_matrix,
        {},
        matrix,
        tm_reference(tmn.cramers_v_matrix, quiet=True),
        fixed_state=False,
        bad_inputs=[BadInput(lambda g: (torch.zeros(4, dtype=torch.long),), ValueError, "2-d")],
    ),
    Case(
        "cramers_v_matrix-fixed",
        mn.cramers_v_matrix,
        {"num_classes": K, "num_variables": 4},
        matrix,
        tm_reference(tmn.cramers_v_matrix, quiet=True),
        bad_inputs=MATRIX_BAD,
    ),
    Case(
        "tschuprows_t_matrix-fixed-drop",
        mn.tschuprows_t_matrix,
        {"num_classes": K, "num_variables": 4, "nan_strategy": "drop", "bias_correction": False},
        matrix_nan,
        tm_reference(tmn.tschuprows_t_matrix, nan_strategy="drop", bias_correction=False),
    ),
    Case(
        "pearsons_cc_matrix",
        mn.pearsons_contingency_coefficient_matrix,
        {"nan_strategy": "drop"},
        matrix_nan,
        tm_reference(tmn.pearsons_contingency_coefficient_matrix, nan_strategy="drop"),
        fixed_state=False,
    ),
    Case(
        "pearsons_cc_matrix-fixed",
        mn.pearsons_contingency_coefficient_matrix,
        {"num_classes": K, "num_variables": 4},
        matrix,
        tm_reference(tmn.pearsons_contingency_coefficient_matrix),
    ),
    Case("theils_u_matrix", mn.theils_u_matrix, {}, matrix, tm_reference(tmn.theils_u_matrix), fixed_state=False),
    Case(
        "theils_u_matrix-fixed-replace",
        mn.theils_u_matrix,
        {"num_classes": K, "num_variables": 4, "nan_replace_value": 1},
        matrix_nan,
        tm_reference(tmn.theils_u_matrix, nan_replace_value=1),
    ),
    # Fleiss' kappa
    Case(
        "fleiss_kappa",
        mn.fleiss_kappa,
        {},
        ratings_counts,
        tm_reference(tmn.fleiss_kappa),
        fixed_state=False,
        bad_inputs=FLEISS_BAD,
    ),
    Case(
        "fleiss_kappa-fixed",
        mn.fleiss_kappa,
        {"num_categories": 3},
        ratings_counts,
        tm_reference(tmn.fleiss_kappa),
        bad_inputs=FLEISS_FIXED_BAD,
    ),
    Case(
        "fleiss_kappa-probs-fixed",
        mn.fleiss_kappa,
        {"mode": "probs", "num_categories": 3},
        ratings_probs,
        tm_reference(tmn.fleiss_kappa, mode="probs"),
        bad_inputs=[BadInput(lambda g: (torch.ones(4, 3, dtype=torch.long),), ValueError, "mode='probs'")],
    ),
    Case(
        "fleiss_kappa-probs",
        mn.fleiss_kappa,
        {"mode": "probs"},
        ratings_probs,
        tm_reference(tmn.fleiss_kappa, mode="probs"),
        fixed_state=False,
    ),
]
