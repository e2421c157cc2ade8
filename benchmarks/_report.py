"""Shared helpers for the benchmark scripts: timing, peak memory, docs/benchmarks.md sections."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import time
import tracemalloc
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def measure(function, *args, repeat: int = 1, **kwargs):
    """Run ``function`` and return (result, best seconds, peak traced MiB of one run)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    function(*args, **kwargs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, best, peak / 2**20


def machine() -> str:
    """One line naming the machine and the library versions."""
    import numpy
    import pandas
    import scipy

    versions = f"numpy {numpy.__version__}, scipy {scipy.__version__}, pandas {pandas.__version__}"
    extra = []
    for name in ("sklearn", "pgmpy"):
        with contextlib.suppress(ImportError):
            extra.append(f"{name} {__import__(name).__version__}")
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {versions}, {', '.join(extra)}"
    )


def write_section(name: str, body: str):
    """Replace the section between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    block = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = (
        pattern.sub(lambda _: block, text) if pattern.search(text) else text + "\n" + block + "\n"
    )
    DOC.write_text(text)


def markdown_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def cpdag_of(graph):
    """The CPDAG of a DAG's equivalence class (pgmpy's ``to_pdag``); undirected edges: two arcs."""
    import networkx as nx
    from pgmpy.base import DAG

    dag = DAG()
    dag.add_nodes_from(graph.nodes)
    dag.add_edges_from(graph.edges)
    pdag = dag.to_pdag()
    out = nx.DiGraph()
    out.add_nodes_from(graph.nodes)
    out.add_edges_from(pdag.directed_edges)
    for a, b in pdag.undirected_edges:
        out.add_edges_from([(a, b), (b, a)])
    return out


def pyagrum_graph(learner, pdag, columns):
    """A pyAgrum PDAG as a networkx DiGraph over ``columns`` (undirected edges as two arcs)."""
    import networkx as nx

    names = {i: learner.nameFromId(i) for i in range(len(columns))}
    graph = nx.DiGraph()
    graph.add_nodes_from(columns)
    for a, b in pdag.arcs():
        graph.add_edge(names[a], names[b])
    for a, b in pdag.edges():
        graph.add_edge(names[a], names[b])
        graph.add_edge(names[b], names[a])
    return graph
