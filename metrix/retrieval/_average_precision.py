r"""Average precision and reciprocal rank: where the relevant documents of a query are ranked.

With documents ranked by score and :math:`c_i` the number of relevant documents at
ranks ``1 .. i``, a query's average precision at ``k`` is
:math:`\frac{1}{R_k} \sum_{i \le k,\ rel_i} c_i / i` (:math:`R_k` the relevant documents in
the top ``k``) and its reciprocal rank is :math:`1 / i` for the first relevant ``i <= k``;
both are 0 when no relevant document is in the top ``k``. The mean over queries is
MAP / MRR. As in TorchMetrics, a document with a score ``<= 0`` is never counted as a
relevant hit (but its query is not empty for ``empty_target_action``).
"""

from __future__ import annotations

from torch import Tensor

from metrix.retrieval import _parameter_docs as parameter_docs
from metrix.retrieval._cutoff_family import CutoffMetric
from metrix.retrieval._ranking import Ranked

__all__ = ["retrieval_average_precision", "retrieval_reciprocal_rank"]


def scored_hits(r: Ranked) -> Tensor:
    """float64 ``(M,)``: relevant documents with a positive score (TorchMetrics' ``target * (preds > 0)``)."""
    return r.target * (r.preds > 0)


def _average_precision(r: Ranked, ks: tuple[int | None, ...]) -> tuple[Tensor, Tensor]:
    hits = scored_hits(r)
    precision = r.cumsum(hits) / r.positions  # relevant documents at ranks 1 .. i, over i
    counted = r.top(hits, ks)  # (M, K): 1 for a hit inside the cut-off
    total = r.sum(counted * precision.unsqueeze(1))  # the precision at each counted hit
    del precision
    relevant = r.sum(counted)
    return total / relevant.clamp(min=1), r.sum(r.target) == 0


def _reciprocal_rank(r: Ranked, ks: tuple[int | None, ...]) -> tuple[Tensor, Tensor]:
    hits = scored_hits(r)
    first_hit = hits * (r.cumsum(hits) == 1)
    return r.sum(r.top(first_hit / r.positions, ks)), r.sum(r.target) == 0


retrieval_average_precision = CutoffMetric(
    "retrieval_average_precision",
    _average_precision,
    __name__,
    """Mean average precision (MAP) over queries, TorchMetrics' ``RetrievalMAP``.

    Args:
        empty_target_action: a query without a relevant document counts as ``"neg"`` (0),
            ``"pos"`` (1), is skipped (``"skip"``; 0 if every query is), or raises (``"error"``).
        top_k: only the ``k`` best-scored documents of each query count (``None``: all); a
            sequence of ks gives one value per k.
        aggregation: ``"mean"``, ``"median"``, ``"min"``, ``"max"`` or a callable
            ``f(values, dim=None)`` over the per-query values (flat form only for the last two).
        capacity: flat form: keep at most this many documents in a fixed-capacity buffer
            (compiles once, vmaps); ``None`` keeps growing eager storage.

    Example:
        >>> retrieval_average_precision()(preds, target, indexes=indexes)
        tensor(0.9028)
        >>> dense = retrieval_average_precision(dense=True, top_k=(1, 2))
        >>> dense(torch.tensor([[0.2, 0.3, 0.5]]), torch.tensor([[0, 0, 1]]))
        tensor([1., 1.])
    """,
    higher_is_better=True,
    glossary=parameter_docs.CUTOFF_EXAMPLE,
).factory

retrieval_reciprocal_rank = CutoffMetric(
    "retrieval_reciprocal_rank",
    _reciprocal_rank,
    __name__,
    """Mean reciprocal rank (MRR) of the first relevant document, TorchMetrics' ``RetrievalMRR``.

    Args:
        top_k: only the ``k`` best-scored documents count (``None``: all); a sequence of ks
            gives one value per k.

    Example:
        >>> retrieval_reciprocal_rank()(preds, target, indexes)
        tensor(0.6667)
    """,
    higher_is_better=True,
    glossary=parameter_docs.CUTOFF_ONE_HIT_EXAMPLE,
).factory
