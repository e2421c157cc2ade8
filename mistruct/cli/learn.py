"""``mistruct learn``: the main job, from a table to a checked, fitted network."""

from __future__ import annotations

import json
import time
import warnings

import click
import networkx as nx
import numpy as np

from mistruct.cli._common import (
    _jsonable,
    check_output_paths,
    check_plot_suffix,
    data_options,
    decide_kinds,
    discretize,
    drop_columns,
    fail_on_user_error,
    handle_missing,
    id_like_columns,
    id_warning,
    kind_lines,
    kinds_applied,
    load_table,
    parse_columns,
    plural,
    write_text,
)
from mistruct.cli._dask import dask_options, learn_with_dask, wants_dask
from mistruct.data import Discretizer, select_columns
from mistruct.exceptions import IDColumnWarning
from mistruct.interop import fit_bayesian_network, learn_network, log_likelihood, write_bif
from mistruct.plotting import plot_graph
from mistruct.structure import (
    GRAPH_FORMATS,
    aracne,
    chow_liu_forest,
    chow_liu_tree,
    cpdag_to_dag,
    dpi_check,
    miic,
    pc,
    structure_metrics,
    write_graph,
)

METHODS = ("pc", "chow-liu", "chow-liu-forest", "aracne", "hybrid", "miic")
TESTS = (
    "auto",
    "g-test-adjusted",
    "g-test",
    "permutation",
    "sequential",
    "knn",
    "gaussian",
)
MANY_LEVELS = 1000
#: Quantile bins of float columns in the fitted (discrete) Bayesian network.
FIT_BINS = 5


def learn_graph(
    train,
    method,
    *,
    alpha,
    test,
    max_cond_size,
    root,
    tolerance,
    seed,
    progress,
    permutations=None,
    jobs=1,
    max_time=None,
    score="bdeu",
):
    """The learned graph: a CPDAG for PC, a tree/forest DiGraph, a Graph for ARACNE."""
    if method == "hybrid":
        # PC's skeleton and orientation as the start, then a BDeu/BIC/K2 tabu search in it.
        return learn_network(
            train,
            "pc",
            score=score,
            alpha=alpha,
            ci_test=test,
            max_cond_size=max_cond_size,
            n_jobs=jobs,
            seed=seed,
            skeleton_options={
                "n_permutations": permutations,
                "progress": progress,
                "max_time": max_time,
            },
        )
    if method == "miic":
        # Discrete columns only: continuous ones need --bins (miic says so otherwise).
        return miic(train)
    if method == "pc":
        return pc(
            train,
            alpha=alpha,
            ci_test=test,
            max_cond_size=max_cond_size,
            n_permutations=permutations,
            seed=seed,
            progress=progress,
            n_jobs=jobs,
            max_time=max_time,
        )
    if method == "chow-liu":
        return chow_liu_tree(train, root=root, seed=seed)
    if method == "chow-liu-forest":
        # One pair per test: the adjusted and plain G-tests agree, and a permutation
        # test of one pair gains nothing from stopping early.
        forest_test = {"g-test-adjusted": "g-test", "sequential": "permutation"}.get(test, test)
        return chow_liu_forest(train, root=root, alpha=alpha, ci_test=forest_test, seed=seed)
    return aracne(train, tolerance=tolerance, seed=seed)


def dag_for_fitting(graph) -> nx.DiGraph:
    """A DAG to fit: DAGs as they are; CPDAGs and undirected graphs extended to DAGs."""
    if graph.is_directed() and not any(graph.has_edge(b, a) for a, b in graph.edges()):
        return graph
    if graph.is_directed():
        # A CPDAG from finite samples may have no consistent extension; fitting still
        # needs a DAG, and cpdag_to_dag's fallback says so in a warning.
        return cpdag_to_dag(graph, fallback=True)
    # An undirected network (ARACNE) claims no v-structures: any acyclic orientation
    # with its skeleton serves for fitting, Dor-Tarsi's where one exists.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cpdag_to_dag(graph.to_directed(), fallback=True)


def _split(frame, holdout, seed):
    if holdout == 0:
        return frame, None
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(frame))
    n_test = int(round(holdout * len(frame)))
    if n_test < 1 or n_test >= len(frame):
        raise click.BadParameter(
            f"--holdout {holdout} leaves no rows to {'test' if n_test < 1 else 'train'} on "
            f"with {len(frame)} rows.",
            param_hint="--holdout",
        )
    return frame.iloc[np.sort(order[n_test:])], frame.iloc[np.sort(order[:n_test])]


