"""Helpers every learner of :mod:`mistruct.structure` shares (private).

The door (:func:`_door`: the table read, columns selected, ID columns
reported, kinds fixed in the dtypes), the checks of the options the learners
share, the mutual information matrix with what it was computed from
(:class:`_MIState`), the total order of labels that breaks ties and keys
random streams, and the runs of the independence layer's tests.  One
private module per learner imports from here; nothing here imports a
learner.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from mistruct._validation import check_int, check_missing, check_n_permutations, check_seed
from mistruct.counting import PairwiseCounts, check_chunk_size, pairwise_counts
from mistruct.data import (
    EncodedTable,
    apply_kinds,
    apply_missing,
    as_frame,
    encode,
    near_unique_columns,
    select_columns,
)
from mistruct.exceptions import ColumnNotFoundError, IDColumnWarning, InvalidInputError
from mistruct.independence import (
    DISCRETE_METHODS,
    check_method,
    ci_tests_encoded,
    no_evidence,
)
from mistruct.measures import (
    ESTIMATORS,
    NUMERIC_MATRIX_ESTIMATORS,
    mi_matrix_nats,
    mutual_information_matrix,
)

_LN2 = float(np.log(2.0))

#: Seed of every learner when none is given: results are reproducible by default.
DEFAULT_SEED = 0

#: Estimators of tables with float columns (kNN, Gaussian), as in
#: :func:`mistruct.mutual_information_matrix`; ``"auto"`` is the plug-in on discrete tables.
NUMERIC_ESTIMATORS = NUMERIC_MATRIX_ESTIMATORS

#: Null replicates of a discrete permutation test when ``n_permutations=None``.
DISCRETE_PERMUTATIONS = 1000


@dataclass(frozen=True)
class _MIState:
    """The symmetrized MI matrix (nats) of a table, and what it was computed from.

    Discrete tables keep their encoding and all-pairs counts (``table``,
    ``counts``), which the tests and DPI checks reuse.  Tables with float
    columns keep the checked columns instead (``frame``): their MI comes
    from the kNN or Gaussian estimators, and their tests from
    :func:`mistruct.ci_test` with a numeric method.
    """

    names: tuple
    n_rows: int
    mi_nats: np.ndarray
    estimator: str
    table: EncodedTable | None = None
    counts: PairwiseCounts | None = None
    frame: pd.DataFrame | None = None

    @property
    def numeric(self) -> bool:
        return self.table is None

    def mi_bits(self) -> np.ndarray:
        return self.mi_nats / _LN2


def _check_common(*, estimator, missing, chunk_size, k, seed):
    """The options every learner shares, checked before any work; returns the seed."""
    check_structure_estimator(estimator)
    check_missing(missing)
    check_chunk_size(chunk_size)
    check_int(k, "k", hint="(the neighbour rank of the kNN estimators)")
    return check_seed(seed)


def check_ci_test(ci_test):
    """``ci_test`` if it is a registered test's name or a test object, else a clear error."""
    return check_method(ci_test, "ci_test")


def encoded_test(ci_test):
    """The test a learner runs on its encoded table when every column is discrete, or None.

    The built-in discrete tests run there (``"auto"`` resolved per query by
    the independence layer); ``"knn"`` on discrete columns is the exact
    ``"permutation"`` test.  Other tests (``"gaussian"``, registered ones,
    test objects) run through :func:`mistruct.independence.ci_tests_by_kind`.
    """
    if isinstance(ci_test, str) and ci_test in DISCRETE_METHODS:
        return ci_test
    return "permutation" if isinstance(ci_test, str) and ci_test == "knn" else None


def permutation_counts(n_permutations, knn_default: int) -> tuple[int, int]:
    """Null replicates of the discrete and of the kNN tests for ``n_permutations``.

    ``None`` is each test's default: :data:`DISCRETE_PERMUTATIONS` for the
    discrete permutation tests, ``knn_default`` (the learner's) for the kNN
    test, whose every surrogate costs a pass over the rows.  A number is used
    by both.
    """
    if n_permutations is None:
        return DISCRETE_PERMUTATIONS, knn_default
    n_permutations = check_n_permutations(n_permutations)
    return n_permutations, n_permutations


