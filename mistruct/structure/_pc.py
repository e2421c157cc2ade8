"""PC-stable: skeleton by conditional independence tests, then a CPDAG.

The skeleton search is PC-stable (Colombo & Maathuis 2014): at each level
``l`` every edge ``i - j`` is tested against the conditioning sets of size
``l`` drawn from the adjacencies fixed at the start of the level, so the
result does not depend on the order in which edges are visited.  Tests run
in rounds: round ``r`` tests the ``r``-th candidate set of every edge that is
still undecided, all in one batch, so an edge costs as many tests as in the
sequential algorithm while every batch shares one encoding of the data.

Level 0 needs no new counts: its unconditional tests are answered from the
all-pairs count matrix (one chunked matrix product, see
:func:`mistruct.independence.ci_tests_encoded`).

Nodes are visited in sorted order of their labels and candidate sets in
lexicographic order, so the output (skeleton, separating sets, CPDAG) is the
same whatever the column order of the input.
"""

from __future__ import annotations

import itertools
import math
import numbers
import warnings

import networkx as nx
import pandas as pd

from mistruct._validation import check_bool, check_missing, check_n_jobs, check_seed
from mistruct.data import apply_missing, as_frame, column_kinds, encode, select_columns
from mistruct.exceptions import ConstantColumnWarning, IncompleteSearchWarning, InvalidInputError
from mistruct.independence import (
    NUMERIC_TEST_METHODS,
    TestWorkers,
    check_options,
    check_test_fits,
    ci_tests_by_kind,
    ci_tests_encoded,
    discrete_method,
    has_float_columns,
    no_evidence,
    rank_pair_tests,
)
from mistruct.structure._common import (
    check_ci_test,
    encoded_test,
    permutation_counts,
    stated_kinds,
)

#: Most surrogates of each kNN test of PC (most tests stop far sooner, see pc_skeleton).
DEFAULT_KNN_PERMUTATIONS = 99

__all__ = [
    "cpdag_to_dag",
    "orient_cpdag",
    "pc",
    "pc_skeleton",
]


def _sort_key(label):
    return (str(type(label).__name__), str(label))


def _candidate_sets(adjacent_i, adjacent_j, size):
    """Conditioning sets of ``size`` from adj(i) \\ {j}, then from adj(j) \\ {i}."""
    seen = []
    for pool in (adjacent_i, adjacent_j):
        for subset in itertools.combinations(pool, size):
            if subset not in seen:
                seen.append(subset)
    return seen


