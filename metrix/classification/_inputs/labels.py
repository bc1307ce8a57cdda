"""Hard predictions for the stat-scores families: inputs checked and turned into int64 labels.

Binary and multilabel scores are thresholded, multiclass scores reduced to their top-1
(or top-k hit) label; integer preds are taken as labels. Ignored elements get weight 0
and target 0 (so every index they produce stays in range), never dropped by boolean
indexing, so everything here traces.
"""

from __future__ import annotations

from typing import TypedDict, Unpack

import torch
from torch import Tensor

from metrix._core.checks import check, check_finite
from metrix.classification._inputs.tensors import (
    SWAP_HINT,
    check_binary_values,
    check_classes_dim,
    check_labels,
    check_labels_dtype,
    check_pair,
    check_same_shape,
    check_scores,
    flat_len,
    ignored_text,
    to_probabilities,
)

__all__ = [
    "FormatOptions",
    "MulticlassOptions",
    "binary_format",
    "hard_binary_preds",
    "multiclass_format",
    "multiclass_format_lean",
    "multilabel_format",
]


class FormatOptions(TypedDict):
    """Keyword options every ``*_format`` below takes, for a caller that passes them as ``**options``."""

    ignore_index: int | None
    input_format: str
    validate_args: bool
    samplewise: bool


class MulticlassOptions(TypedDict):
    """Keyword options of :func:`multiclass_format` (``samplewise`` left at its default)."""

    num_classes: int | None
    top_k: int
    ignore_index: int | None
    input_format: str
    validate_args: bool


class MulticlassFormatOptions(MulticlassOptions, total=False):
    """Keyword options of :func:`multiclass_format`: those of :func:`multiclass_format_lean` but ``flat``."""

    samplewise: bool


def _check_format(preds: Tensor, input_format: str, scores: bool, *, multiclass: bool = False) -> None:
    if input_format == "labels" and scores:
        what = f"scores of shape {tuple(preds.shape)}" if multiclass else f"dtype {preds.dtype}"
        raise TypeError(f"input_format='labels' expects integer label preds, got {what}")
    if input_format in ("probabilities", "logits") and not scores:
        raise TypeError(f"input_format={input_format!r} expects float preds, got dtype {preds.dtype}")


def _weight(target: Tensor, ignore_index: int | None) -> tuple[Tensor, Tensor | None]:
    """``(target with ignored elements set to 0, int64 weight or None when every element counts)``."""
    if ignore_index is None:
        return target, None
    keep = target != ignore_index
    return torch.where(keep, target, 0), keep.long()


def hard_binary_preds(preds: Tensor, threshold: float, input_format: str, validate_args: bool) -> Tensor:
    """Int64 0/1 predictions of binary ``preds``: float scores thresholded, integer preds checked to be 0/1."""
    if preds.is_floating_point():
        check_scores(preds, input_format, validate_args=validate_args)
        return (to_probabilities(preds, input_format, "sigmoid") > threshold).long()
    check_binary_values(preds, name="integer preds", validate_args=validate_args)
    return preds.long()


def _hard_binary(
    preds: Tensor, target: Tensor, threshold: float, ignore_index: int | None, input_format: str, validate_args: bool
) -> tuple[Tensor, Tensor, Tensor]:
    """Check 0/1 targets and scores, threshold the scores; returns int64 ``(hard, target, weight)``, shapes kept."""
    check_labels_dtype(target, preds)
    _check_format(preds, input_format, preds.is_floating_point())
    check_binary_values(target, ignore_index=ignore_index, validate_args=validate_args)
    hard = hard_binary_preds(preds, threshold, input_format, validate_args)
    target, weight = _weight(target.long(), ignore_index)
    return hard, target, torch.ones_like(target) if weight is None else weight


