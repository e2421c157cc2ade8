"""The queries of the CI tests, parsed and checked in one place for every path.

:func:`ci_test`, :func:`ci_tests` and :func:`ci_tests_encoded` take their
queries from users; the in-memory path and the Dask path
(:mod:`mistruct.independence._dask`) both read them here, so a bad query gets
the same error, with the same message, whatever the table is, and the
warnings about a batch of queries (too many strata for the rows, no
evidence) read the same too.

The decisions, once:

* ``given`` is ``None`` (nothing), one label (a string, bytes or any other
  scalar), or an iterable of labels (list, tuple, set, ``pandas.Index``,
  ``Series``, 1-D ``ndarray``, ...);
* every label is hashable (a column label), else :class:`InvalidInputError`;
* unknown columns: :class:`ColumnNotFoundError` naming them and the columns
  there are;
* ``x == y``, ``x`` or ``y`` in ``given``, and a column repeated in
  ``given``: :class:`InvalidInputError`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from mistruct.exceptions import ColumnNotFoundError, InvalidInputError
from mistruct.independence._core import warn_low_power, warn_no_evidence

__all__ = [
    "CORRECTIONS",
    "as_labels",
    "check_correction",
    "check_query",
    "parse_queries",
    "warn_no_evidence_queries",
    "warn_sparse_queries",
]

#: The multiple-testing corrections :func:`ci_tests` applies.
CORRECTIONS = (None, "holm", "bh")

_SHAPE = "a query is a tuple (x, y) or (x, y, given)."


def as_labels(given) -> tuple:
    """``given`` as a tuple of labels: None -> (), a scalar label -> (label,)."""
    if given is None:
        return ()
    if isinstance(given, (str, bytes)) or np.isscalar(given):
        return (given,)
    if isinstance(given, Iterable):
        return tuple(given)
    return (given,)


def _check_hashable(labels, where: str):
    for label in labels:
        try:
            hash(label)
        except TypeError:
            raise InvalidInputError(
                f"{where}{label!r} ({type(label).__name__}) is not a column label: x, y and "
                "each element of `given` are labels (a string, a number, ...); `given` takes "
                "one label or a flat list of labels."
            ) from None


def check_query(columns, x, y, given, where: str = ""):
    """Errors for a query that names unknown columns or repeats one.

    Parameters
    ----------
    columns : container of labels
        The table's columns (``range(p)`` for column indices).
    x, y : label
        The tested columns.
    given : tuple of labels
        The conditioning set (from :func:`as_labels`).
    where : str, default ""
        Prefix of the messages (which query of a batch).
    """
    named = [x, y, *given]
    _check_hashable(named, where)
    missing = [c for c in named if c not in columns]
    if missing:
        available = ", ".join(repr(c) for c in list(columns)[:20])
        more = " ..." if len(columns) > 20 else ""
        raise ColumnNotFoundError(
            f"{where}column(s) {', '.join(repr(c) for c in missing)} not found in the data; "
            f"available columns: {available}{more}"
        )
    if x == y:
        raise InvalidInputError(
            f"{where}x and y are the same column ({x!r}); a variable is never independent of "
            "itself. Test two different columns."
        )
    inside = [c for c in (x, y) if c in given]
    if inside:
        raise InvalidInputError(
            f"{where}{inside[0]!r} is tested (x or y) and also in the conditioning set "
            f"{list(given)!r}; given a variable, it carries no information, so the test would "
            "be meaningless. Remove it from `given`."
        )
    if len(set(given)) != len(given):
        raise InvalidInputError(f"{where}the conditioning set {list(given)!r} repeats a column.")


def parse_queries(queries, columns, *, single: bool = False) -> list:
    """The ``(x, y, given)`` label queries, each checked against ``columns``.

    Parameters
    ----------
    queries : iterable of tuples
        ``(x, y)`` or ``(x, y, given)``.
    columns : container of labels
        The table's columns.
    single : bool, default False
        One query of :func:`ci_test`: its messages name no query number.

    Returns
    -------
    list of tuples
        ``(x, y, given)`` with ``given`` a tuple of labels.
    """
    if isinstance(queries, (str, bytes)) or not isinstance(queries, Iterable):
        raise InvalidInputError(
            "queries must be a list of (x, y) or (x, y, given) tuples, "
            f"got {type(queries).__name__}."
        )
    parsed = []
    for number, query in enumerate(queries):
        where = "" if single else f"query {number} ({query!r}): "
        if isinstance(query, (str, bytes)) or not isinstance(query, Iterable):
            raise InvalidInputError(f"{where}{_SHAPE}")
        parts = tuple(query)
        if len(parts) not in (2, 3):
            raise InvalidInputError(f"{where}{_SHAPE}")
        given = as_labels(parts[2]) if len(parts) == 3 else ()
        check_query(columns, parts[0], parts[1], given, where)
        parsed.append((parts[0], parts[1], given))
    return parsed


def check_correction(correction):
    """Refuse a multiple-testing correction :func:`ci_tests` does not know."""
    if correction not in CORRECTIONS:
        raise InvalidInputError(
            f"correction={correction!r} is not an option; use None, 'holm' or 'bh'."
        )


def _what(queries, hits, total: int, single: bool) -> str:
    """The queries a warning is about: the one test, or how many of ``total`` and the first."""
    x, y, given = queries[hits[0]]
    if single:
        return f"test of {x!r} and {y!r} given {list(given)}"
    return f"{len(hits)} of {total} queries (first: {(x, y, list(given))})"


def warn_sparse_queries(queries, index_queries, cardinalities, n_rows: int, *, total: int,
                        single: bool, stacklevel: int):
    """A :class:`LowPowerWarning` when some query's Z has more configurations than rows.

    ``index_queries`` are the column-index queries of the label ``queries``
    (all or some of the ``total`` queries asked), in their order;
    ``stacklevel`` is the one the caller would give :func:`warn_low_power`.
    """
    sparse, first = [], None
    for number, (_, _, given) in enumerate(index_queries):
        n_possible = int(np.prod([int(cardinalities[j]) for j in given], dtype=object))
        if n_possible > n_rows:
            sparse.append(number)
            first = n_possible if first is None else first
    if sparse:
        warn_low_power(
            first, n_rows, _what(queries, sparse, total, single), stacklevel=stacklevel + 1
        )


def warn_no_evidence_queries(parsed, results, *, single: bool, stacklevel: int):
    """One :class:`NoEvidenceWarning` naming the first query without evidence and the count.

    ``stacklevel`` is the one the caller would give :func:`warn_no_evidence`.
    """
    silent = [i for i, r in enumerate(results) if r.no_evidence]
    if silent:
        warn_no_evidence(
            _what(parsed, silent, len(parsed), single), results[silent[0]].note,
            stacklevel=stacklevel + 1,
        )
