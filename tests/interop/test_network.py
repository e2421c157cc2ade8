"""learn_network: the hybrid DAG (a skeleton from tests, a score-based search within it)."""

from __future__ import annotations

import json
import math
import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.special import gammaln

from mistruct.cli import main as cli_main
from mistruct.exceptions import ColumnNotFoundError, ContinuousDataError, InvalidInputError
from mistruct.interop import (
    NETWORK_SCORES,
    NETWORK_SKELETONS,
    fit_bayesian_network,
    learn_network,
    log_likelihood,
)
from mistruct.interop.datasets import sample_network
from mistruct.structure import chow_liu_tree, cpdag_to_dag, learn_skeleton, pc


@pytest.fixture(scope="module")
def asia():
    return sample_network("asia", 6000, seed=3)


@pytest.fixture(scope="module")
def alarm():
    return sample_network("alarm", 3000, seed=5)


def _undirected(graph) -> set:
    return {frozenset(edge) for edge in graph.edges()}


def _pgmpy_score(data, dag, score, ess=1.0):
    """The total score of ``dag`` by pgmpy's own scoring classes."""
    from pgmpy.models import DiscreteBayesianNetwork
    from pgmpy.structure_score import BIC, K2, BDeu

    model = DiscreteBayesianNetwork()
    model.add_nodes_from(dag.nodes)
    model.add_edges_from(dag.edges)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scorer = {
            "bdeu": lambda: BDeu(data, equivalent_sample_size=ess),
            "bic": lambda: BIC(data),
            "k2": lambda: K2(data),
        }[score]()
        return scorer.score(model)


# ---------------------------------------------------------------- the result


def test_names_listed():
    assert set(NETWORK_SCORES) == {"bdeu", "bic", "k2"}
    assert {"pc", "chow-liu", "aracne"} <= set(NETWORK_SKELETONS)


@pytest.mark.parametrize("skeleton", ["pc", "chow-liu", "aracne"])
def test_dag_within_the_learned_skeleton(alarm, skeleton):
    data = alarm.data
    options = {"alpha": 0.01} if skeleton == "pc" else {}
    dag = learn_network(data, skeleton, **options)
    assert isinstance(dag, nx.DiGraph) and nx.is_directed_acyclic_graph(dag)
    assert list(dag.nodes) == list(data.columns)
    learned = learn_skeleton(data, skeleton, **options)
    tree = _undirected(chow_liu_tree(data))
    extra = tree - _undirected(learned)
    assert _undirected(dag) <= _undirected(learned) | tree
    assert dag.graph["skeleton_edges"] == learned.number_of_edges()
    assert dag.graph["tree_edges"] == (0 if skeleton == "chow-liu" else len(extra))
    within = learn_network(data, skeleton, include_tree=False, **options)
    assert _undirected(within) <= _undirected(learned)
    assert within.graph["tree_edges"] == 0
    assert dag.graph["method"] == "hybrid" and dag.graph["skeleton"] == skeleton
    # Ready to fit.
    model = fit_bayesian_network(data, dag)
    assert model.check_model()


def test_better_than_the_start_it_climbs_from(alarm):
    """The search never ends below its start: PC's CPDAG extended to a DAG."""
    data = alarm.data
    cpdag = pc(data, alpha=0.01)
    start = cpdag_to_dag(cpdag, fallback=True)
    dag = learn_network(data, cpdag)
    assert dag.graph["score_value"] >= _pgmpy_score(data, start, "bdeu") - 1e-6


@pytest.mark.parametrize("score", ["bdeu", "bic"])
def test_scores_equal_pgmpys(alarm, score):
    data = alarm.data
    dag = learn_network(data, "chow-liu", score=score, start="empty")
    assert dag.number_of_edges() > 10
    assert dag.graph["score_value"] == pytest.approx(_pgmpy_score(data, dag, score), rel=1e-10)


def test_bdeu_equivalent_sample_size_equals_pgmpys(asia):
    data = asia.data
    dag = learn_network(data, "chow-liu", equivalent_sample_size=7.5)
    assert dag.graph["equivalent_sample_size"] == 7.5
    expected = _pgmpy_score(data, dag, "bdeu", ess=7.5)
    assert dag.graph["score_value"] == pytest.approx(expected, rel=1e-10)


