"""Input and argument checks shared by the clustering metrics.

Extrinsic scores compare predicted cluster labels (``preds``) with ground-truth class
labels (``target``): two 1-d integer tensors of one length. Intrinsic scores take
``data`` of shape ``(N, D)`` (floating point) and its cluster ``labels`` ``(N,)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool as check_bool
from metrix._core.args import check_optional_int, check_tensor
from metrix._core.checks import check_finite
from metrix._core.docstrings import Glossary
from metrix._core.family import publish
from metrix._core.metric import Metric
from metrix.clustering import _parameter_docs as parameter_docs
from metrix.nominal._contingency import contingency_metric

__all__ = [
    "ExtrinsicScore",
    "check_bool",
    "check_labels",
    "check_sizes",
    "cluster_labels",
    "extrinsic_metric",
    "intrinsic_inputs",
]


def check_sizes(num_classes: Any, num_clusters: Any) -> tuple[int | None, int | None]:
    """Validate the optional label ranges; one given alone serves for both."""
    check_optional_int(num_classes, "num_classes", 1)
    check_optional_int(num_clusters, "num_clusters", 1)
    if num_classes is None:
        num_classes = num_clusters
    if num_clusters is None:
        num_clusters = num_classes
    return num_classes, num_clusters


def check_labels(x: Any, name: str) -> Tensor:
    """A 1-d integer label vector."""
    check_tensor(x, name)
    if x.is_floating_point() or x.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer cluster labels, got dtype {x.dtype}")
    if x.dim() != 1:
        raise ValueError(f"{name} must be a 1-d tensor of labels (N,), got shape {tuple(x.shape)}")
    return x


def cluster_labels(preds: Any, target: Any) -> tuple[Tensor, Tensor, None]:
    """Check a (preds, target) pair of label vectors; returns them as int64."""
    p, t = check_labels(preds, "preds"), check_labels(target, "target")
    if p.shape != t.shape:
        raise ValueError(
            f"preds and target must have the same shape, got preds {tuple(p.shape)} and target {tuple(t.shape)}"
        )
    return p.to(torch.int64), t.to(torch.int64), None


def extrinsic_metric(
    name: str, reduce: Callable[[Tensor], Any], num_classes: Any, num_clusters: Any, validate_args: Any
) -> Metric:
    """A score of the contingency table of ``target`` classes (rows) and ``preds`` clusters (columns).

    Every extrinsic metric with the same sizes builds the same state, so a
    ``metrix.collection`` of several of them updates one table.
    """
    num_classes, num_clusters = check_sizes(num_classes, num_clusters)
    validate_args = check_bool(validate_args, "validate_args")
    return contingency_metric(
        name,
        reduce,
        cluster_labels,
        num_rows=num_classes,
        num_cols=num_clusters,
        range_names=("num_classes", "num_clusters"),
        key=("cluster_contingency", num_classes, num_clusters, validate_args),
        validate_args=validate_args,
    )


class ExtrinsicScore:
    """A score of the contingency table of ``(preds, target)`` and its public factory, ``.factory``.

    Homogeneity, completeness, mutual information and the pair-counting indices take the same
    TorchMetrics signature (only keyword arguments) and body; only the score (``reduce``,
    table to value), the name and the docstring differ.
    """

    def __init__(
        self,
        name: str,
        reduce: Callable[[Tensor], Any],
        module: str,
        doc: str,
        *,
        higher_is_better: bool | None,
        glossary: Glossary = parameter_docs.EXTRINSIC_EXAMPLE,
    ) -> None:
        self.name, self.reduce = name, reduce
        self.factory = publish(self._factory, name, module, doc, higher_is_better=higher_is_better, glossary=glossary)

    def _factory(
        self, *, num_classes: int | None = None, num_clusters: int | None = None, validate_args: bool = True
    ) -> Metric:
        return extrinsic_metric(self.name, self.reduce, num_classes, num_clusters, validate_args)


def intrinsic_inputs(data: Any, labels: Any, num_features: int | None, validate_args: bool) -> tuple[Tensor, Tensor]:
    """Check ``data`` ``(N, D)`` (floating point, finite) and its cluster ``labels`` ``(N,)``."""
    check_tensor(data, "data")
    if not data.is_floating_point():
        raise TypeError(f"data must be floating point, got dtype {data.dtype}")
    if data.dim() != 2:
        raise ValueError(f"data must be 2-d of shape (N, D), got shape {tuple(data.shape)}")
    labels = check_labels(labels, "labels")
    if labels.shape[0] != data.shape[0]:
        raise ValueError(
            f"labels must hold one label per row of data, got {labels.shape[0]} labels for {data.shape[0]} rows"
        )
    if num_features is not None and data.shape[1] != num_features:
        raise ValueError(
            f"data has {data.shape[1]} features but num_features={num_features}; "
            "pass num_features equal to data.shape[1]"
        )
    check_finite(data, "data", enabled=validate_args)
    return data, labels.to(torch.int64)
