"""The public factories of a curve metric (ROC, PR, EER, operating points), written once.

A curve metric is read off the shared curve state: binary, per class (multiclass) or per
label (multilabel), plus TorchMetrics' ``task=`` dispatcher. Its factories end in the same
``thresholds, ignore_index, validate_args, *, input_format, capacity`` tail and their bodies
only forward to the metric's builder; what differs from one metric to the next is the
builder, the name and the docstrings. :class:`ThresholdCurve` (the curves themselves and what
is read off them without an argument of its own: ROC, PR, EER), :class:`OperatingPoint`
(one rate at a bound on another: the bound is the first argument, named per metric) and
:class:`AveragedArea` (the multiclass and multilabel AUROC and average precision) write
those signatures and bodies once; a public module makes its factories with one call::

    binary_roc, multiclass_roc, multilabel_roc, roc = ThresholdCurve(...).factories

Each is a real function named and documented as that module's own (see
:func:`metrix._core.family.publish`); the ``Args:`` sections come from the ``CURVES`` glossary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from metrix._core.docstrings import Glossary
from metrix._core.family import publish, renamed
from metrix._core.metric import Metric
from metrix.classification import _parameter_docs as parameter_docs
from metrix.classification._dispatch import dispatch, dispatcher_doc
from metrix.classification._task_family import TASK_KINDS, TaskFamily, with_example

__all__ = ["AveragedArea", "CurveBuilder", "CurveOptions", "OperatingPoint", "ThresholdCurve"]

# What every curve factory passes on: (thresholds, ignore_index, validate_args, input_format, capacity).
CurveOptions = tuple[Any, Any, Any, Any, Any]
# build(name, task, num, argument, options): the metric named ``name``. ``num`` is None for binary
# inputs; ``argument`` is the metric's own, validated by the builder: ``average`` (curves, areas;
# None for binary inputs) or the bound of an operating point.
CurveBuilder = Callable[[str, str, "int | None", Any, CurveOptions], Metric]


class _CurveFamily(TaskFamily):
    """The docstrings of one curve metric's four factories (a subclass publishes its templates)."""

    def __init__(
        self,
        metric: str,
        module: str,
        *,
        higher_is_better: bool | None,
        title: str,
        docs: Mapping[str, str],
        dispatcher_example: str,
    ) -> None:
        super().__init__(metric, module, higher_is_better=higher_is_better)
        self.docs = [docs[kind] for kind in TASK_KINDS]
        self.docs.append(dispatcher_doc(title, metric, self.names[:3], dispatcher_example))

    def _doc(self, index: int, method: Callable[..., Metric]) -> str:
        return self.docs[index]

    def _glossary(self, index: int) -> Glossary | None:
        return parameter_docs.CURVES if index < 3 else None  # a dispatcher documents no arguments


