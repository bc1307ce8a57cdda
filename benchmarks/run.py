"""Side-by-side benchmarks: metrix vs TorchMetrics vs a raw-torch floor.

Run with ``make bench`` (or ``python benchmarks/run.py``). Every row is one workload;
every implementation of a row is timed in the same process, with interleaved
repetitions (the implementations alternate inside each repetition, in an order that
flips every repetition) so that machine load hits them alike. Times are per step
(microseconds): the median and the min over repetitions.

Options:
    --device cuda     run on a GPU (times include a synchronize per repetition).
    --quick           a smoke run: few steps and repetitions, no inductor compile.
    --threads N       torch.set_num_threads (default 1: stable numbers on shared CPUs).
    --no-write        print only; do not write docs/benchmarks.md and docs/img/benchmarks.png.

A row whose metric does not exist (yet) prints "n/a (not yet available)": no number
is ever made up.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
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

sys.path.insert(0, str(ROOT / "benchmarks"))
from _harness import NA, Bench, Row, Timing, peak_rss, plot, reset_peak_rss, table  # noqa: E402

warnings.filterwarnings("ignore", module="torchmetrics")
warnings.filterwarnings("ignore", category=UserWarning)

try:
    import torchmetrics
    import torchmetrics.classification as tmc
except ImportError:  # pragma: no cover - the benchmark needs the test extra
    torchmetrics = None
    tmc = None


# ------------------------------------------------------------------------------ results


# ------------------------------------------------------------------------------ timing


def have(*names: str) -> bool:
    """Whether every named metrix classification factory exists."""
    return all(hasattr(mc, n) for n in names)


def stack_states(states: list[Any]) -> Any:
    """Stack E states of one metric into one state with a leading ensemble axis."""
    return pytree.tree_map(lambda *xs: torch.stack(xs), states[0], *states[1:])


# ------------------------------------------------------------------------------ workloads

C = 10


def _multiclass_batches(
    b: Bench, n: int, batch: int, *, logits: bool = True
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    out = []
    for _ in range(min(n, 16)):  # cycle through 16 distinct batches
        preds = torch.randn(batch, C, generator=g) if logits else torch.randint(0, C, (batch,), generator=g)
        target = torch.randint(0, C, (batch,), generator=g)
        out.append((preds.to(b.device), target.to(b.device)))
    return out


def row_forward(b: Bench, batch: int, steps: int, target_x: float) -> Row:
    row = Row(f"MetricModule(multiclass_accuracy(10)).forward, batch {batch}, {steps} steps", f">= {target_x:g}x vs TM")
    if not have("multiclass_accuracy"):
        row.note = NA
        return row
    data = _multiclass_batches(b, steps, batch)

    def ours() -> Callable[[], Any]:
        m = metrix.MetricModule(mc.multiclass_accuracy(C)).to(b.device)
        m(*data[0])
        m.reset()

        def run() -> None:
            for i in range(steps):
                m(*data[i % len(data)])
            m.compute()

        return run

    def theirs() -> Callable[[], Any]:
        m = tmc.MulticlassAccuracy(num_classes=C).to(b.device)
        m(*data[0])
        m.reset()

        def run() -> None:
            for i in range(steps):
                m(*data[i % len(data)])
            m.compute()

        return run

    def floor() -> Callable[[], Any]:
        # the same math by hand, no checks: per-class hits and support, macro average
        def run() -> None:
            tot_tp = torch.zeros(C, dtype=torch.int64, device=b.device)
            tot_n = torch.zeros(C, dtype=torch.int64, device=b.device)
            for i in range(steps):
                p, t = data[i % len(data)]
                hard = p.argmax(1)
                tp = torch.zeros(C, dtype=torch.int64, device=b.device).scatter_add(0, t, (hard == t).long())
                n = torch.bincount(t, minlength=C)
                tot_tp = tot_tp + tp
                tot_n = tot_n + n
                (tp / n.clamp(min=1)).mean()
            (tot_tp / tot_n.clamp(min=1)).mean()

        return run

    t = b.interleaved({"metrix": ours, "tm": theirs, "floor": floor}, steps)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    row.met = row.ratio_tm() >= target_x
    return row


COLLECTION_NAMES = {
    "accuracy": ("multiclass_accuracy", "MulticlassAccuracy"),
    "precision": ("multiclass_precision", "MulticlassPrecision"),
    "recall": ("multiclass_recall", "MulticlassRecall"),
    "f1": ("multiclass_f1_score", "MulticlassF1Score"),
    "specificity": ("multiclass_specificity", "MulticlassSpecificity"),
}


def row_collection(b: Bench, batch: int, steps: int) -> Row:
    row = Row(
        f"collection(acc, prec, rec, F1, spec; 10 classes).update, batch {batch}, {steps} steps",
        ">= 2x vs TM MetricCollection(compute_groups)",
    )
    if not have(*(n for n, _ in COLLECTION_NAMES.values())):
        row.note = NA
        return row
    data = _multiclass_batches(b, steps, batch)

    def ours() -> Callable[[], Any]:
        coll = metrix.collection({k: getattr(mc, f)(C) for k, (f, _) in COLLECTION_NAMES.items()})
        m = metrix.MetricModule(coll).to(b.device)
        m.update(*data[0])
        m.reset()

        def run() -> None:
            for i in range(steps):
                m.update(*data[i % len(data)])

        return run

    def theirs() -> Callable[[], Any]:
        coll = torchmetrics.MetricCollection(
            {k: getattr(tmc, c)(num_classes=C) for k, (_, c) in COLLECTION_NAMES.items()}, compute_groups=True
        ).to(b.device)
        coll.update(*data[0])  # the first update discovers the compute groups
        coll.reset()

        def run() -> None:
            for i in range(steps):
                coll.update(*data[i % len(data)])

        return run

    def floor() -> Callable[[], Any]:
        def run() -> None:
            cm = torch.zeros(C * C, dtype=torch.int64, device=b.device)
            for i in range(steps):
                p, t = data[i % len(data)]
                cm = cm + torch.bincount(t * C + p.argmax(1), minlength=C * C)

        return run

    t = b.interleaved({"metrix": ours, "tm": theirs, "floor": floor}, steps)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    row.met = row.ratio_tm() >= 2.0
    return row


def row_ensemble(b: Bench, members: int, batch: int, steps: int) -> Row:
    row = Row(
        f"ensemble of {members}: multiclass_f1_score, vmap(update) over stacked states, batch {batch}, {steps} steps",
        f">= 5x vs loop over {members} TM objects",
    )
    if not have("multiclass_f1_score"):
        row.note = NA
        return row
    g = torch.Generator().manual_seed(1)
    data = [
        (
            torch.randn(members, batch, C, generator=g).to(b.device),
            torch.randint(0, C, (members, batch), generator=g).to(b.device),
        )
        for _ in range(4)
    ]
    f1 = mc.multiclass_f1_score(C)
    vupdate = torch.func.vmap(f1.update)

    def ours() -> Callable[[], Any]:
        def run() -> None:
            s = stack_states([f1.init(device=b.device) for _ in range(members)])
            for i in range(steps):
                s = vupdate(s, *data[i % len(data)])
            torch.func.vmap(f1.compute)(s)

        return run

    def theirs() -> Callable[[], Any]:
        objs = [tmc.MulticlassF1Score(num_classes=C).to(b.device) for _ in range(members)]

        def run() -> None:
            for i in range(steps):
                p, t = data[i % len(data)]
                for e, o in enumerate(objs):
                    o.update(p[e], t[e])
            torch.stack([o.compute() for o in objs])

        return run

    def floor() -> Callable[[], Any]:
        # one batched scatter_add of all members' confusion matrices, no checks
        offs = (torch.arange(members, device=b.device) * C * C)[:, None]

        def run() -> None:
            cm = torch.zeros(members * C * C, dtype=torch.int64, device=b.device)
            for i in range(steps):
                p, t = data[i % len(data)]
                idx = (offs + t * C + p.argmax(-1)).reshape(-1)
                cm = cm + torch.bincount(idx, minlength=members * C * C)

        return run

    t = b.interleaved({"metrix": ours, "tm": theirs, "floor": floor}, steps)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    row.met = row.ratio_tm() >= 5.0
    return row


def row_confmat(b: Bench, batch: int, steps: int) -> Row:
    row = Row(
        f"multiclass_confusion_matrix(10).update (label preds), batch {batch}, {steps} steps",
        "<= TM and <= 1.5x floor (bincount)",
    )
    if not have("multiclass_confusion_matrix"):
        row.note = NA
        return row
    data = _multiclass_batches(b, steps, batch, logits=False)
    cmm = mc.multiclass_confusion_matrix(C)

    def ours() -> Callable[[], Any]:
        def run() -> None:
            s = cmm.init(device=b.device)
            for i in range(steps):
                s = cmm.update(s, *data[i % len(data)])
            cmm.compute(s)

        return run

    def theirs() -> Callable[[], Any]:
        m = tmc.MulticlassConfusionMatrix(num_classes=C).to(b.device)

        def run() -> None:
            for i in range(steps):
                m.update(*data[i % len(data)])
            m.compute()

        return run

    def floor() -> Callable[[], Any]:
        def run() -> None:
            cm = torch.zeros(C * C, dtype=torch.int64, device=b.device)
            for i in range(steps):
                p, t = data[i % len(data)]
                cm = cm + torch.bincount(t * C + p, minlength=C * C)
            cm.reshape(C, C)

        return run

    cmm_nv = mc.multiclass_confusion_matrix(C, validate_args=False)

    def ours_unchecked() -> Callable[[], Any]:
        def run() -> None:
            s = cmm_nv.init(device=b.device)
            for i in range(steps):
                s = cmm_nv.update(s, *data[i % len(data)])
            cmm_nv.compute(s)

        return run

    t = b.interleaved({"metrix": ours, "tm": theirs, "floor": floor, "unchecked": ours_unchecked}, steps)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    row.met = row.ratio_tm() >= 1.0 and row.ratio_floor() <= 1.5
    nv = t["unchecked"].median
    row.note = f"metrix with validate_args=False: {nv * 1e6:.1f} us ({nv / row.floor.median:.2f}x floor)"
    return row


def row_auroc_growth(b: Bench, batch: int, steps: int) -> Row:
    row = Row(
        f"binary_auroc (exact) MetricModule.forward, {steps} steps of {batch}",
        "flat: last 100 steps <= 2x first 100",
    )
    if not have("binary_auroc"):
        row.note = NA
        return row
    g = torch.Generator().manual_seed(2)
    data = [
        (torch.rand(batch, generator=g).to(b.device), torch.randint(0, 2, (batch,), generator=g).to(b.device))
        for _ in range(16)
    ]
    window = min(100, steps // 3)

    def per_step(m: Any) -> tuple[float, float, float]:
        times = []
        for i in range(steps):
            t0 = b.clock()
            m(*data[i % len(data)])
            b.sync()
            times.append(b.clock() - t0)
        return statistics.median(times[:window]), statistics.median(times[-window:]), sum(times) / steps

    impls = {
        "metrix": lambda: metrix.MetricModule(mc.binary_auroc()).to(b.device),
        "tm": lambda: tmc.BinaryAUROC(thresholds=None).to(b.device),
    }
    res: dict[str, list[tuple[float, float, float]]] = {k: [] for k in impls}
    reps = 2 if b.quick else 3
    for r in range(reps):
        for k in impls if r % 2 == 0 else list(impls)[::-1]:
            res[k].append(per_step(impls[k]()))
    growth = {k: statistics.median(last / first for first, last, _ in v) for k, v in res.items()}
    row.metrix = Timing([mean for _, _, mean in res["metrix"]])
    row.tm = Timing([mean for _, _, mean in res["tm"]])
    row.cells["growth"] = f"metrix x{growth['metrix']:.2f}, TM x{growth['tm']:.2f} (last {window} / first {window})"
    row.note = row.cells["growth"]
    row.met = growth["metrix"] <= 2.0
    return row


class CountingBackend:
    """A ``torch.compile`` backend that counts the graphs it is handed, then compiles them."""

    def __init__(self, inner: str) -> None:
        self.inner = inner
        self.graphs = 0

    def __call__(self, gm: Any, example_inputs: Any) -> Any:
        self.graphs += 1
        if self.inner == "inductor":
            from torch._inductor.compile_fx import compile_fx

            return compile_fx(gm, example_inputs)
        return gm.forward


def row_compiled(b: Bench, batch: int, steps: int) -> Row:
    names = ("multiclass_accuracy", "multiclass_precision", "multiclass_recall", "multiclass_f1_score")
    row = Row(
        f"compiled eval step: MLP + 4-metric collection, batch {batch}, {steps} steps",
        "1 graph, 1 compile; time vs TM eager",
    )
    if not have(*names):
        row.note = NA
        return row
    torch.manual_seed(3)
    model = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.ReLU(), torch.nn.Linear(64, C)).to(b.device).eval()
    g = torch.Generator().manual_seed(3)
    data = [
        (torch.randn(batch, 32, generator=g).to(b.device), torch.randint(0, C, (batch,), generator=g).to(b.device))
        for _ in range(8)
    ]
    coll = metrix.collection({n: getattr(mc, n)(C) for n in names})

    def step(state: Any, x: torch.Tensor, y: torch.Tensor) -> Any:
        with torch.no_grad():
            return coll.update(state, model(x), y)

    tm_names = {"multiclass_accuracy": "MulticlassAccuracy", "multiclass_precision": "MulticlassPrecision"}
    tm_names |= {"multiclass_recall": "MulticlassRecall", "multiclass_f1_score": "MulticlassF1Score"}

    def tm_collection() -> Any:
        return torchmetrics.MetricCollection(
            {n: getattr(tmc, c)(num_classes=C) for n, c in tm_names.items()}, compute_groups=True
        ).to(b.device)

    # does TorchMetrics' step compile fullgraph? (cheap check with the eager backend)
    tm_coll = tm_collection()

    def tm_step(x: torch.Tensor, y: torch.Tensor) -> None:
        with torch.no_grad():
            tm_coll.update(model(x), y)

    torch._dynamo.reset()
    try:
        torch.compile(tm_step, backend=CountingBackend("eager"), fullgraph=True)(*data[0])
        tm_compiles = "TM compiles fullgraph"
    except Exception as e:
        first = str(e).strip().splitlines()[0][:90] if str(e).strip() else ""
        tm_compiles = f"TM cannot compile fullgraph ({type(e).__name__}: {first})"
    torch._dynamo.reset()

    inner = "eager" if b.quick else "inductor"
    counter = CountingBackend(inner)
    torch._dynamo.reset()
    cstep = torch.compile(step, backend=counter, fullgraph=True)
    frames0 = torch._dynamo.utils.counters["stats"]["unique_graphs"]
    t0 = time.perf_counter()
    state = coll.init(device=b.device)
    try:
        for i in range(steps):
            state = cstep(state, *data[i % len(data)])
    except Exception as e:  # report, do not hide
        row.note = f"metrix step failed to compile: {type(e).__name__}: {str(e).splitlines()[0][:120]}"
        row.met = False
        return row
    compile_s = time.perf_counter() - t0
    frames = torch._dynamo.utils.counters["stats"]["unique_graphs"] - frames0
    # the eager-vs-compiled values agree
    eager_state = coll.init(device=b.device)
    for i in range(steps):
        eager_state = step(eager_state, *data[i % len(data)])
    same = all(torch.equal(x, y) for x, y in zip(pytree.tree_leaves(state), pytree.tree_leaves(eager_state)))

    def ours() -> Callable[[], Any]:
        def run() -> None:
            s = coll.init(device=b.device)
            for i in range(steps):
                s = cstep(s, *data[i % len(data)])

        return run

    def theirs() -> Callable[[], Any]:
        m = tm_collection()
        m.update(model(data[0][0]).detach(), data[0][1])
        m.reset()

        def run() -> None:
            for i in range(steps):
                x, y = data[i % len(data)]
                with torch.no_grad():
                    m.update(model(x), y)

        return run

    def floor() -> Callable[[], Any]:
        def run() -> None:  # the model alone: what an eval step costs without metrics
            for i in range(steps):
                with torch.no_grad():
                    model(data[i % len(data)][0])

        return run

    # the recompile count must not move while timing
    before = counter.graphs
    t = b.interleaved({"metrix": ours, "tm": theirs, "floor": floor}, steps)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    one = counter.graphs == 1 and before == 1
    row.met = one and same
    row.note = (
        f"{counter.graphs} graph(s), {frames} dynamo frame compile(s) ({inner} backend, first call {compile_s:.1f} s); "
        f"compiled == eager: {same}; {tm_compiles}; floor = model alone"
    )
    return row


def row_sync(b: Bench) -> Row:
    row = Row("sync + compute of a 10-metric collection on 4 gloo ranks", "reported")
    row.unit = "ms/sync"
    path = ROOT / "benchmarks" / "bench_sync.py"
    if not path.exists():
        row.note = NA + " (benchmarks/bench_sync.py missing)"
        return row
    # bench_sync.py spawns its own process group; run it as a script and read its row
    cmd = [sys.executable, str(path), "--worlds", "4", "--iters", "10" if b.quick else "50"]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=400, check=True)
    except Exception as e:
        err = (getattr(e, "stderr", "") or str(e)).strip()
        row.note = f"bench_sync.py failed: {err.splitlines()[-1][:120] if err else type(e).__name__}"
        return row
    line = next((ln for ln in res.stdout.splitlines() if ln.strip().startswith("4 |")), None)
    if line is None:
        row.note = "bench_sync.py printed no row for 4 ranks"
        return row
    cells = [c.strip() for c in line.split("|")]
    try:
        sync_ms, both_ms, tm_ms = (float(c.split()[0]) for c in cells[1:4])
    except (ValueError, IndexError):
        row.note = f"unreadable bench_sync.py row: {line.strip()}"
        return row
    row.metrix, row.tm = Timing([both_ms / 1e3]), Timing([tm_ms / 1e3])
    row.note = (
        f"wall clock, slowest rank, median (bench_sync.py); metrix sync alone {sync_ms:.2f} ms; "
        f"collectives metrix {cells[5]}, TM {cells[6]}; values agree: {cells[7]}"
    )
    return row


# --------------------------------------------------------------- peak memory (subprocess)

MEM_CHUNK = 1_000_000


def mem_child(which: str, total: int, device: str) -> None:
    """Stream ``total`` samples through one AUROC and print its peak extra memory (bytes)."""
    dev = torch.device(device)
    if which.startswith("metrix"):
        m = metrix.MetricModule(mc.binary_auroc(thresholds=None if which.endswith("exact") else 200)).to(dev)
    else:
        m = tmc.BinaryAUROC(thresholds=None if which.endswith("exact") else 200).to(dev)
    g = torch.Generator(device=dev).manual_seed(4)
    # warm up allocator and kernels on a tiny batch, then start over
    m.update(torch.rand(8, device=dev), torch.randint(0, 2, (8,), device=dev))
    m.reset()
    if dev.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    else:
        base = reset_peak_rss()
    done = 0
    while done < total:
        n = min(MEM_CHUNK, total - done)
        p = torch.rand(n, generator=g, device=dev)
        t = (torch.rand(n, generator=g, device=dev) < p).long()
        m.update(p, t)
        del p, t
        done += n
    value = float(m.compute())
    if dev.type == "cuda":
        torch.cuda.synchronize()
        peak = torch.cuda.max_memory_allocated() - base
    else:
        peak = peak_rss() - base
    print(f"{peak} {value}")


def _mem_run(which: str, total: int, device: str) -> tuple[float, float] | str:
    """Peak extra memory (MiB) and AUC of one child process; an error string if it failed."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_mem-child", which, "--_mem-total", str(total)]
    cmd += ["--device", device]
    try:
        # A fixed mmap threshold makes glibc return every large block to the OS when it is
        # freed, so the peak RSS counts live tensors, not the allocator's cached heap (the
        # default threshold grows after the first free and keeps 8 MB chunks resident).
        env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072")
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=True, env=env)
        peak, value = res.stdout.strip().splitlines()[-1].split()
        return int(peak) / 2**20, float(value)
    except Exception as e:
        err = (getattr(e, "stderr", "") or str(e)).strip()
        return f"{which} failed: {err.splitlines()[-1][:100] if err else type(e).__name__}"


