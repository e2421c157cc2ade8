"""PC on real tables: no evidence, constant columns, column kinds, the Gaussian test on
integers, n_jobs, the time budget, the progress bar, and cpdag_to_dag without an extension.

Regression tests for issue 11 items 1, 4, 5 and issue 12 items 4 and 10.
"""

import itertools
import math
import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from mistruct.exceptions import InvalidInputError
from mistruct.structure._pc import (
    ConstantColumnWarning,
    IncompleteSearchWarning,
    cpdag_to_dag,
    pc,
    pc_skeleton,
    skeleton_search,
)

DATA = Path(__file__).parents[1] / "fixtures"


def _mtcars():
    return pd.read_csv(DATA / "mtcars.csv").drop(columns="model")


def _edges(graph):
    return {frozenset(edge) for edge in graph.edges()}


# ---------------------------------------------------------------- constant columns (issue 12, 4)


def test_constant_columns_beside_independent_binaries_give_no_edges():
    # The reproducer: 4 constant columns beside 12 independent binary ones gave 56 edges.
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"b{i}": rng.integers(0, 2, 400) for i in range(12)})
    assert pc_skeleton(frame).number_of_edges() == 0  # these data: no false positive
    for i in range(4):
        frame[f"const{i}"] = 1
    with pytest.warns(ConstantColumnWarning, match="const0"):
        skeleton = pc_skeleton(frame)
    assert skeleton.number_of_edges() == 0
    assert skeleton.graph["constant_columns"] == [f"const{i}" for i in range(4)]
    assert skeleton.graph["sepsets"][frozenset(("b0", "const0"))] == ()


def test_constant_column_is_isolated_but_dependences_stay():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, 500)
    frame = pd.DataFrame({"a": a, "b": a ^ (rng.random(500) < 0.1), "k": 7})
    with pytest.warns(ConstantColumnWarning):
        skeleton = pc_skeleton(frame)
    assert _edges(skeleton) == {frozenset(("a", "b"))}
    assert skeleton.degree("k") == 0


def test_constant_float_column_is_isolated_with_the_knn_test():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(150)
    frame = pd.DataFrame({"x": x, "y": x + 0.3 * rng.standard_normal(150), "c": 2.5})
    with pytest.warns(ConstantColumnWarning):
        skeleton = pc_skeleton(frame, seed=0)
    assert _edges(skeleton) == {frozenset(("x", "y"))}


def test_a_single_row_gives_isolated_nodes():
    frame = pd.DataFrame({"a": [1], "b": [0], "c": ["u"]})
    with pytest.warns(ConstantColumnWarning):
        skeleton = pc_skeleton(frame)
    assert skeleton.number_of_edges() == 0 and set(skeleton.nodes()) == {"a", "b", "c"}


# ---------------------------------------------------------------- no evidence (issue 11, 4)


def test_no_evidence_keeps_the_edge_without_a_made_up_pvalue():
    # b copies a, so a test of a - y given b (or b - y given a) has no informative stratum.
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, 400)
    frame = pd.DataFrame({"a": a, "b": a, "y": a ^ (rng.random(400) < 0.2)})
    skeleton = pc_skeleton(frame)
    assert _edges(skeleton) == {frozenset(p) for p in (("a", "b"), ("a", "y"), ("b", "y"))}
    data = skeleton.edges["a", "y"]
    assert data["no_evidence"] is True
    # Not the 0 once put in place of the meaningless p-value: none is shown.
    assert math.isnan(data["pvalue"])
    assert "no_evidence" not in skeleton.edges["a", "b"]
    assert 0 < skeleton.edges["a", "b"]["pvalue"] < 1e-6


def test_an_edge_whose_tests_at_a_level_all_had_no_evidence_goes_marked_as_such():
    # Issue 15, item 4: no evidence is evidence neither way, so it no longer keeps the
    # edge; the edge goes for want of evidence, and nothing calls it independent.
    def test_batch(queries):
        return [1.0] * len(queries), [0.0] * len(queries), [True] * len(queries)

    skeleton, n_tests = skeleton_search(["a", "b"], test_batch, alpha=0.05)
    assert n_tests == 1 and not skeleton.has_edge("a", "b")
    pair = frozenset(("a", "b"))
    assert skeleton.graph["sepset_reasons"][pair] == "no evidence"
    assert math.isnan(skeleton.graph["sepset_pvalues"][pair])


# ---------------------------------------------------------------- column kinds (issue 11, 1)


