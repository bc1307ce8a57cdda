"""Catalogue entries with ``sample_weight=``: every weighted regression and aggregation factory.

References: scikit-learn's ``sample_weight`` where it has the metric (MSE, RMSE, MAE,
MSLE, MAPE, Tweedie deviance, R², explained variance), SciPy (weighted Minkowski, KL,
Jensen-Shannon) and NumPy formulas elsewhere (weighted Pearson and concordance with
frequency weights, NRMSE, RSE, CRPS, CSI, SMAPE, WMAPE, log-cosh, aggregators). The
weights are floats with some exact zeros, so these Cases run every law of the suite
(split invariance over uneven batches with empty ones, merge, compile, vmap, the gloo
sync law) with weights. The weighted laws themselves (ones, zeros, integer repeats) run
over every ``weighted=True`` Case in ``tests/test_weights.py``.
"""

from __future__ import annotations

import numpy as np
import scipy.spatial.distance as ssd
import scipy.stats
import sklearn.metrics as skm
import torch

from metrix import aggregation as agg
from metrix import regression as mr
from tests.catalogue._case import BadInput, Case

F32_TOL = {"atol": 2e-5, "rtol": 1e-4}


def _np(x: torch.Tensor) -> np.ndarray:
    return x.double().numpy()


def _weights(g: torch.Generator, n: int) -> torch.Tensor:
    w = torch.rand(n, generator=g) * 2 + 0.05
    dropped = (torch.rand(n, generator=g) < 0.15) & (torch.arange(n) >= 2)  # some, never all (R² needs two)
    return torch.where(dropped, 0.0, w)


def _with_weights(inputs):
    def make(g: torch.Generator, n: int) -> tuple:
        return (*inputs(g, n), _weights(g, n))

    return make


def _pair_1d(g, n):
    return torch.randn(n, generator=g), torch.randn(n, generator=g)


def _pair_outputs(g, n):
    return torch.randn(n, 3, generator=g), torch.randn(n, 3, generator=g)


def _pair_multidim(g, n):
    return torch.randn(n, 3, 2, generator=g), torch.randn(n, 3, 2, generator=g)


def _pair_positive(g, n):
    return torch.rand(n, generator=g) * 3 + 0.1, torch.rand(n, generator=g) * 3 + 0.1


def _single(g, n):
    target = torch.randn(n, generator=g, dtype=torch.float64) * 2 + 1
    return target + torch.randn(n, generator=g, dtype=torch.float64), target


def _multi(g, n):
    scale = torch.tensor([1.0, 3.0, 0.5], dtype=torch.float64)
    target = torch.randn(n, 3, generator=g, dtype=torch.float64) * scale
    return target + torch.randn(n, 3, generator=g, dtype=torch.float64), target


def _vectors(g, n):
    return torch.randn(n, 5, generator=g), torch.randn(n, 5, generator=g)


def _probs(g, n):
    return torch.rand(n, 4, generator=g) + 0.05, torch.rand(n, 4, generator=g) + 0.05


def _ensembles(g, n):
    return torch.randn(n, 7, generator=g), torch.randn(n, generator=g)


def _fields(g, n):
    return torch.rand(n, 4, 3, generator=g), torch.rand(n, 4, 3, generator=g)


def _values(g, n):
    return (torch.randn(n, generator=g, dtype=torch.float64) * 3,)


# ----------------------------------------------------------------------------- NumPy references


def _avg(x: np.ndarray, w: np.ndarray) -> float:
    return float(np.sum(x * w) / np.sum(w))


