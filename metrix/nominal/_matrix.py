"""Association matrices: a nominal statistic between every pair of columns of a dataset.

``cramers_v_matrix(matrix)`` and its siblings take an ``(N, V)`` tensor of ``V``
categorical variables and return the ``(V, V)`` matrix of the statistic between each
pair of columns (1 on the diagonal); entry ``[i, j]`` treats column ``i`` as ``preds``
and column ``j`` as ``target``, as in TorchMetrics (only Theil's U is asymmetric).

With ``num_classes`` and ``num_variables`` the state is one ``(C, C)`` contingency
table per pair of columns, an int64 ``(V(V-1)/2, C, C)`` sum leaf, and every pair's
statistic is computed in one batched kernel. Without them the rows are stored exactly
(see ``_rows``) and the tables are built at ``compute``. ``nan_strategy="drop"``
leaves a row out of a pair's table when either of the pair's values is ``NaN``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_tensor
from metrix._core.checks import check, check_in_range, is_tracing, warn_if
from metrix._core.family import publish
from metrix._core.metric import Metric
from metrix._core.state import leaf, state
from metrix.nominal import _parameter_docs as parameter_docs
from metrix.nominal._chi_squared import BIAS_WARNING, cramers_v_of, pearsons_of, tschuprows_t_of
from metrix.nominal._contingency import dense_contingency, range_message
from metrix.nominal._inputs import check_bool, check_nan_strategy, check_num_classes
from metrix.nominal._rows import RowStore, rows_append, rows_init, rows_values
from metrix.nominal._theils_u import theils_u_of

__all__ = [
    "PairTablesState",
    "cramers_v_matrix",
    "pearsons_contingency_coefficient_matrix",
    "theils_u_matrix",
    "tschuprows_t_matrix",
]

F64 = torch.float64
# (tables with rows = target column j, columns = preds column i) -> (value[i, j], value[j, i], bias failed)
PairStatistic = Callable[[Tensor], tuple[Tensor, Tensor, Tensor]]


@state
class PairTablesState:
    """One contingency table per pair of columns ``i < j``."""

    tables: Tensor = leaf("sum")  # int64 (V(V-1)/2, C, C): [p, a, b] counts rows with x_i = a and x_j = b


def _pairs(num_variables: int, device: Any = None) -> tuple[Tensor, Tensor]:
    first, second = torch.triu_indices(num_variables, num_variables, 1, device=device)
    return first, second


def _assemble(upper: Tensor, lower: Tensor, num_variables: int) -> Tensor:
    """The ``(V, V)`` matrix with ones on the diagonal, ``upper`` at ``[i, j]`` and ``lower`` at ``[j, i]`` (i < j)."""
    first, second = _pairs(num_variables, upper.device)
    out = torch.ones(num_variables * num_variables, dtype=F64, device=upper.device)
    out = out.scatter(-1, first * num_variables + second, upper.to(F64))
    out = out.scatter(-1, second * num_variables + first, lower.to(F64))
    return out.reshape(num_variables, num_variables)


def _matrix_2d(matrix: Any, num_variables: int | None) -> Tensor:
    check_tensor(matrix, "matrix")
    if matrix.dim() != 2:
        raise ValueError(
            f"matrix must be 2-d of shape (N, num_variables): one column per categorical variable, "
            f"got shape {tuple(matrix.shape)}"
        )
    if num_variables is not None and matrix.shape[1] != num_variables:
        raise ValueError(
            f"matrix has {matrix.shape[1]} columns but num_variables={num_variables}; "
            "pass num_variables equal to the number of columns"
        )
    return matrix


def _check_whole(x: Tensor, validate_args: bool) -> None:
    if x.is_floating_point():
        ok = torch.isnan(x) | ((x == torch.trunc(x)) & torch.isfinite(x))
        check(ok, "matrix must hold whole-number category labels (or NaN)", enabled=validate_args)


def _matrix_metric(
    name: str,
    statistic: PairStatistic,
    num_classes: Any,
    num_variables: Any,
    nan_strategy: Any,
    nan_replace_value: Any,
    validate_args: Any,
) -> Metric:
    num_classes = check_num_classes(num_classes)
    num_variables = check_num_classes(num_variables, "num_variables")
    nan_strategy, nan_replace_value = check_nan_strategy(nan_strategy, nan_replace_value)
    validate_args = check_bool(validate_args, "validate_args")

    def replace_nan(x: Tensor) -> Tensor:
        if nan_strategy == "replace" and x.is_floating_point():
            return torch.where(torch.isnan(x), float(nan_replace_value), x)
        return x

    if num_classes is not None and num_variables is not None:
        c, v = num_classes, num_variables
        num_pairs = v * (v - 1) // 2
        size = num_pairs * c * c

        def init(*, device: Any = None) -> PairTablesState:
            return PairTablesState(torch.zeros(num_pairs, c, c, dtype=torch.int64, device=device))

        def update(s: PairTablesState, matrix: Any) -> PairTablesState:
            x = replace_nan(_matrix_2d(matrix, v))
            _check_whole(x, validate_args)
            present = ~torch.isnan(x) if x.is_floating_point() else torch.ones_like(x, dtype=torch.bool)
            labels = torch.where(present, x, 0).to(torch.int64)
            check_in_range(
                labels,
                0,
                c,
                range_message(
                    f"matrix holds labels outside [0, num_classes={int(c)}); pass num_classes above the largest label",
                    labels,
                ),
                enabled=validate_args,
            )
            if not validate_args:
                labels = labels.clamp(0, c - 1)
            first, second = _pairs(v, x.device)
            pair = torch.arange(num_pairs, device=x.device)
            index = pair * (c * c) + labels[:, first] * c + labels[:, second]  # (N, P)
            index = torch.where(present[:, first] & present[:, second], index, size).reshape(-1)
            if is_tracing(index):
                ones = torch.ones_like(index)
                bins = torch.zeros(size + 1, dtype=torch.int64, device=x.device).scatter_add(0, index, ones)
            else:
                bins = torch.bincount(index, minlength=size + 1)
            return PairTablesState(s.tables + bins[:size].reshape(num_pairs, c, c))

        def compute(s: PairTablesState) -> Tensor:
            upper, lower, failed = statistic(s.tables.transpose(-1, -2))
            warn_if(failed, name, BIAS_WARNING)
            return _assemble(upper, lower, v)

        key: tuple[Hashable, ...] = ("nominal_pair_tables", c, v, nan_strategy, nan_replace_value, validate_args)
        return Metric(init, update, compute, name=name, key=key)

    def init_rows(*, device: Any = None) -> RowStore:
        return rows_init(F64, device)

    def update_rows(s: RowStore, matrix: Any) -> RowStore:
        x = _matrix_2d(matrix, num_variables)
        _check_whole(x, validate_args)
        return rows_append(s, replace_nan(x).to(F64), "matrix")

    def compute_rows(s: RowStore) -> Tensor:
        rows = rows_values(s, name)
        v = rows.shape[1]
        first, second = _pairs(v)
        uppers, lowers, failures = [], [], []
        for i, j in zip(first.tolist(), second.tolist()):
            x, y = rows[:, i], rows[:, j]
            keep = ~(torch.isnan(x) | torch.isnan(y))
            table = dense_contingency(x[keep].to(torch.int64), y[keep].to(torch.int64))
            upper, lower, failed = statistic(table)
            uppers.append(upper)
            lowers.append(lower)
            failures.append(failed)
        if not uppers:
            return torch.ones(v, v, dtype=F64, device=rows.device)
        warn_if(torch.stack(failures), name, BIAS_WARNING)
        return _assemble(torch.stack(uppers), torch.stack(lowers), v)

    key = ("nominal_rows", num_variables, nan_strategy, nan_replace_value, validate_args)
    return Metric(init_rows, update_rows, compute_rows, name=name, key=key)


def _symmetric(fn: Callable[[Tensor], tuple[Tensor, Tensor]]) -> PairStatistic:
    def statistic(tables: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        value, failed = fn(tables)
        return value, value, failed

    return statistic


class _MatrixAssociation:
    """An association statistic between every pair of columns and its public factory, ``.factory``.

    Pearson's C and Theil's U matrices take the same TorchMetrics signature and body; only
    the pair statistic, the name and the docstring differ.
    """

    def __init__(self, name: str, statistic: PairStatistic, doc: str) -> None:
        self.name, self.statistic = name, statistic
        self.factory = publish(
            self._factory, name, __name__, doc, higher_is_better=None, glossary=parameter_docs.MATRIX
        )

    def _factory(
        self,
        num_classes: int | None = None,
        nan_strategy: str = "replace",
        nan_replace_value: float | None = 0.0,
        *,
        num_variables: int | None = None,
        validate_args: bool = True,
    ) -> Metric:
        return _matrix_metric(
            self.name, self.statistic, num_classes, num_variables, nan_strategy, nan_replace_value, validate_args
        )


class _BiasCorrectedMatrixAssociation:
    """Cramér's V or Tschuprow's T between every pair of columns (``bias_correction``), ``.factory``."""

    def __init__(self, name: str, statistic: Callable[[Tensor, bool], tuple[Tensor, Tensor]], doc: str) -> None:
        self.name, self.statistic = name, statistic
        self.factory = publish(
            self._factory, name, __name__, doc, higher_is_better=None, glossary=parameter_docs.MATRIX
        )

    def _factory(
        self,
        num_classes: int | None = None,
        bias_correction: bool = True,
        nan_strategy: str = "replace",
        nan_replace_value: float | None = 0.0,
        *,
        num_variables: int | None = None,
        validate_args: bool = True,
    ) -> Metric:
        bias_correction = check_bool(bias_correction, "bias_correction")
        statistic = _symmetric(lambda t: self.statistic(t, bias_correction))
        return _matrix_metric(
            self.name, statistic, num_classes, num_variables, nan_strategy, nan_replace_value, validate_args
        )


def _pearsons(tables: Tensor) -> tuple[Tensor, Tensor]:
    return pearsons_of(tables), torch.zeros(tables.shape[:-2], dtype=torch.bool, device=tables.device)


def _theils_u(tables: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    failed = torch.zeros(tables.shape[:-2], dtype=torch.bool, device=tables.device)
    return theils_u_of(tables), theils_u_of(tables.transpose(-1, -2)), failed


cramers_v_matrix = _BiasCorrectedMatrixAssociation(
    "cramers_v_matrix",
    cramers_v_of,
    """Cramér's V between every pair of columns of an ``(N, V)`` categorical dataset.

    Same arguments and values as ``torchmetrics.functional.nominal.cramers_v_matrix``,
    in float64.

    Example:
        >>> cramers_v_matrix(bias_correction=False)(matrix)
        tensor([[1.0000, 0.8165, 0.8165],
                [0.8165, 1.0000, 1.0000],
                [0.8165, 1.0000, 1.0000]], dtype=torch.float64)
    """,
).factory

tschuprows_t_matrix = _BiasCorrectedMatrixAssociation(
    "tschuprows_t_matrix",
    tschuprows_t_of,
    """Tschuprow's T between every pair of columns of an ``(N, V)`` categorical dataset.

    Same arguments and values as ``torchmetrics.functional.nominal.tschuprows_t_matrix``,
    in float64.

    Example:
        >>> tschuprows_t_matrix(bias_correction=False)(matrix)
        tensor([[1.0000, 0.6866, 0.6866],
                [0.6866, 1.0000, 1.0000],
                [0.6866, 1.0000, 1.0000]], dtype=torch.float64)
    """,
).factory

pearsons_contingency_coefficient_matrix = _MatrixAssociation(
    "pearsons_contingency_coefficient_matrix",
    _symmetric(_pearsons),
    """Pearson's contingency coefficient between every pair of columns of an ``(N, V)`` dataset.

    Same arguments and values as
    ``torchmetrics.functional.nominal.pearsons_contingency_coefficient_matrix``, in float64.

    Example:
        >>> pearsons_contingency_coefficient_matrix()(matrix)
        tensor([[1.0000, 0.6325, 0.6325],
                [0.6325, 1.0000, 0.7071],
                [0.6325, 0.7071, 1.0000]], dtype=torch.float64)
    """,
).factory

theils_u_matrix = _MatrixAssociation(
    "theils_u_matrix",
    _theils_u,
    """Theil's U between every ordered pair of columns of an ``(N, V)`` categorical dataset.

    Entry ``[i, j]`` is ``U(column i | column j)``. Same arguments and values as
    ``torchmetrics.functional.nominal.theils_u_matrix``, in float64.

    Returns:
        A metric whose ``update(state, matrix)`` takes an ``(N, V)`` tensor and whose
        value is the ``(V, V)`` float64 matrix (ones on the diagonal).

    Example:
        >>> theils_u_matrix()(matrix)
        tensor([[1.0000, 0.4206, 0.4206],
                [0.6667, 1.0000, 1.0000],
                [0.6667, 1.0000, 1.0000]], dtype=torch.float64)
    """,
).factory
