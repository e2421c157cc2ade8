"""mistruct: learn the dependency structure of tabular data from information measures.

The public API is re-exported here; see the user guide in ``docs/``.
"""

__version__ = "0.1.0"

from mistruct import datasets
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

__all__ = [
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
