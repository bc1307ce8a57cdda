"""Overlap scores of segmentation maps: mean IoU, Dice and generalized Dice, from per-class counts.

Each sample's score depends on that sample only, so TorchMetrics' running sums (and,
for ``dice_score``, its lists of per-sample numerators and denominators) become fixed
sum states: a float64 sum of per-sample scores and an int64 count of the samples that
count, per class where the value is per class. Everything merges and syncs exactly,
compiles once and vmaps.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool, check_choice
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.segmentation import _parameter_docs as parameter_docs
from metrix.segmentation._inputs import check_common, check_num_classes, class_sums, one_hot_pair

__all__ = ["OverlapState", "dice_score", "generalized_dice_score", "mean_iou"]

F64 = torch.float64


@state
class OverlapState:
    """Sum of per-sample scores and the number of samples that count."""

    total: Tensor = leaf("sum")  # float64 () or (C,): sum of per-sample scores
    count: Tensor = leaf("sum")  # int64 () or (C,): samples (per class: where the score is defined)


@state
class DiceCountsState:
    """Global Dice counts (``aggregation_level="global"``)."""

    numerator: Tensor = leaf("sum")  # int64 (C,): 2 * |P & T|
    denominator: Tensor = leaf("sum")  # int64 (C,): |P| + |T|
    support: Tensor = leaf("sum")  # int64 (C,): |T|


def _overlap_metric(
    name: str, shape: tuple[int, ...], batch: Any, finish: Any, key: Any, *, nan_when_empty: bool = True
) -> Metric:
    def init(*, device: Any = None) -> OverlapState:
        return OverlapState(
            torch.zeros(shape, dtype=F64, device=device), torch.zeros(shape, dtype=torch.int64, device=device)
        )

    def update(s: OverlapState, preds: Tensor, target: Tensor) -> OverlapState:
        total, count = batch(preds, target)
        return OverlapState(s.total + total, s.count + count)

    def compute(s: OverlapState) -> Tensor:
        return finish(s.total, s.count)

    return Metric(init, update, compute, name=name, key=key)


def _ratio(total: Tensor, count: Tensor) -> Tensor:
    return torch.where(count > 0, total / count.clamp(min=1), torch.nan)


@factory(higher_is_better=True)
@parameter_docs.MAPS
def mean_iou(
    num_classes: int | None = None,
    include_background: bool = True,
    per_class: bool = False,
    input_format: str = "one-hot",
    *,
    validate_args: bool = True,
) -> Metric:
    """Mean intersection over union of segmentation maps, as TorchMetrics 1.9's ``MeanIoU``.

    Per sample and class ``|P & T| / |P | T|``; classes absent from both maps of a sample do
    not count. The value is the mean over the (sample, class) pairs that count, or one
    mean per class with ``per_class=True`` (``-1`` for a class that never counted).

    Args:
        num_classes: number of classes; needed for ``input_format="index"`` and with
            ``per_class=True`` (otherwise read from the one-hot maps).
        input_format: ``"one-hot"`` (``(N, C, ...)`` 0/1 maps, or scores: argmax), ``"index"``
            (``(N, ...)`` class indices) or ``"mixed"`` (one of each).

    Returns:
        A metric whose ``update(state, preds, target)`` takes a batch of maps and whose value
        is a float64 scalar (NaN before any class counted), or ``(C,)`` with ``per_class``.

    Example:
        >>> mean_iou(num_classes=3, input_format="index")(preds, target)
        tensor(0.5000, dtype=torch.float64)
        >>> mean_iou(num_classes=3, input_format="index", per_class=True)(preds, target)
        tensor([0.3333, 0.6667, 0.5000], dtype=torch.float64)
    """
    include_background, input_format = check_common(include_background, input_format)
    per_class = check_bool(per_class, "per_class")
    validate_args = check_bool(validate_args, "validate_args")
    needs_classes = per_class or input_format == "index"
    num_classes = check_num_classes(num_classes, required=needs_classes, optional=True)
    out = (
        None
        if num_classes is None
        else (num_classes - 1 if not include_background and num_classes > 1 else num_classes)
    )

    def batch(preds: Any, target: Any) -> tuple[Tensor, Tensor]:
        c = num_classes if num_classes is not None else _classes_of(preds, target)
        p, t = one_hot_pair(preds, target, c, include_background, input_format, validate_args=validate_args)
        inter, ps, ts = class_sums(p, t)
        union = ps + ts - inter
        valid = union > 0
        iou = torch.where(valid, inter.to(F64) / union.clamp(min=1), 0.0)
        if per_class:
            return iou.sum(0), valid.sum(0)
        return iou.sum(), valid.sum()

    def finish(total: Tensor, count: Tensor) -> Tensor:
        value = _ratio(total, count)
        return value.nan_to_num(-1.0) if per_class else value

    shape = (out,) if per_class and out is not None else ()  # per_class requires num_classes
    return _overlap_metric(
        "mean_iou",
        shape,
        batch,
        finish,
        ("mean_iou", num_classes, include_background, per_class, input_format, validate_args),
    )


def _classes_of(preds: Any, target: Any) -> int:
    """Number of classes from the one-hot side (``num_classes=None``)."""
    for x in (preds, target):
        if isinstance(x, Tensor) and x.dim() >= 3 and (not isinstance(target, Tensor) or x.dim() >= target.dim()):
            return x.shape[1]
    raise ValueError("num_classes=None needs one-hot maps of shape (N, C, ...); pass num_classes=")


@factory(higher_is_better=True)
@parameter_docs.MAPS
def generalized_dice_score(
    num_classes: int,
    include_background: bool = True,
    per_class: bool = False,
    weight_type: str = "square",
    input_format: str = "one-hot",
    *,
    validate_args: bool = True,
) -> Metric:
    """Generalized Dice score (Sudre et al., 2017), averaged over samples, as TorchMetrics 1.9's class.

    Per sample, class weights are ``1 / |T_c|^2`` (``"square"``), ``1 / |T_c|`` (``"simple"``)
    or 1 (``"linear"``); the score is ``2 sum_c w_c |P_c & T_c| / sum_c w_c (|P_c| + |T_c|)``
    (per class with ``per_class=True``; 0 where the denominator is 0).

    A class absent from a sample's target gets weight 0. TorchMetrics gives it a maximum
    over the *batch* instead (so its values depend on how the data is batched); metrix
    equals TorchMetrics fed one sample per update.

    Args:
        weight_type: ``"square"``, ``"simple"`` or ``"linear"``.

    Returns:
        A metric whose value is the float64 mean over samples (NaN before any), scalar or ``(C,)``.

    Example:
        >>> generalized_dice_score(num_classes=3, input_format="index")(preds, target)
        tensor(0.6463, dtype=torch.float64)
    """
    num_classes = check_num_classes(num_classes)
    include_background, input_format = check_common(include_background, input_format)
    per_class = check_bool(per_class, "per_class")
    weight_type = check_choice(weight_type, "weight_type", ("square", "simple", "linear"))
    validate_args = check_bool(validate_args, "validate_args")
    out = num_classes - 1 if not include_background and num_classes > 1 else num_classes

    def batch(preds: Any, target: Any) -> tuple[Tensor, Tensor]:
        p, t = one_hot_pair(preds, target, num_classes, include_background, input_format, validate_args=validate_args)
        inter, ps, ts = class_sums(p, t)
        tsf = ts.to(F64)
        if weight_type == "linear":
            w = torch.ones_like(tsf)
        else:
            w = torch.where(ts > 0, 1.0 / (tsf if weight_type == "simple" else tsf * tsf).clamp(min=1), 0.0)
        num = 2.0 * inter.to(F64) * w
        den = (ps + ts).to(F64) * w
        if not per_class:
            num, den = num.sum(1), den.sum(1)
        score = torch.where(den != 0, num / torch.where(den != 0, den, 1.0), 0.0)
        n = torch.full(score.shape[1:], p.shape[0], dtype=torch.int64, device=score.device)
        return score.sum(0), n

    shape = (out,) if per_class else ()
    key = ("generalized_dice_score", num_classes, include_background, per_class, weight_type, input_format)
    return _overlap_metric("generalized_dice_score", shape, batch, _ratio, (*key, validate_args))


def _dice_per_sample(num: Tensor, den: Tensor, support: Tensor, average: str) -> Tensor:
    """TorchMetrics' per-sample Dice from ``(N, C)`` counts: NaN where undefined."""
    num, den, support = num.to(F64), den.to(F64), support.to(F64)
    if average == "micro":
        n, d = num.sum(-1), den.sum(-1)
        return torch.where(d != 0, n / torch.where(d != 0, d, 1.0), torch.nan)
    dice = torch.where(den != 0, num / torch.where(den != 0, den, 1.0), torch.nan)
    if average == "macro":
        return torch.nanmean(dice, -1)
    if average == "weighted":
        total = support.sum(-1, keepdim=True)
        weights = torch.where(total != 0, support / torch.where(total != 0, total, 1.0), torch.nan)
        value = torch.nansum(dice * weights, -1)
        return torch.where(dice.isnan().all(-1), torch.nan, value)
    return dice


