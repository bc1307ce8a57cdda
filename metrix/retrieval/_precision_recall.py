"""Set-based retrieval metrics at a cut-off: precision, recall, hit rate, fall-out, R-precision.

Each counts documents in the top ``k`` of a query: precision divides the relevant ones
by ``k`` (by the number of documents with ``adaptive_k`` when ``k`` exceeds it, or
without ``top_k``), recall by all relevant documents, fall-out counts the non-relevant
ones over all non-relevant documents, hit rate is 1 when any relevant document is in
the top ``k``, and R-precision is the precision at ``k = R``, the number of relevant
documents. As in TorchMetrics, precision and recall never count a document with a score
``<= 0`` as a hit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool
from metrix._core.metric import Metric, factory
from metrix.retrieval import _parameter_docs as parameter_docs
from metrix.retrieval._average_precision import scored_hits
from metrix.retrieval._cutoff_family import CutoffMetric
from metrix.retrieval._forms import cutoff_metric
from metrix.retrieval._inputs import Options
from metrix.retrieval._ranking import NO_CUTOFF, Ranked

__all__ = [
    "retrieval_fall_out",
    "retrieval_hit_rate",
    "retrieval_precision",
    "retrieval_r_precision",
    "retrieval_recall",
]

_F64 = torch.float64


def _top(r: Ranked, ks: tuple[int | None, ...], x: Tensor) -> Tensor:
    """Per query and cut-off: the sum of ``x`` (0 where invalid) over the top-k documents, ``(num, K)``."""
    return r.sum(r.top(x, ks))


def _precision_kernel(adaptive_k: bool) -> Any:
    def kernel(r: Ranked, ks: tuple[int | None, ...]) -> tuple[Tensor, Tensor]:
        size = r.size.unsqueeze(1)
        k = r.cutoffs(ks).unsqueeze(0).expand(r.num, -1)
        # TorchMetrics: no top_k means k = the query's size; adaptive_k caps k at it
        k = torch.where(k == NO_CUTOFF, size, torch.minimum(k, size) if adaptive_k else k)
        return _top(r, ks, scored_hits(r)) / k.clamp(min=1).to(_F64), r.sum(r.target) == 0

    return kernel


def _recall(r: Ranked, ks: tuple[int | None, ...]) -> tuple[Tensor, Tensor]:
    relevant = r.sum(r.target)
    return _top(r, ks, scored_hits(r)) / relevant.clamp(min=1).unsqueeze(1), relevant == 0


def _hit_rate(r: Ranked, ks: tuple[int | None, ...]) -> tuple[Tensor, Tensor]:
    return (_top(r, ks, r.target) > 0).to(_F64), r.sum(r.target) == 0


def _fall_out(r: Ranked, ks: tuple[int | None, ...]) -> tuple[Tensor, Tensor]:
    negative = (1.0 - r.target) * r.valid
    negatives = r.sum(negative)
    return _top(r, ks, negative) / negatives.clamp(min=1).unsqueeze(1), negatives == 0


def _r_precision(r: Ranked, ks: tuple[int | None, ...]) -> tuple[Tensor, Tensor]:
    relevant = r.sum(r.target)
    inside = r.valid & (r.rank < r.spread(relevant))  # the top R documents
    found = r.sum(r.target * inside)
    return (found / relevant.clamp(min=1)).unsqueeze(1), relevant == 0


@factory(higher_is_better=True)
@parameter_docs.CUTOFF_EXAMPLE
def retrieval_precision(
    empty_target_action: str = "neg",
    ignore_index: int | None = None,
    top_k: int | tuple[int, ...] | None = None,
    adaptive_k: bool = False,
    aggregation: str | Callable[..., Tensor] = "mean",
    *,
    dense: bool = False,
    capacity: int | None = None,
    validate_args: bool = True,
) -> Metric:
    """Precision at ``k`` over queries, TorchMetrics' ``RetrievalPrecision``.

    Args:
        top_k: the cut-off ``k`` (``None``: every document of the query); a sequence of ks
            gives one value per k.
        adaptive_k: divide by ``min(k, documents in the query)`` instead of ``k``.

    Example:
        >>> retrieval_precision(top_k=2)(preds, target, indexes=indexes)
        tensor(0.5000)
    """
    adaptive_k = check_bool(adaptive_k, "adaptive_k")
    options = Options(empty_target_action, ignore_index, aggregation, dense, capacity, validate_args)
    return cutoff_metric("retrieval_precision", _precision_kernel(adaptive_k), options, top_k, extra_key=(adaptive_k,))


retrieval_recall = CutoffMetric(
    "retrieval_recall",
    _recall,
    __name__,
    """Recall at ``k`` over queries, TorchMetrics' ``RetrievalRecall``.

    Example:
        >>> retrieval_recall(top_k=2)(preds, target, indexes=indexes)
        tensor(0.6667)
    """,
    higher_is_better=True,
    glossary=parameter_docs.CUTOFF_EXAMPLE,
).factory

retrieval_hit_rate = CutoffMetric(
    "retrieval_hit_rate",
    _hit_rate,
    __name__,
    """Hit rate at ``k``: the share of queries with a relevant document in their top ``k``.

    TorchMetrics' ``RetrievalHitRate``.

    Example:
        >>> retrieval_hit_rate(top_k=2)(preds, target, indexes=indexes)
        tensor(0.5000)
    """,
    higher_is_better=True,
    glossary=parameter_docs.CUTOFF_ONE_HIT_EXAMPLE,
).factory

retrieval_fall_out = CutoffMetric(
    "retrieval_fall_out",
    _fall_out,
    __name__,
    """Fall-out at ``k``: non-relevant documents in the top ``k`` over all non-relevant ones.

    TorchMetrics' ``RetrievalFallOut`` (lower is better).

    Args:
        empty_target_action: a query without a *non-relevant* document counts as ``"pos"``
            (1, the default), ``"neg"`` (0), is skipped (``"skip"``), or raises (``"error"``).

    Example:
        >>> retrieval_fall_out(top_k=2)(preds, target, indexes=indexes)
        tensor(0.7500)
    """,
    higher_is_better=False,
    glossary=parameter_docs.CUTOFF_EXAMPLE,
    empty_what="negative",
    empty_target_action="pos",
).factory


@factory(higher_is_better=True)
@parameter_docs.CUTOFF_EXAMPLE
def retrieval_r_precision(
    empty_target_action: str = "neg",
    ignore_index: int | None = None,
    aggregation: str | Callable[..., Tensor] = "mean",
    *,
    dense: bool = False,
    capacity: int | None = None,
    validate_args: bool = True,
) -> Metric:
    """R-precision: precision at ``k = R``, the number of relevant documents of the query.

    TorchMetrics' ``RetrievalRPrecision``.

    Returns:
        A metric computing a float32 scalar.

    Example:
        >>> retrieval_r_precision()(preds, target, indexes=indexes)
        tensor(0.8333)
    """
    options = Options(empty_target_action, ignore_index, aggregation, dense, capacity, validate_args)
    return cutoff_metric("retrieval_r_precision", _r_precision, options, None)