def _edge_lines(graph) -> list[str]:
    lines, seen = [], set()
    for a, b, data in sorted(graph.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))):
        undirected = not graph.is_directed() or graph.has_edge(b, a)
        key = frozenset((a, b)) if undirected else (a, b)
        if key in seen:
            continue
        seen.add(key)
        arrow = "---" if undirected else "-->"
        detail = ", ".join(
            f"{name} {data[name]:.4g}{unit}"
            for name, unit in (("mi", " bits"), ("pvalue", ""))
            if isinstance(data.get(name), (int, float, np.floating, np.integer))
        )
        if data.get("no_evidence"):
            detail = (detail + ", " if detail else "") + "kept: no evidence either way"
        lines.append(f"  {a} {arrow} {b}" + (f"   ({detail})" if detail else ""))
    floors = sorted(
        {
            round(1 / p - 1)
            for *_, p in graph.edges(data="pvalue")
            if isinstance(p, (float, np.floating)) and 0 < p < 0.5 and _is_floor(p)
        }
    )
    if floors:
        draws = " or ".join(f"1/({b} + 1)" for b in floors)
        lines.append(
            f"  (a p-value of {draws} is the floor of a permutation test with that many "
            "draws: no null draw reached the statistic; more draws can show a smaller one)"
        )
    return lines


def _is_floor(p: float) -> bool:
    # A permutation p-value (1 + 0) / (B + 1): 1/p - 1 is then a whole number of draws.
    draws = 1 / p - 1
    return abs(draws - round(draws)) < 1e-6 * max(draws, 1) and round(draws) >= 19


