"""Classification metrics: binary, multiclass and multilabel, named as in TorchMetrics."""

from metrix.classification._accuracy import binary_accuracy as binary_accuracy
from metrix.classification._stat_scores import binary_stat_scores as binary_stat_scores
