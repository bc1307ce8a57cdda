"""Group fairness of binary predictions: per-group stat rates, demographic parity, equal opportunity.

The state holds, for each of ``num_groups`` groups, the binary confusion counts
``[tn, fp, fn, tp]`` plus the number of ignored elements, in one float64 ``(G, 5)``
leaf of counts filled with ``scatter_add`` (it traces and vmaps). The ignored count only
records that a group was seen, which decides whether it takes part in the min/max
comparisons (TorchMetrics compares the groups present in the data).

``sample_weight=``: each element of sample ``i`` adds ``w[i]`` to its group's cell
instead of 1 (any non-negative real weight), so every rate is a weighted rate within the
group (``sum of w over the group's tp / sum of w over the group``): weight 0 drops the
sample (a group seen only with weight 0 is absent), an integer ``k`` repeats it. The
rates are float64 either way, so whole counts give exactly the unweighted values.

* ``binary_groups_stat_rates``: per group, ``[tp, fp, tn, fn] / (tp + fp + tn + fn)``.
* demographic parity: ``min_g PR_g / max_g PR_g`` with the positivity rate
  ``PR = (tp + fp) / (tp + fp + tn + fn)``.
* equal opportunity: ``min_g TPR_g / max_g TPR_g`` with ``TPR = tp / (tp + fn)``.

Fixed keys instead of TorchMetrics' data-dependent ones: TorchMetrics names the
fairness result after the groups it compares (``{"DP_0_1": ratio}``), which needs the
group ids on the host; metrix returns ``{"DP": ratio, "DP_min_group": i,
"DP_max_group": j}`` (and ``"EO"``, ``"EO_min_group"``, ``"EO_max_group"``) so that
``compute`` runs under ``torch.compile`` and vmap. Group ids are the ids given in
``groups``; ``binary_groups_stat_rates`` returns ``"group_g"`` for every ``g <
num_groups`` (NaN rates for a group never seen, where TorchMetrics leaves its key
out and renumbers the later groups).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_tensor
from metrix._core.checks import check, warn
from metrix._core.docstrings import Glossary
from metrix._core.family import publish
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix._core.weights import check_sample_weight
from metrix.classification._division import safe_divide
from metrix.classification._inputs import (
    check_binary_values,
    check_choice,
    check_ignore_index,
    check_input_format,
    check_int,
    check_labels_dtype,
    check_same_shape,
    check_threshold,
    check_validate_args,
    flat_len,
    hard_binary_preds,
)
from metrix.classification._sample_weights import element_weights

__all__ = [
    "GroupStatsState",
    "binary_fairness",
    "binary_groups_stat_rates",
    "demographic_parity",
    "equal_opportunity",
]

FAIRNESS_TASKS = ("demographic_parity", "equal_opportunity", "all")


@state
class GroupStatsState:
    """Binary confusion counts per group."""

    stats: Tensor = leaf("sum")  # float64 (G, 5): [tn, fp, fn, tp, ignored] counts (weights) per group


def _group_update_fn(
    num_groups: int,
    threshold: float,
    ignore_index: int | None,
    validate_args: bool,
    input_format: str,
    *,
    use_target: bool,
    name: str,
) -> Callable[..., GroupStatsState]:
    def update(
        s: GroupStatsState, preds: Tensor, target: Tensor | None, groups: Tensor, sample_weight: Tensor | None = None
    ) -> GroupStatsState:
        check_tensor(preds, "preds")
        check_tensor(groups, "groups")
        tgt = check_tensor(target, "target") if use_target else None
        if tgt is not None:
            check_same_shape(preds, tgt)
            check_labels_dtype(tgt, preds)
        if groups.is_floating_point() or groups.is_complex() or groups.dtype == torch.bool:
            raise TypeError(f"groups must hold integer group ids, got dtype {groups.dtype}; pass groups.long()")
        if preds.dim() == 0 or groups.shape not in (preds.shape[:1], preds.shape):
            raise ValueError(
                "groups must have shape (N,) (one group per sample) or the shape of preds, "
                f"got groups {tuple(groups.shape)} and preds {tuple(preds.shape)}"
            )
        n, m = preds.shape[0], flat_len(preds.shape[1:])
        g = groups.reshape(n, flat_len(groups.shape[1:])).expand(n, m).long()
        check(
            (g >= 0) & (g < num_groups),
            f"groups must hold group ids in [0, {int(num_groups)}) for num_groups={int(num_groups)}",
            enabled=validate_args,
        )
        hard = hard_binary_preds(preds.reshape(n, m), threshold, input_format, validate_args)
        # Demographic parity needs no target: TorchMetrics scores it against all zeros.
        t = tgt.reshape(n, m).long() if tgt is not None else torch.zeros_like(hard)
        valid = torch.ones_like(t, dtype=torch.bool) if ignore_index is None else t != ignore_index
        check_binary_values(t, ignore_index=ignore_index, valid=valid, validate_args=validate_args)
        cell = torch.where(valid, 2 * t.clamp(0, 1) + hard.clamp(0, 1), 4)
        idx = (g.clamp(0, num_groups - 1) * 5 + cell).reshape(-1)
        if sample_weight is None:
            counts = torch.zeros(num_groups * 5, dtype=torch.int64, device=preds.device)
            counts = counts.scatter_add(0, idx, torch.ones_like(idx))
        else:
            w = check_sample_weight(sample_weight, preds, name, validate_args=validate_args)
            counts = torch.zeros(num_groups * 5, dtype=torch.float64, device=preds.device)
            counts = counts.scatter_add(0, idx, element_weights(w, None, cell).reshape(-1))
        return GroupStatsState(s.stats + counts.reshape(num_groups, 5))

    return update


def _init_fn(num_groups: int) -> Callable[..., GroupStatsState]:
    def init(*, device: Any = None) -> GroupStatsState:
        return GroupStatsState(torch.zeros((num_groups, 5), dtype=torch.float64, device=device))

    return init


def _check_args(num_groups: Any, threshold: Any, ignore_index: Any, validate_args: Any, input_format: Any) -> float:
    check_int(num_groups, "num_groups", 1)
    check_ignore_index(ignore_index)
    check_validate_args(validate_args)
    check_input_format(input_format, scores=True)
    return check_threshold(threshold)


def _ratio(rates: Tensor, present: Tensor, prefix: str) -> dict[str, Tensor]:
    lo = torch.where(present, rates, float("inf")).argmin()
    hi = torch.where(present, rates, float("-inf")).argmax()
    return {
        # gather, not rates[lo]: indexing with a tensor would need its value on the host
        prefix: safe_divide(rates.gather(0, lo.reshape(1)), rates.gather(0, hi.reshape(1))).reshape(()),
        f"{prefix}_min_group": lo,
        f"{prefix}_max_group": hi,
    }


def _demographic_parity(stats: Tensor) -> dict[str, Tensor]:
    tn, fp, fn, tp, _ = stats.unbind(1)
    return _ratio(safe_divide((tp + fp).double(), tp + fp + tn + fn), stats.sum(1) > 0, "DP")


def _equal_opportunity(stats: Tensor) -> dict[str, Tensor]:
    _, _, fn, tp, _ = stats.unbind(1)
    return _ratio(safe_divide(tp.double(), tp + fn), stats.sum(1) > 0, "EO")


# The arguments every group metric shares (a factory may describe one in its own words).
_GLOSSARY = Glossary(
    {
        "num_groups": "number of groups; ids in ``groups`` lie in ``[0, num_groups)``.",
        "threshold": "probability above which a prediction counts as positive.",
        "ignore_index": "target value whose elements are not counted.",
        "validate_args": "check input values (shapes and dtypes are always checked).",
        "input_format": '``"auto"``, ``"probabilities"`` or ``"logits"``.',
    }
)


def _stat_rates(stats: Tensor, num_groups: int) -> dict[str, Tensor]:
    tn, fp, fn, tp, _ = stats.unbind(1)
    counts = torch.stack([tp, fp, tn, fn], dim=1)
    rates = counts.double() / counts.sum(1, keepdim=True)
    return {f"group_{g}": rates[g] for g in range(num_groups)}


class _GroupMetric:
    """The public factory of one group metric read off the per-group counts, written once.

    ``summarize(stats, num_groups)`` computes its result; without ``use_target`` the
    metric takes ``(preds, groups)`` (demographic parity). ``builder`` names the state in
    the metric's key, so that metrics counting the same update one state in a collection.
    """

    def __init__(
        self,
        name: str,
        summarize: Callable[[Tensor, int], dict[str, Tensor]],
        doc: str,
        *,
        use_target: bool,
        builder: str,
    ) -> None:
        self.name, self.summarize, self.use_target, self.builder = name, summarize, use_target, builder
        self.factory = publish(self._factory, name, __name__, doc, higher_is_better=False, glossary=_GLOSSARY)

    def _factory(
        self,
        num_groups: int,
        threshold: float = 0.5,
        ignore_index: int | None = None,
        validate_args: bool = True,
        *,
        input_format: str = "auto",
    ) -> Metric:
        threshold = _check_args(num_groups, threshold, ignore_index, validate_args, input_format)
        update = _group_update_fn(
            num_groups, threshold, ignore_index, validate_args, input_format, use_target=self.use_target, name=self.name
        )
        if not self.use_target:
            counts = update

            def update(
                s: GroupStatsState, preds: Tensor, groups: Tensor, sample_weight: Tensor | None = None
            ) -> GroupStatsState:
                return counts(s, preds, None, groups, sample_weight)

        def compute(s: GroupStatsState) -> dict[str, Tensor]:
            return self.summarize(s.stats, num_groups)

        key = (self.builder, num_groups, threshold, ignore_index, validate_args, input_format)
        return Metric(_init_fn(num_groups), update, compute, name=self.name, key=key)


binary_groups_stat_rates = _GroupMetric(
    "binary_groups_stat_rates",
    _stat_rates,
    """\
