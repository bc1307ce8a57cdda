"""Exact match: the fraction of samples whose every label (or position) is predicted right.

The state is ``[correct, total]`` as one float64 leaf of counts (``cat`` int64 rows of it
per sample for ``multidim_average="samplewise"``). Ignored elements count as matched, as in
TorchMetrics.

``sample_weight=`` (global only): the weight of sample ``i`` counts each of its items
(the sample for multiclass; each extra position ``...`` for multilabel) ``w[i]`` times, so
multilabel exact match is scikit-learn's subset ``accuracy_score`` with ``sample_weight``.
Any non-negative real weight: the counts are float64, read as int64 (TorchMetrics' float32
value) while they are whole numbers, as the stat scores' (see
:mod:`metrix.classification._stat_scores_state`). Samplewise values are one per sample and
refuse weights.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.docstrings import Glossary
from metrix._core.metric import Metric, factory
from metrix._core.state import cat_append, cat_init, leaf, state, stored_values
from metrix._core.weights import check_sample_weight, mark_sample_weight, refuse_sample_weight
from metrix.classification import _parameter_docs as parameter_docs
from metrix.classification._dispatch import dispatch
from metrix.classification._division import safe_divide
from metrix.classification._sample_weights import SAMPLEWISE_REFUSAL, element_weights
from metrix.classification._stat_scores_state import (
    Task,
    counts_compute,
    multiclass_task,
    multilabel_task,
)

__all__ = [
    "ExactMatchState",
    "SamplewiseExactMatchState",
    "exact_match",
    "multiclass_exact_match",
    "multilabel_exact_match",
]


@state
class ExactMatchState:
    """Global counts."""

    counts: Tensor = leaf("sum")  # float64 (2,): [exactly matched items, items] (their weights)


@state
class SamplewiseExactMatchState:
    """Per-sample counts."""

    counts: Any = leaf("cat")  # int64 (N, 2): [matched positions, positions] of each sample


def _matched(task: Task, preds: Tensor, target: Tensor) -> Tensor:
    """Bool ``(N, M)``: every label of that element (multilabel) or that element (multiclass) is right."""
    pred, tgt, w = task.format(preds, target)
    ok = (pred == tgt) | (w == 0)
    return ok.all(1) if task.kind == "multilabel" else ok


def _exact_match_metric(name: str, task: Task) -> Metric:
    key = ("exact_match", task)
    if task.samplewise:

        def init_samplewise(*, device: Any = None) -> SamplewiseExactMatchState:
            return SamplewiseExactMatchState(cat_init((2,), torch.int64, device))

        def update_samplewise(
            s: SamplewiseExactMatchState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None
        ) -> SamplewiseExactMatchState:
            refuse_sample_weight(f"{name}(multidim_average='samplewise')", sample_weight, SAMPLEWISE_REFUSAL)
            ok = _matched(task, preds, target)
            if task.kind == "multilabel":  # fraction of positions whose labels all match
                rows = torch.stack([ok.sum(1), torch.full_like(ok[:, 0], ok.shape[1], dtype=torch.int64)], 1)
            else:  # whether the whole sample matches
                rows = torch.stack([ok.all(1).long(), torch.ones_like(ok[:, 0], dtype=torch.int64)], 1)
            return SamplewiseExactMatchState(cat_append(s.counts, rows))

        def compute_samplewise(s: SamplewiseExactMatchState) -> Tensor:
            correct, total = stored_values(s.counts).unbind(1)
            return safe_divide(correct, total)

        update_samplewise = mark_sample_weight(update_samplewise, False)
        return Metric(init_samplewise, update_samplewise, compute_samplewise, name=name, key=key)

    def init(*, device: Any = None) -> ExactMatchState:
        return ExactMatchState(torch.zeros(2, dtype=torch.float64, device=device))

    def update(
        s: ExactMatchState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None
    ) -> ExactMatchState:
        ok = _matched(task, preds, target)
        if task.kind == "multiclass":
            ok = ok.all(1)  # one item per sample
        if sample_weight is None:
            counts = torch.stack([ok.sum(), torch.tensor(ok.numel(), device=ok.device)])
            return ExactMatchState(s.counts + counts)
        w = check_sample_weight(sample_weight, target, name, validate_args=task.validate_args)
        ew = element_weights(w, None, ok)  # (N,) or (N, M): each item of sample i weighs w[i]
        counts = torch.stack([(ok * ew).sum(), ew.sum()])
        return ExactMatchState(s.counts + counts)

    def compute(s: ExactMatchState) -> Tensor:
        return safe_divide(s.counts[0], s.counts[1])

    return Metric(init, update, counts_compute(name, compute), name=name, key=key)


# The Args and Returns entries of the task factories that differ from the classification glossaries'.
_IGNORE_INDEX = "target value whose elements count as matched."
_RETURNS = "A metric computing a float32 scalar (``(N,)`` samplewise)."
_MULTICLASS_DOCS = parameter_docs.MULTICLASS | Glossary(
    {"multidim_average": '``"global"`` or ``"samplewise"`` (1/0 per sample).', "ignore_index": _IGNORE_INDEX},
    returns=_RETURNS,
)
_MULTILABEL_DOCS = parameter_docs.MULTILABEL | Glossary(
    {"multidim_average": '``"global"`` or ``"samplewise"`` (per sample, over ``...``).', "ignore_index": _IGNORE_INDEX},
    returns=_RETURNS,
)


@factory(higher_is_better=True)
@_MULTICLASS_DOCS
def multiclass_exact_match(
    num_classes: int,
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Fraction of samples ``(N, ...)`` whose every position gets the right class.

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_exact_match
        >>> m = multiclass_exact_match(num_classes=3)
        >>> m(torch.tensor([[0, 1, 2], [2, 1, 0]]), torch.tensor([[0, 1, 2], [2, 1, 1]]))
        tensor(0.5000)
    """
    task = multiclass_task(num_classes, 1, multidim_average, ignore_index, validate_args, input_format)
    return _exact_match_metric("multiclass_exact_match", task)


