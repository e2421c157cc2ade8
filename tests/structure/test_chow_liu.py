"""Chow-Liu trees and forests, TAN, and the learn_skeleton entry point."""

import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from mistruct import mutual_information, mutual_information_matrix
from mistruct.exceptions import ColumnNotFoundError, InvalidInputError, MissingValuesError
from mistruct.interop.datasets import sample_network
from mistruct.structure import chow_liu_forest, chow_liu_tree, learn_skeleton, tan


def undirected(graph):
    return {frozenset(edge) for edge in graph.edges()}


@pytest.fixture(scope="module")
def asia():
    return sample_network("asia", 3000, seed=1)


@pytest.fixture
def chain_frame():
    rng = np.random.default_rng(0)
    n = 3000
    a = rng.integers(0, 3, n)
    b = np.where(rng.random(n) < 0.2, rng.integers(0, 3, n), a)
    c = np.where(rng.random(n) < 0.2, rng.integers(0, 2, n), b % 2)
    noise = rng.integers(0, 2, n)
    return pd.DataFrame({"a": a, "b": b, "c": c, "noise": noise})


# ---------------------------------------------------------------- trees


def test_tree_is_spanning_and_oriented_from_root(chain_frame):
    tree = chow_liu_tree(chain_frame)
    assert isinstance(tree, nx.DiGraph)
    assert list(tree.nodes) == list(chain_frame.columns)
    assert nx.is_arborescence(tree)
    assert tree.graph["root"] == "a" and tree.graph["method"] == "chow-liu"
    assert tree.in_degree("a") == 0
    assert {frozenset(("a", "b")), frozenset(("b", "c"))} <= undirected(tree)
    rooted = chow_liu_tree(chain_frame, root="c")
    assert rooted.in_degree("c") == 0 and nx.is_arborescence(rooted)
    assert undirected(rooted) == undirected(tree)


def test_independent_column_stays_a_node(chain_frame):
    frame = chain_frame.assign(constant=1)
    tree = chow_liu_tree(frame)
    assert "constant" in tree and tree.degree("constant") == 1
    assert tree.number_of_edges() == frame.shape[1] - 1


def test_edge_mi_is_the_mutual_information_in_bits(chain_frame):
    tree = chow_liu_tree(chain_frame)
    matrix = mutual_information_matrix(chain_frame)
    for u, v, data in tree.edges(data=True):
        assert data["mi"] == pytest.approx(matrix.loc[u, v], abs=1e-12)
        assert data["weight"] == data["mi"]
        assert data["mi"] == pytest.approx(mutual_information(chain_frame[u], chain_frame[v]))


def test_tree_maximizes_total_mi(chain_frame):
    tree = chow_liu_tree(chain_frame)
    matrix = mutual_information_matrix(chain_frame)
    complete = nx.Graph()
    for u in matrix.index:
        for v in matrix.columns:
            if u != v:
                complete.add_edge(u, v, weight=matrix.loc[u, v])
    best = nx.maximum_spanning_tree(complete)
    total = sum(d["mi"] for *_, d in tree.edges(data=True))
    assert total == pytest.approx(best.size(weight="weight"))


def test_matches_pgmpy_tree_search(asia):
    data = asia.data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgmpy.estimators import TreeSearch

        theirs = TreeSearch(data, root_node=data.columns[0], n_jobs=1).estimate(show_progress=False)
    assert undirected(chow_liu_tree(data)) == undirected(theirs)


def test_recovers_most_true_edges_of_a_tree_like_network(asia):
    tree = chow_liu_tree(asia.data)
    assert len(undirected(tree) & undirected(asia.graph)) >= 5


def test_column_order_does_not_matter_even_with_ties():
    rng = np.random.default_rng(3)
    base = rng.integers(0, 2, 400)
    other = rng.integers(0, 3, 400)
    # x, y, z identical: every pair among them ties at H(base).
    frame = pd.DataFrame({"x": base, "y": base, "z": base, "w": (base + other) % 3, "v": other})
    reference = undirected(chow_liu_tree(frame))
    for seed in range(6):
        order = list(np.random.default_rng(seed).permutation(frame.columns))
        assert undirected(chow_liu_tree(frame[order])) == reference
    # Ties are broken by names: the smallest pair of names wins.
    assert frozenset(("x", "y")) in reference and frozenset(("x", "z")) in reference


