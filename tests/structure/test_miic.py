"""MIIC (issue 15, item 6): known structures, the NML cost, order independence, bad input."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import mistruct.structure._miic as miic_module
from mistruct import mutual_information
from mistruct.cli import main
from mistruct.exceptions import (
    ContinuousDataError,
    InvalidInputError,
    MissingValuesError,
    StateSpaceTooLargeError,
)
from mistruct.interop.datasets import sample_network
from mistruct.structure import learn_skeleton, miic, structure_metrics


def _skeleton(graph) -> set:
    return {frozenset(edge) for edge in graph.edges()}


def _arrows(cpdag) -> set:
    return {(a, b) for a, b in cpdag.edges() if not cpdag.has_edge(b, a)}


def _flip(rng, values, p):
    """``values`` with each entry replaced by a fair coin with probability ``p``."""
    noise = rng.random(len(values)) < p
    return np.where(noise, rng.integers(0, 2, len(values)), values)


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(15)


def _chain(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, n)
    y = _flip(rng, x, 0.3)
    z = _flip(rng, y, 0.3)
    return pd.DataFrame({"x": x, "y": y, "z": z}).astype("category")


# --------------------------------------------------------------------------------------
# Ground truth: bundled networks
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["asia", "cancer", "earthquake"])
def test_bundled_networks_skeleton_is_the_true_one(name):
    example = sample_network(name, 10_000, seed=0)
    cpdag = miic(example.data)
    assert _skeleton(cpdag) == _skeleton(example.graph)
    assert structure_metrics(cpdag, example.graph).skeleton_f1 == 1.0


@pytest.mark.parametrize("name", ["cancer", "earthquake"])
def test_collider_networks_are_fully_oriented(name):
    # cancer: Pollution -> Cancer <- Smoker; earthquake: Burglary -> Alarm <- Earthquake.
    # Both v-structures and the propagated arrows make every edge compelled.
    example = sample_network(name, 10_000, seed=0)
    cpdag = miic(example.data)
    assert _arrows(cpdag) == set(example.graph.edges())
    for _, _, data in cpdag.edges(data=True):
        assert 0.5 < data["orientation_probability"] <= 1.0


def test_asia_v_structure_and_sepsets():
    example = sample_network("asia", 10_000, seed=0)
    cpdag = miic(example.data)
    # tub -> either <- lung is the v-structure of asia; either -> xray follows by rule 1.
    assert {("tub", "either"), ("lung", "either"), ("either", "xray")} <= _arrows(cpdag)
    sepsets = cpdag.graph["sepsets"]
    assert "either" in sepsets[frozenset({"lung", "xray"})]
    assert cpdag.graph["three_point"][("lung", "either", "tub")] < 0
    for _, _, data in cpdag.edges(data=True):
        assert data["shifted_info"] > 0
        assert data["mi"] > 0


# --------------------------------------------------------------------------------------
# Ground truth: simulated chain, fork, collider, independent pairs
# --------------------------------------------------------------------------------------


def test_chain_is_found_and_left_unoriented():
    cpdag = miic(_chain(5000))
    assert _skeleton(cpdag) == {frozenset("xy"), frozenset("yz")}
    assert _arrows(cpdag) == set()  # x -> y -> z is Markov equivalent to its reversals
    assert cpdag.graph["sepsets"][frozenset("xz")] == ("y",)
    assert cpdag.graph["three_point"][("x", "y", "z")] > 0


def test_fork_is_found_and_left_unoriented(rng):
    n = 5000
    y = rng.integers(0, 3, n)
    x = np.where(rng.random(n) < 0.3, rng.integers(0, 3, n), y)
    z = np.where(rng.random(n) < 0.3, rng.integers(0, 3, n), y)
    frame = pd.DataFrame({"x": x, "y": y, "z": z}).astype("category")
    cpdag = miic(frame)
    assert _skeleton(cpdag) == {frozenset("xy"), frozenset("yz")}
    assert _arrows(cpdag) == set()
    assert cpdag.graph["sepsets"][frozenset("xz")] == ("y",)


def test_collider_is_oriented(rng):
    n = 5000
    x = rng.integers(0, 2, n)
    y = rng.integers(0, 2, n)
    # z depends on both, x and y are independent (not XOR: each pair must be dependent).
    z = np.where(rng.random(n) < 0.2, rng.integers(0, 3, n), x + y)
    frame = pd.DataFrame({"x": x, "y": y, "z": z}).astype("category")
    cpdag = miic(frame)
    assert _skeleton(cpdag) == {frozenset("xz"), frozenset("yz")}
    assert _arrows(cpdag) == {("x", "z"), ("y", "z")}
    assert cpdag.graph["sepsets"][frozenset("xy")] == ()
    assert cpdag.graph["three_point"][("x", "z", "y")] < 0


def test_independent_pair_is_removed(rng):
    frame = pd.DataFrame({"a": rng.integers(0, 3, 3000), "b": rng.integers(0, 4, 3000)})
    cpdag = miic(frame.astype("category"))
    assert cpdag.number_of_edges() == 0
    assert cpdag.graph["sepsets"] == {frozenset("ab"): ()}


def test_nml_cost_removes_an_independent_pair_of_many_level_columns(rng):
    # 40 x 40 levels over 400 rows: the plug-in MI of independent columns is far from 0
    # (its bias is about (40 - 1)^2 / (2 N) nats), the NML cost takes it away.
    n = 400
    frame = pd.DataFrame(
        {"a": rng.integers(0, 40, n).astype(str), "b": rng.integers(0, 40, n).astype(str)}
    )
    assert mutual_information(frame["a"], frame["b"]) > 1.0  # bits, all of it bias
    for complexity in ("nml", "mdl"):
        assert miic(frame, complexity=complexity).number_of_edges() == 0
    # ... while a dependent pair with the same levels keeps its edge.
    copy = frame.assign(b=np.where(rng.random(n) < 0.2, frame["b"], frame["a"]))
    assert miic(copy).has_edge("a", "b")


def test_shifted_information_matches_a_direct_nml_computation():
    # Two columns, no contributor: the edge's shifted information is N I - k with the
    # symmetrized factorized NML cost; C(r, n) here by summing the multinomial directly.
    rng = np.random.default_rng(3)
    n = 40
    a = rng.integers(0, 3, n)
    b = np.where(rng.random(n) < 0.6, a % 2, rng.integers(0, 2, n))
    frame = pd.DataFrame({"a": a, "b": b}).astype("category")
    graph = miic(frame)
    assert graph.has_edge("a", "b")

    def nml_sum(r, m):
        if m == 0:
            return 1.0
        total = 0.0
        for counts in itertools.product(range(m + 1), repeat=r - 1):
            last = m - sum(counts)
            if last < 0:
                continue
            cells = (*counts, last)
            term = math.factorial(m)
            for c in cells:
                term /= math.factorial(c)
                term *= (c / m) ** c if c else 1.0
            total += term
        return total

    table = pd.crosstab(frame["a"], frame["b"]).to_numpy()
    mi_nats = mutual_information(frame["a"], frame["b"], base=math.e)
    cost = 0.5 * (
        sum(math.log(nml_sum(3, int(m))) for m in table.sum(0)) - math.log(nml_sum(3, n))
        + sum(math.log(nml_sum(2, int(m))) for m in table.sum(1)) - math.log(nml_sum(2, n))
    )
    assert graph.edges["a", "b"]["shifted_info"] == pytest.approx(n * mi_nats - cost, rel=1e-9)


def test_nml_table_known_values():
    table = miic_module._log_nml_table(5, 300)
    # C(r, 1) = r; C(2, 2) = 2.5; C(3, 2) = C(2, 2) + 2 C(1, 2) = 4.5; C(r, 0) = 1.
    assert np.exp(table[1:6, 1]) == pytest.approx([1, 2, 3, 4, 5])
    assert np.exp(table[2, 2]) == pytest.approx(2.5)
    assert np.exp(table[3, 2]) == pytest.approx(4.5)
    assert np.all(table[:, 0] == 0)
    # The exact sum and the expansion meet smoothly at the switch.
    exact = miic_module._log_c2(np.array([200]))[0]
    expansion = miic_module._log_c2(np.array([201]))[0]
    assert 0 < expansion - exact < 0.003


# --------------------------------------------------------------------------------------
# Order independence
# --------------------------------------------------------------------------------------


def _summary(cpdag):
    edges = sorted((a, b) for a, b in cpdag.edges())
    return (
        edges,
        {key: tuple(value) for key, value in cpdag.graph["sepsets"].items()},
        sorted(
            (a, b, d["shifted_info"], d.get("orientation_probability"))
            for a, b, d in cpdag.edges(data=True)
        ),
    )


def test_result_does_not_depend_on_column_or_row_order():
    data = sample_network("alarm", 3000, seed=1).data
    reference = _summary(miic(data))
    order = np.random.default_rng(0).permutation(data.shape[1])
    assert _summary(miic(data.iloc[:, order])) == reference
    assert _summary(miic(data.iloc[:, ::-1])) == reference
    rows = np.random.default_rng(1).permutation(len(data))
    assert _summary(miic(data.iloc[rows].reset_index(drop=True))) == reference


# --------------------------------------------------------------------------------------
# Doors: learn_skeleton, the CLI, options
# --------------------------------------------------------------------------------------


def test_learn_skeleton_miic_is_the_skeleton_of_miic():
    data = sample_network("asia", 5000, seed=0).data
    skeleton = learn_skeleton(data, "miic")
    assert isinstance(skeleton, nx.Graph) and not skeleton.is_directed()
    assert skeleton.graph["method"] == "miic"
    assert _skeleton(skeleton) == _skeleton(miic(data))
    assert skeleton.graph["sepsets"] == miic(data).graph["sepsets"]
    with pytest.raises(InvalidInputError, match="does not take alpha"):
        learn_skeleton(data, "miic", alpha=0.01)


def test_cli_learn_with_miic():
    result = CliRunner().invoke(
        main, ["learn", "--example", "cancer", "--rows", "5000", "--algorithm", "miic",
               "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert "miic on cancer" in result.output
    assert "Pollution --> Cancer" in result.output


def test_columns_exclude_and_discrete_options(rng):
    frame = _chain(3000).assign(code=rng.integers(0, 200, 3000))  # many levels: numeric
    with pytest.raises(ContinuousDataError, match="code"):
        miic(frame)
    assert miic(frame, exclude=["code"]).number_of_nodes() == 3
    assert miic(frame, columns=["x", "y", "z"]).number_of_edges() == 4  # two undirected
    assert "code" in miic(frame, discrete=["code"]).nodes


# --------------------------------------------------------------------------------------
# Bad input, refused before any work
# --------------------------------------------------------------------------------------


@pytest.fixture
def no_work(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("work started before the input was checked")

    monkeypatch.setattr(miic_module, "_learn", fail)


def test_continuous_columns_are_refused_with_a_way_out(rng, no_work):
    frame = pd.DataFrame({"a": rng.normal(size=50), "b": rng.integers(0, 2, 50)})
    with pytest.raises(ContinuousDataError, match=r"'a'.*Discretizer"):
        miic(frame)


def test_one_column_is_refused(no_work):
    with pytest.raises(InvalidInputError, match="at least two columns"):
        miic(pd.DataFrame({"a": ["x", "y", "x"]}))


def test_bad_options_are_refused(no_work):
    frame = _chain(50)
    with pytest.raises(InvalidInputError, match="complexity"):
        miic(frame, complexity="bic")
    with pytest.raises(InvalidInputError, match="missing"):
        miic(frame, missing="ignore")
    with pytest.raises(InvalidInputError, match="chunk_size"):
        miic(frame, chunk_size=0)


def test_missing_values_follow_the_missing_option():
    frame = _chain(2000)
    holed = frame.astype(object)
    holed.iloc[:10, 0] = None
    with pytest.raises(MissingValuesError, match="x"):
        miic(holed)
    dropped = miic(holed, missing="drop")
    assert _skeleton(dropped) == {frozenset("xy"), frozenset("yz")}
    as_level = miic(holed, missing="category")
    assert _skeleton(as_level) == {frozenset("xy"), frozenset("yz")}
    assert holed.iloc[:10, 0].isna().all()  # the input is not modified


def test_mdl_option_is_recorded():
    cpdag = miic(_chain(3000), complexity="mdl")
    assert cpdag.graph["complexity"] == "mdl"
    assert _skeleton(cpdag) == {frozenset("xy"), frozenset("yz")}


def test_many_level_columns_are_refused_before_a_huge_nml_table(rng):
    n = 20_000
    frame = pd.DataFrame({"id": np.arange(n).astype(str), "b": rng.integers(0, 2, n)})
    with (
        pytest.warns(UserWarning, match="row identifiers"),
        pytest.raises(StateSpaceTooLargeError, match=r"'id' has 20,000 levels.*exclude"),
    ):
        miic(frame.astype({"b": "category"}))


def test_constant_column_is_isolated(rng):
    frame = _chain(500).assign(c="same")
    cpdag = miic(frame)
    assert cpdag.degree("c") == 0
    assert cpdag.graph["sepsets"][frozenset({"c", "x"})] == ()
