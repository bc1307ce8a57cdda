"""metrix in one minute: four ways to evaluate classifiers on scikit-learn's digits.

Trains a softmax regression and an ensemble of 8 tiny MLPs (seconds on a CPU), then
evaluates them with one metric collection in four ways that must agree exactly:

(a) ``metrix.MetricModule`` in a plain loop (the stateful adapter, as in TorchMetrics);
(b) the same eval step under ``torch.compile(fullgraph=True)``: one compile for all batches;
(c) the 8 ensemble members at once, ``torch.func.vmap`` over their stacked states;
(d) two processes on 127.0.0.1 (gloo) holding uneven shards, synced in ``compute``.

Prints one table and writes a ROC curve and a confusion matrix under ``demo_out/``.
Run ``python demo.py --help`` for options (``make demo`` runs it with the defaults).
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optree
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm import tqdm

import metrix
from metrix import classification as mc

NUM_CLASSES = 10
MEMBERS = 8
BATCH = 50
TEST_SIZE = 450  # 9 batches of 50: every batch has the same shape, so compile traces once
THRESHOLDS = 100


# ----------------------------------------------------------------------------- metrics


def build_metrics() -> metrix.Metric:
    """The metric collection every path uses; accuracy and F1 share one confusion-count state."""
    return metrix.collection(
        {
            "accuracy": mc.multiclass_accuracy(NUM_CLASSES, average="micro"),
            "f1": mc.multiclass_f1_score(NUM_CLASSES),  # macro average, as in TorchMetrics
            "auroc": mc.multiclass_auroc(NUM_CLASSES, thresholds=THRESHOLDS),  # binned: fixed-size state
            "roc": mc.multiclass_roc(NUM_CLASSES, thresholds=THRESHOLDS),
            "confmat": mc.multiclass_confusion_matrix(NUM_CLASSES),
        }
    )


SCORES = ("accuracy", "f1", "auroc")


# ----------------------------------------------------------------------------- data and models


def load_data() -> tuple[tuple[Tensor, Tensor], tuple[Tensor, Tensor]]:
    """scikit-learn's bundled 8x8 digits (no download), pixels scaled to [0, 1], a fixed split."""
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    x, y = torch.tensor(x, dtype=torch.float32) / 16.0, torch.tensor(y)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    test, train = order[:TEST_SIZE], order[TEST_SIZE:]
    return (x[train], y[train]), (x[test], y[test])


def softmax_regression() -> nn.Module:
    """A linear layer: multinomial logistic regression."""
    return nn.Linear(64, NUM_CLASSES)


def tiny_mlp() -> nn.Module:
    """64 -> 32 -> 10 with one ReLU (2.4k parameters)."""
    return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, NUM_CLASSES))


def train_softmax(x: Tensor, y: Tensor, steps: int) -> nn.Module:
    """Full-batch Adam on the cross-entropy."""
    torch.manual_seed(0)
    model = softmax_regression()
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return model.eval()


def ensemble_forward(template: nn.Module) -> Callable[..., Tensor]:
    """``f(params, x) -> logits[members, N, C]``: every member's forward in one vmapped call."""

    def one(params: dict[str, Tensor], x: Tensor) -> Tensor:
        return torch.func.functional_call(template, params, (x,))

    return torch.func.vmap(one, in_dims=(0, None))


def train_ensemble(x: Tensor, y: Tensor, steps: int) -> dict[str, Tensor]:
    """Train MEMBERS MLPs at once (stacked parameters, one vmapped forward per step)."""
    members = []
    for seed in range(MEMBERS):
        torch.manual_seed(seed)
        members.append(tiny_mlp())
    params, _ = torch.func.stack_module_state(members)
    forward = ensemble_forward(tiny_mlp().to("meta"))
    opt = torch.optim.Adam(params.values(), lr=0.01)
    for _ in range(steps):
        opt.zero_grad()
        logits = forward(params, x)  # (members, N, C)
        F.cross_entropy(logits.flatten(0, 1), y.repeat(MEMBERS)).backward()
        opt.step()
    return {k: v.detach() for k, v in params.items()}


