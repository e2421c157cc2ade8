"""PC on the bnlearn networks of causal-learn's benchmark set, against causal-learn's PC.

Issue 15 (items 4 and 5).  For each network pgmpy ships among those of
causal-learn's benchmark data (asia, cancer, earthquake, survey, sachs,
alarm, child, insurance, water, hailfinder, hepar2, win95pts, barley):
10^4 rows sampled with :func:`mistruct.interop.datasets.sample_network`
(seed 0), alpha 0.05, one process, then

* mistruct's ``pc`` (default test and orientation) and causal-learn's
  ``pc(data, 0.05, "gsq", stable=True)`` (its defaults ``uc_rule=0``,
  ``uc_priority=2``): wall seconds, skeleton F1, and SHD of the CPDAG
  against the true DAG's CPDAG;
* mistruct's CPDAG SHD under each orientation rule, with and without the
  p-value priority (one skeleton), and with ``--loglik`` the held-out
  log-likelihood per row (10^4 fresh rows, seed 1) of a DAG extending each
  CPDAG, fitted with BDeu;
* with ``--speed``: andes and hepar2 at alpha 0.01 (issue 15's speed
  tables), mistruct's ``pc`` with the default test and with the adjusted
  and plain G-tests, against pgmpy's PC (chi_square, PC-stable) and
  pyAgrum 3.3's PC (G², ``setPCAlpha``) and MIIC (``--cap`` seconds of
  wall time each for the peers); every run in a fresh child process, with
  its peak memory;
* with ``--munin``: ``pc`` (adjusted G-test) on munin's 1,041 nodes: wall
  time, tests, skeleton F1 and peak memory.  With ``--skip-main`` the speed
  tables are written to their own section (``pc-speed``).

    python benchmarks/bench_pc_networks.py                      # the 13 networks
    python benchmarks/bench_pc_networks.py --networks alarm child --loglik
    python benchmarks/bench_pc_networks.py --speed
    python benchmarks/bench_pc_networks.py --skip-main --speed --munin --write  # pc-speed
    python benchmarks/bench_pc_networks.py --loglik --speed --write
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import sys
import time
import warnings
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, markdown_table, write_section  # noqa: E402

from mistruct.interop import fit_bayesian_network, log_likelihood  # noqa: E402
from mistruct.interop.datasets import sample_network  # noqa: E402
from mistruct.structure import cpdag_to_dag, pc, structure_metrics  # noqa: E402
from mistruct.structure._pc import ORIENTATIONS, orient_cpdag  # noqa: E402

NETWORKS = [
    "asia", "cancer", "earthquake", "survey", "sachs", "alarm", "child", "insurance",
    "water", "hailfinder", "hepar2", "win95pts", "barley",
]
ROWS, ALPHA = 10_000, 0.05


def true_cpdag(dag: nx.DiGraph) -> nx.DiGraph:
    """The CPDAG of a DAG: its skeleton, its v-structures, Meek's rules.

    The parents of a nonadjacent pair ``a, b`` hold every non-collider between
    them and no collider, so as their "separating set" the orientation finds
    exactly the DAG's v-structures.
    """
    skeleton = nx.Graph(dag.to_undirected())
    skeleton.add_nodes_from(dag.nodes())
    skeleton.graph["sepsets"] = {
        frozenset((a, b)): tuple(set(dag.predecessors(a)) | set(dag.predecessors(b)))
        for a, b in itertools.combinations(dag.nodes(), 2)
        if not skeleton.has_edge(a, b)
    }
    return orient_cpdag(skeleton, orientation="sepset")


def causal_learn_pc(frame):
    from causallearn.search.ConstraintBased.PC import pc as cl_pc

    columns = sorted(frame.columns)
    codes = np.column_stack(
        [frame[c].astype("category").cat.codes.to_numpy() for c in columns]
    )
    start = time.perf_counter()
    result = cl_pc(codes, ALPHA, "gsq", stable=True, show_progress=False)
    seconds = time.perf_counter() - start
    matrix = result.G.graph
    cpdag = nx.DiGraph()
    cpdag.add_nodes_from(columns)
    for i, j in itertools.permutations(range(len(columns)), 2):
        # causal-learn: G[j, i] = 1 and G[i, j] = -1 is i -> j; both -1 is i - j.
        if matrix[i, j] == -1 and matrix[j, i] in (1, -1):
            cpdag.add_edge(columns[i], columns[j])
    return cpdag, seconds


def scores(learned, dag, reference):
    metrics = structure_metrics(learned, reference)
    return round(structure_metrics(learned, dag).skeleton_f1, 3), metrics.shd


def main_table(networks, loglik=False):
    """One pc run per network; its skeleton oriented by each rule; causal-learn beside."""
    rows, rule_rows = [], []
    for name in networks:
        example = sample_network(name, ROWS, seed=0)
        reference = true_cpdag(example.graph)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            ours = pc(example.data, alpha=ALPHA)
            seconds = time.perf_counter() - start
        theirs, their_seconds = causal_learn_pc(example.data)
        f1, shd = scores(ours, example.graph, reference)
        cl_f1, cl_shd = scores(theirs, example.graph, reference)
        win = f1 >= cl_f1 and shd <= cl_shd
        line = [name, example.graph.number_of_nodes(), example.graph.number_of_edges(),
                f"{seconds:.2f}", ours.graph["n_tests"], f1, shd, f"{their_seconds:.2f}",
                cl_f1, cl_shd, "yes" if win else "no"]
        rows.append(line)
        print(" | ".join(map(str, line)), flush=True)
        rule_rows.append(rule_row(name, nx.Graph(ours), example, reference, loglik))
        print(" | ".join(rule_rows[-1]), flush=True)
    header = ["network", "nodes", "edges", "mistruct pc s", "tests", "F1", "CPDAG SHD",
              "causal-learn pc gsq s", "F1", "CPDAG SHD", "F1 >= and SHD <="]
    wins = sum(row[-1] == "yes" for row in rows)
    rule_header = ["network"] + [
        f"{rule}{' + priority' if priority else ''}"
        for rule in ORIENTATIONS
        for priority in (True, False)
    ]
    totals = ["total SHD"] + [
        sum(int(row[k].split(" / ")[0]) for row in rule_rows) for k in range(1, len(rule_header))
    ]
    what = (
        "CPDAG SHD / held-out log-likelihood per row in nats (10^4 rows, seed 1) of a "
        "BDeu-fitted extension"
        if loglik
        else "CPDAG SHD"
    )
    return (
        f"{wins} of {len(rows)} networks with skeleton F1 no lower and CPDAG SHD no higher "
        "than causal-learn's (mistruct: default test and orientation).\n\n"
        + markdown_table(header, rows)
        + f"\n\nOrientation rules on the same skeletons ({what}; \"priority\": "
        "conflicting colliders drawn by p-value, else in sorted node order):\n\n"
        + markdown_table(rule_header, [*rule_rows, totals])
    )


def rule_row(name, skeleton, example, reference, loglik):
    held_out = sample_network(name, ROWS, seed=1).data if loglik else None
    line = [name]
    for rule in ORIENTATIONS:
        for priority in (True, False):
            graph = skeleton.copy()
            if not priority:
                graph.graph["collider_pvalues"] = {}
            cpdag = orient_cpdag(graph, orientation=rule)
            cell = str(structure_metrics(cpdag, reference).shd)
            if loglik:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    dag = cpdag_to_dag(cpdag, fallback=True)
                    model = fit_bayesian_network(example.data, dag)
                    value = np.mean(log_likelihood(model, held_out, unknown_states="prior"))
                cell += f" / {value:.4f}"
            line.append(cell)
    return line


#: The speed comparison's level, as in issue 15's tables (andes, hepar2: alpha 0.01).
SPEED_ALPHA = 0.01

#: mistruct's tests in the speed table: the default, and the two asymptotic G-tests.
SPEED_TESTS = ("auto", "g-test-adjusted", "g-test")


def _peer(queue, which, name, alpha=SPEED_ALPHA):
    warnings.simplefilter("ignore")
    example = sample_network(name, ROWS, seed=0)
    frame = example.data
    start = time.perf_counter()
    if which == "pgmpy":
        from pgmpy.estimators import PC

        graph = PC(frame.astype(str)).estimate(
            ci_test="chi_square", significance_level=alpha, variant="stable",
            return_type="skeleton", show_progress=False,
        )
        graph = graph[0] if isinstance(graph, tuple) else graph
        edges = [tuple(map(str, e)) for e in graph.edges()]
    else:
        import pyagrum

        learner = pyagrum.BNLearner(frame.astype(str))
        if which == "pyagrum-miic":
            learner.useMIIC()
        else:  # pyAgrum 3.3's PC with the G^2 test
            learner.usePC()
            learner.useG2Test()
            learner.setPCAlpha(alpha)
        learned = learner.learnPDAG()
        names = learner.names()
        edges = [(names[a], names[b]) for a, b in [*learned.arcs(), *learned.edges()]]
    queue.put((time.perf_counter() - start, edges))


def _ours(queue, name, ci_test, n_jobs, alpha=SPEED_ALPHA):
    """mistruct's pc in a fresh process: its wall time, F1, tests and peak memory."""
    import resource

    from mistruct.counting import batched_strata

    warnings.simplefilter("ignore")
    example = sample_network(name, ROWS, seed=0)
    # numba and the compiled kernel load once per process (from numba's disk cache), as
    # the peers' modules are imported before their clocks start: timed apart.
    start = time.perf_counter()
    batched_strata(np.zeros((2, 3), dtype=np.int8), [1, 1, 1], [(0, 1, (2,))])
    load = time.perf_counter() - start
    start = time.perf_counter()
    graph = pc(example.data, alpha=alpha, ci_test=ci_test, n_jobs=n_jobs)
    seconds = time.perf_counter() - start
    f1 = structure_metrics(graph, example.graph).skeleton_f1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
    queue.put((seconds, f1, graph.graph["n_tests"], peak, load))


