"""Options and input/output shared by the sub-commands.

Reading a table is done once here, at the door of every command: the file is
read (CSV/TSV with a sniffed separator, Parquet, Excel), the columns asked for
are kept, empty cells are handled as ``--missing`` says, and column kinds are
decided (``--discrete``/``--continuous``) before any work starts.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import tempfile
from pathlib import Path

import click
import numpy as np
import pandas as pd

from mistruct._io import atomic_path
from mistruct.data import Discretizer, apply_kinds, column_kinds, near_unique_columns
from mistruct.exceptions import ContinuousDataError, InvalidInputError
from mistruct.interop.datasets import sample_network

FORMATS = ("table", "csv", "json")
MISSING_OPTIONS = ("error", "drop", "category")
#: The level an empty cell becomes with ``--missing category``.
MISSING_LEVEL = "(missing)"
PARQUET_SUFFIXES = (".parquet", ".pq")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
PLOT_SUFFIXES = (".png", ".pdf", ".svg", ".jpg", ".jpeg", ".eps", ".ps", ".tif", ".tiff", ".webp")
#: Bytes of a text file the separator is sniffed from.
SNIFF_BYTES = 65_536
SNIFF_DELIMITERS = ",;\t|"
_SEPARATOR_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}

SEED = click.IntRange(min=0)


def data_options(function):
    """``DATA`` plus ``--example/--rows/--seed/--bins`` and the table options."""
    options = [
        # A file, or (read through Dask) a directory or a glob of Parquet/CSV files.
        click.argument("data", required=False, type=click.Path()),
        click.option(
            "--example",
            metavar="NETWORK",
            help="Use rows sampled from a bundled network (alarm, asia, child, insurance, ...) "
            "instead of a data file.",
        ),
        click.option(
            "--rows",
            default=10_000,
            show_default=True,
            type=click.IntRange(min=1),
            help="Rows to sample with --example.",
        ),
        click.option("--seed", default=0, show_default=True, type=SEED, help="Random seed (>= 0)."),
        click.option(
            "--bins",
            type=click.IntRange(min=2),
            default=None,
            help="Discretize continuous columns into this many quantile bins (otherwise "
            "they take kNN estimators and tests).",
        ),
    ]
    function = table_options(function)
    for option in reversed(options):
        function = option(function)
    return function


def table_options(function=None, *, kinds: bool = True):
    """``--sep/--na-values/--missing`` (and ``--discrete/--continuous/--drop``)."""
    if function is None:
        return lambda function: table_options(function, kinds=kinds)
    options = [
        click.option(
            "--sep",
            default=None,
            metavar="CHAR",
            help="Field separator of a text file (',', ';', 'tab', '|', ...); default: "
            "sniffed from the file's first lines.",
        ),
        click.option(
            "--na-values",
            default=None,
            metavar="STRINGS",
            help="Comma-separated cell texts that mean 'missing' (e.g. NA,?,-999). By "
            "default only empty cells are missing: 'NA' or 'None' stay levels.",
        ),
        click.option(
            "--missing",
            type=click.Choice(MISSING_OPTIONS),
            default="error",
            show_default=True,
            help="Empty cells: error; drop the rows holding one (in the columns used); "
            "category: a level of its own in discrete columns.",
        ),
    ]
    if kinds:
        options += [
            click.option(
                "--discrete",
                metavar="COLS",
                help="Comma-separated columns to treat as discrete (categories), overriding "
                "the automatic rule.",
            ),
            click.option(
                "--continuous",
                metavar="COLS",
                help="Comma-separated columns to treat as continuous (numeric), overriding "
                "the automatic rule.",
            ),
            click.option("--drop", metavar="COLS", help="Comma-separated columns to leave out."),
        ]
    for option in reversed(options):
        function = option(function)
    return function


# ---------------------------------------------------------------- reading


def parse_separator(sep: str | None) -> str | None:
    """The separator a user typed (``tab``, ``\\t``, ``;``) as a character, or None to sniff."""
    if sep is None:
        return None
    sep = _SEPARATOR_NAMES.get(sep.lower(), sep)
    if len(sep) != 1:
        raise click.BadParameter(
            f"{sep!r} is not one character; use e.g. ',', ';', 'tab' or '|'.", param_hint="--sep"
        )
    return sep


def sniff_separator(path) -> str:
    """The field separator of a text table, guessed from its first lines (',' if unclear)."""
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        sample = handle.read(SNIFF_BYTES)
    if len(sample) == SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # a cut last line would mislead the sniffer
    try:
        return csv.Sniffer().sniff(sample, delimiters=SNIFF_DELIMITERS).delimiter
    except csv.Error:
        return ","


def read_table(path, *, sep=None, na_values=None) -> pd.DataFrame:
    """Read a CSV/TSV, Parquet or Excel file (by suffix) with only empty cells missing."""
    path = Path(path)
    suffix = path.suffix.lower()
    missing_texts = [""] + (parse_columns(na_values) or [])
    if suffix in PARQUET_SUFFIXES:
        try:
            frame = pd.read_parquet(path, dtype_backend="numpy_nullable")
        except ImportError:
            raise click.UsageError(
                f"reading {path.name} (Parquet) needs pyarrow: pip install pyarrow"
            ) from None
        except Exception as exc:  # noqa: BLE001 -- pyarrow's errors have no common base
            raise click.BadParameter(
                f"could not read {path} as Parquet: {exc}", param_hint="DATA"
            ) from None
        if na_values:
            frame = frame.replace(missing_texts[1:], np.nan)
    elif suffix in EXCEL_SUFFIXES:
        engine = "xlrd" if suffix == ".xls" else "openpyxl"
        try:
            frame = pd.read_excel(
                path, engine=engine, keep_default_na=False, na_values=missing_texts
            )
        except ImportError:
            raise click.UsageError(
                f"reading {path.name} (Excel) needs {engine}: pip install {engine}"
            ) from None
        except ValueError as exc:
            raise click.BadParameter(
                f"could not read {path} as Excel: {exc}", param_hint="DATA"
            ) from None
    else:
        separator = parse_separator(sep) or sniff_separator(path)
        try:
            # Nullable dtypes keep an integer column with an empty cell integer.
            frame = pd.read_csv(
                path,
                sep=separator,
                keep_default_na=False,
                na_values=missing_texts,
                dtype_backend="numpy_nullable",
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise click.BadParameter(
                f"could not read {path} as a table (separator {separator!r}): {exc}",
                param_hint="DATA",
            ) from None
    if frame.empty:
        raise click.BadParameter(f"{path} has no rows.", param_hint="DATA")
    if suffix in EXCEL_SUFFIXES:
        return _integers_back(frame)
    return _plain_dtypes(frame)


def _plain_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """NumPy dtypes again, except integer columns with missing cells (nullable Int64).

    Read with nullable dtypes, an integer column with an empty cell stays
    integer (a plain reader makes it float, which would change its kind);
    every other column gets the dtype a plain reader gives.
    """
    columns = {}
    for name in frame.columns:
        column = frame[name]
        dtype = column.dtype
        has_missing = bool(column.isna().any())
        if pd.api.types.is_bool_dtype(dtype):
            columns[name] = (
                column.astype(object).where(column.notna(), np.nan)
                if has_missing
                else column.astype(bool)
            )
        elif pd.api.types.is_integer_dtype(dtype):
            columns[name] = column if has_missing else column.astype(np.int64)
        elif pd.api.types.is_float_dtype(dtype):
            columns[name] = column.astype(float)  # <NA> becomes NaN
        elif isinstance(dtype, pd.StringDtype):
            columns[name] = column.astype(object).where(column.notna(), np.nan)
        else:
            columns[name] = column
    return pd.DataFrame(columns, index=frame.index)


def _integers_back(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel's integer columns with empty cells as nullable integers, not floats.

    Excel stores every number as a float; a column whose values are all
    whole numbers and has an empty cell was a column of integers.
    """
    out = frame
    for name in frame.columns:
        column = frame[name]
        if not pd.api.types.is_float_dtype(column.dtype) or not column.isna().any():
            continue
        present = column.dropna()
        if len(present) and np.all(np.isfinite(present)) and np.all(present == np.round(present)):
            if out is frame:
                out = frame.copy()
            out[name] = column.astype("Int64")
    return out


