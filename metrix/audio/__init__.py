"""Audio metrics, named and parametrised as in ``torchmetrics.functional.audio``."""

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

try:  # optional extra: pip install metrix[audio]
    import pesq as _pesq  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    pass
else:
    from metrix.audio._pesq import perceptual_evaluation_speech_quality as perceptual_evaluation_speech_quality
try:
    import pystoi as _pystoi  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    pass
else:
    from metrix.audio._stoi import short_time_objective_intelligibility as short_time_objective_intelligibility
