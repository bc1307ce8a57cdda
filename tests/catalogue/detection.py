"""Catalogue entries for metrix.detection (references: pycocotools / faster-coco-eval through
TorchMetrics' COCO path; NumPy formulas where TorchMetrics needs torchvision)."""

from __future__ import annotations

import functools

import numpy as np
import torch
import torchmetrics.functional.detection as tmd

from metrix import detection as md
from tests.catalogue._case import BadInput, Case, tm_reference
from tests.catalogue._coco_data import coco_like
from tests.catalogue._coco_reference import coco_reference

# ----------------------------------------------------------------------------- mAP inputs


def boxes_data(g: torch.Generator, n: int, **kw) -> tuple[list, list]:
    # small images keep the law suite fast; tests/test_detection.py has the bigger datasets
    return coco_like(g, n, **{"max_gt": 4, "max_extra": 3, **kw})


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
        n=32,
    ),
    Case(
        id="mean_average_precision-bbox-xywh-class_metrics-area-faster_coco_eval",
        factory=md.mean_average_precision,
        kwargs={"box_format": "xywh", "class_metrics": True},
        inputs=functools.partial(boxes_data, box_format="xywh", with_area=True, classes=7),
        reference=_fast_ref(box_format="xywh", class_metrics=True),
        fixed_state=False,
        n=32,
    ),
    Case(
        id="mean_average_precision-bbox-micro-maxdets",
        factory=md.mean_average_precision,
        kwargs={"average": "micro", "max_detection_thresholds": [1, 3, 8], "box_format": "cxcywh"},
        inputs=functools.partial(boxes_data, many=10, box_format="cxcywh"),
        reference=_fast_ref(average="micro", max_detection_thresholds=[1, 3, 8], box_format="cxcywh"),
        fixed_state=False,
        n=32,
    ),
    Case(
        id="mean_average_precision-segm",
        factory=md.mean_average_precision,
        kwargs={"iou_type": "segm", "class_metrics": True},
        inputs=functools.partial(boxes_data, masks=True, boxes=False, canvas=16),
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
        n=32,
    ),
]

CASES = [*MAP_CASES]

# ----------------------------------------------------------------------------- box IoU family
# TorchMetrics' IoU functionals call torchvision (which does not load beside the CPU torch
# here): the reference is the published formulas in NumPy float64.


