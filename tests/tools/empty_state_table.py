"""What every catalogue metric returns on an empty state: the table in docs/guide/empty-state.md.

Every ``Case`` of the catalogue is computed on ``init()`` (no update), and what comes out is
described in words: a number, NaN, an empty tensor, the error raised, and whether a
``MetrixWarning`` was issued. Factories of one family (the package that exports them) that
answer alike share a row. ``tests/test_empty_state.py`` compares the table with the page;
after a deliberate change, rewrite the page's table with

    python -m tests.tools.empty_state_table --write
"""

from __future__ import annotations

import argparse
import inspect
import math
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

import metrix
from tests.catalogue import CASES

PAGE = Path(__file__).resolve().parents[2] / "docs" / "guide" / "empty-state.md"
START, END = "<!-- empty-state-table:start -->", "<!-- empty-state-table:end -->"

# Families in the order of the page; a factory belongs to the first package that exports it.
FAMILIES = (
    "classification",
    "regression",
    "aggregation",
    "wrappers",
    "retrieval",
    "detection",
    "segmentation",
    "text",
    "image",
    "audio",
    "nominal",
    "clustering",
    "shape",
)


def _extra() -> list[tuple[str, str, Callable[[], metrix.Metric], dict[str, str]]]:
    """Combinators that have no catalogue Case of their own, on a representative base metric."""
    from metrix import aggregation, classification

    return [
        ("wrappers", "running", lambda: metrix.wrappers.running(aggregation.mean(), window=3), {"m": "metric=mean()"}),
        (
            "wrappers",
            "running",
            lambda: metrix.wrappers.running(classification.binary_accuracy(), window=3),
            {"m": "metric=binary_accuracy()"},
        ),
    ]


