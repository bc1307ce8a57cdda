"""Davies–Bouldin and Dunn: compactness of clusters against the distance between their centroids.

Both need each sample's distance to its cluster's centroid, so both keep the samples
(shared storage, see ``_samples``) and compute once every sample is in.

* Davies–Bouldin: ``mean_i max_{j != i} (s_i + s_j) / d(c_i, c_j)``, ``s_i`` the mean
  Euclidean distance of cluster ``i``'s rows to its centroid; lower is better.
* Dunn: the smallest distance between two centroids over the largest distance of a
  row to its centroid, both in the ``p``-norm; higher is better.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_number
from metrix._core.metric import Metric, factory
from metrix.clustering import _parameter_docs as parameter_docs
from metrix.clustering._inputs import check_bool, intrinsic_inputs
from metrix.clustering._samples import (
    ClusterSamplesState,
    cluster_indices,
    samples_append,
    samples_init,
    samples_values,
)

__all__ = ["davies_bouldin_score", "dunn_index"]

F64 = torch.float64


def _centroids(name: str, s: ClusterSamplesState, *, fewer_than_samples: bool) -> tuple[Tensor, Tensor, Tensor, int]:
    """``(data, cluster index per row, centroids (k, D), k)``; raises unless the clusters allow a score."""
    x, labels = samples_values(s, name)
    index, k = cluster_indices(labels)
    n = labels.shape[0]
    if k < 2 or (fewer_than_samples and k >= n):
        raise ValueError(
            f"{name} needs more than one cluster{' and fewer clusters than samples' if fewer_than_samples else ''}, "
            f"got {k} clusters and {n} samples"
        )
    counts = torch.bincount(index, minlength=k).to(F64)
    centroids = torch.zeros(k, x.shape[1], dtype=F64, device=x.device).index_add(0, index, x) / counts[:, None]
    return x, index, centroids, k


def _sample_metric(name: str, reduce: Callable[[ClusterSamplesState], Tensor], validate_args: bool) -> Metric:
    def init(*, device: Any = None) -> ClusterSamplesState:
        return samples_init(device)

    def update(s: ClusterSamplesState, data: Any, labels: Any) -> ClusterSamplesState:
        x, y = intrinsic_inputs(data, labels, None, validate_args)
        return samples_append(s, x, y)

    return Metric(init, update, reduce, name=name, key=("cluster_samples", validate_args))


@factory(higher_is_better=False)
@parameter_docs.CENTROIDS
def davies_bouldin_score(*, validate_args: bool = True) -> Metric:
    """Davies–Bouldin score of a clustering of ``data``: average worst-case cluster similarity; lower is better.

    Same values as ``torchmetrics.functional.clustering.davies_bouldin_score`` and
    scikit-learn's ``davies_bouldin_score``, in float64 (0 when every cluster is a
    point or all centroids coincide). TorchMetrics' class declares
    ``higher_is_better=True``; a lower score is the better clustering, so it is
    ``False`` here. ``compute`` raises ``ValueError`` unless ``1 < clusters < samples``.

    Example:
        >>> davies_bouldin_score()(data, torch.tensor([0, 0, 1, 1, 1]))
        tensor(0.1603, dtype=torch.float64)
    """
    validate_args = check_bool(validate_args, "validate_args")

    def compute(s: ClusterSamplesState) -> Tensor:
        x, index, centroids, k = _centroids("davies_bouldin_score", s, fewer_than_samples=True)
        counts = torch.bincount(index, minlength=k).to(F64)
        spread = torch.linalg.vector_norm(x - centroids[index], dim=1)
        intra = torch.zeros(k, dtype=F64, device=x.device).index_add(0, index, spread) / counts
        between = torch.cdist(centroids, centroids)
        if torch.allclose(intra, torch.zeros_like(intra)) or torch.allclose(between, torch.zeros_like(between)):
            return torch.zeros((), dtype=F64, device=x.device)
        between = torch.where(between == 0, torch.inf, between)
        return ((intra.unsqueeze(0) + intra.unsqueeze(1)) / between).amax(1).mean()

    return _sample_metric("davies_bouldin_score", compute, validate_args)


@factory(higher_is_better=True)
@parameter_docs.CENTROIDS
def dunn_index(p: float = 2, *, validate_args: bool = True) -> Metric:
    """Dunn index of a clustering of ``data``: closest centroids over the widest cluster; higher is better.

    ``min_{i < j} ||c_i - c_j||_p / max_x ||x - c(x)||_p``. Same arguments and values as
    ``torchmetrics.functional.clustering.dunn_index``, in float64. ``compute`` raises
    ``ValueError`` with fewer than two clusters.

    Args:
        p: order of the norm (``p > 0``, ``math.inf`` allowed).

    Example:
        >>> dunn_index(p=2)(data, torch.tensor([0, 0, 1, 1, 1]))
        tensor(9.6566, dtype=torch.float64)
    """
    check_number(p, "p", "a number > 0 (or math.inf)", lambda v: v > 0 or math.isinf(v))  # p is kept as given
    validate_args = check_bool(validate_args, "validate_args")

    def compute(s: ClusterSamplesState) -> Tensor:
        x, index, centroids, k = _centroids("dunn_index", s, fewer_than_samples=False)
        first, second = torch.triu_indices(k, k, 1, device=x.device)
        between = torch.linalg.vector_norm(centroids[first] - centroids[second], ord=p, dim=1).amin()
        widest = torch.linalg.vector_norm(x - centroids[index], ord=p, dim=1).amax()
        return between / widest

    return _sample_metric("dunn_index", compute, validate_args)
