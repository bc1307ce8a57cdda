"""The public factories of a stat-score metric (precision, recall, specificity, …), written once.

A stat-score metric is a score of the confusion counts ``(tp, fp, tn, fn)``: binary, per class
then averaged (multiclass) or per label then averaged (multilabel), plus TorchMetrics' ``task=``
dispatcher. Its four factories have the same TorchMetrics signatures and bodies from one metric
to the next; only the score, the name and the docstring's summary and example values differ.
:class:`ZeroDivisionScore` (metrics with a ``zero_division`` argument), :class:`BetaScore`
(``beta`` first, then as those) and :class:`PlainScore` (without ``zero_division``; it also
serves the stat scores themselves through ``build=`` and accuracy through a subclass that
overrides the multiclass template) write those signatures, bodies and docstrings once; a
public module makes its four factories with one call::

    binary_npv, multiclass_npv, multilabel_npv, npv = ZeroDivisionScore(...).factories

Each is a real function named and documented as that module's own (see
:func:`metrix._core.family.publish`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from metrix._core.docstrings import Glossary
from metrix._core.metric import Metric
from metrix.classification import _parameter_docs as parameter_docs
from metrix.classification._class_averaging import ScoreFn, scored_metric
from metrix.classification._dispatch import dispatch, dispatcher_doc
from metrix.classification._inputs import check_average, check_zero_division
from metrix.classification._stat_scores_state import Task, binary_task, multiclass_task, multilabel_task
from metrix.classification._task_family import TaskFamily, indent, with_example

__all__ = ["BetaScore", "PlainScore", "ZeroDivisionScore", "task_doc"]

# The example inputs every stat-score docstring runs (values per metric: ``examples=``).
_BINARY_EXAMPLE = "{name}({binary_extra})(torch.tensor([0.2, 0.8, 0.6, 0.1, 0.7]), torch.tensor([0, 1, 0, 1, 1]))"
_MULTICLASS_EXAMPLE = (
    "m = {name}({extra}num_classes=3)\n>>> m(torch.tensor([2, 1, 0, 1, 0]), torch.tensor([2, 1, 0, 0, 1]))"
)
_MULTILABEL_EXAMPLE = (
    "m = {name}({extra}num_labels=2)\n"
    ">>> m(torch.tensor([[0.9, 0.2], [0.7, 0.6], [0.1, 0.8]]), torch.tensor([[1, 0], [0, 1], [1, 1]]))"
)
_DISPATCHER_EXAMPLE = (
    'm = {name}("multiclass", {extra}num_classes=3)\n>>> m(torch.tensor([2, 1, 0, 1]), torch.tensor([2, 1, 1, 0]))'
)

_SUMMARIES = {
    "binary": "{title} of binary predictions: ``{formula}``.\n\n"
    "Same arguments, defaults and values as ``torchmetrics.functional.classification.{name}``.",
    "multiclass": "{title} of multiclass predictions, per class then averaged.\n\n"
    "``preds`` are float scores ``(N, C, ...)`` or integer labels ``(N, ...)``.",
    "multilabel": "{title} of multilabel predictions ``(N, L, ...)``, per label then averaged.",
}
_RETURNS = {
    "binary": "A metric computing a float32 scalar (``(N,)`` samplewise).",
    "multiclass": 'A metric computing a float32 scalar (``(C,)`` for ``average="none"``; leading\n``N`` samplewise).',
    "multilabel": 'A metric computing a float32 scalar (``(L,)`` for ``average="none"``).',
}


def task_doc(kind: str, name: str, title: str, formula: str, example: str, value: str, args: str = "") -> str:
    """The docstring of a stat-score task factory (``kind`` is binary, multiclass or multilabel).

    ``example`` is the statement whose value ``value`` the example prints (its ``>>> `` lines
    after the first are written in full); ``args`` an ``Args:`` body of the entries that are
    this factory's own (the glossary writes the others).
    """
    summary = _SUMMARIES[kind].format(title=title, formula=formula, name=name)
    own = f"Args:\n{indent(args)}\n\n" if args else ""
    return with_example(name, f"{summary}\n\n{own}Returns:\n{indent(_RETURNS[kind])}", f"{example}\n{value}")


class _Family(TaskFamily):
    """The docstrings and shared fields of one stat-score metric's four factories."""

    def __init__(
        self,
        metric: str,
        title: str,
        formula: str,
        module: str,
        *,
        higher_is_better: bool | None,
        examples: tuple[str, str, str, str],
        top_k_weights: bool,
        docs: Mapping[str, str] | None = None,
        build: Callable[[str, Task, str], Metric] | None = None,
    ) -> None:
        super().__init__(metric, module, higher_is_better=higher_is_better)
        self.title, self.formula = title, formula
        self.examples, self.top_k_weights = examples, top_k_weights
        self.docs, self.build = dict(docs or {}), build
        self.own_args, self.example_args = "", ""  # a metric's own argument (F-beta's beta) and its example value

    def _example(self, template: str, name: str) -> str:
        extra = f"{self.example_args}, " if self.example_args else ""
        return template.format(name=name, extra=extra, binary_extra=self.example_args)

    def _doc(self, index: int, method: Callable[..., Metric]) -> str:
        """``docs[kind]`` where the metric gives one, else the template's (a subclass's override), else the family's."""
        name, value = self.names[index], f"tensor({self.examples[index]})"
        kind = ("binary", "multiclass", "multilabel", "dispatcher")[index]
        if index == 3:
            example = self._example(_DISPATCHER_EXAMPLE, name)
            return (
                self.docs.get(kind)
                or method.__doc__
                or dispatcher_doc(self.title, name, self.names[:3], f"{example}\n{value}")
            )
        template = (_BINARY_EXAMPLE, _MULTICLASS_EXAMPLE, _MULTILABEL_EXAMPLE)[index]
        return (
            self.docs.get(kind)
            or method.__doc__
            or task_doc(kind, name, self.title, self.formula, self._example(template, name), value, self.own_args)
        )

    def _glossary(self, index: int) -> Glossary | None:
        return (parameter_docs.BINARY, parameter_docs.MULTICLASS, parameter_docs.MULTILABEL, None)[index]

    def _scored(self, index: int, task: Task, average: str | None, score: ScoreFn | None) -> Metric:
        average = "micro" if index == 0 else check_average(average)
        if self.build is not None:
            return self.build(self.names[index], task, average)
        assert score is not None  # PlainScore takes a score or a build function
        return scored_metric(self.names[index], task, average, score, top_k_weights=self.top_k_weights)


