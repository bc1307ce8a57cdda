"""COCO accumulation in ``compute``: one sort, cumulative sums and the interpolated precision.

COCOeval's ``accumulate`` orders every kept detection of a class by decreasing score
(ties in image order, then in the image's own score order: a stable sort of records
stored in arrival order), takes cumulative true and false positives per IoU threshold,
area range and ``maxDets`` cut, and reads the precision envelope at each recall
threshold ``r``: the largest precision at any point whose recall is ``>= r`` (0 if
none). That maximum is always reached at a true positive, so only true positives are
binned: each contributes its precision to the bin of the recall thresholds it reaches
(``searchsorted``), a scatter-max fills the bins and a reverse running maximum gives the
101 interpolated values. No score is bucketed; the arithmetic is COCOeval's
(``tp / (tp + fp + eps)`` and ``tp / npig`` in float64), so the values agree with
pycocotools bit for bit up to the order of the final means.
"""

from __future__ import annotations

import torch
from torch import Tensor

from metrix.detection._coco_match import FP, IGNORED, TP

EPS = float(torch.finfo(torch.float64).eps)  # numpy's np.spacing(1)


def sort_records(score: Tensor, cls: Tensor) -> Tensor:
    """Permutation ordering records by class, then decreasing score, ties in arrival order."""
    by_score = torch.argsort(-score, stable=True)
    return by_score[torch.argsort(cls[by_score], stable=True)]


def class_offsets(cls_sorted: Tensor, k: int) -> Tensor:
    """Index of each class's first record in the sorted order (``(K,)``)."""
    counts = torch.bincount(cls_sorted, minlength=k)
    return torch.cumsum(counts, 0) - counts


