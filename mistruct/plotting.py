"""Figures: learned networks, MI heatmaps, null distributions of CI tests.

matplotlib is imported inside the functions only.  Figures are built as
``matplotlib.figure.Figure`` objects rendered by the Agg backend, without
pyplot: nothing is opened on screen, no display is needed (servers, CI), and
no global pyplot state is touched.  Show a figure in a notebook with
``display(fig)``, or pass ``ax=`` to draw into an axes of your own.
"""

from __future__ import annotations

import itertools
import re

import networkx as nx
import numpy as np

from mistruct._io import atomic_path
from mistruct.exceptions import InvalidInputError

__all__ = ["plot_graph", "plot_heatmap", "plot_null_distribution"]

#: Edge colours when a true graph is given.
EDGE_COLOURS = {
    "correct": "#1b7837",
    "reversed": "#e08214",
    "extra": "#d6301d",
    "missing": "#8c8c8c",
}
#: Edge line styles when a true graph is given.  A reversed edge is dashed as
#: well as orange, so that it stands apart from a correct one for readers who
#: cannot tell the colours apart (and in grey print); a missing edge has short
#: grey dashes and no arrow.
EDGE_STYLES = {
    "correct": "solid",
    "reversed": (0, (4.0, 2.0)),
    "extra": "solid",
    "missing": (0, (1.5, 1.5)),
}
_PLAIN_EDGE = "#3b3b3b"
_NODE_COLOUR = "#dbe9f6"
_NODE_EDGE = "#3e6fa3"
LAYOUTS = ("kamada-kawai", "spring", "circular", "shell", "spectral")

# Geometry, in points (the layout's unit is the point of a figure drawn at scale 1).
_LABEL_GAP = 2.5  # between a circle and a label written beside it
_LABEL_CLEAR = 3.0  # kept free between a label and another label or an edge
# Kept free between a label and another node's circle, so that it reads as its own node's.
_LABEL_AWAY = 8.0
_LINESPACING = 1.05
_GOLDEN_ANGLE = 2.399963229728653
# Labels are broken into lines after these characters (snake_case, paths, dotted names).
_BREAKS = re.compile(r"(?<=[_/.\-\s])")


def _pairs(graph):
    """frozenset({u, v}) -> (u, v) for a directed edge, None for an undirected one."""
    marks = {}
    for u, v in graph.edges():
        if u == v:
            continue
        undirected = not graph.is_directed() or graph.has_edge(v, u)
        marks[frozenset((u, v))] = None if undirected else (u, v)
    return marks


def _key(node):
    # Node labels may mix types; their text orders them, so that the picture
    # does not depend on the order in which columns or edges were added.
    return (str(node), type(node).__name__)


def _union(graph, true_graph=None) -> nx.Graph:
    union = nx.Graph()
    graphs = [graph] if true_graph is None else [graph, true_graph]
    union.add_nodes_from(sorted({n for g in graphs for n in g.nodes}, key=_key))
    edges = {frozenset((u, v)) for g in graphs for u, v in g.edges() if u != v}
    union.add_edges_from(sorted((tuple(sorted(e, key=_key)) for e in edges), key=_edge_key))
    return union


def _edge_key(edge):
    return (_key(edge[0]), _key(edge[1]))


def _default_font_size(n_nodes: int) -> float:
    return float(np.clip(11 - n_nodes / 12, 6, 10))


class _TextMeter:
    """Size in points of a text as matplotlib draws it, at the widest of common resolutions.

    Agg hints glyphs to the pixel grid, so a text's width in points changes by
    a few percent with the dpi; the widest of several dpi, and 3% more, keeps
    a label inside the room made for it at whatever resolution it is saved.
    """

    _DPI = (100, 150, 300)

    def __init__(self):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self._texts = []
        for dpi in self._DPI:
            figure = Figure(dpi=dpi)
            FigureCanvasAgg(figure)
            text = figure.text(
                0, 0, "", parse_math=False, linespacing=_LINESPACING, multialignment="center"
            )
            self._texts.append((figure.canvas.get_renderer(), text, 72 / dpi))

    def __call__(self, text: str, size: float) -> tuple[float, float]:
        width = height = 0.0
        for renderer, artist, points in self._texts:
            artist.set_text(text)
            artist.set_fontsize(size)
            box = artist.get_window_extent(renderer)
            width = max(width, box.width * points)
            height = max(height, box.height * points)
        return 1.03 * width + 0.5, 1.03 * height


def _wrappings(label: str, max_lines: int = 3) -> list[str]:
    """The label on one line, then broken after separators into 2..max_lines balanced lines."""
    options = [label]
    tokens = [token for token in _BREAKS.split(label) if token]
    if len(tokens) < 2 or len(tokens) > 16:
        return options
    for lines in range(2, min(max_lines, len(tokens)) + 1):
        best = None
        for cuts in itertools.combinations(range(1, len(tokens)), lines - 1):
            bounds = (0, *cuts, len(tokens))
            parts = [
                "".join(tokens[a:b]).strip() for a, b in zip(bounds[:-1], bounds[1:], strict=True)
            ]
            longest = max(len(part) for part in parts)
            if best is None or longest < best[0]:
                best = (longest, "\n".join(parts))
        options.append(best[1])
    return options


def _plan_labels(nodes, radius: float, font_size: float, meter) -> dict:
    """node -> (text, size, inside, width, height) in points.

    A label goes inside its circle when it fits there, at the full size or a
    little smaller, on one line or broken at separators; otherwise it is
    written beside the circle at the full size (on two lines when that is
    much narrower).
    """
    room = radius - 1.5  # inside the circle's outline
    small = max(5.0, 0.8 * font_size)
    plans = {}
    for node in nodes:
        label = str(node)
        wrappings = _wrappings(label)
        plan = None
        for text in wrappings:
            for size in (font_size, small):
                width, height = meter(text, size)
                if np.hypot(width / 2, height / 2) <= room:
                    plan = (text, size, True, width, height)
                    break
            if plan:
                break
        if plan is None:
            width, height = meter(label, font_size)
            plan = (label, font_size, False, width, height)
            if len(wrappings) > 1:
                wrapped = wrappings[1]
                w2, h2 = meter(wrapped, font_size)
                if width > 6 * radius and w2 < 0.7 * width:
                    plan = (wrapped, font_size, False, w2, h2)
        plans[node] = plan
    return plans


