"""Files written from hostile labels read back equal (issue 12 items 5, 6, 9) and
held-out levels unseen in training (issue 11 item 8)."""

import itertools
import json
import xml.etree.ElementTree as ElementTree

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mistruct.cli import main
from mistruct.exceptions import InvalidInputError
from mistruct.interop._bayesnet import fit_bayesian_network, log_likelihood, read_bif, write_bif
from mistruct.structure._io import read_graph, write_graph

HOSTILE_NAMES = [
    "plain", "with space", "new\nline", "{brace}", "semi;colon", "com,ma", "", "A", "a",
    "table", "probability", "quote\"d", "slash//comment", "/*c*/", "bar|pipe", "paren(s)",
    "ünïcode", "tab\tchar", "1", 1, 2.5, ("tu", "ple"),
]  # fmt: skip
HOSTILE_STATES = [
    "x", "with space", "com,ma", "{b}", "q\"uote", "new\nline", "semi;colon", "(p)", "",
    "None", "table", "1.5", "-1", "default", "bar|", 3, 4.5, True,
]  # fmt: skip


def _model(names, states_a, states_b, seed=0):
    """A fitted 3-node network a -> b -> c under hostile labels."""
    rng = np.random.default_rng(seed)
    n = 60
    a = rng.choice(np.array(states_a, dtype=object), n)
    b = rng.choice(np.array(states_b, dtype=object), n)
    c = rng.choice(np.array(["u", "v"], dtype=object), n)
    frame = pd.DataFrame({names[0]: a, names[1]: b, names[2]: c})
    graph = nx.DiGraph([(names[0], names[1]), (names[1], names[2])])
    return fit_bayesian_network(frame, graph)


def _assert_same_network(back, model):
    assert set(back.nodes) == set(model.nodes)
    assert set(back.edges) == set(model.edges)
    for node in model.nodes:
        ours, theirs = model.get_cpds(node), back.get_cpds(node)
        assert theirs.state_names[node] == ours.state_names[node]
        assert [type(s) for s in theirs.state_names[node]] == [
            type(s) for s in ours.state_names[node]
        ]
        order = list(ours.variables)
        theirs = theirs.copy()
        theirs.reorder_parents(order[1:]) if len(order) > 2 else None
        np.testing.assert_allclose(theirs.get_values(), ours.get_values(), rtol=1e-12)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_write_bif_round_trips_a_hostile_name(name, tmp_path):
    names = [name, "b", "c"] if name not in ("b", "c") else [name, "bb", "cc"]
    model = _model(names, ["x", "y"], ["p", "q", "r"])
    path = write_bif(model, tmp_path / "m.bif")
    _assert_same_network(read_bif(path), model)
    from pgmpy.readwrite import BIFReader

    plain = BIFReader(str(path)).get_model()  # pgmpy alone reads it too (safe names)
    assert len(plain.nodes) == 3 and len(plain.edges) == 2


def _check_states(pair, tmp_path):
    states_a = list(dict.fromkeys(pair[0]))
    states_b = list(dict.fromkeys(pair[1]))
    if len({type(s) for s in states_a}) > 1 or len({type(s) for s in states_b}) > 1:
        return  # mixed types in one column cannot be sorted into levels
    model = _model(["a", "b", "c"], states_a, states_b)
    path = write_bif(model, tmp_path / "m.bif")
    _assert_same_network(read_bif(path), model)


@pytest.mark.parametrize("state", HOSTILE_STATES)
def test_write_bif_round_trips_a_hostile_state(state, tmp_path):
    others = ["x", "y"] if isinstance(state, str) else [7, 8]
    if isinstance(state, bool):
        others = [False]
    _check_states(([state, *others], [state, *others]), tmp_path)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(st.text(min_size=0, max_size=6), min_size=3, max_size=3, unique=True),
    states=st.lists(st.text(min_size=0, max_size=5), min_size=2, max_size=4, unique=True),
)
def test_write_bif_round_trips_any_text(names, states, tmp_path):
    model = _model(names, states, states[::-1])
    path = write_bif(model, tmp_path / "h.bif")
    _assert_same_network(read_bif(path), model)


def test_plain_labels_are_written_as_they_are(tmp_path):
    model = _model(["asia", "smoke", "lung"], ["yes", "no"], ["a1", "b_2"])
    text = write_bif(model, tmp_path / "m.bif").read_text()
    assert "variable smoke {" in text and "property" not in text


