"""Structure learning: graphs from information measures.

* :func:`chow_liu_tree`, :func:`chow_liu_forest`, :func:`tan` -- trees
  (``nx.DiGraph``) from the mutual information matrix;
* :func:`aracne` -- an MI network pruned by the data processing inequality
  (``nx.Graph``);
* :func:`learn_skeleton` -- one entry point for undirected learners
  (Chow-Liu, ARACNE, PC);
* :func:`dpi_check`, :func:`markov_chain_check` -- check the chains a graph
  claims against the data;
* :func:`structure_metrics` -- SHD, skeleton and arrowhead precision/recall.

Edge attribute ``mi`` is the mutual information in bits.
"""

from mistruct.structure.aracne import aracne, permutation_mi_threshold
from mistruct.structure.chow_liu import chow_liu_forest, chow_liu_tree, tan
from mistruct.structure.dpi import dpi_check, markov_chain_check
from mistruct.structure.metrics import StructureMetrics, structure_metrics
from mistruct.structure.skeleton import SKELETON_METHODS, learn_skeleton

__all__ = [
    "SKELETON_METHODS",
    "StructureMetrics",
    "aracne",
    "chow_liu_forest",
    "chow_liu_tree",
    "dpi_check",
    "learn_skeleton",
    "markov_chain_check",
    "permutation_mi_threshold",
    "structure_metrics",
    "tan",
]
