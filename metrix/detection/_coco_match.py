"""COCO matching in ``update``: IoUs and the greedy assignment of detections to ground truth.

COCOeval (``evaluateImg``) matches, per image and class, each detection in order of
decreasing score to the still-unmatched ground truth with the highest IoU at or above
the threshold, preferring regular ground truth over ignored ones (crowd regions, or
objects outside the area range), ties going to the later ground truth; crowd regions
stay available to every detection. Only the ``maxDets[-1]`` best-scored detections of
an (image, class) take part. The result per detection, area range and IoU threshold
is one of three outcomes, all that the accumulation needs:

* ``FP`` (0): unmatched, counted as a false positive;
* ``TP`` (1): matched to a regular ground truth;
* ``IGNORED`` (2): matched to an ignored ground truth, or unmatched and outside the
  area range.

The greedy loop is sequential only along the detections of one (image, class), so it
runs over *groups* in parallel: ``greedy_match`` steps through the candidates of every
group at once (a candidate overlaps at least one ground truth of its group at the
lowest threshold; the others cannot match and need no step). In eager code the groups
are (image, class) pairs packed tightly and sorted by their number of candidates, so
step ``k`` touches only the groups that still have a ``k``-th candidate. Traced code
(``capacity=``) uses one group per image with a label mask and static shapes.

IoUs follow pycocotools to the last bit: boxes as ``(x, y, w, h)`` in float64 with
``min(x1 + w1, x2 + w2) - max(x1, x2)`` widths, ``i / (a_d + a_g - i)`` (``i / a_d``
for a crowd region); masks as exact pixel counts.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

FP, TP, IGNORED = 0, 1, 2
# COCO's area ranges (all, small, medium, large), bounds inclusive as in COCOeval
AREA_RANGES = ((0.0, 1e5**2), (0.0, 32.0**2), (32.0**2, 96.0**2), (96.0**2, 1e5**2))
AREA_NAMES = ("all", "small", "medium", "large")


def outside_areas(area: Tensor) -> Tensor:
    """``(len(AREA_RANGES), n)`` bool: the object's area lies outside each range."""
    lo = torch.tensor([r[0] for r in AREA_RANGES], dtype=torch.float64, device=area.device)
    hi = torch.tensor([r[1] for r in AREA_RANGES], dtype=torch.float64, device=area.device)
    a = area.to(torch.float64).unsqueeze(0)
    return (a < lo.unsqueeze(1)) | (a > hi.unsqueeze(1))


def box_iou_coco(det: Tensor, gt: Tensor, crowd: Tensor) -> Tensor:
    """IoU of ``(..., 4)`` xywh float64 boxes paired elementwise (broadcasting), as pycocotools' ``bbIou``."""
    w = torch.minimum(det[..., 2] + det[..., 0], gt[..., 2] + gt[..., 0]) - torch.maximum(det[..., 0], gt[..., 0])
    h = torch.minimum(det[..., 3] + det[..., 1], gt[..., 3] + gt[..., 1]) - torch.maximum(det[..., 1], gt[..., 1])
    inter = w * h
    da = det[..., 2] * det[..., 3]
    ga = gt[..., 2] * gt[..., 3]
    union = torch.where(crowd, da, da + ga - inter)
    overlap = (w > 0) & (h > 0)
    return torch.where(overlap, inter / torch.where(overlap, union, 1.0), 0.0)


def mask_iou_coco(det: Tensor, gt: Tensor, crowd: Tensor) -> Tensor:
    """``(D, G)`` IoU of boolean masks ``(D, H, W)`` and ``(G, H, W)`` from exact pixel counts."""
    d = det.flatten(1)
    g = gt.flatten(1)
    # 0/1 products summed in float32 are exact below 2**24 pixels; float64 beyond
    dtype = torch.float32 if d.shape[1] < 2**24 else torch.float64
    inter = (d.to(dtype) @ g.to(dtype).T).to(torch.float64)
    da = d.sum(1).to(torch.float64).unsqueeze(1)
    ga = g.sum(1).to(torch.float64).unsqueeze(0)
    union = torch.where(crowd.unsqueeze(0), da, da + ga - inter)
    return torch.where(inter > 0, inter / torch.where(union > 0, union, 1.0), 0.0)


def effective_thresholds(iou_thresholds: Tensor) -> Tensor:
    """COCOeval compares ``iou >= min(t, 1 - 1e-10)``."""
    return torch.clamp(iou_thresholds.to(torch.float64), max=1 - 1e-10)