class ThresholdCurve(_CurveFamily):
    """A curve metric with no argument of its own: the ROC and PR curves, the EER.

    Args:
        metric: the dispatcher's name (``"roc"``); the task factories prefix it.
        module: the public module's ``__name__``.
        build: ``build(name, task, num, average, options)`` validates ``average`` and the
            options (in the order its errors should be reported) and builds the metric;
            binary and multilabel inputs pass ``average=None``.
        higher_is_better: as for ``@factory`` (all four factories).
        title: the metric's name in a sentence (the dispatcher's summary).
        docs: the task factories' docstrings by kind (``"binary"``, ``"multiclass"``,
            ``"multilabel"``); the ``CURVES`` glossary writes the ``Args:`` they leave out.
        dispatcher_example: the dispatcher's example (see
            :func:`~metrix.classification._dispatch.dispatcher_doc`).
    """

    def __init__(
        self,
        metric: str,
        module: str,
        build: CurveBuilder,
        *,
        higher_is_better: bool | None,
        title: str,
        docs: Mapping[str, str],
        dispatcher_example: str,
    ) -> None:
        self.build = build
        super().__init__(
            metric,
            module,
            higher_is_better=higher_is_better,
            title=title,
            docs=docs,
            dispatcher_example=dispatcher_example,
        )
        self.factories = self._publish_tasks(self._binary, self._multiclass, self._multilabel, self._dispatcher)
        self.binary, self.multiclass, self.multilabel, self.dispatcher = self.factories

    def _binary(
        self,
        thresholds: Any = None,
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
        capacity: int | None = None,
    ) -> Metric:
        options = (thresholds, ignore_index, validate_args, input_format, capacity)
        return self.build(self.names[0], "binary", None, None, options)

    def _multiclass(
        self,
        num_classes: int,
        thresholds: Any = None,
        average: str | None = None,
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
        capacity: int | None = None,
    ) -> Metric:
        options = (thresholds, ignore_index, validate_args, input_format, capacity)
        return self.build(self.names[1], "multiclass", num_classes, average, options)

    def _multilabel(
        self,
        num_labels: int,
        thresholds: Any = None,
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
        capacity: int | None = None,
    ) -> Metric:
        options = (thresholds, ignore_index, validate_args, input_format, capacity)
        return self.build(self.names[2], "multilabel", num_labels, None, options)

    def _dispatcher(
        self,
        task: str,
        thresholds: Any = None,
        num_classes: int | None = None,
        num_labels: int | None = None,
        average: str | None = None,
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
        capacity: int | None = None,
    ) -> Metric:
        return dispatch(task, locals(), binary=self.binary, multiclass=self.multiclass, multilabel=self.multilabel)


# The operating points' docstrings: "<value> among thresholds whose <other> is at least <bound>".
_OPERATING_POINT_SUMMARY = "Highest {value} among thresholds whose {other} is at least ``{bound}``{where}."
_OPERATING_POINT_DOCS = {
    "binary": (
        " (binary)",
        "``(value, threshold)``",
        "{name}(0.5)(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))\n(tensor(1.), tensor({value}))",
    ),
    "multiclass": (
        ", per class",
        "``(value, threshold)``, each of shape ``(C,)``",
        "preds = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])\n"
        ">>> {name}(3, 0.5, thresholds=5)(preds, torch.tensor([0, 1, 2, 2]))\n"
        "(tensor([1., 1., 1.]), tensor([{value}]))",
    ),
    "multilabel": (
        ", per label",
        "``(value, threshold)``, each of shape ``(C,)``",
        "preds = torch.tensor([[0.8, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.3]])\n"
        ">>> {name}(2, 0.5)(preds, torch.tensor([[1, 0], [0, 1], [1, 1], [0, 0]]))\n"
        "(tensor([1., 1.]), tensor([{value}]))",
    ),
}
_OPERATING_POINT_DISPATCHER_EXAMPLE = (
    'm = {name}("binary", 0.5)\n'
    ">>> m(torch.tensor([0.1, 0.4, 0.6, 0.9]), torch.tensor([0, 1, 0, 1]))\n"
    "(tensor(1.), tensor({value}))"
)


