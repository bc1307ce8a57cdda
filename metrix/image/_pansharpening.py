"""Quality of pansharpened images without a reference: D_lambda, D_s and QNR.

All three compare UQI values (:func:`metrix.image._uqi.uqi_map`, mean over pixels and
images): D_lambda between every pair of bands of ``preds`` and of the low-resolution
``ms``, D_s between each band and the panchromatic image at both resolutions. The state is
the UQI map sums per band (pair) and the pixel counts: exact over any batching, where
TorchMetrics' classes keep every input image. The number of bands is known only from the
data, so the sums are one flat row (see :func:`metrix.image._scores.map_sums_add`).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from metrix._core.args import check_number, check_tensor, float_dtype_of
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.image import _parameter_docs as parameter_docs
from metrix.image._inputs import F64, check_bool, check_int, check_reduction, image
from metrix.image._scores import map_sums_add, map_sums_init, map_sums_total
from metrix.image._sliding_window import uniform_filter
from metrix.image._uqi import uqi_map

__all__ = ["quality_with_no_reference", "spatial_distortion_index", "spectral_distortion_index"]

_KERNEL, _SIGMA = (11, 11), (1.5, 1.5)
_REDUCTIONS = ("elementwise_mean", "sum", "none")


@state
class BandSums:
    """UQI sums whose shape comes from the number of bands, as one flat row."""

    rows: Any = leaf("cat")  # float64, flattened sums
    shape: Tensor = leaf("max")  # int64 (2,): the sums' shape
    count: Tensor = leaf("sum")  # int64 (2,): UQI values behind each of the two halves


@state
class SpectralDistortionState:
    """Band-pair UQI sums of ``target`` and ``preds``, ``(2, P)`` over the ``P`` band pairs."""

    sums: Any = leaf("node")  # BandSums


@state
class SpatialDistortionState:
    """Per-band UQI sums ``(2, C)``: ``ms`` against the degraded ``pan``, ``preds`` against ``pan``."""

    sums: Any = leaf("node")  # BandSums


@state
class QualityWithNoReferenceState:
    """The D_lambda and D_s sums."""

    spectral: Any = leaf("node")  # BandSums of D_lambda
    spatial: Any = leaf("node")  # BandSums of D_s


def _band_sums(device: Any) -> BandSums:
    """Empty sums of the two halves (``ms``/``target`` and ``preds``), their shape set by the first batch."""
    return map_sums_init(BandSums, 2, device, counts=2)


def _add(sums: BandSums, batch: Tensor, counts: Tensor, name: str) -> BandSums:
    """``sums`` with a batch's sums added (``counts``: the UQI values behind each half)."""
    return map_sums_add(sums, batch, counts.to(sums.count.device), name)


def _uqi_sums(a: Tensor, b: Tensor) -> tuple[Tensor, int]:
    """Sum of the UQI map per channel and the number of map values per channel."""
    m = uqi_map(a, b, _KERNEL, _SIGMA)
    return m.to(F64).sum(dim=(0, 2, 3)), m.shape[0] * m.shape[2] * m.shape[3]


def _pairs(c: int) -> tuple[list[int], list[int]]:
    rows, cols = torch.triu_indices(c, c, offset=1).tolist()
    return rows, cols


