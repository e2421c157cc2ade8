"""Orientation of PC's skeleton (issue 15, item 5): the rules, their priority, column order."""

import itertools

import networkx as nx
import numpy as np
import pytest

from mistruct.exceptions import InvalidInputError
from mistruct.interop.datasets import load_network, sample_network
from mistruct.structure import pc
from mistruct.structure._pc import ORIENTATIONS, orient_cpdag, skeleton_search


def _arcs(graph):
    return set(graph.edges())


def _shuffled_copy(skeleton, seed):
    """The same skeleton with nodes, edges and graph dictionaries in another order."""
    rng = np.random.default_rng(seed)
    nodes = list(skeleton.nodes())
    edges = list(skeleton.edges(data=True))
    rng.shuffle(nodes)
    rng.shuffle(edges)
    copy = nx.Graph()
    copy.add_nodes_from(nodes)
    copy.add_edges_from((b, a, d) if rng.random() < 0.5 else (a, b, d) for a, b, d in edges)
    for key, value in skeleton.graph.items():
        if isinstance(value, dict):
            items = list(value.items())
            rng.shuffle(items)
            value = dict(items)
        copy.graph[key] = value
    return copy


def _triple(sets, **extra):
    """a - c - b, a and b nonadjacent, separated by ``sets`` at their level."""
    skeleton = nx.Graph([("a", "c"), ("b", "c")])
    pair = frozenset(("a", "b"))
    skeleton.graph["sepsets"] = {pair: sets[0]}
    skeleton.graph["all_sepsets"] = {pair: tuple((s, 0.5) for s in sets)}
    skeleton.graph.update(extra)
    return skeleton


def _is_collider(cpdag):
    return _arcs(cpdag) == {("a", "c"), ("b", "c")}


def _is_undirected(cpdag):
    return _arcs(cpdag) == {("a", "c"), ("c", "a"), ("b", "c"), ("c", "b")}


def test_majority_and_conservative_weigh_every_separating_set_of_the_level():
    # c in one of three sets: a minority -> a collider by majority, ambiguous by
    # the conservative rule; the first set found (which holds c) says no collider.
    skeleton = _triple([("c", "d"), ("d", "e"), ("e", "f")])
    assert _is_collider(orient_cpdag(skeleton, orientation="majority"))
    conservative = orient_cpdag(skeleton, orientation="conservative")
    assert _is_undirected(conservative)
    assert conservative.graph["ambiguous_triples"] == [("a", "c", "b")]
    assert _is_undirected(orient_cpdag(skeleton, orientation="sepset"))


@pytest.mark.parametrize(
    ("sets", "majority", "conservative"),
    [
        ([("d",), ("e",)], "collider", "collider"),  # c in none
        ([("c",), ("c", "d")], "chain", "chain"),  # c in all
        ([("c",), ("d",)], "ambiguous", "ambiguous"),  # exactly half
        ([("c",), ("c", "d"), ("e",)], "chain", "ambiguous"),  # c in most
    ],
)
def test_the_rules_on_each_share_of_sets_holding_the_middle(sets, majority, conservative):
    for rule, expected in (("majority", majority), ("conservative", conservative)):
        cpdag = orient_cpdag(_triple(sets), orientation=rule)
        if expected == "collider":
            assert _is_collider(cpdag)
        else:
            assert _is_undirected(cpdag)
            assert bool(cpdag.graph["ambiguous_triples"]) == (expected == "ambiguous")


def test_an_ambiguous_triple_does_not_feed_meeks_first_rule():
    # w -> x from the collider w -> x <- v; x - y with w, y nonadjacent would give
    # x -> y by rule 1, unless w - x - y is ambiguous.
    skeleton = nx.Graph([("w", "x"), ("v", "x"), ("x", "y")])
    skeleton.graph["sepsets"] = {
        frozenset(("w", "v")): (),
        frozenset(("w", "y")): ("x",),
        frozenset(("v", "y")): ("x",),
    }
    skeleton.graph["all_sepsets"] = {
        frozenset(("w", "v")): (((), 0.9),),
        frozenset(("w", "y")): ((("x",), 0.9), (("u",), 0.9)),  # x in one of two
        frozenset(("v", "y")): ((("x",), 0.9),),
    }
    cpdag = orient_cpdag(skeleton, orientation="majority")
    assert ("w", "x") in _arcs(cpdag) and ("x", "w") not in _arcs(cpdag)
    # v - x - y is a clear non-collider, so rule 1 from v -> x orients x -> y anyway.
    assert ("x", "y") in _arcs(cpdag) and ("y", "x") not in _arcs(cpdag)
    skeleton.graph["all_sepsets"][frozenset(("v", "y"))] = ((("x",), 0.9), (("u",), 0.9))
    cpdag = orient_cpdag(skeleton, orientation="majority")
    assert {("x", "y"), ("y", "x")} <= _arcs(cpdag)  # both triples ambiguous: undecided


