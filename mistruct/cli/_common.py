"""Options and input/output shared by the sub-commands."""

from __future__ import annotations

import json

import click
import numpy as np
import pandas as pd

from mistruct._io import atomic_path
from mistruct.exceptions import InvalidInputError

FORMATS = ("table", "csv", "json")


def data_options(function):
    """``DATA`` plus ``--example/--rows/--seed/--bins``: a table from a CSV or an example."""
    options = [
        click.argument("data", required=False, type=click.Path(exists=True, dir_okay=False)),
        click.option(
            "--example",
            metavar="NETWORK",
            help="Use rows sampled from a bundled network (alarm, asia, child, insurance, ...) "
            "instead of a CSV file.",
        ),
        click.option(
            "--rows",
            default=10_000,
            show_default=True,
            type=click.IntRange(min=1),
            help="Rows to sample with --example.",
        ),
        click.option("--seed", default=0, show_default=True, type=int, help="Random seed."),
        click.option(
            "--bins",
            type=click.IntRange(min=2),
            default=None,
            help="Discretize float columns into this many quantile bins (otherwise they "
            "are continuous: kNN estimators and tests).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def load_table(data, example, rows, seed, bins) -> tuple[pd.DataFrame, object]:
    """The table to work on, and the example (with its true network) if one was asked for."""
    from mistruct.data import Discretizer

    if (data is None) == (example is None):
        raise click.UsageError("give a CSV file or --example NETWORK (one of the two).")
    sample = None
    if example is not None:
        from mistruct.datasets import sample_network

        try:
            sample = sample_network(example, rows, seed=seed)
        except InvalidInputError as exc:
            raise click.BadParameter(str(exc), param_hint="--example") from None
        frame = sample.data
    else:
        try:
            frame = pd.read_csv(data)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise click.BadParameter(f"could not read {data} as CSV: {exc}") from None
        if frame.empty:
            raise click.BadParameter(f"{data} has no rows.", param_hint="DATA")
    if bins is not None:
        frame = Discretizer(bins).fit_transform(frame)
    return frame, sample


def parse_columns(text: str | None) -> list[str] | None:
    """``"a,b, c"`` -> ``["a", "b", "c"]``."""
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def format_option(function):
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format.",
    )(function)


def render_frame(frame: pd.DataFrame, fmt: str, *, digits: int = 6) -> str:
    """A DataFrame as a text table, CSV or JSON (``{row: {column: value}}``)."""
    if fmt == "csv":
        return frame.to_csv(float_format=f"%.{digits + 6}g")
    if fmt == "json":
        return json.dumps(_jsonable(frame.to_dict(orient="index")), indent=2)
    return frame.round(digits).to_string()


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def check_output_paths(*paths):
    """Fail before any work when an output file could not be written."""
    from pathlib import Path

    for path in paths:
        if path is None:
            continue
        folder = Path(path).parent
        if not folder.is_dir():
            raise click.BadParameter(f"cannot write {path}: folder {folder} does not exist.")


def unit_name(base: float) -> str:
    """"bits", "nats" or "log base B" for a logarithm base."""
    if base == 2:
        return "bits"
    if np.isclose(base, np.e):
        return "nats"
    return f"log base {base:g}"


def write_text(path, text: str):
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(text if text.endswith("\n") else text + "\n")


def fail_on_user_error(function):
    """Turn mistruct's input errors into click errors: a clear message, exit code 2."""
    import functools

    from mistruct.exceptions import ContinuousDataError

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (InvalidInputError, ContinuousDataError) as exc:
            raise click.UsageError(str(exc)) from None

    return wrapper
