"""Catalogue entries for metrix.wrappers, over several base metrics each.

References: TorchMetrics' wrapper modules (``ClasswiseWrapper``, ``MinMaxMetric``,
``MultioutputWrapper``, input transformers) and functionals of the base metrics; for
``bootstrap``, the base metric's scikit-learn/NumPy weighted reference on every
replicate, with the replicate weights drawn independently of the wrapper from the same
counter-based generator (stream 0: one process). The statistical validation of the
bootstrap against NumPy resampling lives in ``tests/test_wrappers.py``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import sklearn.metrics as skm
import torch
import torchmetrics
import torchmetrics.functional.classification as tmc
import torchmetrics.functional.regression as tmr

import metrix
from metrix import aggregation as agg
from metrix import classification as mc
from metrix import regression as mr
from metrix import wrappers as mw
from metrix.wrappers._bootstrap_poisson import poisson_weights
from metrix.wrappers._random import uniform_index, words
from tests.catalogue._case import BadInput, Case, quietly


def _np(x: torch.Tensor) -> np.ndarray:
    return x.double().numpy()


def _pair(g, n):
    return torch.randn(n, generator=g), torch.randn(n, generator=g)


def _pair_f64(g, n):
    target = torch.randn(n, generator=g, dtype=torch.float64) * 2 + 1
    return target + torch.randn(n, generator=g, dtype=torch.float64), target


def _values(g, n):
    return (torch.randn(n, generator=g, dtype=torch.float64),)


def _binary(g, n):
    return torch.rand(n, generator=g), torch.randint(0, 2, (n,), generator=g)


def _multiclass(g, n):
    return torch.randint(0, 4, (n,), generator=g), torch.randint(0, 4, (n,), generator=g)


def _graded(g, n):
    return torch.rand(n, generator=g), torch.randint(0, 4, (n,), generator=g)


def _grouped(groups: int):
    def make(g, n):
        return (*_pair(g, n), torch.randint(0, groups, (n,), generator=g))

    return make


def _grouped_values(g, n):
    return (*_values(g, n), torch.randint(0, 3, (n,), generator=g))


def _outputs_with_nans(g, n):
    p, t = torch.randn(n, 3, generator=g), torch.randn(n, 3, generator=g)
    return torch.where(torch.rand(n, 3, generator=g) < 0.1, torch.nan, p), t


def _outputs(g, n):
    return torch.randn(n, 2, generator=g, dtype=torch.float64), torch.randn(n, 2, generator=g, dtype=torch.float64)


def _binary_outputs(g, n):
    return torch.rand(n, 3, generator=g), torch.randint(0, 2, (n, 3), generator=g)


def _tasks(g, n):
    p, t = _binary(g, n)
    x, y = _pair(g, n)
    return {"cls": p, "reg": x}, {"cls": t, "reg": y}


# ----------------------------------------------------------------------------- bootstrap references


def _replicate_weights(n: int, b: int, seed: int, strategy: str) -> np.ndarray:
    if strategy == "poisson":
        return poisson_weights(seed, 0, torch.tensor(0), n, b).numpy()
    u = words(seed, 0, torch.tensor(0), n, b)
    counts = np.zeros((b, n))
    for r, draws in enumerate(uniform_index(u, n).numpy()):
        np.add.at(counts[r], draws, 1)
    return counts


def _boot_ref(weighted_ref, b: int, seed=0, strategy="poisson", quantile=None, raw=False, user_weights=False):
    def ref(*inputs):
        n = len(inputs[0])
        weights = _replicate_weights(n, b, seed, strategy)
        if user_weights:  # the caller's sample_weight multiplies the resampling weights
            *inputs, user = inputs
            weights = weights * _np(user)
        values = np.array([weighted_ref(*inputs, w) for w in weights])
        out = {"mean": values.mean(0), "std": values.std(0, ddof=1)}
        if quantile is not None:
            out["quantile"] = torch.quantile(torch.tensor(values), torch.tensor(quantile, dtype=torch.float64), dim=0)
        if raw:
            out["raw"] = values
        return out

    return ref


def _sk(fn):
    return lambda p, t, w: fn(_np(t), _np(p), sample_weight=w)


def _wpearson(p, t, w):
    c = np.cov(_np(p), _np(t), aweights=w)
    return c[0, 1] / np.sqrt(c[0, 0] * c[1, 1])


def _weighted_pair(g, n):
    return (*_pair(g, n), torch.rand(n, generator=g) * 2)


_WEIGHT_BAD = [
    BadInput(lambda g: (torch.ones(4), torch.ones(4), torch.full((4,), -1.0)), ValueError, "must be non-negative"),
    BadInput(lambda g: (torch.ones(4), torch.ones(4), torch.ones(5)), ValueError, r"sample_weight must have shape"),
    BadInput(
        lambda g: (torch.ones(4), torch.ones(4), torch.full((4,), torch.nan)), ValueError, "sample_weight contains"
    ),
    BadInput(lambda g: (torch.ones(4), torch.ones(4), torch.ones(4, device="meta")), ValueError, "sample_weight is on"),
    BadInput(lambda g: (torch.ones(4), torch.full((4,), torch.nan), torch.ones(4)), ValueError, "target contains NaN"),
]


# ----------------------------------------------------------------------------- other references


def _by_group_ref(fn, groups: int):
    def ref(*inputs):
        *data, gid = inputs
        out = []
        for g in range(groups):
            keep = gid == g
            out.append(fn(*(x[keep] for x in data)) if keep.any() else float("nan"))
        return torch.tensor(out, dtype=torch.float64)

    return ref


def _tm_module(build):
    def ref(*inputs):
        module = build()
        module.update(*inputs)
        return quietly(module.compute)

    return ref


def _minmax_ref(fn):
    def ref(*inputs):
        v = fn(*inputs)
        return {"raw": v, "max": v, "min": v}

    return ref


CASES = [
    # bootstrap: weighted bases from regression (errors, moments) and aggregation
    Case(
        "bootstrap-mse-weighted",
        mw.bootstrap,
        {"metric": mr.mean_squared_error(), "num_bootstraps": 8},
        _weighted_pair,
        _boot_ref(_sk(skm.mean_squared_error), 8, user_weights=True),
        keywords=("sample_weight",),
        split_invariant=False,
        rank_streams=True,
        bad_inputs=_WEIGHT_BAD,
    ),
    Case(
        "bootstrap-pearson-quantile-raw",
        mw.bootstrap,
        {"metric": mr.pearson_corrcoef(), "num_bootstraps": 6, "quantile": [0.1, 0.9], "raw": True, "seed": 3},
        _pair_f64,
        _boot_ref(_wpearson, 6, seed=3, quantile=[0.1, 0.9], raw=True),
        split_invariant=False,
        rank_streams=True,
    ),
    Case(
        "bootstrap-mean",
        mw.bootstrap,
        {"metric": agg.mean(), "num_bootstraps": 5, "seed": 7},
        _values,
        _boot_ref(lambda v, w: np.average(_np(v), weights=w), 5, seed=7),
        split_invariant=False,
        rank_streams=True,
    ),
    Case(
        "bootstrap-mae-multinomial",
        mw.bootstrap,
        {"metric": mr.mean_absolute_error(), "num_bootstraps": 6, "sampling_strategy": "multinomial"},
        _pair,
        _boot_ref(_sk(skm.mean_absolute_error), 6, strategy="multinomial"),
        split_invariant=False,
        rank_streams=True,
    ),
    # by_group: weighted bases
    Case(
        "by_group-mse",
        mw.by_group,
        {"metric": mr.mean_squared_error(), "num_groups": 3},
        _grouped(3),
        _by_group_ref(lambda p, t: float(tmr.mean_squared_error(p, t)), 3),
        keywords=("groups",),
        weighted=True,
        bad_inputs=[
            BadInput(
                lambda g: (torch.ones(4), torch.ones(4), torch.tensor([0, 1, 3, 0])),
                ValueError,
                r"groups must be in \[0, 3\)",
                traced=True,
            ),
            BadInput(lambda g: (torch.ones(4), torch.ones(4), torch.tensor([-1, 0, 0, 0])), ValueError, "groups"),
            BadInput(lambda g: (torch.ones(4), torch.ones(4), torch.zeros(4)), TypeError, "groups must be an integer"),
            BadInput(lambda g: (torch.ones(4), torch.ones(4), torch.zeros(3, dtype=torch.long)), ValueError, "shape"),
        ],
    ),
    Case(
        "by_group-r2",
        mw.by_group,
        {"metric": mr.r2_score(), "num_groups": 2},
        lambda g, n: (*_pair_f64(g, n), torch.arange(n) % 2),
        _by_group_ref(lambda p, t: float(tmr.r2_score(p, t)), 2),
        keywords=("groups",),
        weighted=True,
        n=64,
    ),
    Case(
        "by_group-mean",
        mw.by_group,
        {"metric": agg.mean(), "num_groups": 3},
        _grouped_values,
        _by_group_ref(lambda v: float(np.mean(_np(v))), 3),
        keywords=("groups",),
        weighted=True,
    ),
    # classwise: classification bases
    Case(
        "classwise-accuracy",
        mw.classwise,
        {"metric": mc.multiclass_accuracy(num_classes=4, average=None)},
        _multiclass,
        _tm_module(
            lambda: torchmetrics.wrappers.ClasswiseWrapper(
                torchmetrics.classification.MulticlassAccuracy(num_classes=4, average=None)
            )
        ),
        weighted=True,
    ),
    Case(
        "classwise-recall-labels",
        mw.classwise,
        {
            "metric": mc.multiclass_recall(num_classes=4, average=None),
            "labels": ["a", "b", "c", "d"],
            "prefix": "rec/",
        },
        _multiclass,
        _tm_module(
            lambda: torchmetrics.wrappers.ClasswiseWrapper(
                torchmetrics.classification.MulticlassRecall(num_classes=4, average=None),
                labels=["a", "b", "c", "d"],
                prefix="rec/",
            )
        ),
        weighted=True,
    ),
    # minmax
    Case(
        "minmax-accuracy",
        mw.minmax,
        {"metric": mc.binary_accuracy()},
        _binary,
        _tm_module(lambda: torchmetrics.wrappers.MinMaxMetric(torchmetrics.classification.BinaryAccuracy())),
        weighted=True,
    ),
    Case(
        "minmax-mse",
        mw.minmax,
        {"metric": mr.mean_squared_error()},
        _pair,
        _minmax_ref(tmr.mean_squared_error),
        weighted=True,
    ),
    # tracker: one step (compute is the current step's value)
    Case(
        "tracker-accuracy",
        mw.tracker,
        {"metric": mc.binary_accuracy(), "capacity": 4},
        _binary,
        tmc.binary_accuracy,
        weighted=True,
    ),
    Case(
        "tracker-mae",
        mw.tracker,
        {"metric": mr.mean_absolute_error(), "maximize": False, "capacity": 3},
        _pair,
        tmr.mean_absolute_error,
        weighted=True,
    ),
    # multioutput
    Case(
        "multioutput-mse-nans",
        mw.multioutput,
        {"metric": mr.mean_squared_error(), "num_outputs": 3},
        _outputs_with_nans,
        _tm_module(
            lambda: torchmetrics.wrappers.MultioutputWrapper(torchmetrics.regression.MeanSquaredError(), num_outputs=3)
        ),
        weighted=True,
        bad_inputs=[
            BadInput(lambda g: (torch.ones(4, 2), torch.ones(4, 2)), ValueError, "expected num_outputs=3"),
        ],
    ),
    Case(
        "multioutput-r2-dim1",
        mw.multioutput,
        {"metric": mr.r2_score(), "num_outputs": 2, "output_dim": 1},
        _outputs,
        lambda p, t: torch.stack([tmr.r2_score(p[:, i], t[:, i]) for i in range(2)]),
        weighted=True,
    ),
    Case(
        "multioutput-accuracy",
        mw.multioutput,
        {"metric": mc.binary_accuracy(), "num_outputs": 3, "remove_nans": False},
        _binary_outputs,
        _tm_module(
            lambda: torchmetrics.wrappers.MultioutputWrapper(
                torchmetrics.classification.BinaryAccuracy(), num_outputs=3, remove_nans=False
            )
        ),
        weighted=True,
    ),
    # multitask
    Case(
        "multitask",
        mw.multitask,
        {"task_metrics": {"cls": mc.binary_accuracy(), "reg": mr.mean_squared_error()}, "prefix": "val_"},
        _tasks,
        lambda p, t: {
            "val_cls": tmc.binary_accuracy(p["cls"], t["cls"]),
            "val_reg": tmr.mean_squared_error(p["reg"], t["reg"]),
        },
        bad_inputs=[
            BadInput(lambda g: ({"cls": torch.ones(2)}, {"cls": torch.ones(2, dtype=torch.long)}), ValueError, "reg"),
            BadInput(lambda g: (torch.ones(2), torch.ones(2)), TypeError, "task_preds must be a dict"),
        ],
    ),
    Case(
        "multitask-collection",
        mw.multitask,
        {
            "task_metrics": {
                "reg": metrix.collection({"mse": mr.mean_squared_error(), "r2": mr.r2_score()}),
                "agg": agg.mean(),
            },
            "postfix": "/val",
        },
        lambda g, n: (
            {"reg": torch.randn(n, generator=g), "agg": torch.randn(n, generator=g)},
            {"reg": torch.randn(n, generator=g), "agg": torch.rand(n, generator=g)},
        ),
        lambda p, t: {
            "reg/val": {"mse": tmr.mean_squared_error(p["reg"], t["reg"]), "r2": tmr.r2_score(p["reg"], t["reg"])},
            "agg/val": torch.tensor(np.average(_np(p["agg"]), weights=_np(t["agg"]))),
        },
    ),
    # input transforms
    Case(
        "binary_target-accuracy",
        mw.binary_target,
        {"metric": mc.binary_accuracy(), "threshold": 1},
        _graded,
        _tm_module(
            lambda: torchmetrics.wrappers.BinaryTargetTransformer(torchmetrics.classification.BinaryAccuracy(), 1)
        ),
        weighted=True,
    ),
    Case(
        "binary_target-mse",
        mw.binary_target,
        {"metric": mr.mean_squared_error(), "threshold": 0.5},
        _pair,
        lambda p, t: tmr.mean_squared_error(p, (t > 0.5).float()),
        weighted=True,
    ),
    Case(
        "lambda_input-accuracy-logits",
        mw.lambda_input,
        {"metric": mc.binary_accuracy(), "transform_pred": torch.sigmoid},
        lambda g, n: (torch.randn(n, generator=g) * 3, torch.randint(0, 2, (n,), generator=g)),
        lambda p, t: tmc.binary_accuracy(torch.sigmoid(p), t),
        weighted=True,
    ),
    Case(
        "lambda_input-mse",
        mw.lambda_input,
        {"metric": mr.mean_squared_error(), "transform_pred": torch.sigmoid},
        _pair,
        lambda p, t: tmr.mean_squared_error(torch.sigmoid(p), t),
        weighted=True,
    ),
    # arithmetic
    Case(
        "compose-mse-plus-mae",
        mw.compose,
        {},
        _pair,
        lambda p, t: tmr.mean_squared_error(p, t) + tmr.mean_absolute_error(p, t),
        weighted=True,
        args=(torch.add, mr.mean_squared_error(), mr.mean_absolute_error()),
    ),
    Case(
        "compose-error-rate",
        mw.compose,
        {},
        _binary,
        lambda p, t: -tmc.binary_accuracy(p, t),
        args=(torch.neg, mc.binary_accuracy()),
        weighted=True,
    ),
    # running windows over a regression metric (one update: one slot)
    Case(
        "running-mse",
        mw.running,
        {"metric": mr.mean_squared_error(), "window": 2},
        _pair,
        tmr.mean_squared_error,
        split_invariant=False,
        weighted=True,
    ),
]

# The compile law runs on one Case per wrapper (and per bootstrap strategy): the others go
# through the same wrapper code over another base metric.
_COMPILED_ELSEWHERE = {
    "bootstrap-pearson-quantile-raw",
    "by_group-r2",
    "by_group-mean",
    "classwise-recall-labels",
    "minmax-mse",
    "tracker-mae",
    "multioutput-r2-dim1",
    "multitask-collection",
    "binary_target-mse",
    "lambda_input-accuracy-logits",
    "compose-error-rate",
    "running-mse",
}
assert _COMPILED_ELSEWHERE <= {c.id for c in CASES}, _COMPILED_ELSEWHERE - {c.id for c in CASES}
CASES = [
    dataclasses.replace(c, compile=False, note="compiled through another Case of this wrapper")
    if c.id in _COMPILED_ELSEWHERE
    else c
    for c in CASES
]
