"""The Dask versions of the learners, registered in :data:`DASK_LEARNERS`.

Each learner's public function checks its options, then (door line) hands a
Dask DataFrame to :func:`mistruct.structure._dask.dask_dispatch`, which
runs the function registered here.  These functions do the door's work from
a pass over the partitions and then run the learner's own code on the
reduced counts, so graphs and values equal the pandas path's.
"""

from __future__ import annotations

import time
import warnings

import networkx as nx
import numpy as np
import pandas as pd

from mistruct.counting import dask_stratified_counts
from mistruct.data import dask_frame, dask_passes, dask_summary, dask_table
from mistruct.exceptions import (
    ColumnNotFoundError,
    ConstantColumnWarning,
    IncompleteSearchWarning,
    InvalidInputError,
)
from mistruct.independence import (
    asymptotic_fits,
    ci_tests_encoded,
    g_dof,
    g_dof_adjusted,
    g_pvalue,
    g_statistic,
)
from mistruct.measures import mutual_information_from_table
from mistruct.structure._aracne import _dpi_keep
from mistruct.structure._chow_liu import _labelled, _orient, _pair_tests, _tree_pairs
from mistruct.structure._common import _LN2, _ci_results, encoded_test
from mistruct.structure._dask import DASK_LEARNERS, dask_door, dask_mi_state
from mistruct.structure._dpi import COLUMNS, _is_collider, _with_verdicts
from mistruct.structure._pc import _answer, _check_labels, skeleton_search

__all__ = []


def _root(names, root) -> int:
    if root is None:
        return 0
    if root not in names:
        raise InvalidInputError(
            f"root={root!r} is not a column of the data; available columns: "
            f"{', '.join(map(repr, list(names)[:20]))}"
        )
    return list(names).index(root)


def _tree(data, *, root, estimator, columns, exclude, discrete, continuous, missing,
          chunk_size, **_):
    frame, summary, kinds, forced = dask_door(
        data, columns=columns, exclude=exclude, discrete=discrete, continuous=continuous,
        keep=() if root is None else (root,), learner="Chow-Liu tree", missing=missing,
    )
    root_at = _root(frame.columns, root)
    state = dask_mi_state(frame, summary, kinds, forced, estimator=estimator, missing=missing,
                          chunk_size=chunk_size, what="the Chow-Liu tree")
    pairs, attributes = _tree_pairs(state)
    directed, _ = _orient(pairs, len(state.names), [root_at, *range(len(state.names))])
    tree = _labelled(directed, state.names, attributes)
    tree.graph.update(
        method="chow-liu", root=state.names[root_at], estimator=state.estimator,
        n_rows=state.n_rows,
    )
    return tree


def _forest(data, *, alpha, ci_test, root, estimator, columns, exclude, discrete, continuous,
            missing, n_permutations, seed, progress, chunk_size, **_):
    method = encoded_test(ci_test)
    if method is None or ci_test == "knn":
        raise InvalidInputError(
            f"ci_test={getattr(ci_test, 'name', ci_test)!r} on a Dask DataFrame: the edges are "
            "tested from reduced counts, so only the discrete tests ('auto', 'g-test', "
            "'g-test-adjusted', 'permutation', 'sequential') run distributed."
        )
    frame, summary, kinds, forced = dask_door(
        data, columns=columns, exclude=exclude, discrete=discrete, continuous=continuous,
        keep=() if root is None else (root,), learner="Chow-Liu forest", missing=missing,
    )
    root_at = _root(frame.columns, root)
    state = dask_mi_state(frame, summary, kinds, forced, estimator=estimator, missing=missing,
                          chunk_size=chunk_size, what="the Chow-Liu forest")
    if state.table is None:
        raise InvalidInputError(
            "the Chow-Liu forest on a Dask DataFrame tests its edges from counts: it needs "
            "discrete columns and a discrete estimator."
        )
    names = state.names
    pairs, attributes = _tree_pairs(state)
    pairs = [(min(i, j), max(i, j)) for i, j in pairs]
    results = _pair_tests(state, pairs, method=method, alpha=alpha,
                          n_permutations=n_permutations, seed=seed, progress=progress)
    kept, removed = [], []
    for (i, j), row in zip(pairs, results.itertuples(index=False), strict=True):
        pvalue = np.nan if row.no_evidence else float(row.pvalue)
        attributes[(i, j)].update(statistic=float(row.statistic), pvalue=pvalue, dof=row.dof)
        if pvalue <= alpha:
            kept.append((i, j))
        else:
            removed.append((i, j, pvalue))
    directed, roots = _orient(kept, len(names), [root_at, *range(len(names))])
    forest = _labelled(directed, names, attributes)
    forest.graph.update(
        method="chow-liu-forest",
        root=names[root_at],
        roots=[names[r] for r in roots],
        alpha=alpha,
        ci_test=getattr(ci_test, "name", ci_test),
        estimator=state.estimator,
        n_rows=state.n_rows,
        removed=[(names[i], names[j], p) for i, j, p in removed],
    )
    return forest


