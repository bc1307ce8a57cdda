"""Score-based classification families return float64: float64 scores keep every digit, and gradcheck passes.

Hinge loss, calibration error, label ranking and group fairness accumulate float64 sums
(or int64 counts) and return them in float64 whatever the input's dtype (TorchMetrics:
the input's dtype for hinge loss and binary calibration error, float32 for the others).
Where the value is differentiable in the scores (hinge loss, calibration error: piecewise
smooth), ``torch.autograd.gradcheck`` passes through ``update`` and ``compute``; ranking
and fairness values are piecewise constant in the scores (orders, thresholded counts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch
import torchmetrics.functional.classification as tmf

import metrix
from metrix import classification as mc
from tests.catalogue._case import assert_close, gen

N, C = 24, 4
_g = gen(23)
P_BIN = (0.05 + 0.9 * torch.rand(N, generator=_g)).double()
T_BIN = torch.randint(0, 2, (N,), generator=_g)
LOGITS_BIN = torch.randn(N, generator=_g).double() * 3
P_MC = torch.randn(N, C, generator=_g).double().softmax(-1)
LOGITS_MC = torch.randn(N, C, generator=_g).double() * 2
T_MC = torch.randint(0, C, (N,), generator=_g)
P_ML = torch.rand(N, C, generator=_g).double()
T_ML = torch.randint(0, 2, (N, C), generator=_g)
GROUPS = torch.arange(N) % 3

DIFFERENTIABLE: list[tuple[str, Callable[[], metrix.Metric], torch.Tensor, torch.Tensor]] = [
    ("binary_hinge", lambda: mc.binary_hinge_loss(), P_BIN, T_BIN),
    (
        "binary_hinge-squared-logits",
        lambda: mc.binary_hinge_loss(squared=True, input_format="logits"),
        LOGITS_BIN,
        T_BIN,
    ),
    ("multiclass_hinge", lambda: mc.multiclass_hinge_loss(C), P_MC, T_MC),
    ("multiclass_hinge-one-vs-all", lambda: mc.multiclass_hinge_loss(C, multiclass_mode="one-vs-all"), P_MC, T_MC),
    ("multiclass_hinge-logits-ignore", lambda: mc.multiclass_hinge_loss(C, ignore_index=0), LOGITS_MC, T_MC),
    ("binary_calibration-l1", lambda: mc.binary_calibration_error(n_bins=5), P_BIN, T_BIN),
    ("binary_calibration-l2", lambda: mc.binary_calibration_error(n_bins=5, norm="l2"), P_BIN, T_BIN),
    ("binary_calibration-max", lambda: mc.binary_calibration_error(n_bins=5, norm="max"), P_BIN, T_BIN),
    ("multiclass_calibration-l1", lambda: mc.multiclass_calibration_error(C, n_bins=5), P_MC, T_MC),
    ("multiclass_calibration-l2-logits", lambda: mc.multiclass_calibration_error(C, norm="l2"), LOGITS_MC, T_MC),
]

PIECEWISE_CONSTANT: list[tuple[str, Callable[[], metrix.Metric], tuple[Any, ...]]] = [
    ("coverage_error", lambda: mc.multilabel_coverage_error(C), (P_ML, T_ML)),
    ("ranking_average_precision", lambda: mc.multilabel_ranking_average_precision(C), (P_ML, T_ML)),
    ("ranking_loss", lambda: mc.multilabel_ranking_loss(C), (P_ML, T_ML)),
    ("groups_stat_rates", lambda: mc.binary_groups_stat_rates(3), (P_BIN, T_BIN, GROUPS)),
    ("fairness", lambda: mc.binary_fairness(3), (P_BIN, T_BIN, GROUPS)),
    ("demographic_parity", lambda: mc.demographic_parity(3), (P_BIN, GROUPS)),
    ("equal_opportunity", lambda: mc.equal_opportunity(3), (P_BIN, T_BIN, GROUPS)),
]


def _floats(value: Any) -> list[torch.Tensor]:
    values = value.values() if isinstance(value, dict) else [value]
    return [v for v in values if v.is_floating_point()]


@pytest.mark.parametrize(
    ("build", "preds", "target"), [p[1:] for p in DIFFERENTIABLE], ids=[p[0] for p in DIFFERENTIABLE]
)
def test_gradcheck_through_update_and_compute(build: Callable[[], metrix.Metric], preds: Any, target: Any) -> None:
    m = build()
    assert m(preds, target).dtype == torch.float64
    p = preds.clone().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda x: m.compute(m.update(m.init(), x, target)), (p,))
    # the gradient is not trivially zero: the value moves with the scores
    (grad,) = torch.autograd.grad(m(p, target).sum(), p)
    assert grad.abs().sum() > 0


@pytest.mark.parametrize(
    ("build", "inputs"), [p[1:] for p in PIECEWISE_CONSTANT], ids=[p[0] for p in PIECEWISE_CONSTANT]
)
def test_ranking_and_fairness_return_float64(build: Callable[[], metrix.Metric], inputs: tuple[Any, ...]) -> None:
    m = build()
    for dtype in (torch.float64, torch.float32):
        value = m(*(x.to(dtype) if x.is_floating_point() else x for x in inputs))
        assert all(v.dtype == torch.float64 for v in _floats(value)), value


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_every_input_dtype_gives_float64_with_torchmetrics_values(dtype: torch.dtype) -> None:
    p, t = P_BIN.to(dtype), T_BIN
    got = mc.binary_hinge_loss()(p, t)
    assert got.dtype == torch.float64
    expected = tmf.binary_hinge_loss(p, t)  # TorchMetrics: the input's dtype, with its rounding
    assert expected.dtype == dtype
    tol = {torch.float32: 1e-6, torch.float16: 2e-3, torch.bfloat16: 2e-2}[dtype]
    assert_close(got, expected, atol=tol, rtol=tol)
    assert_close(
        mc.binary_calibration_error(n_bins=5)(p, t), tmf.binary_calibration_error(p, t, n_bins=5), atol=tol, rtol=tol
    )


def test_float64_scores_keep_digits_float32_would_lose() -> None:
    # a hinge loss whose terms differ below float32's resolution
    p = torch.full((4,), 0.5, dtype=torch.float64) + torch.tensor([1e-9, 2e-9, 3e-9, 4e-9], dtype=torch.float64)
    t = torch.ones(4, dtype=torch.long)
    assert mc.binary_hinge_loss()(p, t).item() == pytest.approx(0.5 - 2.5e-9, abs=1e-15)