def row_memory(b: Bench, total: int) -> Row:
    row = Row(
        f"peak memory, binary AUROC over {total / 1e6:g}M samples (chunks of {MEM_CHUNK / 1e6:g}M)",
        "binned O(thresholds): binned peak at all samples <= 1.25x at one chunk",
    )
    row.unit = "MiB"
    if not have("binary_auroc"):
        row.note = NA
        return row
    runs = {"metrix-exact": total, "metrix-binned": total, "metrix-binned@1chunk": MEM_CHUNK}
    runs |= {"tm-exact": total, "tm-binned": total}
    out = {k: _mem_run(k.split("@")[0], n, str(b.device)) for k, n in runs.items()}
    stored = total * (4 + 8) / 2**20  # float32 scores + int64 labels, if kept
    cells = [f"{k} {v[0]:.0f} MiB" if isinstance(v, tuple) else v for k, v in out.items()]
    aucs = {round(v[1], 4) for v in out.values() if isinstance(v, tuple)}
    row.note = "; ".join(cells) + f"; the samples alone = {stored:.0f} MiB; AUCs {sorted(aucs)}"
    if isinstance(out["metrix-exact"], tuple):
        row.metrix = Timing([out["metrix-exact"][0]])
    if isinstance(out["tm-exact"], tuple):
        row.tm = Timing([out["tm-exact"][0]])
    full, one = out["metrix-binned"], out["metrix-binned@1chunk"]
    if isinstance(full, tuple) and isinstance(one, tuple):
        row.met = full[0] <= 1.25 * one[0] + 1.0
    return row


