"""MIIC: mistruct's ``miic`` against pyAgrum's C++ MIIC on the bundled networks.

Issue 15, item 6.  For alarm, andes, hepar2, child and insurance: 10^4 rows
sampled with :func:`mistruct.interop.datasets.sample_network` (seed 0), then
in this one process, alternating, best wall time of ``--repeat`` runs each:

* pyAgrum: ``BNLearner(frame.astype(str))``, ``useMIIC()``,
  ``useNMLCorrection()``, ``learnPDAG()`` (the learner's construction, which
  reads the table, is timed: mistruct's time includes its encoding too);
  with its default threads, and with ``setNumberOfThreads(1)``;
* mistruct: ``miic(frame)`` (NML, the default).

Skeleton F1 against the true DAG, SHD of the learned CPDAG against the true
DAG's CPDAG (its v-structures and Meek's rules).

    python benchmarks/bench_miic.py                 # writes the "miic" section
    python benchmarks/bench_miic.py --networks child alarm --no-write
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, markdown_table, pyagrum_graph, write_section  # noqa: E402

from mistruct.interop.datasets import sample_network  # noqa: E402
from mistruct.structure import miic, structure_metrics  # noqa: E402

NETWORKS = ["alarm", "andes", "hepar2", "child", "insurance"]
ROWS = 10_000


def true_cpdag(dag: nx.DiGraph) -> nx.DiGraph:
    """The CPDAG of a DAG: its skeleton, its v-structures, then Meek's rules 1-3."""
    from mistruct.structure._miic import _orient

    names = sorted(dag.nodes(), key=str)
    position = {name: i for i, name in enumerate(names)}
    skeleton = nx.Graph(dag.to_undirected())
    adjacency = {position[n]: {position[m] for m in skeleton.neighbors(n)} for n in names}
    triples = {}
    for z in names:
        for a, b in itertools.combinations(sorted(skeleton.neighbors(z), key=str), 2):
            if not skeleton.has_edge(a, b):
                collider = dag.has_edge(a, z) and dag.has_edge(b, z)
                triples[(position[a], position[z], position[b])] = -1.0 if collider else 1.0
    arrows = _orient(names, np.arange(len(names)), adjacency, triples)
    cpdag = nx.DiGraph()
    cpdag.add_nodes_from(names)
    for a, b in skeleton.edges():
        i, j = position[a], position[b]
        if (i, j) in arrows:
            cpdag.add_edge(a, b)
        elif (j, i) in arrows:
            cpdag.add_edge(b, a)
        else:
            cpdag.add_edge(a, b)
            cpdag.add_edge(b, a)
    return cpdag


def pyagrum_miic(text_frame, threads=None):
    import pyagrum

    start = time.perf_counter()
    learner = pyagrum.BNLearner(text_frame)
    if threads is not None:
        learner.setNumberOfThreads(threads)
    learner.useMIIC()
    learner.useNMLCorrection()
    pdag = learner.learnPDAG()
    seconds = time.perf_counter() - start
    return pyagrum_graph(learner, pdag, list(text_frame.columns)), seconds


def ours(frame):
    start = time.perf_counter()
    graph = miic(frame)
    return graph, time.perf_counter() - start


def run(networks, repeat, one_thread):
    rows = []
    for name in networks:
        example = sample_network(name, ROWS, seed=0)
        frame, text = example.data, example.data.astype(str)
        reference = true_cpdag(example.graph)
        best = {"ours": np.inf, "peer": np.inf, "peer1": np.inf}
        graphs = {}
        for _ in range(repeat if name != "andes" else 1):
            graphs["peer"], seconds = pyagrum_miic(text)
            best["peer"] = min(best["peer"], seconds)
            graphs["ours"], seconds = ours(frame)
            best["ours"] = min(best["ours"], seconds)
            if name in one_thread:
                graphs["peer1"], seconds = pyagrum_miic(text, threads=1)
                best["peer1"] = min(best["peer1"], seconds)
        f1 = {k: structure_metrics(g, example.graph).skeleton_f1 for k, g in graphs.items()}
        shd = {k: structure_metrics(g, reference).shd for k, g in graphs.items()}
        met = f1["ours"] >= f1["peer"] and best["ours"] <= min(best["peer"], best["peer1"])
        line = [
            name,
            example.graph.number_of_nodes(),
            example.graph.number_of_edges(),
            f"{best['ours']:.2f}",
            f"{f1['ours']:.3f}",
            shd["ours"],
            f"{best['peer']:.2f}",
            f"{best['peer1']:.2f}" if name in one_thread else "not run",
            f"{f1['peer']:.3f}",
            shd["peer"],
            f"{min(best['peer'], best['peer1']) / best['ours']:.1f}x",
            "yes" if met else "no",
        ]
        rows.append(line)
        print(" | ".join(map(str, line)), flush=True)
    header = [
        "network", "nodes", "edges", "mistruct miic s", "F1", "CPDAG SHD",
        "pyAgrum MIIC s", "(1 thread) s", "F1", "CPDAG SHD", "speed-up", "F1 >= and time <=",
    ]
    return markdown_table(header, rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="+", default=NETWORKS)
    parser.add_argument("--repeat", type=int, default=3, help="runs per learner (andes: 1)")
    parser.add_argument(
        "--one-thread", nargs="*", default=None,
        help="networks on which pyAgrum also runs with one thread (default: all)",
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    import pyagrum

    one_thread = set(args.one_thread if args.one_thread is not None else args.networks)
    table = run(args.networks, args.repeat, one_thread)
    command = "python benchmarks/bench_miic.py " + " ".join(argv or sys.argv[1:])
    body = (
        "## MIIC against pyAgrum's MIIC\n\n"
        f"{ROWS:,} rows sampled from each bundled network (seed 0); pyAgrum "
        f"{pyagrum.__version__} with `useMIIC()` and `useNMLCorrection()` (its "
        "`BNLearner` construction timed, as mistruct's encoding is), with its default "
        "threads and with one; mistruct `miic(data)` (NML). Best wall time of the runs "
        "in one process, alternating; skeleton F1 against the true DAG, SHD of the "
        "CPDAG against the true DAG's CPDAG; speed-up = pyAgrum's better time / "
        "mistruct's.\n\n"
        f"{table}\n\n"
        f"Machine: {machine()} (shared with other jobs: compare the ratios). "
        f"Reproduce: `{command.strip()}`."
    )
    print(body)
    if not args.no_write:
        write_section("miic", body)


if __name__ == "__main__":
    main()
