"""Catalogue entries for metrix.detection (references: pycocotools / faster-coco-eval through
TorchMetrics' COCO path; NumPy formulas where TorchMetrics needs torchvision)."""

from __future__ import annotations

import functools

import torch

from metrix import detection as md
from tests.catalogue._case import BadInput, Case
from tests.catalogue._coco_data import coco_like
from tests.catalogue._coco_reference import coco_reference

# ----------------------------------------------------------------------------- mAP inputs


def boxes_data(g: torch.Generator, n: int, **kw) -> tuple[list, list]:
    return coco_like(g, n, **kw)


def fixed_shape_data(g: torch.Generator, n: int) -> tuple[list, list]:
    """Every image with 4 detections and 3 ground truths (static shapes: compiles once)."""
    out_p, out_t = [], []
    for _ in range(n):
        gt = torch.tensor([[10.0, 10, 50, 60], [100, 100, 180, 150], [300, 200, 420, 330]])
        gt = gt + torch.randn(3, 4, generator=g).abs() * 3
        det = torch.cat([gt[torch.randint(0, 3, (3,), generator=g)] + torch.randn(3, 4, generator=g) * 4, gt[:1] + 200])
        det = torch.stack(
            [det[:, 0], det[:, 1], torch.maximum(det[:, 2], det[:, 0]), torch.maximum(det[:, 3], det[:, 1])], 1
        )
        out_p.append(
            {"boxes": det, "scores": torch.rand(4, generator=g), "labels": torch.randint(0, 3, (4,), generator=g)}
        )
        out_t.append(
            {
                "boxes": gt,
                "labels": torch.randint(0, 3, (3,), generator=g),
                "iscrowd": (torch.rand(3, generator=g) < 0.2).long(),
            }
        )
    return out_p, out_t


# ----------------------------------------------------------------------------- bad inputs


def _one(g: torch.Generator, **changes) -> tuple[list, list]:
    p = {
        "boxes": torch.tensor([[1.0, 2, 30, 40], [5, 5, 9, 9]]),
        "scores": torch.tensor([0.9, 0.2]),
        "labels": torch.tensor([0, 1]),
    }
    t = {"boxes": torch.tensor([[1.0, 2, 28, 41]]), "labels": torch.tensor([0])}
    for key, value in changes.items():
        side, k = key.split("__")
        d = p if side == "p" else t
        if value is None:
            d.pop(k)
        else:
            d[k] = value
    return [p], [t]


def _masks_one(g: torch.Generator, size: tuple[int, int] = (20, 20)) -> tuple[list, list]:
    p = {"masks": torch.zeros(1, 20, 20, dtype=torch.bool), "scores": torch.tensor([0.5]), "labels": torch.tensor([0])}
    t = {"masks": torch.zeros(1, *size, dtype=torch.bool), "labels": torch.tensor([0])}
    return [p], [t]


MAP_BAD = [
    BadInput(lambda g: _one(g, p__boxes=torch.tensor([[30.0, 2, 1, 40], [5, 5, 9, 9]])), ValueError, "x2 < x1"),
    BadInput(lambda g: _one(g, t__boxes=torch.tensor([[1.0, float("nan"), 28, 41]])), ValueError, "NaN or inf"),
    BadInput(lambda g: _one(g, p__scores=torch.tensor([0.9, float("inf")])), ValueError, "NaN or inf"),
    BadInput(lambda g: _one(g, p__labels=torch.tensor([0])), ValueError, "'labels' holds 1"),
    BadInput(lambda g: _one(g, p__scores=torch.tensor([0.9, 0.1, 0.3])), ValueError, "one score per box"),
    BadInput(lambda g: _one(g, t__labels=None), ValueError, "missing the key 'labels'"),
    BadInput(lambda g: _one(g, p__scores=None), ValueError, "missing the key 'scores'"),
    BadInput(lambda g: (_one(g)[0] * 2, _one(g)[1]), ValueError, "one dict per image"),
    BadInput(lambda g: _one(g, t__iscrowd=torch.tensor([3])), ValueError, "iscrowd"),
    BadInput(lambda g: _one(g, p__boxes=torch.ones(2, 5)), ValueError, r"shape \(N, 4\)"),
    BadInput(lambda g: _one(g, p__labels=torch.tensor([0.0, 1.0])), TypeError, "integer class labels"),
    BadInput(lambda g: (torch.zeros(2, 4), _one(g)[1]), TypeError, "one dict per image"),
]
SEGM_BAD = [
    BadInput(lambda g: _masks_one(g, (20, 21)), ValueError, "same image size"),
    BadInput(lambda g: _one(g), ValueError, "missing the key 'masks'"),
]


def _ref(**kw):
    return functools.partial(coco_reference, **kw)


def _fast_ref(**kw):
    return functools.partial(coco_reference, backend="faster_coco_eval", **kw)


MAP_CASES = [
    Case(
        id="mean_average_precision-bbox",
        factory=md.mean_average_precision,
        kwargs={},
        inputs=boxes_data,
        reference=_ref(),
        fixed_state=False,
        bad_inputs=MAP_BAD,
        n=48,
    ),
    Case(
        id="mean_average_precision-bbox-xywh-class_metrics-area-faster_coco_eval",
        factory=md.mean_average_precision,
        kwargs={"box_format": "xywh", "class_metrics": True},
        inputs=functools.partial(boxes_data, box_format="xywh", with_area=True, classes=7),
        reference=_fast_ref(box_format="xywh", class_metrics=True),
        fixed_state=False,
        n=48,
    ),
    Case(
        id="mean_average_precision-bbox-micro-maxdets",
        factory=md.mean_average_precision,
        kwargs={"average": "micro", "max_detection_thresholds": [1, 3, 8], "box_format": "cxcywh"},
        inputs=functools.partial(boxes_data, many=12, box_format="cxcywh"),
        reference=_fast_ref(average="micro", max_detection_thresholds=[1, 3, 8], box_format="cxcywh"),
        fixed_state=False,
        n=48,
    ),
    Case(
        id="mean_average_precision-segm",
        factory=md.mean_average_precision,
        kwargs={"iou_type": "segm", "class_metrics": True},
        inputs=functools.partial(boxes_data, masks=True, boxes=False, canvas=40),
        reference=_ref(iou_type="segm", class_metrics=True),
        fixed_state=False,
        bad_inputs=SEGM_BAD,
        n=32,
    ),
    Case(
        id="mean_average_precision-bbox-capacity",
        factory=md.mean_average_precision,
        kwargs={"num_classes": 3, "capacity": 4096},
        inputs=fixed_shape_data,
        reference=_ref(),
        # the records live in fixed-capacity buffers and update compiles once
        # (tests/test_detection.py); compute sorts a data-dependent set of classes
        fixed_state=False,
        bad_inputs=[BadInput(lambda g: _one(g, p__labels=torch.tensor([0, 5])), ValueError, "num_classes=3")],
        n=48,
    ),
]

CASES = [*MAP_CASES]
