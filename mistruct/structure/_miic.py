"""MIIC: multivariate information-based inductive causation (Verny et al. 2017).

The skeleton comes from mutual information shifted by a complexity cost,
the separating sets from the candidate nodes that carry the most
three-point information, and the orientation from the sign of the
three-point information on unshielded triples.  Discrete tables only.

Units: every *shifted* information here is ``N * I - k`` in nats (``N`` rows,
``I`` the plug-in (conditional) mutual information, ``k`` the complexity
cost), so ``I' > 0`` reads "the dependence pays for its parameters".
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import networkx as nx
import numpy as np
import pandas as pd
from scipy.special import expit, gammaln, logsumexp

from mistruct._validation import check_missing, check_option
from mistruct.counting import CandidateCounts, check_chunk_size, pairwise_counts
from mistruct.data import encode
from mistruct.exceptions import (
    ContinuousDataError,
    InvalidInputError,
    StateSpaceTooLargeError,
)
from mistruct.measures import mi_matrix_nats
from mistruct.structure._common import (
    _LN2,
    _door,
    _is_float,
    _name_ranks,
    _sort_key,
    _symmetrize,
)

__all__ = ["COMPLEXITIES", "miic", "miic_skeleton"]

#: Complexity costs of the shifted information: normalized maximum likelihood, or MDL (BIC).
COMPLEXITIES = ("nml", "mdl")

#: Below this many rows C(2, n) is summed exactly; above it Szpankowski's expansion is
#: used (relative error under 1e-5 at n = 200, under 1e-6 past 1000).
_EXACT_BINARY = 200

#: Largest table of log C(r, n) built for the NML costs (float64 cells).
_MAX_NML_CELLS = 2**26

#: Edges whose stratum codes are held at once.
_JOBS_PER_BATCH = 512


# --------------------------------------------------------------------------------------
# Complexity costs
# --------------------------------------------------------------------------------------


def _log_c2(n: np.ndarray) -> np.ndarray:
    """log C(2, n), the parametric complexity of a binary multinomial with n samples."""
    out = np.zeros(len(n))
    small = n <= _EXACT_BINARY
    for i in np.flatnonzero(small & (n > 0)):
        m = int(n[i])
        h = np.arange(m + 1)
        terms = gammaln(m + 1) - gammaln(h + 1) - gammaln(m - h + 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = terms + np.where(h > 0, h * np.log(h / m), 0.0)
            terms = terms + np.where(h < m, (m - h) * np.log((m - h) / m), 0.0)
        out[i] = logsumexp(terms)
    big = n[~small].astype(float)
    # Szpankowski (2001): C(2, n) = sqrt(n pi / 2) + 2/3 + sqrt(2 pi) / (24 sqrt(n)) + O(1/n).
    root = np.sqrt(big)
    out[~small] = np.log(np.sqrt(np.pi / 2) * root + 2 / 3 + np.sqrt(2 * np.pi) / (24 * root))
    return out


def _check_nml_size(max_levels: int, n_rows: int, names, cards):
    """A clear error before the NML table would take minutes or gigabytes."""
    if max_levels * (n_rows + 1) > _MAX_NML_CELLS:
        worst = names[int(np.argmax(cards))]
        raise StateSpaceTooLargeError(
            f"miic: column {worst!r} has {max_levels:,} levels over {n_rows:,} rows; its NML "
            "costs would need a table of "
            f"{max_levels * (n_rows + 1):,} cells (limit {_MAX_NML_CELLS:,}). Merge rare "
            "levels, leave the column out (exclude=...), or use complexity='mdl'."
        )


@lru_cache(maxsize=8)
def _log_nml_table(max_levels: int, n_rows: int) -> np.ndarray:
    """``table[r, n] = log C(r, n)`` for r <= max_levels, n <= n_rows (read-only).

    C(r, n) is the normalizing sum of the NML distribution of an r-state
    multinomial over n samples: C(1, n) = 1 and Kontkanen & Myllymäki's
    (2007) recurrence C(r + 2, n) = C(r + 1, n) + n / r * C(r, n), run in
    log space so that it never overflows.  Row 0 (no level) is 0.
    """
    n = np.arange(n_rows + 1)
    table = np.zeros((max(max_levels, 2) + 1, n_rows + 1))
    table[2] = _log_c2(n)
    with np.errstate(divide="ignore"):
        log_n = np.log(n.astype(float))
    for r in range(1, max_levels - 1):
        table[r + 2] = np.logaddexp(table[r + 1], log_n - np.log(r) + table[r])
    table[:, 0] = 0.0  # C(r, 0) = 1: an empty stratum costs nothing
    table.setflags(write=False)
    return table


@lru_cache(maxsize=8)
def _nlogn_table(n_rows: int) -> np.ndarray:
    """``table[n] = n log n`` (0 at n = 0), read-only: entropy sums by lookup."""
    n = np.arange(n_rows + 1, dtype=float)
    table = np.zeros(n_rows + 1)
    table[1:] = n[1:] * np.log(n[1:])
    table.setflags(write=False)
    return table


# --------------------------------------------------------------------------------------
# Shifted informations from the candidates' tables (counted by mistruct.counting)
# --------------------------------------------------------------------------------------


class _Counts:
    """The encoded table's candidate tables with the lookups the shifted informations need.

    The counting itself is :class:`mistruct.counting.CandidateCounts`'s; this
    class turns each batch of (u, x, y, z) tables into shifted informations.
    """

    def __init__(self, codes: np.ndarray, cards: np.ndarray, complexity: str, names=()):
        self.tables = CandidateCounts(codes, cards, names, who="miic: ")
        self.n = self.tables.n
        self.cards = self.tables.cards
        self.complexity = complexity
        self.nlogn = _nlogn_table(self.n)
        # MDL needs no table: a small one keeps the code paths alike.
        top = int(max(cards.max(initial=1), 2)) if complexity == "nml" else 2
        self.log_c = _log_nml_table(top, self.n)
        self.log_n = float(np.log(max(self.n, 1)))

    def _cost_pair(self, rx, ry, n_ux, n_uy, n_u, log_u):
        if self.complexity == "mdl":
            return 0.5 * (rx - 1) * (ry - 1) * np.exp(log_u) * self.log_n
        lc = self.log_c
        return 0.5 * (
            lc[rx][n_uy].sum() - lc[rx][n_u].sum() + lc[ry][n_ux].sum() - lc[ry][n_u].sum()
        )

    def evaluate(self, jobs) -> list:
        """Shifted informations of every ``(x, y, given, cands)`` job, in job order.

        Each job's answer is ``(ixy_u, ixy_uz, ixz_u, iyz_u)``: I'(X;Y|U) (a
        float) and, one value per candidate z, I'(X;Y|U,Z), I'(X;Z|U) and
        I'(Y;Z|U).
        """
        out = []
        for parts in self.tables.count(jobs, self._from_tables):
            if len(parts) == 1:
                out.append(parts[0])
            else:
                out.append(
                    (parts[0][0], *(np.concatenate([p[i] for p in parts]) for i in (1, 2, 3)))
                )
        return out

    def _from_tables(self, t, rx, ry, rz, log_u):
        nl = self.nlogn
        n_uxz = t.sum(3)  # (m, u, x, z)
        n_uyz = t.sum(2)  # (m, u, y, z)
        n_uz = n_uxz.sum(2)  # (m, u, z)
        n_uxy = t[0].sum(-1)  # (u, x, y): the same for every candidate
        n_ux, n_uy = n_uxy.sum(2), n_uxy.sum(1)
        n_u = n_ux.sum(1)
        s_uz = nl[n_uz].sum((1, 2))
        s_uxz = nl[n_uxz].sum((1, 2, 3))
        s_uyz = nl[n_uyz].sum((1, 2, 3))
        s_u, s_ux, s_uy = nl[n_u].sum(), nl[n_ux].sum(), nl[n_uy].sum()
        info_xy_uz = nl[t].sum((1, 2, 3, 4)) + s_uz - s_uxz - s_uyz
        info_xz_u = s_uxz + s_u - s_ux - s_uz
        info_yz_u = s_uyz + s_u - s_uy - s_uz
        info_xy_u = nl[n_uxy].sum() + s_u - s_ux - s_uy
        rz = rz.astype(float)
        if self.complexity == "mdl":
            states = np.exp(log_u) * self.log_n * 0.5
            k_xy_u = (rx - 1) * (ry - 1) * states
            k_xy_uz = k_xy_u * rz
            k_xz_u = (rx - 1) * (rz - 1) * states
            k_yz_u = (ry - 1) * (rz - 1) * states
        else:
            lc = self.log_c
            rzi = rz.astype(np.int64)
            k_xy_u = self._cost_pair(rx, ry, n_ux, n_uy, n_u, log_u)
            lc_x_uz = lc[rx][n_uz].sum((1, 2))
            lc_y_uz = lc[ry][n_uz].sum((1, 2))
            k_xy_uz = 0.5 * (
                lc[rx][n_uyz].sum((1, 2, 3)) - lc_x_uz + lc[ry][n_uxz].sum((1, 2, 3)) - lc_y_uz
            )
            # log C(r_z, .) differs per candidate: index the table by (r_z, count).
            lc_z_u = lc[rzi[:, None], n_u[None, :]].sum(1)
            lc_z_ux = lc[rzi[:, None, None], n_ux[None]].sum((1, 2))
            lc_z_uy = lc[rzi[:, None, None], n_uy[None]].sum((1, 2))
            k_xz_u = 0.5 * (lc_x_uz - lc[rx][n_u].sum() + lc_z_ux - lc_z_u)
            k_yz_u = 0.5 * (lc_y_uz - lc[ry][n_u].sum() + lc_z_uy - lc_z_u)
        return (
            float(info_xy_u - k_xy_u),
            info_xy_uz - k_xy_uz,
            info_xz_u - k_xz_u,
            info_yz_u - k_yz_u,
        )


def _level0(counts: _Counts, mi_nats: np.ndarray, marginals: list[np.ndarray]) -> np.ndarray:
    """I'(X;Y) for every pair: N I(X;Y) minus the pair's cost, from the marginals alone."""
    n, cards = counts.n, counts.cards
    if counts.complexity == "mdl":
        cost = 0.5 * np.outer(cards - 1, cards - 1) * counts.log_n
    else:
        lc = counts.log_c
        # b[j, i] = sum over levels l of j of log C(r_i, n_jl) - log C(r_i, N): the cost of
        # j as a parent of i.  The symmetric cost is the mean of both directions.
        levels = np.unique(cards)
        by_level = np.array([[lc[r][m].sum() for r in levels] for m in marginals])
        b = by_level[:, np.searchsorted(levels, cards)] - lc[cards, n]
        cost = 0.5 * (b + b.T)
    shifted = n * mi_nats - cost
    np.fill_diagonal(shifted, -np.inf)
    return shifted


# --------------------------------------------------------------------------------------
# The skeleton
# --------------------------------------------------------------------------------------


def _check_table(frame: pd.DataFrame, missing: str):
    """Refuse what MIIC cannot learn from, before any work."""
    floats = [label for label in frame.columns if _is_float(frame[label])]
    if floats:
        shown = ", ".join(map(repr, floats[:10])) + (" ..." if len(floats) > 10 else "")
        raise ContinuousDataError(
            f"miic needs discrete columns; column(s) {shown} are continuous. Discretize them "
            "first (mistruct.data.Discretizer, e.g. Discretizer(n_bins=5).fit_transform(data)), "
            "or name integer columns in discrete=[...]."
        )
    if frame.shape[1] < 2:
        raise InvalidInputError(
            f"miic needs at least two columns to learn a graph, got {frame.shape[1]}."
        )
    check_missing(missing)


def _checked(data, complexity, columns, exclude, discrete, continuous, missing, chunk_size,
             *, learner: str) -> tuple:
    """The options checked and the table read once at the door, before any work."""
    complexity = check_option(complexity, "complexity", COMPLEXITIES)
    chunk_size = check_chunk_size(chunk_size)
    frame = _door(data, columns=columns, exclude=exclude, discrete=discrete,
                  continuous=continuous, learner=learner)
    _check_table(frame, missing)
    return frame, complexity, missing, chunk_size


def _learn(frame: pd.DataFrame, complexity: str, missing: str, chunk_size: int):
    table = encode(frame, missing=missing)
    names = table.names
    p = len(names)
    if table.n_rows < 2:
        raise InvalidInputError(
            f"miic needs at least two rows, got {table.n_rows}"
            + (" after dropping rows with missing values." if missing == "drop" else ".")
        )
    cards = np.asarray(table.cardinalities, dtype=np.int64)
    if complexity == "nml":
        _check_nml_size(int(cards.max()), table.n_rows, names, cards)
    counts = _Counts(table.codes, cards, complexity, names)
    pair_counts = pairwise_counts(table.codes, cards, chunk_size=chunk_size)
    mi = _symmetrize(mi_matrix_nats(pair_counts, "plugin"))
    marginals = [pair_counts.marginal(j).astype(np.int64) for j in range(p)]
    shifted0 = _level0(counts, mi, marginals)
    # Every pair is read with its lower-ranked label first, so that a table and its
    # transpose never meet and the floats do not depend on the column order.
    rank = _name_ranks(names)
    order = np.argsort(rank, kind="stable")
    # The candidates of an edge: the nodes marginally dependent on either end.
    first = {i: frozenset(np.flatnonzero(shifted0[i] > 0).tolist()) for i in range(p)}
    edges = {}
    for a_pos, b_pos in itertools.combinations(range(p), 2):
        x, y = int(order[a_pos]), int(order[b_pos])
        edges[(x, y)] = {"given": [], "shifted": float(shifted0[x, y]), "contributions": []}
    removed = {e for e, state in edges.items() if state["shifted"] <= 0}
    active = [e for e in edges if e not in removed]  # in the labels' order
    rounds = 0
    while active:
        rounds += 1
        jobs = []
        for x, y in active:
            state = edges[(x, y)]
            # Candidates: the nodes marginally dependent on X or on Y (fixed, so the edges
            # of a round do not depend on each other or on their order).
            pool = (first[x] | first[y]) - {x, y} - set(state["given"])
            if pool:
                cands = np.array(sorted(pool, key=lambda z: rank[z]), dtype=np.int64)
                jobs.append((x, y, state["given"], cands))
        still = []
        for start in range(0, len(jobs), _JOBS_PER_BATCH):
            batch = jobs[start : start + _JOBS_PER_BATCH]
            for (x, y, _, cands), result in zip(batch, counts.evaluate(batch), strict=True):
                if _step(edges[(x, y)], cands, *result):
                    still.append((x, y))
                elif edges[(x, y)]["shifted"] <= 0:
                    removed.add((x, y))
        active = still
    return table, names, counts, mi, edges, removed, rank, rounds


def _step(state, cands, ixy_u, ixy_uz, ixz_u, iyz_u) -> bool:
    """Add the best contributor to the edge's set; whether the edge goes on to another round."""
    three = ixy_u - ixy_uz  # I'(X;Y;Z|U): positive when Z explains part of X - Y
    # R = min(P_nv, P_b) with logistic probabilities: the logistic is monotone, so the
    # candidate with the largest R has the largest min of the arguments (compared before
    # the logistic saturates at 1).
    score = np.minimum(three, np.minimum(ixz_u - ixy_u, iyz_u - ixy_u))
    best = int(np.argmax(score))  # ties: the lowest-ranked label, candidates are sorted
    if not score[best] > 0:
        return False  # no candidate with R > 1/2: the edge stays
    z = int(cands[best])
    state["given"].append(z)
    state["contributions"].append((z, float(three[best]), float(expit(score[best]))))
    state["shifted"] = float(ixy_uz[best])
    return state["shifted"] > 0


