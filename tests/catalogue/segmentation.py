"""Catalogue entries for metrix.segmentation (reference: TorchMetrics 1.9 segmentation functionals)."""

from __future__ import annotations

import functools

import torch
import torchmetrics.functional.segmentation as tms

from metrix import segmentation as ms
from tests.catalogue._case import BadInput, Case, quietly

C = 3


def index_maps(g: torch.Generator, n: int, size: int = 10) -> tuple[torch.Tensor, torch.Tensor]:
    target = torch.randint(0, C, (n, size, size), generator=g)
    noise = torch.randint(0, C, (n, size, size), generator=g)
    preds = torch.where(torch.rand(n, size, size, generator=g) < 0.35, noise, target)
    return preds, target


def one_hot_maps(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    p, t = index_maps(g, n)
    return torch.nn.functional.one_hot(p, C).movedim(-1, 1), torch.nn.functional.one_hot(t, C).movedim(-1, 1)


def score_maps(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Float scores (argmax taken) against a one-hot target, with a class often absent from a sample."""
    _, t = index_maps(g, n, 6)
    t = torch.where(t == 2, 0, t) if n else t
    scores = torch.randn(n, C, 6, 6, generator=g) + 2.5 * torch.nn.functional.one_hot(t, C).movedim(-1, 1)
    return scores, torch.nn.functional.one_hot(t, C).movedim(-1, 1)


def mixed_maps(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    p, t = index_maps(g, n)
    return torch.nn.functional.one_hot(p, C).movedim(-1, 1), t


def _miou_ref(per_class: bool, **kw):
    def ref(preds, target):
        scores = tms.mean_iou(preds, target, per_class=True, **kw).double()
        valid = scores != -1
        total, count = torch.where(valid, scores, 0.0).sum(0), valid.sum(0)
        if per_class:
            return torch.where(count > 0, total / count.clamp(min=1), -1.0)
        return total.sum() / count.sum()

    return ref


def _per_sample_ref(fn, **kw):
    """TorchMetrics' class value when fed one sample per update: the mean of per-sample values."""

    def ref(preds, target):
        values = torch.stack([fn(preds[i : i + 1], target[i : i + 1], **kw).double()[0] for i in range(len(preds))])
        return values.mean(0)

    return ref


def _dice_ref(**kw):
    def ref(preds, target):
        return quietly(tms.dice_score, preds, target, **kw).double().nanmean(0)

    return ref


def _hausdorff_ref(**kw):
    def ref(preds, target):
        return tms.hausdorff_distance(preds, target, **kw).double().mean()

    return ref


def _bad_index(g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    p, t = index_maps(g, 2)
    p[0, 0, 0] = C
    return p, t


INDEX_BAD = [
    BadInput(_bad_index, ValueError, r"class indices in \[0, 3\)", traced=True),
    BadInput(lambda g: (index_maps(g, 2)[0], index_maps(g, 3)[1]), ValueError, "same shape"),
    BadInput(lambda g: (index_maps(g, 2)[0].float(), index_maps(g, 2)[1]), TypeError, "integer class indices"),
]
ONE_HOT_BAD = [
    BadInput(lambda g: (one_hot_maps(g, 2)[0] * 2, one_hot_maps(g, 2)[1]), ValueError, "one-hot", traced=True),
    BadInput(lambda g: (torch.zeros(2, 4, 5, 5, dtype=torch.long),) * 2, ValueError, "num_classes=3"),
]

CASES = [
    Case(
        id="mean_iou-one_hot",
        factory=ms.mean_iou,
        kwargs={},
        inputs=one_hot_maps,
        reference=_miou_ref(False, num_classes=C),
        bad_inputs=[ONE_HOT_BAD[0]],
    ),
    Case(
        id="mean_iou-index-per_class-no_background",
        factory=ms.mean_iou,
        kwargs={"num_classes": C, "input_format": "index", "per_class": True, "include_background": False},
        inputs=index_maps,
        reference=_miou_ref(True, num_classes=C, input_format="index", include_background=False),
        bad_inputs=INDEX_BAD,
    ),
    Case(
        id="mean_iou-scores",
        factory=ms.mean_iou,
        kwargs={"num_classes": C, "per_class": True},
        inputs=score_maps,
        reference=_miou_ref(True, num_classes=C),
    ),
    Case(
        id="generalized_dice_score-index",
        factory=ms.generalized_dice_score,
        kwargs={"num_classes": C, "input_format": "index"},
        inputs=index_maps,
        reference=_per_sample_ref(tms.generalized_dice_score, num_classes=C, input_format="index"),
        bad_inputs=INDEX_BAD,
    ),
    Case(
        id="generalized_dice_score-scores-per_class-simple",
        factory=ms.generalized_dice_score,
        kwargs={"num_classes": C, "per_class": True, "weight_type": "simple"},
        inputs=score_maps,
        reference=_per_sample_ref(tms.generalized_dice_score, num_classes=C, per_class=True, weight_type="simple"),
    ),
    Case(
        id="generalized_dice_score-mixed-linear-no_background",
        factory=ms.generalized_dice_score,
        kwargs={"num_classes": C, "weight_type": "linear", "input_format": "mixed", "include_background": False},
        inputs=mixed_maps,
        reference=_per_sample_ref(
            tms.generalized_dice_score,
            num_classes=C,
            weight_type="linear",
            input_format="mixed",
            include_background=False,
        ),
    ),
]
# four of the eight (average, aggregation_level) pairs here; tests/test_segmentation.py checks all eight
for average, level in (("micro", "samplewise"), ("macro", "global"), ("weighted", "samplewise"), ("none", "global")):
    CASES.append(
        Case(
            id=f"dice_score-{average}-{level}",
            factory=ms.dice_score,
            kwargs={"num_classes": C, "average": average, "aggregation_level": level},
            inputs=score_maps,
            reference=_dice_ref(num_classes=C, average=average, aggregation_level=level),
            bad_inputs=ONE_HOT_BAD if average == "micro" else (),
        )
    )
CASES.append(
    Case(
        id="dice_score-index-no_background",
        factory=ms.dice_score,
        kwargs={"num_classes": C, "input_format": "index", "include_background": False},
        inputs=index_maps,
        reference=_dice_ref(num_classes=C, input_format="index", include_background=False),
        bad_inputs=INDEX_BAD,
    )
)
# one configuration here (the law suite); tests/test_segmentation.py covers every distance and direction
for kw in ({"distance_metric": "chessboard", "directed": True, "include_background": True, "spacing": [0.5, 2.0]},):
    CASES.append(
        Case(
            id="hausdorff_distance-" + ("-".join(f"{k}={v}" for k, v in kw.items()) or "default"),
            factory=ms.hausdorff_distance,
            kwargs={"num_classes": C, "input_format": "index", **kw},
            inputs=functools.partial(index_maps, size=8),
            reference=_hausdorff_ref(num_classes=C, input_format="index", **kw),
            compile=False,
            vmap=False,
            note="edge pixels are found with nonzero: eager update, sum state",
            bad_inputs=INDEX_BAD[:2],
            atol=1e-5,
            n=16,
        )
    )
