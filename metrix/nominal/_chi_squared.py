"""Chi-squared association: Cramér's V, Tschuprow's T and Pearson's contingency coefficient.

All three are functions of ``phi² = chi² / n`` of the contingency table of two
categorical series, with ``r`` and ``c`` the numbers of categories present in each:
``V = sqrt(phi² / min(r - 1, c - 1))``, ``T = sqrt(phi² / sqrt((r - 1)(c - 1)))`` and
``C = sqrt(phi² / (1 + phi²))``. With ``bias_correction`` (Bergsma, 2013) ``phi²``,
``r`` and ``c`` are replaced by their bias-corrected estimates, and a 2×2 table gets
Yates' continuity correction (as TorchMetrics applies it: every cell moves 0.5 towards
its expected count). The state is the contingency table (see ``_contingency``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import warn_if
from metrix._core.family import publish
from metrix._core.metric import Metric
from metrix.nominal import _parameter_docs as parameter_docs
from metrix.nominal._contingency import contingency_metric
from metrix.nominal._inputs import check_bool, check_nan_strategy, check_num_classes, paired_labels

__all__ = [
    "BiasCorrectedPairAssociation",
    "PairAssociation",
    "chi_squared",
    "cramers_v",
    "cramers_v_of",
    "pearsons_contingency_coefficient",
    "pearsons_of",
    "tschuprows_t",
    "tschuprows_t_of",
]

F64 = torch.float64
BIAS_WARNING = (
    "unable to use bias correction on this table (a corrected number of categories is 1); pass bias_correction=False"
)


def chi_squared(table: Tensor, bias_correction: bool) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Pearson's chi² statistic of ``(..., R, C)`` tables, ignoring empty rows and columns.

    Returns:
        ``(chi2, n, r, c)``: the statistic, the total count and the numbers of non-empty
        rows and columns, all float64 of the batch shape.
    """
    t = table.to(F64)
    rows, cols = t.sum(-1), t.sum(-2)
    n = rows.sum(-1)
    r, c = (rows > 0).sum(-1).to(F64), (cols > 0).sum(-1).to(F64)
    expected = rows.unsqueeze(-1) * cols.unsqueeze(-2) / n[..., None, None]
    df = (r - 1) * (c - 1)
    if bias_correction:
        yates = (df == 1)[..., None, None]
        t = torch.where(yates, t + 0.5 * torch.sign(expected - t), t)
    seen = expected > 0
    cells = torch.where(seen, (t - expected) ** 2 / torch.where(seen, expected, 1.0), 0.0)
    chi2 = torch.where(df == 0, 0.0, cells.sum((-2, -1)))
    return chi2, n, r, c


