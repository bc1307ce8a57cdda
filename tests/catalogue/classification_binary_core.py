"""Catalogue entries for the binary metrics the core issue needs (reference: TorchMetrics)."""

from __future__ import annotations

import torch
import torchmetrics.functional.classification as tmf

from metrix import classification as mc
from tests.catalogue._case import Case, tm_reference
from tests.catalogue._classification_bad import binary_bad


def binary_probs(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.rand(n, generator=g), torch.randint(0, 2, (n,), generator=g)


def binary_labels(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randint(0, 2, (n,), generator=g), torch.randint(0, 2, (n,), generator=g)


def binary_multidim(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, 5, generator=g), torch.randint(0, 2, (n, 5), generator=g)


def binary_ignore(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    t = torch.randint(0, 2, (n,), generator=g)
    t = torch.where(torch.rand(n, generator=g) < 0.2, -1, t)
    return torch.rand(n, generator=g), t


BINARY_BAD = binary_bad()


CASES = [
    Case(
        "binary_accuracy-probs",
        mc.binary_accuracy,
        {},
        binary_probs,
        tm_reference(tmf.binary_accuracy),
        bad_inputs=BINARY_BAD,
        weighted=True,
    ),
    Case(
        "binary_accuracy-labels",
        mc.binary_accuracy,
        {},
        binary_labels,
        tm_reference(tmf.binary_accuracy),
        weighted=True,
    ),
    Case(
        "binary_accuracy-logits-thr",
        mc.binary_accuracy,
        {"threshold": 0.3, "input_format": "logits"},
        binary_multidim,
        tm_reference(tmf.binary_accuracy, threshold=0.3),
        weighted=True,
    ),
    Case(
        "binary_accuracy-samplewise",
        mc.binary_accuracy,
        {"multidim_average": "samplewise"},
        binary_multidim,
        tm_reference(tmf.binary_accuracy, multidim_average="samplewise"),
        fixed_state=False,
        ordered=True,
    ),
    Case(
        "binary_accuracy-ignore",
        mc.binary_accuracy,
        {"ignore_index": -1},
        binary_ignore,
        tm_reference(tmf.binary_accuracy, ignore_index=-1),
        weighted=True,
    ),
    Case(
        "binary_stat_scores",
        mc.binary_stat_scores,
        {},
        binary_probs,
        tm_reference(tmf.binary_stat_scores),
        weighted=True,
    ),
]
