"""Bayesian networks through pgmpy: fitting, held-out log-likelihood, BIF output."""

import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from mistruct.exceptions import (
    ColumnNotFoundError,
    InvalidInputError,
    MissingValuesError,
)
from mistruct.interop._bayesnet import fit_bayesian_network, log_likelihood, write_bif
from mistruct.interop.datasets import sample_network
from mistruct.structure import chow_liu_tree


@pytest.fixture(scope="module")
def alarm():
    return sample_network("alarm", 3000, seed=0)


@pytest.fixture(scope="module")
def asia():
    return sample_network("asia", 2000, seed=0)


def cpd_table(cpd, order):
    """CPD values as a dict (state of node, states of parents...) -> probability."""
    values = cpd.values
    names = cpd.variables
    out = {}
    for index in np.ndindex(values.shape):
        key = tuple(cpd.state_names[v][i] for v, i in zip(names, index, strict=True))
        out[tuple(key[names.index(v)] for v in order)] = values[index]
    return out


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ({"estimator": "bdeu", "equivalent_sample_size": 5}, ("bayes", 5)),
        ({"estimator": "bdeu", "equivalent_sample_size": 1}, ("bayes", 1)),
        ({"estimator": "mle"}, ("mle", None)),
    ],
)
def test_matches_pgmpy_estimators(alarm, ours, theirs):
    from pgmpy.models import DiscreteBayesianNetwork
    from pgmpy.parameter_estimator import DiscreteBayesianEstimator, DiscreteMLE

    model = fit_bayesian_network(alarm.data, alarm.graph, **ours)
    reference = DiscreteBayesianNetwork(alarm.graph.edges())
    reference.add_nodes_from(alarm.graph.nodes())
    kind, ess = theirs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator = (
            DiscreteBayesianEstimator(prior_type="BDeu", equivalent_sample_size=ess)
            if kind == "bayes"
            else DiscreteMLE()
        )
        reference.fit(alarm.data, estimator=estimator)
    for node in alarm.graph.nodes:
        order = [node, *sorted(alarm.graph.predecessors(node))]
        mine = cpd_table(model.get_cpds(node), order)
        other = cpd_table(reference.get_cpds(node), order)
        assert mine.keys() == other.keys()
        for key, value in mine.items():
            if kind == "mle" and np.isnan(other[key]):
                continue
            assert value == pytest.approx(other[key], abs=1e-9), (node, key)


def test_model_is_a_checked_pgmpy_model(alarm):
    from pgmpy.models import DiscreteBayesianNetwork

    model = fit_bayesian_network(alarm.data, alarm.graph)
    assert isinstance(model, DiscreteBayesianNetwork)
    assert model.check_model()
    assert set(model.edges()) == set(alarm.graph.edges())
    cpd = model.get_cpds("HR")
    assert cpd.state_names["HR"] == list(alarm.data["HR"].cat.categories)
    assert cpd.variables[1:] == ["CATECHOL"]


def test_unobserved_categories_are_states():
    data = pd.DataFrame(
        {
            "x": pd.Categorical(["a", "b", "a", "b"], categories=["a", "b", "never"]),
            "y": [0, 1, 0, 0],
        }
    )
    model = fit_bayesian_network(data, nx.DiGraph([("x", "y")]))
    assert model.get_cpds("x").state_names["x"] == ["a", "b", "never"]
    p_never = model.get_cpds("x").values[2]
    assert 0 < p_never < 0.2  # smoothed, not zero
    # Under "never" the child gets the prior: uniform.
    assert model.get_cpds("y").values[:, 2] == pytest.approx([0.5, 0.5])


