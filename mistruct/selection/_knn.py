"""The per-step terms of continuous and mixed columns, batched below the measures' door.

:func:`mistruct.mutual_information` checks, labels and prepares its columns
on every call; a selection step asks it the same kind of question for every
candidate against the same target and the same chosen feature.  Here each
column is read, kinded and (when it has no ties) standardized with its tie
noise once, and every step runs the measures layer's kNN kernels (KSG
algorithm 1, Frenzel-Pompe, Gao et al.) straight on those arrays.

The values are the ones :func:`mistruct.mutual_information` returns, bit for
bit: a column without ties gets the same noise whatever the other columns of
a call are (its noise is handed out by its values alone), so it is prepared
once; a tied column's noise is handed out in the order of the call's row
keys, so a call with one is prepared per call by the same kernel the
estimator uses (:func:`mistruct.measures` ``mixed_blocks``).  Pairs of
discrete columns (``estimator="auto"``) take the plug-in estimate through
:func:`mistruct.mutual_information`, as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import digamma

from mistruct.data import encode
from mistruct.measures import determined_by, joint_radius, mi_nats, mixed_blocks, strict_counts

#: Jitter of continuous columns without ties (mistruct.mutual_information's default).
NOISE = 1e-10


class _Column:
    """One column, read once: its kind, unscaled values and (untied) prepared values."""

    def __init__(self, series: pd.Series, kind: str, key: int):
        self.kind = kind
        if kind == "continuous":
            values = series.to_numpy(dtype=float)
            self.frame = pd.DataFrame({series.name: values})
            self.raw = values[:, None]
            distinct = np.unique(values).size
            self.tied = distinct < len(values)
            self.many_strata = distinct > len(values) / 2
            # Without ties the noise depends on the column alone: prepare it once.
            self.prepared = None if self.tied else mixed_blocks(
                {"x": self.frame}, key=key, noise=NOISE, singles={"x": True}
            )["x"]
        else:
            self.frame = pd.DataFrame({series.name: series.astype("category")})
            self.raw = encode(self.frame).codes.astype(float)
            self.tied = False
            self.many_strata = False  # left to the full rule
            self.prepared = None


class KnnTerms:
    """The terms of :class:`_GenericTerms` for kNN / Gao estimators, without the door.

    ``fallback`` (a ``_GenericTerms``) answers the pairs of discrete columns
    under ``estimator="auto"`` (the plug-in).
    """

    def __init__(self, table, labels, target, kinds, estimator, k, key, fallback):
        self.labels = labels
        self.target = target
        self.estimator = estimator
        self.k = k
        self.key = key
        self.fallback = fallback
        self.columns = {c: _Column(table[c], kinds[c], key) for c in [*labels, target]}

    def _blocks(self, names):
        """The prepared blocks of one call's variables, as the estimator builds them."""
        columns = [self.columns[c] for c in names]
        if any(c.tied for c in columns):
            # A tied column's noise follows the call's row keys: the estimator's own kernel.
            variables = {f"v{i}": c.frame for i, c in enumerate(columns)}
            blocks = mixed_blocks(variables, key=self.key, noise=NOISE,
                                  singles=dict.fromkeys(variables, True))
            return [blocks[f"v{i}"] for i in range(len(columns))]
        ranges = [np.ptp(c.prepared, axis=0).max() for c in columns if c.kind == "continuous"]
        spacing = 1.0 + (max(ranges) if ranges else 0.0)
        return [c.prepared if c.kind == "continuous" else c.raw * spacing for c in columns]

    def _mi(self, x, y, given=None):
        names = [x, y] if given is None else [x, y, given]
        if self.estimator == "auto" and all(self.columns[c].kind == "discrete" for c in names):
            return self.fallback._mi(x, y, given)
        if given is not None:
            z = self.columns[given]
            if (determined_by(self.columns[x].raw, z.raw, z.many_strata)
                    or determined_by(self.columns[y].raw, z.raw, z.many_strata)):
                return 0.0
        blocks = self._blocks(names)
        if given is None:
            return mi_nats(blocks[0], blocks[1], self.k)
        bx, by, bz = blocks
        eps, k_tilde = joint_radius(np.hstack([bx, by, bz]), self.k)
        nxz = strict_counts(np.hstack([bx, bz]), eps)
        nyz = strict_counts(np.hstack([by, bz]), eps)
        nz = strict_counts(bz, eps)
        psi = digamma
        return float(np.mean(psi(k_tilde) - psi(nxz.astype(float)) - psi(nyz.astype(float))
                             + psi(nz.astype(float))))

    def step(self, candidates, s=None):
        """(I(f; s), I(f; y | s), None) in nats for ``candidates`` (s=None: I(f; y))."""
        red = np.empty(len(candidates))
        cond = np.empty(len(candidates))
        for i, j in enumerate(candidates):
            f = self.labels[j]
            if s is None:
                red[i], cond[i] = 0.0, self._mi(f, self.target)
                continue
            other = self.labels[s]
            red[i] = self._mi(f, other)
            cond[i] = self._mi(f, self.target, other)
        return red, cond, None