def member(params: dict[str, Tensor], i: int) -> nn.Module:
    """Ensemble member ``i`` as an ordinary module."""
    model = tiny_mlp()
    model.load_state_dict({k: v[i] for k, v in params.items()})
    return model.eval()


def batches(x: Tensor, y: Tensor) -> list[tuple[Tensor, Tensor]]:
    """Equal-size evaluation batches."""
    return [(x[i : i + BATCH], y[i : i + BATCH]) for i in range(0, len(y), BATCH)]


def bar(items: list[Any], desc: str) -> Any:
    """A tqdm progress bar (shown on a terminal only)."""
    return tqdm(items, desc=desc, leave=False, unit="batch", dynamic_ncols=True, disable=None)  # None: only on a tty


# ----------------------------------------------------------------------------- the four paths


def eval_module(model: nn.Module, data: list[tuple[Tensor, Tensor]], desc: str) -> dict[str, Any]:
    """(a) The stateful adapter: ``forward`` gives the batch value and accumulates."""
    metric = metrix.MetricModule(build_metrics())
    with torch.no_grad(), bar(data, desc) as progress:
        for x, y in progress:
            batch_values = metric(model(x).softmax(-1), y)
            progress.set_postfix(batch_acc=f"{float(batch_values['accuracy']):.3f}")
    return metric.compute()


class CountingBackend:
    """A torch.compile backend that counts graphs and runs them eagerly (dynamo capture only)."""

    def __init__(self) -> None:
        self.graphs = 0

    def __call__(self, gm: torch.fx.GraphModule, example_inputs: list[Tensor]) -> Callable[..., Any]:
        """Count the graph and return it to run as is."""
        self.graphs += 1
        return gm.forward


def eval_compiled(
    model: nn.Module, data: list[tuple[Tensor, Tensor]], desc: str, backend: Any
) -> tuple[dict[str, Any], int | None]:
    """(b) One pure eval step (model + metric update) compiled with fullgraph=True."""
    metric = build_metrics()

    def step(state: Any, x: Tensor, y: Tensor) -> Any:
        return metric.update(state, model(x).softmax(-1), y)

    counter = CountingBackend() if backend == "eager" else None
    compiled = torch.compile(step, fullgraph=True, backend=counter or backend)
    state = metric.init()
    with torch.no_grad():
        for x, y in bar(data, desc):
            state = compiled(state, x, y)
    return metric.compute(state), (counter.graphs if counter else None)


def stack(states: list[Any]) -> Any:
    """Stack states of one metric along a new leading (ensemble) dim."""
    return optree.tree_map(lambda *leaves: torch.stack(leaves), *states, namespace="torch")


def eval_vmap(params: dict[str, Tensor], data: list[tuple[Tensor, Tensor]], desc: str) -> dict[str, Any]:
    """(c) Every member's state updated at once; the target is shared (in_dims=None)."""
    metric = build_metrics()
    forward = ensemble_forward(tiny_mlp().to("meta"))
    update = torch.func.vmap(metric.update, in_dims=(0, 0, None))
    states = stack([metric.init() for _ in range(MEMBERS)])
    with torch.no_grad():
        for x, y in bar(data, desc):
            states = update(states, forward(params, x).softmax(-1), y)
    return torch.func.vmap(metric.compute)(states)  # every value gets a leading (members,) dim