def _spectral_sums(preds: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    c = preds.shape[1]
    ks, ls = _pairs(c)
    if not ks:
        z = torch.zeros(0, dtype=F64, device=preds.device)
        return torch.stack((z, z)), torch.zeros(2, dtype=torch.int64)
    s_t, n_t = _uqi_sums(target[:, ks], target[:, ls])
    s_p, n_p = _uqi_sums(preds[:, ks], preds[:, ls])
    return torch.stack((s_t, s_p)), torch.tensor([n_t, n_p])


def _spectral_value(s: Any, p: int, reduction: str) -> Tensor:
    sums = map_sums_total(s)
    if not sums.numel():  # no image yet: no value (as every image metric on an empty state)
        return torch.full((), torch.nan, dtype=F64)
    c = int((1 + (1 + 8 * sums.shape[1]) ** 0.5) / 2) if sums.numel() else 1
    if c == 1:
        return torch.zeros((), dtype=F64)
    means = sums / s.count.to(F64).reshape(2, 1)
    diff = (means[0] - means[1]).abs() ** p
    # each unordered pair appears twice in TorchMetrics' symmetric C x C matrices
    return (2 * diff.sum() / (c * (c - 1))) ** (1.0 / p)


def _check_spectral(preds: Any, target: Any, validate_args: bool, names: tuple[str, str]) -> tuple[Tensor, Tensor]:
    a, b = names
    check_tensor(preds, a)
    check_tensor(target, b)
    if preds.dtype != target.dtype:
        raise TypeError(f"{a} and {b} must have the same dtype, got {preds.dtype} and {target.dtype}")
    p, t = image(preds, a, validate_args=validate_args), image(target, b, validate_args=validate_args)
    if p.shape[:2] != t.shape[:2]:
        raise ValueError(
            f"{a} and {b} must have the same batch size and number of bands, got {tuple(p.shape)} and {tuple(t.shape)}"
        )
    if not p.is_floating_point():
        p, t = p.to(torch.get_default_dtype()), t.to(torch.get_default_dtype())
    return p, t


@factory(higher_is_better=False)
@parameter_docs.IMAGES
def spectral_distortion_index(
    p: int = 1, reduction: str | None = "elementwise_mean", *, validate_args: bool = True
) -> Metric:
    """Spectral distortion index D_lambda of pansharpened images.

    ``(mean over band pairs |UQI(ms_k, ms_l) - UQI(preds_k, preds_l)|^p)^(1/p)``. Same
    arguments, defaults and values as ``torchmetrics.functional.image.spectral_distortion_index``
    (``reduction`` has nothing left to reduce: the value is one number).

    Args:
        p: the norm's order (an int >= 1).
        reduction: ``"elementwise_mean"``, ``"sum"`` or ``"none"`` (all give the one value).

    Returns:
        A metric whose ``update(state, preds, target)`` takes the fused ``(N, C, H, W)`` images
        and the ``(N, C, h, w)`` low-resolution multispectral images.

    Example:
        >>> import torch
        >>> from metrix.image import spectral_distortion_index
        >>> g = torch.Generator().manual_seed(0)
        >>> preds, target = torch.rand(2, 3, 32, 32, generator=g), torch.rand(2, 3, 16, 16, generator=g)
        >>> spectral_distortion_index()(preds, target)
        tensor(0.0658, dtype=torch.float64)

    Reference: Alparone et al., "Multispectral and panchromatic data fusion assessment
    without reference", PE&RS 2008.
    """
    p = check_int(p, "p", 1)
    reduction = check_reduction(reduction, _REDUCTIONS)
    validate_args = check_bool(validate_args, "validate_args")
    name = "spectral_distortion_index"

    def init(*, device: Any = None) -> SpectralDistortionState:
        return SpectralDistortionState(_band_sums(device))

    def update(s: SpectralDistortionState, preds: Any, target: Any) -> SpectralDistortionState:
        pr, tg = _check_spectral(preds, target, validate_args, ("preds", "target"))
        if pr.shape[0] == 0:
            return s
        sums, counts = _spectral_sums(pr, tg)
        return SpectralDistortionState(_add(s.sums, sums, counts, name))

    def compute(s: SpectralDistortionState) -> Tensor:
        return _spectral_value(s.sums, p, reduction)

    return Metric(init, update, compute, name=name, key=(name, p, reduction, validate_args))


def _check_spatial(
    preds: Any, ms: Any, pan: Any, pan_lr: Any, window_size: int, validate_args: bool
) -> tuple[Tensor, Tensor, Tensor, Tensor | None]:
    tensors = {"preds": preds, "ms": ms, "pan": pan}
    if pan_lr is not None:
        tensors["pan_lr"] = pan_lr
    for n, x in tensors.items():
        check_tensor(x, n)
        if x.dtype != preds.dtype:
            raise TypeError(f"preds and {n} must have the same dtype, got {preds.dtype} and {x.dtype}")
        image(x, n, validate_args=validate_args)
        if x.shape[:2] != preds.shape[:2]:
            raise ValueError(
                f"preds and {n} must have the same batch size and number of bands, "
                f"got {tuple(preds.shape)} and {tuple(x.shape)}"
            )
    (ph, pw), (mh, mw), (qh, qw) = preds.shape[-2:], ms.shape[-2:], pan.shape[-2:]
    if (ph, pw) != (qh, qw):
        raise ValueError(f"preds and pan must have the same height and width, got {ph}x{pw} and {qh}x{qw}")
    if ph % mh or pw % mw:
        raise ValueError(f"preds' height and width must be multiples of ms', got {ph}x{pw} and {mh}x{mw}")
    if pan_lr is not None and tuple(pan_lr.shape[-2:]) != (mh, mw):
        raise ValueError(f"pan_lr must have ms' height and width {mh}x{mw}, got shape {tuple(pan_lr.shape)}")
    if window_size >= mh or window_size >= mw:
        raise ValueError(f"window_size={window_size} must be smaller than ms' sides, got ms of shape {tuple(ms.shape)}")
    dtype = float_dtype_of(preds)
    return preds.to(dtype), ms.to(dtype), pan.to(dtype), None if pan_lr is None else pan_lr.to(dtype)


def _spatial_sums(preds: Tensor, ms: Tensor, pan: Tensor, pan_lr: Tensor | None, window_size: int) -> Any:
    if pan_lr is None:
        # TorchMetrics: a uniform filter, then torchvision's resize (bilinear, no antialiasing)
        degraded = F.interpolate(
            uniform_filter(pan, window_size), size=ms.shape[-2:], mode="bilinear", align_corners=False, antialias=False
        )
    else:
        degraded = pan_lr
    s_ms, n_ms = _uqi_sums(ms, degraded)
    s_p, n_p = _uqi_sums(preds, pan)
    return torch.stack((s_ms, s_p)), torch.tensor([n_ms, n_p])


def _spatial_value(s: Any, norm_order: int, reduction: str) -> Tensor:
    sums = map_sums_total(s)
    if not sums.numel():  # no image yet: NaN (no band for reduction="none")
        return torch.full((0,) if reduction == "none" else (), torch.nan, dtype=F64)
    means = sums / s.count.to(F64).reshape(2, 1)
    diff = (means[0] - means[1]).abs() ** norm_order
    reduced = diff.mean() if reduction == "elementwise_mean" else diff.sum() if reduction == "sum" else diff
    return reduced ** (1.0 / norm_order)


@factory(higher_is_better=False)
@parameter_docs.PANSHARPENED
def spatial_distortion_index(
    norm_order: int = 1, window_size: int = 7, reduction: str | None = "elementwise_mean", *, validate_args: bool = True
) -> Metric:
    """Spatial distortion index D_s of pansharpened images.

    Per band, ``|UQI(ms, degraded pan) - UQI(preds, pan)|^q``, reduced over bands, to the
    power ``1/q``. Same arguments, defaults and values as
    ``torchmetrics.functional.image.spatial_distortion_index``. Without ``pan_lr`` the
    degraded pan is ``pan`` under a uniform filter, resized to ``ms``' size bilinearly
    (what TorchMetrics does with torchvision, done here with ``F.interpolate``).

    Args:
        norm_order: the order ``q`` (an int >= 1).
        reduction: ``"elementwise_mean"``, ``"sum"`` or ``"none"`` (one value per band).

    Returns:
        A metric whose ``update(state, preds, ms, pan, pan_lr=None)`` takes the fused
        ``(N, C, H, W)`` images, the ``(N, C, h, w)`` multispectral images, the ``(N, C, H, W)``
        panchromatic images and optionally their ``(N, C, h, w)`` low-resolution version.

    Example:
        >>> spatial_distortion_index()(preds, ms, pan)
        tensor(0.0240, dtype=torch.float64)

    Reference: Alparone et al., "Multispectral and panchromatic data fusion assessment
    without reference", PE&RS 2008.
    """
    norm_order = check_int(norm_order, "norm_order", 1)
    window_size = check_int(window_size, "window_size", 1)
    reduction = check_reduction(reduction, _REDUCTIONS)
    validate_args = check_bool(validate_args, "validate_args")
    name = "spatial_distortion_index"

    def init(*, device: Any = None) -> SpatialDistortionState:
        return SpatialDistortionState(_band_sums(device))

    def update(s: SpatialDistortionState, preds: Any, ms: Any, pan: Any, pan_lr: Any = None) -> SpatialDistortionState:
        pr, m, pa, lr = _check_spatial(preds, ms, pan, pan_lr, window_size, validate_args)
        if pr.shape[0] == 0:
            return s
        sums, counts = _spatial_sums(pr, m, pa, lr, window_size)
        return SpatialDistortionState(_add(s.sums, sums, counts, name))

    def compute(s: SpatialDistortionState) -> Tensor:
        return _spatial_value(s.sums, norm_order, reduction)

    return Metric(init, update, compute, name=name, key=(name, norm_order, window_size, reduction, validate_args))


@factory(higher_is_better=True)
@parameter_docs.PANSHARPENED
def quality_with_no_reference(
    alpha: float = 1,
    beta: float = 1,
    norm_order: int = 1,
    window_size: int = 7,
    reduction: str | None = "elementwise_mean",
    *,
    validate_args: bool = True,
) -> Metric:
    """Quality with no reference (QNR): ``(1 - D_lambda)^alpha (1 - D_s)^beta``.

    Same arguments, defaults and values as
    ``torchmetrics.functional.image.quality_with_no_reference`` (D_lambda with ``p=norm_order``
    between ``preds`` and ``ms``).

    Args:
        alpha: the exponent of the spectral term (>= 0).
        beta: the exponent of the spatial term (>= 0).
        norm_order: the order of both distortion indices.
        reduction: ``"elementwise_mean"``, ``"sum"`` or ``"none"`` (D_s per band).

    Returns:
        A metric whose ``update(state, preds, ms, pan, pan_lr=None)`` takes the images as
        :func:`spatial_distortion_index` does.

    Example:
        >>> quality_with_no_reference()(preds, ms, pan)
        tensor(0.8434, dtype=torch.float64)

    Reference: Alparone et al., "Multispectral and panchromatic data fusion assessment
    without reference", PE&RS 2008.
    """
    for n, v in (("alpha", alpha), ("beta", beta)):
        check_number(v, n, "a number >= 0", lambda x: x >= 0)
    norm_order = check_int(norm_order, "norm_order", 1)
    window_size = check_int(window_size, "window_size", 1)
    reduction = check_reduction(reduction, _REDUCTIONS)
    validate_args = check_bool(validate_args, "validate_args")
    name = "quality_with_no_reference"

    def init(*, device: Any = None) -> QualityWithNoReferenceState:
        return QualityWithNoReferenceState(_band_sums(device), _band_sums(device))

    def update(
        s: QualityWithNoReferenceState, preds: Any, ms: Any, pan: Any, pan_lr: Any = None
    ) -> QualityWithNoReferenceState:
        pr, m, pa, lr = _check_spatial(preds, ms, pan, pan_lr, window_size, validate_args)
        if pr.shape[0] == 0:
            return s
        spec, spec_n = _spectral_sums(pr, m)
        spat, spat_n = _spatial_sums(pr, m, pa, lr, window_size)
        return QualityWithNoReferenceState(
            _add(s.spectral, spec, spec_n, name),
            _add(s.spatial, spat, spat_n, name),
        )

    def compute(s: QualityWithNoReferenceState) -> Tensor:
        d_lambda = _spectral_value(s.spectral, norm_order, reduction)
        d_s = _spatial_value(s.spatial, norm_order, reduction)
        return (1 - d_lambda) ** alpha * (1 - d_s) ** beta

    key = (name, alpha, beta, norm_order, window_size, reduction, validate_args)
    return Metric(init, update, compute, name=name, key=key)
