"""Figures: learned networks, MI heatmaps, null distributions of CI tests.

matplotlib is imported inside the functions only.  Figures are built as
``matplotlib.figure.Figure`` objects rendered by the Agg backend, without
pyplot: nothing is opened on screen, no display is needed (servers, CI), and
no global pyplot state is touched.  Show a figure in a notebook with
``display(fig)``, or pass ``ax=`` to draw into an axes of your own.
"""

from __future__ import annotations

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
_PLAIN_EDGE = "#3b3b3b"
_NODE_COLOUR = "#dbe9f6"
_NODE_EDGE = "#3e6fa3"
LAYOUTS = ("kamada-kawai", "spring", "circular", "shell", "spectral")


def _pairs(graph):
    """frozenset({u, v}) -> (u, v) for a directed edge, None for an undirected one."""
    marks = {}
    for u, v in graph.edges():
        if u == v:
            continue
        undirected = not graph.is_directed() or graph.has_edge(v, u)
        marks[frozenset((u, v))] = None if undirected else (u, v)
    return marks


def _positions(union: nx.Graph, layout, seed):
    if isinstance(layout, dict):
        absent = [node for node in union if node not in layout]
        if absent:
            raise InvalidInputError(
                f"layout has no position for node(s) {absent[:10]}; give every node a position."
            )
        return {node: np.asarray(layout[node], dtype=float) for node in union}
    if layout not in LAYOUTS:
        raise InvalidInputError(
            f"layout={layout!r} is not an option; use one of {', '.join(map(repr, LAYOUTS))} "
            "or a dict node -> (x, y)."
        )
    if union.number_of_nodes() <= 2 or layout == "circular":
        return nx.circular_layout(union)
    if layout == "shell":
        return nx.shell_layout(union)
    if layout == "spectral":
        return nx.spectral_layout(union)
    spring = nx.spring_layout(union, seed=seed)
    if layout == "spring":
        return spring
    return nx.kamada_kawai_layout(union, pos=spring)


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
    return np.where(finite, 0.8 + 5.2 * scaled, 1.8)


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
        Draw into this axes; by default a new figure is made.
    true_graph : networkx.Graph or networkx.DiGraph, optional
        The true structure.  Edges are then coloured: green, adjacent in
        both (an undirected learned edge counts as correct); orange, directed
        the other way; red, extra (not in the truth); grey dashed, missing
        (in the truth only).  A legend gives the counts.
    layout : {"kamada-kawai", "spring", "circular", "shell", "spectral"} or dict
        Node placement, computed on the union of both graphs; or a dict
        node -> (x, y).
    edge_attribute : str, default "mi"
        Edge attribute that sets the width (falls back to ``weight``, then
        ``cmi``; edges without any get a medium width).
    title : str, optional
    figsize : (float, float), optional
        Size in inches of a new figure (default grows with the number of nodes).
    node_size : float, default 900
    font_size : float, optional
        Label size (default: smaller for larger graphs).
    seed : int, default 0
        Seed of the spring layout (the starting point of kamada-kawai).
    dpi : int, default 150
        Resolution of the saved file.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from mistruct.datasets import sample_network
    >>> from mistruct.structure import chow_liu_tree
    >>> example = sample_network("asia", 500, seed=0)
    >>> fig = plot_graph(chow_liu_tree(example.data), true_graph=example.graph)
    >>> type(fig).__name__
    'Figure'
    """
    if not isinstance(graph, nx.Graph):
        raise InvalidInputError(
            f"graph must be a networkx Graph or DiGraph, got {type(graph).__name__}."
        )
    if true_graph is not None and not isinstance(true_graph, nx.Graph):
        raise InvalidInputError(
            f"true_graph must be a networkx Graph or DiGraph, got {type(true_graph).__name__}."
        )
    if path is not None:
        from pathlib import Path

        folder = Path(path).parent
        if not folder.is_dir():
            raise InvalidInputError(f"cannot write {path}: folder {folder} does not exist.")

    from matplotlib.lines import Line2D

    union = nx.Graph()
    union.add_nodes_from(graph.nodes)
    union.add_edges_from(graph.edges)
    if true_graph is not None:
        union.add_nodes_from(true_graph.nodes)
        union.add_edges_from(true_graph.edges)
    union.remove_edges_from(list(nx.selfloop_edges(union)))
    positions = _positions(union, layout, seed)

    n_nodes = union.number_of_nodes()
    if ax is None:
        side = float(np.clip(2.2 + 0.32 * n_nodes, 4.0, 16.0))
        figure = _new_figure(figsize or (side * 1.15, side))
        ax = figure.add_subplot()
    else:
        figure = ax.figure
    if font_size is None:
        font_size = float(np.clip(11 - n_nodes / 12, 6, 10))

    learned = _pairs(graph)
    truth = _pairs(true_graph) if true_graph is not None else {}
    groups: dict[str, list] = {name: [] for name in (*EDGE_COLOURS, "plain")}
    for pair, mark in learned.items():
        if true_graph is None:
            kind = "plain"
        elif pair not in truth:
            kind = "extra"
        elif mark is not None and truth[pair] is not None and mark != truth[pair]:
            kind = "reversed"
        else:
            kind = "correct"
        edge = mark if mark is not None else tuple(pair)
        if not graph.has_edge(*edge):
            edge = edge[::-1]
        groups[kind].append((edge, mark is not None))
    missing = [tuple(pair) for pair in truth if pair not in learned]

    draw_graph = nx.DiGraph()
    draw_graph.add_nodes_from(union.nodes)
    for kind, edges in groups.items():
        if not edges:
            continue
        colour = _PLAIN_EDGE if kind == "plain" else EDGE_COLOURS[kind]
        for directed in (True, False):
            subset = [edge for edge, is_directed in edges if is_directed == directed]
            if not subset:
                continue
            draw_graph.add_edges_from(subset)
            arrow_options = {"arrowstyle": "-|>", "arrowsize": 14} if directed else {}
            nx.draw_networkx_edges(
                draw_graph,
                positions,
                edgelist=subset,
                width=list(_widths(graph, subset, edge_attribute)),
                edge_color=colour,
                arrows=directed,
                node_size=node_size,
                ax=ax,
                **arrow_options,
            )
    if missing:
        draw_graph.add_edges_from(missing)
        nx.draw_networkx_edges(
            draw_graph,
            positions,
            edgelist=missing,
            width=1.3,
            edge_color=EDGE_COLOURS["missing"],
            style="dashed",
            arrows=False,
            node_size=node_size,
            ax=ax,
        )
    nx.draw_networkx_nodes(
        union,
        positions,
        node_size=node_size,
        node_color=_NODE_COLOUR,
        edgecolors=_NODE_EDGE,
        linewidths=1.2,
        ax=ax,
    )
    nx.draw_networkx_labels(union, positions, font_size=font_size, ax=ax)
    if true_graph is not None:
        counts = {kind: len(groups[kind]) for kind in ("correct", "reversed", "extra")}
        counts["missing"] = len(missing)
        handles = [
            Line2D(
                [],
                [],
                color=EDGE_COLOURS[kind],
                linestyle="--" if kind == "missing" else "-",
                linewidth=2,
                label=f"{kind} ({counts[kind]})",
            )
            for kind in ("correct", "reversed", "extra", "missing")
            if counts[kind] or kind in ("correct", "extra", "missing")
        ]
        ax.legend(handles=handles, loc="best", fontsize=max(font_size - 1, 6), frameon=False)
    if title is None:
        method = graph.graph.get("method")
        title = f"{method} ({len(learned)} edges)" if method else None
    if title:
        ax.set_title(title)
    ax.set_axis_off()
    ax.margins(0.08)
    _save(figure, path, dpi)
    return figure


def _new_figure(figsize):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, layout="constrained")
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
