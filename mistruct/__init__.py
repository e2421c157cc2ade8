"""mistruct: learn the dependency structure of tabular data from information measures.

The curated public API is listed here; everything else is reachable from its
subpackage, one per layer (data -> counting -> measures -> independence ->
structure -> interop, and clustering):

* :mod:`mistruct.data` -- tables in, column kinds, encoding, discretizers;
* :mod:`mistruct.counting` -- contingency tables and all-pairs counts;
* :mod:`mistruct.measures` -- entropy, MI, CMI, PMI, KL with ``estimator=``;
* :mod:`mistruct.independence` -- CI tests and their registry;
* :mod:`mistruct.structure` -- Chow-Liu, PC, MIIC, ARACNE, DPI checks, metrics;
* :mod:`mistruct.selection` -- feature selection by mutual information;
* :mod:`mistruct.interop` -- pgmpy: PC plug-in, hybrid DAGs, Bayesian networks, BIF, datasets;
* :mod:`mistruct.clustering` -- NMI, AMI and relatives, as scikit-learn's.

See the user guide in ``docs/``.
"""

__version__ = "0.2.0"

# The subpackages, as attributes: mistruct.measures.entropy_from_counts and the like.
from mistruct import (  # noqa: F401
    clustering,
    counting,
    data,
    independence,
    interop,
    measures,
    selection,
    structure,
)
from mistruct.clustering import (
    adjusted_mutual_info_score,
    homogeneity_completeness_v_measure,
    mutual_info_score,
    normalized_mutual_info_score,
    variation_of_information,
)
from mistruct.data import Discretizer, column_kinds
from mistruct.exceptions import InvalidInputError, NoEvidenceWarning
from mistruct.independence import (
    CITestResult,
    adjust_pvalues,
    ci_test,
    ci_test_from_table,
    ci_tests,
)
from mistruct.interop import (
    PgmpyCITest,
    datasets,
    fit_bayesian_network,
    learn_network,
    log_likelihood,
    read_bif,
    write_bif,
)
from mistruct.measures import (
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
from mistruct.selection import select_features
from mistruct.structure import (
    aracne,
    chow_liu_forest,
    chow_liu_tree,
    cpdag_to_dag,
    dpi_check,
    learn_skeleton,
    markov_chain_check,
    miic,
    pc,
    pc_skeleton,
    read_graph,
    structure_metrics,
    tan,
    write_graph,
)

__all__ = [
    "CITestResult",
    "Discretizer",
    "InvalidInputError",
    "MutualInfoSelector",
    "NoEvidenceWarning",
    "PgmpyCITest",
    "adjust_pvalues",
    "adjusted_mutual_info_score",
    "aracne",
    "chow_liu_forest",
    "chow_liu_tree",
    "ci_test",
    "ci_test_from_table",
    "ci_tests",
    "column_kinds",
    "conditional_entropy",
    "conditional_entropy_from_table",
    "cpdag_to_dag",
    "datasets",
    "dpi_check",
    "entropy",
    "entropy_from_table",
    "fit_bayesian_network",
    "homogeneity_completeness_v_measure",
    "kl_divergence",
    "learn_network",
    "learn_skeleton",
    "log_likelihood",
    "markov_chain_check",
    "miic",
    "mutual_info_score",
    "mutual_information",
    "mutual_information_from_table",
    "mutual_information_matrix",
    "normalized_mutual_info_score",
    "pc",
    "pc_skeleton",
    "pointwise_mutual_information",
    "read_bif",
    "read_graph",
    "select_features",
    "structure_metrics",
    "tan",
    "variation_of_information",
    "write_bif",
    "write_graph",
]


def __getattr__(name):
    # The scikit-learn selector is built on first access, so that importing
    # mistruct does not import scikit-learn (an optional extra).
    if name == "MutualInfoSelector":
        return selection.MutualInfoSelector
    raise AttributeError(f"module 'mistruct' has no attribute {name!r}")
