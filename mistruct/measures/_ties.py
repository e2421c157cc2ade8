"""Tie noise and standardization of continuous columns (see :mod:`mistruct.measures`).

Each column's noise is drawn from a stream keyed by ``seed`` and a hash of its
values, handed out by rank, tied rows ordered by a content hash of the row:
results depend neither on the column order nor on the row order.
"""

from __future__ import annotations

import hashlib
import numbers

import numpy as np

from mistruct.exceptions import InvalidInputError

#: Default ``seed`` of every estimator that draws tie noise: results are reproducible by
#: default; ``seed=None`` draws fresh noise on every call.
DEFAULT_SEED = 0


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

