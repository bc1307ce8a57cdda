"""Stat scores: the confusion counts that accuracy, precision, recall, F1, … are made of.

Global statistics live in one int64 leaf: the flattened confusion matrix (binary: 4
counts; multiclass: C×C, built with ``scatter_add`` of ``target * C + pred``) or the
per-label 2×2 matrices (multilabel). tp/fp/tn/fn are derived in ``compute``: one leaf
is cheaper per small-batch step than four. ``multidim_average="samplewise"`` keeps one
row of counts per sample in ``cat`` storage, since those values are reported per
sample.

Every metric of this family built with the same task configuration (task, number of
classes, threshold, top_k, ignore_index, input handling) has the same ``Metric.key``,
whatever its ``average`` or ``zero_division``: a :func:`metrix.collection` of
accuracy, precision, recall, F1, specificity, confusion matrix, … updates one state
per batch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, NamedTuple

import torch
from torch import Tensor

from metrix._core.checks import is_tracing
from metrix._core.metric import Metric, factory
from metrix._core.state import cat_append, cat_init, leaf, state, stored_values
from metrix.classification._inputs import (
    binary_format,
    check_average,
    check_ignore_index,
    check_input_format,
    check_multidim_average,
    check_num,
    check_threshold,
    check_top_k,
    check_validate_args,
    multiclass_format,
    multiclass_format_lean,
    multilabel_format,
)

__all__ = [
    "BinaryStatScoresState",
    "MulticlassStatScoresState",
    "MultilabelStatScoresState",
    "SamplewiseStatScoresState",
    "ScoreFn",
    "Stats",
    "Task",
    "binary_stat_scores",
    "binary_task",
    "count_divide",
    "multiclass_stat_scores",
    "multiclass_task",
    "multilabel_stat_scores",
    "multilabel_task",
    "recall_metric",
    "reduce_classes",
    "safe_divide",
    "scored_metric",
    "stat_scores",
    "stats_metric",
    "task_metric",
    "uses_stats",
]


@state
class BinaryStatScoresState:
    """Global binary counts."""

    confmat: Tensor = leaf("sum")  # int64 (4,): [tn, fp, fn, tp] = bincount(2 * target + pred)


@state
class MulticlassStatScoresState:
    """Global multiclass counts: the confusion matrix, rows are targets."""

    confmat: Tensor = leaf("sum")  # int64 (C * C,): counts of target * C + pred


@state
class MultilabelStatScoresState:
    """Global per-label counts."""

    confmat: Tensor = leaf("sum")  # int64 (L, 4): [tn, fp, fn, tp] of each label


@state
class SamplewiseStatScoresState:
    """Per-sample counts for ``multidim_average="samplewise"``."""

    stats: Any = leaf("cat")  # int64 (N, 4) or (N, C, 4): [tp, fp, tn, fn] per sample (and class)


ScoreFn = Callable[[Tensor, Tensor, Tensor, Tensor], Tensor]  # (tp, fp, tn, fn) -> score


class Stats(NamedTuple):
    """Confusion counts, shaped ``()`` / ``(N,)`` (binary) or ``(C,)`` / ``(N, C)`` (classes last)."""

    tp: Tensor
    fp: Tensor
    tn: Tensor
    fn: Tensor


@dataclasses.dataclass(frozen=True)
class Task:
    """A validated task configuration: everything that shapes the stat-scores state.

    It is hashable and forms the state's ``Metric.key``, so metrics built from equal
    tasks share one state in a collection.
    """

    kind: str  # "binary" | "multiclass" | "multilabel"
    num: int  # 1 (binary), num_classes or num_labels
    threshold: float
    top_k: int
    ignore_index: int | None
    input_format: str
    validate_args: bool
    samplewise: bool

    def format(self, preds: Tensor, target: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Checked int64 ``(pred, target, weight)``: ``(N, M)`` or ``(N, L, M)`` for multilabel."""
        common = dict(
            ignore_index=self.ignore_index,
            input_format=self.input_format,
            validate_args=self.validate_args,
            samplewise=self.samplewise,
        )
        if self.kind == "binary":
            return binary_format(preds, target, threshold=self.threshold, **common)
        if self.kind == "multilabel":
            return multilabel_format(preds, target, num_labels=self.num, threshold=self.threshold, **common)
        return multiclass_format(preds, target, num_classes=self.num, top_k=self.top_k, **common)

    def format_lean(self, preds: Tensor, target: Tensor) -> tuple[Tensor, Tensor, Tensor | None]:
        """:meth:`format`, with ``weight=None`` for multiclass inputs when every element counts."""
        if self.kind != "multiclass":
            return self.format(preds, target)
        return multiclass_format_lean(
            preds,
            target,
            num_classes=self.num,
            top_k=self.top_k,
            ignore_index=self.ignore_index,
            input_format=self.input_format,
            validate_args=self.validate_args,
            samplewise=self.samplewise,
        )


