"""Homogeneity, completeness and the V-measure (Rosenberg and Hirschberg, 2007).

Homogeneity ``MI / H(target)``: each cluster holds members of one class only.
Completeness ``MI / H(preds)``: all members of a class fall in one cluster. The
V-measure is their weighted harmonic mean. All come from the contingency table of
``target`` (rows) and ``preds`` (columns), shared by every extrinsic clustering metric.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_number
from metrix._core.metric import Metric, factory
from metrix.clustering import _parameter_docs as parameter_docs
from metrix.clustering._information import entropy_of, marginals, mutual_info_of
from metrix.clustering._inputs import ExtrinsicScore, extrinsic_metric

__all__ = ["completeness_score", "homogeneity_score", "v_measure_score"]


def homogeneity_completeness(table: Tensor) -> tuple[Tensor, Tensor]:
    """``(homogeneity, completeness)`` of a table; a zero entropy gives 1, an empty table ``(0, 1)`` (TorchMetrics)."""
    _, rows, cols, n = marginals(table)
    mi = mutual_info_of(table)
    h_target, h_preds = entropy_of(rows, n), entropy_of(cols, n)
    homogeneity = torch.where(h_target == 0, 1.0, mi / h_target)
    homogeneity = torch.where(n == 0, 0.0, homogeneity)
    completeness = torch.where(h_preds == 0, 1.0, mi / h_preds)
    return homogeneity, completeness


def _homogeneity(table: Tensor) -> Tensor:
    return homogeneity_completeness(table)[0]


def _completeness(table: Tensor) -> Tensor:
    return homogeneity_completeness(table)[1]


homogeneity_score = ExtrinsicScore(
    "homogeneity_score",
    _homogeneity,
    __name__,
    """Homogeneity ``MI / H(target)``: 1 when every cluster holds a single class.

    Same values as ``torchmetrics.functional.clustering.homogeneity_score`` and
    scikit-learn's ``homogeneity_score``, in float64.

    Example:
        >>> homogeneity_score()(preds, target)
        tensor(0.4744, dtype=torch.float64)
    """,
    higher_is_better=True,
).factory

completeness_score = ExtrinsicScore(
    "completeness_score",
    _completeness,
    __name__,
    """Completeness ``MI / H(preds)``: 1 when every class falls in a single cluster.

    Same values as ``torchmetrics.functional.clustering.completeness_score`` and
    scikit-learn's ``completeness_score``, in float64.

    Example:
        >>> completeness_score()(preds, target)
        tensor(0.4744, dtype=torch.float64)
    """,
    higher_is_better=True,
).factory


@factory(higher_is_better=True)
@parameter_docs.EXTRINSIC_EXAMPLE
def v_measure_score(
    beta: float = 1.0,
    *,
    num_classes: int | None = None,
    num_clusters: int | None = None,
    validate_args: bool = True,
) -> Metric:
    """V-measure ``(1 + beta) h c / (beta h + c)`` of homogeneity ``h`` and completeness ``c``.

    Same arguments and values as ``torchmetrics.functional.clustering.v_measure_score``
    and scikit-learn's ``v_measure_score``, in float64 (1 when both are 0, as in
    TorchMetrics).

    Args:
        beta: weight of homogeneity against completeness (``beta > 1`` favours
            completeness).

    Example:
        >>> v_measure_score(beta=2.0)(preds, target)
        tensor(0.4744, dtype=torch.float64)
    """
    beta = check_number(beta, "beta", "a float >= 0", lambda v: v >= 0)

    def reduce(table: Tensor) -> Any:
        h, c = homogeneity_completeness(table)
        total = h + c
        return torch.where(total == 0, 1.0, (1 + beta) * h * c / torch.where(total == 0, 1.0, beta * h + c))

    return extrinsic_metric("v_measure_score", reduce, num_classes, num_clusters, validate_args)
