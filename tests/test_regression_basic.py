"""Edge cases of the basic regression metrics, and scikit-learn cross-checks.

The catalogue (tests/catalogue/regression_basic.py) checks every law against the
TorchMetrics functional; here: scikit-learn where it has the metric, constructor
errors, accumulation semantics against TorchMetrics' modules, precision and sharing.
"""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics as skm
import torch
import torchmetrics.functional.regression as tmr
import torchmetrics.regression

import metrix
from metrix import regression as mr
from tests.catalogue._case import assert_close, gen


def _batches(metric: metrix.Metric, *inputs: torch.Tensor, sizes: tuple[int, ...] = (7, 0, 20, 37)) -> torch.Tensor:
    state, start = metric.init(), 0
    for size in sizes:
        state = metric.update(state, *(x[start : start + size] for x in inputs))
        start += size
    return metric.compute(state)


# ----------------------------------------------------------------------------- scikit-learn


@pytest.mark.parametrize("num_outputs", [1, 3])
@pytest.mark.parametrize("squared", [True, False])
def test_mse_matches_sklearn(num_outputs: int, squared: bool) -> None:
    g = gen(0)
    p, t = torch.randn(64, num_outputs, generator=g), torch.randn(64, num_outputs, generator=g)
    if num_outputs == 1:
        p, t = p[:, 0], t[:, 0]
    sk = skm.mean_squared_error if squared else skm.root_mean_squared_error
    expected = sk(t.numpy(), p.numpy(), multioutput="raw_values" if num_outputs > 1 else "uniform_average")
    got = _batches(mr.mean_squared_error(squared=squared, num_outputs=num_outputs), p, t)
    assert_close(got, expected, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("num_outputs", [1, 3])
def test_mae_matches_sklearn(num_outputs: int) -> None:
    g = gen(1)
    p, t = torch.randn(64, num_outputs, generator=g), torch.randn(64, num_outputs, generator=g)
    if num_outputs == 1:
        p, t = p[:, 0], t[:, 0]
    expected = skm.mean_absolute_error(
        t.numpy(), p.numpy(), multioutput="raw_values" if num_outputs > 1 else "uniform_average"
    )
    assert_close(_batches(mr.mean_absolute_error(num_outputs=num_outputs), p, t), expected, atol=1e-6, rtol=1e-5)


def test_mape_matches_sklearn() -> None:
    # targets away from 0: scikit-learn clamps |target| at machine epsilon, TorchMetrics at 1.17e-6
    g = gen(2)
    p, t = torch.randn(64, generator=g), torch.rand(64, generator=g) + 0.5
    expected = skm.mean_absolute_percentage_error(t.numpy(), p.numpy())
    assert_close(_batches(mr.mean_absolute_percentage_error(), p, t), expected, atol=1e-6, rtol=1e-5)


def test_msle_matches_sklearn() -> None:
    g = gen(3)
    p, t = torch.rand(64, generator=g) * 5 - 0.5, torch.rand(64, generator=g) * 5 - 0.5
    expected = skm.mean_squared_log_error(t.numpy(), p.numpy())
    assert_close(_batches(mr.mean_squared_log_error(), p, t), expected, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("power", [-1.0, 0.0, 1.0, 1.5, 2.0, 3.0])
def test_tweedie_matches_sklearn(power: float) -> None:
    g = gen(4)
    p = torch.rand(64, generator=g, dtype=torch.float64) * 3 + 0.1
    t = torch.rand(64, generator=g, dtype=torch.float64) * 3 + (0.1 if power >= 2 else 0.0)
    expected = skm.mean_tweedie_deviance(t.numpy(), p.numpy(), power=power)
    got = _batches(mr.tweedie_deviance_score(power=power), p, t)
    assert_close(got, expected, atol=1e-10, rtol=1e-9)


# ----------------------------------------------------------------------------- constructor errors


@pytest.mark.parametrize(
    ("factory", "kwargs", "error", "match"),
    [
        (mr.mean_squared_error, {"num_outputs": 0}, ValueError, "num_outputs must be an int >= 1, got 0"),
        (mr.mean_squared_error, {"num_outputs": 2.0}, TypeError, "num_outputs must be an int >= 1"),
        (mr.mean_squared_error, {"num_outputs": True}, TypeError, "num_outputs must be an int >= 1"),
        (mr.mean_squared_error, {"squared": 1}, TypeError, "squared must be a bool"),
        (mr.mean_absolute_error, {"num_outputs": -1}, ValueError, "num_outputs must be an int >= 1"),
        (mr.log_cosh_error, {"num_outputs": 0}, ValueError, "num_outputs must be an int >= 1"),
        (mr.minkowski_distance, {"p": 0.5}, ValueError, "p must be a finite float or int >= 1, got 0.5"),
        (mr.minkowski_distance, {"p": float("inf")}, ValueError, "p must be a finite"),
        (mr.minkowski_distance, {"p": True}, TypeError, "p must be a finite"),
        (mr.minkowski_distance, {"p": "2"}, TypeError, "p must be a finite"),
        (mr.tweedie_deviance_score, {"power": 0.5}, ValueError, r"power must be a finite number <= 0 or >= 1.*got 0.5"),
        (mr.tweedie_deviance_score, {"power": float("nan")}, ValueError, "power must be"),
        (mr.cosine_similarity, {"reduction": "max"}, ValueError, "reduction must be one of"),
        (mr.kl_divergence, {"reduction": "avg"}, ValueError, "reduction must be one of"),
        (mr.kl_divergence, {"log_prob": 1}, TypeError, "log_prob must be a bool"),
        (mr.jensen_shannon_divergence, {"reduction": "mean", "log_prob": "yes"}, TypeError, "log_prob must be a bool"),
        (
            mr.critical_success_index,
            {"threshold": 0.5, "keep_sequence_dim": -1},
            ValueError,
            "keep_sequence_dim must be",
        ),
        (mr.critical_success_index, {"threshold": "0.5"}, TypeError, "threshold must be a number"),
        (mr.mean_absolute_percentage_error, {"validate_args": None}, TypeError, "validate_args must be a bool"),
    ],
)
def test_bad_constructor_args(factory, kwargs: dict, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        factory(**kwargs)


# ----------------------------------------------------------------------------- accumulation semantics


@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_cosine_accumulates_like_torchmetrics_module(reduction: str) -> None:
    g = gen(5)
    p, t = torch.randn(64, 5, generator=g), torch.randn(64, 5, generator=g)
    tm = torchmetrics.regression.CosineSimilarity(reduction=reduction)
    for a, b in [(0, 7), (7, 27), (27, 64)]:
        tm.update(p[a:b], t[a:b])
    assert_close(_batches(mr.cosine_similarity(reduction), p, t), tm.compute(), atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("reduction", ["sum", "mean", None])
@pytest.mark.parametrize("log_prob", [False, True])
def test_divergences_accumulate_like_torchmetrics_modules(reduction: str | None, log_prob: bool) -> None:
    g = gen(6)
    p, q = torch.rand(64, 4, generator=g) + 0.01, torch.rand(64, 4, generator=g) + 0.01
    if log_prob:
        p, q = p.log_softmax(-1), q.log_softmax(-1)
    for ours, theirs in [
        (mr.kl_divergence, torchmetrics.regression.KLDivergence),
        (mr.jensen_shannon_divergence, torchmetrics.regression.JensenShannonDivergence),
    ]:
        tm = theirs(log_prob=log_prob, reduction=reduction)
        for a, b in [(0, 30), (30, 64)]:
            tm.update(p[a:b], q[a:b])
        got = _batches(ours(log_prob=log_prob, reduction=reduction), p, q)
        assert_close(got, tm.compute(), atol=1e-6, rtol=1e-4)


def test_csi_keep_sequence_dim_positive_accumulates_per_position() -> None:
    # TorchMetrics' module concatenates per-batch, per-position scores; metrix sums the
    # counts over batches, which equals the functional on all the data at once.
    g = gen(7)
    p, t = torch.rand(64, 5, 3, generator=g), torch.rand(64, 5, 3, generator=g)
    got = _batches(mr.critical_success_index(0.5, keep_sequence_dim=1), p, t)
    assert got.shape == (5,)
    assert_close(got, tmr.critical_success_index(p, t, 0.5, keep_sequence_dim=1))


def test_csi_no_events_is_zero() -> None:
    z = torch.zeros(4, 3)
    assert float(mr.critical_success_index(0.5)(z, z)) == 0.0


def test_crps_matches_pairwise_formula_for_many_members() -> None:
    g = gen(8)
    p, t = torch.randn(32, 50, generator=g, dtype=torch.float64), torch.randn(32, generator=g, dtype=torch.float64)
    expected = tmr.continuous_ranked_probability_score(p, t)
    assert_close(mr.continuous_ranked_probability_score()(p, t), expected, atol=1e-12, rtol=1e-10)


# ----------------------------------------------------------------------------- precision and edge values


def test_accumulators_and_total_weights_are_float64() -> None:
    # the total weight is the count without sample_weight: float64 holds counts exactly up to 2**53
    for m in [mr.mean_squared_error(), mr.mean_absolute_error(num_outputs=2), mr.tweedie_deviance_score(power=1)]:
        s = m.init()
        assert s.total.dtype == torch.float64
        assert s.weight.dtype == torch.float64
    assert mr.critical_success_index(0.5).init().counts.dtype == torch.float64


def test_many_float32_batches_do_not_drift() -> None:
    m = mr.mean_absolute_error()
    s = m.init()
    x = torch.full((1000,), 0.1, dtype=torch.float32)
    zero = torch.zeros(1000)
    for _ in range(200):
        s = m.update(s, x, zero)
    assert_close(m.compute(s), float(torch.tensor(0.1, dtype=torch.float32)), atol=1e-12, rtol=1e-12)


def test_empty_state_is_nan_like_torchmetrics() -> None:
    m = mr.mean_squared_error()
    assert torch.isnan(m.compute(m.init()))


def test_log_cosh_is_stable_for_large_errors() -> None:
    p, t = torch.tensor([1000.0, -2000.0]), torch.zeros(2)
    got = mr.log_cosh_error()(p, t)
    assert_close(got, (1000.0 + 2000.0) / 2 - np.log(2.0), atol=1e-9, rtol=1e-12)


def test_cosine_of_zero_row_is_nan_like_torchmetrics() -> None:
    p, t = torch.zeros(1, 3), torch.ones(1, 3)
    assert torch.isnan(mr.cosine_similarity("none")(p, t)).all()
    assert torch.isnan(tmr.cosine_similarity(p, t, reduction="none")).all()


def test_validate_args_false_skips_value_checks() -> None:
    p = torch.tensor([1.0, float("nan")])
    assert torch.isnan(mr.mean_squared_error(validate_args=False)(p, torch.ones(2)))
    assert torch.isnan(mr.mean_squared_log_error(validate_args=False)(torch.tensor([-2.0]), torch.ones(1)))
    with pytest.raises(ValueError, match="NaN"):
        mr.mean_squared_error()(p, torch.ones(2))


def test_msle_accepts_values_between_minus_one_and_zero() -> None:
    p, t = torch.tensor([-0.5, 0.2]), torch.tensor([0.1, -0.9])
    assert_close(mr.mean_squared_log_error()(p, t), tmr.mean_squared_log_error(p, t))


# ----------------------------------------------------------------------------- states, keys, adapters


def test_state_of_another_regression_metric_is_refused() -> None:
    with pytest.raises(TypeError, match="state must be"):
        mr.mean_absolute_error().update(mr.mean_squared_error().init(), torch.ones(2), torch.ones(2))


def test_shared_states_share_keys() -> None:
    assert mr.mean_squared_error().key == mr.mean_squared_error(squared=False).key
    assert mr.mean_squared_error().key != mr.mean_squared_error(num_outputs=2).key
    assert mr.cosine_similarity("sum").key == mr.cosine_similarity("mean").key
    assert mr.cosine_similarity("sum").key != mr.cosine_similarity("none").key
    assert mr.kl_divergence(reduction="sum").key == mr.kl_divergence(reduction="mean").key
    assert mr.kl_divergence().key != mr.kl_divergence(log_prob=True).key


def test_collection_of_mse_and_rmse() -> None:
    c = metrix.collection({"mse": mr.mean_squared_error(), "rmse": mr.mean_squared_error(squared=False)})
    s = c.init()
    assert len(s) == 1, "MSE and RMSE should share one state"
    s = c.update(s, torch.tensor([0.0, 2.0]), torch.tensor([0.0, 0.0]))
    out = c.compute(s)
    assert_close(out["mse"], 2.0)
    assert_close(out["rmse"], 2.0**0.5)


def test_metric_module_adapter() -> None:
    mod = metrix.MetricModule(mr.mean_absolute_error())
    batch_value = mod(torch.tensor([1.0, 3.0]), torch.zeros(2))
    mod.update(torch.tensor([5.0]), torch.zeros(1))
    assert_close(batch_value, 2.0)
    assert_close(mod.compute(), 3.0)
