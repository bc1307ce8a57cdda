"""Classification input handling, in one home: constructor arguments, tensor checks, conversions.

* :mod:`~metrix.classification._inputs.arguments`: the shared constructor arguments
  (``task``, ``threshold``, ``average``, ``input_format``, …), validated once per factory.
* :mod:`~metrix.classification._inputs.tensors`: dtype, shape and value checks of input
  tensors with one wording each, and the one ``to_probabilities``.
* :mod:`~metrix.classification._inputs.labels`: hard predictions for the stat-scores
  families (thresholded, top-1 or top-k labels, weights for ``ignore_index``).
* :mod:`~metrix.classification._inputs.scores`: float scores for the families that rank or
  bin them (curves, calibration, hinge, ranking).
"""

from metrix.classification._inputs.arguments import AVERAGES as AVERAGES
from metrix.classification._inputs.arguments import INPUT_FORMATS as INPUT_FORMATS
from metrix.classification._inputs.arguments import SCORE_FORMATS as SCORE_FORMATS
from metrix.classification._inputs.arguments import TASKS as TASKS
from metrix.classification._inputs.arguments import check_average as check_average
from metrix.classification._inputs.arguments import check_bool as check_bool
from metrix.classification._inputs.arguments import check_choice as check_choice
from metrix.classification._inputs.arguments import check_ignore_index as check_ignore_index
from metrix.classification._inputs.arguments import check_input_format as check_input_format
from metrix.classification._inputs.arguments import check_int as check_int
from metrix.classification._inputs.arguments import check_multidim_average as check_multidim_average
from metrix.classification._inputs.arguments import check_num as check_num
from metrix.classification._inputs.arguments import check_number as check_number
from metrix.classification._inputs.arguments import check_threshold as check_threshold
from metrix.classification._inputs.arguments import check_top_k as check_top_k
from metrix.classification._inputs.arguments import check_unit as check_unit
from metrix.classification._inputs.arguments import check_validate_args as check_validate_args
from metrix.classification._inputs.arguments import check_zero_division as check_zero_division
from metrix.classification._inputs.labels import FormatOptions as FormatOptions
from metrix.classification._inputs.labels import MulticlassOptions as MulticlassOptions
from metrix.classification._inputs.labels import binary_format as binary_format
from metrix.classification._inputs.labels import hard_binary_preds as hard_binary_preds
from metrix.classification._inputs.labels import multiclass_format as multiclass_format
from metrix.classification._inputs.labels import multiclass_format_lean as multiclass_format_lean
from metrix.classification._inputs.labels import multilabel_format as multilabel_format
from metrix.classification._inputs.scores import TARGET_SMALL as TARGET_SMALL
from metrix.classification._inputs.scores import binary_scores as binary_scores
from metrix.classification._inputs.scores import curve_inputs as curve_inputs
from metrix.classification._inputs.scores import multiclass_scores as multiclass_scores
from metrix.classification._inputs.scores import multilabel_scores as multilabel_scores
from metrix.classification._inputs.tensors import check_binary_values as check_binary_values
from metrix.classification._inputs.tensors import check_labels as check_labels
from metrix.classification._inputs.tensors import check_labels_dtype as check_labels_dtype
from metrix.classification._inputs.tensors import check_pair as check_pair
from metrix.classification._inputs.tensors import check_same_shape as check_same_shape
from metrix.classification._inputs.tensors import check_scores as check_scores
from metrix.classification._inputs.tensors import check_scores_dtype as check_scores_dtype
from metrix.classification._inputs.tensors import flat_len as flat_len
from metrix.classification._inputs.tensors import to_probabilities as to_probabilities
