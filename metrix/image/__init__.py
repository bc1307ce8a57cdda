"""Image metrics, named and parametrised as in ``torchmetrics.functional.image``."""

from metrix.image._ssim import (
    multiscale_structural_similarity_index_measure as multiscale_structural_similarity_index_measure,
)
from metrix.image._ssim import structural_similarity_index_measure as structural_similarity_index_measure
from metrix.image._psnr import peak_signal_noise_ratio as peak_signal_noise_ratio
from metrix.image._psnr import (
    peak_signal_noise_ratio_with_blocked_effect as peak_signal_noise_ratio_with_blocked_effect,
)
from metrix.image._uqi import universal_image_quality_index as universal_image_quality_index
from metrix.image._gradients import image_gradients as image_gradients
from metrix.image._spectral import (
    error_relative_global_dimensionless_synthesis as error_relative_global_dimensionless_synthesis,
)
from metrix.image._spectral import spectral_angle_mapper as spectral_angle_mapper
from metrix.image._total_variation import total_variation as total_variation
