"""One rank of the distributed-evaluation notebook (run twice, as rank 0 and rank 1).

Loads the model and the test set from ``--workdir/payload.pt``, evaluates this rank's shard,
and writes ``rank{r}.pt`` with the local value, the value after syncing, the shard size and
the number of collectives a sync of this state issues.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
import torch.distributed as dist

import metrix
from metrix import classification as mc


def main() -> None:
    """Parse the arguments, join the group, evaluate, write the results."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rank", type=int, required=True)
    parser.add_argument("--world-size", type=int, required=True)
    parser.add_argument("--init-file", type=Path, required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)

    dist.init_process_group(
        "gloo", init_method=f"file://{args.init_file}", rank=args.rank, world_size=args.world_size
    )
    try:
        payload = torch.load(args.workdir / "payload.pt", weights_only=True)
        model = torch.nn.Linear(64, 10)
        model.load_state_dict(payload["model"])
        bounds = [0, *torch.tensor(payload["shards"]).cumsum(0).tolist()]
        x = payload["x"][bounds[args.rank] : bounds[args.rank + 1]]
        y = payload["y"][bounds[args.rank] : bounds[args.rank + 1]]

        metrics = metrix.collection(
            {
                "acc": mc.multiclass_accuracy(num_classes=10, average="micro"),
                "f1": mc.multiclass_f1_score(num_classes=10),
                "confmat": mc.multiclass_confusion_matrix(num_classes=10),
            }
        )
        module = metrix.MetricModule(metrics)
        with torch.no_grad():
            for xb, yb in zip(x.split(64), y.split(64)):
                module.update(model(xb), yb)
        result = {
            "n": len(y),
            "local": metrics.compute(module.state),  # this rank's data only
            "synced": module.compute(),  # all ranks' data: compute() syncs under a process group
            "collectives": metrix.debug.sync_collectives(module.state),
        }
        torch.save(result, args.workdir / f"rank{args.rank}.pt")
        print(f"rank {args.rank}: {len(y)} images, accuracy over all ranks {float(result['synced']['acc']):.4f}")
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