class OperatingPoint(_CurveFamily):
    """One rate at a bound on another (sensitivity at specificity, recall at fixed precision…).

    The bound is each factory's first argument after ``num_classes``/``num_labels``; the
    templates call it ``bound`` and :func:`~metrix._core.family.renamed` gives it the metric's
    own name.

    Args:
        metric: the dispatcher's name (``"sensitivity_at_specificity"``).
        module: the public module's ``__name__``.
        build: ``build(name, task, num, bound, options)`` builds the metric.
        bound: the bound's public name (``"min_specificity"``).
        value: the rate the metric maximises, as the summary names it (``"sensitivity (TPR)"``).
        other: the bounded rate, likewise.
        title: the metric's name in a sentence (the dispatcher's summary).
        thresholds: what the binary, multiclass and multilabel examples print as thresholds,
            and the dispatcher's (binary) example, at a bound of 0.5.
    """

    def __init__(
        self,
        metric: str,
        module: str,
        build: CurveBuilder,
        *,
        bound: str,
        value: str,
        other: str,
        title: str,
        thresholds: tuple[str, str, str],
    ) -> None:
        self.build = build
        docs = {}
        for kind, shown in zip(TASK_KINDS, thresholds, strict=True):
            where, returns, example = _OPERATING_POINT_DOCS[kind]
            summary = _OPERATING_POINT_SUMMARY.format(value=value, other=other, bound=bound, where=where)
            name = f"{kind}_{metric}"
            text = f"{summary}\n\nReturns:\n    A metric computing {returns}."
            docs[kind] = with_example(name, text, example.format(name=name, value=shown))
        super().__init__(
            metric,
            module,
            higher_is_better=None,
            title=title,
            docs=docs,
            dispatcher_example=_OPERATING_POINT_DISPATCHER_EXAMPLE.format(name=metric, value=thresholds[0]),
        )
        public = {"bound": bound}
        templates = (self._binary, self._multiclass, self._multilabel, self._dispatcher)
        self.factories = self._publish_tasks(*(renamed(template, public) for template in templates))
        self.binary, self.multiclass, self.multilabel, self.dispatcher = self.factories

    def _binary(
        self,
        bound: float,
        thresholds: Any = None,
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
        capacity: int | None = None,
    ) -> Metric:
        options = (thresholds, ignore_index, validate_args, input_format, capacity)
        return self.build(self.names[0], "binary", None, bound, options)

    def _multiclass(
        self,
        num_classes: int,
        bound: float,
        thresholds: Any = None,
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
        capacity: int | None = None,
    ) -> Metric:
        options = (thresholds, ignore_index, validate_args, input_format, capacity)
        return self.build(self.names[1], "multiclass", num_classes, bound, options)

    def _multilabel(
        self,
        num_labels: int,
        bound: float,
        thresholds: Any = None,
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
        capacity: int | None = None,
    ) -> Metric:
        options = (thresholds, ignore_index, validate_args, input_format, capacity)
        return self.build(self.names[2], "multilabel", num_labels, bound, options)

    def _dispatcher(
        self,
        task: str,
        bound: float,
        thresholds: Any = None,
        num_classes: int | None = None,
        num_labels: int | None = None,
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
        capacity: int | None = None,
    ) -> Metric:
        return dispatch(task, locals(), binary=self.binary, multiclass=self.multiclass, multilabel=self.multilabel)


class AveragedArea:
    """The multiclass and multilabel factories of an area under a curve (AUROC, average precision).

    Their signatures, ``(num_classes | num_labels, average="macro", thresholds, ...)``, differ
    from the curves' (``average`` comes second) and their binary factories and dispatchers
    take arguments of their own (``max_fpr``), so only these two are templates here.

    Args:
        names: the multiclass and multilabel factories' names.
        module: the public module's ``__name__``.
        build: ``build(name, task, num, average, options)`` validates ``average`` and builds the metric.
        docs: their docstrings (the ``CURVES`` glossary writes the ``Args:`` they leave out).
    """

    def __init__(self, names: tuple[str, str], module: str, build: CurveBuilder, docs: tuple[str, str]) -> None:
        self.names, self.build = names, build
        curves = parameter_docs.CURVES
        self.multiclass = publish(self._multiclass, names[0], module, docs[0], higher_is_better=True, glossary=curves)
        self.multilabel = publish(self._multilabel, names[1], module, docs[1], higher_is_better=True, glossary=curves)

    def _multiclass(
        self,
        num_classes: int,
        average: str | None = "macro",
        thresholds: Any = None,
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
        capacity: int | None = None,
    ) -> Metric:
        options = (thresholds, ignore_index, validate_args, input_format, capacity)
        return self.build(self.names[0], "multiclass", num_classes, average, options)

    def _multilabel(
        self,
        num_labels: int,
        average: str | None = "macro",
        thresholds: Any = None,
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
        capacity: int | None = None,
    ) -> Metric:
        options = (thresholds, ignore_index, validate_args, input_format, capacity)
        return self.build(self.names[1], "multilabel", num_labels, average, options)