@factory(higher_is_better=True)
@_MULTILABEL_DOCS
def multilabel_exact_match(
    num_labels: int,
    threshold: float = 0.5,
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Fraction of samples (and extra positions) whose every label is predicted right.

    Example:
        >>> import torch
        >>> from metrix.classification import multilabel_exact_match
        >>> m = multilabel_exact_match(num_labels=2)
        >>> m(torch.tensor([[0.9, 0.2], [0.7, 0.6]]), torch.tensor([[1, 0], [0, 1]]))
        tensor(0.5000)
    """
    task = multilabel_task(num_labels, threshold, multidim_average, ignore_index, validate_args, input_format)
    return _exact_match_metric("multilabel_exact_match", task)


@factory(higher_is_better=True)
def exact_match(
    task: str,
    num_classes: int | None = None,
    num_labels: int | None = None,
    threshold: float = 0.5,
    multidim_average: str = "global",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Exact match for ``task="multiclass" | "multilabel"`` (TorchMetrics' dispatcher).

    Builds :func:`multiclass_exact_match` or :func:`multilabel_exact_match` from the arguments that task's
    function takes, passed by keyword (the others are ignored); they are documented there. ``task`` is
    ``"multiclass"`` or ``"multilabel"``.

    Returns:
        The task's metric.

    Example:
        >>> import torch
        >>> from metrix.classification import exact_match
        >>> exact_match("multiclass", num_classes=3)(torch.tensor([[0, 1], [2, 1]]), torch.tensor([[0, 1], [2, 2]]))
        tensor(0.5000)
    """
    return dispatch(task, locals(), multiclass=multiclass_exact_match, multilabel=multilabel_exact_match)
