"""Rows for multiclass stat scores at many classes: token accuracy and macro F1 up to 128k classes.

Each row times ``steps`` updates on logits of shape ``(batch, C)`` plus one ``compute``
(per step), for metrix, TorchMetrics' module and a raw-torch floor (argmax and three
per-class ``bincount``). The notes give the state bytes of each library and the peak
memory of the same workload measured in a child process of its own, over the input
batch (a peak of 1.0x means nothing beyond the inputs was held at once).

Goals (issue 16): state <= 5 C float64, peak <= 1.5x the input batch, time <= 1.2x
TorchMetrics at C >= 1000 (where TorchMetrics runs at all); at C = 10 the state is the C×C
matrix of before (``SMALL_C``), updated by the same single ``bincount``.

TorchMetrics' per-class average builds a C² ``bincount`` per update (and keeps an O(C)
state); it is not run where that temporary would pass 1 GiB on this shared machine.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from metrix import classification as mc  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from _harness import Bench, Row, run_child  # noqa: E402

SIZES = [(10, 4096), (1000, 1024), (21841, 512), (32000, 512), (128000, 512)]  # (classes, batch)
METRICS = {  # row label -> (metrix factory, TorchMetrics class, options)
    "accuracy (micro, token accuracy)": ("multiclass_accuracy", "MulticlassAccuracy", {"average": "micro"}),
    "F1 (macro)": ("multiclass_f1_score", "MulticlassF1Score", {"average": "macro"}),
}
TM_QUADRATIC_LIMIT = 2**30  # bytes of TorchMetrics' C² bincount we allow it here

DOC_NOTES = """
* **many classes**: `multiclass_accuracy(C, average="micro")` (token accuracy) and
  `multiclass_f1_score(C)` on logits `(batch, C)`, `steps` updates and one compute, for
  C = 10 to 128,000 (`benchmarks/rows_classification_scale.py`). The note gives each library's
  state and the peak memory of the same run in a fresh process, over the input batch.
  TorchMetrics' per-class averages build a C² `bincount` every update: it is not run where that
  temporary passes 1 GiB.
"""


def _data(c: int, batch: int, n: int, device: torch.device) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(c)
    return [
        (torch.randn(batch, c, generator=g).to(device), torch.randint(0, c, (batch,), generator=g).to(device))
        for _ in range(n)
    ]


def _tm_quadratic_bytes(c: int, average: str) -> int:
    return 0 if average == "micro" else 8 * c * c


def _state_bytes(tree: Any) -> int:
    import torch.utils._pytree as pytree

    return sum(x.numel() * x.element_size() for x in pytree.tree_leaves(tree) if isinstance(x, torch.Tensor))


def _tm_state_bytes(metric: Any) -> int:
    return sum(
        x.numel() * x.element_size()
        for name in metric._defaults
        for x in ([getattr(metric, name)] if isinstance(getattr(metric, name), torch.Tensor) else getattr(metric, name))
    )


def _floor_fn(c: int, average: str, device: torch.device) -> Callable[[list[Any], int], None]:
    def run(data: list[Any], steps: int) -> None:
        hits = torch.zeros(c, dtype=torch.int64, device=device)
        pred_n = torch.zeros(c, dtype=torch.int64, device=device)
        true_n = torch.zeros(c, dtype=torch.int64, device=device)
        for i in range(steps):
            p, t = data[i % len(data)]
            hard = p.argmax(1)
            if average == "micro":
                hits = hits + (hard == t).sum()
                continue
            hits = hits + torch.bincount(t[hard == t], minlength=c)
            pred_n = pred_n + torch.bincount(hard, minlength=c)
            true_n = true_n + torch.bincount(t, minlength=c)
        if average != "micro":
            f1 = 2 * hits / (pred_n + true_n).clamp(min=1)
            f1[(pred_n + true_n) > 0].mean()

    return run


def _peak(which: str, factory: str, tm_class: str, average: str, c: int, batch: int, steps: int) -> float | str:
    """Peak RSS of one implementation's run in a child process, over the input batch (a ratio)."""
    args = [str(Path(__file__).resolve()), "--child", which, factory, tm_class, average, str(c), str(batch), str(steps)]
    try:
        return float(run_child(args, timeout=600).split()[0])
    except Exception as e:  # the row says what failed instead of a number
        err = (getattr(e, "stderr", "") or str(e)).strip()
        return f"{which} failed: {err.splitlines()[-1][:80] if err else type(e).__name__}"


def _child(which: str, factory: str, tm_class: str, average: str, c: int, batch: int, steps: int) -> None:
    from _harness import peak_rss, reset_peak_rss

    torch.set_num_threads(1)
    if which == "tm":
        import torchmetrics.classification as tmc

        m = getattr(tmc, tm_class)(num_classes=c, average=average)
    else:
        metric = getattr(mc, factory)(c, average=average)
    g = torch.Generator().manual_seed(c)

    def run(preds: torch.Tensor, target: torch.Tensor, n: int) -> None:
        if which == "tm":
            m.reset()
            for _ in range(n):
                m.update(preds, target)
            m.compute()
        else:
            s = metric.init()
            for _ in range(n):
                s = metric.update(s, preds, target)
            metric.compute(s)

    run(torch.randn(8, c, generator=g), torch.randint(0, c, (8,), generator=g), 1)  # first-call allocations
    base = reset_peak_rss()
    preds, target = torch.randn(batch, c, generator=g), torch.randint(0, c, (batch,), generator=g)
    batch_bytes = preds.numel() * 4 + target.numel() * 8
    run(preds, target, steps)
    print(f"{(peak_rss() - base) / batch_bytes:.3f} {batch_bytes / 2**20:.3f}")


