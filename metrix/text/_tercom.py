"""The Tercom algorithm behind TER: normalisation, beam edit distance with a trace, greedy shifts.

This follows sacrebleu's ``lib_ter`` and ``TercomTokenizer``, the reference
re-implementation of Tercom (Snover et al., 2006), including its heuristics, because TER
values depend on them:

* the edit distance only explores a beam of 25 cells around the length-scaled diagonal
  (the last row in full), so it can exceed the exact Levenshtein distance on badly
  misaligned pairs; ties between operations prefer substitution/no-op, then deletion,
  then insertion, and the trace of the chosen operations aligns the two sides;
* shifts move a block of at most 10 hypothesis words that also occurs in the reference
  (start positions at most 50 apart) to a position given by the alignment; the shift
  that lowers the edit distance most wins (then the longest block, the earliest start,
  the earliest target); shifting stops when none helps or 1000 candidates were tried.

A pair costs ``shifts + edit distance`` edits. Rows of the edit-distance matrix are
cached in a trie keyed by hypothesis prefixes: shift candidates share long prefixes, so
most rows are reused (the cache only saves time; values are the same without it).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from typing import TypeAlias

__all__ = ["TercomNormalizer", "tercom_edits"]

_MAX_SHIFT_SIZE = 10
_MAX_SHIFT_DIST = 50
_BEAM_WIDTH = 25
_MAX_CACHE_ROWS = 10000
_MAX_SHIFT_CANDIDATES = 1000
_INFINITY = 10**16
_NOP, _SUB, _INS, _DEL, _UNDEFINED = " ", "s", "i", "d", "x"

# ------------------------------------------------------------------------------ normalisation


def _compiled(*rules: tuple[str, str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """``(pattern, replacement)`` rules with their patterns compiled, applied in order."""
    return tuple((re.compile(pattern), replacement) for pattern, replacement in rules)


_ASIAN_PUNCTUATION = r"([\u3001\u3002\u3008-\u3011\u3014-\u301f\uff61-\uff65\u30fb])"
_FULL_WIDTH_PUNCTUATION = r"([\uff0e\uff0c\uff1f\uff1a\uff1b\uff01\uff02\uff08\uff09])"
_WESTERN_RULES = _compiled(
    (r"\n-", ""),
    (r"\n", " "),
    (r"&quot;", '"'),
    (r"&amp;", "&"),
    (r"&lt;", "<"),
    (r"&gt;", ">"),
)
_WESTERN_TOKEN_RULES = _compiled(
    (r"([{-~[-` -&(-+:-@/])", r" \1 "),
    (r"'s ", r" 's "),
    (r"'s$", r" 's"),
    (r"([^0-9])([\.,])", r"\1 \2 "),
    (r"([\.,])([^0-9])", r" \1 \2"),
    (r"([0-9])(-)", r"\1 \2 "),
)
_ASIAN_RULES = _compiled(
    (r"([\u4e00-\u9fff\u3400-\u4dbf])", r" \1 "),
    (r"([\u31c0-\u31ef\u2e80-\u2eff])", r" \1 "),
    (r"([\u3300-\u33ff\uf900-\ufaff\ufe30-\ufe4f])", r" \1 "),
    (r"([\u3200-\u3f22])", r" \1 "),
    # Tercom's kana rules as written (the inner ``^`` makes them match only at the start)
    (r"(^|^[\u3040-\u309f])([\u3040-\u309f]+)(?=$|^[\u3040-\u309f])", r"\1 \2 "),
    (r"(^|^[\u30a0-\u30ff])([\u30a0-\u30ff]+)(?=$|^[\u30a0-\u30ff])", r"\1 \2 "),
    (r"(^|^[\u31f0-\u31ff])([\u31f0-\u31ff]+)(?=$|^[\u31f0-\u31ff])", r"\1 \2 "),
    (_ASIAN_PUNCTUATION, r" \1 "),
    (_FULL_WIDTH_PUNCTUATION, r" \1 "),
)
_PUNCTUATION = re.compile(r"[\.,\?:;!\"\(\)]")
_ASIAN_PUNCTUATION_REMOVAL = (re.compile(_ASIAN_PUNCTUATION), re.compile(_FULL_WIDTH_PUNCTUATION))


class TercomNormalizer:
    """Tercom's text normalisation: a sentence becomes a tuple of words."""

    def __init__(self, normalize: bool, no_punctuation: bool, lowercase: bool, asian_support: bool) -> None:
        self.normalize, self.no_punctuation = normalize, no_punctuation
        self.lowercase, self.asian_support = lowercase, asian_support
        # one cache per configuration: a corpus repeats references and short answers
        self.words = functools.lru_cache(maxsize=2**16)(self._words)

    def _words(self, sentence: str) -> tuple[str, ...]:
        sentence = sentence.rstrip()
        if not sentence:
            return ()
        if self.lowercase:
            sentence = sentence.lower()
        if self.normalize:
            for rule, replacement in _WESTERN_RULES:
                sentence = rule.sub(replacement, sentence)
            sentence = f" {sentence} "
            for rule, replacement in _WESTERN_TOKEN_RULES:
                sentence = rule.sub(replacement, sentence)
            if self.asian_support:
                for rule, replacement in _ASIAN_RULES:
                    sentence = rule.sub(replacement, sentence)
        if self.no_punctuation:
            sentence = _PUNCTUATION.sub("", sentence)
            if self.asian_support:
                for rule in _ASIAN_PUNCTUATION_REMOVAL:
                    sentence = rule.sub("", sentence)
        return tuple(sentence.split())


