"""The docstring parts that detection factories share (see ``metrix._core.docstrings``).

``BOX_IOU``: the four IoU variants over paired boxes take the same parameters and return the same
kind of metric, and one example's boxes serve them all. A factory describes in its own docstring
only what is its own.
"""

from __future__ import annotations

from metrix._core.docstrings import Glossary

__all__ = ["BOX_IOU"]

BOX_IOU = Glossary(
    {
        "iou_threshold": "values below it are replaced by ``replacement_val`` (``None``: none).",
        "replacement_val": "the replacement for values below ``iou_threshold``.",
        "aggregate": (
            "``True``: the mean over paired boxes (``preds[i]`` with ``target[i]``,\n"
            "TorchMetrics' mean of the matrix diagonal); ``False``: the ``(N, M)`` matrix of\n"
            "every prediction against every target seen."
        ),
        "validate_args": "check that the boxes are finite.",
    },
    returns=(
        "A metric whose ``update(state, preds, target)`` takes ``(N, 4)`` ``(x1, y1, x2, y2)``\n"
        "boxes (the same ``N`` when aggregating) and whose value is a float64 scalar (0 when\n"
        "nothing was seen), or the ``(N, M)`` matrix."
    ),
    example=">>> import torch\n"
    ">>> from metrix.detection import {name}\n"
    ">>> preds = torch.tensor([[296.55, 93.96, 314.97, 152.79], [328.94, 97.05, 342.49, 122.98],\n"
    "...                       [356.62, 95.47, 372.33, 147.55]])\n"
    ">>> target = torch.tensor([[300.00, 100.00, 315.00, 150.00], [330.00, 100.00, 350.00, 125.00],\n"
    "...                        [350.00, 100.00, 375.00, 150.00]])",
)
