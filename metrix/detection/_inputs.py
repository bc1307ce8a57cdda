"""Input checks and box conversions shared by the detection families.

Detection inputs come as TorchMetrics gives them: a list with one dict per image
(``boxes``, ``scores``, ``labels``, ``masks``, ``iscrowd``, ``area``). Everything
here is plain Python over the list (one dict per image) plus value checks through
:func:`metrix._core.checks.check`, which also raise while tracing.

Boxes are converted to COCO's ``(x, y, w, h)`` with the very arithmetic torchvision's
``box_convert`` uses (``cxcywh`` goes through ``xyxy``), in the input's dtype, so the
widths and heights, and from them areas and IoUs, are the numbers pycocotools sees
when TorchMetrics hands it ``boxes.tolist()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import check, check_finite

BOX_FORMATS = ("xyxy", "xywh", "cxcywh")


def check_box_format(box_format: Any) -> str:
    """Validate ``box_format``."""
    if box_format not in BOX_FORMATS:
        raise ValueError(f"box_format must be one of {BOX_FORMATS}, got {box_format!r}")
    return box_format


def float_boxes(boxes: Tensor) -> Tensor:
    """Boxes as a floating tensor (integers become float32, as torchvision's arithmetic makes them)."""
    return boxes if boxes.is_floating_point() else boxes.to(torch.float32)


def to_xywh(boxes: Tensor, box_format: str) -> Tensor:
    """``(N, 4)`` boxes in ``box_format`` as ``(x, y, w, h)``, computed as torchvision's ``box_convert``."""
    boxes = float_boxes(boxes)
    if box_format == "xywh":
        return boxes
    if box_format == "cxcywh":
        cx, cy, w, h = boxes.unbind(-1)
        x1, y1 = cx - 0.5 * w, cy - 0.5 * h
        x2, y2 = cx + 0.5 * w, cy + 0.5 * h
    else:
        x1, y1, x2, y2 = boxes.unbind(-1)
    return torch.stack((x1, y1, x2 - x1, y2 - y1), dim=-1)


def check_labels(labels: Any, name: str, n: int, what: str) -> Tensor:
    """Check a ``(n,)`` integer label tensor."""
    if not isinstance(labels, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of integer class labels, got {type(labels).__name__}")
    if labels.numel() == 0:  # an empty torch.tensor([]) (float32) stands for "no objects", as in TorchMetrics
        return labels.reshape(0).long()
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer class labels, got dtype {labels.dtype}; pass labels.long()")
    labels = labels.reshape(-1) if labels.dim() == 0 else labels
    if labels.dim() != 1 or labels.shape[0] != n:
        raise ValueError(f"{name} must have one label per {what} ({n}), got shape {tuple(labels.shape)}")
    return labels


def check_list_pair(preds: Any, target: Any) -> None:
    """``preds`` and ``target`` are sequences of dicts of the same length."""
    for name, value in (("preds", preds), ("target", target)):
        if isinstance(value, (dict, Tensor, str)) or not isinstance(value, Sequence):
            raise TypeError(f"{name} must be a list with one dict per image, got {type(value).__name__}")
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise TypeError(f"{name}[{i}] must be a dict of tensors, got {type(item).__name__}")
    if len(preds) != len(target):
        raise ValueError(
            f"preds and target must hold one dict per image each, got {len(preds)} preds and {len(target)} targets"
        )


def require_keys(item: dict[str, Any], keys: Sequence[str], name: str) -> None:
    """Raise ``ValueError`` naming the first missing key."""
    for k in keys:
        if k not in item:
            raise ValueError(f"{name} is missing the key {k!r}; expected keys {sorted(keys)}")


def check_masks(masks: Any, name: str, n: int, what: str) -> Tensor:
    """Check a ``(n, H, W)`` boolean (or 0/1 integer) mask tensor; returns it as bool."""
    if not isinstance(masks, Tensor):
        raise TypeError(f"{name} must be a bool torch.Tensor of shape (N, H, W), got {type(masks).__name__}")
    if masks.is_floating_point() or masks.is_complex():
        raise TypeError(f"{name} must be a bool (or 0/1 integer) tensor, got dtype {masks.dtype}")
    if masks.dim() != 3 or masks.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n}, H, W), one mask per {what}, got {tuple(masks.shape)}")
    if masks.dtype != torch.bool:
        check((masks == 0) | (masks == 1), f"{name} must hold only 0 and 1")
        masks = masks != 0
    return masks


def check_scores(scores: Any, name: str, n: int, *, validate_args: bool) -> Tensor:
    """Check a ``(n,)`` floating score tensor."""
    if not isinstance(scores, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of detection scores, got {type(scores).__name__}")
    if scores.numel() == 0:
        return scores.reshape(0).to(torch.float64)
    if not scores.is_floating_point():
        raise TypeError(f"{name} must be a floating point tensor, got dtype {scores.dtype}")
    scores = scores.reshape(-1) if scores.dim() == 0 else scores
    if scores.dim() != 1 or scores.shape[0] != n:
        raise ValueError(f"{name} must have one score per box ({n}), got shape {tuple(scores.shape)}")
    check_finite(scores, name, enabled=validate_args)
    return scores
