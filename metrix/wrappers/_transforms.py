"""Input transforms: a metric fed transformed inputs (TorchMetrics' input transformers).

As TorchMetrics' ``LambdaInputTransformer`` and ``BinaryTargetTransformer``, the
wrapper applies the transforms to ``preds`` (the first input) and ``target`` (the
second) and hands everything to the base metric's update; the state is the base
state, so it merges, syncs, compiles and vmaps as the base does (the transforms must
be traceable for compile and vmap: tensor ops, no ``.item()``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.weights import mark_sample_weight, takes_sample_weight
from metrix.wrappers._stacking import check_metric

__all__ = ["binary_target", "lambda_input"]

Transform = Callable[[Tensor], Tensor]


def _transformed(
    base: Metric, name: str, transform_pred: Transform | None, transform_target: Transform | None
) -> Metric:
    base_update = base.update

    def update(s: Any, *inputs: Any, **kwargs: Any) -> Any:
        args = list(inputs)
        if transform_pred is not None and args:
            args[0] = transform_pred(args[0])
        if transform_target is not None and len(args) > 1:
            args[1] = transform_target(args[1])
        return base_update(s, *args, **kwargs)

    mark_sample_weight(update, takes_sample_weight(base))
    return Metric(
        base.init,
        update,
        base.compute,
        name=name,
        state_type=base.state_type,
        members=base.members,
        batch_merge=base.batch_merge,
    )


@factory(higher_is_better=None)
def lambda_input(
    metric: Metric, transform_pred: Transform | None = None, transform_target: Transform | None = None
) -> Metric:
    """Apply ``transform_pred`` to the predictions and ``transform_target`` to the targets before updating.

    Args:
        metric: the base metric.
        transform_pred: a function of the ``preds`` tensor (``None``: unchanged).
        transform_target: a function of the ``target`` tensor (``None``: unchanged).

    Returns:
        A metric with the base metric's state and value. It pickles when the transforms
        do (module-level functions, not lambdas).

    Example:
        >>> import torch
        >>> from metrix.regression import mean_absolute_error
        >>> from metrix.wrappers import lambda_input
        >>> m = lambda_input(mean_absolute_error(), transform_pred=torch.exp)
        >>> m(torch.tensor([0.0, 0.0]), torch.tensor([1.0, 3.0]))
        tensor(1., dtype=torch.float64)
    """
    base = check_metric(metric, "lambda_input")
    for arg, fn in (("transform_pred", transform_pred), ("transform_target", transform_target)):
        if fn is not None and not callable(fn):
            raise TypeError(f"lambda_input: {arg} must be callable or None, got {type(fn).__name__}")
    return _transformed(base, f"lambda_input({base.name})", transform_pred, transform_target)


class _Binarize:
    """``(target > threshold)`` in the target's dtype (a picklable transform)."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    def __call__(self, target: Tensor) -> Tensor:
        return (target > self.threshold).to(target.dtype)


@factory(higher_is_better=None)
def binary_target(metric: Metric, threshold: float = 0) -> Metric:
    """Binarize the targets (``target > threshold``, in the target's dtype) before updating.

    Same argument and default as TorchMetrics' ``BinaryTargetTransformer``: e.g. a binary
    classification metric over graded relevance targets.

    Args:
        metric: the base metric.
        threshold: targets above it become 1, the others 0.

    Returns:
        A metric with the base metric's state and value.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_accuracy
        >>> from metrix.wrappers import binary_target
        >>> m = binary_target(binary_accuracy(), threshold=0.5)
        >>> m(torch.tensor([0.9, 0.2, 0.7]), torch.tensor([3, 0, 0]))
        tensor(0.6667)
    """
    base = check_metric(metric, "binary_target")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise TypeError(f"binary_target: threshold must be an int or float, got {type(threshold).__name__}")
    return _transformed(base, f"binary_target({base.name})", None, _Binarize(threshold))
