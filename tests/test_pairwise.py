"""metrix.pairwise: plain functions checked against TorchMetrics' functionals of the same names (and SciPy)."""

from __future__ import annotations

import pytest
import torch
import torchmetrics.functional as tmf
from scipy.spatial.distance import cdist

from metrix import pairwise as mp

# name -> oracle; tests/test_catalogue_coverage.py requires one entry per public function
ORACLES = {
    "pairwise_cosine_similarity": tmf.pairwise_cosine_similarity,
    "pairwise_euclidean_distance": tmf.pairwise_euclidean_distance,
    "pairwise_linear_similarity": tmf.pairwise_linear_similarity,
    "pairwise_manhattan_distance": tmf.pairwise_manhattan_distance,
    "pairwise_minkowski_distance": tmf.pairwise_minkowski_distance,
}
NAMES = sorted(ORACLES)


def _xy(dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return torch.randn(13, 5, generator=g).to(dtype), torch.randn(7, 5, generator=g).to(dtype)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("with_y", [False, True])
@pytest.mark.parametrize("reduction", [None, "none", "mean", "sum"])
@pytest.mark.parametrize("zero_diagonal", [None, True, False])
def test_matches_torchmetrics(name: str, with_y: bool, reduction: str | None, zero_diagonal: bool | None) -> None:
    x, y = _xy()
    args = (x, y) if with_y else (x,)
    got = getattr(mp, name)(*args, reduction=reduction, zero_diagonal=zero_diagonal)
    expected = ORACLES[name](*args, reduction=reduction, zero_diagonal=zero_diagonal)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("exponent", [1, 1.5, 3])
def test_minkowski_exponents_match_torchmetrics_and_scipy(exponent: float) -> None:
    x, y = _xy(torch.float64)
    got = mp.pairwise_minkowski_distance(x, y, exponent=exponent)
    torch.testing.assert_close(got, tmf.pairwise_minkowski_distance(x, y, exponent=exponent))
    np_ref = torch.from_numpy(cdist(x.numpy(), y.numpy(), "minkowski", p=exponent))
    torch.testing.assert_close(got, np_ref)


def test_distances_match_scipy() -> None:
    x, y = _xy(torch.float64)
    for name, metric in (
        ("pairwise_euclidean_distance", "euclidean"),
        ("pairwise_manhattan_distance", "cityblock"),
        ("pairwise_cosine_similarity", "cosine"),
    ):
        ref = torch.from_numpy(cdist(x.numpy(), y.numpy(), metric))
        got = getattr(mp, name)(x, y)
        torch.testing.assert_close(1 - got if metric == "cosine" else got, ref)


def test_integer_inputs() -> None:
    x = torch.tensor([[1, 2], [3, 4], [0, 5]])
    for name in ("pairwise_linear_similarity", "pairwise_manhattan_distance", "pairwise_euclidean_distance"):
        torch.testing.assert_close(getattr(mp, name)(x), ORACLES[name](x))


def test_euclidean_never_nan_on_duplicates() -> None:
    # rounding can make a squared distance slightly negative; it is clamped to 0, not NaN
    x = torch.tensor([[0.1, 0.2, 0.3]] * 3) * 1e3
    d = mp.pairwise_euclidean_distance(x, x.clone())
    assert torch.isfinite(d).all() and (d >= 0).all()


@pytest.mark.parametrize("name", NAMES)
def test_bad_inputs(name: str) -> None:
    fn = getattr(mp, name)
    with pytest.raises(ValueError, match="x must be 2-d"):
        fn(torch.zeros(3))
    with pytest.raises(ValueError, match="d=2 columns"):
        fn(torch.zeros(3, 2), torch.zeros(3, 4))
    with pytest.raises(ValueError, match="reduction must be one of"):
        fn(torch.zeros(3, 2), reduction="max")
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        fn([[1.0, 2.0]])


def test_minkowski_exponent_checked() -> None:
    with pytest.raises(ValueError, match="exponent must be a number >= 1"):
        mp.pairwise_minkowski_distance(torch.zeros(3, 2), exponent=0.5)


def test_compile_and_vmap() -> None:
    x, y = _xy()
    torch._dynamo.reset()
    compiled = torch.compile(mp.pairwise_cosine_similarity, backend="eager", fullgraph=True)
    torch.testing.assert_close(compiled(x, y, "mean"), mp.pairwise_cosine_similarity(x, y, "mean"))
    xs, ys = torch.stack([x, 2 * x]), torch.stack([y, -y])
    batched = torch.func.vmap(mp.pairwise_euclidean_distance)(xs, ys)
    for e in range(2):
        torch.testing.assert_close(batched[e], mp.pairwise_euclidean_distance(xs[e], ys[e]))
