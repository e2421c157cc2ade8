import itertools

import networkx as nx
import numpy as np
import pytest

from mistruct.exceptions import InvalidInputError
from mistruct.interop.datasets import load_network, sample_network
from mistruct.structure import structure_metrics
from mistruct.structure._pc import cpdag_to_dag, orient_cpdag, pc, pc_skeleton, skeleton_search


def _true_dag(name):
    model = load_network(name)
    graph = nx.DiGraph(model.edges())
    graph.add_nodes_from(model.nodes())
    return graph


def _oracle(dag, nodes):
    """A perfect CI test: p = 1 when d-separated, 0 otherwise."""

    def test_batch(queries):
        pvalues = [
            1.0 if nx.is_d_separator(dag, {nodes[i]}, {nodes[j]}, {nodes[k] for k in s}) else 0.0
            for i, j, s in queries
        ]
        return np.array(pvalues), np.zeros(len(queries))

    return test_batch


def _v_structures(graph):
    """Unshielded colliders a -> c <- b of the directed part of a (C)PDAG."""
    found = set()
    for c in graph.nodes():
        parents = [a for a in graph.predecessors(c) if not graph.has_edge(c, a)]
        for a, b in itertools.combinations(sorted(parents), 2):
            if not (graph.has_edge(a, b) or graph.has_edge(b, a)):
                found.add((a, b, c))
    return found


@pytest.mark.parametrize("name", ["asia", "child"])
def test_oracle_pc_recovers_skeleton_and_v_structures(name):
    dag = _true_dag(name)
    nodes = sorted(dag.nodes())
    skeleton, n_tests = skeleton_search(nodes, _oracle(dag, nodes), alpha=0.5)
    assert set(map(frozenset, skeleton.edges())) == set(map(frozenset, dag.edges()))
    assert n_tests > 0
    for pair, sepset in skeleton.graph["sepsets"].items():
        a, b = sorted(pair)
        assert nx.is_d_separator(dag, {a}, {b}, set(sepset))
    cpdag = orient_cpdag(skeleton)
    assert _v_structures(cpdag) == _v_structures(dag)
    # Every directed edge of the CPDAG has the true direction (compelled edges).
    for a, b in cpdag.edges():
        if not cpdag.has_edge(b, a):
            assert dag.has_edge(a, b)
    extension = cpdag_to_dag(cpdag)
    assert nx.is_directed_acyclic_graph(extension)
    assert set(map(frozenset, extension.edges())) == set(map(frozenset, dag.edges()))
    assert _v_structures(extension) == _v_structures(dag)


def test_result_does_not_depend_on_node_order():
    dag = _true_dag("asia")
    nodes = sorted(dag.nodes())
    first, _ = skeleton_search(nodes, _oracle(dag, nodes), alpha=0.5)
    cpdag = orient_cpdag(first)
    # Same graph built with nodes inserted in another order.
    shuffled = nx.Graph()
    shuffled.add_nodes_from(reversed(list(first.nodes())))
    shuffled.add_edges_from(reversed(list(first.edges())))
    shuffled.graph["sepsets"] = first.graph["sepsets"]
    assert set(orient_cpdag(shuffled).edges()) == set(cpdag.edges())


def test_max_cond_size_stops_early():
    dag = _true_dag("asia")
    nodes = sorted(dag.nodes())
    level0, _ = skeleton_search(nodes, _oracle(dag, nodes), alpha=0.5, max_cond_size=0)
    full, _ = skeleton_search(nodes, _oracle(dag, nodes), alpha=0.5)
    assert level0.number_of_edges() > full.number_of_edges()


def test_collider_is_oriented_and_chain_is_not():
    skeleton = nx.Graph([("a", "c"), ("b", "c"), ("c", "d")])
    skeleton.graph["sepsets"] = {
        frozenset(("a", "b")): (),
        frozenset(("a", "d")): ("c",),
        frozenset(("b", "d")): ("c",),
    }
    cpdag = orient_cpdag(skeleton)
    assert cpdag.has_edge("a", "c") and not cpdag.has_edge("c", "a")
    # Meek rule 1: a -> c - d with a, d not adjacent gives c -> d.
    assert cpdag.has_edge("c", "d") and not cpdag.has_edge("d", "c")