Per-group rates of true/false positives/negatives of binary predictions.

Same arguments, defaults and values as
``torchmetrics.functional.classification.binary_groups_stat_rates`` when every
group occurs in the data (see the module docstring otherwise).

Args:
    input_format: ``"auto"`` (TorchMetrics' per-batch guess: float preds outside
        [0, 1] get a sigmoid), ``"probabilities"`` or ``"logits"``; integer preds
        are labels.

Returns:
    A metric taking ``preds`` (``(N, ...)``), ``target`` (int in {0, 1}, same
    shape) and ``groups`` (int, ``(N,)`` or the shape of ``preds``) and computing
    ``{"group_g": tensor([tp, fp, tn, fn]) / total}`` for every group.

Example:
    >>> import torch
    >>> from metrix.classification import binary_groups_stat_rates
    >>> preds = torch.tensor([0.11, 0.84, 0.22, 0.73, 0.33, 0.92])
    >>> target = torch.tensor([0, 1, 0, 1, 0, 1])
    >>> groups = torch.tensor([0, 1, 0, 1, 0, 1])
    >>> rates = binary_groups_stat_rates(num_groups=2)(preds, target, groups)
    >>> rates["group_0"], rates["group_1"]
    (tensor([0., 0., 1., 0.], dtype=torch.float64), tensor([1., 0., 0., 0.], dtype=torch.float64))
