"""Short-time objective intelligibility (STOI, and extended STOI), via the ``pystoi`` package.

STOI runs on the host, one signal at a time; the state is a float64 sum of per-signal
scores and an int64 count (TorchMetrics' class keeps the same). Install the optional
extra: ``pip install metrix[audio]`` (or ``pip install pystoi``).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_int
from metrix._core.metric import Metric, factory
from metrix._core.state import state
from metrix.audio._inputs import F64, MeanScoreState, check_bool, host_backend, host_signals, mean_score_metric

__all__ = ["STOIState", "short_time_objective_intelligibility"]


@state
class STOIState(MeanScoreState):
    """Sum of per-signal STOI and number of signals."""


def _backend() -> Any:
    return host_backend("pystoi", "stoi", "short_time_objective_intelligibility", "pystoi")


@factory(higher_is_better=True)
def short_time_objective_intelligibility(
    fs: int, extended: bool = False, keep_same_device: bool = False, *, validate_args: bool = True
) -> Metric:
    """STOI (or extended STOI) of degraded speech against clean speech, averaged over signals.

    Same arguments and values as
    ``torchmetrics.functional.audio.short_time_objective_intelligibility`` (scores from
    ``pystoi``, run on the host). ``keep_same_device`` is accepted for migration.

    Args:
        fs: the sampling rate (signals are resampled to 10 kHz by pystoi).
        extended: extended STOI (Jensen and Taal, 2016).
        keep_same_device: accepted for compatibility (no effect).
        validate_args: check that signals are finite (shapes are always checked).

    Returns:
        A metric whose ``update(state, preds, target)`` takes two ``(..., time)`` tensors of
        one shape and whose value is the mean STOI.

    Example:
        >>> import torch
        >>> from metrix.audio import short_time_objective_intelligibility
        >>> g = torch.Generator().manual_seed(0)
        >>> t = torch.arange(10000.0)
        >>> target = torch.sin(t * 0.05) * torch.sin(t * 0.002) + 0.05 * torch.randn(10000, generator=g)
        >>> preds = target + 0.2 * torch.randn(10000, generator=g)
        >>> short_time_objective_intelligibility(10000)(preds, target)
        tensor(0.1028, dtype=torch.float64)

    Reference: Taal et al., "An algorithm for intelligibility prediction of time-frequency
    weighted noisy speech", IEEE TASLP 2011.
    """
    _backend()
    fs = check_int(fs, "fs", 1)
    extended = check_bool(extended, "extended")
    keep_same_device = check_bool(keep_same_device, "keep_same_device")
    validate_args = check_bool(validate_args, "validate_args")

    def scores(preds: Any, target: Any) -> Tensor:
        p_np, t_np, device = host_signals(preds, target, validate_args)
        stoi = _backend()
        values = [stoi(t_np[i], p_np[i], fs, extended) for i in range(p_np.shape[0])]
        return torch.tensor(values, dtype=F64, device=device)

    name = "short_time_objective_intelligibility"
    return mean_score_metric(name, STOIState, scores, (name, fs, extended, validate_args))
