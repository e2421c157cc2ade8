"""Dask tables at the door: detection, one pass for the global levels, kinds, readers.

A Dask DataFrame is never collected.  One pass over its partitions finds,
for every column a discrete measure may count, the set of values it takes
(the global levels, sorted as :func:`mistruct.data.encode` sorts them, or
the categories of a known categorical dtype), its number of missing values
and the number of rows.  The kinds follow :func:`mistruct.data.column_kinds`
from that summary, and :class:`DaskTable` carries the levels down to the
counting layer, which encodes each partition against them.

Dask is imported only here and in :mod:`mistruct.counting._dask`, and only
when a Dask object is given or a file is read with ``dask=True``.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mistruct._validation import check_missing
from mistruct.data._table import (
    MAX_DISCRETE_LEVELS,
    MIN_ROWS_PER_LEVEL,
    ColumnKinds,
    EncodedTable,
    _checked_column_list,
    _missing_values,
    _smallest_int_dtype,
)
from mistruct.exceptions import (
    ColumnNotFoundError,
    ContinuousDataError,
    InvalidInputError,
)

__all__ = [
    "DaskSummary",
    "DaskTable",
    "RowsElsewhere",
    "dask_frame",
    "dask_kinds",
    "dask_passes",
    "dask_summary",
    "dask_table",
    "is_dask_collection",
    "pass_reporter",
    "read_dask",
    "run_pass",
]

#: Distinct values of one column past which it cannot be counted distributed.
MAX_DASK_LEVELS = 1_000_000


def is_dask_collection(data) -> bool:
    """Whether ``data`` is a Dask collection (DataFrame, Series, Array), without importing Dask.

    Parameters
    ----------
    data : object
        Anything a public function was given.

    Examples
    --------
    >>> is_dask_collection(pd.DataFrame({"a": [1]}))
    False
    """
    module = type(data).__module__ or ""
    return module == "dask" or module.startswith(("dask.", "dask_expr"))


def dask_frame(data, what: str = "data"):
    """``data`` as a Dask DataFrame (a Series becomes one column), or a clear error.

    Parameters
    ----------
    data : dask.dataframe.DataFrame or Series
        The table.
    what : str, default "data"
        How to call it in error messages.

    See Also
    --------
    is_dask_collection : the test, without importing Dask.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> series = dd.from_pandas(pd.Series([1, 2], name="a"), npartitions=1)
    >>> dask_frame(series).columns.tolist()
    ['a']
    """
    if not is_dask_collection(data) or not hasattr(data, "map_partitions"):
        raise InvalidInputError(
            f"{what} is a {type(data).__name__}, which is not a Dask DataFrame or Series; "
            "pass a dask.dataframe.DataFrame (e.g. dask.dataframe.read_parquet(...))."
        )
    if getattr(data, "ndim", 2) == 1:
        name = 0 if data.name is None else data.name
        data = data.to_frame(name=name)
    columns = list(data.columns)
    if not columns:
        raise InvalidInputError(f"{what} has no columns.")
    if len(set(columns)) != len(columns):
        raise InvalidInputError(f"{what} has duplicated column labels; rename them.")
    bad = [c for c in columns if c is None or isinstance(c, (bool, np.bool_))]
    if bad:
        raise InvalidInputError(
            f"{what} has column label(s) {bad}: None cannot name a graph node and pandas "
            "reads True/False as a row mask; rename those columns (e.g. to strings)."
        )
    return data


# ---------------------------------------------------------------- passes

_PASSES = {"count": 0}
_LISTENERS: list = []


def dask_passes() -> int:
    """How many passes over Dask partitions this process has run (each a graph computed once).

    A pass reads every partition once: a learner's cost on a Dask table is
    its number of passes.  Compare the value before and after a call.

    Examples
    --------
    >>> before = dask_passes()
    >>> dask_passes() - before
    0
    """
    return _PASSES["count"]


class pass_reporter:  # noqa: N801  (a context manager used like a function)
    """Call ``report(number, description, n_partitions, seconds)`` after each pass, within.

    Parameters
    ----------
    report : callable
        Called with the pass number (1, 2, ...), a description of what
        it counted, the number of partitions read and the seconds it took.

    Examples
    --------
    >>> with pass_reporter(print):
    ...     pass
    """

    def __init__(self, report):
        self.report = report
        self.number = 0

    def __call__(self, description, n_partitions, seconds):
        self.number += 1
        self.report(self.number, description, n_partitions, seconds)

    def __enter__(self):
        _LISTENERS.append(self)
        return self

    def __exit__(self, *exc):
        _LISTENERS.remove(self)
        return False


def run_pass(frame, per_partition, args, combine, *, description="pass", fan_in: int = 8):
    """One pass over the partitions of ``frame``: map each one, then reduce as a tree.

    ``per_partition(partition, *args)`` turns a pandas partition into a
    small result; ``combine(list_of_results)`` merges results into one of
    the same form.  The whole graph is computed once, on the scheduler in
    use (``dask.config`` or a ``distributed.Client``), and only the small
    results travel.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        The partitions to read.
    per_partition : callable
        Result of one partition, from the pandas partition and ``args``.
    args : tuple
        Extra arguments of ``per_partition`` (sent once, shared by the tasks).
    combine : callable
        Merges a list of results into one.
    description : str, default "pass"
        What the pass counts, for the progress reports.
    fan_in : int, default 8
        Results merged per task of the reduction tree.

    Returns
    -------
    object
        The combined result of all partitions.

    See Also
    --------
    dask_passes : how many passes have run.

    Examples
    --------
    >>> import dask, dask.dataframe as dd
    >>> frame = dd.from_pandas(pd.DataFrame({"a": range(10)}), npartitions=3)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     run_pass(frame, lambda part: len(part), (), sum)
    10
    """
    import time

    import dask

    started = time.perf_counter()
    parts = frame.to_delayed()
    # The arguments (levels, queries) go into the graph once, shared by every task.
    shared = dask.delayed(tuple(args), traverse=False)
    mapped = [dask.delayed(_apply, pure=True)(per_partition, part, shared) for part in parts]
    while len(mapped) > 1:
        mapped = [
            dask.delayed(combine, pure=True)(mapped[i : i + fan_in])
            for i in range(0, len(mapped), fan_in)
        ]
    (result,) = dask.compute(mapped[0])
    _PASSES["count"] += 1
    for listener in list(_LISTENERS):
        listener(description, len(parts), time.perf_counter() - started)
    return result


def _plain_numeric(dtype) -> bool:
    """A NumPy integer or bool dtype (no missing values, exact comparisons)."""
    return isinstance(dtype, np.dtype) and dtype.kind in "iub"


def _apply(per_partition, part, args):
    return per_partition(part, *args)


def _is_float_dtype(dtype) -> bool:
    return not isinstance(dtype, pd.CategoricalDtype) and (
        pd.api.types.is_float_dtype(dtype) or pd.api.types.is_complex_dtype(dtype)
    )


def _known_categories(dtype):
    """The categories of a categorical dtype whose categories are known, else None."""
    if not isinstance(dtype, pd.CategoricalDtype) or dtype.categories is None:
        return None
    categories = dtype.categories
    # Dask marks categories it has not read yet with one placeholder value.
    if len(categories) == 1 and str(categories[0]) == "__UNKNOWN_CATEGORIES__":
        return None
    return pd.Index(categories)


@dataclass(frozen=True)
class DaskSummary:
    """What one pass over a Dask DataFrame found, column by column.

    Attributes
    ----------
    n_rows : int
        Rows (after dropping those with a missing value when the pass dropped them).
    dtypes : dict
        Column label -> pandas dtype (from the collection's metadata).
    levels : dict
        Column label -> the sorted distinct values (pandas.Index), None for a
        column whose values were not collected (float) or had too many.
    n_missing : dict
        Column label -> number of missing values.
    n_present : dict
        Column label -> number of non-missing values.
    n_observed : dict
        Column label -> number of distinct non-missing values seen (None
        when not collected).
    """

    n_rows: int
    dtypes: dict
    levels: dict
    n_missing: dict
    n_present: dict
    n_observed: dict


def _partition_summary(part: pd.DataFrame, wanted: tuple, drop: bool) -> dict:
    if drop:
        part = part.dropna()
    out = {"n_rows": len(part), "values": {}, "n_missing": {}, "n_present": {}}
    for name in part.columns:
        series = part[name]
        missing = int(series.isna().sum())
        out["n_missing"][name] = missing
        out["n_present"][name] = len(series) - missing
        if name in wanted:
            if isinstance(series.dtype, pd.CategoricalDtype):
                values = pd.unique(series.dropna().cat.remove_unused_categories().to_numpy())
            else:
                values = pd.unique(series.dropna().to_numpy())
            out["values"][name] = values if len(values) <= MAX_DASK_LEVELS else None
    return out


def _merge_summaries(parts: list) -> dict:
    merged = {"n_rows": 0, "values": {}, "n_missing": {}, "n_present": {}}
    for part in parts:
        merged["n_rows"] += part["n_rows"]
        for key in ("n_missing", "n_present"):
            for name, value in part[key].items():
                merged[key][name] = merged[key].get(name, 0) + value
        for name, values in part["values"].items():
            if name in merged["values"] and merged["values"][name] is None:
                continue
            if values is None:
                merged["values"][name] = None
                continue
            if name in merged["values"]:
                values = pd.unique(np.concatenate([merged["values"][name], values]))
            merged["values"][name] = values if len(values) <= MAX_DASK_LEVELS else None
    return merged


def _sorted_levels(values) -> pd.Index:
    """The levels :func:`mistruct.data.encode` gives a column holding ``values``."""
    try:
        _, levels = pd.factorize(pd.Series(values), sort=True)
    except TypeError:  # values of mixed types: in order of first appearance, as encode does
        _, levels = pd.factorize(pd.Series(values), sort=False)
    return pd.Index(levels)


def dask_summary(data, columns=None, *, missing: str = "error", discrete=None) -> DaskSummary:
    """One pass over a Dask DataFrame: rows, levels, missing values of each column.

    Levels are collected for every column that is not float (and for float
    columns named in ``discrete``); a known categorical dtype gives its
    categories without reading them.

    Parameters
    ----------
    data : dask.dataframe.DataFrame or Series
        The table; never collected.
    columns : list, optional
        Columns to summarize (all by default).
    missing : {"error", "drop", "category"}, default "error"
        With ``"drop"`` the rows with a missing value in any of ``columns``
        are left out first, as :func:`mistruct.data.encode` leaves them out.
    discrete : list of labels, optional
        Float columns whose levels are wanted too.

    Returns
    -------
    DaskSummary

    See Also
    --------
    dask_table : the summary as an encoded table for the counting layer.

    Examples
    --------
    >>> import dask, dask.dataframe as dd
    >>> frame = dd.from_pandas(pd.DataFrame({"a": ["x", "y", "x"], "b": [1.0, 2.0, 3.0]}),
    ...                        npartitions=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     summary = dask_summary(frame)
    >>> summary.n_rows, list(summary.levels["a"]), summary.levels["b"]
    (3, ['x', 'y'], None)
    """
    check_missing(missing)
    frame = dask_frame(data, "data")
    if columns is not None:
        frame = frame[_checked_column_list(columns, frame.columns, "data")]
    return _summary_impl(frame, missing, discrete, run_pass)


def _summary_impl(frame, missing: str, discrete, compute) -> DaskSummary:
    dtypes = dict(frame.dtypes.items())
    forced = set(_listed(discrete))
    # Categorical columns too: their levels are the categories, but which of them occur
    # (a constant column, say) is read here.
    wanted = tuple(
        name for name, dtype in dtypes.items() if not _is_float_dtype(dtype) or name in forced
    )
    merged = compute(
        frame, _partition_summary, (wanted, missing == "drop"), _merge_summaries,
        description="levels and kinds",
    )
    levels, observed = {}, {}
    for name, dtype in dtypes.items():
        values = merged["values"].get(name)
        observed[name] = None if values is None else len(values)
        categories = _known_categories(dtype)
        if categories is not None:
            levels[name] = categories
        elif name in wanted and merged["values"].get(name) is not None:
            levels[name] = _sorted_levels(merged["values"][name])
        else:
            levels[name] = None
    return DaskSummary(
        n_rows=int(merged["n_rows"]),
        dtypes=dtypes,
        levels=levels,
        n_missing={k: int(v) for k, v in merged["n_missing"].items()},
        n_present={k: int(v) for k, v in merged["n_present"].items()},
        n_observed=observed,
    )


def _listed(labels) -> list:
    if labels is None:
        return []
    if isinstance(labels, (str, bytes, tuple)) or np.isscalar(labels):
        return [labels]
    return list(labels)


def dask_kinds(summary: DaskSummary, *, discrete=None, continuous=None) -> ColumnKinds:
    """Column kinds of a summarized Dask table, by the rule of :func:`mistruct.data.column_kinds`.

    Parameters
    ----------
    summary : DaskSummary
        From :func:`dask_summary` (its levels give the number of distinct
        values of each integer column).
    discrete, continuous : list of labels, optional
        Columns to treat as discrete / continuous whatever the rule says.

    Returns
    -------
    ColumnKinds

    See Also
    --------
    mistruct.data.column_kinds : the same rule on a pandas table.

    Examples
    --------
    >>> import dask, dask.dataframe as dd
    >>> frame = dd.from_pandas(pd.DataFrame({"hp": range(20), "cyl": [4, 6, 8, 6] * 5}),
    ...                        npartitions=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     dict(dask_kinds(dask_summary(frame)))
    {'hp': 'continuous', 'cyl': 'discrete'}
    """
    forced_discrete, forced_continuous = _listed(discrete), _listed(continuous)
    for option, labels in (("discrete", forced_discrete), ("continuous", forced_continuous)):
        unknown = [c for c in labels if c not in summary.dtypes]
        if unknown:
            raise ColumnNotFoundError(
                f"{option}= names column(s) {', '.join(map(repr, unknown))} that are not in "
                f"the data; available columns: {', '.join(map(repr, list(summary.dtypes)[:20]))}"
            )
    both = [c for c in forced_discrete if c in forced_continuous]
    if both:
        raise InvalidInputError(
            f"column(s) {', '.join(map(repr, both))} are named in both discrete= and "
            "continuous=; name each column in at most one of them."
        )
    kinds, reasons = {}, {}
    for name, dtype in summary.dtypes.items():
        if name in forced_discrete:
            kinds[name], reasons[name] = "discrete", "named in discrete="
        elif name in forced_continuous:
            kinds[name], reasons[name] = "continuous", "named in continuous="
        elif isinstance(dtype, pd.CategoricalDtype):
            kinds[name], reasons[name] = "discrete", "categorical dtype"
        elif pd.api.types.is_bool_dtype(dtype):
            kinds[name], reasons[name] = "discrete", "boolean"
        elif _is_float_dtype(dtype):
            kinds[name], reasons[name] = "continuous", "float values"
        elif pd.api.types.is_integer_dtype(dtype):
            levels = summary.levels.get(name)
            n_rows = summary.n_present[name]
            n_levels = MAX_DASK_LEVELS + 1 if levels is None else len(levels)
            if n_levels > MAX_DISCRETE_LEVELS or (
                n_levels > 2 and n_rows < MIN_ROWS_PER_LEVEL * n_levels
            ):
                kinds[name], reasons[name] = "continuous", (
                    f"integer with {n_levels} distinct values in {n_rows} rows: "
                    "a measurement or count"
                )
            else:
                kinds[name], reasons[name] = "discrete", (
                    f"integer with {n_levels} distinct values in {n_rows} rows: categories"
                )
        else:
            kinds[name], reasons[name] = "discrete", "text or object values"
    return ColumnKinds(kinds, reasons)


class RowsElsewhere:
    """The codes of a :class:`DaskTable`: they live in the partitions, not here.

    Reading them raises a clear error, so a code path that would need every
    row on one machine says so instead of silently seeing none.
    """

    def __init__(self, n_rows: int, n_columns: int):
        self.shape = (int(n_rows), int(n_columns))
        self.ndim = 2

    def _refuse(self, *args, **kwargs):
        raise InvalidInputError(
            "this step needs every row of the Dask DataFrame on one machine, which mistruct "
            "does not do silently; pass a sample (ddf.sample(frac=...).compute()) or the "
            "whole table (ddf.compute()) if it fits in memory."
        )

    __getitem__ = _refuse
    __array__ = _refuse
    __iter__ = _refuse

    def __len__(self):
        return self.shape[0]

    def __repr__(self):
        return f"RowsElsewhere(n_rows={self.shape[0]}, n_columns={self.shape[1]})"


@dataclass(frozen=True)
class DaskTable(EncodedTable):
    """An encoded table whose rows stay in the partitions of a Dask DataFrame.

    The same attributes as :class:`mistruct.data.EncodedTable` (``codes`` is
    a :class:`RowsElsewhere` stand-in that refuses to be read), plus the
    Dask DataFrame of the encoded columns and the missing-value policy that
    each partition is encoded with.

    Attributes
    ----------
    frame : dask.dataframe.DataFrame
        The encoded columns, rows with a missing value already dropped when
        ``missing="drop"``.
    missing : str
        ``"error"`` (no missing value, checked), ``"drop"`` or ``"category"``.

    See Also
    --------
    dask_table : returns it.
    """

    frame: object = None
    missing: str = "error"

    def encode_partition(self, part: pd.DataFrame) -> np.ndarray:
        """Codes of one partition (a pandas DataFrame) against the global levels."""
        if self.missing == "drop":
            part = part.dropna()
        dtype = _smallest_int_dtype(int(max(self.cardinalities.max(initial=1), 1)))
        codes = np.empty((len(part), len(self.names)), dtype=dtype, order="F")
        # By position: the partitions hold the encoded columns in order, whatever labels
        # the table is given later (learners relabel it by rank).
        for j in range(len(self.names)):
            levels = self.levels[j]
            if self.missing == "category" and len(levels) and pd.isna(levels[-1]):
                known = levels[:-1]
            else:
                known = levels
            series = part.iloc[:, j]
            if isinstance(series.dtype, pd.CategoricalDtype) and series.cat.categories.equals(
                known
            ):
                column = series.cat.codes.to_numpy()
            elif (
                _plain_numeric(series.dtype)
                and _plain_numeric(known.dtype)
                and known.is_monotonic_increasing
            ):
                # Sorted numeric levels: a binary search per value, no hashing (the common
                # case of integer codes in Parquet files, several times faster).
                values = series.to_numpy()
                found = np.searchsorted(known.to_numpy(), values)
                clipped = np.minimum(found, max(len(known) - 1, 0))
                hit = known.to_numpy()[clipped] == values if len(known) else np.zeros(
                    len(values), dtype=bool
                )
                column = np.where(hit, clipped, -1)
            else:
                column = pd.Categorical(
                    series.astype(object) if isinstance(series.dtype, pd.CategoricalDtype)
                    else series,
                    categories=known,
                ).codes
            if known is not levels:
                column = np.where(column < 0, len(known), column)
            codes[:, j] = column
        return codes


def dask_table(
    data,
    columns=None,
    *,
    missing: str = "error",
    discrete=None,
    summary: DaskSummary | None = None,
    what: str = "data",
) -> DaskTable:
    """A Dask DataFrame's discrete columns as a :class:`DaskTable` (one pass for the levels).

    The levels of each column are those :func:`mistruct.data.encode` would
    give the computed DataFrame, so counts and every value computed from
    them equal the pandas path's.

    Parameters
    ----------
    data : dask.dataframe.DataFrame or Series
        Never collected.
    columns : list, optional
        Columns to encode (all by default).
    missing : {"error", "drop", "category"}, default "error"
        As in :func:`mistruct.data.encode`.
    discrete : list of labels, optional
        Float columns whose values are categories (their levels are read).
    summary : DaskSummary, optional
        A summary already made of these columns with this ``missing``
        policy (saves the pass).
    what : str, default "data"
        How to call the input in error messages.

    Returns
    -------
    DaskTable

    Raises
    ------
    ContinuousDataError
        For a float column not named in ``discrete``.
    MissingValuesError
        For a missing value when ``missing="error"``.

    See Also
    --------
    mistruct.data.encode : the same on a pandas table.

    Examples
    --------
    >>> import dask, dask.dataframe as dd
    >>> frame = dd.from_pandas(pd.DataFrame({"a": ["x", "y", "x"], "n": [3, 1, 3]}),
    ...                        npartitions=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     table = dask_table(frame)
    >>> table.n_rows, table.cardinalities.tolist(), [list(lv) for lv in table.levels]
    (3, [2, 2], [['x', 'y'], [1, 3]])
    """
    check_missing(missing)
    frame = dask_frame(data, what)
    if columns is not None:
        frame = frame[_checked_column_list(columns, frame.columns, what)]
    forced = set(_listed(discrete))
    for name, dtype in frame.dtypes.items():
        if _is_float_dtype(dtype) and name not in forced:
            raise ContinuousDataError(
                f"column {name!r} of {what} is float (continuous) but a discrete measure was "
                "asked for; discretize it first, or cast it to int/str (or name it in "
                "discrete=[...]) if its values are categories."
            )
    if summary is None:
        summary = _summary_impl(frame, missing, discrete, run_pass)
    names = tuple(frame.columns)
    levels = []
    for name in names:
        found = summary.levels.get(name)
        if found is None:
            raise InvalidInputError(
                f"column {name!r} of {what} has more than {MAX_DASK_LEVELS:,} distinct values; "
                "a distributed count of it would not fit in memory. Leave it out (exclude=) "
                "or bin it."
            )
        n_missing = summary.n_missing.get(name, 0)
        if n_missing and missing == "error":
            raise _missing_values(name, what, n_missing, summary.n_rows)
        if n_missing and missing == "category":
            found = found.append(pd.Index([None], dtype=object))
        levels.append(pd.Index(found))
    if missing == "drop" and summary.n_rows == 0:
        raise InvalidInputError(
            f"every row of {what} has a missing value, so missing='drop' leaves nothing."
        )
    cardinalities = np.array([len(lv) for lv in levels], dtype=np.int64)
    return DaskTable(
        codes=RowsElsewhere(summary.n_rows, len(names)),
        cardinalities=cardinalities,
        levels=tuple(levels),
        names=names,
        frame=frame,
        missing=missing,
    )


def _expand(path) -> list:
    """The files a path names: a file, a directory of Parquet/CSV files, or a glob."""
    path = os.fspath(path)
    if any(ch in path for ch in "*?["):
        files = sorted(glob.glob(path))
    elif os.path.isdir(path):
        files = sorted(
            os.path.join(path, f)
            for f in os.listdir(path)
            if f.lower().endswith((".parquet", ".pq", ".csv", ".tsv", ".csv.gz"))
        )
    else:
        files = [path] if os.path.exists(path) else []
    if not files:
        raise InvalidInputError(
            f"{path!r} names no Parquet or CSV file; give a file, a directory of .parquet or "
            ".csv files, or a glob such as 'data/*.parquet'."
        )
    return files


def read_dask(path, *, sep=None, blocksize="64MB", options=None):
    """Read Parquet or CSV files (a file, a directory, or a glob) into a Dask DataFrame.

    Nothing is read yet: the partitions are read when a measure counts them.

    Parameters
    ----------
    path : str or path-like
        A ``.parquet`` / ``.csv`` / ``.tsv`` file, a directory of them, or a
        glob (``"data/part-*.parquet"``).
    sep : str, optional
        Field separator of CSV files (default ``","``, tab for ``.tsv``).
    blocksize : str or int, default "64MB"
        Bytes per partition of CSV files.
    options : dict, optional
        More keyword arguments of :func:`dask.dataframe.read_parquet` or
        :func:`dask.dataframe.read_csv`.

    Returns
    -------
    dask.dataframe.DataFrame

    See Also
    --------
    dask_table : encode it for counting.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"a": [1, 2]}).to_csv(os.path.join(folder, "x.csv"), index=False)
    >>> read_dask(folder).columns.tolist()
    ['a']
    """
    import dask.dataframe as dd

    files = _expand(path)
    if all(f.lower().endswith((".parquet", ".pq")) for f in files):
        return dd.read_parquet(files, **(options or {}))
    if all(f.lower().endswith((".csv", ".tsv", ".csv.gz")) for f in files):
        if sep is None:
            sep = "\t" if files[0].lower().endswith(".tsv") else ","
        return dd.read_csv(files, sep=sep, blocksize=blocksize, **(options or {}))
    raise InvalidInputError(
        f"{path!r} mixes file types ({', '.join(sorted({os.path.splitext(f)[1] for f in files}))}"
        "); read Parquet or CSV files, one kind at a time."
    )
