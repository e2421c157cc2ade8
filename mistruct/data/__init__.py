"""The data layer: tables in, column kinds decided once, integer codes out.

Every public function that takes a table reads it here, at its door:
:func:`as_frame` checks it, :func:`column_kinds` decides (and explains) which
columns are discrete and which numeric, :func:`apply_kinds` makes the dtypes
say so, and :func:`encode` turns discrete columns into integer codes.
"""

from mistruct.data._table import (
    MISSING_POLICIES,  # noqa: F401  (the options of missing=)
    ColumnKinds,
    Discretizer,
    EncodedTable,
    apply_kinds,
    apply_missing,
    as_frame,
    column_kinds,
    encode,
    encode_variables,
    near_unique_columns,
    select_columns,
)

__all__ = [
    "ColumnKinds",
    "Discretizer",
    "EncodedTable",
    "apply_kinds",
    "apply_missing",
    "as_frame",
    "column_kinds",
    "encode",
    "encode_variables",
    "near_unique_columns",
    "select_columns",
]
