"""The registry of conditional independence tests: one name per test, ``"auto"`` in one place.

A CI test is a :class:`CITest`: a name, the column kinds it handles
(``{"discrete"}``, ``{"continuous"}`` or both) and a function that runs a
batch of queries on one already-read table.  :func:`ci_test`,
:func:`ci_tests`, the structure learners' kernel
(:func:`ci_tests_by_kind`) and :class:`mistruct.interop.PgmpyCITest` all
look tests up here, so a test registered with :func:`register_ci_test` is
usable by name everywhere.

The protocol of ``run``
-----------------------
``run(frame, queries, context) -> list[CITestResult]``

``frame``
    A :class:`pandas.DataFrame` whose dtypes state the kinds: float columns
    are continuous, every other column discrete (categories, strings,
    booleans, integer codes).  Never modify it.
``queries``
    A list of ``(x, y, given)``: column labels of ``frame``, ``given`` a
    tuple; checked already (columns exist, ``x != y``, neither in
    ``given``) and every column's kind is one the test declares.
``context``
    A :class:`CIContext`: ``alpha``, ``n_permutations`` (None: the test's
    own default), ``missing``, ``n_jobs`` and, for each query,
    ``context.orient(x, y, given)`` -> ``(x, y, given, rng)``: the query in
    canonical order with its random generator, keyed by the seed and the
    query's content, so that results depend on neither column, argument nor
    query order.  A test that draws must draw from that generator only.

It returns one :class:`CITestResult` per query, in query order, with a
p-value in (0, 1] and ``method`` its registered name.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from mistruct.exceptions import ContinuousDataError, InvalidInputError
from mistruct.independence._core import CITestResult, content_query, query_rng

__all__ = [
    "CI_TESTS",
    "CITestResult",
    "CIContext",
    "CITest",
    "get_ci_test",
    "register_ci_test",
]

KINDS = ("continuous", "discrete")

_REGISTRY: dict = {}

#: The registered tests by name (read-only, live: a test registered later appears here).
CI_TESTS = types.MappingProxyType(_REGISTRY)


@dataclass(frozen=True)
class CITest:
    """A conditional independence test as the registry holds it.

    Attributes
    ----------
    name : str
        The name users pass (``method=`` / ``ci_test=``); also
        ``result.method`` of its results.
    kinds : frozenset of {"discrete", "continuous"}
        Column kinds it handles; a query with a column of another kind is
        refused before any work.
    run : callable
        ``run(frame, queries, context) -> list[CITestResult]`` (see the
        module documentation).
    n_permutations : int or None
        Its default number of resamples (None: it does not resample).
    summary : str
        One line for help texts (the CLI lists it).

    See Also
    --------
    register_ci_test : make a test usable by name.
    get_ci_test : look one up.
    """

    name: str
    kinds: frozenset
    run: Callable = field(repr=False, compare=False)
    n_permutations: int | None = None
    summary: str = ""

    def handles(self, kinds) -> bool:
        """Whether every kind in ``kinds`` is one this test declares."""
        return set(kinds) <= self.kinds


@dataclass
class CIContext:
    """What a test's ``run`` needs besides the table and the queries.

    ``orient(x, y, given)`` returns the query in canonical order and its
    random generator.  Two keyings exist, each kept for results that stay
    equal across versions: by the labels' content (``ci_test``,
    ``ci_tests``) and by the ranks of the labels among the table's columns
    (``rank`` given: the structure learners' kernel).
    """

    alpha: float = 0.05
    n_permutations: int | None = None
    entropy: int = 0
    missing: str = "error"
    n_jobs: int = 1
    estimator: str = "plugin"
    h: int = 20
    return_null: bool = False
    progress: object = None
    query_bar: bool = False
    draw_bar: object = None
    low_power: Callable | None = None
    rank: dict | None = None
    k: object = None
    knn_permutations: int | None = None
    knn_stop: tuple = (None, None)
    #: Worker processes (a TestWorkers) for the kNN queries; None: threads (n_jobs).
    workers: object = None

    def key_label(self, label):
        """The label a query's stream is keyed by: the label, or its rank."""
        return label if self.rank is None else self.rank[label]

    def orient(self, x, y, given=()):
        """``(x, y, given, rng)``: the query in canonical order and its generator."""
        if self.rank is None:
            x, y, given, key = content_query(x, y, tuple(given))
            return x, y, given, query_rng(self.entropy, key)
        rank = self.rank
        if rank[x] > rank[y]:
            x, y = y, x
        given = tuple(sorted(given, key=rank.__getitem__))
        a, b = rank[x], rank[y]
        key = (a, b, *sorted(rank[g] for g in given))
        return x, y, given, query_rng(self.entropy, key)

    def permutations(self, test: CITest) -> int | None:
        """The resamples ``test`` draws: the caller's number, else the test's default."""
        if test.name == "knn" and self.knn_permutations is not None:
            return self.knn_permutations
        return test.n_permutations if self.n_permutations is None else self.n_permutations


def register_ci_test(name, run=None, *, kinds, n_permutations=None, summary="", replace=False):
    """Register a conditional independence test under ``name``.

    Usable as a function (``register_ci_test("mine", run, kinds={"discrete"})``)
    or as a decorator (``@register_ci_test("mine", kinds={"discrete"})``).
    Returns the :class:`CITest` (the decorator returns ``run`` unchanged).

    Parameters
    ----------
    name : str
        The name to pass as ``method=`` / ``ci_test=``; ``"auto"`` is taken.
    run : callable
        ``run(frame, queries, context) -> list[CITestResult]`` (see the
        documentation of :mod:`mistruct.independence`'s registry).
    kinds : set of {"discrete", "continuous"}
        Column kinds the test handles.
    n_permutations : int or None
        Its default number of resamples.
    summary : str
        One line for help texts.
    replace : bool, default False
        Allow replacing a registered test of the same name.

    See Also
    --------
    CITest : what a test declares.
    unregister_ci_test : remove it.
    get_ci_test : look one up.

    Examples
    --------
    >>> def always_dependent(frame, queries, context):
    ...     return [CITestResult(statistic=1.0, pvalue=1e-9, dof=None, cmi=0.0,
    ...                          method="always", alpha=context.alpha, independent=False)
    ...             for _ in queries]
    >>> test = register_ci_test("always", always_dependent, kinds={"discrete", "continuous"})
    >>> "always" in CI_TESTS, get_ci_test("always").kinds == {"discrete", "continuous"}
    (True, True)
    >>> unregister_ci_test("always")
    """
    if run is None:

        def decorator(function):
            register_ci_test(
                name,
                function,
                kinds=kinds,
                n_permutations=n_permutations,
                summary=summary,
                replace=replace,
            )
            return function

        return decorator
    if not isinstance(name, str) or not name:
        raise InvalidInputError(f"a CI test's name must be a non-empty string, got {name!r}.")
    if not callable(run):
        raise InvalidInputError(f"run must be callable, got {type(run).__name__}.")
    if isinstance(kinds, str):
        kinds = {kinds}
    kinds = frozenset(kinds)
    if not kinds or not kinds <= set(KINDS):
        raise InvalidInputError(
            f"kinds must be a non-empty subset of {set(KINDS)}, got {set(kinds)!r}."
        )
    if name in _REGISTRY and not replace:
        raise InvalidInputError(
            f"a CI test named {name!r} is registered already; pick another name or pass "
            "replace=True."
        )
    test = CITest(name, kinds, run, n_permutations, summary)
    _REGISTRY[name] = test
    return test


def unregister_ci_test(name) -> None:
    """Remove a registered test (the built-in ones cannot be removed).

    Parameters
    ----------
    name : str
        The name the test was registered under; a name that is not
        registered is ignored.
    """
    if name in _BUILTIN:
        raise InvalidInputError(f"{name!r} is a built-in CI test; it cannot be removed.")
    _REGISTRY.pop(name, None)


_BUILTIN: set = set()


def get_ci_test(ci_test) -> CITest:
    """The :class:`CITest` named ``ci_test`` (or ``ci_test`` itself when it is a CITest).

    Parameters
    ----------
    ci_test : str or CITest
        A built-in or registered test name (e.g. ``"g-test"``), or a
        :class:`CITest`, returned as is.

    Raises
    ------
    InvalidInputError
        For a name that is not registered, listing those that are.

    See Also
    --------
    register_ci_test : add a test.
    ci_test : run a test by name.

    Examples
    --------
    >>> get_ci_test("g-test").kinds == {"discrete"}
    True
    """
    return lookup_ci_test(ci_test, "ci_test")


def lookup_ci_test(test, name: str = "method") -> CITest:
    """:func:`get_ci_test` with the error naming the caller's parameter."""
    if isinstance(test, CITest):
        return test
    if isinstance(test, str) and test in _REGISTRY:
        return _REGISTRY[test]
    raise InvalidInputError(
        f"{name}={test!r} is not a test; use one of {', '.join(repr(n) for n in _REGISTRY)}, "
        "or a test registered with mistruct.independence.register_ci_test."
    )


def column_kind(frame: pd.DataFrame, label) -> str:
    """``"continuous"`` for a float (or complex) column, else ``"discrete"``.

    The table was read once at the door (:func:`mistruct.data.apply_kinds`),
    so the dtype states the kind.
    """
    dtype = frame[label].dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "discrete"
    types_ = pd.api.types
    return "continuous" if types_.is_float_dtype(dtype) or types_.is_complex_dtype(dtype) else (
        "discrete"
    )


def query_kinds(frame: pd.DataFrame, query) -> set:
    x, y, given = query
    return {column_kind(frame, c) for c in (x, y, *given)}


def check_kinds(test: CITest, frame: pd.DataFrame, queries, name: str = "method"):
    """Errors, before any work, for a query with a column kind ``test`` does not handle."""
    for x, y, given in queries:
        columns = (x, y, *given)
        wrong = [c for c in columns if column_kind(frame, c) not in test.kinds]
        if not wrong:
            continue
        if "continuous" not in test.kinds:
            raise ContinuousDataError(
                f"{name}={test.name!r} is a test of discrete columns, but {wrong!r} are "
                f"continuous (float); use {name}='auto' (kNN tests where a continuous column is "
                "involved), 'knn' or 'gaussian', pass discrete=[...] if their values are "
                "categories, or bin them first (mistruct.Discretizer)."
            )
        raise InvalidInputError(
            f"{name}={test.name!r} is a test of continuous columns, but {wrong!r} are discrete; "
            f"use {name}='auto' or a test of discrete columns, or pass continuous=[...] if "
            "their values are measurements."
        )


def run_ci_queries(test, frame: pd.DataFrame, queries, context: CIContext, name="method"):
    """Run ``queries`` with ``test`` (a name or a CITest): kinds checked, results in order."""
    test = lookup_ci_test(test, name)
    queries = [(x, y, tuple(given)) for x, y, given in queries]
    check_kinds(test, frame, queries, name)
    if not queries:
        return []
    results = list(test.run(frame, queries, context))
    if len(results) != len(queries):
        raise RuntimeError(
            f"CI test {test.name!r} returned {len(results)} results for {len(queries)} queries."
        )
    return results


def auto_choice(frame: pd.DataFrame, query) -> str:
    """The test ``"auto"`` runs on one query: ``"knn"`` with a continuous column, else the
    discrete rule (adjusted G where :func:`asymptotic_fits` says the chi-squared law fits the
    strata, else the exact sequential test), which needs the counts and so is decided by the
    discrete engine: the returned name is then ``"auto"``."""
    return "knn" if "continuous" in query_kinds(frame, query) else "auto"


def run_auto(frame, queries, context):
    """``"auto"``: per query, kNN with a continuous column; else adjusted G or sequential."""
    results = [None] * len(queries)
    groups: dict = {}
    for position, query in enumerate(queries):
        groups.setdefault(auto_choice(frame, query), []).append(position)
    for name, positions in groups.items():
        test = _REGISTRY["knn"] if name == "knn" else _DISCRETE_AUTO
        outcomes = test.run(frame, [queries[p] for p in positions], context)
        for position, outcome in zip(positions, outcomes, strict=True):
            results[position] = outcome
    return results


def _builtin(test: CITest):
    _REGISTRY[test.name] = test
    _BUILTIN.add(test.name)


# The discrete half of "auto" (set by the discrete tests' module at import).
_DISCRETE_AUTO = None


def set_discrete_auto(test: CITest):
    global _DISCRETE_AUTO
    _DISCRETE_AUTO = test


_builtin(
    CITest(
        "auto",
        frozenset(KINDS),
        run_auto,
        None,
        "per query: adjusted G-test where the chi-squared law fits, else the exact sequential "
        "test; the kNN test where a continuous column is involved",
    )
)
