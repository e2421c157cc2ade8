"""Random contingency tables with fixed margins, many strata and replicates at once.

Shuffling X within each stratum of Z keeps the row and column sums of every
stratum's (X, Y) table, and every table with those margins is reached with
its multiple-hypergeometric probability

    P(T) = prod_i r_i! prod_j c_j! / (n! prod_ij t_ij!).

So the permutation null can be drawn from the tables directly, at a cost set
by the size of the tables, not by the number of rows.  The tables are built
cell by cell as in Patefield's algorithm (AS 159, 1981): given the cells
already drawn, cell (i, j) is hypergeometric — row i's remaining
observations, drawn from the remaining totals of column j ("good") and of the
columns after it ("bad").  Each step is one call of NumPy's vectorized
hypergeometric sampler over every stratum and every replicate of a batch, so
the Python work per batch is ``(|X| - 1) (|Y| - 1)`` calls whatever the
number of strata and replicates.

Under the null only the cells vary: for the plug-in statistic
``G = 2 (sum t log t - sum r log r - sum c log c + sum n log n)`` only the
first sum changes, so the draws feed a running sum of ``t log t`` read from a
lookup table, and the tables themselves need not be kept.
"""

from __future__ import annotations

import numpy as np

from mistruct.estimators import Blocks, estimate_entropy

#: Elements per working array in one batch of draws (bounds memory: ~8 MiB each).
CELL_BUDGET = 2**20

_EPS = np.finfo(float).eps


#: Largest count for which ``k log k`` is read from a table rather than computed.
LOOKUP_LIMIT = 2**16


def _xlogx(values):
    values = np.asarray(values, dtype=float)
    return values * np.log(np.maximum(values, 1.0))


def xlogx_function(max_count: int):
    """A function ``k -> k log k`` (0 for k = 0) for integer arrays with values <= max_count.

    Small counts read a lookup table (a gather is cheaper than a log); large
    ones are computed, so that a stratum of 10^6 rows does not cost a table
    of 10^6 logarithms.
    """
    if max_count > LOOKUP_LIMIT:
        return _xlogx
    table = _xlogx(np.arange(max_count + 1))
    return table.__getitem__


def draw(rows, cols, size, rng, *, lut=None, out=None, fixed=None):
    """Draw ``size`` random tables per stratum with the given margins.

    Parameters
    ----------
    rows : int64 array (n_strata, kx)
    cols : int64 array (n_strata, ky)
    size : int
        Replicates.
    rng : numpy.random.Generator
    lut : callable, optional
        ``lut(t)`` is added up over the cells of all strata of a replicate;
        the sums (shape ``(size,)``) are returned.
    out : int64 array (size, n_strata, kx, ky), optional
        Receives the tables.
    fixed : int64 array (size, n_strata, kx, ky), optional
        Use these tables instead of drawing (to evaluate the observed table
        with exactly the same floating-point operations as the draws).
    """
    n_strata, kx = rows.shape
    ky = cols.shape[1]
    col_left = np.empty((size, n_strata, ky), dtype=np.int64)
    col_left[...] = cols
    acc = np.zeros((size, n_strata)) if lut is not None else None
    row_left = np.empty((size, n_strata), dtype=np.int64)
    for i in range(kx - 1):
        row_left[...] = rows[:, i]
        bad = col_left.sum(axis=2)
        for j in range(ky - 1):
            good = col_left[:, :, j]
            bad -= good
            cell = rng.hypergeometric(good, bad, row_left) if fixed is None else fixed[:, :, i, j]
            if acc is not None:
                acc += lut(cell)
            if out is not None:
                out[:, :, i, j] = cell
            row_left -= cell
            good -= cell
        if acc is not None:
            acc += lut(row_left)
        if out is not None:
            out[:, :, i, ky - 1] = row_left
        col_left[:, :, ky - 1] -= row_left
    if acc is not None:
        acc += lut(col_left).sum(axis=2)
    if out is not None:
        out[:, :, kx - 1, :] = col_left
    return acc.sum(axis=1) if acc is not None else None