def skeleton_search(
    nodes,
    test_batch,
    *,
    alpha,
    max_cond_size=None,
    progress=None,
    isolated=(),
    chunk_size=None,
    deadline=None,
    order_by_strength=False,
):
    """PC-stable skeleton from a batch tester.

    Parameters
    ----------
    nodes : list
        Node labels, in canonical (sorted) order; queries use their positions.
    test_batch : callable
        ``test_batch(queries) -> (pvalues, statistics)`` or
        ``(pvalues, statistics, no_evidence)`` where ``queries`` is a list of
        ``(i, j, conditioning_tuple)`` of positions and ``no_evidence`` flags
        the tests that carried no evidence either way (their p-value is
        ignored: they remove no edge).
    alpha : float
    max_cond_size : int, optional
    progress : tqdm-like, optional
        Shows the level (its description), the level's tests done of the
        most it can need (``total``, lowered as edges go) and the time left.
    isolated : iterable of int, optional
        Positions of nodes known to be independent of every other one
        (constant columns): all their edges go before any test, with the
        empty separating set and p-value 1 (every test of a constant column
        has statistic 0 and p-value 1).
    chunk_size : int, optional
        Tests per call of ``test_batch`` (default: a whole round of a level).
    deadline : float, optional
        A ``time.perf_counter()`` value: once past it, no further test is
        started and the search returns what it has, with
        ``graph["complete"] = False``.
    order_by_strength : bool, default False
        Try the conditioning sets of an edge ``i - j`` in decreasing order of
        the level-0 statistics of their members with both ends (the sum over
        ``k`` in the set of ``min(s(i, k), s(j, k))``; ties in the usual
        lexicographic order).  Nodes tied strongly to both ends are the
        likeliest separators, so removed edges need fewer tests.  An edge
        goes at a level when any of its sets gives a p-value above
        ``alpha``, whatever their order, so the skeleton is the same; only
        the separating set kept may differ.

    Returns
    -------
    graph : networkx.Graph
        With edge attributes ``pvalue`` (the largest p-value of the edge's
        tests) or, when some test of the edge carried no evidence,
        ``pvalue=NaN`` and ``no_evidence=True`` (that test's p-value means
        nothing, so the largest is unknown); and
        ``graph["sepsets"]`` mapping ``frozenset({a, b})`` to the separating
        set (a tuple of labels) of each removed edge, ``graph["complete"]``
        (False when stopped by ``deadline``) and ``graph["max_level"]`` (the
        last level started).
    n_tests : int
    """
    import time

    p = len(nodes)
    isolated = set(isolated)
    adjacency = {
        i: set(range(p)) - {i} - isolated if i not in isolated else set() for i in range(p)
    }
    max_pvalue = {}
    sepsets = {}
    separating_pvalue = {}
    no_evidence = set()
    strength = {}  # (i, j), i < j: the statistic of the level-0 test
    for i in isolated:
        for j in range(p):
            if j != i and (min(i, j), max(i, j)) not in sepsets:
                sepsets[min(i, j), max(i, j)] = ()
                separating_pvalue[min(i, j), max(i, j)] = 1.0
    n_tests = 0
    level = 0
    complete = True
    max_level = -1
    while complete:
        frozen = {i: sorted(adjacency[i]) for i in range(p)}
        edges = [(i, j) for i in range(p) for j in frozen[i] if i < j]
        if max_cond_size is not None and level > max_cond_size:
            break
        if not any(len(frozen[i]) - 1 >= level for i in range(p)):
            break
        candidates = {
            (i, j): _candidate_sets(
                [k for k in frozen[i] if k != j], [k for k in frozen[j] if k != i], level
            )
            for i, j in edges
        }
        if order_by_strength and level > 0:
            for (i, j), sets in candidates.items():
                sets.sort(
                    key=lambda subset, i=i, j=j: (
                        -sum(
                            min(
                                strength.get((min(i, k), max(i, k)), 0.0),
                                strength.get((min(j, k), max(j, k)), 0.0),
                            )
                            for k in subset
                        )
                    )
                )
        undecided = [edge for edge in edges if candidates[edge]]
        max_level = level
        if progress is not None:
            _progress_level(progress, level, sum(len(c) for c in candidates.values()))
        round_ = 0
        while undecided and complete:
            queries = [(i, j, candidates[i, j][round_]) for i, j in undecided]
            step = len(queries) if chunk_size is None else max(1, chunk_size)
            still = []
            for start in range(0, len(queries), step):
                if deadline is not None and time.perf_counter() > deadline:
                    complete = False
                    break
                chunk = queries[start : start + step]
                answer = test_batch(chunk)
                pvalues = answer[0]
                if level == 0:
                    for (i, j, _), statistic in zip(chunk, answer[1], strict=True):
                        statistic = float(statistic)
                        strength[i, j] = statistic if math.isfinite(statistic) else 0.0
                flags = answer[2] if len(answer) > 2 else [False] * len(chunk)
                n_tests += len(chunk)
                if progress is not None:
                    progress.update(len(chunk))
                dropped = 0
                for (i, j, subset), pvalue, flag in zip(chunk, pvalues, flags, strict=True):
                    if flag:  # no evidence: cannot remove the edge, and its p-value means nothing
                        no_evidence.add((i, j))
                        removed = False
                    else:
                        pvalue = float(pvalue)
                        max_pvalue[i, j] = max(max_pvalue.get((i, j), 0.0), pvalue)
                        removed = pvalue > alpha
                    if removed:
                        adjacency[i].discard(j)
                        adjacency[j].discard(i)
                        sepsets[i, j] = subset
                        separating_pvalue[i, j] = pvalue
                        dropped += len(candidates[i, j]) - round_ - 1
                    elif round_ + 1 < len(candidates[i, j]):
                        still.append((i, j))
                if progress is not None and dropped:
                    # The removed edges' later candidate sets will not be tested.
                    progress.total = max(progress.n, progress.total - dropped)
                    progress.refresh()
            undecided = still
            round_ += 1
        level += 1
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    for i in range(p):
        for j in adjacency[i]:
            if i < j:
                attributes = {"pvalue": max_pvalue.get((i, j), float("nan"))}
                if (i, j) in no_evidence:
                    # The largest p-value of its tests is unknown: one of them had none.
                    attributes = {"pvalue": float("nan"), "no_evidence": True}
                graph.add_edge(nodes[i], nodes[j], **attributes)
    graph.graph["sepsets"] = {
        frozenset((nodes[i], nodes[j])): tuple(nodes[k] for k in subset)
        for (i, j), subset in sepsets.items()
    }
    graph.graph["sepset_pvalues"] = {
        frozenset((nodes[i], nodes[j])): pvalue for (i, j), pvalue in separating_pvalue.items()
    }
    graph.graph["complete"] = complete
    graph.graph["max_level"] = max_level
    return graph, n_tests


