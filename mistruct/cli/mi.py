"""``mistruct mi``: the mutual information between every pair of columns."""

import click

from mistruct.cli._common import (
    check_output_paths,
    data_options,
    fail_on_user_error,
    format_option,
    load_table,
    parse_columns,
    render_frame,
    unit_name,
    write_text,
)
from mistruct.estimators import ESTIMATORS
from mistruct.information import NUMERIC_MATRIX_ESTIMATORS


@click.command("mi")
@data_options
@click.option("--columns", help="Comma-separated columns to use (default: all).")
@click.option(
    "--estimator",
    type=click.Choice(("auto", *ESTIMATORS, *NUMERIC_MATRIX_ESTIMATORS[:-1])),
    default="auto",
    show_default=True,
    help="auto: plugin between discrete columns, KSG between float columns, Gao et al. "
    "for mixed pairs.",
)
@click.option("--base", default=2.0, show_default=True, help="Log base: 2 = bits, 2.718... = nats.")
@click.option(
    "--missing",
    type=click.Choice(["error", "drop", "category"]),
    default="error",
    show_default=True,
    help="What to do with empty cells.",
)
@format_option
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file.")
@click.option("--plot", type=click.Path(dir_okay=False), help="Draw a heatmap to this PNG/PDF/SVG.")
@fail_on_user_error
def command(data, example, rows, seed, bins, columns, estimator, base, missing, fmt, output, plot):
    """Mutual information between every pair of columns of DATA (a CSV file).

    The diagonal holds each column's entropy (inf for a float column). Float
    columns take kNN estimators (or --bins N to discretize them). Example:

    \b
      mistruct mi data.csv --format csv -o mi.csv --plot mi.png
      mistruct mi --example alarm --rows 100000
    """
    from mistruct.information import mutual_information_matrix

    check_output_paths(output, plot)
    frame, _ = load_table(data, example, rows, seed, bins)
    matrix = mutual_information_matrix(
        frame, parse_columns(columns), base=base, estimator=estimator, missing=missing, seed=seed
    )
    text = render_frame(matrix, fmt)
    if plot:
        from mistruct.plotting import plot_heatmap

        plot_heatmap(matrix, plot, title=f"Mutual information ({unit_name(base)})")
    if output:
        write_text(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text)
    if plot:
        click.echo(f"wrote {plot}", err=True)
