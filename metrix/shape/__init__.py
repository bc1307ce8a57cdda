"""Shape metrics, named and parametrised as in ``torchmetrics.functional.shape``."""

from metrix.shape._procrustes import procrustes_disparity as procrustes_disparity
