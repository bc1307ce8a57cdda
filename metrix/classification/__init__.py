"""Classification metrics: binary, multiclass and multilabel, named as in TorchMetrics."""

from metrix.classification._accuracy import binary_accuracy as binary_accuracy
from metrix.classification._curves import auroc as auroc
from metrix.classification._curves import average_precision as average_precision
from metrix.classification._curves import binary_auroc as binary_auroc
from metrix.classification._curves import binary_average_precision as binary_average_precision
from metrix.classification._curves import binary_precision_recall_curve as binary_precision_recall_curve
from metrix.classification._curves import binary_roc as binary_roc
from metrix.classification._curves import multiclass_auroc as multiclass_auroc
from metrix.classification._curves import multiclass_average_precision as multiclass_average_precision
from metrix.classification._curves import multiclass_precision_recall_curve as multiclass_precision_recall_curve
from metrix.classification._curves import multiclass_roc as multiclass_roc
from metrix.classification._curves import multilabel_auroc as multilabel_auroc
from metrix.classification._curves import multilabel_average_precision as multilabel_average_precision
from metrix.classification._curves import multilabel_precision_recall_curve as multilabel_precision_recall_curve
from metrix.classification._curves import multilabel_roc as multilabel_roc
from metrix.classification._curves import precision_recall_curve as precision_recall_curve
from metrix.classification._curves import roc as roc
from metrix.classification._stat_scores import binary_stat_scores as binary_stat_scores