def binary_task(
    threshold: Any, multidim_average: Any, ignore_index: Any, validate_args: Any, input_format: Any
) -> Task:
    """Validate binary constructor arguments."""
    return Task(
        "binary",
        1,
        check_threshold(threshold),
        1,
        check_ignore_index(ignore_index),
        check_input_format(input_format),
        check_validate_args(validate_args),
        check_multidim_average(multidim_average) == "samplewise",
    )


def multiclass_task(
    num_classes: Any, top_k: Any, multidim_average: Any, ignore_index: Any, validate_args: Any, input_format: Any
) -> Task:
    """Validate multiclass constructor arguments."""
    num_classes = check_num(num_classes, "num_classes")
    return Task(
        "multiclass",
        num_classes,
        0.5,
        check_top_k(top_k, num_classes),
        check_ignore_index(ignore_index),
        check_input_format(input_format),
        check_validate_args(validate_args),
        check_multidim_average(multidim_average) == "samplewise",
    )


def multilabel_task(
    num_labels: Any, threshold: Any, multidim_average: Any, ignore_index: Any, validate_args: Any, input_format: Any
) -> Task:
    """Validate multilabel constructor arguments."""
    return Task(
        "multilabel",
        check_num(num_labels, "num_labels"),
        check_threshold(threshold),
        1,
        check_ignore_index(ignore_index),
        check_input_format(input_format),
        check_validate_args(validate_args),
        check_multidim_average(multidim_average) == "samplewise",
    )


# --------------------------------------------------------------------------------------
# counting
# --------------------------------------------------------------------------------------


def _scatter_count(idx: Tensor, weight: Tensor, size: int) -> Tensor:
    # scatter_add traces and batches under vmap (bincount has no vmap rule) and keeps
    # exact int64 counts; ignore_index enters as weight 0, never by dropping elements.
    return torch.zeros(size, dtype=torch.int64, device=idx.device).scatter_add(0, idx.reshape(-1), weight.reshape(-1))


def _global_counts(task: Task, pred: Tensor, target: Tensor, weight: Tensor | None) -> Tensor:
    """Counts of one batch; ``weight=None`` (multiclass only) counts every element."""
    if task.kind == "binary":
        return _scatter_count(2 * target + pred, weight, 4)
    if task.kind == "multilabel":
        label = torch.arange(task.num, device=pred.device).reshape(1, -1, 1)
        return _scatter_count(4 * label + 2 * target + pred, weight, 4 * task.num).reshape(task.num, 4)
    c = task.num
    idx = pred.add(target, alpha=c).reshape(-1)  # target * c + pred in one kernel
    if weight is not None:
        return _scatter_count(idx, weight, c * c)
    if idx.device.type != "cpu" or is_tracing(idx):
        return _scatter_count(idx, torch.ones_like(idx), c * c)
    # eager CPU: an unweighted bincount of int64 indices gives int64 counts at about half
    # the cost of scatter_add with a ones weight. Not traced (bincount has no vmap rule)
    # nor on accelerators (there it reads the largest index back to the host).
    return torch.bincount(idx, minlength=c * c)


