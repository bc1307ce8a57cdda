"""Top-label calibration error: how far predicted confidences are from observed accuracies.

Confidences are binned uniformly on [0, 1]. Per bin the state keeps the number of
samples, the number of correct ones and the sum of confidences, so it has a fixed size
(``n_bins + 1`` entries: as in TorchMetrics, a confidence of exactly 1.0 falls in a bin
of its own past the last boundary). ``compute`` turns the sums into per-bin accuracy
``a_i``, mean confidence ``c_i`` and weight ``b_i`` (fraction of samples) and reduces
``|a_i - c_i|`` with the chosen norm:

* ``"l1"``: ``sum_i b_i |a_i - c_i|`` (expected calibration error, ECE),
* ``"l2"``: ``sqrt(sum_i b_i (a_i - c_i)^2)`` (root mean square calibration error),
* ``"max"``: ``max_i |a_i - c_i|`` (maximum calibration error, MCE).

The norm only matters in ``compute``, so metrics that differ only by ``norm`` share a
state (same ``Metric.key``) in a :func:`metrix.collection`.

Reference: Kumar, Liang, Ma, "Verified Uncertainty Calibration", NeurIPS 2019.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.classification import _parameter_docs as parameter_docs
from metrix.classification._dispatch import dispatch, documented_dispatcher
from metrix.classification._inputs import (
    binary_scores,
    check_choice,
    check_ignore_index,
    check_input_format,
    check_int,
    check_validate_args,
    multiclass_scores,
)
from metrix.classification._sample_weights import float_row_weights

__all__ = ["CalibrationState", "binary_calibration_error", "calibration_error", "multiclass_calibration_error"]

NORMS = ("l1", "l2", "max")


@state
class CalibrationState:
    """Per-bin sums of a calibration error."""

    count: Tensor = leaf("sum")  # float64 (n_bins + 1,): samples per bin (their weight with sample_weight=)
    correct: Tensor = leaf("sum")  # float64 (n_bins + 1,): correct samples per bin (their weight)
    confidence: Tensor = leaf("sum")  # float64 (n_bins + 1,): sum of confidences per bin


def _init_fn(n_bins: int) -> Callable[..., CalibrationState]:
    def init(*, device: Any = None) -> CalibrationState:
        return CalibrationState(
            torch.zeros(n_bins + 1, dtype=torch.float64, device=device),
            torch.zeros(n_bins + 1, dtype=torch.float64, device=device),
            torch.zeros(n_bins + 1, dtype=torch.float64, device=device),
        )

    return init


def _binned(
    s: CalibrationState,
    n_bins: int,
    confidence: Tensor,
    correct: Tensor,
    valid: Tensor,
    bin_dtype: torch.dtype | None = None,
    rows: Tensor | None = None,
) -> CalibrationState:
    # Boundaries in the confidences' own dtype (or ``bin_dtype``), as TorchMetrics builds
    # them, so that a confidence on a boundary lands in the same bin; the confidences are
    # summed in float64 whatever the bins' dtype (float64 scores keep every digit).
    binned = confidence if bin_dtype is None else confidence.to(bin_dtype)
    bounds = torch.linspace(0, 1, n_bins + 1, dtype=binned.dtype, device=confidence.device)
    # Ignored elements may carry any score: clamp their index into range, weight them 0.
    idx = (torch.bucketize(binned, bounds, right=True) - 1).clamp(0, n_bins)
    w = valid.double() if rows is None else valid * rows  # rows: float64 sample weights
    zeros = torch.zeros_like(s.count)
    conf = torch.where(valid, confidence, 0).double()
    return CalibrationState(
        s.count + zeros.scatter_add(0, idx, w),
        s.correct + zeros.scatter_add(0, idx, correct * w),
        s.confidence + torch.zeros_like(s.confidence).scatter_add(0, idx, conf if rows is None else conf * rows),
    )


def _compute_fn(norm: str) -> Callable[[CalibrationState], Tensor]:
    def compute(s: CalibrationState) -> Tensor:
        count = s.count.double()
        nonempty = s.count > 0
        safe = torch.where(nonempty, count, 1.0)
        accuracy = torch.where(nonempty, s.correct / safe, 0.0)
        confidence = torch.where(nonempty, s.confidence / safe, 0.0)
        gap = accuracy - confidence
        # float64, the accumulators' precision (TorchMetrics: the input's dtype for binary,
        # float32 for multiclass)
        if norm == "max":
            return gap.abs().max()
        weight = count / count.sum()
        if norm == "l1":
            return (gap.abs() * weight).sum()
        return (gap.square() * weight).sum().sqrt()

    return compute


def _check_common(n_bins: Any, norm: Any, ignore_index: Any, validate_args: Any, input_format: Any) -> None:
    check_int(n_bins, "n_bins", 1)
    check_choice(norm, "norm", NORMS)
    check_ignore_index(ignore_index)
    check_validate_args(validate_args)
    check_input_format(input_format, scores=True)


@factory(higher_is_better=False)
@parameter_docs.BINARY_SCORES
def binary_calibration_error(
    n_bins: int = 15,
    norm: str = "l1",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Top-label calibration error of binary probabilities.

    The confidence of an element is its predicted probability of the positive class
    and it is correct when its target is 1. Same arguments, defaults and values as
    ``torchmetrics.functional.classification.binary_calibration_error``.

    Args:
        n_bins: number of uniform bins on [0, 1].
        norm: ``"l1"`` (ECE), ``"l2"`` (RMSCE) or ``"max"`` (MCE).

    Example:
        >>> import torch
        >>> from metrix.classification import binary_calibration_error
        >>> preds = torch.tensor([0.25, 0.25, 0.55, 0.75, 0.75])
        >>> target = torch.tensor([0, 0, 1, 1, 1])
        >>> binary_calibration_error(n_bins=2, norm="l1")(preds, target)
        tensor(0.2900, dtype=torch.float64)
        >>> binary_calibration_error(n_bins=2, norm="max")(preds, target)
        tensor(0.3167, dtype=torch.float64)
    """
    _check_common(n_bins, norm, ignore_index, validate_args, input_format)

    def update(
        s: CalibrationState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None
    ) -> CalibrationState:
        conf, t, valid = binary_scores(
            preds, target, ignore_index=ignore_index, validate_args=validate_args, input_format=input_format
        )
        rows = None
        if sample_weight is not None:
            rows = float_row_weights(
                sample_weight, target, conf.shape[0], "binary_calibration_error", validate_args=validate_args
            )
        return _binned(s, n_bins, conf, t, valid, rows=rows)

    key = ("binary_calibration_error", n_bins, ignore_index, validate_args, input_format)
    return Metric(_init_fn(n_bins), update, _compute_fn(norm), name="binary_calibration_error", key=key)


