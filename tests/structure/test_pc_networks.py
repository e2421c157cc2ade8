"""PC at scale (issue 15): batched levels, lazy candidate sets, the no-evidence rule."""

import hashlib
import itertools
import math

import networkx as nx
import numpy as np
import pytest

from mistruct.exceptions import InvalidInputError
from mistruct.interop.datasets import load_network, sample_network
from mistruct.structure import pc_skeleton
from mistruct.structure._pc import _candidate_sets, _count_candidate_sets, skeleton_search


def _true_dag(name):
    model = load_network(name)
    graph = nx.DiGraph(model.edges())
    graph.add_nodes_from(model.nodes())
    return graph


def _oracle(dag, nodes, calls=None):
    def test_batch(queries):
        if calls is not None:
            calls.append(len(queries))
        pvalues = [
            1.0 if nx.is_d_separator(dag, {nodes[i]}, {nodes[j]}, {nodes[k] for k in s}) else 0.0
            for i, j, s in queries
        ]
        return np.array(pvalues), np.zeros(len(queries))

    return test_batch


def _noisy(calls=None):
    """A made-up tester: p-values and no-evidence flags keyed by the query's content."""

    def test_batch(queries):
        if calls is not None:
            calls.append(len(queries))
        pvalues, flags = [], []
        for i, j, s in queries:
            digest = hashlib.sha256(repr((i, j, tuple(s))).encode()).digest()
            u = int.from_bytes(digest[:8], "big") / 2**64
            pvalues.append(u**3)  # mostly small: edges survive a few levels
            flags.append(digest[8] < 20)  # ~8% of the tests carry no evidence
        return pvalues, [1.0 - p for p in pvalues], flags

    return test_batch


def _same_result(first, second):
    assert set(map(frozenset, first.edges())) == set(map(frozenset, second.edges()))
    for key in ("sepsets", "sepset_reasons"):
        assert first.graph[key] == second.graph[key]
    for pair, value in first.graph["sepset_pvalues"].items():
        other = second.graph["sepset_pvalues"][pair]
        assert (math.isnan(value) and math.isnan(other)) or value == other
    for a, b, data in first.edges(data=True):
        other = second.edges[a, b]
        assert data.get("no_evidence") == other.get("no_evidence")
        assert (math.isnan(data["pvalue"]) and math.isnan(other["pvalue"])) or (
            data["pvalue"] == other["pvalue"]
        )


# ---------------------------------------------------------------- batch="level" (item 1)


@pytest.mark.parametrize("name", ["asia", "child"])
def test_level_batches_give_the_round_result_in_one_call_per_level(name):
    dag = _true_dag(name)
    nodes = sorted(dag.nodes())
    round_calls, level_calls = [], []
    by_round, n_round = skeleton_search(nodes, _oracle(dag, nodes, round_calls), alpha=0.5)
    by_level, n_level = skeleton_search(
        nodes, _oracle(dag, nodes, level_calls), alpha=0.5, batch="level"
    )
    _same_result(by_round, by_level)
    assert set(map(frozenset, by_level.edges())) == set(map(frozenset, dag.to_undirected().edges()))
    # One call per level, levels 0 .. max_level.
    assert len(level_calls) == by_level.graph["max_level"] + 1 < len(round_calls)
    assert n_level == sum(level_calls) >= n_round == sum(round_calls)


def test_level_batches_keep_pc_stable_semantics_with_no_evidence_and_chunks():
    nodes = [f"x{k}" for k in range(9)]
    by_round, _ = skeleton_search(nodes, _noisy(), alpha=0.05)
    calls = []
    by_level, n_tests = skeleton_search(
        nodes, _noisy(calls), alpha=0.05, batch="level", chunk_size=7
    )
    _same_result(by_round, by_level)
    assert max(calls) <= 7 and sum(calls) == n_tests
    assert "no evidence" in by_level.graph["sepset_reasons"].values()  # the rule was exercised


def test_level_batches_record_every_separating_set_of_the_level():
    dag = _true_dag("child")
    nodes = sorted(dag.nodes())
    by_level, _ = skeleton_search(nodes, _oracle(dag, nodes), alpha=0.5, batch="level")
    by_round, _ = skeleton_search(nodes, _oracle(dag, nodes), alpha=0.5, all_sepsets=True)
    found = by_level.graph["all_sepsets"]
    # Rounds complete the record of the pairs orientation reads (those with a common
    # neighbour); for the others they keep what they found, a prefix of it.
    for pair, sets in by_round.graph["all_sepsets"].items():
        a, b = pair
        if set(by_round.neighbors(a)) & set(by_round.neighbors(b)):
            assert sets == found[pair]
        else:
            assert sets == found[pair][: len(sets)]
    assert set(found) == set(by_level.graph["sepsets"])
    for pair, sets in found.items():
        a, b = sorted(pair)
        # The kept separating set is the first of them; each one separates.
        assert sets[0][0] == by_level.graph["sepsets"][pair]
        assert len({len(s) for s, _ in sets}) == 1  # all from the level the edge went
        for subset, pvalue in sets:
            assert pvalue == 1.0 and nx.is_d_separator(dag, {a}, {b}, set(subset))
    assert any(len(sets) > 1 for sets in found.values())


def test_batch_must_be_a_known_mode():
    with pytest.raises(InvalidInputError, match="batch"):
        skeleton_search(["a", "b"], _noisy(), alpha=0.05, batch="all")


def test_level_batches_on_real_counts_match_rounds():
    example = sample_network("alarm", 2000, seed=1)
    from mistruct.structure import _pc as module

    results = {}
    original = module.skeleton_search

    def run(batch):
        def patched(*args, **kwargs):
            return original(*args, batch=batch, **kwargs)

        module.skeleton_search = patched
        try:
            results[batch] = pc_skeleton(example.data, alpha=0.05)
        finally:
            module.skeleton_search = original

    run("round")
    run("level")
    _same_result(results["round"], results["level"])


# ---------------------------------------------------------------- candidate sets (item 4)


def test_candidate_sets_are_lazy_and_linear():
    # The reproducer (a list of the sets seen made it take 7 s): a generator,
    # the sets made only as the search asks for them, each once.
    generated = _candidate_sets(list(range(20)), list(range(20, 40)), 5)
    assert next(generated) == (0, 1, 2, 3, 4)
    sets = [(0, 1, 2, 3, 4), *generated]
    assert len(sets) == 2 * math.comb(20, 5) == len(set(sets))


@pytest.mark.parametrize("size", [0, 1, 2, 3])
def test_candidate_sets_match_the_union_of_both_pools(size):
    pool_i, pool_j = [0, 2, 3, 5, 7], [1, 2, 5, 8]
    sets = list(_candidate_sets(pool_i, pool_j, size))
    expected = set(itertools.combinations(pool_i, size)) | set(
        itertools.combinations(pool_j, size)
    )
    assert len(sets) == len(set(sets)) == len(expected) == _count_candidate_sets(
        pool_i, pool_j, size
    )
    assert set(sets) == expected
    # adj(i)'s sets first, each pool in lexicographic order.
    assert sets[: math.comb(len(pool_i), size)] == list(itertools.combinations(pool_i, size))
