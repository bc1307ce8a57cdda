"""Law 5 (distributed), checked on real gloo process groups over 127.0.0.1.

Spawning processes is the expensive part (each imports torch and the catalogue), so
four processes are spawned once and initialise a process group of 4, then of 3, then of
2 ranks in turn (ranks past the world size sit a phase out). In every world each rank
loops over every Case of the catalogue and over the other checks, and writes what
failed to a JSON file that the test asserts on. A rank that fails locally tells the
others through a tiny all_reduce before any sync, so a bug costs a failure, not a hang;
every collective also has a timeout, and the parent kills the group if it overruns.

Checked, for every world size: ``compute(sync(state))`` on every rank equals one
process on the union (uneven shards, empty batches, a rank that saw nothing), after a
first and a second update (so ``sync`` is pure and the local state keeps accumulating),
(for metrics drawing random streams keyed by rank, ``Case.rank_streams``: equals the merge
of every rank's state, rebuilt locally with ``stream=rank``),
with the collectives issued equal to :func:`metrix.debug.sync_collectives`. Also: collection
states, growing ``cat`` storage of two dtypes (empty on some or all ranks), fixed-
capacity buffers, stacked ensemble states (``ensemble_dims=1``), sub-groups, sync under
``torch.compile(fullgraph=True)``, structure mismatches raising on every rank, the
collective count of a 10-metric collection, and ``MetricModule``.
"""

from __future__ import annotations

import datetime
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time
import traceback
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

import metrix

pytestmark = pytest.mark.distributed

WORLDS = (4, 3, 2)
ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 300  # the whole group; a single collective times out after COLLECTIVE_TIMEOUT_S
COLLECTIVE_TIMEOUT_S = 60

# Rank shards as fractions of the data, in rank order (so the union keeps the data's
# order, which ``cat`` metrics return). Each world has a rank that sees nothing.
SCENARIOS: dict[int, list[list[tuple[float, float]]]] = {
    2: [[(0.0, 0.3), (0.3, 1.0)], [(0.0, 0.0), (0.0, 1.0)]],
    3: [[(0.0, 0.55), (0.55, 0.55), (0.55, 1.0)]],
    4: [[(0.0, 0.1), (0.1, 0.5), (0.5, 1.0), (1.0, 1.0)]],
}


# ------------------------------------------------------------------------------ the parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def reports(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, Any]]:
    """Each rank's report; the process group runs once per test session, even under xdist."""
    if not hasattr(request.config, "workerinput"):  # no xdist
        return _run_group(tmp_path_factory.mktemp("dist"))
    # xdist workers share the session's base temp dir: the first one runs the group,
    # the others wait for its reports (the pattern the pytest-xdist docs recommend)
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / "metrix-distributed-reports.json"
    with FileLock(str(shared) + ".lock"):
        if not shared.exists():
            shared.write_text(json.dumps(_run_group(tmp_path_factory.mktemp("dist"))))
        return {int(r): rep for r, rep in json.loads(shared.read_text()).items()}


def _run_group(out: Path, attempts: int = 2) -> dict[int, dict[str, Any]]:
    """Run the worker on 4 spawned processes; return each rank's report."""
    ports = {w: _free_port() for w in WORLDS}
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(r, ports, str(out)), daemon=True) for r in range(max(WORLDS))]
    for p in procs:
        p.start()
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=TIMEOUT_S)
    for p in procs:
        p.join(max(0.0, (deadline - datetime.datetime.now()).total_seconds()))
    hung = [r for r, p in enumerate(procs) if p.is_alive()]
    for r in hung:
        procs[r].kill()
    result = {}
    for r in range(len(procs)):
        path = out / f"rank{r}.json"
        no_report = {"failures": {"missing": [f"rank {r}: no report"]}, "ran": [], "info": {}}
        result[r] = json.loads(path.read_text()) if path.exists() else no_report
        path.unlink(missing_ok=True)
    if hung:
        result[hung[0]]["failures"].setdefault("hang", []).append(f"ranks {hung} still running after {TIMEOUT_S} s")
    # a free port can be taken between choosing it and binding it: try again once
    port_taken = any("address already in use" in str(rep["failures"]).lower() for rep in result.values())
    if port_taken and attempts > 1:
        return _run_group(out, attempts - 1)
    return result


def _failures(reports: dict[int, dict[str, Any]], prefix: str) -> list[str]:
    return [
        f"rank {r} {name}: {msg}"
        for r, rep in reports.items()
        for name, msgs in rep["failures"].items()
        if name.startswith(prefix) or name in ("missing", "hang", "worker")
        for msg in msgs
    ]


