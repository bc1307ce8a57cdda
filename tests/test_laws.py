"""The laws (docs/laws.md; the design contract in ../shared/DESIGN.md), checked for every metric in the catalogue.

1 purity, 2 split invariance, 3 merge is a commutative monoid, 4 traceable (compile
once, vmap equals a loop), 6 reference-exact, and bad input rejected without touching
the state. Law 5 (distributed) lives in test_distributed.py.
"""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.utils._pytree as pytree
from hypothesis import given
from hypothesis import strategies as st

import metrix
from tests.catalogue import CASES, Case
from tests.catalogue._case import assert_close, gen, inputs_len, slice_inputs, snapshot, stack_inputs, unchanged

ALL = [pytest.param(c, id=c.id) for c in CASES]
FIXED = [pytest.param(c, id=c.id) for c in CASES if c.fixed_state and c.compile]
VMAP = [pytest.param(c, id=c.id) for c in CASES if c.fixed_state and c.vmap]
SPLIT = [pytest.param(c, id=c.id) for c in CASES if c.split_invariant]
BAD = [pytest.param(c, b, id=f"{c.id}-{i}") for c in CASES for i, b in enumerate(c.bad_inputs)]
BAD_TRACED = [
    pytest.param(c, b, id=f"{c.id}-{i}")
    for c in CASES
    if c.fixed_state and c.compile
    for i, b in enumerate(c.bad_inputs)
    if b.traced
]


# The laws run on random shards, and a small shard is often degenerate (a class without
# positive targets, a constant column): metrics then warn as TorchMetrics does, which is
# right but not what a law checks. The reference test (all the data) and the warning tests
# (tests/test_warnings.py) keep MetrixWarning an error.
shard_warnings_allowed = pytest.mark.filterwarnings("ignore::metrix.MetrixWarning")


def _run(case: Case, metric: metrix.Metric, inputs: tuple, cuts: list[int]) -> object:
    state = metric.init()
    bounds = [0, *cuts, inputs_len(inputs)]
    for a, b in itertools.pairwise(bounds):
        state = case.update(metric, state, slice_inputs(inputs, a, b))
    return state


# ----------------------------------------------------------------------------- law 6


@pytest.mark.parametrize("case", ALL)
def test_reference(case: Case) -> None:
    inputs = case.inputs(gen(0), case.n)
    got = case.value(case.metric(), inputs)
    assert_close(got, case.reference(*inputs), atol=case.atol, rtol=case.rtol, what=case.id)


# ----------------------------------------------------------------------------- law 2


@st.composite
def splits(draw: st.DrawFn) -> tuple[int, int, list[int]]:
    seed = draw(st.integers(0, 2**16))
    n = draw(st.integers(4, 48))
    cuts = sorted(draw(st.lists(st.integers(0, n), min_size=0, max_size=5)))  # repeats = empty batches
    return seed, n, cuts


@shard_warnings_allowed
@pytest.mark.parametrize("case", SPLIT)
@given(data=splits())
def test_split_invariance(case: Case, data: tuple[int, int, list[int]]) -> None:
    seed, n, cuts = data
    m = case.metric()
    inputs = case.inputs(gen(seed), n)
    one_shot = m.compute(case.update(m, m.init(), inputs))
    incremental = m.compute(_run(case, m, inputs, cuts))
    assert_close(incremental, one_shot, atol=case.atol, rtol=case.rtol, what="incremental vs one-shot")
    bounds = [0, *cuts, n]
    shards = [case.update(m, m.init(), slice_inputs(inputs, a, b)) for a, b in itertools.pairwise(bounds)]
    merged = metrix.merge(m.init(), *shards) if len(shards) > 1 else metrix.merge(m.init(), shards[0])
    assert_close(m.compute(merged), one_shot, atol=case.atol, rtol=case.rtol, what="merged shards vs one-shot")
    assert_close(one_shot, case.reference(*inputs), atol=case.atol, rtol=case.rtol, what="one-shot vs reference")


# ----------------------------------------------------------------------------- law 3


def _sorted(value: object) -> object:
    # samples in arrival order: compare as multisets (each tensor of a tuple value with its
    # samples, the rows along dim 0, in lexicographic order)
    if isinstance(value, tuple):
        return tuple(_sorted(v) for v in value)
    if value.dim() == 0 or value.shape[0] < 2:
        return value
    if value.dim() == 1:
        return value.sort().values
    rows = sorted(value.unbind(0), key=lambda r: r.flatten().tolist())
    return torch.stack(rows)


@shard_warnings_allowed
@pytest.mark.parametrize("case", ALL)
def test_merge_laws(case: Case) -> None:
    m = case.metric()
    inputs = case.inputs(gen(1), 30)
    a, b, c = (case.update(m, m.init(), slice_inputs(inputs, lo, hi)) for lo, hi in [(0, 7), (7, 19), (19, 30)])
    tol = dict(atol=case.atol, rtol=case.rtol)
    merge = metrix.merge
    assert_close(m.compute(merge(merge(a, b), c)), m.compute(merge(a, merge(b, c))), **tol, what="associativity")
    ab, ba = m.compute(merge(a, b)), m.compute(merge(b, a))
    if case.ordered:
        ab, ba = _sorted(ab), _sorted(ba)
    assert_close(ab, ba, **tol, what="commutativity")
    assert_close(m.compute(merge(m.init(), a)), m.compute(a), **tol, what="left identity")
    assert_close(m.compute(merge(a, m.init())), m.compute(a), **tol, what="right identity")


