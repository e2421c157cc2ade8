"""The selection criteria: textbook definitions as running sums over the chosen set.

Every criterion scores a candidate ``f`` given the chosen set ``S`` from a few
per-candidate running terms that grow by one term per step (the step that
chose ``s``):

* ``relevance``  ``I(f; y)``
* ``red_sum``    ``sum_s I(f; s)``
* ``cond_sum``   ``sum_s I(f; y | s)``,  ``cond_min``  ``min_s I(f; y | s)``
* ``joint_sum``  ``sum_s I(f, s; y)``,  ``joint_min`` ``min_s I(f, s; y)``
* ``disr_sum``   ``sum_s I(f, s; y) / H(f, s, y)``

so a step costs one new column of ``I(f; s_last)`` and ``I(f; y | s_last)``
for every candidate, never a recount of the whole set.
"""

from __future__ import annotations

import numpy as np

#: Criteria names (see :func:`mistruct.selection.select_features` for the definitions).
CRITERIA = ("mim", "mrmr", "mrmr-quotient", "mifs", "jmi", "jmim", "cmim", "cife", "disr")

#: Scores closer than this (in the criterion's units) are ties, broken by label order.
#: Two routes to one quantity (a chain rule against a direct sum) differ by rounding
#: only, far below any real difference between two columns' information.
TIE_TOLERANCE = 1e-10


class RunningTerms:
    """The running per-candidate terms of every criterion (arrays over all columns)."""

    def __init__(self, relevance: np.ndarray):
        n = len(relevance)
        self.relevance = np.asarray(relevance, dtype=float)
        self.n_chosen = 0
        self.red_sum = np.zeros(n)
        self.cond_sum = np.zeros(n)
        self.cond_min = np.full(n, np.inf)
        self.joint_sum = np.zeros(n)
        self.joint_min = np.full(n, np.inf)
        self.disr_sum = np.zeros(n)

    def add(self, redundancy, conditional, joint, joint_entropy=None):
        """Fold in the terms of one newly chosen feature ``s`` (arrays over all columns).

        ``redundancy`` is ``I(f; s)``, ``conditional`` ``I(f; y | s)``, ``joint``
        ``I(f, s; y)`` and ``joint_entropy`` ``H(f, s, y)`` (DISR only).
        """
        self.n_chosen += 1
        self.red_sum += redundancy
        self.cond_sum += conditional
        self.cond_min = np.minimum(self.cond_min, conditional)
        self.joint_sum += joint
        self.joint_min = np.minimum(self.joint_min, joint)
        if joint_entropy is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                # H(f, s, y) = 0 only when all three are constant: no information either way.
                ratio = np.where(joint_entropy > 0, joint / joint_entropy, 0.0)
            self.disr_sum += ratio

    def redundancy(self) -> np.ndarray:
        """Mean ``I(f; s)`` over the chosen set (0 before the first choice)."""
        return self.red_sum / self.n_chosen if self.n_chosen else np.zeros_like(self.red_sum)

    def scores(self, criterion: str, beta: float) -> np.ndarray:
        """The criterion's value for every column (chosen columns included; callers mask them)."""
        rel = self.relevance
        t = self.n_chosen
        if t == 0 or criterion == "mim":
            return rel.copy()
        if criterion == "mrmr":
            return rel - self.red_sum / t
        if criterion == "mrmr-quotient":
            mean_red = self.red_sum / t
            with np.errstate(divide="ignore", invalid="ignore"):
                # No redundancy at all: any relevance beats every finite ratio.
                return np.where(mean_red > 0, rel / mean_red, np.where(rel > 0, np.inf, 0.0))
        if criterion == "mifs":
            return rel - beta * self.red_sum
        if criterion == "jmi":
            return self.joint_sum.copy()
        if criterion == "jmim":
            return self.joint_min.copy()
        if criterion == "cmim":
            return self.cond_min.copy()
        if criterion == "cife":
            return self.cond_sum - (t - 1) * rel
        if criterion == "disr":
            return self.disr_sum.copy()
        raise AssertionError(criterion)  # validated at the door


def pick_best(scores: np.ndarray, candidates: np.ndarray, rank: np.ndarray) -> int:
    """Index of the best candidate; ties (within :data:`TIE_TOLERANCE`) go to the lowest label.

    ``rank`` orders the columns by label, so the pick never depends on the
    order of the table's columns.
    """
    values = scores[candidates]
    best = values.max()
    if np.isinf(best):
        tied = candidates[values == best]
    else:
        tied = candidates[values >= best - TIE_TOLERANCE]
    return int(tied[np.argmin(rank[tied])])
