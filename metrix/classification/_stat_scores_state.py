"""The stat-scores states: the confusion counts accuracy, precision, recall, F1, … are made of.

Global counts are float64 leaves, updated in O(batch + C) by the kernels of
:mod:`metrix.classification._stat_scores_counting` (unweighted: exact integers below
2**53) and :mod:`metrix.classification._weighted_counting` (``sample_weight=``: float64
sums of the weights, so any non-negative real weight is scikit-learn's ``sample_weight``):

* binary: ``[tn, fp, fn, tp]``; multilabel: those four per label, ``(L, 4)``;
* multiclass with more than ``SMALL_C`` (64) classes, per class: ``(3, C)`` rows ``[hits,
  predicted, actual]`` (tp, tp + fp, tp + fn), from which every per-class count follows
  (tn from the total); micro averages keep ``[wrong, correct]`` only (16 bytes, whatever
  ``C``: micro precision, recall, F-beta, specificity, … are functions of these two and
  ``C``); the confusion matrix itself and linear/quadratic Cohen's kappa keep C×C counts.
  ``num_classes=32000`` token accuracy keeps 16 bytes, not the 7.6 GiB of a C×C matrix;
* multiclass with at most 64 classes: the C×C confusion matrix (at most 32 kB), whose
  one-``bincount`` update is the fastest there and which serves every metric, the
  confusion matrix included.

Fractional weights. Compute looks at the counts themselves: while every count is a whole
number (always, without weights or with whole-number weights), it reads them as int64
(:func:`counts_compute`), the path TorchMetrics' dtypes and values come from, so unweighted
use and whole-number weights give exactly what they gave before fractional weights
existed. Once a count has a fractional part, compute reads the float64 counts themselves
and casts a floating value to the dtype the int64 path gives
(float32 rates, as TorchMetrics); a count-valued output (``stat_scores``, an
unnormalised confusion matrix) is then float64, as scikit-learn's ``confusion_matrix``
with float weights. The rule reads only the final counts, so it is the same whatever the
split of the data into batches, and the state needs no flag: an update adds the weighted
counts and nothing else. Under ``torch.compile`` and ``vmap`` both paths are traced and
selected with ``torch.where`` (no host read; the output dtype is fixed); a count-valued
output of fractional counts cannot be int64 there and raises a ``ValueError``.

``multidim_average="samplewise"`` keeps one int64 row of counts per sample in ``cat``
storage, since those values are reported per sample.

Every metric built on one of these states with the same :class:`Task` (task, number of
classes, threshold, top_k, ignore_index, input handling) has the same ``Metric.key``,
whatever its ``average`` or ``zero_division``: a :func:`metrix.collection` of accuracy,
precision, recall, F1, specificity, … updates one state per batch (above 64 classes, one
per kind of state among its members: micro averages, per-class counts, confusion matrix).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, NamedTuple, TypeAlias

import torch
from torch import Tensor
from torch.utils import _pytree as pytree

from metrix._core.checks import check, is_tracing, quietly
from metrix._core.metric import Metric
from metrix._core.state import cat_append, cat_init, leaf, state, stored_values
from metrix._core.weights import check_sample_weight, mark_sample_weight, refuse_sample_weight
from metrix.classification._inputs import (
    FormatOptions,
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
from metrix.classification._sample_weights import SAMPLEWISE_REFUSAL, element_weights
from metrix.classification._stat_scores_counting import (
    SMALL_C,
    binary_counts,
    class_counts,
    confusion_counts,
    micro_counts,
    multilabel_counts,
    samplewise_counts,
)
from metrix.classification._weighted_counting import (
    class_counts_weighted,
    confusion_counts_weighted,
    micro_counts_weighted,
)

__all__ = [
    "BinaryStatScoresState",
    "ClassCounts",
    "MulticlassConfusionMatrixState",
    "MulticlassMicroStatScoresState",
    "MulticlassStatScoresState",
    "MultilabelStatScoresState",
    "SamplewiseStatScoresState",
    "StatScoresState",
    "Stats",
    "Task",
    "binary_task",
    "class_counts_of",
    "confmat_of",
    "confusion_matrix_metric",
    "float_counts",
    "multiclass_task",
    "multilabel_task",
    "per_class_state",
    "stats_metric",
    "stats_of",
    "task_metric",
]


F64 = torch.float64


@state
class BinaryStatScoresState:
    """Global binary counts."""

    confmat: Tensor = leaf("sum")  # float64 (4,): [tn, fp, fn, tp]


@state
class MultilabelStatScoresState:
    """Global per-label counts."""

    confmat: Tensor = leaf("sum")  # float64 (L, 4): [tn, fp, fn, tp] of each label


@state
class MulticlassStatScoresState:
    """Global per-class counts of multiclass predictions."""

    counts: Tensor = leaf("sum")  # float64 (3, C): [hits (tp), predicted (tp + fp), actual (tp + fn)] per class


@state
class MulticlassMicroStatScoresState:
    """Global counts of micro-averaged multiclass metrics."""

    counts: Tensor = leaf("sum")  # float64 (2,): [wrong, correct] over every counted element


@state
class MulticlassConfusionMatrixState:
    """The multiclass confusion matrix (``confusion_matrix``, weighted Cohen's kappa)."""

    confmat: Tensor = leaf("sum")  # float64 (C * C,): counts of target * C + pred


@state
class SamplewiseStatScoresState:
    """Per-sample counts for ``multidim_average="samplewise"``."""

    stats: Any = leaf("cat")  # int64 (N, 4) or (N, C, 4): [tp, fp, tn, fn] per sample (and class)


StatScoresState: TypeAlias = (
    BinaryStatScoresState
    | MultilabelStatScoresState
    | MulticlassStatScoresState
    | MulticlassMicroStatScoresState
    | MulticlassConfusionMatrixState
    | SamplewiseStatScoresState
)


class ClassCounts(NamedTuple):
    """Per-class counts of a multiclass state, int64 ``(C,)`` each."""

    hits: Tensor  # tp
    predicted: Tensor  # tp + fp
    actual: Tensor  # tp + fn (support)


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
        common = FormatOptions(
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

    def format_lean(self, preds: Tensor, target: Tensor, *, flat: bool = False) -> tuple[Tensor, Tensor, Tensor | None]:
        """:meth:`format`, with ``weight=None`` for multiclass inputs when every element counts.

        ``flat=True`` (multiclass only): the tensors come flattened, ``(N * M,)``.
        """
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
            flat=flat,
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
# state builders
# --------------------------------------------------------------------------------------


def _weights(task: Task, name: str, sample_weight: Any, target: Tensor, like: Tensor, mask: Tensor | None) -> Tensor:
    """float64 per-element weights shaped like ``like``: the checked sample weight times ``mask``."""
    w = check_sample_weight(sample_weight, target, name, validate_args=task.validate_args)
    # without ignore_index the mask (binary, multilabel) is all ones: no multiply
    return element_weights(w, mask if task.ignore_index is not None else None, like)


def _samplewise_fns(
    task: Task, name: str
) -> tuple[Callable[..., SamplewiseStatScoresState], Callable[..., SamplewiseStatScoresState]]:
    row = (4,) if task.kind == "binary" else (task.num, 4)

    def init(*, device: Any = None) -> SamplewiseStatScoresState:
        return SamplewiseStatScoresState(cat_init(row, torch.int64, device))

    def update(
        s: SamplewiseStatScoresState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None
    ) -> SamplewiseStatScoresState:
        refuse_sample_weight(f"{name}(multidim_average='samplewise')", sample_weight, SAMPLEWISE_REFUSAL)
        pred, tgt, w = task.format(preds, target)
        return SamplewiseStatScoresState(cat_append(s.stats, samplewise_counts(task.kind, task.num, pred, tgt, w)))

    return init, mark_sample_weight(update, False)


def _binary_fns(
    task: Task, name: str
) -> tuple[Callable[..., BinaryStatScoresState], Callable[..., BinaryStatScoresState]]:
    def init(*, device: Any = None) -> BinaryStatScoresState:
        return BinaryStatScoresState(torch.zeros(4, dtype=F64, device=device))

    def update(
        s: BinaryStatScoresState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None
    ) -> BinaryStatScoresState:
        pred, tgt, w = task.format(preds, target)
        if sample_weight is None:
            return BinaryStatScoresState(s.confmat + binary_counts(pred, tgt, w))
        ew = _weights(task, name, sample_weight, target, pred, w)
        return BinaryStatScoresState(s.confmat + binary_counts(pred, tgt, ew))

    return init, update


def _multilabel_fns(
    task: Task, name: str
) -> tuple[Callable[..., MultilabelStatScoresState], Callable[..., MultilabelStatScoresState]]:
    def init(*, device: Any = None) -> MultilabelStatScoresState:
        return MultilabelStatScoresState(torch.zeros((task.num, 4), dtype=F64, device=device))

    def update(
        s: MultilabelStatScoresState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None
    ) -> MultilabelStatScoresState:
        pred, tgt, w = task.format(preds, target)
        if sample_weight is None:
            return MultilabelStatScoresState(s.confmat + multilabel_counts(task.num, pred, tgt, w))
        ew = _weights(task, name, sample_weight, target, pred, w)
        counts = multilabel_counts(task.num, pred, tgt, ew)
        return MultilabelStatScoresState(s.confmat + counts)

    return init, update


def _class_fns(
    task: Task, name: str
) -> tuple[Callable[..., MulticlassStatScoresState], Callable[..., MulticlassStatScoresState]]:
    def init(*, device: Any = None) -> MulticlassStatScoresState:
        return MulticlassStatScoresState(torch.zeros((3, task.num), dtype=F64, device=device))

    def update(
        s: MulticlassStatScoresState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None
    ) -> MulticlassStatScoresState:
        if sample_weight is None:  # the counting kernels flatten the labels: take them flat
            pred, tgt, w = task.format_lean(preds, target, flat=True)
            return MulticlassStatScoresState(s.counts + class_counts(task.num, pred, tgt, w))
        pred, tgt, w = task.format_lean(preds, target)
        ew = _weights(task, name, sample_weight, target, pred, w)
        counts = class_counts_weighted(task.num, pred, tgt, ew)
        return MulticlassStatScoresState(s.counts + counts)

    return init, update


def _micro_fns(
    task: Task, name: str
) -> tuple[Callable[..., MulticlassMicroStatScoresState], Callable[..., MulticlassMicroStatScoresState]]:
    def init(*, device: Any = None) -> MulticlassMicroStatScoresState:
        return MulticlassMicroStatScoresState(torch.zeros(2, dtype=F64, device=device))

    def update(
        s: MulticlassMicroStatScoresState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None
    ) -> MulticlassMicroStatScoresState:
        if sample_weight is None:  # the counting kernels flatten the labels: take them flat
            pred, tgt, w = task.format_lean(preds, target, flat=True)
            return MulticlassMicroStatScoresState(s.counts + micro_counts(pred, tgt, w))
        pred, tgt, w = task.format_lean(preds, target)
        ew = _weights(task, name, sample_weight, target, pred, w)
        counts = micro_counts_weighted(pred, tgt, ew)
        return MulticlassMicroStatScoresState(s.counts + counts)

    return init, update


def _confusion_fns(
    task: Task, name: str
) -> tuple[Callable[..., MulticlassConfusionMatrixState], Callable[..., MulticlassConfusionMatrixState]]:
    c = task.num

    def init(*, device: Any = None) -> MulticlassConfusionMatrixState:
        return MulticlassConfusionMatrixState(torch.zeros(c * c, dtype=F64, device=device))

    def update(
        s: MulticlassConfusionMatrixState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None
    ) -> MulticlassConfusionMatrixState:
        if sample_weight is None:  # the counting kernels flatten the labels: take them flat
            pred, tgt, w = task.format_lean(preds, target, flat=True)
            return MulticlassConfusionMatrixState(s.confmat + confusion_counts(c, pred, tgt, w))
        pred, tgt, w = task.format_lean(preds, target)
        ew = _weights(task, name, sample_weight, target, pred, w)
        counts = confusion_counts_weighted(c, pred, tgt, ew)
        return MulticlassConfusionMatrixState(s.confmat + counts)

    return init, update


# --------------------------------------------------------------------------------------
# reading the counts: int64 (whole) or the float64 leaves (fractional weights)
# --------------------------------------------------------------------------------------


def float_counts(counts: Tensor) -> bool:
    """Whether compute reads fractional counts: ``counts`` (a count leaf as compute sees it) is float64.

    :func:`counts_compute` hands compute the state with its count leaf as int64 while the
    counts are whole and as the float64 leaf itself when they are not, so the dtype of the
    leaf tells a compute function which path it is on (static under tracing, and private
    to the call: no shared mode).
    """
    return counts.is_floating_point()


def _fractional_message(name: str) -> str:
    return (
        f"{name}: the counts are fractional (a sample_weight with a fractional part was added) and cannot be "
        "returned as int64 counts inside torch.compile or vmap; call compute eagerly, where they are float64"
    )


def _counts_of(s: Any) -> Tensor:
    """The float64 count leaf of a global counts state (every such state has exactly one)."""
    counts = getattr(s, "confmat", None)
    return s.counts if counts is None else counts


def _as_whole(s: Any, counts: Tensor) -> Any:
    """The state with its one count leaf read as int64 (the counts are whole numbers)."""
    return type(s)(counts.long())


def counts_compute(name: str, compute: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``compute`` of a global stat-scores state, reading fractional counts as float64 where the state has them.

    See the module docstring: whole counts take the int64 path unchanged (compute gets the
    state with an int64 count leaf); fractional ones are read as float64 (compute gets the
    state itself) and a floating value is cast to the dtype the int64 path gives.
    """

    def compute_counts(s: Any) -> Any:
        counts = _counts_of(s)
        whole = _as_whole(s, counts)
        if not is_tracing(counts):
            if torch.equal(counts, counts.round()):  # one pass over the (small) counts, one host read
                return compute(whole)
            exact = compute(s)
            dtypes = quietly(compute, whole)  # the int64 path, for its output dtypes only
            return pytree.tree_map(lambda d, e: e.to(d.dtype) if d.is_floating_point() else e, dtypes, exact)
        whole_value, exact = compute(whole), compute(s)
        fractional = (counts != counts.round()).any()

        def pick(d: Tensor, e: Tensor) -> Tensor:
            if d.is_floating_point():
                return torch.where(fractional, e.to(d.dtype), d)
            check(~fractional, _fractional_message(name))
            return d

        return pytree.tree_map(pick, whole_value, exact)

    return compute_counts


def per_class_state(task: Task) -> bool:
    """Whether a global multiclass ``task`` keeps O(C) counts (else the C×C matrix, below :data:`SMALL_C`)."""
    return task.kind == "multiclass" and not task.samplewise and task.num > SMALL_C


def _uses_micro_state(task: Task, micro: bool) -> bool:
    return micro and per_class_state(task)


def task_metric(name: str, task: Task, compute: Callable[[Any], Tensor], *, micro: bool = False) -> Metric:
    """A metric over the stat-scores state of ``task``; ``compute`` maps the state to the value.

    ``micro=True``: the value needs only counts summed over classes, so a global
    multiclass task keeps the 2-element micro state instead of per-class counts.
    """
    init: Callable[..., StatScoresState]
    update: Callable[..., StatScoresState]
    if task.samplewise:
        init, update, kind = *_samplewise_fns(task, name), "stat_scores"
    elif task.kind == "binary":
        init, update, kind = *_binary_fns(task, name), "stat_scores"
    elif task.kind == "multilabel":
        init, update, kind = *_multilabel_fns(task, name), "stat_scores"
    elif _uses_micro_state(task, micro):
        init, update, kind = *_micro_fns(task, name), "stat_scores_micro"
    elif per_class_state(task):
        init, update, kind = *_class_fns(task, name), "stat_scores"
    else:  # few classes: the C×C matrix is cheaper to update and serves every member
        init, update, kind = *_confusion_fns(task, name), "stat_scores"
    if not task.samplewise:
        compute = counts_compute(name, compute)
    return Metric(init, update, compute, name=name, key=(kind, task))


def confusion_matrix_metric(name: str, task: Task, compute: Callable[[Tensor], Tensor]) -> Metric:
    """A metric computed as ``compute(confusion matrix)``: int64 ``(2, 2)``, ``(C, C)`` or ``(L, 2, 2)``.

    Binary and multilabel tasks read the shared stat-scores state; multiclass ones keep
    the C×C matrix (shared by the confusion matrix and weighted Cohen's kappa).
    """
    if not per_class_state(task):
        return task_metric(name, task, lambda s: compute(confmat_of(task, s)))
    init, update = _confusion_fns(task, name)
    counted = counts_compute(name, lambda s: compute(confmat_of(task, s)))
    return Metric(init, update, counted, name=name, key=("confusion_matrix", task))


def confmat_of(
    task: Task, s: BinaryStatScoresState | MultilabelStatScoresState | MulticlassConfusionMatrixState
) -> Tensor:
    """The int64 confusion matrix of a state: ``(2, 2)``, ``(C, C)`` or ``(L, 2, 2)``; rows are targets.

    float64 for fractional counts (see :func:`counts_compute`).
    """
    if task.kind == "binary":
        return s.confmat.reshape(2, 2)
    if task.kind == "multilabel":
        return s.confmat.reshape(task.num, 2, 2)
    return s.confmat.reshape(task.num, task.num)


def class_counts_of(task: Task, s: MulticlassStatScoresState | MulticlassConfusionMatrixState) -> ClassCounts:
    """The int64 per-class counts of a multiclass state (float64 for fractional counts, see :func:`counts_compute`)."""
    if isinstance(s, MulticlassConfusionMatrixState):
        cm = confmat_of(task, s)
        return ClassCounts(cm.diagonal(), cm.sum(0), cm.sum(1))
    hits, predicted, actual = s.counts.unbind(0)
    return ClassCounts(hits, predicted, actual)


def stats_of(task: Task, s: StatScoresState, *, need_tn: bool = True) -> Stats:
    """int64 tp/fp/tn/fn of a state: per class (or label), per sample, or summed (micro state).

    float64 for fractional counts (see :func:`counts_compute`).

    ``need_tn=False`` may leave ``tn`` as ``None`` where it costs extra kernels to build.
    """
    if isinstance(s, SamplewiseStatScoresState):
        tp, fp, tn, fn = stored_values(s.stats).unbind(-1)
        return Stats(tp, fp, tn, fn)
    if isinstance(s, (MulticlassStatScoresState, MulticlassConfusionMatrixState)):
        tp, predicted, actual = class_counts_of(task, s)
        fp, fn = predicted - tp, actual - tp
        # None only for a caller that reads no tn (need_tn=False): a dependency mypy cannot express
        tn = actual.sum() - tp - fp - fn if need_tn else None  # type: ignore[assignment]
        return Stats(tp, fp, tn, fn)
    if isinstance(s, MulticlassMicroStatScoresState):
        wrong, correct = s.counts.unbind(0)
        # summed over classes: every wrong element is one fp (of its label) and one fn (of its target)
        total = wrong + correct
        tn = task.num * total - correct - 2 * wrong if need_tn else None  # type: ignore[assignment]  # as above
        return Stats(correct, wrong, tn, wrong)
    tn, fp, fn, tp = s.confmat.unbind(-1)
    return Stats(tp, fp, tn, fn)


def stats_metric(
    name: str, task: Task, reduce: Callable[[Stats], Tensor], *, need_tn: bool = True, micro: bool = False
) -> Metric:
    """A metric computed as ``reduce(Stats)`` over the stat-scores state of ``task``.

    ``need_tn=False``: ``reduce`` does not read ``tn``, which may then be ``None``.
    ``micro=True``: see :func:`task_metric` (``reduce`` then gets class-summed scalars for
    a global multiclass task).
    """

    def compute(s: StatScoresState) -> Tensor:
        return reduce(stats_of(task, s, need_tn=need_tn))

    return task_metric(name, task, compute, micro=micro)
