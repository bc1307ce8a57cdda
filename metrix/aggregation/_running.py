"""Running mean and sum over the last ``window`` updates (TorchMetrics' ``RunningMean``/``RunningSum``)."""

from __future__ import annotations

from metrix._core.metric import Metric, factory
from metrix.aggregation import _aggregators as _agg
from metrix.wrappers._running import running

__all__ = ["running_mean", "running_sum"]


@factory(higher_is_better=None)
def running_mean(window: int = 5, nan_strategy: str | float = "warn") -> Metric:
    """Mean of the values passed in the last ``window`` updates.

    Example:
        >>> import torch
        >>> from metrix.aggregation import running_mean
        >>> m = running_mean(window=2)
        >>> s = m.init()
        >>> for v in [1.0, 3.0, 5.0]:
        ...     s = m.update(s, torch.tensor(v))
        >>> m.compute(s)
        tensor(4., dtype=torch.float64)
    """
    return running(_agg.mean(nan_strategy), window)


@factory(higher_is_better=None)
def running_sum(window: int = 5, nan_strategy: str | float = "warn") -> Metric:
    """Sum of the values passed in the last ``window`` updates.

    Example:
        >>> import torch
        >>> from metrix.aggregation import running_sum
        >>> m = running_sum(window=2)
        >>> s = m.init()
        >>> for v in [1.0, 3.0, 5.0]:
        ...     s = m.update(s, torch.tensor(v))
        >>> m.compute(s)
        tensor(8., dtype=torch.float64)
    """
    return running(_agg.sum(nan_strategy), window)
