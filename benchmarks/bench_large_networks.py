"""Structure learners on the large bundled networks: pathfinder, pigs, link, munin.

Issue 15, item 8.  For each network and each training size (10^4 and 10^5
rows by default), rows sampled with
:func:`mistruct.interop.datasets.sample_network` (seed 0; 10^4 held-out rows
sampled with seed 1), then every learner runs in a child process of its own
(forked, so the rows are shared) with a wall-time cap and is reported as
"> cap" where it hits it:

* mistruct: ``pc`` (its defaults), ``miic`` (NML), ``chow_liu_tree``, and
  the hybrid ``learn_network`` searched within PC's skeleton (its time is
  PC's plus the search's);
* pyAgrum 3.3 (C++): PC with the G2 test (``usePC``, ``useG2Test``,
  ``setPCAlpha(0.05)``) and MIIC with the NML correction, both learning a
  PDAG.

Columns: wall seconds, peak resident memory of the child (MiB, from
``resource.getrusage``: includes the rows it shares with the parent), skeleton
F1 against the true DAG, SHD of the learned graph's CPDAG against the true
DAG's CPDAG (pgmpy's ``to_pdag``), and the held-out log-likelihood per row of
a BDeu (ess 1) network fitted on a DAG extending the learned graph.

    python benchmarks/bench_large_networks.py                     # writes the section
    python benchmarks/bench_large_networks.py --networks pathfinder --rows 10000 --no-write
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
import traceback
import warnings
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import (  # noqa: E402
    cpdag_of,
    machine,
    markdown_table,
    pyagrum_graph,
    write_section,
)

from mistruct.exceptions import StateSpaceTooLargeError  # noqa: E402
from mistruct.interop import fit_bayesian_network, learn_network, log_likelihood  # noqa: E402
from mistruct.interop.datasets import sample_network  # noqa: E402
from mistruct.structure import (  # noqa: E402
    chow_liu_tree,
    cpdag_to_dag,
    miic,
    pc,
    structure_metrics,
)

NETWORKS = ["pathfinder", "pigs", "link", "munin"]
ALPHA = 0.05
TEST_ROWS = 10_000
LEARNERS = ["pc", "hybrid", "miic", "chow-liu", "pyagrum-pc", "pyagrum-miic"]


def _pyagrum(frame, method):
    import pyagrum

    learner = pyagrum.BNLearner(frame.astype(str))
    if method == "pc":
        learner.usePC()
        learner.useG2Test()
        learner.setPCAlpha(ALPHA)
    else:
        learner.useMIIC()
        learner.useNMLCorrection()
    return pyagrum_graph(learner, learner.learnPDAG(), list(frame.columns))


def _learn(which, frame):
    if which == "pc":
        return pc(frame, alpha=ALPHA)
    if which == "hybrid":
        return learn_network(frame, pc(frame, alpha=ALPHA))
    if which == "miic":
        return miic(frame)
    if which == "chow-liu":
        return chow_liu_tree(frame)
    return _pyagrum(frame, which.split("-")[1])


def _child(queue, which, frame):
    warnings.simplefilter("ignore")
    try:
        start = time.perf_counter()
        graph = _learn(which, frame)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        queue.put((seconds, peak, list(graph.edges()), None))
    except Exception:  # report the failure in the table instead of losing the run
        queue.put((None, None, None, traceback.format_exc(limit=3)))


def run_capped(which, frame, cap):
    """(seconds, peak MiB, edges, error) of one learner in a forked child, or Nones at the cap."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue, which, frame))
    process.start()
    deadline = time.perf_counter() + cap
    result = None
    while time.perf_counter() < deadline:
        try:
            result = queue.get(timeout=1.0)
            break
        except Exception:  # queue.Empty: keep waiting while the child lives
            if not process.is_alive() and queue.empty():
                break
    if process.is_alive():
        process.kill()
    process.join()
    return result if result is not None else (None, None, None, "cap")


def held_out(train, test, graph):
    """Mean held-out log-likelihood per row of a BDeu network fitted on a DAG of ``graph``."""
    dag = graph if nx.is_directed_acyclic_graph(graph) else cpdag_to_dag(graph, fallback=True)
    try:
        model = fit_bayesian_network(train, dag)
    except StateSpaceTooLargeError:
        return None  # a node with so many parents that its table cannot be stored
    return float(np.mean(log_likelihood(model, test, unknown_states="prior")))


def run(network, n_rows, cap, learners):
    sample = sample_network(network, n_rows, seed=0)
    test = sample_network(network, TEST_ROWS, seed=1).data
    train, truth = sample.data, sample.graph
    true_cpdag = cpdag_of(truth)
    rows = []
    for which in learners:
        seconds, peak, edges, error = run_capped(which, train, cap)
        line = [network, f"{n_rows:,}", which]
        if seconds is None:
            reason = f"> {cap:.0f}" if error == "cap" else "failed"
            line += [reason, "", "", "", ""]
            if error not in (None, "cap"):
                print(error, file=sys.stderr)
        else:
            graph = nx.DiGraph()
            graph.add_nodes_from(train.columns)
            graph.add_edges_from(edges)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                f1 = structure_metrics(graph, truth).skeleton_f1
                dag = (
                    graph
                    if nx.is_directed_acyclic_graph(graph)
                    else cpdag_to_dag(graph, fallback=True)
                )
                shd = structure_metrics(cpdag_of(dag), true_cpdag).shd
                score = held_out(train, test, dag)
            score = "table too large" if score is None else f"{score:.3f}"
            line += [f"{seconds:.1f}", f"{peak:.0f}", f"{f1:.3f}", shd, score]
        rows.append(line)
        print(" | ".join(map(str, line)), flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        truth_score = float(np.mean(log_likelihood(sample.model, test)))
    rows.append([network, f"{n_rows:,}", "true network", "", "", "1.000", 0, f"{truth_score:.3f}"])
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--networks", nargs="+", default=NETWORKS)
    parser.add_argument("--rows", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--learners", nargs="+", default=LEARNERS, choices=LEARNERS)
    parser.add_argument("--cap", type=float, default=600.0, help="seconds per learner")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--note", default="", help="a line on the machine's load during the run")
    args = parser.parse_args(argv)
    rows = []
    for network in args.networks:
        for n_rows in args.rows:
            rows += run(network, n_rows, args.cap, args.learners)
    header = [
        "network", "rows", "learner", "seconds", "peak MiB", "skeleton F1", "CPDAG SHD",
        "held-out log-lik/row",
    ]
    command = "python benchmarks/bench_large_networks.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    body = "\n\n".join(
        [
            "## Large networks: pathfinder, pigs, link, munin",
            "Training rows sampled from each bundled network (seed 0), 10^4 held-out rows "
            "(seed 1), alpha 0.05. Every learner runs in its own forked child with a cap of "
            f"{args.cap:.0f} s of wall time (\"> cap\" where it hit it); peak MiB is the child's "
            "resident memory (it includes the rows shared with the parent). hybrid = "
            "`learn_network` within PC's skeleton (its seconds include PC's); pyAgrum 3.3: PC "
            "with the G2 test and MIIC with the NML correction. SHD of the CPDAG against the "
            "true DAG's CPDAG; held-out log-likelihood per row (nats) of a BDeu network fitted "
            "on a DAG extending the learned graph (\"table too large\" where a node of that "
            "DAG has so many parents that its probability table cannot be stored).",
            markdown_table(header, rows),
            f"Machine: {machine()}. {args.note} Reproduce: `{command.strip()}`.",
        ]
    )
    print(body)
    if not args.no_write:
        write_section("large-networks", body)


if __name__ == "__main__":
    main()
