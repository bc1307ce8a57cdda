"""Per-class values as a named dict (TorchMetrics' ``ClasswiseWrapper``).

The wrapper changes only ``compute``: the state, ``init`` and ``update`` are the base
metric's, so it costs nothing, shares its state with the base metric in a collection
(same ``Metric.key``), and merges, syncs, compiles and vmaps exactly as the base does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import Tensor

from metrix._core.collection import check_affixes
from metrix._core.metric import Metric, factory
from metrix._core.weights import mark_sample_weight, takes_sample_weight
from metrix.wrappers._stacking import check_metric

__all__ = ["classwise"]


@factory(higher_is_better=None)
def classwise(
    metric: Metric, labels: Sequence[str] | None = None, prefix: str | None = None, postfix: str | None = None
) -> Metric:
    """Split a per-class result (a vector, e.g. ``average=None``) into a dict with one key per class.

    Keys follow TorchMetrics' ``ClasswiseWrapper``: ``f"{prefix}{label}{postfix}"`` with
    the labels (default ``0, 1, ...``); without ``prefix`` and ``postfix`` the prefix is
    the metric's name without underscores and an ``_`` (``multiclassaccuracy_0``, as
    TorchMetrics' lowercased class name).

    Args:
        metric: a metric whose value is a 1-d tensor (one entry per class).
        labels: one name per class.
        prefix: prepended to every key.
        postfix: appended to every key.

    Returns:
        A metric with the base metric's state whose value is a dict of 0-d tensors.

    Example:
        >>> import torch
        >>> from metrix.classification import multiclass_recall
        >>> from metrix.wrappers import classwise
        >>> m = classwise(multiclass_recall(num_classes=3, average=None), labels=["cat", "dog", "fish"])
        >>> {k: round(float(v), 2) for k, v in m(torch.tensor([0, 1, 2, 2]), torch.tensor([0, 1, 1, 2])).items()}
        {'multiclassrecall_cat': 1.0, 'multiclassrecall_dog': 0.5, 'multiclassrecall_fish': 1.0}
    """
    base = check_metric(metric, "classwise")
    if labels is not None and (
        isinstance(labels, str) or not isinstance(labels, Sequence) or not all(isinstance(x, str) for x in labels)
    ):
        raise TypeError(f"classwise: labels must be a list of str or None, got {labels!r}")
    check_affixes("classwise", prefix, postfix)
    names = tuple(labels) if labels is not None else None
    if not prefix and not postfix:
        pre, post = f"{base.name.replace('_', '')}_", ""
    else:
        pre, post = prefix or "", postfix or ""
    base_compute = base.compute

    def compute(s: Any) -> dict[str, Tensor]:
        value = base_compute(s)
        if not isinstance(value, Tensor) or value.dim() != 1:
            raise ValueError(
                f"classwise({base.name}): the base metric must return a 1-d tensor (one value per class, "
                f"e.g. average=None), got {getattr(value, 'shape', type(value).__name__)}"
            )
        if names is not None and len(names) != value.shape[0]:
            raise ValueError(
                f"classwise({base.name}): {len(names)} labels for {value.shape[0]} classes; pass one label per class"
            )
        keys = names if names is not None else range(value.shape[0])
        return {f"{pre}{k}{post}": v for k, v in zip(keys, value.unbind(0))}

    update = base.update
    return Metric(
        base.init,
        mark_sample_weight(_forward(update), takes_sample_weight(base)),
        compute,
        name=f"classwise({base.name})",
        key=base.key,
        state_type=base.state_type,
        batch_merge=base.batch_merge,
    )


def _forward(update: Any) -> Any:
    # a new function object: marking it must not touch the base metric's update
    def forwarded(state: Any, *inputs: Any, **kwargs: Any) -> Any:
        return update(state, *inputs, **kwargs)

    return forwarded