""",
    use_target=True,
    builder="binary_group_stats",
).factory


@factory(higher_is_better=False)
@_GLOSSARY
def binary_fairness(  # noqa: D417 (the glossary writes the shared Args entries)
    num_groups: int,
    task: str = "all",
    threshold: float = 0.5,
    ignore_index: int | None = None,
    validate_args: bool = True,
    *,
    input_format: str = "auto",
) -> Metric:
    """Demographic parity and/or equal opportunity ratios of binary predictions across groups.

    Arguments and values as TorchMetrics' ``BinaryFairness`` (whose functional form
    ``binary_fairness`` has no ``num_groups``: it counts the groups in the data, which
    a fixed-size state cannot). The result has fixed keys (see the module docstring):
    ``"DP"``, ``"DP_min_group"``, ``"DP_max_group"`` and/or ``"EO"``,
    ``"EO_min_group"``, ``"EO_max_group"``. As in TorchMetrics,
    ``task="demographic_parity"`` ignores ``target`` (it may be ``None``).

    Args:
        task: ``"demographic_parity"``, ``"equal_opportunity"`` or ``"all"``.

    Returns:
        A metric taking ``preds``, ``target`` and ``groups`` and computing a dict of
        the ratios (float64) and the ids (int64) of the groups compared.

    Example:
        >>> import torch
        >>> from metrix.classification import binary_fairness
        >>> preds = torch.tensor([0.11, 0.84, 0.22, 0.73, 0.33, 0.92])
        >>> target = torch.tensor([0, 1, 0, 1, 0, 1])
        >>> groups = torch.tensor([0, 1, 0, 1, 0, 1])
        >>> binary_fairness(num_groups=2)(preds, target, groups)
        {'DP': tensor(0., dtype=torch.float64), 'DP_min_group': tensor(0), 'DP_max_group': tensor(1), 'EO': tensor(0., dtype=torch.float64), 'EO_min_group': tensor(0), 'EO_max_group': tensor(1)}
    """  # noqa: E501
    check_choice(task, "task", FAIRNESS_TASKS)
    threshold = _check_args(num_groups, threshold, ignore_index, validate_args, input_format)
    dp_only = task == "demographic_parity"
    update = _group_update_fn(
        num_groups, threshold, ignore_index, validate_args, input_format, use_target=not dp_only, name="binary_fairness"
    )
    if dp_only:
        counts = update

        def update(
            s: GroupStatsState,
            preds: Tensor,
            target: Tensor | None,
            groups: Tensor,
            sample_weight: Tensor | None = None,
        ) -> GroupStatsState:
            if target is not None:  # as TorchMetrics: the target is ignored, say so
                warn("binary_fairness", "task='demographic_parity' does not use target (pass target=None)")
            return counts(s, preds, target, groups, sample_weight)

    def compute(s: GroupStatsState) -> dict[str, Tensor]:
        out: dict[str, Tensor] = {}
        if task in ("demographic_parity", "all"):
            out.update(_demographic_parity(s.stats))
        if task in ("equal_opportunity", "all"):
            out.update(_equal_opportunity(s.stats))
        return out

    builder = "binary_group_stats_no_target" if dp_only else "binary_group_stats"
    key = (builder, num_groups, threshold, ignore_index, validate_args, input_format)
    return Metric(_init_fn(num_groups), update, compute, name="binary_fairness", key=key)


demographic_parity = _GroupMetric(
    "demographic_parity",
    lambda stats, _: _demographic_parity(stats),
    """\
