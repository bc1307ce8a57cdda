"""Mutual information between a clustering and the ground truth: plain, normalized and adjusted.

``MI = sum_ij n_ij / n log(n n_ij / (a_i b_j))`` over the contingency table of
``target`` classes (rows, sums ``a``) and ``preds`` clusters (columns, sums ``b``).
NMI divides it by a mean of the two entropies; AMI subtracts its expectation under
random labelings with the same cluster sizes first. The state is the table (fixed with
``num_classes``/``num_clusters``, see ``metrix.nominal._contingency``), shared by every
extrinsic clustering metric of the same sizes.
"""

from __future__ import annotations

import torch
from torch import Tensor

from metrix._core.args import check_choice
from metrix._core.metric import Metric, factory
from metrix.clustering import _parameter_docs as parameter_docs
from metrix.clustering._information import (
    AVERAGE_METHODS,
    entropy_of,
    expected_mutual_info,
    generalized_mean,
    marginals,
    mutual_info_of,
)
from metrix.clustering._inputs import ExtrinsicScore, extrinsic_metric

__all__ = ["adjusted_mutual_info_score", "mutual_info_score", "normalized_mutual_info_score"]

# TorchMetrics computes in float32 and uses float32's epsilon for its thresholds
_EPS32 = torch.finfo(torch.float32).eps


def _entropies(table: Tensor) -> tuple[Tensor, Tensor]:
    """``(H(preds), H(target))``; an empty table has entropies 1, as in TorchMetrics."""
    _, rows, cols, n = marginals(table)
    empty = n == 0
    return torch.where(empty, 1.0, entropy_of(cols, n)), torch.where(empty, 1.0, entropy_of(rows, n))


mutual_info_score = ExtrinsicScore(
    "mutual_info_score",
    mutual_info_of,
    __name__,
    """Mutual information (nats) between predicted clusters and target classes.

    Same values as ``torchmetrics.functional.clustering.mutual_info_score`` and
    scikit-learn's ``mutual_info_score``, in float64.

    Args:
        num_classes: range of the ``target`` labels ``[0, num_classes)``; the state is
            then a fixed ``(num_classes, num_clusters)`` table (compiles once, vmaps).
            ``None`` (with ``num_clusters`` also ``None``) stores every label exactly,
            any integers, as TorchMetrics does.
        num_clusters: range of the ``preds`` labels (defaults to ``num_classes``, and
            the other way round).

    Returns:
        A metric whose ``update(state, preds, target)`` takes two ``(N,)`` integer label
        vectors and whose value is a float64 scalar.

    Example:
        >>> mutual_info_score()(preds, target)
        tensor(0.5004, dtype=torch.float64)
    """,
    higher_is_better=True,
).factory


@factory(higher_is_better=None)
@parameter_docs.EXTRINSIC_EXAMPLE
def normalized_mutual_info_score(
    average_method: str = "arithmetic",
    *,
    num_classes: int | None = None,
    num_clusters: int | None = None,
    validate_args: bool = True,
) -> Metric:
    """Normalized mutual information ``MI / mean(H(preds), H(target))``, in [0, 1].

    Same arguments and values as
    ``torchmetrics.functional.clustering.normalized_mutual_info_score`` (and
    scikit-learn's), in float64; an MI of 0 (within float32's epsilon) is returned as is.

    Args:
        average_method: the mean of the two entropies: ``"min"``, ``"geometric"``,
            ``"arithmetic"`` or ``"max"``.
        num_classes: range of the ``target`` labels; with it the state is a fixed table
            (see :func:`mutual_info_score`). ``None`` stores the labels exactly.

    Example:
        >>> normalized_mutual_info_score("arithmetic")(preds, target)
        tensor(0.4744, dtype=torch.float64)
    """
    average_method = check_choice(average_method, "average_method", AVERAGE_METHODS)

    def reduce(table: Tensor) -> Tensor:
        mi = mutual_info_of(table)
        h_preds, h_target = _entropies(table)
        return torch.where(mi.abs() <= _EPS32, mi, mi / generalized_mean(h_preds, h_target, average_method))

    return extrinsic_metric("normalized_mutual_info_score", reduce, num_classes, num_clusters, validate_args)


@factory(higher_is_better=None)
@parameter_docs.EXTRINSIC_EXAMPLE
def adjusted_mutual_info_score(
    average_method: str = "arithmetic",
    *,
    num_classes: int | None = None,
    num_clusters: int | None = None,
    validate_args: bool = True,
) -> Metric:
    """Adjusted mutual information ``(MI - E[MI]) / (mean(H(preds), H(target)) - E[MI])``.

    ``E[MI]`` is the expected mutual information of random labelings with the same
    cluster sizes. Same arguments and values as
    ``torchmetrics.functional.clustering.adjusted_mutual_info_score`` (and
    scikit-learn's, outside its special case of one cluster on both sides), in float64.
    The expectation is a data-dependent sum over the table's marginals, so ``compute``
    runs eagerly (``update`` still compiles and vmaps with a fixed table); it sums only
    the terms that are not exactly 0 in float64 (see ``_information``), where
    TorchMetrics loops over every term in Python.

    Args:
        average_method: ``"min"``, ``"geometric"``, ``"arithmetic"`` or ``"max"``.
        num_classes: range of the ``target`` labels; with it the state is a fixed table.
            ``None`` stores the labels exactly.

    Example:
        >>> adjusted_mutual_info_score("arithmetic")(preds, target)
        tensor(-0.2500, dtype=torch.float64)
    """
    average_method = check_choice(average_method, "average_method", AVERAGE_METHODS)

    def reduce(table: Tensor) -> Tensor:
        mi = mutual_info_of(table)
        expected = expected_mutual_info(table)
        h_preds, h_target = _entropies(table)
        denominator = generalized_mean(h_preds, h_target, average_method) - expected
        denominator = torch.where(
            denominator < 0, torch.clamp(denominator, max=-_EPS32), torch.clamp(denominator, min=_EPS32)
        )
        return (mi - expected) / denominator

    return extrinsic_metric("adjusted_mutual_info_score", reduce, num_classes, num_clusters, validate_args)