def _skeleton_graph(names, mi, edges, removed, complexity, rounds, n_rows) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(names)
    sepsets = {}
    for (x, y), state in edges.items():
        given = tuple(names[z] for z in state["given"])
        if (x, y) in removed:
            sepsets[frozenset((names[x], names[y]))] = given
            continue
        graph.add_edge(
            names[x],
            names[y],
            mi=float(mi[x, y] / _LN2),
            shifted_info=state["shifted"],
            contributors=given,
        )
    graph.graph.update(
        method="miic",
        complexity=complexity,
        sepsets=sepsets,
        n_rows=n_rows,
        rounds=rounds,
    )
    return graph


def miic_skeleton(
    data,
    *,
    complexity: str = "nml",
    columns=None,
    exclude=None,
    discrete=None,
    continuous=None,
    missing: str = "error",
    chunk_size: int = 4096,
) -> nx.Graph:
    """The MIIC skeleton of a discrete table: edges whose shifted information stays positive.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Discrete columns; never modified.
    complexity, columns, exclude, discrete, continuous, missing, chunk_size
        As in :func:`miic`.

    Returns
    -------
    networkx.Graph
        Edge attributes ``mi`` (plug-in I(X;Y) in bits), ``shifted_info``
        (N I(X;Y|U) - k in nats given the contributors ``U``) and
        ``contributors``; ``G.graph["sepsets"]`` maps ``frozenset({a, b})``
        to the separating set (in the order the contributors were found) of
        every removed pair.

    See Also
    --------
    miic : the skeleton oriented into a CPDAG-like graph.

    Examples
    --------
    >>> from mistruct.interop.datasets import sample_network
    >>> skeleton = miic_skeleton(sample_network("asia", 5000, seed=0).data)
    >>> skeleton.has_edge("either", "xray"), skeleton.has_edge("smoke", "xray")
    (True, False)
    """
    table, names, _, mi, edges, removed, _, rounds = _learn(*_checked(
        data, complexity, columns, exclude, discrete, continuous, missing, chunk_size,
        learner="MIIC skeleton",
    ))
    return _skeleton_graph(names, mi, edges, removed, complexity, rounds, table.n_rows)


