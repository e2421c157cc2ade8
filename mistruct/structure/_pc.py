"""PC-stable: skeleton by conditional independence tests, then a CPDAG.

The skeleton search is PC-stable (Colombo & Maathuis 2014): at each level
``l`` every edge ``i - j`` is tested against the conditioning sets of size
``l`` drawn from the adjacencies fixed at the start of the level, so the
result does not depend on the order in which edges are visited.  Tests run
in rounds: round ``r`` tests the ``r``-th candidate set of every edge that is
still undecided, all in one batch, so an edge costs as many tests as in the
sequential algorithm while every batch shares one encoding of the data.

On discrete tables the asymptotic tests of a round are counted together
(:class:`mistruct.independence.BatchedTests`, over
:class:`mistruct.counting.StrataCounter`): the table is prepared once per
run, the strata of each conditioning set built once for every pair that
shares it (and from the strata of its longest prefix already built), and
each query's table reduced in compiled code to its G statistic, degrees of
freedom and evidence, with no Python object per query; only the queries
``"auto"`` sends to the exact test go through the per-query path.  The
answers are those of the per-query path to the last bit
(tests/structure/test_pc_batched.py).  Large networks stay bounded: no
per-edge copies of the adjacency pools (candidate sets are generated from
the level's adjacency lists), no dense p x p x states structure.

Nodes are visited in sorted order of their labels and candidate sets in
lexicographic order, so the output (skeleton, separating sets, CPDAG) is the
same whatever the column order of the input.
"""

from __future__ import annotations

import contextvars
import itertools
import math
import numbers
import warnings

import networkx as nx
import pandas as pd

from mistruct._validation import (
    check_bool,
    check_missing,
    check_n_jobs,
    check_option,
    check_seed,
)
from mistruct.data import apply_missing, as_frame, column_kinds, encode, select_columns
from mistruct.exceptions import ConstantColumnWarning, IncompleteSearchWarning, InvalidInputError
from mistruct.independence import (
    NUMERIC_TEST_METHODS,
    BatchedTests,
    TestWorkers,
    check_options,
    check_test_fits,
    ci_tests_by_kind,
    ci_tests_encoded,
    discrete_method,
    has_float_columns,
    no_evidence,
    rank_pair_tests,
    seed_entropy,
)
from mistruct.structure._common import (
    check_ci_test,
    encoded_test,
    permutation_counts,
    stated_kinds,
)
from mistruct.structure._dask import dask_dispatch, is_dask_collection

#: Set by pc while it runs pc_skeleton: the search then also gathers the evidence the
#: orientation rules weigh (every separating set of the level, the collider tests), which a
#: skeleton alone does not need.
_ORIENTATION_EVIDENCE = contextvars.ContextVar("orientation_evidence", default=False)

#: Whether pc also runs the collider tests that order conflicting v-structures by p-value.
#: On: on CHILD, ALARM, INSURANCE and HEPAR2 at 10^4 rows (docs/benchmarks.md,
#: pc-networks) the p-value order gave a CPDAG SHD of 127 in total against 133 for sorted
#: node order (HEPAR2 85 against 93, the others 2 worse in total), and a higher held-out
#: log-likelihood on HEPAR2.
COLLIDER_PRIORITY = True

#: Whether the discrete tests of a level are counted in batches (run_batched); False runs
#: each query through ci_tests_encoded, the reference the batched path is tested against.
BATCHED_COUNTS = True

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
    """Conditioning sets of ``size`` from adj(i) \\ {j}, then the new ones from adj(j) \\ {i}.

    Generated lazily.  A set drawn from adj(j) was drawn from adj(i) already exactly when
    all its members are in adj(i), so duplicates go in linear time, with no list of the
    sets seen (a list made this quadratic: 7 s for two pools of 20 at size 5).
    """
    yield from itertools.combinations(adjacent_i, size)
    in_i = set(adjacent_i)
    for subset in itertools.combinations(adjacent_j, size):
        if not all(k in in_i for k in subset):
            yield subset


def _count_candidate_sets(adjacent_i, adjacent_j, size) -> int:
    """How many sets :func:`_candidate_sets` yields, without generating them."""
    in_i = set(adjacent_i)
    shared = sum(1 for k in adjacent_j if k in in_i)
    return (
        math.comb(len(adjacent_i), size)
        + math.comb(len(adjacent_j), size)
        - math.comb(shared, size)
    )