def _label_boxes(nodes, plans, radius, points=None, edges=None, current=None):
    """Box (x0, y0, x1, y1), relative to each node's centre, kept for a label written
    beside it; NaN for a label inside its circle.

    Of below, above, right, left and the diagonals, the side taken is the first
    that crosses the fewest edges (in the layout ``points``, the edges of the
    node itself included), counting ten for a circle of another node or, given
    the ``current`` boxes, a label of another node it would come near.
    """
    boxes = np.full((len(nodes), 4), np.nan)
    layout = points is not None and len(nodes) > 1
    if layout:
        edges = np.zeros((0, 2), dtype=int) if edges is None else edges
        starts, ends = points[edges[:, 0]], points[edges[:, 1]]
    for i, node in enumerate(nodes):
        _, _, inside, width, height = plans[node]
        if inside:
            continue
        options = np.array(
            [rect for _, rect in _label_options(0.0, 0.0, width, height, radius + _LABEL_GAP)]
        )
        if layout:
            rects = options + np.tile(points[i], 2)
            cost = _boxes_on_segments(rects, starts, ends, _LABEL_CLEAR).sum(axis=1).astype(float)
            others = np.delete(points, i, axis=0)
            for k, rect in enumerate(rects):
                cost[k] += 10 * _count_near(rect, others, radius + _LABEL_AWAY)
            if current is not None:
                taken = np.delete(current + np.tile(points, 2), i, axis=0)
                taken = taken[~np.isnan(taken[:, 0])]
                for k, rect in enumerate(rects):
                    cost[k] += 10 * sum(_boxes_meet(rect, box) for box in taken)
            boxes[i] = options[int(np.argmin(cost))]
        else:
            boxes[i] = options[0]
    return boxes


def _count_near(rect, centres, reach):
    nearest = np.clip(centres, rect[:2], rect[2:])
    return int((np.hypot(*(centres - nearest).T) < reach).sum())


def _initial(sub: nx.Graph, layout: str, seed) -> np.ndarray:
    nodes = list(sub)
    if len(nodes) == 2:
        return np.array([[-0.5, 0.0], [0.5, 0.0]])
    if layout == "circular":
        pos = nx.circular_layout(sub)
    elif layout == "shell":
        pos = nx.shell_layout(sub)
    elif layout == "spectral":
        pos = nx.spectral_layout(sub)
    else:
        pos = nx.spring_layout(sub, seed=seed)
        if layout == "kamada-kawai":
            pos = nx.kamada_kawai_layout(sub, pos=pos)
    return np.array([pos[node] for node in nodes], dtype=float)


def _antisymmetric_units(diff, dist):
    """Unit vectors from j to i; coincident points get a fixed direction, opposite for (j, i)."""
    n = dist.shape[0]
    index = np.arange(n)
    angle = _GOLDEN_ANGLE * (index[:, None] + index[None, :])
    sign = np.sign(index[:, None] - index[None, :])
    fallback = np.stack([np.cos(angle), np.sin(angle)], axis=-1) * sign[..., None]
    safe = np.where(dist > 1e-9, dist, 1.0)[..., None]
    return np.where((dist > 1e-9)[..., None], diff / safe, fallback)


