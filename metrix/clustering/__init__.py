"""Clustering metrics, named and parametrised as in ``torchmetrics.functional.clustering``."""

from metrix.clustering._calinski_harabasz import calinski_harabasz_score as calinski_harabasz_score
from metrix.clustering._centroid_scores import davies_bouldin_score as davies_bouldin_score
from metrix.clustering._centroid_scores import dunn_index as dunn_index
from metrix.clustering._cluster_accuracy import cluster_accuracy as cluster_accuracy
from metrix.clustering._homogeneity import completeness_score as completeness_score
from metrix.clustering._homogeneity import homogeneity_score as homogeneity_score
from metrix.clustering._homogeneity import v_measure_score as v_measure_score
from metrix.clustering._mutual_info import adjusted_mutual_info_score as adjusted_mutual_info_score
from metrix.clustering._mutual_info import mutual_info_score as mutual_info_score
from metrix.clustering._mutual_info import normalized_mutual_info_score as normalized_mutual_info_score
from metrix.clustering._pair_counting import adjusted_rand_score as adjusted_rand_score
from metrix.clustering._pair_counting import fowlkes_mallows_index as fowlkes_mallows_index
from metrix.clustering._pair_counting import rand_score as rand_score