def _progress_level(bar, level: int, total: int) -> None:
    """Start ``bar`` on a level: its description, at most ``total`` tests, a fresh clock."""
    bar.set_description(f"PC level {level}")
    if hasattr(bar, "reset"):
        bar.reset(total=total)
    else:
        bar.total = total


def orient_cpdag(skeleton: nx.Graph) -> nx.DiGraph:
    """Orient a PC skeleton into a CPDAG: v-structures, then Meek's rules 1-3.

    Parameters
    ----------
    skeleton : networkx.Graph
        With ``graph["sepsets"]`` as returned by :func:`pc_skeleton`.

    Returns
    -------
    networkx.DiGraph
        A directed edge ``a -> b`` appears once; an undirected edge ``a - b``
        appears as the two arcs ``a -> b`` and ``b -> a``.  Edge attributes
        of the skeleton are kept.

    Notes
    -----
    Unshielded triples ``a - c - b`` with ``c`` outside sepset(a, b) become
    ``a -> c <- b``.  When two such triples disagree about an edge, the first
    one (in sorted node order) wins and the later one is skipped, so the
    output never holds a bidirected edge; likewise an arrow that would close
    a directed cycle (possible when finite-sample errors make the tests
    disagree) is not drawn, so the result always extends to a DAG.  (Giving
    priority to the pairs separated with the largest p-value instead was
    measured worse: on INSURANCE at 10^4 rows, seeds 0-3, SHD 23-28 against
    19-23 and a lower held-out log-likelihood.)
    """
    sepsets = skeleton.graph.get("sepsets", {})
    nodes = sorted(skeleton.nodes(), key=_sort_key)
    directed = set()  # (a, b): a -> b is fixed
    arrows = nx.DiGraph()  # the same arrows, to look for directed paths
    arrows.add_nodes_from(nodes)

    def is_undirected(a, b):
        return skeleton.has_edge(a, b) and (a, b) not in directed and (b, a) not in directed

    def closes_cycle(a, b):
        # With errors in finite samples, arrows can disagree; never close a cycle.
        return nx.has_path(arrows, b, a)

    def orient(a, b):
        directed.add((a, b))
        arrows.add_edge(a, b)

    colliders = []
    for c in nodes:
        neighbours = sorted(skeleton.neighbors(c), key=_sort_key)
        for a, b in itertools.combinations(neighbours, 2):
            if skeleton.has_edge(a, b):
                continue
            sepset = sepsets.get(frozenset((a, b)))
            if sepset is None or c in sepset:
                continue
            colliders.append((a, c, b))
    for a, c, b in colliders:
        if (c, a) in directed or (c, b) in directed:
            continue  # conflicts with an earlier v-structure
        if closes_cycle(a, c) or closes_cycle(b, c):
            continue
        orient(a, c)
        orient(b, c)

    changed = True
    while changed:
        changed = False
        for a, b in sorted(
            (edge for edge in skeleton.edges() if is_undirected(*edge)),
            key=lambda e: (_sort_key(e[0]), _sort_key(e[1])),
        ):
            for x, y in ((a, b), (b, a)):
                if (
                    is_undirected(x, y)
                    and _meek_says_orient(skeleton, directed, x, y)
                    and not closes_cycle(x, y)
                ):
                    orient(x, y)
                    changed = True
                    break

    cpdag = nx.DiGraph()
    cpdag.add_nodes_from(skeleton.nodes(data=True))
    cpdag.graph.update(skeleton.graph)
    for a, b, data in skeleton.edges(data=True):
        if (a, b) in directed:
            cpdag.add_edge(a, b, **data)
        elif (b, a) in directed:
            cpdag.add_edge(b, a, **data)
        else:
            cpdag.add_edge(a, b, **data)
            cpdag.add_edge(b, a, **data)
    return cpdag


def _meek_says_orient(skeleton, directed, x, y) -> bool:
    """Whether Meek's rules 1-3 force the undirected edge x - y into x -> y."""

    def adjacent(a, b):
        return skeleton.has_edge(a, b)

    def undirected(a, b):
        return adjacent(a, b) and (a, b) not in directed and (b, a) not in directed

    parents_x = [w for w in skeleton.neighbors(x) if (w, x) in directed]
    # R1: w -> x - y with w, y not adjacent.
    if any(w != y and not adjacent(w, y) for w in parents_x):
        return True
    # R2: x -> w -> y.
    if any((x, w) in directed and (w, y) in directed for w in skeleton.neighbors(x)):
        return True
    # R3: x - u -> y and x - v -> y, u and v not adjacent.
    middles = [
        w for w in skeleton.neighbors(x) if w != y and undirected(x, w) and (w, y) in directed
    ]
    return any(not adjacent(u, v) for u, v in itertools.combinations(middles, 2))


