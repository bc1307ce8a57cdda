"""Peak signal-to-noise ratio: ``10 log10(range^2 / MSE)``, and its blocking-effect variant.

PSNR over everything (``dim=None``) needs a float64 sum of squared errors and an int64
count. With ``dim`` excluding the batch dim, each sample has its own PSNR and the state is
their float64 sum and count (or every value, for ``reduction="none"``). With ``dim``
including the batch dim the squared errors of each remaining entry are summed across
batches (kept as one flat row per update, since their number is known only from data).

PSNR-B adds the blocking-effect factor of Yim and Bovik; its state is the sums of squared
differences across and inside block boundaries, so the value over many batches equals
the value over their union.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_ints, check_tensor_pair
from metrix._core.checks import check_finite, is_tracing
from metrix._core.metric import Metric, factory
from metrix._core.state import cat_append, cat_init, leaf, state, stored_values
from metrix.image._inputs import (
    F64,
    check_bool,
    check_data_range,
    check_int,
    check_positive,
    check_reduction,
    image_pair,
)
from metrix.image._scores import ScoreSumsState, ScoreValuesState, scores_metric

__all__ = [
    "PSNRBState",
    "PSNRState",
    "peak_signal_noise_ratio",
    "peak_signal_noise_ratio_with_blocked_effect",
]


@state
class PSNRState:
    """Sum of squared errors and number of elements (``dim=None``)."""

    sse: Tensor = leaf("sum")  # float64 (): sum (preds - target)^2
    count: Tensor = leaf("sum")  # int64 (): elements seen


@state
class PSNRSamplesState(ScoreSumsState):
    """Sum and count of per-sample PSNR values (``dim`` without the batch dim)."""


@state
class PSNRValuesState(ScoreValuesState):
    """Every per-sample PSNR value (``reduction="none"``), flattened."""


@state
class PSNRPartialSumsState:
    """Per-entry squared-error sums of each update (``dim`` including the batch dim)."""

    rows: Any = leaf("cat")  # float64, flattened: one row of per-entry sums per update
    entries: Tensor = leaf("max")  # int64 (): entries per row
    count: Tensor = leaf("sum")  # int64 (): observations behind each entry


@state
class PSNRBState:
    """Squared errors and blocking-effect sums of ``preds`` (sums over all images)."""

    sse: Tensor = leaf("sum")  # float64 (): sum (preds - target)^2
    count: Tensor = leaf("sum")  # int64 (): elements seen
    boundary: Tensor = leaf("sum")  # float64 (): squared differences across block boundaries
    inside: Tensor = leaf("sum")  # float64 (): squared differences inside blocks
    height: Tensor = leaf("max")  # int64 (): image height (0 before any image)
    width: Tensor = leaf("max")  # int64 (): image width


def _to_db(mse: Tensor, data_range: float, base: float) -> Tensor:
    return (2 * math.log(data_range) - torch.log(mse)) * (10 / math.log(base))


def _dims(dim: Any) -> tuple[int, ...] | None:
    if dim is None:
        return None
    return check_ints(dim, "dim", None, scalar=True, expected="None, an int or a sequence of ints")


@factory(higher_is_better=True)
def peak_signal_noise_ratio(
    data_range: float | tuple[float, float],
    base: float = 10.0,
    reduction: str | None = "elementwise_mean",
    dim: int | Sequence[int] | None = None,
    *,
    validate_args: bool = True,
) -> Metric:
    """Peak signal-to-noise ratio ``10 log10(data_range^2 / MSE)`` (in dB for ``base=10``).

    Same arguments, defaults and values as ``torchmetrics.functional.image.peak_signal_noise_ratio``
    (and ``skimage.metrics.peak_signal_noise_ratio``).

    Args:
        data_range: the value range, or ``(min, max)``: inputs are clamped to it and the
            range is ``max - min``.
        base: the logarithm's base.
        reduction: how per-item values are reduced when ``dim`` is given:
            ``"elementwise_mean"``, ``"sum"`` or ``"none"``/``None`` (every value,
            flattened, as TorchMetrics' class returns them). Ignored with ``dim=None``.
        dim: the dims the squared error is averaged over (``None``: all of them). Without
            the batch dim 0 each sample gets its own PSNR; with it, each remaining entry
            (e.g. each channel) gets one over all samples.
        validate_args: check that inputs are finite (shapes are always checked).

    Returns:
        A metric whose ``update(state, preds, target)`` takes two tensors of one shape and
        whose value is the PSNR (float64).

    Example:
        >>> import torch
        >>> from metrix.image import peak_signal_noise_ratio
        >>> preds = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
        >>> target = torch.tensor([[3.0, 2.0], [1.0, 0.0]])
        >>> peak_signal_noise_ratio(data_range=3.0)(preds, target)
        tensor(2.5527, dtype=torch.float64)
    """
    rng, clamp = check_data_range(data_range, optional=False)
    base = check_positive(base, "base")
    reduction = check_reduction(reduction)
    dims = _dims(dim)
    validate_args = check_bool(validate_args, "validate_args")
    key = ("peak_signal_noise_ratio", rng, clamp, base, dims, reduction if dims is not None else None, validate_args)

    def pair(preds: Any, target: Any) -> tuple[Tensor, Tensor]:
        check_tensor_pair(preds, target)
        p, t = preds.to(F64), target.to(F64)
        check_finite(p, "preds", enabled=validate_args)
        check_finite(t, "target", enabled=validate_args)
        if clamp is not None:
            p, t = p.clamp(*clamp), t.clamp(*clamp)
        return p, t

    if dims is None:

        def init(*, device: Any = None) -> PSNRState:
            return PSNRState(
                torch.zeros((), dtype=F64, device=device), torch.zeros((), dtype=torch.int64, device=device)
            )

        def update(s: PSNRState, preds: Any, target: Any) -> PSNRState:
            p, t = pair(preds, target)
            diff = p - t
            return PSNRState(s.sse + (diff * diff).sum(), s.count + diff.numel())

        def compute(s: PSNRState) -> Tensor:
            return _to_db(s.sse / s.count.to(F64), rng, base)

        return Metric(init, update, compute, name="peak_signal_noise_ratio", key=key)

    def resolved(x: Tensor) -> tuple[int, ...]:
        out = []
        for d in dims:
            if not -x.dim() <= d < x.dim():
                raise ValueError(f"dim={dim!r} is out of range for inputs of shape {tuple(x.shape)}")
            out.append(d % x.dim())
        return tuple(sorted(set(out)))

    def per_sample(preds: Any, target: Any) -> Tensor:
        p, t = pair(preds, target)
        red = resolved(p)
        if 0 in red:
            raise ValueError(
                f"dim={dim!r} includes the batch dim for inputs of shape {tuple(p.shape)}, but this metric was "
                "built for per-sample values"
            )
        diff = p - t
        n = math.prod([p.shape[d] for d in red]) if red else p.numel()
        sse = (diff * diff).sum(dim=red) if red else (diff * diff).sum()
        return _to_db(sse / n, rng, base).reshape(-1)

    includes_batch = any(d == 0 for d in dims)
    if not includes_batch:
        return scores_metric(
            "peak_signal_noise_ratio", PSNRSamplesState, PSNRValuesState, per_sample, reduction, key=key
        )

    def init_rows(*, device: Any = None) -> PSNRPartialSumsState:
        return PSNRPartialSumsState(
            cat_init((), F64, device),
            torch.zeros((), dtype=torch.int64, device=device),
            torch.zeros((), dtype=torch.int64, device=device),
        )

    def update_rows(s: PSNRPartialSumsState, preds: Any, target: Any) -> PSNRPartialSumsState:
        p, t = pair(preds, target)
        red = resolved(p)
        if p.shape[0] == 0:
            return s
        diff = p - t
        sse = (diff * diff).sum(dim=red).reshape(-1)
        n = math.prod([p.shape[d] for d in red])
        entries = torch.tensor(sse.numel(), dtype=torch.int64, device=s.entries.device)
        if int(s.entries) not in (0, sse.numel()):
            raise ValueError(
                f"peak_signal_noise_ratio(dim={dim!r}): every batch must leave the same remaining shape, "
                f"got {sse.numel()} entries after {int(s.entries)}"
            )
        return PSNRPartialSumsState(cat_append(s.rows, sse), torch.maximum(s.entries, entries), s.count + n)

    def compute_rows(s: PSNRPartialSumsState) -> Tensor:
        rows = stored_values(s.rows)
        k = max(int(s.entries), 1)
        sse = rows.reshape(-1, k).sum(0)
        values = _to_db(sse / s.count.to(F64), rng, base)
        if reduction == "none":
            return values
        return values.sum() if reduction == "sum" else values.mean()

    return Metric(init_rows, update_rows, compute_rows, name="peak_signal_noise_ratio", key=key)


@factory(higher_is_better=True)
def peak_signal_noise_ratio_with_blocked_effect(
    data_range: float | tuple[float, float],
    block_size: int = 8,
    *,
    validate_args: bool = True,
) -> Metric:
    """PSNR with blocking effect (PSNR-B) of grayscale images.

    Same arguments, defaults and values as
    ``torchmetrics.functional.image.peak_signal_noise_ratio_with_blocked_effect`` on the
    union of all batches: the blocking-effect factor is computed from boundary sums over
    every image seen (TorchMetrics' class adds one factor per batch instead).

    Args:
        data_range: the value range, or ``(min, max)`` to clamp to.
        block_size: the side of the coding blocks.
        validate_args: check that inputs are finite (shapes are always checked).

    Returns:
        A metric whose ``update(state, preds, target)`` takes two ``(N, 1, H, W)`` batches of
        one image size and whose value is the PSNR-B in dB (float64).

    Example:
        >>> import torch
        >>> from metrix.image import peak_signal_noise_ratio_with_blocked_effect
        >>> g = torch.Generator().manual_seed(0)
        >>> preds, target = torch.rand(2, 1, 16, 16, generator=g), torch.rand(2, 1, 16, 16, generator=g)
        >>> peak_signal_noise_ratio_with_blocked_effect(data_range=1.0)(preds, target)
        tensor(7.6506, dtype=torch.float64)

    Reference: Yim, Bovik, "Quality assessment of deblocked images", IEEE TIP 2011.
    """
    rng, clamp = check_data_range(data_range, optional=False)
    block_size = check_int(block_size, "block_size", 1)
    validate_args = check_bool(validate_args, "validate_args")
    key = ("peak_signal_noise_ratio_with_blocked_effect", rng, clamp, block_size, validate_args)

    def init(*, device: Any = None) -> PSNRBState:
        z = [torch.zeros((), dtype=F64, device=device) for _ in range(3)]
        i = [torch.zeros((), dtype=torch.int64, device=device) for _ in range(3)]
        return PSNRBState(z[0], i[0], z[1], z[2], i[1], i[2])

    def update(s: PSNRBState, preds: Any, target: Any) -> PSNRBState:
        p, t = image_pair(preds, target, validate_args=validate_args)
        if p.shape[1] != 1:
            raise ValueError(f"preds must be grayscale, shape (N, 1, H, W), got shape {tuple(p.shape)}")
        p, t = p.to(F64), t.to(F64)
        if clamp is not None:
            p, t = p.clamp(*clamp), t.clamp(*clamp)
        h, w = p.shape[-2:]
        if p.shape[0] and not is_tracing(p) and (int(s.height), int(s.width)) not in ((0, 0), (h, w)):
            raise ValueError(
                f"every batch must have the same image size, got {h}x{w} after {int(s.height)}x{int(s.width)}"
            )
        col_b = list(range(block_size - 1, w - 1, block_size))
        col_i = sorted(set(range(w - 1)) - set(col_b))
        row_b = list(range(block_size - 1, h - 1, block_size))
        row_i = sorted(set(range(h - 1)) - set(row_b))
        dx = (p[..., :, :-1] - p[..., :, 1:]) ** 2
        dy = (p[..., :-1, :] - p[..., 1:, :]) ** 2
        boundary = dx[..., col_b].sum() + dy[..., row_b, :].sum()
        inside = dx[..., col_i].sum() + dy[..., row_i, :].sum()
        diff = p - t
        seen = p.shape[0] > 0
        size = torch.tensor([h, w] if seen else [0, 0], dtype=torch.int64, device=s.height.device)
        return PSNRBState(
            s.sse + (diff * diff).sum(),
            s.count + diff.numel(),
            s.boundary + boundary,
            s.inside + inside,
            torch.maximum(s.height, size[0]),
            torch.maximum(s.width, size[1]),
        )

    def compute(s: PSNRBState) -> Tensor:
        h, w = s.height.to(F64), s.width.to(F64)
        n_hb = h * (w / block_size) - 1
        n_hbc = h * (w - 1) - n_hb
        n_vb = w * (h / block_size) - 1
        n_vbc = w * (h - 1) - n_vb
        d_b = s.boundary / (n_hb + n_vb)
        d_bc = s.inside / (n_hbc + n_vbc)
        t = math.log2(block_size) / torch.log2(torch.minimum(h, w))
        bef = torch.where(d_b > d_bc, t * (d_b - d_bc), torch.zeros_like(d_b))
        return 10 * torch.log10(rng**2 / (s.sse / s.count.to(F64) + bef))

    return Metric(init, update, compute, name="peak_signal_noise_ratio_with_blocked_effect", key=key)