# --------------------------------------------------------------------------------------
# Orientation
# --------------------------------------------------------------------------------------


def _unshielded_information(counts, names, edges, removed, adjacency):
    """I'(X;Y;Z|U_XY) of every unshielded triple X - Z - Y, keyed (x, z, y) with x < y.

    A node already among the contributors of the pair is a non-collider: its
    value is the contribution it made when it joined.  The others are
    counted together, one batch per separated pair.
    """
    values, jobs = {}, []
    for x, y in sorted(removed):
        common = adjacency[x] & adjacency[y]
        if not common:
            continue
        state = edges[(x, y)]
        joined = {z: three for z, three, _ in state["contributions"]}
        for z in common & joined.keys():
            values[(x, z, y)] = joined[z]
        fresh = sorted(common - joined.keys())
        if fresh:
            jobs.append((x, y, state["given"], np.array(fresh, dtype=np.int64)))
    for start in range(0, len(jobs), _JOBS_PER_BATCH):
        batch = jobs[start : start + _JOBS_PER_BATCH]
        for (x, y, _, cands), result in zip(batch, counts.evaluate(batch), strict=True):
            ixy_u, ixy_uz = result[0], result[1]
            for z, three in zip(cands.tolist(), (ixy_u - ixy_uz).tolist(), strict=True):
                values[(x, z, y)] = three
    return values


