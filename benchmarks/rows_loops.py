"""Benchmark rows for MetricModule in training loops: memory growth and the grad-carrying hot path.

* **loops-memory**: 300 training steps (a 2-layer model, no backward) that log a
  grad-carrying loss and the grad-carrying logits through MetricModules (a mean of the
  loss; accuracy, F1 and exact AUROC of the logits, which keeps every sample). Each
  implementation runs in a fresh process; the row reports the RSS growth over the loop,
  the bytes of the samples the exact AUROC must keep (the floor), and the growth beyond
  them, which must stay under 32 MiB.
* **loops-train32**: one such training step's metric work at batch 32 (``forward`` of the
  collection with logits that require grad, plus the loss mean), metrix vs TorchMetrics
  vs the same math by hand.

Set ``METRIX_BENCH_BASE=<checkout root>`` (e.g. ``git archive <commit> metrix | tar -x -C
/tmp/base``) to measure that checkout's metrix in the same row, or run the child alone:
``PYTHONPATH=<checkout> python benchmarks/rows_loops.py --memory-child metrix``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Bench, Row, Timing, run_child

STEPS = 300
BATCH = 256
CLASSES = 10
FEATURES = 64
HIDDEN = 1024
LIMIT_MIB = 32.0


def _rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmRSS")


def _loop_modules(which: str) -> tuple[Callable[[torch.Tensor, torch.Tensor, torch.Tensor], Any], Callable[[], Any]]:
    """A step function ``step(logits, target, loss)`` and an epoch-end ``compute()``."""
    if which == "metrix":
        import metrix
        from metrix import classification as mc
        from metrix.aggregation import mean

        metrics = metrix.MetricModule(
            metrix.collection(
                {
                    "acc": mc.multiclass_accuracy(num_classes=CLASSES),
                    "f1": mc.multiclass_f1_score(num_classes=CLASSES),
                    "auroc": mc.multiclass_auroc(num_classes=CLASSES),
                }
            )
        )
        loss_mean = metrix.MetricModule(mean())
    else:
        import torchmetrics
        import torchmetrics.classification as tmc

        metrics = torchmetrics.MetricCollection(
            {
                "acc": tmc.MulticlassAccuracy(num_classes=CLASSES),
                "f1": tmc.MulticlassF1Score(num_classes=CLASSES),
                "auroc": tmc.MulticlassAUROC(num_classes=CLASSES),
            }
        )
        loss_mean = torchmetrics.MeanMetric()

    def step(logits: torch.Tensor, target: torch.Tensor, loss: torch.Tensor) -> Any:
        values = metrics(logits, target)  # the batch values a training step logs
        loss_mean.update(loss)
        return values

    def compute() -> Any:
        return metrics.compute(), loss_mean.compute()

    return step, compute


def memory_child(which: str) -> None:
    """Run the 300-step loop in this fresh process; print RSS growth and stored bytes (JSON)."""
    import warnings

    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    torch.manual_seed(0)
    # a hidden layer: each step's graph holds its own activations (1 MiB), as in a real model
    model = torch.nn.Sequential(torch.nn.Linear(FEATURES, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, CLASSES))
    x = torch.randn(BATCH, FEATURES)
    target = torch.randint(0, CLASSES, (BATCH,))
    step, compute = _loop_modules(which)
    for _ in range(3):  # warm-up: allocator pools, lazy imports, first-call caches
        logits = model(x)
        step(logits, target, torch.nn.functional.cross_entropy(logits, target))
    base = _rss()
    for _ in range(STEPS):
        logits = model(x)  # requires grad: the graph reaches the model's weights
        loss = torch.nn.functional.cross_entropy(logits, target)
        step(logits, target, loss)
    compute()
    growth = _rss() - base
    # exact AUROC must keep every probability (float32) and label: the floor of any exact implementation
    stored = STEPS * BATCH * (CLASSES * 4 + 8)
    import metrix

    print(json.dumps({"growth": growth, "stored": stored, "metrix": os.path.dirname(metrix.__file__)}))


def row_memory(b: Bench) -> Row:
    row = Row(
        f"RSS growth, {STEPS} training steps logging a grad-carrying loss and logits (batch {BATCH}, "
        f"{CLASSES} classes) through MetricModule(collection(acc, f1, exact auroc)) + MetricModule(mean())",
        f"growth - stored < {LIMIT_MIB:g} MiB",
        unit="MiB",
    )
    if b.device.type != "cpu":
        row.note = "RSS is host memory: measured on cpu only"
        return row
    out: dict[str, dict[str, int]] = {}
    for which in ("metrix", "tm"):
        try:
            line = run_child([str(Path(__file__).resolve()), "--memory-child", which], timeout=600)
            out[which] = json.loads(line)
        except Exception as err:  # a child that fails reports why in the note
            row.note += f"{which} failed: {type(err).__name__}; "
    base = os.environ.get("METRIX_BENCH_BASE")  # another checkout's root, e.g. the commit before a change
    if base:
        env = dict(os.environ, PYTHONPATH=base, MALLOC_MMAP_THRESHOLD_="131072")
        res = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--memory-child", "metrix"],
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )
        if res.returncode == 0:
            out["base"] = json.loads(res.stdout.strip().splitlines()[-1])
        else:
            row.note += f"base checkout failed: {res.stderr.strip().splitlines()[-1:]}; "
    mib = 1 / 2**20
    if "base" in out:
        row.note += f"metrix at {base}: {out['base']['growth'] * mib:.0f} MiB growth; "
    if "metrix" in out:
        row.metrix = Timing([out["metrix"]["growth"] * mib])
        row.floor = Timing([out["metrix"]["stored"] * mib])
        excess = (out["metrix"]["growth"] - out["metrix"]["stored"]) * mib
        row.met = excess < LIMIT_MIB
        row.note += f"metrix growth beyond the stored samples: {excess:.1f} MiB"
    if "tm" in out:
        row.tm = Timing([out["tm"]["growth"] * mib])
    return row


def row_train32(b: Bench, steps: int) -> Row:
    row = Row(
        f"training step's metric work, batch 32: collection(acc, f1) forward on logits that require grad "
        f"+ mean(loss), {steps} steps",
        "no slower than TM",
    )
    import torchmetrics
    import torchmetrics.classification as tmc

    import metrix
    from metrix import classification as mc
    from metrix.aggregation import mean

    g = torch.Generator().manual_seed(0)
    model = torch.nn.Linear(FEATURES, CLASSES).to(b.device)
    xs = [torch.randn(32, FEATURES, generator=g).to(b.device) for _ in range(8)]
    ts = [torch.randint(0, CLASSES, (32,), generator=g).to(b.device) for _ in range(8)]
    logits = [model(x) for x in xs]  # require grad, as in a training step
    losses = [torch.nn.functional.cross_entropy(lg, t) for lg, t in zip(logits, ts)]

    def setup(metrics: Any, loss_mean: Any) -> Callable[[], Any]:
        metrics(logits[0], ts[0])
        loss_mean.update(losses[0])

        def run() -> None:
            for i in range(steps):
                metrics(logits[i % 8], ts[i % 8])
                loss_mean.update(losses[i % 8])

        return run

    def ours() -> Callable[[], Any]:
        coll = metrix.collection({"acc": mc.multiclass_accuracy(CLASSES), "f1": mc.multiclass_f1_score(CLASSES)})
        return setup(metrix.MetricModule(coll).to(b.device), metrix.MetricModule(mean()).to(b.device))

    def theirs() -> Callable[[], Any]:
        coll = torchmetrics.MetricCollection(
            {"acc": tmc.MulticlassAccuracy(num_classes=CLASSES), "f1": tmc.MulticlassF1Score(num_classes=CLASSES)}
        )
        return setup(coll.to(b.device), torchmetrics.MeanMetric().to(b.device))

    def floor() -> Callable[[], Any]:
        def run() -> None:
            tp = torch.zeros(CLASSES, dtype=torch.int64, device=b.device)
            total = torch.zeros((), dtype=torch.float64, device=b.device)
            with torch.no_grad():
                for i in range(steps):
                    hard = logits[i % 8].argmax(1)
                    t = ts[i % 8]
                    batch_tp = torch.zeros(CLASSES, dtype=torch.int64, device=b.device).scatter_add(
                        0, t, (hard == t).long()
                    )
                    tp = tp + batch_tp
                    (batch_tp / torch.bincount(t, minlength=CLASSES).clamp(min=1)).mean()
                    total = total + losses[i % 8]

        return run

    t = b.interleaved({"metrix": ours, "tm": theirs, "floor": floor}, steps)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    row.met = row.ratio_tm() >= 1.0
    return row


def plan(b: Bench) -> list[tuple[str, Callable[[], Row]]]:
    return [
        ("loops-memory", lambda: row_memory(b)),
        ("loops-train32", lambda: row_train32(b, 20 if b.quick else 200)),
    ]


DOC_NOTES = """
* **loops-memory**: each implementation runs the loop in a fresh process (RSS after 3
  warm-up steps to RSS after 300 steps and a compute); "raw floor" is the bytes of the
  samples an exact AUROC must keep (probabilities and labels). metrix's accumulated
  state keeps no autograd history (`MetricModule.update` records none, `forward` merges a
  detached batch state), so the growth is the stored samples plus allocator slack.
* **loops-train32**: the metric work of a training step at batch 32 with logits that
  require grad (the batch values of `forward` stay differentiable, as in TorchMetrics).
"""

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--memory-child":
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        memory_child(sys.argv[2])
    else:
        sys.exit("usage: python benchmarks/rows_loops.py --memory-child {metrix,tm}")