@pytest.mark.parametrize(
    "check",
    ["catalogue", "ensemble", "collection", "cat", "buffer", "subgroup", "compile", "mismatch", "counts", "module"],
)
def test_distributed(reports: dict[int, dict[str, Any]], check: str) -> None:
    bad = _failures(reports, check)
    assert not bad, "\n".join(bad[:30]) + (f"\n... and {len(bad) - 30} more" if len(bad) > 30 else "")
    ran = [name for rep in reports.values() for name in rep["ran"] if name.startswith(check)]
    assert ran, f"no {check} check ran"


def test_collection_of_ten_sum_max_min_metrics_syncs_in_three_collectives(reports: dict[int, dict[str, Any]]) -> None:
    counts = reports[0]["info"]["ten_metric_collectives"]
    assert counts == {"planned": 3, "issued": 3}, counts


@pytest.mark.slow
def test_ddp_example_matches_single_process(tmp_path: Path) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "--master_addr",
        "127.0.0.1",
        "--master_port",
        str(_free_port()),
        str(ROOT / "examples" / "ddp_eval.py"),
    ]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "MATCH: distributed == single process" in proc.stdout, proc.stdout[-3000:]


# ------------------------------------------------------------------------------ the worker


class _Report:
    def __init__(self) -> None:
        self.failures: dict[str, list[str]] = {}
        self.ran: list[str] = []
        self.info: dict[str, Any] = {}

    def fail(self, name: str, msg: str) -> None:
        self.failures.setdefault(name, []).append(msg)


def _worker(rank: int, ports: dict[int, int], out: str) -> None:
    torch.set_num_threads(1)
    import torch.distributed as dist

    report = _Report()
    import tests.catalogue  # noqa: F401  (import the heavy oracles before any rank waits in a collective)

    try:
        for world in WORLDS:
            if rank >= world:
                continue
            dist.init_process_group(
                "gloo",
                init_method=f"tcp://127.0.0.1:{ports[world]}",
                rank=rank,
                world_size=world,
                timeout=datetime.timedelta(seconds=COLLECTIVE_TIMEOUT_S),
            )
            try:
                _run_world(report, rank, world)
            finally:
                dist.destroy_process_group()
    except Exception:
        report.fail("worker", traceback.format_exc())
    Path(out, f"rank{rank}.json").write_text(
        json.dumps({"failures": report.failures, "ran": report.ran, "info": report.info})
    )


def _agree(ok: bool) -> bool:
    """Whether every rank is ok (a MIN all_reduce), so all ranks take the same branch."""
    import torch.distributed as dist

    t = torch.tensor([int(ok)])
    dist.all_reduce(t, op=dist.ReduceOp.MIN)
    return bool(t[0])


def _check(report: _Report, name: str, fn: Callable[[], None]) -> None:
    """Run one check on every rank; a local failure is recorded and the ranks stay in step."""
    report.ran.append(name)
    start = time.perf_counter()
    try:
        fn()
        ok = True
    except Exception:
        report.fail(name, traceback.format_exc(limit=6))
        ok = False
    if not _agree(ok) and ok:
        report.info.setdefault("skipped_after_peer_failure", []).append(name)
    report.info.setdefault("seconds", {})[name] = round(time.perf_counter() - start, 3)


def _run_world(report: _Report, rank: int, world: int) -> None:
    w = f"[world={world}]"
    for s, shards in enumerate(SCENARIOS[world]):
        _check(report, f"catalogue{w}[scenario {s}]", lambda: _catalogue(report, rank, world, shards, f"catalogue{w}"))
    _check(report, f"collection{w}", lambda: _collection(rank, world))
    _check(report, f"cat{w}", lambda: _cat_storage(rank, world))
    _check(report, f"buffer{w}", lambda: _buffers(rank, world))
    _check(report, f"mismatch{w}", lambda: _mismatch(rank, world))
    _check(report, f"counts{w}", lambda: _counts(report, rank, world))
    _check(report, f"module{w}", lambda: _module(rank, world))
    _check(report, f"ensemble{w}", lambda: _ensemble(report, rank, world, f"ensemble{w}"))
    if world == 3:
        _check(report, f"subgroup{w}", lambda: _subgroups(rank))
    if world == 2:
        _check(report, f"compile{w}", lambda: _compiled(rank, world))


# ------------------------------------------------------------------------------ helpers


def _seed(text: str) -> int:
    return zlib.crc32(text.encode())


