"""One entry point for undirected structure learning: :func:`learn_skeleton`."""

from __future__ import annotations

import inspect

import networkx as nx

from mistruct.data import as_frame
from mistruct.exceptions import InvalidInputError
from mistruct.structure._aracne import aracne
from mistruct.structure._chow_liu import chow_liu_forest, chow_liu_tree
from mistruct.structure._common import DEFAULT_SEED, stated_kinds
from mistruct.structure._miic import miic_skeleton
from mistruct.structure._pc import pc_skeleton

__all__ = ["SKELETON_ALGORITHMS", "learn_skeleton"]

#: algorithm name -> the learner it runs
_LEARNERS = {
    "chow-liu": chow_liu_tree,
    "chow-liu-forest": chow_liu_forest,
    "aracne": aracne,
    "pc": pc_skeleton,
    "miic": miic_skeleton,
}

#: The algorithms :func:`learn_skeleton` runs.
SKELETON_ALGORITHMS = tuple(_LEARNERS)

#: Options whose default is the chosen learner's own (the learners differ): ``None`` here.
_LEARNER_DEFAULTS = ("estimator", "k", "n_permutations")


def _is_default(value, default) -> bool:
    """Whether ``value`` is ``default`` (a plain comparison: values here are scalars or None)."""
    if value is default:
        return True
    if default is None or value is None or isinstance(value, bool) != isinstance(default, bool):
        return False
    try:
        return bool(type(value) is type(default) and value == default)
    except (TypeError, ValueError):  # e.g. an array given where a scalar is expected
        return False


def learn_skeleton(
    data,
    algorithm: str = "chow-liu",
    *,
    alpha: float = 0.05,
    ci_test: str = "auto",
    estimator: str | None = None,
    n_permutations: int | None = None,
    k=None,
    seed=DEFAULT_SEED,
    columns=None,
    exclude=None,
    discrete=None,
    continuous=None,
    missing: str = "error",
    progress: bool = False,
    chunk_size: int = 4096,
    root=None,
    tolerance: float = 0.0,
    tolerance_type: str = "additive",
    mi_threshold=None,
    max_cond_size: int | None = None,
    n_jobs: int = 1,
    max_time: float | None = None,
) -> nx.Graph:
    """Learn an undirected dependency graph (skeleton) with the named algorithm.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Float columns are continuous (kNN estimators and tests), the others
        discrete; never modified.
    algorithm : {"chow-liu", "chow-liu-forest", "aracne", "pc", "miic"}, default "chow-liu"
        * ``"chow-liu"``: :func:`~mistruct.structure.chow_liu_tree`,
          undirected -- a spanning tree (p - 1 edges);
        * ``"chow-liu-forest"``: :func:`~mistruct.structure.chow_liu_forest`,
          undirected -- the tree without its non-significant edges;
        * ``"aracne"``: :func:`~mistruct.structure.aracne`;
        * ``"pc"``: the PC-stable skeleton,
          :func:`~mistruct.structure.pc_skeleton` (separating sets in
          ``G.graph["sepsets"]``);
        * ``"miic"``: the MIIC skeleton (multivariate information with an NML
          complexity cost, :func:`~mistruct.structure.miic`; discrete columns;
          separating sets in ``G.graph["sepsets"]``).
    alpha, ci_test, seed, columns, missing, progress
        As in the chosen learner (``ci_test`` and ``progress``: the forest
        and PC; ``alpha``: the forest, PC and ARACNE's permutation
        threshold).
    estimator, n_permutations, k : optional
        As in the chosen learner; ``None`` (the default) is that learner's
        own default (PC's estimator is ``"plugin"`` and its ``k`` None, the
        MI learners' ``"auto"`` and 3).
    exclude, chunk_size, root
        The MI learners' (``root``: the Chow-Liu tree and forest).
    tolerance, tolerance_type, mi_threshold
        ARACNE's.
    max_cond_size, n_jobs, max_time
        PC's.
    discrete, continuous : list of labels, optional
        Labels of columns to treat as discrete / continuous, overriding the
        automatic rule of :func:`mistruct.data.column_kinds` (many-level
        integer columns are continuous).

    Returns
    -------
    networkx.Graph
        Every column is a node; edge and graph attributes are those of the
        chosen learner (``mi`` in bits on every edge for the MI-based ones).

    Raises
    ------
    InvalidInputError
        An unknown algorithm, or an option the chosen algorithm does not
        take set to anything but its default (before any work).

    See Also
    --------
    chow_liu_tree, chow_liu_forest, aracne, pc_skeleton : the learners.
    pc : the PC skeleton oriented into a CPDAG.

    Examples
    --------
    >>> from mistruct.interop.datasets import sample_network
    >>> data = sample_network("asia", 500, seed=0).data
    >>> tree = learn_skeleton(data)
    >>> type(tree).__name__, tree.number_of_edges(), tree.graph["method"]
    ('Graph', 7, 'chow-liu')
    >>> learn_skeleton(data, "aracne", tolerance=0.1).graph["tolerance"]
    0.1
    >>> learn_skeleton(data, "chow-liu", tolerance=0.1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mistruct.exceptions.InvalidInputError: algorithm='chow-liu' does not take tolerance ...
    """
    if not isinstance(algorithm, str) or algorithm not in _LEARNERS:
        raise InvalidInputError(
            f"algorithm={algorithm!r} is not a skeleton learner; use one of "
            f"{', '.join(map(repr, SKELETON_ALGORITHMS))}."
        )
    given = {
        "alpha": alpha,
        "ci_test": ci_test,
        "estimator": estimator,
        "n_permutations": n_permutations,
        "k": k,
        "seed": seed,
        "columns": columns,
        "exclude": exclude,
        "missing": missing,
        "progress": progress,
        "chunk_size": chunk_size,
        "root": root,
        "tolerance": tolerance,
        "tolerance_type": tolerance_type,
        "mi_threshold": mi_threshold,
        "max_cond_size": max_cond_size,
        "n_jobs": n_jobs,
        "max_time": max_time,
    }
    learner = _LEARNERS[algorithm]
    takes = inspect.signature(learner).parameters
    defaults = inspect.signature(learn_skeleton).parameters
    foreign = [
        name
        for name, value in given.items()
        if name not in takes and not _is_default(value, defaults[name].default)
    ]
    if foreign:
        allowed = [name for name in given if name in takes]
        raise InvalidInputError(
            f"algorithm={algorithm!r} does not take {', '.join(foreign)} (set to "
            f"{', '.join(repr(given[name]) for name in foreign)}); its options are "
            f"{', '.join(allowed)}, discrete and continuous."
        )
    options = {
        name: value
        for name, value in given.items()
        if name in takes and not (name in _LEARNER_DEFAULTS and value is None)
    }
    # The kinds are settled here, once; the learner reads them from the dtypes.
    graph = learner(stated_kinds(as_frame(data), discrete, continuous), **options)
    if graph.is_directed():
        undirected = nx.Graph()
        undirected.add_nodes_from(graph.nodes(data=True))
        undirected.add_edges_from(graph.edges(data=True))
        undirected.graph.update(graph.graph)
        graph = undirected
    return graph