def _edge_sets(frozen, members, i, j, size):
    """:func:`_candidate_sets` of edge ``i - j`` from the level's adjacency lists.

    The sets of adj(i) \\ {j} are those of adj(i) without ``j``, in the same
    lexicographic order, so no edge needs a list of its own.
    """
    for subset in itertools.combinations(frozen[i], size):
        if j not in subset:
            yield subset
    in_i = members[i]
    for subset in itertools.combinations(frozen[j], size):
        if i not in subset and not all(k in in_i for k in subset):
            yield subset


def _count_edge_sets(frozen, members, i, j, size) -> int:
    """How many sets :func:`_edge_sets` yields (:func:`_count_candidate_sets`)."""
    shared = len(members[i] & members[j])  # neither i nor j is in both
    return (
        math.comb(len(frozen[i]) - 1, size)
        + math.comb(len(frozen[j]) - 1, size)
        - math.comb(shared, size)
    )


#: What a PC search does with an edge none of whose tests at a level showed independence
#: while some carried no evidence (see pc_skeleton's Notes); the only rule used, kept named.
NO_EVIDENCE_RULE = "fresh"
BATCH_MODES = ("round", "level")


def _is_copy(strength, i, j, subset) -> bool:
    """Whether the one-member set ``subset`` looks like a copy of ``i`` or ``j`` to the other end.

    A relabelled copy ``k`` of ``i`` has exactly the level-0 statistic of ``i`` with ``j``
    (the same partition of the rows); given ``k`` the test of ``i - j`` has no evidence,
    and so does the test of ``k - j`` given ``i``, so counting both would cut ``j`` off
    from the pair it depends on.
    """
    if len(subset) != 1:
        return False
    (k,) = subset

    def s(a, b):
        return strength.get((min(a, b), max(a, b)))

    for end, other in ((i, j), (j, i)):
        known, copy = s(end, other), s(k, other)
        if known and copy is not None and math.isclose(known, copy, rel_tol=1e-9):
            return True
    return False


