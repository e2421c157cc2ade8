"""Information measures of continuous and mixed data: kNN, Gaussian and mixed estimators.

Every estimator returns a value in the library's default base, bits
(``base=2``); pass ``base=np.e`` for nats.

k-nearest-neighbour estimators (max-norm, :class:`scipy.spatial.cKDTree`)
    :func:`knn_entropy`
        Kozachenko-Leonenko differential entropy.
    :func:`ksg_mutual_information`
        Kraskov-Stögbauer-Grassberger mutual information, algorithms 1 and 2.
    :func:`ksg_conditional_mutual_information`
        Frenzel-Pompe conditional mutual information.
    :func:`mixed_mutual_information`
        Gao, Kannan, Oh & Viswanath (2017) for discrete-continuous mixtures;
        with ``given``, the same tie rule in the Frenzel-Pompe form.
Gaussian closed forms
    :func:`gaussian_mutual_information`, :func:`gaussian_mutual_information_matrix`.
Choosing by column type
    :func:`mutual_information_auto` (one pair, reports what it picked) and
    :func:`knn_mutual_information_matrix` (every pair of columns).

Conventions
-----------
*Scaling.*  The kNN mutual-information estimators centre each column and
divide it by its standard deviation first (mutual information does not change,
but the max-norm neighbourhoods do), as scikit-learn's
``mutual_info_regression`` does.  :func:`knn_entropy` works on the original
scale, since entropy is not scale invariant.

*Ties.*  kNN estimators assume no two points are at distance 0, yet real
measurements are rounded (0.1 mm, 25 g, whole horsepower), so ties are the
normal case.  Each continuous column, standardized, gets noise drawn from a
stream keyed by ``seed`` and a hash of the column's values (not its position
or the order of the draws), so the same data give the same result whatever
the column order, and identical columns get identical noise; the noise is
handed out by rank, so reordering the rows changes nothing for columns
without ties (tied rows may swap their noise, which moves the estimate
within its noise):

* a column without ties gets ``noise * N(0, 1)`` (``noise=1e-10`` by
  default), scikit-learn's jitter, which changes no neighbour order that
  matters;
* a column with ties gets ``U(-w/2, w/2)``, ``w`` its smallest gap between
  distinct values: each value is spread over its rounding interval.

Independent noise keeps independent columns independent (so the estimates
of independent rounded data are centred on 0: within 0.01 bits in the
tests, over roundings of 0.05 to 0.5 standard deviations, 200 to 5,000 rows,
binary to 5-level partners) and can only lose information, never add any.
Tiny jitter alone is not enough on heavily tied data: it orders each pile
of copies at random, which leaves KSG close to the plug-in estimate on the
rounded values (biased upward; measured +0.015 nats at rho = 0.6 rounded to
0.1 sd, n = 2000) and Kozachenko-Leonenko at about log(1e-10) (-19 nats for
N(0, 1) rounded to 0.5).  scikit-learn's ``mutual_info_regression`` and
``mutual_info_classif`` use that tiny jitter, so on data without ties they
agree with these estimators, and on tied data they differ by the random
order of the piles (their value moves with ``random_state``; on penguins'
year and body mass, 0.055 to 0.10 nats for random_state 0-4, ours 0.054 to
0.081 for seed 0-4).  ``noise=0`` disables the noise: then KSG algorithm 2
and Kozachenko-Leonenko refuse exact copies, and
:func:`mixed_mutual_information` uses Gao et al.'s exact rule, right for
true point masses (a spike at 0) but biased upward on rounded measurements.
``seed`` defaults to 0, so results are reproducible by default; ``seed=None``
draws fresh noise on every call.

*Column kinds.*  Functions that take a table or pick an estimator by kind
follow :func:`mistruct.data.column_kinds`: float columns and integer columns
with many levels (measurements, counts) are continuous; bool, category,
string columns and integer codes with few levels are discrete.

*Missing values.*  ``missing="error"`` (the default) names every column with
missing values and their counts; ``missing="drop"`` drops each row with a
missing value in any used column.

*Counts.*  For algorithm 1 and Frenzel-Pompe, neighbours in a marginal space
are counted *strictly* inside the joint k-th neighbour distance (radius
``np.nextafter(eps, 0)`` with ``<=``); a one-column space is counted by
binary search in its sorted values, exactly as the kd-tree would.  Estimates are not clipped at 0: a
negative value is estimation noise around a true value near 0.
"""

from __future__ import annotations

import hashlib
import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from scipy.special import digamma

from mistruct.data._table import apply_kinds, as_frame, encode, select_columns
from mistruct.exceptions import InvalidInputError, MissingValuesError
from mistruct.measures._discrete import DEFAULT_BASE, _check_variables, _log_base
from mistruct.measures._discrete import mutual_information as _discrete_mutual_information
from mistruct.measures._discrete import mutual_information_matrix as _discrete_mi_matrix

__all__ = [
    "KNN_MATRIX_ESTIMATORS",
    "MutualInformationEstimate",
    "gaussian_mutual_information",
    "gaussian_mutual_information_matrix",
    "knn_entropy",
    "knn_mutual_information_matrix",
    "ksg_conditional_mutual_information",
    "ksg_mutual_information",
    "mixed_mutual_information",
    "mutual_information_auto",
]

#: Estimators of :func:`knn_mutual_information_matrix`.
KNN_MATRIX_ESTIMATORS = ("auto", "ksg", "mixed")

_LN2 = float(np.log(2.0))

#: Default ``seed`` of every estimator that draws tie noise: results are reproducible by
#: default; ``seed=None`` draws fresh noise on every call.
DEFAULT_SEED = 0

#: Gaussian information above this (nats) is reported as inf: the residual variance is
#: below 1e-12 of the total, i.e. an exact linear relation up to rounding.
_GAUSSIAN_INF = 0.5 * np.log(1e12)


# ---------------------------------------------------------------- validation


def _label(role: str, name, single: bool) -> str:
    return role if single else f"column {name!r} of {role}"


def _is_numeric(dtype) -> bool:
    return (
        not isinstance(dtype, pd.CategoricalDtype)
        and pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_complex_dtype(dtype)
    )


def _numeric_column(series: pd.Series, label: str, *, allow_constant: bool) -> np.ndarray:
    if isinstance(series.dtype, pd.CategoricalDtype) and _is_numeric(
        series.cat.categories.dtype
    ):
        # Integer codes held as categories (a column named discrete) are still numbers.
        series = series.astype(series.cat.categories.dtype)
    if not _is_numeric(series.dtype):
        raise InvalidInputError(
            f"{label} holds text or categories (dtype {series.dtype}), not numeric values; the kNN "
            "and Gaussian estimators and tests need numbers. Leave that column out, or use "
            "the mixed estimator or an automatic test, which treat it as discrete."
        )
    values = series.to_numpy(dtype=float, na_value=np.nan)
    n_nan = int(np.count_nonzero(np.isnan(values)))
    if n_nan:
        raise MissingValuesError(
            f"{label} has {n_nan} missing value(s) (NaN/None) in {len(values)} rows; "
            "kNN and Gaussian estimators cannot use them: drop or impute those rows first."
        )
    n_inf = int(np.count_nonzero(np.isinf(values)))
    if n_inf:
        raise InvalidInputError(
            f"{label} has {n_inf} infinite value(s) in {len(values)} rows; "
            "drop those rows or replace the values with finite numbers."
        )
    if not allow_constant and values.min() == values.max():
        raise InvalidInputError(
            f"{label} is constant (zero variance): its mutual information with anything is 0 "
            "and kNN/Gaussian estimators are undefined on it (its differential entropy is "
            "-inf); drop the column."
        )
    return values


