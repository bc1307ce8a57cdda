"""The timing harness shared by every benchmark row: interleaved repetitions, rows, the table.

A row module (``benchmarks/rows_<family>.py``) defines ``plan(b: Bench) -> list[tuple[str,
Callable[[], Row]]]``: a key (for ``--only``) and a function that measures one row. Rows time
metrix, TorchMetrics and a raw-torch floor with :meth:`Bench.interleaved`, so that the ratios
are measured in the same run; a row that cannot run here says why in its note.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

NA = "n/a (not yet available)"


@dataclass
class Timing:
    """Per-step times (seconds) of one implementation, one value per repetition."""

    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def min(self) -> float:
        return min(self.samples)


@dataclass
class Row:
    """One line of the table."""

    name: str
    target: str
    metrix: Timing | None = None
    tm: Timing | None = None
    floor: Timing | None = None
    met: bool | None = None  # None: not measurable here
    note: str = ""
    unit: str = "us/step"
    # free-form cells for rows that are not timings (memory, growth, sync)
    cells: dict[str, str] = field(default_factory=dict)

    def ratio_tm(self) -> float | None:
        return paired_ratio(self.tm, self.metrix)

    def ratio_floor(self) -> float | None:
        return paired_ratio(self.metrix, self.floor)


def paired_ratio(num: Timing | None, den: Timing | None) -> float | None:
    """Median over repetitions of ``num / den`` measured in the same repetition.

    Both were timed back to back, so a slow spell of a shared machine scales both and
    cancels in the ratio; the ratio of the two medians would not cancel it.
    """
    if num is None or den is None:
        return None
    if len(num.samples) != len(den.samples):
        return num.median / den.median
    return statistics.median(a / b for a, b in zip(num.samples, den.samples))


class Bench:
    """Shared settings of one run."""

    def __init__(self, device: str, quick: bool, clock: str) -> None:
        self.device = torch.device(device)
        self.quick = quick
        self.reps = 3 if quick else 11
        if clock == "auto":
            clock = "cpu" if self.device.type == "cpu" else "wall"
        # On a shared CPU, wall time mostly measures the other tenants (a 15 us kernel
        # reads 55 us under load); the process's CPU time does not. A GPU needs wall time.
        self.clock_name = clock
        self.clock = time.process_time if clock == "cpu" else time.perf_counter

    def sync(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize()

    def interleaved(
        self, impls: dict[str, Callable[[], Callable[[], Any]]], steps: int, reps: int | None = None
    ) -> dict[str, Timing]:
        """Time ``impls`` (name -> setup returning a run-all-steps closure), interleaved.

        ``setup`` runs outside the timed region in every repetition (fresh objects and
        a warm-up), the returned closure runs ``steps`` steps inside it.
        """
        reps = reps or self.reps
        out = {k: Timing() for k in impls}
        names = list(impls)
        for r in range(reps):
            order = names if r % 2 == 0 else names[::-1]
            for k in order:
                run = impls[k]()
                self.sync()
                gc.collect()
                gc.disable()  # as timeit does: a collection inside one implementation's turn is noise
                try:
                    t0 = self.clock()
                    run()
                    self.sync()
                    out[k].samples.append((self.clock() - t0) / steps)
                finally:
                    gc.enable()
        return out


def fmt_time(t: Timing | None, unit: str) -> str:
    if t is None:
        return "-"
    if unit == "MiB":
        return f"{t.median:.0f}"
    scale, suffix = (1e6, "") if unit.startswith("us") else ((1e3, "") if unit.startswith("ms") else (1.0, ""))
    return f"{t.median * scale:,.1f} ({t.min * scale:,.1f}){suffix}"


def fmt_ratio(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}x"


def table(rows: list[Row]) -> list[str]:
    head = [
        "workload",
        "metrix median (min)",
        "TorchMetrics median (min)",
        "raw floor median (min)",
        "TM / metrix",
        "metrix / floor",
        "target",
        "met?",
        "notes",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        met = "n/a" if r.met is None else ("met" if r.met else "MISSED")
        unit = f" [{r.unit}]"
        lines.append(
            "| "
            + " | ".join(
                [
                    r.name + unit,
                    fmt_time(r.metrix, r.unit),
                    fmt_time(r.tm, r.unit),
                    fmt_time(r.floor, r.unit),
                    fmt_ratio(r.ratio_tm()),
                    fmt_ratio(r.ratio_floor()),
                    r.target,
                    met,
                    r.note.replace("|", "/"),
                ]
            )
            + " |"
        )
    return lines


def plot(rows: list[Row], path: Path, header: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    timed = [r for r in rows if r.unit.startswith("us") and r.metrix is not None]
    if not timed:
        return
    fig, ax = plt.subplots(figsize=(10, 0.9 * len(timed) + 1.8))
    h = 0.27
    for j, (attr, label, color) in enumerate(
        (("metrix", "metrix", "#1f77b4"), ("tm", "TorchMetrics", "#ff7f0e"), ("floor", "raw torch floor", "#7f7f7f"))
    ):
        ys = [i + (j - 1) * h for i in range(len(timed))]
        vals = [getattr(r, attr).median * 1e6 if getattr(r, attr) else 0 for r in timed]
        ax.barh(ys, vals, height=h, label=label, color=color)
    ax.set_yticks(range(len(timed)))
    ax.set_yticklabels([textwrap.fill(r.name, 44) for r in timed], fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("microseconds per step (median, log scale; lower is better)")
    for i, r in enumerate(timed):
        if r.ratio_tm():
            ax.text(
                r.metrix.median * 1e6,
                i - h,
                f"  {r.ratio_tm():.1f}x faster" if r.ratio_tm() >= 1 else f"  {1 / r.ratio_tm():.1f}x slower",
                va="center",
                fontsize=7,
            )
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(textwrap.fill(header, 150), fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _rss_bytes(field_name: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field_name)


def reset_peak_rss() -> int:
    """Reset the peak-RSS watermark of this process; returns the current RSS (bytes)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return _rss_bytes("VmRSS")


def peak_rss() -> int:
    """Peak RSS of this process since the last :func:`reset_peak_rss` (bytes)."""
    return _rss_bytes("VmHWM")


def run_child(args: list[str], timeout: float = 300) -> str:
    """Run ``python args...`` in a fresh process (for peak-memory rows); returns its last stdout line.

    A fixed glibc mmap threshold makes freed large blocks go back to the OS, so the peak
    RSS counts live tensors, not the allocator's cached heap.
    """
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072")
    res = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, check=True, env=env)
    return res.stdout.strip().splitlines()[-1]
