"""The pgmpy bridge: a learned graph becomes a fitted Bayesian network.

:func:`fit_bayesian_network` turns a DAG (or an undirected tree or forest,
oriented from a root) into a pgmpy ``DiscreteBayesianNetwork`` whose
conditional probability tables are estimated from the data;
:func:`log_likelihood` scores held-out rows under it; :func:`write_bif`
saves it as a BIF file.

The probability tables are built here from counts -- one ``bincount`` per
node over its parents' configurations -- and handed to pgmpy as
``TabularCPD`` objects; the model passes pgmpy's ``check_model()``.  The
state names are the levels of each column (for a pandas categorical column,
all its categories, observed or not), so held-out data with the same
categories can always be scored.

pgmpy is imported inside the functions only, so ``import mistruct`` stays
light.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from mistruct._io import atomic_path
from mistruct.counts import MAX_DENSE_CELLS, contingency_table
from mistruct.data import as_frame, encode
from mistruct.exceptions import (
    ColumnNotFoundError,
    InvalidInputError,
    MissingValuesError,
    StateSpaceTooLargeError,
)

__all__ = ["fit_bayesian_network", "log_likelihood", "write_bif"]

PARAMETER_ESTIMATORS = ("bdeu", "k2", "mle")


# ---------------------------------------------------------------- graph -> DAG


def _as_dag(graph, columns, root) -> nx.DiGraph:
    """The DAG to fit: ``graph`` itself, or an undirected forest oriented from roots."""
    if not isinstance(graph, nx.Graph):
        raise InvalidInputError(
            f"graph must be a networkx DiGraph (a DAG) or Graph (a tree), got "
            f"{type(graph).__name__}."
        )
    if graph.is_multigraph():
        raise InvalidInputError("graph is a multigraph; pass a simple DiGraph or Graph.")
    if graph.number_of_nodes() == 0:
        raise InvalidInputError("graph has no nodes; there is nothing to fit.")
    absent = [node for node in graph.nodes if node not in columns]
    if absent:
        raise ColumnNotFoundError(
            f"graph node(s) {', '.join(map(repr, absent[:10]))} are not columns of the data; "
            "every node needs a column of the same name to be estimated from."
        )
    loops = [u for u, v in nx.selfloop_edges(graph)]
    if loops:
        raise InvalidInputError(f"graph has self-loops at {loops[:10]}; remove them.")
    order = [c for c in columns if c in graph]
    if graph.is_directed():
        if root is not None:
            raise InvalidInputError(
                "root= orients an undirected tree; the graph is directed already."
            )
        position = {node: i for i, node in enumerate(order)}
        undirected = sorted(
            {
                (u, v) if position[u] < position[v] else (v, u)
                for u, v in graph.edges
                if graph.has_edge(v, u)
            },
            key=lambda edge: (position[edge[0]], position[edge[1]]),
        )
        if undirected:
            shown = ", ".join(f"{u} - {v}" for u, v in undirected[:5])
            raise InvalidInputError(
                f"graph has undirected edges (both directions present: {shown}); it looks "
                "like a CPDAG.  Extend it to a DAG first, e.g. with "
                "mistruct.structure.pc.cpdag_to_dag(graph), then fit that DAG."
            )
        if not nx.is_directed_acyclic_graph(graph):
            cycle = nx.find_cycle(graph)
            shown = " -> ".join(str(u) for u, _ in cycle) + f" -> {cycle[0][0]}"
            raise InvalidInputError(
                f"graph has a directed cycle ({shown}); a Bayesian network needs a DAG. "
                "Reverse or remove an edge of the cycle."
            )
        dag = nx.DiGraph()
        dag.add_nodes_from(order)
        dag.add_edges_from(graph.edges())
        return dag
    if not nx.is_forest(graph):
        cycle = nx.find_cycle(graph)
        shown = " - ".join(str(u) for u, _ in cycle) + f" - {cycle[0][0]}"
        raise InvalidInputError(
            f"graph is undirected and has a cycle ({shown}), so it cannot be oriented "
            "without more information.  Pass a DAG (nx.DiGraph): learn a CPDAG with PC and "
            "extend it with mistruct.structure.pc.cpdag_to_dag, or use a tree "
            "(mistruct.chow_liu_tree)."
        )
    if root is not None and root not in graph:
        raise InvalidInputError(f"root={root!r} is not a node of the graph.")
    dag = nx.DiGraph()
    dag.add_nodes_from(order)
    seen = set()
    for start in ([root] if root is not None else []) + order:
        if start in seen:
            continue
        seen |= nx.node_connected_component(graph, start)
        dag.add_edges_from(nx.bfs_edges(graph, start))
    return dag


# ---------------------------------------------------------------- fitting


def fit_bayesian_network(
    data,
    graph,
    *,
    estimator: str = "bdeu",
    equivalent_sample_size: float = 1.0,
    root=None,
    missing: str = "error",
):
    """Fit the conditional probability tables of a graph to data.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Discrete columns, one per node (other columns are ignored).  Never
        modified.
    graph : networkx.DiGraph or networkx.Graph
        A DAG (e.g. a Chow-Liu tree, or a CPDAG extended to a DAG with
        ``mistruct.structure.pc.cpdag_to_dag``), or an undirected forest,
        which is oriented away from ``root`` (each other component away from
        its first column in table order).  A directed graph with both
        ``u -> v`` and ``v -> u`` (a CPDAG), a directed cycle, or an
        undirected graph with a cycle is an error.
    estimator : {"bdeu", "k2", "mle"}, default "bdeu"
        ``"bdeu"``: posterior mean under the BDeu prior, i.e. pseudo-count
        ``equivalent_sample_size / (r * q)`` in each cell of a node with
        ``r`` states and ``q`` parent configurations (as pgmpy's
        ``DiscreteBayesianEstimator(prior_type="BDeu")``).  ``"k2"``:
        pseudo-count 1 in every cell.  ``"mle"``: relative frequencies;
        parent configurations never seen get a uniform distribution.  The
        smoothed estimators give every state a positive probability, which
        :func:`log_likelihood` needs on held-out rows.
    equivalent_sample_size : float, default 1.0
        BDeu's imaginary sample size (R's bnlearn uses 1 by default, pgmpy 5).
    root : node, optional
        For an undirected graph: the node edges point away from.
    missing : {"error", "drop"}
        NaN/None: an error, or drop the rows that hold any in the graph's
        columns.

    Returns
    -------
    pgmpy.models.DiscreteBayesianNetwork
        With one ``TabularCPD`` per node (parents in table order, state
        names the column's levels), checked with ``check_model()``.

    Examples
    --------
    >>> from mistruct.datasets import sample_network
    >>> from mistruct.structure import chow_liu_tree
    >>> data = sample_network("asia", 500, seed=0).data
    >>> model = fit_bayesian_network(data, chow_liu_tree(data))
    >>> model.check_model(), len(model.get_cpds())
    (True, 8)
    >>> model.get_cpds("asia").state_names["asia"]
    ['yes', 'no']
    """
    if estimator not in PARAMETER_ESTIMATORS:
        raise InvalidInputError(
            f"estimator={estimator!r} is not a parameter estimator; use one of "
            f"{', '.join(map(repr, PARAMETER_ESTIMATORS))}."
        )
    if (
        not isinstance(equivalent_sample_size, (int, float, np.integer, np.floating))
        or not np.isfinite(equivalent_sample_size)
        or equivalent_sample_size <= 0
    ):
        raise InvalidInputError(
            f"equivalent_sample_size must be a number > 0, got {equivalent_sample_size!r}."
        )
    if missing not in ("error", "drop"):
        raise InvalidInputError(
            f"missing={missing!r} is not an option here; use 'error' or 'drop' (a missing "
            "value cannot be a state of a Bayesian network node)."
        )
    frame = as_frame(data)
    dag = _as_dag(graph, list(frame.columns), root)
    order = list(dag.nodes)  # table order
    table = encode(frame, order, missing=missing)
    index = {name: j for j, name in enumerate(order)}
    cardinalities = [int(k) for k in table.cardinalities]
    for node in order:
        parents = sorted(dag.predecessors(node), key=index.__getitem__)
        n_cells = int(
            np.prod(
                [cardinalities[index[p]] for p in parents] + [cardinalities[index[node]]],
                dtype=object,
            )
        )
        if n_cells > MAX_DENSE_CELLS:
            raise StateSpaceTooLargeError(
                f"node {node!r} has {len(parents)} parents and its probability table would "
                f"have {n_cells:,} cells (limit {MAX_DENSE_CELLS:,}); use a graph with fewer "
                "parents per node or merge levels."
            )

    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    state_names = {name: table.levels[j].tolist() for j, name in enumerate(order)}
    cpds = []
    for node in order:
        parents = sorted(dag.predecessors(node), key=index.__getitem__)
        values = _cpd_values(table, index, node, parents, estimator, float(equivalent_sample_size))
        cpds.append(
            TabularCPD(
                variable=node,
                variable_card=cardinalities[index[node]],
                values=values,
                evidence=parents or None,
                evidence_card=[cardinalities[index[p]] for p in parents] or None,
                state_names={v: state_names[v] for v in [node, *parents]},
            )
        )
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(order)
    model.add_edges_from(dag.edges())
    model.add_cpds(*cpds)
    model.check_model()
    return model


def _cpd_values(table, index, node, parents, estimator: str, ess: float) -> np.ndarray:
    """P(node | parents) as an (r, q) array, parents in mixed radix (first slowest)."""
    r = int(table.cardinalities[index[node]])
    config = np.zeros(table.n_rows, dtype=np.int64)
    q = 1
    for parent in parents:
        k = int(table.cardinalities[index[parent]])
        config = config * k + table.codes[:, index[parent]]
        q *= k
    counts = contingency_table(config, table.codes[:, index[node]], q, r).T.astype(float)
    if estimator == "bdeu":
        counts += ess / (r * q)
    elif estimator == "k2":
        counts += 1.0
    totals = counts.sum(axis=0, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(totals > 0, counts / np.where(totals > 0, totals, 1), 1.0 / r)
    return values


# ---------------------------------------------------------------- scoring


def _check_model(model):
    from pgmpy.models import DiscreteBayesianNetwork

    if not isinstance(model, DiscreteBayesianNetwork):
        raise InvalidInputError(
            f"model must be a pgmpy DiscreteBayesianNetwork, got {type(model).__name__}; "
            "fit one with mistruct.fit_bayesian_network(data, graph)."
        )
    unfitted = [node for node in model.nodes if model.get_cpds(node) is None]
    if unfitted:
        raise InvalidInputError(
            f"node(s) {', '.join(map(repr, unfitted[:10]))} of the model have no probability "
            "table; fit the model first (mistruct.fit_bayesian_network)."
        )


def log_likelihood(model, data, *, per_row: bool = True, base=np.e, unknown_states="error"):
    """Log-likelihood of rows under a fitted discrete Bayesian network.

    ``log P(row) = sum over nodes of log P(node value | parent values)``,
    looked up in each node's probability table with integer codes for all
    rows at once (no loop over rows).

    Held-out rows can hold a combination of values never seen in training.
    Under a maximum-likelihood fit (``estimator="mle"``) such a combination
    may have probability 0, and a single such row makes the total ``-inf``;
    that is why :func:`fit_bayesian_network` smooths by default (BDeu), which
    gives every state of every node a positive probability.

    Parameters
    ----------
    model : pgmpy.models.DiscreteBayesianNetwork
        Fitted: every node has a ``TabularCPD``.
    data : DataFrame
        One column per node, values among the node's state names (other
        columns are ignored).  Never modified.
    per_row : bool, default True
        Return one value per row (an array); ``False`` returns their sum.
        The mean of the array is the usual "held-out log-likelihood per row".
    base : float, default e
        Logarithm base (nats by default, as is usual for likelihoods).
    unknown_states : {"error", "nan"}, default "error"
        A value that is not a state of its node in the model (a level never
        seen in training, unless the training column was categorical with
        that category) has no probability.  ``"error"`` raises, naming the
        column and the values; ``"nan"`` gives those rows NaN (and a NaN sum).

    Returns
    -------
    ndarray of shape (n_rows,) or float

    Examples
    --------
    >>> from mistruct.datasets import sample_network
    >>> from mistruct.structure import chow_liu_tree
    >>> train = sample_network("asia", 500, seed=0).data
    >>> test = sample_network("asia", 200, seed=1).data
    >>> model = fit_bayesian_network(train, chow_liu_tree(train))
    >>> scores = log_likelihood(model, test)
    >>> scores.shape, bool(-4 < scores.mean() < -1)
    ((200,), True)
    """
    _check_model(model)
    if unknown_states not in ("error", "nan"):
        raise InvalidInputError(
            f"unknown_states={unknown_states!r} is not an option; use 'error' or 'nan'."
        )
    try:
        log_base = float(np.log(float(base)))
    except (TypeError, ValueError):
        log_base = float("nan")
    if not np.isfinite(log_base) or log_base == 0:
        raise InvalidInputError(f"base must be a number > 0 and != 1, got {base!r}.")
    frame = as_frame(data)
    nodes = list(model.nodes)
    absent = [node for node in nodes if node not in frame.columns]
    if absent:
        raise ColumnNotFoundError(
            f"the data has no column for model node(s) {', '.join(map(repr, absent[:10]))}; "
            "every node of the model must be a column."
        )
    codes, unknown = {}, np.zeros(len(frame), dtype=bool)
    for node in nodes:
        states = model.get_cpds(node).state_names[node]
        column = frame[node]
        n_missing = int(column.isna().sum())
        if n_missing:
            raise MissingValuesError(
                f"column {node!r} has {n_missing} missing value(s); a Bayesian network gives "
                "no probability to a missing value.  Drop or impute those rows first."
            )
        node_codes = _codes_for_states(column, states)
        bad = node_codes < 0
        if bad.any():
            if unknown_states == "error":
                values = pd.unique(column[bad])[:5].tolist()
                raise InvalidInputError(
                    f"column {node!r} has {int(bad.sum())} value(s) that are not states of the "
                    f"model (e.g. {values}); its states are {list(states)[:20]}.  Fit on data "
                    "declaring every level (a categorical column with all categories), or pass "
                    "unknown_states='nan' to score those rows as NaN."
                )
            unknown |= bad
            node_codes = np.where(bad, 0, node_codes)
        codes[node] = node_codes
    total = np.zeros(len(frame))
    with np.errstate(divide="ignore"):
        for node in nodes:
            cpd = model.get_cpds(node)
            log_values = np.log(np.asarray(cpd.values, dtype=float))
            total += log_values[tuple(codes[v] for v in cpd.variables)]
    total /= log_base
    if unknown.any():
        total[unknown] = np.nan
    return total if per_row else float(total.sum())


def _codes_for_states(column: pd.Series, states) -> np.ndarray:
    """Position of each value among ``states`` (-1 for a value that is not one)."""
    try:
        codes = pd.Index(states).get_indexer_for(np.asarray(column, dtype=object))
    except (TypeError, ValueError):  # states of mixed or unhashable types
        lookup = {state: i for i, state in enumerate(states)}
        codes = np.array([lookup.get(value, -1) for value in column], dtype=np.int64)
    return np.asarray(codes, dtype=np.int64)


# ---------------------------------------------------------------- output


def write_bif(model, path) -> Path:
    """Write a fitted model to a BIF file, atomically.

    The file is written beside ``path`` under a temporary name and moved
    into place when complete, so a failure never leaves a half-written
    file.  BIF stores state names as text: a model whose states are numbers
    reads back with string states.

    Parameters
    ----------
    model : pgmpy.models.DiscreteBayesianNetwork
    path : str or pathlib.Path

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mistruct.datasets import sample_network
    >>> from mistruct.structure import chow_liu_tree
    >>> data = sample_network("asia", 500, seed=0).data
    >>> model = fit_bayesian_network(data, chow_liu_tree(data))
    >>> target = write_bif(model, pathlib.Path(tempfile.mkdtemp()) / "asia.bif")
    >>> target.read_text().startswith("network")
    True
    """
    _check_model(model)
    from pgmpy.readwrite import BIFWriter

    path = Path(path)
    with atomic_path(path) as temporary:
        BIFWriter(model).write(str(temporary))
    return path
