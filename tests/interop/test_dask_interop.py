"""A Bayesian network fitted to a Dask DataFrame: CPDs from reduced counts, as in memory."""

import dask.dataframe as dd
import numpy as np
import pytest
from dask_fixtures import dask_cluster, scheduler  # noqa: F401

from mistruct.data import dask_passes
from mistruct.interop import fit_bayesian_network, log_likelihood
from mistruct.interop.datasets import sample_network
from mistruct.structure import chow_liu_tree

# Every test runs on the threaded scheduler and on a LocalCluster (dask_fixtures).
pytestmark = pytest.mark.usefixtures("scheduler")


@pytest.mark.parametrize(("npartitions", "estimator"), [(1, "bdeu"), (4, "k2"), (6, "mle")])
def test_cpds_equal_in_memory(npartitions, estimator):
    example = sample_network("asia", 3000, seed=2)
    lazy = dd.from_pandas(example.data, npartitions=npartitions)
    for graph in (example.graph, chow_liu_tree(example.data)):
        want = fit_bayesian_network(example.data, graph, estimator=estimator)
        before = dask_passes()
        got = fit_bayesian_network(lazy, graph, estimator=estimator)
        assert dask_passes() - before == 2  # the levels, then every family's counts
        for cpd in want.get_cpds():
            other = got.get_cpds(cpd.variable)
            assert other.state_names == cpd.state_names
            assert other.variables == cpd.variables
            assert np.allclose(other.values, cpd.values, rtol=0, atol=1e-12)
        rows = example.data.iloc[:200]
        assert np.allclose(log_likelihood(got, rows), log_likelihood(want, rows), atol=1e-12)
