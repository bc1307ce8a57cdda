"""The edit-distance kernel: exact Levenshtein distance between two token sequences.

Two implementations give the same integers:

* ``rapidfuzz`` (the opt-in ``text`` extra: ``pip install metrix[text]``), whose C++
  kernels take strings and lists of hashable tokens alike;
* a pure-Python fallback built on bit-parallel recurrences over Python integers, one
  word-sized operation per token of the longer side and 64 tokens per machine word:
  Hyyrö's formulation of Myers' algorithm for unit costs, and the Allison-Dix
  longest-common-subsequence recurrence for a substitution cost of 2 or more (a
  substitution then never beats a deletion plus an insertion, so the distance is
  ``len(a) + len(b) - 2 * lcs``). A substitution cost of 0 leaves only the length
  difference. Those three cases cover every non-negative integer cost.

Insertions and deletions cost 1; ``substitution_cost`` weighs a substitution.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Iterator, Sequence
from types import ModuleType
from typing import Any

__all__ = ["backend", "levenshtein", "levenshtein_many", "longest_common_subsequence", "use_backend"]

_rapidfuzz_levenshtein: ModuleType | None
try:  # the opt-in `text` extra
    from rapidfuzz.distance import Levenshtein as _rapidfuzz_levenshtein
except ImportError:  # pragma: no cover - exercised by the fallback tests through use_backend("python")
    _rapidfuzz_levenshtein = None

_BACKEND = "rapidfuzz" if _rapidfuzz_levenshtein is not None else "python"


def backend() -> str:
    """The kernel in use: ``"rapidfuzz"`` when it is installed, else ``"python"``."""
    return _BACKEND


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[None]:
    """Run a block with the ``"python"`` or ``"rapidfuzz"`` kernel (tests compare the two)."""
    global _BACKEND
    if name not in ("python", "rapidfuzz"):
        raise ValueError(f"backend must be 'python' or 'rapidfuzz', got {name!r}")
    if name == "rapidfuzz" and _rapidfuzz_levenshtein is None:
        raise ImportError("the rapidfuzz backend needs rapidfuzz: pip install 'metrix[text]'")
    previous = _BACKEND
    _BACKEND = name
    try:
        yield
    finally:
        _BACKEND = previous


def _position_masks(a: Sequence[Hashable]) -> dict[Any, int]:
    masks: dict[Any, int] = {}
    get = masks.get
    bit = 1
    for token in a:
        masks[token] = get(token, 0) | bit
        bit <<= 1
    return masks


def _unit_cost(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    # Hyyro (2003), bit-vector form of Myers (1999): column j of the DP matrix is kept as
    # vertical +1/-1 deltas in two integers; the last row's value is tracked in `dist`.
    m = len(a)
    if m == 0:
        return len(b)
    masks = _position_masks(a)
    get = masks.get
    full = (1 << m) - 1
    last = 1 << (m - 1)
    vp, vn, dist = full, 0, m
    for token in b:
        x = get(token, 0)
        d0 = ((((x & vp) + vp) ^ vp) | x | vn) & full
        hp = (vn | ~(d0 | vp)) & full
        hn = d0 & vp
        if hp & last:
            dist += 1
        elif hn & last:
            dist -= 1
        hp = ((hp << 1) | 1) & full
        hn = (hn << 1) & full
        vp = (hn | ~(d0 | hp)) & full
        vn = hp & d0
    return dist


def longest_common_subsequence(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Length of a longest common subsequence of two sequences (pure Python, bit-parallel)."""
    # Allison & Dix (1986) / Hyyro (2004): the zero bits of `s` mark matched positions of `a`.
    m = len(a)
    if m == 0 or not b:
        return 0
    masks = _position_masks(a)
    get = masks.get
    full = (1 << m) - 1
    s = full
    for token in b:
        u = s & get(token, 0)
        s = ((s + u) | (s - u)) & full
    return m - s.bit_count()


def _python(a: Sequence[Hashable], b: Sequence[Hashable], substitution_cost: int) -> int:
    if len(a) < len(b):  # the shorter side is the bit vector: fewer, cheaper integer ops
        a, b = b, a
    if substitution_cost == 1:
        return _unit_cost(b, a)
    if substitution_cost == 0:
        return len(a) - len(b)
    return len(a) + len(b) - 2 * longest_common_subsequence(b, a)


def levenshtein(a: Sequence[Hashable], b: Sequence[Hashable], substitution_cost: int = 1) -> int:
    """Edit distance between two sequences (strings, or lists of tokens).

    Args:
        a: a sequence of hashable items (a ``str`` is a sequence of characters).
        b: the other sequence.
        substitution_cost: a non-negative int; insertions and deletions cost 1.

    Returns:
        The minimal total cost of insertions, deletions and substitutions turning ``a``
        into ``b`` (symmetric).

    Example:
        >>> from metrix.text._levenshtein import levenshtein
        >>> levenshtein("kitten", "sitting"), levenshtein(["a", "b"], ["b"]), levenshtein("ab", "ba", 2)
        (3, 1, 2)
    """
    if _BACKEND == "rapidfuzz" and _rapidfuzz_levenshtein is not None:
        return _rapidfuzz_levenshtein.distance(a, b, weights=(1, 1, substitution_cost))
    return _python(a, b, substitution_cost)


def levenshtein_many(
    a: Sequence[Sequence[Hashable]], b: Sequence[Sequence[Hashable]], substitution_cost: int = 1
) -> list[int]:
    """:func:`levenshtein` of every pair ``(a[i], b[i])``."""
    if _BACKEND == "rapidfuzz" and _rapidfuzz_levenshtein is not None:
        distance = _rapidfuzz_levenshtein.distance
        weights = (1, 1, substitution_cost)
        if substitution_cost == 1:
            return [distance(x, y) for x, y in zip(a, b)]
        return [distance(x, y, weights=weights) for x, y in zip(a, b)]
    return [_python(x, y, substitution_cost) for x, y in zip(a, b)]