def _dist_worker(rank: int, world: int, port: int, workdir: str) -> None:
    """(d) One of two gloo processes: evaluate an uneven shard, then compute() syncs the state."""
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    try:
        payload = torch.load(os.path.join(workdir, "payload.pt"), weights_only=True)
        data = batches(payload["x"], payload["y"])
        cut = 4  # rank 0 gets 4 batches, rank 1 gets 5: shards need not be equal
        shard = data[:cut] if rank == 0 else data[cut:]
        models = {"softmax": softmax_regression(), "mlp": tiny_mlp()}
        out = {}
        for name, model in models.items():
            model.load_state_dict(payload[name])
            model.eval()
            start = time.perf_counter()
            metric = metrix.MetricModule(build_metrics())
            with torch.no_grad():
                for x, y in shard:
                    metric.update(model(x).softmax(-1), y)
            out[name] = metric.compute()  # all ranks get the value over the union of shards
            out[f"{name}_seconds"] = time.perf_counter() - start
        torch.save(out, os.path.join(workdir, f"rank{rank}.pt"))
    finally:
        dist.destroy_process_group()


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for the rendezvous."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def eval_distributed(softmax: nn.Module, mlp: nn.Module, x: Tensor, y: Tensor) -> tuple[list[dict[str, Any]], float]:
    """Spawn the two ranks; returns what each rank computed and the wall time (process start included)."""
    with tempfile.TemporaryDirectory() as workdir:
        torch.save({"x": x, "y": y, "softmax": softmax.state_dict(), "mlp": mlp.state_dict()}, f"{workdir}/payload.pt")
        start = time.perf_counter()
        mp.start_processes(_dist_worker, args=(2, free_port(), workdir), nprocs=2, start_method="spawn")
        seconds = time.perf_counter() - start
        return [torch.load(f"{workdir}/rank{r}.pt", weights_only=True) for r in range(2)], seconds


# ----------------------------------------------------------------------------- report


def scores(values: dict[str, Any], index: int | None = None) -> list[float]:
    """The table's scores (of ensemble member ``index`` for stacked values)."""
    return [float(values[k] if index is None else values[k][index]) for k in SCORES]


def max_difference(a: dict[str, Any], b: dict[str, Any], index: int | None = None) -> float:
    """Largest absolute difference over every value of two results (curves and matrices included)."""

    def pick(v: Any) -> Any:
        return v if index is None else optree.tree_map(lambda t: t[index], v, namespace="torch")

    diffs = optree.tree_map(
        lambda s, t: float((s.double() - t.double()).abs().max()) if s.numel() else 0.0,
        pick({k: a[k] for k in sorted(a)}),
        {k: b[k] for k in sorted(b)},
        namespace="torch",
    )
    return max(optree.tree_leaves(diffs, namespace="torch"))