def _aracne(data, *, tolerance, tolerance_type, mi_threshold, estimator, columns, exclude,
            discrete, continuous, missing, chunk_size, **_):
    if mi_threshold == "permutation":
        raise InvalidInputError(
            "mi_threshold='permutation' on a Dask DataFrame is not available: its null "
            "shuffles rows. Give a threshold in bits (e.g. from permutation_mi_threshold on a "
            "sample: ddf.sample(frac=0.01).compute())."
        )
    frame, summary, kinds, forced = dask_door(
        data, columns=columns, exclude=exclude, discrete=discrete, continuous=continuous,
        learner="ARACNE network", missing=missing,
    )
    state = dask_mi_state(frame, summary, kinds, forced, estimator=estimator, missing=missing,
                          chunk_size=chunk_size, what="ARACNE")
    mi = state.mi_bits()
    threshold = 0.0 if mi_threshold is None else float(mi_threshold)
    present = mi > threshold
    np.fill_diagonal(present, False)
    keep = _dpi_keep(mi, present, float(tolerance), tolerance_type)
    names = state.names
    graph = nx.Graph()
    graph.add_nodes_from(names)
    rows, cols = np.nonzero(np.triu(keep, k=1))
    graph.add_edges_from(
        (names[i], names[j], {"mi": float(mi[i, j]), "weight": float(mi[i, j])})
        for i, j in zip(rows, cols, strict=True)
    )
    graph.graph.update(
        method="aracne", tolerance=float(tolerance), tolerance_type=tolerance_type,
        mi_threshold=threshold, estimator=state.estimator, n_rows=state.n_rows,
    )
    return graph