# ------------------------------------------------------------------------------ output


DOC_INTRO = """# Benchmarks

Produced by `make bench` (`python benchmarks/run.py`; `--quick` for a smoke run, `--device cuda`
on a GPU). Each row is one workload; metrix, TorchMetrics and a raw-torch floor (the same
arithmetic written by hand, without input checks) run in the same process, alternating inside
every repetition. Times are per step: median (min) over the repetitions. Ratios are the median of
the per-repetition ratios. On CPU the clock is the process's CPU time with one thread
(`torch.set_num_threads(1)`): on a shared machine wall time mostly measures the other tenants.
Numbers from a loaded 2-core machine still move by about 20% between runs; compare ratios, not
absolute times. `python benchmarks/where_time_goes.py` breaks the missed rows down piece by piece.

"""

DOC_NOTES = """![benchmarks](img/benchmarks.png)

How to read the rows:

* **forward**: `MetricModule.forward` returns the batch value and accumulates; TorchMetrics'
  `forward` does the same. Both validate their inputs.
* **collection**: metrix shares one confusion-count state between the five members (same
  `Metric.key`); TorchMetrics uses `MetricCollection(compute_groups=True)`, warmed up so its
  groups are known before timing.
* **ensemble**: `torch.func.vmap(metric.update)` over a state stacked on a leading member axis,
  against a Python loop over 32 TorchMetrics objects.
* **exact AUROC**: the growth figure is the median step time of the last 100 steps over the
  first 100; TorchMetrics' `forward` re-concatenates its sample lists every step.
* **compiled eval step**: `torch.compile(step, fullgraph=True)` of model + collection update,
  counted with a counting backend around inductor; TorchMetrics runs eagerly (its update does not
  compile with `fullgraph=True`).
* **sync**: `benchmarks/bench_sync.py` on 4 gloo processes (wall clock, slowest rank).
* **peak memory**: each variant streams 10M samples in chunks of 1M in its own process; peak RSS
  over the baseline (with a fixed glibc mmap threshold so freed blocks are returned).
"""