def cpdag_to_dag(cpdag: nx.DiGraph, *, fallback: bool = False) -> nx.DiGraph:
    """Extend a CPDAG (or any PDAG) to a DAG with the same skeleton and v-structures.

    Uses the algorithm of Dor & Tarsi (1992): repeatedly take a node with no
    outgoing directed edge whose undirected neighbours are adjacent to all
    its other neighbours, point its undirected edges at it, and remove it.
    If no such node exists, the PDAG admits no consistent extension (e.g. a
    chordless undirected cycle of four nodes: every orientation adds a
    v-structure or a cycle).

    Parameters
    ----------
    cpdag : networkx.DiGraph
        Undirected edges as two opposite arcs.
    fallback : bool, default False
        What to do when no consistent extension exists: False raises
        :class:`~mistruct.exceptions.InvalidInputError`; True orients the
        remaining undirected edges along a topological order of the directed
        part (a DAG with the same skeleton, but with v-structures the PDAG
        does not have), with a warning.  PC's CPDAGs from finite samples can
        be such PDAGs when the tests contradict each other.

    Raises
    ------
    InvalidInputError
        A directed cycle, or (without ``fallback``) no consistent extension.

    See Also
    --------
    pc : learns the CPDAG.

    Examples
    --------
    >>> pdag = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "b")])
    >>> dag = cpdag_to_dag(pdag)
    >>> nx.is_directed_acyclic_graph(dag), sorted(nx.Graph(dag).edges())
    (True, [('a', 'b'), ('b', 'c')])
    """
    if not isinstance(cpdag, nx.DiGraph):
        raise InvalidInputError(
            f"cpdag_to_dag needs an nx.DiGraph (an undirected edge as two opposite arcs), got "
            f"{type(cpdag).__name__}; for an undirected graph pass graph.to_directed()."
        )
    fallback = check_bool(fallback, "fallback")
    directed_part = nx.DiGraph((a, b) for a, b in cpdag.edges() if not cpdag.has_edge(b, a))
    if not nx.is_directed_acyclic_graph(directed_part):
        cycle = nx.find_cycle(directed_part)
        raise InvalidInputError(
            f"the graph has a directed cycle ({' -> '.join(str(a) for a, _ in cycle)}), "
            "so no DAG extends it."
        )
    work = cpdag.copy()
    dag = nx.DiGraph()
    dag.add_nodes_from(cpdag.nodes(data=True))
    dag.graph.update({k: v for k, v in cpdag.graph.items() if k != "sepsets"})

    def undirected_neighbours(n):
        return {m for m in work.successors(n) if work.has_edge(m, n)}

    def adjacent(a, b):
        return work.has_edge(a, b) or work.has_edge(b, a)

    while work.number_of_nodes():
        chosen = None
        for node in sorted(work.nodes(), key=_sort_key):
            undirected = undirected_neighbours(node)
            if any(m not in undirected for m in work.successors(node)):
                continue  # has an outgoing directed edge
            neighbours = set(work.successors(node)) | set(work.predecessors(node))
            if all(adjacent(u, v) for u in undirected for v in neighbours if v != u):
                chosen = node
                break
        if chosen is None:
            break
        for m in set(work.predecessors(chosen)) | set(work.successors(chosen)):
            data = cpdag.get_edge_data(m, chosen)
            if data is None:  # only chosen -> m stored: m - chosen was undirected
                data = cpdag.get_edge_data(chosen, m)
            dag.add_edge(m, chosen, **data)
        work.remove_node(chosen)
    if work.number_of_nodes():
        left = sorted(
            {tuple(sorted((a, b), key=_sort_key)) for a, b in work.edges() if work.has_edge(b, a)},
            key=lambda e: (_sort_key(e[0]), _sort_key(e[1])),
        )
        shown = ", ".join(f"{a} - {b}" for a, b in left[:8]) + (", ..." if len(left) > 8 else "")
        if not fallback:
            raise InvalidInputError(
                "the graph has no consistent extension: every way to direct its undirected "
                f"edges ({shown}) adds a v-structure or a directed cycle (e.g. a chordless "
                "undirected cycle of four or more nodes), so no DAG has its skeleton and "
                "v-structures; use fallback=True to orient them anyway."
            )
        warnings.warn(
            f"no consistent extension: the undirected edges {shown} are oriented along a "
            "topological order, which adds v-structures the graph does not have.",
            UserWarning,
            stacklevel=2,
        )
        directed_part = nx.DiGraph((a, b) for a, b in work.edges() if not work.has_edge(b, a))
        directed_part.add_nodes_from(work.nodes())
        order = {
            n: k for k, n in enumerate(nx.lexicographical_topological_sort(directed_part, key=str))
        }
        for a, b, data in work.edges(data=True):
            if order[a] < order[b]:
                dag.add_edge(a, b, **data)
    return dag


