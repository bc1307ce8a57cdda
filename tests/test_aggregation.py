"""Aggregation edge cases and TorchMetrics' running windows."""

from __future__ import annotations

import pytest
import torch
import torchmetrics

import metrix
from metrix import aggregation as agg


@pytest.mark.parametrize("window", [1, 3, 5])
def test_running_mean_matches_torchmetrics(window: int) -> None:
    g = torch.Generator().manual_seed(0)
    ours = metrix.MetricModule(agg.running_mean(window=window))
    theirs = torchmetrics.aggregation.RunningMean(window=window)
    for step in range(8):
        x = torch.randn(int(torch.randint(1, 6, (1,), generator=g)), generator=g)
        ours.update(x)
        theirs.update(x)
        assert float(ours.compute()) == pytest.approx(float(theirs.compute()), rel=1e-5), step


def test_running_sum_matches_torchmetrics() -> None:
    ours = metrix.MetricModule(agg.running_sum(window=3))
    theirs = torchmetrics.aggregation.RunningSum(window=3)
    for v in [1.0, 2.0, 3.0, 4.0, 5.0]:
        ours.update(torch.tensor([v, v]))
        theirs.update(torch.tensor([v, v]))
        assert float(ours.compute()) == pytest.approx(float(theirs.compute()))


def test_max_min_of_no_data_are_identities() -> None:
    assert agg.max().compute(agg.max().init()) == -torch.inf
    assert agg.min().compute(agg.min().init()) == torch.inf


def test_nan_strategies() -> None:
    x = torch.tensor([1.0, float("nan"), 3.0])
    with pytest.warns(metrix.MetrixWarning, match=r"^mean: value contains NaN: dropped"):
        assert float(agg.mean()(x)) == 2.0
    assert float(agg.mean(nan_strategy="ignore")(x)) == 2.0
    assert torch.isnan(agg.mean(nan_strategy="disable")(x))
    assert float(agg.sum(nan_strategy=0.5)(x)) == 4.5
    with pytest.raises(ValueError, match="NaN"):
        agg.sum(nan_strategy="error")(x)


def test_weighted_mean_with_nan_weight_drops_the_pair() -> None:
    v = torch.tensor([1.0, 2.0, 10.0])
    w = torch.tensor([1.0, 1.0, float("nan")])
    assert float(agg.mean(nan_strategy="ignore")(v, w)) == 1.5


@pytest.mark.parametrize(
    ("bad", "error"), [("median", ValueError), (None, TypeError), (True, TypeError), ([1.0], TypeError)]
)
def test_bad_nan_strategy(bad, error: type[Exception]) -> None:
    with pytest.raises(error, match="nan_strategy must be one of"):
        agg.mean(nan_strategy=bad)


@pytest.mark.parametrize(("window", "error"), [(0, ValueError), (-1, ValueError), (2.5, TypeError), (True, TypeError)])
def test_bad_window(window, error: type[Exception]) -> None:
    with pytest.raises(error, match="window must be a positive int"):
        agg.running_mean(window=window)


def test_scalars_and_python_numbers() -> None:
    m = agg.mean()
    s = m.update(m.init(), 2.0)
    s = m.update(s, torch.tensor(4.0), 3.0)
    assert float(m.compute(s)) == pytest.approx((2 + 12) / 4)


def test_running_rejects_cat_base() -> None:
    with pytest.raises(ValueError, match="only sum/max/min"):
        metrix.wrappers.running(agg.cat(), window=3)


def test_float64_accumulation_does_not_drift() -> None:
    # float32 running sums lose the small values next to a large one; ours stay exact
    m = agg.sum()
    s = m.update(m.init(), torch.tensor([1e8], dtype=torch.float64))
    for _ in range(1000):
        s = m.update(s, torch.tensor([0.25]))
    assert float(m.compute(s)) == 1e8 + 250.0
