"""A metric's binary, multiclass and multilabel factories and its ``task=`` dispatcher, as one family.

The family classes of classification (the stat-score metrics in ``_stat_score_family.py``, the
curve metrics in ``_curve_family.py``) write a metric's four signatures and bodies once, as
template methods. :class:`TaskFamily` is what they share: the four public names, and
publishing the templates as real functions of the public module (see
:func:`metrix._core.family.publish`), each with the docstring and ``Args:`` glossary its
family gives it. :func:`with_example` writes the ``Example:`` section every such docstring
ends with (the dispatchers' too, see ``_dispatch.dispatcher_doc``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TypeVar

from metrix._core.docstrings import Glossary
from metrix._core.family import publish
from metrix._core.metric import Metric

__all__ = ["TASK_KINDS", "TaskFamily", "indent", "with_example"]

TASK_KINDS = ("binary", "multiclass", "multilabel")

F = TypeVar("F", bound=Callable[..., Metric])
B = TypeVar("B", bound=Callable[..., Metric])
MC = TypeVar("MC", bound=Callable[..., Metric])
ML = TypeVar("ML", bound=Callable[..., Metric])
D = TypeVar("D", bound=Callable[..., Metric])


def indent(text: str) -> str:
    """``text`` indented one docstring level (empty lines stay empty)."""
    return "\n".join(f"    {line}" if line else line for line in text.split("\n"))


def with_example(name: str, text: str, example: str) -> str:
    """A factory's docstring: ``text`` (its summary and sections), then its ``Example:`` section.

    Every example starts with ``import torch`` and the import of the factory ``name``;
    ``example`` is the doctest after those (its first statement without ``>>> ``, then what
    it prints and any further statements).
    """
    lines = f">>> import torch\n>>> from metrix.classification import {name}\n>>> {example}"
    return f"{inspect.cleandoc(text)}\n\nExample:\n{indent(lines)}\n"


class TaskFamily:
    """The four factories of one metric: ``binary_x``, ``multiclass_x``, ``multilabel_x`` and the dispatcher ``x``.

    A subclass says each factory's docstring (:meth:`_doc`) and glossary (:meth:`_glossary`)
    and publishes its templates with :meth:`_publish_tasks`, which keeps each template's type
    for mypy.

    Args:
        metric: the dispatcher's name; the task factories prefix it.
        module: the public module's ``__name__``.
        higher_is_better: as for ``@factory`` (all four factories).
    """

    def __init__(self, metric: str, module: str, *, higher_is_better: bool | None) -> None:
        self.names = (*(f"{kind}_{metric}" for kind in TASK_KINDS), metric)
        self.module, self.higher_is_better = module, higher_is_better

    def _doc(self, index: int, method: Callable[..., Metric]) -> str:
        """The docstring of factory ``index`` (binary, multiclass, multilabel, dispatcher)."""
        raise NotImplementedError

    def _glossary(self, index: int) -> Glossary | None:
        """The glossary that writes the ``Args:`` factory ``index``'s docstring leaves out."""
        raise NotImplementedError

    def _publish(self, index: int, method: F) -> F:
        doc, glossary = self._doc(index, method), self._glossary(index)
        return publish(
            method, self.names[index], self.module, doc, higher_is_better=self.higher_is_better, glossary=glossary
        )

    def _publish_tasks(self, binary: B, multiclass: MC, multilabel: ML, dispatcher: D) -> tuple[B, MC, ML, D]:
        """Publish the four templates; their factories in that order (``self.factories``)."""
        return (
            self._publish(0, binary),
            self._publish(1, multiclass),
            self._publish(2, multilabel),
            self._publish(3, dispatcher),
        )