def greedy_match(
    iou: Tensor, cand: Tensor, crowd: Tensor, ignore: Tensor, thresholds: Tensor, active: list[int] | None = None
) -> Tensor:
    """COCO's greedy assignment, stepping through the candidates of every group at once.

    Args:
        iou: ``(R, C, G)`` float64 IoU of the ``C`` candidates (in score order) and ``G``
            ground truths of each of ``R`` groups.
        cand: ``(R, C, G)`` bool: the pair exists (same group, real detection and ground
            truth) and may match at some threshold.
        crowd: ``(R, G)`` bool crowd regions (never used up).
        ignore: ``(R, A, G)`` bool ignored ground truth per area range.
        thresholds: ``(T,)`` effective float64 IoU thresholds.
        active: eager only: ``active[k]`` is the number of leading groups that have a
            ``k``-th candidate (groups sorted by candidate count, decreasing).

    Returns:
        ``(R, C, A, T)`` int64: the index of the matched ground truth, ``-1`` if none.
    """
    r, c, g = iou.shape
    a, t = ignore.shape[1], thresholds.shape[0]
    taken = torch.zeros((r, a, t, g), dtype=torch.bool, device=iou.device)
    positions = torch.arange(g, device=iou.device)
    thr = thresholds.reshape(1, 1, t, 1)
    regular_gt = ~ignore.unsqueeze(2)  # (R, A, 1, G)
    crowd4 = crowd.reshape(r, 1, 1, g)
    wins = []
    out = torch.full((r, c, a, t), -1, dtype=torch.int64, device=iou.device) if active is not None else None
    for k in range(c):
        n = r if active is None else active[k]
        iou_k = iou[:n, k].reshape(n, 1, 1, g)
        eligible = cand[:n, k].reshape(n, 1, 1, g) & (iou_k >= thr) & (~taken[:n] | crowd4[:n])
        regular = eligible & regular_gt[:n]
        # a regular ground truth wins over any ignored one; among equals the best IoU, the later one on ties
        eligible = torch.where(regular.any(-1, keepdim=True), regular, eligible)
        value = torch.where(eligible, iou_k, -1.0)
        best = value.amax(-1, keepdim=True)
        win = torch.where(eligible & (value == best), positions, -1).amax(-1)  # (n, A, T)
        hit = F.one_hot(win.clamp(min=0), g).bool() & (win >= 0).unsqueeze(-1)
        if out is None:
            taken = taken | hit
            wins.append(win)
        else:
            taken[:n] |= hit  # a local scratch tensor: eager only
            out[:n, k] = win
    if out is not None:
        return out
    return torch.stack(wins, 1) if wins else torch.full((r, 0, a, t), -1, dtype=torch.int64, device=iou.device)


def outcomes(matched_ignored: Tensor, matched: Tensor, det_outside: Tensor) -> Tensor:
    """``(N, A, T)`` int8 outcome codes from the match (``(N, A, T)``) and the detection's area (``(N, A)``)."""
    code = torch.where(det_outside.unsqueeze(-1), IGNORED, FP)
    code = torch.where(matched, torch.where(matched_ignored, IGNORED, TP), code)
    return code.to(torch.int8)


