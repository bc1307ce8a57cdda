"""metrix.audio beyond the catalogue: the assignment solver against SciPy, permutations,
complex spectrograms, the host-side PESQ/STOI wrappers over fixed splits, argument errors."""

from __future__ import annotations

import itertools

import pytest
import torch
import torchmetrics.functional.audio as tma
from scipy.optimize import linear_sum_assignment as scipy_lsa

import metrix
from metrix import audio as ma
from metrix._linear_assignment import linear_sum_assignment
from metrix.audio._pit import best_permutation
from tests.catalogue._case import assert_close, gen


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_hungarian_assignment_matches_scipy(n: int) -> None:
    g = gen(n)
    cost = torch.randn(200, n, n, generator=g, dtype=torch.float64)
    cost[:20] = torch.randint(0, 3, (20, n, n), generator=g).double()  # ties
    perm = linear_sum_assignment(cost)
    assert all(sorted(p.tolist()) == list(range(n)) for p in perm)
    ours = cost.gather(2, perm.unsqueeze(2)).sum(dim=(1, 2))
    expected = torch.tensor([float(c.numpy()[scipy_lsa(c.numpy())].sum()) for c in cost], dtype=torch.float64)
    assert_close(ours, expected, atol=1e-12, rtol=0)


def test_best_permutation_reorders_like_torchmetrics() -> None:
    g = gen(1)
    target = torch.randn(6, 3, 50, generator=g)
    preds = target[:, [2, 0, 1]] + 0.1 * torch.randn(6, 3, 50, generator=g)
    best_tm, perm_tm = tma.permutation_invariant_training(preds, target, tma.scale_invariant_signal_distortion_ratio)
    shape = (6, 3, 3, 50)
    matrix = tma.scale_invariant_signal_distortion_ratio(
        preds.unsqueeze(1).expand(shape), target.unsqueeze(2).expand(shape)
    )
    best, perm = best_permutation(matrix)
    assert torch.equal(perm, perm_tm)
    assert_close(best, best_tm, rtol=1e-6)
    assert torch.equal(ma.pit_permutate(preds, perm), tma.pit_permutate(preds, perm_tm))


def test_pit_with_six_speakers_uses_the_assignment() -> None:
    g = gen(2)
    target = torch.randn(4, 6, 30, generator=g)
    preds = target[:, torch.randperm(6, generator=g)] + 0.2 * torch.randn(4, 6, 30, generator=g)
    got = ma.permutation_invariant_training(ma.signal_noise_ratio)(preds, target)
    expected = tma.permutation_invariant_training(preds, target, tma.signal_noise_ratio)[0].double().mean()
    assert_close(got, expected, rtol=1e-6)


def test_complex_spectrograms_and_float64_signals() -> None:
    g = gen(3)
    target = torch.randn(3, 5, 7, dtype=torch.complex64, generator=g)
    preds = target + 0.3 * torch.randn(3, 5, 7, dtype=torch.complex64, generator=g)
    got = ma.complex_scale_invariant_signal_noise_ratio()(preds, target)
    assert_close(got, tma.complex_scale_invariant_signal_noise_ratio(preds, target).mean(), rtol=1e-6)
    t64 = torch.randn(4, 100, generator=g, dtype=torch.float64)
    p64 = t64 + 0.1 * torch.randn(4, 100, generator=g, dtype=torch.float64)
    got = ma.scale_invariant_signal_distortion_ratio()(p64, t64)
    assert_close(got, tma.scale_invariant_signal_distortion_ratio(p64, t64).mean(), rtol=1e-12, atol=1e-12)


def test_sdr_conjugate_gradient_against_fast_bss_eval() -> None:
    from fast_bss_eval.torch.cgd import toeplitz_conjugate_gradient

    from metrix.audio._sdr import _toeplitz_cg

    g = gen(4)
    x = torch.randn(3, 400, generator=g, dtype=torch.float64)
    acf = torch.fft.irfft(torch.fft.rfft(x, n=1024).abs() ** 2, n=1024)[:, :32]
    rhs = torch.randn(3, 32, generator=g, dtype=torch.float64)
    assert_close(_toeplitz_cg(acf, rhs, 7), toeplitz_conjugate_gradient(acf, rhs, n_iter=7), rtol=1e-9, atol=1e-12)


def _speech(n: int, length: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = gen(seed)
    t = torch.arange(length, dtype=torch.float64)
    target = torch.sin(t * (0.02 + 0.05 * torch.rand(n, 1, generator=g, dtype=torch.float64)))
    target = target * torch.sin(t * 0.003).abs() + 0.05 * torch.randn(n, length, generator=g, dtype=torch.float64)
    return target + 0.2 * torch.randn(n, length, generator=g, dtype=torch.float64), target


@pytest.mark.parametrize(
    ("name", "kwargs", "length", "tm"),
    [
        (
            "perceptual_evaluation_speech_quality",
            {"fs": 8000, "mode": "nb"},
            2000,
            "perceptual_evaluation_speech_quality",
        ),
        (
            "short_time_objective_intelligibility",
            {"fs": 10000, "extended": True},
            5000,
            "short_time_objective_intelligibility",
        ),
    ],
)
def test_host_wrappers_split_and_merge(name: str, kwargs: dict, length: int, tm: str) -> None:
    if not hasattr(ma, name):
        pytest.skip(f"{name}: optional package not installed")
    m = getattr(ma, name)(**kwargs)
    preds, target = _speech(6, length, 5)
    expected = getattr(tma, tm)(preds, target, **kwargs).double().mean()
    for cuts in ((0, 6), (0, 1, 4, 4, 6)):
        states = [m.update(m.init(), preds[a:b], target[a:b]) for a, b in itertools.pairwise(cuts)]
        assert_close(m.compute(metrix.merge(m.init(), *states)), expected, rtol=1e-5)
    assert_close(
        m(preds[:2].reshape(2, 1, length), target[:2].reshape(2, 1, length)),
        getattr(tma, tm)(preds[:2], target[:2], **kwargs).double().mean(),
        rtol=1e-5,
    )


@pytest.mark.parametrize(
    ("factory", "kwargs", "match"),
    [
        (ma.signal_distortion_ratio, {"use_cg_iter": 0}, "use_cg_iter"),
        (ma.signal_distortion_ratio, {"filter_length": 0}, "filter_length"),
        (ma.permutation_invariant_training, {"metric_func": ma.signal_noise_ratio, "mode": "x"}, "mode"),
        (ma.permutation_invariant_training, {"metric_func": ma.signal_noise_ratio, "eval_func": "mean"}, "eval_func"),
    ],
)
def test_bad_arguments(factory, kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        factory(**kwargs)


def test_argument_of_a_wrong_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="zero_mean must be a bool"):
        ma.signal_noise_ratio(zero_mean=1)
    with pytest.raises(TypeError, match="load_diag"):
        ma.signal_distortion_ratio(load_diag="x")


def test_bad_pesq_arguments_and_metric_func() -> None:
    with pytest.raises(TypeError, match="metric_func must be callable"):
        ma.permutation_invariant_training(3)
    if hasattr(ma, "perceptual_evaluation_speech_quality"):
        with pytest.raises(ValueError, match="fs"):
            ma.perceptual_evaluation_speech_quality(fs=44100, mode="nb")
        with pytest.raises(ValueError, match="fs=16000"):
            ma.perceptual_evaluation_speech_quality(fs=8000, mode="wb")
    with pytest.raises(ValueError, match="perm must be"):
        ma.pit_permutate(torch.randn(2, 3, 4), torch.zeros(2, 2, dtype=torch.long))
