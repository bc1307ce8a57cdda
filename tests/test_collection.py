"""collection: naming, shared states, nesting, errors."""

from __future__ import annotations

import pytest
import torch

import metrix
from metrix.aggregation import max as max_
from metrix.aggregation import mean
from metrix.aggregation import min as min_
from metrix.classification import binary_accuracy, binary_stat_scores


def test_prefix_postfix_and_values() -> None:
    c = metrix.collection({"avg": mean(), "hi": max_(), "lo": min_()}, prefix="val/", postfix="_x")
    out = c(torch.tensor([1.0, 4.0, -2.0]))
    assert {k: float(v) for k, v in out.items()} == {"val/avg_x": 1.0, "val/hi_x": 4.0, "val/lo_x": -2.0}


def test_members_with_the_same_key_share_one_state() -> None:
    calls = []
    acc, stats = binary_accuracy(), binary_stat_scores()
    assert acc.key == stats.key
    c = metrix.collection({"acc": acc, "stats": stats})
    state = c.init()
    assert list(state) == ["acc"]  # one state for both

    original = acc.update

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    shared = metrix.Metric(acc.init, counting, acc.compute, name="acc", key=acc.key)
    c2 = metrix.collection({"a": shared, "b": stats})
    c2.update(c2.init(), torch.tensor([0.9, 0.1]), torch.tensor([1, 1]))
    assert len(calls) == 1
    out = c.compute(c.update(state, torch.tensor([0.9, 0.1]), torch.tensor([1, 1])))
    assert float(out["acc"]) == 0.5
    assert out["stats"].tolist() == [1, 0, 0, 1, 2]


def test_different_configs_do_not_share() -> None:
    c = metrix.collection({"a": binary_accuracy(threshold=0.3), "b": binary_accuracy(threshold=0.7)})
    assert sorted(c.init()) == ["a", "b"]
    out = c(torch.tensor([0.5]), torch.tensor([1]))
    assert float(out["a"]) == 1.0 and float(out["b"]) == 0.0


def test_nested_collection_is_flattened() -> None:
    inner = metrix.collection({"avg": mean()}, prefix="inner_")
    outer = metrix.collection({"sub": inner, "hi": max_()})
    assert sorted(outer(torch.tensor([1.0, 3.0]))) == ["hi", "inner_avg"]


def test_collection_merges_and_compiles() -> None:
    # a collection passes the same inputs to every member
    c = metrix.collection({"acc": binary_accuracy(), "acc_t": binary_accuracy(threshold=0.2)})
    p, t = torch.rand(20), torch.randint(0, 2, (20,))
    a = c.update(c.init(), p[:7], t[:7])
    b = c.update(c.init(), p[7:], t[7:])
    merged = c.compute(metrix.merge(a, b))
    whole = c(p, t)
    for k in whole:
        torch.testing.assert_close(merged[k], whole[k])
    compiled = torch.compile(c.update, backend="eager", fullgraph=True)
    torch.testing.assert_close(c.compute(compiled(c.init(), p, t))["acc"], whole["acc"])


def test_errors() -> None:
    with pytest.raises(ValueError, match="metrics must be a non-empty dict"):
        metrix.collection({})
    with pytest.raises(TypeError, match="metrics must be a non-empty dict .*, got 3 \\(int\\)"):
        metrix.collection(3)
    with pytest.raises(TypeError, match="must be a metrix.Metric"):
        metrix.collection({"a": 3})
    with pytest.raises(TypeError, match="names must be non-empty strings"):
        metrix.collection({"": mean()})
    with pytest.raises(TypeError, match="prefix must be a str"):
        metrix.collection({"a": mean()}, prefix=3)
    c = metrix.collection({"a": mean()})
    with pytest.raises(ValueError, match="expects"):
        c.update({"b": mean().init()}, torch.tensor([1.0]))