def test_k2_equals_pgmpys_where_every_parent_configuration_occurs():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 3, 400)
    b = (a + rng.integers(0, 2, 400)) % 3
    c = (b + (rng.random(400) < 0.2)) % 2
    data = pd.DataFrame({"a": a, "b": b, "c": c}).astype("category")
    dag = learn_network(data, nx.Graph([("a", "b"), ("b", "c")]), score="k2", start="empty")
    assert dag.number_of_edges() == 2
    assert dag.graph["score_value"] == pytest.approx(_pgmpy_score(data, dag, "k2"), rel=1e-10)


def test_k2_textbook_formula_with_an_unseen_parent_configuration():
    # b never takes level "z" (a declared category): K2 adds nothing for that configuration.
    data = pd.DataFrame(
        {
            "a": pd.Categorical(["x", "y", "x", "x", "y", "y", "x", "y"]),
            "b": pd.Categorical(["u", "v", "u", "u", "v", "u", "u", "v"], ["u", "v", "z"]),
        }
    )
    dag = learn_network(data, nx.DiGraph([("b", "a")]), score="k2", start="skeleton", tabu_length=0)

    def k2(counts):  # rows: parent configurations, columns: states of the child
        counts = np.asarray(counts, dtype=float)
        r = counts.shape[1]
        return sum(gammaln(r) - gammaln(row.sum() + r) + gammaln(row + 1).sum() for row in counts)

    if dag.has_edge("b", "a"):  # a | b: b=u -> a (x 4, y 1); b=v -> a (y 3); b=z never
        expected = k2([[4, 1], [0, 3]]) + k2([[5, 3, 0]])
    else:
        expected = k2([[4, 4]]) + k2([[4, 0, 0], [1, 3, 0]])
    assert dag.graph["score_value"] == pytest.approx(expected, rel=1e-12)
    assert math.isfinite(dag.graph["score_value"])


# ---------------------------------------------------------------- held-out likelihood


@pytest.mark.parametrize(("network", "n_train"), [("asia", 5000), ("cancer", 20000)])
def test_held_out_likelihood_not_below_chow_liu(network, n_train):
    # CANCER's one v-structure (Pollution -> Cancer <- Smoker) is weak: at 5,000 rows even
    # the true structure scores below the tree on held-out rows of some samples; at 20,000
    # it scores above it, and a tree cannot hold a v-structure.
    sample = sample_network(network, n_train + 5000, seed=11)
    train, test = sample.data.iloc[:n_train], sample.data.iloc[n_train:]

    def held_out(dag):
        model = fit_bayesian_network(train, dag)
        return float(log_likelihood(model, test, unknown_states="prior").mean())

    hybrid = held_out(learn_network(train, "pc", alpha=0.01))
    tree = held_out(chow_liu_tree(train))
    empty = nx.DiGraph()
    empty.add_nodes_from(train.columns)
    assert hybrid >= tree
    assert hybrid > held_out(empty)


# ---------------------------------------------------------------- options


def test_explicit_graph_skeleton():
    sample = sample_network("asia", 3000, seed=1)
    allowed = nx.Graph([("smoke", "lung"), ("lung", "either"), ("tub", "either")])
    allowed.add_node("asia")
    dag = learn_network(sample.data, allowed)
    assert _undirected(dag) <= _undirected(allowed)
    assert dag.graph["skeleton"] == "given"
    assert set(dag.nodes) == set(sample.data.columns)  # columns outside the graph: isolated
    # Strong dependencies inside the allowed edges are found.
    assert {frozenset(("lung", "either")), frozenset(("smoke", "lung"))} <= _undirected(dag)


def test_max_indegree(alarm):
    dag = learn_network(alarm.data, "aracne", max_indegree=1)
    assert max(d for _, d in dag.in_degree()) <= 1
    unrestricted = learn_network(alarm.data, "aracne")
    assert max(d for _, d in unrestricted.in_degree()) >= 2


def test_plain_hill_climbing_no_better_than_tabu(alarm):
    plain = learn_network(alarm.data, "aracne", tabu_length=0)
    tabu = learn_network(alarm.data, "aracne", tabu_length=30)
    assert tabu.graph["score_value"] >= plain.graph["score_value"]


def test_skeleton_options_pass_through(asia):
    strict = learn_network(asia.data, "pc", alpha=1e-12)
    loose = learn_network(asia.data, "pc", alpha=0.2)
    assert strict.graph["skeleton_edges"] < loose.graph["skeleton_edges"]
    tolerant = learn_network(asia.data, "aracne", skeleton_options={"tolerance": 0.5})
    assert (
        tolerant.graph["skeleton_edges"]
        >= learn_network(asia.data, "aracne").graph["skeleton_edges"]
    )