def _bounds(shard: tuple[float, float], n: int) -> tuple[int, int, int]:
    """``(start, middle, stop)``: a rank's range and the cut between its two batches."""
    a, b = round(shard[0] * n), round(shard[1] * n)
    return a, a + (b - a) // 3, b


def _one_process(case: Any, m: Any, inputs: tuple[Any, ...]) -> Any:
    return m.compute(case.update(m, m.init(), inputs))


def _rank_streams_reference(case: Any, inputs: tuple[Any, ...], shards: list[tuple[int, int]]) -> Any:
    """``compute(merge(...))`` of the states the ranks build, rebuilt here with ``stream=rank`` (bootstrap)."""
    import metrix
    from tests.catalogue._case import slice_inputs

    states = []
    for r, (a, b) in enumerate(shards):
        m_r = case.factory(*case.args, **{**case.kwargs, "stream": r})
        state = m_r.init()
        if b > a or r % 2 == 0:  # as in _catalogue: odd ranks with nothing stay at init()
            state = case.update(m_r, state, slice_inputs(inputs, a, b))
        states.append(state)
    return case.metric().compute(metrix.merge(*states) if len(states) > 1 else states[0])


def _synced_value(state: Any, what: str, **kw: Any) -> Any:
    """``compute(sync(state))``, checking that sync left the state alone and issued the planned collectives."""
    import metrix
    from tests.catalogue._case import snapshot, unchanged

    snap = snapshot(state)
    planned = metrix.debug.sync_collectives(state, **kw)
    before = metrix.debug.collectives_issued()
    synced = metrix.sync(state, **kw)
    issued = metrix.debug.collectives_issued() - before
    assert unchanged(state, snap), f"{what}: sync modified the local state"
    # growing cat storage skips the gather of a dtype that is empty everywhere
    assert issued == planned or (issued < planned and _has_cat(state)), (
        f"{what}: {issued} collectives, {planned} planned"
    )
    return synced


def _has_cat(state: Any) -> bool:
    return bool(_flat_cat(state))


def _flat_cat(tree: Any) -> list[Any]:
    from metrix._core.state import Buffer, is_state, reduce_ops

    out: list[Any] = []
    if isinstance(tree, Buffer):
        return out
    if is_state(tree):
        for name, op in reduce_ops(tree):
            v = getattr(tree, name)
            out += [v] if op == "cat" and not isinstance(v, Buffer) else _flat_cat(v) if op == "node" else []
    elif isinstance(tree, dict):
        for v in tree.values():
            out += _flat_cat(v)
    elif isinstance(tree, (tuple, list)):
        for v in tree:
            out += _flat_cat(v)
    return out


# ------------------------------------------------------------------------------ the checks


@metrix.state
class TwoCats:
    x: Any = metrix.leaf("cat")  # float64 (n,)
    k: Any = metrix.leaf("cat")  # int64 (n, 2)
    n: torch.Tensor = metrix.leaf("sum")  # int64 scalar


@metrix.state
class Buffered:
    x: Any = metrix.leaf("cat")  # Buffer (capacity,)
    k: Any = metrix.leaf("cat")  # Buffer (capacity, 2) int64
    hi: torch.Tensor = metrix.leaf("max")  # float64 scalar
    lo: torch.Tensor = metrix.leaf("min")  # int64 scalar
    n: torch.Tensor = metrix.leaf("sum")  # int64 scalar
    flag: torch.Tensor = metrix.leaf("max")  # bool scalar: saw a negative value


