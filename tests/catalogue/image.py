"""Catalogue entries for the image quality metrics (reference: TorchMetrics functional)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
import torchmetrics.functional.image as tmi
from torchmetrics.functional.image.utils import _uniform_filter

from metrix import image as mi
from tests.catalogue._case import BadInput, Case, tm_reference

# ----------------------------------------------------------------------------- inputs


def images(c: int = 3, h: int = 16, w: int = 16):
    def make(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        target = torch.rand(n, c, h, w, generator=g)
        preds = (0.8 * target + 0.2 * torch.rand(n, c, h, w, generator=g)).clamp(0, 1)
        return preds, target

    return make


def volumes(g: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    target = torch.rand(n, 1, 8, 10, 12, generator=g)
    return 0.7 * target + 0.3 * torch.rand(n, 1, 8, 10, 12, generator=g), target


def one_image(g: torch.Generator, n: int) -> tuple[torch.Tensor]:
    return (torch.rand(n, 2, 8, 9, generator=g),)


def pansharpening(with_lr: bool):
    def make(g: torch.Generator, n: int) -> tuple[torch.Tensor, ...]:
        preds = torch.rand(n, 2, 24, 24, generator=g)
        ms = torch.rand(n, 2, 12, 12, generator=g)
        pan = (0.6 * preds + 0.4 * torch.rand(n, 2, 24, 24, generator=g)).clamp(0, 1)
        return (preds, ms, pan, torch.rand(n, 2, 12, 12, generator=g)) if with_lr else (preds, ms, pan)

    return make


# ----------------------------------------------------------------------------- bad inputs


def _nan(shape: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    p = torch.rand(shape)
    p[(0,) * len(shape)] = float("nan")
    return p, torch.rand(shape)


def image_bad(shape: tuple[int, ...] = (2, 3, 16, 16), ranks: str = r"must have shape") -> list[BadInput]:
    short = (shape[0], shape[1], shape[2] - 1, *shape[3:])
    return [
        BadInput(lambda g: (torch.rand(shape), torch.rand(short)), ValueError, "same shape"),
        BadInput(lambda g: (torch.rand(shape[1:]), torch.rand(shape[1:])), ValueError, ranks),
        BadInput(lambda g: _nan(shape), ValueError, "preds contains NaN", traced=True),
        BadInput(lambda g: ([1.0], torch.rand(shape)), TypeError, "preds must be a torch.Tensor"),
    ]


def _ref_psnr_flat(**kw):
    def ref(p, t):
        return tmi.peak_signal_noise_ratio(p, t, **kw).flatten()

    return ref


def _ref_scores_of(fn, **kw):
    def ref(*inputs):
        return fn(*inputs, **kw)

    return ref


def _ds_without_lr(window_size: int = 7, **kw):
    # TorchMetrics needs torchvision to degrade pan itself; its resize of a tensor is
    # F.interpolate(bilinear, align_corners=False, antialias=False), which we pass as pan_lr
    def ref(preds, ms, pan):
        lr = F.interpolate(
            _uniform_filter(pan, window_size), size=ms.shape[-2:], mode="bilinear", align_corners=False, antialias=False
        )
        return tmi.spatial_distortion_index(preds, ms, pan, lr, window_size=window_size, **kw)

    return ref


IMG = images()
GRAY = images(1, 16, 16)
BIG = images(1, 41, 41)

# ----------------------------------------------------------------------------- cases

CASES = [
    # PSNR
    Case(
        "psnr",
        mi.peak_signal_noise_ratio,
        {"data_range": 1.0},
        IMG,
        tm_reference(tmi.peak_signal_noise_ratio, data_range=1.0),
        bad_inputs=[
            BadInput(lambda g: (torch.rand(4, 3), torch.rand(4, 2)), ValueError, "same shape"),
            BadInput(lambda g: _nan((2, 3)), ValueError, "preds contains NaN", traced=True),
        ],
    ),
    Case(
        "psnr-clamp-base2",
        mi.peak_signal_noise_ratio,
        {"data_range": (0.2, 0.9), "base": 2.0},
        IMG,
        tm_reference(tmi.peak_signal_noise_ratio, data_range=(0.2, 0.9), base=2.0),
        rtol=1e-4,
    ),
    Case(
        "psnr-per-image",
        mi.peak_signal_noise_ratio,
        {"data_range": 1.0, "dim": (1, 2, 3)},
        IMG,
        tm_reference(tmi.peak_signal_noise_ratio, data_range=1.0, dim=(1, 2, 3)),
        rtol=1e-4,
    ),
    Case(
        "psnr-per-image-none",
        mi.peak_signal_noise_ratio,
        {"data_range": 1.0, "dim": (2, 3), "reduction": "none"},
        IMG,
        _ref_psnr_flat(data_range=1.0, dim=(2, 3), reduction="none"),
        rtol=1e-4,
        fixed_state=False,
        ordered=True,
    ),
    Case(
        "psnr-per-channel",
        mi.peak_signal_noise_ratio,
        {"data_range": 1.0, "dim": (0, 2, 3), "reduction": "none"},
        IMG,
        _ref_psnr_flat(data_range=1.0, dim=(0, 2, 3), reduction="none"),
        rtol=1e-4,
        fixed_state=False,
    ),
    Case(
        "psnrb",
        mi.peak_signal_noise_ratio_with_blocked_effect,
        {"data_range": 1.0, "block_size": 4},
        GRAY,
        tm_reference(tmi.peak_signal_noise_ratio_with_blocked_effect, data_range=1.0, block_size=4),
        rtol=1e-4,
        bad_inputs=[*image_bad((2, 1, 16, 16)), BadInput(lambda g: IMG(g, 2), ValueError, "grayscale")],
    ),
    # SSIM
    Case(
        "ssim",
        mi.structural_similarity_index_measure,
        {"data_range": 1.0},
        IMG,
        tm_reference(tmi.structural_similarity_index_measure, data_range=1.0),
        bad_inputs=image_bad(ranks=r"\(N, C, H, W\) or \(N, C, D, H, W\)"),
    ),
    Case(
        "ssim-uniform-sum",
        mi.structural_similarity_index_measure,
        {"gaussian_kernel": False, "kernel_size": 5, "reduction": "sum", "data_range": (0.0, 1.0), "k2": 0.05},
        IMG,
        tm_reference(
            tmi.structural_similarity_index_measure,
            gaussian_kernel=False,
            kernel_size=5,
            reduction="sum",
            data_range=(0.0, 1.0),
            k2=0.05,
        ),
        rtol=1e-4,
    ),
    Case(
        "ssim-3d",
        mi.structural_similarity_index_measure,
        {"gaussian_kernel": False, "kernel_size": (3, 5, 3), "data_range": 1.0},
        volumes,
        tm_reference(
            tmi.structural_similarity_index_measure, gaussian_kernel=False, kernel_size=(3, 5, 3), data_range=1.0
        ),
    ),
    Case(
        "ssim-none",
        mi.structural_similarity_index_measure,
        {"reduction": "none", "data_range": 1.0, "sigma": (1.0, 0.8)},
        IMG,
        tm_reference(tmi.structural_similarity_index_measure, reduction="none", data_range=1.0, sigma=(1.0, 0.8)),
        fixed_state=False,
        ordered=True,
    ),
    Case(
        "ms-ssim",
        mi.multiscale_structural_similarity_index_measure,
        {"data_range": 1.0, "betas": (0.3, 0.3, 0.4), "gaussian_kernel": False, "kernel_size": 3},
        IMG,
        tm_reference(
            tmi.multiscale_structural_similarity_index_measure,
            data_range=1.0,
            betas=(0.3, 0.3, 0.4),
            gaussian_kernel=False,
            kernel_size=3,
        ),
        rtol=1e-4,
        bad_inputs=[
            *image_bad(ranks=r"\(N, C, H, W\) or \(N, C, D, H, W\)"),
            BadInput(lambda g: images(3, 6, 6)(g, 2), ValueError, "must be >= 8"),
        ],
    ),
    Case(
        "ms-ssim-gaussian-simple-none",
        mi.multiscale_structural_similarity_index_measure,
        {
            "data_range": 1.0,
            "betas": (0.5, 0.5),
            "sigma": 0.5,
            "kernel_size": 5,
            "normalize": "simple",
            "reduction": None,
        },
        IMG,
        tm_reference(
            tmi.multiscale_structural_similarity_index_measure,
            data_range=1.0,
            betas=(0.5, 0.5),
            sigma=0.5,
            kernel_size=5,
            normalize="simple",
            reduction=None,
        ),
        rtol=1e-4,
        fixed_state=False,
        ordered=True,
    ),
    # UQI
    Case(
        "uqi",
        mi.universal_image_quality_index,
        {},
        IMG,
        tm_reference(tmi.universal_image_quality_index),
        rtol=1e-4,
        bad_inputs=image_bad(),
    ),
    # spectral
    Case(
        "sam",
        mi.spectral_angle_mapper,
        {},
        IMG,
        tm_reference(tmi.spectral_angle_mapper),
        rtol=1e-4,
        bad_inputs=[*image_bad(), BadInput(lambda g: images(1)(g, 2), ValueError, "at least 2 channels")],
    ),
    Case(
        "sam-sum",
        mi.spectral_angle_mapper,
        {"reduction": "sum"},
        IMG,
        tm_reference(tmi.spectral_angle_mapper, reduction="sum"),
        rtol=1e-4,
    ),
    Case(
        "ergas",
        mi.error_relative_global_dimensionless_synthesis,
        {"ratio": 2},
        IMG,
        tm_reference(tmi.error_relative_global_dimensionless_synthesis, ratio=2),
        rtol=1e-4,
        bad_inputs=image_bad(),
    ),
    Case(
        "ergas-none",
        mi.error_relative_global_dimensionless_synthesis,
        {"reduction": "none"},
        IMG,
        tm_reference(tmi.error_relative_global_dimensionless_synthesis, reduction="none"),
        rtol=1e-4,
        fixed_state=False,
        ordered=True,
    ),
    # sliding windows
    Case(
        "rmse-sw",
        mi.root_mean_squared_error_using_sliding_window,
        {},
        IMG,
        tm_reference(tmi.root_mean_squared_error_using_sliding_window),
        rtol=1e-4,
        bad_inputs=[*image_bad(), BadInput(lambda g: images(3, 4, 4)(g, 2), ValueError, "smaller than the image")],
    ),
    Case(
        "rmse-sw-map",
        mi.root_mean_squared_error_using_sliding_window,
        {"window_size": 5, "return_rmse_map": True},
        IMG,
        tm_reference(tmi.root_mean_squared_error_using_sliding_window, window_size=5, return_rmse_map=True),
        rtol=1e-4,
        fixed_state=False,
    ),
    Case(
        "rase",
        mi.relative_average_spectral_error,
        {"window_size": 5},
        IMG,
        tm_reference(tmi.relative_average_spectral_error, window_size=5),
        rtol=1e-4,
        fixed_state=False,
        bad_inputs=image_bad(),
    ),
    # correlation, variation, fidelity
    Case(
        "scc",
        mi.spatial_correlation_coefficient,
        {},
        IMG,
        tm_reference(tmi.spatial_correlation_coefficient),
        rtol=1e-4,
        atol=1e-5,
        bad_inputs=[
            *image_bad(ranks=r"\(N, H, W\) or \(N, C, H, W\)")[:1],
            BadInput(lambda g: _nan((2, 3, 16, 16)), ValueError, "preds contains NaN", traced=True),
        ],
    ),
    Case(
        "scc-none",
        mi.spatial_correlation_coefficient,
        {"window_size": 5, "reduction": "none"},
        IMG,
        tm_reference(tmi.spatial_correlation_coefficient, window_size=5, reduction="none"),
        atol=1e-5,
        fixed_state=False,
        ordered=True,
    ),
    Case(
        "tv",
        mi.total_variation,
        {},
        one_image,
        tm_reference(tmi.total_variation),
        rtol=1e-4,
        bad_inputs=[
            BadInput(lambda g: (torch.rand(3, 8, 8),), ValueError, "img must have shape"),
            BadInput(lambda g: (torch.full((2, 1, 4, 4), float("nan")),), ValueError, "img contains NaN", traced=True),
        ],
    ),
    Case(
        "tv-mean",
        mi.total_variation,
        {"reduction": "mean"},
        one_image,
        tm_reference(tmi.total_variation, reduction="mean"),
        rtol=1e-4,
    ),
    Case(
        "tv-none",
        mi.total_variation,
        {"reduction": None},
        one_image,
        tm_reference(tmi.total_variation, reduction=None),
        rtol=1e-4,
        fixed_state=False,
        ordered=True,
    ),
    Case(
        "vif",
        mi.visual_information_fidelity,
        {},
        BIG,
        tm_reference(tmi.visual_information_fidelity),
        rtol=1e-4,
        n=16,
        bad_inputs=[
            BadInput(lambda g: images(1, 30, 41)(g, 2), ValueError, "at least 41x41"),
            BadInput(lambda g: _nan((2, 1, 41, 41)), ValueError, "preds contains NaN", traced=True),
        ],
    ),
    # pansharpening
    Case(
        "d-lambda",
        mi.spectral_distortion_index,
        {},
        lambda g, n: pansharpening(False)(g, n)[:2],
        tm_reference(tmi.spectral_distortion_index),
        rtol=1e-4,
        fixed_state=False,
        n=16,
        bad_inputs=[
            BadInput(lambda g: (torch.rand(2, 3, 24, 24), torch.rand(2, 2, 12, 12)), ValueError, "number of bands"),
            BadInput(lambda g: (torch.rand(2, 2, 24, 24), torch.rand(2, 2, 12, 12).double()), TypeError, "same dtype"),
        ],
    ),
    Case(
        "d-s",
        mi.spatial_distortion_index,
        {},
        pansharpening(True),
        tm_reference(tmi.spatial_distortion_index),
        rtol=1e-4,
        fixed_state=False,
        n=16,
        bad_inputs=[
            BadInput(
                lambda g: (torch.rand(2, 2, 24, 24), torch.rand(2, 2, 10, 10), torch.rand(2, 2, 24, 24)),
                ValueError,
                "multiples",
            ),
            BadInput(
                lambda g: (torch.rand(2, 2, 24, 24), torch.rand(2, 2, 12, 12), torch.rand(2, 2, 22, 24)),
                ValueError,
                "same height and width",
            ),
        ],
    ),
    Case(
        "d-s-degraded-pan",
        mi.spatial_distortion_index,
        {"norm_order": 2, "reduction": "none"},
        pansharpening(False),
        _ds_without_lr(norm_order=2, reduction="none"),
        rtol=1e-4,
        fixed_state=False,
        n=16,
    ),
    Case(
        "qnr",
        mi.quality_with_no_reference,
        {"alpha": 0.5, "beta": 2},
        pansharpening(True),
        tm_reference(tmi.quality_with_no_reference, alpha=0.5, beta=2),
        rtol=1e-4,
        fixed_state=False,
        n=16,
    ),
]