def test_cpdag_to_dag_keeps_attributes_and_handles_bare_edges():
    pdag = nx.DiGraph()
    pdag.add_edge("a", "b", mi=0.5)
    pdag.add_edge("b", "a", mi=0.5)
    pdag.add_edge("c", "b")  # no attributes at all
    dag = cpdag_to_dag(pdag)
    assert dag.has_edge("c", "b")
    assert [d for _, _, d in dag.edges(data=True) if d] == [{"mi": 0.5}]


def test_cpdag_to_dag_rejects_directed_cycles():
    with pytest.raises(InvalidInputError, match="directed cycle"):
        cpdag_to_dag(nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a")]))


def test_pc_keeps_the_edges_of_a_deterministic_node():
    # either = tub OR lung: given tub and lung, every test on either has G = 0.
    example = sample_network("asia", 5000, seed=0)
    skeleton = pc_skeleton(example.data)
    assert skeleton.has_edge("either", "xray") and skeleton.has_edge("either", "dysp")
    assert skeleton.has_edge("either", "lung") and skeleton.has_edge("either", "tub")


def test_pc_on_alarm_finds_the_skeleton_and_orients_it():
    example = sample_network("alarm", 10_000, seed=2)
    cpdag = pc(example.data)
    metrics = structure_metrics(cpdag, example.graph)
    assert metrics.skeleton_f1 >= 0.95
    assert metrics.arrowhead_precision >= 0.9
    assert cpdag.graph["n_tests"] > 666  # level 0 alone is 666 tests


def test_pc_does_not_depend_on_column_order():
    data = sample_network("child", 2000, seed=0).data
    forward = pc_skeleton(data)
    backward = pc_skeleton(data[data.columns[::-1]])
    assert set(map(frozenset, forward.edges())) == set(map(frozenset, backward.edges()))
    assert forward.graph["sepsets"] == backward.graph["sepsets"]


def test_pc_with_the_permutation_test_does_not_depend_on_column_order():
    # Each test's random stream is keyed by its columns: the same draws in either order.
    data = sample_network("child", 2000, seed=0).data
    options = dict(ci_test="permutation", n_permutations=200, seed=3)
    forward = pc_skeleton(data, **options)
    backward = pc_skeleton(data[data.columns[::-1]], **options)
    assert forward.graph["sepsets"] == backward.graph["sepsets"]
    assert forward.graph["sepset_pvalues"] == backward.graph["sepset_pvalues"]
    assert {frozenset((a, b)): p for a, b, p in forward.edges(data="pvalue")} == {
        frozenset((a, b)): p for a, b, p in backward.edges(data="pvalue")
    }


def test_pc_rejects_bad_options():
    data = sample_network("asia", 100, seed=0).data
    with pytest.raises(InvalidInputError, match="alpha"):
        pc_skeleton(data, alpha=1.5)
    with pytest.raises(InvalidInputError, match="max_cond_size"):
        pc_skeleton(data, max_cond_size=-1)
    with pytest.raises(InvalidInputError, match="two columns"):
        pc_skeleton(data[["asia"]])


def test_conflicting_v_structures_never_close_a_cycle():
    # Three v-structures that would orient a -> c -> d -> a.
    skeleton = nx.Graph([("a", "c"), ("b", "c"), ("c", "d"), ("e", "d"), ("d", "a"), ("f", "a")])
    skeleton.graph["sepsets"] = {
        frozenset(("a", "b")): (),
        frozenset(("c", "e")): (),
        frozenset(("d", "f")): (),
        frozenset(("b", "d")): ("c",),
        frozenset(("b", "e")): (),
        frozenset(("b", "f")): (),
        frozenset(("c", "f")): ("a",),
        frozenset(("e", "a")): ("d",),
        frozenset(("e", "f")): (),
    }
    cpdag = orient_cpdag(skeleton)
    directed = nx.DiGraph((a, b) for a, b in cpdag.edges() if not cpdag.has_edge(b, a))
    assert nx.is_directed_acyclic_graph(directed)
    assert nx.is_directed_acyclic_graph(cpdag_to_dag(cpdag))


def test_pc_on_insurance_extends_to_a_dag():
    data = sample_network("insurance", 10_000, seed=0).data
    assert nx.is_directed_acyclic_graph(cpdag_to_dag(pc(data)))
