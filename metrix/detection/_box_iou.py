"""Box IoU metrics: IoU, generalized, distance and complete IoU, in pure torch.

The pairwise formulas are torchvision's ``box_iou``, ``generalized_box_iou``,
``distance_box_iou`` and ``complete_box_iou`` (``eps = 1e-7``), written here so that no
torchvision is needed. As in TorchMetrics' functional API, ``aggregate=True`` averages
the IoU of the paired boxes (the diagonal of the IoU matrix): the state is a float64
sum and an int64 count, so it merges and syncs exactly, compiles once and vmaps.
``aggregate=False`` returns the full ``(N, M)`` matrix of every prediction against every
target seen, so the boxes are kept (``cat`` storage).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool, check_number, check_optional_number
from metrix._core.checks import check_finite
from metrix._core.family import publish
from metrix._core.metric import Metric
from metrix._core.state import cat_append, cat_init, leaf, state, stored_values
from metrix.detection import _parameter_docs as parameter_docs

__all__ = [
    "BoxIoUState",
    "BoxPairsState",
    "complete_intersection_over_union",
    "distance_intersection_over_union",
    "generalized_intersection_over_union",
    "intersection_over_union",
]

EPS = 1e-7  # torchvision's eps for the distance and complete IoU


@state
class BoxIoUState:
    """Sum of the paired boxes' IoU and number of pairs (``aggregate=True``)."""

    total: Tensor = leaf("sum")  # float64 (): sum of IoU (after the threshold replacement)
    count: Tensor = leaf("sum")  # int64 (): box pairs


@state
class BoxPairsState:
    """Every box seen (``aggregate=False``: the value is the full IoU matrix)."""

    preds: Any = leaf("cat")  # (N, 4) predicted boxes, xyxy
    target: Any = leaf("cat")  # (M, 4) target boxes, xyxy


# ----------------------------------------------------------------------------- kernels
# Each takes (..., 4) xyxy boxes that broadcast against each other: (N, 1, 4) with (1, M, 4)
# gives the (N, M) matrix, (N, 4) with (N, 4) the paired values.