def load_table(data, example, rows, seed, bins=None, *, sep=None, na_values=None):
    """The table to work on, and the example (with its true network) if one was asked for."""
    if (data is None) == (example is None):
        raise click.UsageError("give a data file or --example NETWORK (one of the two).")
    sample = None
    if example is not None:
        try:
            sample = sample_network(example, rows, seed=seed)
        except InvalidInputError as exc:
            raise click.BadParameter(str(exc), param_hint="--example") from None
        frame = sample.data
    else:
        if not os.path.isfile(data):
            raise click.BadParameter(
                f"{data!r} is not a file (a directory or a glob of Parquet/CSV files is read "
                "by `mistruct learn` and `mistruct mi`, through Dask).",
                param_hint="DATA",
            )
        frame = read_table(data, sep=sep, na_values=na_values)
    if bins is not None:
        frame = discretize(frame, bins)
    return frame, sample


def discretize(frame: pd.DataFrame, bins: int) -> pd.DataFrame:
    """Continuous columns (float after ``apply_kinds``) as ``bins`` quantile bins."""
    return Discretizer(bins).fit_transform(frame)


def parse_columns(text: str | None) -> list[str] | None:
    """``"a,b, c"`` -> ``["a", "b", "c"]``."""
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def _check_known(frame, names, option):
    unknown = [name for name in names if name not in frame.columns]
    if unknown:
        raise click.BadParameter(
            f"no column {', '.join(map(repr, unknown))} in the data; its columns are "
            f"{', '.join(map(repr, list(frame.columns)[:30]))}.",
            param_hint=option,
        )


