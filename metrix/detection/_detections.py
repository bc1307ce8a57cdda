"""One batch of TorchMetrics-style detection inputs, checked and flattened for matching.

``parse_batch`` turns the lists of per-image dicts into flat tensors (detections and
ground truths of every image, with their image index), computing the COCO areas as
TorchMetrics hands them to pycocotools: a given ``area > 0`` wins, otherwise the box
area ``w * h`` or the mask's pixel count (the mask's, for both IoU types, when masks
are evaluated). Every check runs before anything is stored, so a bad batch leaves the
state as it was.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import check, is_tracing
from metrix.detection._inputs import (
    check_labels,
    check_list_pair,
    check_masks,
    check_scores,
    float_boxes,
    require_keys,
    to_xywh,
)


@dataclasses.dataclass
class Batch:
    """Flat detections and ground truths of one ``update`` call."""

    n_images: int
    det_count: list[int]  # detections per image
    gt_count: list[int]
    det_image: Tensor  # int64 (D,)
    det_score: Tensor  # float64 (D,)
    det_label: Tensor  # int64 (D,)
    det_boxes: Tensor | None  # float64 (D, 4) xywh
    det_masks: list[Tensor] | None  # per image (D_i, H, W) bool
    gt_image: Tensor  # int64 (G,)
    gt_label: Tensor  # int64 (G,)
    gt_crowd: Tensor  # bool (G,)
    gt_area_given: Tensor  # float64 (G,), 0 where not given
    gt_boxes: Tensor | None  # float64 (G, 4) xywh
    gt_masks: list[Tensor] | None

    def boxes(self) -> tuple[Tensor, Tensor]:
        """``(det_boxes, gt_boxes)``, parsed whenever ``"bbox"`` is one of the IoU types."""
        if self.det_boxes is None or self.gt_boxes is None:
            raise RuntimeError("the boxes were not parsed: 'bbox' is not one of this metric's iou types")
        return self.det_boxes, self.gt_boxes

    def masks(self) -> tuple[list[Tensor], list[Tensor]]:
        """``(det_masks, gt_masks)``, parsed whenever ``"segm"`` is one of the IoU types."""
        if self.det_masks is None or self.gt_masks is None:
            raise RuntimeError("the masks were not parsed: 'segm' is not one of this metric's iou types")
        return self.det_masks, self.gt_masks


def _cat(parts: list[Tensor], empty: Tensor) -> Tensor:
    return torch.cat(parts) if parts else empty


def parse_batch(preds: Any, target: Any, iou_types: tuple[str, ...], box_format: str, *, validate_args: bool) -> Batch:
    """Check one batch and flatten it (see the module docstring).

    Per image only keys, types and lengths are looked at; values (finite coordinates,
    ordered corners, finite scores, 0/1 crowd flags) are checked once on the
    concatenated batch, and a failure names the first offending image.
    """
    check_list_pair(preds, target)
    bbox, segm = "bbox" in iou_types, "segm" in iou_types
    geometry = (["boxes"] if bbox else []) + (["masks"] if segm else [])
    det_boxes: list[Tensor] = []
    det_masks: list[Tensor] = []
    det_scores: list[Tensor] = []
    det_labels: list[Tensor] = []
    gt_boxes: list[Tensor] = []
    gt_masks: list[Tensor] = []
    gt_labels: list[Tensor] = []
    gt_crowds: list[Tensor | None] = []  # None: no 'iscrowd' given for that image
    gt_areas: list[Tensor | None] = []  # None: no 'area' given for that image
    det_count: list[int] = []
    gt_count: list[int] = []
    device = None
    boxes_only = bbox and not segm
    for i, (p, t) in enumerate(zip(preds, target)):
        fast = _well_formed_boxes(p, t) if boxes_only else None
        if fast is not None:  # the common case, checked in a few attribute reads
            n_det, n_gt = fast
            det_labels.append(p["labels"])
            det_scores.append(p["scores"])
            gt_labels.append(t["labels"])
            det_boxes.append(p["boxes"])
            gt_boxes.append(t["boxes"])
        else:
            n_det, n_gt = _checked_image(
                p,
                t,
                i,
                geometry,
                bbox,
                segm,
                det_labels,
                det_scores,
                gt_labels,
                det_boxes,
                gt_boxes,
                det_masks,
                gt_masks,
            )
        crowd = t.get("iscrowd")
        if crowd is not None:
            if isinstance(crowd, Tensor) and crowd.dtype == torch.bool:
                crowd = crowd.reshape(-1)
                if crowd.shape[0] != n_gt:
                    raise ValueError(f"target[{i}]['iscrowd'] must have one flag per ground-truth object ({n_gt})")
            else:
                crowd = check_labels(crowd, f"target[{i}]['iscrowd']", n_gt, "ground-truth object")
            gt_crowds.append(crowd)
        else:
            gt_crowds.append(None)
        area = t.get("area")
        if area is not None:
            if not isinstance(area, Tensor):
                raise TypeError(f"target[{i}]['area'] must be a torch.Tensor, got {type(area).__name__}")
            area = area.reshape(-1) if area.dim() == 0 else area
            if area.dim() != 1 or area.shape[0] != n_gt:
                raise ValueError(
                    f"target[{i}]['area'] must have one area per ground-truth object ({n_gt}), "
                    f"got shape {tuple(area.shape)}"
                )
        gt_areas.append(area)
        det_count.append(n_det)
        gt_count.append(n_gt)
        device = device or t["labels"].device
    dev = device if device is not None else torch.device("cpu")
    img = torch.arange(len(det_count), device=dev)
    counts_d = torch.tensor(det_count, dtype=torch.int64, device=dev)
    counts_g = torch.tensor(gt_count, dtype=torch.int64, device=dev)
    det_image = torch.repeat_interleave(img, counts_d)
    gt_image = torch.repeat_interleave(img, counts_g)
    z64 = torch.zeros(0, dtype=torch.int64, device=dev)
    zf = torch.zeros(0, dtype=torch.float64, device=dev)
    score = _cat(det_scores, zf)
    check(
        torch.isfinite(score),
        _first_bad("preds", "scores", ~torch.isfinite(score), det_image, "NaN or inf"),
        enabled=validate_args,
    )
    crowd = _fill(gt_crowds, gt_count, torch.int64, dev)
    check(
        (crowd == 0) | (crowd == 1),
        _first_bad("target", "iscrowd", (crowd != 0) & (crowd != 1), gt_image, "values other than 0 and 1"),
        enabled=validate_args,
    )
    return Batch(
        n_images=len(det_count),
        det_count=det_count,
        gt_count=gt_count,
        det_image=det_image,
        det_score=score.to(torch.float64),
        det_label=_cat(det_labels, z64).long(),
        det_boxes=_boxes(det_boxes, box_format, "preds", det_image, validate_args) if bbox else None,
        det_masks=det_masks if segm else None,
        gt_image=gt_image,
        gt_label=_cat(gt_labels, z64).long(),
        gt_crowd=crowd != 0,
        gt_area_given=_fill(gt_areas, gt_count, torch.float64, dev),
        gt_boxes=_boxes(gt_boxes, box_format, "target", gt_image, validate_args) if bbox else None,
        gt_masks=gt_masks if segm else None,
    )


def _well_formed_boxes(p: dict[str, Any], t: dict[str, Any]) -> tuple[int, int] | None:
    """``(detections, objects)`` if one image's box inputs are plainly valid, else ``None`` (check in full)."""
    pl, ps, pb, tl, tb = p.get("labels"), p.get("scores"), p.get("boxes"), t.get("labels"), t.get("boxes")
    if not (type(pl) is Tensor and type(ps) is Tensor and type(pb) is Tensor):
        return None
    if not (type(tl) is Tensor and type(tb) is Tensor):
        return None
    if pl.dim() != 1 or ps.dim() != 1 or pb.dim() != 2 or tl.dim() != 1 or tb.dim() != 2:
        return None
    n, m = pl.shape[0], tl.shape[0]
    if ps.shape[0] != n or pb.shape != (n, 4) or tb.shape != (m, 4) or n == 0 or m == 0:
        return None
    if not (ps.is_floating_point() and pb.is_floating_point() and tb.is_floating_point()):
        return None
    if pl.is_floating_point() or tl.is_floating_point() or pl.dtype == torch.bool or tl.dtype == torch.bool:
        return None
    if pl.is_complex() or tl.is_complex() or pb.is_complex() or tb.is_complex():
        return None
    return n, m


