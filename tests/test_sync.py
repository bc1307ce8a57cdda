"""Single-process checks of sync's exact encodings (the gloo tests are in test_distributed.py)."""

from __future__ import annotations

import pytest
import torch

import metrix
from metrix import aggregation as agg
from metrix import classification as mc


def test_sync_collectives_formula() -> None:
    c = metrix.collection({"m": agg.mean(), "hi": agg.max(), "lo": agg.min(), "acc": mc.binary_accuracy()})
    assert metrix.debug.sync_collectives(c.init()) == 3  # fingerprint + SUM (float64 + int64 halves) + MAX (keys)
    assert metrix.debug.sync_collectives(c.init(), fingerprint=False) == 2
    assert metrix.debug.sync_collectives({"acc": mc.binary_accuracy().init()}) == 2  # int64 only: one SUM
    with_buffer = {**c.init(), "buf": metrix.storage.buffer_init(8, (), torch.float32)}
    assert metrix.debug.sync_collectives(with_buffer) == 4  # + one all_gather of float32 data (counts ride in SUM)
    with_cats = {**c.init(), "x": agg.cat().init(), "y": agg.cat().init()}
    assert metrix.debug.sync_collectives(with_cats) == 4  # + one all_gather for the float64 cat dtype


def test_sync_without_a_process_group_is_the_identity() -> None:
    s = agg.mean().init()
    assert metrix.sync(s) is s
    with pytest.raises(ValueError, match="ensemble_dims"):
        metrix.sync(s, ensemble_dims=-1)


def test_max_min_keys_are_exact_order_preserving() -> None:
    """The int64 keys of the one MAX bucket: max/min of keys == max/min of values, bit for bit."""
    from metrix._core.sync import _key, _unkey

    g = torch.Generator().manual_seed(0)
    special = [-torch.inf, -1e308, -1.0, -5e-324, -0.0, 0.0, 5e-324, 1.0, 1e308, torch.inf]
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        x = torch.cat([torch.tensor(special, dtype=torch.float64).to(dtype), torch.randn(200, generator=g).to(dtype)])
        ranks = x.reshape(-1, 10)  # 21 "ranks" of 10 values
        for op, reduce in (("max", torch.amax), ("min", torch.amin)):
            keys = _key(ranks, op)
            assert keys.dtype == torch.int64
            got = _unkey(keys.amax(0), op, dtype)
            assert torch.equal(got, reduce(ranks, 0)), (dtype, op)
            assert torch.equal(_unkey(keys, op, dtype).view(-1).abs(), ranks.view(-1).abs())  # a bijection
    # NaN on any rank wins, as in torch.maximum / torch.minimum
    for op in ("max", "min"):
        x = torch.tensor([[1.0, -torch.inf], [torch.nan, 2.0], [-torch.nan, torch.inf]], dtype=torch.float64)
        got = _unkey(_key(x, op).amax(0), op, torch.float64)
        assert torch.isnan(got[0]) and not torch.isnan(got[1]), op
    for dtype in (torch.int64, torch.int32, torch.int8, torch.uint8, torch.bool):
        info = torch.iinfo(dtype) if dtype != torch.bool else None
        lo, hi = (info.min, info.max) if info else (0, 1)
        x = torch.randint(lo, hi, (7, 5), dtype=dtype) if info else torch.rand(7, 5, generator=g) < 0.5
        if info:
            x[0, 0], x[1, 0] = lo, hi
        for op, reduce in (("max", torch.amax), ("min", torch.amin)):
            red = reduce(x.to(torch.int64), 0).to(dtype)
            assert torch.equal(_unkey(_key(x, op).amax(0), op, dtype), red), (dtype, op)


def test_integer_sums_ride_exactly_in_the_float64_bucket() -> None:
    """int64 split into 32-bit halves: a float64 SUM over ranks recombines to the int64 sum (wrapping)."""
    from metrix._core.sync import _decode, _encode

    big = torch.iinfo(torch.int64)
    world = 64
    x = torch.randint(big.min, big.max, (world, 9), dtype=torch.int64)
    x[:, 0] = big.max
    x[:, 1] = big.min
    x[:, 2] = -1
    flat = torch.stack([torch.cat(_encode(r, "split", torch.float64)) for r in x]).sum(0)  # what all_reduce does
    got, _ = _decode(flat, 0, x[0], "split", shared=False)
    expected = x[0].clone()
    for r in x[1:]:
        expected = expected + r  # int64 arithmetic wraps, like an int64 all_reduce
    assert torch.equal(got, expected)
