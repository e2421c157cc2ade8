"""Feature selection by mutual information: the mRMR family and a significance stop.

:func:`select_features` picks, greedily, the features that carry information
about a target without repeating each other (MIM, MIFS, mRMR difference and
quotient, JMI, JMIM, CMIM, CIFE, DISR), with ``n_features="auto"`` stopping
when the best candidate adds no significant information given the chosen
ones.  :class:`MutualInfoSelector` is the same as a scikit-learn selector
(scikit-learn is imported only when the class is first used).
"""

from mistruct.selection._criteria import CRITERIA, TIE_TOLERANCE
from mistruct.selection._select import SelectionResult, select_features
from mistruct.selection._selector import selector_class

__all__ = [
    "CRITERIA",
    "MutualInfoSelector",
    "SelectionResult",
    "select_features",
]

_KERNELS = (TIE_TOLERANCE,)


def __getattr__(name):
    # MutualInfoSelector subclasses scikit-learn's base classes, so it is built on
    # first access: importing mistruct does not import scikit-learn.
    if name == "MutualInfoSelector":
        return selector_class()
    raise AttributeError(f"module 'mistruct.selection' has no attribute {name!r}")
