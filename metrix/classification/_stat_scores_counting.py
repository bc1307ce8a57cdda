"""Counting kernels of the stat-scores states: one batch of labels into counts, in O(batch + C).

Every kernel takes int64 labels from :mod:`metrix.classification._inputs.labels` and returns
exact int64 counts (added by the caller to the float64 state). Ignored elements
(``ignore_index``) are sent to an extra "dump" bin that is cut off, never dropped by
boolean indexing, so every kernel traces.

Multiclass per-class counts (``(3, C)``: hits, predicted, actual) are three counts of the
batch's labels and never build a C×C temporary. With few classes (``C <= SMALL_C``) the
C×C confusion matrix is the state instead: its update is one ``bincount`` of
``target * C + pred`` (one index per element instead of three, ``C² <= 4096`` bins), which
measured faster than the per-class kernel up to about 64 classes (update + compute, batch
32 to 4096, CPU; ``benchmarks/rows_classification_scale.py``), and one matrix then serves
every metric of the configuration, the confusion matrix included.

Traced code (``torch.compile``, ``vmap``) and accelerators use ``scatter_add`` (``bincount``
has no vmap rule and reads the largest index back to the host on a GPU).
"""

from __future__ import annotations

import torch
from torch import Tensor

from metrix._core.checks import is_tracing

__all__ = [
    "SMALL_C",
    "binary_counts",
    "class_counts",
    "confusion_counts",
    "micro_counts",
    "multilabel_counts",
    "samplewise_counts",
    "weighted_count",
]

# Largest number of classes whose stat-scores state is the C×C confusion matrix.
SMALL_C = 64


def _eager_cpu(x: Tensor) -> bool:
    return not is_tracing(x) and x.is_cpu  # is_cpu: no torch.device object built per call


def _count(idx: Tensor, size: int, dumped: bool) -> Tensor:
    """int64 counts of the values ``0 .. size - 1`` in ``idx``; with ``dumped``, the value ``size`` is a dump bin."""
    if idx.dim() != 1:  # flat labels (format_lean(flat=True)) need no reshape call
        idx = idx.reshape(-1)
    bins = size + 1 if dumped else size
    if _eager_cpu(idx):
        # an unweighted bincount of int64 indices is about half the cost of scatter_add
        counts = torch.bincount(idx, minlength=bins)
    else:
        counts = torch.zeros(bins, dtype=torch.int64, device=idx.device).scatter_add(0, idx, torch.ones_like(idx))
    return counts[:size] if dumped else counts


def _dump_ignored(idx: Tensor, weight: Tensor, dump: int) -> Tensor:
    """``idx`` with elements of weight 0 (``ignore_index``) moved to the dump bin."""
    return torch.where(weight.bool(), idx, dump)


def weighted_count(idx: Tensor, weight: Tensor, size: int) -> Tensor:
    """Sum of ``weight`` per value ``0 .. size - 1`` of ``idx`` (same shape), in ``weight``'s dtype.

    One ``scatter_add``: it traces and batches under vmap. Binary and multilabel inputs
    always carry a weight, the int64 0/1 mask of :mod:`~metrix.classification._inputs`
    (exact int64 counts), or the float64 sample weights times that mask (see
    :mod:`metrix.classification._weighted_counting`).
    """
    return torch.zeros(size, dtype=weight.dtype, device=idx.device).scatter_add(0, idx.reshape(-1), weight.reshape(-1))


def binary_counts(pred: Tensor, target: Tensor, weight: Tensor) -> Tensor:
    """``[tn, fp, fn, tp]`` of one batch (``(4,)``, in ``weight``'s dtype: int64 for the mask, float64 weighted)."""
    return weighted_count(2 * target + pred, weight, 4)


