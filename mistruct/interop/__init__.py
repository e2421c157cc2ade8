"""The bridge to pgmpy (imported only here): CI tests inside pgmpy's PC, fitted
Bayesian networks, BIF files, held-out log-likelihood, and pgmpy's bundled
example networks (:mod:`mistruct.interop.datasets`).
"""

from mistruct.interop import datasets
from mistruct.interop._bayesnet import fit_bayesian_network, log_likelihood, read_bif, write_bif
from mistruct.interop._ci_adapter import PgmpyCITest
from mistruct.interop._dask_fit import DASK_FITTERS  # noqa: F401  (registers them)
from mistruct.interop._network import NETWORK_SCORES, NETWORK_SKELETONS, learn_network

__all__ = [
    "NETWORK_SCORES",
    "NETWORK_SKELETONS",
    "PgmpyCITest",
    "datasets",
    "fit_bayesian_network",
    "learn_network",
    "log_likelihood",
    "read_bif",
    "write_bif",
]
