"""The law suite's device subset: compile, vmap, bad input and MetricModule with tensors on ``--device``.

``make gpu-check`` (tests/gpu_check.py) runs it with ``--device cuda`` over the whole
catalogue. In the ordinary CPU run (``--device cpu``, the default) it runs over a few
cases only, so the code that the GPU check relies on is exercised everywhere
(``METRIX_DEVICE_ALL=1`` runs the whole catalogue on the CPU, to check the subset itself).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import torch
import torch.utils._pytree as pytree

import metrix
from tests.catalogue import CASES, Case
from tests.catalogue._case import assert_close, gen

pytestmark = pytest.mark.device

# the CPU run's sample: one case of each kind of state (sums, counts, binned and exact curves, moments)
CPU_SAMPLE = ("mean", "binary_accuracy-probs", "multiclass_auroc-binned", "multiclass_auroc-exact", "pearson")
# compiled with inductor (real code generation) on an accelerator; the rest with the eager backend
INDUCTOR = ("binary_accuracy-probs", "multiclass_auroc-binned", "pearson")


def _cases(config: pytest.Config, keep: Any = None) -> list[Any]:
    everything = config.getoption("--device") != "cpu" or os.environ.get("METRIX_DEVICE_ALL") == "1"
    chosen = [c for c in CASES if everything or c.id in CPU_SAMPLE]
    return [pytest.param(c, id=c.id) for c in chosen if keep is None or keep(c)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" not in metafunc.fixturenames:
        return
    name = metafunc.function.__name__
    keep = None
    if "compile" in name:
        keep = lambda c: c.fixed_state and c.compile  # noqa: E731
    elif "vmap" in name:
        keep = lambda c: c.fixed_state and c.vmap  # noqa: E731
    elif "bad" in name:
        keep = lambda c: bool(c.bad_inputs)  # noqa: E731
    metafunc.parametrize("case", _cases(metafunc.config, keep))


@pytest.fixture
def device(request: pytest.FixtureRequest) -> torch.device:
    d = torch.device(request.config.getoption("--device"))
    if d.type == "cuda" and not torch.cuda.is_available():
        pytest.skip("--device cuda: no CUDA device")
    return d


def to(x: Any, device: torch.device) -> Any:
    """Tensors (in lists, tuples, dicts) moved to ``device``."""
    return pytree.tree_map(lambda t: t.to(device) if isinstance(t, torch.Tensor) else t, x)


def _tolerance(case: Case, device: torch.device) -> dict[str, float]:
    # GPU kernels sum in another order (and TF32 may be on): a looser, still tight, tolerance there
    scale = 1.0 if device.type == "cpu" else 10.0
    return {"atol": case.atol * scale, "rtol": case.rtol * scale}


def test_module_on_device_equals_cpu(case: Case, device: torch.device) -> None:
    m = case.metric()
    module = metrix.MetricModule(m).to(device)
    batches = [case.inputs(gen(20 + i), 16) for i in range(3)]  # 48 samples: within every capacity= case
    reference = m.init()
    for i, inputs in enumerate(batches):
        args, kwargs = case.call_args(to(inputs, device))
        if i == 1:
            module(*args, **kwargs)
        else:
            module.update(*args, **kwargs)
        reference = case.update(m, reference, inputs)
    assert all(t.device.type == device.type for t in pytree.tree_leaves(module.state) if isinstance(t, torch.Tensor))
    value = module.compute()
    assert_close(
        to(value, torch.device("cpu")), m.compute(reference), what=f"{case.id} on {device}", **_tolerance(case, device)
    )


def _backend(case: Case, device: torch.device, counter: list[int]) -> Any:
    inductor = device.type != "cpu" and case.id in INDUCTOR

    def backend(gm: torch.fx.GraphModule, example_inputs: list) -> Any:
        counter[0] += 1
        if inductor:
            from torch._inductor.compile_fx import compile_fx

            return compile_fx(gm, example_inputs)
        return gm.forward

    return backend


def test_compile_once_on_device(case: Case, device: torch.device) -> None:
    torch._dynamo.reset()
    m = case.metric()
    counter = [0]
    update = torch.compile(m.update, backend=_backend(case, device, counter), fullgraph=True)
    state_c, state_e = m.init(device=device), m.init()
    for step in range(3):
        inputs = case.inputs(gen(10 + step), 16)
        args, kwargs = case.call_args(to(inputs, device))
        state_c = update(state_c, *args, **kwargs)
        state_e = case.update(m, state_e, inputs)
    assert counter[0] == 1, f"{case.id}: update compiled {counter[0]} times on {device}"
    got = to(m.compute(state_c), torch.device("cpu"))
    assert_close(got, m.compute(state_e), what=f"compiled on {device} vs eager cpu", **_tolerance(case, device))


# 12 samples per member often lack a class: the MetrixWarning that says so is tested in
# tests/test_warnings.py, not here
@pytest.mark.filterwarnings("ignore::metrix.MetrixWarning")
def test_vmap_on_device(case: Case, device: torch.device) -> None:
    m = case.metric()
    members = 3
    batches = [case.inputs(gen(100 + e), 12) for e in range(members)]
    stacked = metrix.stack([m.init(device=device) for _ in range(members)])
    stacked_inputs = tuple(
        torch.stack(xs).to(device) if isinstance(xs[0], torch.Tensor) else xs[0] for xs in zip(*batches)
    )
    args, kwargs = case.call_args(stacked_inputs)
    values = torch.func.vmap(m.compute)(torch.func.vmap(m.update)(stacked, *args, **kwargs))
    for e in range(members):
        expected = m.compute(case.update(m, m.init(), batches[e]))
        got = to(pytree.tree_map(lambda v: v[e], values), torch.device("cpu"))
        assert_close(got, expected, what=f"member {e} on {device}", **_tolerance(case, device))


def test_bad_input_on_device(case: Case, device: torch.device) -> None:
    m = case.metric()
    for bad in case.bad_inputs:
        args, kwargs = case.call_args(to(bad.make(gen(4)), device))
        with pytest.raises(bad.error, match=bad.match):
            m.update(m.init(device=device), *args, **kwargs)
        module = metrix.MetricModule(m).to(device)
        with pytest.raises(bad.error, match=bad.match):
            module.update(*args, **kwargs)
        assert module.update_count == 0
        if bad.traced and case.fixed_state and case.compile:
            torch._dynamo.reset()
            update = torch.compile(m.update, backend="eager", fullgraph=True)
            with pytest.raises(bad.error, match=bad.match):
                update(m.init(device=device), *args, **kwargs)


def test_gpu_check_says_why_without_cuda() -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    run = subprocess.run(
        [sys.executable, str(root / "tests" / "gpu_check.py")], capture_output=True, text=True, env=env, timeout=300
    )
    assert run.returncode == 2, run.stdout + run.stderr
    assert "make gpu-check: no CUDA device:" in run.stderr and "Nothing was checked" in run.stderr
    assert "pytest" not in run.stdout  # nothing ran
