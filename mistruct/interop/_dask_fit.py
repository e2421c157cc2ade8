"""A Bayesian network fitted to a Dask DataFrame: every CPD's counts in one pass.

Each node's table of (parent configuration, state) counts is a joint count
of its family's columns (:func:`mistruct.counting.dask_joint_counts`); all
families are counted in one pass over the partitions, and the in-memory
fit's code (:func:`mistruct.interop._bayesnet._network`) makes the CPDs from
the reduced counts.
"""

from __future__ import annotations

import numpy as np

from mistruct.counting import dask_joint_counts
from mistruct.data import dask_frame, dask_table
from mistruct.interop._bayesnet import _as_dag, _check_node_labels, _families, _network
from mistruct.interop._dask import DASK_FITTERS

__all__ = []


def _fit(data, graph, *, estimator, equivalent_sample_size, root, missing):
    frame = dask_frame(data)
    dag = _as_dag(graph, list(frame.columns), root)
    order = list(dag.nodes)
    _check_node_labels(order)
    table = dask_table(frame, order, missing=missing)
    families = _families(dag, order, table.cardinalities)
    index = {name: j for j, name in enumerate(order)}
    cards = [int(k) for k in table.cardinalities]
    found = dask_joint_counts(
        table, [(*[index[p] for p in parents], index[node])
                for node, parents in zip(order, families, strict=True)]
    )
    reduced = dict(zip(order, found, strict=True))

    def counts(node, parents):
        keys, counted = reduced[node]
        r = cards[index[node]]
        q = int(np.prod([cards[index[p]] for p in parents], dtype=object))
        flat = np.zeros(q * r, dtype=np.int64)
        flat[keys] = counted
        return flat.reshape(q, r).T

    return _network(dag, order, families, table, counts, estimator, equivalent_sample_size)


DASK_FITTERS.update(fit_bayesian_network=_fit)
