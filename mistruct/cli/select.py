"""``mistruct select``: the features that carry information about a target, ranked."""

from __future__ import annotations

import json
import math
import warnings

import click

from mistruct.cli._common import (
    _jsonable,
    check_output_paths,
    check_plot_suffix,
    data_options,
    decide_kinds,
    discretize,
    drop_columns,
    fail_on_user_error,
    format_option,
    handle_missing,
    id_like_columns,
    id_warning,
    kinds_applied,
    load_table,
    render_frame,
    unit_name,
    write_text,
)
from mistruct.exceptions import IDColumnWarning
from mistruct.independence import CI_TESTS
from mistruct.measures import MI_ESTIMATORS
from mistruct.selection import CRITERIA, select_features


def _n_features(value):
    """``-k``: a positive integer or ``auto``."""
    if value == "auto":
        return value
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1 or str(number) != value.strip():
        raise click.BadParameter(
            f"{value!r} is neither a positive integer nor 'auto'.", param_hint="-k/--n-features"
        )
    return number


@click.command("select")
@data_options
@click.option("--target", "-t", required=True, help="The column to explain (y).")
@click.option(
    "--criterion",
    type=click.Choice(CRITERIA),
    default="mrmr",
    show_default=True,
    help="mim: relevance only; mrmr/mrmr-quotient/mifs: relevance minus redundancy; "
    "jmi/jmim/cmim/cife/disr: conditional criteria that see interactions.",
)
@click.option(
    "-k",
    "--n-features",
    default="10",
    show_default=True,
    help="How many features to choose, or 'auto': stop when the best candidate adds no "
    "significant information given those chosen.",
)
@click.option(
    "--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.05,
    show_default=True, help="Level of the stop test (-k auto).",
)
@click.option(
    "--ci-test", type=click.Choice(tuple(CI_TESTS)), default="auto", show_default=True,
    help="CI test of the stop rule (-k auto).",
)
@click.option(
    "--correction", type=click.Choice(["none", "holm"]), default="none", show_default=True,
    help="Multiple testing over the steps of -k auto: none (the stop at the first refused "
    "step already bounds the chance of any false selection by alpha) or holm (step t at "
    "alpha t/(t+1), the online fallback procedure).",
)
@click.option(
    "--n-permutations", type=click.IntRange(min=1), default=None,
    help="Null draws of the stop test (default: enough for the Bonferroni-adjusted p-value "
    "to reach alpha).",
)
@click.option(
    "--estimator", type=click.Choice(tuple(e for e in MI_ESTIMATORS if e != "ksg2")),
    default="auto", show_default=True,
    help="auto: plug-in counts for discrete columns, kNN estimators for continuous ones.",
)
@click.option(
    "--base", type=click.FloatRange(min=0, min_open=True), default=2.0, show_default=True,
    help="Log base of the scores: 2 = bits, 2.718281828 = nats.",
)
@format_option
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file.")
@click.option(
    "--plot", type=click.Path(dir_okay=False), help="Draw the score per step to this PNG/PDF/SVG."
)
@fail_on_user_error
def command(
    data, example, rows, seed, bins, sep, na_values, missing, discrete, continuous, drop,
    target, criterion, n_features, alpha, ci_test, correction, n_permutations, estimator, base,
    fmt,
    output, plot,
):
    """Rank the columns of DATA by the information they carry about --target.

    Greedy forward selection by a mutual-information criterion (mRMR by
    default): each step adds the column with the best score given those
    already chosen. With -k auto it stops when the best candidate's
    information about the target, given the chosen ones, is not significant
    (a CI test at --alpha, Bonferroni over the candidates). Example:

    \b
      mistruct select data.csv --target y --criterion jmi -k 10
      mistruct select data.csv -t churn -k auto --format csv -o chosen.csv
      mistruct select --example alarm -t CO -k auto
    """
    if base == 1:
        raise click.BadParameter("a logarithm base must not be 1.", param_hint="--base")
    wanted = _n_features(n_features)
    check_plot_suffix(plot)
    check_output_paths(output, plot, inputs=[data], options=["--output", "--plot"])
    frame, _ = load_table(data, example, rows, seed, sep=sep, na_values=na_values)
    frame = drop_columns(frame, drop)
    if target not in frame.columns:
        raise click.BadParameter(
            f"no column {target!r}; the columns are {', '.join(map(str, frame.columns))}.",
            param_hint="--target",
        )
    if frame.shape[1] < 2:
        raise click.UsageError("the table has no column besides the target to choose from.")
    kinds = decide_kinds(frame, discrete, continuous)
    frame, n_dropped = handle_missing(frame, missing, kinds=kinds)
    for name in id_like_columns(frame, kinds):
        if name != target:
            click.echo(f"warning: {id_warning(name, frame)}", err=True)
    if n_dropped:
        click.echo(f"left out {n_dropped} row(s) with an empty cell (--missing drop)", err=True)
    frame = kinds_applied(frame, kinds)
    if bins is not None:
        frame = discretize(frame, bins)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IDColumnWarning)  # reported above, in our words
        result = select_features(
            frame.drop(columns=[target]),
            frame[target],
            criterion=criterion,
            n_features=wanted,
            alpha=alpha,
            ci_test=ci_test,
            correction=None if correction == "none" else correction,
            n_permutations=n_permutations,
            estimator=estimator,
            base=base,
            seed=seed,
            missing="error",  # --missing was applied above, in the command's words
        )
    table = result.to_frame()
    unit = unit_name(base)
    if wanted != "auto":
        table = table.drop(columns=["pvalue"])
    if fmt == "json":
        payload = {
            "target": target,
            "criterion": criterion,
            "unit": unit,
            "rows": len(frame),
            "stop_reason": result.stop_reason,
            "selected": [str(name) for name in result.selected],
            "steps": table.reset_index().to_dict(orient="records"),
        }
        text = json.dumps(_jsonable(payload), indent=2)
    elif fmt == "csv":
        text = render_frame(table, fmt)
    else:
        text = (
            f"{criterion} selection for {target!r} ({unit}), {len(frame)} rows: "
            f"{len(result)} feature(s)\n"
        )
        text += render_frame(table, fmt) if len(result) else "(none)"
        text += f"\nstopped: {result.stop_reason}"
    if plot:
        _plot_scores(result, plot, unit)
    if output:
        write_text(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text)
    if plot:
        click.echo(f"wrote {plot}", err=True)


def _plot_scores(result, path, unit):
    """The criterion's score at each step, labelled by the feature chosen."""
    # A bare Figure draws with Agg whatever backend pyplot would pick (no display needed).
    from matplotlib.figure import Figure

    steps = range(1, len(result) + 1)
    figure = Figure(figsize=(max(4.0, 0.5 * len(result) + 2), 3.5))
    axes = figure.subplots()
    scores = [s if math.isfinite(s) else float("nan") for s in result.scores]
    axes.plot(steps, scores, marker="o")
    axes.set_xticks(list(steps), [str(name) for name in result.selected], rotation=45,
                    ha="right")
    axes.set_xlabel("feature chosen at each step")
    axes.set_ylabel(f"{result.criterion} score ({unit})")
    axes.set_title(f"{result.criterion}: score per step")
    figure.tight_layout()
    figure.savefig(path)
