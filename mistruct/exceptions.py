"""Exceptions raised for user mistakes.

Every error mistruct raises for bad input is a subclass of :class:`ValueError`
or :class:`TypeError`, so code that already catches those keeps working, and
every message says what was wrong and what to do about it.
"""

__all__ = [
    "ColumnNotFoundError",
    "ConstantColumnWarning",
    "ContinuousDataError",
    "EstimatorCeilingWarning",
    "IDColumnWarning",
    "IncompleteSearchWarning",
    "InvalidInputError",
    "KNNCostWarning",
    "LowPowerWarning",
    "MissingDependencyError",
    "MissingValuesError",
    "NoEvidenceWarning",
    "StateSpaceTooLargeError",
]


class InvalidInputError(ValueError):
    """The input cannot be used as given (empty, wrong shape, bad option, ...)."""


class MissingValuesError(InvalidInputError):
    """The input holds NaN or None and no ``missing=`` policy was chosen."""


class ColumnNotFoundError(InvalidInputError):
    """A column name or index does not exist in the table."""


class StateSpaceTooLargeError(InvalidInputError):
    """A joint variable has more possible states than can be indexed."""


class ContinuousDataError(InvalidInputError, TypeError):
    """A continuous (float) column was given where discrete data is needed.

    Both an :class:`InvalidInputError` (like every input error here) and a
    :class:`TypeError` (the kind of the column is wrong), so either catches it.
    """


class MissingDependencyError(ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


class IDColumnWarning(UserWarning):
    """A column looks like a row identifier (nearly one distinct value per row).

    Such a column carries information about every other column only because
    it names the rows: a learner would make it the hub of a star.  Leave it
    out (``exclude=[...]`` in Python, ``--drop`` on the command line).
    """


class LowPowerWarning(UserWarning):
    """The conditioning set has more configurations than there are rows.

    Most strata then hold zero or one row, which say nothing about
    dependence, so the test can hardly reject whatever the truth.
    """


class NoEvidenceWarning(LowPowerWarning):
    """A test carried no evidence either way: no stratum lets both X and Y vary and repeat.

    Every permutation then gives the observed G, so the exact p-value is 1
    whatever the truth: the result says ``independent=None`` ("cannot
    tell"), not independence.
    """


class KNNCostWarning(UserWarning):
    """A kNN CI test on many rows will be slow; ``sample=`` tests on a random subset."""


class IncompleteSearchWarning(UserWarning):
    """PC stopped at its time budget: the skeleton may keep edges later tests would remove."""


class ConstantColumnWarning(UserWarning):
    """A constant column: independent of everything, left isolated."""


class EstimatorCeilingWarning(UserWarning):
    """An estimate sits at its estimator's known ceiling (InfoNCE: the log of its batch size)."""
