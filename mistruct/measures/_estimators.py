"""Entropy estimators on count tables.

Each estimator turns counts into an entropy in nats.  They work on *blocks*
of cells: one block is one distribution.  A single distribution is one block;
the all-pairs count matrix (see :func:`mistruct.counting.pairwise_counts`) is a
grid of blocks, one per pair of columns, so every joint entropy of every pair
is estimated in one vectorized pass over the non-empty cells.

Estimators
----------
``"plugin"``
    Maximum likelihood: ``-sum p log p`` with ``p = c / n``.
``"miller-madow"``
    Plug-in plus the bias correction ``(m - 1) / (2 n)``, ``m`` the number of
    non-empty cells (Miller 1955).
``"shrinkage"``
    James-Stein shrinkage of the cell frequencies towards the uniform
    distribution over *all* cells of the table, empty ones included, with the
    data-driven intensity of Hausser & Strimmer (2009).
``"chao-shen"``
    Coverage-adjusted Horvitz-Thompson estimator (Chao & Shen 2003).
"""

from __future__ import annotations

import numbers

import numpy as np

from mistruct.exceptions import InvalidInputError

__all__ = ["ESTIMATORS", "Blocks", "check_estimator", "entropy_from_counts", "estimate_entropy"]

ESTIMATORS = ("plugin", "miller-madow", "shrinkage", "chao-shen")


def check_estimator(estimator: str) -> str:
    """Return ``estimator`` if it names a discrete entropy estimator, else raise."""
    if estimator not in ESTIMATORS:
        raise InvalidInputError(
            f"estimator={estimator!r} is not a discrete estimator; "
            f"use one of {', '.join(repr(e) for e in ESTIMATORS)}."
        )
    return estimator


class Blocks:
    """Cells grouped into distributions ("blocks").

    Only the listed cells are stored (usually the non-empty ones); each block
    may have further empty cells, ``n_hidden`` of them, which matter to the
    shrinkage estimator only.

    Parameters
    ----------
    ids : array of int
        Block of each listed cell.
    n_cells : array of float
        Total number of cells of each block, listed or not.
    """

    def __init__(self, ids, n_cells):
        self.ids = np.asarray(ids, dtype=np.intp)
        self.n_cells = np.asarray(n_cells, dtype=float)
        self.n_hidden = self.n_cells - np.bincount(self.ids, minlength=self.n_cells.size)

    @classmethod
    def single(cls, n_listed: int, n_cells) -> Blocks:
        """One block of ``n_cells`` cells of which ``n_listed`` are listed."""
        return cls(np.zeros(n_listed, dtype=np.intp), [float(n_cells)])

    def total(self, values):
        """Sum of ``values`` (one per listed cell) within each block."""
        return np.bincount(self.ids, weights=values, minlength=self.n_cells.size)

    def expand(self, per_block):
        """Broadcast one value per block to the listed cells."""
        return np.asarray(per_block)[self.ids]


def _xlogx(values):
    out = np.zeros_like(values, dtype=float)
    positive = values > 0
    out[positive] = values[positive] * np.log(values[positive])
    return out


def _plugin(counts, blocks):
    n = blocks.total(counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = counts / blocks.expand(n)
    return 0.0 - blocks.total(_xlogx(p)), n


def _miller_madow(counts, blocks):
    h, n = _plugin(counts, blocks)
    occupied = blocks.total((counts > 0).astype(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, h + (occupied - 1) / (2 * n), 0.0)


def _chao_shen(counts, blocks):
    n = blocks.total(counts)
    singletons = blocks.total((counts == 1).astype(float))
    # With only singletons the coverage estimate would be 0; the usual fix is n - 1.
    singletons = np.where(singletons == n, n - 1, singletons)
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.where(n > 0, 1 - singletons / n, 1.0)
        p = blocks.expand(coverage / n) * counts
        included = 1 - (1 - p) ** blocks.expand(n)
        terms = np.where(counts > 0, -p * np.log(np.where(p > 0, p, 1)) / included, 0.0)
    return blocks.total(terms)


def _shrinkage(counts, blocks):
    n = blocks.total(counts)
    cells = blocks.n_cells
    with np.errstate(divide="ignore", invalid="ignore"):
        u = counts / blocks.expand(n)
        sum_sq = blocks.total(u * u)
        # sum over cells of (1/K - u)^2 = sum u^2 - 1/K, since sum u = 1.
        distance = sum_sq - 1 / cells
        denominator = (n - 1) * distance
        intensity = np.where(denominator > 0, (1 - sum_sq) / denominator, 1.0)
    intensity = np.clip(intensity, 0.0, 1.0)
    target = intensity / cells
    shrunk = blocks.expand(target) + blocks.expand(1 - intensity) * u
    h = -blocks.total(_xlogx(shrunk)) - blocks.n_hidden * _xlogx(np.asarray(target))
    return np.where(n > 0, h, 0.0)


def estimate_entropy(counts, blocks, estimator: str):
    """Entropy (nats) of each block of ``counts`` with the named estimator."""
    counts = np.asarray(counts, dtype=float)
    if estimator == "plugin":
        return _plugin(counts, blocks)[0]
    if estimator == "miller-madow":
        return _miller_madow(counts, blocks)
    if estimator == "chao-shen":
        return _chao_shen(counts, blocks)
    if estimator == "shrinkage":
        return _shrinkage(counts, blocks)
    raise AssertionError(estimator)  # check_estimator runs first


def entropy_from_counts(counts, estimator: str = "plugin", *, n_cells=None) -> float:
    """Entropy in nats of one distribution given by its cell counts.

    Parameters
    ----------
    counts : array_like
        Non-negative counts of the cells (any shape; zeros allowed).
    estimator : str, default "plugin"
        One of :data:`ESTIMATORS`.
    n_cells : int, optional
        Total number of cells of the state space when ``counts`` lists only
        some of them (the rest empty).  Matters for ``"shrinkage"`` only.

    See Also
    --------
    entropy : from samples; entropy_from_table : from a table.

    Examples
    --------
    >>> round(entropy_from_counts([5, 5]), 6)
    0.693147
    >>> round(entropy_from_counts([3, 1], "miller-madow"), 6)
    0.687335

    Raises
    ------
    InvalidInputError
        If a count is negative, NaN or infinite, or ``n_cells`` is smaller
        than the number of counts.
    """
    check_estimator(estimator)
    try:
        counts = np.asarray(counts, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"counts must be an array of non-negative numbers, got {counts!r}."
        ) from None
    bad = ~np.isfinite(counts) | (counts < 0)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InvalidInputError(
            f"counts must be finite and >= 0, but {int(bad.sum())} of them are not (the "
            f"first, at position {first}, is {float(counts[first])!r}); a count table has no "
            "negative, NaN or infinite cells."
        )
    if n_cells is not None and (
        isinstance(n_cells, bool)
        or not isinstance(n_cells, numbers.Integral)
        or n_cells < counts.size
    ):
        raise InvalidInputError(
            f"n_cells must be an integer >= the number of counts ({counts.size}), got {n_cells!r}."
        )
    n_cells = counts.size if n_cells is None else int(n_cells)
    return float(estimate_entropy(counts, Blocks.single(counts.size, n_cells), estimator)[0])