def _samplewise_counts(task: Task, pred: Tensor, target: Tensor, weight: Tensor) -> Tensor:
    if task.kind == "multiclass":
        w = weight.unsqueeze(-1)
        pred_oh = torch.nn.functional.one_hot(pred, task.num) * w  # (N, M, C)
        target_oh = torch.nn.functional.one_hot(target, task.num) * w
        tp = (pred_oh * target_oh).sum(1)
        fp = pred_oh.sum(1) - tp
        fn = target_oh.sum(1) - tp
        tn = weight.sum(1, keepdim=True) - tp - fp - fn
    else:  # binary (N, M) or multilabel (N, L, M): sum over the last dim
        p, t, w = pred.bool(), target.bool(), weight.bool()
        tp = (p & t & w).sum(-1)
        fp = (p & ~t & w).sum(-1)
        tn = (~p & ~t & w).sum(-1)
        fn = (~p & t & w).sum(-1)
    return torch.stack([tp, fp, tn, fn], dim=-1)


def _global_state_type(task: Task) -> type:
    return {
        "binary": BinaryStatScoresState,
        "multiclass": MulticlassStatScoresState,
        "multilabel": MultilabelStatScoresState,
    }[task.kind]


def _init_fn(task: Task) -> Callable[..., Any]:
    if task.samplewise:
        row = (4,) if task.kind == "binary" else (task.num, 4)

        def init_samplewise(*, device: Any = None) -> SamplewiseStatScoresState:
            return SamplewiseStatScoresState(cat_init(row, torch.int64, device))

        return init_samplewise
    cls = _global_state_type(task)
    shape = {"binary": (4,), "multiclass": (task.num * task.num,), "multilabel": (task.num, 4)}[task.kind]

    def init(*, device: Any = None) -> Any:
        return cls(torch.zeros(shape, dtype=torch.int64, device=device))

    return init


def _update_fn(task: Task) -> Callable[..., Any]:
    if task.samplewise:

        def update_samplewise(s: SamplewiseStatScoresState, preds: Tensor, target: Tensor) -> SamplewiseStatScoresState:
            pred, tgt, w = task.format(preds, target)
            return SamplewiseStatScoresState(cat_append(s.stats, _samplewise_counts(task, pred, tgt, w)))

        return update_samplewise
    cls = _global_state_type(task)

    def update(s: Any, preds: Tensor, target: Tensor) -> Any:
        pred, tgt, w = task.format_lean(preds, target)
        return cls(s.confmat + _global_counts(task, pred, tgt, w))

    return update


def confmat_of(task: Task, s: Any) -> Tensor:
    """The confusion matrix of a global state: ``(2, 2)``, ``(C, C)`` or ``(L, 2, 2)``; rows are targets."""
    if task.kind == "binary":
        return s.confmat.reshape(2, 2)
    if task.kind == "multilabel":
        return s.confmat.reshape(task.num, 2, 2)
    return s.confmat.reshape(task.num, task.num)


def stats_of(task: Task, s: Any, *, need_tn: bool = True) -> Stats:
    """tp/fp/tn/fn of a state (derived from the confusion matrix for global states).

    ``need_tn=False`` may leave ``tn`` as ``None`` where it costs extra kernels to build.
    """
    if task.samplewise:
        tp, fp, tn, fn = stored_values(s.stats).unbind(-1)
        return Stats(tp, fp, tn, fn)
    if task.kind == "multiclass":
        cm = confmat_of(task, s)
        tp = cm.diagonal()
        fp = cm.sum(0) - tp
        fn = cm.sum(1) - tp
        tn = cm.sum() - tp - fp - fn if need_tn else None
        return Stats(tp, fp, tn, fn)
    tn, fp, fn, tp = s.confmat.unbind(-1)
    return Stats(tp, fp, tn, fn)


def task_metric(name: str, task: Task, compute: Callable[[Any], Tensor]) -> Metric:
    """A metric over the stat-scores state of ``task``; ``compute`` maps the state to the value."""
    return Metric(_init_fn(task), _update_fn(task), compute, name=name, key=("stat_scores", task))


