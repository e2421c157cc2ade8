"""Structure learners on tables with float and string columns (kNN estimators and tests)."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from mistruct import ci_test
from mistruct.exceptions import ContinuousDataError, InvalidInputError
from mistruct.structure import (
    aracne,
    chow_liu_forest,
    chow_liu_tree,
    dpi_check,
    markov_chain_check,
    structure_metrics,
)
from mistruct.structure._pc import pc, pc_skeleton

TRUE_EDGES = {
    frozenset(e)
    for e in [("age", "income"), ("region", "income"), ("income", "spend"), ("spend", "churn")]
}


def customers(n, seed=0):
    """age -> income <- region; income -> spend -> churn (a string); noise stands alone."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(20, 70, n)
    region = rng.choice(["north", "south", "east"], n)
    shift = pd.Series(region).map({"north": 0.0, "south": 1.0, "east": -1.0}).to_numpy()
    income = 0.05 * age + shift + rng.standard_normal(n)
    spend = income + 0.7 * rng.standard_normal(n)
    churn = np.where(spend + 0.5 * rng.standard_normal(n) > 2.0, "yes", "no")
    return pd.DataFrame(
        {
            "age": age,
            "region": region,
            "income": income,
            "spend": spend,
            "churn": churn,
            "noise": rng.standard_normal(n),
        }
    )


def edge_set(graph):
    return {frozenset(e) for e in graph.edges()}


@pytest.fixture(scope="module")
def table():
    return customers(1000)


def test_chow_liu_tree_on_a_mixed_table_finds_the_true_edges(table):
    tree = chow_liu_tree(table, seed=0)
    assert edge_set(tree) >= TRUE_EDGES
    assert tree.number_of_edges() == table.shape[1] - 1
    assert tree.graph["estimator"] == "auto"


def test_chow_liu_tree_on_a_mixed_table_does_not_depend_on_column_order(table):
    reordered = table[list(reversed(table.columns))]
    assert edge_set(chow_liu_tree(table, seed=0)) == edge_set(chow_liu_tree(reordered, seed=0))


def test_auto_on_a_discrete_table_is_the_plugin_estimator():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 3, 800)
    b = (a + rng.integers(0, 2, 800)) % 3
    frame = pd.DataFrame({"a": a, "b": b, "c": rng.integers(0, 2, 800)})
    auto, plugin = chow_liu_tree(frame), chow_liu_tree(frame, estimator="plugin")
    assert auto.graph["estimator"] == "plugin"
    assert sorted(auto.edges(data="mi")) == sorted(plugin.edges(data="mi"))


def test_gaussian_estimator_tree_on_a_numeric_table(table):
    numeric = table[["age", "income", "spend", "noise"]]
    tree = chow_liu_tree(numeric, estimator="gaussian")
    assert {frozenset(("age", "income")), frozenset(("income", "spend"))} <= edge_set(tree)


def test_chow_liu_forest_on_a_mixed_table_drops_the_independent_column(table):
    forest = chow_liu_forest(table, seed=0, n_permutations=99)
    assert edge_set(forest) == TRUE_EDGES
    assert list(nx.isolates(forest.to_undirected())) == ["noise"]
    kinds = {e: forest.edges[e]["dof"] for e in forest.edges}
    assert all(dof is None for dof in kinds.values())  # every edge has a float column
    assert all(forest.edges[e]["pvalue"] <= 0.05 for e in forest.edges)


def test_chow_liu_forest_rejects_a_discrete_test_on_float_columns(table):
    with pytest.raises(InvalidInputError, match="float"):
        chow_liu_forest(table, ci_test="g-test")


def test_aracne_on_a_mixed_table_keeps_the_true_edges(table):
    graph = aracne(table, seed=0)
    assert edge_set(graph) >= TRUE_EDGES
    with pytest.raises(InvalidInputError, match="discrete columns"):
        aracne(table, mi_threshold="permutation")


def test_dpi_check_on_a_mixed_table_flags_a_wrong_chain_only(table):
    good = markov_chain_check(table, ["age", "income", "spend", "churn"], seed=0)
    assert not good["violation"].any()
    wrong = markov_chain_check(table, ["income", "age", "spend"], seed=0)
    assert wrong["dpi_violation"].all() and wrong["ci_rejected"].all()
    report = dpi_check(chow_liu_tree(table, seed=0), table, seed=0)
    assert set(report.columns) >= {"slack", "cmi_xz_given_y", "pvalue", "violation"}
    assert report["pvalue"].between(0, 1).all()


def test_dpi_check_rejects_a_discrete_test_on_float_columns(table):
    with pytest.raises(InvalidInputError, match="float"):
        dpi_check(nx.Graph([("age", "income"), ("income", "spend")]), table, ci_test="g-test")