def _pc_skeleton(data, *, alpha, method, max_cond_size, n_permutations, estimator, seed,
                 columns, missing, progress, max_time, discrete, continuous, **_):
    tested = encoded_test(method)
    if tested is None or method == "knn":
        raise InvalidInputError(
            f"ci_test={getattr(method, 'name', method)!r} on a Dask DataFrame: PC's tests run "
            "from reduced counts, so only the discrete tests ('auto', 'g-test', "
            "'g-test-adjusted', 'permutation', 'sequential') run distributed; the kNN and "
            "Gaussian tests need every row on one machine (ddf.sample(frac=0.01).compute())."
        )
    passes_before = dask_passes()
    frame, summary, kinds, forced = dask_door(
        data, columns=columns, discrete=discrete, continuous=continuous, missing=missing,
        sort=True,
    )
    _check_labels(list(frame.columns))
    continuous_columns = [c for c, kind in kinds.items() if kind == "continuous"]
    if continuous_columns:
        raise InvalidInputError(
            f"column(s) {continuous_columns!r} are continuous: PC on a Dask DataFrame tests "
            "discrete columns from counts (the kNN test needs every row on one machine). Name "
            "them in discrete=[...] if their values are categories, or bin them."
        )
    if missing != "error":
        summary = dask_summary(frame, missing=missing, discrete=forced)
    table = dask_table(frame, missing=missing, discrete=forced, summary=summary)
    if table.n_columns < 2:
        raise InvalidInputError("PC needs at least two columns.")
    nodes = list(table.names)
    isolated = [
        i for i, name in enumerate(nodes) if _observed_levels(summary, name, missing) <= 1
    ]
    if isolated:
        warnings.warn(
            f"constant column(s) {[nodes[i] for i in isolated]!r}: a constant is independent "
            "of everything, so they are left isolated (no edges) without tests.",
            ConstantColumnWarning,
            stacklevel=4,
        )

    def test_batch(queries):
        results = ci_tests_encoded(
            table, [(i, j, tuple(s)) for i, j, s in queries], method=tested, alpha=alpha,
            n_permutations=n_permutations, estimator=estimator, seed=seed,
        )
        return _answer(results)

    deadline = None if max_time is None else time.perf_counter() + max_time
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(desc="PC", unit=" tests", leave=False)
    try:
        skeleton, n_tests = skeleton_search(
            nodes, test_batch, alpha=alpha, max_cond_size=max_cond_size, progress=bar,
            isolated=isolated, deadline=deadline,
            # Every query of a level in one call: one pass over the partitions per level.
            batch="level",
        )
    finally:
        if bar is not None:
            bar.close()
    skeleton.graph.update(method="pc", ci_test=tested, alpha=alpha, n_tests=n_tests)
    skeleton.graph["constant_columns"] = [nodes[i] for i in sorted(isolated)]
    skeleton.graph["n_passes"] = dask_passes() - passes_before
    if not skeleton.graph["complete"]:
        warnings.warn(
            f"PC stopped after max_time={max_time} seconds, during level "
            f"{skeleton.graph['max_level']} ({n_tests} tests run): the skeleton keeps edges "
            "that later tests might have removed (G.graph['complete'] is False).",
            IncompleteSearchWarning,
            stacklevel=4,
        )
    return skeleton


def _dpi(graph, data, *, alpha, ci_test, tolerance, estimator, n_permutations, seed, missing,
         progress, discrete, continuous, **_):
    method = encoded_test(ci_test)
    if method is None or ci_test == "knn":
        raise InvalidInputError(
            f"ci_test={getattr(ci_test, 'name', ci_test)!r} on a Dask DataFrame: the chains are "
            "tested from reduced counts, so only the discrete tests run distributed."
        )
    frame = dask_frame(data)
    labels = list(frame.columns)
    absent = [node for node in graph.nodes if node not in labels]
    if absent:
        raise ColumnNotFoundError(
            f"graph node(s) {', '.join(map(repr, absent))} are not columns of the data; "
            "the graph must be learned on (or relabelled to) the data's columns."
        )
    position = {node: labels.index(node) for node in graph.nodes}
    used = sorted(position.values())
    node_at = {p: node for node, p in position.items()}
    sub, summary, kinds, forced = dask_door(
        frame, columns=[labels[p] for p in used], discrete=discrete, continuous=continuous,
        missing=missing,
    )
    state = dask_mi_state(sub, summary, kinds, forced, estimator=estimator, missing=missing,
                          what="dpi_check")
    if state.table is None:
        raise InvalidInputError(
            "dpi_check on a Dask DataFrame works from counts: it needs discrete columns and a "
            "discrete estimator."
        )
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
    names, mi = state.names, state.mi_bits()
    # The chains' (stratum of Y, X, Z) tables, all in one pass.
    tables = dask_stratified_counts(state.table, [(i, k, (j,)) for i, j, k in triples])
    chains = [_chain(found.tables, method == "auto") for found in tables]
    records = []
    for (i, j, k), found, chain in zip(triples, tables, chains, strict=True):
        if state.estimator == "plugin":
            cmi = chain["cmi_nats"] / _LN2
        else:
            cmi = mutual_information_from_table(
                np.moveaxis(found.tables, 0, -1), base=2, estimator=state.estimator
            )
        mi_xy, mi_yz, mi_xz = float(mi[i, j]), float(mi[j, k]), float(mi[i, k])
        records.append({
            "x": names[i], "y": names[j], "z": names[k], "mi_xy": mi_xy, "mi_yz": mi_yz,
            "mi_xz": mi_xz, "slack": min(mi_xy, mi_yz) - mi_xz, "cmi_xz_given_y": float(cmi),
        })
    report = pd.DataFrame.from_records(records, columns=COLUMNS[:8])
    statistic = np.full(len(triples), np.nan)
    dof = np.full(len(triples), np.nan)
    pvalue = np.full(len(triples), np.nan)
    drawn = []
    # The decisions of the in-memory check, chain by chain, from the same counts.
    for t, chain in enumerate(chains):
        adjusted = method == "g-test-adjusted" or (method == "auto" and chain.get("fits", False))
        if method in ("g-test", "g-test-adjusted") or adjusted:
            statistic[t] = chain["statistic"]
            dof[t] = chain["adjusted"] if adjusted else chain["dof"]
            pvalue[t] = g_pvalue(statistic[t], dof[t])
        elif method == "auto" and not chain["evidence"]:
            statistic[t], dof[t], pvalue[t] = chain["statistic"], chain["dof"], 1.0
        else:
            drawn.append(t)
    if drawn:
        results = _ci_results(
            state, [(triples[t][0], triples[t][2], (triples[t][1],)) for t in drawn],
            method=method, alpha=alpha, n_permutations=n_permutations[0],
            estimator=state.estimator if method in ("permutation", "sequential") else "plugin",
            seed=seed, progress=progress,
        )
        statistic[drawn] = results["statistic"].to_numpy(dtype=float)
        pvalue[drawn] = results["pvalue"].to_numpy(dtype=float)
        dof[drawn] = pd.to_numeric(results["dof"], errors="coerce").to_numpy(dtype=float)
    report = _with_verdicts(report, statistic, dof, pvalue, alpha=alpha, tolerance=tolerance)
    collider = np.asarray(colliders, dtype=bool)
    report.insert(len(COLUMNS) - 1, "collider", collider)
    report["violation"] = report["violation"].to_numpy(dtype=bool) & ~collider
    return report