def _conflict(strengths):
    # Colliders a -> c <- d and c -> d <- e disagree about c - d.
    skeleton = nx.Graph([("a", "c"), ("c", "d"), ("d", "e")])
    skeleton.graph["sepsets"] = {
        frozenset(("a", "d")): (),
        frozenset(("c", "e")): (),
        frozenset(("a", "e")): (),
    }
    skeleton.graph["collider_pvalues"] = strengths
    return orient_cpdag(skeleton)


def test_conflicting_colliders_are_settled_by_their_pvalues():
    # The collider with the smaller p-value (c makes its ends dependent more clearly) wins.
    first = _conflict({("a", "c", "d"): 1e-6, ("c", "d", "e"): 0.01})
    assert {("a", "c"), ("d", "c")} <= _arcs(first) and ("c", "d") not in _arcs(first)
    second = _conflict({("a", "c", "d"): 0.01, ("c", "d", "e"): 1e-6})
    assert {("c", "d"), ("e", "d")} <= _arcs(second) and ("d", "c") not in _arcs(second)
    # Without p-values: sorted node order, as before.
    assert _arcs(_conflict({})) == _arcs(first)


def test_unknown_orientation_is_refused():
    with pytest.raises(InvalidInputError, match="orientation"):
        orient_cpdag(nx.Graph(), orientation="first")
    with pytest.raises(InvalidInputError, match="orientation"):
        pc(sample_network("asia", 100, seed=0).data, orientation="pvalue")


def _oracle(dag, nodes):
    def test_batch(queries):
        pvalues = [
            1.0 if nx.is_d_separator(dag, {nodes[i]}, {nodes[j]}, {nodes[k] for k in s}) else 0.0
            for i, j, s in queries
        ]
        return pvalues, [0.0] * len(queries)

    return test_batch


@pytest.mark.parametrize("rule", ORIENTATIONS)
def test_every_rule_finds_the_true_v_structures_with_a_perfect_test(rule):
    model = load_network("child")
    dag = nx.DiGraph(model.edges())
    nodes = sorted(dag.nodes())
    skeleton, _ = skeleton_search(
        nodes, _oracle(dag, nodes), alpha=0.5, all_sepsets=True, collider_tests=True
    )
    cpdag = orient_cpdag(skeleton, orientation=rule)
    assert not cpdag.graph["ambiguous_triples"]
    for a, b in cpdag.edges():
        if not cpdag.has_edge(b, a):
            assert dag.has_edge(a, b)
    colliders = {
        (a, c, b)
        for c in dag.nodes()
        for a, b in itertools.combinations(sorted(dag.predecessors(c)), 2)
        if not (dag.has_edge(a, b) or dag.has_edge(b, a))
    }
    found = {
        (a, c, b)
        for c in cpdag.nodes()
        for a, b in itertools.combinations(
            sorted(p for p in cpdag.predecessors(c) if not cpdag.has_edge(c, p)), 2
        )
        if not (cpdag.has_edge(a, b) or cpdag.has_edge(b, a))
    }
    assert found == colliders


# ---------------------------------------------------------------- column order (Done when)


@pytest.mark.parametrize("rule", ORIENTATIONS)
def test_orientation_does_not_depend_on_the_order_of_the_graph(rule):
    example = sample_network("insurance", 3000, seed=3)
    from mistruct.structure import _pc as module

    assert module.COLLIDER_PRIORITY
    skeleton = nx.Graph(pc(example.data, alpha=0.05, ci_test="g-test-adjusted"))
    assert skeleton.graph["collider_pvalues"]  # the p-value priorities in play too
    # Real data: conflicts, ambiguous triples and p-value priorities all occur.
    reference = orient_cpdag(skeleton, orientation=rule)
    for seed in range(3):
        again = orient_cpdag(_shuffled_copy(skeleton, seed), orientation=rule)
        assert _arcs(again) == _arcs(reference)
        assert again.graph["ambiguous_triples"] == reference.graph["ambiguous_triples"]


def test_pc_does_not_depend_on_column_order():
    example = sample_network("child", 3000, seed=1)
    frame = example.data
    # The asymptotic test keeps this quick; the default test's draws are keyed by the
    # query's labels (tests/structure/test_pc.py checks its skeleton).
    reference = pc(frame, alpha=0.05, ci_test="g-test-adjusted")
    assert reference.graph["all_sepsets"]  # the majority rule had several sets to weigh
    rng = np.random.default_rng(7)
    for _ in range(2):
        columns = list(frame.columns)
        rng.shuffle(columns)
        again = pc(frame[columns], alpha=0.05, ci_test="g-test-adjusted")
        assert _arcs(again) == _arcs(reference)
        assert again.graph["sepsets"] == reference.graph["sepsets"]
        assert again.graph["ambiguous_triples"] == reference.graph["ambiguous_triples"]
