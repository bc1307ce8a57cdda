"""Panoptic quality (Kirillov et al., 2019) and its modified form (Porzi et al., 2019).

Every pixel carries a ``(category, instance)`` pair; a segment is one such pair within
one image. Per image, a predicted and a target segment of one category match when
their IoU (void pixels of the other map left out of the union) exceeds 0.5; unmatched
segments that are at most half void become false positives and negatives. The state
is four sums per category, ``iou_sum``, ``tp``, ``fp``, ``fn``, as in TorchMetrics, but
``update`` finds the segments, their areas and intersections for the whole batch with
a few ``unique`` calls instead of a Python loop over segment pairs. The modified form
scores the given ``stuffs`` as ``sum IoU / number of target segments`` (any overlap
counts, no false positives or negatives).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool, type_error
from metrix._core.checks import check
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state

__all__ = ["PanopticQualityState", "modified_panoptic_quality", "panoptic_quality"]


@state
class PanopticQualityState:
    """Per-category sums of matched IoU, true positives, false positives and false negatives."""

    iou_sum: Tensor = leaf("sum")  # float64 (K,): IoU of matched segments (things, then stuffs, sorted ids)
    tp: Tensor = leaf("sum")  # int64 (K,)
    fp: Tensor = leaf("sum")  # int64 (K,)
    fn: Tensor = leaf("sum")  # int64 (K,)


def _categories(things: Any, stuffs: Any) -> tuple[list[int], list[int]]:
    for name, values in (("things", things), ("stuffs", stuffs)):
        expected = "a collection of int category ids"
        if isinstance(values, (str, bytes)) or not isinstance(values, Collection):
            raise type_error(name, expected, values)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise type_error(name, expected, values)
    t, s = sorted(set(things)), sorted(set(stuffs))
    if set(t) & set(s):
        raise ValueError(f"things and stuffs must not share category ids, got {sorted(set(t) & set(s))} in both")
    if not t and not s:
        raise ValueError("at least one of things and stuffs must be non-empty")
    return t, s


def _segments(x: Tensor, ids: Tensor, stuff: Tensor, void: int) -> tuple[Tensor, Tensor, Tensor]:
    """``(category index (B, P), segment index (B, P), segment category (S,))``; void pixels get category ``void``."""
    cat = x[..., 0]
    pos = torch.searchsorted(ids, cat.contiguous()).clamp(max=ids.shape[0] - 1)
    known = ids[pos] == cat
    k = torch.where(known, pos, void)
    inst = torch.where(known & ~stuff[pos], x[..., 1], 0)
    image = torch.arange(x.shape[0], device=x.device).unsqueeze(1).expand_as(k)
    keys = torch.stack([image.reshape(-1), k.reshape(-1), inst.reshape(-1)], 1)
    uniq, seg = torch.unique(keys, dim=0, return_inverse=True)
    return k, seg.reshape(k.shape), uniq[:, 1]


def _build(things: Any, stuffs: Any, allow_unknown: Any, modified: bool, name: str, finish: Any) -> Metric:
    t_ids, s_ids = _categories(things, stuffs)
    allow_unknown = check_bool(allow_unknown, "allow_unknown_preds_category")
    ids_list = t_ids + s_ids  # continuous ids: things sorted, then stuffs sorted (TorchMetrics' order)
    order = sorted(range(len(ids_list)), key=lambda i: ids_list[i])
    k_n = len(ids_list)
    void = k_n

    def init(*, device: Any = None) -> PanopticQualityState:
        z = torch.zeros(k_n, dtype=torch.int64, device=device)
        return PanopticQualityState(torch.zeros(k_n, dtype=torch.float64, device=device), z, z.clone(), z.clone())

    def update(s: PanopticQualityState, preds: Any, target: Any) -> PanopticQualityState:
        for nm, x in (("preds", preds), ("target", target)):
            if not isinstance(x, Tensor):
                raise TypeError(f"{nm} must be a torch.Tensor of (category, instance) pairs, got {type(x).__name__}")
            if x.is_floating_point() or x.is_complex() or x.dtype == torch.bool:
                raise TypeError(f"{nm} must hold integer (category, instance) ids, got dtype {x.dtype}")
        if preds.shape != target.shape:
            raise ValueError(
                f"preds and target must have the same shape, got {tuple(preds.shape)} and {tuple(target.shape)}"
            )
        if preds.dim() < 3 or preds.shape[-1] != 2:
            raise ValueError(
                f"preds must have shape (B, *spatial, 2) of (category, instance) pairs, got {tuple(preds.shape)}"
            )
        device = preds.device
        # sorted category ids and, in that order, the continuous index and the stuff flag
        sorted_ids = torch.tensor([ids_list[i] for i in order], dtype=torch.int64, device=device)
        cont = torch.tensor(order, dtype=torch.int64, device=device)
        is_stuff = torch.tensor([i >= len(t_ids) for i in order], dtype=torch.bool, device=device)
        p = preds.flatten(1, -2).long()
        t = target.flatten(1, -2).long()
        if not allow_unknown:
            cat = p[..., 0]
            pos = torch.searchsorted(sorted_ids, cat.contiguous()).clamp(max=k_n - 1)
            check(
                sorted_ids[pos] == cat,
                "preds holds category ids that are neither things nor stuffs "
                "(pass allow_unknown_preds_category=True to treat them as void)",
            )
        pk, pseg, pcat = _segments(p, sorted_ids, is_stuff, void)
        tk, tseg, tcat = _segments(t, sorted_ids, is_stuff, void)
        # sorted index -> continuous index (void stays void)
        remap = torch.cat([cont, torch.tensor([void], device=device)])
        pk, tk, pcat, tcat = remap[pk], remap[tk], remap[pcat], remap[tcat]
        n_p, n_t = pcat.shape[0], tcat.shape[0]
        p_area = torch.bincount(pseg.reshape(-1), minlength=n_p)
        t_area = torch.bincount(tseg.reshape(-1), minlength=n_t)
        p_void = torch.bincount(pseg.reshape(-1), weights=(tk == void).reshape(-1).double(), minlength=n_p).double()
        t_void = torch.bincount(tseg.reshape(-1), weights=(pk == void).reshape(-1).double(), minlength=n_t).double()
        pair, inter = torch.unique(pseg.reshape(-1) * n_t + tseg.reshape(-1), return_counts=True)
        ps, ts = pair // n_t, pair % n_t
        same = (pcat[ps] == tcat[ts]) & (tcat[ts] != void)
        union = p_area[ps] - p_void[ps] + t_area[ts] - t_void[ts] - inter
        iou = torch.where(same, inter / union.clamp(min=1e-300), 0.0).to(torch.float64)
        stuff_of = torch.cat(
            [torch.tensor([i >= len(t_ids) for i in range(k_n)], device=device), torch.tensor([False], device=device)]
        )
        mod_p = stuff_of[pcat] if modified else torch.zeros(n_p, dtype=torch.bool, device=device)
        mod_t = stuff_of[tcat] if modified else torch.zeros(n_t, dtype=torch.bool, device=device)
        match = same & (iou > 0.5) & ~mod_t[ts]
        overlap = same & (iou > 0) & mod_t[ts]
        k1 = k_n + 1
        iou_sum = torch.zeros(k1, dtype=torch.float64, device=device).index_add_(
            0, tcat[ts], torch.where(match | overlap, iou, 0.0)
        )
        tp = torch.zeros(k1, dtype=torch.int64, device=device).index_add_(0, tcat[ts], match.long())
        p_matched = torch.zeros(n_p, dtype=torch.bool, device=device).index_put_(
            (ps[match],), torch.tensor(True, device=device)
        )
        t_matched = torch.zeros(n_t, dtype=torch.bool, device=device).index_put_(
            (ts[match],), torch.tensor(True, device=device)
        )
        fn_seg = ~t_matched & (tcat != void) & (t_void / t_area <= 0.5) & ~mod_t
        fp_seg = ~p_matched & (pcat != void) & (p_void / p_area <= 0.5) & ~mod_p
        fn = torch.zeros(k1, dtype=torch.int64, device=device).index_add_(0, tcat, fn_seg.long())
        fp = torch.zeros(k1, dtype=torch.int64, device=device).index_add_(0, pcat, fp_seg.long())
        tp = tp.index_add(0, tcat, (mod_t & (tcat != void)).long())
        return PanopticQualityState(s.iou_sum + iou_sum[:k_n], s.tp + tp[:k_n], s.fp + fp[:k_n], s.fn + fn[:k_n])

    def compute(s: PanopticQualityState) -> Tensor:
        tp = s.tp.to(torch.float64)
        sq = torch.where(s.tp > 0, s.iou_sum / tp.clamp(min=1), 0.0)
        den = tp + 0.5 * s.fp + 0.5 * s.fn
        rq = torch.where(den > 0, tp / torch.where(den > 0, den, 1.0), 0.0)
        return finish(sq * rq, sq, rq, den > 0)

    return Metric(init, update, compute, name=name, key=(name, tuple(t_ids), tuple(s_ids), allow_unknown))


def _mean(x: Tensor, valid: Tensor) -> Tensor:
    return torch.where(valid.any(), torch.where(valid, x, 0.0).sum() / valid.sum().clamp(min=1), torch.nan)


@factory(higher_is_better=True)
def panoptic_quality(
    things: Collection[int],
    stuffs: Collection[int],
    allow_unknown_preds_category: bool = False,
    return_sq_and_rq: bool = False,
    return_per_class: bool = False,
) -> Metric:
    """Panoptic quality ``PQ = sum IoU(TP) / (TP + FP / 2 + FN / 2)``, as TorchMetrics' functional.

    Args:
        things: category ids of countable things.
        stuffs: category ids of uncountable stuff (instance ids ignored).
        allow_unknown_preds_category: treat unknown predicted categories as void instead of
            raising (unknown target categories are always void).
        return_sq_and_rq: also return segmentation and recognition quality.
        return_per_class: per category values (things, then stuffs, each by sorted id).

    Returns:
        A metric whose ``update(state, preds, target)`` takes ``(B, *spatial, 2)`` integer
        ``(category, instance)`` maps and whose value is the float64 mean PQ over categories
        seen (NaN if none), ``(3,)`` with SQ and RQ, ``(1, K)`` per class, or ``(K, 3)``.

    Example:
        >>> import torch
        >>> from metrix.detection import panoptic_quality
        >>> preds = torch.tensor([[[[6, 0], [0, 0], [6, 0], [6, 0]],
        ...                        [[0, 0], [0, 0], [6, 0], [0, 1]],
        ...                        [[0, 0], [0, 0], [6, 0], [0, 1]],
        ...                        [[0, 0], [7, 0], [6, 0], [1, 0]],
        ...                        [[0, 0], [7, 0], [7, 0], [7, 0]]]])
        >>> target = torch.tensor([[[[6, 0], [0, 1], [6, 0], [0, 1]],
        ...                         [[0, 1], [0, 1], [6, 0], [0, 1]],
        ...                         [[0, 1], [0, 1], [6, 0], [1, 0]],
        ...                         [[0, 1], [7, 0], [1, 0], [1, 0]],
        ...                         [[0, 1], [7, 0], [7, 0], [7, 0]]]])
        >>> panoptic_quality(things={0, 1}, stuffs={6, 7})(preds, target)
        tensor(0.5463, dtype=torch.float64)
    """
    sq_rq = check_bool(return_sq_and_rq, "return_sq_and_rq")
    per_class = check_bool(return_per_class, "return_per_class")

    def finish(pq: Tensor, sq: Tensor, rq: Tensor, seen: Tensor) -> Tensor:
        if per_class:
            return torch.stack((pq, sq, rq), -1) if sq_rq else pq.reshape(1, -1)
        if sq_rq:
            return torch.stack((_mean(pq, seen), _mean(sq, seen), _mean(rq, seen)))
        return _mean(pq, seen)

    return _build(things, stuffs, allow_unknown_preds_category, False, "panoptic_quality", finish)


@factory(higher_is_better=True)
def modified_panoptic_quality(
    things: Collection[int], stuffs: Collection[int], allow_unknown_preds_category: bool = False
) -> Metric:
    """Modified panoptic quality (Porzi et al., 2019): stuff scored by ``sum IoU / target segments``.

    Args:
        things: category ids of countable things.
        stuffs: category ids of stuff, scored the modified way.
        allow_unknown_preds_category: treat unknown predicted categories as void instead of raising.

    Returns:
        A metric whose value is the float64 mean over categories seen (NaN if none).

    Example:
        >>> import torch
        >>> from metrix.detection import modified_panoptic_quality
        >>> preds = torch.tensor([[[0, 0], [0, 1], [6, 0], [7, 0], [0, 2], [1, 0]]])
        >>> target = torch.tensor([[[0, 1], [0, 0], [6, 0], [7, 0], [6, 0], [255, 0]]])
        >>> modified_panoptic_quality(things={0, 1}, stuffs={6, 7})(preds, target)
        tensor(0.7667, dtype=torch.float64)
    """

    def finish(pq: Tensor, sq: Tensor, rq: Tensor, seen: Tensor) -> Tensor:
        return _mean(pq, seen)

    return _build(things, stuffs, allow_unknown_preds_category, True, "modified_panoptic_quality", finish)