class ZeroDivisionScore(_Family):
    """A stat-score metric with a ``zero_division`` argument (precision, recall, NPV, F1…).

    Args:
        metric: the dispatcher's name (``"precision"``); the task factories prefix it.
        title: the metric's name in a sentence (``"Precision"``).
        formula: the binary formula (``"tp / (tp + fp)"``).
        module: the public module's ``__name__``.
        score: ``score(zero_division)`` is the score of ``(tp, fp, tn, fn)``.
        higher_is_better: as for ``@factory``.
        examples: the printed values of the binary, multiclass, multilabel and dispatcher examples.
        top_k_weights: as for :func:`~metrix.classification._class_averaging.scored_metric`.
        multiclass_fast: ``multiclass_fast(name, task, average)`` may build the multiclass metric
            for ``zero_division=0`` in fewer kernels (``None``: no shortcut for this task).
    """

    def __init__(
        self,
        metric: str,
        title: str,
        formula: str,
        module: str,
        score: Callable[[float], ScoreFn],
        *,
        higher_is_better: bool,
        examples: tuple[str, str, str, str],
        top_k_weights: bool = True,
        multiclass_fast: Callable[[str, Task, str], Metric | None] | None = None,
    ) -> None:
        super().__init__(
            metric,
            title,
            formula,
            module,
            higher_is_better=higher_is_better,
            examples=examples,
            top_k_weights=top_k_weights,
        )
        self.score, self.multiclass_fast = score, multiclass_fast
        self.factories = self._publish_tasks(self._binary, self._multiclass, self._multilabel, self._dispatcher)
        self.binary, self.multiclass, self.multilabel, self.dispatcher = self.factories

    def _binary(
        self,
        threshold: float = 0.5,
        multidim_average: str = "global",
        ignore_index: int | None = None,
        validate_args: bool = True,
        zero_division: float = 0,
        *,
        input_format: str = "auto",
    ) -> Metric:
        task = binary_task(threshold, multidim_average, ignore_index, validate_args, input_format)
        return self._scored(0, task, "micro", self.score(check_zero_division(zero_division)))

    def _multiclass(
        self,
        num_classes: int,
        average: str | None = "macro",
        top_k: int = 1,
        multidim_average: str = "global",
        ignore_index: int | None = None,
        validate_args: bool = True,
        zero_division: float = 0,
        *,
        input_format: str = "auto",
    ) -> Metric:
        task = multiclass_task(num_classes, top_k, multidim_average, ignore_index, validate_args, input_format)
        zero_division = check_zero_division(zero_division)
        if self.multiclass_fast is not None and zero_division == 0:
            fast = self.multiclass_fast(self.names[1], task, check_average(average))
            if fast is not None:
                return fast
        return self._scored(1, task, average, self.score(zero_division))

    def _multilabel(
        self,
        num_labels: int,
        threshold: float = 0.5,
        average: str | None = "macro",
        multidim_average: str = "global",
        ignore_index: int | None = None,
        validate_args: bool = True,
        zero_division: float = 0,
        *,
        input_format: str = "auto",
    ) -> Metric:
        task = multilabel_task(num_labels, threshold, multidim_average, ignore_index, validate_args, input_format)
        return self._scored(2, task, average, self.score(check_zero_division(zero_division)))

    def _dispatcher(
        self,
        task: str,
        threshold: float = 0.5,
        num_classes: int | None = None,
        num_labels: int | None = None,
        average: str | None = "micro",
        multidim_average: str = "global",
        top_k: int | None = 1,
        ignore_index: int | None = None,
        validate_args: bool = True,
        zero_division: float = 0,
        *,
        input_format: str = "auto",
    ) -> Metric:
        return dispatch(task, locals(), binary=self.binary, multiclass=self.multiclass, multilabel=self.multilabel)


