"""`make demo` keeps working: demo.py runs end to end, its four paths agree, and it writes the plots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.distributed
def test_demo_runs(tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("tqdm")
    pytest.importorskip("matplotlib")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, str(ROOT / "demo.py"), "--steps", "30", "--out", str(tmp_path / "out")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, f"demo.py failed:\n{out.stdout}\n{out.stderr}"
    assert "largest difference between paths" in out.stdout
    assert "both ranks got the same values: True" in out.stdout
    for name in ("roc.png", "confusion_matrix.png"):
        assert (tmp_path / "out" / name).stat().st_size > 10_000