def _inter_union(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    lt = torch.maximum(a[..., :2], b[..., :2])
    rb = torch.minimum(a[..., 2:], b[..., 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter, area_a + area_b - inter


def box_iou(a: Tensor, b: Tensor) -> Tensor:
    """Intersection over union."""
    inter, union = _inter_union(a, b)
    return inter / union


def _enclosing_wh(a: Tensor, b: Tensor) -> Tensor:
    lt = torch.minimum(a[..., :2], b[..., :2])
    rb = torch.maximum(a[..., 2:], b[..., 2:])
    return (rb - lt).clamp(min=0)


def generalized_box_iou(a: Tensor, b: Tensor) -> Tensor:
    """IoU minus the share of the enclosing box that neither box covers."""
    inter, union = _inter_union(a, b)
    wh = _enclosing_wh(a, b)
    area = wh[..., 0] * wh[..., 1]
    return inter / union - (area - union) / area


def _distance_iou(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    iou = box_iou(a, b)
    wh = _enclosing_wh(a, b)
    diagonal = wh[..., 0] ** 2 + wh[..., 1] ** 2 + EPS
    dx = (a[..., 0] + a[..., 2]) / 2 - (b[..., 0] + b[..., 2]) / 2
    dy = (a[..., 1] + a[..., 3]) / 2 - (b[..., 1] + b[..., 3]) / 2
    return iou - (dx**2 + dy**2) / diagonal, iou


def distance_box_iou(a: Tensor, b: Tensor) -> Tensor:
    """IoU minus the squared centre distance over the squared enclosing diagonal."""
    return _distance_iou(a, b)[0]


def complete_box_iou(a: Tensor, b: Tensor) -> Tensor:
    """Distance IoU minus the aspect-ratio consistency term ``alpha * v``."""
    diou, iou = _distance_iou(a, b)
    w_a, h_a = a[..., 2] - a[..., 0], a[..., 3] - a[..., 1]
    w_b, h_b = b[..., 2] - b[..., 0], b[..., 3] - b[..., 1]
    v = (4 / math.pi**2) * (torch.atan(w_a / h_a) - torch.atan(w_b / h_b)) ** 2
    alpha = v / (1 - iou + v + EPS)
    return diou - alpha * v


# ----------------------------------------------------------------------------- metrics


def _boxes(x: Any, name: str, validate_args: bool) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (N, 4), got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a floating point tensor of xyxy boxes, got dtype {x.dtype}")
    if x.dim() != 2 or x.shape[-1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), got {tuple(x.shape)}")
    check_finite(x, name, enabled=validate_args)
    return x


def _build(
    name: str,
    kernel: Callable[[Tensor, Tensor], Tensor],
    iou_threshold: Any,
    replacement_val: Any,
    aggregate: Any,
    validate_args: Any,
) -> Metric:
    thr = check_optional_number(iou_threshold, "iou_threshold", "None or a float", lambda v: True)
    repl = check_number(replacement_val, "replacement_val", "a float", lambda v: True)
    aggregate = check_bool(aggregate, "aggregate")
    validate_args = check_bool(validate_args, "validate_args")

    def threshold(iou: Tensor) -> Tensor:
        return iou if thr is None else torch.where(iou < thr, torch.full_like(iou, repl), iou)

    if aggregate:

        def init(*, device: Any = None) -> BoxIoUState:
            return BoxIoUState(
                torch.zeros((), dtype=torch.float64, device=device), torch.zeros((), dtype=torch.int64, device=device)
            )

        def update(s: BoxIoUState, preds: Tensor, target: Tensor) -> BoxIoUState:
            p = _boxes(preds, "preds", validate_args)
            t = _boxes(target, "target", validate_args)
            if p.shape != t.shape:
                raise ValueError(
                    "with aggregate=True preds and target are paired boxes of one shape (N, 4), "
                    f"got preds {tuple(p.shape)} and target {tuple(t.shape)}"
                )
            iou = threshold(kernel(p, t))
            return BoxIoUState(s.total + iou.to(torch.float64).sum(), s.count + p.shape[0])

        def compute(s: BoxIoUState) -> Tensor:
            return torch.where(s.count > 0, s.total / s.count.clamp(min=1), 0.0)

        return Metric(init, update, compute, name=name, key=(name, thr, repl, validate_args))

    def init_pairs(*, device: Any = None) -> BoxPairsState:
        return BoxPairsState(cat_init((4,), torch.float32, device), cat_init((4,), torch.float32, device))

    def update_pairs(s: BoxPairsState, preds: Tensor, target: Tensor) -> BoxPairsState:
        p = _boxes(preds, "preds", validate_args)
        t = _boxes(target, "target", validate_args)
        return BoxPairsState(cat_append(s.preds, p), cat_append(s.target, t))

    def compute_pairs(s: BoxPairsState) -> Tensor:
        p, t = stored_values(s.preds), stored_values(s.target)
        if p.shape[0] == 0 or t.shape[0] == 0:  # TorchMetrics' convention for a missing side
            k = t.shape[0] if p.shape[0] == 0 else p.shape[0]
            return torch.zeros((k, k), dtype=torch.float32, device=p.device)
        return threshold(kernel(p.unsqueeze(1), t.unsqueeze(0)))

    return Metric(init_pairs, update_pairs, compute_pairs, name=name)


class _BoxIoUFactory:
    """One IoU variant and its public factory, ``.factory``: the four share their signature and body."""

    def __init__(self, name: str, kernel: Callable[[Tensor, Tensor], Tensor], doc: str) -> None:
        self.name, self.kernel = name, kernel
        self.factory = publish(
            self._factory, name, __name__, doc, higher_is_better=True, glossary=parameter_docs.BOX_IOU
        )

    def _factory(
        self,
        iou_threshold: float | None = None,
        replacement_val: float = 0,
        aggregate: bool = True,
        *,
        validate_args: bool = True,
    ) -> Metric:
        return _build(self.name, self.kernel, iou_threshold, replacement_val, aggregate, validate_args)


intersection_over_union = _BoxIoUFactory(
    "intersection_over_union",
    box_iou,
    """Intersection over union of boxes, as ``torchmetrics.functional.detection.intersection_over_union``.

    Example:
        >>> intersection_over_union()(preds, target)
        tensor(0.5879, dtype=torch.float64)
    """,
).factory

generalized_intersection_over_union = _BoxIoUFactory(
    "generalized_intersection_over_union",
    generalized_box_iou,
    """Generalized IoU (Rezatofighi et al., CVPR 2019), as TorchMetrics' functional of the same name.

    Example:
        >>> generalized_intersection_over_union()(preds, target)
        tensor(0.5638, dtype=torch.float64)
    """,
).factory

distance_intersection_over_union = _BoxIoUFactory(
    "distance_intersection_over_union",
    distance_box_iou,
    """Distance IoU (Zheng et al., AAAI 2020), as TorchMetrics' functional of the same name.

    Example:
        >>> distance_intersection_over_union()(preds, target)
        tensor(0.5793, dtype=torch.float64)
    """,
).factory

complete_intersection_over_union = _BoxIoUFactory(
    "complete_intersection_over_union",
    complete_box_iou,
    """Complete IoU (Zheng et al., AAAI 2020), as TorchMetrics' functional of the same name.

    Example:
        >>> complete_intersection_over_union()(preds, target)
        tensor(0.5790, dtype=torch.float64)
    """,
).factory
