"""Image metrics, named and parametrised as in ``torchmetrics.functional.image``."""

from metrix.image._ssim import (
    multiscale_structural_similarity_index_measure as multiscale_structural_similarity_index_measure,
)
from metrix.image._ssim import structural_similarity_index_measure as structural_similarity_index_measure
