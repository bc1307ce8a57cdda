"""The bootstrap's Poisson(1) weights: a counter-based generator, table inversion with an exact fallback.

The weight of sample ``i`` (its index in the stream) in replicate ``b`` is a pure function
of ``(seed, stream, i, b)``: no global RNG, reproducible from the seed, the same whatever
the batching, and another stream per rank. It is built from the 31-bit mixer of
:mod:`metrix.wrappers._random` (checked bit for bit against Python ints):

* **one word, two draws.** The ``B`` replicates are paired: replicate ``r`` and
  replicate ``R + r`` (``R = ceil(B / 2)``) share the 31-bit word
  ``mix(row_key[i] ^ rep_key[r])``. Replicate ``r`` uses its low 15 bits, replicate
  ``R + r`` its high 16 bits, so the mixer runs once per two draws.
* **inversion by table.** ``m`` random bits (``m`` = 15 or 16) pick a cell ``j`` of
  ``[0, 1)``; a ``2**m``-entry table gives the Poisson(1) count of every cell that no CDF
  threshold crosses (one ``index_select``).
* **exact fallback.** A cell that a threshold crosses (8 cells of 32,768 or 65,536:
  about 2 draws in 10,000) is resolved with 31 fresh bits from a second hash of
  ``(seed, stream, i, b)``.

**The distribution.** A draw is ``k`` = the number of thresholds
``T_t = ceil(F(t) * 2**(m + 31))`` (``F`` the Poisson(1) CDF, in exact rational
arithmetic; ``T_t < 2**(m + 31)``) at or below ``Z = cell * 2**31 + fresh``, the
``(m + 31)``-bit number made of the cell's bits and the fallback word; the table is that
count wherever it does not depend on ``fresh``. With ideal random bits each probability
is within ``2**-(m + 31)`` of Poisson(1)'s, and the largest count, 16, stands for all
``k >= 16`` (probability ``1.4e-14``): the total-variation distance from Poisson(1) is
below ``2**-44`` for both tables, far under the ``2**-32`` asked (:func:`total_variation`
computes it exactly; the tests check it).

**Eager code** (the bootstrap's hot loop) computes in cache-sized tiles of ``B x 256``
draws with in-place int32 ops (their products wrap modulo ``2**32`` and the masks keep
31 bits), finds the rare fallback cells by a scan of the table's output as int64 words,
and writes float64 weights into the caller's buffer. **Traced code** (``torch.compile``,
``vmap``) and accelerators count the thresholds below ``Z`` densely and functionally, in int64 under compile
(inductor's C++ must not rely on wrap-around); the tests check that the two agree bit
for bit.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import accumulate, pairwise

import torch
from torch import Tensor

from metrix._core.checks import is_tracing
from metrix.wrappers._random import mix, mix_int

__all__ = ["FALLBACK_BITS", "TABLE_BITS", "exact_pmf", "poisson_weights", "total_variation"]

_M31 = 0x7FFFFFFF
_GOLDEN = 0x1E3779B9
_ROW_SALT = 0x2545F491  # the main words
_REP_SALT = 0x6A09E667
_FALL_ROW_SALT = 0x3C6EF372  # the fallback words
_FALL_REP_SALT = 0x510E527F
TABLE_BITS = (15, 16)  # the low and the high half of a 31-bit word
FALLBACK_BITS = 31
_FLAG = 0x80  # table entries with this bit set name a crossed cell: 0x80 | its index in the cell list
_TILE_ROWS = 256  # rows per tile: the int32 scratch of B x 256 draws stays in cache
_FLAGS = int.from_bytes(bytes([_FLAG] * 8), "little", signed=True)  # the flag bit of 8 bytes in one int64
_CONSTANTS = {"c1": 0x7FEB352D, "c2": 0x446CA68B, "m31": _M31, "m15": 0x7FFF, "s15": 15, "s16": 16}


def _exp_minus_one() -> Fraction:
    """``e**-1`` as a Fraction, within ``1e-60`` (the alternating series to 50 terms)."""
    out, term = Fraction(0), Fraction(1)
    for j in range(50):
        out += term if j % 2 == 0 else -term
        term /= j + 1
    return out


def _thresholds(bits: int) -> list[int]:
    """``T_t = ceil(F(t) * 2**bits)`` for ``t = 0, 1, ...`` while ``T_t < 2**bits`` (exact rationals)."""
    e, scale = _exp_minus_one(), 2**bits
    out: list[int] = []
    cdf, term, t = Fraction(0), Fraction(1), 0
    while True:
        cdf += term
        value = cdf * e * scale
        ceil = -((-value.numerator) // value.denominator)
        if ceil >= scale:
            return out
        out.append(ceil)
        t += 1
        term /= t


def _table(bits: int) -> tuple[list[int], list[int]]:
    """The ``2**bits`` cell table (counts, or ``_FLAG | id`` for a crossed cell) and the crossed cells by id."""
    width = 1 << FALLBACK_BITS
    starts = [0] * ((1 << bits) + 1)  # every cell from ceil(T / width) on lies wholly above the threshold T
    for t in _THRESHOLDS[bits]:
        starts[-(-t // width)] += 1
    table = list(accumulate(starts[:-1]))
    crossed = sorted({t // width for t in _THRESHOLDS[bits] if t % width})
    for n, cell in enumerate(crossed):
        table[cell] = _FLAG | n
    return table, crossed


_THRESHOLDS = {bits: _thresholds(bits + FALLBACK_BITS) for bits in TABLE_BITS}
_TABLES = {bits: _table(bits) for bits in TABLE_BITS}


def exact_pmf(bits: int) -> dict[int, Fraction]:
    """The exact distribution of a draw that uses ``bits`` cell bits, given ideal random bits."""
    scale = 1 << (bits + FALLBACK_BITS)
    edges = [0, *_THRESHOLDS[bits], scale]
    return {k: Fraction(b - a, scale) for k, (a, b) in enumerate(pairwise(edges))}


def total_variation(bits: int) -> Fraction:
    """Total-variation distance between :func:`exact_pmf` and Poisson(1), to within ``1e-50``."""
    pmf = exact_pmf(bits)
    e, term, dist, covered = _exp_minus_one(), Fraction(1), Fraction(0), Fraction(0)
    for k in range(60):
        p = e * term
        dist += abs(pmf.get(k, Fraction(0)) - p)
        covered += p
        term /= k + 1
    return (dist + (1 - covered)) / 2


def _salt(seed: int, stream: int, constant: int) -> int:
    s = mix_int(seed & _M31 ^ constant)
    s = mix_int(s ^ (seed >> 31) & _M31)
    return mix_int(s ^ mix_int(stream & _M31 ^ _GOLDEN))


class _Device:
    """The tables and constants as tensors on one device (built once per device)."""

    def __init__(self, device: torch.device) -> None:
        self.table = {b: torch.tensor(_TABLES[b][0], dtype=torch.uint8, device=device) for b in TABLE_BITS}
        self.crossed = {b: torch.tensor(_TABLES[b][1], dtype=torch.int64, device=device) for b in TABLE_BITS}
        self.thresholds = {b: torch.tensor(_THRESHOLDS[b], dtype=torch.int64, device=device) for b in TABLE_BITS}
        # the eager loop's constants as 0-dim tensors: a Python int costs a conversion on every op
        const = {k: torch.tensor(v, dtype=torch.int32, device=device) for k, v in _CONSTANTS.items()}
        self.c1, self.c2, self.m31, self.m15 = const["c1"], const["c2"], const["m31"], const["m15"]
        self.s15, self.s16 = const["s15"], const["s16"]
        self.flags = torch.tensor(_FLAGS, dtype=torch.int64, device=device)


_DEVICES: dict[torch.device, _Device] = {torch.device("cpu"): _Device(torch.device("cpu"))}


def _on(device: torch.device) -> _Device:
    if device not in _DEVICES:
        _DEVICES[device] = _Device(device)
    return _DEVICES[device]


def _keys(seed: int, stream: int, first: Tensor, rows: int, replicates: int, dtype: torch.dtype) -> tuple[Tensor, ...]:
    """Row keys ``(rows,)`` and replicate keys ``(replicates,)`` of the main and the fallback words."""
    device = first.device
    index = first + torch.arange(rows, dtype=torch.int64, device=device)
    lo = (index & _M31).to(dtype)
    hi = ((index >> 31) & _M31).to(dtype)  # rows past 2**31 in one stream get new words, not repeats
    rep = torch.arange(replicates, dtype=dtype, device=device)
    row_salt, rep_salt = _salt(seed, stream, _ROW_SALT), _salt(seed, stream, _REP_SALT)
    fall_row_salt, fall_rep_salt = _salt(seed, stream, _FALL_ROW_SALT), _salt(seed, stream, _FALL_REP_SALT)
    return (
        mix(lo ^ mix(hi ^ row_salt)),
        mix(mix(rep ^ rep_salt)),
        mix(lo ^ mix(hi ^ fall_row_salt)),
        mix(mix(rep ^ fall_rep_salt)),
    )


def _count(bits: int, cell: Tensor, fresh: Tensor) -> Tensor:
    """The draw: the number of thresholds at or below ``cell * 2**31 + fresh`` (int64, any shape)."""
    z = (cell.to(torch.int64) << FALLBACK_BITS) | fresh.to(torch.int64)
    return (z.unsqueeze(-1) >= _on(z.device).thresholds[bits]).sum(-1)


def _traced(seed: int, stream: int, first: Tensor, rows: int, replicates: int) -> Tensor:
    """The weights ``(replicates, rows)`` by the definition, densely and functionally (torch.compile, vmap)."""
    dtype = torch.int64 if torch.compiler.is_compiling() else torch.int32
    row_key, rep_key, fall_row, fall_rep = _keys(seed, stream, first, rows, replicates, dtype)
    half = (replicates + 1) // 2
    word = mix(rep_key[:half].unsqueeze(1) ^ row_key.unsqueeze(0))
    fresh = mix(mix(fall_rep.unsqueeze(1) ^ fall_row.unsqueeze(0)))
    low = _count(15, word & 0x7FFF, fresh[:half])
    high = _count(16, (word >> 15)[: replicates - half], fresh[half:])
    return torch.cat([low, high], 0).to(torch.float64)


def _eager(seed: int, stream: int, first: Tensor, rows: int, replicates: int, out: Tensor) -> Tensor:
    """The weights written into ``out`` (float64 ``(replicates, rows)``), tile by tile with in-place int32 ops."""
    c = _on(first.device)
    device = first.device
    row_key, rep_key, fall_row, fall_rep = _keys(seed, stream, first, rows, replicates, torch.int32)
    b, half = replicates, (replicates + 1) // 2
    tile = min(_TILE_ROWS, max(rows, 1))
    word = torch.empty((half, tile), dtype=torch.int32, device=device)
    scratch = torch.empty_like(word)
    size = -(-b * tile // 8) * 8  # whole int64 words, for the scan
    draws = torch.zeros(size, dtype=torch.uint8, device=device)
    flags = torch.empty(size // 8, dtype=torch.int64, device=device)
    eight = torch.arange(8, device=device)
    low_rep = rep_key[:half].unsqueeze(1)
    crossed = []  # flat positions in `out` of draws in crossed cells
    for a in range(0, rows, tile):
        n = min(tile, rows - a)
        w, s = word[:, :n], scratch[:, :n]
        torch.bitwise_xor(low_rep, row_key[a : a + n].unsqueeze(0), out=w)
        torch.bitwise_right_shift(w, c.s16, out=s)  # mix(), in place
        w.bitwise_xor_(s).mul_(c.c1).bitwise_and_(c.m31)
        torch.bitwise_right_shift(w, c.s15, out=s)
        w.bitwise_xor_(s).mul_(c.c2).bitwise_and_(c.m31)
        torch.bitwise_right_shift(w, c.s16, out=s)
        w.bitwise_xor_(s)
        # draws (b, n) row-major: replicates [0, half) from the low 15 bits, [half, b) from the high 16
        torch.bitwise_and(w, c.m15, out=s)
        torch.index_select(c.table[15], 0, s.reshape(-1), out=draws[: half * n])
        torch.bitwise_right_shift(w[: b - half], c.s15, out=s[: b - half])
        torch.index_select(c.table[16], 0, s[: b - half].reshape(-1), out=draws[half * n : b * n])
        if n < tile:
            draws[b * n :].zero_()
        torch.bitwise_and(draws.view(torch.int64), c.flags, out=flags)
        groups = flags.nonzero()
        if groups.numel():
            at = (groups * 8 + eight).reshape(-1)
            at = at[draws[at] >= _FLAG]
            crossed.append(torch.div(at, n, rounding_mode="floor") * rows + a + at % n)
        out[:, a : a + n].copy_(draws[: b * n].view(b, n))
    if crossed:
        _resolve(c, torch.cat(crossed), half, out, fall_row, fall_rep)
    return out


def _resolve(tables: _Device, at: Tensor, half: int, out: Tensor, fall_row: Tensor, fall_rep: Tensor) -> None:
    """Replace the flagged entries at flat positions ``at`` of ``out`` by their draws (the fallback words)."""
    rows = out.shape[1]
    rep, col = torch.div(at, rows, rounding_mode="floor"), at % rows
    crossed = out[rep, col].to(torch.int64) - _FLAG
    fresh = mix(mix(fall_rep[rep] ^ fall_row[col]))
    high = rep >= half
    low_cell = tables.crossed[15][torch.where(high, 0, crossed)]
    high_cell = tables.crossed[16][torch.where(high, crossed, 0)]
    counts = torch.where(high, _count(16, high_cell, fresh), _count(15, low_cell, fresh))
    out[rep, col] = counts.to(out.dtype)


def poisson_weights(
    seed: int, stream: int, first: Tensor, rows: int, replicates: int, out: Tensor | None = None
) -> Tensor:
    """Poisson(1) weights, float64 ``(replicates, rows)``, of rows ``first, first + 1, ...`` of a stream.

    Args:
        seed: the user's seed (an int >= 0).
        stream: the stream id (the rank unless given).
        first: int64 scalar tensor, the index of the first row in the stream.
        rows: number of rows (static).
        replicates: number of replicates (static).
        out: optional float64 buffer of at least ``(replicates, rows)`` (eager code writes into it).

    Returns:
        The weights: whole numbers ``0, 1, 2, ...`` distributed as Poisson(1) (see the module docstring).
    """
    # accelerators take the dense path too: the tile loop is tuned for CPU caches and reads a count per tile
    if first.device.type != "cpu" or is_tracing(first) or torch.compiler.is_compiling():
        return _traced(seed, stream, first, rows, replicates)
    if out is None:
        out = torch.empty((replicates, rows), dtype=torch.float64, device=first.device)
    else:
        out = out[:replicates, :rows]
    return _eager(seed, stream, first, rows, replicates, out)
