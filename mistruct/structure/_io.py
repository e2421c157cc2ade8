"""Write learned graphs to GraphML, GML, DOT or JSON, atomically."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import numpy as np

from mistruct._io import atomic_path
from mistruct.exceptions import InvalidInputError

__all__ = ["GRAPH_FORMATS", "read_graph", "write_graph"]

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


#: Characters XML 1.0 forbids (GraphML is XML): C0 controls but tab, LF, CR; and more.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: Node attribute holding a label that the file's string ids cannot state
#: (a number, or text with characters XML forbids), as JSON.
LABEL_ATTRIBUTE = "mistruct_label"


def _xml_text(value):
    # U+FFFD stands in for characters no XML file can hold.
    return _NOT_XML.sub("\ufffd", value) if isinstance(value, str) else value


def _label_json(label) -> str:
    if isinstance(label, np.generic):
        label = label.item()
    if isinstance(label, tuple):
        label = list(label)
    try:
        return json.dumps(label)  # ASCII only: control characters become \u escapes
    except TypeError:
        return json.dumps(str(label))


def _portable(graph):
    """A copy with unique string node ids and scalar attributes; graph-level extras dropped.

    Separating sets and other structures in ``graph.graph`` do not fit the
    file formats' attribute model, so only scalar graph attributes are kept.
    A label that is not text, or that holds characters XML forbids, keeps
    its value (and type) in the node attribute ``mistruct_label``; labels
    equal as text (``1`` and ``"1"``) get ids ``n0, n1, ...`` so that they
    stay two nodes.
    """
    nodes = list(graph.nodes())
    texts = [str(node) for node in nodes]
    clash = len(set(texts)) < len(texts) or any(_NOT_XML.search(t) for t in texts)
    ids = {
        node: (f"n{i}" if clash else text)
        for i, (node, text) in enumerate(zip(nodes, texts, strict=True))
    }
    out = graph.__class__()
    out.graph.update(
        {
            k: _xml_text(_plain(v))
            for k, v in graph.graph.items()
            if isinstance(v, (str, int, float, bool))
        }
    )
    for node, data in graph.nodes(data=True):
        attributes = {k: _xml_text(_plain(v)) for k, v in data.items()}
        if clash or not isinstance(node, str):
            attributes[LABEL_ATTRIBUTE] = _label_json(node)
        out.add_node(ids[node], **attributes)
    for a, b, data in graph.edges(data=True):
        # None (e.g. the dof of a kNN test) has no file representation: leave it out.
        out.add_edge(
            ids[a], ids[b], **{k: _xml_text(_plain(v)) for k, v in data.items() if v is not None}
        )
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
    attributes as numbers or strings; a label that is not a string, labels
    equal as strings (``1`` and ``"1"``) and labels with control characters
    keep their exact value in the node attribute ``mistruct_label``, which
    :func:`read_graph` restores.  Characters XML cannot hold are replaced by
    U+FFFD in attribute values.  The file appears only once complete.

    Parameters
    ----------
    graph : networkx.Graph
        The graph to write (directed or not); it is not modified.
    path : str or os.PathLike
        File to write, replaced if it exists; its suffix picks the format.

    See Also
    --------
    read_graph : reads the files back.

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
    if path.is_dir():
        raise InvalidInputError(f"cannot write the graph to {path}: it is a folder.")
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


def read_graph(path) -> nx.Graph:
    """Read a graph written by :func:`write_graph` (GraphML, GML or JSON), labels restored.

    Parameters
    ----------
    path : str or os.PathLike
        File to read; its suffix (``.graphml``, ``.gml`` or ``.json``) picks
        the format.

    See Also
    --------
    write_graph : writes them.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "g.graphml"
    >>> _ = write_graph(nx.DiGraph([(1, "1"), ("1", "a")]), path)
    >>> sorted(read_graph(path).edges(), key=str)
    [('1', 'a'), (1, '1')]
    """
    path = Path(path)
    kind = GRAPH_FORMATS.get(path.suffix.lower())
    if kind not in ("graphml", "gml", "json"):
        raise InvalidInputError(
            f"cannot read {path.name!r}: read_graph reads .graphml, .gml and .json files."
        )
    if kind == "graphml":
        graph = nx.read_graphml(path)
    elif kind == "gml":
        graph = nx.read_gml(path)
    else:
        graph = nx.node_link_graph(json.loads(path.read_text()), edges="edges")
    mapping = {}
    for node, data in graph.nodes(data=True):
        if LABEL_ATTRIBUTE in data:
            label = json.loads(data.pop(LABEL_ATTRIBUTE))
            mapping[node] = tuple(label) if isinstance(label, list) else label
    return nx.relabel_nodes(graph, mapping) if mapping else graph