def _orient(names, rank, adjacency, triples):
    """Arrows from the v-structures (negative three-point information), then Meek's rules.

    Returns ``{(a, b): probability}`` for every arrow a -> b (positions).
    """
    arrows = {}
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(names)))

    def closes_cycle(a, b):
        return nx.has_path(graph, b, a)

    def put(a, b, probability):
        arrows[(a, b)] = probability
        graph.add_edge(a, b)

    # The most negative three-point information first (the most probable v-structure);
    # ties by the labels' order, so no column order can change the result.
    colliders = sorted(
        (three, rank[x], rank[z], rank[y], x, z, y)
        for (x, z, y), three in triples.items()
        if three < 0
    )
    for three, *_, x, z, y in colliders:
        probability = float(expit(-three))
        for a in (x, y):
            if (z, a) in arrows or (a, z) in arrows or closes_cycle(a, z):
                continue  # an earlier, stronger triple decided this edge
            put(a, z, probability)

    def undirected(a, b):
        return b in adjacency[a] and (a, b) not in arrows and (b, a) not in arrows

    changed = True
    while changed:
        changed = False
        pending = sorted(
            ((a, b) for a in adjacency for b in adjacency[a] if undirected(a, b)),
            key=lambda e: (rank[e[0]], rank[e[1]]),
        )
        for a, b in pending:
            if not undirected(a, b):
                continue
            forced = _meek(adjacency, arrows, undirected, a, b)
            if forced is not None and not closes_cycle(a, b):
                put(a, b, forced)
                changed = True
    return arrows


