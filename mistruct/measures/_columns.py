"""The door of the continuous estimators: numeric columns, lengths, options, missing values.

Each variable becomes a float (n, d) block, checked column by column with
messages that name the column; ``missing="drop"`` drops a row with a missing
value in any variable of the call.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from mistruct._validation import check_int
from mistruct.data import as_frame
from mistruct.exceptions import InvalidInputError, MissingValuesError
from mistruct.measures._discrete import _check_variables


def _label(role: str, name, single: bool) -> str:
    return role if single else f"column {name!r} of {role}"


def _is_numeric(dtype) -> bool:
    return (
        not isinstance(dtype, pd.CategoricalDtype)
        and pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_complex_dtype(dtype)
    )


def _numeric_column(series: pd.Series, label: str, *, allow_constant: bool) -> np.ndarray:
    if isinstance(series.dtype, pd.CategoricalDtype) and _is_numeric(
        series.cat.categories.dtype
    ):
        # Integer codes held as categories (a column named discrete) are still numbers.
        series = series.astype(series.cat.categories.dtype)
    if not _is_numeric(series.dtype):
        raise InvalidInputError(
            f"{label} holds text or categories (dtype {series.dtype}), not numeric values; the kNN "
            "and Gaussian estimators and tests need numbers. Leave that column out, or use "
            "the mixed estimator or an automatic test, which treat it as discrete."
        )
    values = series.to_numpy(dtype=float, na_value=np.nan)
    n_nan = int(np.count_nonzero(np.isnan(values)))
    if n_nan:
        raise MissingValuesError(
            f"{label} has {n_nan} missing value(s) (NaN/None) in {len(values)} rows; "
            "kNN and Gaussian estimators cannot use them: drop or impute those rows first."
        )
    n_inf = int(np.count_nonzero(np.isinf(values)))
    if n_inf:
        raise InvalidInputError(
            f"{label} has {n_inf} infinite value(s) in {len(values)} rows; "
            "drop those rows or replace the values with finite numbers."
        )
    if not allow_constant and values.min() == values.max():
        raise InvalidInputError(
            f"{label} is constant (zero variance): its mutual information with anything is 0 "
            "and kNN/Gaussian estimators are undefined on it (its differential entropy is "
            "-inf); drop the column."
        )
    return values


def _single(value) -> bool:
    """Whether ``value`` is one unnamed variable (messages then say "x", not "column 0 of x")."""
    if isinstance(value, pd.DataFrame):
        return False
    return np.ndim(value) != 2 or np.shape(value)[1] == 1


def _numeric_block(
    value, role: str, *, allow_constant: bool = False, single: bool | None = None
) -> np.ndarray:
    """``value`` as a float (n, d) array, checked column by column; never a view of the input."""
    frame = as_frame(value, what=role)
    if single is None:
        single = frame.shape[1] == 1 and not isinstance(value, pd.DataFrame)
    out = np.empty(frame.shape, dtype=float)
    for j, name in enumerate(frame.columns):
        out[:, j] = _numeric_column(
            frame[name], _label(role, name, single), allow_constant=allow_constant
        )
    return out


def _check_lengths(**blocks):
    lengths = {role: len(block) for role, block in blocks.items() if block is not None}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{role} has {n}" for role, n in lengths.items())
        raise InvalidInputError(
            f"the variables have different numbers of rows ({detail}); they must be "
            "observations of the same rows."
        )
    return next(iter(lengths.values()))


def _check_k(k, n: int, name: str = "k") -> int:
    k = check_int(k, name)
    if k >= n:
        raise InvalidInputError(
            f"{name}={k} needs more than {k} rows, but there are {n}; use a smaller {name} "
            "(3 to 10 is usual) or more data."
        )
    return int(k)


def _check_noise(noise) -> float:
    if (
        isinstance(noise, bool)
        or not isinstance(noise, numbers.Real)
        or not math.isfinite(float(noise))
        or not 0 <= noise <= 1
    ):
        # noise is in units of each column's standard deviation: more than 1 drowns the data.
        raise InvalidInputError(
            f"noise must be a number from 0 to 1 (a fraction of each column's standard "
            f"deviation), got {noise!r} (0 disables the tie noise)."
        )
    return float(noise)


def _check_algorithm(algorithm) -> int:
    if isinstance(algorithm, bool) or algorithm not in (1, 2):
        raise InvalidInputError(
            f"algorithm must be 1 or 2 (KSG's two estimators), got {algorithm!r}."
        )
    return int(algorithm)


MISSING_OPTIONS = ("error", "drop")


def _frames(variables: dict, missing: str, optional=("given", "z")) -> dict:
    """The variables as frames of the same rows, missing values refused or dropped.

    The door of every pair estimator: ``None`` for a required variable,
    pandas objects with different indexes, different lengths and an unknown
    ``missing`` are refused here, before any work.  With ``missing="drop"``,
    every row with a missing value in any used column is dropped from all
    variables; with ``"error"``, the error names each column and its count.
    """
    if missing not in MISSING_OPTIONS:
        raise InvalidInputError(
            f"missing={missing!r} is not an option of the kNN and Gaussian estimators; use "
            "'error' (the default) or 'drop' (drop every row with a missing value in any "
            "used column)."
        )
    present = _check_variables(variables, optional)
    frames = {role: as_frame(value, what=role) for role, value in present.items()}
    _check_lengths(**frames)
    masks = {role: frame.isna().to_numpy() for role, frame in frames.items()}
    if not any(mask.any() for mask in masks.values()):
        return frames
    if missing == "error":
        n = len(next(iter(frames.values())))
        where = []
        for role, frame in frames.items():
            single = frame.shape[1] == 1 and not isinstance(present[role], pd.DataFrame)
            counts = masks[role].sum(axis=0)
            where += [
                f"{_label(role, name, single)} has {int(c)} missing value(s)"
                for name, c in zip(frame.columns, counts, strict=True)
                if c
            ]
        raise MissingValuesError(
            ", ".join(where)
            + f" (NaN/None) in {n} rows; pass missing='drop' to drop every row with a "
            "missing value in any used column, or impute them first."
        )
    keep = ~np.logical_or.reduce([mask.any(axis=1) for mask in masks.values()])
    if not keep.any():
        raise MissingValuesError(
            "every row has a missing value in some used column; nothing is left after "
            "missing='drop'."
        )
    return {role: frame.loc[keep] for role, frame in frames.items()}


def _determined_by(target: np.ndarray, given: np.ndarray, many_strata: bool = False) -> bool:
    """Whether the sample shows ``target`` as a function of ``given`` (then I(T;Y|given) = 0).

    True when every column of ``target`` equals a column of ``given``, or when
    ``given`` has at most n/2 distinct rows (enough repeats to see a function)
    and ``target`` takes one value in each of them.  Without repeats in
    ``given`` every column is trivially a function of it, so that is no
    evidence and the estimator is left to decide.  ``many_strata`` says, when
    the caller knows it, that ``given`` has more than n/2 distinct rows (the
    second test is then False without sorting).
    """
    if all(
        any(np.array_equal(target[:, j], given[:, i]) for i in range(given.shape[1]))
        for j in range(target.shape[1])
    ):
        return True
    if many_strata:
        return False
    _, strata = np.unique(given, axis=0, return_inverse=True)
    strata = strata.ravel()
    n_strata = int(strata.max()) + 1
    if n_strata > len(strata) / 2:
        return False
    pairs = np.unique(np.column_stack([strata, target]), axis=0)
    return len(pairs) == n_strata


def _is_continuous(series: pd.Series) -> bool:
    """The dtype rule below the door: after ``apply_kinds``, float means continuous."""
    return pd.api.types.is_float_dtype(series.dtype)