def _single(value) -> bool:
    """Whether ``value`` is one unnamed variable (messages then say "x", not "column 0 of x")."""
    if isinstance(value, pd.DataFrame):
        return False
    return np.ndim(value) != 2 or np.shape(value)[1] == 1


def _numeric_block(
    value, role: str, *, allow_constant: bool = False, single: bool | None = None
) -> np.ndarray:
    """``value`` as a float (n, d) array, checked column by column; never a view of the input."""
    frame = as_frame(value, what=role)
    if single is None:
        single = frame.shape[1] == 1 and not isinstance(value, pd.DataFrame)
    out = np.empty(frame.shape, dtype=float)
    for j, name in enumerate(frame.columns):
        out[:, j] = _numeric_column(
            frame[name], _label(role, name, single), allow_constant=allow_constant
        )
    return out


def _check_lengths(**blocks):
    lengths = {role: len(block) for role, block in blocks.items() if block is not None}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{role} has {n}" for role, n in lengths.items())
        raise InvalidInputError(
            f"the variables have different numbers of rows ({detail}); they must be "
            "observations of the same rows."
        )
    return next(iter(lengths.values()))


def _check_k(k, n: int, name: str = "k") -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise InvalidInputError(f"{name} must be an integer >= 1, got {k!r}.")
    if k >= n:
        raise InvalidInputError(
            f"{name}={k} needs more than {k} rows, but there are {n}; use a smaller {name} "
            "(3 to 10 is usual) or more data."
        )
    return int(k)


def _check_noise(noise) -> float:
    if (
        isinstance(noise, bool)
        or not isinstance(noise, numbers.Real)
        or not math.isfinite(float(noise))
        or not 0 <= noise <= 1
    ):
        # noise is in units of each column's standard deviation: more than 1 drowns the data.
        raise InvalidInputError(
            f"noise must be a number from 0 to 1 (a fraction of each column's standard "
            f"deviation), got {noise!r} (0 disables the tie noise)."
        )
    return float(noise)


def _check_algorithm(algorithm) -> int:
    if isinstance(algorithm, bool) or algorithm not in (1, 2):
        raise InvalidInputError(
            f"algorithm must be 1 or 2 (KSG's two estimators), got {algorithm!r}."
        )
    return int(algorithm)


def _rng(seed) -> np.random.Generator:
    """A Generator from None, a non-negative int or a Generator."""
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return np.random.default_rng(int(seed))
    raise InvalidInputError(
        f"seed must be None, a non-negative integer or a numpy.random.Generator, got {seed!r}."
    )


def _seed_key(seed) -> int:
    """One integer from ``seed`` that keys every column's tie noise of one call.

    ``None`` draws fresh entropy (not reproducible); a Generator gives one
    draw (reproducible with the Generator's state); an integer is itself.
    """
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    return _check_seed_int(seed)


def _check_seed_int(seed) -> int:
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return int(seed)
    raise InvalidInputError(
        f"seed must be None, a non-negative integer or a numpy.random.Generator, got {seed!r}."
    )


