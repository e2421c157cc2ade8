"""CI tests on a Dask DataFrame: the same results as on the pandas DataFrame, nulls from counts."""

import warnings

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from dask_fixtures import dask_cluster, scheduler  # noqa: F401

import mistruct
from mistruct.data import dask_passes
from mistruct.exceptions import ContinuousDataError, InvalidInputError
from mistruct.interop.datasets import sample_network

# Every test runs on the threaded scheduler and on a LocalCluster (dask_fixtures).
pytestmark = pytest.mark.usefixtures("scheduler")


@pytest.fixture(scope="module")
def asia():
    return sample_network("asia", 3000, seed=7).data


def _queries(columns):
    c = list(columns)
    return [(c[0], c[1]), (c[2], c[3], [c[4]]), (c[5], c[6], [c[7], c[1]]), (c[3], c[4], c[5]),
            (c[7], c[2], [c[0], c[1], c[6]])]


@pytest.mark.parametrize(
    ("npartitions", "method"),
    [(1, "auto"), (4, "g-test"), (9, "g-test-adjusted"), (4, "permutation"), (9, "sequential")],
)
def test_ci_tests_equal_pandas(asia, npartitions, method):
    lazy = dd.from_pandas(asia, npartitions=npartitions)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = mistruct.ci_tests(asia, _queries(asia.columns), method=method, correction="bh",
                                 n_permutations=199, seed=3)
        before = dask_passes()
        got = mistruct.ci_tests(lazy, _queries(asia.columns), method=method, correction="bh",
                                n_permutations=199, seed=3)
    # One pass for the levels, one for the strata of every query.
    assert dask_passes() - before == 2
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=1e-12)


def test_ci_test_equals_pandas_with_null(asia):
    lazy = dd.from_pandas(asia, npartitions=3)
    c = list(asia.columns)
    for method in ("permutation", "sequential", "auto"):
        want = mistruct.ci_test(asia, c[2], c[3], [c[4]], method=method, return_null=True)
        got = mistruct.ci_test(lazy, c[2], c[3], [c[4]], method=method, return_null=True)
        assert got.pvalue == want.pvalue and got.dof == want.dof and got.method == want.method
        assert got.statistic == pytest.approx(want.statistic, rel=1e-12)
        if want.null_distribution is not None:
            assert np.allclose(got.null_distribution, want.null_distribution, rtol=1e-12)


def test_refusals():
    frame = pd.DataFrame({"a": np.linspace(0, 1, 40), "b": [0, 1] * 20, "c": [0, 0, 1, 1] * 10})
    lazy = dd.from_pandas(frame, npartitions=2)
    with pytest.raises(ContinuousDataError, match="'a'"):
        mistruct.ci_test(lazy, "a", "b")
    with pytest.raises(InvalidInputError, match="one machine"):
        mistruct.ci_test(lazy, "b", "c", method="knn")
    with pytest.raises(InvalidInputError, match="correction"):
        mistruct.ci_tests(lazy, [("b", "c")], correction="nope")
