"""Corpus metrics with optional sentence-level scores (chrF, TER, EED).

A corpus metric keeps summed statistics (counts, edits, lengths) and computes one value
from them. With ``return_sentence_level_score=True`` it also keeps every sentence's own
score, in arrival order: the state is then the corpus state as a ``node`` plus a ``cat``
leaf of float64 scores, and ``compute`` returns ``(corpus value, float32 sentence scores)``.
Each metric declares its own two state classes; this module builds both forms from the
metric's statistics.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import torch
import torch.utils._pytree as pytree
from torch import Tensor

from metrix._core.metric import Metric
from metrix._core.state import cat_append, cat_init, stored_values

__all__ = ["corpus_metric"]

Statistics = Callable[[Any, Any], tuple[Any, "Sequence[float] | Tensor"]]


Corpus = TypeVar("Corpus")  # the metric's corpus state class


def corpus_metric(
    name: str,
    key: tuple[Any, ...],
    init: Callable[..., Corpus],
    statistics: Statistics,
    add: Callable[[Corpus, Any], Corpus],
    compute: Callable[[Corpus], Tensor],
    sentences_cls: type,
    sentence_level: bool,
) -> Metric:
    """Build a corpus metric, with every sentence's score when ``sentence_level``.

    Args:
        name: the metric's name.
        key: the corpus state's identity (``"sentences"`` is appended for the other form).
        init: the corpus state's ``init``.
        statistics: ``statistics(preds, target) -> (stats, scores)``: the batch's statistics
            and its sentences' scores (a list of floats or a float64 tensor), after checking
            the inputs.
        add: ``add(corpus_state, stats)``: the corpus state with the batch's statistics added.
        compute: the corpus value from the corpus state.
        sentences_cls: the state class of the sentence-level form: its first field is the
            corpus state (a ``node``), its second the sentence scores (a ``cat``).
        sentence_level: keep every sentence's score.
    """

    def update(s: Corpus, preds: Any, target: Any) -> Corpus:
        return add(s, statistics(preds, target)[0])

    if not sentence_level:
        return Metric(init, update, compute, name=name, key=key)
    corpus_field, scores_field = (f.name for f in dataclasses.fields(sentences_cls))

    def init_sentences(*, device: Any = None) -> Any:
        return sentences_cls(init(device=device), cat_init((), torch.float64, device))

    def update_sentences(s: Any, preds: Any, target: Any) -> Any:
        corpus = getattr(s, corpus_field)
        stats, scores = statistics(preds, target)
        device = pytree.tree_leaves(corpus)[0].device
        stored = cat_append(getattr(s, scores_field), torch.as_tensor(scores, dtype=torch.float64, device=device))
        return sentences_cls(add(corpus, stats), stored)

    def compute_sentences(s: Any) -> tuple[Tensor, Tensor]:
        return compute(getattr(s, corpus_field)), stored_values(getattr(s, scores_field)).to(torch.float32)

    return Metric(init_sentences, update_sentences, compute_sentences, name=name, key=(*key, "sentences"))
