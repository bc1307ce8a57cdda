"""Rank correlations: Spearman's rho and Kendall's tau (variants a, b, c, with t-test).

Ranks need every sample, so the state keeps ``preds`` and ``target`` in ``cat``
storage: by default a tuple of chunks (eager, amortised O(batch) appends); with
``capacity=int`` a fixed-capacity :class:`~metrix.storage.Buffer` that compiles once and
vmaps. ``compute`` always works on ``(data, valid)`` from
:func:`~metrix.storage.stored_masked`, so one code path serves both: padding rows are pushed
past every real value before sorting and carry weight 0, so they never affect a rank,
a tie count or a pair count.

Ranks of tied values are averaged (as in TorchMetrics and ``scipy.stats.rankdata``),
computed with ``sort`` and two ``searchsorted`` calls (no ``unique``, which does not
trace). Kendall's discordant pairs are counted by a vectorised merge sort (Knight's
method, O(n log² n) with static shapes), not by TorchMetrics' O(n²) pair loop.

Neither takes ``sample_weight``: passing one raises a ``TypeError`` that names the metric.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import warn_if
from metrix._core.metric import Metric, factory
from metrix._core.state import CatStorage, buffer_init, cat_append, cat_init, leaf, state, stored_masked
from metrix._core.weights import mark_sample_weight, refuse_sample_weight
from metrix.regression import _parameter_docs as parameter_docs
from metrix.regression._inputs import check_bool, check_choice, check_optional_int
from metrix.regression._moments import check_num_outputs, check_validate_args, paired_outputs

__all__ = ["RankState", "kendall_rank_corrcoef", "spearman_corrcoef"]

_F64 = torch.float64
_VARIANTS = ("a", "b", "c")
_ALTERNATIVES = ("two-sided", "less", "greater")
_NO_WEIGHTS = (
    "rank statistics have no standard weighted form (TorchMetrics, SciPy and scikit-learn define none); "
    "repeat samples to weight them by integers"
)


@state
class RankState:
    """Every sample seen, for rank statistics."""

    preds: CatStorage = leaf("cat")  # float64 (n, D) chunks, or a Buffer (capacity, D)
    target: CatStorage = leaf("cat")  # float64 (n, D) chunks, or a Buffer (capacity, D)


# (x, y, valid) -> the value: a coefficient, or (coefficient, p-value) with a test
RankValue = Tensor | tuple[Tensor, Tensor]


def _rank_metric(
    name: str,
    d: int,
    capacity: int | None,
    validate_args: bool,
    floats_only: bool,
    reduce: Callable[[Tensor, Tensor, Tensor], RankValue],
) -> Metric:
    check_optional_int(capacity, "capacity", 1)

    def init(*, device: Any = None) -> RankState:
        if capacity is None:
            return RankState(cat_init((d,), _F64, device), cat_init((d,), _F64, device))
        return RankState(buffer_init(capacity, (d,), _F64, device), buffer_init(capacity, (d,), _F64, device))

    def update(s: RankState, preds: Tensor, target: Tensor, *, sample_weight: Any = None) -> RankState:
        refuse_sample_weight(name, sample_weight, _NO_WEIGHTS)
        if floats_only:
            for x, label in ((preds, "preds"), (target, "target")):
                if isinstance(x, Tensor) and not x.is_floating_point():
                    raise TypeError(f"{label} must be a floating point tensor, got dtype {x.dtype}")
        x, y = paired_outputs(preds, target, d, validate_args=validate_args)
        return RankState(cat_append(s.preds, x), cat_append(s.target, y))

    def compute(s: RankState) -> RankValue:
        x, valid = stored_masked(s.preds)
        y, _ = stored_masked(s.target)
        return reduce(x, y, valid)

    mark_sample_weight(update, False)
    # Every rank metric stores the same samples: one key per storage configuration.
    key = ("regression_rank_samples", d, capacity, validate_args, floats_only)
    return Metric(init, update, compute, name=name, key=key)


def _ranks(x: Tensor, valid: Tensor) -> tuple[Tensor, Tensor]:
    """Average ranks (1-based) and tie-group sizes of the valid rows of ``x`` ``(n, D)``.

    Invalid rows are moved to +inf, past every (finite) real value, so they neither
    shift a rank nor join a tie group; their own outputs are meaningless and masked by
    the callers.
    """
    keyed = torch.where(valid[:, None], x, torch.inf).T.contiguous()  # (D, n)
    ordered = keyed.sort(dim=-1).values
    left = torch.searchsorted(ordered, keyed, right=False)
    right = torch.searchsorted(ordered, keyed, right=True)
    rank = (left + right + 1).to(_F64) / 2  # mean of the 1-based ranks left+1 .. right
    return rank.T, (right - left).T


def _spearman(x: Tensor, y: Tensor, valid: Tensor) -> Tensor:
    w = valid.to(_F64)[:, None]
    n = w.sum(0)
    rx, _ = _ranks(x, valid)
    ry, _ = _ranks(y, valid)
    cx = (rx - (w * rx).sum(0) / n) * w
    cy = (ry - (w * ry).sum(0) / n) * w
    cov = (cx * cy).sum(0) / n
    sx = torch.sqrt((cx * cx).sum(0) / n)
    sy = torch.sqrt((cy * cy).sum(0) / n)
    # TorchMetrics' 1e-6 in the denominator: a constant input gives 0, not NaN
    warn_if((sx == 0) | (sy == 0), "spearman_corrcoef", "preds or target is constant: the coefficient is set to 0")
    return torch.clamp(cov / (sx * sy + 1e-6), -1.0, 1.0)


@factory(higher_is_better=True)
@parameter_docs.CORRELATION
def spearman_corrcoef(*, num_outputs: int = 1, capacity: int | None = None, validate_args: bool = True) -> Metric:
    r"""Spearman's rank correlation: Pearson's correlation of the (tie-averaged) ranks.

    Same values as ``torchmetrics.functional.regression.spearman_corrcoef`` (population
    moments, ``1e-6`` added to the denominator, result clamped to [-1, 1]).

    Args:
        validate_args: check input values (NaN/inf); shapes and dtypes are always checked.

    Example:
        >>> import torch
        >>> from metrix.regression import spearman_corrcoef
        >>> spearman_corrcoef()(torch.tensor([2.5, 0.0, 2, 8]), torch.tensor([3, -0.5, 2, 7]))
        tensor(1.0000, dtype=torch.float64)
    """
    d = check_num_outputs(num_outputs)
    validate_args = check_validate_args(validate_args)

    def reduce(x: Tensor, y: Tensor, valid: Tensor) -> Tensor:
        r = _spearman(x, y, valid)
        return r[0] if d == 1 else r

    return _rank_metric("spearman_corrcoef", d, capacity, validate_args, True, reduce)


def _discordant_and_joint_ties(x: Tensor, y: Tensor, valid: Tensor) -> tuple[Tensor, Tensor]:
    """Discordant pairs ``D`` and pairs tied in both inputs ``T_xy``, per output, as int64.

    Knight's method, vectorised: order the samples by ``(x, y)``; then every pair out
    of order in ``y`` is discordant (pairs tied in ``x`` are ordered by ``y``), and
    inversions are counted by a bottom-up merge sort in which, at each of the
    ``log2(n)`` levels, a stable sort of each block tells every element of the right
    half how many elements of its (sorted) left half exceed it. O(n log² n) work with static
    shapes, so it traces. Padding rows become ``(+inf, +inf)``: last in the order,
    never inverted, and given weight 0 in the tie count.
    """
    n, d = x.shape
    inf = torch.tensor(torch.inf, dtype=_F64, device=x.device)
    xs = torch.where(valid[:, None], x, inf).T  # (D, n)
    ys = torch.where(valid[:, None], y, inf).T
    by_y = ys.argsort(dim=-1, stable=True)
    by_xy = by_y.gather(1, xs.gather(1, by_y).argsort(dim=-1, stable=True))
    xs, ys = xs.gather(1, by_xy), ys.gather(1, by_xy)
    w = valid.to(torch.int64).expand(d, n).gather(1, by_xy)
    # pairs tied in both: sizes of the runs of equal (x, y) in this order
    if n:
        new = torch.ones(d, n, dtype=torch.bool, device=x.device)
        new = torch.cat([new[:, :1], (xs[:, 1:] != xs[:, :-1]) | (ys[:, 1:] != ys[:, :-1])], dim=1)
        group = torch.cumsum(new.to(torch.int64), dim=1) - 1
        sizes = torch.zeros(d, n, dtype=torch.int64, device=x.device).scatter_add(1, group, w)
        joint = (sizes * (sizes - 1) // 2).sum(1)
    else:
        joint = torch.zeros(d, dtype=torch.int64, device=x.device)
    # inversions of y in this order
    padded = 1 << max(0, (n - 1).bit_length())
    level = torch.cat([ys, inf.expand(d, padded - n)], dim=1)
    discordant = torch.zeros(d, dtype=torch.int64, device=x.device)
    size = 1
    while size < padded:  # static: log2(capacity) levels when traced
        blocks = level.reshape(d, padded // (2 * size), 2 * size)
        # A stable sort puts equal values of the left half first, so a right element at
        # merged position p with j right elements before it has p - j left elements
        # that do not exceed it; the others are inversions.
        order = blocks.argsort(dim=-1, stable=True)
        slots = torch.arange(2 * size, device=x.device).expand_as(order)
        position = torch.zeros_like(order).scatter(-1, order, slots)
        not_greater = position[..., size:] - slots[..., :size]
        discordant = discordant + (size - not_greater).sum((1, 2))
        level = blocks.gather(-1, order).reshape(d, padded)
        size *= 2
    return discordant, joint


def _normal_cdf(t: Tensor) -> Tensor:
    return 0.5 * torch.erfc(-t / math.sqrt(2.0))


@factory(higher_is_better=None)
@parameter_docs.CORRELATION
def kendall_rank_corrcoef(
    variant: str = "b",
    t_test: bool = False,
    alternative: str | None = "two-sided",
    *,
    num_outputs: int = 1,
    capacity: int | None = None,
    validate_args: bool = True,
) -> Metric:
    r"""Kendall's rank correlation tau, optionally with the p-value of its asymptotic test.

    With :math:`C`/:math:`D` the concordant/discordant pairs, :math:`T_x`/:math:`T_y`
    the pairs tied in one input, :math:`n_0 = n(n-1)/2` and :math:`m` the smaller number
    of distinct values: :math:`\tau_a = (C - D)/(C + D)`,
    :math:`\tau_b = (C - D)/\sqrt{(n_0 - T_x)(n_0 - T_y)}`,
    :math:`\tau_c = 2(C - D)/(n^2 (m - 1)/m)`. Same arguments and values as
    ``torchmetrics.functional.regression.kendall_rank_corrcoef`` (tau clamped to
    [-1, 1]; the t-test uses the normal approximation with the tie-corrected variance).

    Args:
        variant: ``"a"``, ``"b"`` or ``"c"``.
        t_test: also return the p-value of the test of no association.
        alternative: ``"two-sided"``, ``"less"`` or ``"greater"``; required with ``t_test``.

    Returns:
        A metric computing tau (float64; a scalar, or ``(num_outputs,)``), or the pair
        ``(tau, p_value)`` with ``t_test=True``.

    Example:
        >>> import torch
        >>> from metrix.regression import kendall_rank_corrcoef
        >>> preds, target = torch.tensor([2.5, 0.0, 2, 8]), torch.tensor([3, -0.5, 2, 1])
        >>> kendall_rank_corrcoef()(preds, target)
        tensor(0.3333, dtype=torch.float64)
        >>> kendall_rank_corrcoef(t_test=True)(preds, target)
        (tensor(0.3333, dtype=torch.float64), tensor(0.4969, dtype=torch.float64))
    """
    check_choice(variant, "variant", _VARIANTS)
    check_bool(t_test, "t_test")
    if t_test and alternative is None:
        raise ValueError("alternative is required when t_test=True: pass 'two-sided', 'less' or 'greater'")
    if alternative is not None and alternative not in _ALTERNATIVES:
        raise ValueError(f"alternative must be one of {_ALTERNATIVES} or None, got {alternative!r}")
    d = check_num_outputs(num_outputs)
    validate_args = check_validate_args(validate_args)

    def reduce(x: Tensor, y: Tensor, valid: Tensor) -> RankValue:
        n = valid.to(_F64).sum()
        w = valid.to(_F64)[:, None]
        _, tx = _ranks(x, valid)
        _, ty = _ranks(y, valid)
        tx, ty = tx.to(_F64), ty.to(_F64)
        # Per-group sums from per-sample group sizes t_i: sum over groups of f(t) is
        # sum over samples of f(t_i) / t_i.
        ties_x = (w * (tx - 1)).sum(0) / 2
        ties_y = (w * (ty - 1)).sum(0) / 2
        discordant, joint = _discordant_and_joint_ties(x, y, valid)
        # every pair is concordant, discordant, or tied in x and/or y
        concordant_or_discordant = n * (n - 1) / 2 - ties_x - ties_y + joint.to(_F64)
        diff = concordant_or_discordant - 2 * discordant.to(_F64)  # C - D
        if variant == "a":
            tau = diff / concordant_or_discordant
        elif variant == "b":
            pairs = n * (n - 1) / 2
            tau = diff / torch.sqrt((pairs - ties_x) * (pairs - ties_y))
        else:
            distinct = torch.minimum((w / tx).sum(0), (w / ty).sum(0))
            tau = 2 * diff / ((distinct - 1) / distinct * n**2)
        tau = torch.clamp(tau, -1.0, 1.0)
        all_pairs = n * (n - 1) / 2
        constant = (n >= 2) & ((ties_x == all_pairs) | (ties_y == all_pairs))
        warn_if(constant, "kendall_rank_corrcoef", "preds or target is constant: the coefficient is NaN")
        if not t_test:
            return tau[0] if d == 1 else tau
        base = n * (n - 1) * (2 * n + 5)
        if variant == "a":
            t = 3 * diff / torch.sqrt(base / 2)
        else:
            m = n * (n - 1)
            p1_x = (w * (tx - 1) * (tx - 2)).sum(0)
            p1_y = (w * (ty - 1) * (ty - 2)).sum(0)
            p2_x = (w * (tx - 1) * (2 * tx + 5)).sum(0)
            p2_y = (w * (ty - 1) * (2 * ty + 5)).sum(0)
            var = (base - p2_x - p2_y) / 18 + 2 * ties_x * ties_y / m + p1_x * p1_y / (9 * m * (n - 2))
            t = diff / torch.sqrt(var)
        if alternative == "two-sided":
            p = 2 * _normal_cdf(-t.abs())
        elif alternative == "greater":
            p = _normal_cdf(-t)
        else:
            p = _normal_cdf(t)
        return (tau[0], p[0]) if d == 1 else (tau, p)

    return _rank_metric("kendall_rank_corrcoef", d, capacity, validate_args, False, reduce)