Demographic parity: lowest over highest positivity rate across groups.

Like ``torchmetrics.functional.classification.demographic_parity`` (which takes
``preds`` and ``groups`` only), with ``num_groups`` fixed up front and the fixed
keys ``"DP"``, ``"DP_min_group"``, ``"DP_max_group"`` (see the module docstring).

Args:
    ignore_index: as in TorchMetrics, compared with an all-zero target (so only
        ``ignore_index=0`` has an effect: it ignores everything).

Returns:
    A metric taking ``preds`` and ``groups`` and computing the dict.

Example:
    >>> import torch
    >>> from metrix.classification import demographic_parity
    >>> preds = torch.tensor([0.11, 0.84, 0.62, 0.73, 0.33, 0.92])
    >>> groups = torch.tensor([0, 1, 0, 1, 0, 1])
    >>> demographic_parity(num_groups=2)(preds, groups)
    {'DP': tensor(0.3333, dtype=torch.float64), 'DP_min_group': tensor(0), 'DP_max_group': tensor(1)}
""",
    use_target=False,
    builder="demographic_parity",
).factory

equal_opportunity = _GroupMetric(
    "equal_opportunity",
    lambda stats, _: _equal_opportunity(stats),
    """\
Equal opportunity: lowest over highest true positive rate across groups.

Like ``torchmetrics.functional.classification.equal_opportunity``, with
``num_groups`` fixed up front and the fixed keys ``"EO"``, ``"EO_min_group"``,
``"EO_max_group"`` (see the module docstring).

Returns:
    A metric taking ``preds``, ``target`` and ``groups`` and computing the dict.

Example:
    >>> import torch
    >>> from metrix.classification import equal_opportunity
    >>> preds = torch.tensor([0.11, 0.84, 0.62, 0.73, 0.33, 0.92])
    >>> target = torch.tensor([0, 1, 1, 1, 0, 1])
    >>> groups = torch.tensor([0, 1, 0, 1, 0, 1])
    >>> equal_opportunity(num_groups=2)(preds, target, groups)
    {'EO': tensor(1., dtype=torch.float64), 'EO_min_group': tensor(0), 'EO_max_group': tensor(0)}
""",
    use_target=True,
    builder="binary_group_stats",
).factory
