"""The stat-scores state and its kernel: the confusion counts accuracy, precision, recall, F1, … are made of.

Global statistics live in one int64 leaf: the flattened confusion matrix (binary: 4
counts; multiclass: C×C, built with ``scatter_add`` of ``target * C + pred``) or the
per-label 2×2 matrices (multilabel). tp/fp/tn/fn are derived in ``compute``: one leaf
is cheaper per small-batch step than four. ``multidim_average="samplewise"`` keeps one
row of counts per sample in ``cat`` storage, since those values are reported per
sample.

Every metric built on this state with the same :class:`Task` (task, number of classes,
threshold, top_k, ignore_index, input handling) has the same ``Metric.key``, whatever its
``average`` or ``zero_division``: a :func:`metrix.collection` of accuracy, precision,
recall, F1, specificity, confusion matrix, … updates one state per batch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, NamedTuple, TypeAlias

import torch
from torch import Tensor

from metrix._core.checks import is_tracing
from metrix._core.metric import Metric
from metrix._core.state import cat_append, cat_init, leaf, state, stored_values
from metrix.classification._inputs import (
    binary_format,
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
    "StatScoresState",
    "Stats",
    "Task",
    "binary_task",
    "confmat_of",
    "multiclass_task",
    "multilabel_task",
    "stats_metric",
    "stats_of",
    "task_metric",
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


GlobalStatScoresState: TypeAlias = BinaryStatScoresState | MulticlassStatScoresState | MultilabelStatScoresState
StatScoresState: TypeAlias = GlobalStatScoresState | SamplewiseStatScoresState


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


def _task(kind: str, num: int, threshold: float, top_k: int, options: tuple[Any, Any, Any, Any]) -> Task:
    multidim_average, ignore_index, validate_args, input_format = options
    return Task(
        kind,
        num,
        threshold,
        top_k,
        check_ignore_index(ignore_index),
        check_input_format(input_format),
        check_validate_args(validate_args),
        check_multidim_average(multidim_average) == "samplewise",
    )


def binary_task(
    threshold: Any, multidim_average: Any, ignore_index: Any, validate_args: Any, input_format: Any
) -> Task:
    """Validate binary constructor arguments."""
    options = (multidim_average, ignore_index, validate_args, input_format)
    return _task("binary", 1, check_threshold(threshold), 1, options)


def multiclass_task(
    num_classes: Any, top_k: Any, multidim_average: Any, ignore_index: Any, validate_args: Any, input_format: Any
) -> Task:
    """Validate multiclass constructor arguments."""
    num_classes = check_num(num_classes, "num_classes")
    options = (multidim_average, ignore_index, validate_args, input_format)
    return _task("multiclass", num_classes, 0.5, check_top_k(top_k, num_classes), options)


def multilabel_task(
    num_labels: Any, threshold: Any, multidim_average: Any, ignore_index: Any, validate_args: Any, input_format: Any
) -> Task:
    """Validate multilabel constructor arguments."""
    options = (multidim_average, ignore_index, validate_args, input_format)
    return _task("multilabel", check_num(num_labels, "num_labels"), check_threshold(threshold), 1, options)


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
        assert weight is not None
        return _scatter_count(2 * target + pred, weight, 4)
    if task.kind == "multilabel":
        assert weight is not None
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


def _global_state_type(task: Task) -> type[GlobalStatScoresState]:
    return {
        "binary": BinaryStatScoresState,
        "multiclass": MulticlassStatScoresState,
        "multilabel": MultilabelStatScoresState,
    }[task.kind]


def _state_fns(task: Task) -> tuple[Callable[..., StatScoresState], Callable[..., StatScoresState]]:
    """``init`` and ``update`` of the task's state."""
    if task.samplewise:
        row = (4,) if task.kind == "binary" else (task.num, 4)

        def init_samplewise(*, device: Any = None) -> SamplewiseStatScoresState:
            return SamplewiseStatScoresState(cat_init(row, torch.int64, device))

        def update_samplewise(s: SamplewiseStatScoresState, preds: Tensor, target: Tensor) -> SamplewiseStatScoresState:
            pred, tgt, w = task.format(preds, target)
            return SamplewiseStatScoresState(cat_append(s.stats, _samplewise_counts(task, pred, tgt, w)))

        return init_samplewise, update_samplewise
    cls = _global_state_type(task)
    shape = {"binary": (4,), "multiclass": (task.num * task.num,), "multilabel": (task.num, 4)}[task.kind]

    def init(*, device: Any = None) -> GlobalStatScoresState:
        return cls(torch.zeros(shape, dtype=torch.int64, device=device))

    def update(s: GlobalStatScoresState, preds: Tensor, target: Tensor) -> GlobalStatScoresState:
        pred, tgt, w = task.format_lean(preds, target)
        return cls(s.confmat + _global_counts(task, pred, tgt, w))

    return init, update


def confmat_of(task: Task, s: GlobalStatScoresState) -> Tensor:
    """The confusion matrix of a global state: ``(2, 2)``, ``(C, C)`` or ``(L, 2, 2)``; rows are targets."""
    if task.kind == "binary":
        return s.confmat.reshape(2, 2)
    if task.kind == "multilabel":
        return s.confmat.reshape(task.num, 2, 2)
    return s.confmat.reshape(task.num, task.num)


def stats_of(task: Task, s: StatScoresState, *, need_tn: bool = True) -> Stats:
    """tp/fp/tn/fn of a state (derived from the confusion matrix for global states).

    ``need_tn=False`` may leave ``tn`` as ``None`` where it costs extra kernels to build.
    """
    if isinstance(s, SamplewiseStatScoresState):
        tp, fp, tn, fn = stored_values(s.stats).unbind(-1)
        return Stats(tp, fp, tn, fn)
    if task.kind == "multiclass":
        cm = confmat_of(task, s)
        tp = cm.diagonal()
        fp = cm.sum(0) - tp
        fn = cm.sum(1) - tp
        tn = cm.sum() - tp - fp - fn if need_tn else None
        return Stats(tp, fp, tn, fn)  # type: ignore[arg-type]  # tn may be None (need_tn=False)
    tn, fp, fn, tp = s.confmat.unbind(-1)
    return Stats(tp, fp, tn, fn)


def task_metric(name: str, task: Task, compute: Callable[[Any], Tensor]) -> Metric:
    """A metric over the stat-scores state of ``task``; ``compute`` maps the state to the value."""
    init, update = _state_fns(task)
    return Metric(init, update, compute, name=name, key=("stat_scores", task))


def stats_metric(name: str, task: Task, reduce: Callable[[Stats], Tensor], *, need_tn: bool = True) -> Metric:
    """A metric computed as ``reduce(Stats)`` over the stat-scores state of ``task``.

    ``need_tn=False``: ``reduce`` does not read ``tn``, which may then be ``None``.
    """

    def compute(s: StatScoresState) -> Tensor:
        return reduce(stats_of(task, s, need_tn=need_tn))

    return task_metric(name, task, compute)
