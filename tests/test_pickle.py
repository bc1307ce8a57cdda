"""Metrics pickle and copy as their factory call; copies are independent values."""

from __future__ import annotations

import copy
import pickle

import pytest
import torch

import metrix
from tests.catalogue import CASES, Case
from tests.catalogue._case import assert_close, gen

ALL = [pytest.param(c, id=c.id) for c in CASES]


@pytest.mark.filterwarnings("ignore::metrix.MetrixWarning")  # 16 samples: some columns are degenerate
@pytest.mark.parametrize("case", ALL)
def test_metric_pickles_as_its_factory_call(case: Case) -> None:
    m = case.metric()
    again = pickle.loads(pickle.dumps(m))
    assert again is not m and again.name == m.name and again.key == m.key
    assert again.higher_is_better == m.higher_is_better
    assert copy.deepcopy(m) is m  # immutable: the value itself
    inputs = case.inputs(gen(1), 16)
    assert_close(case.value(again, inputs), case.value(m, inputs), atol=0, rtol=0, what=case.id)


def test_higher_is_better_values() -> None:
    from metrix import classification as mc
    from metrix import regression as mr

    assert mc.multiclass_accuracy(num_classes=3).higher_is_better is True
    assert mc.accuracy("binary").higher_is_better is True
    assert mr.mean_squared_error().higher_is_better is False
    assert mc.binary_confusion_matrix().higher_is_better is None


def test_closure_metric_says_how_to_pickle() -> None:
    m = metrix.Metric(lambda device=None: torch.zeros(()), lambda s, x: s + x, lambda s: s, name="adhoc")
    with pytest.raises(TypeError, match=r"@metrix\.factory"):
        pickle.dumps(m)