def _search(
    nodes,
    test_batch,
    alpha,
    max_cond_size,
    progress,
    method,
    *,
    isolated=(),
    chunk_size=None,
    max_time=None,
    order_by_strength=False,
) -> nx.Graph:
    """skeleton_search with a progress bar, a time budget, and the skeleton's graph attributes."""
    import time

    deadline = None if max_time is None else time.perf_counter() + max_time
    bar = _progress_bar(progress, "PC")
    try:
        skeleton, n_tests = skeleton_search(
            nodes,
            test_batch,
            alpha=alpha,
            max_cond_size=max_cond_size,
            progress=bar,
            isolated=isolated,
            chunk_size=chunk_size,
            deadline=deadline,
            order_by_strength=order_by_strength,
        )
    finally:
        if bar is not None:
            bar.close()
    skeleton.graph.update(
        # The name, not a test object: graph attributes are written to files.
        method="pc", ci_test=getattr(method, "name", method), alpha=alpha, n_tests=n_tests
    )
    skeleton.graph["constant_columns"] = [nodes[i] for i in sorted(isolated)]
    if not skeleton.graph["complete"]:
        warnings.warn(
            f"PC stopped after max_time={max_time} seconds, during level "
            f"{skeleton.graph['max_level']} ({n_tests} tests run): the skeleton keeps edges "
            "that later tests might have removed (G.graph['complete'] is False). Allow more "
            "time, limit max_cond_size, or use fewer surrogates.",
            IncompleteSearchWarning,
            stacklevel=3,
        )
    return skeleton


def _progress_bar(enabled: bool, description: str):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(desc=description, unit=" tests", leave=False)


def _check_labels(labels) -> None:
    """Column labels that can be graph nodes: not None, not NaN (NaN differs from itself)."""
    bad = [label for label in labels if label is None or (
        isinstance(label, float) and math.isnan(label))]
    if bad:
        raise InvalidInputError(
            f"column label(s) {bad!r} cannot name a node of the graph (None is not a node, and "
            "NaN is not equal to itself); rename those columns first."
        )


def _check_max_time(max_time):
    if max_time is None:
        return None
    if (
        isinstance(max_time, bool)
        or not isinstance(max_time, numbers.Real)
        or not math.isfinite(max_time)
        or max_time <= 0
    ):
        raise InvalidInputError(
            f"max_time must be a positive number of seconds or None, got {max_time!r}."
        )
    return float(max_time)


def _constant_positions(columns) -> list:
    """Positions of the columns (arrays or Series) with at most one distinct value."""
    return [i for i, values in enumerate(columns) if pd.Series(values).nunique() <= 1]


def _warn_constant(nodes, isolated):
    if isolated:
        labels = [nodes[i] for i in isolated]
        warnings.warn(
            f"constant column(s) {labels!r}: a constant is independent of everything, so "
            "they are left isolated (no edges) without tests.",
            ConstantColumnWarning,
            stacklevel=4,
        )


