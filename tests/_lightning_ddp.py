"""Fit and validate tests/_lightning_models.Classifier with 2 gloo processes; rank 0 writes a JSON report.

Run by tests/test_lightning.py as ``python tests/_lightning_ddp.py {ddp,ddp_spawn} OUT.json``.
``strategy="ddp"`` re-launches this script for rank 1 (as Lightning does), so it must be a
script, not a pytest test. The report holds the values Lightning logged, the values one
process computes with the pure metric on the whole validation set with the trained
weights, and every warning from metrix or about ``sync_dist`` seen on any rank.
"""

from __future__ import annotations

import json
import os
import sys
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def _relevant(w: warnings.WarningMessage) -> bool:
    text = str(w.message)
    return "metrix" in (w.filename or "") or "sync_dist" in text or w.category.__name__ == "MetrixWarning"


def main(strategy: str, out: str) -> None:
    import lightning as L
    import torch
    import torch.distributed as dist

    from tests._lightning_models import Classifier, loader, val_metric

    torch.set_num_threads(1)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        model = Classifier()
        trainer = L.Trainer(
            accelerator="cpu",
            devices=2,
            strategy=strategy,
            max_epochs=2,
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
            num_sanity_val_steps=0,
        )
        train, val = loader(128, seed=1), loader(64, seed=2)
        trainer.fit(model, train, val)  # validation after the last epoch sees the final weights
        logged = {k: v for k, v in trainer.callback_metrics.items() if k.startswith("val/")}
    ours = [f"{w.category.__name__}: {w.message}" for w in seen if _relevant(w)]
    if dist.is_available() and dist.is_initialized():
        gathered: list[list[str]] = [[] for _ in range(dist.get_world_size())]
        dist.all_gather_object(gathered, ours)
        ours = [w for ws in gathered for w in ws]
    if trainer.global_rank != 0:
        return
    x = torch.cat([b[0] for b in val])
    y = torch.cat([b[1] for b in val])
    with torch.no_grad():
        expected = val_metric()(model.cpu()(x), y)
    report = {
        "world_size": trainer.world_size,
        "logged": {k: float(v) for k, v in logged.items()},
        "callback_metrics": sorted(trainer.callback_metrics),
        "expected": {k: float(v) for k, v in expected.items()},
        "warnings": ours,
    }
    with open(out, "w") as f:
        json.dump(report, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
