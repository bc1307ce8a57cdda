"""Detection metrics, named and parametrised as in ``torchmetrics.detection`` and its functional API."""

from metrix.detection._mean_ap import mean_average_precision as mean_average_precision
