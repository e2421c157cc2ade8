"""Conditional independence tests of continuous data.

:func:`knn_ci_test`
    The Frenzel-Pompe (KSG) conditional mutual information with the local
    permutation null of Runge (2018, "CMIknn"): X is shuffled among rows
    whose Z values are close, so each surrogate keeps the dependence of X
    and of Y on Z and breaks only what X and Y share beyond Z.  Without Z,
    X is permuted globally.
:func:`gaussian_ci_test`
    Partial correlation with Fisher's z (linear-Gaussian data).

Both return :class:`mistruct.independence.CITestResult`, with the statistic
on the scale of the discrete tests: ``G = 2 N I(X;Y|Z)`` in nats.

How the permutation test is fast
--------------------------------
Only X moves between surrogates, so everything about Y and Z is computed
once: for every row, its nearest rows in the (Y, Z) space and in the Z space,
sorted, with their max-norm distances.  For a surrogate:

1. a row's k-th neighbour distance ``eps`` in the joint space is the
   (k + 1)-th smallest of ``max(|x_i - x_j|, d_yz(i, j))`` over its first
   ``w`` listed (Y, Z)-neighbours, and ``n_yz`` a binary search of ``eps``
   in the row's sorted (Y, Z)-distances.  This is exact as soon as the
   ``w``-th listed distance reaches ``eps`` (no row further down the list
   can matter); otherwise the row is retried with a longer prefix (at most
   1.5 times longer, and never past the first listed distance reaching the
   ``eps`` found, which can only shrink).  Rows start, in groups of similar
   widths, at 1.25 times the width the observed data needed.  The selection
   runs on the distances rounded to float32 and read as int32 (NumPy selects
   32-bit integers several times faster than float64): rounding is
   monotone, so the selected key is the rounding of ``eps``, which is then
   the one entry with that key, taken in float64 (a row with a float32 tie
   is selected again in float64);
2. ``n_z`` is a binary search of ``eps`` in the row's sorted Z-distances,
   and ``n_xz`` a count over exactly those ``n_z`` rows.  Where Z has only
   discrete columns (string codes plus tie noise), the rows closer than
   ``eps`` in Z are the row's whole stratum, so ``n_z`` is its size and
   ``n_xz`` two binary searches in the stratum sorted by X
   (:mod:`mistruct.counting._strata`); without Z a discrete X is counted
   the same way, and a discrete Y trades places with a float X (a global
   permutation of X is one of Y), so the sorted lists are the float ones.
   Where Z (or X without Z) is one float column and X one column, the
   Z-neighbours are a run of rows in Z order: ``n_z`` comes from two binary
   searches and ``n_xz`` from rank counts (:mod:`mistruct.counting._sorted`),
   with no Z lists.

All of it is dense array work over groups of rows and batches of
surrogates; no tree is built per surrogate.  A row whose neighbourhood
reaches past the stored lists (they hold twice the counts of nine rows in
ten, or every row on at most 300 rows) is recomputed by brute force, so
every null statistic is exactly the estimator applied to the surrogate data (checked to 1e-12 in
the tests against the kd-tree estimator).  The restricted permutations are
drawn for all surrogates at once, one vectorized step per row.
"""

from __future__ import annotations

import math
import numbers
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import cKDTree
from scipy.special import digamma

from mistruct import measures
from mistruct._validation import check_alpha, check_int, check_n_jobs
from mistruct.counting import DiscreteStrata, RankCounter, sorted_runs
from mistruct.data import as_frame, column_kinds
from mistruct.exceptions import InvalidInputError, KNNCostWarning
from mistruct.independence._core import CITestResult
from mistruct.independence._resampling import evaluate_until, two_sided_stop_pvalue

# The measures kernels under the names the code below has always used.
_check_lengths = measures.check_lengths
_check_noise = measures.check_noise
_is_numeric = measures.is_numeric
_jitter = measures.jitter
_joint_radius = measures.joint_radius
_rng = measures.make_rng
_mixed_blocks = measures.mixed_blocks
_numeric_block = measures.numeric_block
_standardize = measures.standardize
_strict_counts = measures.strict_counts