def test_missing_drop():
    sample = sample_network("cancer", 2000, seed=0)
    data = sample.data.astype(object)
    data.iloc[3, 1] = None
    with pytest.raises(InvalidInputError, match="missing"):
        learn_network(data, "chow-liu")
    dag = learn_network(data, "chow-liu", missing="drop")
    assert nx.is_directed_acyclic_graph(dag)


# ---------------------------------------------------------------- order and input


@pytest.mark.parametrize("skeleton", ["pc", "chow-liu"])
def test_column_order_does_not_matter(skeleton):
    sample = sample_network("sachs", 3000, seed=2)
    data = sample.data
    reordered = data[list(reversed(data.columns))]
    shuffled = data[list(np.random.default_rng(0).permutation(data.columns))]
    first = learn_network(data, skeleton)
    for other in (reordered, shuffled):
        again = learn_network(other, skeleton)
        assert set(again.edges()) == set(first.edges())
        assert again.graph["score_value"] == pytest.approx(first.graph["score_value"], rel=1e-12)


def test_input_not_modified(asia):
    data = asia.data.copy()
    before = data.copy()
    learn_network(data, "chow-liu")
    pd.testing.assert_frame_equal(data, before)


def test_continuous_column_refused_naming_discretizer():
    data = pd.DataFrame({"a": np.linspace(0, 1, 50), "b": ["x", "y"] * 25})
    with pytest.raises(ContinuousDataError, match="Discretizer"):
        learn_network(data)
    # Many-level integers named discrete are accepted.
    ints = pd.DataFrame({"a": np.arange(60) % 20, "b": (np.arange(60) % 20) // 10})
    with pytest.raises(ContinuousDataError):
        learn_network(ints, "chow-liu")
    dag = learn_network(ints, "chow-liu", discrete=["a"])
    assert _undirected(dag) == {frozenset(("a", "b"))}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"skeleton": "ges"}, "skeleton"),
        ({"skeleton": 3}, "skeleton"),
        ({"score": "aic"}, "score"),
        ({"equivalent_sample_size": 0}, "equivalent_sample_size"),
        ({"equivalent_sample_size": float("nan")}, "equivalent_sample_size"),
        ({"max_indegree": 0}, "max_indegree"),
        ({"tabu_length": -1}, "tabu_length"),
        ({"start": "full"}, "start"),
        ({"missing": "category"}, "missing"),
        ({"skeleton_options": {"tolerance": 0.1}}, "tolerance"),
        ({"skeleton_options": {"alpha": 0.1}}, "alpha"),
        ({"skeleton_options": {"bogus": 1}}, "bogus"),
        ({"skeleton_options": [1]}, "dict"),
        ({"skeleton": "chow-liu", "ci_test": "g-test"}, "ci_test"),
        ({"skeleton": nx.Graph([("a", "b")]), "alpha": 0.1}, "alpha"),
        ({"skeleton": nx.Graph([("a", "zzz")])}, "zzz"),
    ],
)
def test_bad_input_errors(kwargs, match):
    data = pd.DataFrame({"a": ["x", "y"] * 30, "b": ["u", "u", "v"] * 20})
    with pytest.raises(InvalidInputError, match=match):
        learn_network(data, **kwargs)


def test_unknown_graph_node_is_a_column_error():
    data = pd.DataFrame({"a": ["x", "y"] * 30, "b": ["u", "u", "v"] * 20})
    with pytest.raises(ColumnNotFoundError):
        learn_network(data, nx.Graph([("a", "c")]))


def test_cyclic_digraph_skeleton_refused():
    data = pd.DataFrame({"a": ["x", "y"] * 30, "b": ["u", "u", "v"] * 20, "c": ["p"] * 60})
    cycle = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a")])
    with pytest.raises(InvalidInputError, match="cycle"):
        learn_network(data, cycle)


# ---------------------------------------------------------------- command line


def test_cli_hybrid(tmp_path):
    result = CliRunner().invoke(
        cli_main,
        [
            "learn",
            "--example",
            "asia",
            "--rows",
            "3000",
            "--algorithm",
            "hybrid",
            "--score",
            "bic",
            "--holdout",
            "0.2",
            "--no-progress",
            "--format",
            "json",
            "--plot",
            str(tmp_path / "g.png"),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["algorithm"] == "hybrid"
    assert summary["edges"] and all(edge["directed"] for edge in summary["edges"])
    scores = summary["held_out_log_likelihood"]
    assert scores["learned"] > scores["empty_graph"]
