"""Stat scores: true/false positives/negatives and support, per class or averaged.

The counts come straight from the shared stat-scores state
(:mod:`metrix.classification._stat_scores_state`), so a collection of stat scores,
accuracy, precision, … of one task configuration updates one state.
"""

from __future__ import annotations

import torch
from torch import Tensor

from metrix._core.metric import Metric
from metrix.classification._class_averaging import micro_state
from metrix.classification._stat_score_family import PlainScore
from metrix.classification._stat_scores_state import Stats, Task, stats_metric

__all__ = ["binary_stat_scores", "multiclass_stat_scores", "multilabel_stat_scores", "stat_scores"]


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


def _stat_scores_metric(name: str, task: Task, average: str) -> Metric:
    """``[tp, fp, tn, fn, support]``, per class or label, or averaged as ``average`` says."""
    if task.kind == "binary":
        return stats_metric(name, task, lambda st: _stat_scores_reduce(st, "none", binary=True, multilabel=False))
    if task.kind == "multiclass" and micro_state(task, average):  # counts already summed over classes
        return stats_metric(
            name, task, lambda st: _stat_scores_reduce(st, "none", binary=True, multilabel=False), micro=True
        )
    multilabel = task.kind == "multilabel"
    return stats_metric(name, task, lambda st: _stat_scores_reduce(st, average, binary=False, multilabel=multilabel))


# Their docstrings are the stat scores' own (the counts, not a score); the glossary fills no Args entry here.
_DOCS = {
    "binary": """\
    True/false positives/negatives and support of binary predictions.

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
    """,
    "multiclass": """\
    True/false positives/negatives and support of multiclass predictions.

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
    """,
    "multilabel": """\
    True/false positives/negatives and support of multilabel predictions ``(N, L, ...)``.

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
    """,
    "dispatcher": """\
    Stat scores for ``task="binary" | "multiclass" | "multilabel"``.

    Builds :func:`binary_stat_scores`, :func:`multiclass_stat_scores` or :func:`multilabel_stat_scores` from the
    arguments that task's function takes, passed by keyword (the others are ignored); they are documented there.
    ``task`` is ``"binary"``, ``"multiclass"`` or ``"multilabel"``.

    Returns:
        The task's metric.

    Example:
        >>> import torch
        >>> from metrix.classification import stat_scores
        >>> stat_scores("multiclass", num_classes=3)(torch.tensor([2, 1, 0]), torch.tensor([2, 1, 1]))
        tensor([2, 1, 5, 1, 3])
    """,
}

binary_stat_scores, multiclass_stat_scores, multilabel_stat_scores, stat_scores = PlainScore(
    "stat_scores", "Stat scores", "", __name__, None, higher_is_better=None, examples=("", "", "", ""),
    build=_stat_scores_metric, docs=_DOCS,
).factories  # fmt: skip
