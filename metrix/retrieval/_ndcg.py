r"""Normalized discounted cumulative gain: graded relevance discounted by rank.

A query's DCG at ``k`` is :math:`\sum_{i \le k} rel_i / \log_2(i + 1)`, divided by the
DCG of the ideal order (relevance sorted descending); 0 when the ideal DCG is 0.
Documents with equal scores share their gains: each member of a tie group gets the
group's mean relevance times the discounts of the group's positions, as scikit-learn's
``ndcg_score`` and TorchMetrics do. Relevance may be any finite value (graded), not
only 0/1. The ideal order needs a second sort of the relevance inside each query.
"""

from __future__ import annotations

import torch
from torch import Tensor

from metrix.retrieval._cutoff_family import CutoffMetric
from metrix.retrieval._ranking import Ranked

__all__ = ["retrieval_normalized_dcg"]


def _ndcg(r: Ranked, ks: tuple[int | None, ...]) -> tuple[Tensor, Tensor]:
    # (M, K); invalid documents need no mask: their relevance is 0 and they tie with no valid one
    discount = r.top(1.0 / torch.log2(r.rank.to(torch.float64) + 2.0), ks)
    groups = r.tie_groups()
    group_discount = r.group_sum(groups, discount)
    group_size = r.group_sum(groups, r.valid.to(torch.float64)).clamp(min=1).unsqueeze(1)
    gain = r.sum(r.target.unsqueeze(1) * group_discount / group_size)
    ideal = r.sum(r.sorted_within(r.target).unsqueeze(1) * discount)
    value = torch.where(ideal == 0, 0.0, gain / torch.where(ideal == 0, 1.0, ideal))
    return value, r.sum(r.target) == 0


retrieval_normalized_dcg = CutoffMetric(
    "retrieval_normalized_dcg",
    _ndcg,
    __name__,
    """Normalized DCG over queries, TorchMetrics' ``RetrievalNormalizedDCG``.

    Unlike TorchMetrics' functional, 2-D input (``dense=True``) is never flattened into one query.

    Args:
        empty_target_action: a query whose relevance sums to 0 counts as ``"neg"`` (0),
            ``"pos"`` (1), is skipped (``"skip"``), or raises (``"error"``).
        top_k: only the ``k`` best-scored documents count (``None``: all); a sequence of ks
            gives one value per k.
        validate_args: check values (query ids, finite scores and relevance).

    Example:
        >>> import torch
        >>> from metrix.retrieval import retrieval_normalized_dcg
        >>> preds = torch.tensor([0.1, 0.2, 0.3, 4.0, 70.0])
        >>> target = torch.tensor([10, 0, 0, 1, 5])
        >>> retrieval_normalized_dcg()(preds, target, indexes=torch.zeros(5, dtype=torch.long))
        tensor(0.6957)
        >>> retrieval_normalized_dcg(dense=True, top_k=(1, 3))(preds[None], target[None])
        tensor([0.5000, 0.4124])

    Reference: Järvelin and Kekäläinen, "Cumulated gain-based evaluation of IR
    techniques", ACM TOIS 2002; ``sklearn.metrics.ndcg_score``.
    """,
    higher_is_better=True,
    graded=True,
).factory