# ------------------------------------------------------------------------------ beam edit distance

Row = tuple[tuple[int, str], ...]
Trie: TypeAlias = "dict[str, tuple[Trie, Row]]"  # word -> (the words after it, its row)


class _BeamEditDistance:
    """Edit distance from hypotheses to one fixed reference, with the trace of operations."""

    def __init__(self, ref: tuple[str, ...]) -> None:
        self.ref = ref
        self.first_row: Row = tuple((j, _INS) for j in range(len(ref) + 1))
        self.trie: Trie = {}
        self.cached_rows = 0

    def __call__(self, hyp: tuple[str, ...]) -> tuple[int, str]:
        # reuse the rows of the longest cached prefix of `hyp`
        node, rows = self.trie, [self.first_row]
        for word in hyp:
            if word not in node:
                break
            node, row = node[word]
            rows.append(row)
        known = len(rows) - 1
        rows += self._rows(hyp, known, rows[-1])
        self._remember(hyp, known, rows)
        return rows[-1][-1][0], self._trace(hyp, rows)

    def _rows(self, hyp: tuple[str, ...], start: int, previous: Row) -> list[Row]:
        ref, n_ref, n_hyp = self.ref, len(self.ref), len(hyp)
        ratio = n_ref / n_hyp if hyp else 1.0
        beam = math.ceil(ratio / 2 + _BEAM_WIDTH) if ratio / 2 > _BEAM_WIDTH else _BEAM_WIDTH
        out = []
        for i in range(start + 1, n_hyp + 1):
            diagonal = math.floor(i * ratio)
            lo = max(0, diagonal - beam)
            hi = n_ref + 1 if i == n_hyp else min(n_ref + 1, diagonal + beam)
            row = [(_INFINITY, _UNDEFINED)] * (n_ref + 1)
            word = hyp[i - 1]
            for j in range(lo, hi):
                if j == 0:
                    row[0] = (previous[0][0] + 1, _DEL)
                    continue
                same = word == ref[j - 1]
                best = (previous[j - 1][0] + (0 if same else 1), _NOP if same else _SUB)
                if previous[j][0] + 1 < best[0]:
                    best = (previous[j][0] + 1, _DEL)
                if row[j - 1][0] + 1 < best[0]:
                    best = (row[j - 1][0] + 1, _INS)
                if best[0] < row[j][0]:
                    row[j] = best
            previous = tuple(row)
            out.append(previous)
        return out

    def _remember(self, hyp: tuple[str, ...], known: int, rows: list[Row]) -> None:
        if self.cached_rows >= _MAX_CACHE_ROWS:
            return
        node = self.trie
        for word in hyp[:known]:
            node = node[word][0]
        for word, row in zip(hyp[known:], rows[known + 1 :]):
            if word not in node:
                node[word] = ({}, row)
                self.cached_rows += 1
            node = node[word][0]

    def _trace(self, hyp: tuple[str, ...], rows: list[Row]) -> str:
        ops = []
        i, j = len(hyp), len(self.ref)
        while i > 0 or j > 0:
            op = rows[i][j][1]
            ops.append(op)
            if op in (_SUB, _NOP):
                i, j = i - 1, j - 1
            elif op == _INS:
                j -= 1
            else:
                i -= 1
        return "".join(reversed(ops))


