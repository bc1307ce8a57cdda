"""Catalogue entries for metrix.shape (reference: TorchMetrics' procrustes_disparity functional and class).

``return_all=True`` (a tuple of per-sample values) is checked in tests/test_shape.py: the
merge law compares ordered values by sorting one tensor.
"""

from __future__ import annotations

import torch
import torchmetrics.functional.shape as tms
import torchmetrics.shape as tms_classes

from metrix import shape as ms
from tests.catalogue._case import BadInput, Case, tm_reference


def clouds(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    a = torch.randn(n, 6, 3, generator=g)
    rotation = torch.linalg.qr(torch.randn(n, 3, 3, generator=g)).Q
    b = 1.5 * a @ rotation + 0.2 * torch.randn(n, 6, 3, generator=g) + 1.0
    return a, b


def _class(reduction: str):
    def ref(a, b):
        m = tms_classes.ProcrustesDisparity(reduction=reduction)
        m.update(a, b)
        return m.compute()

    return ref


def _nan(g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    a = torch.randn(2, 4, 3, generator=g)
    a[0, 1, 2] = torch.nan
    return a, torch.randn(2, 4, 3, generator=g)


BAD = [
    BadInput(lambda g: (torch.zeros(2, 4, 3), torch.zeros(2, 5, 3)), ValueError, "same shape"),
    BadInput(lambda g: (torch.zeros(4, 3), torch.zeros(4, 3)), ValueError, "3-d"),
    BadInput(_nan, ValueError, "point_cloud1 contains NaN"),
]

CASES = [
    Case(
        "procrustes",
        ms.procrustes_disparity,
        {},
        clouds,
        tm_reference(tms.procrustes_disparity),
        fixed_state=False,
        ordered=True,
        bad_inputs=BAD,
    ),
    Case(
        "procrustes-mean",
        ms.procrustes_disparity,
        {"reduction": "mean"},
        clouds,
        _class("mean"),
        bad_inputs=[*BAD[:2], BadInput(_nan, ValueError, "point_cloud1 contains NaN", traced=True)],
    ),
    Case("procrustes-sum", ms.procrustes_disparity, {"reduction": "sum"}, clouds, _class("sum"), rtol=1e-4),
]
