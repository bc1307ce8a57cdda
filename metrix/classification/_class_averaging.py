"""Class averaging of per-class scores over the stat-scores state: micro, macro, weighted, none.

A family whose value is a rate of the confusion counts (accuracy, precision, recall,
F-beta, specificity, NPV, Hamming distance) declares one score function
``score(tp, fp, tn, fn)`` and builds its metrics with :func:`scored_metric`; how the
per-class scores are averaged is the same for all of them and lives here.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from metrix._core.metric import Metric
from metrix._core.module import with_fused_forward
from metrix.classification._division import count_divide
from metrix.classification._stat_scores_counting import confusion_counts
from metrix.classification._stat_scores_state import (
    MulticlassConfusionMatrixState,
    MulticlassMicroStatScoresState,
    MulticlassStatScoresState,
    Stats,
    Task,
    class_counts_of,
    float_counts,
    per_class_state,
    stats_metric,
    task_metric,
)

__all__ = ["ScoreFn", "micro_state", "recall_metric", "reduce_classes", "scored_metric", "uses_stats", "weighted_mean"]

ScoreFn = Callable[[Tensor, Tensor, Tensor, Tensor], Tensor]  # (tp, fp, tn, fn) -> score


def uses_stats(*names: str) -> Callable[[ScoreFn], ScoreFn]:
    """Declare which of ``tp, fp, tn, fn`` a score function reads, so unused ones are not built.

    Those it does not read are passed as ``None``. Undeclared functions get all four.
    """

    def mark(fn: ScoreFn) -> ScoreFn:
        fn.metrix_uses_tn = "tn" in names  # type: ignore[attr-defined]  # a marker attribute on a function
        return fn

    return mark


def _needs_tn(score_fn: ScoreFn) -> bool:
    return getattr(score_fn, "metrix_uses_tn", True)


def reduce_classes(
    score_fn: ScoreFn,
    st: Stats,
    average: str,
    *,
    multilabel: bool,
    top_k: int = 1,
) -> Tensor:
    """Apply ``score_fn(tp, fp, tn, fn)`` and average over the class dim (the last one).

    ``micro`` sums the counts first; ``macro`` averages the per-class scores, leaving
    out (for multiclass) classes that never occur (``tp + fp + fn == 0``, or
    ``tp + fn == 0`` for ``top_k > 1``); ``weighted`` weights them by support
    ``tp + fn``; ``none`` returns them all.
    """
    tp, fp, tn, fn = st
    if average == "micro":
        return score_fn(tp.sum(-1), fp.sum(-1), None if tn is None else tn.sum(-1), fn.sum(-1))
    score = score_fn(tp, fp, tn, fn)
    if average == "none":
        return score
    if average == "weighted":
        return weighted_mean(score, (tp + fn).to(score.dtype))
    if multilabel:
        return weighted_mean(score, torch.ones_like(score))
    # a class is present where one of its counts is not 0 (the counts are not negative)
    present = torch.logical_or(torch.logical_or(tp, fp), fn) if top_k == 1 else torch.logical_or(tp, fn)
    return weighted_mean(score, present)


def weighted_mean(score: Tensor, weights: Tensor) -> Tensor:
    """``sum(weights * score) / sum(weights)`` over the last dim, 0 where the weights sum to 0.

    The weights are counts (or a bool mask of present classes), so their sum is 0 or >= 1,
    and where it is 0 every ``weights * score`` is 0 (scores are finite): dividing by the
    sum clamped to 1 gives exactly ``safe_divide(weights * score, sum)`` in one kernel
    instead of four, with the same per-element division (and so the same rounding) as
    TorchMetrics. A bool mask multiplies and sums as the 0.0 / 1.0 weights it stands for
    (``score * True`` is ``score``, ``score * False`` is ``+0.0``; its sum is an exact
    int64 count), without converting it first: three kernels fewer per compute. Floating
    weights (counts as a rate's dtype, which may be fractional counts summing to less than
    1) divide by the sum itself where it is not 0: the same values as the clamp for whole
    counts, and no shared mode to consult.
    """
    total = weights.sum(-1, keepdim=True)
    if weights.is_floating_point():
        return ((score * weights) / torch.where(total == 0, 1, total)).sum(-1)
    return ((score * weights) / total.clamp(min=1)).sum(-1)


def micro_state(task: Task, average: str) -> bool:
    """Whether a ``task`` metric averaged as ``average`` keeps the micro state (``[wrong, correct]``)."""
    return average == "micro" and per_class_state(task)


def recall_metric(name: str, task: Task, average: str) -> Metric | None:
    """Multiclass recall (= multiclass accuracy) straight from the class counts, or ``None``.

    For global multiclass states with ``top_k == 1`` and zero_division 0 this gives the
    same values as ``scored_metric(name, task, average, tp / (tp + fn))`` in about half
    the kernels: ``tp + fn`` is the actual count, ``tp + fp + fn != 0`` is
    ``actual + predicted != 0`` (``tp`` is at most both) and the micro value is the
    fraction of correct elements. Other configurations return ``None`` (use
    :func:`scored_metric`). On the C x C state (``C <= SMALL_C``) the metric also has a
    one-pass ``MetricModule.forward`` (:func:`metrix._core.module.with_fused_forward`).
    """
    if task.kind != "multiclass" or task.samplewise or task.top_k != 1:
        return None
    if micro_state(task, average):

        def compute_micro(s: MulticlassMicroStatScoresState) -> Tensor:
            wrong, correct = s.counts.unbind(0)
            return count_divide(correct, wrong + correct)

        return task_metric(name, task, compute_micro, micro=True)

    def value(tp: Tensor, predicted: Tensor, support: Tensor) -> Tensor:
        if average == "micro":
            return count_divide(tp.sum(), support.sum())
        score = count_divide(tp, support)
        if average == "none":
            return score
        if average == "weighted":
            return weighted_mean(score, support.to(score.dtype))
        return weighted_mean(score, torch.logical_or(support, predicted))  # present: seen or predicted

    if per_class_state(task):

        def compute(s: MulticlassStatScoresState) -> Tensor:
            return value(*class_counts_of(task, s))

        return task_metric(name, task, compute)
    c = task.num

    def value_of_counts(cm: Tensor) -> Tensor:
        # cm: the int64 C x C matrix (rows are targets)
        if average != "macro":
            return value(cm.diagonal(), cm.sum(0), cm.sum(1))
        # value() for macro, written out: MetricModule.forward computes it at every batch,
        # and each Python layer costs about 1 us (count_divide(tp, support) with
        # zero_division 0 is tp / support.clamp(min=1): the same kernels)
        support = cm.sum(1)
        score = cm.diagonal() / support.clamp(min=1)
        # weighted_mean(score, present) without its mask multiply: a class neither seen
        # nor predicted has no hits, so its score is already +0.0 (score * mask == score)
        present = torch.logical_or(support, cm.sum(0)).sum().clamp(min=1)
        return (score / present).sum()

    def compute_confmat(s: MulticlassConfusionMatrixState) -> Tensor:
        if float_counts(s.confmat):  # fractional counts: a support may be below 1, so value() without the clamp
            return value(*class_counts_of(task, s))
        return value_of_counts(s.confmat.view(c, c))  # counts_compute hands whole counts over as int64

    def fused_forward(
        s: MulticlassConfusionMatrixState, preds: Tensor, target: Tensor
    ) -> tuple[MulticlassConfusionMatrixState, Tensor]:
        # The unweighted update of the C x C state (_stat_scores_state._confusion_fns), with
        # the batch value taken from the batch's exact int64 counts: the same value as
        # compute_confmat(0.0 + counts), without the float64 round trip, and the same state
        # as merging that batch (s + (0.0 + counts) == s + counts: counts are whole numbers)
        pred, tgt, w = task.format_lean(preds, target, flat=True)
        counts = confusion_counts(c, pred, tgt, w)
        return MulticlassConfusionMatrixState(s.confmat + counts), value_of_counts(counts.view(c, c))

    return with_fused_forward(task_metric(name, task, compute_confmat), fused_forward)


def scored_metric(
    name: str,
    task: Task,
    average: str,
    score_fn: ScoreFn,
    *,
    top_k_weights: bool = True,
) -> Metric:
    """A metric whose per-class value is ``score_fn(tp, fp, tn, fn)``, averaged as ``average`` says.

    ``top_k_weights``: whether the macro average leaves out classes by ``tp + fn == 0``
    when ``top_k > 1`` (TorchMetrics does so for accuracy, precision, recall and NPV,
    not for F-beta, specificity and Hamming distance).
    """
    if task.kind == "binary":
        return stats_metric(name, task, lambda st: score_fn(*st))
    if micro_state(task, average):  # counts already summed over classes
        return stats_metric(name, task, lambda st: score_fn(*st), need_tn=_needs_tn(score_fn), micro=True)
    multilabel = task.kind == "multilabel"
    top_k = task.top_k if top_k_weights else 1
    return stats_metric(
        name,
        task,
        lambda st: reduce_classes(score_fn, st, average, multilabel=multilabel, top_k=top_k),
        need_tn=_needs_tn(score_fn),
    )
