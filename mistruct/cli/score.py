"""``mistruct score``: compare a clustering with reference labels."""

import json

import click
import pandas as pd

from mistruct.cli._common import (
    EXCEL_SUFFIXES,
    MISSING_LEVEL,
    PARQUET_SUFFIXES,
    fail_on_user_error,
    parse_columns,
    parse_separator,
    read_table,
    sniff_separator,
    table_options,
)
from mistruct.clustering import (
    adjusted_mutual_info_score,
    homogeneity_completeness_v_measure,
    mutual_info_score,
    normalized_mutual_info_score,
    variation_of_information,
)

_AVERAGE_METHODS = ("min", "geometric", "arithmetic", "max")


@click.command("score")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--true", "true_column", metavar="COL", help="Column of the reference labels.")
@click.option("--pred", "pred_column", metavar="COL", help="Column of the predicted clusters.")
@table_options(kinds=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@fail_on_user_error
def command(files, true_column, pred_column, sep, na_values, missing, fmt):
    """Score predicted clusters against reference labels, from one or two CSV files.

    Prints the mutual information (nats), NMI and AMI for each average
    method, homogeneity, completeness, V-measure and the variation of
    information -- the same numbers as scikit-learn. Labels are read as
    text; only empty cells count as missing.

    \b
      mistruct score labels.csv --true class --pred cluster
      mistruct score labels.csv                  a file of two columns: true, predicted
      mistruct score true.csv pred.csv           the first column of each file
      mistruct score true.csv pred.csv --true class --pred cluster --format json
    """
    if len(files) > 2:
        raise click.UsageError(f"give one or two CSV files; got {len(files)}.")
    true_path, pred_path = files if len(files) == 2 else (files[0], files[0])
    true_frame = _read(true_path, sep, na_values)
    pred_frame = true_frame if pred_path == true_path else _read(pred_path, sep, na_values)
    if len(files) == 1 and (true_column is None or pred_column is None):
        true_column, pred_column = _default_columns(true_frame, true_path, true_column, pred_column)
    truth = _column(true_frame, true_column, true_path, "--true")
    pred = _column(pred_frame, pred_column, pred_path, "--pred")
    if len(truth) != len(pred):
        raise click.UsageError(
            f"{true_path} has {len(truth)} rows but {pred_path} has {len(pred)}; both files "
            "must label the same samples, in the same order."
        )
    truth, pred = _missing_labels(truth, pred, missing, true_path, pred_path)
    scores = _scores(truth.to_numpy(), pred.to_numpy())
    if fmt == "json":
        click.echo(json.dumps({"unit": "nats", **scores}, indent=2))
    else:
        header = (
            f"true: {truth.name} ({true_path}), predicted: {pred.name} ({pred_path}); "
            f"{scores['n_samples']} samples, {scores['n_true_clusters']} true and "
            f"{scores['n_pred_clusters']} predicted clusters"
        )
        click.echo(header + "\n\n" + _table(scores))


def _read(path, sep, na_values):
    """A table with every cell as text; only empty cells (and --na-values) are missing."""
    suffix = path.lower().rsplit(".", 1)[-1] if "." in path else ""
    if f".{suffix}" in PARQUET_SUFFIXES + EXCEL_SUFFIXES:
        frame = read_table(path, na_values=na_values)
        return (
            frame.astype(object)
            .where(frame.notna(), None)
            .map(lambda v: v if v is None else str(v))
        )
    separator = parse_separator(sep) or sniff_separator(path)
    missing_texts = [""] + (parse_columns(na_values) or [])
    try:
        frame = pd.read_csv(
            path, sep=separator, dtype=str, keep_default_na=False, na_values=missing_texts
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        message = f"could not read {path} as CSV: {exc}"
        raise click.BadParameter(message, param_hint="FILES") from None
    if frame.empty:
        raise click.BadParameter(f"{path} has no rows of labels.", param_hint="FILES")
    return frame


def _missing_labels(truth, pred, missing, true_path, pred_path):
    """Apply --missing to the two label columns (counted over all rows)."""
    empty_true, empty_pred = truth.isna().to_numpy(), pred.isna().to_numpy()
    if not (empty_true.any() or empty_pred.any()):
        return truth, pred
    if missing == "error":
        parts = [
            f"column {column.name!r} of {path} has {int(empty.sum())} empty cell(s), the first "
            f"on data row {int(empty.nonzero()[0][0]) + 1} (of {len(column)} rows)"
            for column, empty, path in (
                (truth, empty_true, true_path),
                (pred, empty_pred, pred_path),
            )
            if empty.any()
        ]
        raise click.UsageError(
            "; ".join(parts) + ". Use --missing drop to leave out those rows, --missing "
            "category to make 'missing' a label of its own, or fill them in."
        )
    if missing == "drop":
        keep = ~(empty_true | empty_pred)
        if not keep.any():
            raise click.UsageError("--missing drop leaves no rows: every row has an empty label.")
        return truth[keep], pred[keep]
    return truth.fillna(MISSING_LEVEL), pred.fillna(MISSING_LEVEL)


def _default_columns(frame, path, true_column, pred_column):
    """With a single file and no column names, a two-column file is (true, predicted)."""
    names = list(frame.columns)
    if true_column is None and pred_column is None and len(names) == 2:
        return names[0], names[1]
    raise click.UsageError(
        f"{path} has columns {', '.join(map(repr, names))}; name the reference and the "
        "predicted ones with --true COL --pred COL."
    )


def _column(frame, name, path, option):
    """The named column (the first one if no name is given), without empty cells."""
    if name is None:
        column = frame.iloc[:, 0]
    elif name in frame.columns:
        column = frame[name]
    else:
        raise click.BadParameter(
            f"{path} has no column {name!r}; its columns are "
            f"{', '.join(map(repr, frame.columns))}.",
            param_hint=option,
        )
    return column


def _scores(truth, pred):
    """Every clustering score, by name."""
    homogeneity, completeness, v_measure = homogeneity_completeness_v_measure(truth, pred)
    return {
        "n_samples": len(truth),
        "n_true_clusters": len(pd.unique(truth)),
        "n_pred_clusters": len(pd.unique(pred)),
        "mutual_info": mutual_info_score(truth, pred),
        "normalized_mutual_info": {
            method: normalized_mutual_info_score(truth, pred, average_method=method)
            for method in _AVERAGE_METHODS
        },
        "adjusted_mutual_info": {
            method: adjusted_mutual_info_score(truth, pred, average_method=method)
            for method in _AVERAGE_METHODS
        },
        "homogeneity": homogeneity,
        "completeness": completeness,
        "v_measure": v_measure,
        "variation_of_information": variation_of_information(truth, pred),
        "normalized_variation_of_information": variation_of_information(
            truth, pred, normalized=True
        ),
    }


def _table(scores):
    """The scores as aligned text, one per line."""
    rows = [("mutual information (nats)", scores["mutual_info"])]
    rows += [(f"NMI, {m}", v) for m, v in scores["normalized_mutual_info"].items()]
    rows += [(f"AMI, {m}", v) for m, v in scores["adjusted_mutual_info"].items()]
    rows += [
        ("homogeneity", scores["homogeneity"]),
        ("completeness", scores["completeness"]),
        ("V-measure", scores["v_measure"]),
        ("variation of information (nats)", scores["variation_of_information"]),
        ("VI / joint entropy", scores["normalized_variation_of_information"]),
    ]
    width = max(len(name) for name, _ in rows) + 2
    return "\n".join(f"{name:<{width}}{value:.6f}" for name, value in rows)