def row_modules() -> list[Any]:
    """The row modules ``benchmarks/rows_*.py`` (one per metric family), in name order."""
    import importlib

    return [importlib.import_module(p.stem) for p in sorted((ROOT / "benchmarks").glob("rows_*.py"))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument(
        "--clock", choices=("auto", "cpu", "wall"), default="auto", help="auto: process CPU time on cpu, wall on cuda"
    )
    ap.add_argument("--only", default="", help="comma-separated row keys to run (forward,collection,...)")
    ap.add_argument("--_mem-child", dest="mem_child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--_mem-total", dest="mem_total", type=int, default=10_000_000, help=argparse.SUPPRESS)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.mem_child:
        mem_child(args.mem_child, args.mem_total, args.device)
        return
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        sys.exit("--device cuda: no CUDA device available")
    if tmc is None:
        sys.exit("TorchMetrics is needed for the comparison: pip install torchmetrics==1.9.0")

    b = Bench(args.device, args.quick, args.clock)
    q = args.quick
    plan: list[tuple[str, Callable[[], Row]]] = [
        ("forward", lambda: row_forward(b, 4096, 20 if q else 200, 1.5)),
        ("forward32", lambda: row_forward(b, 32, 20 if q else 200, 3.0)),
        ("collection", lambda: row_collection(b, 1024, 10 if q else 50)),
        ("ensemble", lambda: row_ensemble(b, 32, 256, 3 if q else 20)),
        ("confmat", lambda: row_confmat(b, 4096, 20 if q else 100)),
        ("auroc", lambda: row_auroc_growth(b, 256, 150 if q else 600)),
        ("compiled", lambda: row_compiled(b, 256, 10 if q else 100)),
        ("sync", lambda: row_sync(b)),
        ("memory", lambda: row_memory(b, 1_000_000 if q else 10_000_000)),
    ]
    notes = DOC_NOTES
    for module in row_modules():
        plan += module.plan(b)
        notes += getattr(module, "DOC_NOTES", "")
    only = {s for s in args.only.split(",") if s}
    header = (
        f"metrix {metrix.__version__} vs TorchMetrics {torchmetrics.__version__}; torch {torch.__version__}; "
        f"python {platform.python_version()}; {platform.machine()} {os.cpu_count()} CPUs"
        + (f" ({torch.cuda.get_device_name()})" if b.device.type == "cuda" else "")
        + f"; device={b.device}; torch.set_num_threads({torch.get_num_threads()}); "
        f"{'quick' if q else 'full'} run, {b.reps} interleaved repetitions, {b.clock_name} clock; "
        f"{datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}"
    )
    print(header, flush=True)
    rows = []
    start = time.perf_counter()
    for key, make in plan:
        if only and key not in only:
            continue
        t0 = time.perf_counter()
        row = make()
        rows.append(row)
        print(f"  [{key}] {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    lines = table(rows)
    print("\n".join(lines))
    print(f"total {time.perf_counter() - start:.0f} s")
    if not args.no_write and not only:
        doc = ROOT / "docs" / "benchmarks.md"
        doc.parent.mkdir(parents=True, exist_ok=True)
        doc.write_text(DOC_INTRO + f"{header}\n\n" + "\n".join(lines) + "\n\n" + notes)
        plot(rows, ROOT / "docs" / "img" / "benchmarks.png", header)


if __name__ == "__main__":
    main()
