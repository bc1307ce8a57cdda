"""Fleiss' kappa: agreement among several raters assigning subjects to categories.

From the counts ``n_ij`` of raters putting subject ``i`` in category ``j`` (``n``
raters, ``N`` subjects): ``p_j = sum_i n_ij / (N n)``, ``P_i = (sum_j n_ij² - n) /
(n (n - 1))`` and ``kappa = (mean P_i - sum p_j²) / (1 - sum p_j² + 1e-5)`` (the
``1e-5`` as in TorchMetrics, which also takes ``n`` as the largest row sum). Every
term is a sum over subjects, so with ``num_categories`` the state is fixed: the
per-category totals, the sum of squared counts, the number of subjects (int64 sums)
and the largest rater count (a max). Without it the count rows are stored exactly.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_choice, check_tensor
from metrix._core.checks import check, check_finite
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.nominal._inputs import check_bool, check_num_classes
from metrix.nominal._rows import RowStore, rows_append, rows_init, rows_values

__all__ = ["FleissKappaState", "fleiss_kappa"]

F64 = torch.float64
MODES = ("counts", "probs")


@state
class FleissKappaState:
    """Sums over subjects of the rating counts."""

    totals: Tensor = leaf("sum")  # int64 (num_categories,): ratings per category
    squares: Tensor = leaf("sum")  # int64 (): sum over subjects and categories of n_ij²
    subjects: Tensor = leaf("sum")  # int64 (): subjects seen
    raters: Tensor = leaf("max")  # int64 (): largest number of ratings of one subject


def _counts(ratings: Any, mode: str, num_categories: int | None, validate_args: bool) -> Tensor:
    """Per-subject category counts ``(N, C)`` int64 from either input mode."""
    check_tensor(ratings, "ratings")
    if mode == "probs":
        if ratings.dim() != 3 or not ratings.is_floating_point():
            raise ValueError(
                "mode='probs' expects floating point ratings of shape (n_samples, n_categories, n_raters), "
                f"got dtype {ratings.dtype} and shape {tuple(ratings.shape)}"
            )
        check_finite(ratings, "ratings", enabled=validate_args)
        categories = ratings.shape[1]
        choice = ratings.argmax(1)  # (N, raters)
        counts = torch.nn.functional.one_hot(choice, categories).sum(1)
    else:
        if ratings.dim() != 2 or ratings.is_floating_point():
            raise ValueError(
                "mode='counts' expects integer ratings of shape (n_samples, n_categories), "
                f"got dtype {ratings.dtype} and shape {tuple(ratings.shape)}"
            )
        counts = ratings.to(torch.int64)
        check(counts >= 0, "ratings must hold counts >= 0", enabled=validate_args)
    if num_categories is not None and counts.shape[1] != num_categories:
        raise ValueError(
            f"ratings have {counts.shape[1]} categories but num_categories={num_categories}; "
            "pass num_categories equal to the size of the category dimension"
        )
    return counts


def _kappa(totals: Tensor, squares: Tensor, subjects: Tensor, raters: Tensor) -> Tensor:
    n, r = subjects.to(F64), raters.to(F64)
    p_category = totals.to(F64) / (n * r)
    agreement = (squares.to(F64) - n * r) / (r * (r - 1) * n)
    chance = (p_category**2).sum(-1)
    return (agreement - chance) / (1 - chance + 1e-5)


@factory(higher_is_better=True)
def fleiss_kappa(mode: str = "counts", *, num_categories: int | None = None, validate_args: bool = True) -> Metric:
    """Fleiss' kappa: agreement of several raters beyond chance (1: perfect, <= 0: chance level).

    Same arguments and values as ``torchmetrics.functional.nominal.fleiss_kappa`` (and
    the ``FleissKappa`` class), in float64. With ``mode="probs"`` every rater's category
    is the argmax of its scores over the categories (TorchMetrics sizes that one-hot by
    the number of raters instead, which fails when there are more categories than
    raters; the values agree whenever it runs).

    Args:
        mode: ``"counts"``: ratings are ``(n_samples, n_categories)`` integer counts of
            raters per category; ``"probs"``: ratings are ``(n_samples, n_categories,
            n_raters)`` scores.
        num_categories: number of categories; the state is then a fixed set of sums
            (compiles once, vmaps). ``None`` stores the count rows exactly.
        validate_args: check values (counts >= 0, finite scores); shapes and dtypes are
            always checked.

    Returns:
        A metric whose ``update(state, ratings)`` takes a batch of subjects and whose
        value is a float64 scalar.

    Example:
        >>> import torch
        >>> from metrix.nominal import fleiss_kappa
        >>> ratings = torch.tensor([[3, 0, 0], [0, 3, 0], [2, 1, 0], [0, 0, 3], [1, 1, 1]])
        >>> fleiss_kappa()(ratings)
        tensor(0.4932, dtype=torch.float64)
    """
    mode = check_choice(mode, "mode", MODES)
    num_categories = check_num_classes(num_categories, "num_categories")
    validate_args = check_bool(validate_args, "validate_args")

    if num_categories is not None:

        def init(*, device: Any = None) -> FleissKappaState:
            def zero() -> Tensor:
                return torch.zeros((), dtype=torch.int64, device=device)

            return FleissKappaState(
                torch.zeros(num_categories, dtype=torch.int64, device=device), zero(), zero(), zero()
            )

        def update(s: FleissKappaState, ratings: Any) -> FleissKappaState:
            counts = _counts(ratings, mode, num_categories, validate_args)
            raters = counts.sum(1).amax() if counts.shape[0] else torch.zeros((), dtype=torch.int64)
            return FleissKappaState(
                s.totals + counts.sum(0),
                s.squares + (counts * counts).sum(),
                s.subjects + counts.shape[0],
                torch.maximum(s.raters, raters.to(s.raters.device)),
            )

        def compute(s: FleissKappaState) -> Tensor:
            return _kappa(s.totals, s.squares, s.subjects, s.raters)

        key: tuple[Hashable, ...] = ("fleiss_kappa", mode, num_categories, validate_args)
        return Metric(init, update, compute, name="fleiss_kappa", key=key)

    def init_rows(*, device: Any = None) -> RowStore:
        return rows_init(torch.int64, device)

    def update_rows(s: RowStore, ratings: Any) -> RowStore:
        return rows_append(s, _counts(ratings, mode, None, validate_args), "ratings")

    def compute_rows(s: RowStore) -> Tensor:
        counts = rows_values(s, "fleiss_kappa")
        raters = counts.sum(1).amax() if counts.numel() else torch.zeros((), dtype=torch.int64)
        return _kappa(counts.sum(0), (counts * counts).sum(), torch.tensor(counts.shape[0]), raters)

    key = ("fleiss_kappa", mode, None, validate_args)
    return Metric(init_rows, update_rows, compute_rows, name="fleiss_kappa", key=key)
