"""griffe extensions for metrix's docstrings and re-exports.

* ``from ._x import y as y`` re-exports are public API: metrix's package ``__init__``
  files use this redundant-alias convention (PEP 484) instead of ``__all__``, and griffe
  treats imported names as private by default.
* A Google ``Example:`` section is read as ``Examples:``, so its doctests render as
  code (griffe only knows the plural title; the singular one became a plain admonition).
"""

from __future__ import annotations

import ast
import re
from typing import Any

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)


class RedundantAliasesArePublic(griffe.Extension):
    """Mark ``import y as y`` aliases of metrix modules as public."""

    def on_alias_instance(self, *, node: Any, alias: griffe.Alias, agent: Any, **kwargs: Any) -> None:
        """Called for every alias griffe creates while visiting a module."""
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or alias.name.startswith("_"):
            return
        if not alias.target_path.startswith("metrix."):
            return
        if any(a.asname == alias.name and a.name.rsplit(".", 1)[-1] == alias.name for a in node.names):
            alias.public = True


class ExampleSections(griffe.Extension):
    """Read ``Example:`` as the ``Examples:`` section."""

    def on_instance(self, *, node: Any, obj: griffe.Object, agent: Any, **kwargs: Any) -> None:
        """Called for every module, class, function and attribute."""
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE.sub(r"\1Examples:", obj.docstring.value)