def accumulate(
    score: Tensor,
    cls: Tensor,
    rank: Tensor,
    outcome: Tensor,
    npig: Tensor,
    rec_thresholds: Tensor,
    max_dets: list[int],
    precision_cuts: list[tuple[int, int]],
    with_scores: bool,
) -> tuple[Tensor, Tensor, Tensor | None]:
    """COCO's precision, recall and score arrays.

    Per area range the work is proportional to the true positives, not to detections
    times thresholds: at a true positive ``(row, t)`` the number of true positives so far
    in its class is its rank among the sorted ``(t, row)`` keys of true positives, and the
    number of counted detections is the number of rows so far that are not ignored at
    every threshold minus the (few) ignored entries among them at ``t``.

    Args:
        score: ``(N,)`` float64 detection scores in arrival order.
        cls: ``(N,)`` int64 class index in ``[0, K)``.
        rank: ``(N,)`` rank of the detection among its (image, class) detections.
        outcome: ``(N, A, T)`` int8 outcome codes.
        npig: ``(K, A)`` int64 regular (not ignored) ground truths per class and area range.
        rec_thresholds: ``(R,)`` float64 recall thresholds.
        max_dets: the ``maxDets`` cuts (``M``).
        precision_cuts: the ``(area, maxDet)`` index pairs whose precision is needed
            (others stay ``-1``).
        with_scores: also fill the scores array.

    Returns:
        ``precision (T, R, K, A, M)``, ``recall (T, K, A, M)`` (float64, ``-1`` where a class
        has no regular ground truth in the range) and ``scores (T, R, K, A, M)`` or ``None``.
    """
    device = score.device
    n, a_n, t_n = outcome.shape
    k_n, r_n, m_n = npig.shape[0], rec_thresholds.shape[0], len(max_dets)
    f64 = torch.float64
    precision = torch.full((t_n, r_n, k_n, a_n, m_n), -1.0, dtype=f64, device=device)
    recall = torch.full((t_n, k_n, a_n, m_n), -1.0, dtype=f64, device=device)
    scores = torch.full((t_n, r_n, k_n, a_n, m_n), -1.0, dtype=f64, device=device) if with_scores else None
    has_gt = npig > 0  # (K, A)
    npig_f = npig.to(f64)

    order = sort_records(score, cls)
    cls_s = cls.index_select(0, order)
    rank_s = rank.index_select(0, order)
    out_s = outcome.index_select(0, order)  # (N, A, T)
    start = class_offsets(cls_s, k_n)
    thr_sorted, thr_perm = torch.sort(rec_thresholds.to(f64), stable=True)
    # Most rows have one outcome at every threshold of an area range (background detections
    # are false positives or ignored throughout); only the others ("mixed": true positives at
    # some or all thresholds, some ignored entries) need per-threshold work.
    lo, hi = torch.aminmax(out_s, dim=2)  # (N, A)
    uniform = torch.where(lo == hi, lo, -1)
    cuts = torch.tensor(max_dets, dtype=rank_s.dtype, device=device)
    first_cut = torch.searchsorted(cuts, rank_s.contiguous(), right=True)  # the first cut a row is under (M: none)

    for a in range(a_n):
        mixed = ((uniform[:, a] < 0) | (uniform[:, a] == TP)).nonzero().squeeze(1)  # sorted rows
        sub_t = out_s[mixed, a].T  # (T, n_mixed)
        sub_cut = first_cut[mixed]
        tp_t, tp_j = ((sub_t == TP) & (sub_cut < m_n)).nonzero(as_tuple=True)
        tp_r = mixed[tp_j]  # (t, row) pairs in (t, row) order
        # recall: true positives per class, threshold and cut
        j = first_cut[tp_r]
        counts = torch.zeros(k_n * t_n * (m_n + 1), dtype=torch.int64, device=device)
        counts.index_add_(0, (cls_s[tp_r] * t_n + tp_t) * (m_n + 1) + j, torch.ones_like(j))
        tp_total = torch.cumsum(counts.reshape(k_n, t_n, m_n + 1), 2)[..., :m_n]  # (K, T, M)
        rc_total = tp_total.to(f64) / npig_f[:, a].reshape(k_n, 1, 1)
        recall[:, :, a, :] = torch.where(has_gt[:, a].reshape(k_n, 1, 1), rc_total, -1.0).permute(1, 0, 2)

        for area, m in precision_cuts:
            if area != a:
                continue
            inc = first_cut <= m
            # rows counted at some threshold: not ignored throughout
            rows_cum = torch.cumsum(inc & (uniform[:, a] != IGNORED), 0)
            ign_t, ign_j = ((sub_t == IGNORED) & (sub_cut <= m)).nonzero(as_tuple=True)
            ign_keys = ign_t * n + mixed[ign_j]
            sel = first_cut[tp_r] <= m
            pt, pr_row = tp_t[sel], tp_r[sel]
            k = cls_s[pr_row]
            s0 = start[k]
            # rank among the true positives of (class, t): keys t * N + row are sorted
            tp_keys = pt * n + pr_row
            tp_count = (
                torch.arange(tp_keys.shape[0], device=device) - torch.searchsorted(tp_keys, pt * n + s0) + 1
            ).to(f64)
            ign_count = torch.searchsorted(ign_keys, tp_keys, right=True) - torch.searchsorted(ign_keys, pt * n + s0)
            rows_before = torch.where(s0 > 0, rows_cum[(s0 - 1).clamp(min=0)], 0)
            n_counted = (rows_cum[pr_row] - rows_before - ign_count).to(f64)
            pr = tp_count / (n_counted + EPS)
            denom = npig_f[k, a]
            rc = tp_count / torch.where(denom > 0, denom, 1.0)
            # bin b holds the points that reach the first b recall thresholds (rc >= thr[0..b-1])
            b = torch.searchsorted(thr_sorted, rc, right=True)
            slot = (k * t_n + pt) * (r_n + 1) + b
            hist = torch.zeros(k_n * t_n * (r_n + 1), dtype=f64, device=device)
            hist = hist.scatter_reduce(0, slot, pr, "amax").reshape(k_n, t_n, r_n + 1)
            q = _reverse_cummax(hist[..., 1:])  # q[..., i]: best precision with recall >= thr[i]
            q_user = torch.empty_like(q)
            q_user[..., thr_perm] = q
            valid = has_gt[:, a].reshape(k_n, 1, 1)
            precision[:, :, :, a, m] = torch.where(valid, q_user, -1.0).permute(1, 2, 0)
            if scores is not None:
                score_s = score.index_select(0, order).to(f64)
                sh = torch.full((k_n * t_n * (r_n + 1),), -torch.inf, dtype=f64, device=device)
                sh = sh.scatter_reduce(0, slot, score_s[pr_row], "amax").reshape(k_n, t_n, r_n + 1)
                sc = _reverse_cummax(sh[..., 1:])
                # a threshold <= 0 is reached at the class's first detection, whatever it is
                first = torch.full((k_n,), -torch.inf, dtype=f64, device=device)
                first = first.scatter_reduce(0, cls_s, torch.where(inc, score_s, -torch.inf), "amax")
                sc = torch.where((thr_sorted <= 0).reshape(1, 1, r_n), first.reshape(k_n, 1, 1), sc)
                sc = torch.where(torch.isinf(sc), 0.0, sc)
                s_user = torch.empty_like(sc)
                s_user[..., thr_perm] = sc
                scores[:, :, :, a, m] = torch.where(valid, s_user, -1.0).permute(1, 2, 0)
    return precision, recall, scores


