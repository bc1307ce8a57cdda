"""Catalogue entries for the binary metrics the core issue needs (reference: TorchMetrics)."""

from __future__ import annotations

import torch
import torchmetrics.functional.classification as tmf

from metrix import classification as mc
from tests.catalogue._case import BadInput, Case


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


BINARY_BAD = [
    BadInput(
        lambda g: (torch.rand(4), torch.tensor([0, 1, 2, 0])), ValueError, "target must hold only 0 and 1", traced=True
    ),
    BadInput(lambda g: (torch.rand(4), torch.ones(3, dtype=torch.long)), ValueError, "same shape"),
    BadInput(
        lambda g: (torch.tensor([0.1, float("nan"), 0.3, 0.4]), torch.ones(4, dtype=torch.long)),
        ValueError,
        "NaN",
        traced=True,
    ),
    BadInput(lambda g: (torch.rand(4), torch.ones(4)), TypeError, "integer class labels"),
    BadInput(lambda g: ([0.1, 0.2], torch.ones(2, dtype=torch.long)), TypeError, "preds must be a torch.Tensor"),
]


def _tm(fn, **kw):
    def ref(p, t):
        return fn(p, t, **kw)

    return ref


CASES = [
    Case(
        "binary_accuracy-probs", mc.binary_accuracy, {}, binary_probs, _tm(tmf.binary_accuracy), bad_inputs=BINARY_BAD
    ),
    Case("binary_accuracy-labels", mc.binary_accuracy, {}, binary_labels, _tm(tmf.binary_accuracy)),
    Case(
        "binary_accuracy-logits-thr",
        mc.binary_accuracy,
        {"threshold": 0.3, "input_format": "logits"},
        binary_multidim,
        _tm(tmf.binary_accuracy, threshold=0.3),
    ),
    Case(
        "binary_accuracy-samplewise",
        mc.binary_accuracy,
        {"multidim_average": "samplewise"},
        binary_multidim,
        _tm(tmf.binary_accuracy, multidim_average="samplewise"),
        fixed_state=False,
        ordered=True,
    ),
    Case(
        "binary_accuracy-ignore",
        mc.binary_accuracy,
        {"ignore_index": -1},
        binary_ignore,
        _tm(tmf.binary_accuracy, ignore_index=-1),
    ),
    Case("binary_stat_scores", mc.binary_stat_scores, {}, binary_probs, _tm(tmf.binary_stat_scores)),
]
