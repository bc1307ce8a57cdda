"""Pairwise similarities and distances, named and parametrised as in ``torchmetrics.functional.pairwise_*``.

These are plain functions (TorchMetrics has no metric classes for them): they return
the matrix of one call and keep no state.
"""

from metrix.pairwise._distances import pairwise_cosine_similarity as pairwise_cosine_similarity
from metrix.pairwise._distances import pairwise_euclidean_distance as pairwise_euclidean_distance
from metrix.pairwise._distances import pairwise_linear_similarity as pairwise_linear_similarity
from metrix.pairwise._distances import pairwise_manhattan_distance as pairwise_manhattan_distance
from metrix.pairwise._distances import pairwise_minkowski_distance as pairwise_minkowski_distance
