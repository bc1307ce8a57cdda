"""The one ``task=`` dispatcher behind ``accuracy(task=...)``, ``auroc(task=...)``, … .

Every public dispatcher keeps TorchMetrics' explicit signature (every argument, its default
and its place); its body is one call, ``return dispatch(task, locals(), binary=..., multiclass=...,
multilabel=...)``, made first so that ``locals()`` holds exactly its arguments. The task's
factory receives, by keyword, the arguments its own signature names; the others are
ignored, as in TorchMetrics. Forwarding by keyword matters: the task factories do not all
order their arguments alike (``multiclass_roc`` takes ``thresholds`` before ``average``,
``multiclass_auroc`` after).

Docstring rule for a dispatcher (the arguments are documented once, on the task functions):
a summary line ``<Metric> for task="binary" | "multiclass" | "multilabel" (TorchMetrics'
dispatcher).``, a paragraph naming the task functions it builds, saying that the arguments
are passed by keyword and documented there and which values ``task`` takes (plus any
default that differs from the task functions'), ``Returns: the task's metric``, and a
runnable example.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from metrix._core.args import check_choice, type_error
from metrix._core.metric import Metric
from metrix.classification._inputs import TASKS

__all__ = ["dispatch"]

# Arguments that a dispatcher declares optional but the task needs as ints (TorchMetrics
# refuses ``num_classes=None`` for ``task="multiclass"``, and so on).
_REQUIRED_INTS = ("num_classes", "num_labels", "top_k")


@functools.cache
def _parameters(fn: Callable[..., Metric]) -> frozenset[str]:
    return frozenset(inspect.signature(fn).parameters)


def dispatch(task: Any, arguments: Mapping[str, Any], /, **factories: Callable[..., Metric]) -> Metric:
    """Build the metric of ``task`` from a dispatcher's arguments.

    Args:
        task: the ``task`` argument; must name one of ``factories``.
        arguments: the dispatcher's arguments by name (its ``locals()``).
        **factories: the task factories by task name (``binary=binary_accuracy``, …).

    Returns:
        ``factories[task](**forwarded)``, with every argument the factory names passed by keyword.
    """
    fn = factories[check_choice(task, "task", tuple(t for t in TASKS if t in factories))]
    names = _parameters(fn)
    for name in _REQUIRED_INTS:
        value = arguments.get(name)
        if name in names and name in arguments and (isinstance(value, bool) or not isinstance(value, int)):
            raise type_error(name, f"an int for task={task!r}", value)
    return fn(**{name: value for name, value in arguments.items() if name in names})
