"""Bad inputs of the classification families, defined once for every catalogue module.

Every family reads its inputs through ``metrix.classification._inputs``, so the same
faults raise the same errors everywhere. ``scores_only`` marks families that need float
scores (curves, calibration, hinge, ranking): integer preds are refused there, while the
stat-scores families take them as labels. A value check is listed twice where its eager
message names the offending value: once with the part that traced code also says
(``traced=True``), once with the value (eager only).
"""

from __future__ import annotations

import torch

from tests.catalogue._case import BadInput

__all__ = ["binary_bad", "multiclass_bad", "multiclass_label_preds_bad", "multilabel_bad", "probabilities_bad"]

_LONG = torch.long


def _common(preds_shape: tuple[int, ...], target: torch.Tensor, *, scores_only: bool) -> list[BadInput]:
    """Faults that every task refuses alike: NaN/inf scores, float targets, non-tensors, a swap."""
    n = target.shape[0]
    bad = [
        BadInput(lambda g: (torch.full(preds_shape, float("nan")), target), ValueError, "NaN", traced=True),
        BadInput(lambda g: (torch.full(preds_shape, float("inf")), target), ValueError, "NaN or inf", traced=True),
        BadInput(lambda g: (torch.rand(preds_shape), target.float()), TypeError, "integer class labels"),
        BadInput(lambda g: ([0.5] * n, target), TypeError, "preds must be a torch.Tensor"),
        # integer preds beside float targets: the two were likely passed in the wrong order
        BadInput(lambda g: (target, torch.rand(preds_shape)), TypeError, "swapped"),
    ]
    if scores_only:
        bad.append(BadInput(lambda g: (target, target), TypeError, "floating"))
    return bad


def binary_bad(*, scores_only: bool = False) -> list[BadInput]:
    """Bad ``(preds, target)`` of binary metrics, ``(4,)`` samples."""
    return [
        BadInput(
            lambda g: (torch.rand(4), torch.tensor([0, 1, 2, 0])),
            ValueError,
            "target must hold only 0 and 1",
            traced=True,
        ),
        BadInput(lambda g: (torch.rand(4), torch.tensor([0, 1, 2, 0])), ValueError, r"only 0 and 1.*, got 2"),
        BadInput(lambda g: (torch.rand(4), torch.ones(3, dtype=_LONG)), ValueError, "same shape"),
        *_common((4,), torch.ones(4, dtype=_LONG), scores_only=scores_only),
    ]


def multiclass_bad(c: int, *, scores_only: bool = False) -> list[BadInput]:
    """Bad ``(preds (N, c), target (N,))`` of multiclass metrics."""
    bad = [
        BadInput(
            lambda g: (torch.rand(4, c), torch.tensor([0, 1, c, 0])),
            ValueError,
            rf"target must hold class labels in \[0, {c}\)",
            traced=True,
        ),
        BadInput(lambda g: (torch.rand(4, c), torch.tensor([0, 1, c, 0])), ValueError, rf"\[0, {c}\), got {c}"),
        BadInput(lambda g: (torch.rand(4, c), torch.tensor([0, -1, 1, 0])), ValueError, "labels in", traced=True),
        BadInput(lambda g: (torch.rand(4, c + 1), torch.zeros(4, dtype=_LONG)), ValueError, f"num_classes={c}"),
        BadInput(lambda g: (torch.rand(4, c), torch.zeros(3, dtype=_LONG)), ValueError, "agree outside dim 1"),
        *_common((4, c), torch.zeros(4, dtype=_LONG), scores_only=scores_only),
    ]
    if not scores_only:  # label preds (N,) beside a (N, C) target: the two were likely swapped
        bad.append(
            BadInput(lambda g: (torch.zeros(4, dtype=_LONG), torch.zeros(4, c, dtype=_LONG)), ValueError, "swapped")
        )
    return bad


def multiclass_label_preds_bad(c: int) -> list[BadInput]:
    """Bad integer label preds of the stat-scores families (``(N,)`` labels outside ``[0, c)``)."""
    return [
        BadInput(
            lambda g: (torch.tensor([0, c + 1, 1]), torch.tensor([0, 1, 1])),
            ValueError,
            "integer preds must hold class labels",
            traced=True,
        ),
        BadInput(
            lambda g: (torch.tensor([0, -1, 1]), torch.tensor([0, 1, 1])), ValueError, "integer preds", traced=True
        ),
        BadInput(lambda g: (torch.tensor([0, -1, 1]), torch.tensor([0, 1, 1])), ValueError, r"got -1"),
        BadInput(lambda g: (torch.rand(3), torch.tensor([0, 1, 1])), TypeError, "float preds must be scores"),
    ]


def multilabel_bad(num_labels: int, *, scores_only: bool = False) -> list[BadInput]:
    """Bad ``(preds, target)`` of multilabel metrics, ``(4, num_labels)``."""
    n = num_labels
    return [
        BadInput(lambda g: (torch.rand(4, n), torch.full((4, n), 2)), ValueError, "only 0 and 1", traced=True),
        BadInput(lambda g: (torch.rand(4, n), torch.full((4, n), 2)), ValueError, r"only 0 and 1.*, got 2"),
        BadInput(lambda g: (torch.rand(4, n + 1), torch.zeros(4, n + 1, dtype=_LONG)), ValueError, f"num_labels={n}"),
        BadInput(lambda g: (torch.rand(4, n), torch.zeros(4, n - 1, dtype=_LONG)), ValueError, "same shape"),
        *_common((4, n), torch.zeros(4, n, dtype=_LONG), scores_only=scores_only),
    ]


def probabilities_bad(preds: torch.Tensor, target: torch.Tensor) -> list[BadInput]:
    """Scores outside [0, 1] under ``input_format="probabilities"``."""
    return [BadInput(lambda g: (preds, target), ValueError, r"probabilities in \[0, 1\]", traced=True)]
