"""Catalogue entries for metrix.aggregation (references: NumPy / plain torch in float64)."""

from __future__ import annotations

import numpy as np
import torch

from metrix import aggregation as agg
from tests.catalogue._case import BadInput, Case


def _values(g: torch.Generator, n: int) -> tuple[torch.Tensor]:
    return (torch.randn(n, generator=g, dtype=torch.float64) * 3,)


def _values_weights(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, generator=g) * 3, torch.rand(n, generator=g) + 0.1


def _with_nans(g: torch.Generator, n: int) -> tuple[torch.Tensor]:
    x = torch.randn(n, generator=g, dtype=torch.float64)
    mask = torch.rand(n, generator=g) < 0.2
    return (torch.where(mask, torch.nan, x),)


def _np(x: torch.Tensor) -> np.ndarray:
    return x.double().numpy()


_NAN_BAD = BadInput(lambda g: (torch.tensor([1.0, float("nan")]),), ValueError, "NaN", traced=True)
_TYPE_BAD = BadInput(lambda g: ([1.0, 2.0],), TypeError, "value must be a tensor")


def _tm_cat(v: torch.Tensor) -> torch.Tensor:
    # TorchMetrics' CatMetric concatenates n-d values along dim 0
    from torchmetrics.aggregation import CatMetric

    m = CatMetric()
    m.update(v)
    return m.compute().double() if len(v) else v.double()


CASES = [
    Case(
        "mean",
        agg.mean,
        {},
        _values,
        lambda v: np.mean(_np(v)) if len(v) else float("nan"),
        bad_inputs=[_TYPE_BAD],
        weighted=True,
    ),
    Case(
        "mean-weighted",
        agg.mean,
        {},
        _values_weights,
        lambda v, w: np.average(_np(v), weights=_np(w)),
        bad_inputs=[BadInput(lambda g: (torch.ones(3), torch.ones(2)), ValueError, "does not broadcast")],
        weighted=True,
    ),
    Case(
        "mean-nan-error",
        agg.mean,
        {"nan_strategy": "error"},
        _values,
        lambda v: np.mean(_np(v)),
        bad_inputs=[_NAN_BAD],
        weighted=True,
    ),
    Case(
        "mean-nan-ignore", agg.mean, {"nan_strategy": "ignore"}, _with_nans, lambda v: np.nanmean(_np(v)), weighted=True
    ),
    Case(
        "mean-nan-replace",
        agg.mean,
        {"nan_strategy": 2.0},
        _with_nans,
        lambda v: np.mean(np.nan_to_num(_np(v), nan=2.0)),
        weighted=True,
    ),
    Case("sum", agg.sum, {}, _values, lambda v: np.sum(_np(v)), bad_inputs=[_TYPE_BAD], weighted=True),
    Case("sum-nan-ignore", agg.sum, {"nan_strategy": "ignore"}, _with_nans, lambda v: np.nansum(_np(v)), weighted=True),
    Case(
        "sum-nan-error",
        agg.sum,
        {"nan_strategy": "error"},
        _values,
        lambda v: np.sum(_np(v)),
        bad_inputs=[_NAN_BAD],
        weighted=True,
    ),
    Case("max", agg.max, {}, _values, lambda v: np.max(_np(v)) if len(v) else -np.inf, weighted=True),
    Case("max-nan-ignore", agg.max, {"nan_strategy": "ignore"}, _with_nans, lambda v: np.nanmax(_np(v)), weighted=True),
    Case("min", agg.min, {}, _values, lambda v: np.min(_np(v)) if len(v) else np.inf, weighted=True),
    Case(
        "min-nan-replace",
        agg.min,
        {"nan_strategy": -9.0},
        _with_nans,
        lambda v: np.min(np.nan_to_num(_np(v), nan=-9.0)),
        weighted=True,
    ),
    Case(
        "cat",
        agg.cat,
        {},
        _values,
        lambda v: v.double(),
        fixed_state=False,
        ordered=True,
        bad_inputs=[BadInput(lambda g: (torch.ones(2, 2),), ValueError, r"value must have shape \(\) \(one value\)")],
    ),
    Case(
        "cat-rows",
        agg.cat,
        {"value_shape": (3, 2)},
        lambda g, n: (torch.randn(n, 3, 2, generator=g),),
        _tm_cat,
        fixed_state=False,
        ordered=True,
        bad_inputs=[BadInput(lambda g: (torch.ones(2, 2, 3),), ValueError, r"\(n, \*\(3, 2\)\)")],
    ),
    Case(
        "cat-nan-ignore",
        agg.cat,
        {"nan_strategy": "ignore"},
        _with_nans,
        lambda v: v[~torch.isnan(v)].double(),
        fixed_state=False,
        ordered=True,
    ),
]

CASES += [
    # One update (the reference test) covers one window slot; windows over several
    # updates are checked against TorchMetrics' RunningMean/RunningSum in test_aggregation.py.
    Case(
        "running_mean",
        agg.running_mean,
        {"window": 3},
        _values,
        lambda v: np.mean(_np(v)),
        split_invariant=False,
        weighted=True,
    ),
    Case(
        "running_sum",
        agg.running_sum,
        {"window": 2},
        _values,
        lambda v: np.sum(_np(v)),
        split_invariant=False,
        weighted=True,
    ),
]
