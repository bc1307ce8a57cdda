"""Structural similarity: SSIM and multi-scale SSIM.

SSIM compares local means, variances and the covariance of two images under a Gaussian
(or uniform) window. The five local moments come from one separable filtering pass of
``preds``, ``target`` and their three products (see :mod:`metrix.image._filters`), about
2.5 times less work on CPU than the full 2-d window TorchMetrics convolves with.

With ``reduction="elementwise_mean"`` or ``"sum"`` the state is a float64 sum of per-image
values and an int64 count: fixed, exact under merge and sync, compile- and vmap-friendly.
``reduction="none"``, ``return_full_image`` and ``return_contrast_sensitivity`` return
values per image, so those configurations keep them (eager chunk storage).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import EllipsisType
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from metrix._core.args import check_ints, check_numbers, type_error, value_error
from metrix._core.checks import is_tracing
from metrix._core.metric import Metric, factory
from metrix._core.state import cat_append, cat_init, leaf, state, stored_values
from metrix.image._filters import gaussian_1d, local_moments, uniform_1d
from metrix.image._inputs import (
    F64,
    check_bool,
    check_choice,
    check_data_range,
    check_positive,
    check_reduction,
    image_pair,
)
from metrix.image._scores import ScoreSumsState

__all__ = [
    "MultiscaleSSIMState",
    "SSIMState",
    "SSIMValuesState",
    "multiscale_structural_similarity_index_measure",
    "structural_similarity_index_measure",
]


@state
class SSIMState(ScoreSumsState):
    """Sum of per-image SSIM and number of images."""


@state
class SSIMValuesState:
    """Per-image values kept for ``reduction="none"``, full images or contrast sensitivities."""

    total: Tensor = leaf("sum")  # float64 (): sum of per-image SSIM
    count: Tensor = leaf("sum")  # int64 (): images seen
    values: Any = leaf("cat")  # float64 (n,): per-image SSIM (reduction="none")
    extra: Any = leaf("cat")  # float64, flattened: full SSIM maps or per-image contrast sensitivity
    extra_shape: Tensor = leaf("max")  # int64 (5,): rank of one full map, then its sides (0 when unused)


@state
class MultiscaleSSIMState(ScoreSumsState):
    """Sum of per-image MS-SSIM and number of images."""


@state
class MultiscaleSSIMValuesState:
    """Per-image MS-SSIM kept for ``reduction="none"``."""

    values: Any = leaf("cat")  # float64 (n,)


def _windows(
    ndim: int, gaussian_kernel: bool, sigma: Any, kernel_size: Any
) -> tuple[tuple[int, ...], tuple[float, ...], tuple[int, ...]]:
    """Per-dim kernel sizes, sigmas and window lengths for images with ``ndim`` spatial dims."""
    ks = tuple(kernel_size) if isinstance(kernel_size, Sequence) else (kernel_size,) * ndim
    sg = tuple(sigma) if isinstance(sigma, Sequence) else (sigma,) * ndim
    if len(ks) != ndim:
        raise ValueError(
            f"kernel_size has {len(ks)} entries but the images have {ndim} spatial dims; pass an int or {ndim} odd ints"
        )
    if len(sg) != ndim:
        raise ValueError(f"sigma has {len(sg)} entries but the images have {ndim} spatial dims; pass {ndim} numbers")
    lengths = tuple(int(3.5 * s + 0.5) * 2 + 1 for s in sg) if gaussian_kernel else ks
    return ks, sg, lengths


def ssim_maps(
    preds: Tensor,
    target: Tensor,
    *,
    gaussian_kernel: bool,
    sigma: Any,
    kernel_size: Any,
    data_range: float | None,
    clamp: tuple[float, float] | None,
    k1: float,
    k2: float,
) -> tuple[Tensor, Tensor, tuple[int, ...]]:
    """The SSIM map, the contrast-sensitivity map and the padding of each spatial dim.

    Follows TorchMetrics' conventions: reflection padding of ``(window - 1) // 2`` (for 3-d
    images the last dim is padded by ``(kernel_size[2] - 1) // 2``), and with
    ``data_range=None`` the range of this batch, ``max(preds range, target range)``.
    """
    ndim = preds.dim() - 2
    ks, sg, lengths = _windows(ndim, gaussian_kernel, sigma, kernel_size)
    if clamp is not None:
        preds, target = preds.clamp(*clamp), target.clamp(*clamp)
    if data_range is None:
        rng: Any = torch.maximum(preds.amax() - preds.amin(), target.amax() - target.amin())
    else:
        rng = data_range
    c1 = (k1 * rng) ** 2
    c2 = (k2 * rng) ** 2
    pads = [(n - 1) // 2 for n in lengths]
    if ndim == 3:
        pads[2] = (ks[2] - 1) // 2
    flat = [p for d in reversed(pads) for p in (d, d)]
    preds = F.pad(preds, flat, mode="reflect")
    target = F.pad(target, flat, mode="reflect")
    dtype, device = preds.dtype, preds.device
    windows = [
        gaussian_1d(n, s, dtype, device) if gaussian_kernel else uniform_1d(n, dtype, device)
        for n, s in zip(lengths, sg)
    ]
    mu_pp, mu_tt, mu_pt, var_p, var_t, cov = local_moments(preds, target, windows)
    upper = 2 * cov + c2
    lower = var_p + var_t + c2
    ssim = ((2 * mu_pt + c1) * upper) / ((mu_pp + mu_tt + c1) * lower)
    return ssim, upper / lower, tuple(pads)


def _crop(x: Tensor, pads: tuple[int, ...]) -> Tensor:
    # TorchMetrics crops contrast-sensitivity maps by the padding (3-d: D by pads[0], H by pads[1], W by pads[2])
    index: tuple[EllipsisType | slice, ...] = (Ellipsis, *(slice(p, -p) for p in pads))
    return x[index]


def _per_image(x: Tensor) -> Tensor:
    return x.flatten(1).mean(-1)


def _check_sizes(kernel_size: Any, sigma: Any) -> tuple[Any, Any]:
    for name, value in (("kernel_size", kernel_size), ("sigma", sigma)):
        if isinstance(value, (list, tuple)) and len(value) not in (2, 3):
            raise value_error(name, "a number or a sequence of 2 or 3 numbers", value)
    expected = "an odd int >= 1 or a sequence of them"
    if any(k % 2 == 0 for k in check_ints(kernel_size, "kernel_size", 1, scalar=True, expected=expected)):
        raise value_error("kernel_size", expected, kernel_size)
    check_numbers(sigma, "sigma", "a number > 0 or a sequence of them", lambda v: v > 0, scalar=True)
    return kernel_size, sigma


def _ssim_options(
    gaussian_kernel: Any, sigma: Any, kernel_size: Any, reduction: Any, data_range: Any, k1: Any, k2: Any
) -> tuple[dict[str, Any], str]:
    """The checked window and constant options of SSIM and MS-SSIM (``ssim_maps``' keywords), and the reduction."""
    gaussian_kernel = check_bool(gaussian_kernel, "gaussian_kernel")
    kernel_size, sigma = _check_sizes(kernel_size, sigma)
    reduction = check_reduction(reduction)
    rng, clamp = check_data_range(data_range, optional=True)
    k1, k2 = check_positive(k1, "k1"), check_positive(k2, "k2")
    options = dict(gaussian_kernel=gaussian_kernel, sigma=sigma, kernel_size=kernel_size, data_range=rng, clamp=clamp)
    options.update(k1=k1, k2=k2)
    return options, reduction


@factory(higher_is_better=True)
def structural_similarity_index_measure(
    gaussian_kernel: bool = True,
    sigma: float | Sequence[float] = 1.5,
    kernel_size: int | Sequence[int] = 11,
    reduction: str | None = "elementwise_mean",
    data_range: float | tuple[float, float] | None = None,
    k1: float = 0.01,
    k2: float = 0.03,
    return_full_image: bool = False,
    return_contrast_sensitivity: bool = False,
    *,
    validate_args: bool = True,
) -> Metric:
    """Structural similarity index measure (SSIM) of 2-d or 3-d images.

    Same arguments, defaults and values as
    ``torchmetrics.functional.image.structural_similarity_index_measure`` (and
    ``skimage.metrics.structural_similarity`` with ``gaussian_weights=True,
    use_sample_covariance=False``, up to its border handling).

    Args:
        gaussian_kernel: a Gaussian window (``True``) or a uniform one of ``kernel_size``.
        sigma: the Gaussian's standard deviation, one or per spatial dim.
        kernel_size: the uniform window's size (odd), one or per spatial dim.
        reduction: ``"elementwise_mean"``, ``"sum"`` or ``"none"``/``None`` (one value per image).
        data_range: the value range (a number, or ``(min, max)`` to clamp to). ``None``
            takes each update's ``max(preds range, target range)``, as TorchMetrics does
            per batch: the value then depends on how the data is batched; pass a range for
            split-invariant results.
        k1: the luminance constant's factor.
        k2: the contrast constant's factor.
        return_full_image: also return the SSIM maps of every image, ``(N, C, H, W)``.
        return_contrast_sensitivity: also return each image's mean contrast sensitivity.
        validate_args: check that the images are finite (shapes are always checked).

    Returns:
        A metric whose ``update(state, preds, target)`` takes two ``(N, C, H, W)`` or
        ``(N, C, D, H, W)`` batches and whose value is the reduced SSIM (float64), or a
        pair ``(ssim, maps or contrast sensitivities)``.

    Example:
        >>> import torch
        >>> from metrix.image import structural_similarity_index_measure
        >>> g = torch.Generator().manual_seed(0)
        >>> preds = torch.rand(4, 3, 32, 32, generator=g)
        >>> target = preds * 0.75
        >>> structural_similarity_index_measure(data_range=1.0)(preds, target)
        tensor(0.9219, dtype=torch.float64)

    Reference: Wang, Bovik, Sheikh, Simoncelli, "Image quality assessment: from error
    visibility to structural similarity", IEEE TIP 2004.
    """
    options, reduction = _ssim_options(gaussian_kernel, sigma, kernel_size, reduction, data_range, k1, k2)
    return_full_image = check_bool(return_full_image, "return_full_image")
    return_contrast_sensitivity = check_bool(return_contrast_sensitivity, "return_contrast_sensitivity")
    validate_args = check_bool(validate_args, "validate_args")
    if return_full_image and return_contrast_sensitivity:
        raise ValueError("return_full_image and return_contrast_sensitivity are mutually exclusive; pass one of them")
    extra = return_full_image or return_contrast_sensitivity
    key = ("structural_similarity_index_measure", repr(options), reduction, return_full_image, extra, validate_args)

    def per_image(preds: Any, target: Any) -> tuple[Tensor, Tensor, Tensor, tuple[int, ...]]:
        p, t = image_pair(preds, target, ranks=(4, 5), validate_args=validate_args)
        ssim, cs, pads = ssim_maps(p, t, **options)
        return _per_image(ssim), ssim, cs, pads

    def finish(total: Tensor, count: Tensor) -> Tensor:
        return total if reduction == "sum" else total / count.to(F64)

    if not extra and reduction != "none":

        def init(*, device: Any = None) -> SSIMState:
            return SSIMState(
                torch.zeros((), dtype=F64, device=device), torch.zeros((), dtype=torch.int64, device=device)
            )

        def update(s: SSIMState, preds: Any, target: Any) -> SSIMState:
            sim = per_image(preds, target)[0].to(F64)
            return SSIMState(s.total + sim.sum(), s.count + sim.shape[0])

        def compute(s: SSIMState) -> Tensor:
            return finish(s.total, s.count)

        return Metric(init, update, compute, name="structural_similarity_index_measure", key=key)

    def init_values(*, device: Any = None) -> SSIMValuesState:
        return SSIMValuesState(
            torch.zeros((), dtype=F64, device=device),
            torch.zeros((), dtype=torch.int64, device=device),
            cat_init((), F64, device),
            cat_init((), F64, device),
            torch.zeros((5,), dtype=torch.int64, device=device),
        )

    def update_values(s: SSIMValuesState, preds: Any, target: Any) -> SSIMValuesState:
        sim, ssim, cs, pads = per_image(preds, target)
        sim = sim.to(F64)
        values = cat_append(s.values, sim) if reduction == "none" else s.values
        extra_store, shape = s.extra, s.extra_shape
        if return_full_image:
            full = ssim.to(F64)
            item = torch.tensor(
                [full.dim() - 1, *full.shape[1:], *([0] * (5 - full.dim()))], dtype=torch.int64, device=shape.device
            )
            if full.shape[0] and not is_tracing(full) and bool(shape.any()) and not torch.equal(shape, item):
                raise ValueError(
                    "structural_similarity_index_measure(return_full_image=True): every batch must have the same "
                    f"image shape, got {tuple(full.shape[1:])} after {tuple(shape[1 : 1 + int(shape[0])].tolist())}"
                )
            extra_store = cat_append(extra_store, full.reshape(-1))
            shape = torch.maximum(shape, item) if full.shape[0] else shape
        elif return_contrast_sensitivity:
            extra_store = cat_append(extra_store, _per_image(_crop(cs, pads)).to(F64))
        return SSIMValuesState(s.total + sim.sum(), s.count + sim.shape[0], values, extra_store, shape)

    def compute_values(s: SSIMValuesState) -> Any:
        value = stored_values(s.values) if reduction == "none" else finish(s.total, s.count)
        if not extra:
            return value
        stored = stored_values(s.extra)
        if return_full_image:
            rank = int(s.extra_shape[0])
            stored = stored.reshape(-1, *s.extra_shape[1 : 1 + rank].tolist()) if rank else stored.reshape(0, 0, 0, 0)
        return value, stored

    return Metric(init_values, update_values, compute_values, name="structural_similarity_index_measure", key=key)


_BETAS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


@factory(higher_is_better=True)
def multiscale_structural_similarity_index_measure(
    gaussian_kernel: bool = True,
    sigma: float | Sequence[float] = 1.5,
    kernel_size: int | Sequence[int] = 11,
    reduction: str | None = "elementwise_mean",
    data_range: float | tuple[float, float] | None = None,
    k1: float = 0.01,
    k2: float = 0.03,
    betas: tuple[float, ...] = _BETAS,
    normalize: str | None = "relu",
    *,
    validate_args: bool = True,
) -> Metric:
    """Multi-scale structural similarity (MS-SSIM).

    Same arguments, defaults and values as
    ``torchmetrics.functional.image.multiscale_structural_similarity_index_measure``:
    contrast sensitivity at ``len(betas) - 1`` scales (halved by 2x2 average pooling each
    time) and SSIM at the last, each raised to its beta and multiplied.

    Args:
        gaussian_kernel: a Gaussian window (``True``) or a uniform one of ``kernel_size``.
        sigma: the Gaussian's standard deviation, one or per spatial dim.
        kernel_size: the uniform window's size (odd), one or per spatial dim.
        reduction: ``"elementwise_mean"``, ``"sum"`` or ``"none"``/``None`` (one value per image).
        data_range: the value range, a ``(min, max)`` tuple to clamp to, or ``None`` for each
            batch's (and scale's) own range, as in TorchMetrics (batch-dependent).
        k1: the luminance constant's factor.
        k2: the contrast constant's factor.
        betas: the exponent of each scale (a tuple of floats).
        normalize: ``"relu"`` (clip negative terms to 0), ``"simple"`` (map ``x`` to
            ``(x + 1) / 2``) or ``None``.
        validate_args: check that the images are finite (shapes are always checked).

    Returns:
        A metric whose ``update(state, preds, target)`` takes two ``(N, C, H, W)`` (or
        ``(N, C, D, H, W)``) batches and whose value is the reduced MS-SSIM (float64).

    Example:
        >>> import torch
        >>> from metrix.image import multiscale_structural_similarity_index_measure
        >>> g = torch.Generator().manual_seed(0)
        >>> preds = torch.rand(2, 1, 180, 180, generator=g)
        >>> msssim = multiscale_structural_similarity_index_measure(data_range=1.0)
        >>> msssim(preds, preds * 0.75)
        tensor(0.9630, dtype=torch.float64)

    Reference: Wang, Simoncelli, Bovik, "Multiscale structural similarity for image quality
    assessment", Asilomar 2003.
    """
    options, reduction = _ssim_options(gaussian_kernel, sigma, kernel_size, reduction, data_range, k1, k2)
    if not isinstance(betas, tuple) or not all(isinstance(b, float) for b in betas):  # floats only, as TorchMetrics
        raise type_error("betas", "a non-empty tuple of floats", betas)
    if not betas:
        raise value_error("betas", "a non-empty tuple of floats", betas)
    check_choice(normalize, "normalize", ("relu", "simple", None))
    validate_args = check_bool(validate_args, "validate_args")
    levels = len(betas)
    key = ("multiscale_structural_similarity_index_measure", repr(options), betas, normalize, reduction, validate_args)

    def per_image(preds: Any, target: Any) -> Tensor:
        p, t = image_pair(preds, target, ranks=(4, 5), validate_args=validate_args)
        ndim = p.dim() - 2
        ks = tuple(kernel_size) if isinstance(kernel_size, Sequence) else (kernel_size,) * ndim
        if p.shape[-1] < 2**levels or p.shape[-2] < 2**levels:
            raise ValueError(
                f"with {levels} betas the images' height and width must be >= {2**levels}, got shape {tuple(p.shape)}"
            )
        div = max(1, levels - 1) ** 2
        for side, name in ((-2, "height"), (-1, "width")):
            k = ks[0] if side == -2 else ks[1]
            if p.shape[side] // div <= k - 1:
                raise ValueError(
                    f"with {levels} betas and kernel size {k} the image {name} must be > {(k - 1) * div}, "
                    f"got shape {tuple(p.shape)}"
                )
        pool = F.avg_pool2d if ndim == 2 else F.avg_pool3d
        terms = []
        sim = p.new_zeros(())
        for _ in range(levels):
            ssim, cs, pads = ssim_maps(p, t, **options)
            sim, cs_mean = _per_image(ssim), _per_image(_crop(cs, pads))
            if normalize == "relu":
                sim, cs_mean = torch.relu(sim), torch.relu(cs_mean)
            terms.append(cs_mean)
            p, t = pool(p, 2), pool(t, 2)
        terms[-1] = sim
        stack = torch.stack(terms)
        if normalize == "simple":
            stack = (stack + 1) / 2
        powers = torch.tensor(betas, dtype=stack.dtype, device=stack.device).reshape(-1, 1)
        return torch.prod(stack**powers, dim=0)

    if reduction != "none":

        def init(*, device: Any = None) -> MultiscaleSSIMState:
            return MultiscaleSSIMState(
                torch.zeros((), dtype=F64, device=device), torch.zeros((), dtype=torch.int64, device=device)
            )

        def update(s: MultiscaleSSIMState, preds: Any, target: Any) -> MultiscaleSSIMState:
            v = per_image(preds, target).to(F64)
            return MultiscaleSSIMState(s.total + v.sum(), s.count + v.shape[0])

        def compute(s: MultiscaleSSIMState) -> Tensor:
            return s.total if reduction == "sum" else s.total / s.count.to(F64)

        return Metric(init, update, compute, name="multiscale_structural_similarity_index_measure", key=key)

    def init_values(*, device: Any = None) -> MultiscaleSSIMValuesState:
        return MultiscaleSSIMValuesState(cat_init((), F64, device))

    def update_values(s: MultiscaleSSIMValuesState, preds: Any, target: Any) -> MultiscaleSSIMValuesState:
        return MultiscaleSSIMValuesState(cat_append(s.values, per_image(preds, target).to(F64)))

    def compute_values(s: MultiscaleSSIMValuesState) -> Tensor:
        return stored_values(s.values)

    return Metric(
        init_values, update_values, compute_values, name="multiscale_structural_similarity_index_measure", key=key
    )
