"""A metric per group: subgroup and fairness analysis in one state.

``by_group(metric, num_groups)`` keeps the base state stacked ``num_groups`` times. An
update gives every sample to its group: the base metric is updated once per group under
``torch.func.vmap``, with ``sample_weight`` equal to 1 for the group's samples and 0
elsewhere (times the caller's ``sample_weight``). A weight of 0 is exactly a dropped
sample for every weighted metric, so group ``g`` holds the state of the samples with
``groups == g``, without boolean indexing: it compiles once and vmaps, and the stacked
state merges and syncs like any state. The work is ``num_groups`` masked updates per
batch (``O(num_groups x batch)``).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool, check_int, check_tensor
from metrix._core.checks import check_in_range
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix._core.weights import check_sample_weight, mark_sample_weight, takes_sample_weight
from metrix.wrappers._stacking import check_fixed, check_metric, compute_stacked, stack_init

__all__ = ["ByGroupState", "by_group"]


@state
class ByGroupState:
    """One base state per group."""

    groups: Any = leaf("node")  # the base state with a leading (num_groups,) dim on every leaf


@factory(higher_is_better=None)
def by_group(metric: Metric, num_groups: int, *, validate_args: bool = True) -> Metric:
    """The base metric computed separately for each group of samples.

    ``update(state, *inputs, groups, sample_weight=None, **kwargs)`` takes one group id
    in ``[0, num_groups)`` per sample (an integer tensor of shape ``(N,)``, by keyword).
    ``compute`` returns the base metric's value for every group, stacked along a new
    leading dim of size ``num_groups`` (a dict of such tensors for a dict-valued base). A
    group that saw no samples gets the base metric's value on no data (often NaN).

    Args:
        metric: the base metric; it must take ``sample_weight`` and have a fixed-size state.
        num_groups: the number of groups (an int >= 1).
        validate_args: check that group ids are in range.

    Returns:
        A metric whose state holds one base state per group.

    Raises:
        TypeError: the base metric does not take ``sample_weight``.

    Example:
        >>> import torch
        >>> from metrix.regression import mean_absolute_error
        >>> from metrix.wrappers import by_group
        >>> m = by_group(mean_absolute_error(), num_groups=2)
        >>> preds, target = torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([1.0, 1.0, 1.0, 1.0])
        >>> m(preds, target, groups=torch.tensor([0, 0, 1, 1]))
        tensor([0.5000, 2.5000], dtype=torch.float64)
    """
    base = check_metric(metric, "by_group")
    num_groups = check_int(num_groups, "num_groups", 1)
    validate_args = check_bool(validate_args, "validate_args")
    if not takes_sample_weight(base):
        raise TypeError(
            f"by_group: {base.name} does not take sample_weight, which by_group routes samples to groups with; "
            "only metrics with sample_weight= can be grouped"
        )
    check_fixed(base.init(), "by_group", base.name)
    name = f"by_group({base.name}, num_groups={num_groups})"
    ids = torch.arange(num_groups)

    def init(*, device: Any = None) -> ByGroupState:
        return ByGroupState(stack_init(base.init(device=device), num_groups))

    def update(s: ByGroupState, *inputs: Any, groups: Any, sample_weight: Any = None, **kwargs: Any) -> ByGroupState:
        check_tensor(groups, "groups")
        if groups.is_floating_point() or groups.dtype == torch.bool:
            raise TypeError(f"{name}: groups must be an integer tensor of group ids, got dtype {groups.dtype}")
        first = next((x for x in inputs if isinstance(x, Tensor)), None)
        n = first.shape[0] if first is not None and first.dim() else 1
        if groups.dim() != 1 or groups.shape[0] != n:
            raise ValueError(f"{name}: groups must have shape ({n},), one id per sample, got {tuple(groups.shape)}")
        message = f"{name}: groups must be in [0, {int(num_groups)}), one group id per sample"
        check_in_range(groups, 0, num_groups, message, enabled=validate_args)
        member = groups.unsqueeze(0) == ids.to(groups.device).unsqueeze(1)  # (num_groups, N)
        w = member.to(torch.float64)
        if sample_weight is not None:
            w = w * check_sample_weight(sample_weight, first if first is not None else groups, name)

        def one(group_state: Any, weight: Tensor) -> Any:
            return base.update(group_state, *inputs, sample_weight=weight, **kwargs)

        return ByGroupState(torch.func.vmap(one)(s.groups, w))

    def compute(s: ByGroupState) -> Any:
        return compute_stacked(base, s.groups)

    mark_sample_weight(update, True)
    return Metric(init, update, compute, name=name)