def _conflicts(points, edges, radius, boxes, soft=True):
    """Moves that relieve overlaps; None when there is none.

    Five kinds of conflict, each pushed apart by its depth plus a little:
    two circles too close (closer still for the two ends of an edge); a
    circle too close to an edge it is not an end of; a label box too close to
    another circle; two label boxes overlapping; and, when ``soft``, a label
    box on an edge of other nodes (a wish, not a must: among many crossing
    edges it may have no solution, and a label is still read over an edge).
    """
    n = len(points)
    move = np.zeros_like(points)
    found = False
    node_gap = 2 * radius + max(8.0, 0.5 * radius)
    edge_gap = radius + max(6.0, 0.4 * radius)

    gap = np.full((n, n), node_gap)
    if len(edges):
        # An edge keeps enough length between its circles to show its arrowhead.
        gap[edges[:, 0], edges[:, 1]] = gap[edges[:, 1], edges[:, 0]] = 2 * radius + max(
            20.0, 1.2 * radius
        )
    diff = points[:, None, :] - points[None, :, :]
    dist = np.hypot(diff[..., 0], diff[..., 1])
    close = (dist < gap) & ~np.eye(n, dtype=bool)
    if close.any():
        found = True
        units = _antisymmetric_units(diff, dist)
        depth = np.where(close, (gap - dist) / 2 + 0.5, 0.0)
        move += (units * depth[..., None]).sum(axis=1)

    if len(edges):
        a, b = points[edges[:, 0]], points[edges[:, 1]]
        span = b - a
        length2 = (span**2).sum(axis=1)
        rel = points[:, None, :] - a[None, :, :]
        t = np.clip((rel * span).sum(axis=-1) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
        offset = rel - t[..., None] * span
        d = np.hypot(offset[..., 0], offset[..., 1])
        foreign = np.ones((n, len(edges)), dtype=bool)
        foreign[edges[:, 0], np.arange(len(edges))] = False
        foreign[edges[:, 1], np.arange(len(edges))] = False
        on = (d < edge_gap) & foreign & (length2 > 0)
        if on.any():
            found = True
            normal = (
                np.stack([-span[:, 1], span[:, 0]], axis=1)
                / np.sqrt(np.where(length2 > 0, length2, 1.0))[:, None]
            )
            units = np.where(
                (d > 1e-9)[..., None],
                offset / np.where(d > 1e-9, d, 1.0)[..., None],
                np.broadcast_to(normal, offset.shape),
            )
            depth = np.where(on, edge_gap - d + 1.0, 0.0)
            push = units * depth[..., None]
            move += 0.6 * push.sum(axis=1)
            np.add.at(move, edges[:, 0], -0.4 * (push * (1 - t)[..., None]).sum(axis=0))
            np.add.at(move, edges[:, 1], -0.4 * (push * t[..., None]).sum(axis=0))

    boxed = np.flatnonzero(~np.isnan(boxes[:, 0]))
    if boxed.size:
        rects = points[boxed][:, [0, 1, 0, 1]] + boxes[boxed]
        # Box of label i against circle j.
        nearest = np.stack(
            [
                np.clip(points[None, :, 0], rects[:, None, 0], rects[:, None, 2]),
                np.clip(points[None, :, 1], rects[:, None, 1], rects[:, None, 3]),
            ],
            axis=-1,
        )
        offset = points[None, :, :] - nearest
        d = np.hypot(offset[..., 0], offset[..., 1])
        centre = (rects[:, None, :2] + rects[:, None, 2:]) / 2
        away = points[None, :, :] - centre
        away_len = np.hypot(away[..., 0], away[..., 1])
        units = np.where(
            (d > 1e-9)[..., None],
            offset / np.where(d > 1e-9, d, 1.0)[..., None],
            np.where(
                (away_len > 1e-9)[..., None],
                away / np.where(away_len > 1e-9, away_len, 1.0)[..., None],
                np.array([0.0, -1.0]),
            ),
        )
        half = (rects[:, 2:] - rects[:, :2]) / 2
        depth = radius + _LABEL_AWAY - d + np.where(d > 1e-9, 0.0, half.min(axis=1)[:, None])
        hit = depth > 0
        hit[np.arange(boxed.size), boxed] = False  # a label beside its own circle
        if hit.any():
            found = True
            push = units * np.where(hit, depth / 2 + 0.5, 0.0)[..., None]
            move += push.sum(axis=0)
            np.add.at(move, boxed, -push.sum(axis=1))
        if len(edges):
            hit = _boxes_on_segments(rects, points[edges[:, 0]], points[edges[:, 1]], _LABEL_CLEAR)
            hit &= (edges[None, :, 0] != boxed[:, None]) & (edges[None, :, 1] != boxed[:, None])
            if hit.any() and soft:
                found = True
                # Slide the label (with its node) off the edge, across the edge's line.
                span = points[edges[:, 1]] - points[edges[:, 0]]
                length = np.hypot(span[:, 0], span[:, 1])
                normal = (
                    np.stack([-span[:, 1], span[:, 0]], axis=1)
                    / np.where(length > 0, length, 1.0)[:, None]
                )
                centre_b = (rects[:, :2] + rects[:, 2:]) / 2
                side = ((centre_b[:, None, :] - points[edges[:, 0]][None]) * normal[None]).sum(-1)
                reach = (
                    np.abs(normal[None, :, 0]) * half[:, None, 0]
                    + np.abs(normal[None, :, 1]) * half[:, None, 1]
                )
                depth = np.where(hit, reach + _LABEL_CLEAR - np.abs(side) + 0.5, 0.0)
                sign = np.where(side >= 0, 1.0, -1.0)
                push = normal[None] * (sign * depth)[..., None]
                np.add.at(move, boxed, 0.6 * push.sum(axis=1))
                np.add.at(move, edges[:, 0], -0.2 * push.sum(axis=0))
                np.add.at(move, edges[:, 1], -0.2 * push.sum(axis=0))
        # Two label boxes.
        gap = centre[:, 0, :][:, None, :] - centre[:, 0, :][None, :, :]
        need = half[:, None, :] + half[None, :, :] + _LABEL_CLEAR - np.abs(gap)
        overlap = (need > 0).all(axis=-1) & ~np.eye(boxed.size, dtype=bool)
        if overlap.any():
            found = True
            index = np.arange(boxed.size)
            sign = np.where(
                gap != 0, np.sign(gap), np.sign(index[:, None] - index[None, :])[..., None]
            )
            axis = np.argmin(need, axis=-1)
            push = np.zeros_like(gap)
            rows, cols = np.nonzero(overlap)
            push[rows, cols, axis[rows, cols]] = sign[rows, cols, axis[rows, cols]] * (
                need[rows, cols, axis[rows, cols]] / 2 + 0.5
            )
            np.add.at(move, boxed, push.sum(axis=1))
    return move if found else None


def _separate(points, edges, radius, boxes, sides=None, *, rounds: int = 300, spreads: int = 8):
    """Push nodes apart until no conflict is left.

    When the pushes are done, or balance out with a conflict left (a label
    caught between two edges, say), the labels choose their sides again
    (``sides(points, boxes)`` gives new boxes) and the pushing goes on; when
    that changes nothing, a stalled component is spread out a little.
    Returns the points and the boxes.
    """
    points = points.copy()
    choices = 4  # times the labels may choose their sides again
    soft_rounds = 100  # rounds that also keep labels off edges
    for _ in range(spreads):
        for _ in range(rounds):
            move = _conflicts(points, edges, radius, boxes, soft=soft_rounds > 0)
            soft_rounds -= 1
            stalled = move is not None and np.abs(move).max() < 0.05
            if (move is None or stalled) and sides is not None and choices:
                # Pushing moves nodes, so edges leave them in new directions: a label may
                # now have a freer side than the one it was given.
                choices -= 1
                again = sides(points, boxes)
                if not np.array_equal(again, boxes, equal_nan=True):
                    boxes = again
                    continue
            if move is None:
                return points, boxes
            if stalled:
                break
            points += move
        centre = points.mean(axis=0)
        points = centre + 1.25 * (points - centre)
    return points, boxes


def _extent(points, radius, boxes):
    """(x0, y0, x1, y1) of the circles and the label boxes."""
    low = points - radius
    high = points + radius
    boxed = ~np.isnan(boxes[:, 0])
    if boxed.any():
        rects = points[boxed][:, [0, 1, 0, 1]] + boxes[boxed]
        low = np.vstack([low, rects[:, :2]])
        high = np.vstack([high, rects[:, 2:]])
    return (*low.min(axis=0), *high.max(axis=0))


def _pack(blocks, margin):
    """Offsets placing blocks (x0, y0, x1, y1) in rows, left to right, top to bottom."""
    if not blocks:
        return []
    widths = [b[2] - b[0] for b in blocks]
    area = sum((b[2] - b[0] + margin) * (b[3] - b[1] + margin) for b in blocks)
    row_width = max(max(widths), np.sqrt(area * 1.5))
    offsets, row, x, y = [], [], 0.0, 0.0

    def close_row(row, y):
        height = max(b[3] - b[1] for _, b in row)
        for index, b in row:
            # Blocks of a row share a middle line.
            offsets[index] = offsets[index] + np.array([0.0, y - height / 2 - (b[1] + b[3]) / 2])
        return y - height - margin

    for index, block in enumerate(blocks):
        width = block[2] - block[0]
        if row and x + width > row_width:
            y = close_row(row, y)
            row, x = [], 0.0
        offsets.append(np.array([x - block[0], 0.0]))
        row.append((index, block))
        x += width + margin
    close_row(row, y)
    return offsets


def _arrange(union: nx.Graph, layout, seed, radius, plans):
    """Node centres, and the box kept beside each node for its label (see _label_boxes)."""
    nodes = list(union)
    if isinstance(layout, dict):
        positions = _scale_given(union, layout, radius)
        points = np.array([positions[node] for node in nodes]).reshape(-1, 2)
        index = {node: i for i, node in enumerate(nodes)}
        edges = np.array([(index[u], index[v]) for u, v in union.edges()], dtype=int)
        boxes = _label_boxes(nodes, plans, radius, points, edges.reshape(-1, 2))
        return positions, dict(zip(nodes, boxes, strict=True))
    components = sorted(
        (sorted(c, key=_key) for c in nx.connected_components(union)),
        key=lambda c: (-len(c), _key(c[0])),
    )
    blocks, parts, sides = [], [], {}
    edge_length = 4.4 * radius
    for component in components:
        if len(component) == 1:
            continue
        sub = nx.Graph()
        sub.add_nodes_from(component)
        sub.add_edges_from(sorted(union.subgraph(component).edges(), key=_edge_key))
        points = _initial(sub, layout, seed)
        index = {node: i for i, node in enumerate(component)}
        edges = np.array([(index[u], index[v]) for u, v in sub.edges()], dtype=int)
        lengths = np.hypot(*(points[edges[:, 0]] - points[edges[:, 1]]).T)
        typical = np.median(lengths[lengths > 0]) if (lengths > 0).any() else 1.0
        points = (points - points.mean(axis=0)) * (edge_length / typical)
        boxes = _label_boxes(component, plans, radius, points, edges)

        def choose(points, boxes, component=component, edges=edges):
            return _label_boxes(component, plans, radius, points, edges, boxes)

        points, boxes = _separate(points, edges, radius, boxes, choose)
        blocks.append(_extent(points, radius, boxes))
        parts.append((component, points))
        sides.update(zip(component, boxes, strict=True))
    margin = 2 * radius + 12.0
    offsets = _pack(blocks, margin)
    positions = {}
    bottom = 0.0
    for (component, points), offset, block in zip(parts, offsets, blocks, strict=True):
        for node, point in zip(component, points + offset, strict=True):
            positions[node] = point
        bottom = min(bottom, block[1] + offset[1])
    # Isolated nodes: a row (or rows) of their own under the components.
    isolated = [c[0] for c in components if len(c) == 1]
    if isolated:
        boxes = _label_boxes(isolated, plans, radius)
        sides.update(zip(isolated, boxes, strict=True))
        singles = [
            _extent(np.zeros((1, 2)), radius, boxes[i : i + 1]) for i in range(len(isolated))
        ]
        width = max((b[2] - b[0] for b in blocks), default=0.0)
        offsets = _pack_row(singles, radius + 12.0, width)
        top = bottom - margin if parts else 0.0
        for node, offset in zip(isolated, offsets, strict=True):
            positions[node] = offset + np.array([0.0, top])
    return {node: positions[node] for node in nodes}, sides


def _pack_row(blocks, margin, width):
    """Offsets placing small blocks in rows no wider than ``width`` (or a square-ish grid)."""
    area = sum((b[2] - b[0] + margin) * (b[3] - b[1] + margin) for b in blocks)
    row_width = max(width, np.sqrt(area * 1.5), max(b[2] - b[0] for b in blocks))
    height = max(b[3] - b[1] for b in blocks)
    offsets, x, y = [], 0.0, 0.0
    for block in blocks:
        if x > 0 and x + block[2] - block[0] > row_width:
            x, y = 0.0, y - height - margin
        offsets.append(np.array([x - block[0], y - block[3]]))
        x += block[2] - block[0] + margin
    return offsets


def _scale_given(union, layout, radius):
    """A layout given as a dict, scaled (never reshaped) so that its nodes stand apart."""
    absent = [node for node in union if node not in layout]
    if absent:
        raise InvalidInputError(
            f"layout has no position for node(s) {absent[:10]}; give every node a position."
        )
    nodes = list(union)
    points = np.array([np.asarray(layout[node], dtype=float) for node in nodes]).reshape(-1, 2)
    if len(nodes) < 2:
        return {node: point for node, point in zip(nodes, points, strict=True)}
    dist = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(dist, np.inf)
    nearest = dist.min(axis=1)
    usable = nearest[np.isfinite(nearest) & (nearest > 0)]
    if usable.size == 0:
        return {node: point for node, point in zip(nodes, points, strict=True)}
    scale = 4.4 * radius / np.median(usable)
    # Far enough apart for the circles when that costs at most a factor 4.
    scale = max(scale, min(4 * scale, (2 * radius + 8.0) / usable.min()))
    points = (points - points.mean(axis=0)) * scale
    return {node: point for node, point in zip(nodes, points, strict=True)}


def _layout(
    graph,
    layout="kamada-kawai",
    *,
    true_graph=None,
    seed=0,
    node_size: float = 900,
    font_size: float | None = None,
) -> dict:
    """Node centres, in points, as :func:`plot_graph` draws them.

    Each connected component is laid out on its own and the components are
    packed in rows with margins; isolated nodes share rows of their own below.
    Within a component nodes are pushed apart until no two circles (of
    diameter ``sqrt(node_size)``) come close, no circle lies near an edge it is
    not an end of, and no label written beside a node covers another node.
    """
    union = _union(graph, true_graph)
    radius, font_size, plans = _geometry(union, node_size, font_size)
    return _arrange(union, layout, seed, radius, plans)[0]


def _geometry(union, node_size, font_size):
    # networkx's node_size is the marker's area in points^2: its diameter is the root.
    radius = float(np.sqrt(node_size)) / 2
    if font_size is None:
        font_size = _default_font_size(union.number_of_nodes())
    plans = _plan_labels(list(union), radius, float(font_size), _TextMeter())
    return radius, float(font_size), plans


def _widths(graph, edges, attribute):
    values = []
    for u, v in edges:
        data = graph.edges[u, v]
        value = data.get(attribute, data.get("weight", data.get("cmi")))
        values.append(np.nan if value is None else float(value))
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    if not finite.any() or np.nanmax(np.abs(values)) == 0:
        return np.full(len(edges), 1.8)
    scaled = np.abs(np.where(finite, values, 0.0)) / np.nanmax(np.abs(values))
    return np.where(finite, 0.8 + 4.2 * scaled, 1.8)


def _boxes_on_segments(rects, starts, ends, clear=0.0):
    """(boxes, segments) bool: segment crosses box (x0, y0, x1, y1) grown by ``clear``.

    Liang-Barsky clipping of every segment by every box.
    """
    rects = np.asarray(rects, dtype=float).reshape(-1, 4) + np.array([-clear, -clear, clear, clear])
    d = (ends - starts)[None]
    t0 = np.zeros((len(rects), len(starts)))
    t1 = np.ones_like(t0)
    inside = np.ones(t0.shape, dtype=bool)
    for p, q in (
        (-d[..., 0], starts[None, :, 0] - rects[:, None, 0]),
        (d[..., 0], rects[:, None, 2] - starts[None, :, 0]),
        (-d[..., 1], starts[None, :, 1] - rects[:, None, 1]),
        (d[..., 1], rects[:, None, 3] - starts[None, :, 1]),
    ):
        p = np.broadcast_to(p, t0.shape)
        parallel = np.abs(p) < 1e-12
        inside &= ~(parallel & (q < 0))
        r = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        t0 = np.where(~parallel & (p < 0), np.maximum(t0, r), t0)
        t1 = np.where(~parallel & (p > 0), np.minimum(t1, r), t1)
    return inside & (t0 <= t1)


def _segments_hit(rect, starts, ends, clear=0.0):
    """Number of segments that cross the box (x0, y0, x1, y1) grown by ``clear``."""
    if not len(starts):
        return 0
    return int(_boxes_on_segments(rect, starts, ends, clear).sum())


def _place_labels(positions, plans, radius, segments, sides):
    """node -> (x, y, ha, va) for each label: inside, or beside on the side that is free.

    A label written beside its node takes, of below, above, right, left and
    the four diagonals, the one that covers no other circle and no other
    label and crosses the fewest edges (the first of those on a tie).  The
    side kept in ``sides`` is free after :func:`_arrange`, which made room
    there; a second round lets each label move once the others have settled.
    """
    nodes = list(positions)
    centres = np.array([positions[node] for node in nodes]).reshape(-1, 2)
    reserved = {
        node: sides[node] + np.tile(positions[node], 2) for node in nodes if not plans[node][2]
    }
    starts, ends = segments
    placed = {node: (*positions[node], "center", "center") for node in nodes if plans[node][2]}
    for _ in range(2):
        for i, node in enumerate(nodes):
            if node not in reserved:
                continue
            x, y = positions[node]
            width, height = plans[node][3:]
            others = np.delete(centres, i, axis=0)
            boxes = [box for other, box in reserved.items() if other != node]
            best = None
            options = _label_options(x, y, width, height, radius + _LABEL_GAP)
            for rank, (anchor, rect) in enumerate(options):
                if _covers_circle(rect, others, radius) or any(
                    _boxes_meet(rect, box) for box in boxes
                ):
                    continue
                score = (_segments_hit(rect, starts, ends, _LABEL_CLEAR), rank)
                if best is None or score < best[0]:
                    best = (score, anchor, rect)
            if best is not None:
                placed[node] = best[1]
                reserved[node] = np.asarray(best[2])
            elif node not in placed:
                kept = [a for a, rect in options if np.allclose(rect, reserved[node])]
                placed[node] = kept[0] if kept else options[0][0]
    return placed


def _label_options(x, y, width, height, step):
    """(anchor, box) of a label beside a node: below, above, right, left, then the diagonals."""
    corner = step / np.sqrt(2)
    options = [
        (
            (x, y - step, "center", "top"),
            (x - width / 2, y - step - height, x + width / 2, y - step),
        ),
        (
            (x, y + step, "center", "bottom"),
            (x - width / 2, y + step, x + width / 2, y + step + height),
        ),
        (
            (x + step, y, "left", "center"),
            (x + step, y - height / 2, x + step + width, y + height / 2),
        ),
        (
            (x - step, y, "right", "center"),
            (x - step - width, y - height / 2, x - step, y + height / 2),
        ),
    ]
    for dx, dy in ((1, -1), (-1, -1), (1, 1), (-1, 1)):
        ax, ay = x + dx * corner, y + dy * corner
        x0 = ax if dx > 0 else ax - width
        y0 = ay if dy > 0 else ay - height
        anchor = (ax, ay, "left" if dx > 0 else "right", "bottom" if dy > 0 else "top")
        options.append((anchor, (x0, y0, x0 + width, y0 + height)))
    return options


def _covers_circle(rect, centres, radius):
    return len(centres) > 0 and _count_near(rect, centres, radius + _LABEL_AWAY) > 0


def _boxes_meet(a, b):
    return (
        a[0] < b[2] + _LABEL_CLEAR
        and b[0] < a[2] + _LABEL_CLEAR
        and a[1] < b[3] + _LABEL_CLEAR
        and b[1] < a[3] + _LABEL_CLEAR
    )


def plot_graph(
    graph,
    path=None,
    *,
    ax=None,
    true_graph=None,
    layout="kamada-kawai",
    edge_attribute: str = "mi",
    title: str | None = None,
    figsize=None,
    node_size: float = 900,
    font_size: float | None = None,
    seed: int = 0,
    dpi: int = 150,
):
    """Draw a learned network: edge width by MI, arrows for directed edges.

    Each connected component is laid out on its own and the components are
    packed apart in rows (isolated nodes in rows of their own), so that no
    node covers another or sits on an edge it does not belong to.  A label
    is written inside its circle when it fits (a little smaller, or broken at
    ``_``, ``/``, ``.``, ``-`` or spaces, if need be), otherwise beside the
    circle, on a side where it covers no other node or label.

    Parameters
    ----------
    graph : networkx.Graph or networkx.DiGraph
        The learned structure.  In a DiGraph, a pair with both directions (a
        CPDAG's undirected edge) is drawn as a plain line.
    path : str or pathlib.Path, optional
        Save the figure there (format from the suffix, e.g. ``.png``,
        ``.svg``, ``.pdf``), atomically: written to a temporary file beside
        it and renamed when complete.
    ax : matplotlib Axes, optional
        Draw into this axes; by default a new figure is made, sized to the
        drawing.
    true_graph : networkx.Graph or networkx.DiGraph, optional
        The true structure.  Edges are then coloured: green, adjacent in
        both (an undirected learned edge counts as correct); orange and
        dashed, directed the other way ("reversed"); red, extra (not in the
        truth); grey, short dashes, missing (in the truth only).  A legend
        gives the counts.
    layout : {"kamada-kawai", "spring", "circular", "shell", "spectral"} or dict
        Placement of the nodes of each component, computed on the union of
        both graphs; or a dict node -> (x, y), used as given up to scale.
    edge_attribute : str, default "mi"
        Edge attribute that sets the width (falls back to ``weight``, then
        ``cmi``; edges without any get a medium width).
    title : str, optional
    figsize : (float, float), optional
        Size in inches of a new figure (default: the size of the drawing).
    node_size : float, default 900
        Area of a node in points squared, as in networkx (diameter
        ``sqrt(node_size)`` points at the default figure size).
    font_size : float, optional
        Label size (default: smaller for larger graphs).
    seed : int, default 0
        Seed of the spring layout (the starting point of kamada-kawai).
    dpi : int, default 150
        Resolution of the saved file.

    Returns
    -------
    matplotlib.figure.Figure
        Its artists carry ids (``get_gid()``): ``"node:<name>"`` for a
        node's circle, ``"label:<name>"`` for its label and
        ``"edge:<kind>:<u>-><v>"`` for an edge (kind ``plain`` without a true
        graph, else ``correct``, ``reversed``, ``extra`` or ``missing``).

    See Also
    --------
    plot_heatmap : the MI matrix behind a graph.

    Examples
    --------
    >>> from mistruct.interop.datasets import sample_network
    >>> from mistruct.structure import chow_liu_tree
    >>> example = sample_network("asia", 500, seed=0)
    >>> fig = plot_graph(chow_liu_tree(example.data), true_graph=example.graph)
    >>> type(fig).__name__
    'Figure'

    An edge the other way round from the truth is marked "reversed":

    >>> import networkx as nx
    >>> truth = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> fig = plot_graph(nx.DiGraph([("a", "b"), ("c", "b")]), true_graph=truth)
    >>> sorted(p.get_gid() for p in fig.axes[0].patches if p.get_gid().startswith("edge"))
    ['edge:correct:a->b', 'edge:reversed:c->b']
    >>> [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    ['correct (1)', 'reversed (1)', 'extra (0)', 'missing (0)']
    """
    if not isinstance(graph, nx.Graph):
        raise InvalidInputError(
            f"graph must be a networkx Graph or DiGraph, got {type(graph).__name__}."
        )
    if true_graph is not None and not isinstance(true_graph, nx.Graph):
        raise InvalidInputError(
            f"true_graph must be a networkx Graph or DiGraph, got {type(true_graph).__name__}."
        )
    if not isinstance(layout, dict) and layout not in LAYOUTS:
        raise InvalidInputError(
            f"layout={layout!r} is not an option; use one of {', '.join(map(repr, LAYOUTS))} "
            "or a dict node -> (x, y)."
        )
    if path is not None:
        from pathlib import Path

        folder = Path(path).parent
        if not folder.is_dir():
            raise InvalidInputError(f"cannot write {path}: folder {folder} does not exist.")

    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, FancyArrowPatch

    union = _union(graph, true_graph)
    radius, font_size, plans = _geometry(union, node_size, font_size)
    positions, sides = _arrange(union, layout, seed, radius, plans)

    learned = _pairs(graph)
    truth = _pairs(true_graph) if true_graph is not None else {}
    drawn = []  # (kind, (u, v), directed)
    for pair, mark in learned.items():
        if true_graph is None:
            kind = "plain"
        elif pair not in truth:
            kind = "extra"
        elif mark is not None and truth[pair] is not None and mark != truth[pair]:
            kind = "reversed"
        else:
            kind = "correct"
        edge = mark if mark is not None else tuple(sorted(pair, key=_key))
        if not graph.has_edge(*edge):
            edge = edge[::-1]
        drawn.append((kind, edge, mark is not None))
    drawn += [
        ("missing", tuple(sorted(pair, key=_key)), False) for pair in truth if pair not in learned
    ]
    drawn.sort(key=lambda item: (item[0], _edge_key(item[1])))

    ends = {}
    for _, (u, v), _ in drawn:
        a, b = positions[u], positions[v]
        length = float(np.hypot(*(b - a)))
        unit = (b - a) / length if length > 0 else np.zeros(2)
        ends[u, v] = (a + unit * radius, b - unit * radius)
    segments = (
        np.array([ends[e][0] for _, e, _ in drawn]).reshape(-1, 2),
        np.array([ends[e][1] for _, e, _ in drawn]).reshape(-1, 2),
    )
    labels = _place_labels(positions, plans, radius, segments, sides)

    if title is None:
        method = graph.graph.get("method")
        title = f"{method} ({len(learned)} edges)" if method else None
    figure, ax, scale, limits = _canvas(
        ax, figsize, _drawing_extent(positions, plans, labels, radius), title, true_graph
    )
    ax.set_xlim(limits[0], limits[2])
    ax.set_ylim(limits[1], limits[3])
    ax.set_aspect("equal", adjustable="datalim")

    widths = {}
    for kind in {kind for kind, _, _ in drawn if kind != "missing"}:
        edges = [edge for k, edge, _ in drawn if k == kind]
        widths.update(zip(edges, _widths(graph, edges, edge_attribute), strict=True))
    for kind, (u, v), directed in drawn:
        width = 1.3 if kind == "missing" else float(widths[u, v])
        start, end = ends[u, v]
        ax.add_patch(
            FancyArrowPatch(
                tuple(start),
                tuple(end),
                arrowstyle="-|>,head_length=0.5,head_width=0.25" if directed else "-",
                mutation_scale=(12 + 2 * width) * scale,
                shrinkA=0,
                shrinkB=0,
                linewidth=max(width * scale, 0.3),
                color=_PLAIN_EDGE if kind == "plain" else EDGE_COLOURS[kind],
                linestyle=EDGE_STYLES.get(kind, "solid"),
                zorder=1,
                gid=f"edge:{kind}:{u}->{v}",
            )
        )
    for node, centre in positions.items():
        ax.add_patch(
            Circle(
                tuple(centre),
                radius,
                facecolor=_NODE_COLOUR,
                edgecolor=_NODE_EDGE,
                linewidth=max(1.2 * scale, 0.3),
                zorder=2,
                gid=f"node:{node}",
            )
        )
        text, size, inside, _, _ = plans[node]
        x, y, ha, va = labels[node]
        ax.text(
            x,
            y,
            text,
            fontsize=size * scale,
            ha=ha,
            va=va,
            multialignment="center",
            linespacing=_LINESPACING,
            parse_math=False,
            zorder=3,
            gid=f"label:{node}",
            # A label beside its node may cross an edge: keep it readable.
            bbox=None
            if inside
            else {
                "boxstyle": "square,pad=0.05",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.75,
            },
        )
    if true_graph is not None:
        counts = {kind: 0 for kind in EDGE_COLOURS}
        for kind, _, _ in drawn:
            counts[kind] += 1
        # "reversed (0)" says the directions were compared; it is shown when they could be.
        directions = any(m is not None for m in learned.values()) and any(
            m is not None for m in truth.values()
        )
        handles = [
            Line2D(
                [],
                [],
                color=EDGE_COLOURS[kind],
                linestyle=EDGE_STYLES[kind],
                linewidth=2,
                label=f"{kind} ({counts[kind]})",
            )
            for kind in ("correct", "reversed", "extra", "missing")
            if counts[kind] or kind != "reversed" or directions
        ]
        legend_size = max(font_size - 1, 6)
        if figure.get_gid() == "mistruct-graph":
            ax.legend(
                handles=handles,
                loc="upper center",
                bbox_to_anchor=(0.5, 0.0),
                ncol=len(handles),
                fontsize=legend_size,
                frameon=False,
                handlelength=3,
            )
        else:
            ax.legend(handles=handles, loc="best", fontsize=legend_size, frameon=False)
    if title:
        ax.set_title(title)
    ax.set_axis_off()
    _save(figure, path, dpi)
    return figure


def _drawing_extent(positions, plans, labels, radius):
    """(x0, y0, x1, y1) of the circles and the labels, in points."""
    if not positions:
        return (-radius, -radius, radius, radius)
    points = np.array(list(positions.values()))
    low, high = list(points.min(axis=0) - radius), list(points.max(axis=0) + radius)
    for node, (x, y, ha, va) in labels.items():
        _, _, _, width, height = plans[node]
        x0 = x - width / 2 if ha == "center" else (x if ha == "left" else x - width)
        y0 = y - height / 2 if va == "center" else (y if va == "bottom" else y - height)
        low = [min(low[0], x0), min(low[1], y0)]
        high = [max(high[0], x0 + width), max(high[1], y0 + height)]
    pad = 6.0
    return (low[0] - pad, low[1] - pad, high[0] + pad, high[1] + pad)


_MAX_INCHES = 22.0


def _canvas(ax, figsize, extent, title, true_graph):
    """The figure and axes, the scale (display points per layout point) and the axes limits.

    A new figure is sized so that one layout point is one point on paper (shrunk
    only past 22 inches), with room above for the title and below for the legend;
    no layout engine moves the axes afterwards, so the labels measured at that
    scale keep their sizes relative to the circles.
    """
    width, height = extent[2] - extent[0], extent[3] - extent[1]
    if ax is None:
        pad = 0.12
        top = (0.45 if title else 0.0) + pad
        bottom = (0.4 if true_graph is not None else 0.0) + pad
        least = 5.0 if true_graph is not None else 1.5
        if figsize is None:
            shrink = min(
                1.0,
                (_MAX_INCHES - 2 * pad) * 72 / width,
                (_MAX_INCHES - top - bottom) * 72 / height,
            )
            figsize = (
                max(width * shrink / 72, least) + 2 * pad,
                height * shrink / 72 + top + bottom,
            )
        figure = _new_figure(figsize, layout=None)
        figure.set_gid("mistruct-graph")
        fw, fh = figure.get_size_inches()
        ax = figure.add_axes(
            (pad / fw, bottom / fh, max(fw - 2 * pad, 0.1) / fw, max(fh - top - bottom, 0.1) / fh)
        )
    else:
        figure = ax.figure
    box = ax.get_position()
    fw, fh = figure.get_size_inches()
    box_width, box_height = box.width * fw * 72, box.height * fh * 72
    scale = min(box_width / width, box_height / height)
    cx, cy = (extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2
    half_w, half_h = box_width / scale / 2, box_height / scale / 2
    return figure, ax, scale, (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def _new_figure(figsize, layout="constrained"):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, layout=layout)
    FigureCanvasAgg(figure)
    return figure


def _save(figure, path, dpi):
    if path is not None:
        with atomic_path(path) as temporary:
            figure.savefig(temporary, dpi=dpi)


def plot_heatmap(
    matrix, path=None, *, title=None, cmap="viridis", annotate=None, diagonal=False, dpi=150
):
    """Draw a labelled square matrix (e.g. :func:`mistruct.mutual_information_matrix`).

    Parameters
    ----------
    matrix : DataFrame
        Square, labelled by its index and columns.
    path : str or Path, optional
        Save the figure there (format from the suffix), atomically.
    title : str, optional
    cmap : str, default "viridis"
    annotate : bool, optional
        Print the values in the cells; by default when there are at most 12 columns.
    diagonal : bool, default False
        Colour the diagonal too.  An MI matrix holds entropies there, which
        would dwarf the off-diagonal values, so by default it is greyed out
        (and still annotated).
    dpi : int, default 150

    Returns
    -------
    matplotlib.figure.Figure

    See Also
    --------
    mistruct.measures.mutual_information_matrix : a matrix to draw.
    plot_graph : a learned structure.

    Examples
    --------
    >>> import pandas as pd
    >>> matrix = pd.DataFrame([[1.0, 0.2], [0.2, 1.0]], index=["a", "b"], columns=["a", "b"])
    >>> type(plot_heatmap(matrix)).__name__
    'Figure'
    """
    values = np.asarray(matrix, dtype=float)
    if values.ndim != 2 or values.shape[0] != values.shape[1]:
        raise InvalidInputError(f"a heatmap needs a square matrix, got shape {values.shape}.")
    n = values.shape[0]
    side = min(max(4.0, 0.32 * n + 2.5), 18.0)
    figure = _new_figure((side * 1.15, side))
    axes = figure.add_subplot()
    shown = values.copy()
    if not diagonal:
        np.fill_diagonal(shown, np.nan)
    import matplotlib

    colours = matplotlib.colormaps[cmap].with_extremes(bad="#d9d9d9")
    image = axes.imshow(shown, cmap=colours)
    labels = [str(label) for label in getattr(matrix, "columns", range(n))]
    axes.set_xticks(range(n), labels, rotation=90, fontsize=max(5, min(10, 200 / max(n, 1))))
    axes.set_yticks(range(n), labels, fontsize=max(5, min(10, 200 / max(n, 1))))
    if annotate is None:
        annotate = n <= 12
    if annotate:
        middle = np.nanmax(shown) / 2 if np.isfinite(shown).any() else 0
        for i in range(n):
            for j in range(n):
                # Dark text on bright cells and on the grey diagonal, light text elsewhere.
                bright = np.isnan(shown[i, j]) or shown[i, j] > middle
                axes.text(
                    j,
                    i,
                    f"{values[i, j]:.2f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="black" if bright else "white",
                )
    figure.colorbar(image, ax=axes, shrink=0.8)
    if title:
        axes.set_title(title)
    _save(figure, path, dpi)
    return figure


def plot_null_distribution(result, path=None, *, x="X", y="Y", given=(), dpi=150):
    """The null distribution of a CI test with the observed statistic marked.

    Draws the permutation null (when the result holds one) as a histogram,
    the asymptotic chi-squared density (when dof > 0), and the observed G.

    Parameters
    ----------
    result : CITestResult
        From :func:`mistruct.ci_test` (``return_null=True`` for a histogram).
    path : str or Path, optional
        Save the figure there (format from the suffix), atomically.
    x, y, given : labels for the title

    Returns
    -------
    matplotlib.figure.Figure

    See Also
    --------
    mistruct.independence.ci_test : with ``return_null=True``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from mistruct import ci_test
    >>> frame = pd.DataFrame({"a": [0, 1] * 20, "b": [0, 0, 1, 1] * 10})
    >>> result = ci_test(frame, "a", "b", method="permutation", seed=0, return_null=True)
    >>> type(plot_null_distribution(result, x="a", y="b")).__name__
    'Figure'
    """
    from scipy import stats

    figure = _new_figure((6.4, 4.0))
    axes = figure.add_subplot()
    observed = result.statistic
    null = result.null_distribution
    upper = observed
    if null is not None and null.size:
        upper = max(upper, float(null.max()))
        axes.hist(
            null,
            bins=min(60, max(10, null.size // 20)),
            density=True,
            color="#9ecae1",
            edgecolor="white",
            label=f"permutation null ({null.size} tables)",
        )
    dof = result.dof or 0  # None for tests without an asymptotic law
    if dof > 0:
        upper = max(upper, stats.chi2.ppf(0.999, result.dof))
        grid = np.linspace(0, upper * 1.05, 400)
        axes.plot(
            grid,
            stats.chi2.pdf(grid, dof),
            color="#3182bd",
            label=f"χ² with {dof} dof",
        )
    if (null is not None and null.size == 0) or (result.dof is not None and dof == 0):
        axes.text(
            0.5,
            0.6,
            "degenerate: every table with these margins\ngives the observed G (p = 1)",
            transform=axes.transAxes,
            ha="center",
        )
    axes.axvline(
        observed,
        color="#de2d26",
        linewidth=2,
        label=f"observed G = {observed:.4g} (p = {result.pvalue:.3g})",
    )
    condition = f" | {', '.join(given)}" if given else ""
    axes.set_title(f"{x} ⊥ {y}{condition}: {result.method}")
    axes.set_xlabel("G = 2·N·CMI (nats)")
    axes.set_ylabel("density")
    axes.legend(loc="upper right", fontsize="small")
    _save(figure, path, dpi)
    return figure
