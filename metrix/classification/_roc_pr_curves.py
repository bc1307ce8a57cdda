"""ROC and precision-recall curves: the points of each threshold curve.

Names, arguments, defaults and values follow ``torchmetrics.functional.classification``.
With ``thresholds=None`` every sample is kept and the curves are exact; eager curves then
match TorchMetrics point for point (one point per distinct score). With
``capacity=int`` (keyword-only) the samples live in a fixed-capacity buffer that compiles
once and vmaps; curves then have a fixed length (one point per buffer slot, ties and
unused slots repeat a neighbouring point, so areas are unchanged). With ``thresholds``
given, an ``O(T * C)`` histogram replaces the samples and the curves have ``T`` points.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from metrix._core.metric import Metric
from metrix.classification._curve_family import CurveBuilder, CurveOptions, ThresholdCurve
from metrix.classification._curve_kernel import Curve, CurveOutput, curve_output, macro_curve, pr_points, roc_points
from metrix.classification._curve_state import CurveState, build_spec, check_macro_capacity, curve_metric
from metrix.classification._inputs import check_choice
from metrix.classification._task_family import with_example

__all__ = [
    "binary_precision_recall_curve",
    "binary_roc",
    "multiclass_precision_recall_curve",
    "multiclass_roc",
    "multilabel_precision_recall_curve",
    "multilabel_roc",
    "precision_recall_curve",
    "roc",
]


def _points_of(points: Callable[..., Curve], descending: bool) -> CurveBuilder:
    """The builder of a curve: its points per column, or pooled (``"micro"``) or averaged (``"macro"``)."""

    def build(name: str, task: str, num: int | None, average: Any, options: CurveOptions) -> Metric:
        spec = build_spec(task, num, *options)
        average = check_choice(average, "average", (None, "micro", "macro"))
        check_macro_capacity(average, spec.capacity)
        per_column = task != "binary" and average != "micro"

        def compute(s: CurveState) -> CurveOutput:
            a, b, thr, keep = points(spec, s, pooled=average == "micro")
            out = curve_output(spec, a, b, thr, keep, per_column=per_column)
            if average == "macro":
                return macro_curve(out[0], out[1], out[2], descending=descending)
            return out

        return curve_metric(name, spec, compute)

    return build


_ROC_DOCS = {
    "binary": with_example(
        "binary_roc",
        """Receiver operating characteristic of binary scores.

        Returns:
            A metric computing ``(fpr, tpr, thresholds)``, thresholds decreasing, starting
            at ``(0, 0)`` with threshold 1.
        """,
        "fpr, tpr, thr = binary_roc()(torch.tensor([0.0, 0.5, 0.7, 0.8]), torch.tensor([0, 1, 1, 0]))\n"
        ">>> fpr, tpr\n"
        "(tensor([0.0000, 0.5000, 0.5000, 0.5000, 1.0000]), tensor([0.0000, 0.0000, 0.5000, 1.0000, 1.0000]))",
    ),
    "multiclass": with_example(
        "multiclass_roc",
        """One-vs-rest ROC curves of multiclass scores.

        Args:
            num_classes: number of classes (``>= 2``); preds have shape ``(N, C, ...)``.
            average: ``None`` gives one curve per class; ``"micro"`` one curve over every
                (sample, class) pair; ``"macro"`` the class curves averaged on a common grid
                (not available with ``capacity``).

        Returns:
            A metric computing ``(fpr, tpr, thresholds)``: per-class lists (exact), tensors of
            shape ``(C, L)`` (``capacity``) or ``(C, T)`` with thresholds ``(T,)`` (binned).
        """,
        "preds = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])\n"
        ">>> fpr, tpr, thr = multiclass_roc(3, thresholds=3)(preds, torch.tensor([0, 1, 2, 2]))\n"
        ">>> tpr\n"
        "tensor([[0.0000, 1.0000, 1.0000],\n"
        "        [0.0000, 1.0000, 1.0000],\n"
        "        [0.0000, 0.5000, 1.0000]])",
    ),
    "multilabel": with_example(
        "multilabel_roc",
        """ROC curve of each label of multilabel scores.

        Args:
            num_labels: number of labels (``>= 2``); preds and target have shape ``(N, L, ...)``.

        Returns:
            A metric computing ``(fpr, tpr, thresholds)`` per label (lists when exact).
        """,
        "preds = torch.tensor([[0.8, 0.1], [0.3, 0.7], [0.6, 0.4]])\n"
        ">>> fpr, tpr, thr = multilabel_roc(2, thresholds=3)(preds, torch.tensor([[1, 0], [0, 1], [1, 1]]))\n"
        ">>> fpr\n"
        "tensor([[0., 0., 1.],\n"
        "        [0., 0., 1.]])",
    ),
}
_PR_DOCS = {
    "binary": with_example(
        "binary_precision_recall_curve",
        """Precision-recall curve of binary scores.

        Returns:
            A metric computing ``(precision, recall, thresholds)``, thresholds increasing, with
            a final point ``(1, 0)`` that has no threshold.
        """,
        "m = binary_precision_recall_curve()\n"
        ">>> precision, recall, thr = m(torch.tensor([0.0, 0.5, 0.7, 0.8]), torch.tensor([0, 1, 1, 0]))\n"
        ">>> precision, recall\n"
        "(tensor([0.5000, 0.6667, 0.5000, 0.0000, 1.0000]), tensor([1.0000, 1.0000, 0.5000, 0.0000, 0.0000]))\n"
        ">>> thr\n"
        "tensor([0.0000, 0.5000, 0.7000, 0.8000])",
    ),
    "multiclass": with_example(
        "multiclass_precision_recall_curve",
        """One-vs-rest precision-recall curves of multiclass scores.

        Args:
            num_classes: number of classes (``>= 2``); preds have shape ``(N, C, ...)``.
            average: ``None`` (per class), ``"micro"`` or ``"macro"`` (see :func:`multiclass_roc`).

        Returns:
            A metric computing ``(precision, recall, thresholds)`` per class.
        """,
        "preds = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])\n"
        ">>> p, r, thr = multiclass_precision_recall_curve(3, thresholds=3)(preds, torch.tensor([0, 1, 2, 2]))\n"
        ">>> r\n"
        "tensor([[1.0000, 1.0000, 0.0000, 0.0000],\n"
        "        [1.0000, 1.0000, 0.0000, 0.0000],\n"
        "        [1.0000, 0.5000, 0.0000, 0.0000]])",
    ),
    "multilabel": with_example(
        "multilabel_precision_recall_curve",
        """Precision-recall curve of each label of multilabel scores.

        Returns:
            A metric computing ``(precision, recall, thresholds)`` per label.
        """,
        "preds = torch.tensor([[0.8, 0.1], [0.3, 0.7], [0.6, 0.4]])\n"
        ">>> m = multilabel_precision_recall_curve(2, thresholds=3)\n"
        ">>> m(preds, torch.tensor([[1, 0], [0, 1], [1, 1]]))[0]  # NaN: no prediction reaches threshold 1\n"
        "tensor([[0.6667, 1.0000,    nan, 1.0000],\n"
        "        [0.6667, 1.0000,    nan, 1.0000]])",
    ),
}

binary_roc, multiclass_roc, multilabel_roc, roc = ThresholdCurve(
    "roc", __name__, _points_of(roc_points, descending=True), higher_is_better=None, title="ROC curve",
    docs=_ROC_DOCS,
    dispatcher_example='roc("binary", thresholds=3)(torch.tensor([0.2, 0.9]), torch.tensor([0, 1]))[1]\n'
    "tensor([0., 1., 1.])",
).factories  # fmt: skip

(
    binary_precision_recall_curve,
    multiclass_precision_recall_curve,
    multilabel_precision_recall_curve,
    precision_recall_curve,
) = ThresholdCurve(
    "precision_recall_curve", __name__, _points_of(pr_points, descending=False), higher_is_better=None,
    title="Precision-recall curve", docs=_PR_DOCS,
    dispatcher_example='precision_recall_curve("binary", thresholds=3)(torch.tensor([0.2, 0.9]), '
    'torch.tensor([0, 1]))[0]\ntensor([0.5000, 1.0000,    nan, 1.0000])',
).factories  # fmt: skip
