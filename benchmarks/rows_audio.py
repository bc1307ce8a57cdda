"""Benchmark rows for metrix.audio: the SI-SDR update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from _harness import NA, Bench, Row

try:
    from torchmetrics.audio import ScaleInvariantSignalDistortionRatio
except ImportError:  # pragma: no cover - the benchmark needs the test extra
    ScaleInvariantSignalDistortionRatio = None

from metrix import audio as ma

DOC_NOTES = """
* **SI-SDR**: `scale_invariant_signal_distortion_ratio()` update on (64, 16000) float32 signals;
  TorchMetrics' `ScaleInvariantSignalDistortionRatio().update`; floor = the SI-SDR formula by
  hand, summed into a float64 total (no checks, no state object).
"""


def _floor_si_sdr(preds: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    eps = torch.finfo(preds.dtype).eps
    alpha = ((preds * target).sum(-1, keepdim=True) + eps) / ((target * target).sum(-1, keepdim=True) + eps)
    scaled = alpha * target
    noise = scaled - preds
    return (10 * torch.log10(((scaled * scaled).sum(-1) + eps) / ((noise * noise).sum(-1) + eps))).double().sum()


def row_si_sdr(b: Bench, steps: int) -> Row:
    row = Row("SI-SDR update (64, 16000)", "within 1.2x floor")
    if ScaleInvariantSignalDistortionRatio is None:
        row.note = NA + " (torchmetrics missing)"
        return row
    g = torch.Generator().manual_seed(0)
    data = []
    for _ in range(4):
        target = torch.randn(64, 16000, generator=g)
        data.append(((target + 0.5 * torch.randn(64, 16000, generator=g)).to(b.device), target.to(b.device)))
    metric = ma.scale_invariant_signal_distortion_ratio()

    def ours() -> Callable[[], Any]:
        def run() -> None:
            s = metric.init(device=b.device)
            for i in range(steps):
                s = metric.update(s, *data[i % len(data)])
            metric.compute(s)

        return run

    def theirs() -> Callable[[], Any]:
        m = ScaleInvariantSignalDistortionRatio().to(b.device)

        def run() -> None:
            for i in range(steps):
                m.update(*data[i % len(data)])
            m.compute()

        return run

    def floor() -> Callable[[], Any]:
        def run() -> None:
            total = torch.zeros((), dtype=torch.float64, device=b.device)
            for i in range(steps):
                total = total + _floor_si_sdr(*data[i % len(data)])

        return run

    t = b.interleaved({"metrix": ours, "tm": theirs, "floor": floor}, steps)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    row.met = row.ratio_floor() <= 1.2
    row.note = "metrix includes its NaN/inf check (validate_args=True)"
    return row


def plan(b: Bench) -> list[tuple[str, Callable[[], Row]]]:
    return [("si-sdr", lambda: row_si_sdr(b, 5 if b.quick else 20))]
