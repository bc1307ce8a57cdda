"""Benchmark rows for metrix.nominal: Cramér's V over 1M labels.

metrix keeps a fixed ``(C, C)`` int64 table (``num_classes=10``): an update is a range
check and one ``bincount``. TorchMetrics' ``CramersV`` class keeps a float ``(C, C)``
table as well (its functional stores nothing but needs all labels at once); each of its
updates copies both label vectors through ``nan_to_num`` before counting. A step is one
update of 10,000 labels; the 100 steps of a run end with one ``compute``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from _harness import NA, Bench, Row

try:
    import torchmetrics.functional.nominal as tmf
    import torchmetrics.nominal as tmn
except ImportError:  # pragma: no cover - the benchmark needs the test extra
    tmn = tmf = None

from metrix import nominal as mn
from metrix.nominal._chi_squared import cramers_v_of

C = 10
BATCH = 10_000


def _data(b: Bench, steps: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    data = []
    for _ in range(min(steps, 8)):
        target = torch.randint(0, C, (BATCH,), generator=g)
        preds = torch.where(torch.rand(BATCH, generator=g) < 0.5, target, torch.randint(0, C, (BATCH,), generator=g))
        data.append((preds.to(b.device), target.to(b.device)))
    return data


def row_cramers_v(b: Bench, steps: int, *, stored: bool) -> Row:
    total = steps * BATCH
    against = "TM functional on the stored labels" if stored else "TM CramersV class"
    row = Row(f"cramers_v(num_classes={C}) vs {against}: {total:,} labels, {steps} updates + compute", ">= 5x vs TM")
    if tmn is None:
        row.note = NA
        return row
    data = _data(b, steps)

    def ours() -> Callable[[], Any]:
        m = mn.cramers_v(num_classes=C)

        def run() -> None:
            s = m.init(device=b.device)
            for i in range(steps):
                s = m.update(s, *data[i % len(data)])
            m.compute(s)

        return run

    def theirs() -> Callable[[], Any]:
        if stored:  # what TorchMetrics' functional needs: every label, then one call

            def run_stored() -> None:
                preds, target = [], []
                for i in range(steps):
                    p, t = data[i % len(data)]
                    preds.append(p)
                    target.append(t)
                tmf.cramers_v(torch.cat(preds), torch.cat(target))

            return run_stored
        m = tmn.CramersV(num_classes=C).to(b.device)

        def run() -> None:
            m.reset()
            for i in range(steps):
                m.update(*data[i % len(data)])
            m.compute()

        return run

    def floor() -> Callable[[], Any]:
        def run() -> None:
            table = torch.zeros(C * C, dtype=torch.int64, device=b.device)
            for i in range(steps):
                p, t = data[i % len(data)]
                table = table + torch.bincount(t * C + p, minlength=C * C)
            cramers_v_of(table.reshape(C, C), True)

        return run

    t = b.interleaved({"metrix": ours, "tm": theirs, "floor": floor}, steps)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    row.met = row.ratio_tm() >= 5.0
    row.note = (
        "TM's functional: cat, unique and bincount over all labels at the end"
        if stored
        else "TM's class keeps a CxC table too: metrix adds range checks, TM copies labels through nan_to_num"
    )
    return row


def plan(b: Bench) -> list[tuple[str, Callable[[], Row]]]:
    steps = 10 if b.quick else 100
    return [
        ("nominal-cramers_v", lambda: row_cramers_v(b, steps, stored=False)),
        ("nominal-cramers_v-stored", lambda: row_cramers_v(b, steps, stored=True)),
    ]