def _number(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == int(v):
        return str(int(v))
    return f"{v:g}"


def describe(value: Any) -> str:
    """A short, configuration-independent description of a metric value."""
    if isinstance(value, Tensor):
        if value.numel() == 0:
            return "empty tensor"
        flat = value.detach().double().flatten()
        values = sorted({_number(float(v)) for v in flat.tolist()}, key=_order)
        if value.dim() == 0:
            return values[0]
        if len(values) == 1:
            return f"tensor of {values[0]}"
        if len(values) <= 3:
            return f"tensor of {' / '.join(values)}"
        return f"tensor of values in [{_number(float(flat.min()))}, {_number(float(flat.max()))}]"
    if isinstance(value, dict):
        parts = sorted({describe(v) for v in value.values()})
        if len(parts) == 1:
            return f"dict of {parts[0]}"
        return f"dict of {' / '.join(parts[:3])}{' / …' if len(parts) > 3 else ''}"
    if isinstance(value, list):
        parts = sorted({describe(v) for v in value})
        return f"list of {' / '.join(parts)}" if parts else "empty list"
    if isinstance(value, tuple):
        return "(" + ", ".join(describe(v) for v in value) + ")"
    if isinstance(value, (int, float)):
        return _number(float(value))
    return type(value).__name__


def _order(text: str) -> tuple[int, float]:
    return (1, 0.0) if text == "NaN" else (0, float(text))


def outcome(metric: metrix.Metric) -> str:
    """``compute(init())`` of ``metric`` in words, with ``(warns)`` when it issued a ``MetrixWarning``."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            text = describe(metric.compute(metric.init()))
        except Exception as err:  # the table records errors too
            text = f"raises {type(err).__name__}"
    if any(issubclass(w.category, metrix.MetrixWarning) for w in seen):
        text += " + warning"
    return text


def _family(factory: Any) -> str:
    for family in FAMILIES:
        module = getattr(metrix, family, None)
        if module is not None and any(v is factory for v in vars(module).values()):
            return family
    return factory.__module__.split(".")[1]


# sizes that every configuration must choose: not what a reader needs to tell cases apart
_SIZES = {"num_classes", "num_labels", "num_groups"}


def _text(v: Any) -> str:
    if isinstance(v, Tensor):
        return "tensor"
    if isinstance(v, metrix.Metric):
        return repr(v)
    if callable(v):
        return getattr(v, "__name__", type(v).__name__)
    return repr(v)


def _config(factory: Any, kwargs: dict[str, Any]) -> dict[str, str]:
    """The case's options that differ from the factory's defaults, as ``name=value`` texts."""
    try:
        defaults = {k: p.default for k, p in inspect.signature(factory).parameters.items()}
    except (TypeError, ValueError):
        defaults = {}
    out = {}
    for k, v in kwargs.items():
        if k in _SIZES or (k in defaults and defaults[k] is not inspect.Parameter.empty and _same(defaults[k], v)):
            continue
        out[k] = f"{k}={_text(v)}"
    return out


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:  # tensors and other values without a plain ==
        return False


def _shared(configs: list[dict[str, str]], everyone: set[str]) -> list[str]:
    """The options every configuration of one answer shares and not every configuration of the factory does."""
    return sorted(set.intersection(*(set(c.values()) for c in configs)) - everyone)


def _cell(by_outcome: dict[str, list[dict[str, str]]]) -> str:
    configs = [c for cs in by_outcome.values() for c in cs]
    everyone = set.intersection(*(set(c.values()) for c in configs))
    if len(by_outcome) == 1:
        answer = next(iter(by_outcome))
        return f"{answer} ({', '.join(f'`{o}`' for o in sorted(everyone))})" if everyone else answer
    labelled, rest = [], []
    for answer, cs in sorted(by_outcome.items()):
        shared = _shared(cs, everyone)
        if shared:
            labelled.append(f"{answer} ({', '.join(f'`{o}`' for o in shared)})")
        elif any(not c for c in cs):
            labelled.append(f"{answer} (defaults)")
        else:
            rest.append(answer)
    if len(rest) == 1:
        return "; ".join([*labelled, f"{rest[0]} (otherwise)"])
    # several answers without a common option: list their configurations
    for answer in rest:
        options = sorted({" ".join(f"`{o}`" for o in sorted(c.values())) for c in by_outcome[answer]})
        labelled.append(f"{answer} ({' or '.join(options)})")
    return "; ".join(labelled)


def rows() -> list[tuple[str, str, str]]:
    """``(family, factories, value)`` rows: one per family and distinct answer."""
    answers: dict[tuple[str, str], dict[str, list[dict[str, str]]]] = {}  # (family, name) -> outcome -> configs
    for case in CASES:
        key = (_family(case.factory), case.factory.__name__)
        answers.setdefault(key, {}).setdefault(outcome(case.metric()), []).append(_config(case.factory, case.kwargs))
    for family, name, build, config in _extra():
        answers.setdefault((family, name), {}).setdefault(outcome(build()), []).append(config)
    grouped: dict[tuple[str, str], list[str]] = {}
    for (family, name), by_outcome in answers.items():
        grouped.setdefault((family, _cell(by_outcome)), []).append(name)
    order = {f: i for i, f in enumerate(FAMILIES)}
    out = [(family, ", ".join(f"`{n}`" for n in sorted(names)), text) for (family, text), names in grouped.items()]
    return sorted(out, key=lambda r: (order.get(r[0], len(order)), r[1]))


def table() -> str:
    """The Markdown table."""
    lines = ["| family | metrics | `compute(init())` |", "|---|---|---|"]
    lines += [f"| {family} | {names} | {text} |" for family, names, text in rows()]
    return "\n".join(lines)


def page_table(page: Path = PAGE) -> str:
    """The table currently on the page (between the markers)."""
    text = page.read_text()
    return text[text.index(START) + len(START) : text.index(END)].strip()


def write(page: Path = PAGE) -> None:
    """Rewrite the table on the page."""
    text = page.read_text()
    head, tail = text[: text.index(START) + len(START)], text[text.index(END) :]
    page.write_text(f"{head}\n{table()}\n{tail}")


def main(argv: list[str] | None = None) -> int:
    """Print the table, or ``--write`` it into the page."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"rewrite the table in {PAGE}")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.write:
        write()
    else:
        print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
