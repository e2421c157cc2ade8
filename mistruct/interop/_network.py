"""A hybrid Bayesian-network learner: the skeleton from tests, the DAG from a score.

:func:`learn_network` follows the max-min hill-climbing idea of Tsamardinos,
Brown & Aliferis (2006): a constraint-based learner (PC-stable, a Chow-Liu
tree, ARACNE, or a graph the user gives) restricts which pairs may be
adjacent, and a score-based search -- greedy hill climbing with a tabu list,
over edge additions, removals and reversals -- chooses among the DAGs whose
edges lie within that skeleton.  The DAG is ready for
:func:`~mistruct.interop.fit_bayesian_network`.

The search scores with decomposable scores computed here from contingency
counts (:func:`mistruct.counting.contingency_table` over the joint code of a
node's parents), not through pgmpy's ``HillClimbSearch``: pgmpy's search
enumerates every ordered pair of variables in every step, whatever the
restriction, and counts through pandas ``groupby``; over the same search
space (PC's skeleton, 10^4 rows) it took 5-21x the time of this search
from the same (empty) start on CHILD, INSURANCE and ALARM, and 6-74x the
time of the default search (``benchmarks/bench_hybrid.py``).  The scores agree with pgmpy's
``BDeu`` and ``BIC`` (``bic-d``) local scores to rounding (tested); the K2
score here is the textbook one (Cooper & Herskovits 1992), which differs
from pgmpy 1.1.2's ``K2`` only where a parent configuration never occurs
(pgmpy adds ``log Gamma(r)`` for each such configuration).
"""

from __future__ import annotations

import inspect
import math
import warnings

import networkx as nx
import numpy as np
from scipy.special import gammaln

from mistruct._validation import check_bool, check_int, check_option
from mistruct.counting import contingency_table, joint_codes
from mistruct.data import apply_missing, as_frame, column_kinds, encode
from mistruct.exceptions import ColumnNotFoundError, ContinuousDataError, InvalidInputError
from mistruct.structure import SKELETON_ALGORITHMS, cpdag_to_dag, learn_skeleton, pc

__all__ = ["NETWORK_SCORES", "NETWORK_SKELETONS", "learn_network"]

#: The scores :func:`learn_network` climbs.
NETWORK_SCORES = ("bdeu", "bic", "k2")
#: The skeleton learners :func:`learn_network` runs by name ("miic" once the structure
#: layer's ``learn_skeleton`` has it).
NETWORK_SKELETONS = tuple(
    a for a in ("pc", "chow-liu", "aracne", "miic") if a in SKELETON_ALGORITHMS
)
#: Where the search starts.
STARTS = ("skeleton", "empty")

#: A move must raise the score by more than this (relative to the score's size) to count
#: as an improvement: float noise between score-equivalent DAGs is not progress.
_EPSILON = 1e-9

#: One random 64-bit key per ordered pair, from a fixed stream: a DAG's hash is the XOR of
#: its edges' keys, so a neighbour's hash is one or two XORs away (Zobrist hashing).
_ZOBRIST_SEED = 20061


def _label_key(label):
    return (type(label).__name__, str(label))


# ---------------------------------------------------------------- scores