def _sync_all(report: _Report, name: str, states: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """Sync many cases' states at once (one tuple state: a handful of collectives for the lot).

    Only the cases every rank could build take part (agreed on with one all_reduce). If
    the joint sync raises, each case is synced alone so the failure names its case.
    """
    import torch.distributed as dist

    ids = sorted(states)
    everywhere = torch.tensor([int(states[i] is not None) for i in ids])
    dist.all_reduce(everywhere, op=dist.ReduceOp.MIN)
    ids = [i for i, ok in zip(ids, everywhere.tolist()) if ok]
    try:
        synced = _synced_value(tuple(states[i] for i in ids), "joint sync", **kw)
        return dict(zip(ids, synced))
    except Exception as e:
        report.fail(name, f"joint sync of {len(ids)} cases failed: {type(e).__name__}: {e}"[:2000])
    out = {}
    for i in ids:
        try:
            out[i] = _synced_value(states[i], i, **kw)
        except Exception as e:
            report.fail(name, f"{i}: {type(e).__name__}: {e}"[:2000])
        _agree(True)  # keep the ranks in step between cases
    return out


def _catalogue(report: _Report, rank: int, world: int, shards: list[tuple[float, float]], name: str) -> None:
    """The catalogue law for every Case: compute(sync(state)) == one process on the union.

    Each rank updates its shard in two batches (one may be empty; an odd rank with no data
    never updates at all) and the state is synced after each batch, so this also checks
    that ``update → sync/compute → update → sync/compute`` is right at every step and that
    sync leaves the local state as it was. Running windows (not split-invariant) get one
    update per rank, in lockstep.
    """
    from tests.catalogue import CASES
    from tests.catalogue._case import assert_close, cat_inputs, gen, slice_inputs

    plans: dict[str, Any] = {}
    states: dict[str, Any] = {}
    for case in CASES:
        try:
            n = case.n
            inputs = case.inputs(gen(_seed(case.id)), n)
            cuts = [_bounds(s, n) for s in shards]
            a, mid, b = cuts[rank]
            if case.split_invariant:
                steps = [
                    ((a, mid), [(lo, md) for lo, md, _ in cuts]),
                    ((mid, b), [(lo, hi) for lo, _, hi in cuts]),
                ]
            else:
                steps = [((a, b), [(lo, hi) for lo, _, hi in cuts])]
            m = case.metric()
            plans[case.id] = (case, m, inputs, steps)
            states[case.id] = m.init()
        except Exception:
            report.fail(name, f"{case.id}: setup failed\n{traceback.format_exc(limit=4)}")
            states[case.id] = None
    for step in range(2):
        expected: dict[str, Any] = {}
        # every case id on every rank (None: sits this step out), so the ranks agree on the list
        batch: dict[str, Any] = dict.fromkeys(states)
        for cid in states:
            if states[cid] is None or step >= len(plans[cid][3]):
                continue
            case, m, inputs, steps = plans[cid]
            (lo, hi), union = steps[step]
            try:
                if hi > lo or rank % 2 == 0:  # odd ranks with nothing stay at init()
                    states[cid] = case.update(m, states[cid], slice_inputs(inputs, lo, hi))
                if case.rank_streams:  # random streams keyed by rank: the merge of every rank's state
                    expected[cid] = _rank_streams_reference(case, inputs, union)
                else:
                    expected[cid] = _one_process(case, m, cat_inputs([slice_inputs(inputs, a, b) for a, b in union]))
                batch[cid] = states[cid]
            except Exception:
                report.fail(name, f"{cid} step {step}: local update failed\n{traceback.format_exc(limit=4)}")
                states[cid] = batch[cid] = None
        synced = _sync_all(report, name, batch)
        for cid, value in synced.items():
            case, m = plans[cid][:2]
            try:
                assert_close(m.compute(value), expected[cid], atol=case.atol, rtol=case.rtol, what=f"step {step}")
            except Exception as e:
                report.fail(name, f"{cid} step {step}: {type(e).__name__}: {e}"[:2000])


def _ensemble(report: _Report, rank: int, world: int, name: str) -> None:
    """Stacked ensemble states (2 members, ensemble_dims=1) of every fixed-state Case.

    The stacked state is what ``torch.func.vmap(update)`` builds (law 4 checks that
    vmap equals a loop); here it is stacked from eager member updates, which is cheap.
    """
    import torch.utils._pytree as pytree

    from tests.catalogue import CASES
    from tests.catalogue._case import assert_close, gen, slice_inputs

    members = 2
    states: dict[str, Any] = {}
    plans: dict[str, Any] = {}
    for case in CASES:
        if not (case.fixed_state and case.split_invariant):
            continue
        try:
            m = case.metric()
            n = 24
            data = [case.inputs(gen(_seed(case.id) + e), n) for e in range(members)]
            lo, _, hi = _bounds(SCENARIOS[world][0][rank], n)
            per_member = [case.update(m, m.init(), slice_inputs(x, lo, hi)) for x in data]
            states[case.id] = pytree.tree_map(lambda *xs: torch.stack(xs), *per_member)
            plans[case.id] = (case, m, data)
        except Exception:
            report.fail(name, f"{case.id}: local update failed\n{traceback.format_exc(limit=4)}")
            states[case.id] = None
    synced = _sync_all(report, name, states, ensemble_dims=1)
    for cid, value in synced.items():
        case, m, data = plans[cid]
        for e in range(members):
            try:
                got = m.compute(pytree.tree_map(lambda v: v[e], value))
                assert_close(got, _one_process(case, m, data[e]), atol=case.atol, rtol=case.rtol, what=f"member {e}")
            except Exception as err:
                report.fail(name, f"{cid} member {e}: {type(err).__name__}: {err}"[:2000])


def _collection(rank: int, world: int) -> None:
    import metrix
    from metrix import aggregation as agg
    from metrix import classification as mc
    from tests.catalogue._case import assert_close, gen

    g = gen(7)
    n = 50
    preds, target = torch.rand(n, generator=g), torch.randint(0, 2, (n,), generator=g)
    lo, hi = _bounds(SCENARIOS[world][0][rank], n)[::2]
    # members sharing a state key share one slot; a nested collection is flattened
    c = metrix.collection(
        {
            "acc": mc.binary_accuracy(),
            "acc_thr": mc.binary_accuracy(threshold=0.3),
            "stats": mc.binary_stat_scores(),
            "samplewise": mc.binary_accuracy(multidim_average="samplewise"),
            "inner": metrix.collection({"acc_ignore": mc.binary_accuracy(ignore_index=0)}, prefix="in/"),
        },
        prefix="val/",
    )
    pw = preds.reshape(10, 5)
    tw = target.reshape(10, 5)
    # samplewise needs 2-d inputs: feed the (10, 5) view, sharded by rows
    rows = (lo // 5, hi // 5)
    state = c.update(c.init(), pw[rows[0] : rows[1]], tw[rows[0] : rows[1]])
    got = c.compute(_synced_value(state, "collection"))
    assert_close(got, c(pw, tw), what="collection")

    agg_c = metrix.collection(
        {"mean": agg.mean(), "sum": agg.sum(), "max": agg.max(), "min": agg.min(), "cat": agg.cat()}
    )
    values = torch.randn(n, generator=g, dtype=torch.float64)
    state = agg_c.update(agg_c.init(), values[lo:hi]) if hi > lo else agg_c.init()
    got = agg_c.compute(_synced_value(state, "aggregation collection"))
    assert_close(got, agg_c(values), what="aggregation collection")


def _int_float_cat_metric() -> Any:
    """A metric with a float64 and an int64 ``cat`` leaf (two gather dtypes) and a sum."""
    import metrix

    def init(*, device: Any = None) -> TwoCats:
        return TwoCats(
            metrix.storage.cat_init((), torch.float64, device),
            metrix.storage.cat_init((2,), torch.int64, device),
            torch.zeros((), dtype=torch.int64, device=device),
        )

    def update(s: TwoCats, x: torch.Tensor, k: torch.Tensor) -> TwoCats:
        return TwoCats(metrix.storage.cat_append(s.x, x), metrix.storage.cat_append(s.k, k), s.n + x.shape[0])

    def compute(s: TwoCats) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return metrix.storage.stored_values(s.x), metrix.storage.stored_values(s.k), s.n

    return metrix.Metric(init, update, compute, name="two_cats")


def _cat_storage(rank: int, world: int) -> None:
    from tests.catalogue._case import assert_close, gen

    m = _int_float_cat_metric()
    g = gen(11)
    n = 40
    x, k = torch.randn(n, generator=g, dtype=torch.float64), torch.randint(-5, 5, (n, 2), generator=g)
    # some ranks empty (rank 1 only on an empty batch, the last one not updated at all)
    for shards in SCENARIOS[world]:
        lo, mid, hi = _bounds(shards[rank], n)
        state = m.init()
        for a, b in [(lo, mid), (mid, hi)]:
            if b > a or rank == 1:
                state = m.update(state, x[a:b], k[a:b])
        got = m.compute(_synced_value(state, "two cats"))
        assert_close(got, m(x, k), what="cat storage")
    # every rank empty: no gather, still the right dtypes and sample shapes
    got = m.compute(_synced_value(m.init(), "all empty"))
    assert got[0].shape == (0,) and got[0].dtype == torch.float64
    assert got[1].shape == (0, 2) and got[1].dtype == torch.int64
    # ensemble: cat along dim 1 after a leading ensemble dim of 2 members
    stacked = m.update(m.init(), x[:0], k[:0])
    e_state = type(stacked)(
        (torch.stack([x[rank : rank + rank], x[rank : rank + rank] * 2]),),
        (torch.stack([k[rank : rank + rank], k[rank : rank + rank] + 1]),),
        torch.tensor([rank, rank]),
    )
    synced = _synced_value(e_state, "ensemble cat", ensemble_dims=1)
    parts = [x[r : r + r] for r in range(world)]
    assert_close(synced.x[0][0], torch.cat(parts), what="ensemble cat member 0")
    assert_close(synced.x[0][1], torch.cat(parts) * 2, what="ensemble cat member 1")


def _buffer_metric(capacity: int, dtype: torch.dtype = torch.float64) -> Any:
    """Samples in a fixed-capacity Buffer (float and int64 columns), plus max/min/sum leaves."""
    import metrix

    def init(*, device: Any = None) -> Buffered:
        z = torch.zeros((), dtype=torch.int64, device=device)
        return Buffered(
            metrix.storage.buffer_init(capacity, (), dtype, device),
            metrix.storage.buffer_init(capacity, (2,), torch.int64, device),
            torch.full((), -torch.inf, dtype=torch.float64, device=device),
            torch.full((), torch.iinfo(torch.int64).max, dtype=torch.int64, device=device),
            z,
            torch.zeros((), dtype=torch.bool, device=device),
        )

    def update(s: Buffered, x: torch.Tensor, k: torch.Tensor) -> Buffered:
        return Buffered(
            metrix.storage.cat_append(s.x, x),
            metrix.storage.cat_append(s.k, k),
            torch.maximum(s.hi, x.double().max(0).values if x.shape[0] else s.hi),
            torch.minimum(s.lo, k.amin() if k.numel() else s.lo),
            s.n + x.shape[0],
            s.flag | (x < 0).any(),
        )

    def compute(s: Buffered) -> dict[str, torch.Tensor]:
        xd, xv = metrix.storage.stored_masked(s.x)
        kd, kv = metrix.storage.stored_masked(s.k)
        return {
            "x_sum": torch.where(xv, xd.double(), 0.0).sum(),
            "x_sq": torch.where(xv, xd.double() ** 2, 0.0).sum(),
            "k_sum": torch.where(kv.unsqueeze(1), kd, 0).sum(0),
            "count": s.x.count,
            "hi": s.hi,
            "lo": s.lo,
            "n": s.n,
            "flag": s.flag,
        }

    return metrix.Metric(init, update, compute, name="buffered")


def _buffers(rank: int, world: int) -> None:
    import metrix
    from tests.catalogue._case import assert_close, gen

    m = _buffer_metric(capacity=48)
    g = gen(13)
    n = 40
    x, k = torch.randn(n, generator=g, dtype=torch.float64), torch.randint(-5, 5, (n, 2), generator=g)
    for shards in SCENARIOS[world]:
        lo, _, hi = _bounds(shards[rank], n)
        state = m.update(m.init(), x[lo:hi], k[lo:hi]) if hi > lo else m.init()
        synced = _synced_value(state, "buffer")
        assert synced.x.capacity == 48  # a capacity is configuration: sync keeps it (as merge does)
        assert_close(metrix.storage.stored_values(synced.x), x, what="buffer samples in rank order")
        assert_close(metrix.storage.stored_values(synced.k), k, what="int buffer samples in rank order")
        expected = m.compute(m.update(_buffer_metric(capacity=n).init(), x, k))
        assert_close(m.compute(synced), expected, what="buffer metric")
        # a capacity that holds every rank's shard but not the union: every rank raises the same error
        local_max = max(b - a for a, _, b in (_bounds(s, n) for s in shards))
        if local_max in (0, n):  # one rank holds everything: no capacity fits the shards but not the union
            continue
        small = _buffer_metric(capacity=local_max)
        state = small.update(small.init(), x[lo:hi], k[lo:hi]) if hi > lo else small.init()
        try:
            metrix.sync(state)
        except ValueError as err:
            assert "overflow" in str(err) and f"capacity={local_max}" in str(err), str(err)
        else:
            raise AssertionError("sync of more samples than the capacity did not raise")


def _mismatch(rank: int, world: int) -> None:
    """States of different structure on different ranks raise ValueError on EVERY rank, then the group still works."""
    import metrix
    from metrix import aggregation as agg
    from metrix import classification as mc
    from tests.catalogue._case import assert_close

    odd = rank == world - 1
    mean_or_max = agg.max() if odd else agg.mean()
    cases = {
        "another metric": mean_or_max.init(),
        "another num_classes": mc.multiclass_accuracy(num_classes=6 if odd else 5).init(),
        "another capacity": _buffer_metric(capacity=6 if odd else 5).init(),
        "another window": (agg.running_mean(window=4) if odd else agg.running_mean(window=3)).init(),
        "another collection": {"a": agg.sum().init(), "c": agg.sum().init()}
        if odd
        else {"a": agg.sum().init(), "b": agg.sum().init()},
        "another ensemble size": torch.zeros(3 if odd else 2),
    }
    for what, state in cases.items():
        try:
            metrix.sync(state)
        except ValueError as e:
            assert "different structure" in str(e) and f"[{world - 1}]" in str(e), f"{what}: unclear message {e}"
        else:
            raise AssertionError(f"{what}: sync of mismatched states did not raise")
    # the group is still in step
    m = agg.sum()
    got = m.compute(metrix.sync(m.update(m.init(), torch.tensor([float(rank)]))))
    assert_close(got, torch.tensor(float(sum(range(world)))), what="sum after mismatches")


def ten_metric_collection() -> Any:
    import metrix
    from metrix import aggregation as agg
    from metrix import classification as mc

    return metrix.collection(
        {
            "mean": agg.mean(),
            "mean_ignore": agg.mean(nan_strategy="ignore"),
            "sum": agg.sum(),
            "max": agg.max(),
            "min": agg.min(),
            "running": agg.running_sum(window=3),
            "acc": mc.binary_accuracy(),
            "acc_thr": mc.binary_accuracy(threshold=0.3),
            "acc_ignore": mc.binary_accuracy(ignore_index=-1),
            "stats": mc.binary_stat_scores(threshold=0.7),
        }
    )


def feed_ten(c: Any, state: dict[str, Any], values: Any, preds: Any, target: Any) -> dict[str, Any]:
    """Update the 10-metric collection: aggregators take ``values``, classifiers ``(preds, target)``."""
    members = c.members
    return {
        slot: members[slot].update(s, values) if slot in _AGGREGATORS else members[slot].update(s, preds, target)
        for slot, s in state.items()
    }


_AGGREGATORS = ("mean", "mean_ignore", "sum", "max", "min", "running")


def _counts(report: _Report, rank: int, world: int) -> None:
    import metrix

    c = ten_metric_collection()
    state = c.init()
    planned = metrix.debug.sync_collectives(state)
    before = metrix.debug.collectives_issued()
    metrix.sync(state)
    issued = metrix.debug.collectives_issued() - before
    report.info["ten_metric_collectives"] = {"planned": planned, "issued": issued}
    assert issued == planned <= 3, f"10-metric collection: {issued} collectives issued, {planned} planned"


def _subgroups(rank: int) -> None:
    """``sync(state, group=...)`` combines only the group's ranks; the others keep their state."""
    import torch.distributed as dist

    import metrix
    from metrix import aggregation as agg
    from tests.catalogue._case import assert_close, gen

    m = metrix.collection({"mean": agg.mean(), "cat": agg.cat(), "max": agg.max()})
    values = torch.randn(30, generator=gen(17), dtype=torch.float64)
    shards = {0: (0, 4), 1: (4, 20), 2: (20, 30)}
    lo, hi = shards[rank]
    state = m.update(m.init(), values[lo:hi])
    buf = _buffer_metric(capacity=26)  # the largest group holds 26 samples
    bstate = buf.update(buf.init(), values[lo:hi], torch.zeros(hi - lo, 2, dtype=torch.int64))
    for members in ([0, 1], [1, 2]):
        group = dist.new_group(members)  # every rank must create every group
        synced = metrix.sync(state, group=group)
        bsynced = metrix.sync(bstate, group=group)
        if rank in members:
            union = torch.cat([values[shards[r][0] : shards[r][1]] for r in members])
            assert_close(m.compute(synced), m(union), what=f"group {members}")
            assert_close(metrix.storage.stored_values(bsynced.x), union, what=f"buffer over group {members}")
        else:
            assert synced is state and bsynced is bstate, "a rank outside the group must keep its state"


def _compiled(rank: int, world: int) -> None:
    """``sync`` inside ``torch.compile(fullgraph=True)`` (functional collectives) equals eager, compiled once."""
    import metrix
    from tests.catalogue._case import assert_close, gen

    torch._dynamo.reset()
    c = ten_metric_collection()
    bm = _buffer_metric(capacity=24)  # holds the 20 samples of both ranks
    compiles = []

    def backend(gm: torch.fx.GraphModule, example_inputs: list[Any]) -> Any:
        compiles.append(gm)
        return gm.forward

    def step(cs: Any, bs: Any) -> Any:
        # an eval step's sync: a collection and a buffer metric (tracing costs ~2 s a state:
        # stacked ensemble states are checked in eager only)
        return metrix.sync(cs), metrix.sync(bs)

    compiled = torch.compile(step, fullgraph=True, backend=backend)
    for seed in (19, 20):
        g = gen(seed)
        n = 20
        values = torch.randn(n, generator=g, dtype=torch.float64)
        preds, target = torch.rand(n, generator=g), torch.randint(0, 2, (n,), generator=g)
        x, k = torch.randn(n, generator=g, dtype=torch.float64), torch.randint(-5, 5, (n, 2), generator=g)
        lo, hi = (0, 7) if rank == 0 else (7, 20)
        cs = feed_ten(c, c.init(), values[lo:hi], preds[lo:hi], target[lo:hi])
        bs = bm.update(bm.init(), x[lo:hi], k[lo:hi])
        got = compiled(cs, bs)
        expected = step(cs, bs)
        assert_close(c.compute(got[0]), c.compute(expected[0]), what="compiled collection sync")
        assert_close(c.compute(got[0]), c.compute(feed_ten(c, c.init(), values, preds, target)), what="vs one process")
        assert_close(bm.compute(got[1]), bm.compute(expected[1]), what="compiled buffer sync")
    assert len(compiles) == 1, f"the synced step compiled {len(compiles)} times for 2 same-shape calls"
    # never under vmap
    try:
        torch.func.vmap(metrix.sync)(torch.zeros(2, 3))
    except RuntimeError as err:
        assert "vmap" in str(err)
    else:
        raise AssertionError("sync under vmap did not raise")


def _module(rank: int, world: int) -> None:
    """MetricModule syncs on compute under a process group and never corrupts its local state."""
    import torch.distributed as dist

    import metrix
    from metrix import classification as mc
    from tests.catalogue._case import assert_close, gen, snapshot, unchanged

    g = gen(23)
    n = 60
    preds, target = torch.rand(n, generator=g), torch.randint(0, 2, (n,), generator=g)
    bounds = [round(f * n) for f in (0.0, 0.2, 0.45, 0.5, 1.0)][: world + 1]
    bounds[-1] = n
    lo, hi = bounds[rank], bounds[rank + 1]
    mid = (lo + hi) // 2
    metric = metrix.collection({"acc": mc.binary_accuracy(), "stats": mc.binary_stat_scores()})

    def feed(mod: metrix.MetricModule, a: int, b: int) -> None:
        mod.update(preds[a:b], target[a:b])

    def union(stop_of: Callable[[int], int]) -> Any:
        idx = torch.cat([torch.arange(bounds[r], stop_of(r)) for r in range(world)])
        return metric(preds[idx], target[idx])

    mod = metrix.MetricModule(metric, persistent=True)  # sync_on_compute defaults to on under a process group
    feed(mod, lo, mid)
    local_snap = snapshot(mod.state)
    assert_close(mod.compute(), union(lambda r: (bounds[r] + bounds[r + 1]) // 2), what="compute syncs")
    assert unchanged(mod.state, local_snap), "compute changed the local state"
    feed(mod, mid, hi)
    assert_close(mod.compute(), union(lambda r: bounds[r + 1]), what="compute after more updates")

    # sync()/unsync(): global view, updates refused, local state saved and restored
    local = snapshot(mod.state)
    mod.sync()
    assert_close(mod.compute(), union(lambda r: bounds[r + 1]), what="compute while synced")
    try:
        mod.update(preds[:1], target[:1])
    except RuntimeError:
        pass
    else:
        raise AssertionError("update while synced did not raise")
    saved = mod.state_dict()
    mod.unsync()
    assert unchanged(mod.state, local), "unsync did not restore the local state"
    restored = metrix.MetricModule(metric, sync_on_compute=False)
    restored.load_state_dict(saved)
    assert unchanged(restored.state, local), "state_dict while synced must hold the local state"

    # rank-local values
    local_mod = metrix.MetricModule(metric, sync_on_compute=False)
    feed(local_mod, lo, hi)
    assert_close(local_mod.compute(), metric(preds[lo:hi], target[lo:hi]), what="sync_on_compute=False")

    # forward: the batch value is local, the accumulated value global
    fmod = metrix.MetricModule(metric)
    batch_value = fmod(preds[lo:hi], target[lo:hi])
    assert_close(batch_value, metric(preds[lo:hi], target[lo:hi]), what="forward batch value")
    assert_close(fmod.compute(), union(lambda r: bounds[r + 1]), what="compute after forward")

    # process_group=: only the group's ranks are combined
    group = dist.new_group([0, 1])
    gmod = metrix.MetricModule(metric, process_group=group)
    feed(gmod, lo, hi)
    if rank in (0, 1):
        idx = torch.arange(bounds[0], bounds[2])
        assert_close(gmod.compute(), metric(preds[idx], target[idx]), what="process_group=[0, 1]")
    else:
        assert_close(gmod.compute(), metric(preds[lo:hi], target[lo:hi]), what="rank outside process_group")
