"""Write learned graphs to GraphML, GML, DOT or JSON, atomically."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np

from mistruct._io import atomic_path
from mistruct.exceptions import InvalidInputError

__all__ = ["GRAPH_FORMATS", "write_graph"]

GRAPH_FORMATS = {".graphml": "graphml", ".gml": "gml", ".dot": "dot", ".gv": "dot", ".json": "json"}


def _plain(value):
    """A value GraphML/GML/JSON can hold: numbers and strings stay, the rest becomes text."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, str):
        return value
    return str(value)


def _portable(graph):
    """A copy with string node labels and scalar attributes; graph-level extras dropped.

    Separating sets and other structures in ``graph.graph`` do not fit the
    file formats' attribute model, so only scalar graph attributes are kept.
    """
    out = graph.__class__()
    out.graph.update(
        {k: _plain(v) for k, v in graph.graph.items() if isinstance(v, (str, int, float, bool))}
    )
    for node, data in graph.nodes(data=True):
        out.add_node(str(node), **{k: _plain(v) for k, v in data.items()})
    for a, b, data in graph.edges(data=True):
        # None (e.g. the dof of a kNN test) has no file representation: leave it out.
        out.add_edge(str(a), str(b), **{k: _plain(v) for k, v in data.items() if v is not None})
    return out


def _dot(graph) -> str:
    directed = graph.is_directed()
    connector = "->" if directed else "--"
    lines = [f"{'digraph' if directed else 'graph'} mistruct {{"]

    def quote(text):
        return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'

    for node in graph.nodes():
        lines.append(f"  {quote(node)};")
    for a, b, data in graph.edges(data=True):
        attributes = ", ".join(
            f"{key}={quote(f'{value:.6g}' if isinstance(value, float) else value)}"
            for key, value in data.items()
        )
        lines.append(
            f"  {quote(a)} {connector} {quote(b)}"
            + (f" [{attributes}]" if attributes else "")
            + ";"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_graph(graph: nx.Graph, path) -> Path:
    """Write ``graph`` to ``path``; the format follows the suffix.

    Suffixes: ``.graphml``, ``.gml``, ``.dot``/``.gv`` (Graphviz), ``.json``
    (networkx node-link data).  Node labels are written as strings and edge
    attributes as numbers or strings.  The file appears only once complete.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tree.dot"
    >>> _ = write_graph(nx.DiGraph([("a", "b")]), path)
    >>> print(path.read_text().strip())
    digraph mistruct {
      "a";
      "b";
      "a" -> "b";
    }
    """
    path = Path(path)
    kind = GRAPH_FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InvalidInputError(
            f"cannot tell the graph format from {path.name!r}; "
            f"use a suffix among {', '.join(GRAPH_FORMATS)}."
        )
    portable = _portable(graph)
    with atomic_path(path) as temporary:
        if kind == "graphml":
            nx.write_graphml(portable, temporary)
        elif kind == "gml":
            nx.write_gml(portable, temporary)
        elif kind == "dot":
            temporary.write_text(_dot(portable))
        else:
            data = nx.node_link_data(portable, edges="edges")
            temporary.write_text(json.dumps(data, indent=2))
    return path
