"""griffe extensions for metrix's docstrings and re-exports.

* ``from ._x import y as y`` re-exports are public API: metrix's package ``__init__``
  files use this redundant-alias convention (PEP 484) instead of ``__all__``, and griffe
  treats imported names as private by default.
* A public factory made at import by a family builder (``metrix._core.family.publish``,
  e.g. ``binary_precision, ... = ZeroDivisionScore(...).factories``) is documented as a
  function from the live object: griffe reads source text, where it is no function.
* A Google ``Example:`` section is read as ``Examples:``, so its doctests render as
  code (griffe only knows the plural title; the singular one became a plain admonition).
* A docstring that metrix writes at import (a ``metrix._core.docstrings.Glossary`` fills
  a factory's ``Args:`` section from its signature; ``documented_dispatcher`` writes a
  dispatcher's) is read from the live function: griffe reads source text, which lacks it.
* Sphinx roles (``:class:`Metric```, ``:func:`~metrix.merge```, ``:math:`x```) and
  ``.. math::`` lines become inline code: the site renders Markdown, where they showed
  literally (and a role's colon made griffe read a ``Returns:`` line as ``name: text``).
  ``docs/_hooks.py`` fails the build on any role left in a rendered page.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from typing import Any

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)
_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|obj|exc|const|math):`(~?)([^`]+)`")
_MATH_LINE = re.compile(r"^(\s*)\.\. math::\s*(.+?)\s*$", re.MULTILINE)


def plain_roles(text: str) -> str:
    """Sphinx roles and ``.. math::`` lines as Markdown inline code."""

    def role(m: re.Match[str]) -> str:
        target = m.group(2).rsplit(".", 1)[-1] if m.group(1) else m.group(2)
        return f"`{target}`"

    return _MATH_LINE.sub(r"\1`\2`", _ROLE.sub(role, text))


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


class LiveDocstrings(griffe.Extension):
    """Take the docstring a ``Glossary`` wrote at import for the functions it decorates."""

    def on_instance(self, *, node: Any, obj: griffe.Object, agent: Any, **kwargs: Any) -> None:
        """Called for every module, class, function and attribute."""
        if not obj.is_function or not obj.path.startswith("metrix."):
            return
        live = getattr(importlib.import_module(obj.module.path), obj.name, None)
        if getattr(live, "__metrix_glossary__", False):  # a dispatcher's may have no source docstring at all
            source = obj.docstring  # keep the parser the loader gave it (a public module's own functions)
            parser = None if source is None else source.parser
            options = None if source is None else source.parser_options
            obj.docstring = griffe.Docstring(
                inspect.cleandoc(live.__doc__ or ""), parent=obj, parser=parser, parser_options=options
            )


class PublishedFactories(griffe.Extension):
    """Document the factories a family builder made at import as the functions they are."""

    def on_module_members(self, *, node: Any, mod: griffe.Module, agent: Any, **kwargs: Any) -> None:
        """Called once a module's members are known."""
        if not mod.path.startswith("metrix."):
            return
        live = importlib.import_module(mod.path)
        for name, fn in vars(live).items():
            if getattr(fn, "__metrix_published__", False) and fn.__module__ == mod.path and fn.__name__ == name:
                mod.set_member(name, _function(fn, mod))


def _function(fn: Any, parent: griffe.Module) -> griffe.Function:
    """A griffe function with ``fn``'s live signature and docstring."""
    signature = inspect.signature(fn)
    parameters = griffe.Parameters(
        *(
            griffe.Parameter(
                p.name,
                annotation=griffe.safe_get_annotation(ast.parse(p.annotation, mode="eval").body, parent),
                kind=griffe.ParameterKind(p.kind.description),
                default=None if p.default is p.empty else repr(p.default),
            )
            for p in signature.parameters.values()
        )
    )
    returns = griffe.safe_get_annotation(ast.parse(signature.return_annotation, mode="eval").body, parent)
    function = griffe.Function(fn.__name__, parameters=parameters, returns=returns, lineno=1, endlineno=1)
    function.parent = parent
    # griffe's on_instance hooks (ExampleSections, SphinxRoles) have run before this function exists
    text = plain_roles(_EXAMPLE.sub(r"\1Examples:", inspect.cleandoc(fn.__doc__)))
    function.docstring = griffe.Docstring(text, parent=function)
    return function


class ExampleSections(griffe.Extension):
    """Read ``Example:`` as the ``Examples:`` section."""

    def on_instance(self, *, node: Any, obj: griffe.Object, agent: Any, **kwargs: Any) -> None:
        """Called for every module, class, function and attribute."""
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE.sub(r"\1Examples:", obj.docstring.value)


class SphinxRoles(griffe.Extension):
    """Render Sphinx roles in docstrings as inline code (see the module docstring)."""

    def on_instance(self, *, node: Any, obj: griffe.Object, agent: Any, **kwargs: Any) -> None:
        """Called for every module, class, function and attribute."""
        if obj.docstring is not None:
            obj.docstring.value = plain_roles(obj.docstring.value)
