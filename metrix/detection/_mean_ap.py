"""Mean average precision: COCO's mAP and mAR, matched in ``update``, accumulated in ``compute``.

TorchMetrics keeps every box and mask and runs pycocotools at the end. Here ``update``
matches each image's detections to its ground truth at once (batched IoUs, COCO's
greedy assignment with crowd regions, area ranges and ``maxDets``; see
``_coco_match``) and keeps, per detection, only what the accumulation reads: its
score, label, rank among the (image, class) detections and an int8 outcome
(false positive, true positive, ignored) per area range and IoU threshold. Ground truth
is kept as counts: regular objects per class and area range, a ``(num_classes, 5)``
int64 sum with ``num_classes=``, otherwise one row of counts per class and batch (labels
are not known in advance). ``compute`` is one stable sort, cumulative sums and the
101-point interpolation (``_coco_accumulate``): no boxes, no masks, no pycocotools.

States merge and sync exactly (records concatenate in rank order, counts add), and the
values are COCOeval's: images are numbered in arrival order, as TorchMetrics numbers
them, which decides ties in score between images.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool, check_choice, check_ints, check_numbers, check_optional_int
from metrix._core.checks import check_in_range, is_tracing
from metrix._core.metric import Metric, factory
from metrix._core.state import buffer_init, cat_append, cat_init, leaf, state, stored_values
from metrix.detection._coco_accumulate import accumulate, per_class, summarize
from metrix.detection._coco_match import (
    AREA_RANGES,
    box_iou_coco,
    effective_thresholds,
    mask_iou_coco,
    match_groups,
    match_images_traced,
    outside_areas,
)
from metrix.detection._detections import Batch, box_areas, gt_areas, mask_areas, parse_batch
from metrix.detection._inputs import check_box_format

__all__ = ["DetectionRecords", "MeanAveragePrecisionState", "mean_average_precision"]

A = len(AREA_RANGES)
IOU_TYPES = ("bbox", "segm")


@state
class DetectionRecords:
    """What COCO's accumulation reads of every kept detection, for one evaluation (IoU type, averaging)."""

    score: Any = leaf("cat")  # float64 (N,)
    label: Any = leaf("cat")  # int64 (N,) class label as given
    rank: Any = leaf("cat")  # int32 (N,) rank by score in its (image, class) ((image) for micro)
    outcome: Any = leaf("cat")  # int8 (N, A * T): 0 false positive, 1 true positive, 2 ignored
    # extended_summary only (empty otherwise): COCOeval's IoU matrices, one block per (image, class)
    iou_values: Any = leaf("cat")  # float64 (P,): the blocks, row-major, one after the other
    iou_blocks: Any = leaf("cat")  # int64 (B, 3): label, detections, ground truths of each block
    iou_images: Any = leaf("cat")  # int64 (I,): blocks per image, one row per image seen


@state
class MeanAveragePrecisionState:
    """Detection records per evaluation and ground-truth counts as rows (labels found on the way)."""

    evals: Any = leaf("node")  # tuple of DetectionRecords, one per (IoU type, averaging)
    gt_counts: Any = leaf("cat")  # int64 (n, 2 + A): label, objects, regular objects per area range


@state
class MeanAveragePrecisionCountsState:
    """Detection records per evaluation and ground-truth counts as a fixed sum (``num_classes=``)."""

    evals: Any = leaf("node")  # tuple of DetectionRecords
    gt_counts: Tensor = leaf("sum")  # int64 (num_classes, 1 + A): objects, regular objects per area range


def _thresholds(value: Any, name: str, default: list[float]) -> list[float]:
    if value is None:
        return default
    return list(check_numbers(value, name, "None or a non-empty list of floats in [0, 1]", lambda v: 0.0 <= v <= 1.0))


def _max_dets(value: Any) -> list[int]:
    if value is None:
        return [1, 10, 100]
    expected = "None or a list of 3 positive ints"
    return sorted(check_ints(value, "max_detection_thresholds", 1, length=3, expected=expected))