class BetaScore(_Family):
    """A stat-score metric whose first argument is ``beta`` (F-beta): as :class:`ZeroDivisionScore` else.

    Args:
        metric: the dispatcher's name (``"fbeta_score"``); the task factories prefix it.
        title: the metric's name in a sentence.
        formula: the binary formula.
        module: the public module's ``__name__``.
        score: ``score(beta, zero_division)`` is the score of ``(tp, fp, tn, fn)``.
        check_beta: validates ``beta`` (before ``zero_division``).
        beta_doc: the ``Args:`` entry of ``beta``.
        higher_is_better: as for ``@factory``.
        examples: the printed values of the binary, multiclass, multilabel and dispatcher examples
            (run with ``beta=2.0``).
        top_k_weights: as for :func:`~metrix.classification._class_averaging.scored_metric`.
    """

    def __init__(
        self,
        metric: str,
        title: str,
        formula: str,
        module: str,
        score: Callable[[float, float], ScoreFn],
        check_beta: Callable[[object], float],
        beta_doc: str,
        *,
        higher_is_better: bool,
        examples: tuple[str, str, str, str],
        top_k_weights: bool = True,
    ) -> None:
        super().__init__(
            metric,
            title,
            formula,
            module,
            higher_is_better=higher_is_better,
            examples=examples,
            top_k_weights=top_k_weights,
        )
        self.score, self.check_beta = score, check_beta
        self.own_args, self.example_args = f"beta: {beta_doc}", "beta=2.0"
        self.factories = self._publish_tasks(self._binary, self._multiclass, self._multilabel, self._dispatcher)
        self.binary, self.multiclass, self.multilabel, self.dispatcher = self.factories

    def _binary(
        self,
        beta: float,
        threshold: float = 0.5,
        multidim_average: str = "global",
        ignore_index: int | None = None,
        validate_args: bool = True,
        zero_division: float = 0,
        *,
        input_format: str = "auto",
    ) -> Metric:
        task = binary_task(threshold, multidim_average, ignore_index, validate_args, input_format)
        return self._scored(0, task, "micro", self.score(self.check_beta(beta), check_zero_division(zero_division)))

    def _multiclass(
        self,
        beta: float,
        num_classes: int,
        average: str | None = "macro",
        top_k: int = 1,
        multidim_average: str = "global",
        ignore_index: int | None = None,
        validate_args: bool = True,
        zero_division: float = 0,
        *,
        input_format: str = "auto",
    ) -> Metric:
        task = multiclass_task(num_classes, top_k, multidim_average, ignore_index, validate_args, input_format)
        return self._scored(1, task, average, self.score(self.check_beta(beta), check_zero_division(zero_division)))

    def _multilabel(
        self,
        beta: float,
        num_labels: int,
        threshold: float = 0.5,
        average: str | None = "macro",
        multidim_average: str = "global",
        ignore_index: int | None = None,
        validate_args: bool = True,
        zero_division: float = 0,
        *,
        input_format: str = "auto",
    ) -> Metric:
        task = multilabel_task(num_labels, threshold, multidim_average, ignore_index, validate_args, input_format)
        return self._scored(2, task, average, self.score(self.check_beta(beta), check_zero_division(zero_division)))

    def _dispatcher(
        self,
        task: str,
        beta: float = 1.0,
        threshold: float = 0.5,
        num_classes: int | None = None,
        num_labels: int | None = None,
        average: str | None = "micro",
        multidim_average: str = "global",
        top_k: int | None = 1,
        ignore_index: int | None = None,
        validate_args: bool = True,
        zero_division: float = 0,
        *,
        input_format: str = "auto",
    ) -> Metric:
        return dispatch(task, locals(), binary=self.binary, multiclass=self.multiclass, multilabel=self.multilabel)


