"""The classification row of the "which metrics take weights" table in ``docs/guide/weights.md``.

``python -m tests.tools.weights_table`` prints the row, built from the public factories of
``metrix.classification`` (each built with its defaults, required arguments filled in) and
:func:`metrix._core.weights.takes_sample_weight`; ``tests/test_weights.py`` checks that the
page holds exactly this row, so the table cannot drift from the code.
"""

from __future__ import annotations

import inspect
from typing import Any

import metrix.classification as mc
from metrix._core.weights import takes_sample_weight

# values for required arguments, so every factory can be built with its defaults
REQUIRED: dict[str, Any] = {
    "num_classes": 3,
    "num_labels": 3,
    "beta": 1.0,
    "min_recall": 0.5,
    "min_precision": 0.5,
    "min_specificity": 0.5,
    "min_sensitivity": 0.5,
    "num_groups": 2,
}

TAKES, BINNED, REFUSES = "takes", "binned", "refuses"


def _factories() -> dict[str, Any]:
    """Public factories, without the ``task=`` dispatchers (they build their task's metric)."""
    out = {}
    for name in sorted(dir(mc)):
        fn = getattr(mc, name)
        if name.startswith("_") or not callable(fn):
            continue
        if "task" in inspect.signature(fn).parameters:
            continue
        out[name] = fn
    return out


def build(name: str, **extra: Any) -> Any:
    """The factory ``name`` built with its defaults (and ``extra``)."""
    fn = getattr(mc, name)
    params = inspect.signature(fn).parameters
    kwargs = {
        k: v
        for k, v in REQUIRED.items()
        if k in params and (params[k].default is inspect.Parameter.empty or k == "num_classes")
    }
    return fn(**kwargs, **extra)


def status(name: str) -> str:
    """``takes`` (with defaults), ``binned`` (only with ``thresholds=``) or ``refuses``."""
    if takes_sample_weight(build(name)):
        return TAKES
    if "thresholds" in inspect.signature(getattr(mc, name)).parameters and takes_sample_weight(
        build(name, thresholds=5)
    ):
        return BINNED
    return REFUSES


def statuses() -> dict[str, str]:
    return {name: status(name) for name in _factories()}


def row() -> str:
    """The markdown table row for classification."""
    st = statuses()

    def names(kind: str) -> str:
        return ", ".join(f"`{n}`" for n, s in st.items() if s == kind)

    takes = (
        f"{names(TAKES)} (every `average`, `top_k`, `ignore_index`, exact (`thresholds=None`) and binned curves; "
        "any non-negative weight)"
    )
    if names(BINNED):
        takes += f"; only with `thresholds=`: {names(BINNED)}"
    refuses = "`multidim_average='samplewise'` (one value per sample) of the families on the left" + (
        f"; not built yet (weighting is defined there): {names(REFUSES)}" if names(REFUSES) else ""
    )
    return f"| classification | {takes} | {refuses} |"


if __name__ == "__main__":
    print(row())
