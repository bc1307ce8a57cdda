"""Segmentation metrics, named and parametrised as in ``torchmetrics.segmentation`` (1.9)."""

from metrix.segmentation._hausdorff import hausdorff_distance as hausdorff_distance
from metrix.segmentation._overlap import dice_score as dice_score
from metrix.segmentation._overlap import generalized_dice_score as generalized_dice_score
from metrix.segmentation._overlap import mean_iou as mean_iou