def _label_list(labels, name: str) -> list:
    """``labels`` (one label or a list of them) as a list."""
    if labels is None:
        return []
    if (
        isinstance(labels, (str, bytes, tuple))
        or np.isscalar(labels)
        or not hasattr(labels, "__iter__")
    ):
        return [labels]
    return list(labels)


def _door(
    data,
    *,
    columns=None,
    exclude=None,
    discrete=None,
    continuous=None,
    keep=(),
    learner=None,
    what: str = "data",
) -> pd.DataFrame:
    """The table a learner works on: read, selected, ID columns reported, kinds applied.

    This is the one place a learner reads its table: columns are selected
    (``columns``, then ``exclude``), ID-like columns are warned about
    (``learner`` names the learner; ``None`` skips the check) and
    :func:`mistruct.data.apply_kinds` fixes every column's kind in its dtype
    (float = continuous), so nothing below decides kinds again.  ``keep``
    lists labels that ``exclude`` may not remove.
    """
    frame = select_columns(as_frame(data, what=what), columns, what=what)
    dropped = _excluded(frame.columns, exclude, keep, what)
    if dropped:
        gone = {frame.columns.get_loc(label) for label in dropped}
        frame = frame.iloc[:, [j for j in range(frame.shape[1]) if j not in gone]]
        if frame.shape[1] == 0:
            raise InvalidInputError(_NOTHING_LEFT.format(what=what))
    if learner is not None:
        _warn_id_columns(frame, learner)
    return stated_kinds(frame, discrete, continuous, what=what)


_NOTHING_LEFT = "exclude leaves no column of the {what} to learn from."


def _check_present(named, labels, message: str):
    """A :class:`ColumnNotFoundError` for the ``named`` labels not in ``labels``.

    ``message`` has a ``{}`` where the absent labels go; the available
    columns follow it (the first 20).
    """
    absent = [label for label in named if label not in labels]
    if absent:
        raise ColumnNotFoundError(
            message.format(", ".join(map(repr, absent)))
            + f"; available columns: {', '.join(map(repr, list(labels)[:20]))}"
            + (" ..." if len(labels) > 20 else "")
        )


def _excluded(labels, exclude, keep=(), what: str = "data") -> list:
    """The labels ``exclude`` names, each one of ``labels`` and none of ``keep``.

    The check of every learner's door, in memory and on Dask.
    """
    dropped = _label_list(exclude, "exclude")
    _check_present(dropped, labels, "exclude names column(s) {} that are not in the " + what)
    kept = [label for label in keep if label in dropped]
    if kept:
        raise InvalidInputError(
            f"exclude names {kept[0]!r}, which this learner needs (it is the class or the "
            "root); leave it out of exclude."
        )
    return dropped


def _warn_id_columns(frame: pd.DataFrame, learner: str):
    """An :class:`~mistruct.exceptions.IDColumnWarning` for ID-like columns, before learning.

    A column with a distinct value in (nearly) every row has the largest MI
    with every other column (I(ID; X) = H(X)), so it would become the hub
    of a star that says nothing about the data.
    """
    ids = near_unique_columns(frame)
    if not ids:
        return
    described = ", ".join(
        f"{label!r} ({frame[label].nunique(dropna=True)} distinct values)" for label in ids
    )
    warnings.warn(
        IDColumnWarning(
            f"column(s) {described} in {len(frame)} rows look like row identifiers: an ID "
            f"column carries all the information of every other column and becomes a hub of "
            f"the {learner}. Leave it out with exclude=[{', '.join(map(repr, ids))}] (or the "
            "columns= list)."
        ),
        stacklevel=4,  # the user's call of the learner (learner -> _door -> here)
    )


