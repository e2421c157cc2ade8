"""PC with the default test on real tables: time, and agreement with the slow settings.

Tables that ship in pip packages, each as a new user would pass it:

* scikit-learn's breast cancer, first 500 rows: 30 float columns and the
  binary target (31 columns, a mixed table);
* scikit-learn's wine (178 x 13 floats), diabetes (442 x 11, unscaled),
  palmerpenguins (333 complete rows x 8, mixed).

For each: PC-stable with the default test (``ci_test="auto"``: kNN
local-permutation tests where a float column is involved), with ``n_jobs``
1 and 2, and with the Gaussian test for comparison.  On the small tables
(``--slow``) also the settings before issue 11 (each kNN test up to 200
surrogates, stopping early only for independence, and level 0 by per-pair
kNN tests), to report how many edges the two skeletons share.

    python benchmarks/bench_pc_real.py                       # all tables, n_jobs 1 and 2
    python benchmarks/bench_pc_real.py --tables breast_cancer --jobs 2
    python benchmarks/bench_pc_real.py --tables wine --slow  # with the slow settings
    python benchmarks/bench_pc_real.py --write               # the table into docs/benchmarks.md
    python benchmarks/bench_pc_real.py --scale               # knn_ci_test time against rows
    python benchmarks/bench_pc_real.py --tables breast_cancer --jobs 2 --baseline /tmp/head_copy

``--baseline DIR`` also runs each default-test row with the mistruct package
found in ``DIR`` (an older copy, e.g. ``git archive HEAD | tar -x -C DIR``),
in a subprocess right after this code's run, and reports the CPU ratio and
the edges the two skeletons share.

``--scale`` times :func:`mistruct.independence.knn_ci_test` with 20 surrogates on
independent and dependent float pairs from 5,000 to 40,000 rows, without Z
and with one Z column (issue 12, item 13: the time per surrogate should grow
like n log n).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, markdown_table, write_section  # noqa: E402

import mistruct.independence._by_kind as by_kind  # noqa: E402
from mistruct.exceptions import InvalidInputError  # noqa: E402
from mistruct.structure._pc import pc_skeleton  # noqa: E402


def tables() -> dict:
    from palmerpenguins import load_penguins
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine

    cancer = load_breast_cancer(as_frame=True).frame.iloc[:500]
    return {
        "breast_cancer": lambda: cancer,
        "wine": lambda: load_wine(as_frame=True).frame.drop(columns="target").astype(float),
        "diabetes": lambda: load_diabetes(as_frame=True, scaled=False).frame,
        "penguins": lambda: load_penguins().dropna(),
    }


def slow_settings():
    """Patch the settings before issue 11 in; returns the function that undoes it."""
    stopping, ranks = by_kind.knn_stopping, by_kind.rank_pair_tests

    def per_pair(frame, pairs, **options):
        return by_kind.ci_tests_by_kind(
            frame,
            [(x, y, ()) for x, y in pairs],
            alpha=options["alpha"],
            knn_permutations=options["n_permutations"],
            k=options["k"],
            seed=options["seed"],
        )

    by_kind.knn_stopping = lambda alpha, b, early: stopping(alpha, b, False)
    by_kind.rank_pair_tests = per_pair

    def undo():
        by_kind.knn_stopping, by_kind.rank_pair_tests = stopping, ranks

    return undo


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its finished worker processes."""
    own, workers = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                         resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def run(frame, **options):
    """The skeleton, and its wall seconds; its CPU seconds (all processes) in ``graph.graph``."""
    start, cpu = time.perf_counter(), cpu_seconds()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = pc_skeleton(frame, seed=0, **options)
    graph.graph["cpu_seconds"] = cpu_seconds() - cpu  # the workers are joined by now
    return graph, time.perf_counter() - start


def baseline_run(directory: str, name: str, jobs: int, max_time) -> dict:
    """The default-test run of table ``name`` with the mistruct in ``directory`` (a subprocess)."""
    command = [sys.executable, __file__, "--raw", "--tables", name, "--jobs", str(jobs)]
    if max_time is not None:
        command += ["--max-time", str(max_time)]
    env = dict(os.environ, PYTHONPATH=directory)
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def edges(graph) -> set:
    return {frozenset(edge) for edge in graph.edges()}


