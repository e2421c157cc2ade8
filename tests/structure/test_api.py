"""Issue 13: every learner runs from ``mistruct.structure`` under the one set of names."""

import inspect
import tempfile
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import mistruct.structure as structure
from mistruct.exceptions import InvalidInputError
from mistruct.structure import (
    aracne,
    chow_liu_forest,
    chow_liu_tree,
    cpdag_to_dag,
    dpi_check,
    learn_skeleton,
    markov_chain_check,
    pc,
    pc_skeleton,
    read_graph,
    structure_metrics,
    tan,
    write_graph,
)


@pytest.fixture(scope="module")
def chain():
    """a -> b -> c (strong links), d independent; 2000 rows of small integers."""
    rng = np.random.default_rng(0)
    n = 2000
    a = rng.integers(0, 3, n)
    b = np.where(rng.random(n) < 0.15, rng.integers(0, 3, n), a)
    c = np.where(rng.random(n) < 0.15, rng.integers(0, 3, n), b)
    d = rng.integers(0, 2, n)
    return pd.DataFrame({"a": a, "b": b, "c": c, "d": d})


CHAIN = {frozenset("ab"), frozenset("bc")}


def skeleton_of(graph) -> set:
    return {frozenset(edge) for edge in graph.edges()}


def test_every_public_name_is_a_function_or_class_not_a_module():
    for name in structure.__all__:
        value = getattr(structure, name)
        assert not inspect.ismodule(value), name
    assert structure.__all__ == sorted(structure.__all__)


def test_every_learner_runs_from_the_package(chain):
    assert skeleton_of(pc(chain)) == CHAIN
    assert skeleton_of(pc_skeleton(chain)) == CHAIN
    assert skeleton_of(chow_liu_tree(chain)) >= CHAIN
    assert skeleton_of(chow_liu_forest(chain)) == CHAIN
    assert skeleton_of(aracne(chain, mi_threshold=0.01)) == CHAIN
    assert skeleton_of(learn_skeleton(chain, "pc")) == CHAIN
    model = tan(chain, "d")
    assert set(model.successors("d")) == {"a", "b", "c"}
    dag = cpdag_to_dag(pc(chain))
    assert nx.is_directed_acyclic_graph(dag) and skeleton_of(dag) == CHAIN


def test_the_checks_and_metrics_run_from_the_package(chain):
    truth = nx.DiGraph([("a", "b"), ("b", "c")])
    truth.add_node("d")
    report = dpi_check(truth, chain)
    assert report[["x", "y", "z"]].values.tolist() == [["a", "b", "c"]]
    assert not report["violation"].any()
    assert markov_chain_check(chain, ["a", "b", "c"])["violation"].sum() == 0
    assert markov_chain_check(chain, ["b", "a", "c"])["violation"].any()
    metrics = structure_metrics(pc_skeleton(chain), truth)
    assert metrics.skeleton_f1 == 1.0


def test_graphs_round_trip_through_the_package(chain):
    forest = chow_liu_forest(chain)
    with tempfile.TemporaryDirectory() as folder:
        path = write_graph(forest, Path(folder) / "forest.graphml")
        back = read_graph(path)
    assert skeleton_of(back) == skeleton_of(forest)


def test_one_name_per_idea_in_the_learners():
    banned = {"z", "test", "knn_permutations", "k_perm", "random_state", "significance_level",
              "workers", "method"}
    for name in structure.__all__:
        value = getattr(structure, name)
        if not callable(value) or inspect.isclass(value):
            continue
        parameters = inspect.signature(value).parameters
        assert not banned & set(parameters), name
        assert all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in parameters.values()), name
    assert list(inspect.signature(learn_skeleton).parameters)[:2] == ["data", "algorithm"]
    # pc lists the parameters of pc_skeleton, by name, with the same defaults, plus
    # its orientation rule (issue 15).
    of_pc = dict(inspect.signature(pc).parameters)
    assert of_pc.pop("orientation").default == "majority"
    assert of_pc == dict(inspect.signature(pc_skeleton).parameters)


def test_ci_test_and_n_permutations_reach_every_learner(chain):
    # ci_test= names the test in PC, the forest and the checks alike.
    for run in (
        lambda: pc_skeleton(chain, ci_test="permutation", n_permutations=99),
        lambda: chow_liu_forest(chain, ci_test="permutation", n_permutations=99),
        lambda: learn_skeleton(chain, "pc", ci_test="permutation", n_permutations=99),
    ):
        assert skeleton_of(run()) == CHAIN
    report = dpi_check(nx.Graph([("a", "b"), ("b", "c")]), chain, ci_test="sequential")
    assert report["pvalue"].between(0, 1).all()
    for bad in ({"ci_test": "chi"}, {"n_permutations": 0}, {"n_permutations": True}):
        with pytest.raises(InvalidInputError, match=next(iter(bad))):
            pc_skeleton(chain, **bad)
        with pytest.raises(InvalidInputError, match=next(iter(bad))):
            chow_liu_forest(chain, **bad)


def test_learn_skeleton_names_an_option_of_another_algorithm_before_work(chain):
    with pytest.raises(InvalidInputError, match="does not take max_cond_size"):
        learn_skeleton(chain, "aracne", max_cond_size=1)
    with pytest.raises(InvalidInputError, match="does not take mi_threshold"):
        learn_skeleton(chain, "chow-liu-forest", mi_threshold=0.1)
    # The same values as the learner itself.
    assert skeleton_of(learn_skeleton(chain, "pc", max_cond_size=1)) == skeleton_of(
        pc_skeleton(chain, max_cond_size=1)
    )


def test_a_registered_test_runs_in_every_learner_by_name_or_object(chain):
    import dataclasses

    from mistruct.independence import ci_test, get_ci_test, register_ci_test, unregister_ci_test

    calls = []

    def run(frame, queries, context):
        calls.append(len(queries))
        return [
            dataclasses.replace(
                ci_test(frame, x, y, list(given), method="g-test-adjusted", alpha=context.alpha),
                method="toy-g",
            )
            for x, y, given in queries
        ]

    register_ci_test("toy-g", run, kinds={"discrete"}, summary="the adjusted G-test, renamed")
    try:
        reference = pc_skeleton(chain, ci_test="g-test-adjusted")
        assert skeleton_of(pc_skeleton(chain, ci_test="toy-g")) == skeleton_of(reference)
        assert skeleton_of(pc(chain, ci_test=get_ci_test("toy-g"))) == skeleton_of(reference)
        assert skeleton_of(chow_liu_forest(chain, ci_test="toy-g")) == CHAIN
        report = dpi_check(nx.Graph([("a", "b"), ("b", "c")]), chain, ci_test="toy-g")
        expected = dpi_check(nx.Graph([("a", "b"), ("b", "c")]), chain, ci_test="g-test-adjusted")
        assert report["pvalue"].to_numpy() == pytest.approx(expected["pvalue"].to_numpy())
        assert calls  # the learners ran the registered test, not a stand-in
    finally:
        unregister_ci_test("toy-g")
    with pytest.raises(InvalidInputError, match="ci_test"):
        pc_skeleton(chain, ci_test="toy-g")
