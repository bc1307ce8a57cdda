"""Procrustes disparity: what is left between two point clouds after the best similarity transform.

Both clouds ``(M, D)`` are centred and scaled to unit Frobenius norm; the rotation
``R = U V^T`` and scale ``s = sum(sigma)`` from the SVD of ``A^T B`` map the second
onto the first as well as possible, and the disparity is ``||A - s B R^T||²_F`` (in
[0, 1]). Each sample's disparity is independent of the others: ``reduction="mean"`` or
``"sum"`` keeps a float64 sum and an int64 count (the ``ProcrustesDisparity`` class);
``reduction=None`` keeps every sample's value (the functional's output).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool, check_tensor
from metrix._core.checks import check_finite
from metrix._core.metric import Metric, factory
from metrix._core.state import cat_append, cat_init, leaf, state, stored_values

__all__ = ["ProcrustesSamplesState", "ProcrustesSumState", "procrustes_disparity"]

F64 = torch.float64
REDUCTIONS = ("mean", "sum", "none", None)


@state
class ProcrustesSumState:
    """Sum of disparities and number of point-cloud pairs."""

    total: Tensor = leaf("sum")  # float64 (): sum of disparities
    count: Tensor = leaf("sum")  # int64 (): pairs seen


@state
class ProcrustesSamplesState:
    """Every pair's disparity (and, with ``return_all``, its scale and rotation)."""

    disparity: Any = leaf("cat")  # float64 (n,) chunks
    scale: Any = leaf("cat")  # float64 (n, 1) chunks (empty unless return_all)
    rotation: Any = leaf("cat")  # float64 (n, D, D) chunks (empty unless return_all)


def _procrustes(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    a = a - a.mean(1, keepdim=True)
    b = b - b.mean(1, keepdim=True)
    a = a / torch.linalg.matrix_norm(a, keepdim=True)
    b = b / torch.linalg.matrix_norm(b, keepdim=True)
    u, sigma, vh = torch.linalg.svd(a.transpose(1, 2) @ b, full_matrices=False)
    rotation = u @ vh
    scale = sigma.sum(1, keepdim=True)
    aligned = scale[:, :, None] * (b @ rotation.transpose(1, 2))
    return (a - aligned).square().sum((1, 2)), scale, rotation


def _clouds(point_cloud1: Any, point_cloud2: Any, validate_args: bool) -> tuple[Tensor, Tensor]:
    check_tensor(point_cloud1, "point_cloud1")
    check_tensor(point_cloud2, "point_cloud2")
    if point_cloud1.shape != point_cloud2.shape:
        raise ValueError(
            "point_cloud1 and point_cloud2 must have the same shape, got "
            f"{tuple(point_cloud1.shape)} and {tuple(point_cloud2.shape)}"
        )
    if point_cloud1.dim() != 3:
        raise ValueError(
            f"point clouds must be 3-d of shape (batch, points, dims), got shape {tuple(point_cloud1.shape)}"
        )
    a, b = point_cloud1.to(F64), point_cloud2.to(F64)
    check_finite(a, "point_cloud1", enabled=validate_args)
    check_finite(b, "point_cloud2", enabled=validate_args)
    return a, b


@factory(higher_is_better=False)
def procrustes_disparity(
    return_all: bool = False, *, reduction: str | None = None, validate_args: bool = True
) -> Metric:
    """Procrustes disparity between pairs of point clouds, after optimal translation, scale and rotation.

    With ``reduction=None`` the value is every pair's disparity in arrival order, the
    output of ``torchmetrics.functional.shape.procrustes_disparity`` (with
    ``return_all=True``: also the scales ``(n, 1)`` and rotations ``(n, D, D)``); with
    ``"mean"`` or ``"sum"`` it is their mean or sum from a fixed state, the
    ``ProcrustesDisparity(reduction=...)`` class. Computed in float64 (TorchMetrics
    uses the input's dtype, and returns 0 when the SVD fails where this raises).

    Args:
        return_all: also return the scales and rotations (``reduction=None`` only).
        reduction: ``None``/``"none"``, ``"mean"`` or ``"sum"``.
        validate_args: check that the point clouds are finite (shapes are always checked).

    Returns:
        A metric whose ``update(state, point_cloud1, point_cloud2)`` takes two
        ``(B, M, D)`` tensors.

    Example:
        >>> import torch
        >>> from metrix.shape import procrustes_disparity
        >>> a = torch.tensor([[[0.0, 0], [1, 0], [0, 1]], [[0.0, 0], [2, 0], [0, 1]]])
        >>> b = torch.tensor([[[1.0, 1], [1, 3], [-1, 1]], [[0.0, 0], [1, 0], [0, 1]]])
        >>> procrustes_disparity()(a, b)
        tensor([1.2634e-31, 7.5000e-02], dtype=torch.float64)
        >>> procrustes_disparity(reduction="mean")(a, b)
        tensor(0.0375, dtype=torch.float64)
    """
    return_all = check_bool(return_all, "return_all")
    validate_args = check_bool(validate_args, "validate_args")
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    reduction = "none" if reduction is None else reduction
    if return_all and reduction != "none":
        raise ValueError(f"return_all=True returns every pair's values: it needs reduction=None, got {reduction!r}")

    if reduction != "none":

        def init(*, device: Any = None) -> ProcrustesSumState:
            return ProcrustesSumState(
                torch.zeros((), dtype=F64, device=device), torch.zeros((), dtype=torch.int64, device=device)
            )

        def update(s: ProcrustesSumState, point_cloud1: Any, point_cloud2: Any) -> ProcrustesSumState:
            disparity, _, _ = _procrustes(*_clouds(point_cloud1, point_cloud2, validate_args))
            return ProcrustesSumState(s.total + disparity.sum(), s.count + disparity.shape[0])

        def compute(s: ProcrustesSumState) -> Tensor:
            return s.total / s.count if reduction == "mean" else s.total

        key = ("procrustes_disparity_sum", validate_args)
        return Metric(init, update, compute, name="procrustes_disparity", key=key)

    def init_samples(*, device: Any = None) -> ProcrustesSamplesState:
        # the rotations' trailing shape is only known from the data: stored flattened per pair
        return ProcrustesSamplesState(cat_init((), F64, device), cat_init((1,), F64, device), cat_init((), F64, device))

    def update_samples(s: ProcrustesSamplesState, point_cloud1: Any, point_cloud2: Any) -> ProcrustesSamplesState:
        disparity, scale, rotation = _procrustes(*_clouds(point_cloud1, point_cloud2, validate_args))
        if not return_all:
            return ProcrustesSamplesState(cat_append(s.disparity, disparity), s.scale, s.rotation)
        return ProcrustesSamplesState(
            cat_append(s.disparity, disparity), cat_append(s.scale, scale), cat_append(s.rotation, rotation.reshape(-1))
        )

    def compute_samples(s: ProcrustesSamplesState) -> Any:
        disparity = stored_values(s.disparity)
        if not return_all:
            return disparity
        rotation = stored_values(s.rotation)
        n = disparity.shape[0]
        dims = round((rotation.numel() / n) ** 0.5) if n else 0
        return disparity, stored_values(s.scale), rotation.reshape(n, dims, dims)

    return Metric(init_samples, update_samples, compute_samples, name="procrustes_disparity")
