"""Audio metrics, named and parametrised as in ``torchmetrics.functional.audio``.

PESQ and STOI run the ``pesq`` / ``pystoi`` packages (the ``audio`` extra), imported when a
metric is built, so ``import metrix`` stays light; without them the factory raises an
ImportError that names the extra.
"""

from metrix.audio._pesq import perceptual_evaluation_speech_quality as perceptual_evaluation_speech_quality
from metrix.audio._pit import permutation_invariant_training as permutation_invariant_training
from metrix.audio._pit import pit_permutate as pit_permutate
from metrix.audio._sdr import scale_invariant_signal_distortion_ratio as scale_invariant_signal_distortion_ratio
from metrix.audio._sdr import signal_distortion_ratio as signal_distortion_ratio
from metrix.audio._sdr import source_aggregated_signal_distortion_ratio as source_aggregated_signal_distortion_ratio
from metrix.audio._snr import (
    complex_scale_invariant_signal_noise_ratio as complex_scale_invariant_signal_noise_ratio,
)
from metrix.audio._snr import scale_invariant_signal_noise_ratio as scale_invariant_signal_noise_ratio
from metrix.audio._snr import signal_noise_ratio as signal_noise_ratio
from metrix.audio._stoi import short_time_objective_intelligibility as short_time_objective_intelligibility
