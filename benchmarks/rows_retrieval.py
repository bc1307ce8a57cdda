"""Benchmark rows for metrix.retrieval: TorchMetrics' #2287 workload, flat and dense, and 100k queries.

* **flat, #2287**: 3 steps of 8000 queries x 40 documents (320k documents a step) through
  ``MetricModule(retrieval_average_precision())`` with ``indexes``, then ``compute``;
  TorchMetrics' ``RetrievalMAP`` on the same batches; the floor stores the batches and
  ranks them with one sort on a composite ``(query, score)`` key and segmented sums,
  without any input check. Target: >= 10x TorchMetrics and within 1.5x of the floor.
* **dense, #2287**: the same batches as ``(8000, 40)`` rows (``dense=True``), each row a
  query scored in ``update``; the floor sorts the rows and sums by hand. Target: >= 50x
  TorchMetrics (which has only the flat form).
* **flat, 100k queries x 100 documents**: 10 steps of 10k queries; the time row, and peak
  memory of each implementation measured in a child process (peak RSS over the baseline).
  Target: >= 5x TorchMetrics with a peak no higher than TorchMetrics'.

Run alone: ``python benchmarks/run.py --only retrieval_flat,retrieval_dense,retrieval_100k``.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parent.parent
for path in (str(ROOT), str(ROOT / "benchmarks")):
    if path not in sys.path:
        sys.path.insert(0, path)

from _harness import NA, Bench, Row, peak_rss, reset_peak_rss, run_child  # noqa: E402

import metrix  # noqa: E402

warnings.filterwarnings("ignore", module="torchmetrics")

try:
    import torchmetrics.retrieval as tmr
except ImportError:  # pragma: no cover - the benchmark needs the test extra
    tmr = None

try:
    from metrix import retrieval as mr
except ImportError:  # pragma: no cover - a checkout without the family
    mr = None

DOC_NOTES = """
* **retrieval (#2287)**: TorchMetrics issue #2287's workload, 3 steps of 8000 queries x 40
  documents, `update` x 3 then `compute`, timed per run. Flat: `indexes` per document, a query
  may span batches; the floor stores the batches and ranks them with one composite-key sort and
  segmented sums, with no input checks. Dense: `(8000, 40)` rows, one query each
  (`dense=True`); the floor sorts each row and sums by hand.
* **retrieval, 100k queries**: 10 steps of 10k queries x 100 documents (flat). Peak memory is
  measured for each implementation in its own child process (peak RSS over the baseline, with a
  fixed glibc mmap threshold).
"""


# ------------------------------------------------------------------------------ data


def batches(queries: int, docs: int, steps: int, device: torch.device, seed: int = 0) -> list[tuple[torch.Tensor, ...]]:
    """``steps`` batches of ``queries`` x ``docs``: scores, 0/1 relevance, query ids (new queries each step)."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for s in range(steps):
        preds = torch.rand(queries, docs, generator=g)
        target = (torch.rand(queries, docs, generator=g) < 0.1).long()
        ids = (torch.arange(queries) + s * queries).unsqueeze(1).expand(queries, docs)
        out.append((preds.to(device), target.to(device), ids.contiguous().to(device)))
    return out


# ------------------------------------------------------------------------------ floors


def floor_flat_map(stored: list[tuple[torch.Tensor, ...]]) -> torch.Tensor:
    """MAP by hand: one sort on ``query << 32 | score bits`` (scores in [0, 1)), segmented sums."""
    preds = torch.cat([p.reshape(-1) for p, _, _ in stored])
    target = torch.cat([t.reshape(-1) for _, t, _ in stored])
    ids = torch.cat([q.reshape(-1) for _, _, q in stored])
    key = (ids << 32) | (0x7FFFFFFF - preds.view(torch.int32).to(torch.int64))
    ordered, order = torch.sort(key, stable=True)  # int64 keys: a radix sort, faster stable than not
    rel = target.index_select(0, order).to(torch.float64)
    qid = ordered >> 32
    m = qid.shape[0]
    first = torch.ones(m, dtype=torch.bool, device=preds.device)
    first[1:] = qid[1:] != qid[:-1]
    seg = torch.cumsum(first.to(torch.int64), 0) - 1
    pos = torch.arange(m, device=preds.device)
    start = torch.cummax(pos * first, 0).values
    total = torch.cumsum(rel, 0)
    found = total - (total - rel).index_select(0, start)
    n = int(seg[-1]) + 1
    num = torch.zeros(n, dtype=torch.float64, device=preds.device).index_add(0, seg, rel * found / (pos - start + 1))
    hits = torch.zeros(n, dtype=torch.float64, device=preds.device).index_add(0, seg, rel)
    return torch.where(hits > 0, num / hits.clamp(min=1), 0.0).mean()


def floor_dense_map(rows: list[tuple[torch.Tensor, ...]]) -> torch.Tensor:
    """MAP of (B, L) rows by hand: sort each row, running hit counts, sums."""
    total = torch.zeros((), dtype=torch.float64, device=rows[0][0].device)
    count = 0
    for preds, target, _ in rows:
        order = torch.sort(preds, dim=1, descending=True).indices
        rel = target.gather(1, order).to(torch.float64)
        rank = torch.arange(1, preds.shape[1] + 1, device=preds.device)
        ap = (rel * rel.cumsum(1) / rank).sum(1) / rel.sum(1).clamp(min=1)
        total = total + ap.sum()
        count += preds.shape[0]
    return total / count


# ------------------------------------------------------------------------------ rows


def _impls(b: Bench, data: list[tuple[torch.Tensor, ...]], dense: bool) -> dict[str, Callable[[], Callable[[], Any]]]:
    def ours() -> Callable[[], Any]:
        module = metrix.MetricModule(mr.retrieval_average_precision(dense=dense)).to(b.device)

        def run() -> Any:
            for p, t, q in data:
                if dense:
                    module.update(p, t)
                else:
                    module.update(p.reshape(-1), t.reshape(-1), indexes=q.reshape(-1))
            return module.compute()

        return run

    def theirs() -> Callable[[], Any]:
        metric = tmr.RetrievalMAP().to(b.device)

        def run() -> Any:
            for p, t, q in data:
                metric.update(p.reshape(-1), t.reshape(-1), indexes=q.reshape(-1))
            return metric.compute()

        return run

    def floor() -> Callable[[], Any]:
        def run() -> Any:
            if dense:
                return floor_dense_map(data)
            stored = [(p, t, q) for p, t, q in data]  # what an update keeps
            return floor_flat_map(stored)

        return run

    return {"metrix": ours, "tm": theirs, "floor": floor}


def _agreement(impls: dict[str, Callable[[], Callable[[], Any]]]) -> str:
    values = {k: float(make()()) for k, make in impls.items()}
    spread = max(values.values()) - min(values.values())
    return (
        f"MAP metrix {values['metrix']:.6f}, TM {values['tm']:.6f}, floor {values['floor']:.6f} (spread {spread:.1e})"
    )


def row_flat(b: Bench, steps: int) -> Row:
    row = Row(
        f"retrieval_average_precision flat (indexes), {steps} steps of 8000 queries x 40 docs, update+compute",
        ">= 10x vs TM; <= 1.5x floor",
        unit="ms/run",
    )
    if mr is None or tmr is None:
        row.note = NA
        return row
    data = batches(8000, 40, steps, b.device)
    impls = _impls(b, data, dense=False)
    t = b.interleaved(impls, 1, reps=3 if b.quick else 7)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    row.met = row.ratio_tm() >= 10 and row.ratio_floor() <= 1.5
    row.note = _agreement(impls)
    return row


def row_dense(b: Bench, steps: int) -> Row:
    row = Row(
        f"retrieval_average_precision dense=True, {steps} steps of (8000, 40) rows, update+compute",
        ">= 50x vs TM (flat)",
        unit="ms/run",
    )
    if mr is None or tmr is None:
        row.note = NA
        return row
    data = batches(8000, 40, steps, b.device)
    impls = _impls(b, data, dense=True)
    t = b.interleaved(impls, 1, reps=3 if b.quick else 7)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    row.met = row.ratio_tm() >= 50
    row.note = _agreement(impls)
    return row


def mem_child(which: str, queries: int, docs: int, steps: int, device: str) -> None:
    """Stream the workload through one implementation; print its peak extra memory (bytes) and value."""
    dev = torch.device(device)
    metric: Any
    if which == "metrix":
        metric = metrix.MetricModule(mr.retrieval_average_precision()).to(dev)
    else:
        metric = tmr.RetrievalMAP().to(dev)
    metric.update(
        torch.rand(4, device=dev),
        torch.ones(4, dtype=torch.long, device=dev),
        torch.zeros(4, dtype=torch.long, device=dev),
    )
    metric.compute()
    metric.reset()
    if dev.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    else:
        base = reset_peak_rss()
    for s in range(steps):
        ((p, t, q),) = batches(queries, docs, 1, dev, seed=s)
        q = q + s * queries
        metric.update(p.reshape(-1), t.reshape(-1), indexes=q.reshape(-1))
        del p, t, q
    value = float(metric.compute())
    if dev.type == "cuda":
        torch.cuda.synchronize()
        peak = torch.cuda.max_memory_allocated() - base
    else:
        peak = peak_rss() - base
    print(f"{peak} {value}")


def _mem(which: str, queries: int, docs: int, steps: int, device: str) -> tuple[float, float] | str:
    args = [str(Path(__file__).resolve()), "--mem", which, str(queries), str(docs), str(steps), device]
    try:
        peak, value = run_child(args, timeout=900).split()
        return int(peak) / 2**20, float(value)
    except Exception as e:  # report the failure in the row, never a number
        err = (getattr(e, "stderr", "") or str(e)).strip()
        return f"{which} failed: {err.splitlines()[-1][:100] if err else type(e).__name__}"


def row_100k(b: Bench, queries: int, steps: int) -> Row:
    docs = 100
    total = queries * steps
    row = Row(
        f"retrieval_average_precision flat, {total // 1000}k queries x {docs} docs ({steps} steps), update+compute",
        ">= 5x vs TM, peak memory <= TM's",
        unit="ms/run",
    )
    if mr is None or tmr is None:
        row.note = NA
        return row
    data = batches(queries, docs, steps, b.device)
    impls = _impls(b, data, dense=False)
    t = b.interleaved(impls, 1, reps=1 if b.quick else 3)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    del data, impls
    mem = {k: _mem(k, queries, docs, steps, str(b.device)) for k in ("metrix", "tm")}
    cells = [f"{k} {v[0]:.0f} MiB" if isinstance(v, tuple) else v for k, v in mem.items()]
    stored = total * docs * (8 + 4 + 1) / 2**20
    row.note = "peak memory " + ", ".join(cells) + f" (documents as stored by metrix: {stored:.0f} MiB)"
    ok_mem = all(isinstance(v, tuple) for v in mem.values()) and mem["metrix"][0] <= mem["tm"][0]
    row.met = row.ratio_tm() >= 5 and ok_mem
    if all(isinstance(v, tuple) for v in mem.values()):
        row.cells = {"peak metrix MiB": f"{mem['metrix'][0]:.0f}", "peak TM MiB": f"{mem['tm'][0]:.0f}"}
        row.note += f"; MAP metrix {mem['metrix'][1]:.6f}, TM {mem['tm'][1]:.6f}"
    return row


def plan(b: Bench) -> list[tuple[str, Callable[[], Row]]]:
    q = b.quick
    return [
        ("retrieval_flat", lambda: row_flat(b, 3)),
        ("retrieval_dense", lambda: row_dense(b, 3)),
        ("retrieval_100k", lambda: row_100k(b, 10_000, 2 if q else 10)),
    ]


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "--mem":
    torch.set_num_threads(1)
    _, _, which, queries, docs, steps, device = sys.argv
    mem_child(which, int(queries), int(docs), int(steps), device)
