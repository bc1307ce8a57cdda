"""Every public classification factory: TorchMetrics' signature, where it is importable, a docstring that runs.

Many factories are made at import by a family builder (``metrix._core.family.publish``)
rather than written out, so these checks hold the public surface in place:

* the parameters before the keyword-only ones are TorchMetrics' functional of the same name
  (less its ``preds, target``) in names, order and defaults; the keyword-only ones are
  metrix's own (``input_format``, ``capacity``); every annotation is the one metrix uses for
  that parameter name;
* ``__module__``, ``__qualname__`` and ``__name__`` name a place the factory is importable
  from, and a built metric pickles back into an equal metric;
* the ``Example:`` of every docstring runs and prints what it says (``--doctest-modules``
  collects a builder's functions only while their ``__module__`` is right: this runs every
  example whatever happens to collection).
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pickle

import pytest

import metrix.classification as classification

FACTORIES = sorted(n for n in dir(classification) if getattr(getattr(classification, n), "__metrix_factory__", False))

# The annotation of each parameter name (``int | None`` where the default is None, see below).
ANNOTATIONS = {
    "average": "str | None",
    "beta": "float",
    "capacity": "int | None",
    "fpr_range": "tuple[float, float]",
    "ignore_index": "int | None",
    "input_format": "str",
    "max_fpr": "float | None",
    "min_precision": "float",
    "min_recall": "float",
    "min_sensitivity": "float",
    "min_specificity": "float",
    "multiclass_mode": "str",
    "multidim_average": "str",
    "n_bins": "int",
    "norm": "str",
    "normalize": "str | None",
    "num_groups": "int",
    "squared": "bool",
    "task": "str",
    "threshold": "float",
    "thresholds": "Any",
    "validate_args": "bool",
    "weights": "str | None",
    "zero_division": "float",
}
# ``int`` in a task factory; ``int | None`` in a dispatcher, and where the default is None.
OPTIONAL_INTS = ("num_classes", "num_labels", "top_k")
KEYWORD_ONLY = {"input_format", "capacity"}
# TorchMetrics' fairness functionals take the groups tensor as an argument; metrix takes it
# as an update input and the number of groups as the argument.
OWN_ARGUMENTS = {"binary_fairness", "binary_groups_stat_rates", "demographic_parity", "equal_opportunity"}


def test_every_factory_is_checked() -> None:
    assert len(FACTORIES) >= 100


@pytest.mark.parametrize("name", FACTORIES)
def test_signature_is_torchmetrics(name: str) -> None:
    tm = pytest.importorskip("torchmetrics.functional.classification")
    fn = getattr(classification, name)
    signature = inspect.signature(fn)
    assert signature.return_annotation == "Metric"
    ours = [p for p in signature.parameters.values() if p.kind is not p.KEYWORD_ONLY]
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in ours), signature
    assert {p.name for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY} <= KEYWORD_ONLY
    dispatcher = next(iter(signature.parameters)) == "task"
    for p in signature.parameters.values():
        optional = dispatcher or p.default is None
        expected = ANNOTATIONS.get(p.name) or ("int | None" if optional else "int")
        assert p.name in ANNOTATIONS or p.name in OPTIONAL_INTS, p.name
        assert p.annotation == expected, (name, p.name, p.annotation)
    if name in OWN_ARGUMENTS:
        return
    theirs = [p for p in inspect.signature(getattr(tm, name)).parameters.values() if p.name not in ("preds", "target")]
    assert [(p.name, p.default) for p in ours] == [(p.name, p.default) for p in theirs]


@pytest.mark.parametrize("name", FACTORIES)
def test_importable_where_it_says(name: str) -> None:
    fn = getattr(classification, name)
    assert fn.__name__ == fn.__qualname__ == name
    assert getattr(importlib.import_module(fn.__module__), name) is fn
    assert fn.__module__.startswith("metrix.classification._")


@pytest.mark.parametrize("name", FACTORIES)
def test_example_runs(name: str) -> None:
    fn = getattr(classification, name)
    test = doctest.DocTestParser().get_doctest(fn.__doc__ or "", {}, name, fn.__module__, 0)
    assert test.examples, f"{name} has no runnable Example"
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    out: list[str] = []
    result = runner.run(test, out=out.append)
    assert result.failed == 0, "".join(out)


@pytest.mark.parametrize("name", ["binary_precision", "multiclass_recall", "multilabel_specificity", "precision"])
def test_published_factories_pickle(name: str) -> None:
    fn = getattr(classification, name)
    kwargs = {"task": "multiclass", "num_classes": 3} if name == "precision" else {}
    kwargs |= {"num_classes": 3} if name.startswith("multiclass") else {}
    kwargs |= {"num_labels": 2} if name.startswith("multilabel") else {}
    metric = fn(**kwargs)
    again = pickle.loads(pickle.dumps(metric))
    assert again.name == metric.name and again.higher_is_better == metric.higher_is_better
    assert again.key == metric.key


PUBLISHED = sorted(n for n in FACTORIES if getattr(getattr(classification, n), "__metrix_published__", False))


def _hand_written_twin(name: str) -> object:
    """A plain function with ``name``'s parameters (defaults ``None``): Python's own argument errors."""
    params = inspect.signature(getattr(classification, name)).parameters.values()
    positional = [
        p.name + ("" if p.default is inspect.Parameter.empty else "=None")
        for p in params
        if p.kind == p.POSITIONAL_OR_KEYWORD
    ]
    keyword = [p.name + "=None" for p in params if p.kind == p.KEYWORD_ONLY]
    namespace: dict[str, object] = {}
    exec(f"def {name}({', '.join(positional + (['*', *keyword] if keyword else []))}): pass", namespace)
    return namespace[name]


def test_some_factories_are_published() -> None:
    assert len(PUBLISHED) >= 40


@pytest.mark.parametrize("name", PUBLISHED)
def test_published_factory_argument_errors_read_as_a_hand_written_function(name: str) -> None:
    # the template method's bound self must not show in the counts (takes from 0 to 5 ..., not 1 to 6)
    public, twin = getattr(classification, name), _hand_written_twin(name)
    most = sum(p.kind == p.POSITIONAL_OR_KEYWORD for p in inspect.signature(public).parameters.values())
    for given in (most + 1, most + 3):
        with pytest.raises(TypeError) as want:
            twin(*range(given))  # type: ignore[operator]
        with pytest.raises(TypeError) as got:
            public(*range(given))
        assert str(got.value) == str(want.value)
    with pytest.raises(TypeError) as want:
        twin(bogus=1)  # type: ignore[operator]
    with pytest.raises(TypeError) as got:
        public(bogus=1)
    assert str(got.value) == str(want.value)


def test_renamed_template_parameter() -> None:
    from metrix._core.family import publish, renamed
    from metrix._core.metric import Metric

    class Family:
        def __init__(self) -> None:
            self.seen: dict[str, object] = {}

        def template(self, bound: float, thresholds: object = None, *, capacity: int | None = None) -> Metric:
            self.seen = dict(locals())  # the arguments as the code sees them (dispatch forwards locals())
            return Metric(lambda **_: None, lambda s: s, lambda s: s, name="x")

        def closure(self, bound: float) -> Metric:
            return (lambda: bound)()  # type: ignore[return-value]  # reads the parameter from a cell

    family = Family()
    fn = publish(renamed(family.template, {"bound": "min_recall"}), "binary_x", __name__, "Doc.", higher_is_better=None)
    signature = inspect.signature(fn)
    assert list(signature.parameters) == ["min_recall", "thresholds", "capacity"]
    assert signature.parameters["min_recall"].annotation == "float"
    assert signature.parameters["capacity"].default is None
    with pytest.raises(TypeError, match=r"binary_x\(\) missing 1 required positional argument: 'min_recall'"):
        fn()
    with pytest.raises(TypeError, match="unexpected keyword argument 'bound'"):
        fn(bound=0.5)
    with pytest.raises(TypeError, match=r"binary_x\(\) takes from 1 to 2 positional arguments but 3 were given"):
        fn(1, 2, 3)
    fn(min_recall=0.5)
    assert (family.seen["min_recall"], family.seen["thresholds"], "bound" in family.seen) == (0.5, None, False)
    fn(0.25, 3, capacity=8)
    assert (family.seen["min_recall"], family.seen["thresholds"], family.seen["capacity"]) == (0.25, 3, 8)
    with pytest.raises(TypeError, match=r"no parameter \['lower'\]"):
        renamed(family.template, {"lower": "min_recall"})
    with pytest.raises(TypeError, match="inner function"):
        renamed(family.closure, {"bound": "min_recall"})
    with pytest.raises(TypeError, match="repeats a name"):
        renamed(family.template, {"bound": "thresholds"})
    with pytest.raises(TypeError, match="bound method"):
        renamed(Family.template, {"bound": "min_recall"})