class _LocalScores:
    """Cached local scores ``score(child | parents)`` from the encoded table."""

    def __init__(self, codes, cardinalities, score: str, ess: float):
        self.codes = codes
        self.cards = [int(k) for k in cardinalities]
        self.n_rows = codes.shape[0]
        self.score = score
        self.ess = ess
        self.cache: dict = {}

    def __call__(self, child: int, parents: frozenset) -> float:
        key = (child, parents)
        value = self.cache.get(key)
        if value is None:
            value = self.cache[key] = self._compute(child, sorted(parents))
        return value

    def _compute(self, child: int, parents: list) -> float:
        r = self.cards[child]
        if parents:
            joint = joint_codes(self.codes[:, parents], [self.cards[p] for p in parents])
            config, n_config, q = joint.codes, joint.n_states, joint.n_possible
        else:
            config, n_config, q = np.zeros(self.n_rows, dtype=np.int64), 1, 1
        counts = contingency_table(config, self.codes[:, child], n_config, r).astype(float)
        totals = counts.sum(axis=1)
        seen = totals > 0
        counts, totals = counts[seen], totals[seen]
        # Parent configurations never seen add nothing to BDeu or K2 (their Gamma terms
        # cancel), so only the observed ones are summed; BIC's penalty counts all q.
        if self.score == "bdeu":
            a = self.ess / q
            b = self.ess / (q * r)
            return float(
                len(totals) * gammaln(a)
                - gammaln(totals + a).sum()
                + (gammaln(counts + b) - gammaln(b)).sum()
            )
        if self.score == "k2":
            return float(
                len(totals) * gammaln(r) - gammaln(totals + r).sum() + gammaln(counts + 1).sum()
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(counts > 0, counts * np.log(counts / totals[:, None]), 0.0)
        return float(terms.sum() - 0.5 * math.log(self.n_rows) * float(q) * (r - 1))


# ---------------------------------------------------------------- search


def _reaches(children: list, source: int, target: int, skip=None) -> bool:
    """Whether a directed path leads from ``source`` to ``target`` (ignoring edge ``skip``)."""
    stack, seen = [source], {source}
    while stack:
        node = stack.pop()
        for child in children[node]:
            if (node, child) == skip or child in seen:
                continue
            if child == target:
                return True
            seen.add(child)
            stack.append(child)
    return False


def _climb(local, neighbours, parents, max_indegree, tabu_length):
    """Hill climbing with a tabu list over the DAGs within the skeleton.

    ``parents`` (list of sets, one per node) is the start and is changed in place.
    Greedy steps while a move raises the score; then, as R's bnlearn ``tabu()``,
    the best move not leading back to one of the last ``tabu_length`` DAGs is
    taken even when it lowers the score, until ``tabu_length`` moves in a row have
    not beaten the best DAG seen, which is returned.
    """
    p = len(parents)
    children = [set() for _ in range(p)]
    for child, ps in enumerate(parents):
        for parent in ps:
            children[parent].add(child)
    zobrist = np.random.default_rng(_ZOBRIST_SEED).integers(0, 2**63, size=(p, p)).tolist()
    pairs = sorted((i, j) for i in range(p) for j in neighbours[i] if i < j)
    state = 0
    for child, ps in enumerate(parents):
        for parent in ps:
            state ^= zobrist[parent][child]
    node_scores = [local(v, frozenset(parents[v])) for v in range(p)]
    current = sum(node_scores)
    best, best_parents = current, [set(ps) for ps in parents]
    tabu = [state]
    stale, steps = 0, 0
    while True:
        moves = []
        for i, j in pairs:
            for u, v in ((i, j), (j, i)):
                if u in parents[v]:
                    without = frozenset(parents[v] - {u})
                    removal = local(v, without) - node_scores[v]
                    moves.append((-removal, 1, u, v))  # remove u -> v
                    if max_indegree is None or len(parents[u]) < max_indegree:
                        gain = removal + local(u, frozenset(parents[u] | {v})) - node_scores[u]
                        moves.append((-gain, 2, u, v))  # reverse u -> v
                elif v not in parents[u] and (
                    max_indegree is None or len(parents[v]) < max_indegree
                ):
                    gain = local(v, frozenset(parents[v] | {u})) - node_scores[v]
                    moves.append((-gain, 0, u, v))  # add u -> v
        moves.sort()
        chosen = None
        for negative_gain, kind, u, v in moves:
            if kind == 0:
                if _reaches(children, v, u):
                    continue
                next_state = state ^ zobrist[u][v]
            elif kind == 1:
                next_state = state ^ zobrist[u][v]
            else:
                if _reaches(children, u, v, skip=(u, v)):
                    continue
                next_state = state ^ zobrist[u][v] ^ zobrist[v][u]
            improving = -negative_gain > _EPSILON * max(1.0, abs(current))
            if not improving and (tabu_length == 0 or next_state in tabu):
                continue
            chosen = (kind, u, v, -negative_gain, next_state)
            break
        if chosen is None:
            break
        kind, u, v, gain, state = chosen
        if kind in (1, 2):
            parents[v].discard(u)
            children[u].discard(v)
        if kind == 0:
            parents[v].add(u)
            children[u].add(v)
        if kind == 2:
            parents[u].add(v)
            children[v].add(u)
        for node in {u, v}:
            node_scores[node] = local(node, frozenset(parents[node]))
        current = sum(node_scores)
        steps += 1
        tabu.append(state)
        if len(tabu) > max(tabu_length, 1):
            tabu.pop(0)
        if current > best + _EPSILON * max(1.0, abs(best)):
            best, best_parents, stale = current, [set(ps) for ps in parents], 0
        else:
            stale += 1
            if stale >= tabu_length:
                break
    # Edges whose removal costs nothing (a constant parent, an exact tie) go: of equal
    # scores, the sparser DAG.  Removing an edge never makes a cycle.
    for child in range(p):
        for parent in sorted(best_parents[child]):
            without = frozenset(best_parents[child] - {parent})
            if local(child, without) >= local(child, frozenset(best_parents[child])):
                best += local(child, without) - local(child, frozenset(best_parents[child]))
                best_parents[child] = set(without)
    return best_parents, best, steps


# ---------------------------------------------------------------- the door


def _check_ess(value) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not math.isfinite(float(value))
        or value <= 0
    ):
        raise InvalidInputError(f"equivalent_sample_size must be a number > 0, got {value!r}.")
    return float(value)


