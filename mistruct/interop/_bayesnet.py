"""The pgmpy bridge: a learned graph becomes a fitted Bayesian network.

:func:`fit_bayesian_network` turns a DAG (or an undirected tree or forest,
oriented from a root) into a pgmpy ``DiscreteBayesianNetwork`` whose
conditional probability tables are estimated from the data;
:func:`log_likelihood` scores held-out rows under it (levels unseen in
training through the prior, on request); :func:`write_bif` saves it as a BIF
file that :func:`read_bif` (or pgmpy's ``BIFReader``) reads back, whatever its
labels.

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

import itertools
import json
import math
import re
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from mistruct._io import atomic_path
from mistruct.counting import MAX_DENSE_CELLS, contingency_table
from mistruct.data import as_frame, encode
from mistruct.exceptions import (
    ColumnNotFoundError,
    InvalidInputError,
    MissingValuesError,
    StateSpaceTooLargeError,
)
from mistruct.interop._dask import dask_dispatch, is_dask_collection

__all__ = ["fit_bayesian_network", "log_likelihood", "read_bif", "write_bif"]

PARAMETER_ESTIMATORS = ("bdeu", "k2", "mle")
UNKNOWN_STATES = ("error", "nan", "prior")
#: Key of ``model.graph`` where :func:`fit_bayesian_network` records what the
#: prior needs to score levels unseen in training.
_FIT_KEY = "mistruct_fit"


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
                "mistruct.structure.cpdag_to_dag(graph), then fit that DAG."
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
            "extend it with mistruct.structure.cpdag_to_dag, or use a tree "
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
        ``mistruct.structure.cpdag_to_dag``), or an undirected forest,
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

    See Also
    --------
    log_likelihood : score rows under the fitted network.
    write_bif : save it as a BIF file.
    mistruct.structure.chow_liu_tree : a structure to fit.
    mistruct.structure.pc : a CPDAG to orient and fit.

    Examples
    --------
    >>> from mistruct.interop.datasets import sample_network
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
        or not math.isfinite(float(equivalent_sample_size))
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
    if is_dask_collection(data):  # CPD counts reduced in one pass (issue 16)
        return dask_dispatch(
            "fit_bayesian_network", data, graph, estimator=estimator,
            equivalent_sample_size=equivalent_sample_size, root=root, missing=missing,
        )
    frame = as_frame(data)
    dag = _as_dag(graph, list(frame.columns), root)
    order = list(dag.nodes)  # table order
    _check_node_labels(order)
    table = encode(frame, order, missing=missing)
    families = _families(dag, order, table.cardinalities)
    index = {name: j for j, name in enumerate(order)}

    def counts(node, parents):
        config = np.zeros(table.n_rows, dtype=np.int64)
        q = 1
        for parent in parents:
            k = int(table.cardinalities[index[parent]])
            config = config * k + table.codes[:, index[parent]]
            q *= k
        r = int(table.cardinalities[index[node]])
        return contingency_table(config, table.codes[:, index[node]], q, r).T

    return _network(dag, order, families, table, counts, estimator, equivalent_sample_size)


def _equals_itself(label) -> bool:
    try:
        return bool(label == label)
    except (TypeError, ValueError):  # pd.NA, arrays
        return False


def _check_node_labels(order):
    """Refuse column labels that cannot name a pgmpy node, before any counting."""
    unusable = [node for node in order if node is None or not _equals_itself(node)]
    if unusable:
        raise InvalidInputError(
            f"column label(s) {', '.join(map(repr, unusable))} cannot name a node of a pgmpy "
            "network (None is refused, NaN is not equal to itself); rename those columns "
            "first, e.g. data.rename(columns=str)."
        )


def _families(dag, order, cardinalities) -> list:
    """Each node's parents in table order; an error before counting a table too large."""
    index = {name: j for j, name in enumerate(order)}
    cards = [int(k) for k in cardinalities]
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
    return families


