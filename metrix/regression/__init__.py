"""Regression metrics, named and parametrised as in ``torchmetrics.functional.regression``."""

from metrix.regression._continuous_ranked_probability import (
    continuous_ranked_probability_score as continuous_ranked_probability_score,
)
from metrix.regression._correlation import concordance_corrcoef as concordance_corrcoef
from metrix.regression._correlation import pearson_corrcoef as pearson_corrcoef
from metrix.regression._cosine_similarity import cosine_similarity as cosine_similarity
from metrix.regression._critical_success_index import critical_success_index as critical_success_index
from metrix.regression._divergence import jensen_shannon_divergence as jensen_shannon_divergence
from metrix.regression._divergence import kl_divergence as kl_divergence
from metrix.regression._log_cosh import log_cosh_error as log_cosh_error
from metrix.regression._log_squared_error import mean_squared_log_error as mean_squared_log_error
from metrix.regression._mae import mean_absolute_error as mean_absolute_error
from metrix.regression._minkowski import minkowski_distance as minkowski_distance
from metrix.regression._mse import mean_squared_error as mean_squared_error
from metrix.regression._percentage import mean_absolute_percentage_error as mean_absolute_percentage_error
from metrix.regression._percentage import (
    symmetric_mean_absolute_percentage_error as symmetric_mean_absolute_percentage_error,
)
from metrix.regression._percentage import (
    weighted_mean_absolute_percentage_error as weighted_mean_absolute_percentage_error,
)
from metrix.regression._r2 import explained_variance as explained_variance
from metrix.regression._r2 import normalized_root_mean_squared_error as normalized_root_mean_squared_error
from metrix.regression._r2 import r2_score as r2_score
from metrix.regression._r2 import relative_squared_error as relative_squared_error
from metrix.regression._rank import kendall_rank_corrcoef as kendall_rank_corrcoef
from metrix.regression._rank import spearman_corrcoef as spearman_corrcoef
from metrix.regression._tweedie import tweedie_deviance_score as tweedie_deviance_score
