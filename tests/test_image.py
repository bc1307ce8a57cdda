"""metrix.image beyond the catalogue: scikit-image and SciPy references, TorchMetrics with a
custom feature module, per-batch data ranges, stored maps, subset hashing, argument errors."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import scipy.linalg
import torch
import torchmetrics.functional.image as tmi
from skimage.metrics import peak_signal_noise_ratio as sk_psnr
from skimage.metrics import structural_similarity as sk_ssim
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.kid import KernelInceptionDistance
from torchmetrics.image.mifid import MemorizationInformedFrechetInceptionDistance

import metrix
from metrix import image as mi
from tests.catalogue._case import assert_close, gen


def _pair(seed: int = 0, shape: tuple[int, ...] = (6, 3, 24, 24)) -> tuple[torch.Tensor, torch.Tensor]:
    g = gen(seed)
    target = torch.rand(shape, generator=g)
    return (0.7 * target + 0.3 * torch.rand(shape, generator=g)), target


def _batched(metric: metrix.Metric, *inputs: torch.Tensor, cuts: tuple[int, ...] = (2, 5)) -> object:
    state = metric.init()
    bounds = [0, *cuts, inputs[0].shape[0]]
    for a, b in itertools.pairwise(bounds):
        state = metric.update(state, *(x[a:b] for x in inputs))
    return metric.compute(state)


# ----------------------------------------------------------------------------- scikit-image


def test_psnr_matches_scikit_image() -> None:
    preds, target = _pair(1)
    expected = sk_psnr(target.double().numpy(), preds.double().numpy(), data_range=1.0)
    assert_close(_batched(mi.peak_signal_noise_ratio(data_range=1.0), preds, target), expected, rtol=1e-10)


def test_ssim_maps_match_scikit_image_inside_the_border() -> None:
    # skimage pads with scipy's "reflect" (edge repeated), TorchMetrics and metrix with torch's
    # (edge not repeated): the maps agree wherever the 11x11 window stays inside the image
    preds, target = _pair(2, (3, 1, 32, 32))
    preds, target = preds.double(), target.double()
    _, maps = _batched(mi.structural_similarity_index_measure(data_range=1.0, return_full_image=True), preds, target)
    for i in range(3):
        _, full = sk_ssim(
            target[i, 0].numpy(),
            preds[i, 0].numpy(),
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            data_range=1.0,
            full=True,
        )
        np.testing.assert_allclose(maps[i, 0, 5:-5, 5:-5].numpy(), full[5:-5, 5:-5], rtol=1e-9, atol=1e-9)


# ----------------------------------------------------------------------------- SSIM options


def test_ssim_data_range_none_is_the_batch_range_as_in_torchmetrics() -> None:
    preds, target = _pair(3)
    got = mi.structural_similarity_index_measure()(preds, target)
    assert_close(got, tmi.structural_similarity_index_measure(preds, target), rtol=1e-5)
    got = mi.multiscale_structural_similarity_index_measure(betas=(0.5, 0.5), kernel_size=3)(preds, target)
    ref = tmi.multiscale_structural_similarity_index_measure(preds, target, betas=(0.5, 0.5), kernel_size=3)
    assert_close(got, ref, rtol=1e-5)


@pytest.mark.parametrize("option", ["return_full_image", "return_contrast_sensitivity"])
def test_ssim_returned_images_over_batches_and_merges(option: str) -> None:
    preds, target = _pair(4)
    m = mi.structural_similarity_index_measure(data_range=1.0, **{option: True})
    expected = tmi.structural_similarity_index_measure(preds, target, data_range=1.0, **{option: True})
    assert_close(_batched(m, preds, target), expected, atol=1e-5)
    a, b = m.update(m.init(), preds[:2], target[:2]), m.update(m.init(), preds[2:], target[2:])
    assert_close(m.compute(metrix.merge(a, b)), expected, atol=1e-5)
    value, images = m.compute(metrix.merge(b, a))  # other order: same value, images reordered
    assert_close(value, expected[0], atol=1e-6)
    assert_close(images[:4], expected[1][2:], atol=1e-5)


def test_uqi_maps_over_batches() -> None:
    preds, target = _pair(5)
    m = mi.universal_image_quality_index(reduction="none")
    assert_close(
        _batched(m, preds, target), tmi.universal_image_quality_index(preds, target, reduction="none"), atol=1e-5
    )
    with pytest.raises(ValueError, match="same image size"):
        m.update(m.update(m.init(), preds, target), *_pair(6, (2, 3, 20, 20)))


def test_vif_none_and_image_gradients() -> None:
    preds, target = _pair(7, (4, 2, 41, 41))
    got = _batched(mi.visual_information_fidelity(reduction="none"), preds, target, cuts=(1,))
    assert_close(got, tmi.visual_information_fidelity(preds, target, reduction="none"), rtol=1e-4)
    for ours, theirs in zip(mi.image_gradients(preds), tmi.image_gradients(preds)):
        assert torch.equal(ours, theirs)


def test_spectral_distortion_p2_and_psnrb_split_sums() -> None:
    g = gen(8)
    preds, ms = torch.rand(4, 3, 24, 24, generator=g), torch.rand(4, 3, 12, 12, generator=g)
    got = _batched(mi.spectral_distortion_index(p=2), preds, ms, cuts=(1, 3))
    assert_close(got, tmi.spectral_distortion_index(preds, ms, p=2), rtol=1e-4)
    # PSNR-B of the union, not a sum of per-batch blocking factors (TorchMetrics' class)
    gray = torch.zeros(4, 1, 16, 16)
    gray[..., 8:, :] = 1.0
    noisy = gray + 0.05 * torch.rand(4, 1, 16, 16, generator=g)
    got = _batched(mi.peak_signal_noise_ratio_with_blocked_effect(data_range=1.0), noisy, gray, cuts=(1,))
    assert_close(got, tmi.peak_signal_noise_ratio_with_blocked_effect(noisy, gray, data_range=1.0), rtol=1e-5)


@pytest.mark.parametrize(
    ("factory", "kwargs", "match"),
    [
        (mi.peak_signal_noise_ratio, {"data_range": 0.0}, "data_range must be a number > 0"),
        (mi.peak_signal_noise_ratio, {"data_range": -1}, "data_range must be a number > 0"),
        (mi.peak_signal_noise_ratio, {"data_range": (1.0, 0.0)}, "max > min"),
        (mi.structural_similarity_index_measure, {"data_range": 0}, "data_range"),
        (mi.structural_similarity_index_measure, {"kernel_size": 4}, "odd"),
        (mi.structural_similarity_index_measure, {"sigma": 0.0}, "sigma"),
        (mi.structural_similarity_index_measure, {"reduction": "mean"}, "reduction"),
        (
            mi.structural_similarity_index_measure,
            {"return_full_image": True, "return_contrast_sensitivity": True},
            "mutually exclusive",
        ),
        (mi.multiscale_structural_similarity_index_measure, {"normalize": "x"}, "normalize"),
        (mi.universal_image_quality_index, {"kernel_size": (4, 4)}, "odd"),
        (mi.total_variation, {"reduction": "elementwise_mean"}, "reduction"),
        (mi.error_relative_global_dimensionless_synthesis, {"ratio": 0}, "ratio"),
        (mi.root_mean_squared_error_using_sliding_window, {"window_size": 0}, "window_size"),
        (mi.spatial_correlation_coefficient, {"hp_filter": torch.ones(3)}, "2-d"),
        (mi.spectral_distortion_index, {"p": 0}, "p must be"),
        (mi.quality_with_no_reference, {"alpha": -1}, "alpha"),
        (mi.frechet_inception_distance, {"num_features": 0}, "num_features"),
        (mi.kernel_inception_distance, {"subset_size": 1}, "subset_size"),
        (mi.memorization_informed_frechet_inception_distance, {"cosine_distance_eps": 1.5}, "cosine_distance_eps"),
        (mi.inception_score, {"capacity": 0}, "capacity"),
    ],
)
def test_bad_arguments(factory, kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        factory(**kwargs)


@pytest.mark.parametrize(
    ("factory", "kwargs", "match"),
    [
        (mi.peak_signal_noise_ratio, {"data_range": None}, "data_range"),
        (mi.peak_signal_noise_ratio, {"data_range": 1.0, "dim": "x"}, "dim must be"),
        (mi.multiscale_structural_similarity_index_measure, {"betas": (1, 2)}, "tuple of floats"),
    ],
)
def test_arguments_of_a_wrong_type_are_type_errors(factory, kwargs, match) -> None:
    with pytest.raises(TypeError, match=match):
        factory(**kwargs)


def test_feature_extractor_must_be_callable() -> None:
    with pytest.raises(TypeError, match="feature_extractor must be a callable"):
        mi.frechet_inception_distance(feature_extractor=3)


# ----------------------------------------------------------------------------- FID and friends


class TinyExtractor(torch.nn.Module):
    """A small fixed network: images (N, 3, 16, 16) -> features (N, 12)."""

    num_features = 12

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.conv = torch.nn.Conv2d(3, 12, 5, stride=2)
        self.eval()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.conv(x.float())).mean(dim=(2, 3))


def _real_fake_images(n: int = 40) -> tuple[torch.Tensor, torch.Tensor]:
    g = gen(9)
    return torch.rand(n, 3, 16, 16, generator=g), (torch.rand(n, 3, 16, 16, generator=g) ** 2)


def test_fid_with_a_custom_extractor_matches_torchmetrics() -> None:
    net = TinyExtractor()
    real, fake = _real_fake_images()
    tm = FrechetInceptionDistance(feature=net)
    tm.update(real, real=True)
    tm.update(fake, real=False)
    m = mi.frechet_inception_distance(num_features=12, feature_extractor=net)
    state = m.update(m.update(m.init(), real[:15], real=True), real[15:], real=True)
    state = m.update(state, fake, real=False)
    assert_close(m.compute(state), tm.compute(), rtol=1e-3)


def test_fid_matches_scipy_sqrtm() -> None:
    g = gen(10)
    x = torch.randn(200, 10, generator=g, dtype=torch.float64) @ torch.randn(10, 10, generator=g, dtype=torch.float64)
    y = x[:100] * 1.3 + 0.2
    m = mi.frechet_inception_distance(num_features=10)
    value = m.compute(m.update(m.update(m.init(), x[100:], True), y, False))
    s1, s2 = np.cov(x[100:].numpy().T), np.cov(y.numpy().T)
    mu = x[100:].numpy().mean(0) - y.numpy().mean(0)
    expected = mu @ mu + np.trace(s1) + np.trace(s2) - 2 * np.trace(scipy.linalg.sqrtm(s1 @ s2).real)
    assert_close(value, expected, rtol=1e-9)


def test_fid_needs_two_samples_of_each() -> None:
    m = mi.frechet_inception_distance(num_features=3)
    state = m.update(m.init(), torch.randn(5, 3), real=True)
    with pytest.raises(ValueError, match="more than one sample"):
        m.compute(state)


def test_kid_and_mifid_with_a_custom_extractor() -> None:
    net = TinyExtractor()
    real, fake = _real_fake_images()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm_kid = KernelInceptionDistance(feature=net, subsets=2, subset_size=40)
    tm_mifid = MemorizationInformedFrechetInceptionDistance(feature=net, cosine_distance_eps=0.5)
    for tm in (tm_kid, tm_mifid):
        tm.update(real, real=True)
        tm.update(fake, real=False)
    kid = mi.kernel_inception_distance(num_features=12, subsets=2, subset_size=40, feature_extractor=net)
    mifid = mi.memorization_informed_frechet_inception_distance(
        num_features=12, cosine_distance_eps=0.5, feature_extractor=net
    )
    for m, tm, rtol in ((kid, tm_kid, 1e-3), (mifid, tm_mifid, 1e-3)):
        mask = torch.cat([torch.ones(40, dtype=torch.bool), torch.zeros(40, dtype=torch.bool)])
        assert_close(m(torch.cat([real, fake]), mask), tm.compute(), rtol=rtol, atol=1e-6)


def test_kid_subsets_depend_only_on_the_set_of_samples() -> None:
    g = gen(11)
    x, real = torch.randn(60, 4, generator=g), torch.arange(60) % 3 == 0
    m = mi.kernel_inception_distance(num_features=4, subsets=5, subset_size=10)
    value = m(x, real)
    perm = torch.randperm(60, generator=g)
    assert_close(m(x[perm], real[perm]), value, atol=0, rtol=0)
    assert_close(m(x, real), value, atol=0, rtol=0)  # compute is deterministic
    other_seed = mi.kernel_inception_distance(num_features=4, subsets=5, subset_size=10, seed=3)(x, real)
    assert not torch.equal(other_seed[0], value[0])


def test_kid_subsets_are_spread_over_the_samples() -> None:
    # the hash picks every sample about equally often over many subsets
    from metrix.image._features import hash_coefficients
    from metrix.image._kid import subset_indices

    x = torch.randn(40, 3, generator=gen(12), dtype=torch.float64)
    idx = subset_indices(x, torch.ones(40, dtype=torch.bool), 10, hash_coefficients(3, 0), hash_coefficients(4000, 1))
    counts = torch.bincount(idx.reshape(-1), minlength=40).double()
    assert all(len(set(row.tolist())) == 10 for row in idx)
    assert counts.min() > 0.7 * 500 and counts.max() < 1.3 * 500, counts


def test_inception_score_is_order_invariant_and_kid_overflows_loudly() -> None:
    logits = torch.randn(30, 7, generator=gen(13))
    m = mi.inception_score(splits=4, num_features=7)
    assert_close(m(logits.flip(0)), m(logits), atol=1e-12, rtol=1e-12)  # sums in another order
    kid = mi.kernel_inception_distance(num_features=7, subset_size=2, capacity=8)
    with pytest.raises(ValueError, match="capacity"):
        kid.update(kid.init(), logits[:10], True)
