"""Structure learning: graphs from information measures.

* :func:`chow_liu_tree`, :func:`chow_liu_forest`, :func:`tan` -- trees
  (``nx.DiGraph``) from the mutual information matrix;
* :func:`aracne` -- an MI network pruned by the data processing inequality
  (``nx.Graph``);
* :func:`pc_skeleton`, :func:`pc` -- PC-stable: the skeleton from
  conditional independence tests, then the CPDAG; :func:`cpdag_to_dag`
  extends a CPDAG to a DAG;
* :func:`learn_skeleton` -- one entry point for the undirected learners
  (``algorithm=`` "chow-liu", "chow-liu-forest", "aracne", "pc");
* :func:`dpi_check`, :func:`markov_chain_check` -- check the chains a graph
  claims against the data;
* :func:`structure_metrics` -- SHD, skeleton and arrowhead precision/recall;
  :func:`write_graph`, :func:`read_graph` -- graphs to and from files.

Every learner takes the same names for the same ideas: ``ci_test`` (a
registered test's name or a test object, ``"auto"`` resolved by the
independence layer), ``alpha``, ``n_permutations`` (None: each test's
default), ``estimator``, ``k``, ``seed``, ``missing``, ``progress``,
``discrete`` and ``continuous``.  One private module per learner; the
helpers they share live in ``_common``.

Edge attribute ``mi`` is the mutual information in bits.
"""

from mistruct.structure._aracne import aracne, permutation_mi_threshold
from mistruct.structure._chow_liu import chow_liu_forest, chow_liu_tree, tan
from mistruct.structure._dask_learners import DASK_LEARNERS  # noqa: F401  (registers them)
from mistruct.structure._dpi import dpi_check, markov_chain_check
from mistruct.structure._io import GRAPH_FORMATS, read_graph, write_graph  # noqa: F401
from mistruct.structure._metrics import StructureMetrics, structure_metrics
from mistruct.structure._miic import miic
from mistruct.structure._pc import cpdag_to_dag, pc, pc_skeleton
from mistruct.structure._skeleton import SKELETON_ALGORITHMS, learn_skeleton

__all__ = [
    "SKELETON_ALGORITHMS",
    "StructureMetrics",
    "aracne",
    "chow_liu_forest",
    "chow_liu_tree",
    "cpdag_to_dag",
    "dpi_check",
    "learn_skeleton",
    "markov_chain_check",
    "miic",
    "pc",
    "pc_skeleton",
    "permutation_mi_threshold",
    "read_graph",
    "structure_metrics",
    "tan",
    "write_graph",
]
