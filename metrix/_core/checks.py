"""Value checks that raise ``ValueError`` in eager, under ``torch.compile`` and under vmap.

A Python ``raise`` on a tensor value breaks compile and vmap, ``torch._assert_async``
has no vmap rule and ``torch._check`` loses the message. What works everywhere is a
small custom op that raises when its boolean input is not all true, with a fake impl
(for tracing), a vmap rule that checks the whole batch, and a side-effect mark so
inductor does not drop it as dead code. In eager the op is skipped and the value is
checked directly, which is cheaper.

Value checks force a host sync and cost about as much as a small update, so they are
switchable: globally with :func:`set_validation` / :func:`validation`, and per metric
with ``validate_args=False``.
"""

from __future__ import annotations

import contextlib
import math
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import Tensor

__all__ = [
    "MetrixWarning",
    "check",
    "check_finite",
    "check_in_range",
    "is_tracing",
    "quietly",
    "set_validation",
    "validation",
    "validation_enabled",
    "warn",
    "warn_if",
]

_ENABLED = True


def set_validation(enabled: bool) -> None:
    """Turn value checks on or off for every metric (shape and dtype checks always run).

    Example:
        >>> import metrix
        >>> metrix.set_validation(False); metrix.validation_enabled()
        False
        >>> metrix.set_validation(True)
    """
    global _ENABLED
    if not isinstance(enabled, bool):
        raise TypeError(f"set_validation(enabled) expects a bool, got {type(enabled).__name__}")
    _ENABLED = enabled


def validation_enabled() -> bool:
    """Whether value checks are on globally."""
    return _ENABLED


@contextlib.contextmanager
def validation(enabled: bool) -> Iterator[None]:
    """Context manager that sets global value checking inside a block.

    Example:
        >>> import metrix
        >>> with metrix.validation(False):
        ...     metrix.validation_enabled()
        False
    """
    previous = _ENABLED
    set_validation(enabled)
    try:
        yield
    finally:
        set_validation(previous)


# The op is defined with the low-level ``torch.library`` API rather than
# ``torch.library.custom_op``: the latter wraps every call in Python autograd and
# dispatch layers (about 14 us a call on CPU against 5 us here), and a compiled step
# calls it once per value check. The kernel is registered as
# CompositeExplicitAutograd: a bool condition never needs a gradient.
_LIB = torch.library.Library("metrix", "DEF")  # keep a reference: the op lives as long as the library
_LIB.define("check(Tensor cond, str message) -> ()")


def _check_kernel(cond: Tensor, message: str) -> None:
    if not bool(cond.all()):
        raise ValueError(message)


_LIB.impl("check", _check_kernel, "CompositeExplicitAutograd")


@torch.library.register_fake("metrix::check")
def _check_fake(cond: Tensor, message: str) -> None:
    return None


def _check_vmap(info: Any, in_dims: Any, cond: Tensor, message: str) -> tuple[None, None]:
    # Check every member of the batch at once: the batched tensor is a plain tensor here.
    # Call the op, not the kernel: under compile(vmap) this rule is traced, and the op
    # (with its fake impl) is what keeps the data-dependent test out of the graph.
    _check_op(cond, message)
    return None, None


torch.library.register_vmap("metrix::check", _check_vmap)
_check_op = torch.ops.metrix.check.default
torch.fx.node.has_side_effect(_check_op)


def _is_batched(t: Tensor) -> bool:
    return torch._C._functorch.is_functorch_wrapped_tensor(t)


def _concrete(t: Tensor) -> Tensor | None:
    """The plain tensor under eager vmap/grad wrappers, or ``None`` if there is none.

    Under an eager ``torch.func`` transform the values are concrete: a check can read the
    whole batch directly, as the op's vmap rule does, without the op's dispatch and
    batching rule (about 10 us a check). Under compile, or when the wrapped value is not
    a plain tensor (a fake or functional tensor while tracing), there is no value to read.
    """
    if torch.compiler.is_compiling():
        return None
    while _is_batched(t):
        t = torch._C._functorch.get_unwrapped(t)
    return t if type(t) is Tensor else None


def is_tracing(*tensors: Tensor | None) -> bool:
    """Whether we run under ``torch.compile`` or any tensor is a vmap/grad wrapper (``None`` is not)."""
    if torch.compiler.is_compiling():
        return True
    for t in tensors:  # a loop, not any(<generator>): this runs several times per update
        if isinstance(t, Tensor) and _is_batched(t):
            return True
    return False


def check(cond: Tensor, message: str | Callable[[], str], *, enabled: bool = True) -> None:
    """Raise ``ValueError(message)`` unless every element of ``cond`` is true.

    Args:
        cond: boolean tensor.
        message: the error text, or a callable that builds it. The callable runs only in
            eager and only on failure, so it may look at the data (e.g. name the offending
            value); while tracing, ``message`` must be a ``str`` or the callable is called
            with no data-dependent result expected.
        enabled: the metric's ``validate_args``; the global switch applies as well.
    """
    if not (enabled and _ENABLED):
        return
    if cond.requires_grad:  # only values are read (no autograd node, no warning)
        cond = cond.detach()
    if is_tracing(cond):
        plain = _concrete(cond)
        if plain is None:
            text = message if isinstance(message, str) else message()
            _check_op(cond, text)
            return
        cond = plain
    if not bool(cond.all()):
        raise ValueError(message if isinstance(message, str) else message())