def _in_child(target, args, cap):
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=target, args=(queue, *args))
    process.start()
    process.join(cap)
    if process.is_alive():
        process.kill()
        process.join()
        return None
    return queue.get() if not queue.empty() else None


def run_peer(which, name, cap):
    return _in_child(_peer, (which, name), cap) or (None, None)


def speed_table(cap, networks=("hepar2", "andes"), n_jobs=1):
    """mistruct's pc (default test and both G-tests) against pgmpy's and pyAgrum's PC.

    Every run in its own process (fresh memory, numba's cache loaded each
    time); the peers capped at ``cap`` seconds.  Ratios: peer seconds over
    mistruct's with the adjusted G-test.
    """
    rows = []
    for name in networks:
        line = [name]
        reference = None
        for ci_test in SPEED_TESTS:
            seconds, f1, n_tests, peak, load = _in_child(_ours, (name, ci_test, n_jobs), None)
            if ci_test == "g-test-adjusted":
                reference = seconds
            line.append(
                f"{seconds:.1f} s, F1 {f1:.3f} ({n_tests} tests, {peak:.2f} GiB; "
                f"kernel load {load:.1f} s)"
            )
        example = sample_network(name, ROWS, seed=0)
        for which in ("pgmpy", "pyagrum-pc", "pyagrum-miic"):
            peer_seconds, edges = run_peer(which, name, cap)
            if peer_seconds is None:
                line.append(f"> {cap:.0f} s")
                continue
            graph = nx.Graph(edges)
            graph.add_nodes_from(example.graph.nodes())
            peer_f1 = structure_metrics(graph, example.graph).skeleton_f1
            line.append(
                f"{peer_seconds:.1f} s, F1 {peer_f1:.3f} ({peer_seconds / reference:.1f}x)"
            )
        rows.append(line)
        print(" | ".join(map(str, line)), flush=True)
    header = ["network", *(f"mistruct pc {t}" for t in SPEED_TESTS), "pgmpy PC chi_square",
              "pyAgrum PC (G2)", "pyAgrum MIIC"]
    return (
        f"alpha {SPEED_ALPHA}, n_jobs={n_jobs}; each run in a fresh process (forked, so "
        "peak memory includes the parent's); mistruct's seconds exclude loading numba and "
        "its compiled kernel (shown apart, once per process), as the peers' seconds exclude "
        "their imports; peers: seconds, F1 and (their seconds / mistruct's with "
        "g-test-adjusted).\n\n"
        + markdown_table(header, rows)
    )


