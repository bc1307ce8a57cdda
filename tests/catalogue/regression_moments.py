"""Catalogue entries for the moment- and rank-based regression metrics.

Reference: the TorchMetrics functional of the same name. Inputs are float32 near zero
(where TorchMetrics' float32 arithmetic is accurate) or float64; float32 cases get a
float32-sized tolerance.
"""

from __future__ import annotations

import torch
import torchmetrics.functional.regression as tmf

from metrix import regression as mr
from tests.catalogue._case import BadInput, Case

F32_TOL = {"atol": 2e-5, "rtol": 1e-4}


def _single(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    target = torch.randn(n, generator=g) * 2 + 1
    return target + torch.randn(n, generator=g), target


def _multi(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    target = torch.randn(n, 3, generator=g, dtype=torch.float64) * torch.tensor([1.0, 3.0, 0.5], dtype=torch.float64)
    return target + torch.randn(n, 3, generator=g, dtype=torch.float64), target


def _column(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    preds, target = _single(g, n)
    return preds[:, None], target[:, None]


def _positive(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    target = torch.rand(n, generator=g, dtype=torch.float64) * 4 + 1
    return target + torch.randn(n, generator=g, dtype=torch.float64) * 0.3, target


def _positive_multi(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    target = torch.rand(n, 2, generator=g, dtype=torch.float64) * 4 + 1
    return target + torch.randn(n, 2, generator=g, dtype=torch.float64) * 0.3, target


def _ties(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    target = torch.randint(0, 5, (n,), generator=g).float()
    return (target + torch.randint(-1, 2, (n,), generator=g)).float(), target


def _ties_multi(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    target = torch.randint(0, 6, (n, 2), generator=g).double()
    return target + torch.randint(-2, 3, (n, 2), generator=g).double(), target


def _squeeze(fn):
    return lambda *a: fn(*a).squeeze()


def _bad(num_outputs: int = 1) -> list[BadInput]:
    shape = (4,) if num_outputs == 1 else (4, num_outputs)
    wrong = (4, num_outputs + 1)
    nan = torch.zeros(shape)
    nan.view(-1)[1] = float("nan")
    return [
        BadInput(lambda g: (torch.zeros(shape), torch.zeros(5)), ValueError, "same shape"),
        BadInput(lambda g: (torch.zeros(wrong), torch.zeros(wrong)), ValueError, "num_outputs"),
        BadInput(lambda g: (nan, torch.zeros(shape)), ValueError, "NaN", traced=True),
        BadInput(lambda g: (torch.zeros(shape), torch.full(shape, float("inf"))), ValueError, "NaN", traced=True),
        BadInput(lambda g: ([0.0] * 4, torch.zeros(shape)), TypeError, "preds must be a torch.Tensor"),
    ]


CASES = [
    # --- correlation moments
    Case(
        "pearson", mr.pearson_corrcoef, {}, _single, tmf.pearson_corrcoef, **F32_TOL, bad_inputs=_bad(), weighted=True
    ),
    Case("pearson-column", mr.pearson_corrcoef, {}, _column, _squeeze(tmf.pearson_corrcoef), **F32_TOL, weighted=True),
    Case(
        "pearson-multi",
        mr.pearson_corrcoef,
        {"num_outputs": 3},
        _multi,
        tmf.pearson_corrcoef,
        bad_inputs=_bad(3),
        weighted=True,
    ),
    Case(
        "concordance",
        mr.concordance_corrcoef,
        {},
        _single,
        _squeeze(tmf.concordance_corrcoef),
        **F32_TOL,
        bad_inputs=_bad(),
        weighted=True,
    ),
    Case(
        "concordance-multi",
        mr.concordance_corrcoef,
        {"num_outputs": 3},
        _multi,
        tmf.concordance_corrcoef,
        weighted=True,
    ),
    # --- residual moments
    Case("r2", mr.r2_score, {}, _single, tmf.r2_score, **F32_TOL, bad_inputs=_bad(), weighted=True),
    Case(
        "r2-adjusted",
        mr.r2_score,
        {"adjusted": 2},
        _single,
        lambda p, t: tmf.r2_score(p, t, adjusted=2),
        **F32_TOL,
        weighted=True,
    ),
    *[
        Case(
            f"r2-multi-{mo}",
            mr.r2_score,
            {"multioutput": mo, "num_outputs": 3},
            _multi,
            lambda p, t, mo=mo: tmf.r2_score(p, t, multioutput=mo),
            bad_inputs=_bad(3) if mo == "raw_values" else (),
            weighted=True,
        )
        for mo in ("raw_values", "uniform_average", "variance_weighted")
    ],
    Case(
        "r2-multi-adjusted",
        mr.r2_score,
        {"adjusted": 2, "multioutput": "variance_weighted", "num_outputs": 3},
        _multi,
        lambda p, t: tmf.r2_score(p, t, adjusted=2, multioutput="variance_weighted"),
        weighted=True,
    ),
    Case(
        "explained_variance",
        mr.explained_variance,
        {},
        _single,
        tmf.explained_variance,
        **F32_TOL,
        bad_inputs=_bad(),
        weighted=True,
    ),
    *[
        Case(
            f"explained_variance-multi-{mo}",
            mr.explained_variance,
            {"multioutput": mo, "num_outputs": 3},
            _multi,
            lambda p, t, mo=mo: tmf.explained_variance(p, t, multioutput=mo),
            weighted=True,
        )
        for mo in ("raw_values", "uniform_average", "variance_weighted")
    ],
    Case(
        "rse",
        mr.relative_squared_error,
        {},
        _single,
        tmf.relative_squared_error,
        **F32_TOL,
        bad_inputs=_bad(),
        weighted=True,
    ),
    Case(
        "rse-root",
        mr.relative_squared_error,
        {"squared": False},
        _single,
        lambda p, t: tmf.relative_squared_error(p, t, squared=False),
        **F32_TOL,
        weighted=True,
    ),
    Case(
        "rse-multi",
        mr.relative_squared_error,
        {"squared": False, "num_outputs": 3},
        _multi,
        lambda p, t: tmf.relative_squared_error(p, t, squared=False),
        weighted=True,
    ),
    *[
        Case(
            f"nrmse-{norm}",
            mr.normalized_root_mean_squared_error,
            {"normalization": norm},
            _positive,
            lambda p, t, norm=norm: tmf.normalized_root_mean_squared_error(p, t, normalization=norm),
            bad_inputs=[BadInput(lambda g: (torch.zeros(4), torch.zeros(5)), ValueError, "same shape")],
            weighted=True,
        )
        for norm in ("mean", "range", "std", "l2")
    ],
    *[
        Case(
            f"nrmse-multi-{norm}",
            mr.normalized_root_mean_squared_error,
            {"normalization": norm, "num_outputs": 2},
            _positive_multi,
            lambda p, t, norm=norm: tmf.normalized_root_mean_squared_error(p, t, normalization=norm, num_outputs=2),
            bad_inputs=_bad(2),
            weighted=True,
        )
        for norm in ("mean", "range", "std", "l2")
    ],
    # --- rank correlations (samples kept): growing eager storage, and a fixed-capacity buffer
    Case(
        "spearman",
        mr.spearman_corrcoef,
        {},
        _single,
        tmf.spearman_corrcoef,
        **F32_TOL,
        fixed_state=False,
        bad_inputs=[
            *_bad(),
            BadInput(lambda g: (torch.zeros(4, dtype=torch.long), torch.zeros(4)), TypeError, "floating point"),
        ],
    ),
    Case("spearman-ties", mr.spearman_corrcoef, {}, _ties, tmf.spearman_corrcoef, **F32_TOL, fixed_state=False),
    Case(
        "spearman-capacity",
        mr.spearman_corrcoef,
        {"capacity": 64},
        _ties,
        tmf.spearman_corrcoef,
        **F32_TOL,
        bad_inputs=_bad(),
    ),
    Case(
        "spearman-multi-capacity",
        mr.spearman_corrcoef,
        {"num_outputs": 2, "capacity": 64},
        _ties_multi,
        tmf.spearman_corrcoef,
        **F32_TOL,
    ),
]

for _variant in ("a", "b", "c"):
    CASES += [
        Case(
            f"kendall-{_variant}",
            mr.kendall_rank_corrcoef,
            {"variant": _variant},
            _ties,
            lambda p, t, v=_variant: tmf.kendall_rank_corrcoef(p, t, variant=v),
            **F32_TOL,
            fixed_state=False,
            bad_inputs=_bad() if _variant == "b" else (),
        ),
        Case(
            f"kendall-{_variant}-capacity-multi",
            mr.kendall_rank_corrcoef,
            {"variant": _variant, "num_outputs": 2, "capacity": 64},
            _ties_multi,
            lambda p, t, v=_variant: tmf.kendall_rank_corrcoef(p, t, variant=v),
            **F32_TOL,
            bad_inputs=_bad(2) if _variant == "b" else (),
        ),
    ]
    for _alt in ("two-sided", "less", "greater"):
        CASES.append(
            Case(
                f"kendall-{_variant}-ttest-{_alt}",
                mr.kendall_rank_corrcoef,
                {"variant": _variant, "t_test": True, "alternative": _alt, "capacity": 64},
                _ties,
                lambda p, t, v=_variant, a=_alt: tmf.kendall_rank_corrcoef(p, t, variant=v, t_test=True, alternative=a),
                **F32_TOL,
            )
        )
CASES.append(
    Case(
        "kendall-b-ttest-continuous",
        mr.kendall_rank_corrcoef,
        {"t_test": True},
        _single,
        lambda p, t: tmf.kendall_rank_corrcoef(p, t, t_test=True),
        **F32_TOL,
        fixed_state=False,
    )
)
