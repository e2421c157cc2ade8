"""The G statistic, its degrees of freedom and its chi-squared p-value, in one place.

``G = 2 N I(X;Y|Z)`` with the plug-in conditional mutual information in
nats is the log-likelihood ratio statistic of independence; asymptotically it
follows the chi-squared law.  Two counts of degrees of freedom are in use:

plain (``"g-test"``)
    ``(|X| - 1)(|Y| - 1)|Z|`` with the levels of X and Y, and the strata of
    Z, that occur in the data;
adjusted (``"g-test-adjusted"``, bnlearn's ``mi-adf``)
    the sum over strata of ``(r - 1)(c - 1)``, ``r`` and ``c`` the non-empty
    rows and columns of that stratum's table.

The CI tests (:func:`mistruct.independence.ci_test`), the Chow-Liu forest and
the DPI checks of :mod:`mistruct.structure` all call these functions, so the
three agree to the last bit.
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["g_dof", "g_dof_adjusted", "g_dof_from_counts", "g_pvalue", "g_statistic"]


def g_statistic(cmi_nats, n):
    """``G = 2 N I``: the log-likelihood ratio statistic from the CMI in nats.

    Vectorised over NumPy arrays; a scalar in gives a float out.  No
    clipping: a plug-in CMI rounded to ``-1e-16`` stays as it is (its
    p-value is 1 either way).

    Examples
    --------
    >>> g_statistic(0.01, 500)
    10.0
    """
    out = 2.0 * np.asarray(n, dtype=float) * np.asarray(cmi_nats, dtype=float)
    return float(out) if out.ndim == 0 else out


def g_dof(levels_x, levels_y, n_strata=1):
    """Plain degrees of freedom ``(|X| - 1)(|Y| - 1)|Z|`` (vectorised).

    ``levels_x`` and ``levels_y`` count the levels that occur in the data and
    ``n_strata`` the observed strata of Z (1 without Z).  A variable with a
    single level gives 0.

    Examples
    --------
    >>> g_dof(3, 4, 2)
    12
    >>> g_dof([1, 2], [5, 3]).tolist()
    [0, 2]
    """
    out = (
        np.maximum(np.asarray(levels_x, dtype=np.int64) - 1, 0)
        * np.maximum(np.asarray(levels_y, dtype=np.int64) - 1, 0)
        * np.asarray(n_strata, dtype=np.int64)
    )
    return int(out) if out.ndim == 0 else out


def g_dof_adjusted(rows, cols) -> int:
    """Adjusted degrees of freedom: the sum over strata of ``(r - 1)(c - 1)``.

    ``rows[s]`` and ``cols[s]`` count the non-empty rows (levels of X) and
    columns (levels of Y) of stratum ``s``; strata where either is 0 or 1
    add nothing.

    Examples
    --------
    >>> g_dof_adjusted([3, 1, 2], [2, 4, 2])
    3
    """
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    return int((np.maximum(rows - 1, 0) * np.maximum(cols - 1, 0)).sum())


def g_dof_from_counts(counts, adjusted: bool = False) -> int:
    """Degrees of freedom of a stratified count table of shape ``(strata, |X|, |Y|)``.

    Counts only what occurs: levels of X and Y with a non-zero margin and
    non-empty strata (plain), or each stratum's non-empty rows and columns
    (``adjusted``).

    Examples
    --------
    >>> counts = np.array([[[5, 0], [0, 5]], [[3, 3], [0, 0]]])
    >>> g_dof_from_counts(counts), g_dof_from_counts(counts, adjusted=True)
    (2, 1)
    """
    counts = np.asarray(counts)
    if counts.ndim == 2:
        counts = counts[None]
    if adjusted:
        rows = np.count_nonzero(counts.sum(axis=2), axis=1)
        cols = np.count_nonzero(counts.sum(axis=1), axis=1)
        return g_dof_adjusted(rows, cols)
    levels_x = np.count_nonzero(counts.sum(axis=(0, 2)))
    levels_y = np.count_nonzero(counts.sum(axis=(0, 1)))
    strata = np.count_nonzero(counts.sum(axis=(1, 2)))
    return g_dof(levels_x, levels_y, strata)


def g_pvalue(statistic, dof):
    """Upper tail of the chi-squared law with ``dof`` degrees of freedom at ``statistic``.

    Vectorised over NumPy arrays (broadcast together); a scalar pair gives a
    float.  ``dof == 0`` gives 1: a variable with one level (or strata with
    nothing free) is independent of everything.

    Examples
    --------
    >>> round(g_pvalue(3.841458820694124, 1), 6)
    0.05
    >>> g_pvalue([0.0, 5.0, 9.0], [0, 2, 2]).round(4).tolist()
    [1.0, 0.0821, 0.0111]
    """
    statistic = np.asarray(statistic, dtype=float)
    dof = np.asarray(dof)
    # chdtrc is what scipy.stats.chi2.sf evaluates, without its argument checks; a
    # rounded -1e-16 would give NaN there, and is 0 (p = 1) as chi2.sf reads it.
    out = np.where(dof > 0, special.chdtrc(np.maximum(dof, 1), np.maximum(statistic, 0.0)), 1.0)
    return float(out) if out.ndim == 0 else out
