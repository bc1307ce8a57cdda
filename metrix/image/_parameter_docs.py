"""The docstring parts that image factories share (see ``metrix._core.docstrings``).

``IMAGES``: the ``validate_args`` every image metric takes. ``RANDOM_PAIR``: the metrics whose
example compares two random batches (RMSE-SW, RASE, SAM). ``SCALED_COPY``: the metrics whose
example compares a random batch with a scaled copy of itself (ERGAS, UQI). ``PANSHARPENED``: the
no-reference pansharpening metrics fed ``(preds, ms, pan)``, which share one example's images. A
factory describes in its own docstring only what is its own.
"""

from __future__ import annotations

from metrix._core.docstrings import Glossary

__all__ = ["IMAGES", "PANSHARPENED", "RANDOM_PAIR", "SCALED_COPY"]

IMAGES = Glossary({"validate_args": "check that the images are finite (shapes are always checked)."})

RANDOM_PAIR = IMAGES | Glossary(
    {},
    example=">>> import torch\n"
    ">>> from metrix.image import {name}\n"
    ">>> g = torch.Generator().manual_seed(0)\n"
    ">>> preds, target = torch.rand(4, 3, 16, 16, generator=g), torch.rand(4, 3, 16, 16, generator=g)",
)

SCALED_COPY = IMAGES | Glossary(
    {},
    returns="A metric whose ``update(state, preds, target)`` takes two ``(N, C, H, W)`` batches.",
    example=">>> import torch\n"
    ">>> from metrix.image import {name}\n"
    ">>> g = torch.Generator().manual_seed(0)\n"
    ">>> preds = torch.rand(4, 3, 16, 16, generator=g)",
)

PANSHARPENED = IMAGES | Glossary(
    {"window_size": "the uniform filter's side used to degrade ``pan``."},
    example=">>> import torch\n"
    ">>> from metrix.image import {name}\n"
    ">>> g = torch.Generator().manual_seed(0)\n"
    ">>> preds, pan = torch.rand(2, 3, 32, 32, generator=g), torch.rand(2, 3, 32, 32, generator=g)\n"
    ">>> ms = torch.rand(2, 3, 16, 16, generator=g)",
)
