"""Pairwise similarities and distances between the rows of two matrices.

Plain functions with TorchMetrics' signatures: ``x`` is ``(N, d)``, ``y`` is ``(M, d)``
(``None``: ``x`` against itself, and then the diagonal is zeroed by default), and the
result is the ``(N, M)`` matrix, or its row means or sums with ``reduction``. They keep
no state: a pairwise matrix of one batch is not something to accumulate, so there is
no ``Metric`` here. They are pure, so they run under ``torch.compile`` and
``torch.func.vmap``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_choice, check_number, check_tensor, float_dtype_of, type_error
from metrix._core.docstrings import Glossary

__all__ = [
    "pairwise_cosine_similarity",
    "pairwise_euclidean_distance",
    "pairwise_linear_similarity",
    "pairwise_manhattan_distance",
    "pairwise_minkowski_distance",
]

REDUCTIONS = ("mean", "sum", "none", None)


def _inputs(x: Any, y: Any, zero_diagonal: Any, reduction: Any) -> tuple[Tensor, Tensor, bool]:
    check_tensor(x, "x")
    if x.dim() != 2:
        raise ValueError(f"x must be 2-d of shape (N, d), got shape {tuple(x.shape)}")
    check_choice(reduction, "reduction", REDUCTIONS)
    if zero_diagonal is not None and not isinstance(zero_diagonal, bool):
        raise type_error("zero_diagonal", "a bool or None", zero_diagonal)
    if y is None:
        return x, x, True if zero_diagonal is None else zero_diagonal
    check_tensor(y, "y")
    if y.dim() != 2 or y.shape[1] != x.shape[1]:
        raise ValueError(
            f"y must be 2-d of shape (M, d) with the d={x.shape[1]} columns of x, got shape {tuple(y.shape)}"
        )
    return x, y, False if zero_diagonal is None else zero_diagonal


def _finish(distance: Tensor, zero_diagonal: bool, reduction: str | None) -> Tensor:
    if zero_diagonal:
        n, m = distance.shape
        diagonal = torch.arange(n, device=distance.device)[:, None] == torch.arange(m, device=distance.device)
        distance = torch.where(diagonal, torch.zeros((), dtype=distance.dtype, device=distance.device), distance)
    if reduction == "mean":
        return distance.mean(-1)
    if reduction == "sum":
        return distance.sum(-1)
    return distance


# What every pairwise function takes and returns (written into each docstring's Args and Returns),
# and the two matrices every example compares.
_ROWS = Glossary(
    {
        "x": "``(N, d)``.",
        "y": "``(M, d)``, or ``None`` for ``x`` against itself.",
        "reduction": '``"mean"`` or ``"sum"`` over the columns, or ``None``/``"none"``.',
        "zero_diagonal": "set entries ``[i, i]`` to 0 (default: only when ``y`` is ``None``).",
    },
    returns="The ``(N, M)`` matrix, or ``(N,)`` with a reduction.",
    example=">>> import torch\n"
    ">>> from metrix.pairwise import {name}\n"
    ">>> x = torch.tensor([[2.0, 3], [3, 5], [5, 8]])\n"
    ">>> y = torch.tensor([[1.0, 0], [2, 1]])",
)


@_ROWS
def pairwise_cosine_similarity(
    x: Tensor, y: Tensor | None = None, reduction: str | None = None, zero_diagonal: bool | None = None
) -> Tensor:
    """Cosine similarity ``<x_i, y_j> / (||x_i|| ||y_j||)`` between every row of ``x`` and of ``y``.

    Same arguments and values as ``torchmetrics.functional.pairwise_cosine_similarity``.

    Example:
        >>> pairwise_cosine_similarity(x, y)
        tensor([[0.5547, 0.8682],
                [0.5145, 0.8437],
                [0.5300, 0.8533]])
    """
    x, y, zero_diagonal = _inputs(x, y, zero_diagonal, reduction)
    dtype = float_dtype_of(x)
    x, y = x.to(dtype), y.to(dtype)
    x = x / torch.linalg.vector_norm(x, dim=1, keepdim=True)
    y = y / torch.linalg.vector_norm(y, dim=1, keepdim=True)
    return _finish(x @ y.T, zero_diagonal, reduction)


@_ROWS
def pairwise_euclidean_distance(
    x: Tensor, y: Tensor | None = None, reduction: str | None = None, zero_diagonal: bool | None = None
) -> Tensor:
    """Euclidean distance ``||x_i - y_j||`` between every row of ``x`` and of ``y``.

    Same arguments and values as ``torchmetrics.functional.pairwise_euclidean_distance``
    (squared norms expanded in float64, result in the input's float dtype). Rounding can
    make a squared distance slightly negative; it is clamped to 0 before the square root
    (TorchMetrics returns NaN there).

    Example:
        >>> pairwise_euclidean_distance(x, y)
        tensor([[3.1623, 2.0000],
                [5.3852, 4.1231],
                [8.9443, 7.6158]])
    """
    x, y, zero_diagonal = _inputs(x, y, zero_diagonal, reduction)
    dtype = float_dtype_of(x)
    a, b = x.to(torch.float64), y.to(torch.float64)
    squared = (a * a).sum(1, keepdim=True) + (b * b).sum(1) - 2 * a @ b.T
    distance = torch.sqrt(torch.clamp(squared, min=0.0)).to(dtype)
    return _finish(distance, zero_diagonal, reduction)


@_ROWS
def pairwise_linear_similarity(
    x: Tensor, y: Tensor | None = None, reduction: str | None = None, zero_diagonal: bool | None = None
) -> Tensor:
    """Linear similarity (dot product) ``<x_i, y_j>`` between every row of ``x`` and of ``y``.

    Same arguments and values as ``torchmetrics.functional.pairwise_linear_similarity``.

    Example:
        >>> pairwise_linear_similarity(x, y)
        tensor([[ 2.,  7.],
                [ 3., 11.],
                [ 5., 18.]])
    """
    x, y, zero_diagonal = _inputs(x, y, zero_diagonal, reduction)
    return _finish(x @ y.T, zero_diagonal, reduction)


@_ROWS
def pairwise_manhattan_distance(
    x: Tensor, y: Tensor | None = None, reduction: str | None = None, zero_diagonal: bool | None = None
) -> Tensor:
    """Manhattan (L1) distance ``sum_k |x_ik - y_jk|`` between every row of ``x`` and of ``y``.

    Same arguments and values as ``torchmetrics.functional.pairwise_manhattan_distance``
    (computed without TorchMetrics' ``(N, M, d)`` temporary).

    Example:
        >>> pairwise_manhattan_distance(x, y)
        tensor([[ 4.,  2.],
                [ 7.,  5.],
                [12., 10.]])
    """
    x, y, zero_diagonal = _inputs(x, y, zero_diagonal, reduction)
    if not x.is_floating_point():  # cdist needs floats; integer inputs keep integer sums
        return _finish((x.unsqueeze(1) - y.unsqueeze(0)).abs().sum(-1), zero_diagonal, reduction)
    return _finish(torch.cdist(x, y.to(x.dtype), p=1.0), zero_diagonal, reduction)


@_ROWS
def pairwise_minkowski_distance(
    x: Tensor,
    y: Tensor | None = None,
    exponent: float = 2,
    reduction: str | None = None,
    zero_diagonal: bool | None = None,
) -> Tensor:
    """Minkowski distance ``(sum_k |x_ik - y_jk|^p)^(1/p)`` between every row of ``x`` and of ``y``.

    Same arguments and values as ``torchmetrics.functional.pairwise_minkowski_distance``
    (computed in float64, result in the input's float dtype).

    Args:
        exponent: the order ``p >= 1``.

    Example:
        >>> pairwise_minkowski_distance(x, y, exponent=4)
        tensor([[3.0092, 2.0000],
                [5.0317, 4.0039],
                [8.1222, 7.0583]])
    """
    check_number(exponent, "exponent", "a number >= 1", lambda v: v >= 1)
    x, y, zero_diagonal = _inputs(x, y, zero_diagonal, reduction)
    dtype = float_dtype_of(x)
    distance = torch.cdist(
        x.to(torch.float64), y.to(torch.float64), p=float(exponent), compute_mode="donot_use_mm_for_euclid_dist"
    )
    return _finish(distance.to(dtype), zero_diagonal, reduction)
