"""A small LightningModule that follows docs/guide/loops.md, for tests/test_lightning.py.

Module-level (importable, picklable) so that ``strategy="ddp_spawn"`` and ``"ddp"`` can
rebuild it in their worker processes.
"""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import metrix
from metrix import classification as mc
from metrix.aggregation import mean

NUM_CLASSES = 3


def dataset(n: int, seed: int) -> TensorDataset:
    """``n`` learnable samples: 8 features, 3 classes decided by a fixed linear rule plus noise."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 8, generator=g)
    rule = torch.randn(8, NUM_CLASSES, generator=torch.Generator().manual_seed(1234))
    y = (x @ rule + 0.5 * torch.randn(n, NUM_CLASSES, generator=g)).argmax(-1)
    return TensorDataset(x, y)


def loader(n: int, seed: int, batch_size: int = 16) -> DataLoader:
    return DataLoader(dataset(n, seed), batch_size=batch_size, shuffle=False)


def val_metric() -> metrix.Metric:
    """The collection the module tracks (pure), for computing expected values."""
    return metrix.collection(
        {
            "acc": mc.multiclass_accuracy(num_classes=NUM_CLASSES),
            "f1": mc.multiclass_f1_score(num_classes=NUM_CLASSES),
            "auroc": mc.multiclass_auroc(num_classes=NUM_CLASSES),
        },
        prefix="val/",
    )


class Classifier(L.LightningModule):
    """The documented pattern: one MetricModule per stage, batch values from forward, epoch values logged."""

    def __init__(self, metrics: bool = True, persistent: bool = False, lr: float = 0.2) -> None:
        super().__init__()
        self.save_hyperparameters()
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, NUM_CLASSES))
        if metrics:
            self.val_metrics = metrix.MetricModule(val_metric(), persistent=persistent)
            self.train_metrics = self.val_metrics.clone(prefix="train/")
            self.train_loss = metrix.MetricModule(mean(), persistent=persistent)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        x, y = batch
        logits = self(x)
        loss = F.cross_entropy(logits, y)
        if self.hparams.metrics:
            batch_values = self.train_metrics(logits, y)  # this batch; accumulated for the epoch as well
            self.log("train/acc_step", batch_values["train/acc"])
            self.train_loss.update(loss)  # a grad-carrying loss: the module keeps no graph
        return loss

    def on_train_epoch_end(self) -> None:
        if self.hparams.metrics:
            # compute() already synced: every rank holds the global value, and sync_dist=True (a mean
            # of equal values) only tells Lightning so (it warns about epoch-level values otherwise)
            self.log_dict(self.train_metrics.compute(), sync_dist=True)
            self.log("train/loss", self.train_loss.compute(), sync_dist=True)
            self.train_metrics.reset()
            self.train_loss.reset()

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        x, y = batch
        if self.hparams.metrics:
            self.val_metrics.update(self(x), y)

    def on_validation_epoch_end(self) -> None:
        if self.hparams.metrics:
            self.log_dict(self.val_metrics.compute(), sync_dist=True)
            self.val_metrics.reset()

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)
