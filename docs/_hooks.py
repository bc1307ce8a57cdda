"""mkdocs hooks: guard API pages of packages not in this build, and generate the migration table.

* A ``::: metrix.x`` line whose module cannot be found is replaced by a note, so that a
  partial checkout still builds with ``--strict``.
* ``<!-- metrix:api family -->`` becomes one entry per public factory of
  ``metrix.family``, grouped in sections by the private module that defines it (whose
  docstring, "Title: intro.", names the section).
* ``<!-- metrix:migration-table -->`` is replaced by a table of every public factory of
  the metric families, each with its TorchMetrics functional and class counterparts
  (looked up in the installed TorchMetrics, when there is one).
* A rendered page that still shows reST markup (a Sphinx role such as ``:class:`` or a
  ``.. directive::``) fails the build: the site renders Markdown, where they show literally.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
import sys
from typing import Any

FAMILIES = (
    "aggregation",
    "audio",
    "classification",
    "image",
    "detection",
    "regression",
    "retrieval",
    "segmentation",
    "text",
    "nominal",
    "clustering",
    "pairwise",
    "shape",
    "wrappers",
)
_API = re.compile(r"^::: (metrix[\w.]*)\s*$", re.MULTILINE)
_TABLE = "<!-- metrix:migration-table -->"
# TorchMetrics class names that do not follow from the functional name.
_CLASS_NAMES = {
    "aggregation.mean": "MeanMetric",
    "aggregation.sum": "SumMetric",
    "aggregation.max": "MaxMetric",
    "aggregation.min": "MinMetric",
    "aggregation.cat": "CatMetric",
    "classification.binary_groups_stat_rates": "BinaryGroupStatRates",
    "classification.demographic_parity": "BinaryFairness",
    "classification.equal_opportunity": "BinaryFairness",
    "retrieval.retrieval_average_precision": "RetrievalMAP",
    "retrieval.retrieval_reciprocal_rank": "RetrievalMRR",
    "text.word_information_lost": "WordInfoLost",
    "text.word_information_preserved": "WordInfoPreserved",
    "wrappers.running": "Running",
    "wrappers.classwise": "ClasswiseWrapper",
    "wrappers.min_max": "MinMaxMetric",
    "wrappers.minmax": "MinMaxMetric",
    "wrappers.bootstrap": "BootStrapper",
    "wrappers.multioutput": "MultioutputWrapper",
    "wrappers.multitask": "MultitaskWrapper",
    "wrappers.tracker": "MetricTracker",
    "wrappers.binary_target": "BinaryTargetTransformer",
    "wrappers.lambda_input": "LambdaInputTransformer",
}


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _has_object(path: str) -> bool:
    """Whether ``path`` names an attribute of an importable module (``metrix.family.name``)."""
    parent, _, name = path.rpartition(".")
    return bool(parent) and _exists(parent) and hasattr(importlib.import_module(parent), name)


def _guard_api(markdown: str) -> str:
    def replace(m: re.Match[str]) -> str:
        module = m.group(1)
        if _exists(module) or _has_object(module):
            return m.group(0)
        return f'!!! note "Not in this build"\n    `{module}` is not part of this checkout yet.\n'

    return _API.sub(replace, markdown)


def _public_factories(family: str) -> list[str]:
    module = importlib.import_module(f"metrix.{family}")
    names = []
    for name in sorted(vars(module)):
        obj = getattr(module, name)
        if name.startswith("_") or not inspect.isfunction(obj) or not obj.__module__.startswith("metrix."):
            continue
        names.append(name)
    return names


def _torchmetrics_lookup() -> tuple[Any, dict[str, str]] | None:
    try:
        import torchmetrics
        import torchmetrics.functional
    except Exception:  # any failure means: no TorchMetrics column
        return None
    classes: dict[str, str] = {}
    for modname in (
        "torchmetrics",
        "torchmetrics.classification",
        "torchmetrics.regression",
        "torchmetrics.retrieval",
        "torchmetrics.text",
        "torchmetrics.wrappers",
        "torchmetrics.image",
        "torchmetrics.image.fid",
        "torchmetrics.image.kid",
        "torchmetrics.image.inception",
        "torchmetrics.image.mifid",
        "torchmetrics.audio",
        "torchmetrics.detection",
        "torchmetrics.segmentation",
        "torchmetrics.nominal",
        "torchmetrics.clustering",
        "torchmetrics.shape",
    ):
        try:
            mod = importlib.import_module(modname)
        except Exception:
            continue
        for name in dir(mod):
            obj = getattr(mod, name)
            if inspect.isclass(obj) and not name.startswith("_"):
                classes.setdefault(name.lower(), f"{modname}.{name}" if modname != "torchmetrics" else name)
    return torchmetrics.functional, classes


def _functional_path(functional: Any, family: str, name: str) -> str | None:
    for path in (f"{family}.{name}", name):
        obj: Any = functional
        try:
            for part in path.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            continue
        if callable(obj):
            return f"torchmetrics.functional.{path}"
    return None


def migration_table() -> str:
    """The name-by-name table, one row per public metrix factory."""
    tm = _torchmetrics_lookup()
    rows = [
        "| metrix | TorchMetrics functional | TorchMetrics class (use `metrix.MetricModule(...)`) |",
        "|---|---|---|",
    ]
    for family in FAMILIES:
        if not _exists(f"metrix.{family}"):
            continue
        for name in _public_factories(family):
            functional = cls = None
            if tm is not None:
                fn_module, classes = tm
                functional = _functional_path(fn_module, family, name) if family != "wrappers" else None
                wanted = _CLASS_NAMES.get(f"{family}.{name}", name.replace("_", ""))
                cls = classes.get(wanted.lower())
            rows.append(
                f"| `metrix.{family}.{name}` | {f'`{functional}`' if functional else '—'} | "
                f"{f'`{cls.rsplit(chr(46), 1)[-1]}`' if cls else '—'} |"
            )
    if tm is None:
        rows.append("| | *(TorchMetrics is not installed in this docs build: counterparts not listed)* | |")
    return "\n".join(rows)


_API_MARKER = re.compile(r"^<!-- metrix:api (\w+) -->$", re.MULTILINE)


def _group_title(module: Any) -> tuple[str, str]:
    """A section title and intro from a private module's docstring ("Title: intro.")."""
    doc = inspect.getdoc(module) or ""
    first = doc.split("\n\n", 1)[0].replace("\n", " ").strip()
    if ":" in first:
        title, intro = first.split(":", 1)
        if 0 < len(title) <= 60 and "`" not in title:
            return title.strip(), intro.strip()
    name = module.__name__.rsplit(".", 1)[-1].strip("_").replace("_", " ")
    return name.capitalize(), first