class _EdgeLevel:
    """What the tests of one edge at one level said, in candidate order."""

    __slots__ = ("independent", "no_evidence", "separating", "significant", "tested")

    def __init__(self):
        self.independent = None  # (subset, pvalue): the first set with p > alpha
        self.no_evidence = []  # the sets whose tests carried no evidence
        self.separating = []  # every (subset, pvalue) with p > alpha, in candidate order
        self.significant = 0
        self.tested = 0

    def record(self, subset, pvalue, flag, alpha):
        self.tested += 1
        if flag:
            self.no_evidence.append(subset)
            return
        if pvalue > alpha:
            if self.independent is None:
                self.independent = (subset, pvalue)
            self.separating.append((subset, pvalue))
        else:
            self.significant += 1


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
    batch="round",
    all_sepsets=False,
    collider_tests=False,
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
        ignored).
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
        Most tests per call of ``test_batch`` (default: a whole round, or a
        whole level with ``batch="level"``).
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
    batch : {"round", "level"}, default "round"
        ``"round"``: round ``r`` of a level tests the ``r``-th candidate set
        of every edge still undecided, so an edge stops at its first
        separating set (fewest tests).  ``"level"``: every candidate set of
        every edge of the level goes to one ``test_batch`` call (or
        ``chunk_size`` pieces), for testers that gain from large batches
        (a cluster, one counting pass per level).  Both are PC-stable (the
        adjacencies are those fixed at the start of the level) and give the
        same skeleton, p-values and separating sets: an edge goes when any
        of its sets at the level gives a p-value above ``alpha``, and the
        separating set kept is the first such set in candidate order (the
        one ``"round"`` stops at).  ``"level"`` runs more tests: the later
        sets of the edges that go.
    all_sepsets : bool, default False
        Also test, at the level an edge goes, its candidate sets after the
        separating one (``"level"`` tests them anyway), and record in
        ``graph["all_sepsets"]`` every set of that level that separated the
        pair, with its p-value, for orientation rules that weigh all of
        them (Ramsey et al. 2006).
    collider_tests : bool, default False
        After the search, for every unshielded triple ``a - c - b`` that
        could be a collider (some separating set of ``a, b`` leaves ``c``
        out) and could conflict with another (one that points an arrow at
        ``a`` or ``b`` from ``c``), test ``a`` and ``b`` given each such
        set plus ``c``, in one batch, and record the largest p-value in
        ``graph["collider_pvalues"][(a, c, b)]`` (``a`` before ``b`` in node
        order): the strength of the collider, which :func:`orient_cpdag`
        uses to settle conflicts.

    Returns
    -------
    graph : networkx.Graph
        With edge attributes ``pvalue`` (the largest p-value of the edge's
        tests) or, when some test of a kept edge carried no evidence,
        ``pvalue=NaN`` and ``no_evidence=True``; and graph attributes
        ``"sepsets"`` mapping ``frozenset({a, b})`` to the separating set (a
        tuple of labels) of each removed edge, ``"sepset_pvalues"`` to the
        p-value of the test that removed it (NaN when removed for want of
        evidence), ``"sepset_reasons"`` to why it went (``"independent"``,
        ``"no evidence"`` or ``"constant column"``), ``"complete"`` (False
        when stopped by ``deadline``), ``"max_level"`` (the last level
        started) and, with ``all_sepsets``, ``"all_sepsets"``.
    n_tests : int
    """
    import time

    check_option(batch, "batch", BATCH_MODES)
    p = len(nodes)
    isolated = set(isolated)
    adjacency = {
        i: set(range(p)) - {i} - isolated if i not in isolated else set() for i in range(p)
    }
    max_pvalue = {}
    sepsets = {}
    separating_pvalue = {}
    reasons = {}
    every_sepset = {}
    determined = {}  # (i, j): the sets that gave no evidence while the edge stayed
    later = {}  # (i, j): the untested candidate sets of a removed edge, its level's record
    no_evidence = set()
    strength = {}  # (i, j), i < j: the statistic of the level-0 test
    for i in isolated:
        for j in range(p):
            if j != i and (min(i, j), max(i, j)) not in sepsets:
                sepsets[min(i, j), max(i, j)] = ()
                separating_pvalue[min(i, j), max(i, j)] = 1.0
                reasons[min(i, j), max(i, j)] = "constant column"
    n_tests = 0
    level = 0
    complete = True
    max_level = -1

    def run(queries, states):
        """Test ``queries`` (in chunks), record each answer; False once past the deadline."""
        nonlocal n_tests
        step = max(1, len(queries) if chunk_size is None else chunk_size)
        for start in range(0, len(queries), step):
            if deadline is not None and time.perf_counter() > deadline:
                return False
            chunk = queries[start : start + step]
            answer = test_batch(chunk)
            flags = answer[2] if len(answer) > 2 else [False] * len(chunk)
            for (i, j, subset), pvalue, statistic, flag in zip(
                chunk, answer[0], answer[1], flags, strict=True
            ):
                if level == 0:
                    statistic = float(statistic)
                    strength[i, j] = statistic if math.isfinite(statistic) else 0.0
                pvalue = float(pvalue)
                if flag:
                    no_evidence.add((i, j))
                else:
                    max_pvalue[i, j] = max(max_pvalue.get((i, j), 0.0), pvalue)
                states[i, j].record(subset, pvalue, flag, alpha)
            n_tests += len(chunk)
            if progress is not None:
                progress.update(len(chunk))
        return True

    while complete:
        frozen = {i: sorted(adjacency[i]) for i in range(p)}
        edges = [(i, j) for i in range(p) for j in frozen[i] if i < j]
        if max_cond_size is not None and level > max_cond_size:
            break
        if not any(len(frozen[i]) - 1 >= level for i in range(p)):
            break
        if level == 0:
            # One empty set per edge: no pools (p^2 lists of p nodes on a large network).
            candidates = {edge: iter(((),)) for edge in edges}
            counts = dict.fromkeys(edges, 1)
        else:
            # Generated from the level's shared adjacency lists, so no edge holds a copy
            # of its pools (on munin, 10^5 edges with pools of 10^2 to 10^3 nodes).
            members = {i: set(frozen[i]) for i in range(p) if frozen[i]}
            counts = {
                (i, j): _count_edge_sets(frozen, members, i, j, level) for i, j in edges
            }
            if order_by_strength:
                candidates = {}
                for i, j in edges:
                    sets = list(_edge_sets(frozen, members, i, j, level))
                    sets.sort(
                        key=lambda subset, i=i, j=j: -sum(
                            min(
                                strength.get((min(i, k), max(i, k)), 0.0),
                                strength.get((min(j, k), max(j, k)), 0.0),
                            )
                            for k in subset
                        )
                    )
                    candidates[i, j] = iter(sets)
            else:
                candidates = {
                    (i, j): _edge_sets(frozen, members, i, j, level) for i, j in edges
                }
        states = {edge: _EdgeLevel() for edge in edges}
        max_level = level
        if progress is not None:
            _progress_level(progress, level, sum(counts.values()))
        if batch == "level":
            queries = [(i, j, subset) for (i, j) in edges for subset in candidates[i, j]]
            complete = run(queries, states)
        else:
            undecided = [edge for edge in edges if counts[edge]]
            while undecided and complete:
                queries = [(i, j, next(candidates[i, j])) for i, j in undecided]
                complete = run(queries, states)
                dropped = 0
                still = []
                for edge in undecided:
                    state = states[edge]
                    if state.independent is not None:
                        dropped += counts[edge] - state.tested
                    elif state.tested < counts[edge]:
                        still.append(edge)
                if progress is not None and dropped:
                    # The removed edges' later candidate sets will not be tested.
                    progress.total = max(progress.n, progress.total - dropped)
                    progress.refresh()
                undecided = still
            if all_sepsets:
                # The removed edges' later sets, tested after the search for the pairs
                # that end up in an unshielded triple (the only ones orientation reads).
                for edge, state in states.items():
                    if state.independent is not None:
                        later[edge] = (candidates[edge], state)
        for (i, j), state in states.items():
            if state.independent is not None:
                subset, pvalue = state.independent
                reason = "independent"
            elif complete and state.no_evidence and state.tested == counts[i, j]:
                fresh = [
                    s for s in state.no_evidence
                    if not any(known <= set(s) for known in determined.get((i, j), ()))
                    and not _is_copy(strength, i, j, s)
                ]
                if NO_EVIDENCE_RULE == "remove" or (
                    NO_EVIDENCE_RULE == "shrink" and state.significant == 0
                ) or (NO_EVIDENCE_RULE == "fresh" and state.significant == 0 and fresh):
                    subset = (fresh or state.no_evidence)[0]
                    pvalue, reason = float("nan"), "no evidence"
                else:
                    determined.setdefault((i, j), []).extend(map(set, state.no_evidence))
                    continue
            else:
                continue
            adjacency[i].discard(j)
            adjacency[j].discard(i)
            sepsets[i, j] = subset
            separating_pvalue[i, j] = pvalue
            reasons[i, j] = reason
            if reason == "independent":
                every_sepset[i, j] = tuple(state.separating)
            else:
                every_sepset[i, j] = ((subset, pvalue),)
            no_evidence.discard((i, j))
        level += 1
    if later and complete:
        queries = []
        for (i, j), (remaining, _) in later.items():
            if (i, j) in sepsets and adjacency[i] & adjacency[j]:
                queries.extend((i, j, subset) for subset in remaining)
        states = {edge: state for edge, (_, state) in later.items()}
        if progress is not None:
            progress.set_description("PC separating sets")
            if hasattr(progress, "reset"):
                progress.reset(total=len(queries))
            else:
                progress.total = len(queries)
        complete = run(queries, states)
        for edge, state in states.items():
            if edge in every_sepset and sepsets.get(edge) == state.independent[0]:
                every_sepset[edge] = tuple(state.separating)
    collider_pvalues = {}
    if collider_tests and complete:
        # Candidate colliders: unshielded triples that some separating set leaves c out of.
        candidates = {}
        for c in range(p):
            for i, j in itertools.combinations(sorted(adjacency[c]), 2):
                if j in adjacency[i] or (i, j) not in sepsets:
                    continue
                found = every_sepset.get((i, j)) or ((sepsets[i, j], None),)
                lacking = [subset for subset, _ in found if c not in subset]
                if lacking:
                    candidates[i, c, j] = lacking
        # Priority only matters where two candidates point one edge both ways.
        heads = {}  # (tail, head) -> drawn by some candidate
        for i, c, j in candidates:
            heads[i, c] = heads[j, c] = True
        triples = {}  # query -> the triples it weighs
        for (i, c, j), lacking in candidates.items():
            if not (heads.get((c, i)) or heads.get((c, j))):
                continue
            for subset in lacking:
                query = (i, j, tuple(sorted((*subset, c))))
                triples.setdefault(query, []).append((i, c, j))
        queries = list(triples)
        if queries:
            answer = test_batch(queries)
            n_tests += len(queries)
            flags = answer[2] if len(answer) > 2 else [False] * len(queries)
            for query, pvalue, flag in zip(queries, answer[0], flags, strict=True):
                value = math.nan if flag else float(pvalue)
                for triple in triples[query]:
                    old = collider_pvalues.get(triple, -math.inf)
                    collider_pvalues[triple] = value if math.isnan(old) else max(old, value)
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

    def pair(i, j):
        return frozenset((nodes[i], nodes[j]))

    def labels(subset):
        return tuple(nodes[k] for k in subset)

    graph.graph["sepsets"] = {pair(i, j): labels(s) for (i, j), s in sepsets.items()}
    graph.graph["sepset_pvalues"] = {pair(i, j): v for (i, j), v in separating_pvalue.items()}
    graph.graph["sepset_reasons"] = {pair(i, j): r for (i, j), r in reasons.items()}
    if all_sepsets or batch == "level":
        graph.graph["all_sepsets"] = {
            pair(i, j): tuple((labels(s), v) for s, v in found)
            for (i, j), found in every_sepset.items()
        }
    if collider_tests:
        graph.graph["collider_pvalues"] = {
            (nodes[i], nodes[c], nodes[j]): v for (i, c, j), v in collider_pvalues.items()
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


#: Orientation rules of :func:`orient_cpdag` and :func:`pc`.
ORIENTATIONS = ("sepset", "conservative", "majority")
DEFAULT_ORIENTATION = "majority"


def orient_cpdag(skeleton: nx.Graph, *, orientation: str = DEFAULT_ORIENTATION) -> nx.DiGraph:
    """Orient a PC skeleton into a CPDAG: v-structures, then Meek's rules 1-3.

    Parameters
    ----------
    skeleton : networkx.Graph
        With ``graph["sepsets"]`` as returned by :func:`pc_skeleton` (and,
        from :func:`pc`, ``graph["all_sepsets"]`` and
        ``graph["collider_pvalues"]``, the evidence the rules below weigh).
    orientation : {"majority", "conservative", "sepset"}, default "majority"
        How an unshielded triple ``a - c - b`` is read.  ``"majority"``
        (Colombo & Maathuis 2014): ``a -> c <- b`` when ``c`` is in fewer
        than half of the sets that separated ``a`` and ``b`` at the level
        their edge went (``graph["all_sepsets"]``), a non-collider when in
        more than half, undecided at exactly half.  ``"conservative"``
        (Ramsey, Zhang & Spirtes 2006): a collider when ``c`` is in none of
        them, a non-collider when in all, undecided otherwise.  An undecided
        triple orients nothing and Meek's rule 1 does not use it.
        ``"sepset"``: the one separating set kept in ``graph["sepsets"]``
        decides (the rule of the original PC), conflicts in sorted node
        order.  Without ``graph["all_sepsets"]`` the kept set is the only one
        known and the three rules agree on which triples are colliders.

    Returns
    -------
    networkx.DiGraph
        A directed edge ``a -> b`` appears once; an undirected edge ``a - b``
        appears as the two arcs ``a -> b`` and ``b -> a``.  Edge attributes
        of the skeleton are kept; ``graph["ambiguous_triples"]`` lists the
        undecided triples ``(a, c, b)``.

    Notes
    -----
    Two colliders can disagree about an edge (``a -> c <- b`` and
    ``c -> d <- e`` over ``c - d``).  With ``graph["collider_pvalues"]``
    (which :func:`pc` gathers), ``"majority"`` and ``"conservative"`` draw
    them strongest first, as causal-learn's ``uc_priority=3``: the strength
    of ``a -> c <- b`` is the largest p-value of the tests of ``a`` and
    ``b`` given a separating set plus ``c`` (a small one says that ``c``
    makes ``a`` and ``b`` dependent); ties, missing values and ``"sepset"``
    go in sorted node order.  A collider that would reverse an arrow
    already drawn is skipped (causal-learn's ``uc_priority=2``).  An arrow
    that would close a directed cycle (possible when finite-sample errors
    make the tests disagree) is not drawn either, so
    the result always extends to a DAG.  Every choice is made in sorted
    label order, so the CPDAG does not depend on the order of the columns.

    The default was chosen by measurement (docs/benchmarks.md,
    ``pc-networks``): on CHILD, ALARM, INSURANCE and HEPAR2 at 10^4 rows
    the majority rule with the p-value priority has a CPDAG SHD of 127 in
    total against 133 for ``"sepset"`` (HEPAR2 85 against 92, CHILD 8
    against 11; ALARM 6 against 5, INSURANCE 28 against 25), and a higher
    held-out log-likelihood on CHILD and HEPAR2.  ``"conservative"`` ties
    it (127).

    References
    ----------
    Ramsey, J., Zhang, J. & Spirtes, P. (2006). Adjacency-faithfulness and
    conservative causal inference. UAI 2006.
    Colombo, D. & Maathuis, M. H. (2014). Order-independent constraint-based
    causal structure learning. JMLR 15, 3741-3782.

    Examples
    --------
    >>> skeleton = nx.Graph([("a", "c"), ("b", "c")])
    >>> skeleton.graph["sepsets"] = {frozenset(("a", "b")): ()}
    >>> sorted(orient_cpdag(skeleton).edges())
    [('a', 'c'), ('b', 'c')]
    """
    check_option(orientation, "orientation", ORIENTATIONS)
    sepsets = skeleton.graph.get("sepsets", {})
    every = skeleton.graph.get("all_sepsets", {})
    strengths = skeleton.graph.get("collider_pvalues", {})
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
    ambiguous = set()
    for c in nodes:
        neighbours = sorted(skeleton.neighbors(c), key=_sort_key)
        for a, b in itertools.combinations(neighbours, 2):
            if skeleton.has_edge(a, b):
                continue
            pair = frozenset((a, b))
            if orientation == "sepset" or pair not in every:
                found = [sepsets[pair]] if pair in sepsets else []
            else:
                found = [subset for subset, _ in every[pair]]
            if not found:
                continue
            share = sum(c in subset for subset in found) / len(found)
            if orientation == "conservative":
                is_collider, undecided = share == 0, 0 < share < 1
            elif orientation == "majority":
                is_collider, undecided = share < 0.5, share == 0.5
            else:
                is_collider, undecided = share == 0, False
            if undecided:
                ambiguous.update({(a, c, b), (b, c, a)})
            elif is_collider:
                colliders.append((a, c, b))
    if orientation != "sepset":

        def priority(triple):
            value = strengths.get(triple, math.nan)
            return value if math.isfinite(value) else math.inf

        colliders.sort(key=priority)  # stable: ties stay in sorted node order
    for a, c, b in colliders:
        if (c, a) in directed or (c, b) in directed:
            continue  # conflicts with a collider drawn before
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
                    and _meek_says_orient(skeleton, directed, x, y, ambiguous)
                    and not closes_cycle(x, y)
                ):
                    orient(x, y)
                    changed = True
                    break

    cpdag = nx.DiGraph()
    cpdag.add_nodes_from(skeleton.nodes(data=True))
    cpdag.graph.update(skeleton.graph)
    cpdag.graph["ambiguous_triples"] = sorted(
        (t for t in ambiguous if _sort_key(t[0]) <= _sort_key(t[2])),
        key=lambda t: tuple(map(_sort_key, t)),
    )
    for a, b, data in skeleton.edges(data=True):
        if (a, b) in directed:
            cpdag.add_edge(a, b, **data)
        elif (b, a) in directed:
            cpdag.add_edge(b, a, **data)
        else:
            cpdag.add_edge(a, b, **data)
            cpdag.add_edge(b, a, **data)
    return cpdag


def _meek_says_orient(skeleton, directed, x, y, ambiguous=frozenset()) -> bool:
    """Whether Meek's rules 1-3 force the undirected edge x - y into x -> y."""

    def adjacent(a, b):
        return skeleton.has_edge(a, b)

    def undirected(a, b):
        return adjacent(a, b) and (a, b) not in directed and (b, a) not in directed

    parents_x = [w for w in skeleton.neighbors(x) if (w, x) in directed]
    # R1: w -> x - y with w, y not adjacent (and w - x - y known to be no collider).
    if any(w != y and not adjacent(w, y) and (w, x, y) not in ambiguous for w in parents_x):
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
            all_sepsets=_ORIENTATION_EVIDENCE.get(),
            collider_tests=_ORIENTATION_EVIDENCE.get() and COLLIDER_PRIORITY,
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
        guard), threads for the Gaussian tests and for the counts of the
        discrete tests (a compiled kernel that releases the GIL, each thread
        a disjoint share of the level's conditioning sets).  Each test draws
        from its own stream, so the result is the same for every ``n_jobs``.
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
      X): evidence neither of independence nor of dependence.  An edge none
      of whose tests at a level showed dependence goes *for want of
      evidence* when one of them had no evidence with a set that is new for
      the edge: not a superset of a set that already gave no evidence at a
      lower level while the edge stayed on its other tests (a set that
      determines an endpoint determines it in every superset), and not a
      one-column copy of an endpoint (the same level-0 statistic with the
      other end, which would cut that end off from both).  Such an edge is
      recorded with reason ``"no evidence"`` and p-value NaN, never as
      independent.  An edge that stays although some test had no evidence
      gets ``pvalue=NaN`` and ``no_evidence=True``.  No p-value is made up
      for such a test.  (causal-learn's G² test returns p = 1 for 0 degrees
      of freedom, removing such edges as independent; on ASIA's
      deterministic ``either`` that loses two true edges, which this rule
      keeps, while on HAILFINDER it ends near causal-learn's sparser
      skeleton instead of keeping every such edge.)
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
        the p-value of the test that removed it (NaN for want of evidence),
        ``G.graph["sepset_reasons"]`` to why it went (``"independent"``,
        ``"no evidence"``, ``"constant column"``); ``G.graph["n_tests"]``
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
    n_jobs = check_n_jobs(n_jobs)
    check_missing(missing)
    check_bool(progress, "progress")
    seed = check_seed(seed)
    max_time = _check_max_time(max_time)
    if max_cond_size is not None and (not isinstance(max_cond_size, int) or max_cond_size < 0):
        raise InvalidInputError(
            f"max_cond_size must be a non-negative integer or None, got {max_cond_size!r}."
        )
    if is_dask_collection(data):  # one counting pass per level (issue 16)
        return dask_dispatch(
            "pc_skeleton", data, alpha=alpha, method=method, max_cond_size=max_cond_size,
            n_permutations=n_permutations, estimator=estimator, seed=seed, columns=columns,
            missing=missing, progress=progress, max_time=max_time, discrete=discrete,
            continuous=continuous,
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

    if BATCHED_COUNTS:
        test_batch = BatchedTests(
            table,
            check_options(method, alpha, n_permutations, estimator),
            seed_entropy(seed),
            table.names,
            n_jobs=n_jobs,
        )

    else:

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
    orientation: str = DEFAULT_ORIENTATION,
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
    orientation : {"majority", "conservative", "sepset"}, default "majority"
        How unshielded triples become v-structures (see
        :func:`orient_cpdag`).  ``"majority"`` and ``"conservative"`` weigh
        every set that separated the pair at the level its edge went (the
        search tests the later candidate sets of each removed edge for
        them) and settle conflicting v-structures strongest first (one more
        test per separating set of each unshielded triple that could
        conflict); ``"sepset"`` reads the first separating set found only.

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
    # Every option but the orientation is pc_skeleton's, passed on as given (first line:
    # locals() holds the parameters only).
    skeleton_options = {name: value for name, value in locals().items() if name != "orientation"}
    check_option(orientation, "orientation", ORIENTATIONS)
    # The evidence the rule weighs is gathered by the skeleton's own search (same tests).
    token = _ORIENTATION_EVIDENCE.set(orientation != "sepset")
    try:
        skeleton = pc_skeleton(**skeleton_options)
    finally:
        _ORIENTATION_EVIDENCE.reset(token)
    return orient_cpdag(skeleton, orientation=orientation)
