"""Catalogue entries for FID, KID, IS and MiFID from features.

References: TorchMetrics' classes given an identity feature module (they take features
as "images"). KID and IS pick subsets by a hash of the features instead of
``torch.randperm``: their references run TorchMetrics' own kernel (``poly_mmd``) and its
``InceptionScore.compute`` on the same subsets / order (test_image.py checks the hash).
"""

from __future__ import annotations

import warnings
from unittest import mock

import torch
import torchmetrics.image.inception as tm_inception
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.kid import poly_mmd
from torchmetrics.image.mifid import MemorizationInformedFrechetInceptionDistance

from metrix import image as mi
from metrix.image._features import hash_coefficients, stored_samples
from metrix.image._inception_score import content_order
from metrix.image._kid import subset_indices
from tests.catalogue._case import BadInput, Case

D = 6


class Identity(torch.nn.Module):
    """Features in, features out (TorchMetrics' metrics then take features as images)."""

    num_features = D

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


def features(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    real = torch.arange(n) % 2 == 0  # any 4 consecutive samples hold 2 real and 2 generated
    mix = torch.randn(D, D, generator=g) / 2 + torch.eye(D)
    x = torch.randn(n, D, generator=g) @ mix
    return x + 0.4 * (~real).unsqueeze(1), real


def logits(g: torch.Generator, n: int) -> tuple[torch.Tensor]:
    return (2 * torch.randn(n, 5, generator=g),)


def _tm_two_sample(metric_cls, **kw):
    def ref(x, real):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = metric_cls(feature=Identity(), **kw)
        m.update(x[real], real=True)
        m.update(x[~real], real=False)
        return m.compute()

    return ref


def _kid_reference(subsets: int, subset_size: int, seed: int = 0, **kw):
    metric = mi.kernel_inception_distance(num_features=D, subsets=subsets, subset_size=subset_size, seed=seed)

    def ref(x, real):
        feats, r, f = stored_samples(metric.update(metric.init(), x, real).samples)
        row, real_coef, fake_coef = (
            hash_coefficients(D, seed),
            hash_coefficients(2 * subsets, seed + 1),
            hash_coefficients(2 * subsets, seed + 2),
        )
        idx_r = subset_indices(feats, r, subset_size, row, real_coef)
        idx_f = subset_indices(feats, f, subset_size, row, fake_coef)
        scores = torch.stack([poly_mmd(feats[idx_r[i]], feats[idx_f[i]], **kw) for i in range(subsets)])
        return scores.mean(), scores.std(unbiased=False)

    return ref


def _is_reference(splits: int):
    def ref(x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tm = tm_inception.InceptionScore(feature=Identity(), splits=splits)
        valid = torch.ones(x.shape[0], dtype=torch.bool)
        order = torch.argsort(content_order(x.double(), valid, hash_coefficients(x.shape[1], 0)))
        tm.update(x.double())
        with mock.patch.object(tm_inception.torch, "randperm", lambda n: order):
            return tm.compute()

    return ref


def _bad_features() -> list[BadInput]:
    return [
        BadInput(lambda g: (torch.randn(4, D + 1), torch.ones(4, dtype=torch.bool)), ValueError, "num_features="),
        BadInput(lambda g: (torch.randn(4, D), torch.ones(3, dtype=torch.bool)), ValueError, "one flag per sample"),
        BadInput(lambda g: (torch.randn(4, D), torch.ones(4)), TypeError, "real must be a bool"),
        BadInput(lambda g: (torch.randn(4), True), ValueError, "features must be 2-d"),
        BadInput(
            lambda g: (torch.full((4, D), float("nan")), torch.ones(4, dtype=torch.bool)),
            ValueError,
            "features contains NaN",
            traced=True,
        ),
    ]


CASES = [
    Case(
        "fid",
        mi.frechet_inception_distance,
        {"num_features": D},
        features,
        _tm_two_sample(FrechetInceptionDistance),
        rtol=1e-4,
        atol=1e-5,
        bad_inputs=_bad_features(),
    ),
    Case(
        "kid",
        mi.kernel_inception_distance,
        {"num_features": D, "subsets": 3, "subset_size": 2},
        features,
        _kid_reference(3, 2),
        fixed_state=False,
        bad_inputs=_bad_features()[:4],
    ),
    Case(
        "kid-buffer",
        mi.kernel_inception_distance,
        {"num_features": D, "subsets": 4, "subset_size": 2, "degree": 2, "coef": 0.5, "capacity": 64},
        features,
        _kid_reference(4, 2, degree=2, coef=0.5),
        n=48,
        bad_inputs=_bad_features(),
    ),
    Case(
        "inception-score",
        mi.inception_score,
        {"splits": 3, "num_features": 5},
        logits,
        _is_reference(3),
        fixed_state=False,
        bad_inputs=[BadInput(lambda g: (torch.randn(4, 6),), ValueError, "num_features=")],
    ),
    Case(
        "inception-score-buffer",
        mi.inception_score,
        {"splits": 1, "num_features": 5, "capacity": 64},
        logits,
        _is_reference(1),
        n=48,
    ),
    Case(
        "mifid",
        mi.memorization_informed_frechet_inception_distance,
        {"num_features": D, "cosine_distance_eps": 0.9},
        features,
        _tm_two_sample(MemorizationInformedFrechetInceptionDistance, cosine_distance_eps=0.9),
        rtol=1e-4,
        fixed_state=False,
        bad_inputs=_bad_features()[:4],
    ),
    Case(
        "mifid-buffer",
        mi.memorization_informed_frechet_inception_distance,
        {"num_features": D, "capacity": 64},
        features,
        _tm_two_sample(MemorizationInformedFrechetInceptionDistance),
        rtol=1e-4,
        n=48,
    ),
]
