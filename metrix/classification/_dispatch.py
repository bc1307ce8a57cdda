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
import textwrap
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from metrix._core.args import check_choice, type_error
from metrix._core.metric import Metric
from metrix.classification._inputs import TASKS
from metrix.classification._task_family import with_example

__all__ = ["dispatch", "dispatcher_doc", "documented_dispatcher"]

F = TypeVar("F", bound=Callable[..., Metric])

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


def dispatcher_doc(title: str, name: str, task_factories: tuple[str, ...], example: str, note: str = "") -> str:
    """A dispatcher's docstring, written by the rule above.

    Args:
        title: the metric's name in a sentence (``"Precision"``).
        name: the dispatcher's name.
        task_factories: the names of the task factories it builds, in ``TASKS`` order.
        example: the example after its imports, as doctest reads it: the statements (the
            first without its ``>>> ``) and what they print.
        note: a sentence added to the paragraph (a default that differs from the task functions').

    Returns:
        The docstring.
    """
    *first, last = [f":func:`{name}`" for name in task_factories]
    kinds = [t for t in TASKS if any(name.startswith(f"{t}_") for name in task_factories)]
    choices = [f'``"{t}"``' for t in kinds]
    builds = textwrap.fill(
        f"Builds {', '.join(first)} or {last} from the arguments that task's function takes, passed by keyword "
        f"(the others are ignored); they are documented there. ``task`` is {', '.join(choices[:-1])} or "
        f"{choices[-1]}.{f' {note}' if note else ''}",
        110,
    )
    tasks = " | ".join(f'"{t}"' for t in kinds)
    summary = f"{title} for ``task={tasks}`` (TorchMetrics' dispatcher)."
    return with_example(name, f"{summary}\n\n{builds}\n\nReturns:\n    The task's metric.", example)


def documented_dispatcher(title: str, example: str, note: str = "") -> Callable[[F], F]:
    """Write the docstring of the dispatcher it decorates by the rule above (one rule, in code).

    The task factories it names are the module's ``binary_<name>``, ``multiclass_<name>`` and
    ``multilabel_<name>`` defined before it.

    Args:
        title: the metric's name in a sentence (``"Matthews correlation coefficient"``).
        example: the example after its imports, as doctest reads it (see :func:`dispatcher_doc`).
        note: a sentence added to the paragraph.

    Returns:
        The decorator (it returns the function itself).
    """

    def write(fn: F) -> F:
        names = tuple(f"{t}_{fn.__name__}" for t in TASKS if f"{t}_{fn.__name__}" in fn.__globals__)
        if not names:
            raise ValueError(f"{fn.__module__}.{fn.__name__}: no task factory defined before the dispatcher")
        fn.__doc__ = dispatcher_doc(title, fn.__name__, names, example, note)
        fn.__metrix_glossary__ = True  # type: ignore[attr-defined]  # written at import: the docs read the live text
        return fn

    return write
