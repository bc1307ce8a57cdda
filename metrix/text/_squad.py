"""SQuAD: exact match and token F1 of predicted answers, best over each question's answers.

Answers are compared after the official SQuAD v1.1 normalisation (lowercase, drop
punctuation and the articles a/an/the, collapse blanks). Each question scores the best
exact match (0 or 1) and the best token-overlap F1 over its reference answers; the
state is the int64 count of exact matches, the float64 sum of F1 and the int64 number
of questions, so it merges and syncs exactly.

Predictions are matched to questions by ``id`` within each update, as in TorchMetrics; a
question whose id has no prediction in the same update scores 0 (with a warning).
"""

from __future__ import annotations

import re
import string
from collections import Counter
from typing import Any

import torch
from torch import Tensor

from metrix._core.checks import warn
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state
from metrix.text._inputs import one_or_many

__all__ = ["SquadState", "squad"]

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)
_TARGET_FORMAT = "{'answers': {'answer_start': [1], 'text': ['an answer']}, 'id': '1'}"


@state
class SquadState:
    """Exact matches, F1 sum and questions."""

    exact: Tensor = leaf("sum")  # int64 (): questions whose best answer matches exactly
    f1: Tensor = leaf("sum")  # float64 (): sum over questions of the best token F1
    total: Tensor = leaf("sum")  # int64 (): questions


def normalize_answer(text: str) -> str:
    """SQuAD v1.1 answer normalisation."""
    return " ".join(_ARTICLES.sub(" ", text.lower().translate(_PUNCTUATION)).split())


def _f1(prediction: str, truth: str) -> float:
    pred_tokens = normalize_answer(prediction).split() if prediction else []
    truth_tokens = normalize_answer(truth).split() if truth else []
    if not pred_tokens or not truth_tokens:
        return float(pred_tokens == truth_tokens)
    same = sum((Counter(pred_tokens) & Counter(truth_tokens)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred_tokens), same / len(truth_tokens)
    return 2 * precision * recall / (precision + recall)


def _predictions(preds: Any) -> dict[Any, str]:
    out = {}
    for i, pred in enumerate(one_or_many(preds, "preds", dict, "dicts")):
        for key in ("prediction_text", "id"):
            if key not in pred:
                raise ValueError(
                    f"preds[{i}] has no {key!r} key; a prediction is {{'prediction_text': str, 'id': str}}"
                )
        if not isinstance(pred["prediction_text"], str):
            raise TypeError(
                f"preds[{i}]['prediction_text'] must be a str, got {type(pred['prediction_text']).__name__}"
            )
        out[pred["id"]] = pred["prediction_text"]
    return out


def _questions(target: Any) -> list[tuple[Any, list[str]]]:
    out = []
    for i, item in enumerate(one_or_many(target, "target", dict, "dicts")):
        for key in ("answers", "id"):
            if key not in item:
                raise ValueError(f"target[{i}] has no {key!r} key; SQuAD format: {_TARGET_FORMAT}")
        answers = item["answers"]
        if not isinstance(answers, dict) or "text" not in answers:
            raise ValueError(
                f"target[{i}]['answers'] must be a dict with a 'text' list; SQuAD format: {_TARGET_FORMAT}"
            )
        texts = answers["text"]
        if isinstance(texts, str) or not isinstance(texts, (list, tuple)):
            raise TypeError(f"target[{i}]['answers']['text'] must be a list of str, got {type(texts).__name__}")
        if not texts:
            raise ValueError(f"target[{i}]['answers']['text'] is empty; every question needs at least one answer")
        for j, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"target[{i}]['answers']['text'][{j}] must be a str, got {type(text).__name__}")
        out.append((item["id"], list(texts)))
    return out


@factory(higher_is_better=True)
def squad() -> Metric:
    """SQuAD v1.1 exact match and F1 (in percent), as ``torchmetrics.functional.text.squad``.

    Returns:
        A metric whose ``update(state, preds, target)`` takes a prediction dict
        ``{"prediction_text": str, "id": str}`` or a list of them, and a SQuAD-format
        target dict ``{"answers": {"text": [str, ...], ...}, "id": str}`` or a list of
        them; its value is ``{"exact_match": float32, "f1": float32}`` in percent (NaN
        before any question). Missing keys raise ``ValueError`` (TorchMetrics raises
        ``KeyError``).

    Example:
        >>> from metrix.text import squad
        >>> preds = [{"prediction_text": "1976", "id": "56e10a3be3433e1400422b22"}]
        >>> target = [{"answers": {"answer_start": [97], "text": ["1976"]}, "id": "56e10a3be3433e1400422b22"}]
        >>> squad()(preds, target)
        {'exact_match': tensor(100.), 'f1': tensor(100.)}
    """

    def init(*, device: Any = None) -> SquadState:
        return SquadState(
            torch.zeros((), dtype=torch.int64, device=device),
            torch.zeros((), dtype=torch.float64, device=device),
            torch.zeros((), dtype=torch.int64, device=device),
        )

    def update(s: SquadState, preds: Any, target: Any) -> SquadState:
        answered = _predictions(preds)
        questions = _questions(target)
        exact, f1 = 0, 0.0
        for qid, truths in questions:
            if qid not in answered:
                warn("squad", f"question {qid!r} has no prediction in this update and scores 0")
                continue
            prediction = answered[qid]
            normalized = normalize_answer(prediction)
            exact += max(int(normalized == normalize_answer(t)) for t in truths)
            f1 += max(_f1(prediction, t) for t in truths)
        return SquadState(s.exact + exact, s.f1 + f1, s.total + len(questions))

    def compute(s: SquadState) -> dict[str, Tensor]:
        total = s.total.to(torch.float64)
        return {
            "exact_match": (100.0 * s.exact / total).to(torch.float32),
            "f1": (100.0 * s.f1 / total).to(torch.float32),
        }

    return Metric(init, update, compute, name="squad", key=("squad",))
