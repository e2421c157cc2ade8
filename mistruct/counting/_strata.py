"""Exact kNN counts in a space made only of discrete columns.

In the kNN statistics a discrete column is a spaced integer code plus tiny
tie noise (see the mixed estimator, ``estimator="mixed"`` of
:func:`mistruct.measures.mutual_information`), so in a space made only of
such columns the rows fall into strata (rows with the
same codes): within a stratum every max-norm distance is at most the
stratum's noise diameter, between strata every distance is at least the
smallest gap between code clusters.  For a radius ``e`` between the two,
the rows strictly closer than ``e`` to a row are exactly its stratum, and
counts that would scan whole strata in sorted neighbour lists become a
lookup (the stratum size) or, for a one-column X within the stratum, two
binary searches.  Both bounds are floating-point exact: ``fl(a - b)`` is
monotone in ``a`` and in ``-b``, so the bound computed from a cluster's
extreme values bounds every pair of its rows.
"""

from __future__ import annotations

import numpy as np

from mistruct.counting._sorted import run_bounds


class DiscreteStrata:
    """Rows of a purely discrete space, grouped by their codes.

    Parameters
    ----------
    codes : float array of shape (n, d)
        The spaced codes without noise (equal codes, same stratum).
    values : float array of shape (n, d)
        The same with tie noise: the coordinates distances are taken on.
    """

    def __init__(self, codes: np.ndarray, values: np.ndarray):
        _, labels = np.unique(codes, axis=0, return_inverse=True)
        self.labels = labels.reshape(-1).astype(np.intp)
        self.sizes = np.bincount(self.labels)
        order = np.argsort(self.labels, kind="stable")
        self.start = np.concatenate(([0], np.cumsum(self.sizes)[:-1]))
        grouped = values[order]
        high = np.maximum.reduceat(grouped, self.start, axis=0)
        low = np.minimum.reduceat(grouped, self.start, axis=0)
        # Every distance within a stratum is at most this (per stratum).
        self.diameter = (high - low).max(axis=1)
        # Every distance between rows of two strata is at least this.
        self.gap = np.inf
        for column in range(codes.shape[1]):
            levels, level = np.unique(codes[:, column], return_inverse=True)
            if len(levels) < 2:
                continue
            at = np.argsort(level.reshape(-1), kind="stable")
            first = np.searchsorted(level.reshape(-1)[at], np.arange(len(levels)))
            top = np.maximum.reduceat(values[at, column], first)
            bottom = np.minimum.reduceat(values[at, column], first)
            below = np.maximum.accumulate(top)[:-1]  # the highest value of any lower level
            self.gap = min(self.gap, float(np.min(bottom[1:] - below)))

    def applies(self, rows: np.ndarray, e: np.ndarray) -> np.ndarray:
        """Where the rows closer than ``e`` to ``rows`` are exactly their strata."""
        return (e > self.diameter[self.labels[rows]]) & (e <= self.gap)

    def sizes_of(self, rows: np.ndarray) -> np.ndarray:
        """The stratum size of each of ``rows``."""
        return self.sizes[self.labels[rows]]

    def count_within(self, x: np.ndarray, e: np.ndarray) -> np.ndarray:
        """Rows of the same stratum with ``|x_j - x_i| < e_i``, row i itself included.

        ``x``: shape ``(b, n)``, one value per row for each of ``b``
        surrogates; ``e``: shape ``(b * n,)``, row ``i`` of surrogate ``s`` at
        ``s * n + i``.  Within a stratum sorted by ``x`` the rows counted
        are one run (:func:`mistruct.counting.run_bounds`).
        """
        b, n = x.shape
        by_value = np.argsort(x, axis=1, kind="stable")
        by_stratum = np.argsort(self.labels[by_value], axis=1, kind="stable")
        order = np.take_along_axis(by_value, by_stratum, axis=1)
        s = np.take_along_axis(x, order, axis=1).ravel()  # by stratum, then by value
        label = np.tile(self.labels, b)
        start = self.start[label] + np.repeat(np.arange(b) * n, n)
        low, high = run_bounds(s, start, self.sizes[label], x.ravel(), e)
        return np.maximum(high - low, 0)  # e <= 0: an empty run, the ends cross
