"""Label ranking metrics for multilabel scores: coverage error, ranking average precision, ranking loss.

Each sample (a row of ``L`` label scores) gets one value and the metric is the mean
over samples, so the state is a per-sample sum (float64 or int64) and a sample count
(int64). Ranks are counted without ``unique`` or Python loops: scores are sorted per
row and ``searchsorted`` counts, for every label ``j``, how many labels score at
least as high as ``j`` (ties share the highest rank, as in scikit-learn).

``ignore_index`` follows TorchMetrics exactly: an ignored entry is kept in its row
with score ``-4 L`` and a target that is neither 0 nor 1. It is therefore never a
relevant label, counts as an irrelevant one in the ranking loss, and makes the
coverage of its row ``L`` (TorchMetrics treats every non-zero target as relevant
there).

Reference: Tsoumakas, Katakis, Vlahavas, "Mining Multi-label Data", Data Mining and
Knowledge Discovery Handbook, 2010.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.family import publish
from metrix._core.metric import Metric
from metrix._core.state import leaf, state
from metrix.classification._inputs import (
    check_ignore_index,
    check_input_format,
    check_int,
    check_validate_args,
    multilabel_scores,
)
from metrix.classification._sample_weights import float_row_weights

__all__ = [
    "RankingState",
    "multilabel_coverage_error",
    "multilabel_ranking_average_precision",
    "multilabel_ranking_loss",
]


@state
class RankingState:
    """Sum of a per-sample ranking score and the number of samples."""

    score: Tensor = leaf("sum")  # float64 (): sum over samples
    total: Tensor = leaf("sum")  # float64 (): number of samples (rows; their total weight with sample_weight=)


def _init(*, device: Any = None) -> RankingState:
    return RankingState(
        torch.zeros((), dtype=torch.float64, device=device), torch.zeros((), dtype=torch.float64, device=device)
    )


def _at_least(scores: Tensor, pool: Tensor) -> Tensor:
    """For every ``scores[m, j]``: how many entries of row ``pool[m]`` are ``>= scores[m, j]``."""
    below = torch.searchsorted(pool.sort(dim=1).values.contiguous(), scores, side="left")
    return pool.shape[1] - below


def _ranking_metric(
    name: str,
    per_sample: Callable[[Tensor, Tensor, Tensor, int], Tensor],
    num_labels: int,
    ignore_index: int | None,
    validate_args: bool,
    input_format: str,
    compute: Callable[[RankingState], Tensor],
) -> Metric:
    check_int(num_labels, "num_labels", 2)
    check_ignore_index(ignore_index)
    check_validate_args(validate_args)
    check_input_format(input_format, scores=True)

    def update(s: RankingState, preds: Tensor, target: Tensor, sample_weight: Tensor | None = None) -> RankingState:
        # TorchMetrics decides sigmoid-or-not on every score, ignored ones included.
        p, t, valid = multilabel_scores(
            preds, target, num_labels, ignore_index=ignore_index, validate_args=validate_args, input_format=input_format
        )
        if ignore_index is not None:
            p = torch.where(valid, p, torch.as_tensor(-4.0 * num_labels, dtype=p.dtype, device=p.device))
        p = p.contiguous()  # contiguous rows: searchsorted copies non-contiguous values (and warns) otherwise
        values = per_sample(p, t, valid, num_labels)
        if sample_weight is None:
            return RankingState(s.score + values.double().sum(), s.total + p.shape[0])
        w = float_row_weights(sample_weight, target, p.shape[0], name, validate_args=validate_args)
        return RankingState(s.score + torch.dot(values.double(), w), s.total + w.sum())

    key = (name, num_labels, ignore_index, validate_args, input_format)
    return Metric(_init, update, compute, name=name, key=key)


def _mean(s: RankingState) -> Tensor:
    return s.score / s.total  # float64, the accumulator's precision


def _coverage(p: Tensor, t: Tensor, valid: Tensor, num_labels: int) -> Tensor:
    # Relevant for coverage: any non-zero target, ignored entries included (TorchMetrics).
    relevant = (t != 0) | ~valid
    lowest = torch.where(relevant, p, float("inf")).amin(1, keepdim=True)
    return (p >= lowest).sum(1)


def _lrap(p: Tensor, t: Tensor, valid: Tensor, num_labels: int) -> Tensor:
    relevant = (t == 1) & valid
    n_rel = relevant.sum(1)
    rank_all = _at_least(p, p)
    # Sending irrelevant labels to -inf leaves only the relevant ones to be counted.
    rank_rel = _at_least(p, torch.where(relevant, p, float("-inf")))
    ratio = torch.where(relevant, rank_rel / rank_all, 0.0)
    partial = (n_rel > 0) & (n_rel < num_labels)
    return torch.where(partial, ratio.double().sum(1) / n_rel.clamp(min=1), 1.0)


def _ranking_loss(p: Tensor, t: Tensor, valid: Tensor, num_labels: int) -> Tensor:
    relevant = (t == 1) & valid
    n_rel = relevant.sum(1)
    # Wrongly ordered pairs (true j, false k) with s_k >= s_j: every label at least as
    # high as j, minus the true ones.
    above = _at_least(p, p) - _at_least(p, torch.where(relevant, p, float("-inf")))
    wrong = torch.where(relevant, above, 0).sum(1)
    partial = (n_rel > 0) & (n_rel < num_labels)
    pairs = (n_rel * (num_labels - n_rel)).clamp(min=1)
    return torch.where(partial, wrong.double() / pairs, 0.0)


def _loss_mean(s: RankingState) -> Tensor:
    # TorchMetrics returns 0 (not NaN) when no sample was seen.
    # a total weight may lie in (0, 1): divide by the total itself where it is not 0
    return torch.where(s.total > 0, s.score / torch.where(s.total > 0, s.total, 1), 0.0)


# The arguments, result and example inputs every ranking metric shares.
_SHARED_DOC = """\
Args:
    num_labels: number of labels (>= 2).
    ignore_index: target value that is ignored.
    validate_args: check input values (shapes and dtypes are always checked).
    input_format: ``"auto"`` (TorchMetrics' per-batch guess: a sigmoid is applied
        when any score lies outside [0, 1]), ``"probabilities"`` or ``"logits"``.