@click.command("learn")
@data_options
@click.option(
    "--algorithm",
    "method",
    type=click.Choice(METHODS),
    default="pc",
    show_default=True,
    help="pc: PC-stable CPDAG; chow-liu: maximum-MI spanning tree; chow-liu-forest: the "
    "tree without non-significant edges; aracne: MI network pruned by the DPI; hybrid: "
    "PC's skeleton, then the best-scoring DAG within it (discrete columns; --bins); miic: "
    "MIIC's CPDAG from multivariate information with an NML cost (discrete columns; --bins).",
)
@click.option(
    "--score",
    type=click.Choice(["bdeu", "bic", "k2"]),
    default="bdeu",
    show_default=True,
    help="hybrid: the score of the DAG search within PC's skeleton.",
)
@click.option(
    "--alpha",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.05,
    show_default=True,
    help="Significance level of the independence tests.",
)
@click.option(
    "--ci-test",
    "test",
    type=click.Choice(TESTS),
    default="auto",
    show_default=True,
    help="Conditional independence test (PC, forest, DPI report). auto: between discrete "
    "columns the G-test where its chi-squared law fits, else an exact permutation test (per "
    "query); the kNN local-permutation test where a continuous column is involved; "
    "gaussian: partial correlation (numeric columns).",
)
@click.option("--max-cond-size", type=click.IntRange(min=0), help="PC: largest conditioning set.")
@click.option(
    "--permutations",
    type=click.IntRange(min=19, max=100_000),
    default=None,
    help="PC: null replicates per permutation test (default: 99 surrogates per kNN test, "
    "each stopping early once decided; 1000 per discrete permutation test).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=-1),
    default=1,
    show_default=True,
    help="PC: tests of a level run in this many worker processes (-1: every core); same result.",
)
@click.option(
    "--max-time",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="PC: stop raising the depth after this many seconds and keep the skeleton "
    "found so far (said in a warning). With kNN tests on wide tables, or use "
    "--ci-test gaussian.",
)
@click.option("--root", help="Chow-Liu: the root column (default: the first).")
@click.option(
    "--tolerance", default=0.0, show_default=True, help="ARACNE: additive DPI tolerance (bits)."
)
@click.option("--columns", help="Comma-separated columns to use (default: all).")
@click.option(
    "--holdout",
    type=click.FloatRange(0, 1, max_open=True),
    default=0.0,
    show_default=True,
    help="Fraction of rows kept aside: the structure and the network are learned on the "
    "others and scored on these, beside the empty graph as a baseline (0: learn on all rows, "
    "no score).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Write the graph: .graphml, .gml, .dot or .json.",
)
@click.option(
    "--plot",
    type=click.Path(dir_okay=False),
    help="Draw the graph to this PNG/PDF/SVG (with --example: default "
    "mistruct-NETWORK.png, coloured against the true network).",
)
@click.option(
    "--fit", "fit_path", type=click.Path(dir_okay=False), help="Write the fitted network as BIF."
)
@click.option("--dpi-report", type=click.Path(dir_okay=False), help="Write the DPI check as CSV.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--progress/--no-progress", default=True, show_default=True, help="Progress bars.")
@dask_options
@fail_on_user_error
def command(
    data,
    example,
    rows,
    seed,
    bins,
    sep,
    na_values,
    missing,
    discrete,
    continuous,
    drop,
    method,
    score,
    alpha,
    test,
    max_cond_size,
    permutations,
    jobs,
    max_time,
    root,
    tolerance,
    columns,
    holdout,
    out,
    plot,
    fit_path,
    dpi_report,
    fmt,
    progress,
    use_dask=False,
    scheduler=None,
    memory=None,
):
    """Learn which columns of DATA (CSV/TSV, Parquet or Excel) depend on which.

    Decides each column's kind (printed with the reason; override with
    --discrete/--continuous), warns about ID-like columns (leave them out
    with --drop), learns a graph on all rows, checks it against the data
    processing inequality and fits a Bayesian network on it (BDeu). With
    --holdout F, a fraction F of the rows is kept aside and the network is
    scored on it, beside the empty graph. With --example, rows come from a
    bundled network and the learned graph is scored against the true one.
    Continuous columns take kNN estimators and tests (and 5 quantile bins in
    the fitted network).

    \b
      mistruct learn --example alarm
      mistruct learn data.csv --algorithm chow-liu --out tree.graphml --fit model.bif
      mistruct learn data.tsv --drop id --discrete cyl,gear --holdout 0.2
      mistruct learn big.parquet --dask        (partition by partition, any size)
    """
    if wants_dask(data, use_dask, scheduler, memory):  # counted through Dask (issue 16)
        options = {k: v for k, v in locals().items() if k != "data"}
        return learn_with_dask(
            data, options, learn=learn_graph, to_dag=dag_for_fitting, edge_list=_edge_list
        )
    started = time.perf_counter()
    if out is not None and not any(out.lower().endswith(s) for s in GRAPH_FORMATS):
        raise click.BadParameter(
            f"cannot tell the format of {out}; use one of {', '.join(GRAPH_FORMATS)}.",
            param_hint="--out",
        )
    check_plot_suffix(plot)
    if example is not None and plot is None:
        plot = f"mistruct-{example}.png"
    check_output_paths(
        out,
        plot,
        fit_path,
        dpi_report,
        inputs=[data],
        options=["--out", "--plot", "--fit", "--dpi-report"],
    )
    frame, sample = load_table(data, example, rows, seed, sep=sep, na_values=na_values)
    frame = drop_columns(select_columns(frame, parse_columns(columns)), drop)
    if frame.shape[1] < 2:
        raise click.UsageError("learning a structure needs at least two columns.")
    if root is not None and root not in frame.columns:
        raise click.BadParameter(f"column {root!r} is not in the data.", param_hint="--root")
    kinds = decide_kinds(frame, discrete, continuous)
    frame, n_dropped = handle_missing(frame, missing, kinds=kinds)
    # ID-like columns are judged on the values as read (an integer row number is one).
    notes = [id_warning(name, frame) for name in id_like_columns(frame, kinds)]
    frame = kinds_applied(frame, kinds)
    if bins is not None:
        frame = discretize(frame, bins)
    floats = [name for name in frame.columns if kinds[name] == "continuous" and bins is None]
    for name in frame.columns:
        n_levels = frame[name].nunique()
        if kinds[name] == "discrete" and n_levels > MANY_LEVELS:
            notes.append(
                f"column {name!r} has {n_levels} levels: its tables are sparse and tests on it "
                "have little power; consider merging levels, --continuous or --drop."
            )
    if fmt == "text":
        header = [f"columns of {example or data} ({len(frame)} rows):", *kind_lines(kinds)]
        if bins is not None:
            header.append(f"  (continuous columns cut into {bins} quantile bins: --bins)")
        if n_dropped:
            header.append(f"  ({plural(n_dropped, 'row')} with an empty cell left out)")
        click.echo("\n".join(header) + "\n")
    for note in notes:
        click.echo(f"warning: {note}", err=True)
    train, held_out = _split(frame, holdout, seed)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        graph = learn_graph(
            train,
            method,
            alpha=alpha,
            test=test,
            max_cond_size=max_cond_size,
            root=root,
            tolerance=tolerance,
            seed=seed,
            progress=progress,
            permutations=permutations,
            jobs=jobs,
            max_time=max_time,
            score=score,
        )
        dag = dag_for_fitting(graph)
        dpi_test = _dpi_test(test)
        report = dpi_check(graph, train, alpha=alpha, ci_test=dpi_test, seed=seed)
    # The ID columns were reported above, in the command's words.
    caught = [w for w in caught if not issubclass(w.category, IDColumnWarning)]
    learner_warnings = _distinct_messages(caught, skip=notes)
    for message in learner_warnings:
        click.echo(f"warning: {message}", err=True)
    # pgmpy's network is discrete: continuous columns enter it as quantile bins of the
    # training rows (held-out rows binned with the same edges).
    binned = Discretizer(FIT_BINS, columns=floats).fit(train) if floats else None
    fit_train = binned.transform(train) if binned else train
    fit_held_out = binned.transform(held_out) if binned and held_out is not None else held_out
    model = fit_bayesian_network(fit_train, dag)
    edges = _edge_list(graph)
    summary = {
        "algorithm": method,
        "ci_test": _test_used(method, test, bool(floats)),
        "dpi_test": dpi_test,
        "rows": {
            "used": len(frame),
            "train": len(train),
            "held_out": 0 if held_out is None else len(held_out),
            "dropped_missing": n_dropped,
        },
        "columns": {
            str(name): {"kind": kind, "reason": getattr(kinds, "reasons", {}).get(name)}
            for name, kind in kinds.items()
        },
        "nodes": graph.number_of_nodes(),
        "float_columns": floats,
        "fit_bins": FIT_BINS if floats else None,
        "n_edges": len(edges),
        "edges": edges,
        "dpi": {
            "chains": len(report),
            "dpi_violations": int(report["dpi_violation"].sum()) if len(report) else 0,
            "ci_rejected": int(report["ci_rejected"].sum()) if len(report) else 0,
            "flagged": int(report["violation"].sum()) if len(report) else 0,
        },
        "warnings": notes + learner_warnings,
    }
    if held_out is not None:
        empty = nx.DiGraph()
        empty.add_nodes_from(dag.nodes)
        baseline = fit_bayesian_network(fit_train, empty)
        summary["held_out_log_likelihood"] = {
            "unit": "nats per row",
            "learned": _mean_ll(log_likelihood, model, fit_held_out),
            "empty_graph": _mean_ll(log_likelihood, baseline, fit_held_out),
        }
    if sample is not None:
        metrics = structure_metrics(graph, sample.graph)
        summary["against_true_network"] = {
            "shd": metrics.shd,
            "skeleton_precision": metrics.skeleton_precision,
            "skeleton_recall": metrics.skeleton_recall,
            "skeleton_f1": metrics.skeleton_f1,
            "arrowhead_precision": metrics.arrowhead_precision,
            "arrowhead_recall": metrics.arrowhead_recall,
        }
        if held_out is not None:
            true_fitted = fit_bayesian_network(train, sample.graph)
            scores = summary["held_out_log_likelihood"]
            scores["true_structure_fitted"] = _mean_ll(log_likelihood, true_fitted, held_out)
            scores["true_network"] = _mean_ll(log_likelihood, sample.model, held_out)

    if out:
        write_graph(graph, out)
    if fit_path:
        write_bif(model, fit_path)
    if dpi_report:
        write_text(dpi_report, report.to_csv(index=False))
    if plot:
        plot_graph(
            graph,
            plot,
            true_graph=None if sample is None else sample.graph,
            title=f"{method} on {example or data}",
        )
    summary["seconds"] = round(time.perf_counter() - started, 2)
    written = {"graph": out, "model": fit_path, "dpi_report": dpi_report, "plot": plot}
    summary["written"] = {k: v for k, v in written.items() if v}
    if fmt == "json":
        click.echo(json.dumps(_jsonable(summary), indent=2, default=_json_default))
    else:
        click.echo(_text_summary(summary, graph, example or data))