def multilabel_counts(num_labels: int, pred: Tensor, target: Tensor, weight: Tensor) -> Tensor:
    """``[tn, fp, fn, tp]`` of each label of one batch ``(N, L, M)`` (``(L, 4)``, in ``weight``'s dtype)."""
    label = torch.arange(num_labels, device=pred.device).reshape(1, -1, 1)
    return weighted_count(4 * label + 2 * target + pred, weight, 4 * num_labels).reshape(num_labels, 4)


def micro_counts(pred: Tensor, target: Tensor, weight: Tensor | None) -> Tensor:
    """``[wrong, correct]`` over every counted element of one batch (int64 ``(2,)``)."""
    hit = (pred == target).reshape(-1).long()
    if weight is None:
        return _count(hit, 2, dumped=False)
    return _count(_dump_ignored(hit, weight.reshape(-1), 2), 2, dumped=True)


def class_counts(num_classes: int, pred: Tensor, target: Tensor, weight: Tensor | None) -> Tensor:
    """Per-class ``[hits, predicted, actual]`` of one batch (int64 ``(3, C)``): three counts of ``batch`` labels.

    Each row counts its labels into ``C + 1`` bins, the last one taking misses (hits row)
    and ignored elements.
    """
    c = num_classes
    p, t = pred.reshape(-1), target.reshape(-1)
    miss = p != t
    if weight is not None:
        ignored = ~weight.reshape(-1).bool()
        miss = miss | ignored
        p, t = p.masked_fill(ignored, c), t.masked_fill(ignored, c)
    hits = t.masked_fill(miss, c)
    if _eager_cpu(p):
        return torch.stack([torch.bincount(x, minlength=c + 1)[:c] for x in (hits, p, t)])
    rows = torch.stack([hits, p, t]) + torch.arange(0, 3 * (c + 1), c + 1, device=p.device).unsqueeze(1)
    zeros = torch.zeros(3 * (c + 1), dtype=torch.int64, device=p.device)
    return zeros.scatter_add(0, rows.reshape(-1), torch.ones_like(rows.reshape(-1))).reshape(3, c + 1)[:, :c]


def confusion_counts(num_classes: int, pred: Tensor, target: Tensor, weight: Tensor | None) -> Tensor:
    """The flattened C×C confusion matrix of one batch (int64 ``(C * C,)``, rows are targets)."""
    c = num_classes
    idx = pred.add(target, alpha=c)  # target * c + pred in one kernel
    if weight is None:
        return _count(idx, c * c, dumped=False)
    return _count(_dump_ignored(idx, weight, c * c), c * c, dumped=True)


def samplewise_counts(kind: str, num: int, pred: Tensor, target: Tensor, weight: Tensor) -> Tensor:
    """``[tp, fp, tn, fn]`` of each sample: int64 ``(N, 4)`` (binary) or ``(N, C, 4)``."""
    if kind == "multiclass":
        # per sample, the three per-class rows in 3C + 1 bins (the last one dumps ignored elements)
        n, c = pred.shape[0], num
        dump = 3 * c
        hit = torch.where(pred == target, target, dump)
        idx = torch.cat([hit, pred + c, target + 2 * c], 1)
        idx = torch.where(weight.bool().repeat(1, 3), idx, dump)
        zeros = torch.zeros(n, dump + 1, dtype=torch.int64, device=pred.device)
        counts = zeros.scatter_add(1, idx, torch.ones_like(idx))[:, :dump].reshape(n, 3, c)
        tp, predicted, actual = counts.unbind(1)
        fp, fn = predicted - tp, actual - tp
        tn = weight.sum(1, keepdim=True) - tp - fp - fn
    else:  # binary (N, M) or multilabel (N, L, M): sum over the last dim
        p, t, w = pred.bool(), target.bool(), weight.bool()
        tp = (p & t & w).sum(-1)
        fp = (p & ~t & w).sum(-1)
        tn = (~p & ~t & w).sum(-1)
        fn = (~p & t & w).sum(-1)
    return torch.stack([tp, fp, tn, fn], dim=-1)
