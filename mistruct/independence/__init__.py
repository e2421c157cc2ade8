"""Conditional independence tests of discrete data: asymptotic G and exact permutation.

The statistic of every test is ``G = 2 N I(X;Y|Z)``, the conditional mutual
information in nats times twice the number of rows.  Its p-value comes from:

``"g-test"``
    the chi-squared law with ``(|X| - 1)(|Y| - 1)|Z|`` degrees of freedom
    (levels of X and Y, and strata of Z, that occur in the data);
``"g-test-adjusted"``
    the chi-squared law with degrees of freedom counted per stratum from its
    non-empty rows and columns (bnlearn's ``mi-adf``);
``"permutation"``
    the exact conditional null: X shuffled within each stratum of Z, drawn as
    random tables with each stratum's margins (Patefield's construction,
    vectorized over strata and replicates), never by shuffling rows, so a
    permutation costs the size of the tables, not the number of rows;
``"sequential"``
    the same null, drawn in batches until ``h`` null values reach the
    observed one (Besag & Clifford 1991);
``"auto"`` (the default)
    per query, the adjusted chi-squared law where it fits the counts (the
    rule of :func:`mistruct.independence.asymptotic_fits`) and the
    exact sequential test where it does not.

A test where no stratum lets both X and Y vary carries no evidence: its
result says ``independent=None`` and ``no_evidence=True`` and
:class:`NoEvidenceWarning` is issued, never "independent".

:func:`ci_test` runs one test, :func:`ci_tests` many on one table (encoded
once), :func:`ci_tests_encoded` many on an already-encoded table (the kernel
for structure learners), :func:`ci_test_from_table` one on a count table, and
:class:`PgmpyCITest` plugs any of them into pgmpy's PC.
"""

from mistruct.independence._api import (
    adjust_pvalues,
    ci_test,
    ci_test_encoded,
    ci_test_from_table,
    ci_tests,
    ci_tests_encoded,
)
from mistruct.independence._core import (
    METHODS,
    CITestResult,
    LowPowerWarning,
    NoEvidenceWarning,
)
from mistruct.independence._knn import gaussian_ci_test, knn_ci_test

__all__ = [
    "METHODS",
    "CITestResult",
    "LowPowerWarning",
    "NoEvidenceWarning",
    "adjust_pvalues",
    "ci_test",
    "ci_test_encoded",
    "ci_test_from_table",
    "ci_tests",
    "ci_tests_encoded",
    "gaussian_ci_test",
    "knn_ci_test",
]