def test_undirected_tree_is_oriented(asia):
    tree = chow_liu_tree(asia.data).to_undirected()
    model = fit_bayesian_network(asia.data, tree)
    assert model.check_model() and len(model.edges()) == 7
    assert nx.is_arborescence(nx.DiGraph(model.edges()))
    assert [n for n in model.nodes if model.in_degree(n) == 0] == ["asia"]
    rooted = fit_bayesian_network(asia.data, tree, root="dysp")
    assert [n for n in rooted.nodes if rooted.in_degree(n) == 0] == ["dysp"]


def test_forest_with_isolated_node(asia):
    graph = nx.Graph([("smoke", "lung"), ("lung", "either")])
    graph.add_node("asia")
    model = fit_bayesian_network(asia.data, graph)
    assert set(model.nodes) == {"smoke", "lung", "either", "asia"}
    assert set(model.edges()) == {("smoke", "lung"), ("lung", "either")}


def test_bad_graphs(asia):
    with pytest.raises(ColumnNotFoundError, match="'ghost'"):
        fit_bayesian_network(asia.data, nx.DiGraph([("asia", "ghost")]))
    cycle = nx.DiGraph([("asia", "tub"), ("tub", "either"), ("either", "asia")])
    with pytest.raises(InvalidInputError, match="directed cycle"):
        fit_bayesian_network(asia.data, cycle)
    with pytest.raises(InvalidInputError, match="CPDAG"):
        fit_bayesian_network(asia.data, nx.DiGraph([("asia", "tub"), ("tub", "asia")]))
    with pytest.raises(InvalidInputError, match="cannot be oriented"):
        fit_bayesian_network(asia.data, nx.cycle_graph(["asia", "tub", "either"]))
    with pytest.raises(InvalidInputError, match="graph must be"):
        fit_bayesian_network(asia.data, [("asia", "tub")])
    with pytest.raises(InvalidInputError, match="estimator"):
        fit_bayesian_network(asia.data, nx.DiGraph([("asia", "tub")]), estimator="em")
    with pytest.raises(InvalidInputError, match="equivalent_sample_size"):
        fit_bayesian_network(asia.data, nx.DiGraph([("asia", "tub")]), equivalent_sample_size=0)
    with pytest.raises(InvalidInputError, match="root"):
        fit_bayesian_network(asia.data, nx.DiGraph([("asia", "tub")]), root="asia")


def test_missing_values(asia):
    data = asia.data.copy()
    data.loc[3, "tub"] = np.nan
    graph = nx.DiGraph([("asia", "tub")])
    with pytest.raises(MissingValuesError):
        fit_bayesian_network(data, graph)
    model = fit_bayesian_network(data, graph, missing="drop")
    assert model.check_model()
    with pytest.raises(InvalidInputError, match="missing="):
        fit_bayesian_network(data, graph, missing="category")


def test_input_not_modified(asia):
    before = asia.data.copy()
    model = fit_bayesian_network(asia.data, asia.graph)
    log_likelihood(model, asia.data)
    pd.testing.assert_frame_equal(asia.data, before)


# ---------------------------------------------------------------- log-likelihood


def brute_force_log_likelihood(model, row):
    total = 0.0
    for cpd in model.get_cpds():
        index = tuple(cpd.state_names[v].index(row[v]) for v in cpd.variables)
        total += np.log(cpd.values[index])
    return total


def test_log_likelihood_matches_a_row_by_row_loop(asia):
    model = fit_bayesian_network(asia.data, asia.graph)
    test = sample_network("asia", 50, seed=9).data
    scores = log_likelihood(model, test)
    assert scores.shape == (50,)
    expected = [brute_force_log_likelihood(model, row) for _, row in test.iterrows()]
    np.testing.assert_allclose(scores, expected, rtol=1e-12)
    assert log_likelihood(model, test, per_row=False) == pytest.approx(sum(expected))
    assert log_likelihood(model, test, base=2) == pytest.approx(scores / np.log(2))