def check_finite(x: Tensor, name: str, *, enabled: bool = True) -> None:
    """Raise ``ValueError`` if a floating tensor holds NaN or inf.

    ``isfinite(x).all()`` is the slowest check a metric runs (about 70 us for a
    ``(4096, 10)`` float32 batch on one CPU thread, more than the update itself), while a
    sum takes about 3 us and is finite whenever every element is, so eager code sums
    first and looks element by element only when the sum is not finite (NaN or inf
    present, or a legitimate overflow of huge values: the exact test decides). Under
    eager vmap the same test runs on the whole batch at once. Where no value can be read
    (tracing a vmapped function) the per-member condition is ``isfinite(sum(x - x))``:
    ``x - x`` is exactly 0 for finite ``x`` and NaN for NaN or inf, so the sum cannot
    overflow and the test is exact. Under ``torch.compile`` the elementwise form stays
    (inductor fuses it into one reduction, and the rewrite must not be simplified away).
    """
    if not x.is_floating_point() or not (enabled and _ENABLED):
        return
    if x.requires_grad:  # the check reads values only: no autograd node, no "requires_grad to scalar" warning
        x = x.detach()
    if torch.compiler.is_compiling():
        _check_op(torch.isfinite(x), _not_finite(name))
        return
    if _is_batched(x):
        plain = _concrete(x)
        if plain is None:
            _check_op(torch.isfinite((x - x).sum()), _not_finite(name))
            return
        x = plain.detach()  # the wrapper may not require grad while the tensor under it does
    if not math.isfinite(float(x.sum())) and not bool(torch.isfinite(x).all()):
        raise ValueError(_not_finite(name))


def _not_finite(name: str) -> str:
    return f"{name} contains NaN or inf values; metrics need finite inputs"


def check_in_range(
    x: Tensor,
    low: int,
    high: int,
    message: str | Callable[[], str],
    *,
    allowed: int | None = None,
    enabled: bool = True,
) -> None:
    """Raise ``ValueError(message)`` unless every element of ``x`` is in ``[low, high)`` or equals ``allowed``.

    Equivalent to ``check((x >= low) & (x < high) | (x == allowed), message)``, but in
    eager it first reads ``torch.aminmax(x)`` (one pass, about 3 us for 4096 labels
    against about 10 us for the three elementwise ops, their ``all`` and the sync) and
    builds the elementwise mask only when that bound fails and ``allowed`` could
    explain it. Traced code uses the elementwise mask.

    Args:
        x: an integer (or bool) tensor, e.g. class labels.
        low: smallest valid value.
        high: one past the largest valid value.
        message: the error text, or a callable that builds it (see :func:`check`).
        allowed: one extra value accepted anywhere (e.g. ``ignore_index``).
        enabled: the metric's ``validate_args``; the global switch applies as well.
    """
    if not (enabled and _ENABLED):
        return
    if x.requires_grad:
        x = x.detach()
    traced = is_tracing(x)
    if traced:
        plain = _concrete(x)
        if plain is not None:  # eager vmap/grad: the values under the wrapper are read directly
            x, traced = plain, False
    if traced or x.is_floating_point() or x.dtype == torch.bool:
        ok = (x >= low) & (x < high)
        if allowed is not None:
            ok = ok | (x == allowed)
        check(ok, message)
        return
    if x.numel() == 0:
        return
    lo, hi = torch.aminmax(x)
    if int(lo) >= low and int(hi) < high:
        return
    if allowed is not None:
        ok = ((x >= low) & (x < high)) | (x == allowed)
        if bool(ok.all()):
            return
    raise ValueError(message if isinstance(message, str) else message())


class MetrixWarning(UserWarning):
    """A degenerate input or state that a metric answers by convention (a 0, a NaN), as TorchMetrics warns."""


class _Quiet(threading.local):
    depth = 0  # > 0 while this thread computes a batch value for MetricModule.forward


_quiet = _Quiet()


def quietly(compute: Callable[[Any], Any], state: Any) -> Any:
    """``compute(state)`` without :class:`MetrixWarning` (and without the host reads behind them).

    ``MetricModule.forward`` computes its batch value this way: a batch of 16 samples often
    lacks a class or holds a constant target, and warning about every such batch would bury the
    warnings that matter, those of ``compute()`` over the accumulated state.
    """
    if torch.compiler.is_compiling():  # warnings are silent while tracing anyway
        return compute(state)
    _quiet.depth += 1
    try:
        return compute(state)
    finally:
        _quiet.depth -= 1


def warn(metric: str, message: str) -> None:
    """Warn with :class:`MetrixWarning`, naming the metric; silent under ``torch.compile``.

    All metrix warnings are issued from this one place with the metric's name in the text,
    so Python's default filter shows each (metric, message) once per process. Silent too
    while :func:`quietly` computes a batch value.
    """
    if torch.compiler.is_compiling() or _quiet.depth:
        return
    warnings.warn(f"{metric}: {message}", MetrixWarning, stacklevel=2)


def warn_if(cond: Tensor, metric: str, message: str | Callable[[], str]) -> None:
    """:func:`warn` when any element of ``cond`` is true (eager and eager vmap only).

    Reading ``cond`` is a host sync, so this belongs in ``compute`` (once per value),
    not in ``update``. While tracing there is no value to read and nothing is warned.
    """
    if torch.compiler.is_compiling() or _quiet.depth:
        return
    if cond.requires_grad:
        cond = cond.detach()
    plain = _concrete(cond) if _is_batched(cond) else cond
    if plain is None or type(plain) is not Tensor:
        return
    if bool(plain.any()):
        warn(metric, message if isinstance(message, str) else message())
