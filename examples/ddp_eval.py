"""Distributed evaluation with metrix: every rank evaluates its shard, ``compute()`` syncs.

Run on CPU with two processes (gloo)::

    torchrun --nproc_per_node 2 examples/ddp_eval.py

or on GPUs (NCCL, one process per GPU; add ``--nnodes``/``--rdzv-endpoint`` for many nodes)::

    torchrun --nproc_per_node 8 examples/ddp_eval.py

Each rank evaluates a different, uneven slice of a synthetic data set with a small model,
accumulating two :class:`metrix.MetricModule` s (classification metrics and loss
statistics). ``compute()`` syncs their states over the process group (a fingerprint check
plus one SUM and one MAX ``all_reduce`` per collection) and every rank gets the values
of the whole data set. Rank 0 then evaluates the whole data set alone and prints both, so
you can see they match. Without torchrun the script runs as a single process.

To evaluate other metrics, edit ``METRICS``: that is the only line to change.
"""

from __future__ import annotations

import os

import torch
import torch.distributed as dist
from torch import nn
from torch.utils.data import DataLoader, Subset, TensorDataset

import metrix
from metrix import aggregation as agg
from metrix import classification as mc

# The metrics to evaluate: any metrix metrics taking (probabilities, target).
METRICS = {"accuracy": mc.binary_accuracy(), "precision": mc.binary_precision(), "f1": mc.binary_f1_score()}
LOSS_STATS = {"mean": agg.mean(), "max": agg.max(), "min": agg.min(), "sum": agg.sum()}

N_SAMPLES = 1001  # not divisible by the world size on purpose: shards are uneven
BATCH_SIZE = 64


def make_data() -> TensorDataset:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(N_SAMPLES, 8, generator=g)
    y = ((x[:, 0] + 0.5 * x[:, 1] + 0.3 * torch.randn(N_SAMPLES, generator=g)) > 0).long()
    return TensorDataset(x, y)


def make_model(data: TensorDataset) -> nn.Module:
    """A small MLP, briefly fitted on the first 200 samples (the same weights on every rank)."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
    x, y = data.tensors[0][:200], data.tensors[1][:200].float()
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(50):
        opt.zero_grad()
        nn.functional.binary_cross_entropy_with_logits(model(x).squeeze(-1), y).backward()
        opt.step()
    return model


@torch.no_grad()
def evaluate(
    model: nn.Module, loader: DataLoader, device: torch.device, sync_on_compute: bool | None = None
) -> dict[str, torch.Tensor]:
    # sync_on_compute=None: on whenever a process group with > 1 rank is initialised
    quality = metrix.MetricModule(metrix.collection(METRICS), sync_on_compute=sync_on_compute).to(device)
    loss = metrix.MetricModule(metrix.collection(LOSS_STATS, prefix="loss/"), sync_on_compute=sync_on_compute)
    loss = loss.to(device)
    model.eval()
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        logits = model(x).squeeze(-1)
        quality.update(torch.sigmoid(logits), y)
        loss.update(nn.functional.binary_cross_entropy_with_logits(logits, y.float(), reduction="none"))
    return {**quality.compute(), **loss.compute()}  # collectives: every rank must call compute()


def main() -> int:
    distributed = "RANK" in os.environ
    if distributed:
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend)
        rank, world = dist.get_rank(), dist.get_world_size()
    else:
        rank, world = 0, 1
    if torch.cuda.is_available():
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")

    data = make_data()
    # Every sample on exactly one rank. (DistributedSampler pads the last shard with
    # repeated samples, which would be counted twice: avoid it for evaluation.)
    shard = Subset(data, range(rank, len(data), world))
    model = make_model(data).to(device)
    if distributed:
        # DDP broadcasts parameters and buffers; metric states are neither, so it never
        # overwrites one rank's metric state with another's.
        model = nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    values = evaluate(model, DataLoader(shard, batch_size=BATCH_SIZE), device)

    status = 0
    if rank == 0:
        print(f"{world} process(es), {len(shard)} of {len(data)} samples on rank 0")
        # the reference: one process, all the data (sync_on_compute=False keeps it local)
        plain = model.module if distributed else model
        single = evaluate(plain, DataLoader(data, batch_size=BATCH_SIZE), device, sync_on_compute=False)
        width = max(len(k) for k in values)
        print(f"{'metric':<{width}}  {'distributed':>12}  {'single process':>14}")
        for k in values:
            print(f"{k:<{width}}  {float(values[k]):>12.6f}  {float(single[k]):>14.6f}")
        same = all(torch.allclose(values[k].double().cpu(), single[k].double().cpu()) for k in values)
        print("MATCH: distributed == single process" if same else "MISMATCH")
        status = 0 if same else 1
    if distributed:
        dist.destroy_process_group()
    return status


if __name__ == "__main__":
    raise SystemExit(main())
