"""Batched stratified counts: every (x, y | S) query of a PC level in one compiled pass.

A PC level asks thousands of questions ``x _||_ y | S`` whose tables differ
only in a few columns.  :func:`batched_strata` takes them all at once,
grouped by conditioning set: the strata of each set ``S`` (its observed
joint configurations, numbered in order of first appearance) are built once
and reused by every pair that shares ``S``, and each query's
``(stratum, x, y)`` table is counted and reduced in compiled code to the few
numbers a G-test needs, with no Python object per query.

Per query it returns the G statistic (``2 N I(X;Y|S)`` in nats, summed over
the strata where both X and Y take two values or more), the plain and the
adjusted degrees of freedom, the observed strata and levels, the strata that
carry evidence, and Williams' (1976) expected excess of G, which decides
whether the chi-squared law fits (the ``"auto"`` rule of
:func:`mistruct.independence.asymptotic_fits`).

The strata of ``S`` are folded one column at a time, each fold renumbering
the observed pairs (previous stratum, level) through a lookup of at most
``n_rows * cardinality`` entries, so no product of cardinalities is ever
formed and memory stays bounded by the rows, whatever the size of ``S``.
The kernel releases the GIL; ``n_jobs`` threads take disjoint runs of
conditioning sets and write disjoint slices of the output, so the result is
the same, bit for bit, for every ``n_jobs``.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from mistruct.exceptions import InvalidInputError

__all__ = ["BatchedStrata", "StrataCounter", "batched_strata"]

#: Fewest queries in a batch for ``n_jobs > 1`` to start threads: below it the batch
#: runs on one (on andes, PC's later rounds hold a few dozen queries each, and starting
#: threads for them made n_jobs=2 slower than 1).
MIN_PARALLEL_QUERIES = 512


@dataclass(frozen=True)
class BatchedStrata:
    """What the G-tests of a batch of queries need, one entry per query.

    Attributes
    ----------
    statistic : ndarray of float
        ``G = 2 sum_s (sum t log t - sum r log r - sum c log c + m log m)``
        over the strata ``s`` where X and Y both take two values or more
        (the others add 0 up to rounding).
    dof : ndarray of int
        Plain degrees of freedom ``(|X| - 1)(|Y| - 1)|S|`` with the levels of
        X and Y and the strata observed.
    dof_adjusted : ndarray of int
        The sum over strata of ``(r - 1)(c - 1)``, ``r`` and ``c`` the
        non-empty rows and columns of the stratum's table.
    n_strata : ndarray of int
        Observed strata.
    n_informative : ndarray of int
        Strata where X and Y both vary and each repeats a value: the only
        ones that can show dependence.
    levels_x, levels_y : ndarray of int
        Levels of X and of Y observed.
    excess : ndarray of float
        Williams' expected excess of G over its degrees of freedom, summed
        over the strata where both vary.
    n : int
        Rows.
    """

    statistic: np.ndarray
    dof: np.ndarray
    dof_adjusted: np.ndarray
    n_strata: np.ndarray
    n_informative: np.ndarray
    levels_x: np.ndarray
    levels_y: np.ndarray
    excess: np.ndarray
    n: int


class StrataCounter:
    """A table prepared once for many batches of :meth:`count` (one per PC round).

    Each column is recoded to the levels it takes (in code order), so a
    query's tables have the observed levels of X and Y only, as
    :class:`mistruct.independence` reduces them, and stored as one
    contiguous run of rows.

    Parameters
    ----------
    codes : int array of shape (n_rows, n_columns)
        Column ``j`` holds codes ``0 .. cardinalities[j] - 1`` (as
        :attr:`mistruct.data.EncodedTable.codes`).
    cardinalities : sequence of int
    xlogx : float array, optional
        ``xlogx[k] = k log k`` for small counts ``k`` (a lookup is cheaper
        than a log; larger counts are computed).  By default ``k log k`` is
        computed for every count.

    Examples
    --------
    >>> codes = np.array([[0, 0, 0], [1, 1, 0], [0, 0, 1], [1, 1, 1]] * 5)
    >>> counter = StrataCounter(codes, [2, 2, 2])
    >>> counter.count([(0, 1, ()), (0, 1, (2,))]).n_strata.tolist()
    [1, 2]
    """

    def __init__(self, codes, cardinalities, xlogx=None):
        codes = np.asarray(codes)
        if codes.ndim != 2 or codes.dtype.kind not in "iu":
            raise InvalidInputError(
                "codes must be a 2-D integer array (rows x columns), as EncodedTable.codes."
            )
        cards = np.asarray(cardinalities, dtype=np.int64)
        if cards.shape != (codes.shape[1],):
            raise InvalidInputError(
                f"cardinalities must give one number per column ({codes.shape[1]}), got "
                f"{cards.shape[0] if cards.ndim == 1 else cards.shape}."
            )
        self.n_rows = codes.shape[0]
        columns = np.empty((codes.shape[1], self.n_rows), dtype=np.int32)
        levels = np.empty(codes.shape[1], dtype=np.int64)
        for j in range(codes.shape[1]):
            column = codes[:, j]
            used = np.bincount(column, minlength=int(cards[j])) > 0
            recode = np.cumsum(used) - 1
            columns[j] = recode[column]
            levels[j] = max(int(used.sum()), 1)
        self.columns = columns
        self.levels = levels
        self._stacks = []
        self.xlogx = np.zeros(1) if xlogx is None else np.ascontiguousarray(xlogx, dtype=float)

    def count(self, queries, n_jobs=1) -> BatchedStrata:
        """The stratified tables of ``queries``, reduced (see :func:`batched_strata`).

        Parameters
        ----------
        queries : list of (x, y, given)
            Column positions; the strata of ``given`` are in lexicographic
            order of its columns' codes, first column first, and each
            table's cells in the order (x, y).
        n_jobs : int, default 1
            Threads; the result does not depend on it.
        """
        qx = np.empty(len(queries), dtype=np.int64)
        qy = np.empty(len(queries), dtype=np.int64)
        givens = []
        for q, (x, y, given) in enumerate(queries):
            qx[q], qy[q] = x, y
            givens.append(tuple(given))
        # Sets in lexicographic order, so that neighbours share prefixes (folded once),
        # and the queries of one set side by side (its strata built once).
        sets = sorted(set(givens))
        where = {given: k for k, given in enumerate(sets)}
        set_of = np.fromiter((where[g] for g in givens), dtype=np.int64, count=len(givens))
        order = np.argsort(set_of, kind="stable")
        members = np.array([m for given in sets for m in given], dtype=np.int64)
        offsets = np.zeros(len(sets) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(given) for given in sets])
        starts = np.searchsorted(set_of[order], np.arange(len(sets) + 1)).astype(np.int64)
        floats = np.zeros((len(queries), 2))
        ints = np.zeros((len(queries), 6), dtype=np.int64)
        args = (self.columns, self.levels, members, offsets, starts, order.astype(np.int64),
                qx, qy, self.xlogx, floats, ints)
        kernel = _compiled()
        n_sets = len(sets)
        # Threads cost more than they save on a small batch (most PC rounds past the first).
        n_jobs = max(1, min(int(n_jobs), n_sets)) if len(queries) >= MIN_PARALLEL_QUERIES else 1
        depth = max((len(given) for given in sets), default=0)
        if n_jobs == 1:
            if n_sets:
                kernel(0, n_sets, *args, *self._stack(0, depth))
        else:
            # Runs of sets with about equal work (row passes: one per query and per member).
            work = np.cumsum(np.diff(starts) + np.diff(offsets))
            bounds = np.searchsorted(work, work[-1] * np.arange(1, n_jobs) / n_jobs, side="right")
            bounds = [0, *sorted(set(bounds.tolist()) - {0, n_sets}), n_sets]
            stacks = [self._stack(k, depth) for k in range(len(bounds) - 1)]
            with ThreadPoolExecutor(len(bounds) - 1) as pool:
                list(pool.map(lambda k: kernel(bounds[k], bounds[k + 1], *args, *stacks[k]),
                              range(len(bounds) - 1)))
        return BatchedStrata(
            statistic=floats[:, 0],
            dof=np.maximum(ints[:, 3] - 1, 0) * np.maximum(ints[:, 4] - 1, 0) * ints[:, 1],
            dof_adjusted=ints[:, 0],
            n_strata=ints[:, 1],
            n_informative=ints[:, 2],
            levels_x=ints[:, 3],
            levels_y=ints[:, 4],
            excess=floats[:, 1],
            n=int(self.n_rows),
        )


    def _stack(self, worker: int, depth: int):
        """Worker ``worker``'s strata of the prefixes of the set it folded last.

        Kept between batches (a PC round's sets often extend the last ones);
        they only save work: every prefix's strata are the same however
        they were reached.
        """
        while len(self._stacks) <= worker:
            self._stacks.append(None)
        kept = self._stacks[worker]
        if kept is None or kept[0].shape[0] < depth:
            kept = (
                np.empty((max(depth, 1), self.n_rows), dtype=np.int64),
                np.zeros(max(depth, 1), dtype=np.int64),
                np.zeros(max(depth, 1), dtype=np.int64),
                np.zeros(1, dtype=np.int64),
            )
            self._stacks[worker] = kept
        return kept


def batched_strata(codes, cardinalities, queries, *, xlogx=None, n_jobs=1) -> BatchedStrata:
    """Count and reduce the stratified tables of many ``(x, y, given)`` queries.

    Parameters
    ----------
    codes, cardinalities, xlogx
        As in :class:`StrataCounter`.
    queries : list of (x, y, given)
        Column positions; ``given`` a tuple of positions (empty: no
        conditioning).  Queries sharing ``given`` (the same tuple) share its
        strata.
    n_jobs : int, default 1
        Threads; the result does not depend on it.

    Returns
    -------
    BatchedStrata

    See Also
    --------
    StrataCounter : the same, with the table prepared once for many batches.

    Examples
    --------
    >>> codes = np.array([[0, 0, 0], [1, 1, 0], [0, 0, 1], [1, 1, 1]] * 5)
    >>> out = batched_strata(codes, [2, 2, 2], [(0, 1, ()), (0, 1, (2,)), (0, 2, ())])
    >>> out.dof.tolist(), out.dof_adjusted.tolist(), out.n_strata.tolist()
    ([1, 2, 1], [1, 2, 1], [1, 2, 1])
    >>> np.maximum(out.statistic, 0.0).round(3).tolist()  # x = y: 2 N ln 2; x, z: 0
    [27.726, 27.726, 0.0]
    """
    return StrataCounter(codes, cardinalities, xlogx).count(queries, n_jobs=n_jobs)


def _block_sum(values, start, n):  # pragma: no cover - compiled by numba
    """NumPy's pairwise sum of ``values[start:start + n]`` for ``n <= 128``: 8 accumulators."""
    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total += values[i]
        return total
    r0, r1, r2, r3 = values[start], values[start + 1], values[start + 2], values[start + 3]
    r4, r5, r6, r7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
    i = 8
    while i < n - n % 8:
        j = start + i
        r0 += values[j]
        r1 += values[j + 1]
        r2 += values[j + 2]
        r3 += values[j + 3]
        r4 += values[j + 4]
        r5 += values[j + 5]
        r6 += values[j + 6]
        r7 += values[j + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += values[start + i]
        i += 1
    return total


def _pairwise(values, start, n):  # pragma: no cover - compiled by numba
    """NumPy's pairwise sum of ``values[start:start + n]``, in its order (the same bits).

    NumPy halves a run longer than 128 (at a multiple of 8) and adds the two
    sums; the halving is walked here with an explicit stack (numba's disk
    cache does not keep recursive functions).
    """
    if n <= 128:
        return _block_sum_compiled(values, start, n)
    begin = np.empty(64, dtype=np.int64)
    size = np.empty(64, dtype=np.int64)
    phase = np.zeros(64, dtype=np.int64)
    left = np.empty(64, dtype=np.float64)
    top = 0
    begin[0] = start
    size[0] = n
    value = 0.0
    have = False  # a finished child's value waits for the frame on top
    while top >= 0:
        if have:
            if phase[top] == 0:
                left[top] = value
                phase[top] = 1
                have = False
                half = size[top] // 2
                half -= half % 8
                top += 1
                begin[top] = begin[top - 1] + half
                size[top] = size[top - 1] - half
                phase[top] = 0
            else:
                value = left[top] + value
                top -= 1
            continue
        if size[top] <= 128:
            value = _block_sum_compiled(values, begin[top], size[top])
            have = True
            top -= 1
        else:
            half = size[top] // 2
            half -= half % 8
            top += 1
            begin[top] = begin[top - 1]
            size[top] = half
            phase[top] = 0
    return value


def _kernel(first, last, columns, cards, members, offsets, starts, order, qx, qy, lut, floats,
            ints, stack, stack_members, stack_strata, stack_depth):  # pragma: no cover - numba
    n = columns.shape[1]
    n_lut = lut.shape[0]
    empty = np.zeros(n, dtype=np.int64)
    lookup = np.empty(0, dtype=np.int64)
    table = np.empty(0, dtype=np.int64)
    cell_values = np.empty(0, dtype=np.float64)
    # Per stratum where both vary: its G term and its Williams excess, summed at the end.
    terms = np.empty(max(n, 1), dtype=np.float64)
    excesses = np.empty(max(n, 1), dtype=np.float64)
    for s in range(first, last):
        if starts[s] == starts[s + 1]:
            continue
        # The strata of set s, one member at a time.  stack[d] holds the strata of the
        # first d + 1 members of the set folded last; sets come sorted, so the next one
        # usually shares a prefix and folds only its new members.
        size_s = offsets[s + 1] - offsets[s]
        common = 0
        while (
            common < size_s
            and common < stack_depth[0]
            and stack_members[common] == members[offsets[s] + common]
        ):
            common += 1
        for d in range(common, size_s):
            member = members[offsets[s] + d]
            column = columns[member]
            k = cards[member]
            folded = stack[d]
            if d == 0:
                # Recoded to observed levels: the codes are the strata, in order.
                for r in range(n):
                    folded[r] = column[r]
                stack_strata[0] = k if n > 0 else 0
            else:
                previous = stack[d - 1]
                size = stack_strata[d - 1] * k
                if lookup.shape[0] < size:
                    lookup = np.empty(max(size, 2 * lookup.shape[0]), dtype=np.int64)
                lookup[:size] = 0
                for r in range(n):
                    lookup[previous[r] * k + column[r]] = 1
                # Numbered in order of (stratum so far, level): lexicographic in the members.
                found = 0
                for key in range(size):
                    if lookup[key]:
                        lookup[key] = found
                        found += 1
                for r in range(n):
                    folded[r] = lookup[previous[r] * k + column[r]]
                stack_strata[d] = found
            stack_members[d] = member
        stack_depth[0] = size_s
        if size_s == 0:
            strata = empty
            n_strata = 1 if n > 0 else 0
        else:
            strata = stack[size_s - 1]
            n_strata = stack_strata[size_s - 1]
        for position in range(starts[s], starts[s + 1]):
            q = order[position]
            x = columns[qx[q]]
            y = columns[qy[q]]
            kx = cards[qx[q]]
            ky = cards[qy[q]]
            cells = kx * ky
            size = n_strata * cells
            if table.shape[0] < size:
                table = np.empty(max(size, 2 * table.shape[0]), dtype=np.int64)
            table[:size] = 0
            for r in range(n):
                table[strata[r] * cells + x[r] * ky + y[r]] += 1
            if cell_values.shape[0] < cells + 4 * (kx + ky):
                cell_values = np.empty(cells + 4 * (kx + ky), dtype=np.float64)
            rows = np.zeros(kx, dtype=np.int64)
            cols = np.zeros(ky, dtype=np.int64)
            seen_x = np.zeros(kx, dtype=np.bool_)
            seen_y = np.zeros(ky, dtype=np.bool_)
            # Scratch after the cells: x log x of the rows, of the columns, their inverses.
            at_rows = cells
            at_cols = at_rows + kx
            at_inv_rows = at_cols + ky
            at_inv_cols = at_inv_rows + kx
            n_live = 0
            dof = 0
            informative = 0
            for z in range(n_strata):
                base = z * cells
                rows[:] = 0
                cols[:] = 0
                for a in range(kx):
                    for b in range(ky):
                        t = table[base + a * ky + b]
                        rows[a] += t
                        cols[b] += t
                active_rows = 0
                active_cols = 0
                largest_row = 0
                largest_col = 0
                total = 0
                for a in range(kx):
                    r = rows[a]
                    total += r
                    if r > 0:
                        seen_x[a] = True
                        active_rows += 1
                        largest_row = max(largest_row, r)
                for b in range(ky):
                    c = cols[b]
                    if c > 0:
                        seen_y[b] = True
                        active_cols += 1
                        largest_col = max(largest_col, c)
                if active_rows < 2 or active_cols < 2:
                    continue
                # Summed as run_test sums them (NumPy's pairwise order), to the last bit.
                for a in range(kx):
                    for b in range(ky):
                        t = table[base + a * ky + b]
                        cell_values[a * ky + b] = lut[t] if t < n_lut else t * np.log(t)
                for a in range(kx):
                    r = rows[a]
                    cell_values[at_rows + a] = lut[r] if r < n_lut else r * np.log(r)
                    cell_values[at_inv_rows + a] = 1.0 / r if r > 0 else 0.0
                for b in range(ky):
                    c = cols[b]
                    cell_values[at_cols + b] = lut[c] if c < n_lut else c * np.log(c)
                    cell_values[at_inv_cols + b] = 1.0 / c if c > 0 else 0.0
                cell_sum = _pairwise_compiled(cell_values, 0, cells)
                offset = _pairwise_compiled(cell_values, at_rows, kx) + _pairwise_compiled(
                    cell_values, at_cols, ky
                )
                whole = lut[total] if total < n_lut else total * np.log(total)
                terms[n_live] = 2.0 * (cell_sum - (offset - whole))
                m = float(total)
                inverse_rows = _pairwise_compiled(cell_values, at_inv_rows, kx)
                inverse_cols = _pairwise_compiled(cell_values, at_inv_cols, ky)
                excesses[n_live] = (m * inverse_rows - 1.0) * (m * inverse_cols - 1.0) / (6.0 * m)
                n_live += 1
                dof += (active_rows - 1) * (active_cols - 1)
                if largest_row > 1 and largest_col > 1:
                    informative += 1
            floats[q, 0] = _pairwise_compiled(terms, 0, n_live)
            floats[q, 1] = _pairwise_compiled(excesses, 0, n_live)
            ints[q, 0] = dof
            ints[q, 1] = n_strata
            ints[q, 2] = informative
            ints[q, 3] = seen_x.sum()
            ints[q, 4] = seen_y.sum()


# numba's compiled helpers, set by _compiled before the kernel that calls them is compiled.
_block_sum_compiled = None
_pairwise_compiled = None


_kernel_cache = []
_kernel_lock = threading.Lock()


def _compiled():
    """The numba-compiled kernel (compiled on first use, cached on disk by numba)."""
    global _block_sum_compiled, _pairwise_compiled
    if not _kernel_cache:
        import numba

        with _kernel_lock:
            if not _kernel_cache:
                _block_sum_compiled = numba.njit(cache=True, nogil=True)(_block_sum)
                _pairwise_compiled = numba.njit(cache=True, nogil=True)(_pairwise)
                _kernel_cache.append(numba.njit(cache=True, nogil=True)(_kernel))
    return _kernel_cache[0]