def test_learn_fit_writes_a_readable_bif_from_hostile_headers(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.choice(["lo; 1", "hi, 2"], 400)
    frame = pd.DataFrame(
        {"blood type": x, "{rate}": np.where(rng.random(400) < 0.8, x, "mid"), 'a"q': x}
    )
    data, bif = tmp_path / "hostile.csv", tmp_path / "h.bif"
    frame.to_csv(data, index=False)
    result = CliRunner().invoke(
        main, ["learn", str(data), "--algorithm", "chow-liu", "--fit", str(bif), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    back = read_bif(bif)
    assert set(back.nodes) == set(frame.columns)
    assert back.get_cpds("blood type").state_names["blood type"] == ["hi, 2", "lo; 1"]


def test_write_bif_to_a_folder_is_a_clear_error(tmp_path):
    model = _model(["a", "b", "c"], ["x", "y"], ["p", "q"])
    with pytest.raises(InvalidInputError, match="folder"):
        write_bif(model, tmp_path)
    with pytest.raises(InvalidInputError, match="folder"):
        write_graph(nx.Graph([("a", "b")]), tmp_path)


# ---------------------------------------------------------------- graphs


def _graph_equal(back, graph):
    assert set(back.nodes) == set(graph.nodes)
    assert {(a, b) for a, b in back.edges} == {(a, b) for a, b in graph.edges}
    assert back.is_directed() == graph.is_directed()


@pytest.mark.parametrize("suffix", [".graphml", ".gml", ".json"])
def test_labels_equal_as_strings_stay_apart(suffix, tmp_path):
    graph = nx.DiGraph()
    graph.add_edge(1, "1", mi=0.5)
    graph.add_edge("1", "a", mi=0.25)
    path = write_graph(graph, tmp_path / f"g{suffix}")
    back = read_graph(path)
    _graph_equal(back, graph)
    assert back.number_of_nodes() == 3 and not any(a == b for a, b in back.edges)
    assert back.edges[1, "1"]["mi"] == 0.5


@pytest.mark.parametrize("suffix", [".graphml", ".gml", ".json"])
def test_control_characters_give_well_formed_files(suffix, tmp_path):
    labels = ["bell\x07", "nul\x00x", "esc\x1b[0m", "tab\tnew\nline", "plain"]
    graph = nx.Graph([(a, b) for a, b in itertools.pairwise(labels)])
    path = write_graph(graph, tmp_path / f"g{suffix}")
    if suffix == ".graphml":
        ElementTree.parse(path)  # well-formed XML
        back = nx.read_graphml(path)  # networkx alone reads it
        assert back.number_of_nodes() == len(labels)
    elif suffix == ".json":
        json.loads(path.read_text())
    _graph_equal(read_graph(path), graph)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    labels=st.lists(
        st.one_of(st.text(max_size=6), st.integers(-5, 5)), min_size=2, max_size=6, unique=True
    )
)
def test_write_graph_round_trips_any_labels(labels, tmp_path):
    graph = nx.DiGraph([(a, b) for a, b in itertools.pairwise(labels)])
    for suffix in (".graphml", ".json"):
        back = read_graph(write_graph(graph, tmp_path / f"g{suffix}"))
        _graph_equal(back, graph)


# ---------------------------------------------------------------- unseen levels


def test_prior_scores_unseen_levels_as_documented():
    train = pd.DataFrame({"a": ["x", "y"] * 20, "b": ["u", "v", "u", "u"] * 10})
    new = pd.DataFrame({"a": ["x", "y", "z", "z"], "b": ["w", "u", "u", "w"]})
    for estimator, ess in (("bdeu", 1.0), ("bdeu", 4.0), ("k2", 1.0)):
        model = fit_bayesian_network(
            train, nx.DiGraph([("a", "b")]), estimator=estimator, equivalent_sample_size=ess
        )
        got = log_likelihood(model, new, unknown_states="prior")
        p_a = model.get_cpds("a").values
        p_b = model.get_cpds("b").get_values()  # (2 states of b, 2 levels of a)
        if estimator == "bdeu":
            new_a = (ess / 3) / (40 + ess)  # r = 2, q = 1, N = 40
            new_b_given_x = (ess / (3 * 2)) / (20 + ess / 2)  # q = 2, 20 rows with a = x
        else:
            new_a = 1 / (40 + 3)
            new_b_given_x = 1 / (20 + 3)
        expected = np.log(
            [
                p_a[0] * new_b_given_x,
                p_a[1] * p_b[0, 1],
                new_a * 0.5,  # a unseen: b's configuration never seen, uniform 1/2
                new_a / 3,  # both unseen: 1 / (r + 1)
            ]
        )
        np.testing.assert_allclose(got, expected, rtol=1e-12)
        assert np.isnan(log_likelihood(model, new, unknown_states="nan")[[0, 2, 3]]).all()
    mle = fit_bayesian_network(train, nx.DiGraph([("a", "b")]), estimator="mle")
    assert log_likelihood(mle, new.iloc[:1], unknown_states="prior")[0] == -np.inf


def test_prior_on_a_model_from_elsewhere_is_a_clear_error():
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    model = DiscreteBayesianNetwork()
    model.add_node("a")
    model.add_cpds(TabularCPD("a", 2, [[0.5], [0.5]], state_names={"a": ["x", "y"]}))
    known = log_likelihood(model, pd.DataFrame({"a": ["x"]}), unknown_states="prior")
    assert known[0] == pytest.approx(np.log(0.5))
    with pytest.raises(InvalidInputError, match="fit_bayesian_network"):
        log_likelihood(model, pd.DataFrame({"a": ["z"]}), unknown_states="prior")
