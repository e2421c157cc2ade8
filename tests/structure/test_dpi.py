"""DPI checks along the chains of a graph and along a named Markov chain."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mistruct import mutual_information
from mistruct.exceptions import ColumnNotFoundError, InvalidInputError
from mistruct.independence import ci_tests
from mistruct.interop.datasets import sample_network
from mistruct.structure import chow_liu_tree, dpi_check, markov_chain_check


@pytest.fixture(scope="module")
def chain():
    """a -> b -> c -> d, binary, with 10% flips at each step."""
    rng = np.random.default_rng(0)
    n = 3000
    a = rng.integers(0, 2, n)
    b = np.where(rng.random(n) < 0.1, 1 - a, a)
    c = np.where(rng.random(n) < 0.1, 1 - b, b)
    d = np.where(rng.random(n) < 0.1, 1 - c, c)
    return pd.DataFrame({"a": a, "b": b, "c": c, "d": d})


def test_columns_and_values(chain):
    report = dpi_check(nx.Graph([("a", "b"), ("b", "c"), ("c", "d")]), chain, alpha=0.001)
    assert list(report.columns) == [
        "x",
        "y",
        "z",
        "mi_xy",
        "mi_yz",
        "mi_xz",
        "slack",
        "cmi_xz_given_y",
        "statistic",
        "dof",
        "pvalue",
        "dpi_violation",
        "ci_rejected",
        "collider",
        "violation",
    ]
    assert report[["x", "y", "z"]].values.tolist() == [["a", "b", "c"], ["b", "c", "d"]]
    row = report.iloc[0]
    assert row.mi_xy == pytest.approx(mutual_information(chain.a, chain.b))
    assert row.mi_xz == pytest.approx(mutual_information(chain.a, chain.c))
    assert row.slack == pytest.approx(min(row.mi_xy, row.mi_yz) - row.mi_xz)
    assert row.cmi_xz_given_y == pytest.approx(mutual_information(chain.a, chain.c, given=chain.b))
    assert not report["violation"].any()
    assert (report["slack"] > 0).all()


def test_wrong_chain_is_flagged(chain):
    # b - a - c claims b ⟂ c | a, but c depends on b directly.
    report = dpi_check(nx.Graph([("b", "a"), ("a", "c")]), chain)
    (row,) = report.itertuples()
    assert (row.x, row.y, row.z) == ("b", "a", "c")
    assert row.dpi_violation and row.slack < 0
    assert row.ci_rejected and row.pvalue < 1e-10
    assert row.violation


def test_wrong_named_chain_is_flagged(chain):
    good = markov_chain_check(chain, ["a", "b", "c", "d"], alpha=0.001)
    assert len(good) == 4  # (a,b,c) (a,b,d) (a,c,d) (b,c,d)
    assert good["consecutive"].tolist() == [True, False, False, True]
    assert not good["violation"].any()
    assert good.loc[~good["consecutive"], "pvalue"].isna().all()
    bad = markov_chain_check(chain, ["a", "c", "b", "d"])
    assert bad["violation"].any()
    flagged = bad[bad["violation"]]
    assert ("a", "c", "b") in list(zip(flagged.x, flagged.y, flagged.z, strict=True))


def test_markov_chain_all_tests(chain):
    report = markov_chain_check(chain, ["a", "b", "c", "d"], tests="all", alpha=0.001)
    assert report["pvalue"].notna().all()
    assert not report["ci_rejected"].any()


def test_g_test_matches_ci_tests(chain):
    graph = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("b", "d")])
    for method in ("g-test", "g-test-adjusted"):
        report = dpi_check(graph, chain, ci_test=method)
        queries = [(r.x, r.z, [r.y]) for r in report.itertuples()]
        reference = ci_tests(chain, queries, method=method)
        np.testing.assert_allclose(report["statistic"], reference["statistic"], rtol=1e-9)
        np.testing.assert_array_equal(report["dof"], reference["dof"])
        np.testing.assert_allclose(report["pvalue"], reference["pvalue"], rtol=1e-6, atol=1e-300)


def test_permutation_method(chain):
    small = chain.iloc[:300]
    graph = nx.Graph([("a", "b"), ("b", "c"), ("b", "d")])
    report = dpi_check(graph, small, ci_test="permutation", n_permutations=199, seed=1)
    again = dpi_check(graph, small, ci_test="permutation", n_permutations=199, seed=1)
    pd.testing.assert_frame_equal(report, again)
    assert (report["pvalue"] >= 1 / 200).all()
    # c - b - d: d depends on c directly, so the chain c - b - d is wrong.
    row = report[(report.x == "c") & (report.z == "d")].iloc[0]
    assert row.ci_rejected


def test_colliders_in_directed_graphs(chain):
    # a -> c <- b claims no chain; a and b are dependent given c, but that is no violation.
    report = dpi_check(nx.DiGraph([("a", "c"), ("b", "c")]), chain)
    (row,) = report.itertuples()
    assert row.collider and row.ci_rejected and not row.violation
    # A CPDAG's undirected edge (both directions) is not an arrowhead.
    cpdag = nx.DiGraph([("a", "b"), ("c", "b"), ("b", "c")])
    assert not dpi_check(cpdag, chain)["collider"].any()


def test_no_chains_gives_an_empty_frame(chain):
    report = dpi_check(nx.Graph([("a", "b")]), chain)
    assert report.empty and "violation" in report.columns
    triangle = nx.complete_graph(["a", "b", "c"])
    assert dpi_check(triangle, chain).empty


def test_errors(chain):
    with pytest.raises(ColumnNotFoundError, match="'zz'"):
        dpi_check(nx.Graph([("a", "zz"), ("a", "b")]), chain)
    with pytest.raises(InvalidInputError, match="ci_test"):
        dpi_check(nx.Graph([("a", "b")]), chain, ci_test="chi")
    with pytest.raises(InvalidInputError, match="alpha"):
        dpi_check(nx.Graph([("a", "b")]), chain, alpha=0)
    with pytest.raises(InvalidInputError, match="graph must be"):
        dpi_check([("a", "b")], chain)
    with pytest.raises(InvalidInputError, match="at least three"):
        markov_chain_check(chain, ["a", "b"])
    with pytest.raises(InvalidInputError, match="more than once"):
        markov_chain_check(chain, ["a", "b", "a"])
    with pytest.raises(ColumnNotFoundError):
        markov_chain_check(chain, ["a", "b", "q"])


def test_chow_liu_tree_of_alarm_passes_the_dpi():
    data = sample_network("alarm", 2000, seed=0).data
    tree = chow_liu_tree(data)
    report = dpi_check(tree, data)
    assert len(report) > 30
    assert (report["slack"] >= 0).all()
    assert not report["dpi_violation"].any()


@st.composite
def discrete_tables(draw):
    n_rows = draw(st.integers(5, 120))
    n_cols = draw(st.integers(3, 6))
    cards = draw(st.lists(st.integers(1, 4), min_size=n_cols, max_size=n_cols))
    columns = {}
    for j, k in enumerate(cards):
        columns[f"c{j}"] = draw(arrays(np.int64, n_rows, elements=st.integers(0, k - 1)))
    # Make some columns depend on others so trees are not all ties.
    if draw(st.booleans()):
        columns["c1"] = (columns["c0"] + columns["c1"]) % 3
    return pd.DataFrame(columns)


@settings(max_examples=60, deadline=None)
@given(discrete_tables(), st.data())
def test_chow_liu_tree_never_violates_the_dpi_on_its_training_data(frame, data):
    order = data.draw(st.permutations(list(frame.columns)))
    frame = frame[order]
    # Small integer codes: discrete by intent (the automatic rule would call a 3-level
    # column of 5 rows a measurement).
    codes = list(frame.columns)
    tree = chow_liu_tree(frame, discrete=codes)
    report = dpi_check(tree, frame, discrete=codes)
    assert (report["slack"] >= 0).all(), report[report["slack"] < 0]
    assert not report["dpi_violation"].any()
