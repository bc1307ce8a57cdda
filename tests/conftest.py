"""Shared pytest configuration: hypothesis profiles and torch settings."""

from __future__ import annotations

import os

import torch
from hypothesis import HealthCheck, settings

# Two cores in CI: keep every worker single-threaded so xdist workers don't fight.
torch.set_num_threads(1)

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("METRIX_HYPOTHESIS_EXAMPLES", "20")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("dev", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("METRIX_HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser) -> None:
    """``--device cuda``: run the device-marked tests (tests/test_device.py) with tensors there."""
    parser.addoption("--device", default="cpu", help="device for the device-marked tests (make gpu-check: cuda)")
