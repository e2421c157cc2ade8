"""The network picture (issue 11, item 9): components apart, labels inside or
beside their nodes and never over another node, reversed edges marked."""

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

import mistruct
from mistruct.interop.datasets import sample_network
from mistruct.plotting import EDGE_COLOURS, _layout, plot_graph
from mistruct.structure import structure_metrics

RADIUS = np.sqrt(900) / 2  # plot_graph's default node_size is 900 points^2


@pytest.fixture(scope="module")
def penguins_tree():
    # palmerpenguins' table, as shipped under tests/fixtures (see its README).
    penguins = pd.read_csv(Path(__file__).parents[1] / "fixtures" / "penguins_complete.csv")
    return mistruct.chow_liu_tree(penguins)


@pytest.fixture(scope="module")
def wine_tree():
    from sklearn import datasets  # scikit-learn is in the test extra

    return mistruct.chow_liu_tree(datasets.load_wine(as_frame=True).frame)


@pytest.fixture(scope="module")
def alarm():
    example = sample_network("alarm", 2000, seed=0)
    return example, mistruct.chow_liu_tree(example.data)


def penguins_pc_like():
    """The picture of the issue: a PC-like graph of penguins in three pieces, year alone."""
    graph = nx.DiGraph(
        [
            ("species", "island"),
            ("species", "bill_length_mm"),
            ("flipper_length_mm", "species"),
            ("bill_depth_mm", "sex"),
            ("body_mass_g", "sex"),
            ("flipper_length_mm", "body_mass_g"),
            ("body_mass_g", "flipper_length_mm"),
        ]
    )
    graph.add_node("year")
    return graph


def wine_pieces():
    """A wine skeleton in four components and an isolated node."""
    graph = nx.Graph(
        [
            ("alcohol", "proline"),
            ("alcohol", "color_intensity"),
            ("flavanoids", "total_phenols"),
            ("flavanoids", "od280/od315_of_diluted_wines"),
            ("flavanoids", "proanthocyanins"),
            ("target", "flavanoids"),
            ("magnesium", "target"),
            ("hue", "malic_acid"),
            ("ash", "alcalinity_of_ash"),
        ]
    )
    graph.add_node("nonflavanoid_phenols")
    return graph


def segment_distance(point, a, b):
    span = b - a
    t = np.clip(np.dot(point - a, span) / np.dot(span, span), 0.0, 1.0)
    return float(np.hypot(*(point - (a + t * span))))


def assert_readable_layout(positions, edges):
    """No two circles touch; no circle comes within a radius of an edge it is not an end of."""
    nodes = list(positions)
    for u, v in itertools.combinations(nodes, 2):
        distance = np.hypot(*(positions[u] - positions[v]))
        assert distance > 2 * RADIUS, (u, v, distance)
    for node in nodes:
        for u, v in edges:
            if node in (u, v):
                continue
            distance = segment_distance(positions[node], positions[u], positions[v])
            assert distance > RADIUS, (node, (u, v), distance)


def union_edges(*graphs):
    return {tuple(sorted((u, v))) for graph in graphs for u, v in graph.edges() if u != v}


def drawn_circles(figure):
    """node name -> (centre, radius) in display pixels, from the drawn circles."""
    ax = figure.axes[0]
    circles = {}
    for patch in ax.patches:
        gid = patch.get_gid() or ""
        if gid.startswith("node:"):
            centre = ax.transData.transform(patch.center)
            edge = ax.transData.transform((patch.center[0] + patch.radius, patch.center[1]))
            circles[gid[5:]] = (centre, edge[0] - centre[0])
    return circles


def box_meets_circle(box, centre, radius):
    nearest = np.clip(centre, [box.x0, box.y0], [box.x1, box.y1])
    return np.hypot(*(centre - nearest)) < radius


def box_inside_circle(box, centre, radius):
    corners = np.array([[box.x0, box.y0], [box.x0, box.y1], [box.x1, box.y0], [box.x1, box.y1]])
    return bool((np.hypot(*(corners - centre).T) <= radius).all())


