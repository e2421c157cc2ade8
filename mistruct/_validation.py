"""Checks of the options every layer shares, in one place.

Each check returns the value in its canonical type or raises
:class:`~mistruct.exceptions.InvalidInputError` with a message that names the
option, what was given and what to pass instead.  Public functions call them
at their door, before any work.  Booleans are refused wherever a number is
expected: ``True`` is an ``int`` to Python, but never what a user meant.
"""

from __future__ import annotations

import numbers
import os

import numpy as np

from mistruct.exceptions import InvalidInputError

__all__ = [
    "MAX_PERMUTATIONS",
    "MISSING_POLICIES",
    "check_alpha",
    "check_bool",
    "check_int",
    "check_missing",
    "check_n_jobs",
    "check_n_permutations",
    "check_option",
    "check_seed",
]

#: Most null replicates one test may draw: 10**7 already takes hours and,
#: with the null returned, memory beyond a machine; 10**4 resolves p to 1e-4.
MAX_PERMUTATIONS = 10**7

#: What a function may do with missing values.
MISSING_POLICIES = ("error", "drop", "category")


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_int(value, name: str, *, low: int = 1, high: int | None = None, hint: str = "") -> int:
    """``value`` as an ``int`` in ``[low, high]``; booleans are refused.

    Examples
    --------
    >>> check_int(5, "k")
    5
    >>> check_int(True, "k")
    Traceback (most recent call last):
    ...
    mistruct.exceptions.InvalidInputError: k must be an integer >= 1, got True.
    """
    hint = f" {hint}" if hint and not hint.startswith(" ") else hint
    if not _is_int(value) or value < low:
        raise InvalidInputError(f"{name} must be an integer >= {low}, got {value!r}.{hint}")
    if high is not None and value > high:
        raise InvalidInputError(f"{name}={value} is too large: at most {high} here.{hint}")
    return int(value)


def check_alpha(alpha, name: str = "alpha") -> float:
    """``alpha`` as a float strictly between 0 and 1.

    Examples
    --------
    >>> check_alpha(0.05)
    0.05
    """
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, numbers.Real) or not (
        0 < alpha < 1
    ):
        raise InvalidInputError(
            f"{name} must be a number strictly between 0 and 1, got {alpha!r} "
            "(e.g. 0.05 for a 5% significance level)."
        )
    return float(alpha)


def check_n_permutations(value, name: str = "n_permutations") -> int:
    """The number of null replicates: a positive integer up to :data:`MAX_PERMUTATIONS`.

    Examples
    --------
    >>> check_n_permutations(999)
    999
    """
    if not _is_int(value) or value < 1:
        raise InvalidInputError(
            f"{name} must be a positive integer, got {value!r} (e.g. 1000; the smallest "
            f"attainable p-value is 1 / ({name} + 1))."
        )
    if value > MAX_PERMUTATIONS:
        raise InvalidInputError(
            f"{name}={value:,} is more than the {MAX_PERMUTATIONS:,} null replicates a test "
            "may draw (they would take hours and memory beyond any machine); 10**4 already "
            "resolves p-values to 1e-4."
        )
    return int(value)


def check_seed(seed):
    """``seed`` if NumPy can seed a generator with it: None, an int >= 0, a Generator.

    Examples
    --------
    >>> check_seed(0)
    0
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    mistruct.exceptions.InvalidInputError: seed must be None, a non-negative integer or a numpy.random.Generator, got -1.
    """  # noqa: E501
    if seed is None or isinstance(seed, (np.random.Generator, np.random.SeedSequence)):
        return seed
    if _is_int(seed) and seed >= 0:
        return int(seed)
    raise InvalidInputError(
        f"seed must be None, a non-negative integer or a numpy.random.Generator, got {seed!r}."
    )


def check_option(value, name: str, options) -> str:
    """``value`` if it is one of ``options`` (strings), else an error listing them.

    Examples
    --------
    >>> check_option("drop", "missing", ("error", "drop"))
    'drop'
    """
    if not isinstance(value, str) or value not in options:
        raise InvalidInputError(
            f"{name}={value!r} is not an option; use one of "
            f"{', '.join(repr(o) for o in options)}."
        )
    return value


def check_missing(missing) -> str:
    """The missing-value policy: one of :data:`MISSING_POLICIES`."""
    return check_option(missing, "missing", MISSING_POLICIES)


def check_bool(value, name: str) -> bool:
    """``value`` if it is True or False (NumPy booleans included)."""
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidInputError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def check_n_jobs(n_jobs, name: str = "n_jobs") -> int:
    """A thread count: a positive integer, or -1 for one per CPU."""
    if not _is_int(n_jobs) or n_jobs == 0 or n_jobs < -1:
        raise InvalidInputError(
            f"{name} must be a positive integer or -1 (one thread per CPU), got {n_jobs!r}."
        )
    return max(1, os.cpu_count() or 1) if n_jobs == -1 else int(n_jobs)
