"""``--dask``, ``--scheduler`` and ``--memory``: big tables through Dask, one pass at a time.

A data file (or a directory or glob of Parquet/CSV files) goes through Dask
when ``--dask`` or ``--scheduler ADDRESS`` is given, or when its files take
more than ``--memory`` on disk.  Without ``--scheduler`` the partitions are
counted by local threads; with it, by the cluster at that address
(``distributed.Client``).  Every pass over the partitions is reported on
stderr as it ends.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import time

import click

from mistruct.cli._common import parse_columns
from mistruct.data import pass_reporter, read_dask
from mistruct.interop import fit_bayesian_network, write_bif
from mistruct.plotting import plot_graph
from mistruct.structure import dpi_check, write_graph

__all__ = [
    "dask_options",
    "dask_session",
    "learn_with_dask",
    "parse_memory",
    "read_for_dask",
    "wants_dask",
]

_UNITS = {"": 1, "b": 1, "k": 2**10, "kb": 2**10, "kib": 2**10, "m": 2**20, "mb": 2**20,
          "mib": 2**20, "g": 2**30, "gb": 2**30, "gib": 2**30, "t": 2**40, "tb": 2**40,
          "tib": 2**40}


def parse_memory(text: str) -> int:
    """``"4GB"``, ``"512MiB"``, ``"1.5g"`` or a number of bytes -> bytes.

    Parameters
    ----------
    text : str
        A size with an optional unit (B, KB, MB, GB, TB; powers of 1024).

    Examples
    --------
    >>> parse_memory("4GB"), parse_memory("512 MiB"), parse_memory("1000")
    (4294967296, 536870912, 1000)
    """
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", str(text))
    if not match or match.group(2).lower() not in _UNITS:
        raise click.BadParameter(
            f"{text!r} is not a size; write e.g. 4GB, 512MB or a number of bytes.",
            param_hint="--memory",
        )
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def dask_options(function):
    """Add ``--dask``, ``--scheduler ADDRESS`` and ``--memory BUDGET`` to a command.

    Parameters
    ----------
    function : callable
        The click command function; it receives ``dask``, ``scheduler`` and
        ``memory``.
    """
    options = [
        click.option(
            "--dask", "use_dask", is_flag=True, default=False,
            help="Read DATA (a file, a directory or a glob of Parquet/CSV files) with Dask and "
            "count it partition by partition, never loading it whole.",
        ),
        click.option(
            "--scheduler", metavar="ADDRESS", default=None,
            help="Count on the Dask cluster at this address (e.g. tcp://10.0.0.1:8786); "
            "implies --dask.",
        ),
        click.option(
            "--memory", metavar="BUDGET", default=None,
            help="Go through Dask when the data files take more than BUDGET on disk "
            "(e.g. 4GB).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _files(data) -> list:
    if data is None:
        return []
    if any(ch in data for ch in "*?["):
        return sorted(glob.glob(data))
    if os.path.isdir(data):
        return [os.path.join(data, f) for f in sorted(os.listdir(data))]
    return [data]


def wants_dask(data, use_dask: bool, scheduler, memory) -> bool:
    """Whether the command goes through Dask for ``data``.

    Parameters
    ----------
    data : str or None
        The DATA argument.
    use_dask : bool
        ``--dask``.
    scheduler : str or None
        ``--scheduler``.
    memory : str or None
        ``--memory``.
    """
    if use_dask or scheduler:
        if data is None:
            raise click.UsageError(
                "--dask and --scheduler read a data file; --example is in memory."
            )
        return True
    if data is not None and (any(ch in data for ch in "*?[") or os.path.isdir(data)):
        return True  # several files: only Dask reads them as one table
    if memory is not None and data is not None:
        budget = parse_memory(memory)
        size = sum(os.path.getsize(f) for f in _files(data) if os.path.isfile(f))
        return size > budget
    return False


def _report(number, what, n_partitions, seconds):
    click.echo(f"pass {number}: {what}, {n_partitions} partition(s), {seconds:.1f} s", err=True)


@contextlib.contextmanager
def dask_session(scheduler):
    """The scheduler to count on, with each pass reported on stderr.

    Parameters
    ----------
    scheduler : str or None
        A ``distributed`` scheduler's address, or None for local threads.
    """
    import dask

    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if scheduler:
            from distributed import Client

            try:
                client = stack.enter_context(Client(scheduler, timeout="10s"))
            except OSError as exc:
                raise click.BadParameter(
                    f"cannot reach a Dask scheduler at {scheduler!r} ({exc}).",
                    param_hint="--scheduler",
                ) from None
            click.echo(f"counting on the Dask cluster at {scheduler} "
                       f"({len(client.scheduler_info()['workers'])} worker(s))", err=True)
        else:
            stack.enter_context(dask.config.set(scheduler="threads"))
        stack.enter_context(pass_reporter(_report))
        yield
    click.echo(f"Dask: done in {time.perf_counter() - started:.1f} s", err=True)


def read_for_dask(data, sep=None):
    """DATA as a Dask DataFrame, with the command line's error for an unreadable path.

    Parameters
    ----------
    data : str
        A file, a directory or a glob of Parquet/CSV files.
    sep : str, optional
        The CSV separator (``--sep``).
    """
    try:
        return read_dask(data, sep=sep)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="DATA") from None


def learn_with_dask(data, options: dict, *, learn, to_dag, edge_list):
    """``mistruct learn`` through Dask: the graph, its DPI check and a fitted network.

    Every step works from counts reduced over the partitions (the levels,
    the all-pairs counts, one pass per PC level, the DPI chains' tables, the
    CPDs' family counts), so the table is never loaded whole.

    Parameters
    ----------
    data : str
        A Parquet/CSV file, a directory of them, or a glob.
    options : dict
        The command's options (by their parameter names).
    learn : callable
        ``learn_graph`` of the command (the learners take Dask input).
    to_dag : callable
        ``dag_for_fitting`` of the command.
    edge_list : callable
        The command's edge listing (one entry per edge).
    """
    refused = [
        flag for flag, value in (
            ("--bins", options.get("bins")), ("--holdout", options.get("holdout") or None),
            ("--example", options.get("example")),
        ) if value is not None
    ]
    if refused:
        raise click.UsageError(
            f"{', '.join(refused)} need(s) the rows in memory; with --dask (or --scheduler, "
            "--memory) learn from the files as they are."
        )
    method = options["method"]
    if method == "hybrid":
        raise click.UsageError(
            "--algorithm hybrid scores whole graphs on the rows in memory; with --dask use pc, "
            "chow-liu, chow-liu-forest or aracne."
        )
    started = time.perf_counter()
    frame = read_for_dask(data, sep=options.get("sep"))
    chosen = parse_columns(options.get("columns")) or list(frame.columns)
    dropped = parse_columns(options.get("drop")) or []
    unknown = [c for c in [*chosen, *dropped] if c not in frame.columns]
    if unknown:
        raise click.BadParameter(
            f"no column {', '.join(map(repr, unknown))} in the data; its columns are "
            f"{', '.join(map(repr, list(frame.columns)[:30]))}.",
            param_hint="--columns/--drop",
        )
    frame = frame[[c for c in chosen if c not in dropped]]
    if frame.shape[1] < 2:
        raise click.UsageError("learning a structure needs at least two columns.")
    test, seed, alpha = options["test"], options["seed"], options["alpha"]
    with dask_session(options.get("scheduler")):
        graph = learn(
            frame, method, alpha=alpha, test=test, max_cond_size=options.get("max_cond_size"),
            root=options.get("root"), tolerance=options.get("tolerance"), seed=seed,
            progress=False, permutations=options.get("permutations"),
            max_time=options.get("max_time"), score=options.get("score", "bdeu"),
        )
        dag = to_dag(graph)
        dpi_test = "auto" if test in ("knn", "gaussian") else test
        report = dpi_check(graph, frame, alpha=alpha, ci_test=dpi_test, seed=seed)
        model = fit_bayesian_network(frame, dag)
    edges = edge_list(graph)
    summary = {
        "algorithm": method,
        "through": "dask",
        "scheduler": options.get("scheduler") or "threads",
        "rows": graph.graph.get("n_rows"),
        "nodes": graph.number_of_nodes(),
        "n_edges": len(edges),
        "edges": edges,
        "dpi": {
            "chains": len(report),
            "flagged": int(report["violation"].sum()) if len(report) else 0,
        },
    }
    out, fit_path, dpi_report, plot = (
        options.get("out"), options.get("fit_path"), options.get("dpi_report"),
        options.get("plot"),
    )
    if out:
        write_graph(graph, out)
    if fit_path:
        write_bif(model, fit_path)
    if dpi_report:
        with open(dpi_report, "w", encoding="utf-8") as handle:
            handle.write(report.to_csv(index=False))
    if plot:
        plot_graph(graph, plot, title=f"{method} on {data}")
    summary["seconds"] = round(time.perf_counter() - started, 2)
    summary["written"] = {
        k: v for k, v in {"graph": out, "model": fit_path, "dpi_report": dpi_report,
                          "plot": plot}.items() if v
    }
    if options.get("fmt") == "json":
        click.echo(json.dumps(summary, indent=2, default=str))
        return
    lines = [f"{method} on {data} through Dask: {summary['nodes']} columns, "
             f"{len(edges)} edge(s)"]
    for edge in edges:
        arrow = "->" if edge["directed"] else "--"
        lines.append(f"  {edge['source']} {arrow} {edge['target']}")
    lines.append(f"DPI check: {summary['dpi']['chains']} chain(s), "
                 f"{summary['dpi']['flagged']} flagged")
    lines.append("fitted: a Bayesian network, every CPD from counts reduced over the partitions")
    for what, path in summary["written"].items():
        lines.append(f"wrote {what}: {path}")
    click.echo("\n".join(lines))
