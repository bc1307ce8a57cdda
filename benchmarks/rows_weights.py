"""Benchmark rows for sample weights and the streaming bootstrap (issue 14).

* **weighted / unweighted**: the same metric updated with ``sample_weight=`` (the
  "metrix" column) and without (the "floor" column): ``metrix / floor`` is the overhead of
  weights, target <= 1.2x. TorchMetrics has no weights.
* **bootstrap**: ``metrix.wrappers.bootstrap(metric, num_bootstraps=1000)`` against
  ``torchmetrics.wrappers.BootStrapper(metric, num_bootstraps=1000)`` (Poisson sampling in
  both), one update over ``N`` samples and a compute. The floor is generating the ``B x N``
  Poisson(1) float64 weights with metrix's counter-based generator alone (no metric), chunk
  by chunk into one reused buffer as the bootstrap does; the note
  gives ``torch.poisson`` on the same ``B x N`` for scale. The classification rows need
  ``sample_weight`` in classification (issue 14, phase B): until the metrics take it, they
  say so instead of a number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from _harness import Bench, Row, Timing

from metrix import classification as mc
from metrix import regression as mr
from metrix._core.weights import takes_sample_weight
from metrix.wrappers import _bootstrap, bootstrap
from metrix.wrappers._bootstrap_poisson import poisson_weights

try:
    import torchmetrics
except ImportError:  # pragma: no cover - the benchmark needs the test extra
    torchmetrics = None

B = 1000


def _gen(b: Bench, seed: int = 0) -> torch.Generator:
    return torch.Generator(device=b.device).manual_seed(seed)


def _regression_batch(g: torch.Generator, batch: int, device: torch.device) -> tuple[Any, ...]:
    return (
        torch.randn(batch, generator=g, device=device),
        torch.randn(batch, generator=g, device=device),
        torch.rand(batch, generator=g, device=device),
    )


def _binary_fractional_batch(g: torch.Generator, batch: int, device: torch.device) -> tuple[Any, ...]:
    return (
        torch.rand(batch, generator=g, device=device),
        torch.randint(0, 2, (batch,), generator=g, device=device),
        torch.rand(batch, generator=g, device=device) * 2,  # scikit-learn's fractional weights
    )


def _binary_batch(g: torch.Generator, batch: int, device: torch.device) -> tuple[Any, ...]:
    return (
        torch.rand(batch, generator=g, device=device),
        torch.randint(0, 2, (batch,), generator=g, device=device),
        torch.randint(0, 4, (batch,), generator=g, device=device).float(),  # whole-number weights
    )


def _multiclass_batch(g: torch.Generator, batch: int, device: torch.device) -> tuple[Any, ...]:
    return (
        torch.randn(batch, 10, generator=g, device=device),
        torch.randint(0, 10, (batch,), generator=g, device=device),
        torch.randint(0, 4, (batch,), generator=g, device=device).float(),
    )


def row_weighted(
    b: Bench,
    name: str,
    make: Callable[[], Any],
    batch: int,
    steps: int,
    inputs: Callable[[torch.Generator, int, torch.device], tuple[Any, ...]] = _regression_batch,
) -> Row:
    row = Row(f"{name}.update with / without sample_weight, batch {batch}, {steps} steps", "<= 1.2x")
    g = _gen(b)
    data = [inputs(g, batch, b.device) for _ in range(8)]
    m = make()

    def run(weighted: bool) -> Callable[[], Callable[[], Any]]:
        def setup() -> Callable[[], Any]:
            m.update(m.init(device=b.device), *data[0][:2])

            def go() -> None:
                s = m.init(device=b.device)
                for i in range(steps):
                    p, t, w = data[i % len(data)]
                    s = m.update(s, p, t, sample_weight=w) if weighted else m.update(s, p, t)
                m.compute(s)

            return go

        return setup

    t = b.interleaved({"weighted": run(True), "unweighted": run(False)}, steps)
    row.metrix, row.floor = t["weighted"], t["unweighted"]
    row.met = row.ratio_floor() <= 1.2
    row.note = "metrix column: with sample_weight; floor column: the same update without"
    return row


def _poisson_floor(b: Bench, n: int) -> Callable[[], Callable[[], Any]]:
    """The bootstrap's weights alone: B x N float64 Poisson(1) draws, chunk by chunk into one reused buffer."""
    chunk = max(1, _bootstrap._CHUNK_VALUES // B)

    def setup() -> Callable[[], Any]:
        def go() -> None:
            buffer = torch.empty((B, chunk), dtype=torch.float64, device=b.device)
            for a in range(0, n, chunk):
                poisson_weights(0, 0, torch.tensor(a, device=b.device), min(chunk, n - a), B, out=buffer)

        return go

    return setup


def row_bootstrap_regression(b: Bench, n: int) -> Row:
    row = Row(
        f"bootstrap(mean_squared_error(), num_bootstraps={B}), {n:,} samples (1 update + compute)", ">= 10x vs TM"
    )
    row.unit = "ms/step"
    g = _gen(b, 1)
    preds, target = torch.randn(n, generator=g, device=b.device), torch.randn(n, generator=g, device=b.device)
    m = bootstrap(mr.mean_squared_error(), num_bootstraps=B)

    def ours() -> Callable[[], Any]:
        def go() -> None:
            m.compute(m.update(m.init(device=b.device), preds, target))

        return go

    def theirs() -> Callable[[], Any]:
        boot = torchmetrics.wrappers.BootStrapper(
            torchmetrics.regression.MeanSquaredError(), num_bootstraps=B, sampling_strategy="poisson"
        ).to(b.device)

        def go() -> None:
            boot.update(preds, target)
            boot.compute()

        return go

    t = b.interleaved({"metrix": ours, "tm": theirs, "floor": _poisson_floor(b, n)}, 1, reps=3)
    row.metrix, row.tm, row.floor = t["metrix"], t["tm"], t["floor"]
    row.met = row.ratio_tm() >= 10
    row.note = (
        "floor: the B x N Poisson(1) float64 weights from metrix's generator (into one reused chunk buffer); "
        f"{_torch_poisson_note(b, n)}"
    )
    return row


def _torch_poisson_note(b: Bench, n: int) -> str:
    chunk = max(1, _bootstrap._CHUNK_VALUES // B)
    ones = torch.ones(B, chunk, device=b.device)
    b.sync()
    t0 = b.clock()
    for a in range(0, n, chunk):
        torch.poisson(ones[:, : min(chunk, n - a)])
    b.sync()
    return f"torch.poisson on the same B x N: {(b.clock() - t0) * 1e3:,.0f} ms"


# TorchMetrics' BootStrapper updates B deep copies in a Python loop: its time is linear in B
# (measured: about 0.16 s of CPU per replicate per million samples). The rows time it with
# TM_REPLICATES replicates and scale to B, and say so in their notes.
TM_REPLICATES = 100


def row_bootstrap_classification(
    b: Bench, label: str, make: Callable[[], Any], make_tm: Any, n: int, classes: int = 0
) -> Row:
    row = Row(f"bootstrap({label}, num_bootstraps={B}), {n:,} samples (1 update + compute)", ">= 10x vs TM")
    row.unit = "ms/step"
    base = make()
    if not takes_sample_weight(base):
        row.note = f"n/a: {base.name} does not take sample_weight"
        return row
    g = _gen(b, 2)
    if classes:
        preds = torch.randn(n, classes, generator=g, device=b.device)
        target = torch.randint(0, classes, (n,), generator=g, device=b.device)
    else:
        preds = torch.rand(n, generator=g, device=b.device)
        target = torch.randint(0, 2, (n,), generator=g, device=b.device)
    m = bootstrap(base, num_bootstraps=B)

    def ours() -> Callable[[], Any]:
        def go() -> None:
            m.compute(m.update(m.init(device=b.device), preds, target))

        return go

    def theirs() -> Callable[[], Any]:
        boot = torchmetrics.wrappers.BootStrapper(
            make_tm(), num_bootstraps=TM_REPLICATES, sampling_strategy="poisson"
        ).to(b.device)

        def go() -> None:
            boot.update(preds, target)
            boot.compute()

        return go

    t = b.interleaved({"metrix": ours, "tm": theirs, "floor": _poisson_floor(b, n)}, 1, reps=3)
    scale = B / TM_REPLICATES
    row.metrix, row.floor = t["metrix"], t["floor"]
    row.tm = Timing([v * scale for v in t["tm"].samples])
    row.met = row.ratio_tm() >= 10
    row.note = (
        "floor: the B x N Poisson(1) float64 weights from metrix's generator (into one reused chunk buffer); "
        f"TM column: BootStrapper with "
        f"{TM_REPLICATES} replicates, times {scale:g} (its cost is linear in B: a loop over B copies); "
        f"{_torch_poisson_note(b, n)}"
    )
    return row


def plan(b: Bench) -> list[tuple[str, Callable[[], Row]]]:
    """The rows of this family (``--only weighted-mse,bootstrap-mse,...``)."""
    q = b.quick
    steps = 20 if q else 200
    n_boot = 100_000 if q else 1_000_000
    tmc = torchmetrics.classification if torchmetrics is not None else None
    return [
        ("weighted-mse", lambda: row_weighted(b, "mean_squared_error()", mr.mean_squared_error, 4096, steps)),
        ("weighted-mse32", lambda: row_weighted(b, "mean_squared_error()", mr.mean_squared_error, 32, steps)),
        ("weighted-r2", lambda: row_weighted(b, "r2_score()", mr.r2_score, 4096, steps)),
        (
            "weighted-accuracy",
            lambda: row_weighted(b, "binary_accuracy()", mc.binary_accuracy, 4096, steps, _binary_batch),
        ),
        (
            "weighted-mc-f1",
            lambda: row_weighted(
                b, "multiclass_f1_score(10)", lambda: mc.multiclass_f1_score(10), 4096, steps, _multiclass_batch
            ),
        ),
        (
            "weighted-auroc-binned",
            lambda: row_weighted(
                b,
                "binary_auroc(thresholds=100)",
                lambda: mc.binary_auroc(thresholds=100),
                4096,
                steps,
                _binary_fractional_batch,
            ),
        ),
        (
            "weighted-auroc-exact",
            lambda: row_weighted(b, "binary_auroc()", mc.binary_auroc, 4096, steps, _binary_fractional_batch),
        ),
        ("bootstrap-mse", lambda: row_bootstrap_regression(b, n_boot)),
        (
            "bootstrap-accuracy",
            lambda: row_bootstrap_classification(
                b, "binary_accuracy()", mc.binary_accuracy, lambda: tmc.BinaryAccuracy(), n_boot
            ),
        ),
        (
            "bootstrap-mc-accuracy",
            lambda: row_bootstrap_classification(
                b,
                "multiclass_accuracy(10, average='micro')",
                lambda: mc.multiclass_accuracy(10, average="micro"),
                lambda: tmc.MulticlassAccuracy(10, average="micro"),
                n_boot,
                classes=10,
            ),
        ),
        (
            "bootstrap-auroc",
            lambda: row_bootstrap_classification(
                b,
                "binary_auroc(thresholds=100)",
                lambda: mc.binary_auroc(thresholds=100),
                lambda: tmc.BinaryAUROC(thresholds=100),
                n_boot,
            ),
        ),
    ]


DOC_NOTES = """
* **weighted / unweighted** (`benchmarks/rows_weights.py`): the same update with and without
  `sample_weight=`; the "metrix" column is weighted, the "floor" column unweighted, so
  `metrix / floor` is the cost of weights (target <= 1.2x). TorchMetrics has no weights.
* **bootstrap**: one update over N samples and a compute, `bootstrap(..., num_bootstraps=1000)`
  against `torchmetrics.wrappers.BootStrapper(..., num_bootstraps=1000)` (Poisson sampling in
  both); the floor generates the B x N Poisson(1) float64 weights with metrix's counter-based
  generator (chunk by chunk into one reused buffer, as the bootstrap does) and nothing else.
  Three repetitions. The classification rows time TorchMetrics with 100 replicates and scale its
  time by 10 (BootStrapper's cost is linear in B); the row's note says so.
"""
