"""A light module for process-spawn tests: the child imports only this (not the catalogue)."""

from __future__ import annotations

import pickle

import torch


def update_and_report(rank: int, payload: bytes, out: object) -> None:
    """Unpickle a MetricModule, update it once and send back its computed values."""
    module = pickle.loads(payload)
    module.update(torch.tensor([0.9, 0.1]), torch.tensor([1, 0]))
    out.put({k: float(v) for k, v in module.compute().items()})  # type: ignore[attr-defined]