def _iou_types(value: Any) -> tuple[str, ...]:
    types = (value,) if isinstance(value, str) else value
    if not isinstance(types, (tuple, list)) or not types or any(t not in IOU_TYPES for t in types):
        raise ValueError(f"iou_type must be 'bbox', 'segm' or a tuple of them, got {value!r}")
    return tuple(dict.fromkeys(types))


@dataclasses.dataclass(frozen=True)
class _Config:
    """Validated options, closed over by init/update/compute."""

    box_format: str
    iou_types: tuple[str, ...]
    thresholds: Tensor  # float64 (T,) IoU thresholds
    rec_thresholds: Tensor  # float64 (R,) recall thresholds
    max_dets: list[int]  # three, increasing
    class_metrics: bool
    extended: bool
    average: str
    num_classes: int | None
    capacity: int | None
    validate_args: bool
    evals: list[tuple[str, bool]]  # (iou type, by class) per evaluation


MeanAPState = MeanAveragePrecisionState | MeanAveragePrecisionCountsState


@factory(higher_is_better=True)
def mean_average_precision(
    box_format: str = "xyxy",
    iou_type: str | tuple[str, ...] = "bbox",
    iou_thresholds: list[float] | None = None,
    rec_thresholds: list[float] | None = None,
    max_detection_thresholds: list[int] | None = None,
    class_metrics: bool = False,
    extended_summary: bool = False,
    average: str = "macro",
    backend: str = "pycocotools",
    *,
    num_classes: int | None = None,
    capacity: int | None = None,
    validate_args: bool = True,
) -> Metric:
    """COCO mean average precision and recall (mAP@[.5:.95], mAR@1/10/100, by object size).

    The arguments, inputs and output keys are TorchMetrics' ``MeanAveragePrecision``;
    the numbers are COCOeval's (pycocotools and faster-coco-eval agree to 1e-12 on the
    test datasets), computed without them: detections are matched to ground truth in
    ``update`` and only small per-detection records are kept (see the module docstring).

    Args:
        box_format: ``"xyxy"``, ``"xywh"`` or ``"cxcywh"``.
        iou_type: ``"bbox"``, ``"segm"`` (boolean masks) or ``("bbox", "segm")``; with both,
            every key but ``classes`` gets a ``bbox_`` / ``segm_`` prefix.
        iou_thresholds: IoU thresholds; default TorchMetrics' ``torch.linspace(0.5, 0.95, 10)``
            (float32 values, as TorchMetrics passes them to pycocotools).
        rec_thresholds: recall thresholds; default ``torch.linspace(0, 1, 101)`` likewise.
        max_detection_thresholds: three ``maxDets`` cuts, default ``[1, 10, 100]``.
        class_metrics: add ``map_per_class`` and ``mar_{maxDet}_per_class``.
        extended_summary: add COCOeval's ``ious`` (``{(image, class): (D, G) tensor or []}``;
            the IoU blocks are then kept in the state) and its ``precision`` ``(T, R, K, A, M)``,
            ``recall`` ``(T, K, A, M)`` and ``scores`` arrays.
        average: ``"macro"`` (mean over classes) or ``"micro"`` (all classes as one, so
            detections may match ground truth of another class, as in TorchMetrics).
        backend: accepted for TorchMetrics compatibility; no COCO package is used.
        num_classes: labels are in ``[0, num_classes)``: the ground-truth counts become a
            fixed sum (needed with ``capacity``).
        capacity: keep the detection records in fixed-capacity buffers of this many rows
            (per evaluation), so that ``update`` compiles once for fixed input shapes.
        validate_args: check values (finite boxes and scores, ``x1 <= x2``, labels, 0/1
            crowd flags); types, keys and lengths are always checked.

    Returns:
        A metric whose ``update(state, preds, target)`` takes a list of dicts per image
        (``boxes``/``masks``, ``scores``, ``labels``; targets ``boxes``/``masks``,
        ``labels`` and optionally ``iscrowd`` and ``area``) and whose value is a dict of
        float64 tensors under TorchMetrics' keys (``map``, ``map_50``, ``map_75``,
        ``map_small`` … ``mar_100``, ``mar_large``, ``map_per_class``,
        ``mar_100_per_class``) plus ``classes`` (int32). One-element tensors are 0-d, as
        TorchMetrics returns them.

    Example:
        >>> import torch
        >>> from metrix.detection import mean_average_precision
        >>> preds = [dict(boxes=torch.tensor([[258.0, 41.0, 606.0, 285.0]]),
        ...               scores=torch.tensor([0.536]), labels=torch.tensor([0]))]
        >>> target = [dict(boxes=torch.tensor([[214.0, 41.0, 562.0, 285.0]]), labels=torch.tensor([0]))]
        >>> out = mean_average_precision()(preds, target)
        >>> round(float(out["map"]), 4), round(float(out["map_50"]), 4), float(out["map_small"])
        (0.6, 1.0, -1.0)

    Reference:
        Lin et al., "Microsoft COCO: Common Objects in Context", ECCV 2014; pycocotools
        ``COCOeval``.
    """
    box_format = check_box_format(box_format)
    iou_types = _iou_types(iou_type)
    iou_thr = _thresholds(iou_thresholds, "iou_thresholds", torch.linspace(0.5, 0.95, 10).tolist())
    rec_thr = _thresholds(rec_thresholds, "rec_thresholds", torch.linspace(0.0, 1.0, 101).tolist())
    max_dets = _max_dets(max_detection_thresholds)
    class_metrics = check_bool(class_metrics, "class_metrics")
    extended_summary = check_bool(extended_summary, "extended_summary")
    average = check_choice(average, "average", ("macro", "micro"))
    check_choice(backend, "backend", ("pycocotools", "faster_coco_eval"))
    validate_args = check_bool(validate_args, "validate_args")
    num_classes = check_optional_int(num_classes, "num_classes", 1)
    if check_optional_int(capacity, "capacity", 1) is not None:
        if num_classes is None:
            raise ValueError(
                "capacity= needs num_classes= (the ground-truth counts then become a fixed (num_classes, 5) sum)"
            )
        if extended_summary:
            raise ValueError("extended_summary=True keeps IoU matrices of any size: it cannot be used with capacity=")
    # evaluations: (iou type, by class) for the summary, plus a per-class one for micro + class_metrics
    evals = [(t, average == "macro") for t in iou_types]
    if class_metrics and average == "micro":
        evals += [(t, True) for t in iou_types]
    cfg = _Config(
        box_format=box_format,
        iou_types=iou_types,
        thresholds=torch.tensor(iou_thr, dtype=torch.float64),
        rec_thresholds=torch.tensor(rec_thr, dtype=torch.float64),
        max_dets=max_dets,
        class_metrics=class_metrics,
        extended=extended_summary,
        average=average,
        num_classes=num_classes,
        capacity=capacity,
        validate_args=validate_args,
        evals=evals,
    )
    t_n = len(iou_thr)

    def init(*, device: Any = None) -> MeanAPState:
        def records() -> DetectionRecords:
            ious = (
                cat_init((), torch.float64, device),
                cat_init((3,), torch.int64, device),
                cat_init((), torch.int64, device),
            )
            if capacity is None:
                return DetectionRecords(
                    cat_init((), torch.float64, device),
                    cat_init((), torch.int64, device),
                    cat_init((), torch.int32, device),
                    cat_init((A * t_n,), torch.int8, device),
                    *ious,
                )
            return DetectionRecords(
                buffer_init(capacity, (), torch.float64, device),
                buffer_init(capacity, (), torch.int64, device),
                buffer_init(capacity, (), torch.int32, device),
                buffer_init(capacity, (A * t_n,), torch.int8, device),
                *ious,
            )

        recs = tuple(records() for _ in evals)
        if num_classes is None:
            return MeanAveragePrecisionState(recs, cat_init((2 + A,), torch.int64, device))
        return MeanAveragePrecisionCountsState(
            recs, torch.zeros((num_classes, 1 + A), dtype=torch.int64, device=device)
        )

    def update(s: MeanAPState, preds: Any, target: Any) -> MeanAPState:
        batch = parse_batch(preds, target, iou_types, box_format, validate_args=validate_args)
        if num_classes is not None:
            msg = f"labels must be in [0, num_classes={num_classes})"
            check_in_range(batch.det_label, 0, num_classes, msg, enabled=validate_args)
            check_in_range(batch.gt_label, 0, num_classes, msg, enabled=validate_args)
        traced = is_tracing(batch.det_score, batch.gt_label, s.gt_counts if isinstance(s.gt_counts, Tensor) else None)
        new_evals = []
        for recs, (iou_kind, by_class) in zip(s.evals, evals):
            blocks: list[Any] | None = [] if extended_summary else None
            if traced:
                score, label, rank, code = _match_traced(cfg, batch, iou_kind, by_class)
            else:
                score, label, rank, code = _match_eager(cfg, batch, iou_kind, by_class, blocks)
            ious = (recs.iou_values, recs.iou_blocks, recs.iou_images)
            if blocks is not None:
                ious = _append_ious(ious, blocks, batch.n_images)
            new_evals.append(
                DetectionRecords(
                    cat_append(recs.score, score),
                    cat_append(recs.label, label),
                    cat_append(recs.rank, rank.to(torch.int32)),
                    cat_append(recs.outcome, code.flatten(1)),
                    *ious,
                )
            )
        return type(s)(tuple(new_evals), _add_gt_counts(cfg, s.gt_counts, batch, traced))

    def compute(s: MeanAPState) -> dict[str, Any]:
        return _compute(cfg, s)

    key: tuple[Hashable, ...] = ("mean_average_precision", box_format, iou_types, tuple(iou_thr), tuple(max_dets))
    key = (*key, average, class_metrics, extended_summary, num_classes, capacity, validate_args)
    return Metric(init, update, compute, name="mean_average_precision", key=key)