def _meek(adjacency, arrows, undirected, x, y):
    """The probability of the arrows that force x - y into x -> y by Meek's rules 1-3, or None."""
    # R1 (MIIC's propagation of a non-v-structure): w -> x - y, w and y not adjacent.
    r1 = [arrows[(w, x)] for w in adjacency[x] if (w, x) in arrows and y not in adjacency[w]]
    if r1:
        return max(r1)
    # R2: x -> w -> y (acyclicity).
    r2 = [
        min(arrows[(x, w)], arrows[(w, y)])
        for w in adjacency[x]
        if (x, w) in arrows and (w, y) in arrows
    ]
    if r2:
        return max(r2)
    # R3: x - u -> y and x - v -> y with u, v not adjacent.
    middles = [w for w in adjacency[x] if w != y and undirected(x, w) and (w, y) in arrows]
    r3 = [
        min(arrows[(u, y)], arrows[(v, y)])
        for u, v in itertools.combinations(middles, 2)
        if v not in adjacency[u]
    ]
    return max(r3) if r3 else None


def miic(
    data,
    *,
    complexity: str = "nml",
    columns=None,
    exclude=None,
    discrete=None,
    continuous=None,
    missing: str = "error",
    chunk_size: int = 4096,
) -> nx.DiGraph:
    """MIIC (Verny et al. 2017): a network from multivariate information, as a CPDAG-like graph.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Discrete columns (bool, category, string, integer codes); never
        modified.  Continuous columns are refused: discretize them first
        (:class:`mistruct.data.Discretizer`).
    complexity : {"nml", "mdl"}, default "nml"
        The complexity cost ``k`` of the shifted information ``N I - k``:
        the factorized normalized maximum likelihood (Affeldt & Isambert
        2015; Cabeli et al. 2020) or MDL / BIC, ``k = (r_x - 1)(r_y - 1)
        r_U log(N) / 2``.  MDL removes more edges at small ``N``.
    columns : list, optional
        Columns to use (all by default).
    exclude : label or list of labels, optional
        Columns to leave out (e.g. row identifiers).
    discrete, continuous : list of labels, optional
        Labels of columns to treat as discrete / continuous, overriding the
        automatic rule of :func:`mistruct.data.column_kinds` (name a
        many-level integer column in ``discrete`` to learn from it).
    missing : {"error", "drop", "category"}, default "error"
        Missing values: an error naming the columns, rows dropped, or a
        level of their own.
    chunk_size : int, default 4096
        Rows per product of the all-pairs counts.

    Returns
    -------
    networkx.DiGraph
        As :func:`pc` returns: an arrow ``a -> b`` appears once, an undirected
        edge as the two arcs ``a -> b`` and ``b -> a``.  Edge attributes:
        ``mi`` (plug-in I(X;Y) in bits), ``shifted_info`` (N I(X;Y|U) - k in
        nats given the contributors ``U``: positive on every edge),
        ``contributors`` (U) and, on arrows, ``orientation_probability``
        (the logistic probability of the v-structure that set it, or of the
        arrows that forced it by propagation).  Graph attributes: ``sepsets``
        (``frozenset({a, b})`` -> separating set of every removed pair),
        ``three_point`` (``(a, c, b)`` -> I'(a;b;c|sepset) in nats for every
        unshielded triple ``a - c - b``), ``method``, ``complexity``,
        ``n_rows``, ``rounds``.

    Raises
    ------
    ContinuousDataError
        A continuous column (before any work).
    InvalidInputError
        Fewer than two columns or rows, missing values with
        ``missing="error"``, an unknown option.

    See Also
    --------
    pc : the same kind of graph from conditional independence tests.
    cpdag_to_dag : a DAG to fit from the result.
    mistruct.data.Discretizer : bin continuous columns first.

    Notes
    -----
    *Shifted information.*  With ``N`` rows, the information that a
    dependence of X and Y given a set U carries beyond its cost is
    ``I'(X;Y|U) = N I(X;Y|U) - k(X;Y|U)`` (nats), the plug-in conditional
    mutual information less the complexity of the extra parameters.  The
    NML cost (Affeldt & Isambert 2015; Cabeli et al. 2020) is the
    factorized one, symmetrized:
    ``k = 1/2 sum_u [sum_y log C(r_x, n_yu) - log C(r_x, n_u) + sum_x log
    C(r_y, n_xu) - log C(r_y, n_u)]``, with ``C(r, n)`` the parametric
    complexity of an r-state multinomial over n samples (Kontkanen &
    Myllymäki 2007; exact for n <= 200, Szpankowski's expansion above).

    *Skeleton* (Verny et al. 2017, after Affeldt & Isambert's 3off2).
    Start from the complete graph and remove every pair with
    ``I'(X;Y) <= 0``.  Then, round after round, each remaining edge takes
    its best *contributor*: the node Z (a neighbour of X or of Y) with the
    largest rank ``R = min(P_nv, P_b)``, where ``P_nv = σ(I'(X;Y;Z|U))``
    (σ the logistic function; the three-point information
    ``I'(X;Y;Z|U) = I'(X;Y|U) - I'(X;Y|U,Z)`` is positive when Z explains
    part of the X - Y dependence) and ``P_b = min(σ(I'(X;Z|U) - I'(X;Y|U)),
    σ(I'(Y;Z|U) - I'(X;Y|U)))`` (Z more tightly linked to both ends than
    they are to each other).  Z joins U; once ``I'(X;Y|U) <= 0`` the edge
    goes, U being its separating set; an edge with no candidate of positive
    three-point information stays.  Two choices differ from the papers'
    priority queue, and both make the result independent of the column and
    processing order: every edge of a round sees the graph as the round
    began (the rule of PC-stable, Colombo & Maathuis 2014), and ties go to
    the lowest label.  Candidates are restricted to nodes marginally
    dependent on both ends (``I'(X;Z) > 0`` and ``I'(Y;Z) > 0``): a node
    independent of X has non-positive three-point information with X - Y.

    *Orientation* (Verny et al. 2017).  Every unshielded triple
    ``X - Z - Y`` gets ``I'(X;Y;Z|U_XY)``; negative values are
    v-structures ``X -> Z <- Y``, applied from the most negative (the most
    probable, ``σ(-I')``) down, an arrow that contradicts an earlier one or
    closes a cycle being skipped (MIIC's latent-variable, bidirected
    outcome is not drawn).  The arrows then propagate by Meek's rules 1-3
    (rule 1 is MIIC's propagation through a positive triple).

    The counts: level 0 reads the all-pairs counts of one matrix product;
    every later step counts the (U, X, Y, Z) tables of all candidates Z of
    one edge with one ``bincount``.

    References
    ----------
    Verny, Sella, Affeldt, Singh & Isambert (2017), "Learning causal networks
    with latent variables from multivariate information in genomic data",
    PLoS Comput. Biol. 13(10): e1005662.  Sella et al. (2018), "MIIC online",
    Nucleic Acids Res. 46(W1).  Cabeli et al. (2020), "Learning clinical
    networks from medical records based on information estimates in mixed-type
    data", PLoS Comput. Biol. 16(5).  Affeldt & Isambert (2015), "Robust
    reconstruction of causal graphical models based on conditional 2-point and
    3-point information", UAI.

    Examples
    --------
    >>> from mistruct.interop.datasets import sample_network
    >>> example = sample_network("asia", 5000, seed=0)
    >>> cpdag = miic(example.data)
    >>> cpdag.has_edge("lung", "either"), cpdag.has_edge("either", "lung")
    (True, False)
    >>> "lung" in cpdag.graph["sepsets"][frozenset({"smoke", "either"})]
    True
    """
    table, names, counts, mi, edges, removed, rank, rounds = _learn(*_checked(
        data, complexity, columns, exclude, discrete, continuous, missing, chunk_size,
        learner="MIIC network",
    ))
    skeleton = _skeleton_graph(names, mi, edges, removed, complexity, rounds, table.n_rows)
    adjacency = {i: set() for i in range(len(names))}
    for x, y in edges:
        if (x, y) not in removed:
            adjacency[x].add(y)
            adjacency[y].add(x)
    triples = _unshielded_information(counts, names, edges, removed, adjacency)
    arrows = _orient(names, rank, adjacency, triples)
    cpdag = nx.DiGraph()
    cpdag.add_nodes_from(skeleton.nodes(data=True))
    cpdag.graph.update(skeleton.graph)
    cpdag.graph["three_point"] = {
        (names[x], names[z], names[y]): three
        for (x, z, y), three in sorted(
            triples.items(), key=lambda item: tuple(_sort_key(names[i]) for i in item[0])
        )
    }
    position = {name: i for i, name in enumerate(names)}
    for a, b, attributes in skeleton.edges(data=True):
        i, j = position[a], position[b]
        if (i, j) in arrows:
            cpdag.add_edge(a, b, **attributes, orientation_probability=arrows[(i, j)])
        elif (j, i) in arrows:
            cpdag.add_edge(b, a, **attributes, orientation_probability=arrows[(j, i)])
        else:
            cpdag.add_edge(a, b, **attributes)
            cpdag.add_edge(b, a, **attributes)
    return cpdag