def _rows(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return w.reshape((-1,) + (1,) * (x.ndim - 1))


def _elementwise_mean(fn):
    """Weighted mean over every element, each element weighted by its sample's weight."""

    def ref(p, t, w):
        e, wn = fn(_np(p), _np(t)), _np(w)
        return float(np.sum(e * _rows(wn, e)) / (np.sum(wn) * (e.size // max(len(wn), 1))))

    return ref


def _log_cosh(p, t):
    return np.log(np.cosh(p - t))


def _smape(p, t):
    return 2 * np.abs(p - t) / np.maximum(np.abs(t) + np.abs(p), 1.17e-6)


def _wmape(p, t, w):
    p, t, w = _np(p), _np(t), _np(w)
    w = _rows(w, p)
    return float(np.sum(w * np.abs(p - t)) / max(np.sum(w * np.abs(t)), 1.17e-6))


def _weighted_moments(x: np.ndarray, y: np.ndarray, w: np.ndarray):
    total = w.sum()
    mx, my = (w @ x) / total, (w @ y) / total
    return total, mx, my, w @ ((x - mx) ** 2), w @ ((y - my) ** 2), w @ ((x - mx) * (y - my))


def _pearson(p, t, w):
    # np.cov with reliability weights: the normalisation cancels in the correlation
    c = np.cov(_np(p), _np(t), aweights=_np(w))
    return float(c[0, 1] / np.sqrt(c[0, 0] * c[1, 1]))


def _concordance(p, t, w):
    # frequency weights: unbiased variances divide by sum(w) - 1, as np.cov(fweights=) does
    total, mx, my, sxx, syy, sxy = _weighted_moments(_np(p), _np(t), _np(w))
    vx, vy, cov = sxx / (total - 1), syy / (total - 1), sxy / (total - 1)
    return float(2 * cov / (vx + vy + (mx - my) ** 2))


def _rse(p, t, w):
    p, t, w = _np(p), _np(t), _np(w)
    my = (w @ t) / w.sum()
    return float((w @ (t - p) ** 2) / (w @ (t - my) ** 2))


def _nrmse(normalization: str):
    def ref(p, t, w):
        p, t, w = _np(p), _np(t), _np(w)
        rmse = np.sqrt((w @ (t - p) ** 2) / w.sum())
        mean = (w @ t) / w.sum()
        kept = t[w > 0]
        scale = {
            "mean": mean,
            "range": kept.max() - kept.min(),
            "std": np.sqrt((w @ (t - mean) ** 2) / w.sum()),
            "l2": np.sqrt(w @ t**2),
        }[normalization]
        return float(rmse / scale)

    return ref


def _cosine(reduction: str):
    def ref(p, t, w):
        p, t, w = _np(p), _np(t), _np(w)
        cos = (p * t).sum(1) / (np.linalg.norm(p, axis=1) * np.linalg.norm(t, axis=1))
        return float(np.sum(w * cos)) if reduction == "sum" else _avg(cos, w)

    return ref


def _kl(p, q, w):
    return _avg(scipy.stats.entropy(_np(p), _np(q), axis=1), _np(w))


def _jsd_sum(p, q, w):
    return float(np.sum(_np(w) * ssd.jensenshannon(_np(p), _np(q), axis=1) ** 2))


def _crps(x, y, w):
    x, y = _np(x), _np(y)
    spread = np.abs(x - y[:, None]).mean(1)
    pairwise = np.abs(x[:, :, None] - x[:, None, :]).mean((1, 2)) / 2
    return _avg(spread - pairwise, _np(w))


def _csi(p, t, w, threshold=0.5):
    pe, te = _np(p) >= threshold, _np(t) >= threshold
    wr = _rows(_np(w), pe)
    hits, misses, false = (np.sum(wr * e) for e in (pe & te, ~pe & te, pe & ~te))
    return float(hits / (hits + misses + false))


def _sk(fn, **kw):
    """A scikit-learn oracle ``fn(y_true, y_pred, sample_weight=w, **kw)`` on metrix's ``(preds, target, w)``."""

    def ref(p, t, w):
        return fn(_np(t), _np(p), sample_weight=_np(w), **kw)

    return ref


def _weight_bad(shape: tuple[int, ...]) -> list[BadInput]:
    n = shape[0]
    x = torch.ones(shape)
    return [
        BadInput(lambda g: (x, x, torch.ones(n + 1)), ValueError, r"sample_weight must have shape"),
        BadInput(lambda g: (x, x, torch.full((n,), -1.0)), ValueError, "sample_weight must be non-negative", True),
        BadInput(lambda g: (x, x, torch.full((n,), float("nan"))), ValueError, "sample_weight contains NaN", True),
        BadInput(lambda g: (x, x, torch.full((n,), float("inf"))), ValueError, "sample_weight contains NaN", True),
        BadInput(lambda g: (x, x, [1.0] * n), TypeError, "sample_weight must be a torch.Tensor"),
        BadInput(lambda g: (x, x, torch.ones(n, dtype=torch.bool)), TypeError, "sample_weight must be a real"),
        BadInput(lambda g: (x, x, torch.ones(n, device="meta")), ValueError, "sample_weight is on meta"),
    ]


# The compile law runs on one Case per weighted state layout (the others share the code path);
# tests/test_weights.py compiles the integer-weight variants of more.
_COMPILED = {"w-mse", "w-mse-outputs", "w-wmape", "w-csi", "w-r2", "w-pearson", "w-mean", "w-max", "w-crps", "w-kl"}
# (every name in _COMPILED is a Case id: checked at the end of this module)


def _case(case_id, factory, kwargs, inputs, reference, **kw) -> Case:
    compiled = case_id in _COMPILED
    note = "" if compiled else "compile law: one Case per weighted state layout (see _COMPILED)"
    return Case(
        case_id,
        factory,
        kwargs,
        _with_weights(inputs),
        reference,
        keywords=("sample_weight",),
        compile=compiled,
        note=note,
        **kw,
    )


CASES = [
    # errors (scikit-learn)
    _case("w-mse", mr.mean_squared_error, {}, _pair_1d, _sk(skm.mean_squared_error), bad_inputs=_weight_bad((4,))),
    _case(
        "w-mse-outputs",
        mr.mean_squared_error,
        {"num_outputs": 3},
        _pair_outputs,
        _sk(skm.mean_squared_error, multioutput="raw_values"),
        bad_inputs=_weight_bad((4, 3)),
    ),
    _case("w-mse-multidim", mr.mean_squared_error, {}, _pair_multidim, _elementwise_mean(lambda p, t: (p - t) ** 2)),
    _case("w-rmse", mr.mean_squared_error, {"squared": False}, _pair_1d, _sk(skm.root_mean_squared_error)),
    _case("w-mae", mr.mean_absolute_error, {}, _pair_1d, _sk(skm.mean_absolute_error), bad_inputs=_weight_bad((4,))),
    _case("w-msle", mr.mean_squared_log_error, {}, _pair_positive, _sk(skm.mean_squared_log_error)),
    _case("w-mape", mr.mean_absolute_percentage_error, {}, _pair_positive, _sk(skm.mean_absolute_percentage_error)),
    _case("w-smape", mr.symmetric_mean_absolute_percentage_error, {}, _pair_multidim, _elementwise_mean(_smape)),
    _case("w-wmape", mr.weighted_mean_absolute_percentage_error, {}, _pair_multidim, _wmape),
    _case("w-log_cosh", mr.log_cosh_error, {}, _pair_1d, _elementwise_mean(_log_cosh)),
    _case(
        "w-minkowski-p3",
        mr.minkowski_distance,
        {"p": 3},
        _pair_1d,
        lambda p, t, w: ssd.minkowski(_np(p), _np(t), 3, _np(w)),
    ),
    *[
        _case(
            f"w-tweedie-p{power}",
            mr.tweedie_deviance_score,
            {"power": power},
            _pair_positive,
            _sk(skm.mean_tweedie_deviance, power=power),
            rtol=1e-4,
        )
        for power in (1.5, 2)  # power 0 is the squared error
    ],
    # per-row values reduced with weights
    *[
        _case(f"w-cosine-{red}", mr.cosine_similarity, {"reduction": red}, _vectors, _cosine(red))
        for red in ("mean",)  # "sum" shares the state
    ],
    _case("w-kl", mr.kl_divergence, {}, _probs, _kl, rtol=1e-4),
    _case("w-jsd-sum", mr.jensen_shannon_divergence, {"reduction": "sum"}, _probs, _jsd_sum, rtol=1e-4),
    _case("w-crps", mr.continuous_ranked_probability_score, {}, _ensembles, _crps),
    _case("w-csi", mr.critical_success_index, {"threshold": 0.5}, _fields, _csi, bad_inputs=_weight_bad((4, 3))),
    # moments (scikit-learn for R² and explained variance, NumPy for the rest)
    _case("w-r2", mr.r2_score, {}, _single, _sk(skm.r2_score), bad_inputs=_weight_bad((4,))),
    _case(
        "w-r2-multi-variance_weighted",
        mr.r2_score,
        {"multioutput": "variance_weighted", "num_outputs": 3},
        _multi,
        _sk(skm.r2_score, multioutput="variance_weighted"),
    ),
    _case("w-explained_variance", mr.explained_variance, {}, _single, _sk(skm.explained_variance_score)),
    _case(
        "w-explained_variance-multi",
        mr.explained_variance,
        {"multioutput": "raw_values", "num_outputs": 3},
        _multi,
        _sk(skm.explained_variance_score, multioutput="raw_values"),
    ),
    _case("w-rse", mr.relative_squared_error, {}, _single, _rse),
    *[
        _case(f"w-nrmse-{norm}", mr.normalized_root_mean_squared_error, {"normalization": norm}, _single, _nrmse(norm))
        for norm in ("range", "l2")  # "mean" and "std" read the same moments (integer weights: test_weights.py)
    ],
    _case("w-pearson", mr.pearson_corrcoef, {}, _single, _pearson, bad_inputs=_weight_bad((4,))),
    _case("w-concordance", mr.concordance_corrcoef, {}, _single, _concordance),
    # aggregation
    _case("w-mean", agg.mean, {}, _values, lambda v, w: _avg(_np(v), _np(w))),
    _case("w-sum", agg.sum, {}, _values, lambda v, w: float(np.sum(_np(v) * _np(w)))),
    _case(
        "w-max",
        agg.max,
        {},
        _values,
        lambda v, w: float(np.max(_np(v)[_np(w) > 0], initial=-np.inf)),
    ),
    _case(
        "w-min",
        agg.min,
        {},
        _values,
        lambda v, w: float(np.min(_np(v)[_np(w) > 0], initial=np.inf)),
    ),
]
assert _COMPILED <= {c.id for c in CASES}, _COMPILED - {c.id for c in CASES}
