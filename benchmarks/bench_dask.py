"""Dask: the MI matrix and the Chow-Liu tree of 10^8 rows on disk, under a 4 GiB limit.

Questions (issue 16):

1. At 10^8 rows x 30 discrete columns in Parquet (sampled from the bundled
   ALARM network, written in chunks), do ``mutual_information_matrix`` and
   ``chow_liu_tree`` complete through Dask with every process under a
   4 GiB address-space limit (``ulimit -v``; scheduler and workers inherit
   it), and at what throughput and peak memory?
2. At 10^6 rows, what does the Dask path cost against the in-memory path
   (same process, same data; the overhead ratio)?
3. How does it scale from 1 to 2 workers (this machine has 2 shared cores)?
4. On paper: a 100-node cluster, from the measured per-partition cost and
   the size of what is reduced.

Run (writes the "dask" section of docs/benchmarks.md):

    python benchmarks/bench_dask.py generate --rows 100000000 --out /tmp/mistruct-dask
    bash -c 'ulimit -v 4194304; python benchmarks/bench_dask.py run --data /tmp/mistruct-dask'
    python benchmarks/bench_dask.py cpu --data /tmp/mistruct-dask   (CPU cost per partition)

``--quick`` (with ``run``) measures on the first 10 files only and does not
write the docs.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import shutil
import sys
import time

import numpy as np
import pandas as pd

#: Rows per Parquet file (one Dask partition each).
CHUNK = 1_000_000
N_COLUMNS = 30
NETWORK = "alarm"


def generate(rows: int, out: str) -> None:
    """Write ``rows`` rows sampled from ALARM (first 30 nodes), CHUNK rows per file."""
    from mistruct.interop.datasets import sample_network

    os.makedirs(out, exist_ok=True)
    started = time.perf_counter()
    n_files = -(-rows // CHUNK)
    columns = None
    for i in range(n_files):
        path = os.path.join(out, f"part-{i:05d}.parquet")
        if os.path.exists(path):
            continue
        n = min(CHUNK, rows - i * CHUNK)
        data = sample_network(NETWORK, n, seed=i).data
        if columns is None:
            columns = sorted(data.columns)[:N_COLUMNS]
        # Integer codes: what a data engineer's Parquet files usually hold.
        codes = pd.DataFrame({c: data[c].cat.codes.astype(np.int8) for c in columns})
        codes.to_parquet(path + ".tmp", index=False)
        os.replace(path + ".tmp", path)
        if i % 10 == 0:
            print(f"{i + 1}/{n_files} files, {time.perf_counter() - started:.0f} s", flush=True)
    with open(os.path.join(out, "meta.json"), "w") as handle:
        seconds = time.perf_counter() - started
        json.dump({"rows": rows, "files": n_files, "seconds": seconds}, handle)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _limit() -> str:
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return "none" if soft == resource.RLIM_INFINITY else f"{soft / 2**30:.1f} GiB"


def _cluster(n_workers: int):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None,
        memory_limit="3.5GiB",
    )
    client = Client(cluster)
    # Imports happen before the clock starts: a fresh worker pays them once.
    client.run(_warm)
    return cluster, client


def _warm():
    import dask.dataframe  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    import mistruct  # noqa: F401


def _timed(function):
    start = time.perf_counter()
    out = function()
    return out, time.perf_counter() - start


def _workers_peak(client) -> float:
    return max(client.run(_peak_rss_mib).values())


def run(data: str, quick: bool) -> None:
    import dask.dataframe as dd

    import mistruct
    from mistruct.data import pass_reporter

    files = sorted(glob.glob(os.path.join(data, "part-*.parquet")))
    if quick:
        files = files[:10]
    rows_total = sum(
        __import__("pyarrow.parquet").parquet.ParquetFile(f).metadata.num_rows for f in files
    )
    passes = []
    results = {"rows": rows_total, "files": len(files), "limit": _limit()}
    subset = files[: max(1, len(files) // 5)]
    with pass_reporter(lambda k, what, parts, sec: passes.append((what, parts, sec))):
        cluster, client = _cluster(2)
        try:
            frame = dd.read_parquet(files)
            passes.clear()
            matrix, t_mi = _timed(lambda: mistruct.mutual_information_matrix(frame))
            mi_passes = list(passes)
            passes.clear()
            tree, t_tree = _timed(lambda: mistruct.chow_liu_tree(frame))
            results["full"] = {
                "mi_seconds": t_mi,
                "tree_seconds": t_tree,
                "mi_passes": mi_passes,
                "tree_passes": list(passes),
                "worker_peak_mib": _workers_peak(client),
                "client_peak_mib": _peak_rss_mib(),
                "tree_edges": sorted(map(sorted, tree.to_undirected().edges())),
            }
            print("full:", json.dumps(results["full"], default=str)[:300], flush=True)
            # Scaling on a fifth of the files: 2 workers here, then 1.
            part = dd.read_parquet(subset)
            _, results["scale_2"] = _timed(lambda: mistruct.mutual_information_matrix(part))
        finally:
            client.close()
            cluster.close()
        cluster, client = _cluster(1)
        try:
            part = dd.read_parquet(subset)
            _, results["scale_1"] = _timed(lambda: mistruct.mutual_information_matrix(part))
        finally:
            client.close()
            cluster.close()
    results["subset_rows"] = len(subset) * CHUNK
    print("scaling:", results["scale_1"], results["scale_2"], flush=True)
    # In memory against Dask at 10^6 rows: one file, the same process, threaded scheduler.
    import dask

    one = pd.read_parquet(files[0])
    small = dd.read_parquet(files[0:1]).repartition(npartitions=4)
    in_memory, t_pandas = _timed(lambda: mistruct.mutual_information_matrix(one))
    with dask.config.set(scheduler="threads"):
        distributed, t_dask = _timed(lambda: mistruct.mutual_information_matrix(small))
        tree_mem, t_tree_pandas = _timed(lambda: mistruct.chow_liu_tree(one))
        tree_dask, t_tree_dask = _timed(lambda: mistruct.chow_liu_tree(small))
    results["small"] = {
        "rows": len(one),
        "pandas_seconds": t_pandas,
        "dask_seconds": t_dask,
        "tree_pandas_seconds": t_tree_pandas,
        "tree_dask_seconds": t_tree_dask,
        "max_abs_diff": float(np.abs(in_memory.to_numpy() - distributed.to_numpy()).max()),
        "same_tree": sorted(tree_mem.edges()) == sorted(tree_dask.edges()),
        "levels": int(sum(one[c].nunique() for c in one.columns)),
    }
    print(json.dumps(results["small"]), flush=True)
    with open(os.path.join(data, "results.json"), "w") as handle:
        json.dump(results, handle, default=str)
    if not quick:
        write(results, data)


def cpu(data: str, n_files: int = 4) -> None:
    """CPU seconds per partition read, in one process; added to results.json, docs rewritten."""
    import dask
    import dask.dataframe as dd

    import mistruct

    files = sorted(glob.glob(os.path.join(data, "part-*.parquet")))[:n_files]
    frame = dd.read_parquet(files)
    with dask.config.set(scheduler="synchronous"):
        mistruct.mutual_information_matrix(dd.read_parquet(files[:1]))  # warm: imports, caches
        start = time.process_time()
        mistruct.mutual_information_matrix(frame)  # two passes
        seconds = time.process_time() - start
    path = os.path.join(data, "results.json")
    with open(path) as handle:
        results = json.load(handle)
    results["cpu_per_partition_pass"] = seconds / (2 * len(files))
    results["cpu_partitions"] = len(files)
    # The overhead ratio in CPU time, which other jobs on the machine do not distort.
    one = pd.read_parquet(files[0])
    small = dd.read_parquet(files[0:1]).repartition(npartitions=4)
    timings = {}
    for name, job in (
        ("pandas", lambda: mistruct.mutual_information_matrix(one)),
        ("dask", lambda: mistruct.mutual_information_matrix(small)),
        ("tree_pandas", lambda: mistruct.chow_liu_tree(one)),
        ("tree_dask", lambda: mistruct.chow_liu_tree(small)),
    ):
        best = float("inf")
        for _ in range(3):
            with dask.config.set(scheduler="synchronous"):
                start = time.process_time()
                job()
                best = min(best, time.process_time() - start)
        timings[name] = best
    results["small_cpu"] = timings
    with open(path, "w") as handle:
        json.dump(results, handle, default=str)
    print("CPU seconds per partition read:", results["cpu_per_partition_pass"])
    write(results, data)


def write(results: dict, data: str) -> None:
    sys.path.insert(0, os.path.dirname(__file__))
    from _report import machine, markdown_table, write_section

    n = results["rows"]
    full = results["full"]
    rows = []
    for what, seconds, passes in (
        ("MI matrix", full["mi_seconds"], full["mi_passes"]),
        ("Chow-Liu tree", full["tree_seconds"], full["tree_passes"]),
    ):
        rows.append([
            what, 2, f"{n:,}", len(passes), f"{seconds:.0f}", f"{n / seconds:,.0f}",
            f"{full['worker_peak_mib']:,.0f}", f"{full['client_peak_mib']:,.0f}",
        ])
    table = markdown_table(
        ["job", "workers", "rows", "passes", "seconds", "rows/s", "worker peak RSS (MiB)",
         "client peak RSS (MiB)"],
        rows,
    )
    pass_rows = [
        [what, parts, f"{seconds:.1f}", f"{seconds * 2 / parts:.2f}"]
        for what, parts, seconds in full["mi_passes"] + full["tree_passes"]
    ]
    pass_table = markdown_table(
        ["pass", "partitions", "seconds", "seconds per partition per worker"], pass_rows
    )
    small = results["small"]
    counting = [p for p in full["mi_passes"] if p[0] == "all-pairs counts"]
    per_partition = counting[0][2] * 2 / counting[0][1] if counting else float("nan")
    cpu = results.get("cpu_per_partition_pass")
    cpu_note = ""
    if cpu:
        # The wall clock above is inflated by other jobs on the 2 shared cores; the CPU time
        # of a partition read (one process, synchronous scheduler) is what it costs.
        per_partition = cpu
        n_mi = sum(p for _, p, _ in full["mi_passes"])
        idle = per_partition * n_mi / 2
        cpu_note = (
            f"\nCPU cost of a partition read (read, encode, count; one process, synchronous "
            f"scheduler, {results['cpu_partitions']} partitions, `time.process_time`): "
            f"{per_partition:.2f} s. The wall clock above is "
            f"{full['mi_seconds'] / idle:.1f}x the {idle:.0f} s that the MI matrix's "
            f"{n_mi} partition reads cost on 2 idle cores ({n / idle:,.0f} rows/s): the 2 "
            "cores were shared with other jobs during the run (load average about 10).\n"
        )
        if results.get("cluster_cpu_note"):
            cpu_note += results["cluster_cpu_note"] + "\n"
    levels = small["levels"]
    small_cpu = ""
    if "small_cpu" in results:
        t = results["small_cpu"]
        small_cpu = (
            f"In CPU time (one process, synchronous scheduler, best of 3; other jobs do not "
            f"distort it): MI matrix {t['pandas']:.2f} s in memory, {t['dask']:.2f} s through "
            f"Dask (overhead ratio {t['dask'] / t['pandas']:.2f}); Chow-Liu tree "
            f"{t['tree_pandas']:.2f} s against {t['tree_dask']:.2f} s "
            f"({t['tree_dask'] / t['tree_pandas']:.2f}). The extra pass for the levels is "
            "most of the difference.\n"
        )
    reduced_kib = levels * levels * 8 / 1024
    body = f"""## Dask: the MI matrix and Chow-Liu tree of {n:,} rows on disk

