"""The null-statistic engine of the kNN CI test: the CMI of many surrogates at once.

:class:`_NullStatistic` computes the Frenzel-Pompe CMI of a batch of
locally permuted surrogates of X against fixed (Y, Z): the neighbour lists
of the (Y, Z) and Z spaces are built once per test (sorted, sized on a
null-like stand-in), and each surrogate only recounts the (X, Z) and joint
neighbourhoods within them.  :func:`mistruct.independence.knn_ci_test`
drives it.
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma

from mistruct import measures
from mistruct.counting import RankCounter, sorted_runs
from mistruct.exceptions import InvalidInputError

_standardize = measures.standardize
_strict_counts = measures.strict_counts

#: Elements per temporary array of a surrogate batch (bounds memory, ~16 MB of float64).
_BATCH_ELEMENTS = 2_000_000


#: Up to this many rows, every row's lists hold all rows (one dense array per stage).
_DENSE_ROWS = 300

#: Rows start at this many times the (Y, Z) count the observed data needed (plus one).
_START_MARGIN = 1.25

#: The widths within one chunk of rows (or of (surrogate, row) pairs) span at most this ratio.
_WIDTH_RATIO = 1.1

#: A retried (surrogate, row) pair's width grows at most this many times.
_RETRY_GROWTH = 1.5

#: Elements (rows times width) a chunk grows to, within twice its narrowest width: NumPy
#: calls on small arrays cost mostly their fixed overhead.
_MIN_CHUNK_ELEMENTS = 40_000

#: A one-column second space (Z, or X without Z) with a one-column X is counted on its
#: sorted values (False: with neighbour lists, as other spaces are).
_SORTED_LINE = True

#: Neighbour lists hold ``_LIST_MARGIN`` times this quantile of the rows' counts (plus k + 2);
#: rows past their list are counted by brute force.
_LIST_QUANTILE = 0.9
_LIST_MARGIN = 2.0

#: Largest neighbour lists kept per space (entries: 8-byte distance + 4-byte index each).
_MAX_LIST_ENTRIES = 20_000_000


def _chunks(widths: np.ndarray, min_elements: float) -> list:
    """Items by width, in chunks that share one width: the largest of the chunk.

    Sorted by width, a chunk takes the items up to ``_WIDTH_RATIO`` times its
    narrowest width, and more (up to twice that width) while it holds fewer
    than ``min_elements`` (items times width).  Returns ``(items, width)``
    pairs, narrowest first.
    """
    if len(widths) and widths.max() < 2**16:  # a radix sort: several times faster
        order = np.argsort(widths.astype(np.uint16), kind="stable")
    else:
        order = np.argsort(widths, kind="stable")
    ordered = np.maximum(widths[order], 1)
    out, start, m = [], 0, len(order)
    while start < m:
        end = int(np.searchsorted(ordered, ordered[start] * _WIDTH_RATIO, side="right"))
        if (end - start) * ordered[end - 1] < min_elements:
            limit = int(np.searchsorted(ordered, 2 * ordered[start], side="right"))
            end = max(end, min(limit, start + int(min_elements // ordered[end - 1]) + 1))
        out.append((order[start:end], int(ordered[end - 1])))
        start = end
    return out


def _row_sums(mask: np.ndarray) -> np.ndarray:
    """True entries in each row of a 2-D boolean array (as bytes: faster than count_nonzero)."""
    dtype = np.uint16 if mask.shape[1] < 2**16 else np.intp
    return mask.view(np.uint8).sum(axis=1, dtype=dtype)


def _maxnorm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Max-norm distances between the rows of ``a`` (r, d) and of ``b`` (n, d): (r, n).

    One column at a time (a reduction over a short last axis is slow in
    NumPy); the same floating-point values as the kd-tree's.
    """
    a, b = np.ascontiguousarray(a.T), np.ascontiguousarray(b.T)  # one row per column
    out = np.subtract(a[0][:, None], b[0][None, :])
    np.abs(out, out=out)
    if len(a) > 1:
        tmp = np.empty_like(out)
        for j in range(1, len(a)):
            np.subtract(a[j][:, None], b[j][None, :], out=tmp)
            np.abs(tmp, out=tmp)
            np.maximum(out, tmp, out=out)
    return out


