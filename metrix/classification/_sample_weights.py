"""Sample weights in classification: per-sample weights turned into per-element count weights.

A weight adds to a classification state what repeating the sample would add, so an
integer weight ``k`` is ``k`` repeats (the bootstrap's Poisson(1) weights are such
frequency weights), and any non-negative real weight is scikit-learn's ``sample_weight``:

* the stat-scores states (accuracy, precision, recall, F-beta, specificity, NPV, Hamming,
  Jaccard, MCC, Cohen's kappa, stat scores, confusion matrix) and the counts of
  ``multiclass_accuracy(num_classes=None)`` hold float64 counts and take any weight,
  checked by :func:`~metrix._core.weights.check_sample_weight` (see
  :mod:`metrix.classification._stat_scores_state` for how compute reads fractional counts);
* the hinge and label-ranking states (float64 sums and totals) take any weight too
  (:func:`float_row_weights`), and so do the curves: binned curves (``thresholds=``)
  keep a float64 histogram of weights, exact curves (``thresholds=None``) a float64
  weight per stored sample (see :mod:`metrix.classification._curve_state`).

No classification state keeps int64 counts of weights, so no weight is truncated.

Inputs with extra dims ``(N, ...)``: the weight of sample ``i`` applies to each of its
elements (``ignore_index`` elements weigh 0), as if the sample were repeated.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor

from metrix._core.weights import check_sample_weight

__all__ = [
    "SAMPLEWISE_REFUSAL",
    "element_weights",
    "float_row_weights",
    "row_weights_of",
]

SAMPLEWISE_REFUSAL = (
    "multidim_average='samplewise' gives one value per sample, which a weight of that sample "
    "cannot change; weight the samples when you average those values"
)


def element_weights(w: Tensor, mask: Tensor | None, like: Tensor) -> Tensor:
    """Per-element weights of ``like`` ``(N, ...)``: ``w`` ``(N,)`` broadcast over the extra dims, times ``mask``."""
    shaped = w.reshape(tuple(w.shape) + (1,) * (like.dim() - w.dim())) if w.dim() else w
    out = shaped.expand(like.shape)
    return out if mask is None else out * mask


def row_weights_of(w: Tensor, rows: int) -> Tensor:
    """Weights ``(N,)`` repeated for the ``rows`` flattened rows of ``(N, ...)`` inputs (``rows // N`` per sample)."""
    n = w.numel()
    return w.reshape(n, 1).expand(n, rows // n if n else 0).reshape(-1)


def float_row_weights(sample_weight: Any, target: Tensor, rows: int, metric: str, *, validate_args: bool) -> Tensor:
    """Checked float64 weights (any non-negative real), one per flattened row (see :func:`row_weights_of`)."""
    return row_weights_of(check_sample_weight(sample_weight, target, metric, validate_args=validate_args), rows)