def _skeleton_options(skeleton, options, learner_options):
    """The options for the skeleton learner, checked against its signature before any work."""
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise InvalidInputError(
            f"skeleton_options must be a dict of the skeleton learner's options, got "
            f"{type(options).__name__}."
        )
    if not isinstance(skeleton, str):
        given = {k: v for k, v in learner_options.items() if v is not None}
        if given or options:
            raise InvalidInputError(
                f"a graph given as skeleton learns nothing, so {', '.join([*given, *options])} "
                "cannot be used; drop them or pass skeleton='pc' (or another learner's name)."
            )
        return {}
    reserved = {"data", "algorithm", "discrete", "continuous", "missing", "columns"}
    clash = sorted(set(options) & (reserved | set(learner_options)))
    if clash:
        raise InvalidInputError(
            f"skeleton_options sets {', '.join(clash)}, which learn_network takes itself (or "
            "decides); pass them as learn_network's own arguments."
        )
    merged = {k: v for k, v in learner_options.items() if v is not None}
    merged.update(options)
    takes = inspect.signature(learn_skeleton).parameters
    unknown = sorted(name for name in merged if name not in takes)
    if unknown:
        raise InvalidInputError(
            f"skeleton_options has {', '.join(map(repr, unknown))}, which no skeleton learner "
            "takes; see mistruct.structure.learn_skeleton for the options."
        )
    return merged


def _graph_skeleton(graph, columns):
    """An explicit skeleton: its undirected edges, and a start orientation if it has one."""
    if not isinstance(graph, nx.Graph) or graph.is_multigraph():
        raise InvalidInputError(
            f"skeleton must be one of {', '.join(map(repr, NETWORK_SKELETONS))} or a networkx "
            f"Graph (or DiGraph: a DAG or CPDAG), got {graph!r}."
        )
    absent = [node for node in graph.nodes if node not in columns]
    if absent:
        raise ColumnNotFoundError(
            f"skeleton node(s) {', '.join(map(repr, absent[:10]))} are not columns of the data; "
            "the skeleton's nodes must be column labels."
        )
    loops = [u for u, _ in nx.selfloop_edges(graph)]
    if loops:
        raise InvalidInputError(f"the skeleton has self-loops at {loops[:10]}; remove them.")