def stats_metric(name: str, task: Task, reduce: Callable[[Stats], Tensor], *, need_tn: bool = True) -> Metric:
    """A metric computed as ``reduce(Stats)`` over the stat-scores state of ``task``.

    ``need_tn=False``: ``reduce`` does not read ``tn``, which may then be ``None``.
    """

    def compute(s: Any) -> Tensor:
        return reduce(stats_of(task, s, need_tn=need_tn))

    return task_metric(name, task, compute)


# --------------------------------------------------------------------------------------
# reductions
# --------------------------------------------------------------------------------------


def safe_divide(num: Tensor, den: Tensor, zero_division: float = 0.0) -> Tensor:
    """``num / den`` in float32, with ``zero_division`` where ``den == 0`` (no host sync)."""
    if not num.is_floating_point():
        num = num.to(torch.float32)
    if den.dtype != num.dtype:
        den = den.to(num.dtype)
    # x / 0 gives inf or nan, which the where masks: two kernels, no host sync
    return torch.where(den == 0, zero_division, num / den)


def count_divide(num: Tensor, den: Tensor, zero_division: float = 0.0) -> Tensor:
    """:func:`safe_divide` for int64 counts where ``num`` is 0 wherever ``den`` is 0.

    Equal to ``safe_divide(num, den, zero_division)``; with ``zero_division == 0`` it is
    ``num / den.clamp(min=1)`` (``0 / 1`` is the 0 that the ``where`` would put there),
    one kernel instead of four. Callers must guarantee the precondition (e.g.
    ``tp / (tp + fn)``: a zero denominator forces ``tp == 0``).
    """
    if zero_division != 0 or num.is_floating_point() or den.is_floating_point():
        return safe_divide(num, den, zero_division)
    return num / den.clamp(min=1)  # int / int: divided in float32, as safe_divide does


def uses_stats(*names: str) -> Callable[[ScoreFn], ScoreFn]:
    """Declare which of ``tp, fp, tn, fn`` a score function reads, so unused ones are not built.

    Those it does not read are passed as ``None``. Undeclared functions get all four.
    """

    def mark(fn: ScoreFn) -> ScoreFn:
        fn.metrix_uses_tn = "tn" in names  # type: ignore[attr-defined]
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
        weights = (tp + fn).to(score.dtype)
    elif multilabel:
        weights = torch.ones_like(score)
    else:
        present = (tp + fp + fn != 0) if top_k == 1 else (tp + fn != 0)
        weights = present.to(score.dtype)
    # The weights are counts, so their sum is 0 or >= 1, and where it is 0 every
    # weights * score is 0 (scores are finite): dividing by the sum clamped to 1 gives
    # exactly safe_divide(weights * score, sum) in one kernel instead of four, with the
    # same per-element division (and so the same rounding) as TorchMetrics.
    return ((weights * score) / weights.sum(-1, keepdim=True).clamp(min=1)).sum(-1)


def _stat_scores_reduce(st: Stats, average: str, *, binary: bool, multilabel: bool) -> Tensor:
    tp, fp, tn, fn = st
    res = torch.stack([tp, fp, tn, fn, tp + fn], dim=-1)
    if binary or average == "none":
        return res
    if average == "micro":
        return res.sum(-2)
    if average == "macro":
        return res.to(torch.float32).mean(-2)
    w = tp + fn  # weighted: support, normalised per sample (multilabel: over everything, as TorchMetrics)
    frac = w / w.sum() if multilabel else w / w.sum(-1, keepdim=True)
    return (res * frac.unsqueeze(-1)).sum(-2)


# --------------------------------------------------------------------------------------
# factories
# --------------------------------------------------------------------------------------


