"""``mistruct mi``: the mutual information between every pair of columns."""

import json
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
    parse_columns,
    render_frame,
    unit_name,
    write_text,
)
from mistruct.cli._dask import dask_options, dask_session, read_for_dask, wants_dask
from mistruct.data import select_columns
from mistruct.exceptions import IDColumnWarning
from mistruct.measures import MATRIX_ESTIMATORS, mutual_information_matrix
from mistruct.plotting import plot_heatmap


@click.command("mi")
@data_options
@click.option("--columns", help="Comma-separated columns to use (default: all).")
@click.option(
    "--estimator",
    type=click.Choice(MATRIX_ESTIMATORS),
    default="auto",
    show_default=True,
    help="auto: plugin between discrete columns, KSG between continuous columns, Gao et al. "
    "for mixed pairs.",
)
@click.option(
    "--base",
    type=click.FloatRange(min=0, min_open=True),
    default=2.0,
    show_default=True,
    help="Log base: 2 = bits, 2.718281828 = nats, 10 = hartleys.",
)
@format_option
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file.")
@click.option("--plot", type=click.Path(dir_okay=False), help="Draw a heatmap to this PNG/PDF/SVG.")
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
    columns,
    estimator,
    base,
    fmt,
    output,
    plot,
    use_dask,
    scheduler,
    memory,
):
    """Mutual information between every pair of columns of DATA (CSV/TSV, Parquet, Excel).

    In bits by default (--base). The diagonal holds each column's entropy
    (inf for a continuous column). Continuous columns take kNN estimators
    (or --bins N to discretize them). Example:

    \b
      mistruct mi data.csv --format csv -o mi.csv --plot mi.png
      mistruct mi data.tsv --drop id --discrete cyl --missing drop
      mistruct mi --example alarm --rows 100000
      mistruct mi big.parquet --dask          (partition by partition, any size)
    """
    if base == 1:
        raise click.BadParameter("a logarithm base must not be 1.", param_hint="--base")
    check_plot_suffix(plot)
    check_output_paths(output, plot, inputs=[data], options=["--output", "--plot"])
    if wants_dask(data, use_dask, scheduler, memory):
        matrix, n_rows = _dask_matrix(
            data, sep, columns, drop, discrete, continuous, missing, bins, estimator, base,
            scheduler,
        )
        _emit(matrix, n_rows, base, estimator, fmt, output, plot)
        return
    frame, _ = load_table(data, example, rows, seed, sep=sep, na_values=na_values)
    frame = drop_columns(select_columns(frame, parse_columns(columns)), drop)
    kinds = decide_kinds(frame, discrete, continuous)
    frame, n_dropped = handle_missing(frame, missing, kinds=kinds)
    for name in id_like_columns(frame, kinds):
        click.echo(f"warning: {id_warning(name, frame)}", err=True)
    if n_dropped:
        click.echo(f"left out {n_dropped} row(s) with an empty cell (--missing drop)", err=True)
    frame = kinds_applied(frame, kinds)
    if bins is not None:
        frame = discretize(frame, bins)
    with warnings.catch_warnings():
        # ID-like columns were reported above, in the command's words.
        warnings.simplefilter("ignore", IDColumnWarning)
        matrix = mutual_information_matrix(frame, base=base, estimator=estimator, seed=seed)
    _emit(matrix, len(frame), base, estimator, fmt, output, plot)


def _dask_matrix(data, sep, columns, drop, discrete, continuous, missing, bins, estimator, base,
                 scheduler):
    """The MI matrix of DATA through Dask (a file, a directory or a glob), and its rows."""
    if bins is not None:
        raise click.UsageError(
            "--bins needs the whole column's quantiles; with --dask, bin the data first or "
            "use --estimator gaussian for numeric columns."
        )
    frame = read_for_dask(data, sep=sep)
    chosen = parse_columns(columns) or list(frame.columns)
    dropped = parse_columns(drop) or []
    unknown = [c for c in [*chosen, *dropped] if c not in frame.columns]
    if unknown:
        raise click.BadParameter(
            f"no column {', '.join(map(repr, unknown))} in the data; its columns are "
            f"{', '.join(map(repr, list(frame.columns)[:30]))}.",
            param_hint="--columns/--drop",
        )
    chosen = [c for c in chosen if c not in dropped]
    with dask_session(scheduler), warnings.catch_warnings():
        warnings.simplefilter("ignore", IDColumnWarning)
        matrix = mutual_information_matrix(
            frame[chosen], base=base, estimator=estimator, missing=missing,
            discrete=parse_columns(discrete), continuous=parse_columns(continuous),
        )
    return matrix, None  # the counts are reduced; the rows are never all in one place


def _emit(matrix, n_rows, base, estimator, fmt, output, plot):
    """Print or write the matrix (and its heatmap) in the chosen format."""
    rows_text = "rows counted through Dask" if n_rows is None else f"{n_rows} rows"
    unit = unit_name(base)
    if fmt == "json":
        payload = {
            "unit": unit,
            "base": base,
            "estimator": estimator,
            "rows": n_rows,
            "mutual_information": matrix.to_dict(orient="index"),
        }
        text = json.dumps(_jsonable(payload), indent=2)
    elif fmt == "csv":
        matrix.index.name = f"mutual information ({unit})"
        text = render_frame(matrix, fmt)
    else:
        text = f"mutual information ({unit}; diagonal: entropy), {rows_text}\n"
        text += render_frame(matrix, fmt)
    if plot:
        plot_heatmap(matrix, plot, title=f"Mutual information ({unit})")
    if output:
        write_text(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text)
    if plot:
        click.echo(f"wrote {plot}", err=True)
