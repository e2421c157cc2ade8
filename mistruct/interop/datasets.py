"""Example data sampled from the Bayesian networks that pgmpy ships.

pgmpy installs the classic benchmark networks (asia, alarm, child,
insurance, ...) as BIF files inside its package.  This module reads them from
there (never from the network) and draws rows from them with a vectorized
forward sampler, so examples, tests and benchmarks are offline and
reproducible with a seed.  The true network comes back with the rows, to
score learned structures against.
"""

from __future__ import annotations

import functools
import gzip
from dataclasses import dataclass
from importlib import resources

import networkx as nx
import numpy as np
import pandas as pd

from mistruct.exceptions import InvalidInputError

__all__ = ["ExampleData", "list_networks", "load_network", "sample_network"]

_MODELS_PACKAGE = "pgmpy.utils"
_MODELS_FOLDER = "example_models"


@dataclass(frozen=True)
class ExampleData:
    """Rows sampled from a known Bayesian network.

    Attributes
    ----------
    data : DataFrame
        One categorical column per node, categories being the state names.
    graph : networkx.DiGraph
        The true network's structure.
    model : pgmpy.models.DiscreteBayesianNetwork
        The true network with its probability tables.
    name : str

    See Also
    --------
    sample_network : returns it.
    """

    data: pd.DataFrame
    graph: nx.DiGraph
    model: object
    name: str


def _models_dir():
    return resources.files(_MODELS_PACKAGE).joinpath(_MODELS_FOLDER)


def list_networks() -> list[str]:
    """Names of the discrete networks bundled with the installed pgmpy.

    See Also
    --------
    sample_network : rows from one of them.

    Examples
    --------
    >>> {"asia", "alarm", "child", "insurance"} <= set(list_networks())
    True
    """
    return sorted(
        entry.name[: -len(".bif.gz")]
        for entry in _models_dir().iterdir()
        if entry.name.endswith(".bif.gz")
    )


@functools.lru_cache(maxsize=8)
def _read_network(name: str):
    from pgmpy.readwrite import BIFReader

    available = list_networks()
    if name not in available:
        raise InvalidInputError(
            f"no bundled network named {name!r}; available: {', '.join(available)}."
        )
    with gzip.open(_models_dir().joinpath(f"{name}.bif.gz"), "rt") as handle:
        text = handle.read()
    return BIFReader(string=text).get_model()


def load_network(name: str):
    """The bundled network ``name`` as a pgmpy ``DiscreteBayesianNetwork``.

    Each call returns a fresh copy, so changing it does not affect later calls.

    See Also
    --------
    sample_network : rows sampled from it.
    list_networks : the names.

    Examples
    --------
    >>> sorted(load_network("asia").nodes())[:3]
    ['asia', 'bronc', 'dysp']
    """
    return _read_network(name).copy()


def sample_network(name: str, n_samples: int = 10_000, *, seed=None) -> ExampleData:
    """Draw ``n_samples`` rows from the bundled network ``name``.

    Parameters
    ----------
    name : str
        One of :func:`list_networks`, e.g. ``"alarm"``.
    n_samples : int, default 10000
    seed : int or numpy.random.Generator, optional
        Same seed, same rows.

    Returns
    -------
    ExampleData

    See Also
    --------
    load_network : the network alone.
    list_networks : the names.

    Examples
    --------
    >>> example = sample_network("asia", 1000, seed=0)
    >>> example.data.shape
    (1000, 8)
    >>> sorted(example.graph.successors("smoke"))
    ['bronc', 'lung']
    """
    if not isinstance(n_samples, (int, np.integer)) or isinstance(n_samples, bool) or n_samples < 1:
        raise InvalidInputError(f"n_samples must be a positive integer, got {n_samples!r}.")
    if not (
        seed is None
        or isinstance(seed, np.random.Generator)
        or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0)
    ):
        raise InvalidInputError(
            f"seed must be None, an integer >= 0 or a numpy.random.Generator, got {seed!r}."
        )
    rng = np.random.default_rng(seed)
    model = _read_network(name)
    order = list(nx.topological_sort(nx.DiGraph(model.edges())))
    order += [node for node in model.nodes() if node not in order]
    codes: dict[str, np.ndarray] = {}
    for node in order:
        codes[node] = _sample_node(model.get_cpds(node), codes, n_samples, rng)
    columns = {}
    for node in model.nodes():
        states = model.get_cpds(node).state_names[node]
        columns[node] = pd.Categorical.from_codes(codes[node], categories=states)
    graph = nx.DiGraph()
    graph.add_nodes_from(model.nodes())
    graph.add_edges_from(model.edges())
    return ExampleData(data=pd.DataFrame(columns), graph=graph, model=model.copy(), name=name)


def _sample_node(cpd, codes, n_samples, rng) -> np.ndarray:
    """Draw one node given its parents' codes: inverse CDF per parent configuration."""
    cardinality = int(cpd.cardinality[0])
    parents = cpd.variables[1:]
    config = np.zeros(n_samples, dtype=np.int64)
    for parent, k in zip(parents, cpd.cardinality[1:], strict=True):
        config = config * int(k) + codes[parent]
    # values has shape (states, parent configurations) in the parents' mixed radix order.
    cumulative = np.cumsum(cpd.values.reshape(cardinality, -1).T, axis=1)
    uniform = rng.random(n_samples)
    drawn = (uniform[:, None] >= cumulative[config]).sum(axis=1)
    # Rounding can leave the last cumulative value a hair below 1.
    return np.minimum(drawn, cardinality - 1).astype(np.int8 if cardinality < 128 else np.int32)
