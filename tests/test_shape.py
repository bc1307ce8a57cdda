"""metrix.shape beyond the catalogue: SciPy's procrustes, return_all against TorchMetrics, errors."""

from __future__ import annotations

import pytest
import torch
import torchmetrics.functional.shape as tms
from scipy.spatial import procrustes as scipy_procrustes

import metrix
from metrix.shape import procrustes_disparity


def _clouds(n: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    a = torch.randn(n, 8, 3, generator=g, dtype=torch.float64)
    b = a @ torch.linalg.qr(torch.randn(3, 3, generator=g, dtype=torch.float64)).Q * 3 + 0.3 * torch.randn(
        n, 8, 3, generator=g, dtype=torch.float64
    )
    return a, b


def test_matches_scipy() -> None:
    a, b = _clouds()
    got = procrustes_disparity()(a, b)
    expected = torch.tensor([scipy_procrustes(a[i].numpy(), b[i].numpy())[2] for i in range(a.shape[0])])
    torch.testing.assert_close(got, expected.to(torch.float64), rtol=1e-9, atol=1e-12)


def test_return_all_matches_torchmetrics_across_batches() -> None:
    a, b = _clouds(6)
    m = procrustes_disparity(return_all=True)
    s = m.update(m.update(m.init(), a[:2], b[:2]), a[2:], b[2:])
    s_other = m.update(m.init(), a[2:], b[2:])
    disparity, scale, rotation = m.compute(s)
    ref = tms.procrustes_disparity(a, b, return_all=True)
    for got, expected in zip((disparity, scale, rotation), ref):
        torch.testing.assert_close(got, expected.to(torch.float64), rtol=1e-7, atol=1e-9)
    merged = m.compute(metrix.merge(m.update(m.init(), a[:2], b[:2]), s_other))
    for got, expected in zip(merged, (disparity, scale, rotation)):
        torch.testing.assert_close(got, expected)


def test_errors() -> None:
    with pytest.raises(ValueError, match="reduction must be one of"):
        procrustes_disparity(reduction="max")
    with pytest.raises(ValueError, match="needs reduction=None"):
        procrustes_disparity(True, reduction="mean")
    with pytest.raises(TypeError, match="point_cloud2 must be a torch.Tensor"):
        procrustes_disparity()(torch.zeros(1, 3, 2), [[0.0]])
