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
once), :func:`ci_test_from_table` one on a count table, and
:class:`mistruct.interop.PgmpyCITest` plugs any of them into pgmpy's PC.

Every test is registered by name (:data:`CI_TESTS`, :func:`get_ci_test`);
``"auto"`` is resolved in the registry, with one meaning everywhere.  Tests of
continuous columns: ``"knn"`` (:func:`knn_ci_test`) and ``"gaussian"``
(:func:`gaussian_ci_test`).  A new test is one module and one call of
:func:`register_ci_test` (see the registry's protocol, :class:`CIContext`).
"""

from mistruct.exceptions import KNNCostWarning, LowPowerWarning, NoEvidenceWarning
from mistruct.independence._api import (
    adjust_pvalues,
    ci_test,
    ci_test_from_table,
    ci_tests,
    ci_tests_encoded,
)
from mistruct.independence._by_kind import (
    NUMERIC_TEST_METHODS,
    STRUCTURE_TEST_METHODS,
    check_method,
    check_test_fits,
    ci_tests_by_kind,
    discrete_method,
    has_float_columns,
    knn_stopping,
    rank_pair_tests,
)
from mistruct.independence._core import (
    DISCRETE_METHODS,
    METHODS,
    CITestResult,
    asymptotic_fits,
    check_options,
    content_query,
    decide,
    no_evidence,
    query_rng,
    seed_entropy,
)
from mistruct.independence._discrete_tests import BatchedTests, run_queries
from mistruct.independence._g_test import (
    g_dof,
    g_dof_adjusted,
    g_dof_from_counts,
    g_pvalue,
    g_statistic,
)
from mistruct.independence._gaussian import gaussian_ci_test
from mistruct.independence._knn import knn_ci_test
from mistruct.independence._registry import (
    CI_TESTS,
    CIContext,
    CITest,
    get_ci_test,
    lookup_ci_test,
    register_ci_test,
    unregister_ci_test,
)
from mistruct.independence._resampling import (
    evaluate_until,
    fixed_pvalue,
    sequential_pvalue,
    two_sided_stop_pvalue,
)
from mistruct.independence._workers import TestWorkers

__all__ = [
    "CITest",
    "CITestResult",
    "CI_TESTS",
    "KNNCostWarning",
    "LowPowerWarning",
    "NoEvidenceWarning",
    "adjust_pvalues",
    "asymptotic_fits",
    "ci_test",
    "ci_test_from_table",
    "ci_tests",
    "gaussian_ci_test",
    "get_ci_test",
    "knn_ci_test",
    "register_ci_test",
    "unregister_ci_test",
]

# Kernels for the other packages (structure, interop): in the namespace, not in __all__.
_KERNELS = (
    CIContext,
    TestWorkers,
    DISCRETE_METHODS,
    METHODS,
    NUMERIC_TEST_METHODS,
    STRUCTURE_TEST_METHODS,
    check_method,
    check_options,
    check_test_fits,
    ci_tests_by_kind,
    ci_tests_encoded,
    content_query,
    decide,
    discrete_method,
    evaluate_until,
    fixed_pvalue,
    g_dof,
    g_dof_adjusted,
    g_dof_from_counts,
    g_pvalue,
    g_statistic,
    has_float_columns,
    knn_stopping,
    lookup_ci_test,
    no_evidence,
    query_rng,
    rank_pair_tests,
    BatchedTests,
    run_queries,
    seed_entropy,
    sequential_pvalue,
    two_sided_stop_pvalue,
)
