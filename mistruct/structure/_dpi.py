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

from mistruct._validation import check_alpha, check_bool, check_missing, check_seed
from mistruct.counting import stratified_tables
from mistruct.data import apply_missing
from mistruct.exceptions import ColumnNotFoundError, InvalidInputError
from mistruct.independence import (
    asymptotic_fits,
    check_test_fits,
    ci_tests_by_kind,
    g_dof,
    g_dof_adjusted,
    g_pvalue,
    g_statistic,
)
from mistruct.measures import mutual_information, mutual_information_from_table
from mistruct.structure._common import (
    _LN2,
    DEFAULT_SEED,
    _ci_results,
    _door,
    _mi_state,
    _name_ranks,
    _pinned,
    check_ci_test,
    check_structure_estimator,
    encoded_test,
    permutation_counts,
)
from mistruct.structure._dask import dask_dispatch, is_dask_collection

__all__ = ["dpi_check", "markov_chain_check"]

#: Most surrogates of each kNN test of a check when ``n_permutations=None``.
DEFAULT_KNN_PERMUTATIONS = 200

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


def _check_options(alpha, ci_test, tolerance, estimator, n_permutations, seed, missing, progress):
    """Every option of the checks, before any work; returns (alpha, seed, permutation counts)."""
    alpha = check_alpha(alpha)
    check_ci_test(ci_test)
    if (
        isinstance(tolerance, (bool, np.bool_))
        or not isinstance(tolerance, (int, float, np.integer, np.floating))
        or not np.isfinite(tolerance)
        or not tolerance >= 0
    ):
        raise InvalidInputError(f"tolerance must be a number >= 0 (bits), got {tolerance!r}.")
    check_structure_estimator(estimator)
    counts = permutation_counts(n_permutations, DEFAULT_KNN_PERMUTATIONS)
    check_missing(missing)
    check_bool(progress, "progress")
    return alpha, check_seed(seed), counts


def _strata(state, i: int, j: int, k: int) -> np.ndarray:
    """(stratum of Xj, Xi, Xk) counts from the encoded codes (observed strata only)."""
    cards, codes = state.table.cardinalities, state.table.codes
    return stratified_tables(
        codes[:, i], codes[:, k], codes[:, j], int(cards[i]), int(cards[k]), int(cards[j])
    )