def api_page(family: str) -> str:
    """Every public factory of a family, grouped by the module that defines it."""
    if not _exists(f"metrix.{family}"):
        return f'!!! note "Not in this build"\n    `metrix.{family}` is not part of this checkout yet.\n'
    package = importlib.import_module(f"metrix.{family}")
    groups: dict[str, list[str]] = {}
    for name in _public_factories(family):
        groups.setdefault(getattr(package, name).__module__, []).append(name)
    parts = []
    for module_name, names in groups.items():
        title, intro = _group_title(importlib.import_module(module_name))
        parts.append(f"## {title}\n\n{intro}\n")
        for name in names:
            parts.append(
                f"::: metrix.{family}.{name}\n    options:\n      heading_level: 3\n"
                "      show_root_heading: true\n      show_root_full_path: false\n"
            )
    return "\n".join(parts)


def on_config(config: Any) -> Any:
    """Import this checkout's ``metrix`` (the docs are built from the repository root)."""
    root = os.path.dirname(os.path.abspath(config.config_file_path))
    if root not in sys.path:
        sys.path.insert(0, root)
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Guard ``:::`` API blocks and expand the migration-table marker."""
    markdown = _API_MARKER.sub(lambda m: api_page(m.group(1)), markdown)
    markdown = _guard_api(markdown)
    if _TABLE in markdown:
        markdown = markdown.replace(_TABLE, migration_table())
    return markdown


# reST markup that Markdown shows literally: a role before the inline code its backticks became,
# or a directive in the text (mentions inside code, inline or in listings, are code: not checked)
_ROLE_LEFT = re.compile(r"(?<![\w:]):(?:py:)?[a-z]+:<code>")
_DIRECTIVE_LEFT = re.compile(r"(?:^|>)\s*\.\. [a-z-]+::", re.MULTILINE)
_CODE_BLOCK = re.compile(r"<pre\b.*?</pre>", re.DOTALL)
_INLINE_CODE = re.compile(r"<code>.*?</code>", re.DOTALL)


def rest_leftovers(html: str) -> list[str]:
    """Snippets of reST markup left in a rendered page's text (empty when there is none)."""
    text = _CODE_BLOCK.sub("", html)
    found = [text[max(0, m.start() - 60) : m.end() + 40] for m in _ROLE_LEFT.finditer(text)]
    prose = _INLINE_CODE.sub("", text)
    return found + [prose[max(0, m.start() - 60) : m.end() + 40] for m in _DIRECTIVE_LEFT.finditer(prose)]


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """Fail the build on reST roles or directives rendered literally."""
    found = rest_leftovers(html)
    if found:
        from mkdocs.exceptions import PluginError

        raise PluginError(
            f"{page.file.src_uri}: {len(found)} reST role(s)/directive(s) rendered literally "
            f"(write Markdown: `name` instead of :class:`name`), e.g. ...{found[0]}..."
        )
    return html