def _mean_ll(log_likelihood, model, rows) -> float:
    # Levels unseen in training get the probability the BDeu prior gives them.
    return float(log_likelihood(model, rows, unknown_states="prior").mean())


def _distinct_messages(caught, skip=()) -> list[str]:
    seen, out = set(skip), []
    for warning in caught:
        message = str(warning.message)
        # mistruct's own warnings (UserWarning subclasses) speak to the user; library
        # deprecations and NumPy's arithmetic notes do not.
        if message not in seen and issubclass(warning.category, UserWarning):
            seen.add(message)
            out.append(message)
    return out


def _edge_list(graph) -> list[dict]:
    """One entry per edge: an undirected CPDAG edge (both arcs) once."""
    out, seen = [], set()
    for a, b in sorted(graph.edges(), key=lambda e: (str(e[0]), str(e[1]))):
        undirected = not graph.is_directed() or graph.has_edge(b, a)
        key = frozenset((a, b)) if undirected else (a, b)
        if key in seen:
            continue
        seen.add(key)
        out.append({"source": str(a), "target": str(b), "directed": not undirected})
    return out


def _test_used(method: str, test: str, has_continuous: bool) -> str:
    """Which independence test the structure search ran, in words."""
    if method in ("chow-liu", "aracne"):
        return "none (mutual information only)"
    if method == "miic":
        return "none (multivariate information with an NML complexity cost)"
    name = {"g-test-adjusted": "g-test", "sequential": "permutation"}.get(test, test)
    if method == "chow-liu-forest" and test != "auto":
        return name
    if test != "auto":
        return test
    discrete = (
        "between discrete columns, per query: the G-test where the chi-squared law fits its "
        "strata, else an exact permutation test"
    )
    if has_continuous:
        return f"auto ({discrete}; kNN local permutation where a continuous column is involved)"
    return f"auto ({discrete})"


