"""Tables in, integer codes out: input validation and encoding.

Everything above this module works on integer codes: each discrete column
becomes codes ``0 .. k-1`` with its ``k`` levels kept, so results can be
labelled with the original values.  Integer, bool, category, object and
string columns are discrete; float columns are continuous and must be
discretized (see :class:`Discretizer`) before a discrete measure can use them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mistruct._validation import MISSING_POLICIES, check_missing
from mistruct.exceptions import (
    ColumnNotFoundError,
    ContinuousDataError,
    InvalidInputError,
    MissingValuesError,
)

__all__ = [
    "ColumnKinds",
    "Discretizer",
    "EncodedTable",
    "apply_kinds",
    "apply_missing",
    "as_frame",
    "column_kinds",
    "encode",
    "near_unique_columns",
    "select_columns",
]


@dataclass(frozen=True)
class EncodedTable:
    """Discrete columns as integer codes.

    Attributes
    ----------
    codes : ndarray of shape (n_rows, n_columns), column-major
        Column ``j`` holds codes ``0 .. cardinalities[j] - 1``.  The dtype is
        the smallest signed integer type that holds every code.
    cardinalities : ndarray of shape (n_columns,)
        Number of levels of each column.
    levels : tuple of pandas.Index
        The original value of each code, column by column.
    names : tuple
        Column labels (names for a DataFrame, positions for an array).

    See Also
    --------
    encode : returns it.
    """

    codes: np.ndarray
    cardinalities: np.ndarray
    levels: tuple
    names: tuple

    @property
    def n_rows(self) -> int:
        return self.codes.shape[0]

    @property
    def n_columns(self) -> int:
        return self.codes.shape[1]

    def column(self, name) -> np.ndarray:
        """Codes of the column labelled ``name``."""
        return self.codes[:, self.names.index(name)]


def as_frame(data, *, what: str = "data") -> pd.DataFrame:
    """Return ``data`` as a DataFrame without copying or modifying it.

    A DataFrame is returned as is; a 2-D array gets integer column labels
    ``0 .. p-1``; a 1-D array, list or Series becomes a single column.

    Parameters
    ----------
    data : DataFrame, Series or array_like
        The table: non-empty, with unique column labels that are neither
        None nor booleans.
    what : str, default "data"
        How to call the input in error messages.

    See Also
    --------
    apply_kinds : state the column kinds in the dtypes.

    Examples
    --------
    >>> as_frame(np.array([[1, 2], [3, 4]])).columns.tolist()
    [0, 1]
    >>> as_frame(pd.Series([1, 2], name="a")).columns.tolist()
    ['a']
    """
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, pd.Series):
        frame = data.to_frame(name=0 if data.name is None else data.name)
    else:
        if data is None:
            raise InvalidInputError(f"{what} is None; pass an array, a Series or a DataFrame.")
        try:
            array = np.asarray(data)
        except ValueError as exc:  # ragged nested lists
            raise InvalidInputError(
                f"{what} could not be read as an array ({exc}); rows must have equal lengths."
            ) from None
        if array.ndim == 0:
            raise InvalidInputError(
                f"{what} is a scalar ({array!r}); pass a 1-D array of observations, "
                "or a 2-D array with one column per variable."
            )
        if array.ndim == 1:
            frame = pd.DataFrame({0: array})
        elif array.ndim == 2:
            frame = pd.DataFrame(array)
        else:
            raise InvalidInputError(
                f"{what} has {array.ndim} dimensions; pass a 1-D array (one variable) "
                "or a 2-D array with one column per variable."
            )
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise InvalidInputError(
            f"{what} is empty ({frame.shape[0]} rows, {frame.shape[1]} columns); "
            "every measure needs at least one row and one column."
        )
    bad = [c for c in frame.columns if c is None or isinstance(c, (bool, np.bool_))]
    if bad:
        raise InvalidInputError(
            f"{what} has column label(s) {bad}: None cannot name a graph node and pandas "
            "reads True/False as a row mask; rename those columns (e.g. to strings)."
        )
    if not frame.columns.is_unique:
        duplicated = frame.columns[frame.columns.duplicated()].unique().tolist()
        raise InvalidInputError(f"{what} has duplicated column labels {duplicated}; rename them.")
    return frame


def select_columns(frame: pd.DataFrame, columns, *, what: str = "data") -> pd.DataFrame:
    """Columns of ``frame`` by label, with an error that lists the labels there are.

    Parameters
    ----------
    frame : DataFrame
        The table to select from.
    columns : label, tuple label or list of labels, or None
        The columns to keep, in this order, each named once; ``None`` keeps
        them all.
    what : str, default "data"
        How to call the input in error messages.
    """
    if columns is None:
        return frame
    return frame[_checked_column_list(columns, frame.columns, what)]


def _checked_column_list(columns, labels, what: str = "data") -> list:
    """``columns`` (a label, a tuple label or a list) as a list of labels of ``labels``.

    The checks of :func:`select_columns`, shared with the Dask tables'
    readers: at least one column, every one there, none twice.
    """
    if np.isscalar(columns) or isinstance(columns, tuple):
        columns = [columns]
    columns = list(columns)
    if not columns:
        raise InvalidInputError(
            f"columns=[] selects nothing from {what}; name at least one column, "
            "or leave columns out to use them all."
        )
    missing = [c for c in columns if c not in labels]
    if missing:
        available = ", ".join(repr(c) for c in labels[:20])
        more = " ..." if len(labels) > 20 else ""
        raise ColumnNotFoundError(
            f"column(s) {', '.join(repr(c) for c in missing)} not found in {what}; "
            f"available columns: {available}{more}"
        )
    if len(set(columns)) != len(columns):
        raise InvalidInputError(f"column(s) named more than once: {columns}")
    return columns


#: An integer column with more distinct values than this is a measurement.
MAX_DISCRETE_LEVELS = 10
#: Fewer rows than this per distinct value make an integer column numeric too.
MIN_ROWS_PER_LEVEL = 5


class ColumnKinds(dict):
    """Column label -> ``"discrete"`` or ``"continuous"``, with the reason for each.

    A plain dict of kinds (so ``kinds[name]`` and ``kinds.items()`` work as
    usual) with one more attribute.

    Attributes
    ----------
    reasons : dict
        Column label -> a short sentence saying why the column got its kind.

    See Also
    --------
    column_kinds : returns it.
    """

    def __init__(self, kinds=(), reasons=None):
        super().__init__(kinds)
        self.reasons = dict(reasons or {})

    def to_frame(self) -> pd.DataFrame:
        """The kinds and reasons as a two-column DataFrame indexed by column label."""
        return pd.DataFrame(
            {"kind": pd.Series(dict(self)), "reason": pd.Series(self.reasons)},
            index=pd.Index(list(self), dtype=object),
        )


def _is_integer_series(series: pd.Series) -> bool:
    dtype = series.dtype
    return pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _auto_kind(series: pd.Series) -> tuple[str, str]:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "discrete", "categorical dtype"
    if pd.api.types.is_bool_dtype(dtype):
        return "discrete", "boolean"
    if pd.api.types.is_float_dtype(dtype) or pd.api.types.is_complex_dtype(dtype):
        return "continuous", "float values"
    if _is_integer_series(series):
        observed = series.dropna()
        n_rows, n_levels = len(observed), int(observed.nunique())
        if n_levels > MAX_DISCRETE_LEVELS:
            return "continuous", (
                f"integer with {n_levels} distinct values in {n_rows} rows "
                f"(more than {MAX_DISCRETE_LEVELS}): a measurement or count"
            )
        if n_levels > 2 and n_rows < MIN_ROWS_PER_LEVEL * n_levels:
            return "continuous", (
                f"integer with {n_levels} distinct values in {n_rows} rows "
                f"(fewer than {MIN_ROWS_PER_LEVEL} rows per value): a measurement or count"
            )
        return "discrete", f"integer with {n_levels} distinct values in {n_rows} rows: categories"
    return "discrete", "text or object values"


def _override_labels(frame: pd.DataFrame, discrete, continuous, what: str):
    def as_list(value, name):
        if value is None:
            return []
        if isinstance(value, (str, bytes)) or np.isscalar(value) or isinstance(value, tuple):
            value = [value]
        value = list(value)
        unknown = [c for c in value if c not in frame.columns]
        if unknown:
            raise ColumnNotFoundError(
                f"{name}= names column(s) {', '.join(repr(c) for c in unknown)} that are "
                f"not in {what}; available columns: "
                f"{', '.join(repr(c) for c in frame.columns[:20])}"
            )
        return value

    forced_discrete = as_list(discrete, "discrete")
    forced_continuous = as_list(continuous, "continuous")
    both = [c for c in forced_discrete if c in forced_continuous]
    if both:
        raise InvalidInputError(
            f"column(s) {', '.join(repr(c) for c in both)} are named in both discrete= and "
            "continuous=; name each column in at most one of them."
        )
    for name in forced_continuous:
        series = frame[name]
        numeric = pd.api.types.is_numeric_dtype(series.dtype) and not isinstance(
            series.dtype, pd.CategoricalDtype
        )
        if not numeric:
            raise InvalidInputError(
                f"column {name!r} of {what} holds {series.dtype} values, which cannot be "
                "continuous; only numeric columns can be named in continuous=."
            )
    return forced_discrete, forced_continuous


def column_kinds(data, *, discrete=None, continuous=None) -> ColumnKinds:
    """Say which columns are discrete and which continuous, and why.

    The automatic rule, the one a statistician would apply by eye:

    - float columns are continuous;
    - bool, category, object and string columns are discrete;
    - an integer column is continuous (a measurement or a count) when it has
      more than 10 distinct values, or more than 2 distinct values and fewer
      than 5 rows per value on average; otherwise its values are categories.

    Parameters
    ----------
    data : DataFrame, 2-D array, 1-D array, list or Series
    discrete, continuous : list of labels, optional
        Columns to treat as discrete / continuous whatever the rule says.

    Returns
    -------
    ColumnKinds
        A dict of kinds whose ``reasons`` attribute says why.

    See Also
    --------
    apply_kinds : a copy of the table whose dtypes state these kinds.

    Examples
    --------
    >>> frame = pd.DataFrame({"hp": range(20), "cyl": [4, 6, 8, 6] * 5, "x": [0.5] * 20})
    >>> kinds = column_kinds(frame)
    >>> dict(kinds)
    {'hp': 'continuous', 'cyl': 'discrete', 'x': 'continuous'}
    >>> kinds.reasons["hp"]
    'integer with 20 distinct values in 20 rows (more than 10): a measurement or count'
    >>> column_kinds(frame, discrete=["hp"])["hp"]
    'discrete'
    """
    frame = as_frame(data)
    forced_discrete, forced_continuous = _override_labels(frame, discrete, continuous, "data")
    kinds, reasons = {}, {}
    for name in frame.columns:
        if name in forced_discrete:
            kinds[name], reasons[name] = "discrete", "named in discrete="
        elif name in forced_continuous:
            kinds[name], reasons[name] = "continuous", "named in continuous="
        else:
            kinds[name], reasons[name] = _auto_kind(frame[name])
    return ColumnKinds(kinds, reasons)


def apply_kinds(data, *, discrete=None, continuous=None, what: str = "data") -> pd.DataFrame:
    """The table with dtypes that state each column's kind.

    Every continuous column (see :func:`column_kinds`) becomes float64; a
    column named in ``discrete`` that the automatic rule would call
    continuous becomes a pandas category; other
    columns are left as they are.  After this the plain dtype rule (float
    means continuous) and :func:`column_kinds` agree, so a public function
    calls it once at its door and hands the result down.  The input is never
    modified; it is returned itself when nothing changes.

    Parameters
    ----------
    data : DataFrame or array_like
        The table, read by :func:`as_frame`.
    discrete, continuous : label or list of labels, optional
        Columns to treat as discrete / continuous whatever the automatic rule
        of :func:`column_kinds` says.
    what : str, default "data"
        How to call the input in error messages.

    See Also
    --------
    column_kinds : the rule it applies.

    Examples
    --------
    >>> frame = pd.DataFrame({"hp": range(20), "cyl": [4, 6, 8, 6] * 5})
    >>> apply_kinds(frame).dtypes.astype(str).tolist()
    ['float64', 'int64']
    >>> apply_kinds(frame, discrete=["hp"]).dtypes.astype(str).tolist()
    ['category', 'int64']
    """
    frame = as_frame(data, what=what)
    forced_discrete, forced_continuous = _override_labels(frame, discrete, continuous, what)
    kinds = column_kinds(frame, discrete=forced_discrete, continuous=forced_continuous)
    changes = {}
    for name, kind in kinds.items():
        series = frame[name]
        is_float = pd.api.types.is_float_dtype(series.dtype) and not isinstance(
            series.dtype, pd.CategoricalDtype
        )
        if kind == "continuous" and not (is_float and series.dtype == np.float64):
            # Nullable integers keep their missing values as NaN.
            changes[name] = pd.to_numeric(series).astype("float64")
        elif kind == "discrete" and (
            is_float
            or pd.api.types.is_complex_dtype(series.dtype)
            or _auto_kind(series)[0] == "continuous"
        ):
            # A category pins the kind: the automatic rule would call it numeric.
            changes[name] = series.astype("category")
    if not changes:
        return frame
    out = frame.copy(deep=False)
    for name, values in changes.items():
        out[name] = values
    return out


def apply_missing(frame: pd.DataFrame, missing: str = "error") -> pd.DataFrame:
    """The rows and values numeric estimators see under the ``missing`` policy.

    ``"drop"`` drops every row with a missing value; ``"category"`` gives the
    missing values of discrete columns a level of their own (``"<missing>"``,
    as :func:`encode` does) and leaves float NaNs for the caller to refuse;
    ``"error"`` returns ``frame`` unchanged (the caller checks).  The input
    is never modified.

    Parameters
    ----------
    frame : DataFrame
        The table, e.g. from :func:`as_frame`.
    missing : {"error", "drop", "category"}, default "error"
        The policy for NaN/None, as described above.

    See Also
    --------
    as_frame : read a table first.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1.0, None, 3.0], "b": ["x", None, "y"]})
    >>> len(apply_missing(frame, "drop"))
    2
    >>> apply_missing(frame, "category")["b"].tolist()
    ['x', '<missing>', 'y']
    """
    check_missing(missing)
    if missing == "drop":
        return frame.dropna()
    if missing == "category":
        kinds = column_kinds(frame)
        discrete = [c for c in frame.columns if kinds[c] == "discrete" and frame[c].isna().any()]
        if discrete:
            frame = frame.copy()
            for name in discrete:
                # A level of its own, as the discrete encoder makes it.
                frame[name] = frame[name].astype(object).where(frame[name].notna(), "<missing>")
    return frame


def near_unique_columns(data, kinds=None) -> list:
    """Labels of columns that look like row identifiers.

    A discrete column qualifies when it has more than 10 distinct values and
    at least 90 % as many distinct values as rows; an integer column (of
    either kind) when its values are distinct and form a run of consecutive
    integers (a row index).  Float measurements are never flagged.

    Parameters
    ----------
    data : DataFrame or array_like
        The table, read by :func:`as_frame`.
    kinds : dict, optional
        Column label -> ``"discrete"`` or ``"continuous"``; by default
        :func:`column_kinds` of the table.

    See Also
    --------
    column_kinds : the kinds it uses.

    Examples
    --------
    >>> frame = pd.DataFrame({"ID": range(50), "g": ["a", "b"] * 25,
    ...                       "name": [f"p{i}" for i in range(50)]})
    >>> near_unique_columns(frame)
    ['ID', 'name']
    """
    frame = as_frame(data)
    if kinds is None:
        kinds = column_kinds(frame)
    flagged = []
    for name in frame.columns:
        series = frame[name].dropna()
        n_rows = len(series)
        if n_rows <= MAX_DISCRETE_LEVELS:
            continue
        try:
            n_levels = int(series.nunique())
        except TypeError:  # unhashable values: encode() reports them
            continue
        if _is_integer_series(series) and n_levels == n_rows:
            values = series.to_numpy()
            if int(values.max()) - int(values.min()) == n_rows - 1:
                flagged.append(name)
                continue
        if (
            kinds.get(name) == "discrete"
            and not pd.api.types.is_float_dtype(series.dtype)
            and n_levels > MAX_DISCRETE_LEVELS
            and n_levels >= 0.9 * n_rows
        ):
            flagged.append(name)
    return flagged


def _kind(series: pd.Series) -> str:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "discrete"
    if pd.api.types.is_float_dtype(dtype) or pd.api.types.is_complex_dtype(dtype):
        return "continuous"
    return "discrete"


def _smallest_int_dtype(max_code: int):
    for dtype in (np.int8, np.int16, np.int32):
        if max_code <= np.iinfo(dtype).max:
            return dtype
    return np.int64


def _encode_column(series: pd.Series, name, missing: str, what: str):
    """Codes (-1 where missing) and levels of one discrete column."""
    if _kind(series) == "continuous":
        raise ContinuousDataError(
            f"column {name!r} of {what} is float (continuous) but a discrete measure was "
            "asked for; discretize it first, e.g. mistruct.Discretizer(n_bins=5)"
            ".fit_transform(data), or cast it to int/str if its values are categories."
        )
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        levels = pd.Index(series.cat.categories)
    else:
        try:
            codes, levels = pd.factorize(series, sort=True)
        except TypeError:  # values of mixed types cannot be sorted
            try:
                codes, levels = pd.factorize(series, sort=False)
            except TypeError:
                raise InvalidInputError(
                    f"column {name!r} of {what} holds values that cannot be compared as "
                    "categories (lists, dicts or other unhashable objects); convert them, "
                    "e.g. with .astype(str)."
                ) from None
    n_missing = int(np.count_nonzero(codes < 0))
    if n_missing and missing == "error":
        raise _missing_values(name, what, n_missing, len(codes))
    if n_missing and missing == "category":
        codes = np.where(codes < 0, len(levels), codes)
        levels = levels.append(pd.Index([None], dtype=object))
    return codes, pd.Index(levels)


def _missing_values(name, what: str, n_missing: int, n_rows: int) -> MissingValuesError:
    """The error for a column with missing values under ``missing="error"`` (any table)."""
    return MissingValuesError(
        f"column {name!r} of {what} has {n_missing} missing value(s) (NaN/None) in "
        f"{n_rows} rows; drop or fill them, or pass missing='drop' (drop those rows) "
        "or missing='category' (treat missing as a level of its own)."
    )


def encode(data, columns=None, *, missing: str = "error", what: str = "data") -> EncodedTable:
    """Encode the discrete columns of a table as integer codes.

    Parameters
    ----------
    data : DataFrame, 2-D array, 1-D array, list or Series
        The table. It is never modified.
    columns : list, optional
        Labels of the columns to encode (all columns by default).
    missing : {"error", "drop", "category"}, default "error"
        What to do with NaN/None: raise :class:`MissingValuesError`, drop the
        rows that hold any, or treat them as a level of their own.
    what : str
        How to call the input in error messages.

    Returns
    -------
    EncodedTable

    Raises
    ------
    ContinuousDataError
        If a selected column is float.
    MissingValuesError
        If a value is missing and ``missing="error"``.

    See Also
    --------
    encode_variables : several variables at once.
    Discretizer : bin continuous columns first.

    Examples
    --------
    >>> table = encode(pd.DataFrame({"rain": ["yes", "no", "yes"], "n": [3, 1, 3]}))
    >>> table.codes.tolist()
    [[1, 1], [0, 0], [1, 1]]
    >>> [list(lv) for lv in table.levels]
    [['no', 'yes'], [1, 3]]
    """
    if missing not in MISSING_POLICIES:
        raise InvalidInputError(
            f"missing={missing!r} is not an option; use one of {', '.join(MISSING_POLICIES)}."
        )
    frame = select_columns(as_frame(data, what=what), columns, what=what)
    encoded = [_encode_column(frame[name], name, missing, what) for name in frame.columns]
    levels = [lv for _, lv in encoded]
    # Column-major, smallest dtype: columns are read one at a time above this layer.
    dtype = _smallest_int_dtype(max(len(lv) for lv in levels))
    codes = np.empty((frame.shape[0], len(encoded)), dtype=dtype, order="F")
    for j, (column_codes, _) in enumerate(encoded):
        codes[:, j] = column_codes
    if missing == "drop":
        codes, levels = _drop_missing_rows(codes, levels, frame, what)
    cardinalities = np.array([len(lv) for lv in levels], dtype=np.int64)
    return EncodedTable(
        codes=codes,
        cardinalities=cardinalities,
        levels=tuple(levels),
        names=tuple(frame.columns),
    )


def _drop_missing_rows(codes, levels, frame, what):
    keep = (codes >= 0).all(axis=1)
    if keep.all():
        return codes, levels
    codes = np.asfortranarray(codes[keep])
    if codes.shape[0] == 0:
        raise InvalidInputError(
            f"every row of {what} has a missing value, so missing='drop' leaves nothing."
        )
    levels = list(levels)
    for j, name in enumerate(frame.columns):
        if isinstance(frame[name].dtype, pd.CategoricalDtype):
            continue  # declared categories stay levels even when unobserved
        # A level seen only in dropped rows disappears, as if never observed.
        used, codes[:, j] = np.unique(codes[:, j], return_inverse=True)
        levels[j] = levels[j][used]
    return codes, levels


def encode_variables(variables: dict, *, missing: str = "error") -> dict:
    """Encode several variables given as arrays, rows aligned, missing rows handled jointly.

    ``variables`` maps a role (``"x"``, ``"y"``, ``"given"``) to a 1-D array,
    Series, 2-D array or DataFrame; a 2-D value is one joint variable.  Returns a
    dict mapping each role to an :class:`EncodedTable` holding its columns.

    Parameters
    ----------
    variables : dict
        Role -> 1-D array, Series, 2-D array or DataFrame; all must have the
        same number of rows.
    missing : {"error", "drop", "category"}, default "error"
        What to do with NaN/None, as in :func:`encode`; ``"drop"`` drops a
        row from every variable when any of them misses a value there.

    See Also
    --------
    encode : one table.
    """
    frames = {}
    for role, value in variables.items():
        frames[role] = as_frame(value, what=role)
    lengths = {role: len(frame) for role, frame in frames.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{role} has {n}" for role, n in lengths.items())
        raise InvalidInputError(
            f"the variables have different numbers of rows ({detail}); they must be "
            "observations of the same rows."
        )
    pieces, spans, start = [], {}, 0
    for role, frame in frames.items():
        renamed = frame.set_axis([f"{role}:{c}" for c in frame.columns], axis=1)
        pieces.append(renamed.reset_index(drop=True))
        spans[role] = (start, start + frame.shape[1], tuple(frame.columns))
        start += frame.shape[1]
    combined = pd.concat(pieces, axis=1)
    table = encode(combined, missing=missing, what="the variables")
    out = {}
    for role, (lo, hi, names) in spans.items():
        out[role] = EncodedTable(
            codes=table.codes[:, lo:hi],
            cardinalities=table.cardinalities[lo:hi],
            levels=table.levels[lo:hi],
            names=names,
        )
    return out


class Discretizer:
    """Bin continuous columns so that discrete measures can use them.

    Parameters
    ----------
    n_bins : int, default 5
        Number of bins per column.
    strategy : {"quantile", "uniform"}, default "quantile"
        ``"quantile"``: bins with (about) equal numbers of rows;
        ``"uniform"``: bins of equal width between the column's min and max.
    columns : list, optional
        Columns to bin. By default every float column; other columns pass
        through unchanged.

    Attributes
    ----------
    bin_edges_ : dict
        Column label -> array of inner bin edges learned by :meth:`fit`.

    See Also
    --------
    column_kinds : which columns are continuous.
    encode : integer codes of discrete columns.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [0.1, 0.4, 0.35, 0.8], "g": ["a", "b", "a", "b"]})
    >>> Discretizer(n_bins=2).fit_transform(frame)["x"].tolist()
    [0, 1, 0, 1]
    """

    def __init__(self, n_bins: int = 5, *, strategy: str = "quantile", columns=None):
        if (
            isinstance(n_bins, (bool, np.bool_))
            or not isinstance(n_bins, (int, np.integer))
            or not 2 <= n_bins <= 10**6
        ):
            raise InvalidInputError(
                f"n_bins must be an integer from 2 to 1,000,000, got {n_bins!r}."
            )
        if strategy not in ("quantile", "uniform"):
            raise InvalidInputError(
                f"strategy={strategy!r} is not an option; use 'quantile' or 'uniform'."
            )
        self.n_bins = int(n_bins)
        self.strategy = strategy
        self.columns = columns

    def fit(self, data):
        """Learn bin edges from ``data`` (never modified)."""
        frame = as_frame(data)
        if self.columns is None:
            names = [c for c in frame.columns if _kind(frame[c]) == "continuous"]
        else:
            names = list(select_columns(frame, self.columns).columns)
        self.bin_edges_ = {}
        for name in names:
            values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
            finite = values[np.isfinite(values)]
            if finite.size == 0:
                raise InvalidInputError(f"column {name!r} has no finite values to bin.")
            if self.strategy == "quantile":
                qs = np.linspace(0, 1, self.n_bins + 1)[1:-1]
                edges = np.unique(np.quantile(finite, qs))
            else:
                edges = np.linspace(finite.min(), finite.max(), self.n_bins + 1)[1:-1]
            self.bin_edges_[name] = edges
        self._input_kind = "frame" if isinstance(data, pd.DataFrame) else "array"
        return self

    def transform(self, data):
        """Replace each fitted column by its bin index (0 .. n_bins-1); NaN stays NaN."""
        if not hasattr(self, "bin_edges_"):
            raise InvalidInputError("this Discretizer is not fitted yet; call fit(data) first.")
        frame = as_frame(data).copy()
        for name, edges in self.bin_edges_.items():
            if name not in frame.columns:
                raise ColumnNotFoundError(f"column {name!r} was fitted but is not in the data.")
            values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
            # right=True puts a value equal to an edge in the lower bin, as quantiles do.
            bins = np.digitize(values, edges, right=True)
            if np.isnan(values).any():
                frame[name] = pd.array(np.where(np.isnan(values), -1, bins)).astype("Int64")
                frame[name] = frame[name].mask(np.isnan(values))
            else:
                frame[name] = bins.astype(np.int64)
        if isinstance(data, pd.DataFrame):
            return frame
        return frame.to_numpy() if np.ndim(data) == 2 else frame.iloc[:, 0].to_numpy()

    def fit_transform(self, data):
        """Fit to ``data``, then transform it."""
        return self.fit(data).transform(data)