def _content_key(values: np.ndarray) -> int:
    """A hash of a column's values that does not depend on Python's hash seed."""
    values = np.ascontiguousarray(values, dtype=np.float64) + 0.0  # -0.0 and 0.0 alike
    digest = hashlib.blake2b(values.tobytes(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def _row_keys(*blocks) -> np.ndarray:
    """One pseudo-random uint64 per row from the row's values alone.

    Each column's values (as float64 bits) go through the splitmix64 finalizer
    and the columns are summed, so the key depends neither on the order of the
    rows nor on the order of the columns.  It orders the tied rows of a
    column when their noise is handed out: rows with equal keys are equal in
    every column of the call, so which of them gets which noise changes no
    point of the data.
    """
    blocks = [np.asarray(b, dtype=np.float64) for b in blocks if b is not None]
    n = blocks[0].shape[0]
    acc = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for block in blocks:
            for column in np.atleast_2d(block.T):
                z = (np.ascontiguousarray(column) + 0.0).view(np.uint64) + _MIX[0]
                z = (z ^ (z >> np.uint64(30))) * _MIX[1]
                z = (z ^ (z >> np.uint64(27))) * _MIX[2]
                acc += z ^ (z >> np.uint64(31))
    return acc


def _break_ties(
    values: np.ndarray, key: int, noise: float, row_keys: np.ndarray | None = None
) -> np.ndarray:
    """A standardized column with its ties broken by noise drawn from ``(key, its content)``.

    Without ties: ``noise * N(0, 1)`` (scikit-learn's tiny jitter), which
    changes no neighbour order that matters.  With ties (rounded or
    integer-valued measurements): ``U(-w/2, w/2)`` with ``w`` the smallest
    positive gap between distinct values, which spreads each tied value over
    its rounding interval.  Independent noise keeps independent columns
    independent, and at this width the kNN estimators see a continuous
    variable instead of piles of copies, whose k-th neighbour distances sit
    on the rounding grid and inflate the estimates (tiny jitter only
    randomizes the order inside a pile, which leaves the estimator close to
    the plug-in estimate on the rounded values, biased upward by about
    ``(levels - 1)(classes - 1) / 2n`` nats).  The stream of a column is
    keyed by its values, not by its position, so results do not depend on
    column order, and identical columns get identical noise.  Noise is
    handed out by rank, tied rows in the order of ``row_keys`` (a content
    hash of each row over every variable of the call, see :func:`_row_keys`),
    so reordering the rows changes nothing (without ``row_keys``, tied rows
    may swap their noise).
    """
    if noise == 0 or len(values) < 2:
        return values
    # Keyed by the sorted values and handed out by rank: reordering the rows gives each
    # row the same noise (exactly so without ties; tied rows may swap theirs).
    if row_keys is None:
        order = np.argsort(values, kind="stable")
    else:
        order = np.lexsort((row_keys, values))
    ordered = values[order]
    rng = np.random.default_rng([key, _content_key(ordered)])
    gaps = np.diff(ordered)
    positive = gaps[gaps > 0]
    if positive.size == gaps.size:
        draws = noise * rng.standard_normal(len(values))
    elif positive.size == 0:  # constant: nothing to separate, and no scale to spread on
        return values
    else:
        draws = positive.min() * rng.uniform(-0.5, 0.5, len(values))
    out = values.copy()
    out[order] += draws
    return out


def _prepared(
    block: np.ndarray, key: int, noise: float, row_keys: np.ndarray | None = None
) -> np.ndarray:
    """Standardized columns of ``block`` with their ties broken (a new array)."""
    out = _standardize(block)
    for j in range(out.shape[1]):
        out[:, j] = _break_ties(out[:, j], key, noise, row_keys)
    return out


def _standardize(block: np.ndarray) -> np.ndarray:
    """Columns centred and scaled to unit standard deviation (a constant column is only centred)."""
    # Mean and spread summed over sorted values: the same bits in any row order, so the
    # tie noise keyed by these values does not change when the rows are reordered.
    # Column by column on contiguous copies: NumPy sums a 2-D axis in another order than a
    # 1-D array, and a column must get the same bits alone as inside a block.
    def sorted_mean(values):
        return np.ascontiguousarray(np.sort(values)).mean() if len(values) else 0.0

    mean = np.array([sorted_mean(block[:, j]) for j in range(block.shape[1])])
    centred = block - mean
    std = np.sqrt(np.array([sorted_mean(centred[:, j] ** 2) for j in range(block.shape[1])]))
    return centred / np.where(std > 0, std, 1.0)


def _jitter(block: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    if noise == 0:
        return block
    return block + noise * rng.standard_normal(block.shape)


MISSING_OPTIONS = ("error", "drop")


def _frames(variables: dict, missing: str, optional=("given", "z")) -> dict:
    """The variables as frames of the same rows, missing values refused or dropped.

    The door of every pair estimator: ``None`` for a required variable,
    pandas objects with different indexes, different lengths and an unknown
    ``missing`` are refused here, before any work.  With ``missing="drop"``,
    every row with a missing value in any used column is dropped from all
    variables; with ``"error"``, the error names each column and its count.
    """
    if missing not in MISSING_OPTIONS:
        raise InvalidInputError(
            f"missing={missing!r} is not an option of the kNN and Gaussian estimators; use "
            "'error' (the default) or 'drop' (drop every row with a missing value in any "
            "used column)."
        )
    present = _check_variables(variables, optional)
    frames = {role: as_frame(value, what=role) for role, value in present.items()}
    _check_lengths(**frames)
    masks = {role: frame.isna().to_numpy() for role, frame in frames.items()}
    if not any(mask.any() for mask in masks.values()):
        return frames
    if missing == "error":
        n = len(next(iter(frames.values())))
        where = []
        for role, frame in frames.items():
            single = frame.shape[1] == 1 and not isinstance(present[role], pd.DataFrame)
            counts = masks[role].sum(axis=0)
            where += [
                f"{_label(role, name, single)} has {int(c)} missing value(s)"
                for name, c in zip(frame.columns, counts, strict=True)
                if c
            ]
        raise MissingValuesError(
            ", ".join(where)
            + f" (NaN/None) in {n} rows; pass missing='drop' to drop every row with a "
            "missing value in any used column, or impute them first."
        )
    keep = ~np.logical_or.reduce([mask.any(axis=1) for mask in masks.values()])
    if not keep.any():
        raise MissingValuesError(
            "every row has a missing value in some used column; nothing is left after "
            "missing='drop'."
        )
    return {role: frame.loc[keep] for role, frame in frames.items()}


def _determined_by(target: np.ndarray, given: np.ndarray) -> bool:
    """Whether the sample shows ``target`` as a function of ``given`` (then I(T;Y|given) = 0).

    True when every column of ``target`` equals a column of ``given``, or when
    ``given`` has at most n/2 distinct rows (enough repeats to see a function)
    and ``target`` takes one value in each of them.  Without repeats in
    ``given`` every column is trivially a function of it, so that is no
    evidence and the estimator is left to decide.
    """
    if all(
        any(np.array_equal(target[:, j], given[:, i]) for i in range(given.shape[1]))
        for j in range(target.shape[1])
    ):
        return True
    _, strata = np.unique(given, axis=0, return_inverse=True)
    strata = strata.ravel()
    n_strata = int(strata.max()) + 1
    if n_strata > len(strata) / 2:
        return False
    pairs = np.unique(np.column_stack([strata, target]), axis=0)
    return len(pairs) == n_strata


# ---------------------------------------------------------------- kNN kernels


def _psi(counts) -> np.ndarray:
    return digamma(np.asarray(counts, dtype=float))


def _joint_radius(joint: np.ndarray, k: int, tree: cKDTree | None = None):
    """Max-norm distance to the k-th neighbour (self excluded) and Gao's k-tilde.

    ``k_tilde`` is ``k`` where that distance is positive and, where it is 0
    (more than ``k`` copies of the point), the number of copies, the point
    itself included.
    """
    tree = cKDTree(joint) if tree is None else tree
    eps = tree.query(joint, k=k + 1, p=np.inf)[0][:, -1]
    k_tilde = np.full(len(joint), float(k))
    ties = eps == 0
    if ties.any():
        k_tilde[ties] = tree.query_ball_point(joint[ties], 0.0, p=np.inf, return_length=True)
    return eps, k_tilde


def _counts_within(points: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """Points (self included) at max-norm distance ``<= radius[i]`` from each point ``i``.

    One column: two binary searches per point in the sorted values, then a
    few vectorized corrections so the test is exactly the kd-tree's,
    ``|v_j - v_i| <= r_i`` computed in floating point (the bounds
    ``v_i -+ r_i`` are rounded, the distances are not).  Several columns: a
    kd-tree ball count.
    """
    if points.shape[1] > 1:
        return cKDTree(points).query_ball_point(points, radius, p=np.inf, return_length=True)
    v = points[:, 0]
    s = np.sort(v)
    n = len(s)

    def inside(position, rows):
        return np.abs(s[position] - v[rows]) <= radius[rows]

    lo = np.searchsorted(s, v - radius, side="left")
    hi = np.searchsorted(s, v + radius, side="right")
    # The set of values within the radius is a run of s around v (rounding is monotone),
    # so each end moves past whole runs of equal values until the test says stop.
    for step in ("lo down", "lo up", "hi up", "hi down"):
        rows = np.arange(n)
        while rows.size:
            if step == "lo down":
                rows = rows[lo[rows] > 0]
                rows = rows[inside(lo[rows] - 1, rows)]
                lo[rows] = np.searchsorted(s, s[lo[rows] - 1], side="left")
            elif step == "lo up":
                rows = rows[lo[rows] < n]
                rows = rows[~inside(lo[rows], rows)]
                lo[rows] = np.searchsorted(s, s[lo[rows]], side="right")
            elif step == "hi up":
                rows = rows[hi[rows] < n]
                rows = rows[inside(hi[rows], rows)]
                hi[rows] = np.searchsorted(s, s[hi[rows]], side="right")
            else:
                rows = rows[hi[rows] > 0]
                rows = rows[~inside(hi[rows] - 1, rows)]
                hi[rows] = np.searchsorted(s, s[hi[rows] - 1], side="left")
    return hi - lo


def _strict_counts(points: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """Points (self included) strictly closer than ``eps``; exact copies where ``eps`` is 0."""
    return _counts_within(points, np.where(eps > 0, np.nextafter(eps, 0), 0.0))


def _mi_nats(x: np.ndarray, y: np.ndarray, k: int) -> float:
    """KSG algorithm 1 / Gao et al. mutual information in nats (rows already prepared)."""
    joint = np.hstack([x, y])
    eps, k_tilde = _joint_radius(joint, k)
    nx = _strict_counts(x, eps)
    ny = _strict_counts(y, eps)
    return float(digamma(len(joint)) + np.mean(_psi(k_tilde) - _psi(nx) - _psi(ny)))


def _cmi_terms(x: np.ndarray, y: np.ndarray, z: np.ndarray, k: int):
    """Frenzel-Pompe CMI in nats and the per-point counts (self included)."""
    joint = np.hstack([x, y, z])
    eps, k_tilde = _joint_radius(joint, k)
    nxz = _strict_counts(np.hstack([x, z]), eps)
    nyz = _strict_counts(np.hstack([y, z]), eps)
    nz = _strict_counts(z, eps)
    value = float(np.mean(_psi(k_tilde) - _psi(nxz) - _psi(nyz) + _psi(nz)))
    return value, eps, nyz, nz


def _ksg2_nats(x: np.ndarray, y: np.ndarray, k: int) -> float:
    """KSG algorithm 2: marginal radii from the k joint neighbours, counts with <=."""
    joint = np.hstack([x, y])
    n = len(joint)
    neighbours = cKDTree(joint).query(joint, k=k + 1, p=np.inf)[1]
    # The point itself is among its k + 1 nearest (distance 0), so it adds nothing to a max.
    ex = np.abs(x[neighbours] - x[:, None, :]).max(axis=(1, 2))
    ey = np.abs(y[neighbours] - y[:, None, :]).max(axis=(1, 2))
    nx = _counts_within(x, ex) - 1
    ny = _counts_within(y, ey) - 1
    if np.any(nx < 1) or np.any(ny < 1):
        raise InvalidInputError(
            "KSG algorithm 2 found points whose k nearest neighbours all coincide with them "
            "(exact ties); use noise > 0 or mixed_mutual_information."
        )
    return float(digamma(k) - 1.0 / k + digamma(n) - np.mean(_psi(nx) + _psi(ny)))


# ---------------------------------------------------------------- kNN estimators


def knn_entropy(
    x,
    *,
    k: int = 3,
    base=DEFAULT_BASE,
    seed=DEFAULT_SEED,
    noise: float = 1e-10,
    missing: str = "error",
) -> float:
    """Kozachenko-Leonenko differential entropy h(X) with the max-norm.

    ``h = psi(n) - psi(k) + d log 2 + (d / n) sum_i log r_i``, with ``r_i`` the
    max-norm distance from point ``i`` to its k-th nearest neighbour and
    ``d`` the number of columns.  The volume constant is that of the
    max-norm ball: a cube of side ``2 r``, volume ``(2 r)^d``, hence
    ``d log 2`` (Kraskov et al. 2004, eq. 20, with ``c_d = 1`` for the
    diameter ``2 r``).

    Parameters
    ----------
    x : 1-D array, Series, 2-D array or DataFrame
        Numeric observations; several columns give the joint entropy.  Never
        modified.  Unlike the mutual-information estimators, the columns are
        not rescaled: entropy depends on the scale.
    k : int, default 3
        Neighbour rank; ``1 <= k < n``.
    base : float, default 2
        2 gives bits, ``np.e`` nats.
    seed : int, None or numpy.random.Generator, default 0
        Seeds the tie noise (see the module notes); the fixed default makes
        results reproducible, ``None`` draws fresh noise on every call.
    noise : float, default 1e-10
        Standard deviation of the Gaussian tie noise on a column without
        ties, relative to its standard deviation; a column with ties is
        spread over its rounding interval instead (module notes).  0 disables
        both (then duplicated rows are an error: their distance 0 has log
        -inf).
    missing : {"error", "drop"}, default "error"
        ``"drop"`` drops the rows with a missing value.

    Returns
    -------
    float
        Differential entropy; may be negative.

    Notes
    -----
    Asymptotically unbiased.  For n = 10^4 draws of N(0, 1) and k = 3 the
    bias is about -0.004 nats and the standard deviation 0.01 nats (true
    value ``0.5 log(2 pi e) = 1.418939``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> round(knn_entropy(rng.standard_normal(5000), base=np.e, seed=0), 1)
    1.4
    """
    scale = _log_base(base)
    frames = _frames({"x": x}, missing)
    block = _numeric_block(frames["x"], "x")
    n, d = block.shape
    k = _check_k(k, n)
    noise = _check_noise(noise)
    key = _seed_key(seed)
    noisy = block.copy()
    for j in range(d):
        # Spread on the unit-variance scale, then back: entropy depends on the scale.
        std = block[:, j].std() or 1.0
        noisy[:, j] = _break_ties(block[:, j] / std, key, noise) * std
    radius = cKDTree(noisy).query(noisy, k=k + 1, p=np.inf)[0][:, -1]
    if np.any(radius == 0):
        raise InvalidInputError(
            "x has more than k identical rows, whose k-th neighbour distance is 0; "
            "use noise > 0 (the default) or a larger k."
        )
    h = digamma(n) - digamma(k) + d * _LN2 + d * float(np.mean(np.log(radius)))
    return float(h) / scale


def ksg_mutual_information(
    x,
    y,
    *,
    k: int = 3,
    algorithm: int = 1,
    base=DEFAULT_BASE,
    seed=DEFAULT_SEED,
    noise: float = 1e-10,
    missing: str = "error",
) -> float:
    """Kraskov-Stögbauer-Grassberger mutual information I(X;Y) of continuous variables.

    With ``eps_i`` the max-norm distance from point ``i`` to its k-th
    neighbour in the joint space (X, Y):

    * algorithm 1: ``I = psi(k) + psi(n) - < psi(n_x + 1) + psi(n_y + 1) >``,
      ``n_x`` the number of other points strictly closer than ``eps_i`` in
      the X space (likewise ``n_y``);
    * algorithm 2: ``I = psi(k) - 1/k + psi(n) - < psi(n_x) + psi(n_y) >``,
      ``n_x`` the number of other points within (``<=``) the X-extent of the
      k joint neighbours.

    Parameters
    ----------
    x, y : 1-D array, Series, 2-D array or DataFrame
        Numeric observations of the same rows; several columns form one
        joint variable.  Never modified.
    k : int, default 3
        Neighbour rank (scikit-learn's ``n_neighbors``); ``1 <= k < n``.
    algorithm : {1, 2}, default 1
    base : float, default 2
        2 gives bits, ``np.e`` nats.
    seed : int, None or numpy.random.Generator, default 0
        Seeds the tie noise (module notes); ``None`` is not reproducible.
    noise : float, default 1e-10
        Jitter of columns without ties (module notes); 0 disables all tie
        noise.
    missing : {"error", "drop"}, default "error"
        ``"drop"`` drops every row with a missing value in x or y.

    Returns
    -------
    float
        Not clipped at 0: values slightly below 0 mean "about 0".

    Notes
    -----
    Columns are centred and scaled to unit variance, then their ties are
    broken (to a copy; module notes).  Algorithm 1 is what scikit-learn's
    ``mutual_info_regression`` computes (it also scales to unit variance and
    adds 1e-10-scaled noise; it clips at 0): on data without ties both agree
    to ~1e-6 nats.  On tied data (rounded or integer-valued columns) they
    differ: scikit-learn's tiny jitter orders each pile of copies at random,
    which biases it toward the plug-in estimate of the rounded values, while
    here a tied column is spread over its rounding interval.

    For a bivariate Gaussian with rho = 0.6 (I = 0.223144 nats), n = 10^4
    and k = 3, the bias is below 0.001 nats and the standard deviation
    0.008 nats, for either algorithm.  The bias grows with the
    dependence and the dimension and shrinks with n.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(2000)
    >>> y = 0.6 * x + 0.8 * rng.standard_normal(2000)   # rho = 0.6: I = 0.2231 nats
    >>> round(ksg_mutual_information(x, y, base=np.e, seed=0), 1)
    0.2
    """
    scale = _log_base(base)
    frames = _frames({"x": x, "y": y}, missing)
    xb, yb = (_numeric_block(frames[r], r, single=_single(v)) for r, v in (("x", x), ("y", y)))
    n = _check_lengths(x=xb, y=yb)
    k = _check_k(k, n)
    algorithm = _check_algorithm(algorithm)
    noise = _check_noise(noise)
    key = _seed_key(seed)
    rows = _row_keys(xb, yb)
    xs, ys = _prepared(xb, key, noise, rows), _prepared(yb, key, noise, rows)
    value = _mi_nats(xs, ys, k) if algorithm == 1 else _ksg2_nats(xs, ys, k)
    return value / scale


def ksg_conditional_mutual_information(
    x,
    y,
    z,
    *,
    k: int = 3,
    base=DEFAULT_BASE,
    seed=DEFAULT_SEED,
    noise: float = 1e-10,
    missing: str = "error",
) -> float:
    """Frenzel-Pompe conditional mutual information I(X;Y|Z) of continuous variables.

    ``I = psi(k) - < psi(n_xz + 1) + psi(n_yz + 1) - psi(n_z + 1) >``, with
    ``eps_i`` the max-norm distance to the k-th neighbour in the joint space
    (X, Y, Z) and ``n_xz`` the number of other points strictly closer than
    ``eps_i`` in the (X, Z) space (likewise ``n_yz``, ``n_z``) (Frenzel &
    Pompe 2007).

    Parameters
    ----------
    x, y, z : 1-D array, Series, 2-D array or DataFrame
        Numeric observations of the same rows; never modified.
    k : int, default 3
    base : float, default 2
    seed : int, None or numpy.random.Generator, default 0
        Seeds the tie noise (module notes); ``None`` is not reproducible.
    noise : float, default 1e-10
    missing : {"error", "drop"}, default "error"

    Returns
    -------
    float
        Not clipped at 0, except that it is exactly 0.0 when the sample
        shows X or Y as a function of Z (a column of X or Y identical to a
        column of Z, or Z with at most n/2 distinct rows and one value of X,
        or of Y, in each): then I(X;Y|Z) = 0 exactly, where the estimator
        would return noise around 0.

    Notes
    -----
    Same scaling and tie noise as :func:`ksg_mutual_information`.  The
    estimate is close to 0 (bias 0.0005, standard deviation 0.008 nats at
    n = 10^4, k = 3, one column each) when X and Y are independent given Z.

    Examples
    --------
    X and Y are noisy copies of Z: dependent, but independent given Z.

    >>> rng = np.random.default_rng(0)
    >>> z = rng.standard_normal(2000)
    >>> x, y = z + rng.standard_normal(2000), z + rng.standard_normal(2000)
    >>> abs(ksg_conditional_mutual_information(x, y, z, seed=0)) < 0.02
    True
    """
    scale = _log_base(base)
    frames = _frames({"x": x, "y": y, "z": z}, missing, optional=())
    xb, yb, zb = (
        _numeric_block(frames[r], r, single=_single(v)) for r, v in (("x", x), ("y", y), ("z", z))
    )
    n = _check_lengths(x=xb, y=yb, z=zb)
    k = _check_k(k, n)
    noise = _check_noise(noise)
    key = _seed_key(seed)
    if _determined_by(xb, zb) or _determined_by(yb, zb):
        return 0.0
    rows = _row_keys(xb, yb, zb)
    xs, ys, zs = (_prepared(b, key, noise, rows) for b in (xb, yb, zb))
    return _cmi_terms(xs, ys, zs, k)[0] / scale


# ---------------------------------------------------------------- mixed data


def _is_continuous(series: pd.Series) -> bool:
    """The dtype rule below the door: after ``apply_kinds``, float means continuous."""
    return pd.api.types.is_float_dtype(series.dtype)


def _mixed_blocks(
    variables: dict, *, key: int | None = None, noise: float = 0.0, raw=None, singles=None
):
    """Discrete columns as codes spaced farther apart than any continuous distance.

    Float columns are continuous: centred and scaled to unit variance (a
    constant one is kept as is) and, when ``key`` is given, their ties broken
    by :func:`_break_ties`.  Other columns are discrete: integer codes
    multiplied by a spacing larger than the range of every continuous
    column, so two rows with different discrete values are farther apart
    (in the max-norm) than any two rows with the same ones.  When ``raw`` is
    a dict, it receives each variable's unscaled values (floats and codes).
    """
    frames = {role: as_frame(value, what=role) for role, value in variables.items()}
    _check_lengths(**{role: frame for role, frame in frames.items()})
    continuous, discrete, unscaled = {}, {}, {}
    for role, frame in frames.items():
        if singles is None:
            single = frame.shape[1] == 1 and not isinstance(variables[role], pd.DataFrame)
        else:
            single = singles[role]
        names_c = [c for c in frame.columns if _is_continuous(frame[c])]
        names_d = [c for c in frame.columns if not _is_continuous(frame[c])]
        cols = [
            _numeric_column(frame[c], _label(role, c, single), allow_constant=True) for c in names_c
        ]
        values_c = np.column_stack(cols) if cols else np.empty((len(frame), 0))
        unscaled[role] = values_c
        if names_d:
            table = encode(frame[names_d], what=role)
            discrete[role] = table.codes.astype(float)
        else:
            discrete[role] = np.empty((len(frame), 0))
        if raw is not None:
            raw[role] = np.hstack([values_c, discrete[role]])
    if key is not None:
        # Tied rows are ordered by their whole content, so the noise (and the result)
        # does not depend on the order of the rows.
        rows = _row_keys(*unscaled.values(), *discrete.values())
    for role, values_c in unscaled.items():
        if key is None:
            continuous[role] = _standardize(values_c)
        else:
            continuous[role] = _prepared(values_c, key, noise, rows)
    ranges = [np.ptp(b, axis=0).max() for b in continuous.values() if b.shape[1]]
    spacing = 1.0 + (max(ranges) if ranges else 0.0)
    return {role: np.hstack([continuous[role], discrete[role] * spacing]) for role in frames}


def mixed_mutual_information(
    x,
    y,
    given=None,
    *,
    k: int = 3,
    base=DEFAULT_BASE,
    seed=DEFAULT_SEED,
    noise: float = 1e-10,
    missing: str = "error",
) -> float:
    """Mutual information of discrete, continuous or mixed variables (Gao et al. 2017).

    For each point, ``rho_i`` is the max-norm distance to its k-th neighbour
    in the joint space.  Where ``rho_i > 0``, ``k_i = k`` and ``n_x``,
    ``n_y`` count points strictly closer than ``rho_i`` in each marginal
    space (as KSG algorithm 1); where ``rho_i = 0`` (the point has at least
    ``k`` exact copies), ``k_i`` is the number of copies and ``n_x``,
    ``n_y`` count the marginal copies (distance 0), the point itself always
    included.  Then ``I = psi(n) + < psi(k_i) - psi(n_x) - psi(n_y) >``.
    With ``given``, the same rule in the Frenzel-Pompe form:
    ``< psi(k_i) - psi(n_xz) - psi(n_yz) + psi(n_z) >`` (as Mesner & Shalizi
    2021 do).

    Parameters
    ----------
    x, y : 1-D array, list, Series, 2-D array or DataFrame
        Observations of the same rows.  Each column's kind follows
        :func:`mistruct.data.column_kinds`: float columns and integer
        columns with many levels (measurements, counts) are continuous
        (scaled to unit variance, ties broken as below); the others
        (bool, category, string, integer codes with few levels) are
        discrete.  Never modified.
    given : same kinds, optional
        Conditioning variable(s).
    k : int, default 3
    base : float, default 2
    seed : int, None or numpy.random.Generator, default 0
        Seeds the tie noise of the continuous columns (module notes);
        ``None`` is not reproducible.
    noise : float, default 1e-10
        Jitter of continuous columns without ties; 0 disables all tie noise,
        which gives Gao et al.'s exact rule on the raw values (right for
        point masses such as a spike at 0, biased upward on rounded
        measurements: see Notes).
    missing : {"error", "drop"}, default "error"
        ``"drop"`` drops every row with a missing value in any variable.

    Returns
    -------
    float
        Not clipped at 0, except that with ``given`` it is exactly 0.0 when
        the sample shows X or Y as a function of ``given`` (see
        :func:`ksg_conditional_mutual_information`).

    Notes
    -----
    Ties.  A continuous column with tied values (rounded measurements,
    integer counts) gets independent noise ``U(-w/2, w/2)``, ``w`` its
    smallest gap between distinct values, drawn from a stream keyed by
    ``seed`` and the column's values (so the same data give the same value
    whatever the column order).  Without it the k-th neighbour distances
    fall on the rounding grid, and Gao's rule, exact for true point masses,
    counts the piles of copies like a plug-in estimate on hundreds of
    levels: independent N(26, 4.4) draws rounded to 0.1 beside a fair coin
    at n = 442 gave 0.28 bits instead of 0.  With the noise the mean over
    independent rounded data is within 0.01 bits of 0 (tests).  Discrete
    columns get no noise and are compared with the discrete metric (0 when
    equal, farther than any continuous distance otherwise).

    On continuous data without ties this is KSG algorithm 1; for a discrete
    X and a continuous Y whose classes each have more than k rows it is the
    estimator of Ross (2014), which scikit-learn's ``mutual_info_classif``
    computes: on data without ties the two agree up to scikit-learn's own
    1e-10 jitter.  With ties they differ, since scikit-learn's tiny jitter
    only orders each pile of copies at random; see the module notes.  On
    discrete data it is a plug-in estimate with digamma bias corrections.
    The paper writes ``log`` where this uses ``psi`` (as the authors' code
    does); both are consistent.

    Examples
    --------
    X | Y ~ N(+-1, 1) with Y a fair coin: I = 0.3368 nats.

    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 2000)
    >>> x = rng.standard_normal(2000) + 2 * y - 1
    >>> round(mixed_mutual_information(x, y, base=np.e), 1)
    0.3
    """
    scale = _log_base(base)
    noise = _check_noise(noise)
    key = _seed_key(seed)
    frames = _frames({"x": x, "y": y, "given": given}, missing)
    originals = {"x": x, "y": y, "given": given}
    variables = {role: apply_kinds(frame, what=role) for role, frame in frames.items()}
    singles = {role: _single(originals[role]) for role in variables}
    raw = {}
    blocks = _mixed_blocks(variables, key=key, noise=noise, raw=raw, singles=singles)
    n = len(blocks["x"])
    k = _check_k(k, n)
    if given is None:
        return _mi_nats(blocks["x"], blocks["y"], k) / scale
    if _determined_by(raw["x"], raw["given"]) or _determined_by(raw["y"], raw["given"]):
        return 0.0
    return _cmi_terms(blocks["x"], blocks["y"], blocks["given"], k)[0] / scale


# ---------------------------------------------------------------- Gaussian


def _logdet(matrix: np.ndarray) -> float:
    if matrix.shape[0] == 0:
        return 0.0
    sign, logdet = np.linalg.slogdet(matrix)
    return float(logdet) if sign > 0 else -np.inf


def gaussian_mutual_information(
    x, y, given=None, *, base=DEFAULT_BASE, missing: str = "error"
) -> float:
    """Mutual information of jointly Gaussian variables, from the correlation matrix.

    One column each and no ``given``: ``-1/2 log(1 - rho^2)``.  In general
    ``I(X;Y|Z) = 1/2 log(det S_XZ det S_YZ / (det S_XYZ det S_Z))``, the
    log-determinants of blocks of the correlation matrix.

    Parameters
    ----------
    x, y : 1-D array, Series, 2-D array or DataFrame
        Numeric observations of the same rows.
    given : same kinds, optional
    base : float, default 2
    missing : {"error", "drop"}, default "error"
        ``"drop"`` drops every row with a missing value in any variable.

    Returns
    -------
    float
        ``inf`` when X (given Z) is an exact linear function of Y, up to
        rounding (residual variance below 1e-12 of the total, that is, above
        ``1/2 ln 10^12`` = 13.8 nats).

    Raises
    ------
    InvalidInputError
        For a constant column, NaN or inf, different lengths, or when the
        columns of x with given (or y with given) are collinear, so the
        conditional distribution is degenerate.

    Notes
    -----
    Exact for Gaussian data up to the sampling error of the correlations
    (standard error about ``rho (1 - rho^2) / sqrt(n)`` nats for one pair);
    for non-Gaussian data it is the information of the Gaussian with the
    same correlations, a lower bound on I for the same correlations.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(10_000)
    >>> y = 0.6 * x + 0.8 * rng.standard_normal(10_000)
    >>> round(gaussian_mutual_information(x, y, base=np.e), 2)   # exact: 0.2231
    0.22
    """
    scale = _log_base(base)
    frames = _frames({"x": x, "y": y, "given": given}, missing)
    originals = {"x": x, "y": y, "given": given}
    blocks = {
        role: _numeric_block(frame, role, single=_single(originals[role]))
        for role, frame in frames.items()
    }
    xb, yb, zb = blocks["x"], blocks["y"], blocks.get("given")
    _check_lengths(x=xb, y=yb, given=zb)
    dx, dy = xb.shape[1], yb.shape[1]
    columns = [xb, yb] + ([zb] if zb is not None else [])
    corr = np.atleast_2d(np.corrcoef(np.hstack(columns), rowvar=False))
    if zb is None and dx == dy == 1:
        value = -0.5 * np.log(max(1.0 - corr[0, 1] ** 2, 0.0)) if corr[0, 1] ** 2 < 1 else np.inf
        return (np.inf if value > _GAUSSIAN_INF else float(value)) / scale
    ix = np.arange(dx)
    iy = np.arange(dx, dx + dy)
    iz = np.arange(dx + dy, corr.shape[0])

    def logdet(*blocks):
        index = np.concatenate(blocks)
        return _logdet(corr[np.ix_(index, index)])

    l_xz, l_yz, l_z = logdet(ix, iz), logdet(iy, iz), logdet(iz)
    if min(l_xz, l_yz, l_z) < -2 * _GAUSSIAN_INF:
        raise InvalidInputError(
            "the columns of x and given (or y and given) are collinear: one is an exact "
            "linear function of the others, so their Gaussian density is degenerate; "
            "drop the redundant column(s)."
        )
    value = max(0.5 * (l_xz + l_yz - logdet(ix, iy, iz) - l_z), 0.0)
    return (np.inf if value > _GAUSSIAN_INF else value) / scale


def gaussian_mutual_information_matrix(
    data, columns=None, *, base=DEFAULT_BASE, missing: str = "error"
) -> pd.DataFrame:
    """Gaussian mutual information ``-1/2 log(1 - rho^2)`` of every pair of columns.

    All pairs come from one correlation matrix.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Numeric columns; never modified.
    columns : list, optional
        Columns to use (all by default).
    base : float, default 2
    missing : {"error", "drop"}, default "error"
        ``"drop"`` drops every row with a missing value in any used column.

    Returns
    -------
    DataFrame
        Symmetric, labelled by column, with ``inf`` on the diagonal (a
        continuous variable has infinite information about itself).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.standard_normal(10_000)
    >>> frame = pd.DataFrame({"a": a, "b": a + rng.standard_normal(10_000),
    ...                       "c": rng.standard_normal(10_000)})
    >>> matrix = gaussian_mutual_information_matrix(frame, base=np.e)
    >>> matrix.columns.tolist(), float(matrix.loc["a", "a"])
    (['a', 'b', 'c'], inf)
    >>> bool(abs(matrix.loc["a", "b"] - 0.3466) < 0.02), bool(matrix.loc["a", "c"] < 0.01)
    (True, True)
    """
    scale = _log_base(base)
    frame = select_columns(as_frame(data), columns)
    frame = _frames({"data": frame}, missing, optional=())["data"]
    block = _numeric_block(frame, "data")
    corr = np.atleast_2d(np.corrcoef(block, rowvar=False))
    rho2 = np.minimum(corr**2, 1.0)
    with np.errstate(divide="ignore"):
        matrix = -0.5 * np.log1p(-rho2)
    matrix[matrix > _GAUSSIAN_INF] = np.inf
    matrix = matrix / scale
    np.fill_diagonal(matrix, np.inf)
    return pd.DataFrame(matrix, index=list(frame.columns), columns=list(frame.columns))


# ---------------------------------------------------------------- choosing an estimator


@dataclass(frozen=True)
class MutualInformationEstimate:
    """A mutual-information value and the estimator that produced it.

    Attributes
    ----------
    value : float
        The estimate, in ``base`` units.
    estimator : str
        ``"plugin"`` (every column discrete), ``"ksg"`` (every column
        continuous, no ``given``), ``"frenzel-pompe"`` (every column
        continuous, with ``given``) or ``"mixed"`` (Gao et al. 2017, some of
        each).
    k : int or None
        Neighbour rank of the kNN estimators; None for ``"plugin"``.
    base : float

    ``float(estimate)`` is ``estimate.value``.
    """

    value: float
    estimator: str
    k: int | None
    base: float

    def __float__(self) -> float:
        return float(self.value)


def _table_kinds(frame: pd.DataFrame) -> dict:
    """Kinds by the dtype rule, for a frame that went through ``apply_kinds``."""
    return {c: "continuous" if _is_continuous(frame[c]) else "discrete" for c in frame.columns}


def mutual_information_auto(
    x,
    y,
    given=None,
    *,
    base=DEFAULT_BASE,
    k: int = 3,
    seed=DEFAULT_SEED,
    missing: str = "error",
) -> MutualInformationEstimate:
    """Mutual information with the estimator that fits the column kinds.

    Each column's kind is that of :func:`mistruct.data.column_kinds`: float
    columns and integer columns with many levels (measurements, counts) are
    continuous; bool, category, string columns and integer codes with few
    levels are discrete.

    * every column discrete: the plug-in estimate of
      :func:`mistruct.mutual_information`;
    * every column continuous: KSG algorithm 1 (:func:`ksg_mutual_information`),
      or Frenzel-Pompe with ``given``
      (:func:`ksg_conditional_mutual_information`);
    * some of each: Gao et al. (:func:`mixed_mutual_information`).

    Parameters
    ----------
    x, y : 1-D array, list, Series, 2-D array or DataFrame
    given : same kinds, optional
    base : float, default 2
    k : int, default 3
        Neighbour rank of the kNN estimators.
    seed : int, None or numpy.random.Generator, default 0
        Seeds the tie noise of the kNN estimators, keyed by each column's
        values: the same data give the same value, whatever the column
        order; ``None`` is not reproducible.
    missing : {"error", "drop"}, default "error"
        ``"drop"`` drops every row with a missing value in any variable.

    Returns
    -------
    MutualInformationEstimate
        ``.value`` and ``.estimator`` (what was picked).

    Examples
    --------
    >>> picked = mutual_information_auto(["a", "a", "b", "b"], [0, 0, 1, 1])
    >>> picked.estimator, round(picked.value, 6)
    ('plugin', 1.0)
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 500)
    >>> mutual_information_auto(rng.standard_normal(500) + y, y).estimator
    'mixed'
    """
    frames = _frames({"x": x, "y": y, "given": given}, missing)
    originals = {"x": x, "y": y, "given": given}
    applied = {role: apply_kinds(frame, what=role) for role, frame in frames.items()}
    # One variable stays one variable (a 1-D input keeps its "x" in messages).
    inputs = {
        role: frame.iloc[:, 0] if _single(originals[role]) else frame
        for role, frame in applied.items()
    }
    kinds = set()
    for frame in applied.values():
        kinds |= set(_table_kinds(frame).values())
    ix, iy, iz = inputs["x"], inputs["y"], inputs.get("given")
    if kinds == {"discrete"}:
        value = _discrete_mutual_information(
            _positional(ix), _positional(iy), _positional(iz), base=base
        )
        return MutualInformationEstimate(float(value), "plugin", None, base)
    if kinds == {"continuous"}:
        if given is None:
            value = ksg_mutual_information(ix, iy, k=k, base=base, seed=seed)
            return MutualInformationEstimate(value, "ksg", k, base)
        value = ksg_conditional_mutual_information(ix, iy, iz, k=k, base=base, seed=seed)
        return MutualInformationEstimate(value, "frenzel-pompe", k, base)
    value = mixed_mutual_information(ix, iy, iz, k=k, base=base, seed=seed)
    return MutualInformationEstimate(value, "mixed", k, base)


def _positional(value):
    """Values without their index (rows already aligned and filtered at the door)."""
    if value is None:
        return None
    return value.reset_index(drop=True)


def knn_mutual_information_matrix(
    data,
    columns=None,
    *,
    estimator: str = "auto",
    k: int = 3,
    base=DEFAULT_BASE,
    seed=DEFAULT_SEED,
    noise: float = 1e-10,
    missing: str = "error",
    discrete=None,
    continuous=None,
) -> pd.DataFrame:
    """Mutual information of every pair of columns of a continuous or mixed table.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Never modified.
    columns : list, optional
        Columns to use (all by default).
    estimator : {"auto", "ksg", "mixed"}, default "auto"
        ``"ksg"``: KSG algorithm 1 on every pair (every column numeric).
        ``"mixed"``: Gao et al. on every pair, continuous columns (see
        ``discrete``) continuous and the others discrete.  ``"auto"``:
        plug-in for pairs of discrete columns (all at once,
        :func:`mistruct.mutual_information_matrix`), KSG for pairs of
        continuous columns, Gao et al. for the other pairs.
    k : int, default 3
    base : float, default 2
    seed : int, None or numpy.random.Generator, default 0
        Seeds the tie noise, drawn once per column from a stream keyed by
        the seed and the column's values (not its position), and shared by
        its pairs: the same table gives the same matrix whatever its column
        order.  ``None`` is not reproducible.
    noise : float, default 1e-10
        Jitter of continuous columns without ties; see the module notes.
    missing : {"error", "drop"}, default "error"
        ``"drop"`` drops every row with a missing value in any used column
        (so every pair is estimated on the same rows).
    discrete, continuous : list of labels, optional
        Labels of columns to treat as discrete / continuous, overriding the
        automatic rule of :func:`mistruct.data.column_kinds` (float columns
        and integer columns with many levels are continuous).

    Returns
    -------
    DataFrame
        Symmetric, labelled by column.  The diagonal holds ``inf`` for a
        continuous column (I(X;X) is infinite) and the plug-in entropy for a
        discrete one (I(X;X) = H(X)), as in
        :func:`mistruct.mutual_information_matrix`.

    Notes
    -----
    One KSG estimate per pair, about 0.02 s at 10^4 rows.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.standard_normal(1000)
    >>> frame = pd.DataFrame({"a": a, "b": a + rng.standard_normal(1000),
    ...                       "g": (a > 0).astype(int)})
    >>> knn_mutual_information_matrix(frame, base=np.e).round(2)
          a     b     g
    a   inf  0.36  0.69
    b  0.36   inf  0.21
    g  0.69  0.21  0.69
    """
    scale = _log_base(base)
    if estimator not in KNN_MATRIX_ESTIMATORS:
        raise InvalidInputError(
            f"estimator={estimator!r} is not an option; use one of "
            f"{', '.join(repr(e) for e in KNN_MATRIX_ESTIMATORS)}."
        )
    frame = select_columns(as_frame(data), columns)
    frame = _frames({"data": frame}, missing, optional=())["data"]
    frame = apply_kinds(frame, discrete=discrete, continuous=continuous)
    names = list(frame.columns)
    n, p = frame.shape
    k = _check_k(k, n)
    noise = _check_noise(noise)
    key = _seed_key(seed)
    kinds = _table_kinds(frame)
    if estimator == "ksg":
        kinds = dict.fromkeys(names, "continuous")
    cont_names = [c for c in names if kinds[c] == "continuous"]
    disc_names = [c for c in names if kinds[c] == "discrete"]
    # Validate every column before any work.
    cont_block = _numeric_block(frame[cont_names], "data") if cont_names else None
    if disc_names:
        encode(frame[disc_names])
    matrix = np.zeros((p, p))
    position = {c: i for i, c in enumerate(names)}
    if disc_names:
        disc = _discrete_mi_matrix(frame[disc_names], base=np.e).to_numpy()
        idx = [position[c] for c in disc_names]
        matrix[np.ix_(idx, idx)] = disc
    for c in cont_names:
        matrix[position[c], position[c]] = np.inf
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
    if cont_names:
        # Each column's noise depends on its values only: the same in every pair.
        # A column without ties gets the same noise in every pair; a tied column's noise
        # is handed out in the order of each pair's row keys (as the pair estimators do),
        # so a matrix entry equals the estimate of that pair alone, in any row order.
        standardized = _standardize(cont_block)
        prepared = _prepared(cont_block, key, noise)
        column = {c: prepared[:, [j]] for j, c in enumerate(cont_names)}
        unscaled = {c: cont_block[:, [j]] for j, c in enumerate(cont_names)}
        tied = {
            c: np.unique(cont_block[:, j]).size < len(cont_block)
            for j, c in enumerate(cont_names)
        }
    if disc_names:
        codes = {c: encode(frame[[c]]).codes.astype(float) for c in disc_names}

    def pair_column(c, other):
        if not tied[c]:
            return column[c]
        rows = _row_keys(unscaled[c], unscaled[other] if other in unscaled else codes[other])
        j = cont_names.index(c)
        return _break_ties(standardized[:, j].copy(), key, noise, rows)[:, None]

    for a, b in pairs:
        both_discrete = kinds[a] == kinds[b] == "discrete"
        if both_discrete and estimator == "auto":
            continue
        if kinds[a] == kinds[b] == "continuous" and estimator in ("auto", "ksg"):
            value = _mi_nats(pair_column(a, b), pair_column(b, a), k)
        else:
            blocks = []
            for c, other in ((a, b), (b, a)):
                blocks.append(pair_column(c, other) if kinds[c] == "continuous" else codes[c])
            ranges = [
                np.ptp(b_) for c, b_ in zip((a, b), blocks, strict=True) if kinds[c] == "continuous"
            ]
            spacing = 1.0 + (max(ranges) if ranges else 0.0)
            blocks = [
                b_ if kinds[c] == "continuous" else b_ * spacing
                for c, b_ in zip((a, b), blocks, strict=True)
            ]
            value = _mi_nats(blocks[0], blocks[1], k)
        matrix[position[a], position[b]] = matrix[position[b], position[a]] = value
    return pd.DataFrame(matrix / scale, index=names, columns=names)