def pc_skeleton(
    data,
    *,
    alpha: float = 0.05,
    ci_test: str = "auto",
    max_cond_size: int | None = None,
    n_permutations: int | None = None,
    estimator: str = "plugin",
    seed=0,
    columns=None,
    missing: str = "error",
    progress: bool = False,
    k=None,
    n_jobs: int = 1,
    max_time: float | None = None,
    discrete=None,
    continuous=None,
) -> nx.Graph:
    """The PC-stable skeleton of ``data``: discrete, continuous or mixed columns.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Column kinds follow :func:`mistruct.data.column_kinds` (float and
        many-level integer columns are continuous, the others discrete);
        never modified.
    alpha : float, default 0.05
        An edge goes when a test's p-value exceeds ``alpha``.
    ci_test : {"auto", "g-test-adjusted", "g-test", "permutation", "sequential", \
"knn", "gaussian"} or a test object
        The conditional independence test (see :func:`mistruct.ci_test`).
        ``"auto"`` is, on every test whose columns are all discrete, the
        adjusted G-test where its chi-squared law fits the counts and the
        exact sequential test where it does not, and the kNN local-permutation test
        (:func:`mistruct.independence.knn_ci_test`) on every test with a
        continuous column.  ``"g-test-adjusted"`` counts degrees of freedom per
        stratum from its non-empty rows and columns: with the many sparse
        strata of large conditioning sets, the plain count of ``"g-test"``
        inflates the degrees of freedom, so true edges are dropped (skeleton
        F1 0.89 against 0.96 on ALARM at 10^4 rows, see docs/benchmarks.md).
        ``"knn"`` is ``"auto"`` with the exact ``"permutation"``
        test on the all-discrete tests; ``"gaussian"`` is partial
        correlation on every test: every numeric column (integers included)
        is taken as a number; text or categorical columns are an error.
        The discrete methods need discrete columns.  On numeric tables the
        Gaussian test is much faster than the kNN test (a second for 500 rows
        and 30 columns) and finds linear dependence only.  A test registered
        with :func:`mistruct.independence.register_ci_test` (by name), or a
        test object, runs on every query of its column kinds.
    max_cond_size : int, optional
        Largest conditioning set tried (no limit by default).
    n_permutations : int or None, default None
        Null replicates of each permutation test.  ``None``: 1000 for the
        discrete permutation tests, and at most 99 surrogates for each kNN
        test (tests with a continuous column).  A kNN test stops early both
        ways (:func:`mistruct.independence.knn_ci_test`, ``h`` and
        ``reject_after``): when none of its first 27 surrogates (at
        ``alpha = 0.05``: the shortest first stage that loses no rejection of
        the full design) reaches its statistic (p-value ``1 / 28``), and once
        so many have that running on could not reject at ``alpha``.  A test
        that runs through reports the exact p-value of this two-sided
        sequential design, so at ``alpha`` it rejects with up to 3
        exceedances of 99 (the fixed test: 4).  Most tests need 5 to 30
        surrogates.  Between two continuous columns, level 0 uses one exact
        null for all pairs instead (the KSG mutual information of the
        ranks).  A number is used by both kinds of test.
    estimator : str, default "plugin"
        The estimator of the discrete tests' statistic (see
        :func:`mistruct.independence.ci_test`).
    seed : int, numpy.random.Generator or None, default 0
        Each query draws from a stream keyed by ``seed`` and the query, so
        results do not depend on column order.  The default ``seed=0`` makes
        a run reproducible; ``None`` does not.
    k : int, float or None
        Neighbour rank of the kNN statistic (see
        :func:`~mistruct.independence.knn_ci_test`).
    n_jobs : int, default 1
        Workers running the tests of a level (-1: one per CPU): processes
        for the kNN tests (a kNN test is many small NumPy calls, which
        threads would run one at a time; forked where the platform can, else
        spawned, and a script then needs the ``if __name__ == "__main__":``
        guard), threads for the Gaussian tests.  Each test draws from its own
        stream, so the result is the same for every ``n_jobs``.
    max_time : float, optional
        Time budget in seconds.  Once spent, no further test starts: the
        skeleton found so far is returned (edges not yet ruled out kept) with
        an :class:`~mistruct.exceptions.IncompleteSearchWarning` and
        ``G.graph["complete"] = False``.
    columns : list, optional
        Columns to use (all by default).
    missing : {"error", "drop", "category"}
    progress : bool, default False
        Show a progress bar: the level, its tests done of the most it can
        need, and the time left.
    discrete, continuous : list of labels, optional
        Labels of columns to treat as discrete / continuous, overriding the
        automatic rule of :func:`mistruct.data.column_kinds`.

    Notes
    -----
    How PC reads each test:

    * p-value above ``alpha``: the edge goes, with this conditioning set as
      its separating set.
    * No evidence (a discrete test in which no stratum of the conditioning
      set lets both X and Y vary, e.g. when the conditioning set determines
      X): the test can say nothing either way, so it removes nothing; the
      edge gets ``pvalue=NaN`` and ``no_evidence=True``.  No p-value is
      made up for such a test.
    * A constant column (also: every column of a one-row table) is
      independent of every other column: it is left isolated before any test
      (separating set ``()``, p-value 1, the value every test of a constant
      gives), listed in ``G.graph["constant_columns"]``, with a
      :class:`~mistruct.exceptions.ConstantColumnWarning`.

    Returns
    -------
    networkx.Graph
        Every column is a node.  Edge attribute ``pvalue``: the largest
        p-value any test of the edge gave; NaN with ``no_evidence=True`` on
        edges some test of which carried no evidence.
        ``G.graph["sepsets"]`` maps ``frozenset({a, b})`` to the separating
        set (tuple) of each removed edge, ``G.graph["sepset_pvalues"]`` to
        the p-value of the test that removed it; ``G.graph["n_tests"]``
        counts the tests run, ``G.graph["complete"]`` is False when
        ``max_time`` cut the search short.

    See Also
    --------
    pc : the skeleton oriented into a CPDAG.
    learn_skeleton : one entry point for the undirected learners.
    mistruct.independence.ci_tests : the tests PC runs.

    References
    ----------
    Colombo, D. & Maathuis, M. H. (2014). Order-independent constraint-based
    causal structure learning. JMLR 15, 3741-3782.

    Examples
    --------
    >>> from mistruct.interop.datasets import sample_network
    >>> example = sample_network("asia", 5000, seed=0)
    >>> skeleton = pc_skeleton(example.data, alpha=0.01)
    >>> sorted(map(sorted, skeleton.edges()))[:3]
    [['bronc', 'dysp'], ['bronc', 'smoke'], ['dysp', 'either']]
    >>> from mistruct.structure import structure_metrics
    >>> round(structure_metrics(skeleton, example.graph).skeleton_f1, 3)  # asia - tub is weak
    0.933
    >>> skeleton.graph["complete"]
    True
    """
    method = check_ci_test(ci_test)
    n_permutations, knn_permutations = permutation_counts(
        n_permutations, DEFAULT_KNN_PERMUTATIONS
    )
    check_options(
        method=discrete_method(method) if method != "gaussian" else "g-test",
        alpha=alpha,
        n_permutations=n_permutations,
        estimator=estimator,
    )
    check_n_jobs(n_jobs)
    check_missing(missing)
    check_bool(progress, "progress")
    seed = check_seed(seed)
    max_time = _check_max_time(max_time)
    if max_cond_size is not None and (not isinstance(max_cond_size, int) or max_cond_size < 0):
        raise InvalidInputError(
            f"max_cond_size must be a non-negative integer or None, got {max_cond_size!r}."
        )
    frame = select_columns(as_frame(data), columns)
    _check_labels(frame.columns)
    frame = stated_kinds(frame, discrete, continuous)
    # Gaussian, registered and kNN tests on float columns: each query by its columns' kinds.
    if encoded_test(method) is None or (
        method in NUMERIC_TEST_METHODS and has_float_columns(frame)
    ):
        return _pc_skeleton_by_kind(
            frame,
            alpha=alpha,
            method=method,
            max_cond_size=max_cond_size,
            n_permutations=n_permutations,
            knn_permutations=knn_permutations,
            k=k,
            seed=seed,
            missing=missing,
            progress=progress,
            n_jobs=n_jobs,
            max_time=max_time,
        )
    method = encoded_test(method)
    # Encoded in sorted label order: each test's random stream is keyed by column
    # positions, which then do not depend on the order of the input's columns.
    table = encode(frame[sorted(frame.columns, key=_sort_key)], missing=missing)
    if table.n_columns < 2:
        raise InvalidInputError("PC needs at least two columns.")
    nodes = list(table.names)  # positions in the table are positions in the sorted nodes
    isolated = _constant_positions(table.column(name) for name in nodes)
    _warn_constant(nodes, isolated)

    def test_batch(queries):
        results = ci_tests_encoded(
            table,
            [(i, j, tuple(s)) for i, j, s in queries],
            method=method,
            alpha=alpha,
            n_permutations=n_permutations,
            estimator=estimator,
            seed=seed,
        )
        return _answer(results)

    return _search(
        nodes,
        test_batch,
        alpha,
        max_cond_size,
        progress,
        method,
        isolated=isolated,
        # A time budget needs the work in pieces; else whole rounds count together.
        chunk_size=None if max_time is None else 256,
        max_time=max_time,
    )


