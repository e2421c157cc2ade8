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

A p-value only needs to know, for each replicate, whether its G reaches the
observed one.  G is a sum over strata of terms between 0 and a cap set by the
margins, so :class:`PluginNull` draws the strata in stages and stops drawing a
replicate as soon as the strata drawn settle that question (its partial sum
already reaches G_obs, or cannot reach it even if every stratum left took its
cap).  The indicators, hence the p-values, have exactly the law of full draws;
PC on ALARM (10^4 rows, B = 1000) makes a third of the hypergeometric draws
that full tables would take.
"""

from __future__ import annotations

import numpy as np

from mistruct.measures import Blocks, estimate_entropy

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
    return _lookup_table().__getitem__


_TABLE = []


def _lookup_table():
    """``k log k`` for k = 0 .. LOOKUP_LIMIT, built once: a PC run asks for it thousands of times.

    Always the full size, so that a count reads the same bits whatever the
    query that built the table.
    """
    if not _TABLE:
        _TABLE.append(_xlogx(np.arange(LOOKUP_LIMIT + 1)))
    return _TABLE[0]


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


def _xlogx_sums(rows, cols, size, rng, lut):
    """Per-stratum sums of ``lut(t)`` over the cells of random tables with given margins.

    The Patefield fill of :func:`draw`, meant for strata whose rows and
    columns are all non-empty (no draw spent on a structural zero).  The
    total left in a stratum before row ``i`` does not depend on the draws,
    so each row's "bad" counts start from it instead of a sum over columns.

    Parameters
    ----------
    rows : int64 array (n_strata, kx)
    cols : int64 array (n_strata, ky)
    size : int
        Replicates.
    rng : numpy.random.Generator
    lut : callable
        ``k -> k log k`` for integer arrays.

    Returns
    -------
    float array (size, n_strata)
    """
    n_strata, kx = rows.shape
    ky = cols.shape[1]
    col_left = np.empty((size, n_strata, ky), dtype=np.int64)
    col_left[...] = cols
    acc = np.zeros((size, n_strata))
    row_left = np.empty((size, n_strata), dtype=np.int64)
    left = rows.sum(axis=1)
    for i in range(kx - 1):
        row_left[...] = rows[:, i]
        bad = left - col_left[:, :, 0]
        for j in range(ky - 1):
            good = col_left[:, :, j]
            if j:
                bad -= good
            cell = rng.hypergeometric(good, bad, row_left)
            acc += lut(cell)
            row_left -= cell
            good -= cell
        acc += lut(row_left)
        col_left[:, :, ky - 1] -= row_left
        left = left - rows[:, i]
    for j in range(ky):
        acc += lut(col_left[:, :, j])
    return acc


def _fill_bound(rows, cols, lut):
    """An upper bound on ``sum t log t`` over the tables of each stratum with these margins.

    Row ``i`` puts ``rows[i]`` observations in cells no larger than the
    column totals; among such rows, the one that fills the largest columns
    first majorizes every other, so it has the largest ``sum t log t`` (a
    Schur-convex function).  Adding that up over the rows bounds the table.
    Each row's share is at most ``r log r``, so the bound (and its transpose)
    is never looser than ``min(sum r log r, sum c log c)``, i.e. ``G_s <= 2
    n_s min(H(X), H(Y))``, and it is much tighter when the two margins are
    skewed differently: rows (900, 100) and columns (500, 500) give G <= 150
    (the true maximum) where the entropy bound allows 650.
    """
    largest_first = -np.sort(-cols, axis=1)
    used_before = np.cumsum(largest_first, axis=1) - largest_first
    fill = np.clip(rows[:, :, None] - used_before[:, None, :], 0, largest_first[:, None, :])
    return lut(fill).sum(axis=(1, 2))


class PluginNull:
    """Null statistics ``G = 2 N CMI`` (plug-in, nats) of the live strata.

    Strata with a single non-empty row or column ("dead") admit one table
    only and contribute exactly 0 to G, so they are left out; so are the
    empty rows and columns of the live strata, which would cost draws that
    can only give 0.

    ``G = sum_s G_s`` over strata drawn independently, and each ``G_s`` lies
    in ``[0, cap_s]``, ``cap_s`` from :func:`_fill_bound` (no cell exceeds its
    row or its column total).  :meth:`exceedances` draws the strata in
    stages, largest cap per draw first; before each stage, a replicate whose
    partial sum already reaches the threshold, or cannot reach it even if
    every stratum left took its cap, is decided and its other strata are not
    drawn.  Its indicator ``G >= threshold`` is the one its full table would
    give, so the p-value keeps its exact permutation law, at a fraction of
    the draws: under a clear dependence ``G_obs`` exceeds the caps of the
    small strata, which are then never drawn, and under independence most
    replicates pass a small ``G_obs`` after a few strata.
    """

    def __init__(self, rows, cols, counts):
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        self.kx, self.ky = rows.shape[1], cols.shape[1]
        n_strata = self.n_strata = rows.shape[0]
        totals = rows.sum(axis=1)
        self.lut = lut = xlogx_function(int(totals.max()) if n_strata else 0)
        row_terms = lut(rows).sum(axis=1)
        col_terms = lut(cols).sum(axis=1)
        total_terms = lut(totals)
        offsets = row_terms + col_terms - total_terms
        if n_strata > 1:
            bound = np.minimum(_fill_bound(rows, cols, lut), _fill_bound(cols, rows, lut))
        else:  # one stratum: no check can use its cap, so the cheapest bound will do
            bound = np.minimum(row_terms, col_terms)
        caps = 2.0 * (bound - offsets)
        # Largest cap per draw first: a replicate is decided once the caps left
        # fall far enough below G_obs, and these strata bring them down fastest.
        dof = ((rows > 0).sum(axis=1) - 1) * ((cols > 0).sum(axis=1) - 1)
        order = np.argsort(-caps / np.maximum(dof, 1), kind="stable")
        self.offsets, self.caps = offsets[order], caps[order]
        # Each stratum's rows and columns, largest first, so that its empty ones
        # come last and are cut off (in the PC runs on ALARM this order also
        # drew about 10% faster than smallest first).
        self._rows = -np.sort(-rows[order], axis=1)
        self._cols = -np.sort(-cols[order], axis=1)
        self._shape = (self._rows > 0).sum(axis=1) * (self.ky + 1) + (self._cols > 0).sum(axis=1)
        self.batch_limit = max(1, CELL_BUDGET // max(1, n_strata * max(self.kx, self.ky)))
        terms = 2.0 * (lut(np.asarray(counts, dtype=np.int64)).sum(axis=(1, 2)) - offsets)
        self.observed = float(terms[order].sum()) if n_strata else 0.0
        # Bound on the rounding error of a statistic, of a partial sum and of
        # the caps: each term is 2 (sum t log t - offset) over kx * ky cells,
        # then the terms are summed over the strata.
        magnitude = 2.0 * float(
            np.abs(terms).sum() + row_terms.sum() + col_terms.sum() + 2.0 * total_terms.sum()
        )
        self.tolerance = (
            1e-12 * abs(self.observed) + 8 * _EPS * (self.kx * self.ky + 16) * magnitude
        )
        self._cap_left = float(self.caps.sum()) - np.concatenate([[0.0], np.cumsum(self.caps)])
        bounds = self._stage_bounds(self.observed - self.tolerance)
        self._stages = list(zip(bounds[:-1], bounds[1:], strict=True))
        self._groups = {}

    def _stage_bounds(self, threshold):
        """Where the stages split the strata (in cap order); checks come between them.

        A check costs a round of draws for the replicates still undecided,
        so it is placed where it is likely to decide many: where a typical
        partial sum (a chi-squared sum: mean the degrees of freedom drawn,
        sd the square root of twice that) has passed the threshold, or stays
        below it by more than the caps left, with three sd to spare.  Later
        stages double in size, so a query costs few stages whatever its
        number of strata.  Where the checks fall changes the cost only:
        every check is exact.
        """
        n_strata = self.n_strata
        if not n_strata:
            return [0]
        dof = (self._shape // (self.ky + 1) - 1) * (self._shape % (self.ky + 1) - 1)
        mean = np.concatenate([[0.0], np.cumsum(dof)])
        spread = 3.0 * np.sqrt(2.0 * mean)
        likely = (mean >= threshold) | (mean + spread + self._cap_left < threshold)
        likely[[0, -1]] = False
        first = int(np.argmax(likely)) if likely.any() else n_strata
        bounds = [0, first]
        step = 1
        while bounds[-1] < n_strata:
            bounds.append(min(n_strata, bounds[-1] + step))
            step *= 2
        return bounds

    def _stage_groups(self, start, stop):
        """Strata ``start:stop`` grouped by non-empty shape: ``(local, rows, cols)``.

        ``local`` indexes the group's strata within the stage; ``rows`` and
        ``cols`` are their non-empty margins, largest first.  Cached, as the
        completion of the null values draws the same stages again.
        """
        key = (start, stop)
        if key not in self._groups:
            shapes = self._shape[start:stop]
            kinds = np.unique(shapes)
            groups = []
            for kind in kinds.tolist():
                local = np.flatnonzero(shapes == kind) if kinds.size > 1 else slice(None)
                a, b = divmod(kind, self.ky + 1)
                rows = self._rows[start:stop][local, :a]
                cols = self._cols[start:stop][local, :b]
                groups.append((local, rows, cols))
            self._groups[key] = groups
        return self._groups[key]

    def _draw(self, start, stop, size, rng):
        """Terms ``G_s`` of strata ``start:stop`` for ``size`` new replicates."""
        out = np.empty((size, stop - start))
        offsets = self.offsets[start:stop]
        for local, rows, cols in self._stage_groups(start, stop):
            sums = _xlogx_sums(rows, cols, size, rng, self.lut)
            out[:, local] = 2.0 * (sums - offsets[local])
        return out

    def exceedances(self, size, rng, threshold, fill_rng=None):
        """Which of ``size`` null replicates reach ``threshold``, drawing what decides it.

        Parameters
        ----------
        size : int
        rng : numpy.random.Generator
            Draws the strata that decide each replicate.
        threshold : float
        fill_rng : numpy.random.Generator, optional
            When given, the strata a decided replicate skipped are drawn
            from it afterwards and the full statistics are returned too.
            ``rng`` is used exactly as without it, so asking for the null
            values changes neither the indicators nor the p-value.

        Returns
        -------
        hits : bool array (size,)
        values : float array (size,) or None
        """
        terms = np.zeros((size, self.n_strata))
        partial = np.zeros(size)
        hits = np.zeros(size, dtype=bool)
        skipped_from = np.full(size, len(self._stages))  # first stage not drawn
        undecided = np.arange(size)
        # Decide only with room for rounding (half the tolerance, which bounds
        # it several times over, and 1e-9 of the caps for their running sums),
        # so that every decision is the one the full statistic would give.
        # With G_obs = 0 every replicate is decided before any draw.
        sure = self.tolerance / 2
        hopeless = sure + 1e-9 * self._cap_left[0]
        for k, (start, stop) in enumerate(self._stages):
            so_far = partial[undecided]
            reach = so_far >= threshold + sure
            decided = reach | (so_far < threshold - hopeless - self._cap_left[start])
            if decided.any():
                hits[undecided[reach]] = True
                skipped_from[undecided[decided]] = k
                undecided = undecided[~decided]
                if not undecided.size:
                    break
            block = self._draw(start, stop, undecided.size, rng)
            terms[undecided, start:stop] = block
            partial[undecided] += block.sum(axis=1)
        if undecided.size:
            # Drawn in full: decide on the statistic, summed as the observed one is.
            hits[undecided] = terms[undecided].sum(axis=1) >= threshold
        if fill_rng is None:
            return hits, None
        for k, (start, stop) in enumerate(self._stages):
            todo = np.flatnonzero(skipped_from <= k)
            if todo.size:
                terms[todo, start:stop] = self._draw(start, stop, todo.size, fill_rng)
        return hits, terms.sum(axis=1)


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

    def exceedances(self, size, rng, threshold, fill_rng=None):
        """As :meth:`PluginNull.exceedances`; every replicate is drawn in full (no caps here)."""
        values = self.batch(size, rng)
        return values >= threshold, values


def permutation_test(null, n_permutations, threshold, rng, fill_rng=None, progress=None):
    """Count the null replicates that reach ``threshold``, in batches of fixed size.

    Returns ``(exceedances, values)``; ``values`` (all ``n_permutations``
    null statistics) only when ``fill_rng`` is given or the null computes
    them anyway, else None.
    """
    values = None
    exceed, done = 0, 0
    while done < n_permutations:
        size = min(null.batch_limit, n_permutations - done)
        hits, batch = null.exceedances(size, rng, threshold, fill_rng)
        exceed += int(np.count_nonzero(hits))
        if batch is not None:
            if values is None:
                values = np.empty(n_permutations)
            values[done : done + size] = batch
        done += size
        if progress is not None:
            progress.update(size)
    return exceed, values


def sequential_test(null, n_permutations, h, threshold, rng, fill_rng=None, progress=None):
    """Besag-Clifford sequential draws: stop once ``h`` null values reach ``threshold``.

    Returns ``(replicates used, exceedances, values)``: the replicates up to
    and including the ``h``-th exceedance (or all ``n_permutations``), and
    their null statistics as in :func:`permutation_test`.
    """
    kept = []
    done, exceed = 0, 0
    size = max(2 * h, 32)
    while done < n_permutations:
        size = min(size, null.batch_limit, n_permutations - done)
        hits, batch = null.exceedances(size, rng, threshold, fill_rng)
        where = np.flatnonzero(hits)
        used = size
        if exceed + where.size >= h:
            used = int(where[h - exceed - 1]) + 1  # replicates of this batch up to the h-th hit
        if batch is not None:
            kept.append(batch[:used])
        done += used
        if progress is not None:
            progress.update(used)
        if exceed + where.size >= h:
            return done, h, _joined(kept)
        exceed += where.size
        # No replicate has reached the statistic yet: the test will most likely run to
        # the end, so draw the rest at once (one call instead of a doubling series).
        size = n_permutations if exceed == 0 else 2 * size
    return done, exceed, _joined(kept)


def _joined(parts):
    return np.concatenate(parts) if parts else None
