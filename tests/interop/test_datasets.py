import networkx as nx
import numpy as np
import pytest

from mistruct.exceptions import InvalidInputError
from mistruct.interop.datasets import list_networks, load_network, sample_network


def test_bundled_networks_are_listed():
    assert {"asia", "alarm", "child", "insurance"} <= set(list_networks())


def test_sample_is_reproducible_and_matches_the_network():
    first = sample_network("alarm", 200, seed=3)
    again = sample_network("alarm", 200, seed=3)
    other = sample_network("alarm", 200, seed=4)
    assert first.data.equals(again.data)
    assert not first.data.equals(other.data)
    assert first.data.shape == (200, 37)
    assert nx.is_directed_acyclic_graph(first.graph)
    assert first.graph.number_of_edges() == 46
    assert set(first.graph.nodes()) == set(first.data.columns)


def test_sample_frequencies_follow_the_probability_tables():
    example = sample_network("asia", 40_000, seed=0)
    model = load_network("asia")
    cpd = model.get_cpds("smoke")  # a root node: its table is its marginal
    expected = dict(zip(cpd.state_names["smoke"], cpd.values.ravel(), strict=True))
    observed = example.data["smoke"].value_counts(normalize=True)
    for state, p in expected.items():
        assert observed[state] == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / 40_000))
    # a child given its parent
    lung = model.get_cpds("lung")
    rows = example.data[example.data["smoke"] == "yes"]
    p_yes = lung.values[
        lung.state_names["lung"].index("yes"), lung.state_names["smoke"].index("yes")
    ]
    assert (rows["lung"] == "yes").mean() == pytest.approx(p_yes, abs=0.01)


def test_load_network_returns_a_copy():
    model = load_network("asia")
    model.remove_node("asia")
    assert "asia" in load_network("asia").nodes()


def test_unknown_network_and_bad_size():
    with pytest.raises(InvalidInputError, match="no bundled network named 'nope'.*alarm"):
        sample_network("nope", 10)
    with pytest.raises(InvalidInputError, match="n_samples"):
        sample_network("asia", 0)


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_a_bad_seed_is_a_clear_error(seed):
    with pytest.raises(InvalidInputError, match="seed must be"):
        sample_network("asia", 10, seed=seed)