def np_pairwise(kind: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU / GIoU / DIoU / CIoU of every row of ``a`` (N, 4) against every row of ``b`` (M, 4), xyxy."""
    a, b = a[:, None, :].astype(np.float64), b[None, :, :].astype(np.float64)
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    iw = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = iw * ih
    union = area_a + area_b - inter
    iou = inter / union
    if kind == "iou":
        return iou
    cw = np.maximum(a[..., 2], b[..., 2]) - np.minimum(a[..., 0], b[..., 0])
    ch = np.maximum(a[..., 3], b[..., 3]) - np.minimum(a[..., 1], b[..., 1])
    if kind == "giou":
        return iou - (cw * ch - union) / (cw * ch)
    rho2 = ((a[..., 0] + a[..., 2]) / 2 - (b[..., 0] + b[..., 2]) / 2) ** 2
    rho2 = rho2 + ((a[..., 1] + a[..., 3]) / 2 - (b[..., 1] + b[..., 3]) / 2) ** 2
    diou = iou - rho2 / (cw**2 + ch**2 + 1e-7)
    if kind == "diou":
        return diou
    v = (
        4
        / np.pi**2
        * (
            np.arctan((a[..., 2] - a[..., 0]) / (a[..., 3] - a[..., 1]))
            - np.arctan((b[..., 2] - b[..., 0]) / (b[..., 3] - b[..., 1]))
        )
        ** 2
    )
    return diou - v / (1 - iou + v + 1e-7) * v


def box_pairs(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    xy = torch.rand(n, 2, generator=g) * 100
    wh = torch.rand(n, 2, generator=g) * 40 + 1
    target = torch.cat([xy, xy + wh], 1)
    preds = target + torch.randn(n, 4, generator=g) * 6
    preds = torch.cat([torch.minimum(preds[:, :2], preds[:, 2:] - 0.5), preds[:, 2:]], 1)
    return preds, target


def iou_reference(kind: str, threshold: float | None = None, replacement: float = 0.0):
    def ref(preds: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        m = np.diagonal(np_pairwise(kind, preds.numpy(), target.numpy()))
        if threshold is not None:
            m = np.where(m < threshold, replacement, m)
        return torch.tensor(m.mean() if m.size else 0.0, dtype=torch.float64)

    return ref


def _nan_boxes(g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    p, t = box_pairs(g, 3)
    p[1, 2] = float("nan")
    return p, t


IOU_BAD = [
    BadInput(_nan_boxes, ValueError, "NaN or inf", traced=True),
    BadInput(lambda g: (torch.rand(3, 5), torch.rand(3, 5)), ValueError, r"shape \(N, 4\)"),
    BadInput(lambda g: (box_pairs(g, 3)[0], box_pairs(g, 2)[1]), ValueError, "paired boxes"),
    BadInput(lambda g: (torch.ones(3, 4, dtype=torch.long), torch.ones(3, 4)), TypeError, "floating point"),
]
IOU_FACTORIES = {
    "iou": md.intersection_over_union,
    "giou": md.generalized_intersection_over_union,
    "diou": md.distance_intersection_over_union,
    "ciou": md.complete_intersection_over_union,
}
IOU_CASES = [
    Case(
        id=f"{fn.__name__}",
        factory=fn,
        kwargs={},
        inputs=box_pairs,
        reference=iou_reference(kind),
        bad_inputs=IOU_BAD,
        atol=1e-5,
    )
    for kind, fn in IOU_FACTORIES.items()
]

CASES += IOU_CASES

# ----------------------------------------------------------------------------- panoptic quality
THINGS, STUFFS = {0, 1, 3}, {6, 7}


def panoptic_maps(g: torch.Generator, n: int, unknown: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Blocky (category, instance) maps; the target mostly agrees with the prediction; id 9 is unknown."""
    cats = torch.tensor([0, 1, 3, 6, 7, 9])
    k = 6 if unknown else 5
    p = torch.stack(
        [cats[torch.randint(0, k, (n, 5, 5), generator=g)], torch.randint(0, 3, (n, 5, 5), generator=g)], -1
    )
    t = torch.stack(
        [cats[torch.randint(0, 6, (n, 5, 5), generator=g)], torch.randint(0, 3, (n, 5, 5), generator=g)], -1
    )
    p = p.repeat_interleave(2, 1).repeat_interleave(2, 2)
    t = t.repeat_interleave(2, 1).repeat_interleave(2, 2)
    t = torch.where(torch.rand(t.shape[:-1], generator=g).unsqueeze(-1) < 0.7, p, t)
    return p, t


def _unknown_pred(g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    p, t = panoptic_maps(g, 2)
    p[0, 0, 0, 0] = 5
    return p, t


PANOPTIC_BAD = [
    BadInput(_unknown_pred, ValueError, "neither things nor stuffs"),
    BadInput(lambda g: (panoptic_maps(g, 2)[0], panoptic_maps(g, 3)[1]), ValueError, "same shape"),
    BadInput(lambda g: (torch.zeros(2, 4, 4, 3, dtype=torch.long),) * 2, ValueError, r"\(category, instance\)"),
    BadInput(lambda g: tuple(x.float() for x in panoptic_maps(g, 2)), TypeError, "integer"),
]
PANOPTIC_CASES = [
    Case(
        id="panoptic_quality-per_class-sq_rq-unknown",
        factory=md.panoptic_quality,
        kwargs={
            "things": THINGS,
            "stuffs": STUFFS,
            "allow_unknown_preds_category": True,
            "return_sq_and_rq": True,
            "return_per_class": True,
        },
        inputs=functools.partial(panoptic_maps, unknown=True),
        reference=tm_reference(tmd.panoptic_quality, THINGS, STUFFS, True, True, True),
        compile=False,
        vmap=False,
        note="segments are found with unique: eager update, per-category sum state",
        bad_inputs=PANOPTIC_BAD[1:],
        n=24,
    ),
    Case(
        id="modified_panoptic_quality",
        factory=md.modified_panoptic_quality,
        kwargs={"things": THINGS, "stuffs": STUFFS},
        inputs=panoptic_maps,
        reference=tm_reference(tmd.modified_panoptic_quality, THINGS, STUFFS),
        compile=False,
        vmap=False,
        note="segments are found with unique: eager update, per-category sum state",
        bad_inputs=PANOPTIC_BAD,
        n=24,
    ),
]
CASES += PANOPTIC_CASES
