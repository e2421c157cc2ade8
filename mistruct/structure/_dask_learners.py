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

import numpy as np

from mistruct.counting import dask_stratified_counts
from mistruct.data import dask_frame, dask_passes, dask_summary, dask_table
from mistruct.exceptions import (
    ConstantColumnWarning,
    IncompleteSearchWarning,
    InvalidInputError,
)
from mistruct.independence import (
    asymptotic_fits,
    ci_tests_encoded,
)
from mistruct.structure._aracne import _aracne_graph
from mistruct.structure._chow_liu import _forest_graph, _pair_tests, _tree_graph, _tree_pairs
from mistruct.structure._common import encoded_test
from mistruct.structure._dask import DASK_LEARNERS, dask_door, dask_mi_state
from mistruct.structure._dpi import (
    _chain_report,
    _chain_summary,
    _graph_chains,
    _node_positions,
    _with_colliders,
)
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


def _rooted_state(data, *, root, learner, what, estimator, columns, exclude, discrete,
                  continuous, missing, chunk_size):
    """The door of a tree learner (the root kept) and its MI state; the root's position."""
    frame, summary, kinds, forced = dask_door(
        data, columns=columns, exclude=exclude, discrete=discrete, continuous=continuous,
        keep=() if root is None else (root,), learner=learner, missing=missing,
    )
    root_at = _root(frame.columns, root)
    state = dask_mi_state(frame, summary, kinds, forced, estimator=estimator, missing=missing,
                          chunk_size=chunk_size, what=what)
    return state, root_at


def _tree(data, *, root, estimator, columns, exclude, discrete, continuous, missing,
          chunk_size, **_):
    state, root_at = _rooted_state(
        data, root=root, learner="Chow-Liu tree", what="the Chow-Liu tree",
        estimator=estimator, columns=columns, exclude=exclude, discrete=discrete,
        continuous=continuous, missing=missing, chunk_size=chunk_size,
    )
    return _tree_graph(state, root_at)


def _forest(data, *, alpha, ci_test, root, estimator, columns, exclude, discrete, continuous,
            missing, n_permutations, seed, progress, chunk_size, **_):
    method = encoded_test(ci_test)
    if method is None or ci_test == "knn":
        raise InvalidInputError(
            f"ci_test={getattr(ci_test, 'name', ci_test)!r} on a Dask DataFrame: the edges are "
            "tested from reduced counts, so only the discrete tests ('auto', 'g-test', "
            "'g-test-adjusted', 'permutation', 'sequential') run distributed."
        )
    state, root_at = _rooted_state(
        data, root=root, learner="Chow-Liu forest", what="the Chow-Liu forest",
        estimator=estimator, columns=columns, exclude=exclude, discrete=discrete,
        continuous=continuous, missing=missing, chunk_size=chunk_size,
    )
    if state.table is None:
        raise InvalidInputError(
            "the Chow-Liu forest on a Dask DataFrame tests its edges from counts: it needs "
            "discrete columns and a discrete estimator."
        )
    pairs, attributes = _tree_pairs(state)
    pairs = [(min(i, j), max(i, j)) for i, j in pairs]
    results = _pair_tests(state, pairs, method=method, alpha=alpha,
                          n_permutations=n_permutations, seed=seed, progress=progress)
    return _forest_graph(state, pairs, attributes, results, root_at, alpha=alpha,
                         ci_test=ci_test)


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
    threshold = 0.0 if mi_threshold is None else float(mi_threshold)
    return _aracne_graph(state, state.mi_bits(), threshold, tolerance, tolerance_type)


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
    position = _node_positions(graph, frame.columns)
    used, triples, colliders = _graph_chains(graph, position)
    sub, summary, kinds, forced = dask_door(
        frame, columns=[frame.columns[p] for p in used], discrete=discrete,
        continuous=continuous, missing=missing,
    )
    state = dask_mi_state(sub, summary, kinds, forced, estimator=estimator, missing=missing,
                          what="dpi_check")
    if state.table is None:
        raise InvalidInputError(
            "dpi_check on a Dask DataFrame works from counts: it needs discrete columns and a "
            "discrete estimator."
        )
    # The chains' (stratum of Y, X, Z) tables, all in one pass; the in-memory check's
    # report then runs on them.
    tables = dask_stratified_counts(state.table, [(i, k, (j,)) for i, j, k in triples])
    report = _chain_report(
        state, triples, [_chain(found.tables, method == "auto") for found in tables],
        lambda t: tables[t].tables, method=method, alpha=alpha, tolerance=tolerance,
        n_permutations=n_permutations[0], seed=seed,
        test_mask=np.ones(len(triples), dtype=bool), progress=progress,
    )
    return _with_colliders(report, colliders)


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
    chain = _chain_summary(cmi, n, levels_x, levels_z, len(n_y), rows, cols, informative)
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