def row_scale(b: Bench, label: str, c: int, batch: int, steps: int) -> Row:
    factory, tm_class, options = METRICS[label]
    average = options["average"]
    row = Row(
        f"{factory}(C={c:,}) {label}: update + compute, batch {batch}, {steps} steps",
        "C>=1000: <= 1.2x TM time; state <= 5*C*8 B; peak <= 1.5x batch" if c >= 1000 else "as fast as before",
    )
    try:
        import torchmetrics.classification as tmc
    except ImportError:  # pragma: no cover
        tmc = None
    data = _data(c, batch, 2, b.device)
    metric = getattr(mc, factory)(c, **options)
    tm_runs = tmc is not None and _tm_quadratic_bytes(c, average) <= TM_QUADRATIC_LIMIT

    def ours() -> Callable[[], Any]:
        metric.update(metric.init(device=b.device), *data[0])  # warm-up

        def run() -> None:
            s = metric.init(device=b.device)
            for i in range(steps):
                s = metric.update(s, *data[i % len(data)])
            metric.compute(s)

        return run

    def theirs() -> Callable[[], Any]:
        m = getattr(tmc, tm_class)(num_classes=c, average=average).to(b.device)
        m.update(*data[0])
        m.reset()

        def run() -> None:
            for i in range(steps):
                m.update(*data[i % len(data)])
            m.compute()

        return run

    def floor() -> Callable[[], Any]:
        fn = _floor_fn(c, average, b.device)
        return lambda: fn(data, steps)

    impls = {"metrix": ours, "floor": floor} | ({"tm": theirs} if tm_runs else {})
    t = b.interleaved(impls, steps, reps=3 if b.quick else 5)
    row.metrix, row.floor, row.tm = t["metrix"], t["floor"], t.get("tm")
    ours_state = _state_bytes(metric.init())
    batch_mib = (batch * c * 4 + batch * 8) / 2**20
    notes = [f"input batch {batch_mib:.1f} MiB; state metrix {ours_state:,} B"]
    peak_ours = _peak("metrix", factory, tm_class, average, c, batch, steps)
    peak_cell = f"{peak_ours:.2f}x" if isinstance(peak_ours, float) else peak_ours
    notes.append(f"peak metrix {peak_cell} batch")
    if tm_runs:
        tm = getattr(tmc, tm_class)(num_classes=c, average=average)
        peak_tm = _peak("tm", factory, tm_class, average, c, batch, steps)
        notes.append(f"TM state {_tm_state_bytes(tm):,} B")
        notes.append(f"peak TM {peak_tm:.2f}x batch" if isinstance(peak_tm, float) else peak_tm)
    elif tmc is not None:
        notes.append(f"TM not run: its per-update C² bincount needs {_tm_quadratic_bytes(c, average) / 2**30:.1f} GiB")
    row.note = "; ".join(notes)
    if c >= 1000:
        ok = ours_state <= 5 * c * 8 and isinstance(peak_ours, float) and peak_ours <= 1.5
        if row.tm is not None:
            ok = ok and row.metrix.median <= 1.2 * row.tm.median
        row.met = ok
    return row


CROSSOVER = [16, 32, 64, 96, 128]  # classes around SMALL_C


def row_crossover(b: Bench, c: int, batch: int, steps: int) -> Row:
    """The C×C matrix against per-class counts at ``c`` classes (the automatic choice is timed as metrix)."""
    from metrix.classification import _stat_scores_state as states

    row = Row(
        f"multiclass_f1_score(C={c}) update + compute, batch {batch}, {steps} steps: C×C matrix vs per-class counts",
        f"automatic choice (C×C up to SMALL_C={states.SMALL_C}) is the faster",
    )
    data = _data(c, batch, 2, b.device)
    built = {}
    for layout, small_c in (("matrix", 10**9), ("counts", 0)):
        saved, states.SMALL_C = states.SMALL_C, small_c
        try:
            built[layout] = mc.multiclass_f1_score(c)
        finally:
            states.SMALL_C = saved
    built["auto"] = mc.multiclass_f1_score(c)

    def timed(metric: Any) -> Callable[[], Callable[[], None]]:
        def setup() -> Callable[[], None]:
            def run() -> None:
                s = metric.init(device=b.device)
                for i in range(steps):
                    s = metric.update(s, *data[i % len(data)])
                metric.compute(s)

            return run

        return setup

    t = b.interleaved({k: timed(m) for k, m in built.items()}, steps)
    row.metrix = t["auto"]
    fast = min(("matrix", "counts"), key=lambda k: t[k].median)
    row.note = "; ".join(f"{k} {t[k].median * 1e6:,.1f} us" for k in ("matrix", "counts")) + f"; faster: {fast}"
    chosen = "matrix" if c <= states.SMALL_C else "counts"
    row.met = chosen == fast or abs(t["matrix"].median / t["counts"].median - 1) < 0.1  # within noise
    return row


def plan(b: Bench) -> list[tuple[str, Callable[[], Row]]]:
    """The many-classes rows (key ``scale``) and the C×C/per-class crossover rows (key ``crossover``)."""
    rows = []
    for c in CROSSOVER:
        rows.append(("crossover", lambda c=c: row_crossover(b, c, 512, 5 if b.quick else 20)))
    for c, batch in SIZES:
        steps = 3 if b.quick else 10
        for label in METRICS:
            rows.append(("scale", lambda c=c, n=batch, label=label, s=steps: row_scale(b, label, c, n, s)))
    return rows


if __name__ == "__main__":  # the peak-memory child
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", nargs=7)
    a = ap.parse_args()
    which, factory, tm_class, average, c, batch, steps = a.child
    _child(which, factory, tm_class, average, int(c), int(batch), int(steps))
