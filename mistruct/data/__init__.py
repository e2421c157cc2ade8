"""The data layer: tables in, column kinds decided once, integer codes out.

Every public function that takes a table reads it here, at its door:
:func:`as_frame` checks it, :func:`column_kinds` decides (and explains) which
columns are discrete and which numeric, :func:`apply_kinds` makes the dtypes
say so, and :func:`encode` turns discrete columns into integer codes.
"""

from mistruct.data._dask import (
    DaskSummary,
    DaskTable,
    RowsElsewhere,
    dask_frame,
    dask_kinds,
    dask_passes,
    dask_summary,
    dask_table,
    is_dask_collection,
    pass_reporter,
    read_dask,
    run_pass,
)
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
    "DaskSummary",
    "DaskTable",
    "Discretizer",
    "EncodedTable",
    "RowsElsewhere",
    "apply_kinds",
    "apply_missing",
    "as_frame",
    "column_kinds",
    "dask_frame",
    "dask_kinds",
    "dask_passes",
    "dask_summary",
    "dask_table",
    "encode",
    "encode_variables",
    "is_dask_collection",
    "near_unique_columns",
    "pass_reporter",
    "read_dask",
    "run_pass",
    "select_columns",
]
