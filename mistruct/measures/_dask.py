"""The measures on Dask input: discrete ones from reduced counts, Gaussian ones from moments.

The public functions of :mod:`mistruct.measures` hand a Dask DataFrame or
Series here at their door.  Discrete estimators get the counts of one pass
(:func:`mistruct.counting.dask_pairwise_counts`,
:func:`mistruct.counting.dask_joint_counts`) and apply the same formulas
as the pandas path; the Gaussian estimator gets the centred moments of one
pass (:func:`mistruct.counting.dask_moments`).  The kNN estimators need the
rows together: they raise a clear error instead of collecting them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mistruct.counting import dask_joint_counts, dask_moments, dask_pairwise_counts
from mistruct.data import dask_frame, dask_kinds, dask_summary, dask_table, is_dask_collection
from mistruct.exceptions import ContinuousDataError, InvalidInputError
from mistruct.measures._discrete import _log_base, _mi_matrix_nats
from mistruct.measures._estimators import ESTIMATORS, check_estimator, entropy_from_counts
from mistruct.measures._gaussian import _GAUSSIAN_INF, _logdet

__all__ = [
    "dask_conditional_entropy",
    "dask_entropy",
    "dask_mutual_information",
    "dask_mutual_information_matrix",
    "knn_needs_rows",
]


def knn_needs_rows(estimator: str, what: str = "this estimate"):
    """The error of a kNN estimator asked for on a Dask DataFrame.

    Parameters
    ----------
    estimator : str
        The estimator asked for (or chosen by ``"auto"``).
    what : str
        What was being estimated, for the message.
    """
    return InvalidInputError(
        f"{what} on a Dask DataFrame needs estimator={estimator!r}, a nearest-neighbour "
        "estimator: it needs every row on one machine, which mistruct does not do silently. "
        "Use estimator='gaussian' (from distributed moment sums), discretize the continuous "
        "columns (discrete estimators count distributed), or bring a sample into memory: "
        "ddf.sample(frac=0.01).compute() (or ddf.compute() if it fits)."
    )


def _listed(labels) -> list:
    if labels is None:
        return []
    if isinstance(labels, (str, bytes, tuple)) or np.isscalar(labels):
        return [labels]
    return list(labels)


def _plan(frame, estimator, discrete, continuous, missing, what, columns=None):
    """Summary, kinds and the estimator that runs ("gaussian" or a discrete one)."""
    forced = [c for c in _listed(discrete) if c in frame.columns]
    summary = dask_summary(
        frame, columns, missing="drop" if missing == "drop" else "error", discrete=forced
    )
    kinds = dask_kinds(
        summary,
        discrete=forced,
        continuous=[c for c in _listed(continuous) if c in summary.dtypes],
    )
    float_like = [
        c for c, kind in kinds.items() if kind == "continuous"
    ]
    if estimator == "auto":
        if float_like:
            raise knn_needs_rows("ksg" if len(float_like) == len(kinds) else "mixed", what)
        return summary, "plugin", forced
    if estimator in ESTIMATORS:
        bad = [
            c for c in summary.dtypes
            if c not in forced and (
                c in _listed(continuous)
                or (not isinstance(summary.dtypes[c], pd.CategoricalDtype)
                    and pd.api.types.is_float_dtype(summary.dtypes[c]))
            )
        ]
        if bad:
            raise ContinuousDataError(
                f"estimator={estimator!r} counts the values of discrete columns, but "
                f"{', '.join(map(repr, bad))} is float (continuous); discretize it first, name "
                "it in discrete=[...] if its values are categories, or use "
                "estimator='gaussian' for numeric columns of a Dask DataFrame."
            )
        return summary, estimator, forced
    if estimator == "gaussian":
        bad = [
            c for c, dtype in summary.dtypes.items()
            if isinstance(dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(dtype)
        ]
        if bad:
            raise InvalidInputError(
                f"estimator='gaussian' needs numeric columns, but {', '.join(map(repr, bad))} "
                "are not numeric; leave them out or use a discrete estimator."
            )
        return summary, "gaussian", forced
    raise knn_needs_rows(estimator, what)


def _frame(data, what: str):
    return dask_frame(data, what)


def _gaussian_corr(frame, columns, missing):
    n, _, m2 = dask_moments(frame, columns, missing=missing)
    if n < 2:
        raise InvalidInputError(
            "the Gaussian estimator needs at least 2 rows; the Dask DataFrame has "
            f"{n} (after dropping missing values)."
        )
    scale = np.sqrt(np.diag(m2))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = m2 / np.outer(scale, scale)
    return np.clip(corr, -1.0, 1.0)


def dask_mutual_information_matrix(
    data, columns=None, *, estimator="auto", base=2, missing="error", chunk_size=4096,
    discrete=None, continuous=None,
) -> pd.DataFrame:
    """:func:`mistruct.measures.mutual_information_matrix` of a Dask DataFrame.

    Parameters
    ----------
    data : dask.dataframe.DataFrame
        Never collected: one pass for the levels, one for the counts.
    columns, estimator, base, missing, chunk_size, discrete, continuous
        As in :func:`mistruct.measures.mutual_information_matrix`; the kNN
        estimators are refused (they need the rows together).

    Returns
    -------
    DataFrame
        The same matrix as the pandas path.

    See Also
    --------
    mistruct.measures.mutual_information_matrix : the door that calls it.
    """
    scale = _log_base(base)
    frame = _frame(data, "data")
    summary, chosen, forced = _plan(
        frame, estimator, discrete, continuous, missing, "the MI matrix", columns
    )
    names = list(summary.dtypes)
    if chosen == "gaussian":
        corr = _gaussian_corr(frame, names, missing)
        rho2 = np.minimum(corr**2, 1.0)
        with np.errstate(divide="ignore"):
            matrix = -0.5 * np.log1p(-rho2)
        matrix[matrix > _GAUSSIAN_INF] = np.inf
        matrix = matrix / scale
        np.fill_diagonal(matrix, np.inf)
        return pd.DataFrame(matrix, index=names, columns=names)
    if missing != "error":
        summary = dask_summary(frame, names, missing=missing, discrete=forced)
    table = dask_table(frame, names, missing=missing, discrete=forced, summary=summary)
    counts = dask_pairwise_counts(table, chunk_size=chunk_size)
    matrix = _mi_matrix_nats(counts, chosen) / scale
    return pd.DataFrame(matrix, index=names, columns=names)


def _variables(variables: dict, what: str):
    """One Dask frame of the variables' columns, renamed ``role:label``, and each role's span."""
    parts, spans, start = [], {}, 0
    npartitions = None
    for role, value in variables.items():
        if value is None:
            continue
        if not is_dask_collection(value) or not hasattr(value, "map_partitions"):
            raise InvalidInputError(
                f"{role} is a {type(value).__name__} but another variable is a Dask collection; "
                "pass every variable as a Dask Series/DataFrame of the same table (e.g. "
                "ddf['a'], ddf['b'])."
            )
        frame = _frame(value, role)
        if npartitions is None:
            npartitions = frame.npartitions
        elif frame.npartitions != npartitions:
            raise InvalidInputError(
                f"the variables have different partitions ({npartitions} and "
                f"{frame.npartitions}); take them from the same Dask DataFrame."
            )
        labels = [f"{role}:{c}" for c in frame.columns]
        parts.append(frame.rename(columns=dict(zip(frame.columns, labels, strict=True))))
        spans[role] = list(range(start, start + len(labels)))
        start += len(labels)
    if len(parts) == 1:
        return parts[0], spans
    meta = pd.concat([p._meta for p in parts], axis=1)
    joined = parts[0].map_partitions(
        _concat, *parts[1:], align_dataframes=False, meta=meta
    )
    return joined, spans


def _concat(*parts):
    return pd.concat([p.reset_index(drop=True) for p in parts], axis=1)


def _entropy_from(keys_counts, table, group, estimator):
    _, counts = keys_counts
    n_possible = 1
    for g in group:
        n_possible *= max(int(table.cardinalities[g]), 1)
    return entropy_from_counts(counts.astype(float), estimator, n_cells=n_possible)


def _discrete_setup(variables, estimator, missing, discrete, continuous, what):
    frame, spans = _variables(variables, what)
    renamed_discrete = [
        f"{role}:{c}" for role in spans for c in _listed(discrete)
        if f"{role}:{c}" in frame.columns
    ] + [c for c in _listed(discrete) if c in frame.columns]
    renamed_continuous = [
        f"{role}:{c}" for role in spans for c in _listed(continuous)
        if f"{role}:{c}" in frame.columns
    ]
    summary, chosen, forced = _plan(
        frame, estimator, renamed_discrete, renamed_continuous, missing, what
    )
    return frame, spans, summary, chosen, forced


def dask_entropy(x, *, estimator="auto", base=2, missing="error", discrete=None,
                 continuous=None) -> float:
    """:func:`mistruct.measures.entropy` of a Dask Series or DataFrame (discrete columns).

    Parameters
    ----------
    x : dask Series or DataFrame
        Several columns give the joint entropy.
    estimator, base, missing, discrete, continuous
        As in :func:`mistruct.measures.entropy`; ``"kl"`` is refused.

    See Also
    --------
    mistruct.measures.entropy : the door that calls it.
    """
    scale = _log_base(base)
    frame, spans, summary, chosen, forced = _discrete_setup(
        {"x": x}, estimator, missing, discrete, continuous, "entropy"
    )
    if chosen == "gaussian":
        raise knn_needs_rows("kl", "entropy")
    check_estimator(chosen)
    table = dask_table(frame, missing=missing, discrete=forced)
    group = tuple(spans["x"])
    (found,) = dask_joint_counts(table, [group])
    return _entropy_from(found, table, group, chosen) / scale


def dask_conditional_entropy(x, given, *, estimator="auto", base=2, missing="error",
                             discrete=None, continuous=None) -> float:
    """:func:`mistruct.measures.conditional_entropy` of Dask variables (discrete columns).

    Parameters
    ----------
    x, given : dask Series or DataFrame
        Columns of the same Dask DataFrame.
    estimator, base, missing, discrete, continuous
        As in :func:`mistruct.measures.conditional_entropy`.

    See Also
    --------
    mistruct.measures.conditional_entropy : the door that calls it.
    """
    scale = _log_base(base)
    frame, spans, summary, chosen, forced = _discrete_setup(
        {"x": x, "given": given}, estimator, missing, discrete, continuous,
        "conditional entropy",
    )
    if chosen == "gaussian":
        raise knn_needs_rows("kl", "conditional entropy")
    table = dask_table(frame, missing=missing, discrete=forced)
    both, z = tuple(spans["x"] + spans["given"]), tuple(spans["given"])
    found_both, found_z = dask_joint_counts(table, [both, z])
    h = _entropy_from(found_both, table, both, chosen) - _entropy_from(found_z, table, z, chosen)
    return (max(h, 0.0) if chosen == "plugin" else h) / scale


def _decode(keys, sizes):
    """Split mixed-radix keys into one code per part (``sizes``: each part's radix)."""
    parts = []
    for size in reversed(sizes):
        parts.append(keys % size)
        keys = keys // size
    return list(reversed(parts))


def _at(grouped):
    cells, inverse = grouped
    return cells[inverse]


def dask_mutual_information(x, y, given=None, *, estimator="auto", base=2, missing="error",
                            discrete=None, continuous=None) -> tuple:
    """:func:`mistruct.measures.mutual_information` of Dask variables.

    Parameters
    ----------
    x, y, given : dask Series or DataFrame
        Columns of the same Dask DataFrame (``given`` optional).
    estimator, base, missing, discrete, continuous
        As in :func:`mistruct.measures.mutual_information`: the discrete
        estimators from one pass of joint counts, ``"gaussian"`` from one
        pass of moments; the kNN estimators are refused.

    Returns
    -------
    (float, str)
        The value in ``base`` units and the estimator that produced it.

    See Also
    --------
    mistruct.measures.mutual_information : the door that calls it.
    """
    scale = _log_base(base)
    frame, spans, summary, chosen, forced = _discrete_setup(
        {"x": x, "y": y, "given": given}, estimator, missing, discrete, continuous,
        "mutual information",
    )
    if chosen == "gaussian":
        names = list(frame.columns)
        corr = _gaussian_corr(frame, names, missing)
        ix, iy = np.array(spans["x"]), np.array(spans["y"])
        iz = np.array(spans.get("given", []), dtype=int)
        if iz.size == 0 and ix.size == iy.size == 1:
            r2 = corr[ix[0], iy[0]] ** 2
            value = -0.5 * np.log(max(1.0 - r2, 0.0)) if r2 < 1 else np.inf
            return (np.inf if value > _GAUSSIAN_INF else float(value)) / scale, "gaussian"

        def logdet(*blocks):
            index = np.concatenate(blocks).astype(int)
            return _logdet(corr[np.ix_(index, index)])

        l_xz, l_yz, l_z = logdet(ix, iz), logdet(iy, iz), logdet(iz)
        if min(l_xz, l_yz, l_z) < -2 * _GAUSSIAN_INF:
            raise InvalidInputError(
                "the columns of x and given (or y and given) are collinear; drop the "
                "redundant column(s)."
            )
        value = max(0.5 * (l_xz + l_yz - logdet(ix, iy, iz) - l_z), 0.0)
        return (np.inf if value > _GAUSSIAN_INF else value) / scale, "gaussian"
    table = dask_table(frame, missing=missing, discrete=forced)
    cards = [max(int(k), 1) for k in table.cardinalities]

    def radix(role):
        out = 1
        for j in spans.get(role, []):
            out *= cards[j]
        return out

    group = tuple(spans.get("given", []) + spans["x"] + spans["y"])
    (found,) = dask_joint_counts(table, [group])
    keys, counts = found
    kz, kx, ky = radix("given"), radix("x"), radix("y")
    zc, xc, yc = _decode(keys, [kz, kx, ky])
    counts = counts.astype(float)

    def margin(code):
        # Grouped by np.unique, not bincount: a joint state space may be far larger than
        # the states observed.  Cells come out in code order, as bincount would give them.
        _, inverse = np.unique(code, return_inverse=True)
        inverse = inverse.reshape(-1)
        return np.bincount(inverse, weights=counts), inverse

    if chosen == "plugin":
        n = counts.sum()
        n_z = _at(margin(zc))
        n_xz = _at(margin(xc * kz + zc))
        n_yz = _at(margin(yc * kz + zc))
        terms = counts * np.log((counts * n_z) / (n_xz * n_yz))
        return max(float(terms.sum() / n), 0.0) / scale, chosen

    def entropy_of(code, size):
        cells, _ = margin(code)
        return entropy_from_counts(cells, chosen, n_cells=size)

    value = (
        entropy_of(xc * kz + zc, kx * kz)
        + entropy_of(yc * kz + zc, ky * kz)
        - entropy_of((xc * ky + yc) * kz + zc, kx * ky * kz)
        - entropy_of(zc, kz)
    )
    return value / scale, chosen
