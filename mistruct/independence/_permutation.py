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

With NumPy Generators the draws and decisions run compiled (numba; issue 15):
one replicate at a time, checked before every stratum rather than between
stages, each cell drawn from the query's own generator by inversion from the
mode or, for wide laws, Stadlober's ratio of uniforms.  A second bound joins
the caps there: the probability that the strata left add ``t`` to G is at
most ``exp(sum_s (log M_s + C_s) - t / 2)`` (:func:`_tail_terms`; for 2 x 2
strata, a Chernoff bound from their exact law is often tighter), so a
replicate that would need more than the strata left reach with probability
2^-100 is decided as falling short.  A clear dependence (G_obs beyond that
bound for all strata) then costs no draw at all; the chance that any such
decision differs from the full statistic's, summed over every test of a PC
run, stays below 1e-20, far below the rounding of any sampler.  The NumPy
path (``COMPILED = False``, or a generator-like object with NumPy's
``hypergeometric``) is the reference implementation.
"""

from __future__ import annotations

import math
import threading

import numpy as np
from scipy.special import gammaln

from mistruct.measures import Blocks, estimate_entropy

#: Elements per working array in one batch of draws (bounds memory: ~8 MiB each).
CELL_BUDGET = 2**20

#: Draw with the compiled kernels (``_*_kernel``); False runs the NumPy reference path
#: (``rng.hypergeometric`` on arrays, strata in stages), kept for benchmarks and tests.
COMPILED = True

#: The compiled sampler searches from the mode below this standard deviation of the cell
#: (squared: a variance), and uses Stadlober's ratio of uniforms (HRUA) above it.
HRUA_FROM = 16.0

#: The compiled path also decides a replicate as not reaching G_obs when the strata left
#: reach what it lacks with probability below exp(-TAIL_LOG_ODDS) (a bound, see
#: ``_tail_terms``): 2^-100, so that a wrong decision is never seen (summed over every
#: check of every replicate of a PC run, < 1e-20), while a clear dependence costs no draws.
#: 0 turns it off (decisions from the caps only).
TAIL_LOG_ODDS = 100 * math.log(2.0)

#: The exponents of the Chernoff bounds tried (1: the bound of ``_tail_terms`` alone).
TAIL_LAMBDAS = (1.0, 0.9, 0.75, 0.5, 0.25)

#: Replicates per call of the compiled kernel (bounds the wait between progress updates).
KERNEL_BATCH = 4096

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
    if COMPILED and lut is None and fixed is None and out is not None and _is_generator(rng):
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        cols = np.ascontiguousarray(cols, dtype=np.int64)
        _compiled("_tables_kernel")(rows, cols, rng, _log_factorials(), out)
        return None
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


def _tail_terms(rows, cols, kx, ky):
    """Per stratum, ``log M + C``: ``P(G_s >= t) <= exp(log M + C - t / 2)``, and so for sums.

    By Stirling, ``log k! = k log k - k + S(k)`` with ``S(0) = 0`` and ``S``
    concave (``S(k + 1) - S(k) = 1 - k log(1 + 1/k)`` decreases from 1), hence
    subadditive.  A table's probability ``prod r! prod c! / (m! prod t!)`` is
    then ``exp(-G / 2 + sum S(r) + sum S(c) - S(m) - sum S(t))``, and
    subadditivity within each row and each column gives ``sum S(t) >=
    max(sum S(r), sum S(c))``: ``P(T) <= exp(C - G(T) / 2)`` with ``C =
    min(sum S(r), sum S(c)) - S(m)``.  The rows but the largest fix a table,
    and row ``i`` has at most ``min(prod_j (min(r_i, c_j) + 1), C(r_i + k - 1,
    k - 1))`` fillings (its cells but the largest column's, or the
    compositions of ``r_i`` into ``k`` non-empty columns), so the stratum has
    at most ``M`` tables, the product over those rows (the smaller of it and
    its transpose's).  Summing over the tables of independent strata,
    ``P(sum_s G_s >= t) <= exp(sum_s (log M_s + C_s) - t / 2)``.

    ``rows`` and ``cols`` are sorted largest first with ``kx`` and ``ky``
    non-empty entries per stratum.
    """

    def stirling(k):
        k = np.asarray(k, dtype=float)
        return gammaln(k + 1.0) - _xlogx(k) + k

    def log_tables(rows, cols, k):
        # Rows 1.. (the largest, row 0, is forced); empty rows and cells give log 1 = 0.
        cells = np.log1p(np.minimum(rows[:, 1:, None], cols[:, None, 1:])).sum(axis=2)
        free = rows[:, 1:].astype(float)
        parts = np.asarray(k, dtype=float)[:, None]
        compositions = gammaln(free + parts) - gammaln(free + 1.0) - gammaln(parts)
        return np.minimum(cells, compositions).sum(axis=1)

    totals = rows.sum(axis=1)
    by_rows, by_cols = stirling(rows).sum(axis=1), stirling(cols).sum(axis=1)
    constant = np.minimum(by_rows, by_cols) - stirling(totals)
    count = np.minimum(log_tables(rows, cols, ky), log_tables(cols, rows, kx))
    return count + constant


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
        self._kx_live = (self._rows > 0).sum(axis=1)
        self._ky_live = (self._cols > 0).sum(axis=1)
        self._shape = self._kx_live * (self.ky + 1) + self._ky_live
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
        self._stage_list = None
        self._groups = {}
        # The compiled path also uses the tail bound of the strata left (see
        # _tail_terms): the smaller of the two is what a replicate can still gain.
        self._reach_left = self._cap_left
        if TAIL_LOG_ODDS and n_strata:
            self._reach_left = np.minimum(self._cap_left, self._tail_reach())

    def _tail_reach(self):
        """Per check, the gain the strata left exceed with probability < exp(-TAIL_LOG_ODDS).

        Chernoff: ``P(G_rest >= g) <= exp(sum_s L_s(lam) - lam g / 2)`` for
        ``L_s(lam) = log E exp(lam G_s / 2)``, any ``lam`` in (0, 1].  A 2 x 2
        stratum's ``L_s`` is summed exactly over its tables (one free cell);
        any stratum's is at most ``log M_s + C_s`` (:func:`_tail_terms`).  The
        smallest gain over a few ``lam`` is kept: each is a valid bound.
        """
        tail = _tail_terms(self._rows, self._cols, self._kx_live, self._ky_live)
        lambdas = np.array(TAIL_LAMBDAS)
        log_mgf = np.repeat(tail[:, None], lambdas.size, axis=1)
        small = np.flatnonzero((self._kx_live == 2) & (self._ky_live == 2))
        if small.size and lambdas.size > 1:
            _compiled("_mgf_kernel")(
                self._rows[small, :2].copy(),
                self._cols[small, :2].copy(),
                self.offsets[small].copy(),
                lambdas,
                _lookup_table(),
                _log_factorials(),
                log_mgf,
                small,
            )
        suffix = np.cumsum(log_mgf[::-1], axis=0)[::-1]
        suffix = np.concatenate([suffix, np.zeros((1, lambdas.size))])
        return (2.0 * (suffix + TAIL_LOG_ODDS) / lambdas).min(axis=1)

    @property
    def _stages(self):
        """The stages of the NumPy reference path, ``(start, stop)`` pairs (built when used)."""
        if self._stage_list is None:
            bounds = self._stage_bounds(self.observed - self.tolerance)
            self._stage_list = list(zip(bounds[:-1], bounds[1:], strict=True))
        return self._stage_list

    @_stages.setter
    def _stages(self, stages):
        self._stage_list = list(stages)

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

    def _margins(self):
        """The room for rounding of every early decision (see :meth:`exceedances`)."""
        sure = self.tolerance / 2
        return sure, sure + 1e-9 * self._cap_left[0]

    def decide(self, size, rng, threshold, fill_rng=None, stop_hits=0):
        """Replicates drawn one at a time by the compiled kernel, decided stratum by stratum.

        The replicates are those of :meth:`exceedances` (same law, same exact
        decisions), checked after every stratum instead of after each stage.

        Parameters
        ----------
        size : int
            Most replicates to draw.
        rng : numpy.random.Generator
        threshold : float
        fill_rng : numpy.random.Generator, optional
            As in :meth:`exceedances`.
        stop_hits : int
            Stop after the replicate that is the ``stop_hits``-th to reach the
            threshold (0: draw all ``size``).

        Returns
        -------
        used : int
            Replicates drawn (``size`` unless stopped).
        hits : bool array (used,)
        values : float array (used,) or None
        """
        hits = np.zeros(size, dtype=bool)
        fill = fill_rng is not None
        values = np.zeros(size if fill else 0)
        sure, hopeless = self._margins()
        if not fill and threshold - hopeless - self._reach_left[0] > 0:
            return size, hits, None  # decided before any draw: no replicate can reach it
        if not fill and threshold + sure <= 0:
            hits[:] = True  # G_obs = 0: every replicate reaches it
            used = size if stop_hits <= 0 else min(size, stop_hits)
            return used, hits[:used], None
        used = _compiled("_decide_kernel")(
            self._rows,
            self._cols,
            self._kx_live,
            self._ky_live,
            self.offsets,
            self._reach_left,
            float(threshold),
            float(sure),
            float(hopeless),
            int(stop_hits),
            rng,
            fill_rng if fill else rng,
            fill,
            _lookup_table(),
            _log_factorials(),
            hits,
            values,
        )
        return int(used), hits[:used], (values[:used] if fill else None)

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

        Notes
        -----
        With NumPy Generators (and :data:`COMPILED`) the compiled kernel of
        :meth:`decide` draws; any other ``rng`` (an object with NumPy's
        ``hypergeometric``) runs the NumPy reference path, in stages.
        """
        if _compiled_path(rng, fill_rng):
            _, hits, values = self.decide(size, rng, threshold, fill_rng)
            return hits, values
        terms = np.zeros((size, self.n_strata))
        partial = np.zeros(size)
        hits = np.zeros(size, dtype=bool)
        skipped_from = np.full(size, len(self._stages))  # first stage not drawn
        undecided = np.arange(size)
        # Decide only with room for rounding (half the tolerance, which bounds
        # it several times over, and 1e-9 of the caps for their running sums),
        # so that every decision is the one the full statistic would give.
        # With G_obs = 0 every replicate is decided before any draw.
        sure, hopeless = self._margins()
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
    compiled = hasattr(null, "decide") and _compiled_path(rng, fill_rng)
    while done < n_permutations:
        if compiled:
            size = min(KERNEL_BATCH, n_permutations - done)
            _, hits, batch = null.decide(size, rng, threshold, fill_rng)
        else:
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
    if hasattr(null, "decide") and _compiled_path(rng, fill_rng):
        # One replicate at a time: the kernel stops at the h-th exceedance itself.
        while done < n_permutations:
            size = min(KERNEL_BATCH, n_permutations - done)
            used, hits, batch = null.decide(size, rng, threshold, fill_rng, h - exceed)
            exceed += int(np.count_nonzero(hits))
            if batch is not None:
                kept.append(batch)
            done += used
            if progress is not None:
                progress.update(used)
            if exceed >= h:
                break
        return done, exceed, _joined(kept)
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


def _compiled_path(rng, fill_rng=None) -> bool:
    """Whether the compiled kernels draw (NumPy Generators only; else the reference path)."""
    return COMPILED and _is_generator(rng) and (fill_rng is None or _is_generator(fill_rng))


# ---------------------------------------------------------------- compiled kernels
#
# NumPy's sampler costs a Python call per cell of the Patefield fill, over arrays that
# shrink as replicates are decided (measured on PC/ALARM: 5 s of 11 s in those calls).
# The kernels below draw one replicate at a time, stratum after stratum, and decide it
# after every stratum, in compiled loops (numba, compiled on first use and cached on
# disk, so importing mistruct does not import numba).  Their uniforms come from the
# query's own NumPy Generator (numba shares its state), so a seed still fixes the
# p-value.


def _xlogx_kernel(k, xlogx):
    """``k log k`` from the table for small k (the bits the observed statistic used)."""
    if k < xlogx.shape[0]:
        return xlogx[k]
    return k * math.log(k)


def _log_factorial_kernel(k, log_factorial):
    if k < log_factorial.shape[0]:
        return log_factorial[k]
    return math.lgamma(k + 1.0)


def _hypergeometric_kernel(good, bad, sample, rng, log_factorial):
    """Good items among ``sample`` drawn without replacement from ``good + bad``.

    Inversion of one uniform, searching outwards from the mode (Kachitvichyanukul &
    Schmeiser 1985 call it inversion from the mode): the probability at the mode from
    log-factorials, its neighbours by the ratio of successive probabilities, the
    upper and lower neighbours taken in turn until their mass passes the uniform.
    The expected number of steps is of the order of the standard deviation, a few
    for the cells of a PC test.  Every value is returned with its hypergeometric
    probability (to rounding); a uniform left over by rounding (mass < 1e-12)
    returns the mode.
    """
    if sample <= 0 or good <= 0:
        return 0
    if bad <= 0:
        return sample
    lo = max(0, sample - bad)
    hi = min(sample, good)
    if lo == hi:
        return lo
    total = good + bad
    spread = float(sample) * (total - sample) / total * good / total * bad / (total - 1.0)
    if spread >= HRUA_FROM:
        return _hrua_kernel(good, bad, sample, rng, log_factorial)
    mode = ((sample + 1) * (good + 1)) // (total + 2)
    mode = min(max(mode, lo), hi)
    log_p = (
        _log_factorial_kernel(good, log_factorial)
        - _log_factorial_kernel(mode, log_factorial)
        - _log_factorial_kernel(good - mode, log_factorial)
        + _log_factorial_kernel(bad, log_factorial)
        - _log_factorial_kernel(sample - mode, log_factorial)
        - _log_factorial_kernel(bad - sample + mode, log_factorial)
        + _log_factorial_kernel(sample, log_factorial)
        + _log_factorial_kernel(total - sample, log_factorial)
        - _log_factorial_kernel(total, log_factorial)
    )
    p_mode = math.exp(log_p)
    u = rng.random() - p_mode
    if u <= 0.0:
        return mode
    up, p_up = mode, p_mode
    down, p_down = mode, p_mode
    g, b, n = float(good), float(bad), float(sample)
    while up < hi or down > lo:
        if up < hi:
            p_up *= (g - up) * (n - up) / ((up + 1.0) * (b - n + up + 1.0))
            up += 1
            u -= p_up
            if u <= 0.0:
                return up
        if down > lo:
            p_down *= down * (b - n + down) / ((g - down + 1.0) * (n - down + 1.0))
            down -= 1
            u -= p_down
            if u <= 0.0:
                return down
    return mode


def _hrua_kernel(good, bad, sample, rng, log_factorial):
    """A hypergeometric variate by Stadlober's ratio of uniforms (HRUA; Stadlober 1989, 1990).

    For wide laws, where the search from the mode would take many steps: a
    point ``(U, V)`` uniform on the unit square proposes ``X = a + h (V - 1/2)
    / U`` (``a`` = mean + 1/2, ``h = D1 sqrt(var + 1/2) + D2``, a table-mountain
    hat), accepted when ``U^2 <= p(floor X) / p(mode)``, with Stadlober's
    squeezes ``U (4 - U) - 3 <= T`` (accept) and ``U (U - T) >= 1`` (reject)
    for ``T = log(p(K) / p(mode))``; both follow from ``U - 1/U <= 2 log U <=
    U (4 - U) - 3`` on (0, 1].  The law is exact up to the truncation at
    ``a + 16 sd`` (mass far below 2^-53).  It works on the smaller of the two
    kinds and of the sample and its complement, and maps back.
    """
    total = good + bad
    n = min(sample, total - sample)
    small = min(good, bad)
    large = max(good, bad)
    p = small / total
    q = large / total
    mean = n * p
    a = mean + 0.5
    var = (total - n) * n * p * q / (total - 1.0)
    c = math.sqrt(var + 0.5)
    h = 1.7155277699214135 * c + 0.8989161620588988
    mode = int(math.floor((n + 1.0) * (small + 1.0) / (total + 2.0)))
    g = (
        _log_factorial_kernel(mode, log_factorial)
        + _log_factorial_kernel(small - mode, log_factorial)
        + _log_factorial_kernel(n - mode, log_factorial)
        + _log_factorial_kernel(large - n + mode, log_factorial)
    )
    b = min(min(n, small) + 1.0, math.floor(a + 16.0 * c))
    lowest = max(0, n - large)
    while True:
        u = rng.random()
        v = rng.random()
        if u == 0.0:
            continue
        x = a + h * (v - 0.5) / u
        if x < lowest or x >= b:
            continue
        k = int(math.floor(x))
        t = g - (
            _log_factorial_kernel(k, log_factorial)
            + _log_factorial_kernel(small - k, log_factorial)
            + _log_factorial_kernel(n - k, log_factorial)
            + _log_factorial_kernel(large - n + k, log_factorial)
        )
        if u * (4.0 - u) - 3.0 <= t:
            break
        if u * (u - t) >= 1.0:
            continue
        if 2.0 * math.log(u) <= t:
            break
    if good > bad:
        k = n - k
    if n < sample:
        k = good - k
    return k


def _stratum_kernel(rows, cols, kx, ky, rng, xlogx, log_factorial, col_left):
    """``sum t log t`` over the cells of one random table with margins ``rows[:kx]``, ``cols[:ky]``.

    Patefield's fill (AS 159): cell (i, j) is hypergeometric given the cells
    before it, row i's remaining observations drawn from column j's remaining
    total ("good") and the remaining totals of the columns after it ("bad").
    """
    for j in range(ky):
        col_left[j] = cols[j]
    left = 0
    for i in range(kx):
        left += rows[i]
    acc = 0.0
    for i in range(kx - 1):
        row_left = rows[i]
        bad = left - col_left[0]
        for j in range(ky - 1):
            if row_left == 0:
                break  # the rest of the row is empty
            good = col_left[j]
            if j:
                bad -= good
            cell = _hypergeometric_kernel(good, bad, row_left, rng, log_factorial)
            acc += _xlogx_kernel(cell, xlogx)
            row_left -= cell
            col_left[j] = good - cell
        acc += _xlogx_kernel(row_left, xlogx)
        col_left[ky - 1] -= row_left
        left -= rows[i]
    for j in range(ky):
        acc += _xlogx_kernel(col_left[j], xlogx)
    return acc


def _decide_kernel(
    rows,
    cols,
    kx,
    ky,
    offsets,
    cap_left,
    threshold,
    sure,
    hopeless,
    stop_hits,
    rng,
    fill_rng,
    fill,
    xlogx,
    log_factorial,
    hits,
    values,
):
    """Replicates drawn one by one, each decided as soon as its strata drawn settle it.

    Before each stratum a replicate is decided if its partial sum reaches
    ``threshold + sure`` or cannot reach ``threshold`` even with the caps left
    (with ``hopeless`` to spare); one drawn in full is decided on its sum.
    With ``fill``, a replicate's skipped strata are then drawn from
    ``fill_rng`` (``rng`` is used as without it) and its statistic stored.
    Stops after the ``stop_hits``-th replicate reaching the threshold (0: never);
    returns the replicates used.
    """
    n_strata = offsets.shape[0]
    col_left = np.empty(max(cols.shape[1], 1), dtype=np.int64)
    found = 0
    size = hits.shape[0]
    for r in range(size):
        partial = 0.0
        s = 0
        hit = False
        decided = False
        while s < n_strata:
            if partial >= threshold + sure:
                hit = True
                decided = True
                break
            if partial < threshold - hopeless - cap_left[s]:
                decided = True
                break
            sums = _stratum_kernel(
                rows[s], cols[s], kx[s], ky[s], rng, xlogx, log_factorial, col_left
            )
            partial += 2.0 * (sums - offsets[s])
            s += 1
        if not decided:
            hit = partial >= threshold
        hits[r] = hit
        if fill:
            while s < n_strata:
                sums = _stratum_kernel(
                    rows[s], cols[s], kx[s], ky[s], fill_rng, xlogx, log_factorial, col_left
                )
                partial += 2.0 * (sums - offsets[s])
                s += 1
            values[r] = partial
        if hit:
            found += 1
            if found == stop_hits:
                return r + 1
    return size


def _tables_kernel(rows, cols, rng, log_factorial, out):
    """Patefield fills of ``out`` (size, n_strata, kx, ky); empty rows and columns allowed."""
    size, n_strata, kx, ky = out.shape
    col_left = np.empty(ky, dtype=np.int64)
    for r in range(size):
        for s in range(n_strata):
            left = 0
            for j in range(ky):
                col_left[j] = cols[s, j]
                left += cols[s, j]
            for i in range(kx - 1):
                row_left = rows[s, i]
                bad = left - col_left[0]
                for j in range(ky - 1):
                    good = col_left[j]
                    if j:
                        bad -= good
                    cell = _hypergeometric_kernel(good, bad, row_left, rng, log_factorial)
                    out[r, s, i, j] = cell
                    row_left -= cell
                    col_left[j] = good - cell
                out[r, s, i, ky - 1] = row_left
                col_left[ky - 1] -= row_left
                left -= rows[s, i]
            for j in range(ky):
                out[r, s, kx - 1, j] = col_left[j]


def _mgf_kernel(rows, cols, offsets, lambdas, xlogx, log_factorial, out, where):
    """``out[where[s], l] = log E exp(lambdas[l] G_s / 2)`` of 2 x 2 strata, summed exactly.

    The table is fixed by its first cell ``k``, hypergeometric; each sum is
    taken in log space from its largest term.
    """
    n_lambdas = lambdas.shape[0]
    terms = np.empty(n_lambdas)
    for s in range(rows.shape[0]):
        r0, r1 = rows[s, 0], rows[s, 1]
        c0, c1 = cols[s, 0], cols[s, 1]
        total = r0 + r1
        lo = max(0, r0 - c1)
        hi = min(r0, c0)
        base = (
            _log_factorial_kernel(r0, log_factorial)
            + _log_factorial_kernel(r1, log_factorial)
            + _log_factorial_kernel(c0, log_factorial)
            + _log_factorial_kernel(c1, log_factorial)
            - _log_factorial_kernel(total, log_factorial)
        )
        # Pass 1: the largest exponent of each sum; pass 2: the sum from it.
        for pass_ in range(2):
            for m in range(n_lambdas):
                if pass_ == 0:
                    terms[m] = -np.inf
            sums = np.zeros(n_lambdas)
            for k in range(lo, hi + 1):
                cells = (k, r0 - k, c0 - k, r1 - c0 + k)
                log_p = base
                sum_xlogx = 0.0
                for t in cells:
                    log_p -= _log_factorial_kernel(t, log_factorial)
                    sum_xlogx += _xlogx_kernel(t, xlogx)
                g = 2.0 * (sum_xlogx - offsets[s])
                for m in range(n_lambdas):
                    exponent = log_p + lambdas[m] * g / 2.0
                    if pass_ == 0:
                        terms[m] = max(terms[m], exponent)
                    else:
                        sums[m] += math.exp(exponent - terms[m])
            if pass_ == 1:
                for m in range(n_lambdas):
                    if lambdas[m] < 1.0:
                        out[where[s], m] = terms[m] + math.log(sums[m])


def _hypergeometric_draws_kernel(good, bad, sample, rng, log_factorial, out):
    """``out[k]`` hypergeometric with the scalar parameters (for tests of the sampler)."""
    for k in range(out.shape[0]):
        out[k] = _hypergeometric_kernel(good, bad, sample, rng, log_factorial)


# Callees first: a kernel compiles against the dispatchers of the kernels it calls, which
# replace the Python functions of the same name in this module's namespace.
_KERNELS = (
    "_xlogx_kernel",
    "_log_factorial_kernel",
    "_hrua_kernel",
    "_hypergeometric_kernel",
    "_stratum_kernel",
    "_decide_kernel",
    "_tables_kernel",
    "_mgf_kernel",
    "_hypergeometric_draws_kernel",
)
_compiled_kernels = {}
_compile_lock = threading.Lock()
_LOG_FACTORIAL = []


def _compiled(name: str):
    """The numba-compiled kernel ``name`` (all compiled on first use, cached on disk by numba)."""
    kernel = _compiled_kernels.get(name)
    if kernel is None:
        import numba

        with _compile_lock:
            if not _compiled_kernels:
                namespace = globals()
                for each in _KERNELS:
                    namespace[each] = numba.njit(cache=True, nogil=True)(namespace[each])
                    _compiled_kernels[each] = namespace[each]
            kernel = _compiled_kernels[name]
    return kernel


def _log_factorials():
    """``log k!`` for k = 0 .. LOOKUP_LIMIT, built once (each entry from lgamma: no drift)."""
    if not _LOG_FACTORIAL:
        _LOG_FACTORIAL.append(np.array([math.lgamma(k + 1.0) for k in range(LOOKUP_LIMIT + 1)]))
    return _LOG_FACTORIAL[0]


def _is_generator(rng) -> bool:
    return isinstance(rng, np.random.Generator)


def hypergeometric(good: int, bad: int, sample: int, size: int, rng) -> np.ndarray:
    """``size`` hypergeometric variates from the compiled sampler of the exact tests.

    Parameters
    ----------
    good, bad : int
        Items of each kind.
    sample : int
        Items drawn without replacement.
    size : int
        Variates.
    rng : numpy.random.Generator
        Supplies one uniform per variate (and none when the value is certain).

    Returns
    -------
    int64 array (size,)

    Examples
    --------
    >>> draws = hypergeometric(5, 5, 4, 1000, np.random.default_rng(0))
    >>> bool(draws.min() >= 0 and draws.max() <= 4), bool(abs(draws.mean() - 2.0) < 0.2)
    (True, True)
    """
    out = np.empty(int(size), dtype=np.int64)
    _compiled("_hypergeometric_draws_kernel")(
        int(good), int(bad), int(sample), rng, _log_factorials(), out
    )
    return out
