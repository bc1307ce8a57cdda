"""Input forms shared by the text metrics: strings, lists of strings, reference sets.

TorchMetrics' text functionals take a string or a list of strings as predictions and,
for metrics that allow several references per prediction, a list of reference lists.
The helpers here turn those forms into one canonical shape (``list[str]`` and
``list[list[str]]``) and reject what TorchMetrics silently truncates or misreads: lists
of different lengths (``zip`` would drop the tail), non-string items, and empty
reference lists. Every check runs before a metric builds its new state, so a failed
update leaves the state as it was.

The counts a text metric sums are computed on the host; :func:`counts_like` moves them
next to the state they are added to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

__all__ = ["as_texts", "counts_like", "one_or_many", "paired_texts", "texts_with_references"]


def _describe(x: Any) -> str:
    return type(x).__name__


def one_or_many(x: Any, name: str, kind: type, plural: str) -> list[Any]:
    """One ``kind`` or a list/tuple of them as a list (``TypeError`` naming ``name`` otherwise).

    ``plural`` names several of them in the message (``"str"``, ``"dicts"``).
    """
    if isinstance(x, kind):
        return [x]
    if not isinstance(x, (list, tuple)):
        raise TypeError(f"{name} must be a {kind.__name__} or a list of {plural}, got {_describe(x)}")
    for i, item in enumerate(x):
        if not isinstance(item, kind):
            raise TypeError(f"{name}[{i}] must be a {kind.__name__}, got {_describe(item)}")
    return list(x)


def as_texts(x: Any, name: str) -> list[str]:
    """A string or a list/tuple of strings as a list of strings (``TypeError`` otherwise)."""
    return one_or_many(x, name, str, "str")


def paired_texts(preds: Any, target: Any) -> tuple[list[str], list[str]]:
    """One reference per prediction: two lists of strings of the same length.

    A single string on either side is a list of one (as in TorchMetrics). Lists of
    different lengths raise ``ValueError``: TorchMetrics' ``zip`` would drop the tail.
    """
    p, t = as_texts(preds, "preds"), as_texts(target, "target")
    if len(p) != len(t):
        raise ValueError(
            f"preds and target must have the same number of sentences, got {len(p)} preds and {len(t)} targets"
        )
    return p, t


def _reference_set(item: Any, i: int) -> list[str]:
    if isinstance(item, str):
        return [item]
    if not isinstance(item, (list, tuple)):
        raise TypeError(
            f"target[{i}] must be a str or a list of str (the references of preds[{i}]), got {_describe(item)}"
        )
    if not item:
        raise ValueError(f"target[{i}] is an empty list of references; every prediction needs at least one reference")
    for j, ref in enumerate(item):
        if not isinstance(ref, str):
            raise TypeError(f"target[{i}][{j}] must be a str, got {_describe(ref)}")
    return list(item)


def texts_with_references(
    preds: Any, target: Any, *, flat_target_for_one_pred: str = "one_reference_each"
) -> tuple[list[str], list[list[str]]]:
    """Predictions and their reference sets, in TorchMetrics' input forms.

    Args:
        preds: a string or a list of strings.
        target: a string (the one reference of one prediction), a list with one item per
            prediction (a string, or a list of reference strings), or, for the metrics
            whose TorchMetrics functional reads it so, a flat list of strings that are
            all references of a single prediction.
        flat_target_for_one_pred: how a flat list of strings is read when there is one
            prediction: ``"one_reference_each"`` (BLEU, SacreBLEU: one reference per
            prediction, so the lengths must match) or ``"references_of_the_one"`` (chrF,
            TER, EED, ROUGE: all the references of that prediction).

    Returns:
        ``(preds, references)``: a list of strings and, per prediction, a non-empty list
        of reference strings.
    """
    p = as_texts(preds, "preds")
    if isinstance(target, str):
        refs = [[target]]
    elif not isinstance(target, (list, tuple)):
        raise TypeError(f"target must be a str, a list of str or a list of lists of str, got {_describe(target)}")
    elif (
        flat_target_for_one_pred == "references_of_the_one"
        and len(p) == 1
        and len(target) > 0
        and all(isinstance(t, str) for t in target)
    ):
        refs = [list(target)]
    else:
        refs = [_reference_set(item, i) for i, item in enumerate(target)]
    if len(p) != len(refs):
        raise ValueError(
            f"preds and target must have one entry per sentence, got {len(p)} preds and {len(refs)} reference sets"
        )
    return p, refs


def counts_like(values: Sequence[int] | Sequence[float] | Sequence[Sequence[int]], like: Tensor) -> Tensor:
    """Host-side counts as a tensor with the dtype and device of the state leaf ``like``."""
    return torch.tensor(values, dtype=like.dtype, device=like.device).reshape(like.shape)
