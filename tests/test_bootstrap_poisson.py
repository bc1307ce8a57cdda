"""The bootstrap's Poisson(1) generator (metrix.wrappers._bootstrap_poisson).

Exact against a Python reference built from the spec (mixer on Python ints, thresholds in
rational arithmetic), the same in eager, vmap and compiled code, a distribution within
2**-32 of Poisson(1) in total variation, and statistically: moments, a chi-square over
10**7 draws with the tail, and no correlation between neighbouring rows, replicates
(including the two that share a word), batches, streams and seeds.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
import torch
from scipy import stats

from metrix.wrappers import _bootstrap_poisson as bp
from metrix.wrappers._bootstrap_poisson import exact_pmf, poisson_weights, total_variation
from metrix.wrappers._random import mix, mix_int

# ----------------------------------------------------------------------------- exactness

_M31 = 2**31 - 1


def _e_inverse() -> Fraction:
    return sum((Fraction((-1) ** j, math.factorial(j)) for j in range(45)), Fraction(0))


def _reference_thresholds(bits: int) -> list[int]:
    """``ceil(F(t) * 2**bits)`` below ``2**bits``, written independently of the module."""
    e, out = _e_inverse(), []
    for t in range(40):
        value = e * sum(Fraction(1, math.factorial(k)) for k in range(t + 1)) * 2**bits
        ceil = math.ceil(value)
        if ceil < 2**bits:
            out.append(ceil)
    return out


def _reference(seed: int, stream: int, first: int, rows: int, replicates: int) -> list[list[int]]:
    """The weights from the spec in the module docstring, on Python ints."""

    def salt(constant: int) -> int:
        s = mix_int(seed & _M31 ^ constant)
        s = mix_int(s ^ (seed >> 31) & _M31)
        return mix_int(s ^ mix_int(stream & _M31 ^ 0x1E3779B9))

    def row_key(i: int, constant: int) -> int:
        return mix_int((i & _M31) ^ mix_int((i >> 31) & _M31 ^ salt(constant)))

    def rep_key(r: int, constant: int) -> int:
        return mix_int(mix_int(r ^ salt(constant)))

    half = (replicates + 1) // 2
    thresholds = {m: _reference_thresholds(m + 31) for m in (15, 16)}
    out = [[0] * rows for _ in range(replicates)]
    for col in range(rows):
        i = first + col
        key, fall_key = row_key(i, bp._ROW_SALT), row_key(i, bp._FALL_ROW_SALT)
        for b in range(replicates):
            word = mix_int(rep_key(b % half, bp._REP_SALT) ^ key)
            m, cell = (15, word & 0x7FFF) if b < half else (16, word >> 15)
            fresh = mix_int(mix_int(rep_key(b, bp._FALL_REP_SALT) ^ fall_key))
            z = cell * 2**31 + fresh
            out[b][col] = sum(1 for t in thresholds[m] if t <= z)
    return out


def test_weights_are_exact_against_the_python_reference() -> None:
    seed, stream, first, rows, b = 7, 2, 2**31 - 40, 600, 41
    ours = poisson_weights(seed, stream, torch.tensor(first), rows, b)
    ref = torch.tensor(_reference(seed, stream, first, rows, b), dtype=torch.float64)
    assert torch.equal(ours, ref)


def test_fallback_cells_match_the_reference_where_they_are_drawn() -> None:
    # rows chosen among 50,000 where the reference draws from a crossed cell: all fallback paths agree
    seed, stream, rows, b = 3, 0, 50_000, 4
    ours = poisson_weights(seed, stream, torch.tensor(0), rows, b)
    tables = {m: bp._TABLES[m][0] for m in bp.TABLE_BITS}
    # recompute the cells from the main words to find the crossed draws
    row_key, rep_key, _, _ = bp._keys(seed, stream, torch.tensor(0), rows, b, torch.int64)
    word = mix(rep_key[:2].unsqueeze(1) ^ row_key.unsqueeze(0))
    cells = torch.cat([word & 0x7FFF, word >> 15])
    crossed = torch.tensor([[tables[15 if r < 2 else 16][c] >= 0x80 for c in cells[r].tolist()] for r in range(b)])
    cols = crossed.any(0).nonzero().squeeze(1).tolist()
    assert len(cols) >= 20
    for col in cols:
        ref = torch.tensor(_reference(seed, stream, col, 1, b), dtype=torch.float64).squeeze(1)
        assert torch.equal(ours[:, col], ref), col


def test_eager_vmap_and_batching_agree() -> None:
    first = torch.tensor(123)
    whole = poisson_weights(5, 1, first, 3000, 9)
    traced = torch.func.vmap(lambda f: poisson_weights(5, 1, f, 3000, 9))(torch.stack([first, first + 1]))
    assert torch.equal(traced[0], whole), "vmap (dense path) and eager (tiles) agree bit for bit"
    assert torch.equal(traced[1][:, :-1], whole[:, 1:])
    parts = [poisson_weights(5, 1, first + a, b - a, 9) for a, b in [(0, 13), (13, 13), (13, 2000), (2000, 3000)]]
    assert torch.equal(torch.cat(parts, 1), whole)
    buffer = torch.full((12, 4000), -1.0, dtype=torch.float64)
    assert torch.equal(poisson_weights(5, 1, first, 3000, 9, out=buffer), whole), "written into a larger buffer"
    assert not torch.equal(whole, poisson_weights(6, 1, first, 3000, 9)), "seeds give other weights"
    assert not torch.equal(whole, poisson_weights(5, 2, first, 3000, 9)), "streams give other weights"
    far = poisson_weights(5, 1, first + 2**31, 3000, 9)  # past 2**31 rows: new weights, not a repeat
    assert float((far == whole).double().mean()) < 0.5


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_weights_are_exact_when_compiled_with_inductor() -> None:
    # inductor's C++ computes the int64 words; they must equal the eager int32 ones, fallback included
    torch._dynamo.reset()

    def draw(first: torch.Tensor) -> torch.Tensor:
        return poisson_weights(3, 1, first, 3001, 9)

    first = torch.tensor(2**31 - 100)
    assert torch.equal(torch.compile(draw)(first), draw(first))


# ----------------------------------------------------------------------------- the distribution


@pytest.mark.parametrize("bits", bp.TABLE_BITS)
def test_total_variation_from_poisson_is_below_2_to_the_minus_32(bits: int) -> None:
    pmf = exact_pmf(bits)
    assert sum(pmf.values()) == 1
    tv = total_variation(bits)
    assert tv < Fraction(1, 2**32), float(tv)
    # and what it is: each probability within 2**-(bits + 31), nothing past k = 16
    assert tv < Fraction(1, 2**40)
    e = _e_inverse()
    for k, p in pmf.items():
        assert abs(p - e / math.factorial(k)) < Fraction(1, 2 ** (bits + 31)), k


@pytest.mark.parametrize("bits", bp.TABLE_BITS)
def test_tables_invert_the_cdf(bits: int) -> None:
    # every cell: the count of thresholds at or below its left edge, or a flag when one lies inside it
    table, crossed = bp._TABLES[bits]
    thresholds = torch.tensor(_reference_thresholds(bits + 31))
    lo = torch.arange(2**bits, dtype=torch.int64) << 31
    reached = torch.searchsorted(thresholds, lo, right=True)
    inside = torch.searchsorted(thresholds, lo + 2**31) - reached > 0
    table = torch.tensor(table)
    flagged = table >= 0x80
    assert torch.equal(flagged, inside)
    assert torch.equal(table[~flagged], reached[~flagged])
    assert torch.equal(torch.tensor(crossed)[table[flagged] - 0x80], flagged.nonzero().squeeze(1))
    assert 1 <= len(crossed) <= 10


def _chi_square(counts: torch.Tensor, probs: list[float]) -> float:
    expected = torch.tensor(probs, dtype=torch.float64) * counts.sum()
    return float(((counts - expected) ** 2 / expected).sum())


def _poisson_bins(last: int) -> list[float]:
    p = [math.exp(-1) / math.factorial(k) for k in range(last)]
    return [*p, 1 - sum(p)]


def test_chi_square_against_poisson_over_ten_million_draws() -> None:
    # 2,000 replicates x 5,000 rows; bins 0..5 and k >= 6 (expected 5,900 draws in the tail)
    w = poisson_weights(11, 0, torch.tensor(0), 5000, 2000)
    counts = torch.bincount(w.clamp(max=6).long().reshape(-1), minlength=7).double()
    chi2 = _chi_square(counts, _poisson_bins(6))
    assert chi2 < stats.chi2.ppf(1 - 1e-4, 6), chi2
    n = w.numel()
    assert abs(float(w.mean()) - 1) < 5 / math.sqrt(n)
    assert abs(float(w.var()) - 1) < 5 * math.sqrt(3 / n)
    # each table separately (replicates < 1000 use 15 bits, the others 16)
    for part in (w[:1000], w[1000:]):
        c = torch.bincount(part.clamp(max=6).long().reshape(-1), minlength=7).double()
        assert _chi_square(c, _poisson_bins(6)) < stats.chi2.ppf(1 - 1e-4, 6)


@pytest.mark.slow
def test_chi_square_of_the_far_tail_over_a_hundred_million_draws() -> None:
    # bins 0..8 and k >= 9 (expected 115 draws); 10 batches of 10**7
    counts = torch.zeros(10, dtype=torch.float64)
    buffer = torch.empty(1000, 10_000, dtype=torch.float64)
    for batch in range(10):
        w = poisson_weights(12, 3, torch.tensor(batch * 10_000), 10_000, 1000, out=buffer)
        counts += torch.bincount(w.clamp(max=9).long().reshape(-1), minlength=10).double()
    chi2 = _chi_square(counts, _poisson_bins(9))
    assert chi2 < stats.chi2.ppf(1 - 1e-4, 9), (chi2, counts.tolist())


def _correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    a, b = a.reshape(-1) - 1, b.reshape(-1) - 1
    return float((a * b).mean())


def test_no_correlation_between_neighbouring_streams() -> None:
    # Poisson(1) has variance 1: a mean product of centred weights is a correlation, standard error 1/sqrt(n)
    b, rows = 1000, 4000
    w = poisson_weights(0, 0, torch.tensor(0), rows, b)
    half = b // 2
    pairs = {
        "neighbouring rows": (w[:, 1:], w[:, :-1]),
        "neighbouring replicates": (w[1:], w[:-1]),
        "replicates sharing a word": (w[:half], w[half:]),
        "batches (the next rows of the stream)": (w, poisson_weights(0, 0, torch.tensor(rows), rows, b)),
        "streams 0 and 1": (w, poisson_weights(0, 1, torch.tensor(0), rows, b)),
        "seeds 0 and 1": (w, poisson_weights(1, 0, torch.tensor(0), rows, b)),
    }
    for what, (x, y) in pairs.items():
        assert abs(_correlation(x, y)) < 5 / math.sqrt(x.numel()), what


def test_replicates_sharing_a_word_are_independent() -> None:
    # the low 15 and the high 16 bits of one word: a chi-square of independence on their joint counts
    w = poisson_weights(4, 0, torch.tensor(0), 20_000, 200)
    low, high = w[:100].clamp(max=3).long(), w[100:].clamp(max=3).long()
    table = torch.bincount((low * 4 + high).reshape(-1), minlength=16).reshape(4, 4).numpy()
    assert stats.chi2_contingency(table).pvalue > 1e-4