@factory(higher_is_better=None)
def binary_stat_scores(
    threshold: float = 0.5,
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """True/false positives/negatives and support of binary predictions.

    Args:
        threshold: probability above which a prediction counts as positive.
        multidim_average: ``"global"`` counts over every element; ``"samplewise"``
            counts per sample (over the extra dims) and returns one row per sample.
        ignore_index: target value whose elements are not counted.
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"`` (TorchMetrics' per-batch guess: float preds outside
            [0, 1] get a sigmoid), ``"probabilities"``, ``"logits"`` or ``"labels"``.

    Returns:
        A metric computing ``[tp, fp, tn, fn, support]`` (int64, shape ``(5,)``, or
        ``(N, 5)`` samplewise).

    Example:
        >>> import torch
        >>> from metrix.classification import binary_stat_scores
        >>> binary_stat_scores()(torch.tensor([0.1, 0.9, 0.8, 0.3]), torch.tensor([0, 1, 0, 1]))
        tensor([1, 1, 1, 1, 2])
    """
    task = binary_task(threshold, multidim_average, ignore_index, validate_args, input_format)
    return stats_metric(
        "binary_stat_scores", task, lambda st: _stat_scores_reduce(st, "none", binary=True, multilabel=False)
    )


@factory(higher_is_better=None)
def multiclass_stat_scores(
    num_classes: int,
    average: str | None = "macro",
    top_k: int = 1,
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """True/false positives/negatives and support of multiclass predictions.

    ``preds`` are float scores ``(N, C, ...)`` (probabilities or logits; the top-1 or
    top-k classes are taken) or integer labels ``(N, ...)``; ``target`` holds labels
    ``(N, ...)``.

    Args:
        num_classes: number of classes ``C`` (an int >= 2).
        average: ``"micro"`` sums the counts over classes, ``"macro"`` averages them,
            ``"weighted"`` averages them weighted by support, ``"none"``/``None``
            returns one row per class.
        top_k: a prediction is a hit when the target is among the ``top_k`` highest
            scores (float preds only).
        multidim_average: ``"global"`` or ``"samplewise"`` (counts per sample over the
            extra dims ``...``).
        ignore_index: target value whose elements are not counted.
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` (float scores) or
            ``"labels"`` (integer preds).

    Returns:
        A metric computing ``[tp, fp, tn, fn, support]`` (shape ``(5,)``, ``(C, 5)``
        for ``average="none"``, with a leading ``N`` samplewise).

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_stat_scores
        >>> m = multiclass_stat_scores(num_classes=3, average=None)
        >>> m(torch.tensor([2, 1, 0, 1]), torch.tensor([2, 1, 0, 0]))
        tensor([[1, 0, 2, 1, 2],
                [1, 1, 2, 0, 1],
                [1, 0, 3, 0, 1]])
    """
    task = multiclass_task(num_classes, top_k, multidim_average, ignore_index, validate_args, input_format)
    average = check_average(average)
    return stats_metric(
        "multiclass_stat_scores", task, lambda st: _stat_scores_reduce(st, average, binary=False, multilabel=False)
    )


@factory(higher_is_better=None)
def multilabel_stat_scores(
    num_labels: int,
    threshold: float = 0.5,
    average: str | None = "macro",
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """True/false positives/negatives and support of multilabel predictions ``(N, L, ...)``.

    Args:
        num_labels: number of labels ``L`` (an int >= 2).
        threshold: probability above which a label counts as predicted.
        average: ``"micro"``, ``"macro"``, ``"weighted"`` or ``"none"``/``None`` (one
            row per label).
        multidim_average: ``"global"`` or ``"samplewise"``.
        ignore_index: target value whose elements are not counted.
        validate_args: check input values (shapes and dtypes are always checked).
        input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.

    Returns:
        A metric computing ``[tp, fp, tn, fn, support]`` per label or averaged.

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_stat_scores
        >>> m = multilabel_stat_scores(num_labels=2, average="micro")
        >>> m(torch.tensor([[0.9, 0.2], [0.7, 0.6]]), torch.tensor([[1, 0], [0, 1]]))
        tensor([2, 1, 1, 0, 2])
    """
    task = multilabel_task(num_labels, threshold, multidim_average, ignore_index, validate_args, input_format)
    average = check_average(average)
    return stats_metric(
        "multilabel_stat_scores", task, lambda st: _stat_scores_reduce(st, average, binary=False, multilabel=True)
    )


TASKS = ("binary", "multiclass", "multilabel")


def check_task(task: Any, allowed: tuple[str, ...] = TASKS) -> str:
    """Validate the ``task`` argument of the dispatchers."""
    if task not in allowed:
        raise ValueError(f"task must be one of {allowed}, got {task!r}")
    return task


def need_int(value: Any, name: str, task: str) -> int:
    """``num_classes``/``num_labels``/``top_k`` required by a dispatcher task."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int for task={task!r}, got {value!r}")
    return value


@factory(higher_is_better=None)
def stat_scores(
    task: str,
    threshold: float = 0.5,
    num_classes: int | None = None,
    num_labels: int | None = None,
    average: str | None = "micro",
    multidim_average: str = "global",
    top_k: int | None = 1,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Stat scores for ``task="binary" | "multiclass" | "multilabel"``.

    Dispatches to :func:`binary_stat_scores`, :func:`multiclass_stat_scores` or
    :func:`multilabel_stat_scores` with the arguments that task uses.

    Args:
        task: ``"binary"``, ``"multiclass"`` or ``"multilabel"``.
        threshold: decision threshold (binary, multilabel).
        num_classes: number of classes (multiclass).
        num_labels: number of labels (multilabel).
        average: class averaging (multiclass, multilabel).
        multidim_average: ``"global"`` or ``"samplewise"``.
        top_k: top-k hits (multiclass).
        ignore_index: target value whose elements are not counted.
        validate_args: check input values.
        input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.

    Returns:
        The task's stat-scores metric.

    Example:
        >>> import torch
        >>> from metrix.classification import stat_scores
        >>> stat_scores("multiclass", num_classes=3)(torch.tensor([2, 1, 0]), torch.tensor([2, 1, 1]))
        tensor([2, 1, 5, 1, 3])
    """
    task = check_task(task)
    if task == "binary":
        return binary_stat_scores(threshold, multidim_average, ignore_index, validate_args, input_format=input_format)
    if task == "multiclass":
        return multiclass_stat_scores(
            need_int(num_classes, "num_classes", task),
            average,
            need_int(top_k, "top_k", task),
            multidim_average,
            ignore_index,
            validate_args,
            input_format=input_format,
        )
    return multilabel_stat_scores(
        need_int(num_labels, "num_labels", task),
        threshold,
        average,
        multidim_average,
        ignore_index,
        validate_args,
        input_format=input_format,
    )


def recall_metric(name: str, task: Task, average: str) -> Metric | None:
    """Multiclass recall (= multiclass accuracy) straight from the confusion matrix, or ``None``.

    For global multiclass states with ``top_k == 1`` and zero_division 0 this gives the
    same values as ``scored_metric(name, task, average, tp / (tp + fn))`` in about half
    the kernels: ``tp + fn`` is the row sum, ``tp + fp + fn != 0`` is ``row + col != 0``
    (``tp`` is at most both sums) and the micro denominator is the total count. Other
    configurations return ``None`` (use :func:`scored_metric`).
    """
    if task.kind != "multiclass" or task.samplewise or task.top_k != 1:
        return None
    c = task.num

    def compute(s: Any) -> Tensor:
        cm = s.confmat.reshape(c, c)
        tp = cm.diagonal()
        if average == "micro":
            return count_divide(tp.sum(), cm.sum())
        support = cm.sum(1)
        score = count_divide(tp, support)
        if average == "none":
            return score
        weights = support.to(score.dtype) if average == "weighted" else ((support + cm.sum(0)) != 0).to(score.dtype)
        return ((weights * score) / weights.sum(-1, keepdim=True).clamp(min=1)).sum(-1)

    return task_metric(name, task, compute)


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
    multilabel = task.kind == "multilabel"
    top_k = task.top_k if top_k_weights else 1
    return stats_metric(
        name,
        task,
        lambda st: reduce_classes(score_fn, st, average, multilabel=multilabel, top_k=top_k),
        need_tn=_needs_tn(score_fn),
    )
