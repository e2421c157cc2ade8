"""Exact strict-radius counts on sorted one-dimensional values, vectorized.

:func:`run_bounds`, :func:`sorted_runs`
    In a sorted segment, the rows ``j`` with ``fl|v_j - c| < e`` form one
    contiguous run (the computed difference is monotone in ``v_j``, so the
    float comparison is as exact as the kd-tree's); its two ends come from
    branchless binary searches over every query at once.
:class:`RankCounter`
    A wavelet matrix over integer sequences: how many values of a position
    range lie below a bound, in ``log2 n`` vectorized steps per query.  With
    one variable's rows in the order of another's sorted values, a box count
    (``|z_j - z_i| < e`` and ``|x_j - x_i| < e``) is a count of ranks in a
    position range: two runs, no scan of the rows inside them.
"""

from __future__ import annotations

import numpy as np


def run_bounds(values, start, length, centre, e, guess=None):
    """Ends ``[low, high)`` of the runs of ``values`` within ``e`` (strictly) of ``centre``.

    Parameters
    ----------
    values : 1-D float array
        Sorted within each segment ``[start, start + length)``.
    start, length : int arrays (or one int ``length`` for all)
        Each query's segment.
    centre, e : float arrays
        Each query's centre and radius (``e > 0``; for ``e <= 0`` the run is
        empty and ``low >= high``).
    guess : (low, high) int arrays, optional
        Likely ends, e.g. ``np.searchsorted`` of ``centre -/+ e`` (whose
        rounding may put them a few places off): each is checked exactly,
        and only the wrong ones are searched.

    Returns
    -------
    low, high : int arrays
        Positions in ``values``: the run is ``values[low:high]``.
    """
    length = np.broadcast_to(length, np.shape(centre))
    end = start + length

    def in_low(at, c, r):  # True from the run's first row on
        return (values[at] > c) | (c - values[at] < r)

    def in_high(at, c, r):  # True from the first row past the run on
        return (values[at] >= c) & (values[at] - c >= r)

    def first(is_true, first_start, first_end, c, r):
        """The first position of each segment where ``is_true`` holds (its end if none)."""
        pos = first_start.copy()
        step = 1 << int((first_end - first_start).max(initial=0)).bit_length()
        while step:
            probe = pos + step
            inside = probe <= first_end
            at = np.where(inside, probe, first_end) - 1
            pos = np.where(inside & ~is_true(at, c, r), probe, pos)
            step >>= 1
        return pos

    def settle(is_true, pos):
        """``pos`` where it is the first True position of its segment, else searched."""
        with np.errstate(invalid="ignore"):
            if pos is None:
                return first(is_true, start, end, centre, e)
            pos = np.clip(pos, start, end)
            before = np.maximum(pos - 1, start)
            wrong = ((pos > start) & is_true(before, centre, e)) | (
                (pos < end) & ~is_true(np.minimum(pos, end - 1), centre, e)
            )
            if wrong.any():
                w = np.flatnonzero(wrong)
                pos[w] = first(is_true, start[w], end[w], centre[w], e[w])
            return pos

    # inf - inf (infinite radii, never used) is NaN: False, harmless.
    guess = (None, None) if guess is None else guess
    return settle(in_low, guess[0]), settle(in_high, guess[1])


def sorted_runs(rows, centre, e):
    """Runs within ``e`` (strictly) of ``centre`` in each row of sorted values.

    ``rows``: shape ``(r, m)``, each row sorted; ``centre``, ``e``: shape
    ``(r, q)``, the queries on each row.  Returns ``low, high`` of shape
    ``(r, q)``, positions within the row: ``np.searchsorted`` of the rounded
    ends, made exact by :func:`run_bounds`.

    Parameters
    ----------
    rows : ndarray of float, shape (r, m)
        The values, each row sorted in ascending order.
    centre : ndarray of float, shape (r, q)
        The centres of the ``q`` queries on each row.
    e : ndarray of float, shape (r, q)
        The radius of each query: a run holds the values ``v`` with
        ``|v - centre| < e``.
    """
    r, m = rows.shape
    offset = (np.arange(r) * m)[:, None]
    guess = [np.empty(centre.shape, dtype=np.intp) for _ in range(2)]
    for i in range(r):
        guess[0][i] = np.searchsorted(rows[i], centre[i] - e[i])
        guess[1][i] = np.searchsorted(rows[i], centre[i] + e[i])
    start = np.broadcast_to(offset, centre.shape).ravel()
    low, high = run_bounds(
        rows.ravel(),
        start,
        m,
        centre.ravel(),
        e.ravel(),
        ((guess[0] + offset).ravel(), (guess[1] + offset).ravel()),
    )
    return (low - start).reshape(centre.shape), (high - start).reshape(centre.shape)


class RankCounter:
    """Counts of values below a bound in position ranges of integer sequences.

    Parameters
    ----------
    sequences : int array of shape (b, n)
        ``b`` sequences of values in ``[0, n]``.

    Examples
    --------
    >>> counter = RankCounter(np.array([[3, 0, 2, 1]]))
    >>> counter.count_below(np.array([0]), np.array([1]), np.array([4]), np.array([2])).tolist()
    [2]
    """

    def __init__(self, sequences: np.ndarray):
        b, n = sequences.shape
        self.b, self.n = b, n
        self.levels = max(1, int(n).bit_length())  # the bound n itself fits
        current = np.asarray(sequences, dtype=np.int32)
        positions = np.arange(n, dtype=np.int32)
        # Per level, flattened (b, n + 1): zeros among the first p values of sequence s at
        # s * (n + 1) + p; and each sequence's zeros in all.
        self.zeros_before, self.zeros = [], []
        for level in range(self.levels):
            bit = (current >> (self.levels - 1 - level)) & 1
            before = np.zeros((b, n + 1), dtype=np.int32)
            np.cumsum(1 - bit, axis=1, out=before[:, 1:])
            zeros = before[:, n].copy()
            # Stable partition: values with a 0 bit first, then those with a 1 bit.
            dest = np.where(bit == 0, before[:, :-1], zeros[:, None] + positions - before[:, :-1])
            following = np.empty_like(current)
            np.put_along_axis(following, dest, current, axis=1)
            current = following
            self.zeros_before.append(before.ravel())
            self.zeros.append(zeros)
        self._row = np.arange(b, dtype=np.int32) * np.int32(n + 1)

    def count_below(self, sequence, low, high, bound):
        """How many of ``sequences[sequence, low:high]`` are below ``bound`` (all arrays)."""
        row = self._row[sequence]
        low = row + np.asarray(low, dtype=np.int32)  # flat positions from here on
        high = row + np.asarray(high, dtype=np.int32)
        count = np.zeros(low.shape, dtype=np.int32)
        bound = np.asarray(bound, dtype=np.int32)
        for level in range(self.levels):
            before = self.zeros_before[level]
            zero_low, zero_high = before[low], before[high]
            one = ((bound >> (self.levels - 1 - level)) & 1).astype(bool)
            # Where the bound has a 1, values with a 0 here (same higher bits) are below it:
            # count them and follow the ones; else follow the zeros.
            count += np.where(one, zero_high - zero_low, 0)
            ones = row + self.zeros[level][sequence]
            low = np.where(one, ones + (low - row) - zero_low, row + zero_low)
            high = np.where(one, ones + (high - row) - zero_high, row + zero_high)
        return count
