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

The bootstrap's Poisson(1) weights are drawn from the same mixer in
:mod:`metrix.wrappers._bootstrap_poisson`; the words here serve the multinomial strategy.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["mix", "mix_int", "uniform_index", "words"]

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


def uniform_index(u: Tensor, n: int) -> Tensor:
    """Indexes in ``[0, n)`` from 31-bit words (``floor(u * n / 2**31)``, int64)."""
    return (u.to(torch.int64) * n) >> 31
