"""Monte Carlo p-values, in one place: fixed B, Besag-Clifford's sequential rule, two-sided stop.

Every resampling test of :mod:`mistruct.independence` (the discrete
permutation tests and the kNN local-permutation test) draws null values of
its statistic and turns the count of those reaching the observed one into a
p-value here:

* :func:`fixed_pvalue`: ``(1 + #) / (1 + B)`` after all ``B`` draws;
* :func:`sequential_pvalue`: Besag & Clifford (1991): ``h / L`` when the
  ``h``-th exceedance came at draw ``L``, else the fixed-B value;
* :func:`two_sided_stop_pvalue`: a test that may also stop early for
  dependence (``reject_after``) and then ran to the end;
* :func:`evaluate_until`: fill the null batch by batch until such a test stops.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "evaluate_until",
    "fixed_pvalue",
    "sequential_pvalue",
    "two_sided_stop_pvalue",
]


def fixed_pvalue(exceedances, n_permutations):
    """``(1 + exceedances) / (1 + n_permutations)``: never 0, exact under the null.

    Vectorised; a scalar pair gives a float.

    Examples
    --------
    >>> fixed_pvalue(0, 999)
    0.001
    """
    out = (1.0 + np.asarray(exceedances, dtype=float)) / (1.0 + np.asarray(n_permutations))
    return float(out) if out.ndim == 0 else out


def sequential_pvalue(exceedances: int, drawn: int, h: int) -> float:
    """Besag-Clifford: ``h / drawn`` when the test stopped at its ``h``-th exceedance.

    Otherwise (fewer than ``h`` exceedances in all ``drawn`` replicates) the
    fixed-B p-value ``(exceedances + 1) / (drawn + 1)``.

    Examples
    --------
    >>> sequential_pvalue(20, 40, 20), sequential_pvalue(3, 999, 20)
    (0.5, 0.004)
    """
    if exceedances >= h:
        return h / drawn
    return (exceedances + 1.0) / (drawn + 1.0)


def two_sided_stop_pvalue(exceedances: int, n_permutations: int, reject_after: int) -> float:
    """p-value of a Monte Carlo test that may stop early for dependence, run to the end.

    The test stops after ``reject_after`` surrogates when none reached the
    observed statistic; otherwise it runs all ``B = n_permutations`` and
    counts ``exceedances``.  Under the null the observed statistic and the
    surrogates are exchangeable, so the number ``T`` of surrogates reaching
    it is uniform on ``0 .. B`` and, given ``T = t``, the first
    ``reject_after`` surrogates miss all of them with probability
    ``C(B - t, m) / C(B, m)`` (``m = reject_after``).  The p-value is the
    null probability of stopping early or of running through with at most
    ``exceedances``:
    ``1 / (m + 1) + sum_{t <= exceedances} (1 - C(B - t, m) / C(B, m)) / (B + 1)``.

    Examples
    --------
    >>> round(two_sided_stop_pvalue(0, 199, 39), 4)  # 0 exceedances means it stopped early
    0.025
    >>> round(two_sided_stop_pvalue(8, 199, 39), 4), round(two_sided_stop_pvalue(9, 199, 39), 4)
    (0.0482, 0.0525)
    """
    b, m = n_permutations, reject_after
    t = np.arange(exceedances + 1)
    # C(b - t, m) / C(b, m) = prod_{i < t} (b - m - i) / (b - i)
    factors = np.clip((b - m - t[:-1]) / (b - t[:-1]), 0.0, None)
    missed = np.concatenate(([1.0], np.cumprod(factors)))
    return float(min(1.0, 1.0 / (m + 1) + np.sum(1.0 - missed) / (b + 1)))


def evaluate_until(kernel, parts, null, start, observed, h, reject_after=None):
    """Fill ``null`` from ``start`` batch by batch; where the test stops, or None.

    It stops at the h-th exceedance (``h`` not None), or at ``reject_after``
    when no surrogate so far reached ``observed``.
    """
    for perms, jitters in parts:
        values = kernel(perms, jitters)
        null[start : start + len(values)] = values
        start += len(values)
        exceed = np.flatnonzero(null[:start] >= observed)
        if h is not None and len(exceed) >= h:
            return int(exceed[h - 1]) + 1
        if start == reject_after and not len(exceed):
            return start
    return None