def _pc_skeleton_by_kind(
    frame,
    *,
    alpha,
    method,
    max_cond_size,
    n_permutations,
    knn_permutations,
    k,
    seed,
    missing,
    progress,
    n_jobs=1,
    max_time=None,
) -> nx.Graph:
    """PC-stable on a table with continuous columns: each test chosen by its columns' kinds."""
    if frame.shape[1] < 2:
        raise InvalidInputError("PC needs at least two columns.")
    if method == "gaussian":
        _check_gaussian_columns(frame)
    frame = apply_missing(frame, missing)
    check_test_fits(frame, method, "ci_test")
    nodes = sorted(frame.columns, key=_sort_key)
    isolated = _constant_positions(frame[c] for c in nodes)
    _warn_constant(nodes, isolated)

    kinds = column_kinds(frame)
    continuous = {c for c in nodes if kinds[c] == "continuous"}
    workers = None
    if n_jobs > 1 and method != "gaussian" and continuous:
        workers = TestWorkers(n_jobs)

    def test_batch(queries):
        labelled = [(nodes[i], nodes[j], tuple(nodes[c] for c in s)) for i, j, s in queries]
        # Level 0 between continuous columns: one shared exact null (rank_pair_tests).
        shared = [
            q for q, (x, y, given) in enumerate(labelled)
            if method in ("auto", "knn") and not given and x in continuous and y in continuous
        ]
        results = [None] * len(queries)
        if shared:
            outcomes = rank_pair_tests(
                frame,
                [labelled[q][:2] for q in shared],
                n_permutations=knn_permutations,
                k=k,
                alpha=alpha,
                seed=seed,
            )
            for q, outcome in zip(shared, outcomes, strict=True):
                results[q] = outcome
        rest = [q for q in range(len(queries)) if results[q] is None]
        outcomes = ci_tests_by_kind(
            frame,
            [labelled[q] for q in rest],
            method=method,
            alpha=alpha,
            n_permutations=n_permutations,
            knn_permutations=knn_permutations,
            k=k,
            seed=seed,
            early_reject=True,
            n_jobs=n_jobs,
            workers=workers,
        )
        for q, outcome in zip(rest, outcomes, strict=True):
            results[q] = outcome
        return _answer(results)

    # Tests of a level go in chunks of a few per worker: the progress bar and the time
    # budget then follow them closely, and each kNN test costs far more than a call.
    try:
        return _search(
            nodes,
            test_batch,
            alpha,
            max_cond_size,
            progress,
            method,
            isolated=isolated,
            chunk_size=8 * n_jobs if method != "gaussian" else 256,
            max_time=max_time,
            order_by_strength=True,
        )
    finally:
        if workers is not None:
            workers.close()


