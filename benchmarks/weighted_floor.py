"""The floor of the weighted / unweighted overhead (issue 14's ``<= 1.2x``) for mean squared error.

``python benchmarks/weighted_floor.py`` times, interleaved as ``benchmarks/run.py`` does,
``mean_squared_error().update`` with and without ``sample_weight`` beside the same update
written in raw torch: the float64 promotion, the squared error and its sum, with and
without the value checks metrix runs (finite preds and target: a sum and a host read each;
weights: non-negative and finite, a minimum and the total read back). The raw ratio with
the checks is what any implementation with those checks pays for weights; without them,
what the arithmetic alone costs.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "benchmarks"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import torch  # noqa: E402
from _harness import Bench  # noqa: E402

from metrix import regression as mr  # noqa: E402

F64 = torch.float64


def raw_update(checks: bool, weighted: bool) -> Callable[..., Any]:
    def update(total: torch.Tensor, weight: torch.Tensor, p: Any, t: Any, w: Any) -> tuple[Any, Any]:
        a, b = p.to(F64), t.to(F64)
        if checks and not (math.isfinite(float(a.sum())) and math.isfinite(float(b.sum()))):
            raise ValueError("not finite")
        d = a - b
        if not weighted:
            return total + (d * d).sum(), weight + d.numel()
        w = w.to(F64)
        s = w.sum()
        if checks and not (float(w.min()) >= 0 and math.isfinite(float(s))):
            raise ValueError("bad weights")
        return total + torch.dot(w, d * d), weight + s

    return update


def measure(b: Bench, batch: int, steps: int) -> dict[str, float]:
    """Median us per update of metrix and of the raw updates, for one batch size."""
    g = torch.Generator().manual_seed(0)
    p, t, w = (torch.randn(batch, generator=g), torch.randn(batch, generator=g), torch.rand(batch, generator=g))
    m = mr.mean_squared_error()

    def setup(step: Callable[[Any], Any], init: Callable[[], Any]) -> Callable[[], Callable[[], Any]]:
        def make() -> Callable[[], Any]:
            def go() -> None:  # as run.py's weighted rows: one state through every step
                s = init()
                for _ in range(steps):
                    s = step(s)

            return go

        return make

    def raw_init() -> Any:
        return torch.zeros((), dtype=F64), torch.zeros((), dtype=F64)

    impls = {
        "m_w": setup(lambda s: m.update(s, p, t, sample_weight=w), m.init),
        "m_u": setup(lambda s: m.update(s, p, t), m.init),
    }
    for checks in (True, False):
        for weighted in (True, False):
            fn = raw_update(checks, weighted)
            impls[f"r_{checks}_{weighted}"] = setup(lambda s, fn=fn: fn(*s, p, t, w), raw_init)
    return {k: v.median * 1e6 for k, v in b.interleaved(impls, steps).items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--batches", default="4096,32")
    args = ap.parse_args()
    torch.set_num_threads(1)
    b = Bench("cpu", args.quick, "cpu")
    steps = 20 if args.quick else 200
    print(f"torch {torch.__version__}, set_num_threads(1), us per update, median of {b.reps} interleaved runs")
    print("| batch | metrix weighted / unweighted | raw + same checks | raw, no checks |")
    print("|---|---|---|---|")
    for batch in (int(x) for x in args.batches.split(",")):
        t = measure(b, batch, steps)
        cells = [
            f"{t[w]:.1f} / {t[u]:.1f} = {t[w] / t[u]:.2f}x"
            for w, u in (("m_w", "m_u"), ("r_True_True", "r_True_False"), ("r_False_True", "r_False_False"))
        ]
        print(f"| {batch} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
