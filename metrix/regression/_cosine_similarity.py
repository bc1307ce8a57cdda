"""Cosine similarity between matching rows of ``preds`` and ``target``.

Each row's similarity is final once its batch is seen, so no samples are kept for
``reduction="sum"``/``"mean"``: a float64 sum (and an int64 row count) is enough, and
the metric compiles and vmaps. ``reduction="none"`` reports one value per row and keeps
those values (a ``cat`` state), not the rows themselves.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix._core.state import CatStorage, cat_append, cat_init, leaf, state, stored_values
from metrix._core.weights import mark_sample_weight, refuse_sample_weight
from metrix.regression import _parameter_docs as parameter_docs
from metrix.regression._inputs import F64, check_bool, check_reduction, paired, rows_2d
from metrix.regression._sum_count import mean_of, sum_count_metric, weighted_sum

__all__ = ["CosineSimilarityState", "SamplewiseCosineSimilarityState", "cosine_similarity"]


@state
class CosineSimilarityState:
    """Sum of per-row similarities and number of rows."""

    total: Tensor = leaf("sum")  # float64 (): sum over rows of w_i * cos(preds_i, target_i)
    weight: Tensor = leaf("sum")  # float64 (): number of rows, weighted


@state
class SamplewiseCosineSimilarityState:
    """Every row's similarity, in arrival order."""

    values: CatStorage = leaf("cat")  # float64 (N,): cos(preds_i, target_i)


_PER_ROW = "it reports one value per row; weight the rows of its result instead"


def _row_similarity(preds: Any, target: Any, validate_args: bool) -> Tensor:
    p, t = paired(preds, target, validate_args=validate_args)
    rows_2d(p, "preds", "one vector per row")
    # No epsilon, as in TorchMetrics: a zero row gives NaN (0 / 0).
    return (p * t).sum(-1) / (p.norm(dim=-1) * t.norm(dim=-1))


@factory(higher_is_better=True)
@parameter_docs.SCALAR
def cosine_similarity(reduction: str | None = "sum", *, validate_args: bool = True) -> Metric:
    """Cosine similarity ``<p_i, t_i> / (|p_i| |t_i|)`` of each row, reduced over rows.

    Same arguments, defaults and values as
    ``torchmetrics.functional.regression.cosine_similarity`` (and, accumulated over
    batches, as TorchMetrics' ``CosineSimilarity`` module).

    Args:
        reduction: ``"sum"`` (default) or ``"mean"`` over all rows seen, or ``"none"``
            / ``None`` for one value per row in arrival order (a ``cat`` state).

    Returns:
        A metric whose ``update(state, preds, target, *, sample_weight=None)`` takes two
        ``(N, D)`` tensors (and, for ``"sum"``/``"mean"``, optionally one non-negative
        weight per row: the weighted sum or weighted mean of the similarities) and whose
        value is a float64 scalar, or an ``(N,)`` vector for ``"none"``.

    Example:
        >>> import torch
        >>> from metrix.regression import cosine_similarity
        >>> preds = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
        >>> target = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> cosine_similarity()(preds, target)
        tensor(1.7071, dtype=torch.float64)
        >>> cosine_similarity("none")(preds, target)
        tensor([1.0000, 0.7071], dtype=torch.float64)
    """
    reduction = check_reduction(reduction)
    validate_args = check_bool(validate_args, "validate_args")

    if reduction == "none":

        def init(*, device: Any = None) -> SamplewiseCosineSimilarityState:
            return SamplewiseCosineSimilarityState(cat_init((), F64, device))

        def update(
            s: SamplewiseCosineSimilarityState, preds: Any, target: Any, *, sample_weight: Any = None
        ) -> SamplewiseCosineSimilarityState:
            refuse_sample_weight("cosine_similarity(reduction='none')", sample_weight, _PER_ROW)
            return SamplewiseCosineSimilarityState(cat_append(s.values, _row_similarity(preds, target, validate_args)))

        mark_sample_weight(update, False)

        def compute(s: SamplewiseCosineSimilarityState) -> Tensor:
            return stored_values(s.values)

        return Metric(init, update, compute, name="cosine_similarity", key=("cosine_similarity", "none", validate_args))

    def batch(preds: Any, target: Any, sample_weight: Any) -> tuple[Tensor, Any]:
        sim = _row_similarity(preds, target, validate_args)
        return weighted_sum(sim, sample_weight, "cosine_similarity", validate_args=validate_args)

    def finish(total: Tensor, weight: Tensor) -> Tensor:
        return total if reduction == "sum" else mean_of(total, weight)

    # sum and mean build the same state: a collection of both updates it once.
    return sum_count_metric(
        "cosine_similarity", CosineSimilarityState, batch, finish, key=("cosine_similarity", validate_args)
    )
