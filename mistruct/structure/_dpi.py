"""Data processing inequality (DPI) checks along Markov chains.

A chain X - Y - Z claims X -> Y -> Z (or its reverse, or X <- Y -> Z): X and
Z are independent given Y.  Two consequences can be checked on data:

* the DPI: ``I(X;Z) <= min(I(X;Y), I(Y;Z))``, measured by the *slack*
  ``min(I(X;Y), I(Y;Z)) - I(X;Z)``, which a chain never makes negative;
* the conditional independence ``X ⟂ Z | Y``: ``I(X;Z|Y) = 0``, tested with
  :func:`mistruct.independence.ci_test`.

:func:`dpi_check` checks every such chain of a graph (paths X - Y - Z whose
ends are not adjacent); :func:`markov_chain_check` checks a chain the user
names.  A Chow-Liu tree always satisfies the DPI on its own training data:
by the cycle property of maximum spanning trees, an edge left out is no
heavier than any tree edge on the path between its ends.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
from pandas.errors import InvalidIndexError

from mistruct.counting._contingency import stratified_tables
from mistruct.exceptions import ColumnNotFoundError, InvalidInputError
from mistruct.independence._by_kind import STRUCTURE_TEST_METHODS
from mistruct.measures._discrete import mutual_information_from_table
from mistruct.structure._chow_liu import (
    DEFAULT_SEED,
    _check_alpha,
    _check_bool,
    _check_missing,
    _check_positive_int,
    _check_seed,
    _ci_results,
    _door,
    _mi_state,
    _name_ranks,
    _pinned,
    check_structure_estimator,
)

__all__ = ["dpi_check", "markov_chain_check"]

CI_METHODS = STRUCTURE_TEST_METHODS

COLUMNS = [
    "x",
    "y",
    "z",
    "mi_xy",
    "mi_yz",
    "mi_xz",
    "slack",
    "cmi_xz_given_y",
    "statistic",
    "dof",
    "pvalue",
    "dpi_violation",
    "ci_rejected",
    "violation",
]


def _check_options(alpha, method, tolerance, estimator, n_permutations, seed, missing, progress):
    """Every option of the checks, before any work; returns (alpha, seed)."""
    alpha = _check_alpha(alpha)
    if not isinstance(method, str) or method not in CI_METHODS:
        raise InvalidInputError(
            f"method={method!r} is not a CI test; use one of {', '.join(map(repr, CI_METHODS))}."
        )
    if (
        isinstance(tolerance, (bool, np.bool_))
        or not isinstance(tolerance, (int, float, np.integer, np.floating))
        or not np.isfinite(tolerance)
        or not tolerance >= 0
    ):
        raise InvalidInputError(f"tolerance must be a number >= 0 (bits), got {tolerance!r}.")
    check_structure_estimator(estimator)
    _check_positive_int(n_permutations, "n_permutations")
    _check_missing(missing)
    _check_bool(progress, "progress")
    return alpha, _check_seed(seed)


def _check_method_fits(frame, method):
    """A discrete test on float columns is an error, before any work."""
    from mistruct.independence._by_kind import check_test_fits

    check_test_fits(frame, method)


def _strata(state, i: int, j: int, k: int) -> np.ndarray:
    """(stratum of Xj, Xi, Xk) counts from the encoded codes (observed strata only)."""
    cards, codes = state.table.cardinalities, state.table.codes
    return stratified_tables(
        codes[:, i], codes[:, k], codes[:, j], int(cards[i]), int(cards[k]), int(cards[j])
    )


def _sparse_chain(state, i: int, j: int, k: int):
    """Plug-in I(Xi;Xk|Xj) (nats) and its G-test degrees of freedom from observed cells.

    Only the (y, x, z) combinations present in the rows are counted, so the
    cost is linear in the rows whatever the columns' levels (a dense
    stratified table would hold |X|·|Z| cells per stratum).  Returns
    ``(cmi_nats, n, dof, adjusted_dof)`` with the degrees of freedom counted
    as :func:`_g_test` counts them.
    """
    codes, cards = state.table.codes, state.table.cardinalities
    x = codes[:, i].astype(np.int64)
    y = codes[:, j].astype(np.int64)
    z = codes[:, k].astype(np.int64)
    kx, kz = int(cards[i]), int(cards[k])
    n = len(x)
    yx_levels, yx = np.unique(y * kx + x, return_inverse=True)
    yz_levels, yz = np.unique(y * kz + z, return_inverse=True)
    cells, n_cell = np.unique(yx * kz + z, return_counts=True)
    cell_yx = cells // kz
    cell_yz = np.searchsorted(yz_levels, (yx_levels[cell_yx] // kx) * kz + cells % kz)
    n_yx = np.bincount(yx).astype(float)
    n_yz = np.bincount(yz).astype(float)
    n_y = np.bincount(y).astype(float)
    n_cell = n_cell.astype(float)
    stratum = yx_levels[cell_yx] // kx
    terms = n_cell * np.log(n_cell * n_y[stratum] / (n_yx[cell_yx] * n_yz[cell_yz]))
    cmi = max(float(terms.sum()) / n, 0.0)
    strata = np.flatnonzero(n_y > 0)
    levels_x = np.count_nonzero(np.bincount(x))
    levels_z = np.count_nonzero(np.bincount(z))
    dof = max(levels_x - 1, 0) * max(levels_z - 1, 0) * len(strata)
    rows = np.bincount(yx_levels // kx, minlength=len(n_y))[strata]
    cols = np.bincount(yz_levels // kz, minlength=len(n_y))[strata]
    adjusted = int(np.sum(np.maximum(rows - 1, 0) * np.maximum(cols - 1, 0)))
    return cmi, n, int(dof), adjusted


def _sparse_g_test(cmi_nats: float, n: int, dof: int):
    from scipy.stats import chi2

    statistic = 2.0 * n * cmi_nats
    pvalue = float(chi2.sf(statistic, dof)) if dof > 0 else 1.0
    return statistic, int(dof), pvalue


def _plugin_cmi_nats(strata: np.ndarray) -> float:
    counts = strata.astype(float)
    n = counts.sum()
    n_s = counts.sum(axis=(1, 2), keepdims=True)
    n_sx = counts.sum(axis=2, keepdims=True)
    n_sz = counts.sum(axis=1, keepdims=True)
    positive = counts > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(positive, counts * n_s / (n_sx * n_sz), 1.0)
        terms = np.where(positive, counts * np.log(ratio), 0.0)
    return max(float(terms.sum() / n), 0.0)


def _g_test(strata: np.ndarray, *, adjusted: bool):
    """G = 2 N I(X;Z|Y) (plug-in, nats) against chi-square: (statistic, dof, pvalue).

    Degrees of freedom as :func:`mistruct.independence.ci_test` counts them:
    (|X|-1)(|Z|-1)|Y| with the levels and strata observed in the data, or,
    adjusted, the sum over strata of (rows - 1)(columns - 1) counting only
    the non-empty rows and columns of each stratum (as bnlearn's
    ``mi-adf``).  With 0 degrees of freedom the p-value is 1.
    """
    from scipy.stats import chi2

    statistic = 2.0 * float(strata.sum()) * _plugin_cmi_nats(strata)
    if adjusted:
        rows = np.count_nonzero(strata.sum(axis=2), axis=1)
        cols = np.count_nonzero(strata.sum(axis=1), axis=1)
        dof = int(np.sum(np.maximum(rows - 1, 0) * np.maximum(cols - 1, 0)))
    else:
        levels_x = np.count_nonzero(strata.sum(axis=(0, 2)))
        levels_z = np.count_nonzero(strata.sum(axis=(0, 1)))
        dof = max(levels_x - 1, 0) * max(levels_z - 1, 0) * strata.shape[0]
    pvalue = float(chi2.sf(statistic, dof)) if dof > 0 else 1.0
    return statistic, int(dof), pvalue


def _rows(
    state,
    triples,
    *,
    alpha,
    method,
    tolerance,
    estimator,
    n_permutations,
    seed,
    test_mask,
    progress,
):
    """One row per (i, j, k) index triple: DPI slack and the CI test of Xi ⟂ Xk | Xj.

    The asymptotic tests come from the same stratified table as the CMI (no
    recount); the permutation tests run :func:`mistruct.independence.ci_test`.
    """
    if state.numeric or method == "gaussian":
        return _rows_by_kind(
            state,
            triples,
            alpha=alpha,
            method=method,
            tolerance=tolerance,
            n_permutations=n_permutations,
            seed=seed,
            test_mask=test_mask,
        )
    names = state.names
    mi = state.mi_bits()
    estimator = state.estimator  # "auto" resolved
    if method in ("auto", "knn-permutation"):
        method = "g-test" if method == "auto" else "permutation"
    asymptotic = method in ("g-test", "g-test-adjusted")
    records, statistic, dof, pvalue = [], [], [], []
    for (i, j, k), tested in zip(triples, test_mask, strict=True):
        if estimator == "plugin":
            # Observed cells only: linear in the rows whatever the levels.
            cmi_nats, n, plain_dof, adjusted_dof = _sparse_chain(state, i, j, k)
            cmi = cmi_nats / np.log(2.0)
        else:
            strata = _strata(state, i, j, k)
            # (stratum, x, z) -> (x, z, stratum): the conditional MI of axes 0 and 1 given axis 2.
            cmi = mutual_information_from_table(
                np.moveaxis(strata, 0, -1), base=2, estimator=estimator
            )
        mi_xy, mi_yz, mi_xz = float(mi[i, j]), float(mi[j, k]), float(mi[i, k])
        records.append(
            {
                "x": names[i],
                "y": names[j],
                "z": names[k],
                "mi_xy": mi_xy,
                "mi_yz": mi_yz,
                "mi_xz": mi_xz,
                "slack": min(mi_xy, mi_yz) - mi_xz,
                "cmi_xz_given_y": float(cmi),
            }
        )
        if tested and asymptotic and estimator == "plugin":
            g, df, p = _sparse_g_test(
                cmi_nats, n, adjusted_dof if method == "g-test-adjusted" else plain_dof
            )
        elif tested and asymptotic:
            g, df, p = _g_test(strata, adjusted=method == "g-test-adjusted")
        else:
            g, df, p = np.nan, np.nan, np.nan
        statistic.append(g)
        dof.append(df)
        pvalue.append(p)
    frame = pd.DataFrame.from_records(records, columns=COLUMNS[:8])
    statistic = np.asarray(statistic, dtype=float)
    dof = np.asarray(dof, dtype=float)
    pvalue = np.asarray(pvalue, dtype=float)
    tested = [t for t, m in zip(triples, test_mask, strict=True) if m]
    if tested and not asymptotic:
        results = _ci_results(
            state,
            [(i, k, (j,)) for i, j, k in tested],
            method=method,
            alpha=alpha,
            n_permutations=n_permutations,
            estimator=estimator,
            seed=seed,
            progress=progress,
        )
        where = np.flatnonzero(test_mask)
        statistic[where] = results["statistic"].to_numpy(dtype=float)
        pvalue[where] = results["pvalue"].to_numpy(dtype=float)
        dof[where] = pd.to_numeric(results["dof"], errors="coerce").to_numpy(dtype=float)
    return _with_verdicts(frame, statistic, dof, pvalue, alpha=alpha, tolerance=tolerance)


def _with_verdicts(report, statistic, dof, pvalue, *, alpha, tolerance):
    """``report`` with the test columns and the DPI / CI / overall violation flags."""
    report["statistic"] = statistic
    report["dof"] = dof
    report["pvalue"] = pvalue
    report["dpi_violation"] = (report["slack"] < -tolerance).to_numpy(dtype=bool)
    report["ci_rejected"] = np.asarray(pvalue <= alpha, dtype=bool)  # NaN (untested) -> False
    report["violation"] = report["dpi_violation"] | report["ci_rejected"]
    return report


def _rows_by_kind(state, triples, *, alpha, method, tolerance, n_permutations, seed, test_mask):
    """``_rows`` for a table with float columns: kNN / Gaussian estimates and tests.

    The MI columns come from the state's matrix and ``cmi_xz_given_y`` from
    the same family of estimators
    (:func:`mistruct.measures.mutual_information_auto`, or the Gaussian
    closed form); the tests from
    :func:`mistruct.independence.ci_tests_by_kind`.
    """
    from mistruct.independence._by_kind import ci_tests_by_kind
    from mistruct.measures._continuous import gaussian_mutual_information, mutual_information_auto

    names = state.names
    # Columns by position for the estimates, by rank of their labels for the tests (whose
    # random streams follow the labels' sorted order): safe for any label, NaN included.
    ranks = _name_ranks(names)
    frame = state.frame.set_axis(ranks, axis=1)
    estimated = _pinned(frame, state.estimator)
    mi = state.mi_bits()
    records = []
    for i, j, k in triples:
        x, y, z = names[i], names[j], names[k]
        a, b, c = (estimated[ranks[t]] for t in (i, k, j))
        if state.estimator == "gaussian":
            cmi = gaussian_mutual_information(a, b, c)
        else:
            cmi = mutual_information_auto(a, b, c, seed=seed).value
        mi_xy, mi_yz, mi_xz = float(mi[i, j]), float(mi[j, k]), float(mi[i, k])
        records.append(
            {
                "x": x,
                "y": y,
                "z": z,
                "mi_xy": mi_xy,
                "mi_yz": mi_yz,
                "mi_xz": mi_xz,
                "slack": min(mi_xy, mi_yz) - mi_xz,
                "cmi_xz_given_y": float(cmi),
            }
        )
    report = pd.DataFrame.from_records(records, columns=COLUMNS[:8])
    statistic = np.full(len(triples), np.nan)
    dof = np.full(len(triples), np.nan)
    pvalue = np.full(len(triples), np.nan)
    where = np.flatnonzero(test_mask)
    if len(where):
        outcomes = ci_tests_by_kind(
            frame,
            [
                (int(ranks[triples[t][0]]), int(ranks[triples[t][2]]), (int(ranks[triples[t][1]]),))
                for t in where
            ],
            method=method,
            alpha=alpha,
            n_permutations=n_permutations,
            seed=seed,
        )
        statistic[where] = [r.statistic for r in outcomes]
        dof[where] = [np.nan if r.dof is None else r.dof for r in outcomes]
        pvalue[where] = [r.pvalue for r in outcomes]
    return _with_verdicts(report, statistic, dof, pvalue, alpha=alpha, tolerance=tolerance)


def dpi_check(
    graph,
    data,
    *,
    alpha: float = 0.05,
    method: str = "auto",
    tolerance: float = 0.0,
    estimator: str = "auto",
    n_permutations: int = 1000,
    seed=DEFAULT_SEED,
    missing: str = "error",
    progress: bool = False,
    discrete=None,
    continuous=None,
) -> pd.DataFrame:
    """Check every chain X - Y - Z of a graph against the data.

    A chain is a path X - Y - Z of the graph's skeleton whose ends X and Z
    are not adjacent: the graph claims ``X ⟂ Z | Y``, so the DPI
    ``I(X;Z) <= min(I(X;Y), I(Y;Z))`` must hold and ``I(X;Z|Y)`` must be 0.
    The MI matrix of the graph's columns is computed once (one pass over the
    rows); each chain adds one stratified count for its CMI and one CI test.

    Parameters
    ----------
    graph : networkx.Graph or networkx.DiGraph
        Its nodes must be columns of ``data``.  Directions only matter for
        colliders (see ``collider`` below).
    data : DataFrame or 2-D array
        Continuous columns (see ``discrete``, ``continuous``) take the kNN
        estimators and tests, the others are discrete; never modified.
    alpha : float, default 0.05
        Level of the CI test.
    method : {"auto", "g-test", "g-test-adjusted", "permutation", "sequential", \
"knn-permutation", "gaussian"}
        CI test of ``X ⟂ Z | Y``.  ``"auto"``: ``"g-test"`` on discrete
        columns; on a table with float columns, the kNN local-permutation
        test for every chain with a float column
        (:func:`mistruct.independence.knn_ci_test`, 200 surrogates) and
        ``"g-test-adjusted"`` for the others.  ``"knn-permutation"``: the
        same with the exact ``"permutation"`` test on discrete chains.
        ``"gaussian"``: partial correlation (numeric columns).
        ``"g-test"``: G = 2·N·I(X;Z|Y) (plug-in,
        nats) against χ² with (|X|-1)(|Z|-1)|Y| degrees of freedom, from the
        same stratified table as the CMI (levels and strata counted as
        observed, as :func:`mistruct.independence.ci_test` does);
        ``"g-test-adjusted"`` counts only
        the non-empty rows and columns of each stratum (bnlearn's
        ``mi-adf``).  The permutation tests run
        :func:`mistruct.independence.ci_test` on each chain (one batch on the
        encoded table).
    tolerance : float, default 0.0
        Bits of negative slack forgiven before a DPI violation is flagged.
    estimator : str, default "auto"
        MI / CMI estimator, as in :func:`~mistruct.structure.chow_liu_tree`
        (``"auto"``: the plug-in on discrete columns, kNN estimators with
        float columns).  With the plug-in estimator a Chow-Liu tree never
        shows a negative slack on its training data; bias-corrected and kNN
        estimates need not obey the DPI exactly.
    n_permutations : int, default 1000
        For the permutation tests.
    seed : int, numpy.random.Generator or None, default 0
        For the permutation tests and the kNN tie noise.  The fixed default
        makes the report reproducible; ``None`` does not.
    missing : {"error", "drop", "category"}
    progress : bool, default False
        Progress bar over the permutation tests.
    discrete, continuous : list of column labels, optional
        Labels of columns to treat as discrete / continuous, overriding the
        automatic rule of :func:`mistruct.data.column_kinds` (float columns
        and integer columns with many levels for the rows, such as
        measurements, are continuous; the others discrete).

    Returns
    -------
    DataFrame
        One row per chain, X before Z in table order, sorted by Y then X then
        Z.  Columns: ``x``, ``y``, ``z``; ``mi_xy``, ``mi_yz``, ``mi_xz``
        (bits); ``slack`` = min(mi_xy, mi_yz) - mi_xz; ``cmi_xz_given_y``
        (bits); ``statistic``, ``dof``, ``pvalue`` of the CI test;
        ``dpi_violation`` = ``slack < -tolerance``; ``ci_rejected`` =
        ``pvalue <= alpha`` (the test rejects independence); ``collider``:
        X -> Y <- Z in a directed graph, where the graph claims no chain
        (X and Z are then dependent given Y); ``violation`` =
        (``dpi_violation`` or ``ci_rejected``) and not ``collider``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, networkx as nx
    >>> rng = np.random.default_rng(0)
    >>> a = rng.integers(0, 2, 2000)
    >>> b = np.where(rng.random(2000) < 0.1, 1 - a, a)
    >>> c = np.where(rng.random(2000) < 0.1, 1 - b, b)
    >>> data = pd.DataFrame({"a": a, "b": b, "c": c})
    >>> report = dpi_check(nx.Graph([("a", "b"), ("b", "c")]), data)
    >>> report[["x", "y", "z", "violation"]]
       x  y  z  violation
    0  a  b  c      False
    >>> dpi_check(nx.Graph([("b", "a"), ("a", "c")]), data)["violation"].tolist()
    [True]
    """
    alpha, seed = _check_options(
        alpha, method, tolerance, estimator, n_permutations, seed, missing, progress
    )
    if not isinstance(graph, nx.Graph):
        raise InvalidInputError(
            f"graph must be a networkx Graph or DiGraph, got {type(graph).__name__}."
        )
    frame = _door(data, discrete=discrete, continuous=continuous)
    # Work on column positions: a label such as NaN is not equal to itself.
    position, absent = {}, []
    for node in graph.nodes:
        try:
            position[node] = int(frame.columns.get_loc(node))
        except (KeyError, TypeError, InvalidIndexError):
            absent.append(node)
    if absent:
        raise ColumnNotFoundError(
            f"graph node(s) {', '.join(map(repr, absent))} are not columns of the data; "
            "the graph must be learned on (or relabelled to) the data's columns."
        )
    used = sorted(position.values())
    node_at = {p: node for node, p in position.items()}
    sub = frame.iloc[:, used]
    _check_method_fits(sub, method)
    state = _mi_state(sub, estimator=estimator, missing=missing, seed=seed)
    index = {p: j for j, p in enumerate(used)}
    skeleton = nx.Graph()
    skeleton.add_nodes_from(range(len(used)))
    skeleton.add_edges_from(
        (index[position[u]], index[position[v]]) for u, v in graph.edges() if u != v
    )
    triples, colliders = [], []
    for y in range(len(used)):
        neighbours = sorted(skeleton.neighbors(y))
        for a, x in enumerate(neighbours):
            for z in neighbours[a + 1 :]:
                if skeleton.has_edge(x, z):
                    continue
                triples.append((x, y, z))
                colliders.append(_is_collider(graph, *(node_at[used[t]] for t in (x, y, z))))
    report = _rows(
        state,
        triples,
        alpha=alpha,
        method=method,
        tolerance=tolerance,
        estimator=estimator,
        n_permutations=n_permutations,
        seed=seed,
        test_mask=np.ones(len(triples), dtype=bool),
        progress=progress,
    )
    collider = np.asarray(colliders, dtype=bool)
    report.insert(len(COLUMNS) - 1, "collider", collider)
    report["violation"] = report["violation"].to_numpy(dtype=bool) & ~collider
    return report


def _is_collider(graph, x, y, z) -> bool:
    if not graph.is_directed():
        return False

    def into(u):  # u -> y directed (not an undirected u <-> y pair of a CPDAG)
        return graph.has_edge(u, y) and not graph.has_edge(y, u)

    return into(x) and into(z)


def markov_chain_check(
    data,
    chain,
    *,
    alpha: float = 0.05,
    method: str = "auto",
    tolerance: float = 0.0,
    tests: str = "consecutive",
    estimator: str = "auto",
    n_permutations: int = 1000,
    seed=DEFAULT_SEED,
    missing: str = "error",
    progress: bool = False,
    discrete=None,
    continuous=None,
) -> pd.DataFrame:
    """Check that columns form a Markov chain X1 -> X2 -> ... -> Xm.

    Every DPI inequality along the chain is checked: for each ``i < j < k``,
    ``I(Xi;Xk) <= min(I(Xi;Xj), I(Xj;Xk))`` (these imply the rest, e.g.
    ``I(X1;X4) <= I(X2;X3)``).  The conditional independence
    ``Xi ⟂ Xk | Xj`` is tested for consecutive triples (``k = i + 2``,
    ``j = i + 1``), or for every triple with ``tests="all"``.

    Parameters
    ----------
    data : DataFrame or 2-D array
    chain : list of column labels
        At least three distinct columns, in chain order.
    alpha, method, tolerance, estimator, n_permutations, seed, missing, progress
        As in :func:`dpi_check`.
    discrete, continuous
        As in :func:`dpi_check`.
    tests : {"consecutive", "all"}, default "consecutive"
        Which triples get a CI test.

    Returns
    -------
    DataFrame
        One row per triple ``i < j < k`` (x = Xi, y = Xj, z = Xk), with the
        columns of :func:`dpi_check` (no ``collider``) and ``consecutive``;
        untested triples have NaN ``statistic``, ``dof`` and ``pvalue`` and
        ``ci_rejected`` False.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> a = rng.integers(0, 2, 2000)
    >>> b = np.where(rng.random(2000) < 0.1, 1 - a, a)
    >>> c = np.where(rng.random(2000) < 0.1, 1 - b, b)
    >>> data = pd.DataFrame({"a": a, "b": b, "c": c})
    >>> markov_chain_check(data, ["a", "b", "c"])["violation"].any()
    np.False_
    >>> markov_chain_check(data, ["b", "a", "c"])["violation"].any()
    np.True_
    """
    alpha, seed = _check_options(
        alpha, method, tolerance, estimator, n_permutations, seed, missing, progress
    )
    if not isinstance(tests, str) or tests not in ("consecutive", "all"):
        raise InvalidInputError(f"tests={tests!r} is not an option; use 'consecutive' or 'all'.")
    if isinstance(chain, str) or not hasattr(chain, "__iter__"):
        raise InvalidInputError(
            f"chain must be a list of at least three column labels, got {chain!r}."
        )
    chain = list(chain)
    if len(chain) < 3:
        raise InvalidInputError(
            f"a chain needs at least three columns to check, got {len(chain)}: {chain}."
        )
    frame = _door(data, columns=chain, discrete=discrete, continuous=continuous)
    _check_method_fits(frame, method)
    state = _mi_state(frame, estimator=estimator, missing=missing, seed=seed)
    m = len(chain)
    triples = [(i, j, k) for i in range(m) for j in range(i + 1, m) for k in range(j + 1, m)]
    consecutive = np.array([j == i + 1 and k == i + 2 for i, j, k in triples], dtype=bool)
    report = _rows(
        state,
        triples,
        alpha=alpha,
        method=method,
        tolerance=tolerance,
        estimator=estimator,
        n_permutations=n_permutations,
        seed=seed,
        test_mask=consecutive if tests == "consecutive" else np.ones(len(triples), dtype=bool),
        progress=progress,
    )
    report.insert(3, "consecutive", consecutive)
    return report
