"""The null-statistic engine of the kNN CI test: the CMI of many surrogates at once.

:class:`_NullStatistic` computes the Frenzel-Pompe CMI of a batch of
locally permuted surrogates of X against fixed (Y, Z): the neighbour lists
of the (Y, Z) and Z spaces are built once per test (sorted, sized on a
null-like stand-in), and each surrogate only recounts the (X, Z) and joint
neighbourhoods within them.  :func:`mistruct.independence.knn_ci_test`
drives it.

The per-row walks are compiled with numba (the ``_*_kernel`` functions,
compiled on first use and cached on disk): each is a short loop over a
row's sorted list, which NumPy could only run as many small calls (it did,
before: about 5 us per row and surrogate on 500 rows, against well under
1 us compiled).  Every count is exact (strict, max-norm, float64), so the
statistics are those of the kd-tree estimator whatever the kernel's path.
"""

from __future__ import annotations

import threading

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma

from mistruct import measures
from mistruct.exceptions import InvalidInputError

_standardize = measures.standardize

#: Elements per temporary array of a surrogate batch (bounds memory, ~16 MB of float64).
_BATCH_ELEMENTS = 2_000_000

#: Most surrogates per kernel call: a call costs little beyond its surrogates, and a
#: sequential test (stopping at its h-th exceedance) wastes at most a batch.
_BATCH_SURROGATES = 9


#: Up to this many rows, every row's lists hold all rows: no sizing, no brute force, and
#: (measured on 500 rows) cheaper to build than the selection of shorter ones.
_DENSE_ROWS = 1000

#: A row's radius in _joint_kernel starts at this many times its eps in the surrogate before
#: and grows this many times while it holds fewer than k + 1 rows (only a cost: eps is exact).
_GUESS_MARGIN = 1.1
_GUESS_GROWTH = 1.25

#: A one-column second space (Z, or X without Z) with a one-column X is counted on its
#: sorted values (False: with neighbour lists, as other spaces are).
_SORTED_LINE = True

#: Neighbour lists hold ``_LIST_MARGIN`` times this quantile of the rows' counts (plus k + 2);
#: rows past their list are counted by brute force.
_LIST_QUANTILE = 0.9
_LIST_MARGIN = 2.0

#: Largest neighbour lists kept per space (entries: 8-byte distance + 4-byte index each).
_MAX_LIST_ENTRIES = 20_000_000


