"""Stat scores: the confusion counts that accuracy, precision, recall, F1, … are made of.

Global statistics live in one int64 leaf, the flattened confusion matrix, from which
tp/fp/tn/fn are derived in ``compute`` (one leaf is cheaper per small-batch step than
four). ``multidim_average="samplewise"`` keeps one row of counts per sample in ``cat``
storage, since those values are reported per sample.

Every metric of this family built with the same task configuration has the same
``Metric.key``, so a :func:`metrix.collection` of them updates one state per batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric
from metrix._core.state import cat_append, cat_init, leaf, state, stored_values
from metrix.classification._inputs import (
    binary_format,
    check_ignore_index,
    check_input_format,
    check_multidim_average,
    check_threshold,
    check_validate_args,
)

__all__ = ["BinaryStatScoresState", "SamplewiseStatScoresState", "binary_stat_scores"]


@state
class BinaryStatScoresState:
    """Global binary counts."""

    confmat: Tensor = leaf("sum")  # int64 (4,): [tn, fp, fn, tp] = bincount(2 * target + pred)


@state
class SamplewiseStatScoresState:
    """Per-sample counts for ``multidim_average="samplewise"``."""

    stats: Any = leaf("cat")  # int64 (N, 4, ...) rows of [tp, fp, tn, fn] per sample (and class)


def safe_divide(num: Tensor, den: Tensor, zero_division: float = 0.0) -> Tensor:
    """``num / den`` in float32, with ``zero_division`` where ``den == 0`` (no host sync)."""
    num = num.to(torch.float32) if not num.is_floating_point() else num
    den = den.to(num.dtype)
    return torch.where(den != 0, num / torch.where(den != 0, den, 1), torch.as_tensor(zero_division, dtype=num.dtype))


def _binary_counts(hard: Tensor, target: Tensor, weight: Tensor) -> Tensor:
    idx = (2 * target + hard).reshape(-1)
    # scatter_add traces and batches under vmap (bincount has no vmap rule) and keeps
    # exact int64 counts even with ignore_index weights.
    return torch.zeros(4, dtype=torch.int64, device=hard.device).scatter_add(0, idx, weight.reshape(-1))


def _binary_samplewise(hard: Tensor, target: Tensor, weight: Tensor) -> Tensor:
    w = weight.bool()
    tp = ((hard == 1) & (target == 1) & w).sum(1)
    fp = ((hard == 1) & (target == 0) & w).sum(1)
    tn = ((hard == 0) & (target == 0) & w).sum(1)
    fn = ((hard == 0) & (target == 1) & w).sum(1)
    return torch.stack([tp, fp, tn, fn], dim=1)


def binary_stats_metric(
    name: str,
    reduce: Callable[[Tensor, Tensor, Tensor, Tensor], Tensor],
    *,
    threshold: float,
    multidim_average: str,
    ignore_index: int | None,
    validate_args: bool,
    input_format: str,
) -> Metric:
    """Build a binary metric from ``reduce(tp, fp, tn, fn)`` over the shared stat-scores state."""
    threshold = check_threshold(threshold)
    multidim_average = check_multidim_average(multidim_average)
    ignore_index = check_ignore_index(ignore_index)
    validate_args = check_validate_args(validate_args)
    input_format = check_input_format(input_format)
    samplewise = multidim_average == "samplewise"
    fmt = dict(
        threshold=threshold,
        ignore_index=ignore_index,
        input_format=input_format,
        validate_args=validate_args,
        samplewise=samplewise,
    )

    if not samplewise:

        def init(*, device: Any = None) -> BinaryStatScoresState:
            return BinaryStatScoresState(torch.zeros(4, dtype=torch.int64, device=device))

        def update(s: BinaryStatScoresState, preds: Tensor, target: Tensor) -> BinaryStatScoresState:
            hard, tgt, w = binary_format(preds, target, **fmt)
            return BinaryStatScoresState(s.confmat + _binary_counts(hard, tgt, w))

        def compute(s: BinaryStatScoresState) -> Tensor:
            tn, fp, fn, tp = s.confmat.unbind()
            return reduce(tp, fp, tn, fn)

    else:

        def init(*, device: Any = None) -> SamplewiseStatScoresState:  # type: ignore[misc]
            return SamplewiseStatScoresState(cat_init((4,), torch.int64, device))

        def update(s: SamplewiseStatScoresState, preds: Tensor, target: Tensor) -> SamplewiseStatScoresState:  # type: ignore[misc]
            hard, tgt, w = binary_format(preds, target, **fmt)
            return SamplewiseStatScoresState(cat_append(s.stats, _binary_samplewise(hard, tgt, w)))

        def compute(s: SamplewiseStatScoresState) -> Tensor:  # type: ignore[misc]
            tp, fp, tn, fn = stored_values(s.stats).unbind(1)
            return reduce(tp, fp, tn, fn)

    key = ("binary_stat_scores", threshold, multidim_average, ignore_index, input_format, validate_args)
    return Metric(init, update, compute, name=name, key=key)


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

    def reduce(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
        return torch.stack([tp, fp, tn, fn, tp + fn], dim=-1)

    return binary_stats_metric(
        "binary_stat_scores",
        reduce,
        threshold=threshold,
        multidim_average=multidim_average,
        ignore_index=ignore_index,
        validate_args=validate_args,
        input_format=input_format,
    )