@factory(higher_is_better=True)
@parameter_docs.MAPS
def dice_score(
    num_classes: int,
    include_background: bool = True,
    average: str | None = "macro",
    input_format: str = "one-hot",
    aggregation_level: str = "samplewise",
    *,
    validate_args: bool = True,
) -> Metric:
    """Dice score ``2 |P & T| / (|P| + |T|)`` of segmentation maps, as TorchMetrics 1.9's ``DiceScore``.

    ``aggregation_level="samplewise"`` averages per-sample scores (NaN ones skipped), kept
    as a sum and a count; ``"global"`` sums the counts over all samples first. TorchMetrics
    keeps every sample's counts in lists for both.

    Args:
        average: ``"micro"`` (pooled counts), ``"macro"`` (mean over classes), ``"weighted"``
            (by target support) or ``"none"``/``None`` (per class).
        aggregation_level: ``"samplewise"`` or ``"global"``.

    Returns:
        A metric whose value is a float64 scalar, or ``(C,)`` for ``average="none"``.

    Example:
        >>> dice_score(num_classes=3, input_format="index")(preds, target)
        tensor(0.6556, dtype=torch.float64)
    """
    num_classes = check_num_classes(num_classes)
    include_background, input_format = check_common(include_background, input_format)
    average = "none" if average is None else check_choice(average, "average", ("micro", "macro", "weighted", "none"))
    aggregation_level = check_choice(aggregation_level, "aggregation_level", ("samplewise", "global"))
    validate_args = check_bool(validate_args, "validate_args")
    out = num_classes - 1 if not include_background and num_classes > 1 else num_classes
    key = ("dice_score", num_classes, include_background, average, input_format, aggregation_level, validate_args)

    def counts(preds: Any, target: Any) -> tuple[Tensor, Tensor, Tensor]:
        p, t = one_hot_pair(preds, target, num_classes, include_background, input_format, validate_args=validate_args)
        inter, ps, ts = class_sums(p, t)
        return 2 * inter, ps + ts, ts

    if aggregation_level == "samplewise":

        def batch(preds: Any, target: Any) -> tuple[Tensor, Tensor]:
            dice = _dice_per_sample(*counts(preds, target), average)
            ok = ~dice.isnan()
            return torch.where(ok, dice, 0.0).sum(0), ok.sum(0)

        shape = (out,) if average == "none" else ()
        return _overlap_metric("dice_score", shape, batch, _ratio, key)

    def init(*, device: Any = None) -> DiceCountsState:
        return DiceCountsState(*(torch.zeros(out, dtype=torch.int64, device=device) for _ in range(3)))

    def update(s: DiceCountsState, preds: Any, target: Any) -> DiceCountsState:
        num, den, sup = counts(preds, target)
        return DiceCountsState(s.numerator + num.sum(0), s.denominator + den.sum(0), s.support + sup.sum(0))

    def compute(s: DiceCountsState) -> Tensor:
        value = _dice_per_sample(s.numerator[None], s.denominator[None], s.support[None], average)
        return value[0]

    return Metric(init, update, compute, name="dice_score", key=key)