def _unique(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an integer array.

    ``np.unique`` hashes when asked for nothing else (NumPy >= 2.3), which is
    several times slower than this sort on the arrays met here.
    """
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def _neighbour_lists(spaces: list, m: int, workers: int = 1) -> list:
    """Sorted neighbour lists (distances, indices) of nested spaces, ``m`` per row.

    ``spaces`` holds blocks of columns; list ``i`` is for the space made of
    blocks ``0 .. i`` (the max-norm distance of a union of blocks is the max
    of theirs, so each space reuses the distances of the one before).
    Distances are computed as the kd-tree computes them (max of absolute
    differences), so comparisons with kd-tree radii are exact.  Up to 10,000
    rows by the compiled ``_lists_kernel``; above, by kd-trees (``workers``
    threads), which return them sorted.
    """
    n = len(spaces[0])
    if n > 10_000:  # the kd-tree returns them sorted
        out = []
        for i in range(len(spaces)):
            points = np.hstack(spaces[: i + 1])
            tree = cKDTree(points)
            dist, index = tree.query(points, k=max(m, 2), p=np.inf, workers=workers)
            out.append((np.ascontiguousarray(dist[:, :m]), index[:, :m].astype(np.int32)))
        return out
    points = np.ascontiguousarray(np.hstack(spaces), dtype=float)
    ends = np.cumsum([block.shape[1] for block in spaces]).astype(np.intp)
    dist = np.empty((len(spaces), n, m))
    index = np.empty((len(spaces), n, m), dtype=np.int32)
    _compiled("_lists_kernel")(points, ends, m, dist, index)
    return [(dist[t], index[t]) for t in range(len(spaces))]


def _sample_counts(xs, yz, zs, k, size: int = 128):
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
        zs = np.empty((n, 0))
    else:
        donor = np.empty(n, dtype=np.intp)
    counts = np.empty((2, len(rows)), dtype=np.intp)
    _compiled("_sample_kernel")(
        np.ascontiguousarray(xs, dtype=float), np.ascontiguousarray(yz, dtype=float),
        np.ascontiguousarray(zs, dtype=float), k, rows, donor, counts,
    )
    return counts[0], counts[1]


class _NullStatistic:
    """Frenzel-Pompe CMI of (X permuted, Y, Z) for permutations of X (see the module notes).

    Every row keeps its ``cap`` nearest rows in the (Y, Z) space and in the
    Z space, sorted.  Without Z the second space is X itself: a surrogate's
    X count around row i is the count around the original row whose X it
    got.  ``need_yz``, ``need_other``: counts seen (per row, or for a sample
    of rows) that size the lists.  The counts of each surrogate are
    compiled walks down those lists (``_joint_kernel``, ``_list_kernel``,
    ``_line_kernel``); a (surrogate, row) pair whose neighbourhood reaches
    past its lists is counted against every row (``_brute_kernel``).
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
        # Else a one-column second space is counted on its sorted values (see _line_kernel).
        other = xs if zs is None else zs
        self.line = _SORTED_LINE and self.strata is None and other.shape[1] == 1 and self.xp_1d
        if self.line:
            self.line_order = np.argsort(other[:, 0], kind="stable")
            self.line_values = np.ascontiguousarray(other[self.line_order, 0])
            self.line_position = np.empty(n, dtype=np.intp)
            self.line_position[self.line_order] = np.arange(n)
        self.yz = np.ascontiguousarray(ys if zs is None else np.hstack([ys, zs]), dtype=float)
        self.psi = digamma(np.arange(n + 1, dtype=float))
        if need_yz is None:
            if n <= _DENSE_ROWS:  # every row's lists hold all rows: nothing to size
                need_yz = need_other = np.zeros(1)
            else:
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
        self.zs_block = np.ascontiguousarray(
            np.empty((n, 0)) if zs is None else zs, dtype=float
        )
        self.fallback_rows = 0
        # Each row's starting radius in _joint_kernel (only a cost: every eps is exact).
        self.guess = np.ascontiguousarray(self.d_yz[:, min(k, self.cap - 1)] * 1.5)

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

    def _surrogates(self, perms: np.ndarray, jitters=None) -> np.ndarray:
        """:meth:`surrogate_x` of every permutation at once, shape ``(b, n, d)``.

        The same bits as surrogate by surrogate: each (surrogate, column) is
        standardized on its own sorted values, one contiguous row each (NumPy
        sums a contiguous last axis as it sums a 1-D array).
        """
        xp = self.xs[perms]
        if self.zs is not None:
            cols = (
                np.arange(xp.shape[2])
                if self.x_continuous is None
                else np.flatnonzero(self.x_continuous)
            )
            rows = np.ascontiguousarray(np.moveaxis(xp[:, :, cols], 2, 1))  # (b, d, n)
            mean = np.sort(rows, axis=-1).mean(axis=-1)
            centred = rows - mean[..., None]
            std = np.sqrt(np.sort(centred**2, axis=-1).mean(axis=-1))
            centred /= np.where(std > 0, std, 1.0)[..., None]
            xp[:, :, cols] = np.moveaxis(centred, 1, 2)
            if jitters is not None:
                xp += jitters
        return np.ascontiguousarray(xp, dtype=float)

    def one(self, perm: np.ndarray, jitter=None) -> float:
        """The null statistic (nats) of one permutation (and tie noise for its X)."""
        return float(self(perm[None], None if jitter is None else jitter[None])[0])

    def observed(self) -> float:
        """The statistic (nats) of the data itself."""
        with np.errstate(divide="ignore", invalid="ignore"):
            value = self(np.arange(self.n)[None])
        if not np.isfinite(value[0]):
            raise InvalidInputError(
                "more than k rows coincide exactly (a k-th neighbour distance is 0), so the "
                "kNN statistic is undefined; use noise > 0 (the default) to break the ties."
            )
        return float(value[0])

    def batch_size(self) -> int:
        """Surrogates per call: few, so a sequential test stops close to where it is decided."""
        return max(1, min(_BATCH_SURROGATES, _BATCH_ELEMENTS // (self.n * self.xs.shape[1])))

    def __call__(self, perms: np.ndarray, jitters=None) -> np.ndarray:
        """The null statistic (nats) of each permutation (row ``b`` of ``perms``).

        Stage 1 (``_joint_kernel``): each row's eps and ``n_yz`` from its
        (Y, Z) list.  Stage 2: ``n_z`` and ``n_xz`` (``n_x`` without Z) from
        the second space's lists, its sorted values (one column) or its
        strata (discrete).  Pairs the lists do not settle: brute force.
        """
        k, n = self.k, self.n
        perms = np.asarray(perms)
        b = len(perms)
        xp = self._surrogates(perms, jitters)
        complete = self.cap == n
        with_z = self.zs is not None
        eps = np.empty((b, n))
        n_xz = np.ones((b, n), dtype=np.intp)
        n_yz = np.ones((b, n), dtype=np.intp)
        n_z = np.full((b, n), n, dtype=np.intp)
        _compiled("_joint_kernel")(
            xp, self.d_yz, self.i_yz, k, complete, self.guess, eps, n_yz
        )
        centres = (
            np.ascontiguousarray(perms, dtype=np.intp)
            if not with_z
            else np.broadcast_to(np.arange(n), (b, n)).copy()
        )
        if self.strata is not None:
            e = eps.ravel()
            bb, rr = np.divmod(np.arange(b * n), n)
            pb, pr = self._stratum_counts(xp[..., 0], perms, e, bb, rr, n_xz, n_z)
            eps[pb, pr] = np.inf
        elif self.line:
            _compiled("_line_kernel")(
                xp, centres, self.line_values, self.line_order, self.line_position, with_z,
                eps, n_z, n_xz,
            )
        else:
            _compiled("_list_kernel")(
                xp, centres, self.d_o, self.i_o, complete, with_z, eps, n_z, n_xz
            )
        pb, pr = np.nonzero(eps == np.inf)
        if len(pb):
            self.fallback_rows += len(pb)
            _compiled("_brute_kernel")(
                xp, self.yz, self.zs_block, with_z, k, pb, pr, n_xz, n_yz, n_z
            )
        psi = self.psi
        return digamma(k) - (psi[n_xz] + psi[n_yz] - psi[n_z]).mean(axis=1)

    def _stratum_counts(self, xp, perms, e, bb, rr, n_xz, n_z):
        """Stage 2 where the second space is discrete (see :mod:`mistruct.counting._strata`).

        Fills the counts of the pairs whose neighbourhood there is exactly
        their stratum; returns the other pairs, for the brute force.
        """
        strata = self.strata
        if self.zs is None:  # n_x around the original row whose X the row got
            rows = perms.ravel()
            ok = strata.applies(rows, e) & (e < np.inf)  # inf: unsettled in stage 1
            n_xz.ravel()[ok] = strata.sizes_of(rows[ok])
        else:
            ok = strata.applies(rr, e) & (e < np.inf)
            n_z.ravel()[ok] = strata.sizes_of(rr[ok])
            n_xz.ravel()[ok] = strata.count_within(xp, e)[ok]
        return bb[~ok], rr[~ok]


# ---------------------------------------------------------------- compiled kernels
#
# The counts of a surrogate are a short walk down each row's sorted lists: NumPy would
# spend its time in the fixed cost of small calls (measured: ~5 us per row and surrogate on
# 500 rows), a compiled loop a few nanoseconds per list entry.  The kernels are plain
# Python functions compiled by numba on first use (``_compiled``), so importing mistruct
# does not import numba.  Every count is exact (strict, max-norm, float64): the same
# numbers the kd-tree estimator gives.


def _joint_kernel(xp, d_yz, i_yz, k, complete, guess, eps, n_yz):
    """eps (the (k + 1)-th smallest joint distance) and n_yz of every (surrogate, row).

    ``xp`` (b, n, d): the surrogates' X; ``d_yz``, ``i_yz`` (n, cap): each
    row's sorted (Y, Z) list; ``guess`` (n,): a radius per row, updated in
    place.  Every row j with ``max(|x_j - x_i|, d_yz(i, j)) < g`` lies in the
    list's prefix ``d_yz < g``; when at least k + 1 of them do, eps is the
    (k + 1)-th smallest of theirs (a selection), else g grows and the walk
    goes on down the list.  g starts a little above the eps of the row in
    the surrogate before, so most rows walk little more than their ``n_yz``
    entries, once.  The guesses change only the cost: every eps is exact.  A
    row whose eps the list cannot settle (not ``complete``) gets
    ``eps = inf``: the brute force counts it.
    """
    b, n, d = xp.shape
    cap = d_yz.shape[1]
    kk = k + 1
    buf = np.empty(cap)
    near = np.empty(cap)
    floor = min(k, cap - 1)
    for i in range(n):
        g = guess[i]
        for s in range(b):
            x0 = xp[s, i, 0]
            size = 0  # entries walked: their joint distances in buf[:size]
            c = 0  # of those, the ones below g: in near[:c]
            while True:
                lo, hi = size, cap
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if d_yz[i, mid] < g:
                        lo = mid + 1
                    else:
                        hi = mid
                for p in range(size, lo):
                    j = i_yz[i, p]
                    dist = abs(xp[s, j, 0] - x0)
                    for col in range(1, d):
                        v = abs(xp[s, j, col] - xp[s, i, col])
                        dist = v if v > dist else dist
                    dyz = d_yz[i, p]
                    dist = dyz if dyz > dist else dist
                    buf[p] = dist
                    near[c] = dist
                    c += dist < g
                size = lo
                if c >= kk:
                    break
                if size == cap and not complete:
                    c = -1  # rows past the list may count: the brute force settles it
                    break
                g = max(_GUESS_GROWTH * g, _GUESS_GROWTH * d_yz[i, floor])
                if g == 0.0:
                    g = np.inf
                c = 0
                for p in range(size):
                    near[c] = buf[p]
                    c += buf[p] < g
            if c < 0:
                eps[s, i] = np.inf
                continue
            # The (k + 1)-th smallest of near[:c] (Hoare's selection, in place).
            left, right = 0, c - 1
            while left < right:
                pivot = near[(left + right) >> 1]
                u, w = left, right
                while u <= w:
                    while near[u] < pivot:
                        u += 1
                    while near[w] > pivot:
                        w -= 1
                    if u <= w:
                        near[u], near[w] = near[w], near[u]
                        u += 1
                        w -= 1
                if k <= w:
                    right = w
                elif k >= u:
                    left = u
                else:
                    break
            e = near[k]
            if size == cap and not complete and e > d_yz[i, cap - 1]:
                eps[s, i] = np.inf  # rows past the list might be nearer than e
                continue
            lo, hi = 0, size
            while lo < hi:
                mid = (lo + hi) >> 1
                if d_yz[i, mid] < e:
                    lo = mid + 1
                else:
                    hi = mid
            eps[s, i] = e
            n_yz[s, i] = lo
            g = _GUESS_MARGIN * e if e > 0 else g
        guess[i] = g


def _list_kernel(xp, centres, d_o, i_o, complete, with_z, eps, n_other, n_xz):
    """Counts in the second space's sorted lists, for the rows whose eps is known.

    With Z (``with_z``): ``n_z`` (into ``n_other``) is a binary search of eps
    in the row's Z list, and ``n_xz`` a count over exactly those ``n_z``
    rows.  Without Z: ``n_x`` (into ``n_xz``) is the binary search in the X
    list of the row whose X the row got (``centres[s, i]``).  A count that
    reaches the end of a list not ``complete`` sets eps to inf (brute force).
    """
    b, n, d = xp.shape
    cap = d_o.shape[1]
    for s in range(b):
        for i in range(n):
            e = eps[s, i]
            if not e < np.inf:
                continue
            r = centres[s, i]
            lo, hi = 0, cap
            while lo < hi:
                mid = (lo + hi) >> 1
                if d_o[r, mid] < e:
                    lo = mid + 1
                else:
                    hi = mid
            if lo == cap and not complete:
                eps[s, i] = np.inf
                continue
            if not with_z:
                n_xz[s, i] = lo
                continue
            n_other[s, i] = lo
            count = 0
            for p in range(lo):
                j = i_o[i, p]
                inside = True
                for c in range(d):
                    if abs(xp[s, j, c] - xp[s, i, c]) >= e:
                        inside = False
                        break
                if inside:
                    count += 1
            n_xz[s, i] = count


def _line_kernel(xp, centres, values, order, position, with_z, eps, n_other, n_xz):
    """Counts where the second space is one column (and X one column): runs of sorted values.

    ``values`` are that column sorted (``order`` the rows, ``position`` each
    row's place).  The rows closer than eps are one run around the row's
    place (around the place of the row whose X it got without Z); with Z,
    ``n_xz`` counts the rows of the run whose surrogate X is closer than eps.
    """
    b, n, _ = xp.shape
    for s in range(b):
        for i in range(n):
            e = eps[s, i]
            if not e < np.inf:
                continue
            at = position[centres[s, i]]
            v = values[at]
            x = xp[s, i, 0]
            count = 0
            both = 0
            q = at
            while q >= 0 and abs(values[q] - v) < e:
                count += 1
                if with_z and abs(xp[s, order[q], 0] - x) < e:
                    both += 1
                q -= 1
            q = at + 1
            while q < n and abs(values[q] - v) < e:
                count += 1
                if with_z and abs(xp[s, order[q], 0] - x) < e:
                    both += 1
                q += 1
            if with_z:
                n_other[s, i] = count
                n_xz[s, i] = both
            else:
                n_xz[s, i] = count


def _brute_kernel(xp, yz, zs, with_z, k, pb, pr, n_xz, n_yz, n_z):
    """Exact counts against every row for the (surrogate, row) pairs the lists do not settle."""
    _, n, d = xp.shape
    kk = k + 1
    heap = np.empty(kk)
    dx = np.empty(n)
    dyz = np.empty(n)
    dz = np.empty(n)
    for t in range(len(pb)):
        s, i = pb[t], pr[t]
        filled = 0
        for j in range(n):
            a = abs(xp[s, j, 0] - xp[s, i, 0])
            for c in range(1, d):
                v = abs(xp[s, j, c] - xp[s, i, c])
                if v > a:
                    a = v
            dx[j] = a
            m = abs(yz[i, 0] - yz[j, 0])
            for c in range(1, yz.shape[1]):
                v = abs(yz[i, c] - yz[j, c])
                if v > m:
                    m = v
            dyz[j] = m
            if with_z:
                w = abs(zs[i, 0] - zs[j, 0])
                for c in range(1, zs.shape[1]):
                    v = abs(zs[i, c] - zs[j, c])
                    if v > w:
                        w = v
                dz[j] = w
            dist = a if a > m else m
            if filled < kk:
                pos = filled
                filled += 1
                while pos > 0:
                    parent = (pos - 1) >> 1
                    if heap[parent] >= dist:
                        break
                    heap[pos] = heap[parent]
                    pos = parent
                heap[pos] = dist
            elif dist < heap[0]:
                pos = 0
                while True:
                    child = 2 * pos + 1
                    if child >= kk:
                        break
                    if child + 1 < kk and heap[child + 1] > heap[child]:
                        child += 1
                    if heap[child] <= dist:
                        break
                    heap[pos] = heap[child]
                    pos = child
                heap[pos] = dist
        e = heap[0]
        c_yz = 0
        c_xz = 0
        c_z = 0
        for j in range(n):
            if dyz[j] < e:
                c_yz += 1
            if with_z:
                if dz[j] < e:
                    c_z += 1
                    if dx[j] < e:
                        c_xz += 1
            elif dx[j] < e:
                c_xz += 1
        n_yz[s, i] = c_yz
        n_xz[s, i] = c_xz
        if with_z:
            n_z[s, i] = c_z


def _lists_kernel(points, ends, m, dist, index):
    """Sorted neighbour lists of nested spaces: the ``m`` nearest rows of every row, sorted.

    Space ``t`` is made of the columns ``0 .. ends[t] - 1`` of ``points``;
    each space's max-norm distances are the previous space's, maxed with its
    new columns.  A row's ``m`` smallest distances are selected (Hoare's
    selection, exact values: ties may keep any of the tied rows, and every
    count is exact whichever are kept), spread into ``m`` buckets by value
    and put in exact order by one insertion pass (a bucket sort: linear for
    the smooth distances met here).
    """
    n, _ = points.shape
    d = np.empty(n)
    vals = np.empty(n)
    rows = np.empty(n, dtype=np.int64)
    starts = np.empty(m + 1, dtype=np.int64)
    slots = np.empty(m, dtype=np.int64)
    for i in range(n):
        begin = 0
        for t in range(len(ends)):
            end = ends[t]
            for j in range(n):
                v = d[j] if begin > 0 else 0.0
                for c in range(begin, end):
                    a = abs(points[i, c] - points[j, c])
                    if a > v:
                        v = a
                d[j] = v
                vals[j] = v
                rows[j] = j
            begin = end
            if m < n:
                # Hoare's selection of the m smallest into vals[:m] (rows alongside).
                left, right, kth = 0, n - 1, m - 1
                while left < right:
                    pivot = vals[(left + right) >> 1]
                    u, w = left, right
                    while u <= w:
                        while vals[u] < pivot:
                            u += 1
                        while vals[w] > pivot:
                            w -= 1
                        if u <= w:
                            vals[u], vals[w] = vals[w], vals[u]
                            rows[u], rows[w] = rows[w], rows[u]
                            u += 1
                            w -= 1
                    if kth <= w:
                        right = w
                    elif kth >= u:
                        left = u
                    else:
                        break
            top = 0.0
            for p in range(m):
                if vals[p] > top:
                    top = vals[p]
            scale = (m - 1) / top if top > 0 else 0.0
            starts[:] = 0
            for p in range(m):
                slots[p] = min(int(vals[p] * scale), m - 1)
                starts[slots[p] + 1] += 1
            for q in range(m):
                starts[q + 1] += starts[q]
            for p in range(m):
                at = starts[slots[p]]
                starts[slots[p]] += 1
                dist[t, i, at] = vals[p]
                index[t, i, at] = rows[p]
            for p in range(1, m):
                v = dist[t, i, p]
                if dist[t, i, p - 1] <= v:
                    continue
                r = index[t, i, p]
                q = p
                while q > 0 and dist[t, i, q - 1] > v:
                    dist[t, i, q] = dist[t, i, q - 1]
                    index[t, i, q] = index[t, i, q - 1]
                    q -= 1
                dist[t, i, q] = v
                index[t, i, q] = r


def _sample_kernel(xs, yz, zs, k, rows, donor, counts):
    """:func:`_sample_counts`: the stand-in's n_yz and n_z (n_x) at ``rows``.

    With Z (``zs`` has columns), ``donor`` is filled with each row's second-
    nearest row in Z; else it is given.  Counts strict, max-norm, around the
    (k + 1)-th smallest joint distance, each row by brute force.
    """
    n, dz = zs.shape
    dx = xs.shape[1]
    if dz > 0:
        for i in range(n):
            best = np.inf
            second = np.inf
            first_row = i
            second_row = i
            for j in range(n):
                if j == i:
                    continue
                v = 0.0
                for c in range(dz):
                    a = abs(zs[i, c] - zs[j, c])
                    if a > v:
                        v = a
                if v < best:
                    second, second_row = best, first_row
                    best, first_row = v, j
                elif v < second:
                    second, second_row = v, j
            donor[i] = second_row
    joint = np.empty(n)
    for r in range(len(rows)):
        i = rows[r]
        for j in range(n):
            v = 0.0
            for c in range(dx):
                a = abs(xs[donor[i], c] - xs[donor[j], c])
                if a > v:
                    v = a
            for c in range(yz.shape[1]):
                a = abs(yz[i, c] - yz[j, c])
                if a > v:
                    v = a
            joint[j] = v
        e = np.partition(joint, k)[k]
        c_yz = 0
        c_other = 0
        for j in range(n):
            v = 0.0
            for c in range(yz.shape[1]):
                a = abs(yz[i, c] - yz[j, c])
                if a > v:
                    v = a
            c_yz += v < e
            v = 0.0
            if dz > 0:
                for c in range(dz):
                    a = abs(zs[i, c] - zs[j, c])
                    if a > v:
                        v = a
            else:
                for c in range(dx):
                    a = abs(xs[donor[i], c] - xs[donor[j], c])
                    if a > v:
                        v = a
            c_other += v < e
        counts[0, r] = c_yz
        counts[1, r] = c_other


def _local_kernel(candidates, order, out):
    """Runge's restricted permutations from their random draws (see ``local_permutations``).

    Surrogate ``s`` visits rows in the order ``order[s]``; row ``i`` takes the
    first of its shuffled neighbours ``candidates[s, i]`` not taken yet, or
    the last of them if all are.
    """
    b, n, kp = candidates.shape
    used = np.zeros(n, dtype=np.bool_)
    for s in range(b):
        used[:] = False
        for t in range(n):
            i = order[s, t]
            pick = candidates[s, i, kp - 1]
            for c in range(kp):
                j = candidates[s, i, c]
                if not used[j]:
                    pick = j
                    break
            used[pick] = True
            out[s, i] = pick


_compiled_kernels = {}
_compile_lock = threading.Lock()


def _compiled(name: str):
    """The numba-compiled kernel ``name`` (compiled on first use, cached on disk by numba)."""
    kernel = _compiled_kernels.get(name)
    if kernel is None:
        import numba

        with _compile_lock:
            kernel = _compiled_kernels.get(name)
            if kernel is None:
                kernel = numba.njit(cache=True, nogil=True)(globals()[name])
                _compiled_kernels[name] = kernel
    return kernel
