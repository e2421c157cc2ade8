"""A Bayesian network fitted to a Dask DataFrame: every CPD's counts in one pass.

Each node's table of (parent configuration, state) counts is a joint count
of its family's columns (:func:`mistruct.counting.dask_joint_counts`); all
families are counted in one pass over the partitions, and the CPDs come
from the reduced counts by the same arithmetic as the in-memory fit.
"""

from __future__ import annotations

import numpy as np

from mistruct.counting import MAX_DENSE_CELLS, dask_joint_counts
from mistruct.data import dask_frame, dask_table
from mistruct.exceptions import InvalidInputError, StateSpaceTooLargeError
from mistruct.interop._bayesnet import _FIT_KEY, _as_dag, _equals_itself
from mistruct.interop._dask import DASK_FITTERS

__all__ = []


def _values(counts, estimator, ess):
    """P(node | parents) as (r, q) from the (r, q) counts, as the in-memory fit makes it."""
    r, q = counts.shape
    counts = counts.astype(float)
    seen = counts.sum(axis=0)
    if estimator == "bdeu":
        counts = counts + ess / (r * q)
    elif estimator == "k2":
        counts = counts + 1.0
    totals = counts.sum(axis=0, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(totals > 0, counts / np.where(totals > 0, totals, 1), 1.0 / r)
    return values, seen


def _fit(data, graph, *, estimator, equivalent_sample_size, root, missing):
    frame = dask_frame(data)
    dag = _as_dag(graph, list(frame.columns), root)
    order = list(dag.nodes)
    unusable = [node for node in order if node is None or not _equals_itself(node)]
    if unusable:
        raise InvalidInputError(
            f"column label(s) {', '.join(map(repr, unusable))} cannot name a node of a pgmpy "
            "network; rename those columns first."
        )
    table = dask_table(frame, order, missing=missing)
    index = {name: j for j, name in enumerate(order)}
    cards = [int(k) for k in table.cardinalities]
    families = []
    for node in order:
        parents = sorted(dag.predecessors(node), key=index.__getitem__)
        n_cells = int(np.prod([cards[index[p]] for p in parents] + [cards[index[node]]],
                              dtype=object))
        if n_cells > MAX_DENSE_CELLS:
            raise StateSpaceTooLargeError(
                f"node {node!r} has {len(parents)} parents and its probability table would "
                f"have {n_cells:,} cells (limit {MAX_DENSE_CELLS:,}); use a graph with fewer "
                "parents per node or merge levels."
            )
        families.append(parents)
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    found = dask_joint_counts(
        table, [(*[index[p] for p in parents], index[node])
                for node, parents in zip(order, families, strict=True)]
    )
    state_names = {name: table.levels[j].tolist() for j, name in enumerate(order)}
    cpds, totals = [], {}
    for node, parents, (keys, counted) in zip(order, families, found, strict=True):
        r = cards[index[node]]
        q = int(np.prod([cards[index[p]] for p in parents], dtype=object))
        flat = np.zeros(q * r, dtype=np.int64)
        flat[keys] = counted
        values, seen = _values(flat.reshape(q, r).T, estimator, float(equivalent_sample_size))
        totals[node] = (
            tuple(parents),
            seen.reshape([cards[index[p]] for p in parents] or [1]),
        )
        cpds.append(
            TabularCPD(
                variable=node,
                variable_card=r,
                values=values,
                evidence=parents or None,
                evidence_card=[cards[index[p]] for p in parents] or None,
                state_names={v: state_names[v] for v in [node, *parents]},
            )
        )
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(order)
    model.add_edges_from(dag.edges())
    model.add_cpds(*cpds)
    model.check_model()
    model.graph[_FIT_KEY] = {
        "estimator": estimator,
        "equivalent_sample_size": float(equivalent_sample_size),
        "parent_counts": totals,
    }
    return model


DASK_FITTERS.update(fit_bayesian_network=_fit)