def assert_labels_clear(figure):
    """Each label lies inside its own circle or clear of every circle, and labels do not meet."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    circles = drawn_circles(figure)
    labels = {
        text.get_gid()[6:]: text.get_window_extent(renderer)
        for text in figure.axes[0].texts
        if (text.get_gid() or "").startswith("label:")
    }
    assert set(labels) == set(circles)
    inside = 0
    for node, box in labels.items():
        centre, radius = circles[node]
        if box_inside_circle(box, centre, radius):
            inside += 1
        else:
            assert not box_meets_circle(box, centre, radius), f"{node!r} half out of its circle"
        for other, (centre, radius) in circles.items():
            if other != node:
                assert not box_meets_circle(box, centre, radius), f"{node!r} label on {other!r}"
    for (a, box_a), (b, box_b) in itertools.combinations(labels.items(), 2):
        assert not box_a.overlaps(box_b), (a, b)
    return inside, len(labels)


# ---------------------------------------------------------------- layout


def test_penguins_tree_layout_has_no_overlap_and_no_node_on_an_edge(penguins_tree):
    positions = _layout(penguins_tree)
    assert set(positions) == set(penguins_tree)
    assert_readable_layout(positions, union_edges(penguins_tree))


def test_wine_tree_layout_has_no_overlap_and_no_node_on_an_edge(wine_tree):
    positions = _layout(wine_tree)
    assert len(positions) == 14
    assert_readable_layout(positions, union_edges(wine_tree))


@pytest.mark.parametrize("make", [penguins_pc_like, wine_pieces])
@pytest.mark.parametrize("layout", ["kamada-kawai", "spring", "circular", "spectral"])
def test_components_are_laid_out_apart(make, layout):
    graph = make()
    positions = _layout(graph, layout)
    assert_readable_layout(positions, union_edges(graph))
    components = [c for c in nx.connected_components(graph.to_undirected()) if len(c) > 1]
    boxes = []
    for component in components:
        points = np.array([positions[node] for node in component])
        boxes.append((points.min(axis=0) - RADIUS, points.max(axis=0) + RADIUS))
    for (low_a, high_a), (low_b, high_b) in itertools.combinations(boxes, 2):
        apart = (high_a < low_b).any() or (high_b < low_a).any()
        assert apart, "two components share a region of the picture"
    # Isolated nodes have a row of their own, under every component.
    isolated = [node for node in graph if graph.degree(node) == 0]
    assert isolated
    lowest = min(low[1] for low, _ in boxes)
    assert all(positions[node][1] + RADIUS < lowest for node in isolated)


def test_layout_does_not_depend_on_node_or_edge_order(penguins_tree):
    forward = nx.Graph(penguins_tree)
    backward = nx.Graph()
    backward.add_nodes_from(reversed(list(forward)))
    backward.add_edges_from((v, u) for u, v in reversed(list(forward.edges())))
    a, b = _layout(forward), _layout(backward)
    for node in forward:
        np.testing.assert_allclose(a[node], b[node], atol=1e-9)


def test_given_positions_are_kept_up_to_scale():
    graph = nx.path_graph(["a", "b", "c", "d"])
    given = {"a": (0, 0), "b": (1, 0), "c": (1, 2), "d": (3, 2)}
    positions = _layout(graph, given)
    points = np.array([positions[n] for n in "abcd"])
    reference = np.array([given[n] for n in "abcd"], dtype=float)
    scale = np.hypot(*(points[1] - points[0]))
    assert scale > 2 * RADIUS
    np.testing.assert_allclose(points - points[0], (reference - reference[0]) * scale)


def test_edgeless_and_tiny_graphs():
    empty = nx.Graph()
    empty.add_nodes_from(["x", "y", "z", "a_long_column_name", "w"])
    positions = _layout(empty)
    assert_readable_layout(positions, [])
    assert_labels_clear(plot_graph(empty))
    assert _layout(nx.Graph()) == {}
    assert plot_graph(nx.Graph()).axes
    single = nx.Graph()
    single.add_node(0)
    assert list(_layout(single)) == [0]
    assert_labels_clear(plot_graph(single))


def test_drawn_circles_sit_at_the_layout(penguins_tree):
    figure = plot_graph(penguins_tree)
    positions = _layout(penguins_tree)
    drawn = {
        patch.get_gid()[5:]: patch
        for patch in figure.axes[0].patches
        if patch.get_gid().startswith("node:")
    }
    assert set(drawn) == set(positions)
    for node, patch in drawn.items():
        np.testing.assert_allclose(patch.center, positions[node])
        assert patch.radius == pytest.approx(RADIUS)


# ---------------------------------------------------------------- labels


def test_penguins_labels_inside_or_beside_never_over_a_node(penguins_tree):
    inside, total = assert_labels_clear(plot_graph(penguins_tree))
    assert total == 8 and 0 < inside < total  # "sex", "year" fit; "flipper_length_mm" does not
    inside, _ = assert_labels_clear(plot_graph(penguins_pc_like()))
    assert inside > 0


@pytest.mark.parametrize("dpi", [72, 100, 300])
def test_wine_labels_inside_or_beside_never_over_a_node(wine_tree, dpi):
    # Text widths change with the resolution (glyphs snap to pixels): clear at each.
    figure = plot_graph(wine_tree)
    figure.set_dpi(dpi)
    assert_labels_clear(figure)
    assert_labels_clear(plot_graph(wine_pieces(), layout="circular"))


def test_short_labels_go_inside_long_ones_beside():
    graph = nx.Graph([("x", "a_really_quite_long_column_name"), ("x", "y"), ("y", "zz")])
    figure = plot_graph(graph)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    circles = drawn_circles(figure)
    where = {}
    for text in figure.axes[0].texts:
        node = text.get_gid()[6:]
        where[node] = box_inside_circle(text.get_window_extent(renderer), *circles[node])
    assert where == {"x": True, "y": True, "zz": True, "a_really_quite_long_column_name": False}
    assert_labels_clear(figure)


def test_labels_stay_clear_in_a_small_figure_and_in_a_given_axes(penguins_tree):
    assert_labels_clear(plot_graph(penguins_tree, figsize=(3, 3)))
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5, 4))
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    assert plot_graph(penguins_pc_like(), ax=ax) is figure
    assert_labels_clear(figure)


def test_labels_are_text_not_math():
    graph = nx.Graph([("$price", "cost_$"), ("$price", "a$b$c")])
    figure = plot_graph(graph)
    assert sorted(text.get_text() for text in figure.axes[0].texts) == [
        "$price",
        "a$b$c",
        "cost_$",
    ]
    assert_labels_clear(figure)


# ---------------------------------------------------------------- edges against a truth


def edge_patches(figure):
    return {
        patch.get_gid(): patch
        for patch in figure.axes[0].patches
        if (patch.get_gid() or "").startswith("edge:")
    }


def test_reversed_edge_is_dashed_orange_with_an_arrow_and_a_legend_entry():
    truth = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    learned = nx.DiGraph([("a", "b"), ("c", "b"), ("d", "e")])
    figure = plot_graph(learned, true_graph=truth)
    edges = edge_patches(figure)
    assert set(edges) == {
        "edge:correct:a->b",
        "edge:reversed:c->b",
        "edge:extra:d->e",
        "edge:missing:c->d",
    }
    reversed_edge, correct = edges["edge:reversed:c->b"], edges["edge:correct:a->b"]
    assert reversed_edge.get_edgecolor() == to_rgba(EDGE_COLOURS["reversed"])
    assert reversed_edge.get_linestyle() not in ("solid", "-")
    assert correct.get_linestyle() == "solid"
    assert correct.get_edgecolor() == to_rgba(EDGE_COLOURS["correct"])
    assert type(reversed_edge.get_arrowstyle()).__name__ == "CurveFilledB"  # an arrowhead at c->b
    legend = figure.axes[0].get_legend()
    texts = [text.get_text() for text in legend.get_texts()]
    assert texts == ["correct (1)", "reversed (1)", "extra (1)", "missing (1)"]
    styles = dict(zip(texts, (line.get_linestyle() for line in legend.get_lines()), strict=True))
    assert styles["reversed (1)"] == "--" and styles["correct (1)"] == "-"


def test_undirected_learned_edge_is_not_reversed():
    truth = nx.DiGraph([("a", "b")])
    figure = plot_graph(nx.Graph([("b", "a")]), true_graph=truth)
    assert list(edge_patches(figure)) == ["edge:correct:a->b"]
    texts = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert "reversed (0)" not in texts and "correct (1)" in texts


def test_alarm_reversed_edges_are_marked_and_picture_is_readable(alarm):
    example, tree = alarm
    metrics = structure_metrics(tree, example.graph)
    figure = plot_graph(tree, true_graph=example.graph)
    kinds = pd.Series([gid.split(":")[1] for gid in edge_patches(figure)]).value_counts()
    assert kinds.get("reversed", 0) == metrics.reversed > 0
    assert kinds.get("extra", 0) == metrics.extra
    assert kinds.get("missing", 0) == metrics.missing
    texts = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert f"reversed ({metrics.reversed})" in texts
    assert_readable_layout(
        _layout(tree, true_graph=example.graph), union_edges(tree, example.graph)
    )
    assert_labels_clear(figure)