@factory(higher_is_better=False)
@parameter_docs.MULTICLASS_SCORES
def multiclass_calibration_error(
    num_classes: int,
    n_bins: int = 15,
    norm: str = "l1",
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Top-label calibration error of multiclass probabilities.

    The confidence of a sample is its highest class probability and it is correct when
    that class is the target. Same arguments, defaults and values as
    ``torchmetrics.functional.classification.multiclass_calibration_error``.

    Args:
        n_bins: number of uniform bins on [0, 1].
        norm: ``"l1"`` (ECE), ``"l2"`` (RMSCE) or ``"max"`` (MCE).

    Returns:
        A metric taking ``preds`` (float, ``(N, C, ...)``) and ``target`` (int labels,
        ``(N, ...)``) and computing a float64 scalar.

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_calibration_error
        >>> preds = torch.tensor([[0.25, 0.20, 0.55], [0.55, 0.05, 0.40], [0.10, 0.30, 0.60], [0.90, 0.05, 0.05]])
        >>> target = torch.tensor([0, 1, 2, 0])
        >>> multiclass_calibration_error(num_classes=3, n_bins=3, norm="l1")(preds, target)
        tensor(0.2000, dtype=torch.float64)
        >>> multiclass_calibration_error(num_classes=3, n_bins=3, norm="l2")(preds, target)
        tensor(0.2082, dtype=torch.float64)
    """
    check_int(num_classes, "num_classes", 2)
    _check_common(n_bins, norm, ignore_index, validate_args, input_format)

    def update(
        s: CalibrationState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None
    ) -> CalibrationState:
        probs, t, valid = multiclass_scores(
            preds,
            target,
            num_classes,
            ignore_index=ignore_index,
            validate_args=validate_args,
            input_format=input_format,
        )
        conf, pred = probs.max(1)
        # TorchMetrics bins multiclass confidences in float32 whatever the input dtype.
        rows = None
        if sample_weight is not None:
            rows = float_row_weights(
                sample_weight, target, conf.shape[0], "multiclass_calibration_error", validate_args=validate_args
            )
        return _binned(s, n_bins, conf, pred == t, valid, bin_dtype=torch.float32, rows=rows)

    key = ("multiclass_calibration_error", num_classes, n_bins, ignore_index, validate_args, input_format)
    return Metric(_init_fn(n_bins), update, _compute_fn(norm), name="multiclass_calibration_error", key=key)


@factory(higher_is_better=False)
@documented_dispatcher(
    "Top-label calibration error",
    'calibration_error("binary", n_bins=2)(torch.tensor([0.25, 0.75]), torch.tensor([0, 1]))\n'
    "tensor(0.2500, dtype=torch.float64)",
)
def calibration_error(
    task: str,
    n_bins: int = 15,
    norm: str = "l1",
    num_classes: int | None = None,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    return dispatch(task, locals(), binary=binary_calibration_error, multiclass=multiclass_calibration_error)