def save_plots(values: dict[str, Any], out: Path) -> list[Path]:
    """ROC curves and the confusion matrix as PNG files (Agg backend: no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from metrix.plot import plot_confusion_matrix, plot_roc

    out.mkdir(exist_ok=True)
    fpr, tpr, _ = values["roc"]
    fig, _ = plot_roc(fpr, tpr, labels=[f"digit {i}" for i in range(NUM_CLASSES)], title="ROC, tiny MLP (one-vs-rest)")
    fig.savefig(out / "roc.png", dpi=120)
    fig2, _ = plot_confusion_matrix(values["confmat"], title="Confusion matrix, tiny MLP")
    fig2.savefig(out / "confusion_matrix.png", dpi=120)
    plt.close("all")
    return [out / "roc.png", out / "confusion_matrix.png"]


def main() -> None:
    """Train, evaluate four ways, print the table, save the plots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backend",
        default="eager",
        help="torch.compile backend for path (b): 'eager' (dynamo capture, default: fastest to start on a CPU), "
        "'aot_eager' or 'inductor' (generates C++, adds tens of seconds of compile time)",
    )
    parser.add_argument("--steps", type=int, default=150, help="training steps (full batch)")
    parser.add_argument("--out", type=Path, default=Path("demo_out"), help="folder for the plots")
    args = parser.parse_args()
    torch.set_num_threads(1)  # these models are tiny: one thread is fastest, and leaves a core to the gloo ranks
    timings: list[tuple[str, float]] = []

    def timed(label: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = fn()
        timings.append((label, time.perf_counter() - start))
        return result

    (x_train, y_train), (x_test, y_test) = load_data()
    softmax = timed("train softmax regression", lambda: train_softmax(x_train, y_train, args.steps))
    params = timed(f"train {MEMBERS} MLPs at once (vmap)", lambda: train_ensemble(x_train, y_train, args.steps))
    mlp = member(params, 0)
    data = batches(x_test, y_test)
    print(f"digits: {len(y_train)} train / {len(y_test)} test images, {len(data)} eval batches of {BATCH}")

    models = {"softmax regression": softmax, "tiny MLP (member 0)": mlp}
    rows: list[tuple[str, str, dict[str, Any], int | None, float]] = []
    for name, model in models.items():
        values = timed("", lambda model=model, name=name: eval_module(model, data, f"(a) {name}"))
        rows.append((name, "(a) MetricModule loop", values, None, timings[-1][1]))
        torch.compiler.reset()
        values, graphs = timed(
            "", lambda model=model, name=name: eval_compiled(model, data, f"(b) {name}", args.backend)
        )
        note = f"({graphs} graph)" if graphs == 1 else (f"({graphs} graphs)" if graphs else "")
        rows.append((name, f"(b) torch.compile {args.backend} {note}".rstrip(), values, None, timings[-1][1]))

    ensemble = timed("", lambda: eval_vmap(params, data, f"(c) {MEMBERS} members"))
    vmap_seconds = timings[-1][1]
    rows.append((list(models)[1], f"(c) vmap, {MEMBERS} members at once", ensemble, 0, vmap_seconds))
    ranks, dist_seconds = eval_distributed(softmax, mlp, x_test, y_test)
    for i, name in enumerate(models):
        key = ("softmax", "mlp")[i]
        rows.append((name, "(d) 2 gloo ranks, synced", ranks[0][key], None, ranks[0][f"{key}_seconds"]))

    # ------------------------------------------------------------------ the table
    header = f"{'model':<22}{'path':<38}{'accuracy':>9}{'f1':>9}{'auroc':>9}{'time':>10}"
    print("\n" + header + "\n" + "-" * len(header))
    reference = {name: next(v for n, _, v, i, _ in rows if n == name) for name in models}
    worst = 0.0
    for name in models:
        for n, path, values, index, seconds in rows:
            if n != name:
                continue
            acc, f1, auroc = scores(values, index)
            print(f"{name:<22}{path:<38}{acc:>9.4f}{f1:>9.4f}{auroc:>9.4f}{seconds:>9.3f}s")
            worst = max(worst, max_difference(values, reference[name], index))
    others = torch.stack([ensemble["accuracy"][i] for i in range(1, MEMBERS)])
    print(
        f"{'':<22}{'(c) members 1-7, accuracy':<38}{float(others.min()):>9.4f} … {float(others.max()):.4f}"
        f"  (all {MEMBERS} members: {vmap_seconds:.3f}s)"
    )
    ranks_agree = max_difference(ranks[0]["mlp"], ranks[1]["mlp"]) == 0.0
    print("-" * len(header))
    print(
        f"largest difference between paths over every value (scores, ROC curves, confusion matrices): {worst:.1e}; "
        f"both ranks got the same values: {ranks_agree}"
    )
    timings.append(("(d) spawn 2 processes + evaluate + sync", dist_seconds))
    paths = timed("plots", lambda: save_plots(reference[list(models)[1]], args.out))
    print("wrote " + ", ".join(str(p) for p in paths))
    print("\nother steps: " + ", ".join(f"{label} {s:.2f}s" for label, s in timings if label))
    if worst > 1e-6 or not ranks_agree:
        raise SystemExit("the four paths disagree")


if __name__ == "__main__":
    main()