def _dpi_test(test: str) -> str:
    # The DPI report tests one chain at a time; the sequential test serves it well.
    if test in ("permutation", "sequential"):
        return "sequential"
    return test  # "auto" picks per chain, as in PC


def _json_default(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    raise TypeError(type(value).__name__)


def _float_lines(summary) -> list[str]:
    floats = summary["float_columns"]
    if not floats:
        return []
    return [
        f"continuous columns ({', '.join(map(str, floats))}): kNN estimators and tests "
        "(discrete columns by the discrete metric);",
        f"  in the fitted Bayesian network they are {summary['fit_bins']} quantile bins of the "
        "training rows.",
        "",
    ]


def _text_summary(summary, graph, source) -> str:
    rows = summary["rows"]
    trained = (
        f"learned on all {rows['train']} rows"
        if not rows["held_out"]
        else f"learned on {rows['train']} rows, {rows['held_out']} held out"
    )
    lines = [
        f"{summary['algorithm']} on {source}: {plural(summary['nodes'], 'column')}, "
        f"{plural(summary['n_edges'], 'edge')} ({trained})",
        f"independence test: {summary['ci_test']}",
        "",
        *_float_lines(summary),
        "edges (--- undirected, --> directed):",
        *_edge_lines(graph),
        "",
    ]
    truth = summary.get("against_true_network")
    if truth:
        lines += [
            "against the true network:",
            f"  skeleton precision {truth['skeleton_precision']:.3f}  "
            f"recall {truth['skeleton_recall']:.3f}  F1 {truth['skeleton_f1']:.3f}",
            f"  arrowhead precision {truth['arrowhead_precision']:.3f}  "
            f"recall {truth['arrowhead_recall']:.3f}  SHD {truth['shd']}",
            "",
        ]
    dpi = summary["dpi"]
    lines += [
        f"data processing inequality ({summary['dpi_test']} test), "
        f"{plural(dpi['chains'], 'chain')} X - Y - Z (X, Z not adjacent):",
        f"  {dpi['dpi_violations']} break I(X;Z) <= min(I(X;Y), I(Y;Z)); "
        f"{dpi['ci_rejected']} reject X _||_ Z | Y; {dpi['flagged']} flagged",
        "  (Y alone separates X and Z only in a tree; in a graph with other paths between",
        "  them a flag can point to those paths. --dpi-report FILE lists every chain.)",
        "",
    ]
    ll = summary.get("held_out_log_likelihood")
    if ll:
        lines.append(
            f"held-out log-likelihood per row ({rows['held_out']} rows, nats; higher is better):"
        )
        lines.append(f"  learned network (BDeu)         {ll['learned']:.4f}")
        lines.append(f"  empty graph (baseline)         {ll['empty_graph']:.4f}")
        if "true_structure_fitted" in ll:
            lines.append(f"  true structure, same fitting   {ll['true_structure_fitted']:.4f}")
            lines.append(f"  true network                   {ll['true_network']:.4f}")
        lines.append("")
    else:
        lines += [
            "(no held-out score: --holdout 0.2 keeps 20% of the rows aside to score the "
            "network on)",
            "",
        ]
    for what, path in summary["written"].items():
        lines.append(f"wrote {what}: {path}")
    lines.append(f"done in {summary['seconds']:.1f} s")
    return "\n".join(lines)