def test_many_level_integer_column_is_tested_as_a_number():
    # 60 rows, x an integer measurement with ~50 levels: read as categories every
    # stratum is a singleton (no evidence); read as a number the dependence is clear.
    rng = np.random.default_rng(0)
    x = rng.integers(0, 50, 60)
    frame = pd.DataFrame({"x": x, "y": x + rng.normal(0, 5, 60)})
    auto = pc_skeleton(frame, seed=0)
    assert auto.has_edge("x", "y") and auto.edges["x", "y"]["pvalue"] <= 0.05
    assert "no_evidence" not in auto.edges["x", "y"]
    # The override is honoured: as 50 x 40 categories in 60 rows the discrete test
    # cannot see the dependence.
    forced = pc_skeleton(frame.assign(y=np.round(frame["y"]).astype(int)), discrete=["x", "y"])
    assert not forced.has_edge("x", "y")
    assert forced.graph["sepset_pvalues"][frozenset(("x", "y"))] > 0.05


def test_mtcars_hp_is_numeric_and_dependent_on_mpg():
    # hp (22 levels in 32 rows) was read as categories: singleton strata, p = 1,
    # and PC left it isolated.  Now it is continuous and its level-0 tests see r = -0.78.
    cars = _mtcars()
    level0 = pc_skeleton(cars, seed=0, max_cond_size=0)
    assert level0.has_edge("hp", "mpg") and level0.edges["hp", "mpg"]["pvalue"] <= 0.01
    # With the Gaussian test (every numeric column, integers included) hp keeps an edge.
    gaussian = pc_skeleton(cars, ci_test="gaussian")
    assert gaussian.degree("hp") >= 1
    # Forced discrete (22 x 25 categories in 32 rows) the dependence is out of sight again.
    forced = pc_skeleton(cars[["hp", "mpg"]], discrete=["hp", "mpg"])
    assert not forced.has_edge("hp", "mpg")


# ---------------------------------------------------------------- the Gaussian test (issue 11, 5)


def test_gaussian_pc_takes_integer_only_queries():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 3, 300)
    frame = pd.DataFrame({"a": a, "b": a + rng.integers(0, 2, 300), "c": rng.integers(0, 4, 300)})
    skeleton = pc_skeleton(frame, ci_test="gaussian")
    assert _edges(skeleton) == {frozenset(("a", "b"))}


def test_gaussian_pc_names_the_text_columns_in_plain_words():
    # palmerpenguins' table, as shipped under tests/fixtures (see its README).
    penguins = pd.read_csv(Path(__file__).parents[1] / "fixtures" / "penguins_complete.csv")
    with pytest.raises(InvalidInputError) as error:
        pc_skeleton(penguins, ci_test="gaussian")
    message = str(error.value)
    assert "species" in message and "sex" in message and "numeric" in message
    assert "mistruct." not in message and "()" not in message and "=" not in message


# ---------------------------------------------------------------- speed options (issue 11, 4)