Returns:
    A metric taking ``preds`` (float) and ``target`` (int in {{0, 1}}), both
    ``(N, L, ...)``, and computing a float64 scalar.

Example:
    >>> import torch
    >>> from metrix.classification import {name}
    >>> preds = torch.tensor([[0.75, 0.5, 1.0], [1.0, 0.2, 0.1]])
    >>> target = torch.tensor([[1, 0, 0], [0, 0, 1]])
    >>> {name}(num_labels=3)(preds, target)
    {value}
"""


class _Ranking:
    """One ranking metric's public factory: its per-sample kernel, its mean and its summary."""

    def __init__(
        self,
        name: str,
        per_sample: Callable[[Tensor, Tensor, Tensor, int], Tensor],
        compute: Callable[[RankingState], Tensor],
        summary: str,
        value: str,
        *,
        higher_is_better: bool,
    ) -> None:
        self.name, self.per_sample, self.compute = name, per_sample, compute
        doc = f"{summary.strip()}\n\n{_SHARED_DOC.format(name=name, value=value)}"
        self.factory = publish(self._factory, name, __name__, doc, higher_is_better=higher_is_better)

    def _factory(
        self,
        num_labels: int,
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
    ) -> Metric:
        return _ranking_metric(
            self.name, self.per_sample, num_labels, ignore_index, validate_args, input_format, self.compute
        )


multilabel_coverage_error = _Ranking(
    "multilabel_coverage_error",
    _coverage,
    _mean,
    """\
Coverage error: how far down the ranked labels one must go to cover every true label.

Per sample it is the number of labels scored at least as high as the lowest-scored
true label (0 when a sample has no true label); the best value is the mean number
of true labels. Same arguments, defaults and values as
``torchmetrics.functional.classification.multilabel_coverage_error`` (see the
module docstring for ``ignore_index``); scikit-learn: ``coverage_error``.
""",
    "tensor(2.5000, dtype=torch.float64)",
    higher_is_better=False,
).factory

multilabel_ranking_average_precision = _Ranking(
    "multilabel_ranking_average_precision",
    _lrap,
    _mean,
    """\
Label ranking average precision (LRAP); the best value is 1.

Per sample, the mean over its true labels ``j`` of (true labels scored at least as
high as ``j``) / (labels scored at least as high as ``j``); a sample with no true
label or only true labels scores 1. Same arguments, defaults and values as
``torchmetrics.functional.classification.multilabel_ranking_average_precision``;
scikit-learn: ``label_ranking_average_precision_score``.
""",
    "tensor(0.4167, dtype=torch.float64)",
    higher_is_better=True,
).factory

multilabel_ranking_loss = _Ranking(
    "multilabel_ranking_loss",
    _ranking_loss,
    _loss_mean,
    """\
Label ranking loss: the fraction of (true, false) label pairs ordered wrongly; best is 0.

Per sample, the number of pairs of a true label ``j`` and a false label ``k`` with
``s_k >= s_j``, divided by the number of such pairs (samples with no true or no
false label count 0). Same arguments, defaults and values as
``torchmetrics.functional.classification.multilabel_ranking_loss``; scikit-learn:
``label_ranking_loss``. Tied scores count as wrongly ordered pairs, as in
scikit-learn (TorchMetrics breaks ties by sort order).
""",
    "tensor(0.7500, dtype=torch.float64)",
    higher_is_better=False,
).factory
