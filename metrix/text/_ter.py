"""Translation edit rate: Tercom edits over the average reference length.

For each prediction the fewest Tercom edits (shifts plus edit distance, see
``metrix.text._tercom``) over its references and the average length of those
references are summed over the corpus; TER is their ratio (1 if there are edits but no
reference words, 0 if there are no edits). The state is an int64 edit count and a
float64 sum of average lengths; with ``return_sentence_level_score=True`` each
sentence's TER is kept too, in arrival order.

The values are sacrebleu's (``sacrebleu.metrics.TER``). TorchMetrics'
``translation_edit_rate`` passes the two sides to its Tercom routine the other way
round, so it shifts reference words instead of hypothesis words and scores an empty
prediction 0 instead of 1; on about 1% of random sentence pairs its edit count differs
by one or two. metrix follows the Tercom definition that TorchMetrics documents.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.text import _parameter_docs as parameter_docs
from metrix.text._corpus import corpus_metric
from metrix.text._inputs import texts_with_references
from metrix.text._tercom import TercomNormalizer, tercom_edits

__all__ = ["TERSentencesState", "TERState", "translation_edit_rate"]


@state
class TERState:
    """Corpus edits and reference lengths."""

    edits: Tensor = leaf("sum")  # int64 (): fewest edits of each prediction, summed
    ref_length: Tensor = leaf("sum")  # float64 (): average reference length of each prediction, summed


@state
class TERSentencesState:
    """Corpus sums and every sentence's TER."""

    totals: TERState = leaf("node")
    sentence_scores: Any = leaf("cat")  # float64 (n,): sentence-level TER, in arrival order


def _ter(edits: Tensor | float, ref_length: Tensor | float) -> Tensor:
    edits, ref_length = torch.as_tensor(edits, dtype=torch.float64), torch.as_tensor(ref_length, dtype=torch.float64)
    ratio = edits / ref_length.clamp(min=torch.finfo(torch.float64).tiny)
    return torch.where(ref_length > 0, torch.where(edits > 0, ratio, 0.0), torch.where(edits > 0, 1.0, 0.0))


@factory(higher_is_better=False)
@parameter_docs.TRANSLATIONS
def translation_edit_rate(
    normalize: bool = False,
    no_punctuation: bool = False,
    lowercase: bool = True,
    asian_support: bool = False,
    return_sentence_level_score: bool = False,
) -> Metric:
    """Corpus TER (Snover et al., 2006) of predictions against one or more references each.

    Same arguments and defaults as ``torchmetrics.functional.text.translation_edit_rate``;
    the values are sacrebleu's TER divided by 100 (see the module notes for where
    TorchMetrics differs).

    Args:
        normalize: apply Tercom's general tokenization (and Asian character splitting
            with ``asian_support``).
        no_punctuation: remove punctuation.
        lowercase: compare lowercased text (sacrebleu's ``case_sensitive=False``).
        asian_support: handle CJK characters and punctuation in the two options above.
        return_sentence_level_score: also return each sentence's TER.

    Returns:
        A metric whose ``update(state, preds, target)`` takes a string or list of strings
        and, per prediction, a reference string or a list of them (a flat list of
        strings with a single prediction is that prediction's references). Its value is
        a float32 scalar, or ``(corpus TER, sentence TERs)`` with a float32 vector in
        arrival order (TorchMetrics returns a list of scalars).

    Example:
        >>> translation_edit_rate()(preds, target)
        tensor(0.1538)
    """
    normalizer = TercomNormalizer(
        check_bool(normalize, "normalize"),
        check_bool(no_punctuation, "no_punctuation"),
        check_bool(lowercase, "lowercase"),
        check_bool(asian_support, "asian_support"),
    )
    sentence_level = check_bool(return_sentence_level_score, "return_sentence_level_score")

    def statistics(preds: Any, target: Any) -> tuple[tuple[list[int], list[float]], Tensor]:
        p, refs = texts_with_references(preds, target, flat_target_for_one_pred="references_of_the_one")
        edits, lengths = [], []
        for pred, references in zip(p, refs):
            hyp = normalizer.words(pred)
            ref_words = [normalizer.words(r) for r in references]
            edits.append(min(tercom_edits(hyp, r) for r in ref_words))
            lengths.append(sum(len(r) for r in ref_words) / len(ref_words))
        scores = _ter(torch.tensor(edits, dtype=torch.float64), torch.tensor(lengths, dtype=torch.float64))
        return (edits, lengths), scores

    def init(*, device: Any = None) -> TERState:
        return TERState(
            torch.zeros((), dtype=torch.int64, device=device), torch.zeros((), dtype=torch.float64, device=device)
        )

    def add(s: TERState, stats: tuple[list[int], list[float]]) -> TERState:
        edits, lengths = stats
        return TERState(s.edits + sum(edits), s.ref_length + sum(lengths))

    def compute(s: TERState) -> Tensor:
        return _ter(s.edits, s.ref_length).to(torch.float32)

    key = ("ter", normalize, no_punctuation, lowercase, asian_support)
    return corpus_metric(
        "translation_edit_rate", key, init, statistics, add, compute, TERSentencesState, sentence_level
    )