def test_integer_column_labels_from_an_array():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 2, 500)
    array = np.column_stack([a, a ^ (rng.random(500) < 0.1), rng.integers(0, 2, 500)])
    tree = chow_liu_tree(array)
    assert set(tree.nodes) == {0, 1, 2} and tree.has_edge(0, 1)


def test_estimators_and_columns(chain_frame):
    tree = chow_liu_tree(chain_frame, estimator="miller-madow", columns=["a", "b", "c"])
    assert set(tree.nodes) == {"a", "b", "c"}
    assert tree.graph["estimator"] == "miller-madow"
    assert undirected(tree) == {frozenset(("a", "b")), frozenset(("b", "c"))}


def test_single_column():
    tree = chow_liu_tree(pd.DataFrame({"only": [1, 2, 1]}))
    assert list(tree.nodes) == ["only"] and tree.number_of_edges() == 0


def test_input_is_not_modified(chain_frame):
    before = chain_frame.copy()
    chow_liu_tree(chain_frame)
    chow_liu_forest(chain_frame)
    tan(chain_frame, "a")
    pd.testing.assert_frame_equal(chain_frame, before)


def test_errors_before_work(chain_frame):
    with pytest.raises(ColumnNotFoundError, match="root='nope'"):
        chow_liu_tree(chain_frame, root="nope")
    with pytest.raises(InvalidInputError, match="estimator"):
        chow_liu_tree(chain_frame, estimator="magic")
    with pytest.raises(ColumnNotFoundError):
        chow_liu_tree(chain_frame, columns=["a", "zzz"])
    with_nan = chain_frame.astype(float).astype(object)
    with_nan.iloc[3, 1] = None
    with pytest.raises(MissingValuesError):
        chow_liu_tree(with_nan)
    assert chow_liu_tree(with_nan, missing="drop").graph["n_rows"] == len(chain_frame) - 1


# ---------------------------------------------------------------- forests


def test_forest_cuts_independent_columns(chain_frame):
    forest = chow_liu_forest(chain_frame, alpha=0.01)
    assert forest.degree("noise") == 0
    assert {frozenset(("a", "b")), frozenset(("b", "c"))} == undirected(forest)
    assert forest.graph["roots"] == ["a", "noise"]
    components = nx.weakly_connected_components(forest)
    assert all(nx.is_arborescence(forest.subgraph(c)) for c in components)
    (removed,) = forest.graph["removed"]
    assert "noise" in removed[:2] and removed[2] > 0.01


def test_forest_g_test_matches_chi_square(chain_frame):
    forest = chow_liu_forest(chain_frame, alpha=0.5)
    n = len(chain_frame)
    for u, v, data in forest.edges(data=True):
        g = 2 * n * mutual_information(chain_frame[u], chain_frame[v], base=np.e)
        dof = (chain_frame[u].nunique() - 1) * (chain_frame[v].nunique() - 1)
        assert data["statistic"] == pytest.approx(g, rel=1e-9)
        assert data["dof"] == dof
        assert data["pvalue"] == pytest.approx(chi2.sf(g, dof), rel=1e-6, abs=1e-300)


def test_forest_g_test_matches_ci_test(chain_frame):
    from mistruct.independence import ci_test

    forest = chow_liu_forest(chain_frame, alpha=0.99)
    for u, v, data in forest.edges(data=True):
        result = ci_test(chain_frame, u, v)
        assert data["pvalue"] == pytest.approx(result.pvalue, rel=1e-6, abs=1e-300)
        assert data["dof"] == result.dof


def test_forest_of_asia_is_a_subforest_of_the_tree(asia):
    tree = chow_liu_tree(asia.data)
    forest = chow_liu_forest(asia.data, alpha=0.001)
    assert undirected(forest) <= undirected(tree)
    assert forest.number_of_nodes() == asia.data.shape[1]


def test_forest_with_permutation_test(chain_frame):
    small = chain_frame.iloc[:400]
    forest = chow_liu_forest(small, ci_test="permutation", n_permutations=99, seed=0, alpha=0.05)
    again = chow_liu_forest(small, ci_test="permutation", n_permutations=99, seed=0, alpha=0.05)
    assert undirected(forest) == undirected(again)
    assert forest.degree("noise") == 0
    assert frozenset(("a", "b")) in undirected(forest)
    assert all(0 < d["pvalue"] <= 0.05 for *_, d in forest.edges(data=True))
    assert forest.graph["ci_test"] == "permutation"
    sequential = chow_liu_forest(small, ci_test="sequential", n_permutations=199, seed=0)
    assert sequential.degree("noise") == 0


