"""PC and ARACNE against pgmpy's PC and causal-learn's PC, and fitted networks on held-out rows.

Same rows (sampled from the bundled network, 10^4 by default), same process.
For each learner: wall time, skeleton precision / recall / F1 against the
true network, and the held-out log-likelihood per row of a BDeu-fitted network
on the learned structure (CPDAGs and skeletons extended to DAGs), beside the
true network's own.

    python benchmarks/bench_structure.py                 # alarm and insurance, 10^4 rows
    python benchmarks/bench_structure.py --rows 5000 --networks asia --no-write
    python benchmarks/bench_structure.py --networks alarm --seeds 0 1 2 3 4   # F1 per sample
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, markdown_table, write_section  # noqa: E402

from mistruct.cli.learn import dag_for_fitting  # noqa: E402
from mistruct.exceptions import InvalidInputError  # noqa: E402
from mistruct.interop._bayesnet import fit_bayesian_network, log_likelihood  # noqa: E402
from mistruct.interop.datasets import sample_network  # noqa: E402
from mistruct.structure import aracne, chow_liu_tree, structure_metrics  # noqa: E402
from mistruct.structure._pc import pc  # noqa: E402


def _timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def pgmpy_pc(train, ci_test):
    from pgmpy.causal_discovery import PC

    estimator = PC(ci_test=ci_test, significance_level=0.05, show_progress=False).fit(train)
    graph = nx.DiGraph()
    graph.add_nodes_from(train.columns)
    for a, b in estimator.causal_graph_.edges():
        graph.add_edge(a, b)
    return graph


def causal_learn_pc(train):
    from causallearn.search.ConstraintBased.PC import pc as cl_pc

    codes = np.column_stack([train[c].cat.codes.to_numpy() for c in train.columns])
    result = cl_pc(codes, 0.05, "gsq", stable=True, show_progress=False, node_names=list(train))
    matrix = result.G.graph  # -1 at [i, j] and 1 at [j, i]: i -> j; -1/-1: undirected
    graph = nx.DiGraph()
    names = list(train.columns)
    graph.add_nodes_from(names)
    for i in range(len(names)):
        for j in range(len(names)):
            if matrix[i, j] == -1 and matrix[j, i] in (1, -1):
                graph.add_edge(names[i], names[j])
    return graph


def learners(seed):
    return {
        "mistruct PC, g-test-adjusted": lambda d: pc(d, ci_test="g-test-adjusted"),
        "mistruct PC, g-test": lambda d: pc(d, ci_test="g-test"),
        "mistruct PC, permutation (B=1000)": lambda d: pc(d, ci_test="permutation", seed=seed),
        "mistruct PC, sequential (B<=1000)": lambda d: pc(d, ci_test="sequential", seed=seed),
        "mistruct ARACNE": lambda d: aracne(d),
        "mistruct Chow-Liu tree": lambda d: chow_liu_tree(d),
        "pgmpy PC, chi_square": lambda d: pgmpy_pc(d, "chi_square"),
        "pgmpy PC, g_sq": lambda d: pgmpy_pc(d, "g_sq"),
        "causal-learn PC, gsq": causal_learn_pc,
    }


def run(network, n_rows, seed, skip):
    sample = sample_network(network, int(n_rows * 1.25), seed=seed)
    data = sample.data
    train, held_out = data.iloc[:n_rows], data.iloc[n_rows:]
    true_ll = float(log_likelihood(sample.model, held_out).mean())
    rows = []
    for name, learn in learners(seed).items():
        if any(word in name for word in skip):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                graph, seconds = _timed(lambda learn=learn: learn(train))
            except Exception as exc:  # a peer failing is a result, not a crash
                rows.append([network, name, "failed", type(exc).__name__, "", "", "", ""])
                continue
            metrics = structure_metrics(graph, sample.graph)
            try:
                model = fit_bayesian_network(train, dag_for_fitting(graph))
            except InvalidInputError:  # a peer's PDAG with a directed cycle
                held = "n/a (cyclic PDAG)"
            else:
                held = f"{np.mean(log_likelihood(model, held_out, unknown_states='nan')):.4f}"
        rows.append(
            [
                network,
                name,
                f"{seconds:.2f}",
                f"{metrics.skeleton_precision:.3f}",
                f"{metrics.skeleton_recall:.3f}",
                f"{metrics.skeleton_f1:.3f}",
                held,
                f"{true_ll:.4f}",
            ]
        )
        print(rows[-1], flush=True)
    return rows


SEED_LEARNERS = (
    "mistruct PC, g-test-adjusted",
    "mistruct PC, permutation (B=1000)",
    "pgmpy PC, chi_square",
    "pgmpy PC, g_sq",
)


def over_seeds(network, n_rows, seeds):
    """Skeleton F1 and seconds of the PC learners on each seed's rows, and their means."""
    f1 = {name: [] for name in SEED_LEARNERS}
    seconds = {name: [] for name in SEED_LEARNERS}
    for seed in seeds:
        sample = sample_network(network, int(n_rows * 1.25), seed=seed)
        train = sample.data.iloc[:n_rows]
        for name in SEED_LEARNERS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                learn = learners(seed)[name]
                graph, took = _timed(lambda learn=learn, train=train: learn(train))
            f1[name].append(structure_metrics(graph, sample.graph).skeleton_f1)
            seconds[name].append(took)
            print(network, seed, name, f"{f1[name][-1]:.3f}", f"{took:.2f}", flush=True)
    rows = [
        [network, name, *(f"{v:.3f}" for v in f1[name]), f"{np.mean(f1[name]):.3f}",
         f"{np.mean(seconds[name]):.2f}"]
        for name in SEED_LEARNERS
    ]  # fmt: skip
    header = ["network", "learner", *(f"F1 seed {s}" for s in seeds), "mean F1", "mean seconds"]
    return markdown_table(header, rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--networks", nargs="+", default=["alarm", "insurance"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip", nargs="*", default=[], help="skip learners whose name has it")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        help="instead: skeleton F1 of the PC learners on each of these seeds' rows",
    )
    args = parser.parse_args(argv)
    if args.seeds:
        tables = [over_seeds(network, args.rows, args.seeds) for network in args.networks]
        table = "\n\n".join(tables)
        print(table)
        if not args.no_write:
            write_section(
                "structure-seeds",
                f"## PC over several samples ({args.rows:,} training rows, alpha = 0.05)\n\n"
                "Skeleton F1 varies from sample to sample by more than it does between good\n"
                "tests; each column is one sample (the seed of the rows; the permutation test\n"
                "draws with the same seed), all learners on the same rows, one process.\n\n"
                f"{table}\n\nMachine: {machine()}.\n\n"
                f"Reproduce: `python benchmarks/bench_structure.py --rows {args.rows} "
                f"--networks {' '.join(args.networks)} --seeds {' '.join(map(str, args.seeds))}`",
            )
        return
    rows = []
    for network in args.networks:
        rows += run(network, args.rows, args.seed, args.skip)
    header = [
        "network",
        "learner",
        "seconds",
        "skeleton precision",
        "recall",
        "F1",
        "held-out log-lik/row",
        "true network's",
    ]
    table = markdown_table(header, rows)
    print(table)
    if not args.no_write:
        write_section(
            "structure",
            f"## Structure learning ({args.rows:,} training rows, alpha = 0.05)\n\n"
            "Each learner runs on the same training rows sampled from the bundled network\n"
            "(seed {seed}), in one process. F1 is the skeleton's against the true network.\n"
            "Held-out log-likelihood: mean over 25% more rows from the same network, of a\n"
            "BDeu (ess 1) network fitted on the learned structure (CPDAGs and skeletons\n"
            "extended to DAGs); the last column is the true network with its own tables.\n\n"
            f"{table}\n\nMachine: {machine()}.\n\n"
            f"Reproduce: `python benchmarks/bench_structure.py --rows {args.rows} "
            f"--networks {' '.join(args.networks)}`".replace("{seed}", str(args.seed)),
        )


if __name__ == "__main__":
    main()
