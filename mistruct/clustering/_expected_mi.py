"""Exact expected mutual information of two clusterings under the permutation model.

Under the permutation model (Vinh, Epps & Bailey 2010) both labellings keep
their cluster sizes and the pairing of samples is random, so the overlap
``n_ij`` of a row cluster of size ``a`` and a column cluster of size ``b`` is
hypergeometric, and

    E[MI] = sum_ij sum_k P(n_ij = k | a_i, b_j, n) * k/n * log(n k / (a_i b_j)).

The sum depends on the row and column sums only through their multisets: the
work here is over *distinct* pairs ``(a, b)``, weighted by how often each
pair occurs. With many clusters the sizes repeat a lot (1000 clusters of a
sample of 10^5 have fewer than 100 distinct sizes), which is where the speed
comes from.

Each pair's hypergeometric distribution is summed over a window around its
mean chosen by Bennett's inequality, which holds for sampling without
replacement (Hoeffding 1963, theorem 4): the mass left out is below
``2 exp(-_TAIL)`` per pair, far below double precision in the total. Inside
the window the log-probabilities are running sums of the log-ratios of
consecutive terms, and each pair's probabilities are normalised to sum to
one. This avoids the large cancelling ``gammaln`` terms of the textbook
formula, whose rounding errors reach 1e-10 at n = 10^5.
"""

import numpy as np
from scipy.special import lambertw, xlogy

__all__ = ["expected_mutual_info_from_sums"]

# Each pair's window leaves out at most 2 exp(-60) ~ 2e-26 of its probability.
_TAIL = 60.0
# Terms evaluated at once (half a MB per temporary array) ...
_MAX_TERMS = 1 << 16
# ... and (a, b) pairs set up at once; bounds the memory whatever the input.
_MAX_PAIRS = 1 << 14


def expected_mutual_info_from_sums(row_sums, col_sums, n):
    """Expected mutual information (nats) given the cluster sizes of both labellings.

    Parameters
    ----------
    row_sums, col_sums : ndarray of int
        Positive cluster sizes of each labelling; each sums to ``n``.
    n : int
        Number of samples.

    Returns
    -------
    float
        The expectation of the mutual information over all pairings of the
        samples that keep both sets of cluster sizes.
    """
    a_values, a_counts = np.unique(row_sums, return_counts=True)
    b_values, b_counts = np.unique(col_sums, return_counts=True)
    rows_per_block = max(1, _MAX_PAIRS // b_values.size)
    total = 0.0
    for s in range(0, a_values.size, rows_per_block):
        block = slice(s, s + rows_per_block)
        a = np.repeat(a_values[block], b_values.size).astype(np.float64)
        b = np.tile(b_values, a.size // b_values.size).astype(np.float64)
        weight = np.outer(a_counts[block], b_counts).ravel().astype(np.float64)
        start, length = _windows(a, b, n)
        for c in _chunks(length):
            total += _weighted_sum(a[c], b[c], weight[c], start[c], length[c], n)
    return total / n


def _windows(a, b, n):
    """First overlap and number of overlaps worth summing for each pair of sizes.

    The window is the support of the hypergeometric distribution cut to
    ``mean +- t``, where Bennett's inequality puts at most ``exp(-_TAIL)`` of
    the mass beyond ``t`` on each side: ``v h(t / v) = _TAIL`` with
    ``h(u) = (1 + u) log(1 + u) - u``, solved for ``t`` with Lambert's W.
    """
    mean = a * b / n
    # Variance of the binomial that dominates the hypergeometric; the
    # distribution is symmetric in a and b, so take the tighter of the two.
    variance = mean * (1.0 - np.maximum(a, b) / n)
    c = _TAIL / variance - 1.0
    t = variance * (c / lambertw(c / np.e).real - 1.0)
    # t >= 1 (it is unless n > 1e12) keeps an integer next to the mean in every window.
    t = np.maximum(t, 1.0)
    lowest = np.maximum(0.0, a + b - n)
    highest = np.minimum(a, b)
    start = np.maximum(lowest, np.ceil(mean - t))
    stop = np.minimum(highest, np.floor(mean + t))
    return start, (stop - start + 1).astype(np.int64)


def _chunks(length):
    """Slices of consecutive pairs whose windows hold about ``_MAX_TERMS`` terms together."""
    ends = np.cumsum(length)
    cuts = np.searchsorted(ends, np.arange(_MAX_TERMS, ends[-1], _MAX_TERMS), side="right")
    bounds = np.unique(np.concatenate(([0], cuts, [length.size])))
    return [slice(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]


def _weighted_sum(a, b, weight, start, length, n):
    """``sum_pairs weight * E[k log(n k / (a b))]`` over the given pairs' windows."""
    pair = np.repeat(np.arange(a.size), length)
    first = np.cumsum(length) - length
    k = start[pair] + (np.arange(pair.size) - first[pair])
    a_k, b_k = a[pair], b[pair]
    # log P(k) - log P(k - 1) = log((a - k + 1)(b - k + 1) / (k (n - a - b + k))); the
    # products stay exact in float64 for n up to 9e7.
    with np.errstate(divide="ignore"):
        step = np.log((a_k - k + 1.0) * (b_k - k + 1.0) / (k * (n - a_k - b_k + k)))
    # A running sum of the steps gives log P up to a constant per pair. The first
    # step of each pair undoes the previous pair's total, so the sum restarts near
    # zero instead of drifting (and losing digits) over the whole chunk.
    step[first] = 0.0
    step[first[1:]] = -np.add.reduceat(step, first)[:-1]
    log_p = np.cumsum(step)
    log_p -= np.maximum.reduceat(log_p, first)[pair]
    p = np.exp(log_p)
    mass = np.add.reduceat(p, first)
    log_ratio = np.log(n) - np.log(a) - np.log(b)
    moment = np.add.reduceat(p * (xlogy(k, k) + k * log_ratio[pair]), first)
    return float(np.dot(weight, moment / mass))
