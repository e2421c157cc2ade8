"""PC with the exact discrete tests (permutation, sequential) against PC with the G-test.

Issue 15, items 1 and 4 ("PC with ``ci_test='permutation'`` costs at most 3x
PC with the asymptotic G-test on ALARM and andes"; every network of
causal-learn's benchmark set finishes).  For alarm and andes, 10^4 rows
sampled with :func:`mistruct.interop.datasets.sample_network` (seed 0), then
in this one process ``pc(data, alpha=0.05, ci_test=...)`` with ``"g-test"``,
``"auto"`` (the default: adjusted G-test where its chi-squared law fits, else
the exact sequential test), ``"sequential"`` and ``"permutation"`` (1,000
null tables per test): wall and CPU seconds, the ratio to ``"g-test"``'s
wall time, skeleton F1 against the true DAG.  On the ``--before`` networks
(alarm) the exact tests run twice: with the compiled kernels of
``mistruct.independence._permutation`` ("now") and with its NumPy reference
path (``COMPILED = False``, the implementation before issue 15:
``rng.hypergeometric`` on arrays, strata in stages; "before").  Then the
default ``pc`` on hepar2, water, hailfinder and barley, with ``max_time`` as
a cap.

    python benchmarks/bench_pc_permutation.py              # writes the "pc-permutation" section
    python benchmarks/bench_pc_permutation.py --networks alarm --large --no-write
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, markdown_table, write_section  # noqa: E402

from mistruct import pc  # noqa: E402
from mistruct.independence import _permutation as perm  # noqa: E402
from mistruct.interop.datasets import sample_network  # noqa: E402
from mistruct.structure import structure_metrics  # noqa: E402

NETWORKS = ["alarm", "andes"]
LARGE = ["hepar2", "water", "hailfinder", "barley"]
TESTS = ["g-test", "auto", "sequential", "permutation"]
ROWS = 10_000
ALPHA = 0.05


def timed_pc(frame, cap=None, **options):
    """(graph, wall seconds, CPU seconds of this process) of one ``pc`` run."""
    start, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = pc(frame, alpha=ALPHA, max_time=cap, **options)
    return graph, time.perf_counter() - start, time.process_time() - cpu


def warm_up():
    """Compile the kernels (numba, cached on disk) outside the timings."""
    example = sample_network("asia", 2_000, seed=0)
    pc(example.data, alpha=ALPHA, ci_test="permutation")


def run_small(networks, before_on):
    rows = []
    for name in networks:
        example = sample_network(name, ROWS, seed=0)
        frame = example.data
        base = base_cpu = None
        for ci_test in TESTS:
            before = ci_test != "g-test" and name in before_on
            paths = [True, False] if before else [True]
            for compiled in paths:
                perm.COMPILED = compiled
                try:
                    graph, wall, cpu = timed_pc(frame, ci_test=ci_test)
                finally:
                    perm.COMPILED = True
                if ci_test == "g-test":
                    base, base_cpu = wall, cpu
                f1 = structure_metrics(graph, example.graph).skeleton_f1
                label = "" if ci_test == "g-test" else (" now" if compiled else " before")
                line = [
                    name, f"{ci_test}{label}", f"{wall:.2f}", f"{cpu:.2f}",
                    f"{wall / base:.1f}x", f"{cpu / base_cpu:.1f}x", f"{f1:.3f}",
                    graph.number_of_edges(),
                ]
                rows.append(line)
                print(" | ".join(map(str, line)), flush=True)
    header = [
        "network", "ci_test", "wall s", "CPU s", "/ g-test wall", "/ g-test CPU",
        "skeleton F1", "edges",
    ]
    return markdown_table(header, rows)


def run_large(networks, cap):
    rows = []
    for name in networks:
        example = sample_network(name, ROWS, seed=0)
        graph, wall, cpu = timed_pc(example.data, cap=cap)
        complete = graph.graph.get("complete", True)
        f1 = structure_metrics(graph, example.graph).skeleton_f1
        line = [
            name, example.graph.number_of_nodes(), f"{wall:.1f}", f"{cpu:.1f}",
            "yes" if complete else f"no (cap {cap:.0f} s)", f"{f1:.3f}",
        ]
        rows.append(line)
        print(" | ".join(map(str, line)), flush=True)
    header = ["network", "nodes", "wall s", "CPU s", "finished", "skeleton F1"]
    return markdown_table(header, rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="*", default=NETWORKS)
    parser.add_argument("--large", nargs="*", default=LARGE, help="default pc, with --cap")
    parser.add_argument("--cap", type=float, default=300.0, help="max_time of each large run")
    parser.add_argument(
        "--before", nargs="*", default=["alarm"],
        help="networks whose exact tests also run the NumPy reference path",
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    warm_up()
    load = os.getloadavg()[0]
    small = run_small(args.networks, set(args.before)) if args.networks else ""
    large = run_large(args.large, args.cap) if args.large else ""
    command = "python benchmarks/bench_pc_permutation.py " + " ".join(argv or sys.argv[1:])
    body = (
        "## PC with the exact tests (permutation, sequential)\n\n"
        f"{ROWS:,} rows sampled from each bundled network (seed 0); `pc(data, "
        f"alpha={ALPHA}, ci_test=...)` in one process, one run each; exact tests with "
        "1,000 null tables per test (sequential: Besag-Clifford, h = 20). \"now\": the "
        "compiled draws (one replicate at a time, decided after every stratum); "
        "\"before\": the NumPy reference path (`_permutation.COMPILED = False`, the "
        "implementation before issue 15), run on "
        f"{', '.join(args.before) or 'no network'}. Ratios: to the g-test run's wall and "
        "CPU time.\n\n"
        f"{small}\n\n"
        f"Default `pc` (ci_test \"auto\") on the larger networks of causal-learn's "
        f"benchmark set, `max_time={args.cap:.0f}`:\n\n"
        f"{large}\n\n"
        f"Machine: {machine()}; load average {load:.1f} at the start (shared with other "
        f"jobs: compare the ratios). Reproduce: `{command.strip()}`."
    )
    print(body)
    if not args.no_write:
        write_section("pc-permutation", body)


if __name__ == "__main__":
    main()