class PluginNull:
    """Null statistics ``G = 2 N CMI`` (plug-in, nats) of the live strata.

    Strata with a single non-empty row or column ("dead") admit one table
    only and contribute exactly 0 to G, so they are left out.
    """

    def __init__(self, rows, cols, counts):
        self.rows, self.cols = rows, cols
        self.kx, self.ky = rows.shape[1], cols.shape[1]
        n_strata = rows.shape[0]
        totals = rows.sum(axis=1)
        self.lut = xlogx_function(int(totals.max()) if n_strata else 0)
        lut = self.lut
        self.constant = lut(rows).sum() + lut(cols).sum() - lut(totals).sum()
        self.batch_limit = max(1, CELL_BUDGET // max(1, n_strata * max(self.kx, self.ky)))
        sums = draw(rows, cols, 1, None, lut=lut, fixed=counts[None])
        self.observed = float(2.0 * (sums[0] - self.constant))
        # Bound on the rounding error of a statistic: the sums run over
        # kx * ky cells per stratum, then pairwise over the strata.
        magnitude = 2.0 * (sums[0] + lut(rows).sum() + lut(cols).sum() + lut(totals).sum())
        self.tolerance = 1e-12 * abs(self.observed) + 8 * _EPS * (self.kx * self.ky + 16) * float(
            magnitude
        )

    def batch(self, size, rng):
        sums = draw(self.rows, self.cols, size, rng, lut=self.lut)
        return 2.0 * (sums - self.constant)


class EstimatorNull:
    """Null statistics ``2 N CMI`` with CMI = H(XZ) + H(YZ) - H(Z) - H(XYZ), any estimator.

    Under the null only H(XYZ) changes; it is estimated over the whole
    (x, y, z) table, dead strata included, as one block per replicate.
    """

    def __init__(self, rows, cols, counts, dead_cells, constant_nats, n_cells, n, estimator):
        self.rows, self.cols = rows, cols
        self.kx, self.ky = rows.shape[1], cols.shape[1]
        self.dead = np.asarray(dead_cells, dtype=float)
        self.constant = constant_nats
        self.n_cells = float(n_cells)
        self.n = n
        self.estimator = estimator
        self.per_replicate = rows.shape[0] * self.kx * self.ky + self.dead.size
        self.batch_limit = max(1, CELL_BUDGET // max(1, self.per_replicate))
        h_obs = self._joint_entropy(counts[None].astype(float))
        self.observed = float(2.0 * n * (constant_nats - h_obs[0]))
        magnitude = 2.0 * n * (abs(constant_nats) + abs(h_obs[0]))
        self.tolerance = 1e-12 * abs(self.observed) + 8 * _EPS * (self.per_replicate + 16) * float(
            magnitude
        )

    def _joint_entropy(self, tables):
        size = tables.shape[0]
        cells = np.empty((size, self.per_replicate))
        live = tables.reshape(size, -1)
        cells[:, : live.shape[1]] = live
        cells[:, live.shape[1] :] = self.dead
        blocks = Blocks(np.repeat(np.arange(size), self.per_replicate), np.full(size, self.n_cells))
        return estimate_entropy(cells.ravel(), blocks, self.estimator)

    def batch(self, size, rng):
        tables = np.empty((size, self.rows.shape[0], self.kx, self.ky), dtype=np.int64)
        draw(self.rows, self.cols, size, rng, out=tables)
        return 2.0 * self.n * (self.constant - self._joint_entropy(tables))


def permutation_null(null, n_permutations, rng, progress=None):
    """All ``n_permutations`` null statistics, drawn in batches of fixed size."""
    values = np.empty(n_permutations)
    done = 0
    while done < n_permutations:
        size = min(null.batch_limit, n_permutations - done)
        values[done : done + size] = null.batch(size, rng)
        done += size
        if progress is not None:
            progress.update(size)
    return values


def sequential_null(null, n_permutations, h, rng, progress=None):
    """Besag-Clifford sequential draws: stop once ``h`` null values reach the observed one.

    Returns ``(values drawn up to the stopping point, number of exceedances)``.
    """
    threshold = null.observed - null.tolerance
    values = np.empty(n_permutations)
    done, exceed = 0, 0
    size = max(2 * h, 32)
    while done < n_permutations:
        size = min(size, null.batch_limit, n_permutations - done)
        batch = null.batch(size, rng)
        hits = np.flatnonzero(batch >= threshold)
        if exceed + hits.size >= h:
            stop = int(hits[h - exceed - 1]) + 1  # draws of this batch up to the h-th hit
            values[done : done + stop] = batch[:stop]
            if progress is not None:
                progress.update(stop)
            return values[: done + stop], h
        values[done : done + size] = batch
        exceed += hits.size
        done += size
        if progress is not None:
            progress.update(size)
        size *= 2
    return values, exceed