def binary_format(
    preds: Tensor,
    target: Tensor,
    *,
    threshold: float,
    ignore_index: int | None,
    input_format: str,
    validate_args: bool,
    samplewise: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """Check binary inputs and return int64 ``(hard_preds, target, weight)`` of shape ``(N, M)``.

    ``hard_preds`` and ``target`` are in {0, 1}; ``weight`` is 1 for counted elements and
    0 for ``ignore_index`` ones.
    """
    check_pair(preds, target)
    check_same_shape(preds, target)
    if samplewise and preds.dim() < 2:
        raise ValueError(
            f"multidim_average='samplewise' needs preds of at least 2 dims (N, ...), got shape {tuple(preds.shape)}"
        )
    hard, target, weight = _hard_binary(preds, target, threshold, ignore_index, input_format, validate_args)
    n = preds.shape[0] if preds.dim() else 1
    m = flat_len(preds.shape[1:])
    return hard.reshape(n, m), target.reshape(n, m), weight.reshape(n, m)


def multilabel_format(
    preds: Tensor,
    target: Tensor,
    *,
    num_labels: int,
    threshold: float,
    ignore_index: int | None,
    input_format: str,
    validate_args: bool,
    samplewise: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """Check multilabel inputs ``(N, L, ...)``; return int64 ``(hard, target, weight)`` of shape ``(N, L, M)``."""
    check_pair(preds, target)
    check_same_shape(preds, target, f" (N, {int(num_labels)}, ...)")
    if preds.dim() < 2 or preds.shape[1] != num_labels:
        got = preds.shape[1] if preds.dim() >= 2 else None
        raise ValueError(
            f"preds and target must have shape (N, {num_labels}, ...) with num_labels={num_labels} in dim 1, "
            f"got shape {tuple(preds.shape)} ({got} labels)"
        )
    if samplewise and preds.dim() < 3:
        raise ValueError(
            f"multidim_average='samplewise' needs preds of at least 3 dims (N, L, ...), got shape {tuple(preds.shape)}"
        )
    hard, target, weight = _hard_binary(preds, target, threshold, ignore_index, input_format, validate_args)
    shape = (preds.shape[0], num_labels, flat_len(preds.shape[2:]))
    return hard.reshape(shape), target.reshape(shape), weight.reshape(shape)


def multiclass_format(
    preds: Tensor, target: Tensor, **options: Unpack[MulticlassFormatOptions]
) -> tuple[Tensor, Tensor, Tensor]:
    """Check multiclass inputs; return int64 ``(pred_label, target, weight)`` of shape ``(N, M)``.

    ``num_classes=None`` (micro accuracy only) takes the class count from scores and
    checks label preds and targets only for being non-negative.

    ``preds`` are float scores ``(N, C, ...)`` (probabilities or logits: the argmax is
    the same, so no softmax is needed) or integer labels ``(N, ...)``. With
    ``top_k > 1`` the predicted label is the target when the target is among the
    ``top_k`` highest scores, and the top-1 class otherwise: that is how TorchMetrics
    counts a top-k hit, and it keeps one label per element, so per-class counts of
    predictions, targets and hits still hold every statistic.
    """
    label, target, weight = multiclass_format_lean(preds, target, **options)
    return label, target, torch.ones_like(target) if weight is None else weight


def _multiclass_shapes(preds: Tensor, target: Tensor, c: int | None) -> tuple[bool, int | None]:
    """Whether ``preds`` are scores ``(N, C, ...)`` (else labels ``(N, ...)``), and the class count."""
    if preds.dim() == target.dim() + 1:
        if not preds.is_floating_point():
            raise TypeError(
                f"preds with one more dim than target must be float scores (N, {c}, ...), got dtype {preds.dtype}"
            )
        c = preds.shape[1] if c is None else c
        check_classes_dim(preds, target, c)
        return True, c
    if preds.dim() == target.dim():
        check_same_shape(preds, target)
        if preds.is_floating_point():
            raise TypeError(
                f"float preds must be scores of shape (N, {c}, ...) with target (N, ...); "
                f"got preds {tuple(preds.shape)} ({preds.dtype}) and target {tuple(target.shape)}"
            )
        return False, c
    hint = SWAP_HINT if target.dim() == preds.dim() + 1 else ""
    raise ValueError(
        f"preds must be scores (N, {c}, ...) or labels (N, ...) for target (N, ...), "
        f"got preds {tuple(preds.shape)} and target {tuple(target.shape)}{hint}"
    )


def multiclass_format_lean(
    preds: Tensor,
    target: Tensor,
    *,
    num_classes: int | None,
    top_k: int,
    ignore_index: int | None,
    input_format: str,
    validate_args: bool,
    samplewise: bool = False,
    flat: bool = False,
) -> tuple[Tensor, Tensor, Tensor | None]:
    """:func:`multiclass_format` with ``weight=None`` when every element counts (no ``ignore_index``).

    Skipping the all-ones weight saves a tensor per batch and lets the caller count
    without a weight. ``flat=True`` returns the three tensors flattened to ``(N * M,)``
    instead of ``(N, M)``, for counting kernels that flatten them anyway: ``(N,)``
    targets then need no reshape call there and back (about 1 us each at batch 32).
    """
    check_pair(preds, target)
    check_labels_dtype(target, preds)
    scores, c = _multiclass_shapes(preds, target, num_classes)
    _check_format(preds, input_format, scores, multiclass=True)
    if top_k > 1 and not scores:
        raise ValueError(f"top_k={top_k} needs float scores of shape (N, {c}, ...), got integer labels")
    if samplewise and target.dim() < 2:
        raise ValueError(
            f"multidim_average='samplewise' needs target of at least 2 dims (N, ...), got target {tuple(target.shape)}"
        )
    if c is None:
        ok = target >= 0
        if ignore_index is not None:
            ok = ok | (target == ignore_index)
        check(
            ok, f"target must hold class labels in [0, num_classes){ignored_text(ignore_index)}", enabled=validate_args
        )
    else:
        check_labels(target, c, ignore_index=ignore_index, validate_args=validate_args)
    n = target.shape[0] if target.dim() else 1
    m = flat_len(target.shape[1:])
    shape, rank = ((-1,), 1) if flat else ((n, m), 2)
    target, weight = _weight(target.long(), ignore_index)
    if weight is not None:
        weight = weight.reshape(shape)
    if target.dim() != rank:
        target = target.reshape(shape)
    if not scores:
        if c is None:
            check(preds >= 0, "integer preds must hold class labels in [0, num_classes)", enabled=validate_args)
        else:
            check_labels(preds, c, name="integer preds", validate_args=validate_args)
        label = preds.long()
        return label if label.dim() == rank else label.reshape(shape), target, weight
    assert c is not None  # scores (N, C, ...) fix the class count (_multiclass_shapes)
    if input_format == "probabilities":  # every score is read: finite and in [0, 1]
        check_scores(preds, input_format, validate_args=validate_args)
    if top_k == 1:
        # (N, C) scores stay 2-D (a 2-D reduction is faster than over (N, C, 1)). max(1)
        # gives argmax's labels (the first largest score) and the largest scores themselves,
        # which the finiteness check below reads.
        rows = preds if 2 <= preds.dim() <= 3 else preds.reshape(n, c, m)
        best, label = rows.max(1)
    else:
        by_sample = target.reshape(n, m) if flat else target  # (N, M)
        top = preds.reshape(n, c, m).topk(top_k, dim=1)  # (N, k, M)
        best, hit = top.values[:, 0], (top.indices == by_sample.unsqueeze(1)).any(1)
        label = torch.where(hit, by_sample, top.indices[:, 0])
    if input_format != "probabilities":
        # Only the best score of each element decides its label, and NaN or +inf anywhere
        # makes it NaN or +inf (argmax, max and topk put NaN first): checking the row
        # maxima costs nothing next to a pass over every score (a fifth of the update at
        # 32k classes). -inf scores (masked classes) below a finite maximum are accepted.
        check_finite(best, "preds", enabled=validate_args)
    return label if label.dim() == rank else label.reshape(shape), target, weight
