"""Exceptions raised for user mistakes.

Every error mistruct raises for bad input is a subclass of :class:`ValueError`
or :class:`TypeError`, so code that already catches those keeps working, and
every message says what was wrong and what to do about it.
"""

__all__ = [
    "ColumnNotFoundError",
    "ContinuousDataError",
    "IDColumnWarning",
    "InvalidInputError",
    "MissingValuesError",
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


class ContinuousDataError(TypeError):
    """A continuous (float) column was given where discrete data is needed."""


class IDColumnWarning(UserWarning):
    """A column looks like a row identifier (nearly one distinct value per row).

    Such a column carries information about every other column only because
    it names the rows: a learner would make it the hub of a star.  Leave it
    out (``exclude=[...]`` in Python, ``--drop`` on the command line).
    """
