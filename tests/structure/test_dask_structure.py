"""The learners on a Dask DataFrame: identical graphs; PC reads the data once a level."""

import warnings

import dask.dataframe as dd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from dask_fixtures import dask_cluster, scheduler  # noqa: F401

from mistruct.data import dask_passes
from mistruct.exceptions import InvalidInputError
from mistruct.interop.datasets import sample_network
from mistruct.structure import (
    aracne,
    chow_liu_forest,
    chow_liu_tree,
    dpi_check,
    pc,
    pc_skeleton,
)

# Every test runs on the threaded scheduler and on a LocalCluster (dask_fixtures).
pytestmark = pytest.mark.usefixtures("scheduler")


@pytest.fixture(scope="module")
def asia():
    return sample_network("asia", 4000, seed=11).data


def _same_graph(got, want):
    assert type(got) is type(want)
    assert sorted(map(tuple, got.edges())) == sorted(map(tuple, want.edges()))
    assert sorted(got.nodes()) == sorted(want.nodes())
    for edge in want.edges():
        for key, value in want.edges[edge].items():
            other = got.edges[edge][key]
            if isinstance(value, float):
                assert other == pytest.approx(value, abs=1e-12, rel=1e-12, nan_ok=True), key
            else:
                assert other == value, key


@pytest.mark.parametrize("npartitions", [1, 4])
def test_trees_and_aracne(asia, npartitions):
    lazy = dd.from_pandas(asia, npartitions=npartitions)
    _same_graph(chow_liu_tree(lazy, root="smoke"), chow_liu_tree(asia, root="smoke"))
    _same_graph(aracne(lazy, tolerance=0.01), aracne(asia, tolerance=0.01))
    for ci_test in ("auto", "g-test", "permutation"):
        want = chow_liu_forest(asia, alpha=0.01, ci_test=ci_test, n_permutations=199)
        got = chow_liu_forest(lazy, alpha=0.01, ci_test=ci_test, n_permutations=199)
        _same_graph(got, want)
        assert got.graph["roots"] == want.graph["roots"]


def test_estimators_and_exclude(asia):
    lazy = dd.from_pandas(asia, npartitions=3)
    want = chow_liu_tree(asia, estimator="miller-madow", exclude=["asia"])
    _same_graph(chow_liu_tree(lazy, estimator="miller-madow", exclude=["asia"]), want)


@pytest.mark.parametrize(
    ("npartitions", "ci_test"), [(1, "auto"), (5, "g-test-adjusted"), (3, "sequential")]
)
def test_pc_equals_pandas_and_reads_once_per_level(asia, npartitions, ci_test):
    lazy = dd.from_pandas(asia, npartitions=npartitions)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = pc_skeleton(asia, alpha=0.01, ci_test=ci_test)
        before = dask_passes()
        got = pc_skeleton(lazy, alpha=0.01, ci_test=ci_test)
        passes = dask_passes() - before
    _same_graph(got, want)
    assert got.graph["sepsets"] == want.graph["sepsets"]
    # One pass for the levels and kinds, then one per level of PC, whatever its tests.
    levels = got.graph["max_level"] + 1
    assert levels >= 3
    assert passes == got.graph["n_passes"] == 1 + levels
    assert got.graph["n_tests"] > levels
    cpdag_want, cpdag_got = pc(asia, alpha=0.01), pc(lazy, alpha=0.01)
    assert sorted(cpdag_got.edges()) == sorted(cpdag_want.edges())


def test_dpi_check_equals_pandas(asia):
    lazy = dd.from_pandas(asia, npartitions=4)
    truth = sample_network("asia", 10).graph
    for graph in (chow_liu_tree(asia), truth):
        for ci_test in ("auto", "g-test", "permutation"):
            want = dpi_check(graph, asia, ci_test=ci_test, n_permutations=199)
            got = dpi_check(graph, lazy, ci_test=ci_test, n_permutations=199)
            pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=1e-12)


def test_refusals(asia):
    lazy = dd.from_pandas(asia.assign(x=np.linspace(0, 1, len(asia))), npartitions=2)
    with pytest.raises(InvalidInputError, match="one machine"):
        chow_liu_tree(lazy)
    with pytest.raises(InvalidInputError, match="continuous"):
        pc_skeleton(lazy)
    with pytest.raises(InvalidInputError, match="permutation"):
        aracne(dd.from_pandas(asia, npartitions=2), mi_threshold="permutation")
    assert isinstance(chow_liu_tree(lazy, estimator="gaussian", columns=["x"] * 1), nx.DiGraph)
