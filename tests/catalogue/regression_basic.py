"""Catalogue entries for the basic regression metrics (reference: TorchMetrics functional)."""

from __future__ import annotations

import torch
import torchmetrics.functional.regression as tmr

from metrix import regression as mr
from tests.catalogue._case import BadInput, Case, tm_reference

# ----------------------------------------------------------------------------- inputs


def pair_1d(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, generator=g), torch.randn(n, generator=g)


def pair_multidim(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, 3, 2, generator=g), torch.randn(n, 3, 2, generator=g)


def pair_outputs(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, 3, generator=g), torch.randn(n, 3, generator=g)


def pair_int(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randint(-5, 6, (n,), generator=g), torch.randint(-5, 6, (n,), generator=g)


def pair_f64(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, 2, generator=g, dtype=torch.float64), torch.randn(n, 2, generator=g, dtype=torch.float64)


def pair_positive(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.rand(n, 2, generator=g) * 3 + 0.1, torch.rand(n, 2, generator=g) * 3 + 0.1


def pair_msle(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    # includes values in (-1, 0), where log1p is still defined
    return torch.rand(n, generator=g) * 4 - 0.9, torch.rand(n, generator=g) * 4 - 0.9


def pair_with_zero_targets(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    t = torch.rand(n, generator=g) * 3
    t = torch.where(torch.rand(n, generator=g) < 0.2, 0.0, t)
    return torch.rand(n, generator=g) * 3 + 0.1, t


def vectors(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, 5, generator=g), torch.randn(n, 5, generator=g)


def probs(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    # unnormalised, with some exact zeros in p (0 log 0 = 0)
    p = torch.rand(n, 4, generator=g)
    p = torch.where(torch.rand(n, 4, generator=g) < 0.1, 0.0, p) + torch.tensor([0.05, 0.0, 0.0, 0.0])
    return p, torch.rand(n, 4, generator=g) + 0.01


def log_probs(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, 4, generator=g).log_softmax(-1), torch.randn(n, 4, generator=g).log_softmax(-1)


def ensembles(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(n, 7, generator=g), torch.randn(n, generator=g)


def fields(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.rand(n, 4, 3, generator=g), torch.rand(n, 4, 3, generator=g)


# ----------------------------------------------------------------------------- bad inputs


def _nan(shape: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    p = torch.ones(shape)
    p[(0,) * len(shape)] = float("nan")
    return p, torch.ones(shape)


def _inf_target(shape: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    t = torch.ones(shape)
    t[(0,) * len(shape)] = float("inf")
    return torch.ones(shape), t


def common_bad(shape: tuple[int, ...], names: tuple[str, str] = ("preds", "target")) -> list[BadInput]:
    a, b = names
    short = (shape[0] - 1, *shape[1:])
    return [
        BadInput(lambda g: (torch.ones(shape), torch.ones(short)), ValueError, "same shape"),
        BadInput(lambda g: _nan(shape), ValueError, f"{a} contains NaN", traced=True),
        BadInput(lambda g: _inf_target(shape), ValueError, f"{b} contains NaN or inf", traced=True),
        BadInput(lambda g: ([1.0, 2.0], torch.ones(2)), TypeError, f"{a} must be a torch.Tensor"),
        BadInput(lambda g: (torch.ones(shape, dtype=torch.complex64), torch.ones(shape)), TypeError, "real"),
    ]


def _neg(shape: tuple[int, ...], value: float, which: int) -> tuple[torch.Tensor, torch.Tensor]:
    x = [torch.ones(shape), torch.ones(shape)]
    x[which] = torch.full(shape, value)
    return tuple(x)


OUTPUTS_BAD = [
    BadInput(lambda g: (torch.ones(4, 2), torch.ones(4, 2)), ValueError, r"num_outputs=3 expects preds of shape"),
    BadInput(lambda g: (torch.ones(4), torch.ones(4)), ValueError, r"num_outputs=3 expects preds of shape"),
]


def _tm_rmse(p, t, **kw):
    return tmr.mean_squared_error(p, t, squared=False, **kw)


# ----------------------------------------------------------------------------- cases

CASES = [
    # mean squared error
    Case(
        "mse",
        mr.mean_squared_error,
        {},
        pair_1d,
        tm_reference(tmr.mean_squared_error),
        bad_inputs=common_bad((4,)),
        weighted=True,
    ),
    Case("mse-multidim", mr.mean_squared_error, {}, pair_multidim, tm_reference(tmr.mean_squared_error), weighted=True),
    Case("mse-int", mr.mean_squared_error, {}, pair_int, tm_reference(tmr.mean_squared_error), weighted=True),
    Case(
        "mse-f64",
        mr.mean_squared_error,
        {},
        pair_f64,
        tm_reference(tmr.mean_squared_error),
        atol=1e-12,
        rtol=1e-10,
        weighted=True,
    ),
    Case("rmse", mr.mean_squared_error, {"squared": False}, pair_1d, _tm_rmse, weighted=True),
    Case(
        "mse-outputs",
        mr.mean_squared_error,
        {"num_outputs": 3},
        pair_outputs,
        tm_reference(tmr.mean_squared_error, num_outputs=3),
        bad_inputs=OUTPUTS_BAD,
        weighted=True,
    ),
    Case(
        "rmse-outputs",
        mr.mean_squared_error,
        {"squared": False, "num_outputs": 3},
        pair_outputs,
        tm_reference(tmr.mean_squared_error, squared=False, num_outputs=3),
        weighted=True,
    ),
    # mean absolute error
    Case(
        "mae",
        mr.mean_absolute_error,
        {},
        pair_1d,
        tm_reference(tmr.mean_absolute_error),
        bad_inputs=common_bad((4, 2)),
        weighted=True,
    ),
    Case(
        "mae-multidim", mr.mean_absolute_error, {}, pair_multidim, tm_reference(tmr.mean_absolute_error), weighted=True
    ),
    Case(
        "mae-outputs",
        mr.mean_absolute_error,
        {"num_outputs": 3},
        pair_outputs,
        tm_reference(tmr.mean_absolute_error, num_outputs=3),
        bad_inputs=OUTPUTS_BAD,
        weighted=True,
    ),
    # percentage errors
    Case(
        "mape",
        mr.mean_absolute_percentage_error,
        {},
        pair_multidim,
        tm_reference(tmr.mean_absolute_percentage_error),
        rtol=1e-4,
        bad_inputs=common_bad((4,)),
        weighted=True,
    ),
    Case(
        "mape-zero-targets",
        mr.mean_absolute_percentage_error,
        {},
        pair_with_zero_targets,
        tm_reference(tmr.mean_absolute_percentage_error),
        rtol=1e-4,
        weighted=True,
    ),
    Case(
        "smape",
        mr.symmetric_mean_absolute_percentage_error,
        {},
        pair_multidim,
        tm_reference(tmr.symmetric_mean_absolute_percentage_error),
        bad_inputs=common_bad((4,)),
        weighted=True,
    ),
    Case(
        "wmape",
        mr.weighted_mean_absolute_percentage_error,
        {},
        pair_multidim,
        tm_reference(tmr.weighted_mean_absolute_percentage_error),
        bad_inputs=common_bad((4,)),
        weighted=True,
    ),
    # mean squared log error
    Case(
        "msle",
        mr.mean_squared_log_error,
        {},
        pair_msle,
        tm_reference(tmr.mean_squared_log_error),
        bad_inputs=[
            *common_bad((4,)),
            BadInput(lambda g: _neg((4,), -1.0, 0), ValueError, "greater than -1", traced=True),
            BadInput(lambda g: _neg((4,), -3.0, 1), ValueError, "greater than -1", traced=True),
        ],
        weighted=True,
    ),
    # log cosh
    Case(
        "log_cosh",
        mr.log_cosh_error,
        {},
        pair_1d,
        tm_reference(tmr.log_cosh_error),
        bad_inputs=common_bad((4,)),
        weighted=True,
    ),
    Case(
        "log_cosh-outputs",
        mr.log_cosh_error,
        {"num_outputs": 3},
        pair_outputs,
        tm_reference(tmr.log_cosh_error),
        bad_inputs=[
            BadInput(lambda g: (torch.ones(4, 2), torch.ones(4, 2)), ValueError, "pass num_outputs=2"),
            BadInput(lambda g: (torch.ones(4), torch.ones(4)), ValueError, "pass num_outputs=1"),
            BadInput(lambda g: (torch.ones(4, 3, 1), torch.ones(4, 3, 1)), ValueError, r"shape \(N,\) or \(N, k\)"),
        ],
        weighted=True,
    ),
    # minkowski
    Case(
        "minkowski-p1",
        mr.minkowski_distance,
        {"p": 1},
        pair_multidim,
        tm_reference(tmr.minkowski_distance, p=1),
        bad_inputs=common_bad((4,), ("preds", "targets")),
        weighted=True,
    ),
    Case(
        "minkowski-p3.5",
        mr.minkowski_distance,
        {"p": 3.5},
        pair_1d,
        tm_reference(tmr.minkowski_distance, p=3.5),
        weighted=True,
    ),
    # cosine similarity
    Case(
        "cosine-sum",
        mr.cosine_similarity,
        {},
        vectors,
        tm_reference(tmr.cosine_similarity),
        bad_inputs=[
            *common_bad((4, 3)),
            BadInput(lambda g: (torch.ones(4), torch.ones(4)), ValueError, "2-d"),
        ],
        weighted=True,
    ),
    Case(
        "cosine-mean",
        mr.cosine_similarity,
        {"reduction": "mean"},
        vectors,
        tm_reference(tmr.cosine_similarity, reduction="mean"),
        weighted=True,
    ),
    Case(
        "cosine-none",
        mr.cosine_similarity,
        {"reduction": "none"},
        vectors,
        tm_reference(tmr.cosine_similarity, reduction="none"),
        fixed_state=False,
        ordered=True,
        bad_inputs=[BadInput(lambda g: (torch.ones(4), torch.ones(4)), ValueError, "2-d")],
    ),
    # divergences
    Case(
        "kl",
        mr.kl_divergence,
        {},
        probs,
        tm_reference(tmr.kl_divergence),
        rtol=1e-4,
        bad_inputs=[
            *common_bad((4, 3), ("p", "q")),
            BadInput(lambda g: (torch.ones(4), torch.ones(4)), ValueError, "2-d"),
            BadInput(lambda g: _neg((4, 3), -0.5, 1), ValueError, "non-negative", traced=True),
        ],
        weighted=True,
    ),
    Case(
        "kl-sum",
        mr.kl_divergence,
        {"reduction": "sum"},
        probs,
        tm_reference(tmr.kl_divergence, reduction="sum"),
        rtol=1e-4,
        weighted=True,
    ),
    Case(
        "kl-log",
        mr.kl_divergence,
        {"log_prob": True},
        log_probs,
        tm_reference(tmr.kl_divergence, log_prob=True),
        rtol=1e-4,
        bad_inputs=[BadInput(lambda g: _nan((4, 3)), ValueError, "p contains NaN", traced=True)],
        weighted=True,
    ),
    Case(
        "kl-none",
        mr.kl_divergence,
        {"reduction": None},
        probs,
        tm_reference(tmr.kl_divergence, reduction=None),
        rtol=1e-4,
        fixed_state=False,
        ordered=True,
    ),
    Case(
        "jsd",
        mr.jensen_shannon_divergence,
        {},
        probs,
        tm_reference(tmr.jensen_shannon_divergence),
        rtol=1e-4,
        bad_inputs=[
            *common_bad((4, 3), ("p", "q")),
            BadInput(lambda g: _neg((4, 3), -0.5, 0), ValueError, "non-negative", traced=True),
        ],
        weighted=True,
    ),
    Case(
        "jsd-log-sum",
        mr.jensen_shannon_divergence,
        {"log_prob": True, "reduction": "sum"},
        log_probs,
        tm_reference(tmr.jensen_shannon_divergence, log_prob=True, reduction="sum"),
        rtol=1e-4,
        weighted=True,
    ),
    Case(
        "jsd-none",
        mr.jensen_shannon_divergence,
        {"reduction": "none"},
        probs,
        tm_reference(tmr.jensen_shannon_divergence, reduction="none"),
        rtol=1e-4,
        fixed_state=False,
        ordered=True,
    ),
    # tweedie deviance
    Case(
        "tweedie-p0",
        mr.tweedie_deviance_score,
        {},
        pair_1d,
        tm_reference(tmr.tweedie_deviance_score),
        bad_inputs=common_bad((4,), ("preds", "targets")),
        weighted=True,
    ),
    Case(
        "tweedie-p1",
        mr.tweedie_deviance_score,
        {"power": 1},
        pair_with_zero_targets,
        tm_reference(tmr.tweedie_deviance_score, power=1),
        rtol=1e-4,
        bad_inputs=[
            BadInput(lambda g: _neg((4,), 0.0, 0), ValueError, "preds must be strictly positive", traced=True),
            BadInput(lambda g: _neg((4,), -1.0, 1), ValueError, "targets cannot be negative", traced=True),
        ],
        weighted=True,
    ),
    Case(
        "tweedie-p1.5",
        mr.tweedie_deviance_score,
        {"power": 1.5},
        pair_with_zero_targets,
        tm_reference(tmr.tweedie_deviance_score, power=1.5),
        rtol=1e-4,
        weighted=True,
    ),
    Case(
        "tweedie-p2",
        mr.tweedie_deviance_score,
        {"power": 2},
        pair_positive,
        tm_reference(tmr.tweedie_deviance_score, power=2),
        rtol=1e-4,
        bad_inputs=[
            BadInput(lambda g: _neg((4,), 0.0, 1), ValueError, "targets must be strictly positive", traced=True)
        ],
        weighted=True,
    ),
    Case(
        "tweedie-p3",
        mr.tweedie_deviance_score,
        {"power": 3},
        pair_positive,
        tm_reference(tmr.tweedie_deviance_score, power=3),
        rtol=1e-4,
        weighted=True,
    ),
    Case(
        "tweedie-pneg",
        mr.tweedie_deviance_score,
        {"power": -1.0},
        pair_positive,
        tm_reference(tmr.tweedie_deviance_score, power=-1.0),
        rtol=1e-4,
        bad_inputs=[
            BadInput(lambda g: _neg((4,), -1.0, 0), ValueError, "preds must be strictly positive", traced=True)
        ],
        weighted=True,
    ),
    # critical success index
    Case(
        "csi",
        mr.critical_success_index,
        {"threshold": 0.5},
        fields,
        tm_reference(tmr.critical_success_index, threshold=0.5),
        bad_inputs=common_bad((4, 3)),
        weighted=True,
    ),
    Case(
        "csi-keep0",
        mr.critical_success_index,
        {"threshold": 0.4, "keep_sequence_dim": 0},
        fields,
        tm_reference(tmr.critical_success_index, threshold=0.4, keep_sequence_dim=0),
        fixed_state=False,
        ordered=True,
    ),
    Case(
        "csi-keep1",
        mr.critical_success_index,
        {"threshold": 0.6, "keep_sequence_dim": 1},
        fields,
        tm_reference(tmr.critical_success_index, threshold=0.6, keep_sequence_dim=1),
        fixed_state=False,
        bad_inputs=[BadInput(lambda g: (torch.ones(4), torch.ones(4)), ValueError, "keep_sequence_dim=1 needs")],
        weighted=True,
    ),
    # continuous ranked probability score
    Case(
        "crps",
        mr.continuous_ranked_probability_score,
        {},
        ensembles,
        tm_reference(tmr.continuous_ranked_probability_score),
        bad_inputs=[
            BadInput(lambda g: (torch.ones(4, 3), torch.ones(3)), ValueError, r"preds of shape \(N, M\)"),
            BadInput(lambda g: (torch.ones(4, 1), torch.ones(4)), ValueError, "at least 2 ensemble members"),
            BadInput(lambda g: (_nan((4, 3))[0], torch.ones(4)), ValueError, "preds contains NaN", traced=True),
            BadInput(lambda g: ([1.0, 2.0], torch.ones(2)), TypeError, "preds must be a torch.Tensor"),
        ],
        weighted=True,
    ),
]