# ----------------------------------------------------------------------------- update


def _outside(cfg: _Config, batch: Batch, iou_kind: str) -> tuple[Tensor, Tensor]:
    """``(A, D)`` and ``(A, G)``: detection and ground-truth areas outside each range."""
    if iou_kind == "segm":
        det_area = mask_areas(batch.det_masks or [], batch.det_score.device)
    else:
        det_area = box_areas(batch.boxes()[0])
    return outside_areas(det_area), outside_areas(gt_areas(batch, cfg.iou_types))


def _segm_pair_iou(batch: Batch) -> Any:
    """``pair_iou(det_index, gt_index)`` over flat indices, from per-image mask IoU matrices."""
    device = batch.det_score.device
    blocks, offsets, total = [], [], 0
    for dm, gm, crowd in zip(*batch.masks(), _split(batch.gt_crowd, batch.gt_count)):
        offsets.append(total)
        if dm.shape[0] and gm.shape[0]:
            m = mask_iou_coco(dm, gm, crowd)
            blocks.append(m.reshape(-1))
            total += m.numel()
    flat = torch.cat(blocks) if blocks else torch.zeros(1, dtype=torch.float64, device=device)
    off = torch.tensor(offsets, dtype=torch.int64, device=device)
    det_start = _starts(batch.det_count, device)
    gt_start = _starts(batch.gt_count, device)
    gt_n = torch.tensor(batch.gt_count, dtype=torch.int64, device=device)

    def pair_iou(d: Tensor, g: Tensor) -> Tensor:
        # pairs padded past their group's ground truth point anywhere: clamp, they are masked out
        img = batch.det_image[d]
        local_g = (g - gt_start[img]).clamp(min=0)
        return flat[(off[img] + (d - det_start[img]) * gt_n[img] + local_g).clamp(0, flat.shape[0] - 1)]

    return pair_iou


