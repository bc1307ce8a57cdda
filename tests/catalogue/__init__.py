"""The catalogue: one :class:`Case` per metric configuration, collected from every module here.

Adding a metric to the law suite means adding a ``Case`` to a module of this package
(one module per family, each exporting ``CASES``); every generic law in
``tests/test_laws.py`` and ``tests/test_distributed.py`` then runs over it.
"""

from __future__ import annotations

import importlib
import pkgutil

from tests.catalogue._case import BadInput, Case

__all__ = ["CASES", "BadInput", "Case", "by_id"]


def _collect() -> list[Case]:
    cases: list[Case] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        cases.extend(module.CASES)
    ids = [c.id for c in cases]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise RuntimeError(f"duplicate catalogue ids: {sorted(dupes)}")
    return cases


CASES: list[Case] = _collect()


def by_id(case_id: str) -> Case:
    """The case with this id."""
    for c in CASES:
        if c.id == case_id:
            return c
    raise KeyError(case_id)
