"""Detection metrics, named and parametrised as in ``torchmetrics.detection`` and its functional API."""

from metrix.detection._box_iou import complete_intersection_over_union as complete_intersection_over_union
from metrix.detection._box_iou import distance_intersection_over_union as distance_intersection_over_union
from metrix.detection._box_iou import generalized_intersection_over_union as generalized_intersection_over_union
from metrix.detection._box_iou import intersection_over_union as intersection_over_union
from metrix.detection._mean_ap import mean_average_precision as mean_average_precision
from metrix.detection._panoptic import modified_panoptic_quality as modified_panoptic_quality
from metrix.detection._panoptic import panoptic_quality as panoptic_quality
