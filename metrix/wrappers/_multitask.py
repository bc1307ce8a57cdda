"""Several tasks, each with its metric and its own inputs (TorchMetrics' ``MultitaskWrapper``).

The state is a dict of the task metrics' states (task name -> state), so it merges,
syncs, compiles and vmaps as each task's state does. ``update(state, task_preds,
task_targets)`` takes two dicts keyed by task; every task must be present in both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from metrix._core.collection import check_named_metrics
from metrix._core.metric import Metric, factory

__all__ = ["multitask"]


@factory(higher_is_better=None)
def multitask(task_metrics: Mapping[str, Metric], prefix: str | None = None, postfix: str | None = None) -> Metric:
    """Route dict inputs to one metric per task.

    Args:
        task_metrics: task name -> metric (a collection is a metric too).
        prefix: prepended to every task name in the result.
        postfix: appended to every task name in the result.

    Returns:
        A metric whose ``update(state, task_preds, task_targets)`` takes two dicts with
        exactly the tasks' keys, and whose value is ``{prefix + task + postfix: value}``.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_accuracy
        >>> from metrix.regression import mean_squared_error
        >>> from metrix.wrappers import multitask
        >>> m = multitask({"cls": binary_accuracy(), "reg": mean_squared_error()}, prefix="val_")
        >>> preds = {"cls": torch.tensor([1, 0, 1]), "reg": torch.tensor([1.0, 2.0, 3.0])}
        >>> target = {"cls": torch.tensor([1, 1, 1]), "reg": torch.tensor([1.0, 2.0, 5.0])}
        >>> {k: round(float(v), 4) for k, v in m(preds, target).items()}
        {'val_cls': 0.6667, 'val_reg': 1.3333}
    """
    check_named_metrics("multitask", "task_metrics", "task name -> Metric", "task", task_metrics, prefix, postfix)
    tasks = tuple(task_metrics.items())
    names = [t for t, _ in tasks]
    pre, post = prefix or "", postfix or ""

    def check_inputs(arg: str, value: Any) -> None:
        if not isinstance(value, Mapping):
            raise TypeError(f"multitask: {arg} must be a dict of task name -> input, got {type(value).__name__}")
        missing = [t for t in names if t not in value]
        extra = sorted(k for k in value if k not in task_metrics)
        if missing or extra:
            raise ValueError(
                f"multitask: {arg} must have one entry per task {names}; "
                f"missing {missing}" + (f", unknown {extra}" if extra else "")
            )

    def init(*, device: Any = None) -> dict[str, Any]:
        return {t: m.init(device=device) for t, m in tasks}

    def update(state: dict[str, Any], task_preds: Any, task_targets: Any) -> dict[str, Any]:
        if set(state) != set(names):
            raise ValueError(f"multitask.update: state has tasks {sorted(state)} but this metric has {names}")
        check_inputs("task_preds", task_preds)
        check_inputs("task_targets", task_targets)
        return {t: m.update(state[t], task_preds[t], task_targets[t]) for t, m in tasks}

    def compute(state: dict[str, Any]) -> dict[str, Any]:
        if set(state) != set(names):
            raise ValueError(f"multitask.compute: state has tasks {sorted(state)} but this metric has {names}")
        return {f"{pre}{t}{post}": m.compute(state[t]) for t, m in tasks}

    return Metric(
        init,
        update,
        compute,
        name=f"multitask({', '.join(names)})",
        state_type=dict,
        batch_merge=all(m.batch_merge for _, m in tasks),
    )
