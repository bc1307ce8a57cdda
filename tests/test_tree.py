"""The one walker over a state's structure (metrix/_core/tree.py) and the rules built on it."""

from __future__ import annotations

import pytest
import torch

import metrix
from metrix import aggregation as agg
from metrix import classification as mc
from metrix._core.merge import check_compatible
from metrix._core.tree import flatten, map_entries, signature, unflatten


def _collection_state():
    c = metrix.collection(
        {
            "acc": mc.multiclass_accuracy(num_classes=3),
            "auroc": mc.binary_auroc(capacity=8),
            "exact": mc.binary_auroc(),
            "run": agg.running_mean(window=2),
        }
    )
    return c, c.init()


def test_entries_have_paths_ops_and_values_in_one_walk() -> None:
    _, state = _collection_state()
    entries, spec = flatten(state)
    ops = {e.path: e.op for e in entries}
    assert ops["acc.confmat"] == "sum"
    assert any(op == "buffer" for path, op in ops.items() if path.startswith("auroc."))
    assert any(op == "cat" for path, op in ops.items() if path.startswith("exact."))
    assert {op for path, op in ops.items() if path.startswith("run.")} <= {"sum", "max"}
    rebuilt = unflatten(spec, [e.value for e in entries])
    assert signature(rebuilt) == signature(state)
    n = len(entries)  # leaves of the collection's states (a flatten that dropped one would fail above)
    with pytest.raises(ValueError, match=f"{n + 1} values for a spec with {n} leaves"):
        unflatten(spec, [e.value for e in entries] + [torch.zeros(())])


def test_signature_equal_exactly_when_merge_accepts() -> None:
    # exact-AUROC buffers of capacities 8 and 16: one rule for merge and sync (the fingerprint
    # hashes the signature), so both refuse; equal capacities are accepted by both
    a, b, c = (mc.binary_auroc(capacity=k).init() for k in (8, 16, 8))
    assert signature(a) != signature(b)
    with pytest.raises(ValueError, match="capacities 8 and 16 differ"):
        metrix.merge(a, b)
    assert signature(a) == signature(c)
    metrix.merge(a, c)
    for x, y in [(mc.multiclass_accuracy(num_classes=3).init(), mc.multiclass_accuracy(num_classes=4).init())]:
        assert signature(x) != signature(y)
        with pytest.raises(ValueError, match="cannot merge state.confmat"):
            metrix.merge(x, y)


def test_collection_states_merge_whatever_their_dict_order() -> None:
    s1 = {"a": agg.sum().init(), "b": agg.mean().init()}
    s2 = {"b": agg.mean().init(), "a": agg.sum().init()}
    assert signature(s1) == signature(s2)
    check_compatible(s1, s2)
    with pytest.raises(ValueError, match=r"keys \['a', 'b'\] and \['a', 'c'\] differ"):
        metrix.merge(s1, {"a": agg.sum().init(), "c": agg.mean().init()})


def test_merged_buffer_keeps_its_capacity_and_refuses_overflow() -> None:
    m = mc.binary_auroc(capacity=6)
    a = m.update(m.init(), torch.rand(4), torch.tensor([0, 1, 1, 0]))
    b = m.update(m.init(), torch.rand(2), torch.tensor([1, 0]))
    merged = metrix.merge(a, b)
    (entry,) = [e for e in flatten(merged)[0] if e.op == "buffer" and e.value.data.dim() == 1][:1]
    assert entry.value.capacity == 6 and int(entry.value.count) == 6
    with pytest.raises(ValueError, match="overflow when merging: 8 samples but capacity=6"):
        metrix.merge(a, a)


def test_walker_traces_under_compile_and_vmap() -> None:
    m = mc.multiclass_accuracy(num_classes=3)
    state = m.update(m.init(), torch.tensor([0, 1, 2]), torch.tensor([0, 1, 1]))
    compiles = []

    def backend(gm, example_inputs):
        compiles.append(gm)
        return gm.forward

    def merged(a, b):
        return metrix.merge(a, b), map_entries(lambda e: e.value * 2, a)

    fn = torch.compile(merged, backend=backend, fullgraph=True)
    other = m.update(m.init(), torch.tensor([0, 1, 2]), torch.tensor([0, 1, 1]))  # distinct tensors: no alias guard
    out, doubled = fn(state, other)
    out, doubled = fn(out, other)
    assert len(compiles) == 1
    assert torch.equal(out.confmat, 3 * state.confmat) and torch.equal(doubled.confmat, 4 * state.confmat)
    stacked = metrix.stack([state, state])
    vm = torch.func.vmap(lambda a, b: metrix.merge(a, b))(stacked, stacked)
    assert torch.equal(metrix.unstack(vm, 1).confmat, 2 * state.confmat)


def test_stack_and_unstack_growing_and_buffer_storage() -> None:
    exact, buffered = mc.binary_auroc(), mc.binary_auroc(capacity=5)
    p, t = torch.rand(2, 4), torch.tensor([[0, 1, 1, 0], [1, 0, 1, 0]])
    for m in (exact, buffered):
        members = [m.update(m.init(), p[i], t[i]) for i in range(2)]
        stacked = metrix.stack(members)
        for i in range(2):
            assert torch.equal(m.compute(metrix.unstack(stacked, i)), m.compute(members[i]))
    with pytest.raises(ValueError, match="equal lengths"):
        metrix.stack([exact.update(exact.init(), p[0], t[0]), exact.init()])


def test_bad_trees_name_where() -> None:
    with pytest.raises(TypeError, match="the value at 'x' is a str, not a metric state"):
        flatten({"x": "nope"})
    with pytest.raises(ValueError, match="cannot merge state"):
        metrix.merge(agg.sum().init(), "nope")
