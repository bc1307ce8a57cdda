"""Sample weights: the one check every metric that takes ``sample_weight=`` runs.

A sample weight scales what one sample (one row along dim 0 of the inputs) adds to a
fixed-shape state, with scikit-learn's semantics: ``sample_weight`` is a non-negative
vector of shape ``(N,)``; all-ones weights equal no weights, a weight of 0 drops the
sample, and an integer weight ``k`` counts the sample ``k`` times (frequency weights,
which is also what a bootstrap's Poisson weights are). Weighted sums are float64.

The state of a metric never depends on whether weights were passed: a metric that
takes weights keeps a float64 total weight (which is the count when no weights are
given), so shapes and dtypes are fixed at ``init()`` and compile and vmap are unaffected.
The unweighted path is the code that ran before weights existed: every metric branches
on ``sample_weight is None`` in Python, once per call.

Where weighting is not defined (rank statistics such as Kendall's tau, per-sample
outputs such as ``reduction="none"``), the metric's ``update`` still accepts the keyword
and raises a ``TypeError`` naming the metric (:func:`refuse_sample_weight`), and
:func:`takes_sample_weight` reports it, so wrappers such as ``bootstrap`` refuse such a
base metric when they are built.
"""

from __future__ import annotations

import contextlib
import inspect
import math
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import check, is_tracing, validation_enabled

__all__ = [
    "check_sample_weight",
    "check_sample_weight_total",
    "mark_sample_weight",
    "refuse_sample_weight",
    "row_weights",
    "takes_sample_weight",
    "trusted_weights",
    "weights_trusted",
]

_F64 = torch.float64
_TRUSTED = False


@contextlib.contextmanager
def trusted_weights() -> Iterator[None]:
    """Skip the value checks of ``sample_weight`` (not its shape, dtype and device) inside a block.

    For weights valid by construction, such as the bootstrap's Poisson counts (non-negative
    whole numbers): reading each of ``B x N`` weights back was a third of a bootstrap's
    update. The checks of the metric's own inputs still run.
    """
    global _TRUSTED
    previous = _TRUSTED
    _TRUSTED = True
    try:
        yield
    finally:
        _TRUSTED = previous


def weights_trusted() -> bool:
    """Whether weight value checks are skipped (inside :func:`trusted_weights`)."""
    return _TRUSTED


def check_sample_weight(sample_weight: Any, like: Tensor, metric: str, *, validate_args: bool = True) -> Tensor:
    """Validate ``sample_weight`` against the inputs and return it as float64 of shape ``(N,)``.

    Args:
        sample_weight: one non-negative, finite weight per sample.
        like: the (checked) input whose leading dim counts the samples (e.g. ``preds``);
            a 0-d input takes a 0-d weight.
        metric: the metric's name, for the error messages.
        validate_args: run the value checks (finite, non-negative); shape, dtype and
            device are always checked.

    Returns:
        The weights as a float64 tensor of shape ``like.shape[:1]``.

    Raises:
        TypeError: ``sample_weight`` is not a real, non-bool tensor.
        ValueError: wrong shape or device, a negative, NaN or infinite weight.

    Example:
        >>> import torch
        >>> from metrix._core.weights import check_sample_weight
        >>> check_sample_weight(torch.tensor([1, 2]), torch.zeros(2, 3), "my_metric")
        tensor([1., 2.], dtype=torch.float64)
        >>> check_sample_weight(torch.tensor([1.0, -2.0]), torch.zeros(2), "my_metric")
        Traceback (most recent call last):
        ...
        ValueError: my_metric: sample_weight must be non-negative, got a minimum of -2.0
    """
    if not isinstance(sample_weight, Tensor):
        raise TypeError(
            f"{metric}: sample_weight must be a torch.Tensor of shape (N,) (one weight per sample), "
            f"got {type(sample_weight).__name__}"
        )
    if sample_weight.is_complex() or sample_weight.dtype == torch.bool:
        raise TypeError(
            f"{metric}: sample_weight must be a real (float or int) tensor, got dtype {sample_weight.dtype}"
        )
    if sample_weight.shape != like.shape[:1]:  # torch.Size compares as a tuple
        raise ValueError(
            f"{metric}: sample_weight must have shape {tuple(like.shape[:1])}, one weight per sample of the inputs "
            f"(shape {tuple(like.shape)}), got shape {tuple(sample_weight.shape)}"
        )
    if sample_weight.device != like.device:
        raise ValueError(
            f"{metric}: sample_weight is on {sample_weight.device} but the inputs are on {like.device}; "
            f"move it with sample_weight.to({str(like.device)!r})"
        )
    w = sample_weight if sample_weight.dtype == _F64 else sample_weight.to(_F64)
    if validate_args and validation_enabled() and not _TRUSTED:
        _check_values(w, metric)
    return w