def test_forest_errors(chain_frame):
    with pytest.raises(InvalidInputError, match="alpha"):
        chow_liu_forest(chain_frame, alpha=1.5)
    with pytest.raises(InvalidInputError, match="ci_test="):
        chow_liu_forest(chain_frame, ci_test="chi-square")


# ---------------------------------------------------------------- TAN


def test_tan_structure(asia):
    model = tan(asia.data, "dysp")
    features = [c for c in asia.data.columns if c != "dysp"]
    assert model.graph["method"] == "tan" and model.graph["root"] == features[0]
    assert sorted(model.successors("dysp")) == sorted(features)
    assert model.in_degree("dysp") == 0
    feature_tree = model.subgraph(features)
    assert nx.is_arborescence(feature_tree)
    assert feature_tree.in_degree(features[0]) == 0
    assert nx.is_directed_acyclic_graph(model)
    assert all(model.in_degree(f) <= 2 for f in features)


def test_tan_weights_are_class_conditional_mi(asia):
    data = asia.data
    model = tan(data, "dysp", root="smoke")
    assert model.graph["root"] == "smoke"
    for u, v, d in model.edges(data=True):
        if u == "dysp":
            assert d["mi"] == pytest.approx(mutual_information(data[u], data[v]), abs=1e-12)
        else:
            expected = mutual_information(data[u], data[v], given=data["dysp"])
            assert d["cmi"] == pytest.approx(expected, abs=1e-12)
            assert d["weight"] == d["cmi"]


def test_tan_matches_pgmpy(asia):
    data = asia.data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgmpy.estimators import TreeSearch

        theirs = TreeSearch(data, root_node="asia", n_jobs=1).estimate(
            estimator_type="tan", class_node="dysp", show_progress=False
        )
    assert undirected(tan(data, "dysp")) == undirected(theirs)


def test_tan_errors(asia):
    with pytest.raises(InvalidInputError, match="class column"):
        tan(asia.data, "dysp", root="dysp")
    with pytest.raises(ColumnNotFoundError, match="class_column"):
        tan(asia.data, "nope")
    with pytest.raises(InvalidInputError, match="feature"):
        tan(asia.data[["dysp"]], "dysp")
    model = tan(asia.data, "dysp", columns=["asia", "tub"])
    assert set(model.nodes) == {"asia", "tub", "dysp"}


# ---------------------------------------------------------------- learn_skeleton


def test_learn_skeleton_dispatch(chain_frame):
    tree = learn_skeleton(chain_frame)
    assert type(tree) is nx.Graph and tree.graph["method"] == "chow-liu"
    assert undirected(tree) == undirected(chow_liu_tree(chain_frame))
    assert tree.edges["a", "b"]["mi"] > 0
    forest = learn_skeleton(chain_frame, "chow-liu-forest", alpha=0.01)
    assert type(forest) is nx.Graph and forest.degree("noise") == 0
    network = learn_skeleton(chain_frame, "aracne", tolerance=0.05)
    assert type(network) is nx.Graph and network.graph["method"] == "aracne"


def test_learn_skeleton_errors(chain_frame):
    with pytest.raises(InvalidInputError, match="not a skeleton learner"):
        learn_skeleton(chain_frame, "ges")
    with pytest.raises(InvalidInputError, match="does not take tolerance"):
        learn_skeleton(chain_frame, "chow-liu", tolerance=0.1)


def test_learn_skeleton_refuses_options_of_another_algorithm(chain_frame):
    # Named in the error, before any work; left at the default, an option is fine.
    with pytest.raises(InvalidInputError, match="'pc' does not take exclude, tolerance"):
        learn_skeleton(chain_frame, "pc", tolerance=0.1, exclude=["c"])
    with pytest.raises(InvalidInputError, match="'chow-liu' does not take ci_test"):
        learn_skeleton(chain_frame, "chow-liu", ci_test="permutation")
    with pytest.raises(InvalidInputError, match="not a skeleton learner"):
        learn_skeleton(chain_frame, algorithm="bogus")
    assert learn_skeleton(chain_frame, "chow-liu", tolerance=0.0).number_of_edges() == 3
    # None is each learner's own default: PC's plug-in statistic, the tree's "auto".
    assert learn_skeleton(chain_frame, "pc", estimator=None).graph["method"] == "pc"
    assert learn_skeleton(chain_frame, "chow-liu").graph["estimator"] == "plugin"

