"""The structure learners on a Dask DataFrame: counts reduced, the same learners on top.

The learners' public functions hand a Dask DataFrame here at their door
(after checking their options).  The door's work is done from one pass over
the partitions (:func:`mistruct.data.dask_summary`: levels, kinds, ID-like
columns), the all-pairs counts from one more
(:func:`mistruct.counting.dask_pairwise_counts`), and the learners' own
code runs on them: the MI matrix state they share carries a
:class:`mistruct.data.DaskTable`, whose tests
(:func:`mistruct.independence.ci_tests_encoded`) count every query of a
batch in one pass.  PC batches each level's queries into one call
(``skeleton_search(batch="level")``), so a level costs one pass.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from mistruct.counting import dask_moments, dask_pairwise_counts
from mistruct.data import dask_frame, dask_kinds, dask_summary, dask_table, is_dask_collection
from mistruct.exceptions import IDColumnWarning, InvalidInputError
from mistruct.measures import ESTIMATORS, mi_matrix_nats
from mistruct.structure._common import (
    _NOTHING_LEFT,
    _check_present,
    _excluded,
    _label_list,
    _MIState,
    _symmetrize,
)

__all__ = [
    "DASK_LEARNERS",
    "dask_dispatch",
    "dask_door",
    "dask_mi_state",
    "is_dask_collection",
]

_NUMERIC_NEEDS_ROWS = ("ksg", "mixed")


def _needs_rows(what: str, estimator: str) -> InvalidInputError:
    return InvalidInputError(
        f"{what} on a Dask DataFrame with estimator={estimator!r}: the kNN estimators need "
        "every row on one machine, which mistruct does not do silently. Use "
        "estimator='gaussian' (from distributed moment sums), discretize the continuous "
        "columns (discrete estimators count distributed), or learn on a sample in memory: "
        "ddf.sample(frac=0.01).compute()."
    )


def dask_door(data, *, columns=None, exclude=None, discrete=None, continuous=None, keep=(),
              learner=None, missing="error", sort=False):
    """The door of a learner for a Dask DataFrame: columns, ID warning, kinds (one pass).

    Parameters
    ----------
    data : dask.dataframe.DataFrame
        Never collected.
    columns, exclude, discrete, continuous, keep, learner
        As in the learners' door (:mod:`mistruct.structure._common`).
    missing : {"error", "drop", "category"}
        The policy the levels are collected under.
    sort : bool, default False
        Order the columns by their sorted labels (PC's canonical order).

    Returns
    -------
    (frame, summary, kinds, forced)
        The selected Dask DataFrame, its :class:`mistruct.data.DaskSummary`,
        the column kinds, and the float columns named in ``discrete``.
    """
    frame = dask_frame(data)
    names = list(frame.columns)
    if columns is not None:
        chosen = _label_list(columns, "columns")
        _check_present(chosen, names, "column(s) {} not found in the data")
        names = chosen
    dropped = _excluded(names, exclude, keep)
    names = [c for c in names if c not in dropped]
    if not names:
        raise InvalidInputError(_NOTHING_LEFT.format(what="data"))
    if sort:
        names = sorted(names, key=lambda label: (str(type(label).__name__), str(label)))
    frame = frame[names]
    forced = [c for c in _label_list(discrete, "discrete") if c in names]
    summary = dask_summary(frame, missing="drop" if missing == "drop" else "error",
                           discrete=forced)
    kinds = dask_kinds(
        summary, discrete=forced,
        continuous=[c for c in _label_list(continuous, "continuous") if c in names],
    )
    if learner is not None:
        _warn_ids(summary, kinds, learner)
    return frame, summary, kinds, forced


def _warn_ids(summary, kinds, learner):
    """The ID-column warning of the pandas door, from the summary's level counts."""
    flagged = []
    for name in summary.dtypes:
        n_rows, n_levels = summary.n_present[name], summary.n_observed.get(name)
        if n_levels is None or n_rows <= 10:
            continue
        levels = summary.levels.get(name)
        integer = pd.api.types.is_integer_dtype(summary.dtypes[name]) and not isinstance(
            summary.dtypes[name], pd.CategoricalDtype
        )
        if (
            integer
            and n_levels == n_rows
            and levels is not None
            and int(levels.max()) - int(levels.min()) == n_rows - 1
        ):
            flagged.append(name)
            continue
        if kinds.get(name) == "discrete" and n_levels > 10 and n_levels >= 0.9 * n_rows:
            flagged.append(name)
    if flagged:
        described = ", ".join(
            f"{label!r} ({summary.n_observed[label]} distinct values)" for label in flagged
        )
        warnings.warn(
            IDColumnWarning(
                f"column(s) {described} in {summary.n_rows} rows look like row identifiers: an "
                f"ID column carries all the information of every other column and becomes a "
                f"hub of the {learner}. Leave it out with "
                f"exclude=[{', '.join(map(repr, flagged))}] (or the columns= list)."
            ),
            stacklevel=5,
        )


def dask_mi_state(frame, summary, kinds, forced, *, estimator, missing, chunk_size=4096,
                  what="the learner") -> _MIState:
    """The MI state of a Dask table: all-pairs counts from one pass, or Gaussian moments.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        The door's selected columns.
    summary : DaskSummary
        The door's summary of them.
    kinds : ColumnKinds
        The door's kinds.
    forced : list
        Float columns named in ``discrete``.
    estimator, missing, chunk_size
        As in the learners.
    what : str
        The learner, for messages.

    Returns
    -------
    _MIState
        With a :class:`mistruct.data.DaskTable` and the reduced counts
        (discrete), or the Gaussian MI only.
    """
    continuous = [c for c, kind in kinds.items() if kind == "continuous"]
    if estimator in _NUMERIC_NEEDS_ROWS or (estimator == "auto" and continuous):
        raise _needs_rows(what, "ksg" if estimator == "auto" else estimator)
    if estimator == "gaussian":
        names = list(frame.columns)
        bad = [
            c for c, dtype in summary.dtypes.items()
            if isinstance(dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(dtype)
        ]
        if bad:
            raise InvalidInputError(
                f"estimator='gaussian' needs numeric columns, but {bad!r} are not numeric."
            )
        n, _, m2 = dask_moments(frame, names, missing=missing)
        scale = np.sqrt(np.diag(m2))
        with np.errstate(divide="ignore", invalid="ignore"):
            corr = np.clip(m2 / np.outer(scale, scale), -1.0, 1.0)
            matrix = -0.5 * np.log1p(-np.minimum(corr**2, 1.0))
        matrix[matrix > 0.5 * np.log(1e12)] = np.inf
        np.fill_diagonal(matrix, np.inf)
        return _MIState(
            names=tuple(names), n_rows=int(n), mi_nats=_symmetrize(matrix), estimator="gaussian"
        )
    resolved = "plugin" if estimator == "auto" else estimator
    if resolved not in ESTIMATORS:
        raise _needs_rows(what, estimator)
    if missing != "error":
        summary = dask_summary(frame, missing=missing, discrete=forced)
    table = dask_table(frame, missing=missing, discrete=forced, summary=summary)
    counts = dask_pairwise_counts(table, chunk_size=chunk_size)
    return _MIState(
        names=table.names,
        n_rows=table.n_rows,
        mi_nats=_symmetrize(mi_matrix_nats(counts, resolved)),
        estimator=resolved,
        table=table,
        counts=counts,
    )


#: Learner name -> its Dask version, filled by :mod:`mistruct.structure._dask_learners`
#: (which imports the learners' modules, so they cannot import it: they dispatch here).
DASK_LEARNERS: dict = {}


def dask_dispatch(learner: str, *args, **options):
    """Run the Dask version of ``learner`` on ``data`` (the door line of each learner).

    Parameters
    ----------
    learner : str
        The learner's function name (``"chow_liu_tree"``, ``"pc_skeleton"``, ...).
    *args
        The learner's positional arguments (the Dask DataFrame among them).
    **options
        The learner's checked options.
    """
    return DASK_LEARNERS[learner](*args, **options)