def _checked_image(
    p: dict[str, Any],
    t: dict[str, Any],
    i: int,
    geometry: list[str],
    bbox: bool,
    segm: bool,
    det_labels: list[Tensor],
    det_scores: list[Tensor],
    gt_labels: list[Tensor],
    det_boxes: list[Tensor],
    gt_boxes: list[Tensor],
    det_masks: list[Tensor],
    gt_masks: list[Tensor],
) -> tuple[int, int]:
    """Check one image's dicts key by key (messages name the image) and append its tensors."""
    require_keys(p, [*geometry, "scores", "labels"], f"preds[{i}]")
    require_keys(t, [*geometry, "labels"], f"target[{i}]")
    n_det = _count(p, geometry, f"preds[{i}]")
    n_gt = _count(t, geometry, f"target[{i}]")
    det_labels.append(check_labels(p["labels"], f"preds[{i}]['labels']", n_det, "detection"))
    det_scores.append(check_scores(p["scores"], f"preds[{i}]['scores']", n_det, validate_args=False))
    gt_labels.append(check_labels(t["labels"], f"target[{i}]['labels']", n_gt, "ground-truth object"))
    if bbox:
        det_boxes.append(_box_shape(p["boxes"], f"preds[{i}]['boxes']"))
        gt_boxes.append(_box_shape(t["boxes"], f"target[{i}]['boxes']"))
    if segm:
        dm = check_masks(p["masks"], f"preds[{i}]['masks']", n_det, "detection")
        gm = check_masks(t["masks"], f"target[{i}]['masks']", n_gt, "ground-truth object")
        if dm.shape[0] and gm.shape[0] and dm.shape[1:] != gm.shape[1:]:
            raise ValueError(
                f"preds[{i}]['masks'] and target[{i}]['masks'] must have the same image size, got "
                f"{tuple(dm.shape[1:])} and {tuple(gm.shape[1:])}"
            )
        det_masks.append(dm)
        gt_masks.append(gm)
    return n_det, n_gt


