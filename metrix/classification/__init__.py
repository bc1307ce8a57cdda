"""Classification metrics: binary, multiclass and multilabel, named as in TorchMetrics."""

from metrix.classification._accuracy import binary_accuracy as binary_accuracy
from metrix.classification._curve_points import binary_eer as binary_eer
from metrix.classification._curve_points import binary_logauc as binary_logauc
from metrix.classification._curve_points import binary_precision_at_fixed_recall as binary_precision_at_fixed_recall
from metrix.classification._curve_points import binary_recall_at_fixed_precision as binary_recall_at_fixed_precision
from metrix.classification._curve_points import binary_sensitivity_at_specificity as binary_sensitivity_at_specificity
from metrix.classification._curve_points import binary_specificity_at_sensitivity as binary_specificity_at_sensitivity
from metrix.classification._curve_points import eer as eer
from metrix.classification._curve_points import logauc as logauc
from metrix.classification._curve_points import multiclass_eer as multiclass_eer
from metrix.classification._curve_points import multiclass_logauc as multiclass_logauc
from metrix.classification._curve_points import (
    multiclass_precision_at_fixed_recall as multiclass_precision_at_fixed_recall,
)
from metrix.classification._curve_points import (
    multiclass_recall_at_fixed_precision as multiclass_recall_at_fixed_precision,
)
from metrix.classification._curve_points import (
    multiclass_sensitivity_at_specificity as multiclass_sensitivity_at_specificity,
)
from metrix.classification._curve_points import (
    multiclass_specificity_at_sensitivity as multiclass_specificity_at_sensitivity,
)
from metrix.classification._curve_points import multilabel_eer as multilabel_eer
from metrix.classification._curve_points import multilabel_logauc as multilabel_logauc
from metrix.classification._curve_points import (
    multilabel_precision_at_fixed_recall as multilabel_precision_at_fixed_recall,
)
from metrix.classification._curve_points import (
    multilabel_recall_at_fixed_precision as multilabel_recall_at_fixed_precision,
)
from metrix.classification._curve_points import (
    multilabel_sensitivity_at_specificity as multilabel_sensitivity_at_specificity,
)
from metrix.classification._curve_points import (
    multilabel_specificity_at_sensitivity as multilabel_specificity_at_sensitivity,
)
from metrix.classification._curve_points import precision_at_fixed_recall as precision_at_fixed_recall
from metrix.classification._curve_points import recall_at_fixed_precision as recall_at_fixed_precision
from metrix.classification._curve_points import sensitivity_at_specificity as sensitivity_at_specificity
from metrix.classification._curve_points import specificity_at_sensitivity as specificity_at_sensitivity
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
