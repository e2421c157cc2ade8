"""One entry point for undirected structure learning: :func:`learn_skeleton`."""

from __future__ import annotations

import importlib
import inspect

import networkx as nx
import pandas as pd

from mistruct import data as _data  # package
from mistruct.exceptions import InvalidInputError

__all__ = ["SKELETON_METHODS", "learn_skeleton"]

#: method name -> (module, function); modules are imported only when used
_METHODS = {
    "chow-liu": ("mistruct.structure._chow_liu", "chow_liu_tree"),
    "chow-liu-forest": ("mistruct.structure._chow_liu", "chow_liu_forest"),
    "aracne": ("mistruct.structure._aracne", "aracne"),
    "pc": ("mistruct.structure._pc", "pc_skeleton"),
}

SKELETON_METHODS = tuple(_METHODS)


def _learner(method: str):
    if method not in _METHODS:
        raise InvalidInputError(
            f"method={method!r} is not a skeleton learner; use one of "
            f"{', '.join(map(repr, SKELETON_METHODS))}."
        )
    module_name, function_name = _METHODS[method]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise NotImplementedError(
            f"method={method!r} is not available in this version of mistruct "
            f"({module_name} is missing); use 'chow-liu', 'chow-liu-forest' or 'aracne'."
        ) from None
    function = getattr(module, function_name, None)
    if function is None:
        raise NotImplementedError(
            f"method={method!r} is not available: {module_name} has no {function_name}."
        )
    return function


def stated_kinds(frame, discrete=None, continuous=None) -> pd.DataFrame:
    """The table with dtypes that state the column kinds (:func:`mistruct.data.apply_kinds`).

    Integer columns forced discrete also become categories: below the door
    kinds are read from dtypes, and the automatic rule would take a
    many-level integer column for a continuous one again.
    """
    out = _data.apply_kinds(frame, discrete=discrete, continuous=continuous)
    forced = [
        c
        for c in (discrete or ())
        if c in out.columns and pd.api.types.is_integer_dtype(out[c].dtype)
    ]
    if forced:
        out = out.copy(deep=False)
        for c in forced:
            out[c] = out[c].astype("category")
    return out


def learn_skeleton(
    data, method: str = "chow-liu", *, discrete=None, continuous=None, **options
) -> nx.Graph:
    """Learn an undirected dependency graph (skeleton) with the named method.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Float columns are continuous (kNN estimators and tests), the others
        discrete; never modified.
    method : {"chow-liu", "chow-liu-forest", "aracne", "pc"}, default "chow-liu"
        * ``"chow-liu"``: :func:`~mistruct.structure.chow_liu_tree`,
          undirected -- a spanning tree (p - 1 edges);
        * ``"chow-liu-forest"``:
          :func:`~mistruct.structure.chow_liu_forest`, undirected --
          the tree without its non-significant edges;
        * ``"aracne"``: :func:`~mistruct.structure.aracne`;
        * ``"pc"``: the PC-stable skeleton, ``mistruct.structure.pc_skeleton``
          (separating sets in ``G.graph["sepsets"]``).
    discrete, continuous : list of labels, optional
        Labels of columns to treat as discrete / continuous, overriding the
        automatic rule of :func:`mistruct.data.column_kinds` (many-level
        integer columns are continuous).
    **options
        Keyword arguments of the chosen function (e.g. ``alpha``,
        ``estimator``, ``tolerance``).  An option the method does not take is
        an error that lists the ones it does.

    Returns
    -------
    networkx.Graph
        Every column is a node; edge and graph attributes are those of the
        chosen method (``mi`` in bits on every edge for the MI-based ones).

    Examples
    --------
    >>> from mistruct.interop.datasets import sample_network
    >>> data = sample_network("asia", 500, seed=0).data
    >>> tree = learn_skeleton(data)
    >>> type(tree).__name__, tree.number_of_edges(), tree.graph["method"]
    ('Graph', 7, 'chow-liu')
    >>> learn_skeleton(data, "aracne", tolerance=0.1).graph["tolerance"]
    0.1
    """
    if not isinstance(method, str):
        raise InvalidInputError(f"method must be a string, got {method!r}.")
    function = _learner(method)
    parameters = inspect.signature(function).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    if not takes_any:
        allowed = [
            name
            for name, p in parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
            or (p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and name != "data")
        ]
        unknown = sorted(set(options) - set(allowed))
        if unknown:
            raise InvalidInputError(
                f"method={method!r} does not take {', '.join(unknown)}; its options are "
                f"{', '.join(allowed)}."
            )
    # The kinds are settled here, once; the learner reads them from the dtypes.
    graph = function(stated_kinds(_data.as_frame(data), discrete, continuous), **options)
    if graph.is_directed():
        undirected = nx.Graph()
        undirected.add_nodes_from(graph.nodes(data=True))
        undirected.add_edges_from(graph.edges(data=True))
        undirected.graph.update(graph.graph)
        graph = undirected
    return graph
