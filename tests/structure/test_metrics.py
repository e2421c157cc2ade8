"""Structure metrics (SHD, precision/recall) and graph pictures."""

import dataclasses
import math
import os

import networkx as nx
import pytest

from mistruct.exceptions import InvalidInputError
from mistruct.interop.datasets import sample_network
from mistruct.plotting import plot_graph
from mistruct.structure import aracne, chow_liu_tree, structure_metrics

TRUE = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])


def test_identical_graphs():
    m = structure_metrics(TRUE, TRUE)
    assert m.shd == 0 and m.skeleton_shd == 0
    assert m.skeleton_precision == m.skeleton_recall == m.skeleton_f1 == 1.0
    assert m.arrowhead_precision == m.arrowhead_recall == 1.0
    assert m.n_learned_edges == m.n_true_edges == 3


def test_additions_deletions_reversals_count_once():
    learned = nx.DiGraph([("a", "b"), ("c", "b"), ("a", "d")])
    m = structure_metrics(learned, TRUE)
    assert (m.extra, m.missing, m.reversed, m.misoriented) == (1, 1, 1, 0)
    assert m.shd == 3 and m.skeleton_shd == 2
    assert m.skeleton_precision == pytest.approx(2 / 3)
    assert m.skeleton_recall == pytest.approx(2 / 3)
    assert m.skeleton_f1 == pytest.approx(2 / 3)
    assert m.arrowhead_precision == pytest.approx(1 / 3)
    assert m.arrowhead_recall == pytest.approx(1 / 3)


def test_skeleton_against_a_dag():
    m = structure_metrics(TRUE.to_undirected(), TRUE)
    assert m.skeleton_shd == 0 and m.skeleton_f1 == 1.0
    assert m.shd == 3 and m.misoriented == 3  # undirected where the truth has arrows
    assert math.isnan(m.arrowhead_precision)  # no arrowhead learned
    assert m.arrowhead_recall == 0.0


def test_cpdag_convention():
    # a -> b <- c with d - c undirected, stored with both directions.
    cpdag = nx.DiGraph([("a", "b"), ("c", "b"), ("c", "d"), ("d", "c")])
    dag = nx.DiGraph([("a", "b"), ("c", "b"), ("d", "c")])
    m = structure_metrics(cpdag, dag)
    assert m.shd == 1 and m.misoriented == 1 and m.reversed == 0
    assert m.n_learned_edges == 3
    assert m.arrowhead_precision == 1.0 and m.arrowhead_recall == pytest.approx(2 / 3)
    assert structure_metrics(cpdag, cpdag).shd == 0


def test_undirected_truth():
    true = nx.Graph([("a", "b"), ("b", "c")])
    m = structure_metrics(nx.DiGraph([("a", "b"), ("c", "b")]), true)
    assert m.skeleton_f1 == 1.0 and m.shd == 2
    assert math.isnan(m.arrowhead_recall)


def test_empty_learned_graph():
    learned = nx.Graph()
    learned.add_nodes_from("abcd")
    m = structure_metrics(learned, TRUE)
    assert m.shd == 3 and m.missing == 3
    assert math.isnan(m.skeleton_precision) and m.skeleton_recall == 0.0
    assert math.isnan(m.skeleton_f1)


def test_no_overlap_gives_f1_zero():
    m = structure_metrics(nx.Graph([("a", "c")]), TRUE)
    assert m.skeleton_precision == 0.0 and m.skeleton_recall == 0.0 and m.skeleton_f1 == 0.0


def test_symmetric_shd():
    other = nx.DiGraph([("b", "a"), ("b", "c"), ("a", "d"), ("d", "c")])
    assert structure_metrics(other, TRUE).shd == structure_metrics(TRUE, other).shd


def test_result_is_frozen_and_converts():
    m = structure_metrics(TRUE, TRUE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.shd = 5
    assert m.as_dict()["shd"] == 0


def test_errors():
    with pytest.raises(InvalidInputError, match="not in the true graph"):
        structure_metrics(nx.Graph([("a", "zz")]), TRUE)
    with pytest.raises(InvalidInputError, match="self-loops"):
        structure_metrics(nx.DiGraph([("a", "a")]), TRUE)
    with pytest.raises(InvalidInputError, match="networkx"):
        structure_metrics([("a", "b")], TRUE)
    with pytest.raises(InvalidInputError, match="multigraph"):
        structure_metrics(nx.MultiGraph([("a", "b")]), TRUE)


def test_chow_liu_on_alarm_scores_well():
    example = sample_network("alarm", 5000, seed=0)
    m = structure_metrics(chow_liu_tree(example.data), example.graph)
    assert m.skeleton_precision > 0.75 and m.n_learned_edges == 36
    assert m.shd >= m.skeleton_shd


# ---------------------------------------------------------------- plotting


@pytest.fixture(scope="module")
def asia():
    return sample_network("asia", 1000, seed=0)


def test_plot_with_truth_colours_edges(asia, tmp_path):
    tree = chow_liu_tree(asia.data)
    target = tmp_path / "tree.png"
    figure = plot_graph(tree, target, true_graph=asia.graph)
    assert target.stat().st_size > 1000
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["tree.png"]  # no temporary left
    (ax,) = figure.axes
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    m = structure_metrics(tree, asia.graph)
    assert f"missing ({m.missing})" in legend and f"extra ({m.extra})" in legend
    assert ax.get_title() == "chow-liu (7 edges)"


def test_plot_undirected_and_into_axes(asia, tmp_path):
    from matplotlib.figure import Figure

    figure = Figure()
    ax = figure.add_subplot()
    returned = plot_graph(aracne(asia.data), ax=ax, layout="circular", title="ARACNE")
    assert returned is figure and ax.get_title() == "ARACNE"
    plot_graph(aracne(asia.data), tmp_path / "net.svg")
    assert (tmp_path / "net.svg").read_text().lstrip().startswith("<?xml")


def test_plot_cpdag_and_positions(tmp_path):
    cpdag = nx.DiGraph([("a", "b"), ("c", "b"), ("c", "d"), ("d", "c")])
    positions = {"a": (0, 0), "b": (1, 0), "c": (2, 0), "d": (3, 0)}
    figure = plot_graph(cpdag, layout=positions, true_graph=TRUE)
    assert figure.axes


def test_plot_errors(tmp_path):
    with pytest.raises(InvalidInputError, match="layout"):
        plot_graph(TRUE, layout="hive")
    with pytest.raises(InvalidInputError, match="position"):
        plot_graph(TRUE, layout={"a": (0, 0)})
    with pytest.raises(InvalidInputError, match="does not exist"):
        plot_graph(TRUE, tmp_path / "missing-folder" / "x.png")
    with pytest.raises(InvalidInputError, match="networkx"):
        plot_graph({"a": "b"})


def test_plot_needs_no_display(monkeypatch, asia):
    monkeypatch.delenv("DISPLAY", raising=False)
    import sys

    before = "matplotlib.pyplot" in sys.modules
    plot_graph(chow_liu_tree(asia.data))
    assert ("matplotlib.pyplot" in sys.modules) == before  # pyplot never imported
    assert os.environ.get("DISPLAY") is None