def test_true_structure_beats_a_tree_on_held_out_rows(alarm):
    test = sample_network("alarm", 2000, seed=5).data
    true_model = fit_bayesian_network(alarm.data, alarm.graph)
    tree_model = fit_bayesian_network(alarm.data, chow_liu_tree(alarm.data))
    empty = nx.DiGraph()
    empty.add_nodes_from(alarm.data.columns)
    empty_model = fit_bayesian_network(alarm.data, empty)
    scores = [log_likelihood(m, test).mean() for m in (true_model, tree_model, empty_model)]
    assert scores[0] > scores[1] > scores[2]


def test_mle_gives_minus_infinity_on_unseen_combinations_bdeu_does_not(alarm):
    test = sample_network("alarm", 3000, seed=11).data
    mle = log_likelihood(fit_bayesian_network(alarm.data, alarm.graph, estimator="mle"), test)
    bdeu = log_likelihood(fit_bayesian_network(alarm.data, alarm.graph), test)
    assert np.isneginf(mle).any()
    assert np.isfinite(bdeu).all()


def test_unknown_states():
    train = pd.DataFrame({"x": ["a", "b", "a", "b"], "y": [0, 1, 0, 0]})
    model = fit_bayesian_network(train, nx.DiGraph([("x", "y")]))
    test = pd.DataFrame({"x": ["a", "c"], "y": [0, 1]})
    with pytest.raises(InvalidInputError, match="'x'.*not states.*'c'"):
        log_likelihood(model, test)
    scores = log_likelihood(model, test, unknown_states="nan")
    assert np.isfinite(scores[0]) and np.isnan(scores[1])
    with pytest.raises(MissingValuesError):
        log_likelihood(model, pd.DataFrame({"x": ["a", None], "y": [0, 1]}))
    with pytest.raises(ColumnNotFoundError, match="'y'"):
        log_likelihood(model, test[["x"]])


def test_log_likelihood_errors(asia):
    with pytest.raises(InvalidInputError, match="DiscreteBayesianNetwork"):
        log_likelihood(asia.graph, asia.data)
    from pgmpy.models import DiscreteBayesianNetwork

    unfitted = DiscreteBayesianNetwork([("asia", "tub")])
    with pytest.raises(InvalidInputError, match="no probability table"):
        log_likelihood(unfitted, asia.data)
    model = fit_bayesian_network(asia.data, asia.graph)
    with pytest.raises(InvalidInputError, match="unknown_states"):
        log_likelihood(model, asia.data, unknown_states="skip")
    with pytest.raises(InvalidInputError, match="base"):
        log_likelihood(model, asia.data, base=1)


# ---------------------------------------------------------------- BIF


def test_write_bif_round_trip(asia, tmp_path):
    from pgmpy.readwrite import BIFReader

    model = fit_bayesian_network(asia.data, asia.graph)
    target = write_bif(model, tmp_path / "asia.bif")
    assert target == tmp_path / "asia.bif"
    assert [p.name for p in tmp_path.iterdir()] == ["asia.bif"]
    back = BIFReader(str(target)).get_model()
    assert set(back.edges()) == set(model.edges())
    for node in model.nodes:
        np.testing.assert_allclose(
            back.get_cpds(node).values, model.get_cpds(node).values, rtol=1e-6
        )
    test = sample_network("asia", 100, seed=3).data
    np.testing.assert_allclose(log_likelihood(back, test), log_likelihood(model, test), rtol=1e-6)


def test_write_bif_failure_leaves_nothing(asia, tmp_path, monkeypatch):
    import pathlib

    model = fit_bayesian_network(asia.data, asia.graph)
    write_text = pathlib.Path.write_text

    def broken(self, text, *args, **kwargs):
        write_text(self, text[:20])
        raise OSError("disk full")

    monkeypatch.setattr(pathlib.Path, "write_text", broken)
    with pytest.raises(OSError, match="disk full"):
        write_bif(model, tmp_path / "asia.bif")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FileNotFoundError):
        write_bif(model, tmp_path / "no-such-folder" / "x.bif")