# ------------------------------------------------------------------------------ shifts


def _alignment(trace: str) -> tuple[dict[int, int], list[int], list[int]]:
    """Reference position -> hypothesis position, and error flags of both sides.

    ``trace`` rewrites the hypothesis into the reference; read backwards (insertions
    and deletions swapped), it rewrites the reference into the hypothesis.
    """
    hyp_pos = ref_pos = -1
    align: dict[int, int] = {}
    ref_errors: list[int] = []
    hyp_errors: list[int] = []
    for op in trace:
        if op in (_NOP, _SUB):
            hyp_pos += 1
            ref_pos += 1
            align[ref_pos] = hyp_pos
            error = int(op == _SUB)
            hyp_errors.append(error)
            ref_errors.append(error)
        elif op == _DEL:  # an insertion when rewriting the reference into the hypothesis
            hyp_pos += 1
            hyp_errors.append(1)
        else:  # _INS: a deletion when rewriting the reference into the hypothesis
            ref_pos += 1
            align[ref_pos] = hyp_pos
            ref_errors.append(1)
    return align, ref_errors, hyp_errors


def _common_blocks(hyp: tuple[str, ...], ref: tuple[str, ...]) -> Iterator[tuple[int, int, int]]:
    """``(hyp start, ref start, length)`` of equal word blocks, lengths 1..10 grown one by one."""
    n_hyp, n_ref = len(hyp), len(ref)
    for h in range(n_hyp):
        for r in range(max(0, h - _MAX_SHIFT_DIST), min(n_ref, h + _MAX_SHIFT_DIST + 1)):
            length = 0
            while length < _MAX_SHIFT_SIZE and hyp[h + length] == ref[r + length]:
                length += 1
                yield h, r, length
                if h + length == n_hyp or r + length == n_ref:
                    break


def _shifted(words: tuple[str, ...], start: int, length: int, target: int) -> tuple[str, ...]:
    block = words[start : start + length]
    if target < start:
        return words[:target] + block + words[target:start] + words[start + length :]
    if target > start + length:
        return words[:start] + words[start + length : target] + block + words[target:]
    return words[:start] + words[start + length : length + target] + block + words[length + target :]


def _best_shift(
    hyp: tuple[str, ...], ref: tuple[str, ...], distance: _BeamEditDistance, checked: int
) -> tuple[int, tuple[str, ...], int]:
    """The most useful shift of ``hyp``: ``(edits saved, shifted words, candidates checked so far)``."""
    before, trace = distance(hyp)
    align, ref_errors, hyp_errors = _alignment(trace)
    best: tuple[int, int, int, int, tuple[str, ...]] | None = None
    for h, r, length in _common_blocks(hyp, ref):
        # only a block that is wrong on both sides, moved outside itself
        if not any(hyp_errors[h : h + length]) or not any(ref_errors[r : r + length]):
            continue
        if h <= align[r] < h + length:
            continue
        previous = -1
        for offset in range(-1, length):
            if r + offset == -1:
                target = 0
            elif r + offset in align:
                target = align[r + offset] + 1
            else:
                break
            if target == previous:
                continue
            previous = target
            words = _shifted(hyp, h, length, target)
            candidate = (before - distance(words)[0], length, -h, -target, words)
            checked += 1
            if best is None or candidate > best:
                best = candidate
        if checked >= _MAX_SHIFT_CANDIDATES:
            break
    if best is None:
        return 0, hyp, checked
    return best[0], best[4], checked


def tercom_edits(hyp: tuple[str, ...], ref: tuple[str, ...]) -> int:
    """Number of Tercom edits (shifts plus beam edit distance) turning ``hyp`` into ``ref``.

    An empty reference costs one edit per hypothesis word.
    """
    if not ref:
        return len(hyp)
    distance = _BeamEditDistance(ref)
    shifts = checked = 0
    words = hyp
    while True:
        saved, shifted, checked = _best_shift(words, ref, distance, checked)
        if checked >= _MAX_SHIFT_CANDIDATES or saved <= 0:
            break
        shifts += 1
        words = shifted
    return shifts + distance(words)[0]
