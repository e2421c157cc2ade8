"""Clustering evaluation by mutual information, equal to scikit-learn's numbers.

NMI with every ``average_method``, AMI with the exact expected mutual
information (grouped by equal cluster sizes, so many clusters stay cheap),
homogeneity, completeness, V-measure and the variation of information.
"""

from mistruct.clustering._supervised import (
    adjusted_mutual_info_score,
    clustering_entropy,
    completeness_score,
    contingency_matrix,
    expected_mutual_information,
    homogeneity_completeness_v_measure,
    homogeneity_score,
    mutual_info_score,
    normalized_mutual_info_score,
    v_measure_score,
    variation_of_information,
)

__all__ = [
    "adjusted_mutual_info_score",
    "clustering_entropy",
    "completeness_score",
    "contingency_matrix",
    "expected_mutual_information",
    "homogeneity_completeness_v_measure",
    "homogeneity_score",
    "mutual_info_score",
    "normalized_mutual_info_score",
    "v_measure_score",
    "variation_of_information",
]