def _answer(results) -> tuple[list, list, list]:
    """What the search reads of a batch of test results: p-values, statistics, flags.

    A test that carries no evidence (no stratum where X and Y can show
    dependence) is flagged: it removes no edge, whatever its p-value.
    """
    flags = [no_evidence(r) for r in results]
    return [r.pvalue for r in results], [r.statistic for r in results], flags


def _check_gaussian_columns(frame: pd.DataFrame) -> None:
    """A clear error, before any work, for columns a partial correlation cannot use."""
    bad = [
        c
        for c in frame.columns
        if not pd.api.types.is_numeric_dtype(
            frame[c].cat.categories.dtype
            if isinstance(frame[c].dtype, pd.CategoricalDtype)
            else frame[c].dtype
        )
    ]
    if bad:
        raise InvalidInputError(
            f"the Gaussian test (partial correlation) needs numeric columns, but {bad!r} "
            f"{'is' if len(bad) == 1 else 'are'} not numeric (text, or categories that are "
            "not numbers); use the default test, which handles mixed columns, or leave "
            "those columns out."
        )


def pc(
    data,
    *,
    alpha: float = 0.05,
    ci_test: str = "auto",
    max_cond_size: int | None = None,
    n_permutations: int | None = None,
    estimator: str = "plugin",
    seed=0,
    columns=None,
    missing: str = "error",
    progress: bool = False,
    k=None,
    n_jobs: int = 1,
    max_time: float | None = None,
    discrete=None,
    continuous=None,
) -> nx.DiGraph:
    """PC-stable: the skeleton, then v-structures and Meek's rules, as a CPDAG.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Discrete, continuous or mixed columns; never modified.
    alpha, ci_test, max_cond_size, n_permutations, estimator, seed, columns, missing
        As in :func:`pc_skeleton`.
    progress, k, n_jobs, max_time, discrete, continuous
        As in :func:`pc_skeleton`.

    Returns
    -------
    networkx.DiGraph
        The CPDAG: a compelled edge ``a -> b`` appears once, an undirected
        edge as the two arcs ``a -> b`` and ``b -> a``.  Use
        :func:`cpdag_to_dag` for a DAG to fit.  Graph attributes as in
        :func:`pc_skeleton`.

    See Also
    --------
    pc_skeleton : the undirected skeleton and its separating sets.
    cpdag_to_dag : a DAG in the CPDAG's equivalence class.
    mistruct.independence.ci_tests : the tests PC runs.

    Examples
    --------
    >>> from mistruct.interop.datasets import sample_network
    >>> example = sample_network("asia", 5000, seed=0)
    >>> cpdag = pc(example.data, alpha=0.01)
    >>> cpdag.has_edge("lung", "either") and not cpdag.has_edge("either", "lung")
    True
    """
    return orient_cpdag(
        pc_skeleton(
            data,
            alpha=alpha,
            ci_test=ci_test,
            max_cond_size=max_cond_size,
            n_permutations=n_permutations,
            estimator=estimator,
            seed=seed,
            columns=columns,
            missing=missing,
            progress=progress,
            k=k,
            n_jobs=n_jobs,
            max_time=max_time,
            discrete=discrete,
            continuous=continuous,
        )
    )
