"""Edit distance: the Levenshtein distance between each prediction and its reference string.

Characters are the tokens; insertions and deletions cost 1 and a substitution
``substitution_cost``. The ``"mean"`` and ``"sum"`` reductions need only the sum of the
distances and the number of pairs (one int64 vector, exact under merge and sync);
``reduction="none"`` returns one distance per pair and so keeps them, in arrival order.

The distance is exact (``metrix.text._levenshtein``). TorchMetrics computes it with the
beam-limited search that TER uses (sacrebleu's ``BeamEditDistance``), which can
overestimate the distance of long strings whose alignment drifts more than 25 characters
from the diagonal; the two agree on everything shorter than that.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_choice, check_int
from metrix._core.metric import Metric, factory
from metrix._core.state import cat_append, cat_init, leaf, state, stored_values
from metrix.text._inputs import counts_like, paired_texts
from metrix.text._levenshtein import levenshtein_many

__all__ = ["EditDistanceSamplesState", "EditDistanceTotalsState", "edit_distance"]

_REDUCTIONS = ("mean", "sum", "none", None)


@state
class EditDistanceTotalsState:
    """Sum of distances and number of pairs."""

    totals: Tensor = leaf("sum")  # int64 (2,): [sum of distances, pairs]


@state
class EditDistanceSamplesState:
    """Every pair's distance, in arrival order."""

    distances: Any = leaf("cat")  # int64 (n,): one distance per pair


@factory(higher_is_better=False)
def edit_distance(substitution_cost: int = 1, reduction: str | None = "mean") -> Metric:
    """Levenshtein edit distance between predicted and reference strings, per pair.

    Same arguments and defaults as ``torchmetrics.functional.text.edit_distance``; the
    values equal ``nltk.edit_distance(pred, target, substitution_cost=...)`` (exact; see
    the module notes for where TorchMetrics' beam search reads higher).

    Args:
        substitution_cost: cost of substituting one character (a non-negative int);
            insertions and deletions cost 1.
        reduction: ``"mean"`` over pairs (float32), ``"sum"`` (int64), or ``"none"`` /
            ``None`` for one int32 distance per pair.

    Returns:
        A metric whose ``update(state, preds, target)`` takes a string or a list of
        strings on each side (same length). With no pairs seen the value is 0, as in
        TorchMetrics.

    Example:
        >>> from metrix.text import edit_distance
        >>> edit_distance()(["rain"], ["shine"])
        tensor(3.)
        >>> edit_distance(substitution_cost=2)(["rain"], ["shine"])
        tensor(5.)
        >>> edit_distance(reduction="none")(["rain", "lnaguaeg"], ["shine", "language"])
        tensor([3, 4], dtype=torch.int32)
    """
    substitution_cost = check_int(substitution_cost, "substitution_cost", 0)
    reduction = check_choice(reduction, "reduction", _REDUCTIONS)

    def distances(preds: Any, target: Any) -> list[int]:
        p, t = paired_texts(preds, target)
        return levenshtein_many(p, t, substitution_cost)

    if reduction in ("none", None):

        def init_samples(*, device: Any = None) -> EditDistanceSamplesState:
            return EditDistanceSamplesState(cat_init((), torch.int64, device))

        def update_samples(s: EditDistanceSamplesState, preds: Any, target: Any) -> EditDistanceSamplesState:
            d = torch.tensor(distances(preds, target), dtype=torch.int64, device=s.distances[0].device)
            return EditDistanceSamplesState(cat_append(s.distances, d))

        def compute_samples(s: EditDistanceSamplesState) -> Tensor:
            return stored_values(s.distances).to(torch.int32)

        key = ("edit_distance_samples", substitution_cost)
        return Metric(init_samples, update_samples, compute_samples, name="edit_distance", key=key)

    def init(*, device: Any = None) -> EditDistanceTotalsState:
        return EditDistanceTotalsState(torch.zeros(2, dtype=torch.int64, device=device))

    def update(s: EditDistanceTotalsState, preds: Any, target: Any) -> EditDistanceTotalsState:
        d = distances(preds, target)
        return EditDistanceTotalsState(s.totals + counts_like([sum(d), len(d)], s.totals))

    def compute(s: EditDistanceTotalsState) -> Tensor:
        total, pairs = s.totals[0], s.totals[1]
        if reduction == "sum":
            return total.clone()
        mean = total.to(torch.float64) / pairs.clamp(min=1)
        return mean.to(torch.float32)

    return Metric(init, update, compute, name="edit_distance", key=("edit_distance_totals", substitution_cost))
