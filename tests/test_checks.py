"""The fast eager paths of the value checks agree with the plain elementwise checks."""

from __future__ import annotations

import pytest
import torch

import metrix
from metrix._core.checks import check_finite, check_in_range

BAD = [float("nan"), float("inf"), float("-inf")]


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
@pytest.mark.parametrize("bad", BAD)
def test_check_finite_eager_rejects(dtype, bad):
    x = torch.randn(64, 3).to(dtype)
    x[17, 2] = bad
    with pytest.raises(ValueError, match="preds contains NaN or inf"):
        check_finite(x, "preds")


def test_check_finite_accepts_huge_values_whose_sum_overflows():
    big = torch.finfo(torch.float32).max
    x = torch.tensor([big, big, -big / 2])  # sum overflows to inf, every element is finite
    check_finite(x, "preds")
    check_finite(torch.full((10,), 60000.0, dtype=torch.float16), "preds")
    check_finite(torch.empty(0, 4), "preds")


def test_check_finite_switches():
    x = torch.tensor([1.0, float("nan")])
    check_finite(x, "preds", enabled=False)
    with metrix.validation(False):
        check_finite(x, "preds")
    check_finite(torch.tensor([1, 2]), "labels")  # integers are always finite


@pytest.mark.parametrize("bad", BAD)
def test_check_finite_under_vmap(bad):
    good = torch.randn(4, 8)
    torch.func.vmap(lambda t: check_finite(t, "preds") or t.sum())(good)
    big = torch.full((4, 3), torch.finfo(torch.float32).max)
    torch.func.vmap(lambda t: check_finite(t, "preds") or t.sum())(big)  # no overflow false alarm
    x = good.clone()
    x[2, 5] = bad
    with pytest.raises(ValueError, match="preds contains NaN or inf"):
        torch.func.vmap(lambda t: check_finite(t, "preds") or t.sum())(x)


def test_check_finite_under_compile():
    def f(t):
        check_finite(t, "preds")
        return t.sum()

    cf = torch.compile(f, fullgraph=True, backend="eager")
    cf(torch.randn(5))
    with pytest.raises(ValueError, match="preds contains NaN or inf"):
        cf(torch.tensor([1.0, float("inf"), 0.0, 1.0, 2.0]))


@pytest.mark.parametrize("allowed", [None, -100, 7])
def test_check_in_range_matches_elementwise(allowed):
    g = torch.Generator().manual_seed(0)
    for _ in range(50):
        x = torch.randint(-3, 9, (int(torch.randint(0, 6, (1,), generator=g)),), generator=g)
        if allowed is not None and len(x):
            x[0] = allowed
        ok = (x >= 0) & (x < 5)
        if allowed is not None:
            ok = ok | (x == allowed)
        expect_ok = bool(ok.all())
        if expect_ok:
            check_in_range(x, 0, 5, "target out of range", allowed=allowed)
        else:
            with pytest.raises(ValueError, match="target out of range"):
                check_in_range(x, 0, 5, "target out of range", allowed=allowed)
        # the same verdict under vmap (a batch of one) and compile
        if expect_ok:
            torch.func.vmap(lambda t: check_in_range(t, 0, 5, "m", allowed=allowed) or t.sum())(x[None])
        else:
            with pytest.raises(ValueError, match="m"):
                torch.func.vmap(lambda t: check_in_range(t, 0, 5, "m", allowed=allowed) or t.sum())(x[None])


def test_check_in_range_message_callable_and_switch():
    x = torch.tensor([0, 9])
    with pytest.raises(ValueError, match="got 9"):
        check_in_range(x, 0, 5, lambda: f"got {int(x.max())}")
    check_in_range(x, 0, 5, "never", enabled=False)
    with metrix.validation(False):
        check_in_range(x, 0, 5, "never")


def test_checks_under_compiled_vmap():
    def f(t, labels):
        check_finite(t, "preds")
        check_in_range(labels, 0, 5, "labels out of range")
        return t.sum() + labels.sum()

    cf = torch.compile(torch.func.vmap(f), fullgraph=True, backend="eager")
    x, y = torch.randn(3, 4), torch.randint(0, 5, (3, 4))
    torch.testing.assert_close(cf(x, y), torch.func.vmap(f)(x, y))
    bad_x = x.clone()
    bad_x[1, 2] = float("nan")
    with pytest.raises(ValueError, match="preds contains NaN or inf"):
        cf(bad_x, y)
    bad_y = y.clone()
    bad_y[2, 0] = 5
    with pytest.raises(ValueError, match="labels out of range"):
        cf(x, bad_y)


def test_check_under_nested_vmap_and_grad():
    from metrix._core.checks import check

    def f(t):
        check(t > 0, "must be positive")
        check_finite(t, "t")
        return (t * t).sum()

    x = torch.rand(2, 3, 4) + 0.5
    torch.func.vmap(torch.func.vmap(f))(x)
    torch.func.grad(f)(x[0, 0])
    torch.func.vmap(torch.func.grad(f))(x[0])
    bad = x.clone()
    bad[1, 2, 3] = -1.0
    with pytest.raises(ValueError, match="must be positive"):
        torch.func.vmap(torch.func.vmap(f))(bad)
    with pytest.raises(ValueError, match="must be positive"):
        torch.func.vmap(torch.func.grad(f))(bad[1])
    bad[1, 2, 3] = float("inf")  # positive, not finite
    with pytest.raises(ValueError, match="t contains NaN or inf"):
        torch.func.vmap(torch.func.vmap(f))(bad)
