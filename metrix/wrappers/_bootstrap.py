"""Streaming bootstrap: the base state stacked ``B`` times, updated under vmap with resampling weights.

A bootstrap replicate is the metric on a resample of the data. With Poisson(1) weights
(``sampling_strategy="poisson"``) every sample enters replicate ``b`` with an independent
Poisson(1) count as its ``sample_weight``: that needs no knowledge of ``N``, so one
streaming pass over the data in fixed memory, ``O(B x state)``, gives all ``B``
replicates (TorchMetrics' ``BootStrapper`` updates ``B`` deep copies in a Python loop;
HF evaluate keeps every prediction). The state is the base state with a leading
``(B,)`` dim, so it merges, syncs, compiles once and vmaps like any state.

The weights come from a counter-based generator inside the pure update
(:mod:`metrix.wrappers._bootstrap_poisson`; the multinomial's from
:mod:`metrix.wrappers._random`): the weight of sample ``i`` in replicate ``b`` is a hash
of ``(seed, stream, i, b)``, with ``i`` the sample's index in the state's stream (the state
counts the samples it has seen) and ``stream`` the process rank. On one process the
result does not depend on how the data is batched; every rank draws its own stream;
``seed`` makes runs reproducible. Two states updated separately from ``init()`` on one
process draw the same stream: give them different ``stream=`` (or ``seed=``) before
merging them. ``MetricModule.forward`` knows this (the metric declares
``batch_merge=False``).

``sampling_strategy="multinomial"`` draws, per batch and replicate, ``n`` indexes with
replacement from the batch's ``n`` samples (TorchMetrics' per-batch multinomial), as
counts: exact resampling of each batch, so the result depends on the batching, and the
counts take ``O(B x batch)`` memory. A whole-stream multinomial (``N`` draws from all
``N`` samples) needs ``N`` before the first batch, which a streaming state cannot know.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.distributed as dist
import torch.utils._pytree as pytree
from torch import Tensor

from metrix._core.args import check_bool, check_choice, check_int, type_error, value_error
from metrix._core.checks import is_tracing
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix._core.weights import check_sample_weight, mark_sample_weight, takes_sample_weight, trusted_weights
from metrix.wrappers._bootstrap_poisson import poisson_weights
from metrix.wrappers._random import uniform_index, words
from metrix.wrappers._stacking import check_fixed, check_metric, compute_stacked, stack_init

__all__ = ["BootstrapState", "bootstrap"]

_STRATEGIES = ("poisson", "multinomial")
# rows per chunk: B x chunk weights live at once (about 4M values)
_CHUNK_VALUES = 1 << 22


@state
class BootstrapState:
    """``B`` replicates of a base state and the length of the random stream used so far."""

    replicates: Any = leaf("node")  # the base state with a leading (B,) dim on every leaf
    rows: Tensor = leaf("sum")  # int64 (): samples seen, the counter of the random stream


def _stream(stream: int | None) -> int:
    if stream is not None:
        return stream
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    return 0


def _first_tensor(inputs: tuple[Any, ...], name: str) -> Tensor:
    for x in inputs:
        if isinstance(x, Tensor):
            return x
    raise TypeError(f"{name}: update needs at least one tensor input to count the samples")


def _rows(x: Any, a: int, b: int) -> Any:
    if isinstance(x, Tensor) and x.dim() > 0:
        return x[a:b]
    if isinstance(x, list):
        return x[a:b]
    return x


def _per_sample(x: Any, n: int) -> bool:
    return (isinstance(x, Tensor) and x.dim() > 0 and x.shape[0] == n) or (isinstance(x, list) and len(x) == n)


def _check_quantile(quantile: Any) -> Any:
    if quantile is None:
        return None
    expected = "None, a float in [0, 1] or a sequence of them"
    values = quantile.tolist() if isinstance(quantile, Tensor) else quantile
    flat = list(values) if isinstance(values, (list, tuple)) else [values]
    if not flat or any(isinstance(q, bool) or not isinstance(q, (int, float)) for q in flat):
        raise type_error("quantile", expected, quantile)
    if any(not 0 <= q <= 1 for q in flat):
        raise value_error("quantile", expected, quantile)
    return values


def _quantile(values: Tensor, levels: Any) -> Tensor:
    """``torch.quantile(values, levels, dim=0)`` (linear interpolation), from ``sort``, which vmaps."""
    q = torch.tensor(levels, dtype=values.dtype, device=values.device)
    ordered = values.sort(0).values
    pos = q * (values.shape[0] - 1)
    lo = pos.floor().long()
    hi = torch.clamp(lo + 1, max=values.shape[0] - 1)
    frac = (pos - lo).reshape(q.shape + (1,) * (values.dim() - 1))
    low, high = ordered[lo.reshape(-1)], ordered[hi.reshape(-1)]
    low, high = low.reshape(q.shape + values.shape[1:]), high.reshape(q.shape + values.shape[1:])
    return low + (high - low) * frac


@factory(higher_is_better=None)
def bootstrap(
    metric: Metric,
    num_bootstraps: int = 10,
    mean: bool = True,
    std: bool = True,
    quantile: float | list[float] | Tensor | None = None,
    raw: bool = False,
    sampling_strategy: str = "poisson",
    *,
    seed: int = 0,
    stream: int | None = None,
) -> Metric:
    """Bootstrap confidence statistics of a metric in one streaming pass (TorchMetrics' ``BootStrapper``).

    ``update(state, *inputs, sample_weight=None, **kwargs)`` draws one resampling weight
    per sample and replicate and updates all ``num_bootstraps`` replicates of the base
    state at once (``torch.func.vmap`` over the replicates, ``sample_weight=`` to the
    base metric, multiplied by the caller's ``sample_weight`` when given). ``compute``
    returns a dict with ``"mean"`` and ``"std"`` (unbiased) of the replicate values,
    ``"quantile"`` (``torch.quantile`` at ``quantile``) and ``"raw"`` (all values,
    leading dim ``num_bootstraps``), each as asked for; a base metric that returns a dict
    gets these statistics per key.

    Args:
        metric: the base metric; it must take ``sample_weight`` and have a fixed-size state.
        num_bootstraps: number of replicates ``B`` (an int >= 2).
        mean: report the mean of the replicates.
        std: report their standard deviation.
        quantile: report ``torch.quantile`` of the replicates at these levels.
        raw: report every replicate's value.
        sampling_strategy: ``"poisson"`` (streaming, batching-invariant) or
            ``"multinomial"`` (TorchMetrics' per-batch resampling).
        seed: seed of the counter-based generator (an int >= 0).
        stream: the random stream (an int >= 0); default: the process rank at update time.

    Returns:
        A metric whose state holds ``num_bootstraps`` replicates of the base state.

    Raises:
        TypeError: the base metric does not take ``sample_weight``.
        ValueError: ``num_bootstraps < 2``, an unknown strategy, or a base state that keeps samples.

    Example:
        >>> import torch
        >>> from metrix.regression import mean_absolute_error
        >>> from metrix.wrappers import bootstrap
        >>> m = bootstrap(mean_absolute_error(), num_bootstraps=200, quantile=[0.025, 0.975], seed=1)
        >>> g = torch.Generator().manual_seed(0)
        >>> preds, target = torch.randn(500, generator=g), torch.randn(500, generator=g)
        >>> out = m(preds, target)
        >>> sorted(out)
        ['mean', 'quantile', 'std']
        >>> bool(out["quantile"][0] < mean_absolute_error()(preds, target) < out["quantile"][1])
        True
    """
    base = check_metric(metric, "bootstrap")
    b = check_int(num_bootstraps, "num_bootstraps", 2)
    mean, std, raw = check_bool(mean, "mean"), check_bool(std, "std"), check_bool(raw, "raw")
    levels = _check_quantile(quantile)
    strategy = check_choice(sampling_strategy, "sampling_strategy", _STRATEGIES)
    seed = check_int(seed, "seed", 0)
    if stream is not None:
        stream = check_int(stream, "stream", 0)
    if not takes_sample_weight(base):
        raise TypeError(
            f"bootstrap: {base.name} does not take sample_weight, which the streaming bootstrap resamples with; "
            "only metrics with sample_weight= can be bootstrapped"
        )
    check_fixed(base.init(), "bootstrap", base.name)
    chunk = max(1, _CHUNK_VALUES // b)
    name = f"bootstrap({base.name})"

    def init(*, device: Any = None) -> BootstrapState:
        return BootstrapState(
            stack_init(base.init(device=device), b), torch.zeros((), dtype=torch.int64, device=device)
        )

    def weights(s: BootstrapState, n: int, device: torch.device) -> Tensor | None:
        """``(B, n)`` multinomial counts of this batch (None for Poisson: drawn per chunk)."""
        if strategy == "poisson" or n == 0:
            return None
        u = words(seed, _stream(stream), s.rows, n, b)
        draws = uniform_index(u, n)
        return torch.zeros((b, n), dtype=torch.int32, device=device).scatter_add(
            1, draws, torch.ones_like(draws, dtype=torch.int32)
        )

    def update(s: BootstrapState, *inputs: Any, sample_weight: Any = None, **kwargs: Any) -> BootstrapState:
        first = _first_tensor(inputs, name)
        n = first.shape[0] if first.dim() else 1
        user = None if sample_weight is None else check_sample_weight(sample_weight, first, name)
        counts = weights(s, n, first.device)
        replicates = s.replicates
        if torch.compiler.is_compiling():
            # one chunk: a loop over the batch size would fix it in the graph, and a loader's
            # last, smaller batch (dynamic=True, mark_dynamic) would compile a graph per size
            bounds = [(0, n)]
        else:
            bounds = [(a, min(a + chunk, n)) for a in range(0, n, chunk)] or [(0, 0)]
        # eager Poisson weights are written into one buffer, reused chunk after chunk
        eager = counts is None and len(bounds) > 1 and first.device.type == "cpu"
        eager = eager and not is_tracing(s.rows)  # (compiled code draws one chunk: len(bounds) == 1)
        buffer = torch.empty((b, chunk), dtype=torch.float64, device=first.device) if eager else None
        for lo, hi in bounds:
            if counts is None:
                w = poisson_weights(seed, _stream(stream), s.rows + lo, hi - lo, b, out=buffer)
            else:
                w = counts[:, lo:hi].to(torch.float64)
            if user is not None:
                w = w * user[lo:hi]
            whole = (lo, hi) == (0, n)
            part = inputs if whole else tuple(_rows(x, lo, hi) for x in inputs)
            # per-sample keyword inputs (e.g. by_group's groups=) are cut like the positional ones
            named = kwargs if whole else {k: _rows(v, lo, hi) if _per_sample(v, n) else v for k, v in kwargs.items()}

            def one(replicate: Any, weight: Tensor, part: tuple[Any, ...] = part, named: dict[str, Any] = named) -> Any:
                return base.update(replicate, *part, sample_weight=weight, **named)

            if user is None:  # Poisson or multinomial counts: valid weights by construction
                with trusted_weights():
                    replicates = torch.func.vmap(one)(replicates, w)
            else:
                replicates = torch.func.vmap(one)(replicates, w)
        return BootstrapState(replicates, s.rows + n)

    def compute(s: BootstrapState) -> dict[str, Any]:
        values = compute_stacked(base, s.replicates)
        out: dict[str, Any] = {}
        as_float = pytree.tree_map(lambda v: v if v.is_floating_point() else v.to(torch.float64), values)
        if mean:
            out["mean"] = pytree.tree_map(lambda v: v.mean(0), as_float)
        if std:
            out["std"] = pytree.tree_map(lambda v: v.std(0), as_float)
        if levels is not None:
            out["quantile"] = pytree.tree_map(lambda v: _quantile(v, levels), as_float)
        if raw:
            out["raw"] = values
        return out

    mark_sample_weight(update, True)
    # batch_merge=False: a batch state drawn from init() would reuse the stream of the running state
    return Metric(init, update, compute, name=name, batch_merge=False)