def _starts(counts: list[int], device: Any) -> Tensor:
    c = torch.tensor(counts, dtype=torch.int64, device=device)
    return torch.cumsum(c, 0) - c


def _split(x: Tensor, counts: list[int]) -> list[Tensor]:
    return list(torch.split(x, counts)) if counts else []


def _match_eager(
    cfg: _Config, batch: Batch, iou_kind: str, by_class: bool, blocks: list[Any] | None = None
) -> tuple[Tensor, ...]:
    det_out, gt_out = _outside(cfg, batch, iou_kind)
    width, uniq = 1, None
    if by_class and batch.det_label.numel() + batch.gt_label.numel():
        uniq, inverse = torch.unique(torch.cat([batch.det_label, batch.gt_label]), return_inverse=True)
        width = int(inverse.max()) + 1
        det_key = batch.det_image * width + inverse[: batch.det_label.shape[0]]
        gt_key = batch.gt_image * width + inverse[batch.det_label.shape[0] :]
    else:
        det_key, gt_key = batch.det_image, batch.gt_image
    if iou_kind == "bbox":
        (db, gb), crowd = batch.boxes(), batch.gt_crowd

        def pair_iou(d: Tensor, g: Tensor) -> Tensor:
            return box_iou_coco(db[d], gb[g], crowd[g])

    else:
        pair_iou = _segm_pair_iou(batch)
    thr = effective_thresholds(cfg.thresholds.to(batch.det_score.device))
    found: list[Any] | None = [] if blocks is not None else None
    order, rank, code = match_groups(
        det_key, batch.det_score, det_out, gt_key, batch.gt_crowd, gt_out, pair_iou, thr, cfg.max_dets[-1], found
    )
    if blocks is not None:
        for key, dets, gts, values in found or []:
            label = uniq[key % width] if uniq is not None else torch.zeros_like(key)
            blocks.append((key // width, label, dets, gts, values))
    return batch.det_score[order], batch.det_label[order], rank, code


def _append_ious(ious: tuple[Any, Any, Any], blocks: list[Any], n_images: int) -> tuple[Any, Any, Any]:
    """Append one batch's IoU blocks (sorted by image) and its per-image block counts."""
    values, shapes, per_image = ious
    device = per_image[0].device
    if blocks:
        image, label, dets, gts, flat = blocks[0]
        values = cat_append(values, flat)
        shapes = cat_append(shapes, torch.stack([label, dets, gts], 1))
        counts = torch.bincount(image, minlength=n_images)
    else:
        counts = torch.zeros(n_images, dtype=torch.int64, device=device)
    return values, shapes, cat_append(per_image, counts)


def _pad(parts: list[Tensor], width: int, fill: float | bool) -> Tensor:
    return torch.stack(
        [torch.nn.functional.pad(p, (*([0, 0] * (p.dim() - 1)), 0, width - p.shape[0]), value=fill) for p in parts]
    )


def _match_traced(cfg: _Config, batch: Batch, iou_kind: str, by_class: bool) -> tuple[Tensor, ...]:
    """Static-shape matching for ``torch.compile``: one padded group per image."""
    det_out, gt_out = _outside(cfg, batch, iou_kind)
    dc, gc = batch.det_count, batch.gt_count
    if not dc:
        empty = batch.det_score[:0]
        return (
            empty,
            batch.det_label[:0],
            batch.det_label[:0],
            torch.zeros((0, A, len(cfg.thresholds)), dtype=torch.int8),
        )
    d_max, g_max = max(max(dc), 1), max(max(gc), 1)
    split_d = lambda x: _split(x, dc)  # noqa: E731
    split_g = lambda x: _split(x, gc)  # noqa: E731
    det_valid = _pad([torch.ones(n, dtype=torch.bool) for n in dc], d_max, False).to(batch.det_score.device)
    gt_valid = _pad([torch.ones(n, dtype=torch.bool) for n in gc], g_max, False).to(batch.det_score.device)
    crowd = _pad(split_g(batch.gt_crowd), g_max, False)
    if iou_kind == "bbox":
        det_boxes, gt_boxes = batch.boxes()
        db = _pad(split_d(det_boxes), d_max, 0.0)
        gb = _pad(split_g(gt_boxes), g_max, 0.0)
        iou = box_iou_coco(db.unsqueeze(2), gb.unsqueeze(1), crowd.unsqueeze(1))
    else:
        mats = []
        for dm, gm, cr in zip(*batch.masks(), split_g(batch.gt_crowd)):
            m = mask_iou_coco(dm, gm, cr) if dm.shape[0] and gm.shape[0] else torch.zeros(dm.shape[0], gm.shape[0])
            mats.append(torch.nn.functional.pad(m.to(torch.float64), (0, g_max - m.shape[1], 0, d_max - m.shape[0])))
        iou = torch.stack(mats)
    order, rank, code = match_images_traced(
        iou,
        det_valid,
        _pad(split_d(batch.det_score), d_max, 0.0),
        _pad(split_d(batch.det_label), d_max, 0),
        _pad(split_d(det_out.T), d_max, False).transpose(1, 2),
        gt_valid,
        _pad(split_g(batch.gt_label), g_max, 0),
        crowd,
        _pad(split_g(gt_out.T), g_max, False).transpose(1, 2),
        effective_thresholds(cfg.thresholds.to(batch.det_score.device)),
        cfg.max_dets[-1],
        by_class,
    )
    # the first n_i sorted slots of image i are its detections (padding sorts last)
    idx = torch.cat([order[i, :n] + sum(dc[:i]) for i, n in enumerate(dc)])
    ranks = torch.cat([rank[i, :n] for i, n in enumerate(dc)])
    codes = torch.cat([code[i, :n] for i, n in enumerate(dc)])
    return batch.det_score[idx], batch.det_label[idx], ranks, codes


def _gt_count_rows(cfg: _Config, batch: Batch) -> tuple[Tensor, Tensor]:
    """Per ground truth: ``(label, counts (G, 1 + A))``: one object, regular per area range."""
    outside = outside_areas(gt_areas(batch, cfg.iou_types))  # (A, G)
    regular = ~batch.gt_crowd.unsqueeze(0) & ~outside
    ones = torch.ones((1, batch.gt_label.shape[0]), dtype=torch.int64, device=batch.gt_label.device)
    return batch.gt_label, torch.cat([ones, regular.to(torch.int64)]).T


def _add_gt_counts(cfg: _Config, counts: Any, batch: Batch, traced: bool) -> Any:
    labels, per_gt = _gt_count_rows(cfg, batch)
    if isinstance(counts, Tensor):  # fixed (num_classes, 1 + A) sum
        safe = labels.clamp(0, counts.shape[0] - 1)
        return counts.index_add(0, safe, per_gt)
    if labels.numel() == 0:
        return counts
    uniq, inverse = torch.unique(labels, return_inverse=True)
    summed = torch.zeros((uniq.shape[0], 1 + A), dtype=torch.int64, device=labels.device).index_add_(0, inverse, per_gt)
    return cat_append(counts, torch.cat([uniq.unsqueeze(1), summed], 1))


# ----------------------------------------------------------------------------- compute


def _gt_table(s: MeanAPState, device: Any) -> tuple[Tensor, Tensor]:
    """``(labels, counts (L, 1 + A))`` of every class seen in the ground truth."""
    if isinstance(s.gt_counts, Tensor):
        present = s.gt_counts[:, 0] > 0
        return present.nonzero().squeeze(1), s.gt_counts[present]
    rows = stored_values(s.gt_counts)
    if rows.shape[0] == 0:
        return rows[:, 0], rows[:, 1:]
    uniq, inverse = torch.unique(rows[:, 0], return_inverse=True)
    summed = torch.zeros((uniq.shape[0], 1 + A), dtype=torch.int64, device=device).index_add_(0, inverse, rows[:, 1:])
    return uniq, summed


def _ious(recs: DetectionRecords, class_ids: list[int]) -> dict[tuple[int, int], Any]:
    """COCOeval's ``ious``: ``{(image, class): (D, G) float32 tensor, or [] when either is empty}``."""
    values = stored_values(recs.iou_values)
    shapes = stored_values(recs.iou_blocks).tolist()
    per_image = stored_values(recs.iou_images).tolist()
    out: dict[tuple[int, int], Any] = {}
    block, offset = 0, 0
    for image, n_blocks in enumerate(per_image):
        found = {}
        for label, d, g in shapes[block : block + n_blocks]:
            found[label] = values[offset : offset + d * g].reshape(d, g).to(torch.float32)
            offset += d * g
        block += n_blocks
        for c in class_ids:
            out[(image, c)] = found.get(c, [])
    return out


def _squeeze(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x.reshape(()) if x.numel() == 1 else x
    if isinstance(x, dict):
        return {k: _squeeze(v) for k, v in x.items()}
    return x


def _compute(cfg: _Config, s: MeanAPState) -> dict[str, Any]:
    device = s.gt_counts.device if isinstance(s.gt_counts, Tensor) else s.gt_counts[0].device
    gt_labels, gt_counts = _gt_table(s, device)
    records = [tuple(stored_values(getattr(r, f)) for f in ("score", "label", "rank", "outcome")) for r in s.evals]
    det_labels = records[0][1]
    classes = torch.unique(torch.cat([det_labels, gt_labels]))
    k = classes.shape[0]
    npig = torch.zeros((k, A), dtype=torch.int64, device=device)
    if gt_labels.numel():
        npig[torch.searchsorted(classes, gt_labels)] = gt_counts[:, 1:]
    t_n, m_n = cfg.thresholds.shape[0], len(cfg.max_dets)
    last = m_n - 1
    out: dict[str, Any] = {}
    results = []
    for (score, label, rank, outcome), (_, by_class) in zip(records, cfg.evals):
        if by_class:
            cls, counts = torch.searchsorted(classes, label), npig
        else:
            cls, counts = torch.zeros_like(label), npig.sum(0, keepdim=True)
        cuts = [(a, m) for a in range(A) for m in range(m_n)] if cfg.extended else [(a, last) for a in range(A)]
        results.append(
            accumulate(
                score,
                cls,
                rank,
                outcome.reshape(-1, A, t_n),
                counts,
                cfg.rec_thresholds.to(device),
                cfg.max_dets,
                cuts,
                cfg.extended,
            )
        )
    n_types = len(cfg.iou_types)
    for i, iou_kind in enumerate(cfg.iou_types):
        prefix = "" if n_types == 1 else f"{iou_kind}_"
        precision, recall, scores = results[i]
        out.update(summarize(precision, recall, cfg.thresholds, cfg.max_dets, prefix))
        if cfg.extended:
            out[f"{prefix}ious"] = _ious(s.evals[i], classes.tolist() if cfg.average == "macro" else [0])
            out[f"{prefix}precision"] = precision
            out[f"{prefix}recall"] = recall
            out[f"{prefix}scores"] = scores
        if cfg.class_metrics:
            p_c, r_c = results[i if cfg.average == "macro" else n_types + i][:2]
            maps, mars = per_class(p_c, r_c, last)
        else:
            maps = mars = torch.tensor([-1.0], dtype=torch.float64, device=device)
        out[f"{prefix}map_per_class"] = maps
        out[f"{prefix}mar_{cfg.max_dets[-1]}_per_class"] = mars
    out["classes"] = classes.to(torch.int32)
    return _squeeze(out)
