"""mistruct: learn the dependency structure of tabular data from information measures.

The public API is re-exported here; see the user guide in ``docs/``.
"""

__version__ = "0.1.0"

from mistruct import datasets
from mistruct.bayesnet import fit_bayesian_network, log_likelihood, write_bif
from mistruct.clustering import (
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
from mistruct.continuous import (
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
from mistruct.counts import contingency_table, joint_codes, pairwise_counts
from mistruct.data import Discretizer, column_kinds, encode
from mistruct.estimators import ESTIMATORS, entropy_from_counts
from mistruct.exceptions import (
    ColumnNotFoundError,
    ContinuousDataError,
    InvalidInputError,
    MissingValuesError,
    StateSpaceTooLargeError,
)
from mistruct.independence import (
    CITestResult,
    LowPowerWarning,
    PgmpyCITest,
    adjust_pvalues,
    ci_test,
    ci_test_from_table,
    ci_tests,
)
from mistruct.information import (
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
from mistruct.knn_independence import gaussian_ci_test, knn_ci_test
from mistruct.structure import (
    StructureMetrics,
    aracne,
    chow_liu_forest,
    chow_liu_tree,
    dpi_check,
    learn_skeleton,
    markov_chain_check,
    structure_metrics,
    tan,
)
from mistruct.structure.io import write_graph
from mistruct.structure.pc import cpdag_to_dag, pc, pc_skeleton

__all__ = [
    "MutualInformationEstimate",
    "gaussian_mutual_information",
    "gaussian_mutual_information_matrix",
    "knn_entropy",
    "knn_mutual_information_matrix",
    "ksg_conditional_mutual_information",
    "ksg_mutual_information",
    "mixed_mutual_information",
    "mutual_information_auto",
    "gaussian_ci_test",
    "knn_ci_test",
    "fit_bayesian_network",
    "log_likelihood",
    "write_bif",
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
    "StructureMetrics",
    "aracne",
    "chow_liu_forest",
    "chow_liu_tree",
    "dpi_check",
    "learn_skeleton",
    "markov_chain_check",
    "structure_metrics",
    "tan",
    "cpdag_to_dag",
    "pc",
    "pc_skeleton",
    "write_graph",
    "CITestResult",
    "LowPowerWarning",
    "PgmpyCITest",
    "adjust_pvalues",
    "ci_test",
    "ci_test_from_table",
    "ci_tests",
    "ESTIMATORS",
    "ColumnNotFoundError",
    "ContinuousDataError",
    "Discretizer",
    "InvalidInputError",
    "MissingValuesError",
    "StateSpaceTooLargeError",
    "__version__",
    "column_kinds",
    "conditional_entropy",
    "conditional_entropy_from_table",
    "contingency_table",
    "datasets",
    "encode",
    "entropy",
    "entropy_from_counts",
    "entropy_from_table",
    "joint_codes",
    "kl_divergence",
    "mutual_information",
    "mutual_information_from_table",
    "mutual_information_matrix",
    "pairwise_counts",
    "pointwise_mutual_information",
]
