"""Exact-sample storage: chunked eager appends and fixed-capacity buffers."""

from __future__ import annotations

import math

import pytest
import torch

import metrix
from metrix._core.state import buffer_init, cat_append, cat_init, cat_len, stored_masked, stored_values


def test_chunk_count_stays_logarithmic_and_values_exact() -> None:
    store = cat_init((), torch.float32)
    expected = []
    for step in range(1000):
        batch = torch.full((7,), float(step))
        store = cat_append(store, batch)
        expected.append(batch)
        assert len(store) <= math.log2(step + 1) + 2
    torch.testing.assert_close(stored_values(store), torch.cat(expected))
    assert cat_len(store) == 7000


def test_appends_copy_each_sample_only_log_times() -> None:
    # Count the bytes torch.cat copies while appending: bounded by n * log2(steps), far
    # below the quadratic n * steps / 2 of concatenating everything each step.
    copied = 0
    real_cat = torch.cat

    def counting_cat(tensors, *args, **kwargs):
        nonlocal copied
        out = real_cat(tensors, *args, **kwargs)
        copied += out.numel()
        return out

    store = cat_init((), torch.float32)
    steps, batch = 512, 16
    torch.cat = counting_cat
    try:
        for _ in range(steps):
            store = cat_append(store, torch.ones(batch))
    finally:
        torch.cat = real_cat
    n = steps * batch
    assert copied <= n * (math.log2(steps) + 1)
    assert copied < n * steps / 2 / 10


def test_buffer_append_and_overflow_is_an_error() -> None:
    buf = buffer_init(5, (), torch.float32)
    buf = cat_append(buf, torch.tensor([1.0, 2.0, 3.0]))
    _data, valid = stored_masked(buf)
    assert valid.tolist() == [True, True, True, False, False]
    torch.testing.assert_close(stored_values(buf), torch.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="overflow"):
        cat_append(buf, torch.ones(3))


def test_buffer_compiles_once_and_vmaps() -> None:
    def step(buf, x):
        return cat_append(buf, x)

    count = 0

    def backend(gm, example_inputs):
        nonlocal count
        count += 1
        return gm.forward

    torch._dynamo.reset()
    compiled = torch.compile(step, backend=backend, fullgraph=True)
    buf = buffer_init(12, (), torch.float32)
    for i in range(3):
        buf = compiled(buf, torch.full((4,), float(i)))
    assert count == 1
    assert stored_values(buf).tolist() == [0.0] * 4 + [1.0] * 4 + [2.0] * 4
    stacked = metrix.storage.Buffer(torch.zeros(2, 6), torch.zeros(2, dtype=torch.int64))
    out = torch.func.vmap(step)(stacked, torch.arange(6.0).reshape(2, 3))
    assert out.count.tolist() == [3, 3]
    assert out.data[1, :3].tolist() == [3.0, 4.0, 5.0]


def test_buffer_overflow_under_compile_raises() -> None:
    torch._dynamo.reset()
    compiled = torch.compile(cat_append, backend="eager", fullgraph=True)
    with pytest.raises(ValueError, match="overflow"):
        compiled(buffer_init(2, (), torch.float32), torch.ones(3))


def test_buffer_merge() -> None:
    a = cat_append(buffer_init(6, (), torch.float32), torch.tensor([1.0, 2.0]))
    b = cat_append(buffer_init(6, (), torch.float32), torch.tensor([3.0, 4.0, 5.0]))
    merged = metrix.merge(a, b)
    assert stored_values(merged).tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    with pytest.raises(ValueError, match="overflow"):
        metrix.merge(merged, merged)
    with pytest.raises(ValueError, match="capacity must be a positive int"):
        buffer_init(0)


def test_state_decorator_requires_ops() -> None:
    with pytest.raises(TypeError, match="needs a reduce op"):

        @metrix.state
        class Bad:
            x: torch.Tensor

    with pytest.raises(ValueError, match="must be one of"):
        metrix.leaf("mean")


def test_state_is_a_pytree_for_torch_and_optree() -> None:
    import optree
    import torch.utils._pytree as pytree

    s = metrix.aggregation.mean().init()
    assert len(pytree.tree_leaves(s)) == 2
    assert len(optree.tree_leaves(s, namespace="torch")) == 2
    keys = [pytree.keystr(k) for k, _ in pytree.tree_flatten_with_path(s)[0]]
    assert keys == [".total", ".weight"]


def test_merge_errors_name_the_problem() -> None:
    m = metrix.aggregation.mean()
    with pytest.raises(ValueError, match="same metric"):
        metrix.merge(m.init(), metrix.aggregation.max().init())
    with pytest.raises(ValueError, match="keys"):
        metrix.merge({"a": m.init()}, {"b": m.init()})
    bad = type(m.init())(torch.zeros(2, dtype=torch.float64), torch.zeros((), dtype=torch.float64))
    with pytest.raises(ValueError, match="shapes"):
        metrix.merge(m.init(), bad)


def test_validation_switch() -> None:
    m = metrix.aggregation.mean(nan_strategy="error")
    with pytest.raises(ValueError, match="NaN"):
        m(torch.tensor([float("nan")]))
    with metrix.validation(False):
        assert torch.isnan(m(torch.tensor([float("nan")])))
    acc = metrix.classification.binary_accuracy(validate_args=False)
    acc(torch.tensor([float("nan")]), torch.tensor([1]))  # value check skipped: no error


def test_metric_is_immutable_and_pickles_as_its_factory_call() -> None:
    import pickle

    m = metrix.aggregation.mean()
    with pytest.raises(AttributeError, match="immutable"):
        m.name = "x"
    again = pickle.loads(pickle.dumps(m))
    assert again is not m and again.name == m.name


def test_stack_and_unstack() -> None:
    m = metrix.aggregation.mean()
    states = [m.update(m.init(), torch.tensor([float(i), 2.0 * i])) for i in range(3)]
    stacked = metrix.stack(states)
    assert stacked.total.shape == (3,)
    for i, s in enumerate(states):
        assert torch.equal(metrix.unstack(stacked, i).total, s.total)
    with pytest.raises(ValueError, match=r"states\[1\] does not match"):
        metrix.stack([m.init(), metrix.aggregation.max().init()])
    with pytest.raises(TypeError, match="non-empty sequence"):
        metrix.stack([])
