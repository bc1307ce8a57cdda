"""One base metric per output column (TorchMetrics' ``MultioutputWrapper``).

The state is the base state stacked ``num_outputs`` times; an update slices every tensor
input along ``output_dim`` and updates all outputs at once with ``torch.func.vmap``
(``in_dims=output_dim``), so it compiles once and vmaps, and ``compute`` stacks the
values. Rows holding a NaN (``remove_nans``) are dropped per output: for a base metric
that takes ``sample_weight`` by a weight of 0 (the NaN replaced by 0 first), which
traces; for other base metrics by boolean indexing in a Python loop over the outputs,
which runs in eager only.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool, check_int, type_error
from metrix._core.checks import is_tracing
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix._core.weights import check_sample_weight, mark_sample_weight, takes_sample_weight
from metrix.wrappers._stacking import check_fixed, check_metric, compute_stacked, select, stack_init, write

__all__ = ["MultioutputState", "multioutput"]


@state
class MultioutputState:
    """One base state per output."""

    outputs: Any = leaf("node")  # the base state with a leading (num_outputs,) dim on every leaf


@factory(higher_is_better=None)
def multioutput(
    metric: Metric, num_outputs: int, output_dim: int = -1, remove_nans: bool = True, squeeze_outputs: bool = True
) -> Metric:
    """Apply a single-output metric to each output of multi-output inputs.

    Every tensor input (positional, or by keyword except ``sample_weight``, which weights
    rows) is sliced along ``output_dim``; the value is the base metric's value per output,
    stacked along a new leading dim.

    Args:
        metric: the base metric (fixed-size state).
        num_outputs: the number of outputs (an int >= 1).
        output_dim: the dim of the inputs that indexes the outputs.
        remove_nans: drop, per output, the rows where any input holds a NaN.
        squeeze_outputs: drop the output dim from the sliced inputs (else keep it with size 1).

    Returns:
        A metric whose value has a leading ``(num_outputs,)`` dim.

    Example:
        >>> import torch
        >>> from metrix.regression import mean_absolute_error
        >>> from metrix.wrappers import multioutput
        >>> preds = torch.tensor([[1.0, 2.0], [3.0, float("nan")], [5.0, 6.0]])
        >>> target = torch.tensor([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
        >>> multioutput(mean_absolute_error(), num_outputs=2)(preds, target)
        tensor([1., 2.], dtype=torch.float64)
    """
    base = check_metric(metric, "multioutput")
    k = check_int(num_outputs, "num_outputs", 1)
    if isinstance(output_dim, bool) or not isinstance(output_dim, int):
        raise type_error("output_dim", "an int", output_dim)
    remove_nans = check_bool(remove_nans, "remove_nans")
    squeeze_outputs = check_bool(squeeze_outputs, "squeeze_outputs")
    check_fixed(base.init(), "multioutput", base.name)
    weighted = takes_sample_weight(base)
    name = f"multioutput({base.name}, num_outputs={k})"

    def init(*, device: Any = None) -> MultioutputState:
        return MultioutputState(stack_init(base.init(device=device), k))

    def split(inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[list[Any], list[int | None], list[str]]:
        """Every input in one positional list (tensor keywords last) and the dim vmap maps over."""
        names = [key for key, v in kwargs.items() if isinstance(v, Tensor)]
        values = [*inputs, *(kwargs[key] for key in names)]
        dims: list[int | None] = []
        for i, x in enumerate(values):
            if not isinstance(x, Tensor):
                dims.append(None)
                continue
            label = f"input {i}" if i < len(inputs) else names[i - len(inputs)]
            if x.dim() == 0 or not -x.dim() <= output_dim < x.dim():
                raise ValueError(f"{name}: {label} of shape {tuple(x.shape)} has no output_dim={output_dim}")
            d = output_dim % x.dim()
            if x.shape[d] != k:
                raise ValueError(
                    f"{name}: {label} has {x.shape[d]} outputs along output_dim={output_dim} (shape "
                    f"{tuple(x.shape)}), expected num_outputs={k}"
                )
            dims.append(d)
        return values, dims, names

    def update(s: MultioutputState, *inputs: Any, sample_weight: Any = None, **kwargs: Any) -> MultioutputState:
        values, dims, names = split(inputs, kwargs)
        rest = {key: v for key, v in kwargs.items() if key not in names}
        first = next((x for x in values if isinstance(x, Tensor)), None)
        if first is None:
            raise TypeError(f"{name}: update needs tensor inputs (preds, target, ...) to slice along output_dim")
        if sample_weight is not None and not weighted:
            raise TypeError(f"{name}: {base.name} does not take sample_weight")
        user = None if sample_weight is None else check_sample_weight(sample_weight, first, name)

        def rows_with_nan(sliced: list[Any]) -> Tensor:
            like = next(x for x in sliced if isinstance(x, Tensor))
            nan = torch.zeros(like.shape[:1], dtype=torch.bool, device=like.device)
            for x in sliced:
                if isinstance(x, Tensor) and x.is_floating_point() and x.dim():
                    nan = nan | torch.isnan(x).reshape(x.shape[0], math.prod(x.shape[1:])).any(1)
            return nan

        def call(state: Any, sliced: list[Any], weight: Any) -> Any:
            if not squeeze_outputs:
                sliced = [x.unsqueeze(d) if d is not None else x for x, d in zip(sliced, dims)]
            args, named = sliced[: len(inputs)], dict(zip(names, sliced[len(inputs) :]))
            extra = {} if weight is None else {"sample_weight": weight}
            return base.update(state, *args, **named, **rest, **extra)

        if not remove_nans or weighted:

            def one(state: Any, *sliced: Any) -> Any:
                sliced_list = list(sliced)
                weight = user
                if remove_nans:
                    nan = rows_with_nan(sliced_list)
                    keep = (~nan).to(torch.float64)
                    weight = keep if weight is None else weight * keep
                    sliced_list = [
                        torch.where(torch.isnan(x), 0.0, x) if isinstance(x, Tensor) and x.is_floating_point() else x
                        for x in sliced_list
                    ]
                return call(state, sliced_list, weight)

            return MultioutputState(torch.func.vmap(one, in_dims=(0, *dims))(s.outputs, *values))

        # a base metric without weights: drop NaN rows by boolean indexing (eager only)
        if any(is_tracing(x) for x in values if isinstance(x, Tensor)):
            raise RuntimeError(
                f"{name}: remove_nans=True drops rows by boolean indexing for {base.name}, which does not take "
                "sample_weight; that cannot be traced: pass remove_nans=False under torch.compile/vmap"
            )
        outputs = s.outputs
        for i in range(k):
            sliced = [x.select(d, i) if d is not None else x for x, d in zip(values, dims)]
            keep = ~rows_with_nan(sliced)
            sliced = [x[keep] if isinstance(x, Tensor) and x.dim() else x for x in sliced]
            new = call(select(outputs, i), sliced, None)
            outputs = write(outputs, new, torch.arange(k, device=keep.device) == i)
        return MultioutputState(outputs)

    def compute(s: MultioutputState) -> Any:
        return compute_stacked(base, s.outputs)

    mark_sample_weight(update, weighted)
    return Metric(init, update, compute, name=name, batch_merge=base.batch_merge)
