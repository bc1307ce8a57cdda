"""Catalogue entries for the audio metrics (reference: TorchMetrics functional, averaged)."""

from __future__ import annotations

import torch
import torchmetrics.functional.audio as tma

from metrix import audio as ma
from tests.catalogue._case import BadInput, Case

# ----------------------------------------------------------------------------- inputs


def signals(*shape: int):
    def make(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        target = torch.randn(n, *shape, generator=g)
        return target + 0.5 * torch.randn(n, *shape, generator=g), target

    return make


def speakers(k: int, length: int = 40):
    def make(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        target = torch.randn(n, k, length, generator=g)
        shuffled = target[:, torch.randperm(k, generator=g)]
        return shuffled + 0.6 * torch.randn(n, k, length, generator=g), target

    return make


def speech(fs: int, length: int):
    def make(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        t = torch.arange(length, dtype=torch.float64)
        rate = 0.02 + 0.05 * torch.rand(n, 1, generator=g, dtype=torch.float64)
        envelope = torch.sin(t * 0.003 + torch.rand(n, 1, generator=g, dtype=torch.float64)).abs()
        target = torch.sin(t * rate) * envelope + 0.05 * torch.randn(n, length, generator=g, dtype=torch.float64)
        return target + 0.2 * torch.randn(n, length, generator=g, dtype=torch.float64), target

    return make


def mean_of(fn, **kw):
    def ref(preds, target):
        return fn(preds, target, **kw).double().mean()

    return ref


def pit_reference(fn, **kw):
    def ref(preds, target):
        return tma.permutation_invariant_training(preds, target, fn, **kw)[0].double().mean()

    return ref


def signal_bad(shape: tuple[int, ...] = (3, 50)) -> list[BadInput]:
    longer = (*shape[:-1], shape[-1] + 1)
    nan = torch.randn(shape)
    nan[(0,) * len(shape)] = float("nan")
    return [
        BadInput(lambda g: (torch.randn(shape), torch.randn(longer)), ValueError, "same length"),
        BadInput(lambda g: (nan, torch.randn(shape)), ValueError, "preds contains NaN", traced=True),
        BadInput(lambda g: (torch.randn(shape).numpy(), torch.randn(shape)), TypeError, "preds must be a torch.Tensor"),
    ]


SIG = signals(50)

# ----------------------------------------------------------------------------- cases

CASES = [
    Case("snr", ma.signal_noise_ratio, {}, SIG, mean_of(tma.signal_noise_ratio), bad_inputs=signal_bad()),
    Case(
        "snr-zero-mean",
        ma.signal_noise_ratio,
        {"zero_mean": True},
        signals(2, 30),
        mean_of(tma.signal_noise_ratio, zero_mean=True),
    ),
    Case(
        "si-snr",
        ma.scale_invariant_signal_noise_ratio,
        {},
        SIG,
        mean_of(tma.scale_invariant_signal_noise_ratio),
        bad_inputs=signal_bad(),
    ),
    Case(
        "si-sdr",
        ma.scale_invariant_signal_distortion_ratio,
        {},
        SIG,
        mean_of(tma.scale_invariant_signal_distortion_ratio),
        bad_inputs=signal_bad(),
    ),
    Case(
        "si-sdr-zero-mean",
        ma.scale_invariant_signal_distortion_ratio,
        {"zero_mean": True},
        signals(2, 30),
        mean_of(tma.scale_invariant_signal_distortion_ratio, zero_mean=True),
    ),
    Case(
        "sdr",
        ma.signal_distortion_ratio,
        {"filter_length": 16},
        signals(80),
        mean_of(tma.signal_distortion_ratio, filter_length=16),
        rtol=1e-5,
        atol=1e-5,
        bad_inputs=[
            *signal_bad((3, 80)),
            BadInput(lambda g: (torch.randn(3, 10), torch.randn(3, 10)), ValueError, "filter_length=16"),
        ],
    ),
    Case(
        "sdr-cg-zero-mean-load-diag",
        ma.signal_distortion_ratio,
        {"use_cg_iter": 5, "filter_length": 16, "zero_mean": True, "load_diag": 1e-3},
        signals(80),
        mean_of(tma.signal_distortion_ratio, use_cg_iter=5, filter_length=16, zero_mean=True, load_diag=1e-3),
        rtol=1e-5,
        atol=1e-5,
    ),
    Case(
        "sa-sdr",
        ma.source_aggregated_signal_distortion_ratio,
        {},
        signals(2, 40),
        mean_of(tma.source_aggregated_signal_distortion_ratio),
        rtol=1e-5,
        atol=1e-5,
        bad_inputs=[
            *signal_bad((3, 2, 40)),
            BadInput(lambda g: (torch.randn(5), torch.randn(5)), ValueError, "speakers"),
        ],
    ),
    Case(
        "sa-sdr-plain-zero-mean",
        ma.source_aggregated_signal_distortion_ratio,
        {"scale_invariant": False, "zero_mean": True},
        signals(3, 40),
        mean_of(tma.source_aggregated_signal_distortion_ratio, scale_invariant=False, zero_mean=True),
        rtol=1e-5,
        atol=1e-5,
    ),
    Case(
        "c-si-snr",
        ma.complex_scale_invariant_signal_noise_ratio,
        {},
        signals(4, 6, 2),
        mean_of(tma.complex_scale_invariant_signal_noise_ratio),
        bad_inputs=[
            BadInput(lambda g: (torch.randn(3, 4, 6, 3), torch.randn(3, 4, 6, 3)), ValueError, r"frequency, time, 2"),
            BadInput(lambda g: (torch.randn(3, 4, 6, 2), torch.randn(3, 4, 7, 2)), ValueError, "same shape"),
        ],
    ),
    Case(
        "c-si-snr-zero-mean",
        ma.complex_scale_invariant_signal_noise_ratio,
        {"zero_mean": True},
        signals(4, 6, 2),
        mean_of(tma.complex_scale_invariant_signal_noise_ratio, zero_mean=True),
    ),
    Case(
        "pit-si-sdr-2",
        ma.permutation_invariant_training,
        {"metric_func": ma.scale_invariant_signal_distortion_ratio},
        speakers(2),
        pit_reference(tma.scale_invariant_signal_distortion_ratio),
        bad_inputs=[
            BadInput(lambda g: (torch.randn(3, 2, 40), torch.randn(3, 3, 40)), ValueError, "speaker dims"),
            BadInput(lambda g: (torch.randn(3), torch.randn(3)), ValueError, r"\(batch, speakers, ...\)"),
        ],
    ),
    Case(
        "pit-snr-5-min",
        ma.permutation_invariant_training,
        {"metric_func": ma.signal_noise_ratio, "eval_func": "min", "zero_mean": True},
        speakers(5, 20),
        pit_reference(tma.signal_noise_ratio, eval_func="min", zero_mean=True),
        note="5 speakers: the batched Hungarian assignment (TorchMetrics: scipy's linear_sum_assignment)",
    ),
    Case(
        "pit-torchmetrics-func-3",
        ma.permutation_invariant_training,
        {"metric_func": tma.scale_invariant_signal_noise_ratio},
        speakers(3),
        pit_reference(tma.scale_invariant_signal_noise_ratio),
        compile=False,
        vmap=False,
        note="a foreign per-pair function: called per speaker pair, not traced",
    ),
    Case(
        "pit-permutation-wise",
        ma.permutation_invariant_training,
        {"metric_func": ma.source_aggregated_signal_distortion_ratio, "mode": "permutation-wise"},
        speakers(3),
        pit_reference(tma.source_aggregated_signal_distortion_ratio, mode="permutation-wise"),
        rtol=1e-5,
        atol=1e-5,
    ),
]

if hasattr(ma, "perceptual_evaluation_speech_quality"):
    CASES.append(
        Case(
            "pesq-nb",
            ma.perceptual_evaluation_speech_quality,
            {"fs": 8000, "mode": "nb"},
            speech(8000, 2000),
            mean_of(tma.perceptual_evaluation_speech_quality, fs=8000, mode="nb"),
            rtol=1e-5,
            n=8,
            compile=False,
            vmap=False,
            split_invariant=False,
            note="host library per signal (~8 ms each): random splits run in test_audio.py on a few fixed cuts",
            bad_inputs=signal_bad((2, 2000))[:1],
        )
    )
if hasattr(ma, "short_time_objective_intelligibility"):
    CASES.append(
        Case(
            "stoi",
            ma.short_time_objective_intelligibility,
            {"fs": 10000},
            speech(10000, 5000),
            mean_of(tma.short_time_objective_intelligibility, fs=10000),
            n=8,
            compile=False,
            vmap=False,
            split_invariant=False,
            note="host library per signal (~5 ms each): random splits run in test_audio.py on a few fixed cuts",
            bad_inputs=signal_bad((2, 5000))[:1],
        )
    )
