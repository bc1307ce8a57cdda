"""Accuracy: the fraction of correct predictions, from the shared stat-scores state.

Binary and multilabel accuracy count every element, ``(tp + tn) / (tp + tn + fp +
fn)``; multiclass accuracy is the per-class recall ``tp / (tp + fn)``, whose micro
average is the plain fraction of correct labels.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric
from metrix._core.state import leaf, state
from metrix._core.weights import check_sample_weight
from metrix.classification._class_averaging import recall_metric, scored_metric, uses_stats
from metrix.classification._division import count_divide, safe_divide
from metrix.classification._inputs import (
    MulticlassOptions,
    check_average,
    check_ignore_index,
    check_input_format,
    check_validate_args,
    multiclass_format,
)
from metrix.classification._sample_weights import element_weights
from metrix.classification._stat_score_family import PlainScore
from metrix.classification._stat_scores_state import counts_compute, multiclass_task

__all__ = ["CorrectState", "accuracy", "binary_accuracy", "multiclass_accuracy", "multilabel_accuracy"]


@state
class CorrectState:
    """Counts of micro accuracy without a known number of classes."""

    counts: Tensor = leaf("sum")  # float64 (2,): [correct, counted] (their weights with sample_weight=)


def _elementwise(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
    correct = tp + tn
    return count_divide(correct, correct + fp + fn)


@uses_stats("tp", "fn")
def _per_class(tp: Tensor, fp: Tensor, tn: Tensor, fn: Tensor) -> Tensor:
    return count_divide(tp, tp + fn)


def _micro_accuracy(
    top_k: Any, multidim_average: Any, ignore_index: Any, validate_args: Any, input_format: Any
) -> Metric:
    # TorchMetrics allows num_classes=None for the plain fraction of correct labels
    if top_k != 1 or multidim_average != "global":
        raise ValueError(
            "num_classes=None supports only top_k=1 and multidim_average='global'; "
            f"got top_k={top_k!r}, multidim_average={multidim_average!r}: pass num_classes"
        )
    fmt = MulticlassOptions(
        num_classes=None,
        top_k=1,
        ignore_index=check_ignore_index(ignore_index),
        input_format=check_input_format(input_format),
        validate_args=check_validate_args(validate_args),
    )

    # float64 counts (exact whole numbers up to 2^53), read as the stat-scores' are: while they
    # are whole, compute divides them as int64 in float32 as before weights existed (bit for
    # bit); fractional ones are divided in float64 and cast to float32
    def init(*, device: Any = None) -> CorrectState:
        return CorrectState(torch.zeros(2, dtype=torch.float64, device=device))

    def update(s: CorrectState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None) -> CorrectState:
        label, tgt, w = multiclass_format(preds, target, **fmt)
        if sample_weight is None:
            counts = torch.stack([((label == tgt).long() * w).sum(), w.sum()])
            return CorrectState(s.counts + counts)
        sw = check_sample_weight(sample_weight, target, "multiclass_accuracy", validate_args=fmt["validate_args"])
        ew = element_weights(sw, w, tgt)
        counts = torch.stack([torch.where(label == tgt, ew, 0.0).sum(), ew.sum()])
        return CorrectState(s.counts + counts)

    def divide(s: CorrectState) -> Tensor:
        return safe_divide(s.counts[0], s.counts[1])  # int64 or float64: see counts_compute

    key = ("micro_accuracy", *fmt.values())
    return Metric(init, update, counts_compute("multiclass_accuracy", divide), name="multiclass_accuracy", key=key)


class _Accuracy(PlainScore):
    """Accuracy's factories: the stat-score family's, but for multiclass accuracy's own ``num_classes=None``."""

    def _multiclass(
        self,
        num_classes: int | None = None,
        average: str | None = "macro",
        top_k: int = 1,
        multidim_average: str = "global",
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
    ) -> Metric:
        """Accuracy of multiclass predictions (per-class recall, then averaged).

        Args:
            num_classes: number of classes ``C`` (an int >= 2); ``None`` is allowed only
                with ``average="micro"`` (the plain fraction of correct labels).
            average: ``"micro"`` (fraction of correct labels), ``"macro"`` (mean over
                classes that occur), ``"weighted"`` (by support) or ``"none"``/``None``.
            top_k: a prediction is correct when the target is among the ``top_k`` highest
                scores.
            multidim_average: ``"global"`` or ``"samplewise"``.
            ignore_index: target value whose elements are not counted.
            validate_args: check input values (shapes and dtypes are always checked).
            input_format: ``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.

        Returns:
            A metric computing a float32 scalar (``(C,)`` for ``average="none"``; leading
            ``N`` samplewise).

        Example:
            >>> import torch
            >>> from metrix.classification import multiclass_accuracy
            >>> m = multiclass_accuracy(num_classes=3, average="micro")
            >>> m(torch.tensor([[0.1, 0.8, 0.1], [0.7, 0.2, 0.1], [0.2, 0.2, 0.6]]), torch.tensor([1, 2, 2]))
            tensor(0.6667)
        """
        if num_classes is None:
            if average != "micro":
                raise ValueError(f"num_classes can be None only with average='micro', got average={average!r}")
            return _micro_accuracy(top_k, multidim_average, ignore_index, validate_args, input_format)
        task = multiclass_task(num_classes, top_k, multidim_average, ignore_index, validate_args, input_format)
        average = check_average(average)
        fast = recall_metric(self.names[1], task, average)
        return fast if fast is not None else scored_metric(self.names[1], task, average, _per_class)


binary_accuracy, multiclass_accuracy, multilabel_accuracy, accuracy = _Accuracy(
    "accuracy", "Accuracy", "(tp + tn) / (tp + tn + fp + fn)", __name__, _elementwise, higher_is_better=True,
    examples=("0.6000", "", "0.6667", "0.5000"),
).factories  # fmt: skip
