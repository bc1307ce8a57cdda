"""Image metrics, named and parametrised as in ``torchmetrics.functional.image``."""

from metrix.image._fid import frechet_inception_distance as frechet_inception_distance
from metrix.image._gradients import image_gradients as image_gradients
from metrix.image._inception_score import inception_score as inception_score
from metrix.image._kid import kernel_inception_distance as kernel_inception_distance
from metrix.image._mifid import (
    memorization_informed_frechet_inception_distance as memorization_informed_frechet_inception_distance,
)
from metrix.image._pansharpening import quality_with_no_reference as quality_with_no_reference
from metrix.image._pansharpening import spatial_distortion_index as spatial_distortion_index
from metrix.image._pansharpening import spectral_distortion_index as spectral_distortion_index
from metrix.image._psnr import peak_signal_noise_ratio as peak_signal_noise_ratio
from metrix.image._psnr import (
    peak_signal_noise_ratio_with_blocked_effect as peak_signal_noise_ratio_with_blocked_effect,
)
from metrix.image._scc import spatial_correlation_coefficient as spatial_correlation_coefficient
from metrix.image._sliding_window import relative_average_spectral_error as relative_average_spectral_error
from metrix.image._sliding_window import (
    root_mean_squared_error_using_sliding_window as root_mean_squared_error_using_sliding_window,
)
from metrix.image._spectral import (
    error_relative_global_dimensionless_synthesis as error_relative_global_dimensionless_synthesis,
)
from metrix.image._spectral import spectral_angle_mapper as spectral_angle_mapper
from metrix.image._ssim import (
    multiscale_structural_similarity_index_measure as multiscale_structural_similarity_index_measure,
)
from metrix.image._ssim import structural_similarity_index_measure as structural_similarity_index_measure
from metrix.image._total_variation import total_variation as total_variation
from metrix.image._uqi import universal_image_quality_index as universal_image_quality_index
from metrix.image._vif import visual_information_fidelity as visual_information_fidelity