def _chain(tables, fits: bool) -> dict:
    """The in-memory check's plug-in CMI and G-test of a chain, from its stratified tables.

    ``tables`` (observed strata of Y in code order, X, Z) lists the observed
    cells in the order the in-memory check visits them (by Y, then X, then
    Z), so each term and its sum are the same floats.
    """
    counts = np.asarray(tables, dtype=np.int64)
    n = int(counts.sum())
    if n == 0:
        return {"cmi_nats": 0.0, "statistic": 0.0, "dof": 0, "adjusted": 0, "evidence": False}
    n_yx = counts.sum(axis=2)
    n_yz = counts.sum(axis=1)
    n_y = counts.sum(axis=(1, 2))
    stratum, x, z = np.nonzero(counts)
    n_cell = counts[stratum, x, z]
    terms = n_cell * np.log(
        n_cell * n_y[stratum].astype(float)
        / (n_yx[stratum, x].astype(float) * n_yz[stratum, z])
    )
    cmi = max(float(terms.sum()) / n, 0.0)
    levels_x = int(np.count_nonzero(n_yx.sum(axis=0)))
    levels_z = int(np.count_nonzero(n_yz.sum(axis=0)))
    rows = np.count_nonzero(n_yx, axis=1)
    cols = np.count_nonzero(n_yz, axis=1)
    live = (rows > 1) & (cols > 1)
    informative = live & (n_yx.max(axis=1) > 1) & (n_yz.max(axis=1) > 1)
    chain = {
        "cmi_nats": cmi,
        "statistic": float(g_statistic(cmi, n)),
        "dof": int(g_dof(levels_x, levels_z, len(n_y))),
        "adjusted": int(g_dof_adjusted(rows, cols)),
        "evidence": bool(informative.any()),
    }
    if fits and chain["evidence"]:
        chain["fits"] = asymptotic_fits(n_yx[live], n_yz[live])[0]
    return chain


def _observed_levels(summary, name, missing) -> int:
    seen = summary.n_observed.get(name) or 0
    if missing == "category" and summary.n_missing.get(name, 0):
        seen += 1
    return seen


DASK_LEARNERS.update(
    chow_liu_tree=_tree,
    chow_liu_forest=_forest,
    aracne=_aracne,
    pc_skeleton=_pc_skeleton,
    dpi_check=_dpi,
)
