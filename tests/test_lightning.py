"""MetricModule inside a real Lightning Trainer (CPU): fit/validate, SWA, DDP, resume, inference loading.

The model (tests/_lightning_models.py) follows the logging pattern of docs/guide/loops.md.
Multi-process runs go through tests/_lightning_ddp.py (``strategy="ddp"`` re-launches a
script for its second rank), each with 2 gloo processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch

L = pytest.importorskip("lightning")

from lightning.pytorch.callbacks import Callback, ModelCheckpoint, StochasticWeightAveraging  # noqa: E402

from tests._lightning_models import Classifier, loader, val_metric  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _trainer(tmp_path: Path, **kwargs) -> L.Trainer:
    options = {
        "accelerator": "cpu",
        "devices": 1,
        "max_epochs": 2,
        "logger": False,
        "enable_checkpointing": False,
        "enable_progress_bar": False,
        "enable_model_summary": False,
        "num_sanity_val_steps": 0,
        "default_root_dir": tmp_path,
    }
    return L.Trainer(**{**options, **kwargs})


def _relevant(seen: list[warnings.WarningMessage]) -> list[str]:
    """Warnings from metrix, or Lightning's about sync_dist."""
    return [
        f"{w.category.__name__}: {w.message}"
        for w in seen
        if "metrix" in (w.filename or "") or "sync_dist" in str(w.message) or w.category.__name__ == "MetrixWarning"
    ]


def _expected(model: Classifier) -> dict[str, float]:
    val = loader(64, seed=2)
    x, y = torch.cat([b[0] for b in val]), torch.cat([b[1] for b in val])
    with torch.no_grad():
        return {k: float(v) for k, v in val_metric()(model(x), y).items()}


def test_fit_and_validate_with_swa(tmp_path: Path) -> None:
    # StochasticWeightAveraging deep-copies the LightningModule, metrics included
    model = Classifier()
    swa = StochasticWeightAveraging(swa_lrs=0.05, swa_epoch_start=1)
    trainer = _trainer(tmp_path, callbacks=[swa])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        trainer.fit(model, loader(96, seed=1), loader(64, seed=2))
        train = dict(trainer.callback_metrics)
        logged = trainer.validate(model, loader(64, seed=2), verbose=False)[0]
    assert not _relevant(seen), _relevant(seen)
    expected = _expected(model)  # the averaged weights, one process over the whole set
    assert logged == pytest.approx(expected, abs=0, rel=0), (logged, expected)
    assert {"train/acc", "train/f1", "train/auroc", "train/loss", "train/acc_step"} <= set(train)
    assert not any(t.requires_grad for t in torch.utils._pytree.tree_leaves(model.train_loss.state))


@pytest.mark.distributed
@pytest.mark.slow
@pytest.mark.parametrize("strategy", ["ddp_spawn", "ddp"])
def test_two_gloo_processes_equal_one(strategy: str, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    launcher = ("MASTER_ADDR", "MASTER_PORT", "WORLD_SIZE", "RANK", "LOCAL_RANK", "NODE_RANK")
    env = {k: v for k, v in os.environ.items() if k not in launcher}  # Lightning picks a free port
    env.update(PYTHONWARNINGS="ignore::DeprecationWarning", OMP_NUM_THREADS="1")
    run = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "_lightning_ddp.py"), strategy, str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["world_size"] == 2
    # compute() synced over both ranks: each logged value equals one process over the whole set
    assert report["logged"] == pytest.approx(report["expected"], abs=0, rel=0)
    assert set(report["logged"]) == {"val/acc", "val/f1", "val/auroc"}
    assert not report["warnings"], report["warnings"]


class _Recorder(Callback):
    def __init__(self, at_step: int) -> None:
        self.at_step = at_step
        self.values: dict[str, float] | None = None
        self.restored: dict[str, float] | None = None
        self.loss_weights: list[int] = []

    def on_train_start(self, trainer, pl_module) -> None:
        if trainer.global_step:
            self.restored = {k: float(v) for k, v in pl_module.train_metrics.compute().items()}

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if trainer.global_step == self.at_step:
            self.values = {k: float(v) for k, v in pl_module.train_metrics.compute().items()}

    def on_train_epoch_end(self, trainer, pl_module) -> None:  # runs before the module's hook resets
        self.loss_weights.append(int(pl_module.train_loss.state.weight))


def test_resume_from_a_mid_epoch_checkpoint(tmp_path: Path) -> None:
    # 8 batches an epoch; a checkpoint after 3 steps holds the metric state of those 3 batches
    first = _Recorder(at_step=3)
    ckpt = ModelCheckpoint(dirpath=tmp_path, every_n_train_steps=3, save_top_k=-1, filename="{step}")
    trainer = _trainer(tmp_path, max_epochs=1, callbacks=[first, ckpt], enable_checkpointing=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Lightning's own hints (few workers, …)
        trainer.fit(Classifier(persistent=True), loader(128, seed=1), loader(64, seed=2))
        path = tmp_path / "step=3.ckpt"
        assert path.is_file() and first.values is not None
        assert any(k.startswith("train_metrics.state.") for k in torch.load(path, weights_only=False)["state_dict"])

        resumed = _Recorder(at_step=-1)
        again = _trainer(tmp_path, max_epochs=1, callbacks=[resumed])
        again.fit(Classifier(persistent=True), loader(128, seed=1), loader(64, seed=2), ckpt_path=path)
    assert resumed.restored == first.values  # the metric state resumed exactly
    assert resumed.loss_weights == [8] and first.loss_weights == [8]  # 3 restored batches + 5 after the resume


def test_checkpoint_loads_into_an_inference_module_without_metrics(tmp_path: Path) -> None:
    model = Classifier()
    trainer = _trainer(tmp_path, max_epochs=1, enable_checkpointing=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.fit(model, loader(64, seed=1), loader(32, seed=2))
    path = tmp_path / "model.ckpt"
    trainer.save_checkpoint(path)
    keys = set(torch.load(path, weights_only=False)["state_dict"])
    assert keys == {"net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inference = Classifier.load_from_checkpoint(path, metrics=False, strict=True)
        same = Classifier.load_from_checkpoint(path, strict=True)  # and into the model with metrics
    assert not hasattr(inference, "val_metrics")
    x = torch.randn(4, 8)
    torch.testing.assert_close(inference(x), model(x))
    torch.testing.assert_close(same(x), model(x))