def match_groups(
    det_key: Tensor,
    det_score: Tensor,
    det_outside: Tensor,
    gt_key: Tensor,
    gt_crowd: Tensor,
    gt_outside: Tensor,
    pair_iou: Callable[[Tensor, Tensor], Tensor],
    thresholds: Tensor,
    max_det: int,
    ious_out: list[tuple[Tensor, ...]] | None = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """Eager COCO matching of a batch whose detections and ground truths carry a group key.

    The group key identifies (image, class) (or the image alone for ``average="micro"``)
    and must be non-decreasing in image order.

    Args:
        det_key: ``(N,)`` int64 group of each detection.
        det_score: ``(N,)`` scores.
        det_outside: ``(A, N)`` bool: the detection's area is outside each range.
        gt_key: ``(M,)`` int64 group of each ground truth.
        gt_crowd: ``(M,)`` bool crowd regions.
        gt_outside: ``(A, M)`` bool: the ground truth's area is outside each range.
        pair_iou: ``pair_iou(det_index, gt_index)`` -> float64 IoUs of index pairs.
        thresholds: ``(T,)`` effective IoU thresholds.
        max_det: ``maxDets[-1]``: detections ranked past it in their group are dropped.
        ious_out: if given, receives ``(group key, detections, ground truths, IoUs)`` of every
            group with both (COCOeval's ``ious``: kept detections by score, ground truth in
            input order, values row-major).

    Returns:
        ``(order, rank, code)``: the kept detections in (group, descending score) order
        (stable), their rank in their group, and their ``(n, A, T)`` outcomes.
    """
    device = det_score.device
    n, a, t = det_key.shape[0], det_outside.shape[0], thresholds.shape[0]
    by_score = torch.argsort(-det_score, stable=True)
    order = by_score[torch.argsort(det_key[by_score], stable=True)]
    keys = det_key[order]
    pos = torch.arange(n, device=device)
    starts = torch.cat([torch.ones(min(n, 1), dtype=torch.bool, device=device), keys[1:] != keys[:-1]])
    rank = pos - torch.cummax(torch.where(starts, pos, 0), 0).values if n else pos
    kept = rank < max_det
    order, keys, rank = order[kept], keys[kept], rank[kept]
    n = order.shape[0]
    code = outcomes(
        torch.zeros((n, a, t), dtype=torch.bool, device=device),
        torch.zeros((n, a, t), dtype=torch.bool, device=device),
        det_outside[:, order].T,
    )
    if n == 0 or gt_key.shape[0] == 0:
        return order, rank, code

    # the ground truths of each detection's group (original order within a group)
    g_order = torch.argsort(gt_key, stable=True)
    g_keys = gt_key[g_order]
    lo = torch.searchsorted(g_keys, keys, side="left")
    count = torch.searchsorted(g_keys, keys, side="right") - lo
    width = int(count.max())
    if width == 0:
        return order, rank, code
    j = torch.arange(width, device=device)
    real = j.unsqueeze(0) < count.unsqueeze(1)  # (n, width)
    gt_idx = g_order[torch.clamp(lo.unsqueeze(1) + j, max=g_keys.shape[0] - 1)]
    iou = torch.where(real, pair_iou(order.unsqueeze(1).expand_as(gt_idx), gt_idx), -1.0)
    if ious_out is not None:
        with_gt = count > 0
        k_gt = keys[with_gt]
        first = torch.cat([torch.ones(min(k_gt.shape[0], 1), dtype=torch.bool, device=device), k_gt[1:] != k_gt[:-1]])
        dets = torch.bincount(torch.cumsum(first.long(), 0) - 1) if k_gt.shape[0] else k_gt
        ious_out.append((k_gt[first], dets, count[with_gt][first], iou[real]))
    cand = real & (iou >= thresholds.min())
    is_cand = cand.any(1)
    if not bool(is_cand.any()):
        return order, rank, code

    # pack the candidates: one row per group that has any, columns in score order
    seg = (
        torch.cumsum(torch.cat([torch.ones(1, dtype=torch.int64, device=device), (keys[1:] != keys[:-1]).long()]), 0)
        - 1
    )
    nseg = int(seg[-1]) + 1
    per_seg = torch.zeros(nseg, dtype=torch.int64, device=device).index_add_(0, seg, is_cand.long())
    cs = torch.cumsum(is_cand.long(), 0)
    seg_first = torch.searchsorted(seg, torch.arange(nseg, device=device))
    col = cs - 1 - (cs - is_cand.long())[seg_first][seg]
    # rows sorted by candidate count (decreasing), so step k works on a prefix
    by_count = torch.argsort(per_seg, descending=True, stable=True)
    row_of_seg = torch.empty_like(by_count)
    row_of_seg[by_count] = torch.arange(nseg, device=device)
    counts_sorted = per_seg[by_count]
    rows = int((counts_sorted > 0).sum())
    cols = int(counts_sorted[0])
    active = (counts_sorted.unsqueeze(0) > torch.arange(cols, device=device).unsqueeze(1)).sum(1).tolist()

    ci = is_cand.nonzero().squeeze(1)
    r_i, c_i = row_of_seg[seg[ci]], col[ci]
    iou_p = torch.full((rows, cols, width), -1.0, dtype=torch.float64, device=device)
    cand_p = torch.zeros((rows, cols, width), dtype=torch.bool, device=device)
    gt_p = torch.zeros((rows, width), dtype=torch.int64, device=device)
    real_p = torch.zeros((rows, width), dtype=torch.bool, device=device)
    iou_p[r_i, c_i] = iou[ci]
    cand_p[r_i, c_i] = cand[ci]
    gt_p[r_i] = gt_idx[ci]
    real_p[r_i] = real[ci]
    crowd_p = gt_crowd[gt_p] & real_p
    ignored_gt = (gt_outside | gt_crowd.unsqueeze(0)).T  # (M, A)
    ignore_p = ignored_gt[gt_p].permute(0, 2, 1) & real_p.unsqueeze(1)
    win = greedy_match(iou_p, cand_p, crowd_p, ignore_p, thresholds, active)  # (rows, cols, A, T)

    w = win[r_i, c_i]  # (nc, A, T)
    matched = w >= 0
    gt_of = torch.gather(gt_p[r_i].unsqueeze(1).expand(-1, a, -1), 2, w.clamp(min=0).reshape(-1, a, t))
    matched_ignored = ignored_gt[gt_of, torch.arange(a, device=device).reshape(1, a, 1)]
    code = code.clone()
    code[ci] = outcomes(matched_ignored, matched, det_outside[:, order[ci]].T)
    return order, rank, code


def match_images_traced(
    iou: Tensor,
    det_valid: Tensor,
    det_score: Tensor,
    det_label: Tensor,
    det_outside: Tensor,
    gt_valid: Tensor,
    gt_label: Tensor,
    gt_crowd: Tensor,
    gt_outside: Tensor,
    thresholds: Tensor,
    max_det: int,
    by_class: bool,
) -> tuple[Tensor, Tensor, Tensor]:
    """COCO matching with static shapes (one group per image, classes by mask): compiles once.

    Args:
        iou: ``(B, D, G)`` float64 IoUs, detections and ground truths in input order,
            padded to ``D`` and ``G``.
        det_valid: ``(B, D)`` real detections.
        det_score: ``(B, D)`` scores.
        det_label: ``(B, D)`` labels.
        det_outside: ``(B, A, D)`` detection area outside each range.
        gt_valid: ``(B, G)`` real ground truths.
        gt_label: ``(B, G)`` labels.
        gt_crowd: ``(B, G)`` crowd regions.
        gt_outside: ``(B, A, G)`` ground-truth area outside each range.
        thresholds: ``(T,)`` effective IoU thresholds.
        max_det: ``maxDets[-1]``.
        by_class: match within classes (``average="macro"``) or across them (``"micro"``).

    Returns:
        ``(order, rank, code)``: ``(B, D)`` detections in descending score order per image
        (stable; padding last), their rank in their (image, class) group (detections
        ranked past ``max_det`` keep their rank and match nothing), and ``(B, D, A, T)``
        outcomes.
    """
    b, d = det_score.shape
    key = torch.where(det_valid, -det_score.to(torch.float64), torch.inf)
    order = torch.argsort(key, dim=1, stable=True)
    valid = torch.gather(det_valid, 1, order)
    label = torch.gather(det_label, 1, order)
    iou = torch.gather(iou, 1, order.unsqueeze(-1).expand_as(iou))
    outside = torch.gather(det_outside, 2, order.unsqueeze(1).expand_as(det_outside))
    same = label.unsqueeze(2) == label.unsqueeze(1) if by_class else torch.ones((b, d, d), dtype=torch.bool)
    earlier = torch.ones((d, d), dtype=torch.bool, device=iou.device).tril(-1)
    rank = (same.to(iou.device) & earlier & valid.unsqueeze(1)).sum(2)
    keep = valid & (rank < max_det)
    pair = keep.unsqueeze(2) & gt_valid.unsqueeze(1)
    if by_class:
        pair = pair & (label.unsqueeze(2) == gt_label.unsqueeze(1))
    cand = pair & (iou >= thresholds.min())
    ignore = gt_outside | gt_crowd.unsqueeze(1)
    win = greedy_match(iou, cand, gt_crowd & gt_valid, ignore & gt_valid.unsqueeze(1), thresholds)  # (B, D, A, T)
    a, t = ignore.shape[1], thresholds.shape[0]
    matched = win >= 0
    flat = win.clamp(min=0).reshape(b, d * a * t)
    area_idx = torch.arange(a, device=iou.device).reshape(1, 1, a, 1).expand(b, d, a, t).reshape(b, d * a * t)
    ign_flat = ignore.reshape(b, a * ignore.shape[2])
    matched_ignored = torch.gather(ign_flat, 1, area_idx * ignore.shape[2] + flat).reshape(b, d, a, t)
    code = outcomes(matched_ignored, matched, outside.transpose(1, 2))
    return order, rank, code