class PlainScore(_Family):
    """A stat-score metric without a ``zero_division`` argument (specificity, Hamming distance…).

    Args:
        metric: the dispatcher's name (``"specificity"``); the task factories prefix it.
        title: the metric's name in a sentence (``"Specificity"``).
        formula: the binary formula (``"tn / (tn + fp)"``).
        module: the public module's ``__name__``.
        score: the score of ``(tp, fp, tn, fn)`` (binary, multilabel and, unless
            ``multiclass_score`` says otherwise, multiclass).
        higher_is_better: as for ``@factory``.
        examples: the printed values of the binary, multiclass, multilabel and dispatcher examples.
        top_k_weights: as for :func:`~metrix.classification._class_averaging.scored_metric`.
        multiclass_score: the per-class score of multiclass inputs, where it differs.
        build: ``build(name, task, average)`` builds the metric instead of a score (the stat
            scores themselves); ``score`` is then ``None``.
        docs: docstrings by kind (``"binary"``, …, ``"dispatcher"``) that replace the family's.

    A subclass may override a template method with a signature that accepts more (accuracy's
    ``num_classes=None``); the published factory runs the override.
    """

    def __init__(
        self,
        metric: str,
        title: str,
        formula: str,
        module: str,
        score: ScoreFn | None,
        *,
        higher_is_better: bool | None,
        examples: tuple[str, str, str, str],
        top_k_weights: bool = True,
        multiclass_score: ScoreFn | None = None,
        build: Callable[[str, Task, str], Metric] | None = None,
        docs: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            metric,
            title,
            formula,
            module,
            higher_is_better=higher_is_better,
            examples=examples,
            top_k_weights=top_k_weights,
            docs=docs,
            build=build,
        )
        if (score is None) == (build is None):
            raise TypeError(f"{metric}: give a score or a build function")
        self.score, self.multiclass_score = score, multiclass_score or score
        self.factories = self._publish_tasks(self._binary, self._multiclass, self._multilabel, self._dispatcher)
        self.binary, self.multiclass, self.multilabel, self.dispatcher = self.factories

    def _binary(
        self,
        threshold: float = 0.5,
        multidim_average: str = "global",
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
    ) -> Metric:
        task = binary_task(threshold, multidim_average, ignore_index, validate_args, input_format)
        return self._scored(0, task, "micro", self.score)

    def _multiclass(
        self,
        num_classes: int,
        average: str | None = "macro",
        top_k: int = 1,
        multidim_average: str = "global",
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
    ) -> Metric:
        task = multiclass_task(num_classes, top_k, multidim_average, ignore_index, validate_args, input_format)
        return self._scored(1, task, average, self.multiclass_score)

    def _multilabel(
        self,
        num_labels: int,
        threshold: float = 0.5,
        average: str | None = "macro",
        multidim_average: str = "global",
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
    ) -> Metric:
        task = multilabel_task(num_labels, threshold, multidim_average, ignore_index, validate_args, input_format)
        return self._scored(2, task, average, self.score)

    def _dispatcher(
        self,
        task: str,
        threshold: float = 0.5,
        num_classes: int | None = None,
        num_labels: int | None = None,
        average: str | None = "micro",
        multidim_average: str = "global",
        top_k: int | None = 1,
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
    ) -> Metric:
        return dispatch(task, locals(), binary=self.binary, multiclass=self.multiclass, multilabel=self.multilabel)
