"""Benchmark rows for metrix.clustering: extrinsic scores over 1M labels.

TorchMetrics' clustering classes keep every label (``cat`` lists) and rebuild the
contingency table with two ``unique`` sorts at ``compute``; metrix keeps the fixed
``(num_classes, num_clusters)`` table (``num_classes=10``), so an update is one
``bincount`` and ``compute`` is a few ops on 100 cells. A step is one update of 10,000
labels; the 100 steps of a run end with one ``compute``, included in the time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from _harness import NA, Bench, Row

try:
    import torchmetrics.clustering as tmc
except ImportError:  # pragma: no cover - the benchmark needs the test extra
    tmc = None

from metrix import clustering as mc
from metrix.clustering._cluster_accuracy import cluster_accuracy_of
from metrix.clustering._homogeneity import homogeneity_completeness
from metrix.clustering._information import mutual_info_of
from metrix.clustering._pair_counting import pair_counts

C = 10
BATCH = 10_000

# metrix factory, TorchMetrics class, a raw formula on the table for the floor
EXTRINSIC: dict[str, tuple[str, str, Callable[[torch.Tensor], Any]]] = {
    "mutual_info_score": ("mutual_info_score", "MutualInfoScore", mutual_info_of),
    "normalized_mutual_info_score": ("normalized_mutual_info_score", "NormalizedMutualInfoScore", mutual_info_of),
    "homogeneity_score": ("homogeneity_score", "HomogeneityScore", homogeneity_completeness),
    "completeness_score": ("completeness_score", "CompletenessScore", homogeneity_completeness),
    "v_measure_score": ("v_measure_score", "VMeasureScore", homogeneity_completeness),
    "rand_score": ("rand_score", "RandScore", pair_counts),
    "adjusted_rand_score": ("adjusted_rand_score", "AdjustedRandScore", pair_counts),
    "fowlkes_mallows_index": ("fowlkes_mallows_index", "FowlkesMallowsIndex", pair_counts),
}


def _labels(b: Bench, steps: int, batch: int, k: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    out = []
    for _ in range(min(steps, 8)):  # cycle through 8 distinct batches
        target = torch.randint(0, k, (batch,), generator=g)
        preds = torch.where(torch.rand(batch, generator=g) < 0.7, target, torch.randint(0, k, (batch,), generator=g))
        out.append((preds.to(b.device), target.to(b.device)))
    return out


def _timed(b: Bench, row: Row, ours: Any, theirs: Any, floor: Any, steps: int, target_x: float) -> Row:
    t = b.interleaved({"metrix": ours, "tm": theirs, "floor": floor}, steps)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    row.met = row.ratio_tm() >= target_x
    return row


def _impls(b: Bench, factory: Any, tm_class: Any, kernel: Any, steps: int, batch: int, k: int) -> tuple[Any, Any, Any]:
    data = _labels(b, steps, batch, k)

    def ours() -> Callable[[], Any]:
        m = factory

        def run() -> None:
            s = m.init(device=b.device)
            for i in range(steps):
                s = m.update(s, *data[i % len(data)])
            m.compute(s)

        return run

    def theirs() -> Callable[[], Any]:
        m = tm_class().to(b.device)

        def run() -> None:
            m.reset()
            for i in range(steps):
                m.update(*data[i % len(data)])
            m.compute()

        return run

    def floor() -> Callable[[], Any]:
        def run() -> None:  # the table by hand, no checks, and the same closed form once
            table = torch.zeros(k * k, dtype=torch.int64, device=b.device)
            for i in range(steps):
                p, t = data[i % len(data)]
                table = table + torch.bincount(t * k + p, minlength=k * k)
            kernel(table.reshape(k, k))

        return run

    return ours, theirs, floor


def row_extrinsic(b: Bench, name: str, steps: int) -> Row:
    factory, tm_name, kernel = EXTRINSIC[name]
    total = steps * BATCH
    row = Row(f"{factory}(num_classes={C}): {total:,} labels, {steps} updates + compute", ">= 5x vs TM")
    if tmc is None or not hasattr(tmc, tm_name):
        row.note = NA
        return row
    impls = _impls(b, getattr(mc, factory)(num_classes=C), getattr(tmc, tm_name), kernel, steps, BATCH, C)
    row.note = "TM stores every label and sorts them twice at compute; metrix adds a bincount to a 10x10 table"
    return _timed(b, row, *impls, steps, 5.0)


def row_ami(b: Bench, steps: int) -> Row:
    # TorchMetrics' E[MI] loops over every term in Python: O(k^2 n) interpreter steps, so this row
    # uses 20k labels and 4 clusters (1M labels would take TorchMetrics hours)
    k, batch = 4, 2_000
    row = Row(
        f"adjusted_mutual_info_score(num_classes={k}): {steps * batch:,} labels, {steps} updates + compute",
        ">= 5x vs TM",
    )
    if tmc is None:
        row.note = NA
        return row
    ours, theirs, floor = _impls(
        b, mc.adjusted_mutual_info_score(num_classes=k), tmc.AdjustedMutualInfoScore, mutual_info_of, steps, batch, k
    )
    t = b.interleaved({"metrix": ours, "tm": theirs, "floor": floor}, steps, reps=3)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    row.met = row.ratio_tm() >= 5.0
    row.note = "20k labels: TM's Python loop over E[MI] terms; floor = table + MI only (no E[MI])"
    return row


def row_cluster_accuracy(b: Bench, steps: int) -> Row:
    total = steps * BATCH
    row = Row(f"cluster_accuracy(num_classes={C}): {total:,} labels, {steps} updates + compute", "report")
    try:
        import torch_linear_assignment  # noqa: F401
    except ImportError:
        row.note = "TM needs the torch_linear_assignment extension (not installable here): metrix and floor only"
        ours, _, floor = _impls(b, mc.cluster_accuracy(C), None, cluster_accuracy_of, steps, BATCH, C)
        t = b.interleaved({"metrix": ours, "floor": floor}, steps)
        row.metrix, row.floor = t["metrix"], t["floor"]
        return row
    impls = _impls(
        b, mc.cluster_accuracy(C), lambda: tmc.ClusterAccuracy(num_classes=C), cluster_accuracy_of, steps, BATCH, C
    )
    return _timed(b, row, *impls, steps, 1.0)


def plan(b: Bench) -> list[tuple[str, Callable[[], Row]]]:
    steps = 10 if b.quick else 100
    rows: list[tuple[str, Callable[[], Row]]] = [
        (f"clustering-{name}", lambda name=name: row_extrinsic(b, name, steps)) for name in EXTRINSIC
    ]
    rows.append(("clustering-ami", lambda: row_ami(b, 2 if b.quick else 10)))
    rows.append(("clustering-accuracy", lambda: row_cluster_accuracy(b, steps)))
    return rows
