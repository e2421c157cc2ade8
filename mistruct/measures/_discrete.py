"""Discrete information measures from samples and from tables.

Every measure takes ``base`` (default 2: bits; ``np.e`` gives nats) and, when
it works from samples or counts, ``estimator`` (see
:mod:`mistruct.measures._estimators`).  With an estimator other than ``"plugin"``, a
measure is the sum of the estimated entropies it is made of, e.g.
``I(X;Y|Z) = H(X,Z) + H(Y,Z) - H(X,Y,Z) - H(Z)``, each entropy estimated with
the chosen estimator over the full state space of its variables.

Arguments ``x``, ``y`` and ``given`` are observations of the same rows: a
1-D array, list or Series is one variable; a 2-D array or DataFrame is one
joint variable made of its columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mistruct.counting import (
    JointCodes,
    combine,
    contingency_table,
    joint_codes,
    pairwise_counts,
)
from mistruct.data import encode, encode_variables
from mistruct.exceptions import InvalidInputError
from mistruct.measures._estimators import (
    Blocks,
    check_estimator,
    entropy_from_counts,
    estimate_entropy,
)

__all__ = [
    "conditional_entropy",
    "conditional_entropy_from_table",
    "entropy",
    "entropy_from_table",
    "kl_divergence",
    "mutual_information",
    "mutual_information_from_table",
    "mutual_information_matrix",
    "pointwise_mutual_information",
]

DEFAULT_BASE = 2

#: Estimators of ``mutual_information_matrix`` for numeric and mixed tables.
NUMERIC_MATRIX_ESTIMATORS = ("gaussian", "ksg", "mixed", "auto")


# ---------------------------------------------------------------- validation


def _log_base(base) -> float:
    """``log(base)``; a base must be a finite number > 1 (bits: 2, nats: ``np.e``)."""
    # A base in (0, 1) has a negative logarithm: it would turn every information into a
    # negative number, so it is refused along with 1 (division by 0), <= 0 and non-finite.
    if isinstance(base, bool | str | bytes):
        base_value = None
    else:
        try:
            base_value = float(base)
        except (TypeError, ValueError):
            base_value = None
    if base_value is None or not np.isfinite(base_value) or base_value <= 1:
        raise InvalidInputError(
            f"base must be a finite number > 1, got {base!r}; use 2 for bits, np.e for nats, "
            "10 for hartleys."
        )
    return float(np.log(base_value))


def _check_variables(variables: dict, optional=("given", "z")) -> dict:
    """The variables that are set, refusing a missing required one and unaligned pandas indexes.

    Rows are paired by position.  Two pandas objects with different indexes
    would be paired silently by position although pandas users expect
    alignment by label, so they are refused unless their indexes are equal.
    """
    for role, value in variables.items():
        if value is None and role not in optional:
            raise InvalidInputError(
                f"{role} is None; pass the observations as a 1-D array, list, Series, "
                "2-D array or DataFrame."
            )
    present = {role: value for role, value in variables.items() if value is not None}
    indexed = [
        (role, value.index)
        for role, value in present.items()
        if isinstance(value, pd.Series | pd.DataFrame)
    ]
    for role, index in indexed[1:]:
        first_role, first = indexed[0]
        if not index.equals(first):
            raise InvalidInputError(
                f"{first_role} and {role} have different pandas indexes, so their rows would "
                "be paired by position, not by label; align them first (e.g. "
                "x, y = x.align(y, join='inner')), call .reset_index(drop=True) on both, or "
                "pass NumPy arrays to pair the rows by position."
            )
    return present


def _encode_checked(variables: dict, missing: str):
    """``encode_variables`` with a clear error for values that cannot be categories."""
    try:
        return encode_variables(variables, missing=missing)
    except TypeError as exc:
        if "unhashable" not in str(exc):
            raise
        raise InvalidInputError(
            f"the values must be hashable to be used as categories ({exc}); a column holds "
            "lists, dicts or other containers: convert them, e.g. with "
            "series.map(tuple) or series.astype(str)."
        ) from None


def _variables(missing, optional=("given",), **variables) -> dict[str, JointCodes]:
    """Encode the given variables (rows aligned) and fold each into one joint code."""
    tables = _encode_checked(_check_variables(variables, optional), missing)
    return {role: joint_codes(t.codes, t.cardinalities) for role, t in tables.items()}


def _entropy_nats(joint: JointCodes, estimator: str) -> float:
    counts = np.bincount(joint.codes, minlength=joint.n_states)
    return entropy_from_counts(counts[counts > 0], estimator, n_cells=joint.n_possible)


def _cmi_nats(x: JointCodes, y: JointCodes, z: JointCodes | None, estimator: str) -> float:
    if z is None:
        z = JointCodes(np.zeros_like(x.codes), 1, 1)
    xz, yz = combine(x, z), combine(y, z)
    xyz = combine(x, y, z)
    if estimator == "plugin":
        # Mean over rows of log n(xyz) n(z) / (n(xz) n(yz)): exact zero for
        # product tables, no dense table whatever the state space.
        def count_per_row(j):
            return np.bincount(j.codes, minlength=j.n_states)[j.codes].astype(float)

        # One log of an exactly computed ratio: log 2 comes out as log 2.
        terms = np.log(
            (count_per_row(xyz) * count_per_row(z)) / (count_per_row(xz) * count_per_row(yz))
        )
        return max(float(terms.mean()), 0.0)
    return (
        _entropy_nats(xz, estimator)
        + _entropy_nats(yz, estimator)
        - _entropy_nats(xyz, estimator)
        - _entropy_nats(z, estimator)
    )


# ---------------------------------------------------------------- from samples


def entropy(x, *, base=DEFAULT_BASE, estimator: str = "plugin", missing: str = "error") -> float:
    """Entropy H(X) of a discrete variable from samples.

    Parameters
    ----------
    x : 1-D array, list, Series, 2-D array or DataFrame
        Observations; with several columns, their joint entropy.
    base : float, default 2
        Logarithm base: 2 gives bits, ``np.e`` nats.
    estimator : {"plugin", "miller-madow", "shrinkage", "chao-shen"}
        See :mod:`mistruct.measures._estimators`.
    missing : {"error", "drop", "category"}
        Handling of NaN/None.

    Returns
    -------
    float

    Examples
    --------
    >>> entropy(["a", "b", "a", "b"])
    1.0
    >>> round(entropy(pd.DataFrame({"u": [0, 0, 1, 1], "v": [0, 1, 0, 1]})), 6)
    2.0
    """
    scale = _log_base(base)
    check_estimator(estimator)
    joint = _variables(missing, x=x)["x"]
    return _entropy_nats(joint, estimator) / scale


def conditional_entropy(
    x, given, *, base=DEFAULT_BASE, estimator: str = "plugin", missing: str = "error"
) -> float:
    """Conditional entropy H(X | given) = H(X, given) - H(given).

    Examples
    --------
    >>> conditional_entropy([0, 1, 0, 1], [0, 1, 0, 1])
    0.0
    >>> conditional_entropy([0, 1, 0, 1], [0, 0, 1, 1])
    1.0
    """
    scale = _log_base(base)
    check_estimator(estimator)
    joints = _variables(missing, (), x=x, given=given)
    both = combine(joints["x"], joints["given"])
    h = _entropy_nats(both, estimator) - _entropy_nats(joints["given"], estimator)
    return (max(h, 0.0) if estimator == "plugin" else h) / scale


def mutual_information(
    x, y, given=None, *, base=DEFAULT_BASE, estimator: str = "plugin", missing: str = "error"
) -> float:
    """Mutual information I(X;Y), or conditional I(X;Y | given) when ``given`` is set.

    Parameters
    ----------
    x, y : 1-D array, list, Series, 2-D array or DataFrame
        Observations of the same rows; 2-D means one joint variable.
    given : same kinds, optional
        Conditioning variable(s).
    base : float, default 2
    estimator : {"plugin", "miller-madow", "shrinkage", "chao-shen"}
        The plug-in estimate is never negative; bias-corrected estimates may
        be slightly negative when X and Y are independent.
    missing : {"error", "drop", "category"}

    Examples
    --------
    >>> mutual_information([0, 0, 1, 1], [0, 0, 1, 1])
    1.0
    >>> mutual_information([0, 1, 0, 1], [0, 0, 1, 1])
    0.0

    X = Y xor Z: independent of Y alone, determined by Y given Z.

    >>> y, z = np.array([0, 0, 1, 1] * 5), np.array([0, 1, 0, 1] * 5)
    >>> mutual_information(y ^ z, y), round(mutual_information(y ^ z, y, given=z), 12)
    (0.0, 1.0)
    """
    scale = _log_base(base)
    check_estimator(estimator)
    joints = _variables(missing, x=x, y=y, given=given)
    return _cmi_nats(joints["x"], joints["y"], joints.get("given"), estimator) / scale


def pointwise_mutual_information(
    x, y, *, base=DEFAULT_BASE, normalized: bool = False, missing: str = "error"
) -> pd.DataFrame:
    """Pointwise mutual information log p(x, y) / (p(x) p(y)) for every pair of values.

    Parameters
    ----------
    x, y : 1-D arrays, lists or Series
        Observations of the same rows.
    base : float, default 2
    normalized : bool, default False
        Divide by -log p(x, y), giving values in [-1, 1] (Bouma 2009).
    missing : {"error", "drop", "category"}

    Returns
    -------
    DataFrame
        Rows are the values of ``x``, columns the values of ``y``.  A pair
        never observed together gets ``-inf`` (``-1`` when normalized).

    See Also
    --------
    mutual_information : its average over the rows, I(X;Y).

    Examples
    --------
    >>> pointwise_mutual_information(["a", "a", "b", "b"], [0, 0, 1, 0])
         0    1
    a  0.415037 -inf
    b -0.584963  1.0
    """
    scale = _log_base(base)
    tables = _encode_checked(_check_variables({"x": x, "y": y}), missing)
    for role in ("x", "y"):
        if tables[role].n_columns != 1:
            raise InvalidInputError(
                f"pointwise_mutual_information takes one column for {role}, got "
                f"{tables[role].n_columns}; pass a 1-D array or Series."
            )
    counts = contingency_table(
        tables["x"].codes[:, 0],
        tables["y"].codes[:, 0],
        int(tables["x"].cardinalities[0]),
        int(tables["y"].cardinalities[0]),
    )
    p = counts / counts.sum()
    with np.errstate(divide="ignore"):
        log_p = np.log(p)
        pmi = log_p - np.log(p.sum(1, keepdims=True)) - np.log(p.sum(0, keepdims=True))
        if normalized:
            # A pair seen in every row has p = 1: fully associated, value 1.
            values = np.where(p == 1, 1.0, np.where(p > 0, pmi / -np.where(p > 0, log_p, 1), -1))
        else:
            values = pmi / scale
    return pd.DataFrame(values, index=tables["x"].levels[0], columns=tables["y"].levels[0])


def kl_divergence(p, q, *, base=DEFAULT_BASE) -> float:
    """Kullback-Leibler divergence D(P || Q) between two distributions.

    Parameters
    ----------
    p, q : array_like of the same shape
        Probabilities or counts (each is normalized to sum to 1).
    base : float, default 2

    Returns
    -------
    float
        ``inf`` when Q gives zero probability to a value P gives some.

    See Also
    --------
    mutual_information_from_table : the divergence of a joint table from the
        product of its margins.

    Examples
    --------
    >>> round(kl_divergence([0.5, 0.5], [0.25, 0.75]), 6)
    0.207519
    >>> kl_divergence([1, 0], [0, 1])
    inf
    """
    scale = _log_base(base)
    p, q = _distribution(p, "p"), _distribution(q, "q")
    if p.shape != q.shape:
        raise InvalidInputError(f"p has shape {p.shape} but q has {q.shape}; they must match.")
    support = p > 0
    if np.any(q[support] == 0):
        return float("inf")
    return max(float(np.sum(p[support] * np.log(p[support] / q[support]))), 0.0) / scale


# ---------------------------------------------------------------- from tables


def _distribution(table, name: str, *, counts_needed: bool = False) -> np.ndarray:
    try:
        array = np.asarray(table, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{name} must be an array of numbers.") from None
    if array.size == 0:
        raise InvalidInputError(f"{name} is empty.")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise InvalidInputError(f"{name} must hold finite, non-negative numbers.")
    total = array.sum()
    if total == 0:
        raise InvalidInputError(f"{name} sums to 0; it holds no probability mass or counts.")
    if counts_needed and (np.any(array != np.round(array)) or total <= 1):
        raise InvalidInputError(
            f"{name} looks like probabilities, but bias-corrected estimators need counts; "
            "pass the table of counts, or use estimator='plugin'."
        )
    return array / total if not counts_needed else array


def _table_entropy(table: np.ndarray, keep_axes, estimator: str) -> float:
    drop = tuple(a for a in range(table.ndim) if a not in keep_axes)
    marginal = table.sum(axis=drop) if drop else table
    return entropy_from_counts(marginal, estimator)


def _check_axes(table, axes, name):
    axes = (axes,) if np.isscalar(axes) else tuple(axes)
    normalized = []
    for a in axes:
        if not -table.ndim <= a < table.ndim:
            raise InvalidInputError(f"{name}={a} is not an axis of a {table.ndim}-D table.")
        normalized.append(a % table.ndim)
    return tuple(normalized)


def entropy_from_table(table, *, base=DEFAULT_BASE, estimator: str = "plugin") -> float:
    """Joint entropy of a probability or count table (any number of axes).

    Parameters
    ----------
    table : array_like
        Joint probabilities or counts, one axis per variable.
    base : float, default 2
        Logarithm base: 2 gives bits, ``np.e`` nats.
    estimator : {"plugin", "miller-madow", "shrinkage", "chao-shen"}, default "plugin"
        See :mod:`mistruct.measures._estimators`; the estimators other than
        ``"plugin"`` need a table of counts, not probabilities.

    See Also
    --------
    entropy : from samples.
    entropy_from_counts : from a vector of counts, any estimator.

    Examples
    --------
    >>> round(entropy_from_table([0.36, 0.04, 0.12, 0.48]), 6)
    1.591706
    """
    scale = _log_base(base)
    check_estimator(estimator)
    array = _distribution(table, "table", counts_needed=estimator != "plugin")
    return _table_entropy(array, tuple(range(array.ndim)), estimator) / scale


def conditional_entropy_from_table(
    table, given_axes=None, *, base=DEFAULT_BASE, estimator: str = "plugin"
) -> float:
    """Conditional entropy from a joint table: H(other axes | ``given_axes``).

    Parameters
    ----------
    table : array_like
        Joint probabilities or counts, one axis per variable.
    given_axes : int or tuple of int, optional
        Axes of the conditioning variables; by default every axis but the
        first, so a 2-D table gives H(rows | columns).
    base : float, default 2
        Logarithm base: 2 gives bits, ``np.e`` nats.
    estimator : {"plugin", "miller-madow", "shrinkage", "chao-shen"}, default "plugin"
        See :mod:`mistruct.measures._estimators`; the estimators other than
        ``"plugin"`` need a table of counts, not probabilities.

    See Also
    --------
    conditional_entropy : from samples.

    Examples
    --------
    The worked example: X on the rows, Y on the columns.

    >>> joint = [[0.36, 0.04], [0.12, 0.48]]
    >>> round(conditional_entropy_from_table(joint), 6)
    0.59286
    >>> round(conditional_entropy_from_table(joint, given_axes=0), 6)
    0.620755
    """
    scale = _log_base(base)
    check_estimator(estimator)
    array = _distribution(table, "table", counts_needed=estimator != "plugin")
    given = (
        tuple(range(1, array.ndim))
        if given_axes is None
        else _check_axes(array, given_axes, "given_axes")
    )
    h = _table_entropy(array, tuple(range(array.ndim)), estimator) - _table_entropy(
        array, given, estimator
    )
    return (max(h, 0.0) if estimator == "plugin" else h) / scale


def mutual_information_from_table(table, *, base=DEFAULT_BASE, estimator: str = "plugin") -> float:
    """Mutual information from a joint table.

    A 2-D table gives I(rows; columns); a table with more axes gives the
    conditional I(axis 0; axis 1 | the other axes).

    Parameters
    ----------
    table : array_like
        Joint probabilities or counts with at least 2 axes: X, Y, then the
        conditioning variables.
    base : float, default 2
        Logarithm base: 2 gives bits, ``np.e`` nats.
    estimator : {"plugin", "miller-madow", "shrinkage", "chao-shen"}, default "plugin"
        See :mod:`mistruct.measures._estimators`; the estimators other than
        ``"plugin"`` need a table of counts, not probabilities.

    See Also
    --------
    mutual_information : from samples.
    kl_divergence

    Examples
    --------
    >>> round(mutual_information_from_table([[0.36, 0.04], [0.12, 0.48]]), 6)
    0.37809
    >>> mutual_information_from_table(np.full((2, 2, 3), 5))
    0.0
    """
    scale = _log_base(base)
    check_estimator(estimator)
    array = _distribution(table, "table", counts_needed=estimator != "plugin")
    if array.ndim < 2:
        raise InvalidInputError(
            f"a joint table needs at least 2 axes (X, Y), got {array.ndim}; "
            "use entropy_from_table for one variable."
        )
    z = tuple(range(2, array.ndim))
    if estimator == "plugin":
        return _plugin_cmi_from_table(array) / scale
    h = (
        _table_entropy(array, (0, *z), estimator)
        + _table_entropy(array, (1, *z), estimator)
        - _table_entropy(array, tuple(range(array.ndim)), estimator)
        - (_table_entropy(array, z, estimator) if z else 0.0)
    )
    return h / scale


def _plugin_cmi_from_table(p: np.ndarray) -> float:
    p = p / p.sum()
    # Move conditioning axes first, then one (x, y) table per stratum.
    p = np.moveaxis(p, (0, 1), (-2, -1)).reshape(-1, p.shape[0], p.shape[1])
    pz = p.sum(axis=(1, 2), keepdims=True)
    pxz = p.sum(axis=2, keepdims=True)
    pyz = p.sum(axis=1, keepdims=True)
    positive = p > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (p * pz) / (pxz * pyz)
        terms = np.where(positive, p * np.log(np.where(positive, ratio, 1.0)), 0.0)
    return max(float(terms.sum()), 0.0)


# ---------------------------------------------------------------- all pairs


def mutual_information_matrix(
    data,
    columns=None,
    *,
    base=DEFAULT_BASE,
    estimator: str = "plugin",
    missing: str = "error",
    chunk_size: int = 4096,
) -> pd.DataFrame:
    """Mutual information between every pair of columns.

    All pairwise contingency tables come from one chunked one-hot matrix
    product (:func:`mistruct.counting.pairwise_counts`), so the rows are read
    once whatever the number of columns; the estimates for every pair are
    then computed in one vectorized pass over the non-empty cells.

    Parameters
    ----------
    data : DataFrame or 2-D array
    columns : list, optional
        Columns to use (all by default).
    base : float, default 2
    estimator : {"plugin", "miller-madow", "shrinkage", "chao-shen"}
        The discrete estimators; the public
        :func:`mistruct.measures.mutual_information_matrix` adds the numeric
        ones and ``"auto"``.
    missing : {"error", "drop", "category"}
        ``"drop"`` drops every row with a missing value in any used column;
        ``"category"`` makes it a level of its own.
    chunk_size : int, default 4096
        Rows per matrix product; bounds memory.

    Returns
    -------
    DataFrame
        Symmetric, labelled by column; the diagonal holds each column's
        entropy (I(X;X) = H(X)).

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [0, 0, 1, 1], "b": [0, 0, 1, 1], "c": [0, 1, 0, 1]})
    >>> mutual_information_matrix(frame)
         a    b    c
    a  1.0  1.0  0.0
    b  1.0  1.0  0.0
    c  0.0  0.0  1.0
    """
    scale = _log_base(base)
    check_estimator(estimator)
    try:
        table = encode(data, columns, missing=missing)
    except TypeError as exc:
        if "unhashable" not in str(exc):
            raise
        raise InvalidInputError(
            f"the values must be hashable to be used as categories ({exc}); a column holds "
            "lists, dicts or other containers: convert them first, e.g. with .astype(str)."
        ) from None
    counts = pairwise_counts(table.codes, table.cardinalities, chunk_size=chunk_size)
    matrix = _mi_matrix_nats(counts, estimator) / scale
    return pd.DataFrame(matrix, index=list(table.names), columns=list(table.names))


def _mi_matrix_nats(counts, estimator: str) -> np.ndarray:
    """I(Xi; Xj) in nats for every pair, from the all-pairs count matrix."""
    rows, cols, values = counts.nonzero()
    offsets = counts.offsets
    n_columns = len(offsets) - 1
    column_of_level = np.repeat(np.arange(n_columns), np.diff(offsets))
    block = column_of_level[rows] * n_columns + column_of_level[cols]
    level_counts = np.zeros(offsets[-1])
    diagonal = rows == cols
    level_counts[rows[diagonal]] = values[diagonal]
    n = float(counts.n_rows)
    if estimator == "plugin":
        terms = values * np.log(values * n / (level_counts[rows] * level_counts[cols]))
        mi = np.bincount(block, weights=terms, minlength=n_columns**2) / n
        return np.maximum(mi.reshape(n_columns, n_columns), 0.0)
    sizes = np.diff(offsets).astype(float)
    pair_cells = np.outer(sizes, sizes)
    # Diagonal blocks hold H(Xi) in their diagonal; their cell count is |Xi|, not |Xi|^2.
    np.fill_diagonal(pair_cells, sizes)
    joint = estimate_entropy(values, Blocks(block, pair_cells.ravel()), estimator)
    joint = joint.reshape(n_columns, n_columns)
    marginal = np.diagonal(joint).copy()
    mi = marginal[:, None] + marginal[None, :] - joint
    np.fill_diagonal(mi, marginal)
    return mi
