"""The counting layer: the only code that reads every row.

Contingency tables, stratified tables, all-pairs counts from one one-hot
matrix product (:func:`pairwise_counts`), joint codes of column sets, and the
sorted-line and stratum counts the kNN statistics use.  Everything above this
layer works on the tables it returns.
"""

from mistruct.counting._batched import BatchedStrata, StrataCounter, batched_strata
from mistruct.counting._candidates import CandidateCounts as CandidateCounts  # MIIC's; private
from mistruct.counting._contingency import (
    MAX_DENSE_CELLS,
    JointCodes,
    PairwiseCounts,
    check_chunk_size,
    combine,
    contingency_table,
    joint_codes,
    pairwise_counts,
    stratified_tables,
)
from mistruct.counting._dask import (
    StratumCounts,
    dask_joint_counts,
    dask_moments,
    dask_pairwise_counts,
    dask_stratified_counts,
)
from mistruct.counting._sorted import RankCounter, run_bounds, sorted_runs
from mistruct.counting._strata import DiscreteStrata

__all__ = [
    "MAX_DENSE_CELLS",
    "BatchedStrata",
    "DiscreteStrata",
    "JointCodes",
    "PairwiseCounts",
    "RankCounter",
    "StrataCounter",
    "StratumCounts",
    "batched_strata",
    "check_chunk_size",
    "combine",
    "contingency_table",
    "dask_joint_counts",
    "dask_moments",
    "dask_pairwise_counts",
    "dask_stratified_counts",
    "joint_codes",
    "pairwise_counts",
    "run_bounds",
    "sorted_runs",
    "stratified_tables",
]