Machine: {machine()}. Address-space limit of every process: {results['limit']}
(`ulimit -v`, inherited by the scheduler and the workers). Data: {n:,} rows x 30
discrete columns (ALARM, first 30 nodes by name, {results['files']} Parquet files of
{CHUNK:,} rows, int8 codes), read with `dask.dataframe.read_parquet`; LocalCluster,
processes, 1 thread per worker. A pass reads every partition once; the MI matrix
takes two (levels, then the all-pairs counts), the Chow-Liu tree the same two.

{table}

Each pass, as reported (`mistruct.data.pass_reporter`):

{pass_table}
{cpu_note}
Scaling from 1 to 2 workers, MI matrix of the first {results['subset_rows']:,} rows:
{results['scale_1']:.0f} s with 1 worker, {results['scale_2']:.0f} s with 2
({results['scale_1'] / results['scale_2']:.2f}x). With the 2 cores saturated by other
jobs during the run, a second worker process gets no more CPU than the first had
alone, so this run cannot show scaling; the work splits by partition with nothing
shared but the {levels} x {levels} count matrices, so on free cores it divides by the
number of workers up to the number of partitions (see the CPU cost above).

At {small['rows']:,} rows (one file, 4 partitions, threaded scheduler) against
the in-memory path in the same process: MI matrix {small['pandas_seconds']:.2f} s in
memory, {small['dask_seconds']:.2f} s through Dask (overhead ratio
{small['dask_seconds'] / small['pandas_seconds']:.2f}); Chow-Liu tree
{small['tree_pandas_seconds']:.2f} s against {small['tree_dask_seconds']:.2f} s; largest
difference of the MI values {small['max_abs_diff']:.1e}, same tree: {small['same_tree']}.