# ----------------------------------------------------------------------------- law 1


@shard_warnings_allowed
@pytest.mark.parametrize("case", ALL)
def test_purity(case: Case) -> None:
    m = case.metric()
    inputs = case.inputs(gen(2), 20)
    state = case.update(m, m.init(), slice_inputs(inputs, 0, 10))
    snap_state, snap_inputs = snapshot(state), snapshot(list(inputs))
    new = case.update(m, state, slice_inputs(inputs, 10, 20))
    m.compute(new)
    m.compute(state)
    assert unchanged(state, snap_state), "update/compute mutated the state it was given"
    assert unchanged(list(inputs), snap_inputs), "update mutated its inputs"
    a, b = case.update(m, m.init(), inputs), case.update(m, m.init(), inputs)
    snap_a, snap_b = snapshot(a), snapshot(b)
    metrix.merge(a, b)
    assert unchanged(a, snap_a) and unchanged(b, snap_b), "merge mutated its arguments"


@shard_warnings_allowed
@pytest.mark.parametrize(("case", "bad"), BAD)
def test_bad_input(case: Case, bad) -> None:
    m = case.metric()
    state = case.update(m, m.init(), case.inputs(gen(3), 8))
    snap = snapshot(state)
    with pytest.raises(bad.error, match=bad.match):
        case.update(m, state, bad.make(gen(4)))
    assert unchanged(state, snap), "a failed update changed the state"
    # the state still works
    m.compute(case.update(m, state, case.inputs(gen(5), 4)))


@pytest.mark.parametrize("case", ALL)
def test_state_of_another_metric_is_refused(case: Case) -> None:
    m = case.metric()
    other = metrix.aggregation.mean() if "mean" not in case.id else metrix.aggregation.max()
    foreign = other.init()
    with pytest.raises(TypeError, match="state must be"):
        case.update(m, foreign, case.inputs(gen(0), 4))
    with pytest.raises(TypeError, match="state must be"):
        m.compute(foreign)
    with pytest.raises(ValueError, match="cannot merge"):
        metrix.merge(m.init(), foreign)


@shard_warnings_allowed
@pytest.mark.parametrize("case", ALL)
def test_serialization(case: Case, tmp_path) -> None:
    m = case.metric()
    state = case.update(m, m.init(), case.inputs(gen(6), 16))
    path = tmp_path / "state.pt"
    torch.save(state, path)
    loaded = torch.load(path, weights_only=True)
    assert type(loaded) is type(state)
    assert_close(m.compute(loaded), m.compute(state), what="reloaded state")


# ----------------------------------------------------------------------------- law 4


class CountingBackend:
    """A torch.compile backend that counts compilations and runs the graph eagerly."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, gm: torch.fx.GraphModule, example_inputs: list) -> object:
        self.count += 1
        return gm.forward


@shard_warnings_allowed
@pytest.mark.parametrize("case", FIXED)
def test_compile_once(case: Case) -> None:
    torch._dynamo.reset()
    m = case.metric()
    backend = CountingBackend()
    update = torch.compile(m.update, backend=backend, fullgraph=True)
    state_c = state_e = m.init()
    for step in range(3):
        inputs = case.inputs(gen(10 + step), 16)
        args, kwargs = case.call_args(inputs)
        state_c = update(state_c, *args, **kwargs)
        state_e = m.update(state_e, *args, **kwargs)
    assert backend.count == 1, f"update compiled {backend.count} times over 3 same-shape steps"
    compute = torch.compile(m.compute, backend=CountingBackend(), fullgraph=True)
    assert_close(compute(state_c), m.compute(state_e), atol=case.atol, rtol=case.rtol, what="compiled vs eager")


def _stack(states: list) -> object:
    return pytree.tree_map(lambda *xs: torch.stack(xs), *states)


@shard_warnings_allowed
@pytest.mark.parametrize("case", VMAP)
def test_vmap_equals_loop(case: Case) -> None:
    m = case.metric()
    members = 3
    batches = [[case.inputs(gen(100 * e + step), 12) for e in range(members)] for step in range(2)]
    stacked = _stack([m.init() for _ in range(members)])
    update = case.positional_update(m)  # keyword inputs (sample_weight=) are batched too
    for batch in batches:
        inputs = stack_inputs(batch)
        # inputs that are not tensors (None) are shared by every member
        in_dims = (0, *(None if x is None else 0 for x in inputs))
        stacked = torch.func.vmap(update, in_dims=in_dims)(stacked, *inputs)
    values = torch.func.vmap(m.compute)(stacked)
    for e in range(members):
        s = m.init()
        for batch in batches:
            s = case.update(m, s, batch[e])
        expected = m.compute(s)
        got = pytree.tree_map(lambda v: v[e], values)
        assert_close(got, expected, atol=case.atol, rtol=case.rtol, what=f"member {e}")


@pytest.mark.parametrize(("case", "bad"), BAD_TRACED)
def test_bad_input_traced(case: Case, bad) -> None:
    torch._dynamo.reset()
    m = case.metric()
    inputs = bad.make(gen(4))
    update = torch.compile(m.update, backend="eager", fullgraph=True)
    args, kwargs = case.call_args(inputs)
    with pytest.raises(bad.error, match=bad.match):
        update(m.init(), *args, **kwargs)
    if case.vmap:
        stacked = _stack([m.init(), m.init()])
        with pytest.raises(bad.error, match=bad.match):
            torch.func.vmap(case.positional_update(m))(stacked, *[torch.stack([x, x]) for x in inputs])
