"""Perceptual evaluation of speech quality (PESQ, ITU-T P.862), via the ``pesq`` package.

PESQ is a reference C implementation run on the host, one signal at a time; the state is a
float64 sum of per-signal scores and an int64 count (TorchMetrics' class keeps the same).
Install the optional extra: ``pip install metrix[audio]`` (or ``pip install pesq``).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_choice, check_int
from metrix._core.metric import Metric, factory
from metrix._core.state import state
from metrix.audio._inputs import F64, MeanScoreState, check_bool, host_backend, host_signals, mean_score_metric

__all__ = ["PESQState", "perceptual_evaluation_speech_quality"]


@state
class PESQState(MeanScoreState):
    """Sum of per-signal PESQ (MOS-LQO) and number of signals."""


def _backend() -> Any:
    return host_backend("pesq", None, "perceptual_evaluation_speech_quality", "pesq")


@factory(higher_is_better=True)
def perceptual_evaluation_speech_quality(
    fs: int, mode: str, keep_same_device: bool = False, n_processes: int = 1, *, validate_args: bool = True
) -> Metric:
    """PESQ (ITU-T P.862) of degraded speech against its reference, averaged over signals.

    Same arguments and values as
    ``torchmetrics.functional.audio.perceptual_evaluation_speech_quality`` (scores from the
    ``pesq`` package, run on the host). ``keep_same_device`` is accepted for migration: the
    value is always on the state's device.

    Args:
        fs: the sampling rate, 8000 or 16000.
        mode: ``"nb"`` (narrow band) or ``"wb"`` (wide band, 16 kHz only).
        keep_same_device: accepted for compatibility (no effect).
        n_processes: worker processes for ``pesq.pesq_batch`` (1: a plain loop).
        validate_args: check that signals are finite (shapes are always checked).

    Returns:
        A metric whose ``update(state, preds, target)`` takes two ``(..., time)`` tensors of
        one shape (at least a quarter second long) and whose value is the mean PESQ.

    Example:
        >>> import torch
        >>> from metrix.audio import perceptual_evaluation_speech_quality
        >>> g = torch.Generator().manual_seed(0)
        >>> t = torch.arange(8000.0)
        >>> target = torch.sin(t * 0.05) * torch.sin(t * 0.002) + 0.05 * torch.randn(8000, generator=g)
        >>> preds = target + 0.2 * torch.randn(8000, generator=g)
        >>> perceptual_evaluation_speech_quality(8000, "nb")(preds, target)
        tensor(2.2815, dtype=torch.float64)

    Reference: ITU-T Recommendation P.862 (2001).
    """
    _backend()
    check_choice(check_int(fs, "fs", 1), "fs", (8000, 16000))
    check_choice(mode, "mode", ("wb", "nb"))
    if mode == "wb" and fs != 16000:
        raise ValueError("mode='wb' needs fs=16000, got fs=8000")
    keep_same_device = check_bool(keep_same_device, "keep_same_device")
    check_int(n_processes, "n_processes", 1)
    validate_args = check_bool(validate_args, "validate_args")

    def scores(preds: Any, target: Any) -> Tensor:
        p_np, t_np, device = host_signals(preds, target, validate_args)
        pesq = _backend()
        if n_processes > 1 and p_np.shape[0] > 1:
            values = pesq.pesq_batch(fs, t_np, p_np, mode, n_processor=n_processes)
        else:
            values = [pesq.pesq(fs, t_np[i], p_np[i], mode) for i in range(p_np.shape[0])]
        return torch.tensor([float(v) for v in values], dtype=F64, device=device)

    name = "perceptual_evaluation_speech_quality"
    return mean_score_metric(name, PESQState, scores, (name, fs, mode, validate_args))
