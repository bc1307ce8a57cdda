"""A counter-based random generator for resampling weights, pure and traceable.

Every random number is a hash of its coordinates: ``(seed, stream, row, replicate)``,
where ``row`` is the global index of a sample in its stream (the number of samples the
state had seen before the batch, plus the position in the batch) and ``stream`` is the
process rank unless given. Nothing is stateful: no global RNG and no
``torch.Generator``, so the update stays a pure function that compiles and vmaps, the
draws are reproducible from the seed, and they do not depend on how a stream is cut into
batches. Different ranks draw from different streams.

The hash works on 31-bit words: an xor-shift-multiply mixer in the style of Wellons'
``lowbias32``, with multiplications taken modulo ``2**31`` (odd multipliers, so every
step is a bijection of the 31-bit words). In eager code the words are int32 tensors
(about four times cheaper than int64 here), whose products wrap modulo ``2**32`` in
torch's kernels, and the mask keeps the low 31 bits; the test suite checks them bit for
bit against an exact Python implementation. While tracing (``torch.compile``), the words
are int64: a product of two 31-bit numbers fits without overflow, so generated code
(where signed overflow is undefined, and inductor was seen to give other words) computes
the same words exactly. Per draw, the row and replicate keys are mixed once each
(``N + B`` work) and the pair once (``N * B`` work).

``poisson`` turns a word ``u`` into a Poisson(1) count by inversion: ``k`` is the number
of CDF thresholds ``F(0) < F(1) < ...`` (scaled to ``2**31``) that ``u`` reaches. Each
probability is exact up to the ``2**-31`` grid; counts above 12 (probability ``1e-10``)
are not produced.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from metrix._core.checks import is_tracing

__all__ = ["POISSON_THRESHOLDS", "mix", "mix_int", "poisson", "uniform_index", "words"]

_M31 = 0x7FFFFFFF
_C1 = 0x7FEB352D  # odd multipliers below 2**31
_C2 = 0x446CA68B
_GOLDEN = 0x1E3779B9


def mix_int(x: int) -> int:
    """The mixer on a Python int (exact reference, also used for the static seed words)."""
    x &= _M31
    x ^= x >> 16
    x = (x * _C1) & _M31
    x ^= x >> 15
    x = (x * _C2) & _M31
    x ^= x >> 16
    return x


def mix(x: Tensor) -> Tensor:
    """The mixer on an int32 or int64 tensor of 31-bit words (non-negative); returns 31-bit words."""
    x = x ^ (x >> 16)
    x = (x * _C1) & _M31
    x = x ^ (x >> 15)
    x = (x * _C2) & _M31
    return x ^ (x >> 16)


def _salt(seed: int, stream: int) -> int:
    s = mix_int(seed & _M31)
    s = mix_int(s ^ (seed >> 31) & _M31)
    return mix_int(s ^ mix_int(stream & _M31 ^ _GOLDEN))


def words(seed: int, stream: int, first: Tensor, rows: int, replicates: int) -> Tensor:
    """Random 31-bit words of shape ``(replicates, rows)`` for rows ``first, first + 1, ...``.

    Args:
        seed: the user's seed (any int >= 0).
        stream: the stream id (e.g. the rank).
        first: int64 scalar tensor, the global index of the first row.
        rows: number of rows (static).
        replicates: number of replicates (static).

    Returns:
        A tensor of shape ``(replicates, rows)`` with values in ``[0, 2**31)``: int32 in
        eager code, int64 while compiling (see the module docstring).
    """
    salt = _salt(seed, stream)
    device = first.device
    dtype = torch.int64 if torch.compiler.is_compiling() else torch.int32
    index = first + torch.arange(rows, dtype=torch.int64, device=device)
    lo = (index & _M31).to(dtype)
    hi = ((index >> 31) & _M31).to(dtype)  # rows past 2**31 in one stream get new words, not repeats
    row_key = mix(lo ^ mix(hi ^ salt))
    replicate = torch.arange(replicates, dtype=dtype, device=device)
    rep_key = mix(mix(replicate ^ (salt ^ _GOLDEN)))
    return mix(rep_key.unsqueeze(1) ^ row_key.unsqueeze(0))


def _thresholds() -> tuple[int, ...]:
    out = []
    cdf = 0.0
    for k in range(12):
        cdf += math.exp(-1.0) / math.factorial(k)
        out.append(min(round(cdf * 2**31), _M31))
    return tuple(out)


POISSON_THRESHOLDS = _thresholds()


# Eager code compares every word with the first _DENSE thresholds only; the few words past
# the next one (P(k >= 4), about 1.9%) get their exact count from a binary search over all
# thresholds (searchsorted on that sparse tail): about half the time of twelve dense
# comparisons. Traced code compares with all twelve.
_DENSE = 4


def poisson(u: Tensor) -> Tensor:
    """Poisson(1) counts (uint8) from 31-bit words, by inversion of the CDF.

    ``k`` is the number of thresholds ``F(0) < F(1) < ...`` that ``u`` reaches: the same
    counts, bit for bit, in eager code (a few dense comparisons and a sparse tail) and
    while tracing (one comparison per threshold).
    """
    if u.dim() == 0 or is_tracing(u):  # torch.compile, vmap: no data-dependent shapes
        k = (u >= POISSON_THRESHOLDS[0]).to(torch.uint8)
        for t in POISSON_THRESHOLDS[1:]:
            k = k + (u >= t)
        return k
    k = (u >= POISSON_THRESHOLDS[0]).to(torch.uint8)
    for t in POISSON_THRESHOLDS[1:_DENSE]:
        k += u >= t
    flat = u.reshape(-1)
    tail = (flat >= POISSON_THRESHOLDS[_DENSE]).nonzero().squeeze(1)
    if tail.numel():
        thresholds = torch.tensor(POISSON_THRESHOLDS, dtype=u.dtype, device=u.device)
        k.view(-1).index_copy_(0, tail, torch.searchsorted(thresholds, flat[tail], right=True).to(torch.uint8))
    return k


def uniform_index(u: Tensor, n: int) -> Tensor:
    """Indexes in ``[0, n)`` from 31-bit words (``floor(u * n / 2**31)``, int64)."""
    return (u.to(torch.int64) * n) >> 31
