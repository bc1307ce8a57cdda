"""Extended edit distance: a character edit distance with jumps, averaged over sentences.

EED (Stanchev, Wang and Ney, 2019) extends the character-level Levenshtein recurrence
(CDER-style: deletions cost ``deletion``, insertions and substitutions ``insertion``)
with a jump to any hypothesis position at a reference blank (cost ``alpha``), and adds a
coverage penalty ``rho`` for hypothesis characters visited more or less than once. A
sentence's score is the best (lowest) over its references, capped at 1; the corpus
value is the mean of the sentence scores. So the state is a float64 sum of scores and
an int64 sentence count; ``return_sentence_level_score=True`` keeps the scores too.

Sentences are preprocessed as in the EED reference code and TorchMetrics: for English,
punctuation is split off (keeping decimals, ``Mr.``, ``e.g.``, ``U.S.`` and the like
together) and the sentence is padded with a blank on each side; for Japanese, NFKC
normalisation.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool, check_choice, check_number
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.text._corpus import corpus_metric
from metrix.text._inputs import texts_with_references

__all__ = ["EEDSentencesState", "EEDState", "extended_edit_distance"]


@state
class EEDState:
    """Sum of sentence scores and number of sentences."""

    total: Tensor = leaf("sum")  # float64 (): sum of sentence-level EED
    count: Tensor = leaf("sum")  # int64 (): sentences


@state
class EEDSentencesState:
    """Corpus sums and every sentence's score."""

    totals: EEDState = leaf("node")
    sentence_scores: Any = leaf("cat")  # float64 (n,): sentence-level EED, in arrival order


_SPLIT_OFF = ((".", " ."), ("!", " !"), ("?", " ?"), (",", " ,"))
_EN_RULES = (
    (re.compile(r"\s+"), " "),
    (re.compile(r"(\d) ([.,]) (\d)"), r"\1\2\3"),
    (re.compile(r"(Dr|Jr|Prof|Rev|Gen|Mr|Mt|Mrs|Ms) ."), r"\1."),
)
_REJOIN = (("e . g .", "e.g."), ("i . e .", "i.e."), ("U . S .", "U.S."))


def _preprocess_en(sentence: str) -> str:
    sentence = sentence.rstrip()
    for mark, spaced in _SPLIT_OFF:
        sentence = sentence.replace(mark, spaced)
    for rule, replacement in _EN_RULES:
        sentence = rule.sub(replacement, sentence)
    for spaced, joined in _REJOIN:
        sentence = sentence.replace(spaced, joined)
    return f" {sentence} "


def _preprocess_ja(sentence: str) -> str:
    return unicodedata.normalize("NFKC", sentence.rstrip())


def eed(hyp: str, ref: str, alpha: float, rho: float, deletion: float, insertion: float) -> float:
    """Sentence-level EED of one hypothesis against one reference (both preprocessed)."""
    n = len(hyp)
    visits = [-1] * (n + 1)
    row = [0.0] + [1.0] * n  # CDER initialisation
    positions = range(1, n + 1)
    for ref_char in ref:
        nxt = [row[0] + 1.0]
        previous = nxt[0]
        for i in positions:
            substitution = row[i - 1] + (hyp[i - 1] != ref_char)
            insert = row[i] + insertion
            delete = previous + deletion
            previous = delete if delete < substitution else substitution
            if insert < previous:
                previous = insert
            nxt.append(previous)
        lowest = min(nxt)
        visits[nxt.index(lowest)] += 1
        if ref_char == " ":  # a jump to any position costs alpha from the best one
            jump = alpha + lowest
            nxt = [x if x < jump else jump for x in nxt]
        row = nxt
    coverage = rho * sum(v if v >= 0 else 1 for v in visits)
    return min(1.0, (row[-1] + coverage) / (len(ref) + coverage))


def _check_cost(value: Any, name: str) -> float:
    return check_number(value, name, "a non-negative float", lambda v: v >= 0)


@factory(higher_is_better=False)
def extended_edit_distance(
    language: str = "en",
    return_sentence_level_score: bool = False,
    alpha: float = 2.0,
    rho: float = 0.3,
    deletion: float = 0.2,
    insertion: float = 1.0,
) -> Metric:
    """Mean extended edit distance (EED) of predictions against one or more references each.

    Same arguments, defaults and values as
    ``torchmetrics.functional.text.extended_edit_distance``.

    Args:
        language: ``"en"`` or ``"ja"`` (selects the preprocessing).
        return_sentence_level_score: also return each sentence's score.
        alpha: jump penalty.
        rho: coverage penalty.
        deletion: cost of a deletion.
        insertion: cost of an insertion or a substitution.

    Returns:
        A metric whose ``update(state, preds, target)`` takes a string or list of strings
        and, per prediction, a reference string or a list of them (a flat list of
        strings with a single prediction is that prediction's references). Its value is
        a float32 scalar (0 before any sentence), or ``(mean, sentence scores)``.

    Example:
        >>> from metrix.text import extended_edit_distance
        >>> preds = ["this is the prediction", "here is an other sample"]
        >>> target = ["this is the reference", "here is another one"]
        >>> extended_edit_distance()(preds, target)
        tensor(0.3078)
    """
    language = check_choice(language, "language", ("en", "ja"))
    sentence_level = check_bool(return_sentence_level_score, "return_sentence_level_score")
    costs = tuple(
        _check_cost(v, n) for v, n in zip((alpha, rho, deletion, insertion), ("alpha", "rho", "deletion", "insertion"))
    )
    preprocess = _preprocess_en if language == "en" else _preprocess_ja

    def statistics(preds: Any, target: Any) -> tuple[list[float], list[float]]:
        p, refs = texts_with_references(preds, target, flat_target_for_one_pred="references_of_the_one")
        values = [min(eed(preprocess(h), preprocess(r), *costs) for r in rs) for h, rs in zip(p, refs)]
        return values, values  # the statistics are the sentence scores

    def init(*, device: Any = None) -> EEDState:
        return EEDState(
            torch.zeros((), dtype=torch.float64, device=device), torch.zeros((), dtype=torch.int64, device=device)
        )

    def add(s: EEDState, values: list[float]) -> EEDState:
        return EEDState(s.total + sum(values), s.count + len(values))

    def compute(s: EEDState) -> Tensor:
        return (s.total / s.count.clamp(min=1)).to(torch.float32)

    key = ("eed", language, *costs)
    return corpus_metric(
        "extended_edit_distance", key, init, statistics, add, compute, EEDSentencesState, sentence_level
    )
