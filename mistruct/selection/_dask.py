"""select_features on a Dask DataFrame: every step's terms from one distributed count.

The discrete engine of :mod:`mistruct.selection._select` needs, per step,
the ``f x s x y`` table of every candidate ``f``; here those tables come from
one pass over the partitions (:func:`mistruct.counting.dask_joint_counts`,
one group ``(f, s_last, y)`` per candidate) and the same chain-rule formulas
turn them into ``I(f; s)``, ``I(f; y | s)`` and ``H(f, s, y)``.  Only the
small tables travel, so the terms, and hence the selection, equal the
pandas path's.  The stop test hands the Dask DataFrame to
:func:`mistruct.ci_test`, which counts its strata distributed too.  The kNN
estimators need every row on one machine: continuous columns are refused.
"""

from __future__ import annotations

import math

import numpy as np

from mistruct.counting import dask_joint_counts
from mistruct.data import dask_frame, dask_kinds, dask_summary, dask_table, is_dask_collection
from mistruct.exceptions import InvalidInputError


def _continuous_refused(labels) -> InvalidInputError:
    return InvalidInputError(
        f"select_features on a Dask DataFrame counts discrete columns distributed, but "
        f"{', '.join(map(repr, labels))} are continuous: their kNN estimators need every row "
        "on one machine, which mistruct does not do silently. Discretize them first "
        "(mistruct.data.Discretizer on a sample, or integer bins), name them in discrete=[...] "
        "if their values are categories, or select on a sample in memory: "
        "select_features(X.sample(frac=0.01).compute(), ...)."
    )


def dask_selection_table(X, y, *, discrete, continuous, missing, estimator):
    """X with y as its last column, its DaskTable, labels, target label, kinds, missing policy.

    Everything is checked before the counting passes: ``y`` must be a Dask
    Series partitioned like ``X`` (a column of the same frame), every column
    discrete, the estimator the plug-in.
    """
    frame = dask_frame(X, what="X")
    labels = list(frame.columns)
    if not labels:
        raise InvalidInputError("X has no columns; give at least one feature.")
    if isinstance(y, str) or not is_dask_collection(y):
        raise InvalidInputError(
            "with a Dask DataFrame X, y must be a Dask Series of the same rows (a column of "
            "the same frame): select_features(ddf.drop(columns=['target']), ddf['target']); "
            f"got {type(y).__name__}."
        )
    if getattr(y, "ndim", 1) == 2:
        if len(y.columns) != 1:
            raise InvalidInputError(
                f"y must be one column (the target); got a table with {len(y.columns)} columns."
            )
        y = y[y.columns[0]]
    label = y.name if y.name is not None else "y"
    while label in labels:
        label = f"_{label}" if isinstance(label, str) else f"_y{label}"
    if estimator not in ("auto", "plugin"):
        raise InvalidInputError(
            f"estimator={estimator!r} on a Dask DataFrame: only the plug-in counts run "
            "distributed in select_features; use estimator='auto' or 'plugin'."
        )
    if frame.npartitions != y.npartitions:
        raise InvalidInputError(
            f"X has {frame.npartitions} partitions but y has {y.npartitions}; pass y as a "
            "column of the same Dask DataFrame (ddf['target']), so they pair row by row."
        )
    whole = frame.assign(**{label: y})
    if missing == "drop":
        # Rows with a missing value anywhere go, as on the pandas path: every term and
        # every stop test then sees the same rows.
        whole = whole.dropna()
        missing = "error"
    listed_discrete = list(discrete or [])
    summary = dask_summary(
        whole, missing=missing, discrete=[c for c in listed_discrete if c in whole.columns],
    )
    kinds = dask_kinds(summary, discrete=[c for c in listed_discrete if c in whole.columns],
                       continuous=[c for c in (continuous or []) if c in whole.columns])
    numeric = [c for c in whole.columns if kinds[c] == "continuous"]
    if numeric:
        raise _continuous_refused(numeric)
    table = dask_table(whole, missing=missing, discrete=listed_discrete or None,
                       summary=summary, what="data")
    if table.n_rows < 2:
        raise InvalidInputError(f"select_features needs at least 2 rows, got {table.n_rows}.")
    return whole, table, labels, label, dict(kinds), missing


class DaskTerms:
    """The per-step terms of :class:`DiscreteTerms` from distributed counts (nats).

    ``step(candidates, s)`` counts the joint states of ``(f, s, y)`` for every
    candidate ``f`` in one pass and applies the chain rule to the observed
    cells (empty cells add nothing to any ``c log c`` sum).
    """

    def __init__(self, table, n_features):
        self.table = table
        self.cards = np.maximum(np.asarray(table.cardinalities, dtype=np.int64), 1)
        self.target = n_features  # y is the last column of the table

    @staticmethod
    def _xlogx(counts):
        counts = counts[counts > 0].astype(float)
        return float(np.sum(counts * np.log(counts)))

    def _margin(self, keys, counts, divisor=1, modulus=None):
        codes = keys // divisor
        if modulus is not None:
            codes = codes % modulus
        _, inverse = np.unique(codes, return_inverse=True)
        return np.bincount(inverse.reshape(-1), weights=counts)

    def step(self, candidates, s=None):
        """(I(f; s), I(f; y | s), H(f, s, y)) in nats for ``candidates`` (s=None: I(f; y))."""
        y = self.target
        n_y = int(self.cards[y])
        n_s = 1 if s is None else int(self.cards[s])
        groups = [(int(f), y) if s is None else (int(f), int(s), y) for f in candidates]
        found = dask_joint_counts(self.table, groups)
        red = np.empty(len(candidates))
        cond = np.empty(len(candidates))
        joint_h = np.empty(len(candidates))
        for i, (keys, counts) in enumerate(found):
            counts = counts.astype(float)
            n = float(counts.sum())
            n_log_n = n * math.log(n)
            # key = (f * n_s + s) * n_y + y (s absent: f * n_y + y).
            xl_fsy = self._xlogx(counts)
            xl_f = self._xlogx(self._margin(keys, counts, divisor=n_s * n_y))
            xl_sy = self._xlogx(self._margin(keys, counts, modulus=n_s * n_y))
            xl_fs = self._xlogx(self._margin(keys, counts, divisor=n_y))
            xl_s = self._xlogx(self._margin(keys, counts, divisor=n_y, modulus=n_s))
            i_f_sy = (xl_fsy - xl_f - xl_sy + n_log_n) / n
            i_f_s = (xl_fs - xl_f - xl_s + n_log_n) / n
            red[i] = max(i_f_s, 0.0)
            cond[i] = max(i_f_sy - i_f_s, 0.0)
            joint_h[i] = math.log(n) - xl_fsy / n
        return red, cond, joint_h
