"""Input checks and the state shape shared by the audio families.

Every audio metric here is a per-signal score (over the last, time, dim) averaged over all
signals seen, as TorchMetrics' classes average the functional's values: the state is a
float64 sum of scores and an int64 count, fixed, exact under merge and sync, compile- and
vmap-friendly. Scores are computed in the input's float dtype (as TorchMetrics does, with
that dtype's ``eps``) and summed in float64.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import torch
from torch import Tensor

from metrix._core.args import check_bool as check_bool
from metrix._core.args import check_tensor_pair, float_dtype_of
from metrix._core.checks import check_finite
from metrix._core.metric import Metric
from metrix._core.state import leaf, state

F64 = torch.float64


@state
class MeanScoreState:
    """Sum of per-signal scores and number of signals; each metric subclasses it, so it refuses another's state."""

    total: Tensor = leaf("sum")  # float64 ()
    count: Tensor = leaf("sum")  # int64 ()


def kernel_inputs(preds: Tensor, target: Tensor, zero_mean: bool) -> tuple[Tensor, Tensor, float]:
    """``(preds, target, eps)`` for a ratio kernel: centred signals with ``zero_mean``, and their dtype's eps."""
    eps = torch.finfo(preds.dtype).eps
    if zero_mean:
        return preds - preds.mean(dim=-1, keepdim=True), target - target.mean(dim=-1, keepdim=True), eps
    return preds, target, eps


def host_backend(module: str, attribute: str | None, metric: str, package: str) -> Any:
    """The reference implementation a host-side metric runs (``pesq``, ``pystoi``), with an install hint."""
    try:
        found = importlib.import_module(module)
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"{metric} needs the `{package}` package: pip install 'metrix[audio]' (or pip install {package})"
        ) from err
    return found if attribute is None else getattr(found, attribute)


def host_signals(preds: Any, target: Any, validate_args: bool) -> tuple[Any, Any, torch.device]:
    """Checked signals as float64 NumPy rows ``(signals, time)`` for a host implementation, and their device."""
    p, t = signal_pair(preds, target, validate_args=validate_args)
    p_np = p.reshape(-1, p.shape[-1]).detach().cpu().double().numpy()
    t_np = t.reshape(-1, t.shape[-1]).detach().cpu().double().numpy()
    return p_np, t_np, p.device


def signal_pair(
    preds: Any, target: Any, *, validate_args: bool, min_dim: int = 1, what: str = "(..., time)"
) -> tuple[Tensor, Tensor]:
    """Check two signals of one shape; returns them in one float dtype."""
    check_tensor_pair(preds, target, detail=f" {what} (signals of the same length)")
    if preds.dim() < min_dim:
        raise ValueError(f"preds and target must have shape {what}, got {tuple(preds.shape)}")
    dtype = float_dtype_of(preds, target)
    preds, target = preds.to(dtype), target.to(dtype)
    check_finite(preds, "preds", enabled=validate_args)
    check_finite(target, "target", enabled=validate_args)
    return preds, target


MeanScore = TypeVar("MeanScore", bound=MeanScoreState)


def mean_score_metric(name: str, state_cls: type[MeanScore], scores: Callable[..., Tensor], key: Hashable) -> Metric:
    """A metric whose value is the mean of ``scores(preds, target)`` over every signal seen.

    ``state_cls`` has ``total`` (float64 scalar) and ``count`` (int64 scalar) sum leaves.
    """

    def init(*, device: Any = None) -> MeanScore:
        return state_cls(torch.zeros((), dtype=F64, device=device), torch.zeros((), dtype=torch.int64, device=device))

    def update(s: MeanScore, preds: Any, target: Any) -> MeanScore:
        v = scores(preds, target).to(F64)
        return state_cls(s.total + v.sum(), s.count + v.numel())

    def compute(s: MeanScore) -> Tensor:
        return s.total / s.count.to(F64)

    return Metric(init, update, compute, name=name, key=key)


def signal_kernel_metric(
    name: str, state_cls: type[MeanScoreState], kernel: Callable[..., Tensor], validate_args: Any, **options: bool
) -> Metric:
    """The mean over signals of ``kernel(preds, target, **options)`` on checked ``(..., time)`` signal pairs.

    ``options`` are the kernel's bool switches (``zero_mean``), checked here; with
    ``validate_args`` they make the metric's key, in order.
    """
    options = {k: check_bool(v, k) for k, v in options.items()}
    validate_args = check_bool(validate_args, "validate_args")

    def scores(preds: Any, target: Any) -> Tensor:
        return kernel(*signal_pair(preds, target, validate_args=validate_args), **options)

    return mean_score_metric(name, state_cls, scores, (name, *options.values(), validate_args))


def per_signal_kernel(factory_fn: Callable[..., Any], kernel: Callable[..., Tensor]) -> None:
    """Attach the per-signal kernel to a public factory (used by permutation-invariant training)."""
    factory_fn.__metrix_audio_kernel__ = kernel  # type: ignore[attr-defined]  # a marker attribute on a function object, which mypy does not let one declare