def drop_columns(frame: pd.DataFrame, drop: str | None) -> pd.DataFrame:
    """The table without the ``--drop`` columns."""
    names = parse_columns(drop)
    if not names:
        return frame
    _check_known(frame, names, "--drop")
    return frame.drop(columns=names)


def handle_missing(frame: pd.DataFrame, missing: str, columns=None, *, kinds=None):
    """Apply ``--missing`` to the columns used; the rows dropped (a count).

    Counts are over the whole table: the error names every column with empty
    cells and how many, in the command line's own words.
    """
    columns = list(frame.columns) if columns is None else list(columns)
    counts = {name: int(frame[name].isna().sum()) for name in columns}
    counts = {name: n for name, n in counts.items() if n}
    if not counts:
        return frame, 0
    listing = ", ".join(f"{name!r} {n}" for name, n in counts.items())
    if missing == "error":
        raise click.UsageError(
            f"empty cells in {len(counts)} column(s) of the {len(frame)} rows: {listing}. "
            "Use --missing drop to leave out the rows that hold one, --missing category to "
            "make 'missing' a level of its own (discrete columns), or fill them in."
        )
    if missing == "drop":
        keep = frame[columns].notna().all(axis=1).to_numpy()
        out = frame.loc[keep]
        if len(out) == 0:
            raise click.UsageError(
                f"--missing drop leaves no rows: every one of the {len(frame)} rows has an "
                f"empty cell ({listing})."
            )
        return _plain_integers(out), int((~keep).sum())
    kinds = kinds or {}
    continuous = [name for name in counts if kinds.get(name) == "continuous"]
    if continuous:
        raise click.UsageError(
            f"--missing category makes 'missing' a level of a discrete column, but "
            f"{', '.join(map(repr, continuous))} is continuous; use --missing drop, or "
            f"--discrete {','.join(map(str, continuous))} if its values are categories."
        )
    out = frame.copy()
    for name in counts:
        out[name] = out[name].astype(object).where(out[name].notna(), MISSING_LEVEL)
    return out, 0


def _plain_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable integer columns without missing values back to NumPy integers."""
    out = frame
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.Int64Dtype) and not frame[name].isna().any():
            if out is frame:
                out = frame.copy()
            out[name] = frame[name].astype(np.int64)
    return out


def decide_kinds(frame: pd.DataFrame, discrete=None, continuous=None):
    """Each column's kind (``mistruct.data.column_kinds``), with ``--discrete/--continuous``."""
    discrete, continuous = parse_columns(discrete) or [], parse_columns(continuous) or []
    _check_known(frame, discrete, "--discrete")
    _check_known(frame, continuous, "--continuous")
    both = sorted(set(map(str, discrete)) & set(map(str, continuous)))
    if both:
        raise click.UsageError(
            f"column(s) {', '.join(map(repr, both))} given to both --discrete and --continuous."
        )
    return column_kinds(frame, discrete=discrete or None, continuous=continuous or None)


def kinds_applied(frame: pd.DataFrame, kinds) -> pd.DataFrame:
    """A frame whose dtypes state ``kinds`` (continuous: float64; discrete: not float)."""
    discrete = [name for name in frame.columns if kinds.get(name) == "discrete"]
    continuous = [name for name in frame.columns if kinds.get(name) == "continuous"]
    out = apply_kinds(frame, discrete=discrete or None, continuous=continuous or None)
    # A numeric column chosen discrete becomes categorical, so that no automatic rule
    # further down (an integer with many levels is numeric) reads it another way.
    numeric = [
        name
        for name in discrete
        if pd.api.types.is_numeric_dtype(out[name].dtype)
        and not pd.api.types.is_bool_dtype(out[name].dtype)
        and not isinstance(out[name].dtype, pd.CategoricalDtype)
    ]
    if numeric:
        out = out.copy() if out is frame else out
        for name in numeric:
            out[name] = out[name].astype("category")
    return out


