"""Shared ``Args:`` entries for families of factories with the same parameters.

Sibling factories (``binary_precision``, ``binary_recall``, ``binary_specificity``…) take the
same TorchMetrics-shaped parameters, and each parameter means the same thing in all of them.
A :class:`Glossary` holds that meaning once; decorating a factory with it writes the
factory's ``Args:`` section from its signature:

* a parameter the docstring describes itself keeps its own entry (the place for wording that
  differs in this one factory);
* every other parameter takes the glossary's entry;
* a parameter found in neither, or an entry for a name the signature lacks, is an error at
  import, so no parameter goes undocumented and no entry outlives its parameter.

The entries follow the signature's order. The section replaces the docstring's ``Args:``
section, or goes before its first other section (``Returns:``, ``Raises:``, ``Example:``…)
when it has none. A glossary made with ``returns=`` also writes that ``Returns:`` section
after ``Args:`` in a docstring that has none of its own (siblings that return the same kind
of metric). ``intro=`` is a paragraph that every docstring of the glossary's factories
ends its description with (how the metrics are fed, where that is the same for the family).
``example=`` holds the opening ``>>>`` lines of every ``Example:`` section of the glossary's
factories (the imports and the data that one example serves them all with; ``{name}`` stands
for the factory's name): each docstring keeps only its own call and the value it prints.
``help()``, doctest and the API reference (``docs/_griffe_reexports.py`` reads the written
docstring) all see the finished text.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

__all__ = ["Glossary"]

F = TypeVar("F", bound=Callable[..., Any])

_SECTION = re.compile(
    r"^(Args|Arguments|Returns|Yields|Raises|Example|Examples|Note|Notes|Warning|Warnings|See Also|References):\s*$"
)
_ENTRY = re.compile(r"^(\*{0,2}[A-Za-z_][A-Za-z_0-9]*)\s*(?:\([^)]*\))?:\s?(.*)$")
_INDENT = "    "


def _split_sections(doc: str) -> tuple[list[str], dict[str, list[str]], list[str]]:
    """The lines before the first section, each section's body lines, and the section order."""
    head: list[str] = []
    sections: dict[str, list[str]] = {}
    order: list[str] = []
    current: list[str] = head
    for line in doc.splitlines():
        m = _SECTION.match(line)
        if m:
            order.append(m.group(1))
            current = sections.setdefault(m.group(1), [])
            continue
        current.append(line)
    return head, sections, order


def _parse_args(lines: list[str], where: str) -> dict[str, str]:
    """``{name: text}`` of an ``Args:`` body (entries at one indent, continuations deeper)."""
    entries: dict[str, str] = {}
    name = None
    for line in lines:
        if not line.strip():
            continue
        if line.startswith(_INDENT) and not line.startswith(_INDENT * 2):
            m = _ENTRY.match(line[len(_INDENT) :])
            if m is None:
                raise ValueError(f"{where}: cannot read the Args entry {line.strip()!r}")
            name = m.group(1).lstrip("*")
            entries[name] = m.group(2)
        elif name is not None and line.startswith(_INDENT * 2):
            entries[name] += "\n" + line[len(_INDENT) * 2 :]
        else:
            raise ValueError(f"{where}: cannot read the Args line {line!r}")
    return entries


def _entry_lines(name: str, text: str) -> list[str]:
    first, *rest = text.split("\n")
    return [f"{_INDENT}{name}: {first}".rstrip()] + [f"{_INDENT * 2}{r}".rstrip() for r in rest]


class Glossary:
    r"""The ``Args:`` entries that a family of factories shares; a decorator (see the module docstring).

    Args:
        entries: ``{parameter: text}``. A long text may hold ``\n``; its later lines are
            indented as continuation lines.
        returns: the ``Returns:`` text for docstrings without one (``None``: none written).
        intro: a paragraph added at the end of every description (``None``: none).
        example: the opening lines of every ``Example:`` section, ``{name}`` standing for the
            factory's name (``None``: none); a docstring without an ``Example:`` section is an
            error at import.

    Example:
        >>> from metrix._core.docstrings import Glossary
        >>> shared = Glossary({"threshold": "probability above which a prediction counts as positive."})
        >>> @shared
        ... def hits(threshold: float = 0.5, scale: float = 1.0):
        ...     '''Count hits.
        ...
        ...     Args:
        ...         scale: factor applied to the count.
        ...     '''
        >>> print(hits.__doc__)
        Count hits.
        <BLANKLINE>
        Args:
            threshold: probability above which a prediction counts as positive.
            scale: factor applied to the count.
    """

    def __init__(
        self,
        entries: Mapping[str, str],
        *,
        returns: str | None = None,
        intro: str | None = None,
        example: str | None = None,
    ) -> None:
        self.entries = {k: textwrap.dedent(v).strip() for k, v in entries.items()}
        self.returns = None if returns is None else textwrap.dedent(returns).strip()
        self.intro = None if intro is None else textwrap.dedent(intro).strip()
        self.example = None if example is None else textwrap.dedent(example).strip()

    def __or__(self, more: Mapping[str, str] | Glossary) -> Glossary:
        """A glossary with ``more``'s entries added (they win where a name is in both).

        ``more``'s ``returns``, ``intro`` and ``example`` win when it has them.
        """
        if isinstance(more, Glossary):
            return Glossary(
                {**self.entries, **more.entries},
                returns=more.returns or self.returns,
                intro=more.intro or self.intro,
                example=more.example or self.example,
            )
        return Glossary({**self.entries, **more}, returns=self.returns, intro=self.intro, example=self.example)

    def __call__(self, fn: F) -> F:
        """Write ``fn``'s ``Args:`` section; returns ``fn`` itself."""
        where = f"{fn.__module__}.{fn.__qualname__}"
        doc = inspect.cleandoc(fn.__doc__ or "")
        head, sections, order = _split_sections(doc)
        own = _parse_args(sections.get("Args", []), where)
        params = [
            p.name
            for p in inspect.signature(fn).parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name != "self"
        ]
        stray = sorted(set(own) - set(params))
        if stray:
            raise ValueError(f"{where}: the docstring describes {stray}, which the signature does not have")
        missing = [p for p in params if p not in own and p not in self.entries]
        if missing:
            raise ValueError(f"{where}: no Args entry for {missing} in the docstring or the glossary")
        args = [line for p in params for line in _entry_lines(p, own.get(p, self.entries.get(p, "")))]
        if args and "Args" not in order:
            order.insert(0, "Args")
        if args:
            sections["Args"] = [*args, ""]
        if self.returns is not None and "Returns" not in order:
            order.insert(order.index("Args") + 1 if args else 0, "Returns")
            sections["Returns"] = [f"{_INDENT}{line}".rstrip() for line in self.returns.split("\n")]
        if self.example is not None:
            if "Example" not in sections:
                raise ValueError(f"{where}: the glossary opens every Example section, and the docstring has none")
            opening = self.example.replace("{name}", fn.__name__).split("\n")
            sections["Example"] = [f"{_INDENT}{line}".rstrip() for line in opening] + sections["Example"]
        out = list(head)
        while out and not out[-1].strip():
            out.pop()
        if self.intro is not None:
            out += ["", *self.intro.split("\n")]
        for title in order:
            body = sections[title]
            while body and not body[-1].strip():
                body.pop()
            out += ["", f"{title}:", *body]
        fn.__doc__ = "\n".join(out).strip() + "\n"
        fn.__metrix_glossary__ = True  # type: ignore[attr-defined]  # a marker read by the docs' griffe extension
        return fn