def learn_network(
    data,
    skeleton="pc",
    *,
    score: str = "bdeu",
    equivalent_sample_size: float = 1.0,
    max_indegree: int | None = None,
    start: str = "skeleton",
    tabu_length: int = 30,
    include_tree: bool | None = None,
    alpha: float | None = None,
    ci_test: str | None = None,
    max_cond_size: int | None = None,
    seed=0,
    n_jobs: int | None = None,
    skeleton_options: dict | None = None,
    discrete=None,
    missing: str = "error",
) -> nx.DiGraph:
    """Learn a Bayesian network's DAG: a skeleton from tests, then a score-based search.

    The skeleton learner decides which pairs of columns may be adjacent; a
    hill climb with a tabu list (additions, removals and reversals of edges,
    never creating a cycle) then picks the DAG within that skeleton with the
    best score -- the max-min hill-climbing idea (Tsamardinos et al. 2006)
    with mistruct's learners for the first phase.  Scores are computed from
    contingency counts, each (node, parent set) once.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Discrete columns (categorical, text, bool or few-level integers);
        never modified.  A continuous column is an error: discretize it
        first (:class:`mistruct.data.Discretizer`) or name it in ``discrete``.
    skeleton : {"pc", "chow-liu", "aracne"} or networkx.Graph, default "pc"
        The learner of the pairs that may be adjacent
        (:func:`mistruct.structure.learn_skeleton`; ``"miic"`` too where the
        structure layer has it; :data:`NETWORK_SKELETONS` lists them), or a
        graph whose nodes are columns.  A ``DiGraph`` (a DAG or a CPDAG,
        undirected edges as two arcs) gives both the skeleton and the start
        orientation.
    score : {"bdeu", "bic", "k2"}, default "bdeu"
        The decomposable score climbed: BDeu (Heckerman et al. 1995) with
        ``equivalent_sample_size``; BIC (log-likelihood minus
        ``log(n) / 2`` per free parameter, pgmpy's ``bic-d``); K2 (Cooper &
        Herskovits 1992, pseudo-count 1 per cell).
    equivalent_sample_size : float, default 1.0
        BDeu's imaginary sample size (R's bnlearn uses 1, pgmpy 10).
    max_indegree : int, optional
        The most parents any node may get (None: no limit).
    start : {"skeleton", "empty"}, default "skeleton"
        Where the search begins: ``"skeleton"`` is every skeleton edge,
        oriented -- by PC's v-structures and Meek's rules extended to a DAG
        (:func:`mistruct.structure.cpdag_to_dag`) for ``skeleton="pc"``, by a
        given DiGraph's directions, otherwise by an acyclic extension of the
        undirected graph; ``"empty"`` is the graph with no edges.  Measured on
        ALARM, INSURANCE and CHILD, the skeleton start reaches an equal or
        better held-out log-likelihood (``benchmarks/bench_hybrid.py``).
        With ``max_indegree``, start edges into a node with too many parents
        are left out.
    tabu_length : int, default 30
        Once no move raises the score, the search goes on through the best
        moves that do not return to one of the last ``tabu_length`` DAGs,
        until that many moves in a row have not beaten the best DAG seen
        (as R's bnlearn ``tabu()``, whose default is 10); the best DAG seen is
        returned.  0 is plain hill climbing.  30 reached a higher score than
        10 on ALARM, INSURANCE and CHILD from ARACNE's skeleton, 100 no higher
        than 30; the extra moves cost milliseconds.
    include_tree : bool, optional
        Add the edges of the Chow-Liu tree (from the same table,
        milliseconds) to the skeleton, unoriented (with ``start="skeleton"``
        they are in the start, oriented with the rest).  None (the default):
        True for the "pc", "aracne" and "miic" skeletons, False for a given
        graph (searched as given).  Measured at 10^4 rows from PC's
        skeleton, it raised the held-out log-likelihood on INSURANCE
        (-13.286 to -13.226 nats per row) and CHILD (-12.205 to -12.183)
        and left ALARM's as it was (``benchmarks/bench_hybrid.py``); PC's
        tests can drop edges of deterministic relations, which the tree
        keeps.
    alpha, ci_test, max_cond_size, n_jobs : optional
        Passed to the skeleton learner when given (None: the learner's own
        default; see :func:`mistruct.structure.learn_skeleton`).
    seed : int or numpy.random.Generator, default 0
        The skeleton learner's seed (the search itself draws nothing).
    skeleton_options : dict, optional
        Further options of :func:`mistruct.structure.learn_skeleton` for the
        chosen learner (``n_permutations``, ``progress``, ``max_time``,
        ``tolerance``, ...).
    discrete : list of labels, optional
        Integer columns to take as discrete whatever their number of levels.
    missing : {"error", "drop"}, default "error"
        NaN/None: an error, or drop the rows that hold any.

    Returns
    -------
    networkx.DiGraph
        A DAG over every column (in table order) whose edges are skeleton
        edges.  ``G.graph`` holds ``method`` ("hybrid"), ``skeleton`` (the
        learner's name or "given"), ``score`` (its name), ``score_value``
        (the DAG's total score, nats), ``start``, ``steps`` (moves made),
        ``skeleton_edges`` and ``tree_edges`` (the tree's edges added to the
        search space).

    Raises
    ------
    ContinuousDataError
        A continuous column (before any work).
    InvalidInputError
        An unknown skeleton, score or start, an option out of range, or an
        option the skeleton learner does not take (before any work).

    See Also
    --------
    fit_bayesian_network : fit the DAG's probability tables.
    log_likelihood : score held-out rows under the fitted network.
    mistruct.structure.learn_skeleton : the first phase.
    mistruct.structure.pc : PC's CPDAG.

    References
    ----------
    I. Tsamardinos, L. E. Brown, C. F. Aliferis (2006).  The max-min
    hill-climbing Bayesian network structure learning algorithm.  Machine
    Learning 65, 31-78.

    Examples
    --------
    >>> from mistruct.interop import fit_bayesian_network
    >>> from mistruct.interop.datasets import sample_network
    >>> sample = sample_network("asia", 5000, seed=0)
    >>> dag = learn_network(sample.data, alpha=0.01)
    >>> nx.is_directed_acyclic_graph(dag), dag.graph["skeleton"], dag.graph["score"]
    (True, 'pc', 'bdeu')
    >>> dag.has_edge("lung", "either") and dag.has_edge("tub", "either")
    True
    >>> model = fit_bayesian_network(sample.data, dag)
    >>> len(model.get_cpds())
    8

    A continuous column is refused before any work:

    >>> import pandas as pd
    >>> table = pd.DataFrame({"a": [0.5, 1.5, 2.5], "b": ["x", "y", "x"]})
    >>> learn_network(table)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mistruct.exceptions.ContinuousDataError: column 'a' is continuous ...Discretizer(5)...
    """
    frame = as_frame(data)
    given_graph = not isinstance(skeleton, str)
    if given_graph:
        _graph_skeleton(skeleton, set(frame.columns))
    else:
        check_option(skeleton, "skeleton", NETWORK_SKELETONS)
    check_option(score, "score", NETWORK_SCORES)
    ess = _check_ess(equivalent_sample_size)
    if max_indegree is not None:
        max_indegree = check_int(max_indegree, "max_indegree", low=1)
    check_option(start, "start", STARTS)
    tabu_length = check_int(tabu_length, "tabu_length", low=0)
    if include_tree is not None:
        include_tree = check_bool(include_tree, "include_tree")
    check_option(missing, "missing", ("error", "drop"))
    options = _skeleton_options(
        skeleton,
        skeleton_options,
        {
            "alpha": alpha,
            "ci_test": ci_test,
            "max_cond_size": max_cond_size,
            "n_jobs": n_jobs,
        },
    )
    if not given_graph:
        options["seed"] = seed
    if skeleton == "pc" and start == "skeleton":
        # PC's CPDAG orients the start; pc takes pc_skeleton's options, checked here as
        # learn_skeleton checks them for the other learners, before any work.
        takes = inspect.signature(pc).parameters
        foreign = sorted(name for name in options if name not in takes)
        if foreign:
            raise InvalidInputError(
                f"skeleton='pc' does not take {', '.join(foreign)}; its options are "
                f"{', '.join(n for n in takes if n not in ('data', 'discrete', 'continuous'))}."
            )
    if frame.shape[1] < 2:
        raise InvalidInputError(
            f"data has {frame.shape[1]} column(s); a network needs at least two."
        )
    if missing == "drop":
        frame = apply_missing(frame, "drop")
    kinds = column_kinds(frame, discrete=discrete)
    continuous = [name for name, kind in kinds.items() if kind == "continuous"]
    if continuous:
        reason = getattr(kinds, "reasons", {}).get(continuous[0], "")
        detail = f" ({reason})" if reason else ""
        raise ContinuousDataError(
            f"column {continuous[0]!r} is continuous{detail}; learn_network scores discrete "
            "tables.  Discretize it first, e.g. "
            "mistruct.data.Discretizer(5).fit_transform(data), or name integer columns in "
            "discrete=[...]."
        )
    table = encode(frame, missing=missing)  # also refuses missing values, naming the column
    columns = list(frame.columns)

    # Phase 1: the skeleton (and, for start="skeleton", its orientation).
    if include_tree is None:
        include_tree = not given_graph and skeleton != "chow-liu"
    if given_graph:
        pdag, name = skeleton, "given"
    elif skeleton == "pc" and start == "skeleton":
        pdag, name = pc(frame, discrete=discrete, **options), skeleton
    else:
        pdag, name = learn_skeleton(frame, skeleton, discrete=discrete, **options), skeleton
    undirected = nx.Graph(pdag.to_undirected(as_view=True))
    tree_edges = 0
    if include_tree:
        # A dependence the tests dropped (a deterministic relation, a weak link behind a
        # strong one) stays reachable: the tree's edges join the skeleton, unoriented.
        tree = learn_skeleton(frame, "chow-liu", discrete=discrete)
        extra = [(a, b) for a, b in tree.edges() if not undirected.has_edge(a, b)]
        undirected.add_edges_from(extra)
        tree_edges = len(extra)
        pdag = pdag.to_directed() if not pdag.is_directed() else nx.DiGraph(pdag)
        pdag.add_edges_from(extra + [(b, a) for a, b in extra])
    oriented = _extend(pdag) if start == "skeleton" else None

    # Phase 2: the search, on canonical node indices so that column order cannot matter.
    canonical = sorted(range(len(columns)), key=lambda j: _label_key(columns[j]))
    position = {columns[j]: i for i, j in enumerate(canonical)}
    names = [columns[j] for j in canonical]
    neighbours = [set() for _ in columns]
    for a, b in undirected.edges():
        if a != b:
            neighbours[position[a]].add(position[b])
            neighbours[position[b]].add(position[a])
    parents = [set() for _ in columns]
    if oriented is not None:
        for a, b in oriented.edges():
            parents[position[b]].add(position[a])
        if max_indegree is not None:
            parents = [ps if len(ps) <= max_indegree else set() for ps in parents]
    local = _LocalScores(
        np.asfortranarray(table.codes[:, canonical]), table.cardinalities[canonical], score, ess
    )
    best, total, steps = _climb(local, neighbours, parents, max_indegree, tabu_length)

    dag = nx.DiGraph()
    dag.add_nodes_from(columns)
    order = {label: j for j, label in enumerate(columns)}
    dag.add_edges_from(
        sorted(
            ((names[parent], names[child]) for child, ps in enumerate(best) for parent in ps),
            key=lambda edge: (order[edge[0]], order[edge[1]]),
        )
    )
    dag.graph.update(
        method="hybrid",
        skeleton=name,
        score=score,
        score_value=total,
        start=start,
        steps=steps,
        skeleton_edges=undirected.number_of_edges() - tree_edges,
        tree_edges=tree_edges,
    )
    if score == "bdeu":
        dag.graph["equivalent_sample_size"] = ess
    return dag


def _canonical(graph) -> nx.DiGraph:
    """``graph`` as a DiGraph with nodes and arcs in label order (not column order).

    Dor-Tarsi's extension takes nodes in the graph's order; feeding it this copy
    makes the start DAG, and so the result, independent of the column order.
    """
    directed = graph if graph.is_directed() else graph.to_directed()
    out = nx.DiGraph()
    out.add_nodes_from(sorted(directed.nodes, key=_label_key))
    out.add_edges_from(sorted(directed.edges(), key=lambda e: (_label_key(e[0]), _label_key(e[1]))))
    return out


def _extend(graph) -> nx.DiGraph:
    """A DAG with ``graph``'s skeleton: a CPDAG's or undirected graph's acyclic extension.

    Dor-Tarsi where a consistent extension exists; else cpdag_to_dag's fallback (any
    acyclic orientation serves as a start).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return cpdag_to_dag(_canonical(graph), fallback=True)