__all__ = [
    "DEFAULT_K",
    "KNNCostWarning",
    "gaussian_ci_test",
    "knn_ci_test",
    "local_permutations",
]

_LN2 = float(np.log(2.0))

#: Most surrogates one kNN test takes: each costs a pass over the rows (milliseconds at
#: least), so more would run for weeks; refused before any work.
_MAX_SURROGATES = 10**6

#: Default neighbour rank of the CMI statistic in :func:`knn_ci_test`.
DEFAULT_K = 20

#: Elements per temporary array of a surrogate batch (bounds memory, ~16 MB of float64).
_BATCH_ELEMENTS = 2_000_000


def _result(**fields):
    return CITestResult(**fields)


# ---------------------------------------------------------------- validation


def _resolve_k(k, n: int) -> int:
    """``k`` as an int: None the default, an integer as is, a fraction in (0, 1) of the rows."""
    if k is None:
        return max(1, min(DEFAULT_K, n // 5))
    if isinstance(k, numbers.Real) and not isinstance(k, (bool, numbers.Integral)) and 0 < k < 1:
        k = max(1, int(k * n))
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise InvalidInputError(
            f"k must be an integer >= 1 or a fraction of the rows in (0, 1), got {k!r}."
        )
    if k >= n:
        raise InvalidInputError(
            f"k={k} needs more than {k} rows, but there are {n}; use a smaller k."
        )
    return int(k)


def _no_columns(z) -> bool:
    """None, an empty list or tuple, or a 2-D array or DataFrame without columns."""
    if z is None:
        return True
    if isinstance(z, (list, tuple)) and len(z) == 0:
        return True
    return np.ndim(z) == 2 and np.shape(z)[1] == 0


def _blocks(x, y, z):
    """x, y and z (None without Z) ready for the kNN statistic, the rows, and X's float columns.

    Without discrete columns: every column centred and scaled to unit
    variance (a constant one is an error).  With some: float columns scaled
    so, the others as spaced codes (see
    :func:`mistruct.measures.mixed_mutual_information`), which puts rows
    with different discrete values farther apart than any two rows with the
    same ones.  The last value is None when every column is float, else a
    dict of boolean masks of the float columns of each role.
    """
    variables = {"x": x, "y": y} if _no_columns(z) else {"x": x, "y": y, "z": z}
    frames = {role: as_frame(value, what=role) for role, value in variables.items()}
    kinds = {role: column_kinds(frame) for role, frame in frames.items()}
    if all(kind == "continuous" for by_column in kinds.values() for kind in by_column.values()):
        blocks = [_standardize(_numeric_block(value, role)) for role, value in variables.items()]
        n = _check_lengths(**dict(zip(variables, blocks, strict=True)))
        zb = blocks[2] if len(blocks) == 3 else None
        return blocks[0], blocks[1], zb, n, None
    if not any(kind == "continuous" for by_column in kinds.values() for kind in by_column.values()):
        raise InvalidInputError(
            "every column of x, y and z is discrete (not float): the kNN statistic needs a "
            "continuous column to measure distances on; use a discrete test, e.g. "
            "mistruct.ci_test(..., method='g-test-adjusted' or 'permutation'), or "
            "method='auto', which picks by column type."
        )
    mixed = _mixed_blocks(variables)
    n = len(mixed["x"])
    # _mixed_blocks puts each role's float columns first.
    floats = {
        role: np.arange(mixed[role].shape[1])
        < sum(kind == "continuous" for kind in kinds[role].values())
        for role in mixed
    }
    return mixed["x"], mixed["y"], mixed.get("z"), n, floats


# ---------------------------------------------------------------- local permutations


def local_permutations(neighbours: np.ndarray, n_permutations: int, rng) -> np.ndarray:
    """Restricted permutations of Runge (2018), ``n_permutations`` at once.

    For each surrogate, rows are visited in a random order; each takes the
    X value of a random one of its ``neighbours`` (its nearest rows in Z,
    itself included) not taken yet, or of a random one of them if all are.

    Parameters
    ----------
    neighbours : int array of shape (n, k_perm)
    n_permutations : int
    rng : numpy.random.Generator

    Returns
    -------
    int array of shape (n_permutations, n)
        Row ``b`` maps each row ``i`` to the row whose X it gets.

    Examples
    --------
    >>> neighbours = np.array([[0, 1], [1, 0], [2, 3], [3, 2]])
    >>> perms = local_permutations(neighbours, 3, np.random.default_rng(0))
    >>> bool(np.all(np.sort(perms, axis=1) == np.arange(4)))   # here always a permutation
    True
    """
    n, kp = neighbours.shape
    out = np.empty((n_permutations, n), dtype=np.intp)
    # ~2M candidate slots per chunk: larger chunks fall out of cache and run slower.
    chunk = max(1, min(n_permutations, 2_000_000 // (n * kp)))
    for start in range(0, n_permutations, chunk):
        b = min(chunk, n_permutations - start)
        candidates = rng.permuted(np.broadcast_to(neighbours, (b, n, kp)), axis=2)
        order = rng.permuted(np.broadcast_to(np.arange(n), (b, n)), axis=1)
        # Flat (surrogate, row) positions: surrogate * n + row.  An extra last candidate at
        # a position never taken (b * n) is the first not taken only when all are taken;
        # the last real one is then picked.
        base = np.arange(b) * n
        flat = np.empty((b * n, kp + 1), dtype=np.intp)
        np.add(candidates, base[:, None, None], out=flat.reshape(b, n, kp + 1)[:, :, :kp])
        flat[:, kp] = b * n
        visits = np.ascontiguousarray((order + base[:, None]).T)  # step t of every surrogate
        used = np.zeros(b * n + 1, dtype=bool)
        perm = np.empty(b * n, dtype=np.intp)
        at = np.arange(b) * (kp + 1)
        for rows in visits:
            c = np.take(flat, rows, axis=0)
            pick = used[c].argmin(axis=1)  # the first candidate not taken yet
            np.minimum(pick, kp - 1, out=pick)
            pick += at
            perm[rows] = j = np.take(c, pick)
            used[j] = True
        perm = perm.reshape(b, n) - base[:, None]
        out[start : start + b] = perm
    return out


# ---------------------------------------------------------------- the null statistic


def _counts_exact(xs, ys, zs, k):
    """The statistic (nats) with kd-trees, and n_yz, n_z (n_x without Z): the reference."""
    if zs is None:
        joint = np.hstack([xs, ys])
        eps, k_tilde = _joint_radius(joint, k)
        nx = _strict_counts(xs, eps)
        ny = _strict_counts(ys, eps)
        n = len(xs)
        value = float(digamma(n) + np.mean(digamma(k_tilde) - digamma(nx) - digamma(ny)))
        return value, ny, nx
    joint = np.hstack([xs, ys, zs])
    eps, k_tilde = _joint_radius(joint, k)
    nxz = _strict_counts(np.hstack([xs, zs]), eps)
    nyz = _strict_counts(np.hstack([ys, zs]), eps)
    nz = _strict_counts(zs, eps)
    value = float(np.mean(digamma(k_tilde) - digamma(nxz) - digamma(nyz) + digamma(nz)))
    return value, nyz, nz


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
    """Counts n_yz and n_z (n_x without Z) of a spread of rows, to size the neighbour lists."""
    n = len(xs)
    rows = np.unique(np.linspace(0, n - 1, min(n, size)).astype(np.intp))
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


# ---------------------------------------------------------------- the tests


def knn_ci_test(
    x,
    y,
    given=None,
    *,
    k=None,
    shuffle_neighbours: int = 5,
    n_permutations: int = 500,
    alpha: float = 0.05,
    seed=None,
    noise: float = 1e-10,
    return_null: bool = False,
    n_jobs: int = 1,
    h: int | None = None,
    reject_after: int | None = None,
    sample: int | None = None,
):
    """Test X independent of Y given Z with the kNN CMI and Runge's local permutation null.

    The statistic is the Frenzel-Pompe estimate of I(X;Y|Z) (KSG algorithm 1
    when Z is empty), reported as ``G = 2 N I`` in nats.  Its null
    distribution comes from ``n_permutations`` surrogates in which X is
    shuffled among the ``shuffle_neighbours`` nearest neighbours in Z of each row (Runge
    2018): rows are visited in random order and each takes the X of a random
    neighbour not taken yet (of a random neighbour if all are).  Without Z,
    X is permuted globally.  p-value ``(1 + #{null >= observed}) / (1 + B)``.

    Parameters
    ----------
    x, y : 1-D array, Series, 2-D array or DataFrame
        Numeric observations of the same rows (several columns: one joint
        variable).  Never modified.
    given : same kinds, optional
        Conditioning variables Z (None or no columns: unconditional test).
    k : int, float or None, default None
        Neighbour rank of the CMI estimator: an integer, or a fraction of
        the rows (0.1 gives ``int(0.1 n)``).  None: 20, or ``n // 5`` on
        fewer than 100 rows.  Larger k lowers the variance of the statistic
        and raises its bias; power peaks in between (Runge 2018 recommends
        5 to 20% of the rows at a few hundred rows; with n = 500, |Z| = 3
        and a weak nonlinear effect we measured power 0.62, 0.70, 0.72,
        0.63, 0.50 for k = 5, 10, 20, 50, 100).  The time per surrogate
        grows roughly in proportion to k.
    shuffle_neighbours : int, default 5
        Neighbours in Z (the row itself included) among which X is
        shuffled; 5 to 10 keeps the test calibrated (Runge 2018).
    n_permutations : int, default 500
        Surrogates B.
    alpha : float, default 0.05
        Significance level of ``independent = pvalue > alpha``.
    seed : None, int or numpy.random.Generator
        Seeds the tie noise and the surrogates.
    noise : float, default 1e-10
        Tie noise, as for :func:`mistruct.measures.ksg_mutual_information`.
    return_null : bool, default False
        Keep the surrogate statistics in ``result.null_distribution``.
    n_jobs : int, default 1
        Threads computing surrogates (-1: one per CPU).  The result does not
        depend on it.
    h : int, optional
        Stop early, as Besag & Clifford (1991): once ``h`` surrogates have
        reached the observed statistic, after ``L`` surrogates, the p-value
        is ``h / L``; otherwise it is the usual one over all
        ``n_permutations``.  The surrogates are the same as without ``h``, in
        the same order, so with ``h = floor(alpha (n_permutations + 1))``
        the decision at ``alpha`` is the fixed-B test's, at a fraction of
        its cost when independence holds.
    reject_after : int, optional
        Stop early the other way: when none of the first ``reject_after``
        surrogates reaches the observed statistic, stop there with the
        p-value ``1 / (reject_after + 1)`` (the probability, under the null,
        that the observed statistic is the largest of ``reject_after + 1``
        exchangeable values).  A test that runs through all the surrogates
        then reports the null probability of its outcome or a more extreme
        one, the early stop included (:func:`mistruct.independence.two_sided_stop_pvalue`; barely
        above the usual p-value: with 199 surrogates and ``reject_after=39``
        it rejects at 0.05 with up to 8 exceedances, against 9); one stopped
        at its ``h``-th exceedance reports ``h / L + 1 / (reject_after + 1)``
        (a union bound).  So ``P(p <= u) <= u`` under the null for every
        ``u`` (as for the truncated sequential Monte Carlo tests of Fay, Kim
        & Hachey 2007).  Clear dependence then costs ``reject_after``
        surrogates instead of ``n_permutations``.  Must be smaller than ``n_permutations``.  The
        first ``reject_after`` surrogates are drawn on their own, so the
        stream of surrogates differs from the one without it.

    sample : int, optional
        Test on this many rows drawn at random (from ``seed``, without
        replacement) instead of all of them.  The cost of a surrogate grows
        like ``n log n`` without Z but faster with Z (the marginal counts
        around each row's k-th neighbour grow with n): measured here, 20
        surrogates with one Z column take about 2.4 s at 10,000 rows and 23 s
        at 40,000.  Above 20,000 rows without ``sample`` a
        :class:`KNNCostWarning` says so.

    Returns
    -------
    CITestResult
        ``statistic`` = ``2 N I`` (nats), ``cmi`` = I in bits, ``dof`` None,
        ``method`` ``"knn"``, ``estimator`` ``"frenzel-pompe"``
        (``"ksg"`` without Z), ``n`` the rows, ``n_strata`` 0.

    Examples
    --------
    X and Y are noisy functions of Z (independent given Z), then Y also
    depends on X.

    >>> rng = np.random.default_rng(0)
    >>> z = rng.standard_normal((300, 2))
    >>> x = np.sin(z[:, 0]) + 0.5 * rng.standard_normal(300)
    >>> y = z[:, 0] * z[:, 1] + 0.5 * rng.standard_normal(300)
    >>> knn_ci_test(x, y, z, n_permutations=99, seed=1).independent
    True
    >>> knn_ci_test(x, y + x, z, n_permutations=99, seed=1).pvalue
    0.01
    """
    z, k_perm = given, shuffle_neighbours
    if sample is not None:
        sample = check_int(sample, "sample", low=3, hint="It is the number of rows to test on.")
        frames = [as_frame(v, what=role) for v, role in ((x, "x"), (y, "y"))]
        if not _no_columns(z):
            frames.append(as_frame(z, what="z"))
        n_all = len(frames[0])
        if sample < n_all and all(len(f) == n_all for f in frames):
            # Rows drawn from the seed alone, kept in their order, before any scaling: the
            # test is then exactly the test of those rows.
            rows = np.sort(_rng(seed).choice(n_all, size=sample, replace=False))
            x, y = (f.iloc[rows].reset_index(drop=True) for f in frames[:2])
            z = frames[2].iloc[rows].reset_index(drop=True) if len(frames) > 2 else None
    xb, yb, zb, n, floats = _blocks(x, y, z)
    if sample is None and zb is not None and n > _COSTLY_ROWS:
        warnings.warn(
            f"a kNN CI test with a conditioning set on {n:,} rows: each surrogate costs more "
            "than n log n here (20 surrogates with one Z column: ~2.4 s at 10,000 rows, ~23 s "
            f"at 40,000); pass sample={_COSTLY_ROWS} to test on a random subset of rows.",
            KNNCostWarning,
            stacklevel=2,
        )
    return _knn_test(
        xb, yb, zb, n, floats, k=k, k_perm=k_perm, n_permutations=n_permutations, alpha=alpha,
        seed=seed, noise=noise, return_null=return_null, n_jobs=n_jobs, h=h,
        reject_after=reject_after,
    )


def _knn_test(
    xb, yb, zb, n, floats, *, k, k_perm, n_permutations, alpha, seed, noise=1e-10,
    return_null=False, n_jobs=1, h=None, reject_after=None,
):
    """:func:`knn_ci_test` on blocks ready for the statistic (see :func:`_blocks`).

    The learners' batches (:func:`mistruct.independence._numeric_tests.run_knn`)
    prepare each float column once and call this directly: the same blocks,
    bit for bit, as :func:`_blocks` makes, without its checks per query.
    """
    k = _resolve_k(k, n)
    if zb is not None:
        k_perm = check_int(
            k_perm, "shuffle_neighbours", low=1, high=n - 1,
            hint="It is the number of Z-neighbours among which X is shuffled.",
        )
    n_permutations = check_int(
        n_permutations,
        "n_permutations",
        low=1,
        high=_MAX_SURROGATES,
        hint="Each surrogate is a pass over the rows; 99 to 999 are usual.",
    )
    alpha = check_alpha(alpha)
    noise = _check_noise(noise)
    rng = _rng(seed)
    if not isinstance(return_null, (bool, np.bool_)):
        raise InvalidInputError(f"return_null must be True or False, got {return_null!r}.")
    workers = check_n_jobs(n_jobs)
    if h is not None:
        h = check_int(h, "h", low=1, hint="It is the number of exceedances that stops the test.")
    if reject_after is not None:
        reject_after = check_int(
            reject_after,
            "reject_after",
            low=1,
            high=n_permutations - 1,
            hint="It is the number of surrogates after which a test none of them reached stops.",
        )

    xs = _jitter(xb, noise, rng)
    ys = _jitter(yb, noise, rng)
    zs = None if zb is None else _jitter(zb, noise, rng)
    if floats is None and n > (_TREE_ROWS if zs is None else _TREE_ROWS_Z):
        # The lists' widths grow with n (marginal counts around a joint k-th neighbour:
        # like sqrt(n) without Z), so a surrogate costs more than n log n through them;
        # kd-trees cost n log n.
        kernel, swapped = _TreeNull(xs, ys, k, zs), False
    else:
        kernel, swapped = _kernel(xb, yb, zb, xs, ys, zs, k, floats, workers)
    # The observed statistic is the kernel's on the identity permutation: exactly the
    # Frenzel-Pompe estimate, computed the way every surrogate's is.
    observed = kernel.observed()

    if zs is None:

        def draw(b):
            perms = rng.permuted(np.broadcast_to(np.arange(n), (b, n)), axis=1)
            # X at pi(i) beside Y at i are the pairs of Y at pi^-1(j) beside X at j.
            return np.argsort(perms, axis=1) if swapped else perms

    else:
        neighbours = cKDTree(zs).query(zs, k=max(k_perm, 2), p=np.inf)[1][:, :k_perm]

        def draw(b):
            return local_permutations(neighbours, b, rng)

    null = np.empty(n_permutations)
    # Permutations (and the surrogates' tie noise) are drawn in chunks, in this thread,
    # so the result does not depend on ``workers``; batches of them are evaluated together.
    draw_chunk = max(1, 2_000_000 // (n * xs.shape[1]))
    batch = kernel.batch_size()
    starts = list(range(0, n_permutations, draw_chunk))
    if reject_after is not None:
        # The first reject_after surrogates in a draw of their own: a test that stops
        # there draws no more.
        starts = sorted(set(starts) | {reject_after})
    for start, end in zip(starts, [*starts[1:], n_permutations], strict=True):
        perms = draw(end - start)
        jitters = None
        if zs is not None and noise > 0:
            jitters = noise * rng.standard_normal((len(perms), *xs.shape))
        cuts = list(range(0, len(perms), batch))
        if reject_after is not None and start < reject_after < start + len(perms):
            # A batch ends at reject_after, where the test may stop.
            cuts = sorted(set(cuts) | {reject_after - start})
        cuts.append(len(perms))
        parts = [
            (perms[a:b], None if jitters is None else jitters[a:b])
            for a, b in zip(cuts[:-1], cuts[1:], strict=False)
        ]
        if h is not None or reject_after is not None:
            # One batch at a time, so the test can stop as soon as it is decided.
            stop = evaluate_until(kernel, parts, null, start, observed, h, reject_after)
            if stop is not None:
                null = null[:stop]
                break
            continue
        if workers == 1:
            values = [kernel(*part) for part in parts]
        else:
            with ThreadPoolExecutor(workers) as pool:
                values = list(pool.map(lambda part: kernel(*part), parts))
        null[start : start + len(perms)] = np.concatenate(values)

    exceedances = int(np.count_nonzero(null >= observed))
    if reject_after is not None and len(null) == reject_after and exceedances == 0:
        pvalue = 1.0 / (reject_after + 1)  # stopped early: no surrogate reached it
    elif len(null) < n_permutations:  # stopped early, at the h-th exceedance
        pvalue = h / len(null)
        if reject_after is not None:
            # The early stop for dependence spends this much more (a union bound).
            pvalue = min(1.0, pvalue + 1.0 / (reject_after + 1))
    elif reject_after is not None:
        pvalue = two_sided_stop_pvalue(exceedances, n_permutations, reject_after)
    else:
        pvalue = (1.0 + exceedances) / (1.0 + n_permutations)
    return _result(
        statistic=2.0 * n * observed,
        pvalue=float(pvalue),
        dof=None,
        cmi=observed / _LN2,
        method="knn",
        alpha=alpha,
        independent=bool(pvalue > alpha),
        n_permutations=len(null),
        null_distribution=2.0 * n * null if return_null else None,
        estimator="mixed" if floats is not None else "ksg" if zs is None else "frenzel-pompe",
        n=n,
        n_strata=0,
    )


def _numbers_inside(dtype) -> bool:
    """A numeric dtype, or categories whose values are numbers (integer codes named discrete)."""
    if isinstance(dtype, pd.CategoricalDtype):
        return _is_numeric(dtype.categories.dtype)
    return _is_numeric(dtype)


#: Above this many rows (with Z) the test warns of its cost and suggests ``sample=``.
_COSTLY_ROWS = 20_000


#: Above this many rows an unconditional test of float columns evaluates its surrogates with
#: kd-trees (measured: 2,000 rows, 99 surrogates, 0.5 s against 0.9 s through the lists;
#: 40,000 rows, 5 surrogates, 0.6 s against 75 s).
_TREE_ROWS = 2000

#: The same with Z (float columns only): 10,000 rows, 20 surrogates, 3.5 s against 2.4 s
#: through the lists; 40,000 rows, 42 s through the lists.
_TREE_ROWS_Z = 20_000


class _TreeNull:
    """The KSG / Frenzel-Pompe statistic of (X permuted, Y, Z) by kd-trees: n log n per surrogate.

    The same interface as :class:`_NullStatistic` for a test of float
    columns; the observed value and every surrogate's come from the same
    function (:func:`_counts_exact`), so they compare exactly.  A local
    permutation's X is standardized again and given fresh tie noise, as in
    :meth:`_NullStatistic.surrogate_x`.
    """

    def __init__(self, xs, ys, k, zs=None):
        self.xs, self.ys, self.zs, self.k = xs, ys, zs, k
        self.fallback_rows = self.float32_ties = 0

    def observed(self) -> float:
        # The identity permutation, treated as every surrogate is (as the lists' kernel does).
        value = _counts_exact(self._x(np.arange(len(self.xs)), None), self.ys, self.zs, self.k)[0]
        if not np.isfinite(value):
            raise InvalidInputError(
                "more than k rows coincide exactly (a k-th neighbour distance is 0), so the "
                "kNN statistic is undefined; use noise > 0 (the default) to break the ties."
            )
        return value

    def batch_size(self) -> int:
        return 4

    def _x(self, perm, jitter):
        if self.zs is None:
            return self.xs[perm]
        xp = _standardize(self.xs[perm])
        return xp if jitter is None else xp + jitter

    def __call__(self, perms, jitters=None):
        return np.array(
            [
                _counts_exact(self._x(p, None if jitters is None else jitters[i]), self.ys,
                              self.zs, self.k)[0]
                for i, p in enumerate(perms)
            ]
        )


def _kernel(xb, yb, zb, xs, ys, zs, k, floats, workers=1):
    """The null-statistic kernel of a test, and whether X and Y trade places in it.

    ``xb``, ``yb``, ``zb``: the blocks before tie noise (discrete columns as
    exact spaced codes); ``xs``, ``ys``, ``zs``: with it.  A second space
    (Z, or X without Z) made only of discrete columns is counted by strata
    (:class:`DiscreteStrata`).  Without Z the statistic is symmetric and a
    global permutation of X is one of Y, so a discrete Y with a float X
    trade places: the sorted lists are then those of the float variable.
    """
    if floats is None:
        return _NullStatistic(xs, ys, zs, k, workers=workers), False
    swapped = zb is None and not floats["y"].any() and floats["x"].any()
    if swapped:
        xb, yb, xs, ys = yb, xb, ys, xs
        floats = {"x": floats["y"], "y": floats["x"]}
    strata = None
    if zb is not None and not floats["z"].any():
        strata = DiscreteStrata(zb, zs)
    elif zb is None and not floats["x"].any():
        strata = DiscreteStrata(xb, xs)
    kernel = _NullStatistic(xs, ys, zs, k, x_continuous=floats["x"], strata=strata, workers=workers)
    return kernel, swapped


def gaussian_ci_test(x, y, given=None, *, alpha: float = 0.05):
    """Test X independent of Y given Z by partial correlation and Fisher's z.

    ``r`` is the correlation of the residuals of X and Y after least-squares
    regression on Z (with an intercept); the p-value is two-sided, from
    ``sqrt(n - |Z| - 3) * artanh(r)`` against the standard normal.

    Parameters
    ----------
    x, y : 1-D array or Series
        One numeric column each: float, integer or boolean, all taken as
        numbers (an integer column with few levels too).  Text and
        categorical columns are an error.
    given : 1-D array, Series, 2-D array or DataFrame, optional
        Conditioning variables Z.
    alpha : float, default 0.05

    Returns
    -------
    CITestResult
        ``statistic`` ``G = -N log(1 - r^2) = 2 N I_gauss`` (nats), the
        likelihood-ratio statistic, on the scale of the other tests;
        ``cmi`` the Gaussian I(X;Y|Z) in bits; ``dof`` None (the p-value is
        Fisher's, not chi-squared); ``method`` ``"gaussian"``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.standard_normal(500)
    >>> x, y = z + rng.standard_normal(500), z + rng.standard_normal(500)
    >>> gaussian_ci_test(x, y).independent, gaussian_ci_test(x, y, z).independent
    (False, True)
    """
    blocks = {}
    for role, value in (("x", x), ("y", y), ("z", given)):
        if role == "z" and _no_columns(value):
            continue
        frame = as_frame(value, what=role)
        text = [c for c in frame.columns if not _numbers_inside(frame[c].dtype)]
        if text:
            single = frame.shape[1] == 1 and not hasattr(value, "columns")
            name = getattr(value, "name", None) if single else None
            what = (
                (f"column {name!r}" if name is not None else role)
                if single
                else f"column(s) {text!r} of {role}"
            )
            raise InvalidInputError(
                f"the Gaussian test (partial correlation) needs numbers, but {what} "
                f"{'is' if single or len(text) == 1 else 'are'} not numeric (dtype "
                f"{frame[text[0]].dtype}: text or categories); use the kNN test, which takes "
                "discrete columns too, or leave those columns out."
            )
        # Every numeric column is a number here, integers included (whatever its kind
        # for the discrete tests): a partial correlation needs nothing else.
        frame = frame.apply(
            lambda c: c.astype(c.cat.categories.dtype)
            if isinstance(c.dtype, pd.CategoricalDtype)
            else c
        )
        blocks[role] = _standardize(_numeric_block(frame, role))
    n = _check_lengths(**blocks)
    xb, yb, zb = blocks["x"], blocks["y"], blocks.get("z")
    for role, block in (("x", xb), ("y", yb)):
        if block.shape[1] != 1:
            raise InvalidInputError(
                f"gaussian_ci_test takes one column for {role}, got {block.shape[1]}; "
                "test each column, or use knn_ci_test for joint variables."
            )
    alpha = check_alpha(alpha)
    dz = 0 if zb is None else zb.shape[1]
    if n - dz - 3 < 1:
        raise InvalidInputError(
            f"Fisher's z needs n - |Z| - 3 >= 1, but n = {n} and |Z| = {dz}; "
            "use more rows or fewer conditioning variables."
        )
    design = np.ones((n, 1)) if zb is None else np.hstack([np.ones((n, 1)), zb])
    xy = np.hstack([xb, yb])
    residuals = xy - design @ np.linalg.lstsq(design, xy, rcond=None)[0]
    scale = np.sqrt((residuals**2).sum(axis=0))
    tiny = 1e-10 * np.sqrt(((xy - xy.mean(axis=0)) ** 2).sum(axis=0))
    for j, role in enumerate(("x", "y")):
        if scale[j] <= tiny[j]:
            raise InvalidInputError(
                f"{role} is an exact linear function of z, so its partial correlation with "
                f"the other variable is undefined; drop it or the redundant z column(s)."
            )
    r = float(np.clip(residuals[:, 0] @ residuals[:, 1] / (scale[0] * scale[1]), -1.0, 1.0))
    with np.errstate(divide="ignore"):
        g = float(-n * np.log1p(-(r**2)))
        fisher = np.sqrt(n - dz - 3) * np.arctanh(r)
    pvalue = float(2 * stats.norm.sf(abs(fisher)))
    return _result(
        statistic=g,
        pvalue=pvalue,
        dof=None,
        cmi=g / (2 * n * _LN2),
        method="gaussian",
        alpha=alpha,
        independent=bool(pvalue > alpha),
        n_permutations=0,
        null_distribution=None,
        estimator="gaussian",
        n=n,
        n_strata=0,
    )
