"""The COCO oracles: TorchMetrics' own COCO path on pycocotools or faster-coco-eval.

TorchMetrics' ``MeanAveragePrecision`` needs torchvision (``box_convert``), which does
not load beside the CPU torch build here, so the oracle feeds TorchMetrics' compute
function (``_calculate_map_with_coco``, the code that builds the COCO datasets and runs
COCOeval) with the inputs its ``update`` would have stored: boxes converted to xywh
with torchvision's arithmetic, masks RLE-encoded with the backend's own ``mask``
module. Images whose target has no mask still take part (TorchMetrics drops them from
the COCO image list for ``iou_type="segm"``, so their detections are never counted as
false positives; pycocotools on a real COCO dataset counts them): dummy boxes are
passed along with segm-only inputs, which keeps every image listed.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch

from metrix.detection._inputs import to_xywh


def _rle(masks: torch.Tensor, mask_utils: Any) -> tuple:
    out = []
    for m in masks.to(torch.uint8).cpu().numpy():
        rle = mask_utils.encode(np.asfortranarray(m))
        out.append((tuple(rle["size"]), rle["counts"]))
    return tuple(out)


def coco_reference(
    preds: list[dict[str, torch.Tensor]],
    target: list[dict[str, torch.Tensor]],
    *,
    backend: str = "pycocotools",
    box_format: str = "xyxy",
    iou_type: Any = "bbox",
    iou_thresholds: list[float] | None = None,
    rec_thresholds: list[float] | None = None,
    max_detection_thresholds: list[int] | None = None,
    class_metrics: bool = False,
    extended_summary: bool = False,
    average: str = "macro",
) -> dict[str, Any]:
    """TorchMetrics' ``MeanAveragePrecision(...)(preds, target)`` on the given backend."""
    from torchmetrics.detection.helpers import CocoBackend, _calculate_map_with_coco

    types = (iou_type,) if isinstance(iou_type, str) else tuple(iou_type)
    coco = CocoBackend(backend)
    det_box, det_mask, gt_box, gt_mask = [], [], [], []
    for p in preds:
        boxes = p["boxes"] if "bbox" in types else torch.zeros(len(p["labels"]), 4)
        det_box.append(to_xywh(boxes.reshape(-1, 4), box_format if "bbox" in types else "xywh"))
        if "segm" in types:
            det_mask.append(_rle(p["masks"], coco.mask_utils))
    for t in target:
        boxes = t["boxes"] if "bbox" in types else torch.zeros(len(t["labels"]), 4)
        gt_box.append(to_xywh(boxes.reshape(-1, 4), box_format if "bbox" in types else "xywh"))
        if "segm" in types:
            gt_mask.append(_rle(t["masks"], coco.mask_utils))
    iou_thr = iou_thresholds or torch.linspace(0.5, 0.95, 10).tolist()
    rec_thr = rec_thresholds or torch.linspace(0.0, 1.0, 101).tolist()
    mdt = sorted(max_detection_thresholds or [1, 10, 100])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = _calculate_map_with_coco(
            coco,
            [t["labels"] for t in target],
            gt_box,
            gt_mask,
            [t.get("iscrowd", torch.zeros_like(t["labels"])) for t in target],
            [t.get("area", torch.zeros_like(t["labels"])) for t in target],
            [p["labels"] for p in preds],
            det_box,
            det_mask,
            [p["scores"] for p in preds],
            types,
            average,
            iou_thr,
            rec_thr,
            mdt,
            class_metrics,
            extended_summary,
        )
    # the IoU blocks are compared with COCOeval's own ``ious`` in tests/test_detection.py
    out.pop("ious", None)
    for k in list(out):
        if k.endswith("ious"):
            out.pop(k)
    # TorchMetrics' Metric.compute squeezes one-element tensors
    return {k: (v.reshape(()) if isinstance(v, torch.Tensor) and v.numel() == 1 else v) for k, v in out.items()}


def coco_eval64(
    preds: list[dict[str, torch.Tensor]],
    target: list[dict[str, torch.Tensor]],
    *,
    backend: str = "pycocotools",
    iou_type: str = "bbox",
    average: str = "macro",
    iou_thresholds: list[float] | None = None,
    rec_thresholds: list[float] | None = None,
    max_detection_thresholds: list[int] | None = None,
) -> dict[str, np.ndarray]:
    """COCOeval's float64 ``stats`` (12), ``precision``, ``recall`` on TorchMetrics' COCO datasets."""
    import contextlib
    import io

    from torchmetrics.detection.helpers import CocoBackend

    coco = CocoBackend(backend)
    det_box, det_mask, gt_box, gt_mask = [], [], [], []
    for items, boxes_out, masks_out in ((preds, det_box, det_mask), (target, gt_box, gt_mask)):
        for d in items:
            boxes = d["boxes"] if iou_type == "bbox" else torch.zeros(len(d["labels"]), 4)
            boxes_out.append(to_xywh(boxes.reshape(-1, 4), "xyxy" if iou_type == "bbox" else "xywh"))
            if iou_type == "segm":
                masks_out.append(_rle(d["masks"], coco.mask_utils))
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dt, gt = coco._get_coco_datasets(
            [t["labels"] for t in target],
            gt_box,
            gt_mask,
            [t.get("iscrowd", torch.zeros_like(t["labels"])) for t in target],
            [t.get("area", torch.zeros_like(t["labels"])) for t in target],
            [p["labels"] for p in preds],
            det_box,
            det_mask,
            [p["scores"] for p in preds],
            (iou_type,),
            average=average,
        )
        ev = coco.cocoeval(gt, dt, iouType=iou_type)
        ev.params.iouThrs = np.array(iou_thresholds or torch.linspace(0.5, 0.95, 10).tolist(), dtype=np.float64)
        ev.params.recThrs = np.array(rec_thresholds or torch.linspace(0.0, 1.0, 101).tolist(), dtype=np.float64)
        ev.params.maxDets = sorted(max_detection_thresholds or [1, 10, 100])
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return {
        "ious": ev.ious,
        "stats": np.asarray(ev.stats, dtype=np.float64),
        "precision": np.asarray(ev.eval["precision"]),
        "recall": np.asarray(ev.eval["recall"]),
        "cat_ids": np.asarray(ev.params.catIds),
    }
