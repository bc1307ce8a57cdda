"""``make gpu-check``: the device subset of the law suite and the quick benchmarks, on CUDA.

Runs, in under 8 minutes on one GPU:

1. ``pytest -m device --device cuda tests/test_device.py``: every catalogue case with its
   tensors on the GPU (MetricModule update/forward/compute against CPU values, compile once
   (inductor for a few cases, the eager backend for the rest), vmap, bad input, eager and
   compiled);
2. ``benchmarks/run.py --device cuda --quick --no-write``.

Exits with status 2 and a message saying why when no CUDA device can be used.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_BUDGET_S = 330
BENCH_BUDGET_S = 140


def no_cuda_reason() -> str | None:
    """Why CUDA cannot be used here, or ``None`` when it can."""
    import torch

    if torch.version.cuda is None:
        return f"torch {torch.__version__} is a build without CUDA (install a CUDA build of torch)"
    if not torch.cuda.is_available():
        visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        hint = f" (CUDA_VISIBLE_DEVICES={visible!r})" if visible is not None else " (no driver or no GPU?)"
        return f"torch {torch.__version__} sees no CUDA device{hint}"
    return None


def _run(args: list[str], budget: float) -> tuple[int, float]:
    start = time.perf_counter()
    try:
        rc = subprocess.run([sys.executable, *args], cwd=ROOT, timeout=budget).returncode
    except subprocess.TimeoutExpired:
        print(f"gpu-check: {' '.join(args[:3])} ran past its {budget:.0f} s budget", file=sys.stderr)
        rc = 124
    return rc, time.perf_counter() - start


def main() -> int:
    reason = no_cuda_reason()
    if reason is not None:
        print(f"make gpu-check: no CUDA device: {reason}. Nothing was checked.", file=sys.stderr)
        return 2
    import torch

    print(f"gpu-check on {torch.cuda.get_device_name()} (torch {torch.__version__}, CUDA {torch.version.cuda})")
    workers = str(max(1, min(8, (os.cpu_count() or 2) // 2)))
    tests = ["-m", "pytest", "-q", "-p", "no:randomly", "-m", "device", "--device", "cuda", "-n", workers]
    tests += ["tests/test_device.py"]
    rc_tests, t_tests = _run(tests, TEST_BUDGET_S)
    rc_bench, t_bench = _run(["benchmarks/run.py", "--device", "cuda", "--quick", "--no-write"], BENCH_BUDGET_S)
    print(
        f"gpu-check: device tests {'passed' if rc_tests == 0 else f'FAILED (exit {rc_tests})'} in {t_tests:.0f} s; "
        f"benchmarks {'ran' if rc_bench == 0 else f'FAILED (exit {rc_bench})'} in {t_bench:.0f} s"
    )
    return rc_tests or rc_bench


if __name__ == "__main__":
    sys.exit(main())
