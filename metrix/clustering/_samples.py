"""Exact storage of ``(data, labels)`` for the intrinsic clustering scores.

Davies–Bouldin and Dunn need each sample's distance to its cluster's centroid, which is
only known once every sample is in, so they keep the samples; Calinski–Harabasz keeps
them too when its sizes are not given. ``data`` rows are stored flattened with their
width (see ``metrix.nominal._rows``), ``labels`` as int64; all three share the state
(one ``key``), so a collection of them stores the data once.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.state import CatStorage, cat_append, cat_init, leaf, state, stored_values
from metrix.nominal._rows import RowStore, rows_append, rows_init, rows_values

__all__ = ["ClusterSamplesState", "cluster_indices", "samples_append", "samples_init", "samples_values"]


@state
class ClusterSamplesState:
    """Every (data row, cluster label) seen."""

    data: RowStore = leaf("node")  # float64 rows (N, D), flattened
    labels: CatStorage = leaf("cat")  # int64 (N,) chunks


def samples_init(device: Any = None) -> ClusterSamplesState:
    """Empty storage."""
    return ClusterSamplesState(rows_init(torch.float64, device), cat_init((), torch.int64, device))


def samples_append(s: ClusterSamplesState, data: Tensor, labels: Tensor) -> ClusterSamplesState:
    """Append a batch of rows and their labels."""
    return ClusterSamplesState(rows_append(s.data, data.to(torch.float64), "data"), cat_append(s.labels, labels))


def samples_values(s: ClusterSamplesState, what: str) -> tuple[Tensor, Tensor]:
    """``(data (N, D) float64, labels (N,) int64)``."""
    data = rows_values(s.data, what)
    labels = stored_values(s.labels)
    if data.shape[0] != labels.shape[0]:  # only an empty store has width 0
        data = data.reshape(labels.shape[0], -1)
    return data, labels


def cluster_indices(labels: Tensor) -> tuple[Tensor, int]:
    """Labels renumbered ``0..k-1`` in sorted order, and ``k``."""
    values, index = torch.unique(labels, return_inverse=True)
    return index, values.numel()
