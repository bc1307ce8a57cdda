"""Benchmark rows for metrix.image: SSIM update (eager and compiled) and the FID update."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from _harness import NA, Bench, Row

try:
    from torchmetrics.image import StructuralSimilarityIndexMeasure
    from torchmetrics.image.fid import FrechetInceptionDistance
except ImportError:  # pragma: no cover - the benchmark needs the test extra
    StructuralSimilarityIndexMeasure = FrechetInceptionDistance = None

from metrix import image as mi

DOC_NOTES = """
* **SSIM**: `structural_similarity_index_measure(data_range=1.0)` update on (32, 3, 256, 256)
  float32 batches; TorchMetrics' `StructuralSimilarityIndexMeasure(data_range=1.0).update`
  (one 11x11 grouped conv2d); floor = the same separable Gaussian filtering and SSIM formula
  by hand (no checks, no state). The compiled row runs `torch.compile(update, fullgraph=True)`
  (inductor) against TorchMetrics eager.
* **FID update**: one update of 10k x 2048 float32 features into the float64 sums (`real=True`);
  TorchMetrics' `FrechetInceptionDistance` with an identity feature module; floor = `x.double()`,
  `sum + x.sum(0)`, `gram + x.T @ x`. All three are one float64 matmul: reported, not raced.
"""


def _images(b: Bench, n: int, size: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    out = []
    for _ in range(2):
        target = torch.rand(n, 3, size, size, generator=g)
        preds = (0.8 * target + 0.2 * torch.rand(n, 3, size, size, generator=g)).to(b.device)
        out.append((preds, target.to(b.device)))
    return out


def _floor_ssim(preds: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    n, c, h, w = preds.shape
    coords = torch.arange(11, dtype=preds.dtype, device=preds.device) - 5
    g = torch.exp(-(coords**2) / (2 * 1.5**2))
    g = g / g.sum()
    p = F.pad(preds, (5, 5, 5, 5), mode="reflect")
    t = F.pad(target, (5, 5, 5, 5), mode="reflect")
    x = torch.cat((p, t, p * p, t * t, p * t)).reshape(1, 5 * n * c, h + 10, w + 10)
    x = F.conv2d(x, g.reshape(1, 1, 11, 1).expand(5 * n * c, 1, 11, 1), groups=5 * n * c)
    x = F.conv2d(x, g.reshape(1, 1, 1, 11).expand(5 * n * c, 1, 1, 11), groups=5 * n * c)
    mu_p, mu_t, e_pp, e_tt, e_pt = x.reshape(5, n, c, h, w)
    c1, c2 = 0.01**2, 0.03**2
    num = (2 * mu_p * mu_t + c1) * (2 * (e_pt - mu_p * mu_t) + c2)
    den = (mu_p**2 + mu_t**2 + c1) * ((e_pp - mu_p**2).clamp(min=0) + (e_tt - mu_t**2).clamp(min=0) + c2)
    return (num / den).reshape(n, -1).mean(-1).double().sum()


def row_ssim(b: Bench, steps: int, compiled: bool) -> Row:
    how = "compiled (inductor, fullgraph)" if compiled else "eager"
    row = Row(f"SSIM update (32, 3, 256, 256), {how}", ">= 1.5x vs TM")
    if StructuralSimilarityIndexMeasure is None:
        row.note = NA + " (torchmetrics missing)"
        return row
    data = _images(b, 32, 256)
    metric = mi.structural_similarity_index_measure(data_range=1.0)
    update = torch.compile(metric.update, fullgraph=True) if compiled else metric.update
    floor_fn = torch.compile(_floor_ssim, fullgraph=True) if compiled else _floor_ssim
    update(metric.init(device=b.device), *data[0])  # compile outside the timed region
    floor_fn(*data[0])

    def ours() -> Callable[[], Any]:
        def run() -> None:
            s = metric.init(device=b.device)
            for i in range(steps):
                s = update(s, *data[i % len(data)])
            metric.compute(s)

        return run

    def theirs() -> Callable[[], Any]:
        m = StructuralSimilarityIndexMeasure(data_range=1.0).to(b.device)

        def run() -> None:
            for i in range(steps):
                m.update(*data[i % len(data)])
            m.compute()

        return run

    def floor() -> Callable[[], Any]:
        def run() -> None:
            total = torch.zeros((), dtype=torch.float64, device=b.device)
            for i in range(steps):
                total = total + floor_fn(*data[i % len(data)])

        return run

    t = b.interleaved({"metrix": ours, "tm": theirs, "floor": floor}, steps, reps=3 if b.quick else 5)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    row.met = row.ratio_tm() >= 1.5
    row.unit = "ms/step"
    value = float(metric(*data[0]))
    ref = StructuralSimilarityIndexMeasure(data_range=1.0)(*[x.cpu() for x in data[0]])
    row.note = f"values agree: |metrix - TM| = {abs(value - float(ref)):.1e}"
    return row


class _Identity(torch.nn.Module):
    def __init__(self, d: int) -> None:
        super().__init__()
        self.num_features = d

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


def row_fid(b: Bench, n: int) -> Row:
    d = 2048
    row = Row(f"FID update, {n} x {d} features", "within 1.2x floor (reported)")
    if FrechetInceptionDistance is None:
        row.note = NA + " (torchmetrics missing)"
        return row
    feats = torch.randn(n, d, generator=torch.Generator().manual_seed(1)).to(b.device)
    metric = mi.frechet_inception_distance(num_features=d)

    def ours() -> Callable[[], Any]:
        s = metric.init(device=b.device)

        def run() -> None:
            metric.update(s, feats, real=True)

        return run

    def theirs() -> Callable[[], Any]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = FrechetInceptionDistance(feature=_Identity(d)).to(b.device)

        def run() -> None:
            m.update(feats, real=True)

        return run

    def floor() -> Callable[[], Any]:
        total = torch.zeros(d, dtype=torch.float64, device=b.device)
        gram = torch.zeros(d, d, dtype=torch.float64, device=b.device)

        def run() -> None:
            x = feats.double()
            total + x.sum(0)
            gram + x.T @ x

        return run

    t = b.interleaved({"metrix": ours, "tm": theirs, "floor": floor}, 1, reps=3)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    row.unit = "ms/step"
    row.met = row.ratio_floor() <= 1.2
    row.note = "one float64 Gram matmul in all three"
    return row


def plan(b: Bench) -> list[tuple[str, Callable[[], Row]]]:
    q = b.quick
    return [
        ("ssim", lambda: row_ssim(b, 1 if q else 3, compiled=False)),
        ("ssim-compiled", lambda: row_ssim(b, 1 if q else 3, compiled=True)),
        ("fid", lambda: row_fid(b, 2000 if q else 10_000)),
    ]
