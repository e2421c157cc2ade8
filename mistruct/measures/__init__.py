"""Information measures: entropy, conditional entropy, MI, CMI, PMI and KL.

From samples of discrete, continuous or mixed columns, or from count and
probability tables.
"""

from mistruct.measures._continuous import (
    MutualInformationEstimate,
    gaussian_mutual_information,
    gaussian_mutual_information_matrix,
    knn_entropy,
    knn_mutual_information_matrix,
    ksg_conditional_mutual_information,
    ksg_mutual_information,
    mixed_mutual_information,
    mutual_information_auto,
)
from mistruct.measures._discrete import (
    conditional_entropy,
    conditional_entropy_from_table,
    entropy,
    entropy_from_table,
    kl_divergence,
    mutual_information,
    mutual_information_from_table,
    mutual_information_matrix,
    pointwise_mutual_information,
)
from mistruct.measures._estimators import ESTIMATORS, entropy_from_counts

__all__ = [
    "ESTIMATORS",
    "MutualInformationEstimate",
    "conditional_entropy",
    "conditional_entropy_from_table",
    "entropy",
    "entropy_from_counts",
    "entropy_from_table",
    "gaussian_mutual_information",
    "gaussian_mutual_information_matrix",
    "kl_divergence",
    "knn_entropy",
    "knn_mutual_information_matrix",
    "ksg_conditional_mutual_information",
    "ksg_mutual_information",
    "mixed_mutual_information",
    "mutual_information",
    "mutual_information_auto",
    "mutual_information_from_table",
    "mutual_information_matrix",
    "pointwise_mutual_information",
]