def scale(rows=(5_000, 10_000, 20_000, 40_000)):
    import numpy as np

    from mistruct.independence._knn import knn_ci_test

    out = []
    rng = np.random.default_rng(0)
    for n in rows:
        x, y, z = rng.standard_normal((3, n))
        for given in (None, z):
            start = time.perf_counter()
            knn_ci_test(x, y + (0 if given is None else given), given, n_permutations=20, seed=0)
            seconds = time.perf_counter() - start
            line = [n, "none" if given is None else "1 column", f"{seconds:.2f}"]
            out.append(line)
            print(" | ".join(map(str, line)), flush=True)
    print(markdown_table(["rows", "Z", "seconds (20 surrogates)"], out))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="*", default=None)
    parser.add_argument("--jobs", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--slow", action="store_true", help="also the settings before issue 11")
    parser.add_argument("--max-time", type=float, default=None)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--scale", action="store_true", help="knn_ci_test time against rows")
    parser.add_argument("--baseline", default=None, help="a directory holding an older mistruct")
    parser.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.raw:  # one default-test run, as one JSON line (for --baseline)
        import mistruct

        frame = tables()[args.tables[0]]()
        graph, seconds = run(frame, n_jobs=args.jobs[0], max_time=args.max_time)
        print(json.dumps({
            "package": mistruct.__file__, "wall": seconds, "cpu": graph.graph["cpu_seconds"],
            "edges": sorted(sorted(map(str, e)) for e in edges(graph)),
            "tests": graph.graph["n_tests"],
        }))
        return None
    if args.scale:
        return scale()
    available = tables()
    rows = []
    for name in args.tables or list(available):
        frame = available[name]()
        shape = f"{frame.shape[0]} x {frame.shape[1]}"
        try:
            gaussian, t_gauss = run(frame, ci_test="gaussian")
        except InvalidInputError:  # text columns: the Gaussian test refuses them
            gaussian = None
        reference = None
        for jobs in args.jobs:
            graph, seconds = run(frame, n_jobs=jobs, max_time=args.max_time)
            if reference is None:
                reference = graph
            same = edges(graph) == edges(reference)
            line = [
                name, shape, f"default, n_jobs={jobs}", f"{seconds:.1f}",
                f"{graph.graph['cpu_seconds']:.1f}", graph.number_of_edges(),
                graph.graph["n_tests"], graph.graph["complete"], "" if same else "differs",
            ]
            rows.append(line)
            print(" | ".join(map(str, line)), flush=True)
            if args.baseline:
                old = baseline_run(args.baseline, name, jobs, args.max_time)
                old_edges = {frozenset(e) for e in old["edges"]}
                now = {frozenset(map(str, e)) for e in edges(graph)}
                line = [
                    name, shape, f"baseline ({args.baseline}), n_jobs={jobs}", f"{old['wall']:.1f}",
                    f"{old['cpu']:.1f}", len(old_edges), old["tests"], True,
                    f"{len(now & old_edges)} shared; CPU "
                    f"{old['cpu'] / graph.graph['cpu_seconds']:.2f}x this code's",
                ]
                rows.append(line)
                print(" | ".join(map(str, line)), flush=True)
        if gaussian is not None:
            shared = len(edges(gaussian) & edges(reference))
            line = [name, shape, "gaussian", f"{t_gauss:.1f}",
                    f"{gaussian.graph['cpu_seconds']:.1f}", gaussian.number_of_edges(),
                    gaussian.graph["n_tests"], True, f"{shared} shared"]
            rows.append(line)
            print(" | ".join(map(str, line)), flush=True)
        if args.slow:
            undo = slow_settings()
            try:
                slow, seconds = run(frame, n_permutations=200)
            finally:
                undo()
            shared = len(edges(slow) & edges(reference))
            line = [name, shape, "slow settings (before)", f"{seconds:.1f}",
                    f"{slow.graph['cpu_seconds']:.1f}", slow.number_of_edges(),
                    slow.graph["n_tests"], True,
                    f"{shared} shared, {len(edges(slow) - edges(reference))} only slow, "
                    f"{len(edges(reference) - edges(slow))} only default"]
            rows.append(line)
            print(" | ".join(map(str, line)), flush=True)
    header = ["table", "rows x cols", "test", "wall s", "CPU s", "edges", "tests", "complete",
              "agreement"]
    # The machine may be shared: the load beside the wall seconds, CPU seconds over processes.
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    body = (
        "PC-stable on real tables (`python benchmarks/bench_pc_real.py --slow`), "
        f"seed 0, alpha 0.05; load average at the end {load}.\n\nMachine: {machine()}\n\n"
        + markdown_table(header, rows)
    )
    print(body)
    if args.write:
        write_section("pc-real", body)
    return pd.DataFrame(rows, columns=header)


if __name__ == "__main__":
    main()