def id_like_columns(frame: pd.DataFrame, kinds) -> list:
    """Columns that look like row identifiers (``mistruct.data.near_unique_columns``)."""
    return list(near_unique_columns(frame, kinds))


def id_warning(name, frame) -> str:
    return (
        f"column {name!r} looks like an identifier ({frame[name].nunique()} distinct values in "
        f"{len(frame)} rows): it tells rows apart and carries no dependence to learn; leave it "
        f"out with --drop {name}."
    )


#: Above this many columns, columns of the same kind for the same reason share a line.
KIND_LINES_PER_COLUMN = 20


def kind_lines(kinds) -> list[str]:
    """One line per column: its kind and why (grouped for wide tables)."""
    reasons = getattr(kinds, "reasons", {})
    if len(kinds) > KIND_LINES_PER_COLUMN:
        groups = {}
        for name, kind in kinds.items():
            groups.setdefault((kind, reasons.get(name, "")), []).append(str(name))
        return [
            f"  {kind:<10}  {reason or '-'}: {', '.join(names[:12])}"
            + (f", ... ({len(names)} columns)" if len(names) > 12 else "")
            for (kind, reason), names in groups.items()
        ]
    width = max((len(str(name)) for name in kinds), default=0)
    return [
        f"  {str(name):<{width}}  {kind:<10}" + (f"  {reasons[name]}" if name in reasons else "")
        for name, kind in kinds.items()
    ]


# ---------------------------------------------------------------- output


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


def check_output_paths(*paths, inputs=(), options=None):
    """Fail before any work when an output file could not be written.

    Checks that each output's folder exists and is writable, that the output
    is not a folder, that no two outputs are the same file and that no output
    is an input file (which would be overwritten).
    """
    options = options or [None] * len(paths)
    seen = {}
    input_files = [Path(p).resolve() for p in inputs if p is not None]
    for path, option in zip(paths, options, strict=True):
        if path is None:
            continue
        target = Path(path)
        folder = target.parent if str(target.parent) else Path(".")
        hint = option
        if target.is_dir():
            raise click.BadParameter(f"cannot write {path}: it is a folder.", param_hint=hint)
        if not folder.is_dir():
            raise click.BadParameter(
                f"cannot write {path}: folder {folder} does not exist.", param_hint=hint
            )
        if target.exists() and not os.access(target, os.W_OK):
            raise click.BadParameter(f"cannot write {path}: permission denied.", param_hint=hint)
        _probe_folder(folder, path, hint)
        resolved = target.resolve()
        if resolved in input_files:
            raise click.BadParameter(
                f"{path} is the input file; writing there would destroy the data. "
                "Choose another output path.",
                param_hint=hint,
            )
        if resolved in seen:
            raise click.BadParameter(
                f"{path} is given for two outputs ({seen[resolved]} and {option}).",
                param_hint=hint,
            )
        seen[resolved] = option


def _probe_folder(folder, path, hint):
    # Permission bits do not tell everything (root, read-only mounts, /proc):
    # creating a file is the test that counts, as the atomic write will do.
    try:
        handle, probe = tempfile.mkstemp(prefix=".mistruct-probe-", dir=folder)
    except OSError as exc:
        raise click.BadParameter(
            f"cannot write {path}: {exc.strerror or exc}.", param_hint=hint
        ) from None
    os.close(handle)
    os.unlink(probe)


def check_plot_suffix(plot, option="--plot"):
    """Fail before any work when the image format of ``plot`` is unknown."""
    if plot and Path(plot).suffix.lower() not in PLOT_SUFFIXES:
        raise click.BadParameter(
            f"cannot tell the image format of {plot}; end it with one of "
            f"{', '.join(PLOT_SUFFIXES)}.",
            param_hint=option,
        )


def unit_name(base: float) -> str:
    """ "bits", "nats" or "log base B" for a logarithm base."""
    if base == 2:
        return "bits"
    if np.isclose(base, np.e):
        return "nats"
    if base == 10:
        return "hartleys (log base 10)"
    return f"log base {base:g}"


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    """``"1 chain"``, ``"2 chains"``."""
    return f"{count} {word if count == 1 else (plural_word or word + 's')}"


def write_text(path, text: str):
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(text if text.endswith("\n") else text + "\n")


def fail_on_user_error(function):
    """Turn mistruct's input errors into click errors: a clear message, exit code 2."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (InvalidInputError, ContinuousDataError) as exc:
            raise click.UsageError(str(exc)) from None

    return wrapper