def _position(frame: pd.DataFrame, name, role: str) -> int:
    """Position of column ``name`` (NaN labels included), or a clear error."""
    _check_column(frame, name, role)
    location = frame.columns.get_loc(name)
    if not isinstance(location, (int, np.integer)):  # pragma: no cover - labels are unique
        raise InvalidInputError(f"{role}={name!r} matches more than one column.")
    return int(location)


def _check_column(frame: pd.DataFrame, name, role: str):
    try:
        present = name in frame.columns
    except TypeError:  # an unhashable label
        present = False
    if not present:
        available = ", ".join(repr(c) for c in frame.columns[:20])
        more = " ..." if frame.shape[1] > 20 else ""
        raise ColumnNotFoundError(
            f"{role}={name!r} is not a column of the data; available columns: {available}{more}"
        )



def check_structure_estimator(estimator) -> str:
    """``estimator`` if the structure learners take it: a discrete or a numeric one."""
    if estimator in NUMERIC_ESTIMATORS:
        return estimator
    if estimator not in ESTIMATORS:
        raise InvalidInputError(
            f"estimator={estimator!r} is not an option; use one of "
            f"{', '.join(repr(e) for e in (*NUMERIC_ESTIMATORS, *ESTIMATORS))}."
        )
    return estimator


def uses_numeric_estimator(frame: pd.DataFrame, estimator: str) -> bool:
    """Whether ``estimator`` on ``frame`` takes the numeric (kNN / Gaussian) path.

    ``"auto"`` does when a column is continuous (float, once
    :func:`mistruct.data.apply_kinds` has run at the door); ``"ksg"``,
    ``"mixed"`` and ``"gaussian"`` always do; the discrete estimators never do.
    """
    if estimator == "auto":
        return any(_is_float(frame.iloc[:, j]) for j in range(frame.shape[1]))
    return estimator in NUMERIC_ESTIMATORS


def _is_float(series: pd.Series) -> bool:
    dtype = series.dtype
    return not isinstance(dtype, pd.CategoricalDtype) and pd.api.types.is_float_dtype(dtype)



def _mi_state(
    frame: pd.DataFrame,
    *,
    estimator: str,
    missing: str,
    chunk_size: int = 4096,
    k: int = 3,
    seed=None,
) -> _MIState:
    if not uses_numeric_estimator(frame, estimator):
        resolved = "plugin" if estimator == "auto" else estimator
        table = encode(frame, missing=missing)
        counts = pairwise_counts(table.codes, table.cardinalities, chunk_size=chunk_size)
        mi = _symmetrize(mi_matrix_nats(counts, resolved))
        return _MIState(
            names=table.names,
            n_rows=table.n_rows,
            mi_nats=mi,
            estimator=resolved,
            table=table,
            counts=counts,
        )
    frame = apply_missing(frame, missing)
    matrix = mutual_information_matrix(
        _pinned(frame, estimator), estimator=estimator, base=np.e, k=k, seed=seed
    )
    return _MIState(
        names=tuple(frame.columns),
        n_rows=len(frame),
        mi_nats=_symmetrize(matrix.to_numpy()),
        estimator=estimator,
        frame=frame,
    )


def _pinned(frame: pd.DataFrame, estimator: str) -> pd.DataFrame:
    """``frame`` with its integer and bool columns as categories, for ``estimator="auto"``.

    The kinds were fixed at the door (integer columns left are discrete);
    as categories they stay discrete in the estimators below whatever rule
    those apply, e.g. to a column forced discrete, or to the fewer rows of a
    class.  Other estimators take every column as it is.
    """
    if estimator != "auto":
        return frame
    pinned = [
        j
        for j in range(frame.shape[1])
        if pd.api.types.is_integer_dtype(frame.iloc[:, j].dtype)
        or pd.api.types.is_bool_dtype(frame.iloc[:, j].dtype)
    ]
    if not pinned:
        return frame
    frame = frame.copy()  # the caller's frame is never modified
    for j in pinned:
        frame.isetitem(j, frame.iloc[:, j].astype("category"))
    return frame


