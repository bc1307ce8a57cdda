"""Where the time goes in the benchmark rows that miss their target.

``python benchmarks/profile.py`` prints, per workload, the CPU time (one thread, min
over repetitions) of each piece of a metrix call next to the whole call, and a
cProfile of the hottest Python functions. Pieces:

* ``guard``: ``Metric.update``/``compute`` (type and shape guard) minus the raw
  functions they wrap;
* ``format``: the classification input checks and formatting, with and without
  value validation (``validate_args=False``), i.e. what validation itself costs;
* ``count``: turning formatted labels into confusion counts;
* ``merge``: ``merge_unchecked`` of the batch state into the running one;
* ``compute``: the metric value from a state;
* ``lean``: hand-written reference versions of update/compute that keep every
  check (as prototypes of what the family code could do), to show what is reachable.

Rows are skipped (with a note) when a metric is not available yet.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
import torch.utils._pytree as pytree  # noqa: E402

import metrix  # noqa: E402
from metrix import classification as mc  # noqa: E402
from metrix._core.checks import check_finite, check_in_range, is_tracing  # noqa: E402
from metrix._core.merge import merge_unchecked  # noqa: E402

C = 10


def cpu_us(fn: Callable[[], Any], n: int, reps: int = 7) -> float:
    """Min over ``reps`` of the mean CPU time of ``fn`` (microseconds)."""
    best = float("inf")
    for _ in range(reps):
        t0 = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, (time.process_time() - t0) / n * 1e6)
    return best


def show(title: str, parts: dict[str, float]) -> None:
    print(f"\n## {title}")
    for k, v in parts.items():
        print(f"  {k:<58s} {v:9.1f} us")


def hot(fn: Callable[[], Any], n: int, top: int = 12) -> None:
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(n):
        fn()
    pr.disable()
    out = io.StringIO()
    pstats.Stats(pr, stream=out).sort_stats("tottime").print_stats(top)
    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if ln.strip().startswith("ncalls"))
    print("  cProfile (tottime):")
    for ln in lines[start : start + top + 1]:
        print("   ", ln.replace(str(ROOT) + "/", "")[:150])


def lean_multiclass_update(state_type: type) -> Callable[..., Any]:
    """Same checks and counts as ``multiclass_*`` global update, top_k=1, no ignore_index."""

    def update(s: Any, preds: torch.Tensor, target: torch.Tensor) -> Any:
        if target.is_floating_point():
            raise TypeError("target must hold integer class labels")
        if preds.dim() != 2 or preds.shape[1] != C or preds.shape[0] != target.shape[0]:
            raise ValueError("preds must be (N, C) with target (N,)")
        check_in_range(target, 0, C, f"target must hold class labels in [0, {C})")
        check_finite(preds, "preds")
        label = preds.argmax(1) if preds.shape[0] <= 256 else preds.max(1).indices
        idx = target * C + label
        if is_tracing(idx):
            counts = torch.zeros(C * C, dtype=torch.int64).scatter_add(0, idx, torch.ones_like(idx))
        else:  # bincount is faster in eager; it has no vmap rule, so only here
            counts = torch.bincount(idx, minlength=C * C)
        return state_type(s.confmat + counts)  # int64 counts added to the float64 state

    return update


def lean_macro_accuracy(s: Any) -> torch.Tensor:
    """Macro accuracy (mean recall over classes that occur) from the flat C*C confusion counts."""
    cm = s.confmat.view(C, C)
    support = cm.sum(1)
    present = (support + cm.sum(0)) > 0
    recall = cm.diagonal().long() / support.long().clamp(min=1)
    return (recall * present).sum() / present.sum().clamp(min=1)


def profile_forward(batch: int) -> None:
    if not hasattr(mc, "multiclass_accuracy"):
        print(f"\n## forward batch {batch}: n/a (multiclass_accuracy not available)")
        return
    import torchmetrics.classification as tmc

    from metrix.classification._inputs import multiclass_format

    n = 2000 if batch <= 256 else 300
    p, y = torch.randn(batch, C), torch.randint(0, C, (batch,))
    acc = mc.multiclass_accuracy(C)
    s0 = acc.init()
    b = acc.update(s0, p, y)
    mod = metrix.MetricModule(acc)
    tm = tmc.MulticlassAccuracy(num_classes=C)
    fmt = dict(num_classes=C, top_k=1, ignore_index=None, input_format="auto")
    lean = lean_multiclass_update(type(s0))
    assert torch.equal(lean(s0, p, y).confmat, b.confmat)
    assert torch.allclose(lean_macro_accuracy(b), acc.compute(b))
    w = torch.ones_like(y)
    label = p.max(1).indices
    parts = {
        "MetricModule.forward (whole)": cpu_us(lambda: mod(p, y), n),
        "TorchMetrics forward (whole)": cpu_us(lambda: tm(p, y), n),
        "Metric.update (guarded)": cpu_us(lambda: acc.update(s0, p, y), n),
        "  raw update (no guard)": cpu_us(lambda: acc._update(s0, p, y), n),
        "  format, validate_args=True": cpu_us(lambda: multiclass_format(p, y, validate_args=True, **fmt), n),
        "  format, validate_args=False": cpu_us(lambda: multiclass_format(p, y, validate_args=False, **fmt), n),
        "    of which max(1).indices": cpu_us(lambda: p.max(1).indices, n),
        "    argmax(1) instead": cpu_us(lambda: p.argmax(1), n),
        "  count: scatter_add of target*C+pred (+ weights)": cpu_us(
            lambda: torch.zeros(C * C, dtype=torch.int64).scatter_add(0, y * C + label, w), n
        ),
        "  count: bincount instead": cpu_us(lambda: torch.bincount(y * C + label, minlength=C * C), n),
        "merge_unchecked(state, batch)": cpu_us(lambda: merge_unchecked(b, b), n),
        "Metric.compute (guarded)": cpu_us(lambda: acc.compute(b), n),
        "lean update prototype (same checks)": cpu_us(lambda: lean(s0, p, y), n),
        "lean macro-accuracy compute prototype": cpu_us(lambda: lean_macro_accuracy(b), n),
    }
    show(f"MetricModule(multiclass_accuracy(10)).forward, batch {batch}", parts)
    hot(lambda: mod(p, y), n // 4)


def profile_confmat() -> None:
    if not hasattr(mc, "multiclass_confusion_matrix"):
        print("\n## confusion matrix: n/a")
        return
    from metrix.classification._inputs import multiclass_format

    p, y = torch.randint(0, C, (4096,)), torch.randint(0, C, (4096,))
    cm = mc.multiclass_confusion_matrix(C)
    s0 = cm.init()
    fmt = dict(num_classes=C, top_k=1, ignore_index=None, input_format="auto")

    def lean(s: Any) -> Any:
        check_in_range(y, 0, C, "target")
        check_in_range(p, 0, C, "preds")
        return type(s)(s.confmat + torch.bincount(y * C + p, minlength=C * C))

    parts = {
        "update (whole)": cpu_us(lambda: cm.update(s0, p, y), 1000),
        "  format, validate_args=True": cpu_us(lambda: multiclass_format(p, y, validate_args=True, **fmt), 1000),
        "  format, validate_args=False": cpu_us(lambda: multiclass_format(p, y, validate_args=False, **fmt), 1000),
        "  range check by (x>=0)&(x<C) + all": cpu_us(lambda: bool(((y >= 0) & (y < C)).all()), 1000),
        "  range check by check_in_range (aminmax)": cpu_us(lambda: check_in_range(y, 0, C, "t"), 1000),
        "  weights ones_like": cpu_us(lambda: torch.ones_like(y), 1000),
        "  scatter_add count": cpu_us(
            lambda: torch.zeros(C * C, dtype=torch.int64).scatter_add(0, y * C + p, torch.ones_like(y)), 1000
        ),
        "raw floor: bincount(target*C+pred) + add": cpu_us(
            lambda: s0.confmat + torch.bincount(y * C + p, minlength=C * C), 1000
        ),
        "lean prototype (both range checks + bincount)": cpu_us(lambda: lean(s0), 1000),
    }
    show("multiclass_confusion_matrix(10).update, label preds, batch 4096", parts)


def profile_ensemble() -> None:
    if not hasattr(mc, "multiclass_f1_score"):
        print("\n## ensemble: n/a")
        return
    e, n = 32, 256
    p, y = torch.randn(e, n, C), torch.randint(0, C, (e, n))
    v = torch.func.vmap
    parts = {}
    for va in (True, False):
        f1 = mc.multiclass_f1_score(C, validate_args=va)
        s = pytree.tree_map(lambda *xs: torch.stack(xs), *[f1.init() for _ in range(e)])
        vu = v(f1.update)
        parts[f"vmap(update), validate_args={va}"] = cpu_us(lambda vu=vu, s=s: vu(s, p, y), 50)
    parts["  vmap: (y>=0)&(y<C) alone"] = cpu_us(lambda: v(lambda a: (a >= 0) & (a < C))(y), 50)
    parts["  vmap: isfinite(sum(x - x)) (check_finite's vmap form)"] = cpu_us(
        lambda: v(lambda a: torch.isfinite((a - a).sum()))(p), 50
    )
    parts["  vmap: max(1).indices"] = cpu_us(lambda: v(lambda a: a.max(1).indices)(p), 50)
    parts["  flat max(-1).indices over all members"] = cpu_us(lambda: p.max(-1).indices, 50)
    offs = (torch.arange(e) * C * C)[:, None]
    parts["raw floor: argmax + one bincount for all members"] = cpu_us(
        lambda: torch.bincount((offs + y * C + p.argmax(-1)).reshape(-1), minlength=e * C * C), 50
    )
    show(f"ensemble of {e}: vmap(multiclass_f1_score.update), batch {n}", parts)


def profile_compiled() -> None:
    names = ("multiclass_accuracy", "multiclass_precision", "multiclass_recall", "multiclass_f1_score")
    if not all(hasattr(mc, k) for k in names):
        print("\n## compiled: n/a")
        return
    x, y = torch.randn(256, C), torch.randint(0, C, (256,))
    parts = {}
    for va in (True, False):
        coll = metrix.collection({k: getattr(mc, k)(C, validate_args=va) for k in names})
        torch._dynamo.reset()
        cu = torch.compile(coll.update, fullgraph=True, backend="inductor")
        s = coll.init()
        for _ in range(3):
            cu(s, x, y)
        parts[f"compiled collection update, validate_args={va}"] = cpu_us(lambda cu=cu, s=s: cu(s, x, y), 300)
        parts[f"eager collection update, validate_args={va}"] = cpu_us(lambda coll=coll, s=s: coll.update(s, x, y), 300)
    from metrix._core.checks import _check_op

    cond = torch.ones(256, dtype=torch.bool)
    parts["one metrix::check op call (eager dispatch)"] = cpu_us(lambda: _check_op(cond, "m"), 3000)
    show("compiled 4-metric collection update, batch 256 (inductor)", parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="comma-separated: forward32,forward4096,confmat,ensemble,compiled")
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, set_num_threads(1), CPU time per call (min of 7)")
    plan = {
        "forward32": lambda: profile_forward(32),
        "forward4096": lambda: profile_forward(4096),
        "confmat": profile_confmat,
        "ensemble": profile_ensemble,
        "compiled": profile_compiled,
    }
    only = {s for s in args.only.split(",") if s}
    for k, fn in plan.items():
        if not only or k in only:
            fn()


if __name__ == "__main__":
    main()
