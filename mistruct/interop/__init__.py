"""The bridge to pgmpy (imported only here): CI tests inside pgmpy's PC, fitted
Bayesian networks, BIF files, held-out log-likelihood, and pgmpy's bundled
example networks (:mod:`mistruct.interop.datasets`).
"""

from mistruct.interop import datasets
from mistruct.interop._bayesnet import fit_bayesian_network, log_likelihood, read_bif, write_bif
from mistruct.interop._ci_adapter import PgmpyCITest

__all__ = [
    "PgmpyCITest",
    "datasets",
    "fit_bayesian_network",
    "log_likelihood",
    "read_bif",
    "write_bif",
]