def _corrected(phi2: Tensor, n: Tensor, r: Tensor, c: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    phi2 = torch.clamp(phi2 - (r - 1) * (c - 1) / (n - 1), min=0.0)
    r_corr = r - (r - 1) ** 2 / (n - 1)
    c_corr = c - (c - 1) ** 2 / (n - 1)
    failed = torch.minimum(r_corr, c_corr) == 1
    return phi2, r_corr, c_corr, failed


def cramers_v_of(table: Tensor, bias_correction: bool) -> tuple[Tensor, Tensor]:
    """Cramér's V of ``(..., R, C)`` tables and where bias correction failed (the value is NaN there)."""
    chi2, n, r, c = chi_squared(table, bias_correction)
    phi2 = chi2 / n
    if not bias_correction:
        value = torch.sqrt(phi2 / torch.minimum(r - 1, c - 1))
        return value.clamp(0.0, 1.0), torch.zeros_like(phi2, dtype=torch.bool)
    phi2, r_corr, c_corr, failed = _corrected(phi2, n, r, c)
    value = torch.sqrt(phi2 / torch.minimum(r_corr - 1, c_corr - 1))
    return torch.where(failed, torch.nan, value).clamp(0.0, 1.0), failed


def tschuprows_t_of(table: Tensor, bias_correction: bool) -> tuple[Tensor, Tensor]:
    """Tschuprow's T of ``(..., R, C)`` tables and where bias correction failed (the value is NaN there)."""
    chi2, n, r, c = chi_squared(table, bias_correction)
    phi2 = chi2 / n
    if not bias_correction:
        value = torch.sqrt(phi2 / torch.sqrt((r - 1) * (c - 1)))
        return value.clamp(0.0, 1.0), torch.zeros_like(phi2, dtype=torch.bool)
    phi2, r_corr, c_corr, failed = _corrected(phi2, n, r, c)
    value = torch.sqrt(phi2 / torch.sqrt((r_corr - 1) * (c_corr - 1)))
    return torch.where(failed, torch.nan, value).clamp(0.0, 1.0), failed


def pearsons_of(table: Tensor) -> Tensor:
    """Pearson's contingency coefficient ``sqrt(phi² / (1 + phi²))`` of ``(..., R, C)`` tables."""
    chi2, n, _, _ = chi_squared(table, False)
    phi2 = chi2 / n
    return torch.sqrt(phi2 / (1 + phi2)).clamp(0.0, 1.0)


def nominal_metric(
    name: str,
    reduce: Any,
    num_classes: Any,
    nan_strategy: Any,
    nan_replace_value: Any,
    validate_args: Any,
) -> Metric:
    """A metric over the contingency table of a (preds, target) pair of categorical series."""
    num_classes = check_num_classes(num_classes)
    nan_strategy, nan_replace_value = check_nan_strategy(nan_strategy, nan_replace_value)
    validate_args = check_bool(validate_args, "validate_args")

    def prepare(preds: Any, target: Any) -> Any:
        return paired_labels(preds, target, nan_strategy, nan_replace_value, validate_args)

    key = ("nominal_contingency", num_classes, nan_strategy, nan_replace_value, validate_args)
    return contingency_metric(
        name,
        reduce,
        prepare,
        num_rows=num_classes,
        num_cols=num_classes,
        range_names=("num_classes", "num_classes"),
        key=key,
        validate_args=validate_args,
    )


def _bias_corrected(
    name: str, statistic: Callable[[Tensor, bool], tuple[Tensor, Tensor]], bias_correction: Any
) -> Callable[[Tensor], Tensor]:
    """A table's reduction to ``statistic``, warning (as TorchMetrics does) where its bias correction fails."""
    bias_correction = check_bool(bias_correction, "bias_correction")

    def reduce(table: Tensor) -> Tensor:
        value, failed = statistic(table, bias_correction)
        warn_if(failed, name, BIAS_WARNING)
        return value

    return reduce


class PairAssociation:
    """An association statistic of one contingency table and its public factory, ``.factory``.

    Pearson's C and Theil's U take the same TorchMetrics signature and body; only the
    statistic (``reduce``, table to value), the name and the docstring differ.
    """

    def __init__(self, name: str, reduce: Callable[[Tensor], Tensor], module: str, doc: str) -> None:
        self.name, self.reduce = name, reduce
        self.factory = publish(self._factory, name, module, doc, higher_is_better=True, glossary=parameter_docs.PAIR)

    def _factory(
        self,
        num_classes: int | None = None,
        nan_strategy: str = "replace",
        nan_replace_value: float | None = 0.0,
        *,
        validate_args: bool = True,
    ) -> Metric:
        return nominal_metric(self.name, self.reduce, num_classes, nan_strategy, nan_replace_value, validate_args)


class BiasCorrectedPairAssociation:
    """An association statistic with a ``bias_correction`` argument and its public factory, ``.factory``.

    Cramér's V and Tschuprow's T: ``statistic(table, bias_correction)`` gives the value and
    where the bias correction failed (a warning, as TorchMetrics gives).
    """

    def __init__(self, name: str, statistic: Callable[[Tensor, bool], tuple[Tensor, Tensor]], doc: str) -> None:
        self.name, self.statistic = name, statistic
        self.factory = publish(self._factory, name, __name__, doc, higher_is_better=True, glossary=parameter_docs.PAIR)

    def _factory(
        self,
        num_classes: int | None = None,
        bias_correction: bool = True,
        nan_strategy: str = "replace",
        nan_replace_value: float | None = 0.0,
        *,
        validate_args: bool = True,
    ) -> Metric:
        reduce = _bias_corrected(self.name, self.statistic, bias_correction)
        return nominal_metric(self.name, reduce, num_classes, nan_strategy, nan_replace_value, validate_args)


cramers_v = BiasCorrectedPairAssociation(
    "cramers_v",
    cramers_v_of,
    """Cramér's V: the association of two categorical series, in [0, 1] (1: each determines the other).

    ``V = sqrt((chi² / n) / min(r - 1, c - 1))`` over the contingency table of
    ``target`` (rows) and ``preds`` (columns), ``r`` and ``c`` counting the categories
    present. Same arguments and values as ``torchmetrics.functional.nominal.cramers_v``
    (and the ``CramersV`` class with ``num_classes``), in float64. A table whose
    corrected number of categories is 1 gives NaN with a warning, as in TorchMetrics.

    Returns:
        A metric whose ``update(state, preds, target)`` takes two ``(N,)`` label vectors
        (or ``(N, C)`` scores, reduced by argmax) and whose value is a float64 scalar.

    Example:
        >>> cramers_v(bias_correction=False)(preds, target)
        tensor(0.7169, dtype=torch.float64)
        >>> cramers_v(num_classes=3, bias_correction=False)(preds, target)   # a fixed 3×3 table
        tensor(0.7169, dtype=torch.float64)
    """,
).factory

tschuprows_t = BiasCorrectedPairAssociation(
    "tschuprows_t",
    tschuprows_t_of,
    """Tschuprow's T: the association of two categorical series, in [0, 1].

    ``T = sqrt((chi² / n) / sqrt((r - 1)(c - 1)))`` over the contingency table of
    ``target`` (rows) and ``preds`` (columns). Same arguments and values as
    ``torchmetrics.functional.nominal.tschuprows_t`` (and the ``TschuprowsT`` class),
    in float64.

    Example:
        >>> tschuprows_t(bias_correction=False)(preds, target)
        tensor(0.7169, dtype=torch.float64)
    """,
).factory

pearsons_contingency_coefficient = PairAssociation(
    "pearsons_contingency_coefficient",
    pearsons_of,
    __name__,
    """Pearson's contingency coefficient ``sqrt(phi² / (1 + phi²))`` of two categorical series.

    ``phi² = chi² / n`` over the contingency table of ``target`` (rows) and ``preds``
    (columns). Same arguments and values as
    ``torchmetrics.functional.nominal.pearsons_contingency_coefficient`` (and the
    ``PearsonsContingencyCoefficient`` class), in float64.

    Example:
        >>> pearsons_contingency_coefficient()(preds, target)
        tensor(0.7119, dtype=torch.float64)
    """,
).factory