def check_sample_weight_total(
    sample_weight: Any, like: Tensor, metric: str, *, validate_args: bool = True
) -> tuple[Tensor, Tensor]:
    """:func:`check_sample_weight` and the float64 total weight, from one pass of the value check.

    The total is needed by every weighted mean; the value check reads it (finite) and the
    minimum (non-negative, not NaN) instead of a separate ``aminmax``.

    Returns:
        ``(w, total)``: the float64 weights ``(N,)`` and their float64 sum ``()``.
    """
    w = check_sample_weight(sample_weight, like, metric, validate_args=False)
    total = w.sum()
    if not (validate_args and validation_enabled() and not _TRUSTED) or not w.numel():
        return w, total
    if is_tracing(w):
        _check_values(w, metric)
        return w, total
    # values only: read them without autograd (no "requires_grad to scalar" warning); the
    # minimum is NaN if any weight is, and the total is inf if any weight is
    grad = w.requires_grad
    low, seen = float((w.detach() if grad else w).min()), float(total.detach() if grad else total)
    if not (low >= 0 and math.isfinite(seen)):
        _check_values(w, metric)  # the failure path: name the problem
        # a sum can overflow to inf from finite weights only past 1e308: report it as such
        raise ValueError(f"{metric}: sample_weight sums to {seen}; weights must be finite")
    return w, total


def _check_values(w: Tensor, metric: str) -> None:
    finite = f"{metric}: sample_weight contains NaN or inf values; weights must be finite"
    negative = f"{metric}: sample_weight must be non-negative"
    if is_tracing(w):
        # x - x is 0 for finite x and NaN for NaN/inf: one reduction checks finiteness
        check(torch.isfinite((w - w).sum()), finite)
        check(w >= 0, negative)
        return
    if w.numel() == 0:
        return
    lo, hi = (float(v) for v in torch.aminmax(w.detach()))  # one pass; the host reads are what a check costs
    if math.isnan(lo) or math.isnan(hi) or math.isinf(hi) or math.isinf(lo):
        raise ValueError(finite)
    if lo < 0:
        raise ValueError(f"{negative}, got a minimum of {lo}")


def row_weights(w: Tensor, x: Tensor) -> Tensor:
    """Weights of shape ``(N,)`` reshaped to broadcast against ``x`` of shape ``(N, ...)``."""
    return w.reshape(tuple(w.shape) + (1,) * (x.dim() - w.dim()))


def refuse_sample_weight(metric: str, sample_weight: Any, why: str) -> None:
    """Raise ``TypeError`` if ``sample_weight`` was passed to a metric that cannot weight samples.

    Args:
        metric: the metric's name.
        sample_weight: what the caller passed (``None`` is fine).
        why: the reason, e.g. "ranks are not defined for weighted samples".
    """
    if sample_weight is not None:
        raise TypeError(f"{metric} does not take sample_weight: {why}")


_MARK = "__metrix_sample_weight__"


def mark_sample_weight(update: Callable[..., Any], takes: bool) -> Callable[..., Any]:
    """Record on an ``update`` function whether it takes ``sample_weight`` (see :func:`takes_sample_weight`).

    Needed for updates that forward ``**kwargs`` (wrappers) and for updates that accept
    the keyword only to refuse it with a clear error.
    """
    setattr(update, _MARK, takes)
    return update


def takes_sample_weight(metric: Any) -> bool:
    """Whether ``metric.update(state, ..., sample_weight=w)`` is defined.

    A collection takes weights when all its members do. Otherwise the metric's own
    ``update`` says so: by a mark (:func:`mark_sample_weight`), or by having a
    ``sample_weight`` parameter.

    Example:
        >>> from metrix import regression as mr
        >>> from metrix._core.weights import takes_sample_weight
        >>> takes_sample_weight(mr.mean_squared_error()), takes_sample_weight(mr.kendall_rank_corrcoef())
        (True, False)
    """
    members = getattr(metric, "members", None)
    if members:
        return all(takes_sample_weight(m) for m in members.values())
    update = getattr(metric, "_update", None)
    if update is None:
        return False
    mark = getattr(update, _MARK, None)
    if mark is not None:
        return bool(mark)
    try:
        return "sample_weight" in inspect.signature(update).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return False
