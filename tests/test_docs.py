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


# Pages whose ```python blocks are fragments that cannot run here: shown, not run (none at the
# moment: distributed.md's snippets run on one process, where sync returns the state as is).
FRAGMENT_PAGES: set[str] = set()


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


def _docs_module(name: str) -> types.ModuleType:
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"_metrix_docs_{name}", DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_api_docstrings_render_as_markdown():
    """Every docstring the API reference renders: no reST left after the docs' role rewrite, one Returns item."""
    griffe = pytest.importorskip("griffe")
    yaml = pytest.importorskip("yaml")
    extension = _docs_module("_griffe_reexports")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    plugin = next(p["mkdocstrings"] for p in config["plugins"] if isinstance(p, dict) and "mkdocstrings" in p)
    options = plugin["handlers"]["python"]["options"]["docstring_options"]
    parse_options = {k: v for k, v in options.items() if k != "warn_missing_types"}
    role = re.compile(r"(?<![\w:]):(?:py:)?[a-z]+:`|^\s*\.\. [a-z-]+::", re.MULTILINE)
    package = griffe.load("metrix", search_paths=[str(ROOT)])
    problems: list[str] = []

    def walk(obj) -> None:
        for member in list(obj.members.values()):
            if member.is_alias:
                continue
            if member.docstring is not None:
                text = extension.plain_roles(member.docstring.value)
                problems.extend(f"{member.path}: reST {m.group(0)!r}" for m in role.finditer(text))
                parsed = griffe.Docstring(text, parent=member).parse("google", **parse_options)
                for section in parsed:
                    if section.kind.value in ("returns", "yields") and len(section.value) > 1:
                        problems.append(f"{member.path}: {section.kind.value} split into {len(section.value)} items")
            if member.is_module or member.is_class:
                walk(member)

    walk(package)
    assert not problems, "\n".join(problems)


def test_rest_leftovers_fail_the_build_hook():
    hooks = _docs_module("_hooks")
    assert hooks.rest_leftovers("<p>a <code>Metric</code> value</p>") == []
    assert hooks.rest_leftovers("<p>a :class:<code>Metric</code> value</p>")
    assert hooks.rest_leftovers("<p>.. math:: x^2</p>")
    assert hooks.rest_leftovers('<pre><code>""":class:`Metric`"""</code></pre>') == []  # code listings are code
    assert hooks.rest_leftovers("<p>not <code>:class:`Metric`</code> nor <code>.. math::</code></p>") == []
    extension = _docs_module("_griffe_reexports")
    assert extension.plain_roles(":class:`Metric` and :func:`~metrix.merge`") == "`Metric` and `merge`"
