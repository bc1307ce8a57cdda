"""Calinski–Harabasz score: between-cluster over within-cluster dispersion, scaled by degrees of freedom.

``CH = [B / (k - 1)] / [W / (n - k)]`` with ``B = sum_k n_k ||c_k - c||²`` and
``W = sum_k sum_{x in k} ||x - c_k||²``. Both follow from per-cluster sums:
``sum_k ||S_k||² / n_k`` (``S_k`` the sum of cluster ``k``'s rows), the grand sum and
the sum of squared norms, so with ``num_clusters`` and ``num_features`` the state is
fixed (float64 sums and int64 counts, exact under merge and sync, compiles once and
vmaps) where TorchMetrics stores every row. Without them the rows are stored.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_optional_int
from metrix._core.checks import check, check_in_range
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.clustering import _parameter_docs as parameter_docs
from metrix.clustering._inputs import check_bool, intrinsic_inputs
from metrix.clustering._samples import (
    ClusterSamplesState,
    cluster_indices,
    samples_append,
    samples_init,
    samples_values,
)
from metrix.nominal._contingency import range_message

__all__ = ["ClusterSumsState", "calinski_harabasz_score"]

F64 = torch.float64
TOO_FEW = "calinski_harabasz_score needs more than one cluster and fewer clusters than samples"


@state
class ClusterSumsState:
    """Per-cluster sums of the rows."""

    counts: Tensor = leaf("sum")  # int64 (num_clusters,): rows per cluster
    sums: Tensor = leaf("sum")  # float64 (num_clusters, num_features): sum of each cluster's rows
    squares: Tensor = leaf("sum")  # float64 (): sum of squared norms of all rows


def _score(counts: Tensor, sums: Tensor, squares: Tensor) -> Tensor:
    present = counts > 0
    k = present.sum().to(F64)
    n = counts.sum().to(F64)
    check((k > 1) & (k < n), TOO_FEW + " (labels of one cluster only, or one sample per cluster)")
    per_cluster = torch.where(present, (sums * sums).sum(-1) / torch.where(present, counts, 1).to(F64), 0.0).sum()
    total = sums.sum(0)
    between = per_cluster - (total * total).sum() / n
    within = squares - per_cluster
    return torch.where(within <= 0, 1.0, between * (n - k) / (within * (k - 1)))


@factory(higher_is_better=True)
@parameter_docs.DATA_EXAMPLE
def calinski_harabasz_score(
    *, num_clusters: int | None = None, num_features: int | None = None, validate_args: bool = True
) -> Metric:
    """Calinski–Harabasz score (variance ratio criterion) of a clustering of ``data``; higher is better.

    Same values as ``torchmetrics.functional.clustering.calinski_harabasz_score`` and
    scikit-learn's ``calinski_harabasz_score``, in float64 (1 when every row equals its
    centroid). ``compute`` raises ``ValueError`` unless ``1 < clusters < samples``.

    Args:
        num_clusters: labels lie in ``[0, num_clusters)``; with ``num_features`` the
            state is fixed per-cluster sums (compiles once, vmaps). Both ``None``: the
            rows are stored exactly and labels may be any integers, as in TorchMetrics.
        num_features: number of columns ``D`` of ``data`` (with ``num_clusters``).
        validate_args: check values (finite data, labels in range).

    Returns:
        A metric whose ``update(state, data, labels)`` takes ``(N, D)`` floating point
        data and ``(N,)`` integer labels, with a float64 scalar value.

    Example:
        >>> labels = torch.tensor([0, 0, 1, 1, 1])
        >>> calinski_harabasz_score()(data, labels)
        tensor(101.7273, dtype=torch.float64)
        >>> calinski_harabasz_score(num_clusters=2, num_features=2)(data, labels)   # fixed sums
        tensor(101.7273, dtype=torch.float64)
    """
    num_clusters = check_optional_int(num_clusters, "num_clusters", 1)
    num_features = check_optional_int(num_features, "num_features", 1)
    validate_args = check_bool(validate_args, "validate_args")
    if (num_clusters is None) != (num_features is None):
        raise ValueError(
            "pass both num_clusters and num_features for a fixed state, or neither to store the samples; "
            f"got num_clusters={num_clusters!r}, num_features={num_features!r}"
        )

    if num_clusters is not None and num_features is not None:
        k, d = num_clusters, num_features

        def init(*, device: Any = None) -> ClusterSumsState:
            return ClusterSumsState(
                torch.zeros(k, dtype=torch.int64, device=device),
                torch.zeros(k, d, dtype=F64, device=device),
                torch.zeros((), dtype=F64, device=device),
            )

        def update(s: ClusterSumsState, data: Any, labels: Any) -> ClusterSumsState:
            x, y = intrinsic_inputs(data, labels, d, validate_args)
            check_in_range(
                y,
                0,
                k,
                range_message(f"labels must lie in [0, num_clusters={int(k)})", y),
                enabled=validate_args,
            )
            y = y.clamp(0, k - 1) if not validate_args else y
            x = x.to(F64)
            counts = torch.zeros(k, dtype=torch.int64, device=x.device).scatter_add(0, y, torch.ones_like(y))
            sums = torch.zeros(k, d, dtype=F64, device=x.device).index_add(0, y, x)
            return ClusterSumsState(s.counts + counts, s.sums + sums, s.squares + (x * x).sum())

        def compute(s: ClusterSumsState) -> Tensor:
            return _score(s.counts, s.sums, s.squares)

        return Metric(init, update, compute, name="calinski_harabasz_score", key=("cluster_sums", k, d, validate_args))

    def init_samples(*, device: Any = None) -> ClusterSamplesState:
        return samples_init(device)

    def update_samples(s: ClusterSamplesState, data: Any, labels: Any) -> ClusterSamplesState:
        x, y = intrinsic_inputs(data, labels, None, validate_args)
        return samples_append(s, x, y)

    def compute_samples(s: ClusterSamplesState) -> Tensor:
        x, labels = samples_values(s, "calinski_harabasz_score")
        index, k = cluster_indices(labels)
        counts = torch.bincount(index, minlength=k)
        sums = torch.zeros(k, x.shape[1], dtype=F64, device=x.device).index_add(0, index, x)
        return _score(counts, sums, (x * x).sum())

    key = ("cluster_samples", validate_args)  # shared with davies_bouldin_score and dunn_index
    return Metric(init_samples, update_samples, compute_samples, name="calinski_harabasz_score", key=key)