def _symmetrize(matrix: np.ndarray) -> np.ndarray:
    # M[i, j] and M[j, i] sum the same cells in a different order; their mean is the
    # same float whatever the column order, which makes every result order-free.
    return (matrix + matrix.T) / 2


def _sort_key(label):
    """A total order over labels of any types (NaN and None included).

    Numbers order by value, strings by text; other types, NaN and None come
    after them, by type name and text.  Used only to break ties, so that the
    result does not depend on where a column sits in the table.
    """
    if isinstance(label, (bool, np.bool_)):
        return (2, "bool", str(label), 0.0)
    # NaN is the one number not equal to itself; it goes with the other labels.
    if isinstance(label, (int, float, np.integer, np.floating)) and label == label:
        return (0, "", "", label)
    if isinstance(label, str):
        return (1, "", label, 0.0)
    return (2, type(label).__name__, str(label), 0.0)


def _name_ranks(names) -> np.ndarray:
    """Rank of each label in the order of :func:`_sort_key` (ties: position, never met)."""
    order = sorted(range(len(names)), key=lambda j: (_sort_key(names[j]), j))
    ranks = np.empty(len(names), dtype=np.int64)
    ranks[order] = np.arange(len(names))
    return ranks


def _ci_results(
    state: _MIState, queries, *, method, alpha, n_permutations, estimator, seed, progress=False
) -> pd.DataFrame:
    """Run the independence layer's tests on (x, y, given) index queries of the encoded table.

    Uses :func:`mistruct.independence.ci_tests_encoded`, so the table is not
    encoded again; ``method`` is its test name, ``"auto"`` included (resolved
    there, per query).  Returns a DataFrame with columns ``statistic``,
    ``cmi``, ``pvalue``, ``dof`` and ``no_evidence``, one row per query, in
    query order.
    """
    # Each query's random stream is keyed by its columns' names: the ranks of the labels
    # stand in for them, so the draws depend neither on the column order nor on what a
    # label is (NaN included), only on the labels' sorted order.
    table = replace(state.table, names=tuple(int(r) for r in _name_ranks(state.names)))
    results = ci_tests_encoded(
        table,
        [(x, y, tuple(given)) for x, y, given in queries],
        method=method,
        alpha=alpha,
        n_permutations=n_permutations,
        estimator=estimator,
        seed=seed,
        progress=progress,
    )
    return _results_frame(results)


def _results_frame(results) -> pd.DataFrame:
    """``statistic``, ``cmi``, ``pvalue``, ``dof``, ``no_evidence`` of CI test results."""
    return pd.DataFrame(
        {
            "statistic": [float(r.statistic) for r in results],
            "cmi": [float(r.cmi) for r in results],
            "pvalue": [float(r.pvalue) for r in results],
            "dof": [None if r.dof is None else int(r.dof) for r in results],
            "no_evidence": [no_evidence(r) for r in results],
        },
        columns=["statistic", "cmi", "pvalue", "dof", "no_evidence"],
    )

def stated_kinds(frame, discrete=None, continuous=None, what: str = "data") -> pd.DataFrame:
    """The table with dtypes that state the column kinds (:func:`mistruct.data.apply_kinds`).

    Integer columns forced discrete also become categories: below the door
    kinds are read from dtypes, and the automatic rule (the kNN estimators',
    the tests') would take a many-level integer column for a continuous one
    again.  The caller's frame is never modified.
    """
    applied = apply_kinds(frame, discrete=discrete, continuous=continuous, what=what)
    forced = [
        label
        for label in _label_list(discrete, "discrete")
        if label in applied.columns and pd.api.types.is_integer_dtype(applied[label].dtype)
    ]
    if forced:
        applied = applied.copy()
        for label in forced:
            applied.isetitem(applied.columns.get_loc(label), applied[label].astype("category"))
    return applied



