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
sorted, with their max-norm distances.  For a surrogate, every row:

1. finds its k-th neighbour distance ``eps`` in the joint space, the
   (k + 1)-th smallest of ``max(|x_i - x_j|, d_yz(i, j))``: only rows with
   ``d_yz(i, j) < g`` can be below a radius ``g``, and those are a prefix of
   the row's sorted (Y, Z) list, so the row walks that prefix and selects
   eps among the distances below ``g`` once at least k + 1 are (``g``
   starts just above the row's eps in the surrogate before and grows until
   they are); ``n_yz`` is then a binary search of ``eps`` in the same list;
2. counts ``n_z`` by a binary search of ``eps`` in its sorted Z list and
   ``n_xz`` over exactly those ``n_z`` rows.  Where Z (or X without Z) is
   one column and X one column, the Z-neighbours are a run of rows in Z
   order, counted on the sorted values with no Z lists.  Where Z has only
   discrete columns (string codes plus tie noise), the rows closer than
   ``eps`` in Z are the row's whole stratum, so ``n_z`` is its size and
   ``n_xz`` two binary searches in the stratum sorted by X
   (:mod:`mistruct.counting._strata`); without Z a discrete X is counted
   the same way, and a discrete Y trades places with a float X (a global
   permutation of X is one of Y), so the sorted lists are the float ones.

These walks are compiled loops (numba, in
:mod:`mistruct.independence._knn_null`); so are the lists' construction and
the restricted permutations' picks.  A row whose neighbourhood reaches past
the stored lists (they hold twice the counts of nine rows in ten of a
null-like stand-in for the surrogates, or every row on at most 300 rows) is
counted against every row, so every null statistic is exactly the
estimator applied to the surrogate data (checked to 1e-12 in the tests
against the kd-tree estimator).  The restricted permutations' random draws
are made for all surrogates at once.
"""

from __future__ import annotations

import numbers
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from scipy.special import digamma

from mistruct import measures
from mistruct._validation import check_alpha, check_int, check_n_jobs
from mistruct.counting import DiscreteStrata
from mistruct.data import as_frame, column_kinds
from mistruct.exceptions import InvalidInputError, KNNCostWarning
from mistruct.independence._core import CITestResult
from mistruct.independence._knn_null import _compiled, _NullStatistic
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
    "knn_ci_test",
    "local_permutations",
]

_LN2 = float(np.log(2.0))

#: Most surrogates one kNN test takes: each costs a pass over the rows (milliseconds at
#: least), so more would run for weeks; refused before any work.
_MAX_SURROGATES = 10**6

#: Default neighbour rank of the CMI statistic in :func:`knn_ci_test`.
DEFAULT_K = 20



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
        # Each row's pick depends on the picks before it: a compiled loop over the visits.
        _compiled("_local_kernel")(
            np.ascontiguousarray(candidates, dtype=np.intp),
            np.ascontiguousarray(order, dtype=np.intp),
            out[start : start + b],
        )
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

    See Also
    --------
    ci_test : the same test by name (``method="knn"``), with the others.
    gaussian_ci_test : partial correlation, for linear-Gaussian data.

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
        self.fallback_rows = 0

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
