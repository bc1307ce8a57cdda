"""Hausdorff distance between the edges of segmentation maps, averaged over samples and classes.

Edges are the pixels of a mask with a 4-neighbour (6 in 3-d) outside it, the image
border counting as outside (TorchMetrics' ``mask_edges``: binary erosion, exclusive or).
Per sample and class the value is the largest distance from an edge pixel of one mask
to the nearest edge pixel of the other (both ways, or predicted to target only with
``directed=True``); ``inf`` when exactly one of the two masks is empty. The state is a
float64 sum and an int64 count, as in TorchMetrics' class. Finding the edge pixels is
data-dependent, so ``update`` runs eagerly (no compile, no vmap); the sums still merge and
sync exactly.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from metrix._core.args import check_bool, check_choice, check_numbers
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.segmentation._inputs import check_common, check_num_classes, one_hot_pair

__all__ = ["HausdorffDistanceState", "hausdorff_distance"]

_CHUNK = 2048  # edge pixels compared at once (bounds the pairwise distance block)


@state
class HausdorffDistanceState:
    """Sum of per-(sample, class) Hausdorff distances and their number."""

    total: Tensor = leaf("sum")  # float64 (): sum of distances (inf if any is inf)
    count: Tensor = leaf("sum")  # int64 (): (sample, class) pairs with at least one non-empty mask


def mask_edges(masks: Tensor) -> Tensor:
    """Edge pixels of boolean masks ``(M, *spatial)`` (2-d or 3-d)."""
    dims = masks.dim() - 1
    padded = F.pad(masks, (1, 1) * dims, value=False)
    centre = (slice(None), *(slice(1, -1),) * dims)
    interior = masks
    for d in range(dims):
        for lo, hi in ((0, -2), (2, None)):
            index = list(centre)
            index[d + 1] = slice(lo, hi)
            interior = interior & padded[tuple(index)]
    return masks & ~interior


def _directed(a: Tensor, b: Tensor, spacing: Tensor, metric: str) -> Tensor:
    """Largest distance from a point of ``a`` to its nearest point of ``b`` (coordinates ``(n, d)``)."""
    worst = torch.zeros((), dtype=torch.float64, device=a.device)
    for start in range(0, a.shape[0], _CHUNK):
        diff = (a[start : start + _CHUNK, None, :] - b[None, :, :]).abs().to(torch.float64) * spacing
        if metric == "euclidean":
            dist = diff.pow(2).sum(-1).sqrt()
        elif metric == "chessboard":
            dist = diff.amax(-1)
        else:
            dist = diff.sum(-1)
        worst = torch.maximum(worst, dist.amin(1).amax())
    return worst


@factory(higher_is_better=False)
def hausdorff_distance(
    num_classes: int,
    include_background: bool = False,
    distance_metric: str = "euclidean",
    spacing: list[float] | Tensor | None = None,
    directed: bool = False,
    input_format: str = "one-hot",
    *,
    validate_args: bool = True,
) -> Metric:
    """Hausdorff distance between segmentation edges, averaged as TorchMetrics 1.9's ``HausdorffDistance``.

    A (sample, class) pair where both masks are empty has no distance: it is skipped
    (TorchMetrics raises there). TorchMetrics' PyTorch distance transform indexes rows
    with the image height, which misplaces distances on non-square images; metrix
    measures them on any shape.

    Args:
        num_classes: number of classes.
        include_background: keep class 0.
        distance_metric: ``"euclidean"``, ``"chessboard"`` or ``"taxicab"``.
        spacing: pixel size along each spatial dim (default 1).
        directed: only from predicted edges to target edges.
        input_format: ``"one-hot"``, ``"index"`` or ``"mixed"`` (see :func:`metrix.segmentation.mean_iou`).
        validate_args: check 0/1 maps and index ranges.

    Returns:
        A metric whose value is the float64 mean distance (NaN before any pair counted).

    Example:
        >>> import torch
        >>> from metrix.segmentation import hausdorff_distance
        >>> preds = torch.zeros(1, 8, 8, dtype=torch.long)
        >>> target = torch.zeros(1, 8, 8, dtype=torch.long)
        >>> preds[0, 2:5, 2:5] = 1
        >>> target[0, 3:7, 3:7] = 1
        >>> hausdorff_distance(num_classes=2, input_format="index")(preds, target)
        tensor(2.8284, dtype=torch.float64)
    """
    num_classes = check_num_classes(num_classes)
    include_background, input_format = check_common(include_background, input_format)
    distance_metric = check_choice(distance_metric, "distance_metric", ("euclidean", "chessboard", "taxicab"))
    directed = check_bool(directed, "directed")
    validate_args = check_bool(validate_args, "validate_args")
    sizes: tuple[float, ...] | None = None  # the checked spacing
    if spacing is not None:
        given = spacing.tolist() if isinstance(spacing, Tensor) else spacing
        sizes = check_numbers(given, "spacing", "None or a list of positive pixel sizes", lambda v: v > 0)

    def init(*, device: Any = None) -> HausdorffDistanceState:
        return HausdorffDistanceState(
            torch.zeros((), dtype=torch.float64, device=device), torch.zeros((), dtype=torch.int64, device=device)
        )

    def update(s: HausdorffDistanceState, preds: Any, target: Any) -> HausdorffDistanceState:
        p, t = one_hot_pair(preds, target, num_classes, include_background, input_format, validate_args=validate_args)
        dims = p.dim() - 2
        if dims not in (2, 3):
            raise ValueError(f"hausdorff_distance needs 2-d or 3-d maps, got {dims} spatial dims")
        if sizes is not None and len(sizes) != dims:
            raise ValueError(f"spacing has {len(sizes)} values but the maps have {dims} spatial dims")
        step = torch.tensor(sizes or (1.0,) * dims, dtype=torch.float64, device=p.device)
        flat_p = mask_edges(p.flatten(0, 1))
        flat_t = mask_edges(t.flatten(0, 1))
        total = torch.zeros((), dtype=torch.float64, device=p.device)
        count = 0
        for ep, et in zip(flat_p, flat_t):
            a, b = ep.nonzero(), et.nonzero()
            if a.shape[0] == 0 and b.shape[0] == 0:
                continue  # both masks empty: no distance
            count += 1
            if a.shape[0] == 0 or b.shape[0] == 0:
                total = total + torch.inf
                continue
            d = _directed(a, b, step, distance_metric)
            if not directed:
                d = torch.maximum(d, _directed(b, a, step, distance_metric))
            total = total + d
        return HausdorffDistanceState(s.total + total, s.count + count)

    def compute(s: HausdorffDistanceState) -> Tensor:
        return torch.where(s.count > 0, s.total / s.count.clamp(min=1), torch.nan)

    key = ("hausdorff_distance", num_classes, include_background, distance_metric, sizes, directed, input_format)
    return Metric(init, update, compute, name="hausdorff_distance", key=(*key, validate_args))