def munin_table(n_jobs=1, ci_tests=("g-test-adjusted",)):
    """pc on munin (1,041 nodes) at 10^4 rows: wall time, tests, F1, peak memory."""
    rows = []
    for ci_test in ci_tests:
        seconds, f1, n_tests, peak, _ = _in_child(_ours, ("munin", ci_test, n_jobs), None)
        rows.append([ci_test, n_jobs, f"{seconds:.0f}", n_tests, f"{f1:.3f}", f"{peak:.2f}"])
        print(" | ".join(map(str, rows[-1])), flush=True)
    header = ["ci_test", "n_jobs", "seconds", "tests", "skeleton F1", "peak memory GiB"]
    return f"munin, alpha {SPEED_ALPHA}:\n\n" + markdown_table(header, rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="+", default=NETWORKS)
    parser.add_argument("--loglik", action="store_true")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--skip-main", action="store_true")
    parser.add_argument("--cap", type=float, default=300.0)
    parser.add_argument("--speed-networks", nargs="+", default=["hepar2", "andes"])
    parser.add_argument("--munin", action="store_true")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    parts = []
    command = "python benchmarks/bench_pc_networks.py " + " ".join(argv or sys.argv[1:])
    if not args.skip_main:
        parts.append(
            "### PC against causal-learn's PC (gsq)\n\n" + main_table(args.networks, args.loglik)
        )
    if args.speed:
        parts.append(
            "### Speed: andes and hepar2\n\n"
            + speed_table(args.cap, args.speed_networks, args.n_jobs)
        )
    if args.munin:
        parts.append("### munin (1,041 nodes)\n\n" + munin_table(args.n_jobs))
    # Only the speed tables: their own section, so that the 13-network table stays.
    section = "pc-speed" if args.skip_main else "pc-networks"
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    body = (
        f"PC on bnlearn networks (`{command.strip()}`), {ROWS} rows sampled with seed 0, "
        f"alpha {ALPHA} (speed tables: {SPEED_ALPHA}); load average at the end {load}."
        f"\n\nMachine: {machine()}\n\n"
        + "\n\n".join(parts)
    )
    print(body)
    if args.write:
        write_section(section, body)


if __name__ == "__main__":
    main()