def _network(dag, order, families, table, counts, estimator: str, ess):
    """The fitted network from each family's counts, in-memory or reduced from Dask.

    ``table`` gives the levels and cardinalities of the ``order`` columns;
    ``counts(node, parents)`` returns the family's (r, q) count table,
    parent configurations in mixed radix (first parent slowest).
    """
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    index = {name: j for j, name in enumerate(order)}
    cardinalities = [int(k) for k in table.cardinalities]
    state_names = {name: table.levels[j].tolist() for j, name in enumerate(order)}
    cpds, totals = [], {}
    for node, parents in zip(order, families, strict=True):
        values, seen = _cpd_values(counts(node, parents), estimator, float(ess))
        totals[node] = (
            tuple(parents),
            seen.reshape([cardinalities[index[p]] for p in parents] or [1]),
        )
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
    # What log_likelihood(unknown_states="prior") needs to give a level never seen in
    # training the probability the prior gives it: the rows behind each parent configuration.
    model.graph[_FIT_KEY] = {
        "estimator": estimator,
        "equivalent_sample_size": float(ess),
        "parent_counts": totals,
    }
    return model


def _cpd_values(counts, estimator: str, ess: float):
    """P(node | parents) as an (r, q) array from the family's (r, q) counts.

    Also returns the rows seen in each of the ``q`` parent configurations.
    """
    r, q = counts.shape
    counts = counts.astype(float)
    seen = counts.sum(axis=0)
    if estimator == "bdeu":
        counts += ess / (r * q)
    elif estimator == "k2":
        counts += 1.0
    totals = counts.sum(axis=0, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(totals > 0, counts / np.where(totals > 0, totals, 1), 1.0 / r)
    return values, seen


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
    unknown_states : {"error", "nan", "prior"}, default "error"
        A value that is not a state of its node in the model (a level never
        seen in training, unless the training column was categorical with
        that category) has no fitted probability.  ``"error"`` raises,
        naming the column and the values; ``"nan"`` gives those rows NaN
        (and a NaN sum); ``"prior"`` gives it the probability the fit's
        Dirichlet prior gives a state with no count.  For a node with ``r``
        fitted states, ``q`` parent configurations and ``N_j`` training rows
        in the row's configuration ``j``, the unseen value is an extra
        state: under BDeu with equivalent sample size ``a`` its probability
        is ``(a / ((r + 1) q)) / (N_j + a / q)``, under K2
        ``1 / (N_j + r + 1)``, under maximum likelihood 0 (``-inf``).  A
        parent value unseen in training makes the configuration one the
        data never showed, where the prior's predictive is uniform:
        ``1 / r`` for a known value, ``1 / (r + 1)`` for an unseen one.
        Scoring an unseen value with ``"prior"`` needs a model from
        :func:`fit_bayesian_network`.

    Returns
    -------
    ndarray of shape (n_rows,) or float

    See Also
    --------
    fit_bayesian_network : a network to score rows with.

    Examples
    --------
    >>> from mistruct.interop.datasets import sample_network
    >>> from mistruct.structure import chow_liu_tree
    >>> train = sample_network("asia", 500, seed=0).data
    >>> test = sample_network("asia", 200, seed=1).data
    >>> model = fit_bayesian_network(train, chow_liu_tree(train))
    >>> scores = log_likelihood(model, test)
    >>> scores.shape, bool(-4 < scores.mean() < -1)
    ((200,), True)

    A level never seen in training scores through the prior, not as NaN:

    >>> import pandas as pd
    >>> train = pd.DataFrame({"a": ["x", "y"] * 20, "b": ["u", "v", "u", "u"] * 10})
    >>> model = fit_bayesian_network(train, nx.DiGraph([("a", "b")]))
    >>> new = pd.DataFrame({"a": ["x", "y", "z"], "b": ["w", "u", "u"]})
    >>> log_likelihood(model, new, unknown_states="prior").round(3)
    array([-5.505, -1.386, -5.505])

    (Row 1: ``P(a=x) = 1/2`` times ``P(b=w | x) = (1/6) / (20 + 1/2)``, the
    BDeu pseudo-count of a third state of ``b`` over the 20 rows with
    ``a = x``.)
    """
    _check_model(model)
    if unknown_states not in UNKNOWN_STATES:
        raise InvalidInputError(
            f"unknown_states={unknown_states!r} is not an option; use one of "
            f"{', '.join(map(repr, UNKNOWN_STATES))}."
        )
    fit = model.graph.get(_FIT_KEY) if unknown_states == "prior" else None
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
            if unknown_states == "prior" and fit is None:
                raise InvalidInputError(
                    f"column {node!r} has {int(bad.sum())} value(s) that are not states of the "
                    "model; unknown_states='prior' scores them only for a model fitted by "
                    "mistruct.fit_bayesian_network (it records the counts the prior is "
                    "weighed against); use 'error' or 'nan'."
                )
            unknown |= bad
        codes[node] = node_codes
    total = np.zeros(len(frame))
    with np.errstate(divide="ignore"):
        for node in nodes:
            cpd = model.get_cpds(node)
            log_values = np.log(np.asarray(cpd.values, dtype=float))
            total += log_values[tuple(np.maximum(codes[v], 0) for v in cpd.variables)]
            if fit is not None:
                _prior_for_unseen(total, log_values, fit, cpd, codes)
    total /= log_base
    if unknown.any() and unknown_states == "nan":
        total[unknown] = np.nan
    return total if per_row else float(total.sum())


def _prior_for_unseen(total, log_values, fit, cpd, codes):
    """Replace, in ``total``, the terms of rows with a value unseen in training (in place)."""
    node, parents = cpd.variables[0], list(cpd.variables[1:])
    self_unseen = codes[node] < 0
    parent_unseen = np.zeros_like(self_unseen)
    for parent in parents:
        parent_unseen |= codes[parent] < 0
    if not (self_unseen.any() or parent_unseen.any()):
        return
    r = log_values.shape[0]
    looked_up = log_values[tuple(np.maximum(codes[v], 0) for v in cpd.variables)]
    term = looked_up.copy()
    # A configuration never seen: the prior's predictive, uniform over the states.
    term[parent_unseen] = np.where(self_unseen[parent_unseen], -np.log(r + 1), -np.log(r))
    only_self = self_unseen & ~parent_unseen
    if only_self.any():
        recorded_parents, seen = fit["parent_counts"][node]
        order = [list(recorded_parents).index(p) for p in parents]
        seen = np.transpose(seen, order) if parents else seen.reshape(())
        n_j = seen[tuple(codes[p][only_self] for p in parents)] if parents else seen
        q = max(int(np.prod(seen.shape)), 1)
        estimator, ess = fit["estimator"], fit["equivalent_sample_size"]
        if estimator == "bdeu":
            probability = (ess / ((r + 1) * q)) / (n_j + ess / q)
        elif estimator == "k2":
            probability = 1.0 / (n_j + r + 1)
        else:
            probability = np.zeros_like(n_j, dtype=float)
        with np.errstate(divide="ignore"):
            term[only_self] = np.log(probability)
    total += term - looked_up


def _codes_for_states(column: pd.Series, states) -> np.ndarray:
    """Position of each value among ``states`` (-1 for a value that is not one)."""
    try:
        codes = pd.Index(states).get_indexer_for(np.asarray(column, dtype=object))
    except (TypeError, ValueError):  # states of mixed or unhashable types
        lookup = {state: i for i, state in enumerate(states)}
        codes = np.array([lookup.get(value, -1) for value in column], dtype=np.int64)
    return np.asarray(codes, dtype=np.int64)


# ---------------------------------------------------------------- output


#: Names pgmpy's BIFReader reads back exactly: it lower-cases names to match them,
#: drops quotes and comments and splits on commas, braces, bars and blanks.
_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SAFE_STATE = re.compile(r"[A-Za-z0-9_]+")
_BIF_WORDS = {
    "network",
    "variable",
    "probability",
    "property",
    "type",
    "discrete",
    "table",
    "default",
}
_NAME_PROPERTY = "mistruct_name"
_STATES_PROPERTY = "mistruct_states"


def _json_value(value):
    """A value JSON holds with its type (int, float, str, bool, None, tuple); others as text."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value  # Python's json writes and reads back inf and NaN as well
    if isinstance(value, tuple):  # read back as a tuple (JSON has no other list here)
        return [_json_value(v) for v in value]
    return str(value)


def _hex(value) -> str:
    # Hex digits pass every stage of pgmpy's BIF reader untouched.
    return json.dumps(value, ensure_ascii=False).encode("utf-8").hex()


def _unhex(text: str):
    return json.loads(bytes.fromhex(text.strip()).decode("utf-8"))


def _bif_names(names) -> dict:
    """A BIF-safe name for each node: the name itself when safe, else a new one.

    Safe names are unique ignoring case (pgmpy matches names case-insensitively)
    and no BIF keyword.
    """
    out, taken = {}, set()
    plain = [n for n in names if isinstance(n, str) and _SAFE_NAME.fullmatch(n)]
    for name in plain:
        if name.lower() not in taken and name.lower() not in _BIF_WORDS:
            out[name] = name
            taken.add(name.lower())
    for position, name in enumerate(names):
        if name in out and out[name] == name and isinstance(name, str):
            continue
        stem = re.sub(r"[^A-Za-z0-9_]", "_", str(name))[:40].strip("_") or "node"
        candidate = f"v{position}_{stem}"
        while candidate.lower() in taken:
            candidate += "_"
        out[name] = candidate
        taken.add(candidate.lower())
    return out


def _bif_states(states) -> list[str]:
    texts = [str(state) for state in states]
    if all(_SAFE_STATE.fullmatch(t) for t in texts) and len(set(texts)) == len(texts):
        return texts
    return [f"s{i}" for i in range(len(states))]


def write_bif(model, path) -> Path:
    """Write a fitted model to a BIF file, atomically, readable whatever its labels.

    The file is written beside ``path`` under a temporary name and moved
    into place when complete, so a failure never leaves a half-written
    file.  Node names that BIF readers cannot take back as they are (spaces,
    punctuation, line breaks, names equal ignoring case, keywords, non-text
    labels) are written as safe identifiers (``v3_my_name``), and states
    that are not plain words as ``s0, s1, ...``; each variable block then
    records the original name and states in a ``property`` line, so
    :func:`read_bif` gives back the same network (labels, state values and
    their types, probabilities).  pgmpy's ``BIFReader`` reads every file
    written here, with the safe identifiers.  A network whose labels are
    plain words is written as before, without properties.

    Parameters
    ----------
    model : pgmpy.models.DiscreteBayesianNetwork
    path : str or pathlib.Path

    Returns
    -------
    pathlib.Path
        The path written.

    See Also
    --------
    read_bif : the inverse.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mistruct.interop.datasets import sample_network
    >>> from mistruct.structure import chow_liu_tree
    >>> data = sample_network("asia", 500, seed=0).data
    >>> model = fit_bayesian_network(data, chow_liu_tree(data))
    >>> target = write_bif(model, pathlib.Path(tempfile.mkdtemp()) / "asia.bif")
    >>> target.read_text().startswith("network")
    True
    """
    _check_model(model)
    path = Path(path)
    if path.is_dir():
        raise InvalidInputError(f"cannot write the network to {path}: it is a folder.")
    with atomic_path(path) as temporary:
        temporary.write_text(_bif_text(model), encoding="utf-8")
    return path


def _bif_text(model) -> str:
    nodes = list(model.nodes)
    names = _bif_names(nodes)
    states = {node: list(model.get_cpds(node).state_names[node]) for node in nodes}
    written = {node: _bif_states(states[node]) for node in nodes}
    lines = ["network unknown {", "}"]
    for node in nodes:
        lines.append(f"variable {names[node]} {{")
        lines.append(
            f"    type discrete [ {len(written[node])} ] {{ {', '.join(written[node])} }};"
        )
        if names[node] != node or not isinstance(node, str):
            lines.append(f"    property {_NAME_PROPERTY} = {_hex(_json_value(node))} ;")
        if written[node] != states[node]:
            values = [_json_value(v) for v in states[node]]
            lines.append(f"    property {_STATES_PROPERTY} = {_hex(values)} ;")
        lines.append("}")
    for node in nodes:
        cpd = model.get_cpds(node)
        parents = list(cpd.variables[1:])
        values = np.asarray(cpd.values, dtype=float).reshape(len(written[node]), -1)
        if not parents:
            numbers = ", ".join(repr(float(v)) for v in values[:, 0])
            lines += [f"probability ( {names[node]} ) {{", f"    table {numbers} ;", "}"]
            continue
        head = f"probability ( {names[node]} | {', '.join(names[p] for p in parents)} ) {{"
        lines.append(head)
        configurations = itertools.product(*(written[p] for p in parents))
        for column, configuration in enumerate(configurations):
            numbers = ", ".join(repr(float(v)) for v in values[:, column])
            lines.append(f"    ( {', '.join(configuration)} ) {numbers};")
        lines.append("}")
    return "\n".join(lines) + "\n"


def read_bif(path):
    """Read a BIF file into a pgmpy network, restoring labels :func:`write_bif` recorded.

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    pgmpy.models.DiscreteBayesianNetwork
        Nodes and states as :func:`write_bif` was given them (for files from
        other tools: as pgmpy's ``BIFReader`` reads them, states as text).

    See Also
    --------
    write_bif : the inverse.
    fit_bayesian_network : fit a network from rows.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> frame = pd.DataFrame({"blood type": ["A", "B; O", "A"] * 5, "x": [1, 2, 2] * 5})
    >>> model = fit_bayesian_network(frame, nx.DiGraph([("blood type", "x")]))
    >>> path = write_bif(model, pathlib.Path(tempfile.mkdtemp()) / "m.bif")
    >>> back = read_bif(path)
    >>> sorted(back.nodes), back.get_cpds("x").state_names["x"]
    (['blood type', 'x'], [1, 2])
    """
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork
    from pgmpy.readwrite import BIFReader

    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"cannot read {path}: no such file.")
    reader = BIFReader(str(path), include_properties=True)
    read = reader.get_model()
    name_of, states_of = {}, {}
    for node in read.nodes:
        name_of[node], states_of[node] = node, read.get_cpds(node).state_names[node]
        for entry in reader.variable_properties.get(node, []):
            key, _, value = entry.partition("=")
            if key.strip() == _NAME_PROPERTY:
                name_of[node] = _label(_unhex(value))
            elif key.strip() == _STATES_PROPERTY:
                states_of[node] = [_label(v) for v in _unhex(value)]
    cpds = []
    for node in read.nodes:
        cpd = read.get_cpds(node)
        parents = list(cpd.variables[1:])
        cpds.append(
            TabularCPD(
                variable=name_of[node],
                variable_card=len(states_of[node]),
                values=np.asarray(cpd.values, dtype=float).reshape(len(states_of[node]), -1),
                evidence=[name_of[p] for p in parents] or None,
                evidence_card=[len(states_of[p]) for p in parents] or None,
                state_names={name_of[v]: states_of[v] for v in cpd.variables},
            )
        )
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(name_of[node] for node in read.nodes)
    model.add_edges_from((name_of[a], name_of[b]) for a, b in read.edges())
    model.add_cpds(*cpds)
    model.check_model()
    return model


def _label(value):
    # JSON has no tuples; a list label came from one.
    return tuple(_label(v) for v in value) if isinstance(value, list) else value
