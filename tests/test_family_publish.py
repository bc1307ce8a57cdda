"""``metrix._core.family.publish``: a sibling's own defaults (``defaults=``)."""

from __future__ import annotations

import inspect

import pytest

from metrix import aggregation
from metrix._core.family import publish
from metrix._core.metric import Metric


class _Family:
    """A template that records the arguments each call received."""

    def __init__(self, offset: float) -> None:
        self.offset = offset
        self.calls: list[tuple[float, str]] = []

    def _factory(self, scale: float = 1.0, shift: float = 0.0, *, label: str = "a") -> Metric:
        self.calls.append((scale + shift + self.offset, label))
        return aggregation.mean()


def _published(**defaults: object):
    family = _Family(0.5)
    f = publish(family._factory, "sibling", __name__, "A sibling.", higher_is_better=None, defaults=defaults)
    return f, family.calls


def test_defaults_change_the_signature_and_the_call():
    f, calls = _published(shift=2.0, label="b")
    params = inspect.signature(f).parameters
    assert [params[n].default for n in ("scale", "shift", "label")] == [1.0, 2.0, "b"]
    f()
    f(0.0, 0.0, label="c")
    assert calls == [(3.5, "b"), (0.5, "c")]
    # another sibling and the template keep theirs
    g, g_calls = _published()
    g()
    family = _Family(0.0)
    family._factory()
    assert g_calls == [(1.5, "a")] and family.calls == [(1.0, "a")]


def test_a_default_for_a_parameter_without_one_is_refused():
    with pytest.raises(ValueError, match="'width'"):
        _published(width=3)


def test_retrieval_fall_out_keeps_torchmetrics_default():
    from metrix.retrieval import retrieval_fall_out, retrieval_recall

    assert inspect.signature(retrieval_fall_out).parameters["empty_target_action"].default == "pos"
    assert inspect.signature(retrieval_recall).parameters["empty_target_action"].default == "neg"
    import torch

    # one query with relevant documents only: fall-out's "pos" default scores it 1, recall's "neg" would not apply
    m = retrieval_fall_out()
    assert isinstance(m, Metric)
    value = m(torch.tensor([0.2, 0.7]), torch.tensor([1, 1]), indexes=torch.tensor([0, 0]))
    assert value.item() == 1.0
