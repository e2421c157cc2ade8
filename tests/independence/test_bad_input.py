"""Clear errors before any work (issue 12 items 9 and 10, the independence side)."""

import numpy as np
import pandas as pd
import pytest

from mistruct._validation import MAX_PERMUTATIONS
from mistruct.exceptions import InvalidInputError
from mistruct.independence import (
    adjust_pvalues,
    ci_test,
    ci_test_from_table,
    ci_tests,
)
from mistruct.interop import PgmpyCITest


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame({c: rng.integers(0, 3, 100) for c in "xyz"})


@pytest.mark.parametrize(
    "values, match",
    [
        ([-0.5, 2], r"\[0, 1\].*-0.5, 2.0"),
        ([0.1, np.nan, 0.2], "NaN at position"),
        ([[0.01, 0.2], [0.3, 0.04]], "1-D.*shape \\(2, 2\\)"),
        (["a", "b"], "numbers"),
        ([0.2, 1.0000001], r"\[0, 1\]"),
    ],
)
def test_adjust_pvalues_refuses_bad_pvalues(values, match):
    for method in ("holm", "bh"):
        with pytest.raises(InvalidInputError, match=match):
            adjust_pvalues(values, method)


def test_adjust_pvalues_edges_still_work():
    np.testing.assert_allclose(adjust_pvalues([0.0, 1.0], "holm"), [0.0, 1.0])
    assert adjust_pvalues([], "bh").size == 0
    with pytest.raises(InvalidInputError, match="'holm' or 'bh'"):
        adjust_pvalues([0.1], "bonferroni")


@pytest.mark.parametrize("level", ["0.05", None, True, 0, 1.5, np.nan])
def test_adapter_significance_level_must_be_a_number(frame, level):
    test = PgmpyCITest(frame, ci_test="g-test")
    with pytest.raises(InvalidInputError, match="significance_level"):
        test("x", "y", [], significance_level=level)


@pytest.mark.parametrize("method", ["permutation", "sequential", "auto", "knn"])
def test_huge_number_of_permutations_is_refused_before_work(frame, method):
    huge = 10**12
    data = frame.astype(float) if method == "knn" else frame
    with pytest.raises(InvalidInputError, match="n_permutations=1,000,000,000,000.*10,000,000"):
        ci_test(data, "x", "y", "z", method=method, n_permutations=huge, return_null=True)
    with pytest.raises(InvalidInputError, match="n_permutations"):
        ci_tests(data, [("x", "y")], method=method, n_permutations=huge)
    if method != "knn":
        with pytest.raises(InvalidInputError, match="n_permutations"):
            PgmpyCITest(frame, ci_test=method, n_permutations=huge)
        with pytest.raises(InvalidInputError, match="n_permutations"):
            ci_test_from_table([[3, 1], [1, 3]], method=method, n_permutations=huge)
    # The bound itself is allowed (a test then stops early or is cheap).
    assert MAX_PERMUTATIONS == 10**7
