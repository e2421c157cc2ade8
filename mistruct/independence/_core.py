"""The result object, option checks, seeding and the test on stratified counts."""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from mistruct.estimators import Blocks, check_estimator, estimate_entropy
from mistruct.exceptions import InvalidInputError
from mistruct.independence import _permutation as perm

METHODS = ("g-test", "g-test-adjusted", "permutation", "sequential")
ASYMPTOTIC = ("g-test", "g-test-adjusted")

_LN2 = float(np.log(2.0))


class LowPowerWarning(UserWarning):
    """The conditioning set has more configurations than there are rows.

    Most strata then hold zero or one row, which say nothing about
    dependence, so the test can hardly reject whatever the truth.
    """


@dataclass(frozen=True)
class CITestResult:
    """Result of a conditional independence test of X and Y given Z.

    Attributes
    ----------
    statistic : float
        ``G = 2 N I(X;Y|Z)`` in nats (the log-likelihood ratio statistic),
        with the plug-in CMI for the asymptotic methods and the chosen
        ``estimator``'s CMI for the permutation methods.
    pvalue : float
        Never NaN and never 0 for the permutation methods.
    dof : int or None
        Degrees of freedom of the asymptotic chi-squared law (None for tests
        without one, e.g. the kNN tests of :mod:`mistruct.knn_independence`): for
        ``"g-test"`` (and, for reference, the permutation methods)
        ``(|X| - 1)(|Y| - 1)|Z|`` counting the levels and strata observed in
        the data; for ``"g-test-adjusted"`` the sum over strata of
        ``(rows - 1)(columns - 1)`` of the non-empty rows and columns.
    cmi : float
        The conditional mutual information I(X;Y|Z) in bits (the library's
        default base): ``statistic / (2 N ln 2)``.
    method : str
    alpha : float
        The significance level the decision uses.
    independent : bool
        ``pvalue > alpha``: independence is not rejected.
    n_permutations : int
        Null replicates the p-value counts (0 for the asymptotic methods;
        fewer than asked for when the sequential test stops early).  With the
        plug-in estimator a replicate is drawn only until its strata drawn so
        far settle whether it reaches ``statistic``.
    null_distribution : ndarray or None
        The null values of ``statistic`` (same units), when
        ``return_null=True`` was asked for with a permutation method.
    estimator : str
    n : int
        Rows used.
    n_strata : int
        Strata (configurations of Z) observed in the data.
    n_informative_strata : int
        Strata in which both X and Y take more than one value.  Only these
        can show dependence; with none (e.g. when Z determines X), G = 0 and
        p = 1 whatever the truth, so the test carries no evidence either
        way.  Structure learners read that as "cannot tell", not as
        independence.

    Notes
    -----
    A result has no truth value, so it cannot be mistaken for a decision
    (``if result:``); use ``result.independent``.
    """

    statistic: float
    pvalue: float
    dof: int | None
    cmi: float
    method: str
    alpha: float
    independent: bool
    n_permutations: int = 0
    null_distribution: np.ndarray | None = field(default=None, repr=False, compare=False)
    estimator: str = "plugin"
    n: int = 0
    n_strata: int = 0
    n_informative_strata: int = 0

    def __bool__(self):
        raise TypeError(
            "a CITestResult has no truth value; use result.independent (pvalue > alpha) "
            "or compare result.pvalue yourself."
        )

    def to_dict(self) -> dict:
        """The fields as plain Python values (the null distribution as a list or None)."""
        out = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                value = value.tolist()
            elif isinstance(value, (np.floating, np.integer, np.bool_)):
                value = value.item()
            out[name] = value
        return out


# ---------------------------------------------------------------- options


@dataclass(frozen=True)
class Options:
    method: str
    alpha: float
    n_permutations: int
    estimator: str
    h: int
    return_null: bool


