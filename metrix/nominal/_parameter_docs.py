"""The docstring parts that nominal factories share (see ``metrix._core.docstrings``).

``PAIR``: the association of two label vectors (``cramers_v``, ``theils_u``…); ``MATRIX``: the same
statistics between every pair of columns of a dataset. Each opens its examples with one dataset that
serves them all. A factory describes in its own docstring only what is its own.
"""

from __future__ import annotations

from metrix._core.docstrings import Glossary

__all__ = ["MATRIX", "PAIR"]

PAIR = Glossary(
    {
        "num_classes": (
            "number of categories ``C``; labels must lie in ``[0, C)`` and the\n"
            "state is a fixed ``(C, C)`` table (compiles once, vmaps, O(C²) memory).\n"
            "``None`` stores every label exactly (any whole numbers), as TorchMetrics'\n"
            "functional does."
        ),
        "nan_strategy": (
            '``"replace"`` replaces ``NaN`` labels by ``nan_replace_value``;\n'
            '``"drop"`` leaves out every pair holding a ``NaN``.'
        ),
        "nan_replace_value": "the label that replaces ``NaN`` (a whole number).",
        "validate_args": "check label values (whole numbers, in range); shapes and dtypes\nare always checked.",
        "bias_correction": "use Bergsma's bias-corrected estimates (and Yates' correction\non 2×2 tables).",
    },
    returns=(
        "A metric whose ``update(state, preds, target)`` takes two ``(N,)`` label vectors\n"
        "(or ``(N, C)`` scores) and whose value is a float64 scalar."
    ),
    example=">>> import torch\n"
    ">>> from metrix.nominal import {name}\n"
    ">>> preds = torch.tensor([0, 0, 1, 1, 2, 2, 0, 1])\n"
    ">>> target = torch.tensor([0, 0, 1, 1, 2, 1, 0, 2])",
)

MATRIX = Glossary(
    {
        "num_classes": (
            "number of categories ``C`` of every column. With ``num_variables`` too\n"
            "the state is a fixed table per pair of columns (compiles once, vmaps);\n"
            "otherwise the rows are stored exactly."
        ),
        "nan_strategy": (
            '``"replace"`` replaces ``NaN`` by ``nan_replace_value``; ``"drop"``\n'
            "leaves a row out of a pair's table when either value is ``NaN``."
        ),
        "nan_replace_value": "the label that replaces ``NaN`` (a whole number).",
        "num_variables": "number of columns ``V`` (with ``num_classes``: a fixed state).",
        "validate_args": "check label values (whole numbers, in range); shapes are always\nchecked.",
        "bias_correction": "use Bergsma's bias-corrected estimates.",
    },
    returns=(
        "A metric whose ``update(state, matrix)`` takes an ``(N, V)`` tensor and whose\n"
        "value is the symmetric ``(V, V)`` float64 matrix (ones on the diagonal)."
    ),
    example=">>> import torch\n"
    ">>> from metrix.nominal import {name}\n"
    ">>> matrix = torch.tensor([[0, 1, 0], [1, 1, 0], [2, 0, 1], [0, 1, 0], [1, 0, 1], [2, 0, 1]])",
)