def _mixed_table(n=120, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(n)
    b = np.sin(2 * a) + 0.3 * rng.standard_normal(n)
    c = b**2 + 0.3 * rng.standard_normal(n)
    g = np.where(c > np.median(c), "hi", "lo")
    return pd.DataFrame({"a": a, "b": b, "c": c, "g": g, "d": rng.standard_normal(n)})


def test_n_jobs_gives_the_same_skeleton_and_pvalues():
    frame = _mixed_table()
    one = pc_skeleton(frame, seed=3, n_jobs=1)
    two = pc_skeleton(frame, seed=3, n_jobs=2)
    assert list(one.edges(data=True)) == list(two.edges(data=True))
    assert one.graph["sepsets"] == two.graph["sepsets"]
    assert one.graph["sepset_pvalues"] == two.graph["sepset_pvalues"]


def test_max_time_returns_the_current_skeleton_marked_incomplete():
    frame = _mixed_table()
    with pytest.warns(IncompleteSearchWarning, match="max_time"):
        cut = pc_skeleton(frame, seed=0, max_time=1e-9)
    assert cut.graph["complete"] is False
    # Nothing was tested, so nothing was removed.
    assert cut.number_of_edges() == len(list(itertools.combinations(frame.columns, 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", IncompleteSearchWarning)
        full = pc_skeleton(frame, seed=0, max_time=3600)
    assert full.graph["complete"] is True
    with pytest.raises(InvalidInputError, match="max_time"):
        pc_skeleton(frame, max_time=-1)
    with pytest.raises(InvalidInputError, match="n_jobs"):
        pc_skeleton(frame, n_jobs=0)


class _Bar:
    """A tqdm stand-in that records what PC shows."""

    def __init__(self):
        self.n, self.total, self.shown = 0, None, []

    def set_description(self, text):
        self.shown.append(text)

    def reset(self, total=None):
        self.n, self.total = 0, total

    def update(self, k):
        self.n += k
        assert self.total is None or self.n <= self.total

    def refresh(self):
        pass


def test_progress_shows_the_level_and_its_tests_out_of_a_total():
    nodes = list("abcd")
    chain = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])

    def oracle(queries):
        return [
            1.0 if nx.is_d_separator(chain, {nodes[i]}, {nodes[j]}, {nodes[k] for k in s}) else 0.0
            for i, j, s in queries
        ], [0.0] * len(queries)

    bar = _Bar()
    skeleton, n_tests = skeleton_search(nodes, oracle, alpha=0.5, progress=bar)
    assert bar.shown[:2] == ["PC level 0", "PC level 1"]
    assert _edges(skeleton) == _edges(chain)
    assert bar.n == bar.total  # the last level's total came down to the tests run


def test_candidate_order_by_strength_keeps_the_skeleton():
    frame = _mixed_table(n=150, seed=2)
    from mistruct.structure import _pc as module

    calls = {}

    def run(order):
        original = module.skeleton_search

        def patched(*args, **kwargs):
            kwargs["order_by_strength"] = order
            graph, n = original(*args, **kwargs)
            calls[order] = n
            return graph, n

        module.skeleton_search = patched
        try:
            return pc_skeleton(frame, seed=0)
        finally:
            module.skeleton_search = original

    assert _edges(run(True)) == _edges(run(False))
    assert calls[True] <= calls[False]


# ---------------------------------------------------------------- cpdag_to_dag (issue 12, 10)


def test_cpdag_to_dag_refuses_a_chordless_four_cycle():
    cycle = nx.DiGraph()
    for a, b in [("a", "b"), ("b", "c"), ("c", "d"), ("d", "a")]:
        cycle.add_edge(a, b)
        cycle.add_edge(b, a)
    with pytest.raises(InvalidInputError, match="no consistent extension"):
        cpdag_to_dag(cycle)
    with pytest.warns(UserWarning, match="no consistent extension"):
        dag = cpdag_to_dag(cycle, fallback=True)
    assert nx.is_directed_acyclic_graph(dag) and dag.number_of_edges() == 4


def test_cpdag_to_dag_still_extends_a_chordal_pdag():
    square = nx.DiGraph()
    for a, b in [("a", "b"), ("b", "c"), ("c", "d"), ("d", "a"), ("a", "c")]:
        square.add_edge(a, b)
        square.add_edge(b, a)
    dag = cpdag_to_dag(square)
    assert nx.is_directed_acyclic_graph(dag) and dag.number_of_edges() == 5
    colliders = [
        (u, v, c)
        for c in dag
        for u, v in itertools.combinations(dag.predecessors(c), 2)
        if not (dag.has_edge(u, v) or dag.has_edge(v, u))
    ]
    assert colliders == []


def test_pc_result_extends_or_says_why():
    cpdag = pc(_mixed_table(n=150, seed=1), seed=0)
    try:
        dag = cpdag_to_dag(cpdag)
    except InvalidInputError as error:
        assert "consistent extension" in str(error)
    else:
        assert nx.is_directed_acyclic_graph(dag)


def test_learn_skeleton_settles_the_kinds_at_the_door():
    from mistruct.structure._skeleton import learn_skeleton

    rng = np.random.default_rng(0)
    x = rng.integers(0, 50, 60)
    frame = pd.DataFrame({"x": x, "y": np.round(x + rng.normal(0, 5, 60)).astype(int)})
    # Both many-level integers: numbers for "auto", so PC's test sees the dependence.
    assert learn_skeleton(frame, "pc", seed=0).has_edge("x", "y")
    assert not learn_skeleton(frame, "pc", seed=0, discrete=["x", "y"]).has_edge("x", "y")
    assert frame["x"].dtype.kind == "i"  # the input is untouched


def test_labels_that_cannot_be_nodes_are_refused_before_work():
    for label in (None, float("nan")):
        frame = pd.DataFrame({"a": [0, 1, 0, 1], "b": [1, 1, 0, 0]})
        frame[label] = [0, 0, 1, 1]
        with pytest.raises(InvalidInputError, match="cannot name a node"):
            pc_skeleton(frame)
