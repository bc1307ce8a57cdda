"""Time the distributed sync of a 10-metric collection: metrix vs TorchMetrics, on gloo (CPU).

    python benchmarks/bench_sync.py [--worlds 2 4] [--iters 50]

For each world size, that many processes are spawned on 127.0.0.1. Every rank updates
the same kinds of metrics on its own batch: mean, mean (NaNs ignored), sum, max, min
of a value, and binary accuracy, precision, recall, F1 and specificity (at another
threshold) of predictions and targets. Then it measures, over ``--iters`` iterations that start
together (a barrier, not timed):

* ``metrix sync``: ``metrix.sync(state)`` of the collection's state;
* ``metrix sync+compute``: ``compute(sync(state))``, what an eval loop pays;
* ``TM compute``: TorchMetrics ``MetricCollection.compute()`` (its sync, its compute and
  its unsync; the cached value is cleared before each call).

A time is the slowest rank's time for that iteration (the collective finishes when the
last rank does); the table shows the median over iterations. Collectives are counted by
wrapping ``torch.distributed.all_reduce``/``all_gather``/``barrier``/... (both libraries
call them through the module; TorchMetrics' barriers count) and checked against
``metrix.debug.sync_collectives``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import socket
import statistics
import sys
import time
from typing import Any

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import metrix
from metrix import aggregation as agg
from metrix import classification as mc

AGGREGATORS = ("mean", "mean_ignore", "sum", "max", "min")


def metrix_collection() -> metrix.Metric:
    return metrix.collection(
        {
            "mean": agg.mean(),
            "mean_ignore": agg.mean(nan_strategy="ignore"),
            "sum": agg.sum(),
            "max": agg.max(),
            "min": agg.min(),
            "accuracy": mc.binary_accuracy(),
            "precision": mc.binary_precision(),
            "recall": mc.binary_recall(),
            "f1": mc.binary_f1_score(),
            "specificity": mc.binary_specificity(threshold=0.3),
        }
    )


def torchmetrics_collections() -> tuple[Any, Any]:
    import torchmetrics as tm
    from torchmetrics import classification as tmc

    values = tm.MetricCollection(
        {
            "mean": tm.MeanMetric(),
            "mean_ignore": tm.MeanMetric(nan_strategy="ignore"),
            "sum": tm.SumMetric(),
            "max": tm.MaxMetric(),
            "min": tm.MinMetric(),
        }
    )
    classes = tm.MetricCollection(
        {
            "accuracy": tmc.BinaryAccuracy(),
            "precision": tmc.BinaryPrecision(),
            "recall": tmc.BinaryRecall(),
            "f1": tmc.BinaryF1Score(),
            "specificity": tmc.BinarySpecificity(threshold=0.3),
        }
    )
    return values, classes


_COUNT = [0]
_BARRIER, _ALL_REDUCE = dist.barrier, dist.all_reduce  # the originals, for the harness itself


def _count_collectives() -> None:
    """Wrap the collectives both libraries call as ``torch.distributed.<name>``."""

    def counting(fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            _COUNT[0] += 1
            return fn(*args, **kwargs)

        return wrapper

    for name in ("all_reduce", "all_gather", "all_gather_object", "broadcast", "barrier"):
        setattr(dist, name, counting(getattr(dist, name)))


def _timed(fn: Any, iters: int) -> tuple[float, int]:
    """Median seconds per call (of the slowest rank) and collectives per call."""
    for _ in range(3):  # warm up
        fn()
    times = []
    before = _COUNT[0]
    for _ in range(iters):
        _BARRIER()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    per_call = (_COUNT[0] - before) / iters
    t = torch.tensor(times, dtype=torch.float64)
    _ALL_REDUCE(t, op=dist.ReduceOp.MAX)
    return statistics.median(t.tolist()), round(per_call)


def _worker(rank: int, world: int, port: int, iters: int, queue: Any) -> None:
    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo",
        init_method=f"tcp://127.0.0.1:{port}",
        rank=rank,
        world_size=world,
        timeout=datetime.timedelta(seconds=120),
    )
    g = torch.Generator().manual_seed(rank)
    n = 100 + 37 * rank  # uneven shards
    preds, target = torch.rand(n, generator=g), torch.randint(0, 2, (n,), generator=g)

    c = metrix_collection()
    members = c.members
    state = {
        slot: members[slot].update(s, preds) if slot in AGGREGATORS else members[slot].update(s, preds, target)
        for slot, s in c.init().items()
    }
    tm_values, tm_classes = torchmetrics_collections()
    tm_values.update(preds)
    tm_classes.update(preds, target)

    def tm_compute() -> dict[str, torch.Tensor]:
        out = {}
        for coll in (tm_values, tm_classes):
            for m in coll.values(copy_state=False):
                m._computed = None  # measure a real compute, not the cached value
            out.update(coll.compute())
        return out

    _count_collectives()
    results = {
        "metrix sync": _timed(lambda: metrix.sync(state), iters),
        "metrix sync+compute": _timed(lambda: c.compute(metrix.sync(state)), iters),
        "TM compute": _timed(tm_compute, iters),
    }
    planned = metrix.debug.sync_collectives(state)
    mine, theirs = c.compute(metrix.sync(state)), tm_compute()
    agree = all(torch.allclose(mine[k].double(), theirs[k].double(), equal_nan=True) for k in mine)
    if rank == 0:
        queue.put((world, results, planned, agree))
    dist.destroy_process_group()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--iters", type=int, default=50)
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    rows = []
    for world in args.worlds:
        queue = ctx.SimpleQueue()
        mp.start_processes(
            _worker, args=(world, _free_port(), args.iters, queue), nprocs=world, start_method="spawn", join=True
        )
        rows.append(queue.get())
    print(f"10-metric collection sync on gloo (CPU, 127.0.0.1), median of {args.iters} iterations, slowest rank\n")
    header = (
        f"{'ranks':>5} | {'metrix sync':>11} | {'metrix sync+compute':>19} | {'TM compute':>10} | "
        f"{'TM / metrix':>11} | {'collectives metrix':>18} | {'collectives TM':>14} | values agree"
    )
    print(header)
    print("-" * len(header))
    for world, res, planned, agree in rows:
        (t_sync, n_sync), (t_both, _), (t_tm, n_tm) = res["metrix sync"], res["metrix sync+compute"], res["TM compute"]
        print(
            f"{world:>5} | {t_sync * 1e3:>8.2f} ms | {t_both * 1e3:>16.2f} ms | {t_tm * 1e3:>7.2f} ms | "
            f"{t_tm / t_both:>10.1f}x | {n_sync:>18} | {n_tm:>14} | {agree}"
        )
        assert n_sync == planned, f"metrix issued {n_sync} collectives, sync_collectives() says {planned}"


if __name__ == "__main__":
    main()
