"""Precision-recall curve over cut-offs ``k = 1 .. max_k``, and the best recall at a minimum precision.

For every query, relevant documents in the top ``k`` are counted for each ``k`` at once
(one scatter into a ``(queries, max_k)`` table and a cumulative sum along ``k``);
precision divides by ``k`` (by ``min(k, documents)`` with ``adaptive_k``), recall by the
query's relevant documents. The curves are aggregated over queries point by point.
``retrieval_recall_at_fixed_precision`` returns the largest aggregated recall whose
precision reaches ``min_precision`` and the largest ``k`` achieving it (``max_k`` when
the recall is 0), as TorchMetrics does.

Without ``max_k`` the curve runs to the largest query, known only from the data: the
flat eager form finds it in ``compute``; ``capacity=`` and ``dense=True`` need ``max_k``
for their fixed shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool, check_unit
from metrix._core.metric import Metric, factory
from metrix.retrieval import _parameter_docs as parameter_docs
from metrix.retrieval._forms import retrieval_metric
from metrix.retrieval._inputs import Options, check_ks
from metrix.retrieval._ranking import Ranked

__all__ = ["retrieval_precision_recall_curve", "retrieval_recall_at_fixed_precision"]

_F64 = torch.float64


def _curve_kernel(max_k: int | None, adaptive_k: bool) -> Any:
    def kernel(r: Ranked, ks: tuple[int | None, ...]) -> tuple[Tensor, Tensor]:
        k = max_k if max_k is not None else (int(r.size.max()) if r.num else 0)
        relevant = r.sum(r.target)
        if k == 0:
            return torch.zeros(r.num, 2, 0, dtype=_F64, device=r.seg.device), relevant == 0
        inside = r.rank < k  # invalid documents have relevance 0
        slot = r.seg.to(torch.int64) * k + torch.clamp(r.rank, max=k - 1)
        found = torch.zeros(r.num * k, dtype=_F64, device=r.seg.device)
        found = found.index_add(0, slot, r.target * inside).reshape(r.num, k).cumsum(1)
        cut = torch.arange(1, k + 1, device=r.seg.device)
        if adaptive_k:
            cut = torch.minimum(cut.unsqueeze(0), r.size.unsqueeze(1))
        precision = found / cut.clamp(min=1).to(_F64)
        recall = found / relevant.clamp(min=1).unsqueeze(1)
        return torch.stack([precision, recall], 1), relevant == 0

    return kernel


def _curve_metric(
    name: str, max_k: Any, adaptive_k: Any, opts: Options, finish: Any, extra_key: tuple[Any, ...] = ()
) -> Metric:
    if max_k is not None:
        (max_k,) = check_ks(max_k, "max_k")
    adaptive_k = check_bool(adaptive_k, "adaptive_k")
    if max_k is None and (opts.dense or opts.capacity is not None):
        raise ValueError(
            f"{name}: max_k is required with dense=True or capacity= (the curve's length must be fixed); "
            "without it the flat form runs the curve to the largest query"
        )
    return retrieval_metric(
        name,
        _curve_kernel(max_k, adaptive_k),
        opts,
        ks=(None,),
        graded=False,
        empty_what="positive",
        value_shape=None if max_k is None else (2, max_k),
        finish=finish,
        key=(max_k, adaptive_k, *extra_key),
    )


def _curves(v: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    return v[0], v[1], torch.arange(1, v.shape[-1] + 1, device=v.device)


def _curves_output(v: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    precision, recall, top_k = _curves(v)
    if top_k.shape[0] == 1:  # TorchMetrics' classes return a one-point curve as scalars
        return precision[0], recall[0], top_k[0]
    return precision, recall, top_k


@factory(higher_is_better=None)
@parameter_docs.QUERIES_EXAMPLE
def retrieval_precision_recall_curve(
    max_k: int | None = None,
    adaptive_k: bool = False,
    empty_target_action: str = "neg",
    ignore_index: int | None = None,
    aggregation: str | Callable[..., Tensor] = "mean",
    *,
    dense: bool = False,
    capacity: int | None = None,
    validate_args: bool = True,
) -> Metric:
    """Precision and recall at every cut-off ``k = 1 .. max_k``, TorchMetrics' ``RetrievalPrecisionRecallCurve``.

    Args:
        max_k: the last cut-off; ``None``: the size of the largest query (flat eager form
            only: ``capacity=`` and ``dense=True`` need it).
        adaptive_k: precision divides by ``min(k, documents in the query)``.
        empty_target_action: a query without a relevant document counts as curves of
            ``"neg"`` (0), ``"pos"`` (1), is skipped (``"skip"``), or raises (``"error"``).
        aggregation: ``"mean"``, ``"median"``, ``"min"``, ``"max"`` or a callable
            ``f(values, dim=0)``, applied point by point (flat form only for the last two).

    Returns:
        A metric computing ``(precision, recall, top_k)``: two float32 ``(max_k,)`` curves
        and the cut-offs ``1 .. max_k`` (int64); scalars when ``max_k`` is 1, as
        TorchMetrics' class returns.

    Example:
        >>> precision, recall, top_k = retrieval_precision_recall_curve(max_k=3)(preds, target, indexes)
        >>> precision, recall, top_k
        (tensor([1.0000, 0.5000, 0.5000]), tensor([0.6667, 0.6667, 0.8333]), tensor([1, 2, 3]))
    """
    options = Options(empty_target_action, ignore_index, aggregation, dense, capacity, validate_args)
    return _curve_metric("retrieval_precision_recall_curve", max_k, adaptive_k, options, _curves_output)


def _best_recall(min_precision: float) -> Any:
    def finish(v: Tensor) -> tuple[Tensor, Tensor]:
        precision, recall, top_k = _curves(v)
        k = top_k.shape[0]
        ok = precision >= min_precision
        best = torch.where(ok, recall, -1.0).amax() if k else torch.tensor(-1.0, device=v.device)
        best = best.clamp(min=0.0)
        best_k = torch.where(ok & (recall == best), top_k, 0).amax() if k else torch.tensor(0, device=v.device)
        # TorchMetrics: best_k is max_k when no precision reaches min_precision or the recall is 0
        best_k = torch.where(best > 0, best_k, k)
        return best.to(torch.float32), best_k.to(torch.int64)

    return finish


@factory(higher_is_better=True)
@parameter_docs.QUERIES_EXAMPLE
def retrieval_recall_at_fixed_precision(
    min_precision: float = 0.0,
    max_k: int | None = None,
    adaptive_k: bool = False,
    empty_target_action: str = "neg",
    ignore_index: int | None = None,
    *,
    aggregation: str | Callable[..., Tensor] = "mean",
    dense: bool = False,
    capacity: int | None = None,
    validate_args: bool = True,
) -> Metric:
    """The largest recall whose precision is at least ``min_precision``, over cut-offs ``1 .. max_k``.

    TorchMetrics' ``RetrievalRecallAtFixedPrecision``: the curves of
    :func:`retrieval_precision_recall_curve` are aggregated over queries first.

    Args:
        min_precision: the precision to reach, in ``[0, 1]``.
        max_k: the last cut-off; ``None``: the size of the largest query (flat eager form only).
        adaptive_k: precision divides by ``min(k, documents in the query)``.
        empty_target_action: a query without a relevant document counts as curves of
            ``"neg"`` (0), ``"pos"`` (1), is skipped (``"skip"``), or raises (``"error"``).
        aggregation: how the curves are aggregated over queries (see the curve metric).

    Returns:
        A metric computing ``(max_recall, best_k)``: a float32 scalar and an int64 scalar.

    Example:
        >>> retrieval_recall_at_fixed_precision(min_precision=0.8)(preds, target, indexes=indexes)
        (tensor(0.6667), tensor(1))
    """
    min_precision = check_unit(min_precision, "min_precision")
    options = Options(empty_target_action, ignore_index, aggregation, dense, capacity, validate_args)
    finish = _best_recall(min_precision)
    return _curve_metric("retrieval_recall_at_fixed_precision", max_k, adaptive_k, options, finish, (min_precision,))
