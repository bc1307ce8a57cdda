"""The ``Args:`` entries that classification factories share (see ``metrix._core.docstrings``).

One glossary per task: a parameter such as ``threshold`` or ``average`` reads differently for
binary, multiclass and multilabel inputs. A factory describes in its own docstring only the
parameters whose meaning is its own.
"""

from __future__ import annotations

from metrix._core.docstrings import Glossary

__all__ = ["BINARY", "BINARY_SCORES", "CURVES", "MULTICLASS", "MULTICLASS_SCORES", "MULTILABEL"]

_COMMON = Glossary(
    {
        "multidim_average": '``"global"`` or ``"samplewise"`` (one value per sample).',
        "ignore_index": "target value whose elements are not counted.",
        "validate_args": "check input values (shapes and dtypes are always checked).",
        "zero_division": "value returned where the denominator is 0 (0 or 1).",
        "input_format": '``"auto"``, ``"probabilities"``, ``"logits"`` or ``"labels"``.',
    }
)

BINARY = _COMMON | {"threshold": "probability above which a prediction counts as positive."}

MULTICLASS = _COMMON | {
    "num_classes": "number of classes ``C`` (an int >= 2).",
    "average": '``"micro"`` (counts summed over classes), ``"macro"`` (mean over the\n'
    'classes that occur), ``"weighted"`` (by support) or ``"none"``/``None``.',
    "top_k": "a prediction is a hit when the target is among the ``top_k`` highest scores.",
}

MULTILABEL = _COMMON | {
    "num_labels": "number of labels ``L`` (an int >= 2).",
    "threshold": "probability above which a label counts as predicted.",
    "average": '``"micro"``, ``"macro"``, ``"weighted"`` or ``"none"``/``None``.',
}

# Metrics of float scores, one value per sample (calibration error, hinge loss): how "auto"
# reads the scores, and what a binary one takes and returns.
BINARY_SCORES = Glossary(
    BINARY.entries
    | {
        "input_format": '``"auto"`` (TorchMetrics\' per-batch guess: a sigmoid is applied\n'
        'when any counted score lies outside [0, 1]), ``"probabilities"`` or\n``"logits"``.'
    },
    returns="A metric taking ``preds`` (float, ``(N, ...)``) and ``target`` (int in {0, 1},\n"
    "same shape) and computing a float64 scalar.",
)
MULTICLASS_SCORES = MULTICLASS | {
    "num_classes": "number of classes (>= 2).",
    "ignore_index": "target value whose samples are not counted.",
    "input_format": '``"auto"`` (TorchMetrics\' per-batch guess: a softmax over the\n'
    'class dim is applied when any counted score lies outside [0, 1]),\n``"probabilities"`` or ``"logits"``.',
}

# Curves and what is read off them (ROC/PR curves, their areas and summaries, operating points).
_BOUND = "the constraint, a float in [0, 1]."
CURVES = Glossary(
    {
        "num_classes": "number of classes (``>= 2``).",
        "num_labels": "number of labels (``>= 2``).",
        "thresholds": "``None`` keeps every sample and gives the exact curve; an int ``T >= 2``\n"
        "uses ``T`` thresholds evenly spaced in [0, 1]; a list or 1-d tensor gives them\n"
        "explicitly (strictly increasing, in [0, 1]). Binned curves need ``O(T * C)``\n"
        "memory whatever the number of samples.",
        "ignore_index": "target value whose elements are left out (masked, not dropped).",
        "validate_args": "check input values (shapes and dtypes are always checked).",
        "input_format": '``"auto"`` follows TorchMetrics per batch (scores outside [0, 1]\n'
        'get the activation), ``"probabilities"`` or ``"logits"`` declare it once, so\n'
        "accumulated results do not depend on the batching.",
        "capacity": "with ``thresholds=None``, keep samples in a fixed-capacity buffer of this\n"
        "size (compiles once, vmaps); ``None`` grows eager storage.",
        "min_specificity": _BOUND,
        "min_sensitivity": _BOUND,
        "min_precision": _BOUND,
        "min_recall": _BOUND,
    }
)
