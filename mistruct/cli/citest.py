"""``mistruct citest``: is X independent of Y given Z?"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import click

from mistruct.cli._common import (
    SEED,
    _jsonable,
    check_output_paths,
    check_plot_suffix,
    decide_kinds,
    discretize,
    drop_columns,
    fail_on_user_error,
    handle_missing,
    id_like_columns,
    id_warning,
    kinds_applied,
    load_table,
    table_options,
)
from mistruct.exceptions import IDColumnWarning, LowPowerWarning
from mistruct.independence import CI_TESTS, ci_test
from mistruct.measures import ESTIMATORS
from mistruct.plotting import plot_null_distribution


def _split_given(values) -> list[str]:
    """``("a,b", "c")`` -> ``["a", "b", "c"]``."""
    out = []
    for value in values:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return out


def _positional(arguments, example):
    """``DATA X Y`` from a file, ``X Y`` with --example."""
    expected = 2 if example else 3
    if len(arguments) != expected:
        usage = "X Y (with --example)" if example else "DATA X Y"
        raise click.UsageError(
            f"expected {usage}, got {len(arguments)} argument(s): {' '.join(arguments) or '-'}."
        )
    if example:
        return None, arguments[0], arguments[1]
    data = Path(arguments[0])
    if not data.is_file():
        raise click.BadParameter(f"file {arguments[0]} does not exist.", param_hint="DATA")
    return str(data), arguments[1], arguments[2]


def _describe(result, x, y, given) -> str:
    condition = f" | {', '.join(given)}" if given else ""
    how = result.method
    if result.method == "knn":
        how += f", {result.n_permutations} surrogates, {result.estimator} estimator"
    if result.method in ("permutation", "sequential"):
        how += f", {result.n_permutations} null replicates"
        if result.estimator != "plugin":
            how += f", {result.estimator} estimator"
    verdict = _verdict(result)
    lines = [
        f"test of {x} ⊥ {y}{condition}  ({how})",
        f"rows         {result.n}"
        + (
            f"  ({result.n_strata} observed configurations of {', '.join(given)})"
            if given and result.n_strata
            else ""
        ),
        f"statistic G  {result.statistic:.6g}  (2·N·CMI, nats)",
        f"CMI          {result.cmi:.6g} bits",
        f"dof          {result.dof}",
        f"p-value      {result.pvalue:.6g}{_floor_note(result)}",
        f"decision     {verdict}",
    ]
    note = getattr(result, "note", "")
    if note and not getattr(result, "no_evidence", False):
        lines.append(f"note         {note}")
    return "\n".join(lines)


def _floor_note(result) -> str:
    """Say so when a resampling p-value is the smallest its draws can give."""
    drawn = result.n_permutations
    if not drawn or result.method not in ("permutation", "sequential", "knn"):
        return ""
    if result.pvalue <= 1.0 / (drawn + 1) * (1 + 1e-9):
        return f"  (the floor 1/(B+1) of B = {drawn} draws: more draws, -B, resolve smaller)"
    return ""


def _verdict(result) -> str:
    """The decision in words; a test without evidence never reads as "independent"."""
    if result.independent is None or getattr(result, "no_evidence", False):
        note = getattr(result, "note", "") or "the data hold no informative stratum."
        if note.lower().startswith("no evidence:"):
            note = note[len("no evidence:") :].strip()
        return f"no evidence either way: {note}"
    if result.independent:
        return f"independent: independence not rejected (p > alpha = {result.alpha:g})"
    return f"dependent: independence rejected (p <= alpha = {result.alpha:g})"


@click.command("citest")
@click.argument("arguments", nargs=-1, metavar="[DATA] X Y")
@click.option(
    "--given",
    "-g",
    multiple=True,
    metavar="Z",
    help="Conditioning column; repeat it (-g Z1 -g Z2) or separate with commas (-g Z1,Z2).",
)
@click.option(
    "--method",
    "-m",
    type=click.Choice(tuple(CI_TESTS)),
    default="auto",
    show_default=True,
    help="A registered CI test. auto: knn if a tested column is continuous; else, per query, "
    "g-test-adjusted where the chi-squared law fits the strata, sequential otherwise.",
)
@click.option(
    "--permutations",
    "-B",
    "n_permutations",
    type=int,
    default=1000,
    show_default=True,
    help="Null tables to draw (the most the sequential test draws).",
)
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Significance level.")
@click.option(
    "--estimator",
    type=click.Choice(ESTIMATORS),
    default="plugin",
    show_default=True,
    help="CMI estimator of the permutation statistic.",
)
@click.option(
    "--h",
    "h",
    type=int,
    default=20,
    show_default=True,
    help="Sequential test: stop after this many null values reach the observed one.",
)
@click.option(
    "--seed",
    type=SEED,
    default=None,
    help="Seed of the draws, >= 0 (and of --example rows; 0 if unset there).",
)
@table_options
@click.option(
    "--bins",
    type=click.IntRange(min=2),
    default=None,
    help="Discretize continuous columns into this many quantile bins.",
)
@click.option(
    "--example",
    metavar="NETWORK",
    help="Use rows sampled from a bundled network (alarm, asia, ...) instead of DATA.",
)
@click.option(
    "--rows",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Rows to sample with --example.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--plot",
    type=click.Path(dir_okay=False),
    help="Draw the null distribution with the observed G to this PNG/PDF/SVG.",
)
@click.option(
    "--progress/--no-progress",
    default=True,
    show_default=True,
    help="Progress bar on runs longer than a second.",
)
@fail_on_user_error
def command(
    arguments,
    given,
    method,
    n_permutations,
    alpha,
    estimator,
    h,
    seed,
    sep,
    na_values,
    missing,
    discrete,
    continuous,
    drop,
    bins,
    example,
    rows,
    fmt,
    plot,
    progress,
):
    """Test whether columns X and Y of DATA (a CSV file) are independent given -g columns.

    Prints the statistic G = 2·N·CMI (nats), its degrees of freedom, the
    p-value and the decision. Methods: g-test (chi-squared), g-test-adjusted
    (chi-squared, df from non-empty rows/columns per stratum), permutation
    (exact conditional null, drawn as random tables per stratum) and
    sequential (permutation that stops early when the answer is clear); for
    float columns knn (kNN CMI, Runge's local permutation null)
    and gaussian (partial correlation). auto picks knn when a
    tested column is continuous; between discrete columns it runs
    g-test-adjusted where the chi-squared law fits the strata and the exact
    sequential test where it does not, and says which. Examples:

    \b
      mistruct citest data.csv X Y -g Z1 -g Z2 --method permutation -B 5000 --seed 0
      mistruct citest data.csv X Y --given Z1,Z2 --format json
      mistruct citest --example alarm CVP PCWP -g LVEDVOLUME --plot null.png
    """
    data, x, y = _positional(arguments, example)
    given = _split_given(given)
    check_plot_suffix(plot)
    check_output_paths(plot, inputs=[data], options=["--plot"])
    frame, _ = load_table(
        data, example, rows, 0 if seed is None else seed, sep=sep, na_values=na_values
    )
    frame = drop_columns(frame, drop)
    used = [x, y, *given]
    absent = [name for name in dict.fromkeys(used) if name not in frame.columns]
    if absent:
        raise click.BadParameter(
            f"column {', '.join(map(repr, absent))} not found in the data; its columns are "
            f"{', '.join(map(repr, list(frame.columns)[:30]))}.",
            param_hint="X Y / --given",
        )
    kinds = decide_kinds(frame, discrete, continuous)
    frame, n_dropped = handle_missing(frame, missing, used, kinds=kinds)
    for name in id_like_columns(frame[list(dict.fromkeys(used))], kinds):
        click.echo(f"warning: {id_warning(name, frame)}", err=True)
    frame = kinds_applied(frame, kinds)
    if bins is not None:
        frame = discretize(frame, bins)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LowPowerWarning)
        result = ci_test(
            frame,
            x,
            y,
            given,
            method=method,
            alpha=alpha,
            n_permutations=n_permutations,
            estimator=estimator,
            h=h,
            seed=seed,
            return_null=bool(plot),
            missing="error" if missing == "drop" else missing,
            progress=progress,
        )
    for warning in caught:
        # ID-like columns were reported above; other libraries' notes are not for the user.
        if issubclass(warning.category, UserWarning) and not issubclass(
            warning.category, IDColumnWarning
        ):
            click.echo(f"warning: {warning.message}", err=True)
    if plot:
        plot_null_distribution(result, plot, x=x, y=y, given=given)
    if fmt == "json":
        payload = {"x": x, "y": y, "given": given, **result.to_dict()}
        payload.pop("null_distribution", None)
        payload["decision"] = _verdict(result)
        payload["units"] = {"statistic": "nats (G = 2 N CMI)", "cmi": "bits"}
        payload["kinds"] = {str(name): kinds[name] for name in dict.fromkeys(used)}
        payload["rows_dropped_missing"] = n_dropped
        click.echo(json.dumps(_jsonable(payload), indent=2))
    else:
        click.echo(_describe(result, x, y, given))
    if plot:
        click.echo(f"wrote {plot}", err=True)
