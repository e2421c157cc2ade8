"""Mutual information of jointly Gaussian variables, from correlation matrices."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mistruct.data import as_frame, select_columns
from mistruct.exceptions import InvalidInputError
from mistruct.measures._columns import _check_lengths, _frames, _numeric_block, _single
from mistruct.measures._discrete import DEFAULT_BASE, _log_base

#: Gaussian information above this (nats) is reported as inf: the residual variance is
#: below 1e-12 of the total, i.e. an exact linear relation up to rounding.
_GAUSSIAN_INF = 0.5 * np.log(1e12)


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

