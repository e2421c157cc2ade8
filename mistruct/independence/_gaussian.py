"""The Gaussian CI test: partial correlation with Fisher's z.

For linear-Gaussian data the fastest test there is (one correlation
matrix per query); numbers only, discrete columns entering as numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from mistruct._validation import check_alpha
from mistruct.data import as_frame
from mistruct.exceptions import InvalidInputError
from mistruct.independence._knn import (
    _LN2,
    _check_lengths,
    _no_columns,
    _numbers_inside,
    _numeric_block,
    _result,
    _standardize,
)

__all__ = ["gaussian_ci_test"]


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

    See Also
    --------
    ci_test : the same test by name (``method="gaussian"``), with the others.
    knn_ci_test : the kNN test, for any (nonlinear) dependence.

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
