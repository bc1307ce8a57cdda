"""Exact, mergeable first and second moments for the variance-based regression metrics.

Pearson, concordance, R², explained variance, RSE and NRMSE need centred second
moments ``M_ab = sum((a - mean_a) * (b - mean_b))``. TorchMetrics keeps running means
and ``M`` in the input dtype and, on float32 data far from zero, loses every digit
(R² of 1.04 and explained variance of 0 where the truth is 0.60, see
``tests/test_regression_moments.py``). metrix keeps them exact with leaves that merge
by plain ``sum``:

1. **Per batch, Chan et al.** Each batch is reduced to its count ``n``, mean ``m``
   (float64, refined once) and centred co-moments ``C_ab`` (two-pass, float64). These
   are accurate to float64 precision whatever the offset of the data.
2. **Across batches, raw sums in double-double.** The batch enters the state as the
   raw sums of the point set it describes: ``S_a = n m_a`` and
   ``S_ab = C_ab + n m_a m_b``, formed *exactly* with error-free products (Dekker) and
   added with error-free sums (Knuth's TwoSum) into ``(hi, lo)`` float64 pairs, about
   106 significant bits. ``compute`` recovers ``M_ab = (n S_ab - S_a S_b) / n`` in the
   same arithmetic: the cancellation that ruins float32 (and plain float64 at large
   offsets) happens with ~30 spare decimal digits, which is exactly Chan's pairwise
   combination ``M = M_1 + M_2 + d^2 n_1 n_2 / n`` carried out without rounding.
3. **Merge is a sum.** ``hi`` is kept rounded to 26 significant bits (Veltkamp split,
   the remainder goes to ``lo``), so adding the ``hi`` of two states of similar
   magnitude is exact in float64, and adding the ``lo`` parts loses about ``2**-79``
   of the total. The generic elementwise ``sum`` merge (and ``all_reduce(SUM)`` in
   sync) therefore combines states as exactly as an update does; only merging states
   whose sums differ by more than ``2**26`` in magnitude rounds once at float64
   precision.

Constant inputs are detected exactly with ``max``/``min`` leaves (``max == min``),
never by comparing a rounded variance with a threshold.

**Sample weights** (``sample_weight=``, frequency semantics) enter the same way: a batch
is reduced to its total weight ``W``, weighted mean and weighted centred co-moments, and
the raw sums are ``S_a = W m_a`` and ``S_ab = C_ab + W m_a m_b``. The state keeps ``W``
(a float64 leaf; the count itself without weights) beside the int64 number of samples
with a non-zero weight, and the extrema skip zero-weight samples, so a weight of 0 is
exactly a dropped sample.

All of it is elementwise float64 arithmetic, so it traces under ``torch.compile``
and batches under ``torch.func.vmap``. The error-free transformations assume IEEE
round-to-nearest without reassociation (true for eager, inductor's C++ and Triton
code; an FMA contraction only makes the products more exact).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.state import leaf, state
from metrix._core.weights import check_sample_weight
from metrix.regression._inputs import check_bool, check_num_outputs, paired

__all__ = [
    "MomentState",
    "check_num_outputs",
    "check_validate_args",
    "comoment",
    "mean",
    "moment_init",
    "moment_update",
    "paired_outputs",
    "raw_sum",
    "sample_weights",
]

F64 = torch.float64
_SPLITTER = 134217729.0  # 2**27 + 1: Veltkamp/Dekker split into two 26-bit halves


@state
class MomentState:
    """Count, double-double raw sums and extrema of ``V`` variables with ``D`` outputs.

    The variables and the products kept in ``prods`` are fixed by the metric: e.g.
    Pearson keeps ``(x, y)`` and products ``(xx, yy, xy)``.
    """

    count: Tensor = leaf("sum")  # int64 scalar: number of samples with a non-zero weight
    weight: Tensor = leaf("sum")  # float64 scalar: total weight (the number of samples without weights)
    sums: Tensor = leaf("sum")  # float64 (2, V, D): [hi, lo] of sum(v)
    prods: Tensor = leaf("sum")  # float64 (2, P, D): [hi, lo] of sum(v_a * v_b)
    vmax: Tensor = leaf("max")  # float64 (V, D): largest value, -inf before any data
    vmin: Tensor = leaf("min")  # float64 (V, D): smallest value, +inf before any data


# ----------------------------------------------------------------------------- arguments


def check_validate_args(validate_args: Any) -> bool:
    """Validate ``validate_args``."""
    return check_bool(validate_args, "validate_args")


def paired_outputs(
    preds: Any, target: Any, num_outputs: int, *, validate_args: bool, flatten: bool = False
) -> tuple[Tensor, Tensor]:
    """Check a ``(preds, target)`` pair and return both as finite float64 ``(N, num_outputs)``.

    With ``num_outputs == 1`` inputs are ``(N,)`` or ``(N, 1)`` (any shape if
    ``flatten``, which is then flattened); otherwise they must be ``(N, num_outputs)``.
    """
    preds, target = paired(preds, target, validate_args=validate_args)
    shape = tuple(preds.shape)
    if num_outputs == 1 and flatten:
        preds, target = preds.reshape(-1, 1), target.reshape(-1, 1)
    elif num_outputs == 1 and (len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)):
        preds, target = preds.reshape(-1, 1), target.reshape(-1, 1)
    elif len(shape) != 2 or shape[1] != num_outputs:
        want = "(N,) or (N, 1)" if num_outputs == 1 else f"(N, {num_outputs})"
        raise ValueError(
            f"preds and target must have shape {want} for num_outputs={num_outputs}, got {shape}; "
            "pass num_outputs= equal to the size of the second dimension"
        )
    return preds, target


def sample_weights(sample_weight: Any, preds: Tensor, rows: int, name: str, *, validate_args: bool) -> Tensor | None:
    """Check ``sample_weight`` against the raw ``preds`` and give one weight per row of the flattened data.

    With ``flatten`` (NRMSE) a sample of shape ``(N, ...)`` becomes several rows: each
    gets its sample's weight. Returns ``None`` when no weights were passed.
    """
    if sample_weight is None:
        return None
    w = check_sample_weight(sample_weight, preds, name, validate_args=validate_args)
    if w.dim() == 0 or rows == w.shape[0]:
        return w.reshape(rows)
    return w.reshape(-1, 1).expand(w.shape[0], rows // max(w.shape[0], 1)).reshape(rows)


# ----------------------------------------------------------------------------- error-free arithmetic


def _two_sum(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    # Knuth: s + e == a + b exactly.
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, e


def _split(a: Tensor) -> tuple[Tensor, Tensor]:
    # Veltkamp: a == hi + lo with hi holding the top 26 significant bits.
    c = _SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


def _two_prod(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    # Dekker: p + e == a * b exactly (barring overflow).
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def _dd_add(x: Tensor, y_hi: Tensor, y_lo: Tensor) -> Tensor:
    """Add ``y_hi + y_lo`` to the stacked pair ``x = [hi, lo]``; ``hi`` stays 26-bit."""
    s, e = _two_sum(x[0], y_hi)
    lo = x[1] + (y_lo + e)
    hi, rest = _split(s)
    return torch.stack([hi, lo + rest])


# ----------------------------------------------------------------------------- state


def moment_init(variables: int, products: int, outputs: int, device: Any = None) -> MomentState:
    """An empty :class:`MomentState`."""
    return MomentState(
        torch.zeros((), dtype=torch.int64, device=device),
        torch.zeros((), dtype=F64, device=device),
        torch.zeros((2, variables, outputs), dtype=F64, device=device),
        torch.zeros((2, products, outputs), dtype=F64, device=device),
        torch.full((variables, outputs), -torch.inf, dtype=F64, device=device),
        torch.full((variables, outputs), torch.inf, dtype=F64, device=device),
    )


def moment_update(
    s: MomentState, values: Tensor, pairs: tuple[tuple[int, int], ...], w: Tensor | None = None
) -> MomentState:
    """Fold a batch ``values`` of shape ``(N, V, D)`` (float64) into the state.

    ``w`` is ``None`` or one checked, non-negative float64 weight per sample, shape ``(N,)``.
    """
    n = values.shape[0]
    if n == 0:  # a static shape, not a value: fine under compile and vmap
        return s
    a_idx = [a for a, _ in pairs]
    b_idx = [b for _, b in pairs]
    if w is None:
        m = values.mean(0)
        m = m + (values - m).mean(0)  # one refinement step: the mean to float64 precision
        c = values - m
        comoments = _products(c, a_idx, b_idx, 1).sum(0)  # (P, D) centred, two-pass
        total = torch.full((), float(n), dtype=F64, device=values.device)
        count: Tensor | int = n
        top, bottom = _extrema(values, None)
    else:
        # Sums about the batch's own (unweighted) mean, as one matrix product of the weights
        # with [d, d_a d_b] (d = values - shift): under vmap (a bootstrap's B replicates)
        # that is a single matmul instead of a dozen B x N passes. The shift is close to
        # every weighted mean of the batch, so C_ab = S_ab - S_a S_b / W cancels little.
        shift = values.mean(0)
        shift = shift + (values - shift).mean(0)
        d = values - shift
        k, p, outputs = d.shape[1], len(pairs), d.shape[2]
        s1 = (w @ d.reshape(n, k * outputs)).reshape(k, outputs)
        s2 = (w @ _products(d, a_idx, b_idx, 1).reshape(n, p * outputs)).reshape(p, outputs)
        total = w.sum()
        # all-zero weights: any finite mean will do, every sum below is 0
        safe = torch.where(total > 0, total, torch.ones_like(total))
        m = shift + s1 / safe
        comoments = s2 - _products(s1, a_idx, b_idx, 0) / safe
        counted = w > 0
        count = counted.sum()
        top, bottom = _extrema(values, counted)
    # sum(v) = W * m, exactly as a double-double
    sum_hi, sum_lo = _two_prod(total, m)
    # sum(v_a v_b) = C_ab + W * m_a * m_b, exactly as a double-double
    q, f = _two_prod(_pick(m, a_idx, 0), _pick(m, b_idx, 0))
    r, g = _two_prod(total, q)
    hi, h = _two_sum(r, comoments)
    prod_lo = g + total * f + h
    return MomentState(
        s.count + count,
        s.weight + total,
        _dd_add(s.sums, sum_hi, sum_lo),
        _dd_add(s.prods, hi, prod_lo),
        torch.maximum(s.vmax, top),
        torch.minimum(s.vmin, bottom),
    )


def _pick(x: Tensor, idx: list[int], dim: int) -> Tensor:
    """The entries ``idx`` of ``x`` along ``dim`` (0 or 1): ``x`` itself when ``idx`` is all of them in order.

    A gather with a Python list is one of the dearest ops of an update (about 15-35 us on
    ``(4096, 2, 1)``), and R²'s pairs ``(y, y), (d, d)`` read every variable in order.
    """
    if idx == list(range(x.shape[dim])):
        return x
    return x[:, idx] if dim == 1 else x[idx]


def _products(x: Tensor, a_idx: list[int], b_idx: list[int], dim: int) -> Tensor:
    """``x[a] * x[b]`` along ``dim`` for the pairs ``(a, b)`` (one gather when ``a_idx == b_idx``)."""
    xa = _pick(x, a_idx, dim)
    return xa * (xa if b_idx == a_idx else _pick(x, b_idx, dim))


def _extrema(values: Tensor, counted: Tensor | None) -> tuple[Tensor, Tensor]:
    """Largest and smallest value per variable and output, skipping samples of weight 0.

    Reduced over the last, contiguous dim of a ``(V*D, N)`` copy: a reduction over dim 0
    of ``(N, V, D)`` is about ten times slower on CPU. ``counted`` is ``None`` or the
    samples' ``weight > 0``; a zero weight adds ``-inf`` (for the max; ``+inf`` for the
    min) to its sample, so it is never the extremum.
    """
    n, v, d = values.shape
    flat = values.reshape(n, v * d).T.contiguous()
    if counted is None:
        return flat.amax(1).reshape(v, d), flat.amin(1).reshape(v, d)
    # float64 like the values (where(counted, 0.0, inf) would be float32, promoted twice below)
    penalty = torch.full_like(counted, torch.inf, dtype=values.dtype).masked_fill_(counted, 0.0)
    return (flat - penalty).amax(1).reshape(v, d), (flat + penalty).amin(1).reshape(v, d)


def mean(s: MomentState, v: int) -> Tensor:
    """(Weighted) mean of variable ``v`` (NaN without data), shape ``(D,)``."""
    return (s.sums[0, v] + s.sums[1, v]) / s.weight


def raw_sum(s: MomentState, p: int) -> Tensor:
    """The raw product sum ``prods[p]`` (e.g. a sum of squares) as float64, shape ``(D,)``."""
    return s.prods[0, p] + s.prods[1, p]


def comoment(s: MomentState, p: int, a: int, b: int) -> Tensor:
    """Centred co-moment ``sum((v_a - mean_a) (v_b - mean_b))`` of product ``p = (a, b)``.

    ``n S_ab - S_a S_b`` is formed in double-double arithmetic, so the cancellation of
    the raw sums leaves float64 precision. A constant variable (``max == min``) gives
    exactly 0. With weights, ``sum(w (v_a - mean_a) (v_b - mean_b))``. Shape ``(D,)``; 0
    without data.
    """
    n = s.weight
    sa_hi, sa_lo = s.sums[0, a], s.sums[1, a]
    sb_hi, sb_lo = s.sums[0, b], s.sums[1, b]
    p_hi, p_lo = s.prods[0, p], s.prods[1, p]
    x, ex = _two_prod(n, p_hi)
    ex = ex + n * p_lo
    y, ey = _two_prod(sa_hi, sb_hi)
    # hi is only 26 bits wide, so lo * lo still matters at large offsets
    ey = ey + ((sa_hi * sb_lo + sa_lo * sb_hi) + sa_lo * sb_lo)
    d, ed = _two_sum(x, -y)
    value = (d + (ed + (ex - ey))) / torch.where(n > 0, n, torch.ones_like(n))
    constant = (s.vmax[a] == s.vmin[a]) | (s.vmax[b] == s.vmin[b])
    return torch.where(constant, torch.zeros_like(value), value)
