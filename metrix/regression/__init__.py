"""Regression metrics, named as in TorchMetrics."""

from metrix.regression._correlation import concordance_corrcoef as concordance_corrcoef
from metrix.regression._correlation import pearson_corrcoef as pearson_corrcoef
from metrix.regression._r2 import explained_variance as explained_variance
from metrix.regression._r2 import normalized_root_mean_squared_error as normalized_root_mean_squared_error
from metrix.regression._r2 import r2_score as r2_score
from metrix.regression._r2 import relative_squared_error as relative_squared_error
from metrix.regression._rank import kendall_rank_corrcoef as kendall_rank_corrcoef
from metrix.regression._rank import spearman_corrcoef as spearman_corrcoef
