"""Chow-Liu tree: mistruct against pgmpy's TreeSearch on rows sampled from ALARM.

pgmpy's ``TreeSearch(data, root_node=...).estimate(estimator_type="chow-liu")``
computes one ``sklearn.metrics.mutual_info_score`` per pair of columns (666
pairs for ALARM's 37 columns, in parallel with joblib, ``n_jobs=-1``), then a
networkx maximum spanning tree.  ``mistruct.chow_liu_tree`` counts every pair
at once with one chunked one-hot matrix product, then runs the same spanning
tree.  Both get the same DataFrame (categorical columns) and the same root, in
one process; the undirected edge sets are compared.

Timing: best of 3 runs for mistruct, one run for pgmpy.  Peak memory: one more
run under tracemalloc (Python allocations of this process; pgmpy's joblib
worker processes are not included).

    python benchmarks/bench_chow_liu.py                # 10^4, 10^5 (both), 10^6 (mistruct)
    python benchmarks/bench_chow_liu.py --quick        # 10^4 only; does not write docs
    python benchmarks/bench_chow_liu.py --pgmpy-max 1000000   # pgmpy at 10^6 too (~10 min)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _report import machine, markdown_table, write_section  # noqa: E402

from mistruct.interop.datasets import sample_network  # noqa: E402
from mistruct.structure import chow_liu_tree  # noqa: E402


def timed(function, *args, repeat=1, **kwargs):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return result, best


def peak_mib(function, *args, **kwargs) -> float:
    tracemalloc.start()
    try:
        function(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def pgmpy_tree(data, root):
    from pgmpy.estimators import TreeSearch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TreeSearch(data, root_node=root).estimate(
            estimator_type="chow-liu", show_progress=False
        )


def undirected(graph) -> set:
    return {frozenset(edge) for edge in graph.edges()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^4 rows only; do not write docs")
    parser.add_argument(
        "--pgmpy-max",
        type=int,
        default=10**5,
        help="largest number of rows pgmpy is run on (default 10^5)",
    )
    args = parser.parse_args(argv)
    sizes = [10**4] if args.quick else [10**4, 10**5, 10**6]
    rows, loads = [], [os.getloadavg()[0]]
    for n in sizes:
        data = sample_network("alarm", n, seed=0).data
        root = data.columns[0]
        ours, t_ours = timed(chow_liu_tree, data, repeat=3)
        mem_ours = peak_mib(chow_liu_tree, data)
        if n <= args.pgmpy_max:
            theirs, t_theirs = timed(pgmpy_tree, data, root)
            mem_theirs = peak_mib(pgmpy_tree, data, root)
            differences = len(undirected(ours) ^ undirected(theirs)) // 2
            row = [
                f"{n:,}",
                f"{t_ours:.3f}",
                f"{t_theirs:.1f}",
                f"{t_theirs / t_ours:.0f}x",
                "yes" if differences == 0 else "no",
                str(differences),
                f"{mem_ours:.0f}",
                f"{mem_theirs:.0f}",
            ]
        else:
            row = [f"{n:,}", f"{t_ours:.3f}", "not run", "", "", "", f"{mem_ours:.0f}", ""]
        rows.append(row)
        loads.append(os.getloadavg()[0])
        print(" | ".join(row), flush=True)
    table = markdown_table(HEADER, rows)
    print(table)
    if not args.quick:
        write_section("chow-liu", render(table, args.pgmpy_max, loads))


HEADER = [
    "rows",
    "mistruct (s)",
    "pgmpy TreeSearch (s)",
    "speed-up",
    "same undirected edges",
    "edges that differ",
    "mistruct peak (MiB)",
    "pgmpy peak (MiB)",
]


def render(table: str, pgmpy_max: int, loads) -> str:
    """The docs/benchmarks.md section."""
    return "\n".join(
        [
            "## Chow-Liu tree vs pgmpy TreeSearch",
            "",
            "ALARM network (37 columns, 666 pairs), rows sampled with "
            '`mistruct.interop.datasets.sample_network("alarm", n, seed=0)`; both libraries get '
            'the '
            "same DataFrame and root (the first column). `mistruct.chow_liu_tree` counts all "
            "pairs with one chunked one-hot matrix product; pgmpy's `TreeSearch` "
            '(`estimator_type="chow-liu"`, default `n_jobs=-1`) computes scikit-learn\'s '
            "`mutual_info_score` pair by pair. Time: best of 3 (mistruct), one run (pgmpy). "
            "Peak memory: tracemalloc, this process only (pgmpy's joblib workers not counted). "
            '"edges that differ": edges in one tree and not in the other.',
            "",
            table,
            "",
            f"Machine: {machine()}. One run, on a machine shared with other jobs: 1-minute "
            f"load average {min(loads):.1f}-{max(loads):.1f} during the run. pgmpy's joblib "
            "workers compete for the 2 cores, so its times (and the speed-up) grow with the "
            "load.",
            "",
            "Reproduce: `python benchmarks/bench_chow_liu.py` "
            f"(pgmpy is run up to {pgmpy_max:,} rows; `--pgmpy-max 1000000` runs it at "
            "10^6 too).",
        ]
    )


if __name__ == "__main__":
    main()
