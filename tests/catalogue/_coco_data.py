"""Generated COCO-like detection data: crowd regions, empty images, all object sizes, score ties.

Every image draws its ground truth (possibly none, some crowd, sizes from a few pixels
to hundreds so that small, medium and large objects all occur, optional explicit
``area``), then detections: jittered copies of ground truth (sometimes with another
label), duplicates, and background boxes, with scores that tie on purpose when
``ties=True``. ``masks=True`` draws rectangle-plus-noise masks instead of (or besides)
boxes on a small canvas.
"""

from __future__ import annotations

import torch


def coco_like(
    g: torch.Generator,
    n: int,
    *,
    classes: int = 4,
    max_gt: int = 6,
    max_extra: int = 4,
    crowd: float = 0.1,
    ties: bool = False,
    masks: bool = False,
    boxes: bool = True,
    canvas: int = 640,
    box_format: str = "xyxy",
    with_area: bool = False,
    many: int = 0,
) -> tuple[list[dict[str, torch.Tensor]], list[dict[str, torch.Tensor]]]:
    """``n`` images of predictions and targets (see the module docstring).

    ``many > 0`` gives every fourth image that many extra background detections (more
    than ``maxDets``).
    """
    preds, target = [], []
    for i in range(n):
        kind = int(torch.randint(0, 8, (1,), generator=g))
        n_gt = 0 if kind == 0 else int(torch.randint(0, max_gt + 1, (1,), generator=g))
        size = torch.exp(torch.empty(n_gt).uniform_(1.0, 5.8 if canvas >= 400 else 4.2, generator=g))
        size = size.clamp(max=canvas * 0.8)
        aspect = torch.empty(n_gt).uniform_(0.5, 2.0, generator=g)
        w, h = size * aspect.sqrt(), size / aspect.sqrt()
        x = torch.rand(n_gt, generator=g) * (canvas - w).clamp(min=1)
        y = torch.rand(n_gt, generator=g) * (canvas - h).clamp(min=1)
        gt_xyxy = torch.stack([x, y, x + w, y + h], 1).round()
        gt_labels = torch.randint(0, classes, (n_gt,), generator=g)
        gt_crowd = (torch.rand(n_gt, generator=g) < crowd).long()
        # detections: 0-3 jittered copies of each ground truth, plus background boxes
        copies = torch.randint(0, 4, (n_gt,), generator=g) if kind != 1 else torch.zeros(n_gt, dtype=torch.long)
        src = torch.repeat_interleave(torch.arange(n_gt), copies)
        jitter = torch.randn(src.shape[0], 4, generator=g) * (size[src].unsqueeze(1) * 0.12 + 0.5)
        exact = torch.rand(src.shape[0], generator=g) < 0.15  # some detections exactly on the object
        det = gt_xyxy[src] + torch.where(exact.unsqueeze(1), 0.0, jitter)
        det_labels = gt_labels[src].clone()
        swap = torch.rand(src.shape[0], generator=g) < 0.15
        det_labels[swap] = torch.randint(0, classes, (int(swap.sum()),), generator=g)
        extra = int(torch.randint(0, max_extra + 1, (1,), generator=g)) + (many if many and i % 4 == 3 else 0)
        bx = torch.rand(extra, generator=g) * canvas * 0.8
        by = torch.rand(extra, generator=g) * canvas * 0.8
        bs = torch.exp(torch.empty(extra).uniform_(1.0, 5.0 if canvas >= 400 else 3.5, generator=g))
        det = torch.cat([det, torch.stack([bx, by, bx + bs, by + bs * 0.8], 1)])
        det_labels = torch.cat([det_labels, torch.randint(0, classes, (extra,), generator=g)])
        x1 = torch.minimum(det[:, 0], det[:, 2])
        y1 = torch.minimum(det[:, 1], det[:, 3])
        det = torch.stack([x1, y1, torch.maximum(det[:, 0], det[:, 2]), torch.maximum(det[:, 1], det[:, 3])], 1)
        det = det.clamp(0, canvas)
        scores = torch.rand(det.shape[0], generator=g)
        if ties:
            scores = (scores * 4).round() / 4
        p = {"scores": scores, "labels": det_labels}
        t = {"labels": gt_labels, "iscrowd": gt_crowd}
        if boxes:
            p["boxes"] = _format(det, box_format)
            t["boxes"] = _format(gt_xyxy, box_format)
        if masks:
            p["masks"] = _masks(det, canvas, g)
            t["masks"] = _masks(gt_xyxy, canvas, g)
        if with_area and n_gt:
            area = (gt_xyxy[:, 2] - gt_xyxy[:, 0]) * (gt_xyxy[:, 3] - gt_xyxy[:, 1])
            given = torch.rand(n_gt, generator=g) < 0.5
            t["area"] = torch.where(given, area * 1.7, torch.zeros_like(area))
        preds.append(p)
        target.append(t)
    return preds, target


def _format(xyxy: torch.Tensor, box_format: str) -> torch.Tensor:
    if box_format == "xyxy":
        return xyxy
    w, h = xyxy[:, 2] - xyxy[:, 0], xyxy[:, 3] - xyxy[:, 1]
    if box_format == "xywh":
        return torch.stack([xyxy[:, 0], xyxy[:, 1], w, h], 1)
    return torch.stack([xyxy[:, 0] + w / 2, xyxy[:, 1] + h / 2, w, h], 1)


def _masks(xyxy: torch.Tensor, canvas: int, g: torch.Generator) -> torch.Tensor:
    n = xyxy.shape[0]
    ys = torch.arange(canvas).reshape(1, canvas, 1)
    xs = torch.arange(canvas).reshape(1, 1, canvas)
    b = xyxy.round().long()
    inside = (xs >= b[:, 0, None, None]) & (xs < b[:, 2, None, None]) & (ys >= b[:, 1, None, None])
    inside = inside & (ys < b[:, 3, None, None])
    noise = torch.rand(n, canvas, canvas, generator=g) < 0.03
    return inside ^ noise