def test_pc_on_a_mixed_table_recovers_the_skeleton_whatever_the_column_order():
    data = customers(500, seed=2)[["age", "region", "income", "spend", "churn"]]
    skeleton = pc_skeleton(data, seed=0, n_permutations=99)
    assert edge_set(skeleton) == TRUE_EDGES
    assert skeleton.graph["sepsets"][frozenset(("age", "spend"))] == ("income",)
    reordered = pc_skeleton(data[list(reversed(data.columns))], seed=0, n_permutations=99)
    assert edge_set(reordered) == edge_set(skeleton)

    def pvalues(graph):
        return {frozenset(e): p for e, p in nx.get_edge_attributes(graph, "pvalue").items()}

    assert pvalues(reordered) == pvalues(skeleton)


def test_pc_orients_the_v_structure_of_a_mixed_table():
    data = customers(500, seed=2)[["age", "region", "income", "spend"]]
    cpdag = pc(data, seed=0, n_permutations=99)
    true = nx.DiGraph([("age", "income"), ("region", "income"), ("income", "spend")])
    metrics = structure_metrics(cpdag, true)
    assert metrics.skeleton_f1 == 1.0
    assert cpdag.has_edge("age", "income") and not cpdag.has_edge("income", "age")
    assert cpdag.has_edge("region", "income") and not cpdag.has_edge("income", "region")


def test_pc_with_the_gaussian_test_on_a_linear_chain():
    rng = np.random.default_rng(3)
    a = rng.standard_normal(2000)
    b = a + rng.standard_normal(2000)
    c = b + rng.standard_normal(2000)
    skeleton = pc_skeleton(pd.DataFrame({"a": a, "b": b, "c": c}), ci_test="gaussian")
    assert edge_set(skeleton) == {frozenset("ab"), frozenset("bc")}
    assert skeleton.graph["sepsets"] == {frozenset("ac"): ("b",)}


def test_pc_errors_before_testing(table):
    with pytest.raises(ContinuousDataError, match="float"):
        pc_skeleton(table, ci_test="g-test")
    with pytest.raises(InvalidInputError, match="not numeric"):
        pc_skeleton(table, ci_test="gaussian")
    with pytest.raises(InvalidInputError, match="n_permutations"):
        pc_skeleton(table, n_permutations=0)


def test_ci_test_auto_says_which_test_ran(table):
    floats = ci_test(table, "income", "churn", ["spend"], method="auto", n_permutations=49, seed=0)
    assert floats.method == "knn" and floats.estimator == "mixed"
    discrete = ci_test(table.assign(band=table["age"] > 45), "region", "band", method="auto")
    assert discrete.method == "g-test-adjusted"


def test_pgmpy_pc_runs_mistruct_tests_on_a_mixed_table():
    import warnings

    from pgmpy.causal_discovery import PC

    from mistruct.interop import PgmpyCITest

    data = customers(400, seed=2)[["age", "region", "income", "spend", "churn"]]
    test = PgmpyCITest(data, ci_test="auto", n_permutations=99, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = PC(ci_test=test, significance_level=0.05, show_progress=False).fit(data)
    assert {frozenset(e) for e in fitted.causal_graph_.edges()} == TRUE_EDGES
    # A float query ran the kNN test; its decision is a plain bool, as pgmpy needs.
    assert test("income", "spend", ["age"]) is False
    assert test.result_.method == "knn" and test.result_.dof is None
    with pytest.raises(ContinuousDataError, match="float"):
        PgmpyCITest(data, ci_test="g-test")
    with pytest.raises(InvalidInputError, match="not numeric"):
        PgmpyCITest(data, ci_test="gaussian")


def test_tan_on_a_mixed_table_conditions_on_the_class(table):
    # Given churn, income and spend stay dependent and age hangs on income; the
    # per-class weights equal the kNN MI matrices of each class, weighted by its share.
    from mistruct import mutual_information_matrix
    from mistruct.structure import tan

    model = tan(table, "churn", root="income", seed=0)
    features = ["age", "region", "income", "spend", "noise"]
    assert all(model.has_edge("churn", f) for f in features)
    tree = {frozenset(e) for e in model.edges() if "churn" not in e}
    assert {frozenset(("income", "spend")), frozenset(("age", "income"))} <= tree
    assert len(tree) == len(features) - 1
    expected = sum(
        len(group)
        / len(table)
        * mutual_information_matrix(group[features], estimator="auto", k=3, seed=0)
        for _, group in table.groupby("churn")
    )
    got = model.edges["income", "spend"]["cmi"]
    assert got == pytest.approx(
        (expected.loc["income", "spend"] + expected.loc["spend", "income"]) / 2, abs=1e-12
    )
    assert model.edges["churn", "spend"]["mi"] > model.edges["churn", "noise"]["mi"]


def test_tan_on_a_mixed_table_rejects_a_float_class_and_tiny_classes(table):
    from mistruct.structure import tan

    with pytest.raises(InvalidInputError, match="class_column 'income' is float"):
        tan(table, "income")
    rare = table.assign(churn=np.where(np.arange(len(table)) < 3, "rare", table["churn"]))
    with pytest.raises(InvalidInputError, match="class 'rare' of 'churn' has 3 rows"):
        tan(rare, "churn")
