"""Cluster accuracy: accuracy under the best one-to-one matching of clusters to classes.

The state is the ``(C, C)`` contingency table of ``target`` classes and ``preds``
clusters (a fixed int64 sum, shared with the other extrinsic metrics of the same size).
``compute`` finds the matching of clusters to classes that maximises the matched count
with a pure-torch Hungarian solver (``_linear_assignment``), which compiles and vmaps
too, and divides by the total.
"""

from __future__ import annotations

import torch
from torch import Tensor

from metrix._core.args import check_int
from metrix._core.metric import Metric, factory
from metrix._linear_assignment import linear_sum_assignment
from metrix.clustering._inputs import extrinsic_metric

__all__ = ["cluster_accuracy"]


def cluster_accuracy_of(table: Tensor) -> Tensor:
    """Matched fraction of a square table under its best row-to-column matching."""
    column = linear_sum_assignment(table, maximize=True)
    matched = table.gather(1, column.unsqueeze(1)).squeeze(1)
    return matched.sum().to(torch.float64) / table.sum().to(torch.float64)


@factory(higher_is_better=True)
def cluster_accuracy(num_classes: int, *, validate_args: bool = True) -> Metric:
    """Accuracy of cluster labels after the best one-to-one relabelling of clusters to classes.

    Same arguments and values as ``torchmetrics.functional.clustering.cluster_accuracy``
    (which needs the ``torch_linear_assignment`` extension; here the assignment is
    solved in pure torch and checked against ``scipy.optimize.linear_sum_assignment``),
    in float64.

    Args:
        num_classes: number of classes and of clusters; labels lie in ``[0, num_classes)``.
        validate_args: check that labels are in range.

    Returns:
        A metric whose ``update(state, preds, target)`` takes two ``(N,)`` integer label
        vectors and whose value is a float64 scalar.

    Example:
        >>> import torch
        >>> from metrix.clustering import cluster_accuracy
        >>> preds, target = torch.tensor([1, 1, 0, 0, 2, 2]), torch.tensor([0, 0, 1, 1, 2, 1])
        >>> cluster_accuracy(num_classes=3)(preds, target)
        tensor(0.8333, dtype=torch.float64)
    """
    num_classes = check_int(num_classes, "num_classes", 1)
    return extrinsic_metric("cluster_accuracy", cluster_accuracy_of, num_classes, num_classes, validate_args)
