"""The docstring parts that the overlap scores of segmentation maps share (see ``metrix._core.docstrings``).

Mean IoU, the Dice score and the generalized Dice score take the same map options and open their
examples with the same pair of index maps. A factory describes in its own docstring only what is
its own.
"""

from __future__ import annotations

from metrix._core.docstrings import Glossary

__all__ = ["MAPS"]

MAPS = Glossary(
    {
        "num_classes": "number of classes.",
        "include_background": "keep class 0.",
        "per_class": "one value per class.",
        "input_format": '``"one-hot"``, ``"index"`` or ``"mixed"`` (see :func:`mean_iou`).',
        "validate_args": "check 0/1 maps and index ranges.",
    },
    example=">>> import torch\n"
    ">>> from metrix.segmentation import {name}\n"
    ">>> preds = torch.tensor([[[0, 0, 1], [1, 2, 2]]])\n"
    ">>> target = torch.tensor([[[0, 1, 1], [1, 2, 0]]])",
)
