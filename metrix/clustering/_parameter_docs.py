"""The ``Args:`` and ``Returns:`` entries that clustering factories share (see ``metrix._core.docstrings``).

Every extrinsic score (``(preds, target)`` label vectors reduced through their contingency
table) takes the same ``num_classes``/``num_clusters``/``validate_args`` and returns the
same kind of metric, and most open their examples with the same two label vectors. The scores of
``(data, labels)`` open theirs with the same data. A factory describes in its own docstring only
what is its own.
"""

from __future__ import annotations

from metrix._core.docstrings import Glossary

__all__ = ["CENTROIDS", "DATA_EXAMPLE", "EXTRINSIC", "EXTRINSIC_EXAMPLE"]

EXTRINSIC = Glossary(
    {
        "num_classes": "range of the ``target`` labels; with it the state is a fixed table\n"
        "(compiles once, vmaps). ``None`` stores the labels exactly (any integers).",
        "num_clusters": "range of the ``preds`` labels (defaults to ``num_classes``).",
        "validate_args": "check that labels are in range (fixed tables).",
    },
    returns="A metric over ``(preds, target)`` label vectors with a float64 scalar value.",
)

EXTRINSIC_EXAMPLE = EXTRINSIC | Glossary(
    {},
    example=">>> import torch\n"
    ">>> from metrix.clustering import {name}\n"
    ">>> preds, target = torch.tensor([2, 1, 0, 1, 0]), torch.tensor([0, 2, 1, 1, 0])",
)

DATA_EXAMPLE = Glossary(
    {},
    example=">>> import torch\n"
    ">>> from metrix.clustering import {name}\n"
    ">>> data = torch.tensor([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0], [6.0, 5.0]])",
)

CENTROIDS = DATA_EXAMPLE | Glossary(
    {"validate_args": "check that ``data`` is finite."},
    returns="A metric whose ``update(state, data, labels)`` takes ``(N, D)`` floating point\n"
    "data and ``(N,)`` integer labels (stored exactly), with a float64 scalar value.",
)
