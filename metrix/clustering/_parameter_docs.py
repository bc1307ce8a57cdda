"""The ``Args:`` and ``Returns:`` entries that clustering factories share (see ``metrix._core.docstrings``).

Every extrinsic score (``(preds, target)`` label vectors reduced through their contingency
table) takes the same ``num_classes``/``num_clusters``/``validate_args`` and returns the
same kind of metric. A factory describes in its own docstring only what is its own.
"""

from __future__ import annotations

from metrix._core.docstrings import Glossary

__all__ = ["EXTRINSIC"]

EXTRINSIC = Glossary(
    {
        "num_classes": "range of the ``target`` labels; with it the state is a fixed table\n"
        "(compiles once, vmaps). ``None`` stores the labels exactly (any integers).",
        "num_clusters": "range of the ``preds`` labels (defaults to ``num_classes``).",
        "validate_args": "check that labels are in range (fixed tables).",
    },
    returns="A metric over ``(preds, target)`` label vectors with a float64 scalar value.",
)