def _fill(parts: list[Tensor | None], counts: list[int], dtype: torch.dtype, device: Any) -> Tensor:
    """Concatenate optional per-image tensors, zeros where an image gave none (one allocation if none did)."""
    if all(x is None for x in parts):
        return torch.zeros(sum(counts), dtype=dtype, device=device)
    return torch.cat([(x if x is not None else torch.zeros(n, device=device)).to(dtype) for x, n in zip(parts, counts)])


def _box_shape(boxes: Any, name: str) -> Tensor:
    if not isinstance(boxes, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (N, 4), got {type(boxes).__name__}")
    if boxes.is_complex() or boxes.dtype == torch.bool:
        raise TypeError(f"{name} must hold real box coordinates, got dtype {boxes.dtype}")
    if boxes.dim() == 1 and boxes.numel() == 0:
        return boxes.reshape(0, 4)  # TorchMetrics accepts an empty 1-d tensor for "no boxes"
    if boxes.dim() != 2 or boxes.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), got {tuple(boxes.shape)}")
    return float_boxes(boxes)


def _first_bad(side: str, key: str, bad: Tensor, image: Tensor, what: str) -> Any:
    """The error message, naming the first offending image in eager code (a fixed text while tracing)."""
    if is_tracing(bad):
        return f"{side}[...][{key!r}] holds {what}"

    def message() -> str:
        i = int(image[bad.flatten(1).any(1) if bad.dim() > 1 else bad][0])
        return f"{side}[{i}][{key!r}] holds {what}"

    return message


def _boxes(parts: list[Tensor], box_format: str, side: str, image: Tensor, validate_args: bool) -> Tensor:
    """Concatenated boxes as float64 xywh, checked: finite, with ordered corners."""
    raw = torch.cat(parts) if parts else torch.zeros((0, 4), dtype=torch.float32, device=image.device)
    finite = torch.isfinite(raw)
    check(finite, _first_bad(side, "boxes", ~finite, image, "NaN or inf coordinates"), enabled=validate_args)
    xywh = to_xywh(raw, box_format)
    ordered = xywh[:, 2:] >= 0
    corners = "x2 < x1 or y2 < y1" if box_format == "xyxy" else "a negative width or height"
    check(
        ordered,
        _first_bad(
            side,
            "boxes",
            ~ordered,
            image,
            f"boxes with {corners} (box_format={box_format!r}); boxes must satisfy x1 <= x2 and y1 <= y2",
        ),
        enabled=validate_args,
    )
    return xywh.to(torch.float64)


def _count(item: dict[str, Any], geometry: list[str], name: str) -> int:
    """Number of objects in one image dict (its labels), checked against its boxes and masks."""
    labels = item["labels"]
    if not isinstance(labels, Tensor):
        raise TypeError(f"{name}['labels'] must be a torch.Tensor of integer class labels, got {type(labels).__name__}")
    n = labels.numel()
    for key in geometry:
        value = item[key]
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}[{key!r}] must be a torch.Tensor, got {type(value).__name__}")
        rows = value.shape[0] if value.dim() > 0 else 0
        if rows != n and not (key == "boxes" and value.numel() == 0 and n == 0):
            raise ValueError(f"{name}: {key!r} holds {rows} objects but 'labels' holds {n}; they must match")
    return n


def mask_areas(masks: list[Tensor], device: torch.device) -> Tensor:
    """Pixel counts of a list of ``(n_i, H, W)`` masks, flattened."""
    parts = [m.flatten(1).sum(1) for m in masks]
    return torch.cat(parts).to(torch.float64) if parts else torch.zeros(0, dtype=torch.float64, device=device)


def box_areas(xywh: Tensor) -> Tensor:
    """``w * h`` in float64 (what pycocotools computes from the listed box)."""
    return xywh[:, 2] * xywh[:, 3]


def gt_areas(batch: Batch, iou_types: tuple[str, ...]) -> Tensor:
    """Ground-truth areas as TorchMetrics passes them: the given ``area > 0``, else mask or box area."""
    if "segm" in iou_types:
        computed = mask_areas(batch.gt_masks or [], batch.gt_label.device)
    else:
        computed = box_areas(batch.boxes()[1])
    given = batch.gt_area_given
    return torch.where(given > 0, given, computed)
