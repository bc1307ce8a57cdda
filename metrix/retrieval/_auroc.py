r"""Area under the ROC curve per query: how often a relevant document outscores a non-relevant one.

Inside the top ``k`` of a query with ``P`` relevant and ``N`` non-relevant documents, the
AUROC is :math:`\frac{1}{PN} \sum_{rel\ i} (\#\{irrelevant\ j: s_j < s_i\} +
\tfrac{1}{2} \#\{irrelevant\ j: s_j = s_i\})` (ties count half, as the trapezoidal rule
does), 0 when either class is missing. With ``max_fpr`` the ROC curve (one vertex per
group of equal scores) is integrated up to ``max_fpr`` with linear interpolation and
standardised with McClish's correction, as ``binary_auroc(max_fpr=...)``. All of it is
segmented sums over tie groups: no per-query curve is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_optional_number
from metrix._core.metric import Metric, factory
from metrix.retrieval import _parameter_docs as parameter_docs
from metrix.retrieval._forms import cutoff_metric
from metrix.retrieval._inputs import Options
from metrix.retrieval._ranking import Ranked

__all__ = ["retrieval_auroc"]


def _auroc_kernel(max_fpr: float | None) -> Any:
    def kernel(r: Ranked, ks: tuple[int | None, ...]) -> tuple[Tensor, Tensor]:
        pos = r.top(r.target, ks)  # (M, K)
        neg = r.top((1.0 - r.target) * r.valid, ks)
        p, n = r.sum(pos), r.sum(neg)  # (num, K)
        groups = r.tie_groups()
        start = r.group_start(groups)
        neg_group, pos_group = r.group_sum(groups, neg), r.group_sum(groups, pos)
        # negatives / positives ranked strictly above the document's tie group
        neg_above = (r.cumsum(neg) - neg).index_select(0, start)
        pos_above = (r.cumsum(pos) - pos).index_select(0, start)
        both = (p > 0) & (n > 0)
        p_safe, n_safe = p.clamp(min=1), n.clamp(min=1)
        if max_fpr is None or max_fpr == 1.0:
            beaten = r.spread(n) - neg_above - 0.5 * neg_group
            area = r.sum(pos * beaten) / (p_safe * n_safe)
        else:
            # one trapezoid per tie group (read at its last document), clipped at max_fpr
            last = torch.ones_like(groups, dtype=torch.bool)
            if groups.shape[0]:
                last = torch.cat([groups[1:] != groups[:-1], last[:1]])
            n_doc, p_doc = r.spread(n_safe), r.spread(p_safe)
            x0, x1 = neg_above / n_doc, (neg_above + neg_group) / n_doc
            y0, y1 = pos_above / p_doc, (pos_above + pos_group) / p_doc
            xe = torch.clamp(x1, max=max_fpr)
            slope = torch.where(x1 > x0, (y1 - y0) / torch.where(x1 > x0, x1 - x0, 1.0), 0.0)
            ye = y0 + slope * (xe - x0)
            piece = torch.where((x0 < max_fpr) & last.unsqueeze(1), (xe - x0) * (y0 + ye) / 2, 0.0)
            partial = r.sum(piece)
            low = 0.5 * max_fpr**2
            area = 0.5 * (1 + (partial - low) / (max_fpr - low))
        return torch.where(both, area, 0.0), r.sum(r.target) == 0

    return kernel


@factory(higher_is_better=True)
@parameter_docs.CUTOFF_EXAMPLE
def retrieval_auroc(
    empty_target_action: str = "neg",
    ignore_index: int | None = None,
    top_k: int | tuple[int, ...] | None = None,
    max_fpr: float | None = None,
    aggregation: str | Callable[..., Tensor] = "mean",
    *,
    dense: bool = False,
    capacity: int | None = None,
    validate_args: bool = True,
) -> Metric:
    """AUROC per query, aggregated over queries, TorchMetrics' ``RetrievalAUROC``.

    Args:
        top_k: only the ``k`` best-scored documents count (``None``: all); a sequence gives
            one value per k.
        max_fpr: integrate the ROC curve up to this false positive rate (standardised
            partial AUC, McClish correction); ``None`` for the whole curve.

    Example:
        >>> retrieval_auroc()(preds, target, indexes=indexes)
        tensor(0.6667)
    """
    max_fpr = check_optional_number(max_fpr, "max_fpr", "None or a float in (0, 1]", lambda v: 0 < v <= 1)
    options = Options(empty_target_action, ignore_index, aggregation, dense, capacity, validate_args)
    return cutoff_metric("retrieval_auroc", _auroc_kernel(max_fpr), options, top_k, extra_key=(max_fpr,))
