"""The law suite covers every public metric factory: adding a metric without a Case fails here."""

from __future__ import annotations

import importlib
import inspect

import pytest

import metrix
from tests.catalogue import CASES

FAMILIES = [
    "aggregation",
    "audio",
    "classification",
    "detection",
    "image",
    "regression",
    "retrieval",
    "segmentation",
    "nominal",
    "clustering",
    "shape",
    "text",
    "wrappers",
]
# Plain functions with no state (TorchMetrics has no classes for them): not in the catalogue,
# each checked against its TorchMetrics functional in its own test file's ORACLES.
FUNCTION_FAMILIES = {"pairwise": "tests.test_pairwise"}


def _public_factories(family: str) -> dict[str, object]:
    try:
        module = importlib.import_module(f"metrix.{family}")
    except ImportError:  # pragma: no cover - a family not built yet
        return {}
    out = {}
    for name, obj in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(obj) or not obj.__module__.startswith("metrix."):
            continue
        if getattr(obj, "__metrix_plain_function__", False):  # a stateless helper (image_gradients), not a metric
            continue
        out[name] = obj
    return out


def _plain_functions(family: str) -> dict[str, object]:
    module = importlib.import_module(f"metrix.{family}")
    return {n: f for n, f in vars(module).items() if getattr(f, "__metrix_plain_function__", False)}


@pytest.mark.parametrize("family", FAMILIES)
def test_plain_functions_have_examples(family: str) -> None:
    for name, fn in _plain_functions(family).items():
        doc = inspect.getdoc(fn) or ""
        assert "Example" in doc and ">>>" in doc, f"metrix.{family}.{name} has no runnable docstring example"


@pytest.mark.parametrize("family", FAMILIES)
def test_every_public_factory_is_in_the_catalogue(family: str) -> None:
    covered = {c.factory for c in CASES}
    missing = sorted(name for name, fn in _public_factories(family).items() if fn not in covered)
    assert not missing, f"metrix.{family} factories without a catalogue Case: {missing}"


@pytest.mark.parametrize("family", FAMILIES)
def test_every_public_factory_returns_a_metric_and_has_an_example(family: str) -> None:
    for name, fn in _public_factories(family).items():
        doc = inspect.getdoc(fn) or ""
        assert "Example" in doc and ">>>" in doc, f"metrix.{family}.{name} has no runnable docstring example"


def test_wrappers_are_covered() -> None:
    assert any(c.factory.__module__ == "metrix.aggregation._running" for c in CASES)
    assert metrix.wrappers.running is not None


@pytest.mark.parametrize("family", FAMILIES)
def test_every_public_factory_is_decorated(family: str) -> None:
    # @metrix.factory makes the metric picklable (as its factory call) and sets higher_is_better
    undecorated = sorted(n for n, fn in _public_factories(family).items() if not getattr(fn, "__metrix_factory__", 0))
    assert not undecorated, f"metrix.{family} factories without @factory: {undecorated}"


@pytest.mark.parametrize("family", sorted(FUNCTION_FAMILIES))
def test_plain_function_families_are_checked(family: str) -> None:
    oracles = importlib.import_module(FUNCTION_FAMILIES[family]).ORACLES
    functions = _public_factories(family)
    assert functions, f"metrix.{family} has no public functions"
    assert sorted(functions) == sorted(oracles), f"metrix.{family} functions without an oracle test: {functions}"
    for name, fn in functions.items():
        assert not getattr(fn, "__metrix_factory__", 0), f"metrix.{family}.{name} is a plain function, not a factory"
        doc = inspect.getdoc(fn) or ""
        assert "Example" in doc and ">>>" in doc, f"metrix.{family}.{name} has no runnable docstring example"