def check_options(
    method="g-test",
    alpha=0.05,
    n_permutations=1000,
    estimator="plugin",
    h=20,
    return_null=False,
) -> Options:
    """Validate the options once, before any work."""
    if not isinstance(method, str) or method not in METHODS:
        raise InvalidInputError(
            f"method={method!r} is not a test; use one of {', '.join(repr(m) for m in METHODS)}."
        )
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 < alpha < 1:
        raise InvalidInputError(
            f"alpha must be a number strictly between 0 and 1, got {alpha!r} "
            "(e.g. 0.05 for a 5% significance level)."
        )
    if (
        isinstance(n_permutations, bool)
        or not isinstance(n_permutations, numbers.Integral)
        or n_permutations < 1
    ):
        raise InvalidInputError(
            f"n_permutations must be a positive integer, got {n_permutations!r} "
            "(e.g. 1000; the smallest attainable p-value is 1 / (n_permutations + 1))."
        )
    check_estimator(estimator)
    if method in ASYMPTOTIC and estimator != "plugin":
        raise InvalidInputError(
            f"method={method!r} uses the chi-squared law of the plug-in G statistic, so it "
            f"cannot use estimator={estimator!r}; use method='permutation' or 'sequential' "
            "with that estimator, or estimator='plugin'."
        )
    if isinstance(h, bool) or not isinstance(h, numbers.Integral) or h < 1:
        raise InvalidInputError(f"h must be a positive integer, got {h!r} (e.g. 20).")
    if method == "sequential" and h > n_permutations:
        raise InvalidInputError(
            f"h={h} exceeds n_permutations={n_permutations}: the sequential test could never "
            "stop early; lower h or raise n_permutations."
        )
    return Options(method, float(alpha), int(n_permutations), estimator, int(h), bool(return_null))


# ---------------------------------------------------------------- seeding


def no_evidence(result: CITestResult) -> bool:
    """A test of strata none of which lets both X and Y vary (Z determines one of them).

    Its G is 0 and its p-value 1 whatever the truth: structure learners read
    it as "cannot tell", not as independence.  Tests without strata (kNN,
    Gaussian) always carry evidence.
    """
    return result.dof is not None and result.n_strata > 0 and result.n_informative_strata == 0


