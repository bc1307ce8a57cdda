"""Catalogue entries for metrix.clustering (reference: TorchMetrics functionals; SciPy for cluster accuracy).

TorchMetrics' ``cluster_accuracy`` needs the ``torch_linear_assignment`` extension,
which is not installable here, so its oracle is the same definition with
``scipy.optimize.linear_sum_assignment`` on the confusion matrix.
"""

from __future__ import annotations

import numpy as np
import torch
import torchmetrics.functional.clustering as tmc
from scipy.optimize import linear_sum_assignment

from metrix import clustering as mc
from tests.catalogue._case import BadInput, Case, tm_reference

K = 4  # clusters / classes in the generated labels


def labels(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    target = torch.randint(0, K, (n,), generator=g)
    noise = torch.randint(0, K, (n,), generator=g)
    preds = torch.where(torch.rand(n, generator=g) < 0.6, (target + 1) % K, noise)
    return preds, target


def labels_unequal(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """3 classes against 5 clusters."""
    target = torch.randint(0, 3, (n,), generator=g)
    preds = torch.where(torch.rand(n, generator=g) < 0.5, target * 2 % 5, torch.randint(0, 5, (n,), generator=g))
    return preds, target


def labels_any(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Arbitrary integer labels (negative, sparse), int32: only stored labels take these."""
    preds, target = labels(g, n)
    return (preds * 7 - 3).to(torch.int32), (target * 100 - 50).to(torch.int32)


def clustered(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows around 3 centres, labels cycling 0, 1, 2 (any two consecutive rows hold two clusters)."""
    y = torch.arange(n) % 3
    centres = torch.tensor([[0.0, 0.0, 0.0], [3.0, 1.0, 0.0], [0.0, 4.0, 2.0]])
    return centres[y] + torch.randn(n, 3, generator=g), y


def clustered_offset(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    x, y = clustered(g, n)
    return (x + 50.0).to(torch.float64), y * 5 + 2  # sparse labels


def _cluster_accuracy_scipy(preds: torch.Tensor, target: torch.Tensor, num_classes: int) -> torch.Tensor:
    confmat = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(confmat, (target.numpy(), preds.numpy()), 1)
    rows, cols = linear_sum_assignment(confmat, maximize=True)
    return torch.tensor(confmat[rows, cols].sum() / confmat.sum(), dtype=torch.float64)


# ----------------------------------------------------------------------------- bad inputs

LABEL_BAD = [
    BadInput(lambda g: (torch.zeros(4, dtype=torch.long), torch.zeros(5, dtype=torch.long)), ValueError, "same shape"),
    BadInput(lambda g: (torch.zeros(4), torch.zeros(4, dtype=torch.long)), TypeError, "integer cluster labels"),
    BadInput(lambda g: (torch.zeros(4, 2, dtype=torch.long), torch.zeros(4, 2, dtype=torch.long)), ValueError, "1-d"),
    BadInput(lambda g: ([0, 1], torch.zeros(2, dtype=torch.long)), TypeError, "preds must be a torch.Tensor"),
]
FIXED_BAD = [
    *LABEL_BAD,
    BadInput(
        lambda g: (torch.tensor([0, 1, 9, 2]), torch.zeros(4, dtype=torch.long)),
        ValueError,
        "num_clusters=",
        traced=True,
    ),
    BadInput(
        lambda g: (torch.zeros(4, dtype=torch.long), torch.tensor([0, -1, 2, 3])),
        ValueError,
        "num_classes=",
        traced=True,
    ),
]


def _nan_data(g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.zeros(4, 3)
    x[1, 2] = torch.nan
    return x, torch.tensor([0, 1, 0, 1])


DATA_BAD = [
    BadInput(_nan_data, ValueError, "data contains NaN"),
    BadInput(
        lambda g: (torch.zeros(4, 3, dtype=torch.long), torch.zeros(4, dtype=torch.long)), TypeError, "floating point"
    ),
    BadInput(lambda g: (torch.zeros(4, 3), torch.zeros(5, dtype=torch.long)), ValueError, "one label per row"),
    BadInput(lambda g: (torch.zeros(4), torch.zeros(4, dtype=torch.long)), ValueError, "2-d"),
    BadInput(lambda g: (torch.zeros(4, 3), torch.zeros(4)), TypeError, "integer cluster labels"),
]
DATA_FIXED_BAD = [
    *DATA_BAD[1:],
    BadInput(_nan_data, ValueError, "data contains NaN", traced=True),
    BadInput(lambda g: (torch.zeros(4, 2), torch.zeros(4, dtype=torch.long)), ValueError, "num_features=3"),
    BadInput(lambda g: (torch.zeros(4, 3), torch.tensor([0, 1, 3, 0])), ValueError, "num_clusters=3", traced=True),
]


def _extrinsic(name: str, fn, ref, *, kwargs=None, fixed_kwargs=None, bad=True, **case_options) -> list[Case]:
    """A stored-labels case on arbitrary labels and a fixed-table case, both against the same oracle."""
    kwargs = kwargs or {}
    return [
        Case(
            name,
            fn,
            kwargs,
            labels_any,
            ref,
            fixed_state=False,
            bad_inputs=LABEL_BAD if bad else (),
            **case_options,
        ),
        Case(
            f"{name}-fixed",
            fn,
            {**kwargs, "num_classes": K, **(fixed_kwargs or {})},
            labels,
            ref,
            bad_inputs=FIXED_BAD if bad else (),
            **case_options,
        ),
    ]


CASES = [
    *_extrinsic("mutual_info", mc.mutual_info_score, tm_reference(tmc.mutual_info_score)),
    *_extrinsic(
        "nmi-geometric",
        mc.normalized_mutual_info_score,
        tm_reference(tmc.normalized_mutual_info_score, "geometric"),
        kwargs={"average_method": "geometric"},
        bad=False,
    ),
    Case(
        "nmi-min-unequal",
        mc.normalized_mutual_info_score,
        {"average_method": "min", "num_classes": 3, "num_clusters": 5},
        labels_unequal,
        tm_reference(tmc.normalized_mutual_info_score, "min"),
    ),
    *_extrinsic(
        "ami",
        mc.adjusted_mutual_info_score,
        tm_reference(tmc.adjusted_mutual_info_score),
        bad=False,
        # E[MI] is a data-dependent sum: compute runs eagerly (update is the shared table, traced elsewhere)
        compile=False,
        vmap=False,
    ),
    Case(
        "ami-max-unequal",
        mc.adjusted_mutual_info_score,
        {"average_method": "max", "num_classes": 3, "num_clusters": 5},
        labels_unequal,
        tm_reference(tmc.adjusted_mutual_info_score, "max"),
        compile=False,
        vmap=False,
    ),
    *_extrinsic("homogeneity", mc.homogeneity_score, tm_reference(tmc.homogeneity_score), bad=False),
    *_extrinsic("completeness", mc.completeness_score, tm_reference(tmc.completeness_score), bad=False),
    *_extrinsic(
        "v_measure-beta2",
        mc.v_measure_score,
        tm_reference(tmc.v_measure_score, beta=2.0),
        kwargs={"beta": 2.0},
        bad=False,
    ),
    Case(
        "v_measure-unequal",
        mc.v_measure_score,
        {"num_clusters": 5, "num_classes": 3},
        labels_unequal,
        tm_reference(tmc.v_measure_score),
    ),
    *_extrinsic("rand", mc.rand_score, tm_reference(tmc.rand_score), bad=False),
    *_extrinsic("ari", mc.adjusted_rand_score, tm_reference(tmc.adjusted_rand_score)),
    *_extrinsic("fmi", mc.fowlkes_mallows_index, tm_reference(tmc.fowlkes_mallows_index), bad=False),
    Case(
        "cluster_accuracy",
        mc.cluster_accuracy,
        {"num_classes": K},
        labels,
        lambda p, t: _cluster_accuracy_scipy(p, t, K),
        bad_inputs=FIXED_BAD,
    ),
    # intrinsic
    Case(
        "calinski_harabasz",
        mc.calinski_harabasz_score,
        {},
        clustered_offset,
        tm_reference(tmc.calinski_harabasz_score),
        fixed_state=False,
        rtol=1e-4,
        bad_inputs=DATA_BAD,
    ),
    Case(
        "calinski_harabasz-fixed",
        mc.calinski_harabasz_score,
        {"num_clusters": 3, "num_features": 3},
        clustered,
        tm_reference(tmc.calinski_harabasz_score),
        rtol=1e-4,
        bad_inputs=DATA_FIXED_BAD,
    ),
    Case(
        "davies_bouldin",
        mc.davies_bouldin_score,
        {},
        clustered_offset,
        tm_reference(tmc.davies_bouldin_score),
        fixed_state=False,
        rtol=1e-4,
        bad_inputs=DATA_BAD,
    ),
    Case(
        "dunn",
        mc.dunn_index,
        {},
        clustered,
        tm_reference(tmc.dunn_index),
        fixed_state=False,
        rtol=1e-4,
        bad_inputs=DATA_BAD[:1],
    ),
    Case(
        "dunn-p1",
        mc.dunn_index,
        {"p": 1},
        clustered_offset,
        tm_reference(tmc.dunn_index, p=1),
        fixed_state=False,
        rtol=1e-4,
    ),
]
