"""Regressions found by trying the CLI and the API on real tables after the kinds change."""

import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import mistruct
from mistruct.exceptions import InvalidInputError

DATA = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def mtcars():
    return pd.read_csv(DATA / "mtcars.csv")


def test_gaussian_test_takes_integer_columns_of_either_kind(mtcars):
    plain = mistruct.ci_test(mtcars, "hp", "carb", method="gaussian")
    as_category = mistruct.ci_test(mtcars.astype({"carb": "category"}), "hp", "carb",
                                   method="gaussian")
    r = np.corrcoef(mtcars["hp"], mtcars["carb"])[0, 1]
    assert plain.pvalue == pytest.approx(as_category.pvalue) and plain.pvalue < 1e-5
    assert plain.cmi == pytest.approx(-0.5 * np.log2(1 - r**2), rel=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        skeleton = mistruct.pc_skeleton(mtcars.drop(columns="model"), ci_test="gaussian")
    assert skeleton.has_edge("hp", "carb")
    with pytest.raises(InvalidInputError, match="'model'.*not numeric"):
        mistruct.ci_test(mtcars, "hp", "model", method="gaussian")


def test_cpdag_to_dag_refuses_an_undirected_graph_with_a_hint():
    with pytest.raises(InvalidInputError, match="to_directed"):
        mistruct.cpdag_to_dag(nx.cycle_graph(4))


def test_chow_liu_forest_keeps_no_edge_to_an_id_column():
    rng = np.random.default_rng(0)
    n = 2000
    a = rng.integers(0, 3, n)
    frame = pd.DataFrame({"id": np.arange(n), "a": a, "b": (a + rng.integers(0, 2, n)) % 3})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forest = mistruct.chow_liu_forest(frame, discrete=["id"])
    # The tree is a star around the ID (its MI with each column is that column's
    # entropy); the forest keeps none of those edges: no evidence either way.
    assert not any("id" in e for e in forest.edges())
    dropped = {frozenset((u, v)): p for u, v, p in forest.graph["removed"]}
    assert dropped and all("id" in pair and np.isnan(p) for pair, p in dropped.items())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kept = mistruct.chow_liu_forest(frame, exclude=["id"])
    assert {frozenset(e) for e in kept.edges()} == {frozenset(("a", "b"))}


def test_an_unknown_missing_policy_is_refused_on_every_path():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": rng.random(40), "y": rng.random(40), "g": ["a", "b"] * 20})
    for method in ("knn", "gaussian", "auto"):
        with pytest.raises(InvalidInputError, match="missing='bogus'"):
            mistruct.ci_test(frame, "x", "y", method=method, missing="bogus")
    with pytest.raises(InvalidInputError, match="missing='bogus'"):
        mistruct.ci_tests(frame, [("x", "g")], missing="bogus")
