"""The documentation builds with warnings as errors, and its Python examples run.

Code blocks fenced as ```python in docs/*.md are executed, page by page in one namespace
(blocks fenced as ```py are shown but not run: they need Lightning, a GPU or a cluster; so
are the pages in FRAGMENT_PAGES). A block whose every ``print(x)  # value`` line states
its output has that output checked.
``torch.compile`` defaults to the "eager" backend here: the examples check that the
capture works (fullgraph, no graph break) without paying for code generation.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md"))
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
_SHOWN = re.compile(r"\)\s+# (.+)$")


def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    pytest.importorskip("material")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    out = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert out.returncode == 0, f"mkdocs build --strict failed:\n{out.stdout}\n{out.stderr}"
    assert (tmp_path / "site" / "api" / "classification" / "index.html").is_file()


# Pages whose ```python blocks are fragments of multi-process programs (torchrun, NCCL): shown,
# not run here; the code they show is run by tests/test_distributed.py and examples/.
FRAGMENT_PAGES = {"distributed.md"}


def _blocks(page: Path) -> list[str]:
    if str(page.relative_to(DOCS)) in FRAGMENT_PAGES:
        return []
    # snippet includes and doctest-style blocks are not scripts
    return [b for b in _BLOCK.findall(page.read_text()) if "--8<--" not in b and not b.lstrip().startswith(">>>")]


@pytest.mark.parametrize("page", [p for p in PAGES if _blocks(p)], ids=lambda p: str(p.relative_to(DOCS)))
def test_code_blocks_run(page, tmp_path, monkeypatch):
    blocks = _blocks(page)
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    compile_ = torch.compile
    monkeypatch.setattr(torch, "compile", functools.partial(compile_, backend="eager"))
    torch._dynamo.reset()
    # a real module, so that dataclasses (@metrix.state) defined in the examples can find it
    module = types.ModuleType(f"docs_{page.parent.name}_{page.stem.replace('-', '_')}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace = module.__dict__
    try:
        for i, code in enumerate(blocks):
            out = io.StringIO()
            try:
                with contextlib.redirect_stdout(out):
                    exec(compile(code, f"{page.relative_to(ROOT)}[block {i}]", "exec"), namespace)
            except Exception as err:
                raise AssertionError(f"{page.relative_to(ROOT)}, code block {i} failed:\n{code}") from err
            # `print(x)  # value`: when every print of a block says what it prints, check it
            prints = [line for line in code.splitlines() if line.lstrip().startswith("print(")]
            shown = [m.group(1).strip() for line in prints if (m := _SHOWN.search(line))]
            if prints and len(shown) == len(prints):
                assert out.getvalue().splitlines() == shown, f"{page.relative_to(ROOT)}, code block {i}"
    finally:
        torch._dynamo.reset()
        import matplotlib.pyplot as plt

        plt.close("all")