def _reverse_cummax(x: Tensor) -> Tensor:
    if x.shape[-1] == 0:
        return x
    return torch.flip(torch.cummax(torch.flip(x, (-1,)), -1).values, (-1,))


def mean_valid(x: Tensor) -> Tensor:
    """Mean of the entries ``> -1`` (COCOeval's summary), ``-1`` if there are none."""
    valid = x > -1
    count = valid.sum()
    total = torch.where(valid, x, 0.0).sum()
    return torch.where(count > 0, total / count.clamp(min=1), -1.0)


def summarize(
    precision: Tensor, recall: Tensor, iou_thresholds: Tensor, max_dets: list[int], prefix: str
) -> dict[str, Tensor]:
    """COCOeval's 12 summary numbers under TorchMetrics' keys."""
    last = len(max_dets) - 1
    out = {f"{prefix}map": mean_valid(precision[:, :, :, 0, last])}
    for name, value in (("map_50", 0.5), ("map_75", 0.75)):
        hit = (iou_thresholds.to(torch.float64) == value).nonzero().squeeze(1)
        out[f"{prefix}{name}"] = mean_valid(precision[hit][:, :, :, 0, last])
    for a, area in ((1, "small"), (2, "medium"), (3, "large")):
        out[f"{prefix}map_{area}"] = mean_valid(precision[:, :, :, a, last])
    for m, cut in enumerate(max_dets):
        out[f"{prefix}mar_{cut}"] = mean_valid(recall[:, :, 0, m])
    for a, area in ((1, "small"), (2, "medium"), (3, "large")):
        out[f"{prefix}mar_{area}"] = mean_valid(recall[:, :, a, last])
    return out


def per_class(precision: Tensor, recall: Tensor, last: int) -> tuple[Tensor, Tensor]:
    """Per-class mAP (area all, last cut, mean over IoU and recall thresholds) and mAR."""
    p = precision[:, :, :, 0, last]  # (T, R, K)
    r = recall[:, :, 0, last]  # (T, K)
    k = p.shape[2]
    maps = torch.stack([mean_valid(p[:, :, i]) for i in range(k)]) if k else p.new_zeros(0)
    mars = torch.stack([mean_valid(r[:, i]) for i in range(k)]) if k else r.new_zeros(0)
    return maps, mars


__all__ = ["FP", "IGNORED", "TP", "accumulate", "mean_valid", "per_class", "summarize"]