def _sparse_chain(state, i: int, j: int, k: int, *, fits: bool = False) -> dict:
    """Plug-in I(Xi;Xk|Xj) in nats and its G-test's ingredients, from the observed cells.

    Only the (y, x, z) combinations present in the rows are counted, so the
    cost is linear in the rows whatever the columns' levels (a dense
    stratified table would hold |X|·|Z| cells per stratum).  Returns
    ``cmi_nats``, ``statistic`` (G), ``dof`` (plain, levels and strata as
    observed), ``adjusted`` (bnlearn's ``mi-adf``), ``evidence`` (some
    stratum where X and Z both vary and repeat a value, as the independence
    layer reads a test) and, with ``fits``, whether the chi-squared law fits
    (:func:`mistruct.independence.asymptotic_fits`, ``"auto"``'s rule).
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
    n_yx = np.bincount(yx)
    n_yz = np.bincount(yz)
    n_y = np.bincount(y)
    stratum = yx_levels[cell_yx] // kx
    terms = n_cell * np.log(
        n_cell * n_y[stratum].astype(float) / (n_yx[cell_yx].astype(float) * n_yz[cell_yz])
    )
    cmi = max(float(terms.sum()) / n, 0.0)
    strata = np.flatnonzero(n_y > 0)
    levels_x = np.count_nonzero(np.bincount(x))
    levels_z = np.count_nonzero(np.bincount(z))
    row_stratum, col_stratum = yx_levels // kx, yz_levels // kz
    rows = np.bincount(row_stratum, minlength=len(n_y))[strata]
    cols = np.bincount(col_stratum, minlength=len(n_y))[strata]
    top_row = np.zeros(len(n_y), dtype=np.int64)
    top_col = np.zeros(len(n_y), dtype=np.int64)
    np.maximum.at(top_row, row_stratum, n_yx)
    np.maximum.at(top_col, col_stratum, n_yz)
    live = (rows > 1) & (cols > 1)
    informative = live & (top_row[strata] > 1) & (top_col[strata] > 1)
    chain = _chain_summary(cmi, n, levels_x, levels_z, len(strata), rows, cols, informative)
    if fits and chain["evidence"]:
        # The margins of the strata where both vary, as the independence layer reads them.
        where = {s: t for t, s in enumerate(strata[live])}
        margin_x = np.zeros((len(where), kx), dtype=np.int64)
        margin_z = np.zeros((len(where), kz), dtype=np.int64)
        keep_x = np.isin(row_stratum, strata[live])
        keep_z = np.isin(col_stratum, strata[live])
        margin_x[[where[s] for s in row_stratum[keep_x]], yx_levels[keep_x] % kx] = n_yx[keep_x]
        margin_z[[where[s] for s in col_stratum[keep_z]], yz_levels[keep_z] % kz] = n_yz[keep_z]
        chain["fits"] = asymptotic_fits(margin_x, margin_z)[0]
    return chain


def _chain_summary(cmi, n, levels_x, levels_z, n_strata, rows, cols, informative) -> dict:
    """A chain's plug-in CMI (nats) and G-test ingredients, from its observed strata.

    ``rows`` and ``cols`` are the non-empty rows and columns of each
    observed stratum, ``informative`` whether X and Z both vary and repeat
    a value in it.
    """
    return {
        "cmi_nats": cmi,
        "statistic": float(g_statistic(cmi, n)),
        "dof": int(g_dof(levels_x, levels_z, n_strata)),
        "adjusted": int(g_dof_adjusted(rows, cols)),
        "evidence": bool(informative.any()),
    }


def _rows(
    state,
    triples,
    *,
    alpha,
    ci_test,
    tolerance,
    n_permutations,
    seed,
    test_mask,
    progress,
    source,
    missing,
):
    """One row per (i, j, k) index triple: DPI slack and the CI test of Xi ⟂ Xk | Xj.

    The CMI comes from the observed cells (plug-in) or the stratified table
    (other estimators).  The G-tests come from the observed cells too, with
    the independence layer's statistic, degrees of freedom and chi-squared
    tail, so they cost no dense table; ``"auto"`` follows the independence
    layer's rule per chain (the adjusted G-test where the chi-squared law
    fits, p = 1 without evidence, else the exact sequential test); the
    exact tests run in one batch on the encoded table
    (:func:`mistruct.independence.ci_tests_encoded`).
    """
    n_discrete, n_knn = n_permutations
    method = encoded_test(ci_test)
    if state.numeric or method is None:
        return _rows_by_kind(
            state,
            triples,
            alpha=alpha,
            ci_test=ci_test,
            tolerance=tolerance,
            n_permutations=n_discrete,
            knn_permutations=n_knn,
            seed=seed,
            test_mask=test_mask,
            # A discrete table's state keeps no frame: the door's, under the missing policy.
            source=apply_missing(source, missing) if state.frame is None else state.frame,
        )
    chains = [
        _sparse_chain(state, i, j, k, fits=bool(tested) and method == "auto")
        for (i, j, k), tested in zip(triples, test_mask, strict=True)
    ]
    return _chain_report(
        state, triples, chains, lambda t: _strata(state, *triples[t]), method=method,
        alpha=alpha, tolerance=tolerance, n_permutations=n_discrete, seed=seed,
        test_mask=test_mask, progress=progress,
    )


def _chain_report(state, triples, chains, strata_of, *, method, alpha, tolerance,
                  n_permutations, seed, test_mask, progress):
    """The report of discrete chains from each one's plug-in CMI and G-test ingredients.

    ``chains[t]`` is :func:`_sparse_chain`'s dict of triple ``t`` (from the
    rows here, from reduced counts on a Dask table); ``strata_of(t)`` its
    (stratum of Y, X, Z) table, read only for an estimator other than the
    plug-in.  The decisions follow the independence layer's rule per chain;
    the exact tests run in one batch (:func:`_ci_results`).
    """
    names = state.names
    mi = state.mi_bits()
    estimator = state.estimator  # "auto" resolved
    records = []
    for t, (i, j, k) in enumerate(triples):
        if estimator == "plugin":
            # Observed cells only: linear in the rows whatever the levels.
            cmi = chains[t]["cmi_nats"] / _LN2
        else:
            # (stratum, x, z) -> (x, z, stratum): the conditional MI of axes 0 and 1 given axis 2.
            cmi = mutual_information_from_table(
                np.moveaxis(strata_of(t), 0, -1), base=2, estimator=estimator
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
    frame = pd.DataFrame.from_records(records, columns=COLUMNS[:8])
    statistic = np.full(len(triples), np.nan)
    dof = np.full(len(triples), np.nan)
    pvalue = np.full(len(triples), np.nan)
    drawn = []  # chains whose test the independence layer runs
    for t, (chain, tested) in enumerate(zip(chains, test_mask, strict=True)):
        if not tested:
            continue
        adjusted = method == "g-test-adjusted" or (method == "auto" and chain.get("fits", False))
        if method in ("g-test", "g-test-adjusted") or adjusted:
            # The G-tests from the observed cells (no dense table): the independence
            # layer's statistic, degrees of freedom and chi-squared tail.
            statistic[t] = chain["statistic"]
            dof[t] = chain["adjusted"] if adjusted else chain["dof"]
            pvalue[t] = g_pvalue(statistic[t], dof[t])
        elif method == "auto" and not chain["evidence"]:
            # As the independence layer answers it: every permutation gives the observed G,
            # so the exact p-value is 1 (no draws, no dense table).
            statistic[t], dof[t], pvalue[t] = chain["statistic"], chain["dof"], 1.0
        else:
            drawn.append(t)
    if drawn:
        results = _ci_results(
            state,
            [(triples[t][0], triples[t][2], (triples[t][1],)) for t in drawn],
            method=method,
            alpha=alpha,
            n_permutations=n_permutations,
            # "auto" draws where the chi-squared law does not fit; the exact tests take the
            # table's estimator for their statistic.
            estimator=estimator if method in ("permutation", "sequential") else "plugin",
            seed=seed,
            progress=progress,
        )
        statistic[drawn] = results["statistic"].to_numpy(dtype=float)
        pvalue[drawn] = results["pvalue"].to_numpy(dtype=float)
        dof[drawn] = pd.to_numeric(results["dof"], errors="coerce").to_numpy(dtype=float)
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


def _rows_by_kind(
    state,
    triples,
    *,
    alpha,
    ci_test,
    tolerance,
    n_permutations,
    knn_permutations,
    seed,
    test_mask,
    source,
):
    """``_rows`` for the tests chosen by the columns' kinds: float columns, Gaussian, registered.

    ``source`` is the checked table (columns in the state's order).  The MI
    columns come from the state's matrix and ``cmi_xz_given_y`` from the
    same family of estimators (:func:`mistruct.measures.mutual_information`,
    or the Gaussian closed form); the tests from
    :func:`mistruct.independence.ci_tests_by_kind`.
    """
    names = state.names
    # Columns by position for the estimates, by rank of their labels for the tests (whose
    # random streams follow the labels' sorted order): safe for any label, NaN included.
    ranks = _name_ranks(names)
    frame = source.set_axis(ranks, axis=1)
    estimated = _pinned(frame, state.estimator)
    mi = state.mi_bits()
    records = []
    for i, j, k in triples:
        x, y, z = names[i], names[j], names[k]
        a, b, c = (estimated[ranks[t]] for t in (i, k, j))
        if state.estimator == "gaussian":
            cmi = mutual_information(a, b, given=c, estimator="gaussian")
        else:
            cmi = mutual_information(a, b, given=c, seed=seed)
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
            method=ci_test,
            alpha=alpha,
            n_permutations=n_permutations,
            knn_permutations=knn_permutations,
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
    ci_test: str = "auto",
    tolerance: float = 0.0,
    estimator: str = "auto",
    n_permutations: int | None = None,
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
    ci_test : {"auto", "g-test", "g-test-adjusted", "permutation", "sequential", \
"knn", "gaussian"} or a test object
        CI test of ``X ⟂ Z | Y``, run by the independence layer
        (:func:`mistruct.independence.ci_tests`; the discrete chains in one
        batch on the encoded table).  ``"auto"`` has its one meaning: on a
        chain of discrete columns, the adjusted G-test where its chi-squared
        law fits the counts and the exact sequential test where it does not;
        the kNN local-permutation test
        (:func:`mistruct.independence.knn_ci_test`) on a chain with a float
        column.  ``"knn"``: the same with the exact ``"permutation"`` test
        on discrete chains.  A test registered with
        :func:`mistruct.independence.register_ci_test` (by name), or a test
        object, runs on every chain.  ``"gaussian"``: partial
        correlation (numeric columns).  ``"g-test"``: G = 2·N·I(X;Z|Y)
        (plug-in, nats) against χ² with (|X|-1)(|Z|-1)|Y| degrees of freedom
        (levels and strata counted as observed); ``"g-test-adjusted"``
        counts only the non-empty rows and columns of each stratum
        (bnlearn's ``mi-adf``).
    tolerance : float, default 0.0
        Bits of negative slack forgiven before a DPI violation is flagged.
    estimator : str, default "auto"
        MI / CMI estimator, as in :func:`~mistruct.structure.chow_liu_tree`
        (``"auto"``: the plug-in on discrete columns, kNN estimators with
        float columns).  With the plug-in estimator a Chow-Liu tree never
        shows a negative slack on its training data; bias-corrected and kNN
        estimates need not obey the DPI exactly.
    n_permutations : int or None, default None
        Null replicates of each permutation test; ``None``: 1000 for the
        discrete permutation tests, 200 surrogates for the kNN test.
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

    See Also
    --------
    markov_chain_check : the same checks along a chain the user names.
    mistruct.independence.ci_tests : the tests.

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
    alpha, seed, n_permutations = _check_options(
        alpha, ci_test, tolerance, estimator, n_permutations, seed, missing, progress
    )
    if not isinstance(graph, nx.Graph):
        raise InvalidInputError(
            f"graph must be a networkx Graph or DiGraph, got {type(graph).__name__}."
        )
    if is_dask_collection(data):  # counted distributed (issue 16)
        return dask_dispatch(
            "dpi_check", graph, data, alpha=alpha, ci_test=ci_test, tolerance=tolerance,
            estimator=estimator, n_permutations=n_permutations, seed=seed, missing=missing,
            progress=progress, discrete=discrete, continuous=continuous,
        )
    frame = _door(data, discrete=discrete, continuous=continuous)
    position = _node_positions(graph, frame.columns)
    used, triples, colliders = _graph_chains(graph, position)
    report = _check_triples(
        frame.iloc[:, used], triples, np.ones(len(triples), dtype=bool), alpha=alpha,
        ci_test=ci_test, tolerance=tolerance, estimator=estimator,
        n_permutations=n_permutations, seed=seed, missing=missing, progress=progress,
    )
    return _with_colliders(report, colliders)


def _check_triples(frame, triples, test_mask, *, alpha, ci_test, tolerance, estimator,
                   n_permutations, seed, missing, progress) -> pd.DataFrame:
    """The report of the (i, j, k) position triples of ``frame``: one MI matrix, the tests."""
    check_test_fits(frame, ci_test, "ci_test")
    state = _mi_state(frame, estimator=estimator, missing=missing, seed=seed)
    return _rows(
        state,
        triples,
        alpha=alpha,
        ci_test=ci_test,
        tolerance=tolerance,
        n_permutations=n_permutations,
        seed=seed,
        test_mask=test_mask,
        progress=progress,
        source=frame,
        missing=missing,
    )


def _node_positions(graph, columns) -> dict:
    """``{node: column position}`` for every node of ``graph``; an error naming the others.

    Positions, not labels, from here on: a label such as NaN is not equal to
    itself.
    """
    position, absent = {}, []
    for node in graph.nodes:
        try:
            position[node] = int(columns.get_loc(node))
        except (KeyError, TypeError, InvalidIndexError):
            absent.append(node)
    if absent:
        raise ColumnNotFoundError(
            f"graph node(s) {', '.join(map(repr, absent))} are not columns of the data; "
            "the graph must be learned on (or relabelled to) the data's columns."
        )
    return position


def _graph_chains(graph, position) -> tuple[list, list, list]:
    """The chains X - Y - Z of ``graph`` (ends not adjacent) on its columns.

    Returns the sorted column positions ``used`` of the nodes, the
    ``(x, y, z)`` triples as indices into ``used`` (by Y, then X, then Z)
    and whether each is a collider of a directed graph.
    """
    used = sorted(position.values())
    node_at = {p: node for node, p in position.items()}
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
    return used, triples, colliders


def _with_colliders(report, colliders) -> pd.DataFrame:
    """``report`` with the ``collider`` column; a collider is never a violation."""
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
    ci_test: str = "auto",
    tolerance: float = 0.0,
    tests: str = "consecutive",
    estimator: str = "auto",
    n_permutations: int | None = None,
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
    alpha, ci_test, tolerance, estimator, n_permutations, seed, missing, progress
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

    See Also
    --------
    dpi_check : the chains of a graph.

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
    alpha, seed, n_permutations = _check_options(
        alpha, ci_test, tolerance, estimator, n_permutations, seed, missing, progress
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
    m = len(chain)
    triples = [(i, j, k) for i in range(m) for j in range(i + 1, m) for k in range(j + 1, m)]
    consecutive = np.array([j == i + 1 and k == i + 2 for i, j, k in triples], dtype=bool)
    report = _check_triples(
        frame, triples,
        consecutive if tests == "consecutive" else np.ones(len(triples), dtype=bool),
        alpha=alpha, ci_test=ci_test, tolerance=tolerance, estimator=estimator,
        n_permutations=n_permutations, seed=seed, missing=missing, progress=progress,
    )
    report.insert(3, "consecutive", consecutive)
    return report
