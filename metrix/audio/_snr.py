"""Signal-to-noise ratios: SNR, scale-invariant SNR and complex scale-invariant SNR.

``SNR = 10 log10(|target|^2 / |target - preds|^2)`` per signal; the scale-invariant forms
first project ``preds`` onto ``target``. Each metric averages the per-signal value over all
signals seen (a float64 sum and an int64 count), as TorchMetrics' classes do.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import state
from metrix.audio._inputs import (
    MeanScoreState,
    check_bool,
    kernel_inputs,
    mean_score_metric,
    per_signal_kernel,
    signal_kernel_metric,
    signal_pair,
)
from metrix.audio._sdr import si_sdr_kernel

__all__ = [
    "complex_scale_invariant_signal_noise_ratio",
    "scale_invariant_signal_noise_ratio",
    "signal_noise_ratio",
    "snr_kernel",
]


@state
class SNRState(MeanScoreState):
    """Sum of per-signal SNR (dB) and number of signals."""


@state
class SISNRState(MeanScoreState):
    """Sum of per-signal SI-SNR (dB) and number of signals."""


@state
class ComplexSISNRState(MeanScoreState):
    """Sum of per-signal complex SI-SNR (dB) and number of signals."""


def snr_kernel(preds: Tensor, target: Tensor, zero_mean: bool = False) -> Tensor:
    """Per-signal SNR (dB) over the last dim."""
    preds, target, eps = kernel_inputs(preds, target, zero_mean)
    noise = target - preds
    return 10 * torch.log10(((target * target).sum(-1) + eps) / ((noise * noise).sum(-1) + eps))


def si_snr_kernel(preds: Tensor, target: Tensor) -> Tensor:
    """Per-signal SI-SNR (dB): SI-SDR of zero-mean signals."""
    return si_sdr_kernel(preds, target, zero_mean=True)


@factory(higher_is_better=True)
def signal_noise_ratio(zero_mean: bool = False, *, validate_args: bool = True) -> Metric:
    """Signal-to-noise ratio ``10 log10(|target|^2 / |target - preds|^2)``, averaged over signals.

    Same arguments and values as ``torchmetrics.functional.audio.signal_noise_ratio``
    (averaged over every signal, as ``torchmetrics.audio.SignalNoiseRatio`` does).

    Args:
        zero_mean: subtract each signal's mean first.
        validate_args: check that signals are finite (shapes are always checked).

    Returns:
        A metric whose ``update(state, preds, target)`` takes two ``(..., time)`` tensors of
        one shape and whose value is the mean SNR in dB (float64).

    Example:
        >>> import torch
        >>> from metrix.audio import signal_noise_ratio
        >>> target = torch.tensor([3.0, -0.5, 2.0, 7.0])
        >>> preds = torch.tensor([2.5, 0.0, 2.0, 8.0])
        >>> signal_noise_ratio()(preds, target)
        tensor(16.1805, dtype=torch.float64)
    """
    return signal_kernel_metric("signal_noise_ratio", SNRState, snr_kernel, validate_args, zero_mean=zero_mean)


@factory(higher_is_better=True)
def scale_invariant_signal_noise_ratio(*, validate_args: bool = True) -> Metric:
    """Scale-invariant signal-to-noise ratio (SI-SNR): SI-SDR of zero-mean signals, averaged.

    Same values as ``torchmetrics.functional.audio.scale_invariant_signal_noise_ratio``
    (averaged over signals).

    Args:
        validate_args: check that signals are finite (shapes are always checked).

    Returns:
        A metric whose ``update(state, preds, target)`` takes two ``(..., time)`` tensors.

    Example:
        >>> import torch
        >>> from metrix.audio import scale_invariant_signal_noise_ratio
        >>> target = torch.tensor([3.0, -0.5, 2.0, 7.0])
        >>> preds = torch.tensor([2.5, 0.0, 2.0, 8.0])
        >>> scale_invariant_signal_noise_ratio()(preds, target)
        tensor(15.0918, dtype=torch.float64)

    Reference: Luo, Mesgarani, "TasNet: time-domain audio separation network", ICASSP 2018.
    """
    return signal_kernel_metric("scale_invariant_signal_noise_ratio", SISNRState, si_snr_kernel, validate_args)


def complex_si_snr_kernel(preds: Tensor, target: Tensor, zero_mean: bool = False) -> Tensor:
    """Per-spectrogram complex SI-SNR: SI-SDR of the flattened ``(frequency, time, 2)`` values."""
    preds, target = preds.flatten(-3), target.flatten(-3)
    return si_sdr_kernel(preds, target, zero_mean=zero_mean)


def _as_real(x: Any, name: str) -> Any:
    if isinstance(x, Tensor) and x.is_complex():
        return torch.view_as_real(x)
    return x


@factory(higher_is_better=True)
def complex_scale_invariant_signal_noise_ratio(zero_mean: bool = False, *, validate_args: bool = True) -> Metric:
    """Complex scale-invariant SNR (C-SI-SNR) of spectrograms, averaged over spectrograms.

    Same arguments and values as
    ``torchmetrics.functional.audio.complex_scale_invariant_signal_noise_ratio``.

    Args:
        zero_mean: subtract each flattened spectrogram's mean first.
        validate_args: check that values are finite (shapes are always checked).

    Returns:
        A metric whose ``update(state, preds, target)`` takes two complex ``(..., frequency,
        time)`` tensors, or real ``(..., frequency, time, 2)`` ones.

    Example:
        >>> import torch
        >>> from metrix.audio import complex_scale_invariant_signal_noise_ratio
        >>> g = torch.Generator().manual_seed(0)
        >>> target = torch.randn(2, 5, 10, 2, generator=g)
        >>> preds = target + 0.3 * torch.randn(2, 5, 10, 2, generator=g)
        >>> complex_scale_invariant_signal_noise_ratio()(preds, target)
        tensor(9.3846, dtype=torch.float64)

    Reference: Ephrat et al., "Looking to listen at the cocktail party", SIGGRAPH 2018.
    """
    zero_mean = check_bool(zero_mean, "zero_mean")
    validate_args = check_bool(validate_args, "validate_args")

    def scores(preds: Any, target: Any) -> Tensor:
        p, t = _as_real(preds, "preds"), _as_real(target, "target")
        p, t = signal_pair(p, t, validate_args=validate_args, min_dim=3, what="(..., frequency, time, 2)")
        if p.shape[-1] != 2:
            raise ValueError(
                "preds and target must be complex (..., frequency, time) or real (..., frequency, time, 2), "
                f"got shape {tuple(p.shape)}"
            )
        return complex_si_snr_kernel(p, t, zero_mean=zero_mean)

    name = "complex_scale_invariant_signal_noise_ratio"
    return mean_score_metric(name, ComplexSISNRState, scores, (name, zero_mean, validate_args))


per_signal_kernel(signal_noise_ratio, snr_kernel)
per_signal_kernel(scale_invariant_signal_noise_ratio, si_snr_kernel)
