"""Dask input at the interop doors: the registry the door lines dispatch through.

:mod:`mistruct.interop._dask_fit` (which imports the fitting module, so the
fitting module cannot import it) registers the Dask versions here;
:func:`dask_dispatch` runs them.
"""

from __future__ import annotations

from mistruct.data import is_dask_collection

__all__ = ["DASK_FITTERS", "dask_dispatch", "is_dask_collection"]

#: Function name -> its Dask version.
DASK_FITTERS: dict = {}


def dask_dispatch(name: str, *args, **options):
    """Run the Dask version of the interop function ``name``.

    Parameters
    ----------
    name : str
        The public function's name (``"fit_bayesian_network"``).
    *args, **options
        Its checked arguments.
    """
    return DASK_FITTERS[name](*args, **options)