def _unique(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an integer array.

    ``np.unique`` hashes when asked for nothing else (NumPy >= 2.3), which is
    several times slower than this sort on the arrays met here.
    """
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


#: Passes of adjacent swaps in :func:`_sorted_positions` before rows still out of order are
#: sorted outright.
_SWAP_PASSES = 8


def _packed_keys(vals: np.ndarray):
    """Integer keys that order each row of ``vals`` (non-negative, finite), and the position bits.

    NumPy sorts and selects integers without a companion array several times
    faster than it argsorts floats, so each value is packed with its column
    into one integer: high bits the value scaled to the row's largest and
    truncated (monotone, so keys order as the values do except within equal
    truncated values), low ``pbits`` bits the column.  Blocks whose rows span
    many orders of magnitude (mixed data: tie noise beside discrete spacings)
    use the float64 bit patterns instead, which order the same way at every
    scale.
    """
    r, w = vals.shape
    pbits = max(1, int(w - 1).bit_length())
    high = vals.max(axis=1) if w else np.ones(r)
    high[high == 0] = 1.0
    value_bits = 31 - pbits
    # Scaled int32 keys resolve 2^-value_bits of a row's largest value.  Rows that
    # also hold far smaller nonzero values (tie noise beside the spaced codes of
    # discrete columns) would truncate whole runs alike; they take float64 bit keys.
    if pbits <= 11 and not np.any((vals > 0) & (vals < high[:, None] * 2.0 ** (4 - value_bits))):
        top = 2**value_bits - 1
        key = np.divide(vals, high[:, None])  # in [0, 1]; no overflow even for tiny values
        key *= top
        key = key.astype(np.int32)
        np.minimum(key, top, out=key)
        key <<= pbits
        key |= np.arange(w, dtype=np.int32)
    else:
        # Non-negative float64 values order as their bit patterns do (as int64) at any
        # scale; dropping the lowest pbits mantissa bits leaves ~2^-40 resolution.
        key = np.ascontiguousarray(vals, dtype=np.float64).view(np.int64) >> pbits
        key <<= pbits
        key |= np.arange(w, dtype=np.int64)
    return key, pbits


def _exact_order(vals: np.ndarray, key: np.ndarray, pbits: int):
    """The values of rows of keys sorted by :func:`_packed_keys`, in exact order, and columns.

    ``key`` (sorted within rows, possibly fewer columns than ``vals``) is
    turned into columns in place.  The exact float64 order is restored by
    swapping adjacent inverted pairs (rare: distinct values that truncate
    alike); rows still out of order after ``_SWAP_PASSES`` passes are sorted
    outright (stable sorts of nearly sorted rows are fast).  Equal values may
    come in any order.
    """
    r, w = key.shape
    key &= (1 << pbits) - 1
    flat_index = key.astype(np.intp)
    flat_index += (np.arange(r) * vals.shape[1])[:, None]
    d = np.take(vals.ravel(), flat_index)
    if w < 2:
        return d, key
    # Adjacent inversions (within rows): a swap at s changes only the pairs at s - 1 and s + 1.
    fd, fp = d.ravel(), key.ravel()
    at = np.flatnonzero(d[:, :-1] > d[:, 1:])
    at += at // (w - 1)  # positions in the (r, w) rows
    # Inversions in more than 1% of the pairs (long runs of near-equal values: discrete
    # codes plus tie noise): sorting those rows outright is cheaper than swapping pass by pass.
    passes = _SWAP_PASSES if len(at) <= r * w // 100 else 0
    for _ in range(passes):
        if not len(at):
            break
        first = np.ones(len(at), dtype=bool)
        first[1:] = np.diff(at) > 1  # no two swaps overlap
        s = at[first]
        fd[s], fd[s + 1] = fd[s + 1], fd[s].copy()
        fp[s], fp[s + 1] = fp[s + 1], fp[s].copy()
        c = _unique(np.concatenate([s - 1, s + 1, at[~first]]))
        c = c[(c >= 0) & (c % w != w - 1)]
        at = c[fd[c] > fd[c + 1]]
    if len(at):
        rows = _unique(at // w)
        order = np.argsort(d[rows], axis=1, kind="stable")
        d[rows] = np.take_along_axis(d[rows], order, axis=1)
        key[rows] = np.take_along_axis(key[rows], order, axis=1)
    return d, key


def _sorted_positions(vals: np.ndarray):
    """Each row of ``vals`` (non-negative, finite) sorted: the values and their column positions.

    Packed integer keys (:func:`_packed_keys`) sorted, then the exact order
    restored (:func:`_exact_order`).
    """
    key, pbits = _packed_keys(vals)
    key.sort(axis=1)
    return _exact_order(vals, key, pbits)


def _sort_rows(block: np.ndarray, m: int, dist: np.ndarray, index: np.ndarray):
    """The ``m`` smallest entries of each row of ``block``, sorted, into ``dist`` and ``index``."""
    r, n = block.shape
    if 2 * m >= n:
        d, pos = _sorted_positions(block)
        dist[:] = d[:, :m]
        index[:] = pos[:, :m]
        return
    # Select the m smallest packed keys, then sort only those.  They hold the m smallest
    # values unless a key left out truncates like the largest kept one: such rows (rare)
    # are selected again on the float64 values.
    key, pbits = _packed_keys(block)
    key.partition(m - 1, axis=1)
    kept = np.sort(key[:, :m], axis=1)
    edge = kept[:, -1] >> pbits
    again = np.flatnonzero((key[:, m:] >> pbits).min(axis=1) == edge)
    dist[:], index[:] = _exact_order(block, kept, pbits)
    if len(again):
        part = np.argpartition(block[again], m - 1, axis=1)[:, :m]
        d, pos = _sorted_positions(np.take_along_axis(block[again], part, axis=1))
        dist[again] = d
        index[again] = np.take_along_axis(part, pos.astype(np.intp), axis=1)


def _neighbour_lists(spaces: list, m: int, workers: int = 1) -> list:
    """Sorted neighbour lists (distances, indices) of nested spaces, ``m`` per row.

    ``spaces`` holds blocks of columns; list ``i`` is for the space made of
    blocks ``0 .. i`` (the max-norm distance of a union of blocks is the max
    of theirs, so each space reuses the distances of the one before).
    Distances are computed as the kd-tree computes them (max of absolute
    differences), so comparisons with kd-tree radii are exact.  Blocks of
    rows are independent: ``workers`` threads take them in turn.
    """
    n = len(spaces[0])
    if n > 10_000:  # the kd-tree returns them sorted
        out = []
        for i in range(len(spaces)):
            points = np.hstack(spaces[: i + 1])
            tree = cKDTree(points)
            dist, index = tree.query(points, k=max(m, 2), p=np.inf, workers=workers)
            out.append((dist[:, :m], index[:, :m].astype(np.int32)))
        return out
    out = [(np.empty((n, m)), np.empty((n, m), dtype=np.int32)) for _ in spaces]
    step = max(1, _BATCH_ELEMENTS // n)
    if workers > 1:  # blocks small enough that every thread has some
        step = max(1, min(step, -(-n // workers)))

    def fill(s):
        block = None
        for (dist, index), points in zip(out, spaces, strict=True):
            part = _maxnorm(points[s : s + step], points)
            block = part if block is None else np.maximum(block, part, out=block)
            _sort_rows(block, m, dist[s : s + step], index[s : s + step])

    starts = range(0, n, step)
    if workers > 1 and len(starts) > 1:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(fill, starts))
    else:
        for s in starts:
            fill(s)
    return out


def _sample_counts(xs, yz, zs, k, size: int = 256):
    """Counts n_yz and n_z (n_x without Z) of a spread of rows, to size the neighbour lists.

    Counted on a null-like stand-in for the surrogates, not on the data: X
    taken from each row's second-nearest row in Z (from a fixed shuffle of the rows
    without Z).  Where X and Y are dependent, the data's neighbourhoods are
    far tighter than the surrogates' (measured on breast cancer pairs with
    r ~ 0.99: lists sized on the data left a fifth of the rows of every
    surrogate to the brute force).  The lists' length changes only the cost,
    never a count: rows past their list are counted exactly.
    """
    n = len(xs)
    rows = np.unique(np.linspace(0, n - 1, min(n, size)).astype(np.intp))
    if zs is None:
        donor = np.random.default_rng(0).permutation(n)
    else:
        donor = cKDTree(zs).query(zs, k=3, p=np.inf)[1][:, 2]
    xs = xs[donor]
    joint = np.hstack([xs, yz])
    eps = cKDTree(joint).query(joint[rows], k=k + 1, p=np.inf)[0][:, -1]
    radius = np.where(eps > 0, np.nextafter(eps, 0), 0.0)
    other = xs if zs is None else zs

    def count(points):
        return cKDTree(points).query_ball_point(points[rows], radius, p=np.inf, return_length=True)

    return count(yz), count(other)


class _NullStatistic:
    """Frenzel-Pompe CMI of (X permuted, Y, Z) for permutations of X (see the module notes).

    Every row keeps its ``cap`` nearest rows in the (Y, Z) space and in the
    Z space, sorted.  Without Z the second space is X itself: a surrogate's
    X count around row i is the count around the original row whose X it
    got.  ``need_yz``, ``need_other``: counts seen (per row, or for a sample
    of rows) that size the lists.
    """

    def __init__(
        self,
        xs,
        ys,
        zs,
        k,
        need_yz=None,
        need_other=None,
        x_continuous=None,
        strata=None,
        workers=1,
    ):
        n = len(xs)
        self.xs, self.zs, self.k, self.n = xs, zs, k, n
        # None: every column of X is float; else a mask of X's float columns (see _blocks).
        self.x_continuous = x_continuous
        self.xp_1d = xs.shape[1] == 1
        # The second space (Z, or X without Z) as DiscreteStrata when it has only discrete
        # columns: its counts then need no lists (with Z, for a one-column X only).
        self.strata = strata if (zs is None or self.xp_1d) else None
        # Else a one-column second space is counted on its sorted values (see _line_counts).
        other = xs if zs is None else zs
        self.line = _SORTED_LINE and self.strata is None and other.shape[1] == 1 and self.xp_1d
        if self.line:
            self.line_order = np.argsort(other[:, 0], kind="stable")
            self.line_values = other[self.line_order, 0]
        self.yz = ys if zs is None else np.hstack([ys, zs])
        self.psi = digamma(np.arange(n + 1, dtype=float))
        if need_yz is None:
            need_yz, need_other = _sample_counts(xs, self.yz, zs, k)
        if self.strata is not None or self.line:
            need_other = [0]
        # Lists long enough for twice the counts of most rows (measured: the 0.9 quantile
        # is faster than 0.99 on 500 rows; the rows left out are few and counted exactly).
        wanted = (
            _LIST_MARGIN
            * max(np.quantile(need_yz, _LIST_QUANTILE), np.quantile(need_other, _LIST_QUANTILE))
            + k
            + 2
        )
        if n <= _DENSE_ROWS:
            wanted = n
        self.cap = int(min(n, max(k + 2, min(_MAX_LIST_ENTRIES // n, wanted))))
        if self.strata is not None or self.line:
            self.d_o = self.i_o = None
            (self.d_yz, self.i_yz) = _neighbour_lists([self.yz], self.cap, workers)[0]
        elif zs is None:
            (self.d_yz, self.i_yz), (self.d_o, self.i_o) = (
                _neighbour_lists([ys], self.cap, workers)[0],
                _neighbour_lists([xs], self.cap, workers)[0],
            )
        else:
            (self.d_o, self.i_o), (self.d_yz, self.i_yz) = _neighbour_lists(
                [zs, ys], self.cap, workers
            )
        start = need_yz if len(need_yz) == n else np.full(n, np.median(need_yz))
        self.plan = self._plan(start)
        self.regroup = False  # set by observed(): the next batch resets the starting widths
        self.fallback_rows = 0
        self.float32_ties = 0  # rows selected again in float64 (see _joint_eps)
        self._local = threading.local()

    def _plan(self, need) -> tuple:
        """Rows in groups by starting width, with their lists cut to it (reused by every surrogate).

        A row starts at ``_START_MARGIN`` times its observed count ``need``
        (plus one).  With few rows, every row starts with all of them: one
        dense array per stage costs less than several small ones.  A group
        keeps its (Y, Z) distances rounded to float32 (see :meth:`_joint_eps`)
        and its indices as int32 (half the memory traffic of intp, as fast).
        Returns the groups and each row's width, one tuple: surrogates
        evaluated on other threads read one plan or the other, never a mix.
        """
        n, cap = self.n, self.cap
        if n <= _DENSE_ROWS:
            wanted = np.full(n, cap)
        else:
            wanted = np.ceil(_START_MARGIN * np.asarray(need, dtype=float)).astype(np.intp) + 1
            wanted = np.clip(wanted, min(self.k + 2, cap), cap)
        # Every surrogate of a batch goes through a group at once.
        batch = max(1, _BATCH_ELEMENTS // (2 * int(wanted.sum()) * self.xs.shape[1]))
        groups = []
        width = np.empty(n, dtype=np.intp)
        for rows, w in _chunks(wanted, _MIN_CHUNK_ELEMENTS / batch):
            rows = np.sort(rows)
            width[rows] = w
            dist = self.d_yz[rows, :w].astype(np.float32)
            groups.append((w, rows, dist, np.ascontiguousarray(self.i_yz[rows, :w])))
        return groups, width

    def _dx(self, candidates, centre):
        """Max-norm X distances from rows (``centre``, shape ``s``) to candidates (``s + (w,)``)."""
        if self.xp_1d:
            d = np.subtract(candidates, centre[..., None], out=candidates)
            return np.abs(d, out=d)
        d = np.abs(candidates[..., 0] - centre[..., None, 0])
        for j in range(1, candidates.shape[-1]):
            np.maximum(d, np.abs(candidates[..., j] - centre[..., None, j]), out=d)
        return d

    def _scratch(self, shape, dtype=float, slot: str = "") -> np.ndarray:
        """A reused array of this thread (fresh large arrays cost page faults).

        One buffer per dtype and ``slot``: arrays alive at the same time need
        different slots.
        """
        size = math.prod(shape)
        key = np.dtype(dtype).char + slot
        buffer = getattr(self._local, key, None)
        if buffer is None or buffer.size < size:
            buffer = np.empty(max(size, 1), dtype=dtype)
            setattr(self._local, key, buffer)
        return buffer[:size].reshape(shape)

    def _take(self, source, index, axis):
        """``np.take`` into scratch memory (only one such result is alive at a time)."""
        shape = source.shape[:axis] + index.shape + source.shape[axis + 1 :]
        return np.take(source, index, axis=axis, out=self._scratch(shape), mode="clip")

    def _select(self, keys: np.ndarray):
        """Flat position of the (k + 1)-th smallest entry of each row of ``keys`` (m, w).

        ``keys`` are non-negative float32 values, selected as int32 (the same
        order): NumPy's selection is vectorized for 32-bit integers and several
        times faster than for float64.  Also returns the rows where other
        entries equal the selected one (None if there are none).
        """
        m, w = keys.shape
        part = self._scratch((m, w), np.float32, "part")
        np.copyto(part, keys)
        part = part.view(np.int32)
        part.partition(self.k, axis=1)
        star = part[:, self.k].copy()
        equal = np.equal(keys.view(np.int32), star[:, None], out=self._scratch((m, w), bool))
        at = np.flatnonzero(equal)  # row by row: one per row unless there are ties
        if len(at) == m:
            return at, None
        row = at // w
        first = np.searchsorted(row, np.arange(m))
        return at[first], np.flatnonzero(np.bincount(row, minlength=m) > 1)

    def _joint_eps(self, cand, centre, dist32, d_rows) -> np.ndarray:
        """eps of each row: the (k + 1)-th smallest of ``max(|x_j - x_i|, d_yz(i, j))``, exactly.

        ``cand``: X of the listed rows j, shape ``s + (w,)`` (``+ (d,)`` for
        several X columns); ``centre``: X of the rows i, ``s`` (``+ (d,)``);
        ``dist32``: their listed (Y, Z) distances rounded to float32,
        broadcastable to ``s + (w,)``; ``d_rows``: the list of each row i
        (indices of ``self.d_yz``), ``s`` flattened.

        Rounding to float32 (to nearest) is monotone, so it commutes with the
        max and with order statistics: the selection runs on float32 keys
        ``max(f32(|x_j - x_i|), f32(d_yz))`` and picks the rounding of eps;
        eps is then the one listed entry with that key, computed exactly in
        float64.  A row with several entries of that key (a tie in float32,
        rare with continuous data) is selected again in float64.
        """
        shape = centre.shape[:-1] if not self.xp_1d else centre.shape
        w = dist32.shape[-1]
        keys = self._scratch(shape + (w,), np.float32, "keys")
        if self.xp_1d:
            # In float64, then rounded into the float32 output.
            np.subtract(cand, centre[..., None], out=keys, dtype=np.float64, casting="same_kind")
            np.abs(keys, out=keys)
        else:
            with np.errstate(over="ignore"):  # beyond float32: inf, still in order
                np.copyto(keys, self._dx(cand, centre), casting="same_kind")
        np.maximum(keys, dist32, out=keys)
        m = math.prod(shape)
        at, ties = self._select(keys.reshape(m, w))
        row, col = np.divmod(at, w)
        cand = cand.reshape(m, w, *cand.shape[len(shape) + 1 :])
        centre = centre.reshape(m, *centre.shape[len(shape) :])
        dx = np.abs(cand[row, col] - centre)
        if not self.xp_1d:
            dx = dx.max(axis=-1)
        e = np.maximum(dx, self.d_yz[d_rows, col])
        if ties is not None:
            self.float32_ties += len(ties)
            dx = np.abs(cand[ties] - centre[ties][:, None])
            if not self.xp_1d:
                dx = dx.max(axis=-1)
            joint = np.maximum(dx, self.d_yz[d_rows[ties], :w])
            e[ties] = np.partition(joint, self.k, axis=1)[:, self.k]
        return e.reshape(shape)

    def batch_size(self) -> int:
        """Surrogates per batch: temporaries of about ``_BATCH_ELEMENTS`` elements."""
        per = 2 * sum(len(g[1]) * g[0] for g in self.plan[0])
        return max(1, _BATCH_ELEMENTS // (per * self.xs.shape[1]))

    @staticmethod
    def _count_below(table: np.ndarray, rows: np.ndarray, e: np.ndarray) -> np.ndarray:
        """Entries of rows ``rows`` of ``table`` (each sorted) strictly below ``e``.

        A branchless binary search (every probe inside the row, the same
        number of steps for all), vectorized over ``e``; ``rows`` broadcasts
        against it.  ``table.shape[1]`` when the whole listed row is below
        (the true count may then be larger).
        """
        width = table.shape[1]
        flat = table.ravel()
        start = np.asarray(rows, dtype=np.intp) * width
        pos = np.array(np.broadcast_to(start, e.shape))  # row start + entries known below
        at = np.empty(e.shape, dtype=np.intp)
        below = np.empty(e.shape, dtype=bool)
        m = width  # the count lies in pos - start + [0, m]
        while m > 1:
            half = m >> 1
            np.add(pos, half, out=at)
            np.less(flat[at], e, out=below)
            pos += below * half
            m -= half
        pos += flat[pos] < e
        pos -= start
        return pos

    def surrogate_x(self, perm: np.ndarray, jitter=None) -> np.ndarray:
        """X of a surrogate: X's rows taken by ``perm``, standardized again, fresh tie noise.

        A local permutation may give some rows' X twice and others' none.
        The surrogate is then treated as data is: standardized (its spread
        differs slightly from X's) and given fresh tie noise ``jitter``
        (repeated values are exact ties, which would otherwise shrink the
        strict neighbour counts and bias the null upwards).  A global
        permutation keeps the values, so it is left as is.
        """
        if self.zs is None:
            return self.xs[perm]
        xp = self.xs[perm]
        if self.x_continuous is None:
            xp = _standardize(xp)
        else:
            # Discrete columns keep their spaced codes: rescaling them would bring their
            # levels within continuous distances of each other.
            xp[:, self.x_continuous] = _standardize(xp[:, self.x_continuous])
        return xp if jitter is None else xp + jitter

    def one(self, perm: np.ndarray, jitter=None) -> float:
        """The null statistic (nats) of one permutation (and tie noise for its X)."""
        return float(self(perm[None], None if jitter is None else jitter[None])[0])

    def observed(self) -> float:
        """The statistic (nats) of the data itself; rows then start at the widths it needed."""
        with np.errstate(divide="ignore", invalid="ignore"):
            value, n_yz = self(np.arange(self.n)[None], counts=True)
        if not np.isfinite(value[0]):
            raise InvalidInputError(
                "more than k rows coincide exactly (a k-th neighbour distance is 0), so the "
                "kNN statistic is undefined; use noise > 0 (the default) to break the ties."
            )
        self.plan = self._plan(n_yz[0])
        self.regroup = True
        return float(value[0])

    def __call__(self, perms: np.ndarray, jitters=None, counts: bool = False):
        """The null statistic (nats) of each permutation (row ``b`` of ``perms``).

        All surrogates of the batch go through each group of rows together.  A
        (surrogate, row) pair its group's width does not settle is retried
        wider: at most ``_RETRY_GROWTH`` times wider, and never further down its
        list than the eps found so far (the pair's eps can only be smaller, so
        that prefix settles it, unless it reaches past the list).
        """
        k, n = self.k, self.n
        b = len(perms)
        groups, start_width = self.plan  # one snapshot: another thread may replace it
        xp = np.stack(
            [
                self.surrogate_x(p, None if jitters is None else jitters[i])
                for i, p in enumerate(perms)
            ]
        )
        if self.xp_1d:
            xp = xp[..., 0]
        flat = xp.reshape(b * n, *xp.shape[2:])  # (surrogate, row) -> surrogate * n + row
        complete = self.cap == n
        n_xz = np.ones((b, n), dtype=np.intp)
        n_z = np.full((b, n), n, dtype=np.intp)

        # Stage 1: k-th neighbour distance eps in the joint space, and n_yz (a binary search
        # in the sorted (Y, Z) lists).  A row is settled when a listed distance reaches eps
        # (rows further down cannot matter): when fewer than its width are below eps.
        eps = np.empty((b, n))
        for _, rows, dist32, index in groups:
            cand = self._take(xp, index, axis=1)
            centre = np.take(xp, rows, axis=1)
            eps[:, rows] = self._joint_eps(cand, centre, dist32, np.tile(rows, b))
        eps = eps.ravel()
        bb, rr = np.divmod(np.arange(b * n), n)
        n_yz = self._count_below(self.d_yz, rr, eps)
        width = np.tile(start_width, b)
        pending = np.flatnonzero((n_yz >= width) & ~(complete & (width == n)))
        left = [pending[width[pending] >= self.cap]]  # already the whole list
        pending = pending[width[pending] < self.cap]
        while len(pending):
            # Wider, but never past the list's first distance at or above the eps so far
            # (n_yz here counts the whole list).
            grown = np.ceil(_RETRY_GROWTH * width[pending]).astype(np.intp)
            wanted = np.minimum(np.minimum(n_yz[pending] + 1, grown), self.cap)
            again = []
            for sel, w in _chunks(wanted, _MIN_CHUNK_ELEMENTS):
                sel = pending[sel]
                pr = rr[sel]
                index = self.i_yz[pr, :w].astype(np.intp)
                if b > 1:
                    index += (bb[sel] * n)[:, None]
                cand = self._take(flat, index, axis=0)
                dist = self.d_yz[pr, :w]
                e = self._joint_eps(cand, np.take(flat, sel, axis=0), dist.astype(np.float32), pr)
                eps[sel] = e
                # Few pairs: count within the prefix (the whole list only if it falls short).
                below = np.less(dist, e[:, None], out=self._scratch(dist.shape, bool))
                n_yz[sel] = _row_sums(below)
                width[sel] = w
                open_ = n_yz[sel] >= w
                if complete and w == n:
                    open_[:] = False
                if open_.any():
                    sel = sel[open_]
                    if w == self.cap:
                        left.append(sel)
                    else:
                        n_yz[sel] = self._count_below(self.d_yz, rr[sel], eps[sel])
                        again.append(sel)
            pending = np.concatenate(again) if again else again
        left = [(bb[sel], rr[sel]) for sel in left]
        for pb, pr in left:
            eps[pb * n + pr] = np.inf  # settled by brute force below
        n_yz = n_yz.reshape(b, n)

        # Stage 2: with eps known, n_z (given Z) or n_x (without Z) is a binary search in
        # the sorted lists; n_xz then looks at exactly the n_z nearest rows in Z.
        e = eps
        if self.strata is not None:
            left.append(self._stratum_counts(xp, perms, e, bb, rr, n_xz, n_z))
        elif self.line:
            self._line_counts(xp, perms, e, n_xz, n_z)
        else:
            self._list_counts(flat, perms, e, bb, rr, n_xz, n_z, left)
        if left:
            pairs = _unique(np.concatenate([pb * n + pr for pb, pr in left]))
            self._brute_force(xp, *np.divmod(pairs, n), n_xz, n_yz, n_z)
        psi = self.psi
        values = digamma(k) - (psi[n_xz] + psi[n_yz] - psi[n_z]).mean(axis=1)
        if self.regroup and not counts:
            # Surrogates, not the data, set the starting widths from now on: where X and Y
            # are dependent, the data's neighbourhoods are much tighter than the null's.
            self.regroup = False
            self.plan = self._plan(np.median(n_yz, axis=0))
        return (values, n_yz) if counts else values

    def _stratum_counts(self, xp, perms, e, bb, rr, n_xz, n_z):
        """Stage 2 where the second space is discrete (see :mod:`mistruct.counting._strata`).

        Fills the counts of the pairs whose neighbourhood there is exactly
        their stratum; returns the other pairs, for the brute force.
        """
        strata = self.strata
        if self.zs is None:  # n_x around the original row whose X the row got
            rows = perms.ravel()
            ok = strata.applies(rows, e)
            n_xz.ravel()[ok] = strata.sizes_of(rows[ok])
        else:
            ok = strata.applies(rr, e)
            n_z.ravel()[ok] = strata.sizes_of(rr[ok])
            n_xz.ravel()[ok] = strata.count_within(xp, e)[ok]
        return bb[~ok], rr[~ok]

    def _line_counts(self, xp, perms, e, n_xz, n_z):
        """Stage 2 where the second space is one column: counts on sorted values, exactly.

        Without Z, ``n_x`` is a run of X's sorted values around the X the row
        got.  With Z, a row's Z-neighbours are a run of rows in Z order and
        its X-neighbours a run in the surrogate's X order; ``n_xz`` counts
        the rows in both, as the X ranks of the Z run that fall in the X run
        (:class:`RankCounter`), with no scan of either run.
        """
        b, n = len(perms), self.n
        centre = self.xs[perms, 0] if self.zs is None else np.tile(self.zs[:, 0], (b, 1))
        radius = e.reshape(b, n)
        low, high = sorted_runs(self.line_values[None], centre.reshape(1, -1), e[None])
        if self.zs is None:
            n_xz[:] = (high - low).reshape(b, n)
            return
        n_z[:] = (high - low).reshape(b, n)
        by_x = np.argsort(xp, axis=1, kind="stable")
        x_low, x_high = sorted_runs(np.take_along_axis(xp, by_x, axis=1), xp, radius)
        rank = np.empty_like(by_x)
        np.put_along_axis(rank, by_x, np.arange(n), axis=1)
        counter = RankCounter(rank[:, self.line_order])
        surrogate = np.repeat(np.arange(b), n)
        low, high = low.ravel(), high.ravel()
        n_xz.ravel()[:] = counter.count_below(
            surrogate, low, high, x_high.ravel()
        ) - counter.count_below(surrogate, low, high, x_low.ravel())

    def _list_counts(self, flat, perms, e, bb, rr, n_xz, n_z, left):
        """Stage 2 with the sorted lists of the second space; unsettled pairs go to ``left``."""
        n, b = self.n, len(perms)
        complete = self.cap == n
        rows = rr if self.zs is not None else perms.ravel()
        count = self._count_below(self.d_o, rows, e)
        unsettled = (count >= self.cap) & (not complete)
        if unsettled.any():
            left.append((bb[unsettled], rr[unsettled]))
        if self.zs is None:
            n_xz[:] = count.reshape(b, n)
        else:
            n_z[:] = count.reshape(b, n)
            pairs = np.flatnonzero(~unsettled) if unsettled.any() else np.arange(b * n)
            for sel, w in _chunks(count[pairs], _MIN_CHUNK_ELEMENTS):
                sel = pairs[sel]
                index = self.i_o[rr[sel], :w]
                if b > 1:  # rows of the flattened (surrogate, row) array
                    index += (bb[sel] * n)[:, None]
                dx = self._dx(self._take(flat, index, axis=0), np.take(flat, sel, axis=0))
                inside = np.less(dx, e[sel, None], out=self._scratch(dx.shape, bool))
                # Only the rows closer than eps in Z: the first count of the list.
                c = count[sel]
                low = int(c.min())
                if low < w:
                    inside[:, low:] &= np.arange(low, w) < c[:, None]
                n_xz.ravel()[sel] = _row_sums(inside)

    def _brute_force(self, xp, pb, pr, n_xz, n_yz, n_z):
        """Exact counts, against every row, for the (surrogate, row) pairs the lists miss.

        ``xp``: the batch's surrogate X, ``(b, n)`` or ``(b, n, d)``; the pairs are
        ``(pb, pr)``; the counts, ``(b, n)`` arrays, are written in place.  All
        pairs of the batch at once (a few per surrogate, typically).
        """
        self.fallback_rows += len(pb)
        yz, k, n = self.yz, self.k, self.n
        xp = xp[..., None] if xp.ndim == 2 else xp
        step = max(1, _BATCH_ELEMENTS // (n * (yz.shape[1] + xp.shape[2])))
        for s in range(0, len(pb), step):
            b, i = pb[s : s + step], pr[s : s + step]
            others = xp[b]  # (pairs, n, d): every row of each pair's surrogate
            dx = np.abs(others[..., 0] - xp[b, i, 0][:, None])
            for j in range(1, xp.shape[2]):
                np.maximum(dx, np.abs(others[..., j] - xp[b, i, j][:, None]), out=dx)
            dyz = _maxnorm(yz[i], yz)
            eps = np.partition(np.maximum(dx, dyz), k, axis=1)[:, k][:, None]
            n_yz[b, i] = np.count_nonzero(dyz < eps, axis=1)
            if self.zs is None:
                n_xz[b, i] = np.count_nonzero(dx < eps, axis=1)
            else:
                inside = _maxnorm(self.zs[i], self.zs) < eps
                n_z[b, i] = np.count_nonzero(inside, axis=1)
                n_xz[b, i] = np.count_nonzero(inside & (dx < eps), axis=1)