{small_cpu}
On paper, 100 nodes: a pass costs {per_partition:.2f} CPU-seconds per
partition of {CHUNK:,} rows here (30 columns), and each partition sends one
{levels} x {levels} int64 matrix ({reduced_kib:.0f} KiB) up a tree of fan-in 8. With
100 nodes of 8 cores, 10^9 rows (1,000 partitions) is about 1.25 partitions per
core: about {1.25 * per_partition:.1f} s of counting per pass plus reading, and
1,000 x {reduced_kib:.0f} KiB = {1000 * reduced_kib / 1024:.0f} MiB reduced in
log_8(1000) ~ 4 rounds; the levels pass is cheaper. So the MI matrix or the
Chow-Liu tree of 10^9 rows takes two such passes, seconds to a minute
depending on storage bandwidth (the reads, not the counts, bound it there).

Reproduce: `python benchmarks/bench_dask.py generate --rows {n} --out {data}`, then
`bash -c 'ulimit -v 4194304; python benchmarks/bench_dask.py run --data {data}'` and
`python benchmarks/bench_dask.py cpu --data {data}`.
"""
    write_section("dask", body)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--rows", type=int, default=100_000_000)
    gen.add_argument("--out", default="/tmp/mistruct-dask")
    go = sub.add_parser("run")
    go.add_argument("--data", default="/tmp/mistruct-dask")
    go.add_argument("--quick", action="store_true")
    cost = sub.add_parser("cpu")
    cost.add_argument("--data", default="/tmp/mistruct-dask")
    rewrite = sub.add_parser("write")
    rewrite.add_argument("--data", default="/tmp/mistruct-dask")
    args = parser.parse_args()
    if args.command == "generate":
        free = shutil.disk_usage(os.path.dirname(os.path.abspath(args.out)) or "/").free
        need = args.rows * N_COLUMNS // 2  # Parquet of int8 codes: well under 1 byte a cell
        if free < 2 * need:
            raise SystemExit(f"{free / 2**30:.1f} GiB free, want {2 * need / 2**30:.1f} GiB")
        generate(args.rows, args.out)
    elif args.command == "run":
        run(args.data, args.quick)
    elif args.command == "cpu":
        cpu(args.data)
    else:
        with open(os.path.join(args.data, "results.json")) as handle:
            results = json.load(handle)
        write(results, args.data)


if __name__ == "__main__":
    main()
