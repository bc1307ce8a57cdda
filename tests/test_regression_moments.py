"""Edge cases and oracle cross-checks for the moment- and rank-based regression metrics.

The catalogue (``tests/catalogue/regression_moments.py``) checks every law against the
TorchMetrics functional; here: exactness far from zero (where TorchMetrics' float32
streaming state loses every digit), SciPy / scikit-learn cross-checks, and edge cases.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
import sklearn.metrics
import torch
import torchmetrics.regression as tmr

import metrix
from metrix import regression as mr


def _stream(metric: metrix.Metric, preds: torch.Tensor, target: torch.Tensor, batches: int) -> object:
    s = metric.init()
    for p, t in zip(preds.chunk(batches), target.chunk(batches)):
        s = metric.update(s, p, t)
    return metric.compute(s)


def _shards(metric: metrix.Metric, preds: torch.Tensor, target: torch.Tensor, shards: int) -> object:
    states = [metric.update(metric.init(), p, t) for p, t in zip(preds.chunk(shards), target.chunk(shards))]
    return metric.compute(metrix.merge(*states))


# ----------------------------------------------------------------------------- exactness


def _offset_data(offset: float, dtype: torch.dtype, n: int = 100_000) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    target = offset + torch.randn(n, generator=g, dtype=torch.float64)
    preds = target + 0.632 * torch.randn(n, generator=g, dtype=torch.float64)  # true R² ≈ 0.60
    return preds.to(dtype), target.to(dtype)


def _numpy_reference(preds: torch.Tensor, target: torch.Tensor) -> dict[str, float]:
    x, y = preds.double().numpy(), target.double().numpy()
    xc, yc = x - x.mean(), y - y.mean()
    vx, vy, cov = (xc * xc).sum(), (yc * yc).sum(), (xc * yc).sum()
    n = len(x)
    r = cov / np.sqrt(vx * vy)
    ccc = (
        2
        * r
        * np.sqrt(vx / (n - 1))
        * np.sqrt(vy / (n - 1))
        / (vx / (n - 1) + vy / (n - 1) + (x.mean() - y.mean()) ** 2)
    )
    d = y - x
    return {
        "pearson": r,
        "concordance": ccc,
        "r2": 1 - (d * d).sum() / vy,
        "explained_variance": 1 - ((d - d.mean()) ** 2).sum() / vy,
    }


_METRICS = {
    "pearson": mr.pearson_corrcoef,
    "concordance": mr.concordance_corrcoef,
    "r2": mr.r2_score,
    "explained_variance": mr.explained_variance,
}


def test_exact_far_from_zero_float32() -> None:
    """The acceptance test: float32 data around 1e4 with unit noise, 100k samples in 50 batches."""
    preds, target = _offset_data(1e4, torch.float32)
    expected = _numpy_reference(preds, target)
    tm_r2, tm_ev = tmr.R2Score(), tmr.ExplainedVariance()
    for p, t in zip(preds.chunk(50), target.chunk(50)):
        tm_r2.update(p, t)
        tm_ev.update(p, t)
    tm_values = {"r2": float(tm_r2.compute()), "explained_variance": float(tm_ev.compute())}
    for name, factory in _METRICS.items():
        got = float(_stream(factory(), preds, target, 50))
        merged = float(_shards(factory(), preds, target, 7))
        print(
            f"{name}: metrix {got:.6f} (merged shards {merged:.6f}), float64 NumPy {expected[name]:.6f}"
            + (f", TorchMetrics {tm_values[name]:.6f}" if name in tm_values else "")
        )
        assert abs(got - expected[name]) < 1e-3
        assert abs(merged - expected[name]) < 1e-3
        # in fact exact to float64 precision, not just to 1e-3
        assert abs(got - expected[name]) < 1e-9
    # TorchMetrics' float32 streaming state is far off here (R² above 1, EV of 0).
    assert abs(tm_values["r2"] - expected["r2"]) > 0.1
    assert abs(tm_values["explained_variance"] - expected["explained_variance"]) > 0.1


def test_exact_far_from_zero_float64() -> None:
    # offset 1e8 with unit noise: a condition number of 1e16, where raw float64 sums
    # of x and x² have no correct digit left.
    preds, target = _offset_data(1e8, torch.float64, n=20_000)
    expected = _numpy_reference(preds, target)
    for name, factory in _METRICS.items():
        assert abs(float(_stream(factory(), preds, target, 13)) - expected[name]) < 1e-6, name
        assert abs(float(_shards(factory(), preds, target, 5)) - expected[name]) < 1e-6, name


def test_merge_of_shards_with_different_offsets() -> None:
    g = torch.Generator().manual_seed(3)
    parts = [(o + torch.randn(500, generator=g, dtype=torch.float64)) for o in (-1e6, 0.0, 3e6)]
    target = torch.cat(parts)
    preds = target + torch.randn(1500, generator=g, dtype=torch.float64)
    m = mr.pearson_corrcoef()
    states = [m.update(m.init(), preds[i * 500 : (i + 1) * 500], target[i * 500 : (i + 1) * 500]) for i in range(3)]
    expected = scipy.stats.pearsonr(preds.numpy(), target.numpy()).statistic
    assert float(m.compute(metrix.merge(*states))) == pytest.approx(expected, abs=1e-12)


# ----------------------------------------------------------------------------- SciPy / scikit-learn


def _data(n: int = 200, d: int | None = None, ties: bool = False, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    shape = (n,) if d is None else (n, d)
    if ties:
        target = torch.randint(0, 6, shape, generator=g).double()
        return target + torch.randint(-2, 3, shape, generator=g).double(), target
    target = torch.randn(shape, generator=g, dtype=torch.float64) * 3 + 1
    return target + torch.randn(shape, generator=g, dtype=torch.float64) * 2, target


def test_pearson_spearman_scipy() -> None:
    for ties in (False, True):
        preds, target = _data(ties=ties)
        p, t = preds.numpy(), target.numpy()
        assert float(_stream(mr.pearson_corrcoef(), preds, target, 3)) == pytest.approx(
            scipy.stats.pearsonr(p, t).statistic, abs=1e-12
        )
        # TorchMetrics adds 1e-6 to Spearman's denominator
        assert float(_stream(mr.spearman_corrcoef(), preds, target, 3)) == pytest.approx(
            scipy.stats.spearmanr(p, t).statistic, abs=1e-6
        )
    preds, target = _data(d=3, ties=True)
    got = _stream(mr.spearman_corrcoef(num_outputs=3, capacity=256), preds, target, 4)
    expected = [scipy.stats.spearmanr(preds[:, i], target[:, i]).statistic for i in range(3)]
    np.testing.assert_allclose(got.numpy(), expected, atol=1e-6)


@pytest.mark.parametrize("variant", ["b", "c"])
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
@pytest.mark.parametrize("ties", [False, True])
def test_kendall_scipy(variant: str, alternative: str, ties: bool) -> None:
    preds, target = _data(n=120, ties=ties, seed=1)
    metric = mr.kendall_rank_corrcoef(variant=variant, t_test=True, alternative=alternative)
    tau, p_value = _stream(metric, preds, target, 5)
    ref = scipy.stats.kendalltau(
        preds.numpy(), target.numpy(), variant=variant, alternative=alternative, method="asymptotic"
    )
    assert float(tau) == pytest.approx(ref.statistic, abs=1e-12)
    assert float(p_value) == pytest.approx(ref.pvalue, abs=1e-10)


def test_kendall_a_formula_and_capacity() -> None:
    preds, target = _data(n=80, ties=True, seed=2)
    x, y = preds.numpy(), target.numpy()
    s = np.sign(x[:, None] - x[None, :]) * np.sign(y[:, None] - y[None, :])
    expected = s.sum() / np.abs(s).sum()  # TorchMetrics' tau-a: (C - D) / (C + D)
    assert float(_stream(mr.kendall_rank_corrcoef("a"), preds, target, 3)) == pytest.approx(expected, abs=1e-12)
    # a half-empty buffer: padding rows must not change ranks, ties or pair counts
    for variant in "abc":
        eager = _stream(mr.kendall_rank_corrcoef(variant), preds, target, 3)
        fixed = _stream(mr.kendall_rank_corrcoef(variant, capacity=200), preds, target, 3)
        assert float(fixed) == pytest.approx(float(eager), abs=1e-12)


@pytest.mark.parametrize("multioutput", ["raw_values", "uniform_average", "variance_weighted"])
def test_r2_explained_variance_sklearn(multioutput: str) -> None:
    preds, target = _data(d=3, seed=4)
    n, k = preds.shape[0], 4
    r2 = sklearn.metrics.r2_score(target.numpy(), preds.numpy(), multioutput=multioutput)
    ev = sklearn.metrics.explained_variance_score(target.numpy(), preds.numpy(), multioutput=multioutput)
    got_r2 = _stream(mr.r2_score(multioutput=multioutput, num_outputs=3), preds, target, 4)
    got_ev = _stream(mr.explained_variance(multioutput=multioutput, num_outputs=3), preds, target, 4)
    np.testing.assert_allclose(got_r2.numpy(), r2, atol=1e-12)
    np.testing.assert_allclose(got_ev.numpy(), ev, atol=1e-12)
    adjusted = _stream(mr.r2_score(k, multioutput, num_outputs=3), preds, target, 4)
    np.testing.assert_allclose(adjusted.numpy(), 1 - (1 - np.asarray(r2)) * (n - 1) / (n - k - 1), atol=1e-12)


# ----------------------------------------------------------------------------- edge cases


def test_constant_inputs() -> None:
    x = torch.full((10,), 1e4 + 0.1, dtype=torch.float64)
    y = torch.arange(10.0, dtype=torch.float64)
    with pytest.warns(metrix.MetrixWarning, match="^pearson_corrcoef: .*constant"):
        assert torch.isnan(mr.pearson_corrcoef()(x, y))
    with pytest.warns(metrix.MetrixWarning, match="^concordance_corrcoef: .*constant"):
        assert torch.isnan(mr.concordance_corrcoef()(y, x))
    with pytest.warns(metrix.MetrixWarning, match="^spearman_corrcoef: .*constant"):
        assert float(mr.spearman_corrcoef()(x, y)) == 0.0  # TorchMetrics' 1e-6 in the denominator
    # constant residuals: explained variance 1; constant target with residuals: 0
    assert float(mr.explained_variance()(y + 3, y)) == 1.0
    with pytest.warns(metrix.MetrixWarning, match="^explained_variance: target is constant"):
        assert float(mr.explained_variance()(y, x)) == 0.0
    with pytest.warns(metrix.MetrixWarning, match="^r2_score: target is constant"):
        assert float(mr.r2_score()(y, x)) == 0.0
    assert float(mr.r2_score()(y, y)) == 1.0


def test_r2_needs_two_samples_and_adjusted_warns() -> None:
    m = mr.r2_score()
    with pytest.raises(ValueError, match="at least two samples"):
        m.compute(m.update(m.init(), torch.tensor([1.0]), torch.tensor([2.0])))
    preds, target = _data(n=5)
    with pytest.warns(metrix.MetrixWarning, match="^r2_score: .*falls back to the plain r2 score"):
        value = mr.r2_score(adjusted=4)(preds, target)
    assert float(value) == pytest.approx(float(mr.r2_score()(preds, target)))


def test_capacity_overflow_is_an_error() -> None:
    m = mr.spearman_corrcoef(capacity=8)
    s = m.update(m.init(), torch.randn(6), torch.randn(6))
    with pytest.raises(ValueError, match="capacity=8"):
        m.update(s, torch.randn(3), torch.randn(3))


@pytest.mark.parametrize(
    ("factory", "kwargs", "error", "match"),
    [
        (mr.pearson_corrcoef, {"num_outputs": 0}, ValueError, "num_outputs"),
        (mr.concordance_corrcoef, {"num_outputs": 1.5}, TypeError, "num_outputs"),
        (mr.r2_score, {"adjusted": -1}, ValueError, "adjusted"),
        (mr.r2_score, {"multioutput": "mean"}, ValueError, "multioutput"),
        (mr.explained_variance, {"multioutput": None}, ValueError, "multioutput"),
        (mr.relative_squared_error, {"squared": "yes"}, TypeError, "squared"),
        (mr.normalized_root_mean_squared_error, {"normalization": "max"}, ValueError, "normalization"),
        (mr.spearman_corrcoef, {"capacity": 0}, ValueError, "capacity"),
        (mr.kendall_rank_corrcoef, {"variant": "d"}, ValueError, "variant"),
        (mr.kendall_rank_corrcoef, {"t_test": 1}, TypeError, "t_test"),
        (mr.kendall_rank_corrcoef, {"t_test": True, "alternative": None}, ValueError, "alternative"),
        (mr.kendall_rank_corrcoef, {"alternative": "both"}, ValueError, "alternative"),
        (mr.pearson_corrcoef, {"validate_args": "no"}, TypeError, "validate_args"),
    ],
)
def test_bad_constructor_arguments(factory, kwargs: dict, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        factory(**kwargs)


def test_collections_share_states() -> None:
    assert mr.r2_score().key == mr.relative_squared_error().key == mr.explained_variance().key
    assert mr.pearson_corrcoef().key == mr.concordance_corrcoef().key
    assert mr.kendall_rank_corrcoef("a").key == mr.kendall_rank_corrcoef("c", t_test=True).key
    assert mr.r2_score().key != mr.r2_score(num_outputs=2).key
    assert mr.normalized_root_mean_squared_error().key != mr.r2_score().key  # flattens any shape
    preds, target = _data()
    values = metrix.collection({"r2": mr.r2_score(), "rse": mr.relative_squared_error()})(preds, target)
    assert float(values["r2"]) == pytest.approx(1 - float(values["rse"]))


def test_nrmse_flattens_with_one_output() -> None:
    preds, target = _data(d=4)
    m = mr.normalized_root_mean_squared_error("std")
    assert float(m(preds, target)) == pytest.approx(float(m(preds.reshape(-1), target.reshape(-1))), abs=1e-12)