def seed_entropy(seed) -> int:
    """One integer of entropy from ``seed`` (None: fresh; int; or a Generator, drawn from)."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return int(seed)
    raise InvalidInputError(
        f"seed must be None, a non-negative integer or a numpy.random.Generator, got {seed!r}."
    )


def query_rng(entropy: int, key: tuple) -> np.random.Generator:
    """The random stream of one query: the same for the same seed and query, in any order.

    ``key`` holds the canonical query (sorted x, y positions, sorted given
    positions), so a test's draws do not depend on which other tests run, in
    which order or in which thread.
    """
    spawn_key = (len(key), *(int(k) for k in key))
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=spawn_key))


def warn_low_power(n_possible_strata: int, n_rows: int, what: str, stacklevel: int = 3):
    warnings.warn(
        f"{what}: the conditioning set has {n_possible_strata:,} possible configurations but "
        f"there are only {n_rows:,} rows, so most strata hold 0 or 1 row and carry no "
        "information about dependence; the test has little power (it will rarely reject). "
        "Use a smaller conditioning set, merge rare levels, or get more data.",
        LowPowerWarning,
        stacklevel=stacklevel,
    )


# ---------------------------------------------------------------- the test


@dataclass(frozen=True)
class Strata:
    """Stratified counts of one query, reduced to what the data holds.

    ``counts`` has shape ``(n_strata, kx, ky)``: observed strata only, and
    levels of X and Y that occur somewhere in the data only.
    """

    counts: np.ndarray
    kx_full: int  # cardinalities of the state spaces, for shrinkage-type estimators
    ky_full: int
    n_possible_strata: int

    @classmethod
    def from_counts(cls, counts, kx_full=None, ky_full=None, n_possible_strata=None):
        counts = np.asarray(counts, dtype=np.int64)
        kx_full = counts.shape[1] if kx_full is None else kx_full
        ky_full = counts.shape[2] if ky_full is None else ky_full
        n_possible_strata = counts.shape[0] if n_possible_strata is None else n_possible_strata
        rows_used = counts.sum(axis=(0, 2)) > 0
        cols_used = counts.sum(axis=(0, 1)) > 0
        strata_used = counts.sum(axis=(1, 2)) > 0
        if not (rows_used.all() and cols_used.all() and strata_used.all()):
            counts = counts[strata_used][:, rows_used][:, :, cols_used]
        return cls(counts, int(kx_full), int(ky_full), int(n_possible_strata))


def run_test(strata: Strata, options: Options, rng_factory, progress=None) -> CITestResult:
    """The test of one query on its stratified counts.

    ``rng_factory()`` makes the query's random generator; it is called only
    when a permutation method draws.
    """
    counts = strata.counts
    n_strata, kx, ky = counts.shape
    n = int(counts.sum())
    rows = counts.sum(axis=2)
    cols = counts.sum(axis=1)
    active_rows = (rows > 0).sum(axis=1)
    active_cols = (cols > 0).sum(axis=1)
    if options.method == "g-test-adjusted":
        dof = int(((active_rows - 1).clip(min=0) * (active_cols - 1).clip(min=0)).sum())
    else:
        dof = int((kx - 1) * (ky - 1) * n_strata)
    live = (active_rows > 1) & (active_cols > 1)
    plugin = options.estimator == "plugin"
    if plugin:
        null = perm.PluginNull(rows[live], cols[live], counts[live])
    else:
        null = _estimator_null(counts, rows, cols, live, strata, options.estimator, n)
    statistic = null.observed
    if plugin:
        statistic = max(statistic, 0.0)  # rounding can leave -1e-15 for G = 0
    cmi = statistic / (2.0 * n * _LN2)
    method = options.method
    null_values = None
    drawn = 0
    if method in ASYMPTOTIC:
        pvalue = 1.0 if dof == 0 else float(special.chdtrc(dof, statistic))
    elif not live.any():
        # Every stratum admits one table only: the null is the observed value.
        pvalue = 1.0
        null_values = np.empty(0)
    else:
        rng = rng_factory()
        # The null values, when asked for, complete the replicates the test
        # decided early from a stream of their own, so that asking for them
        # leaves the p-value as it is.
        fill_rng = _child_rng(rng) if options.return_null else None
        threshold = null.observed - null.tolerance
        if method == "permutation":
            exceed, null_values = perm.permutation_test(
                null, options.n_permutations, threshold, rng, fill_rng, progress
            )
            drawn = options.n_permutations
            pvalue = (1.0 + exceed) / (1.0 + drawn)
        else:
            drawn, exceed, null_values = perm.sequential_test(
                null, options.n_permutations, options.h, threshold, rng, fill_rng, progress
            )
            pvalue = options.h / drawn if exceed >= options.h else (exceed + 1.0) / (drawn + 1.0)
        if plugin and null_values is not None:
            null_values = np.maximum(null_values, 0.0)
    if null_values is not None:
        if options.return_null:
            null_values.setflags(write=False)
        else:
            null_values = None
    pvalue = float(min(max(pvalue, 0.0), 1.0))
    return CITestResult(
        statistic=float(statistic),
        pvalue=pvalue,
        dof=dof,
        cmi=float(cmi),
        method=method,
        alpha=options.alpha,
        independent=bool(pvalue > options.alpha),
        n_permutations=int(drawn),
        null_distribution=null_values,
        estimator=options.estimator,
        n=n,
        n_strata=int(n_strata),
        n_informative_strata=int(live.sum()),
    )


def _child_rng(rng: np.random.Generator) -> np.random.Generator:
    """An independent generator spawned from ``rng``'s seed sequence, without drawing from it."""
    bit_generator = rng.bit_generator
    seed_seq = getattr(bit_generator, "seed_seq", None) or bit_generator._seed_seq
    return np.random.default_rng(seed_seq.spawn(1)[0])


def _estimator_null(counts, rows, cols, live, strata, estimator, n):
    """CMI = H(XZ) + H(YZ) - H(Z) - H(XYZ), each over its full state space."""
    z_cells = strata.n_possible_strata

    def h(values, n_cells):
        values = np.asarray(values, dtype=float).ravel()
        values = values[values > 0]
        return float(estimate_entropy(values, Blocks.single(values.size, n_cells), estimator)[0])

    constant = (
        h(rows, strata.kx_full * z_cells)
        + h(cols, strata.ky_full * z_cells)
        - h(counts.sum(axis=(1, 2)), z_cells)
    )
    dead = counts[~live].ravel()
    dead = dead[dead > 0]
    n_cells = strata.kx_full * strata.ky_full * z_cells
    return perm.EstimatorNull(
        rows[live], cols[live], counts[live], dead, constant, n_cells, n, estimator
    )
