"""The result object, option checks, seeding and the test on stratified counts."""

from __future__ import annotations

import hashlib
import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np

from mistruct._validation import (
    check_alpha,
    check_int,
    check_n_permutations,
    check_option,
    check_seed,
)
from mistruct.exceptions import InvalidInputError, LowPowerWarning, NoEvidenceWarning
from mistruct.independence import _permutation as perm
from mistruct.independence._g_test import g_dof, g_dof_adjusted, g_pvalue
from mistruct.independence._resampling import fixed_pvalue, sequential_pvalue
from mistruct.measures import Blocks, check_estimator, estimate_entropy

METHODS = ("g-test", "g-test-adjusted", "permutation", "sequential")
ASYMPTOTIC = ("g-test", "g-test-adjusted")
#: The discrete tests :func:`check_options` takes: the four above and ``"auto"``,
#: which picks the adjusted G-test or the sequential test per query (see
#: :func:`asymptotic_fits`).
DISCRETE_METHODS = ("auto", *METHODS)

#: ``"auto"`` uses the chi-squared law only where the expected excess of G over
#: its degrees of freedom (Williams 1976, summed over strata) is at most this
#: many standard deviations ``sqrt(2 dof)`` of that law.  Calibrated by
#: simulation (|X| x |Y| from 2 x 2 to 6 x 5, 1 to 30 strata, 16 to 1,024 rows
#: per stratum, uniform and skewed margins, 1,000 replicates each): where the
#: rule admits the chi-squared law, the adjusted G-test rejected a true null at
#: alpha = 0.05 in at most 6.8 % of replicates (Monte-Carlo SE 0.7 %); with a
#: limit of 0.1, up to 7.5 %.  tests/independence/test_calibration.py checks the result.
AUTO_EXCESS_LIMIT = 0.05

_LN2 = float(np.log(2.0))


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
        without one, e.g. the kNN tests of :mod:`mistruct.independence._knn`): for
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
    independent : bool or None
        ``pvalue > alpha``: independence is not rejected.  None when the test
        carries no evidence (``no_evidence``): it cannot tell.  When X or Y
        is constant over all rows it is independent of everything, with
        certainty: ``independent=True``, ``pvalue=1``, ``no_evidence=False``.
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
        Strata in which both X and Y take more than one value and each
        repeats a value.  Only these can show dependence: where every value
        of X (or of Y) occurs once in a stratum, every permutation gives the
        same G.
    no_evidence : bool
        True when no stratum is informative (above) although neither X nor Y
        is constant: Z determines X or Y, or X or Y is unique within every
        stratum (e.g. every stratum is a single row, or an ID-like column),
        or there are no rows.  The exact p-value is then 1 whatever the
        truth (an asymptotic method may still print a small one, which means
        nothing), so the test carries no evidence either way and
        ``independent`` is None.
        Structure learners read it as "cannot tell" and keep the edge.
    note : str
        Why a result is what it is, in words: no evidence, a constant
        column, which test ``method="auto"`` ran and why, or a warning that
        the chi-squared approximation of an asymptotic method is doubtful
        here.  Empty when there is nothing to say.

    See Also
    --------
    ci_test : returns it.
    ci_tests : returns a list of them.

    Notes
    -----
    A result has no truth value, so it cannot be mistaken for a decision
    (``if result:``); use ``result.independent`` (True, False, or None for
    "cannot tell").
    """

    statistic: float
    pvalue: float
    dof: int | None
    cmi: float
    method: str
    alpha: float
    independent: bool | None
    n_permutations: int = 0
    null_distribution: np.ndarray | None = field(default=None, repr=False, compare=False)
    estimator: str = "plugin"
    n: int = 0
    n_strata: int = 0
    n_informative_strata: int = 0
    no_evidence: bool = False
    note: str = ""

    def __bool__(self):
        raise TypeError(
            "a CITestResult has no truth value; use result.independent (pvalue > alpha) "
            "or compare result.pvalue yourself."
        )

    def to_dict(self) -> dict:
        """The fields as plain Python values (the null distribution as a list or None).

        ``independent`` is True, False or None (no evidence); ``no_evidence``
        and ``note`` come along, so a JSON reader sees the third state.
        """
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
    check_option(method, "method", DISCRETE_METHODS)
    alpha = check_alpha(alpha)
    n_permutations = check_n_permutations(n_permutations)
    check_estimator(estimator)
    if method in ASYMPTOTIC and estimator != "plugin":
        raise InvalidInputError(
            f"method={method!r} uses the chi-squared law of the plug-in G statistic, so it "
            f"cannot use estimator={estimator!r}; use method='permutation' or 'sequential' "
            "with that estimator, or estimator='plugin'."
        )
    h = check_int(h, "h", hint="(e.g. 20)")
    if method == "sequential" and h > n_permutations:
        raise InvalidInputError(
            f"h={h} exceeds n_permutations={n_permutations}: the sequential test could never "
            "stop early; lower h or raise n_permutations."
        )
    return Options(method, float(alpha), int(n_permutations), estimator, int(h), bool(return_null))


# ---------------------------------------------------------------- seeding


def no_evidence(result: CITestResult) -> bool:
    """Whether a test carried no evidence either way (``result.no_evidence``).

    True for a test of strata none of which lets both X and Y vary and
    repeat a value although neither is constant (Z determines one of them,
    or one is unique within every stratum): every permutation gives its G,
    so its exact p-value is 1 whatever the truth, and structure learners
    read it as "cannot tell", not as independence.  A
    constant X or Y is independent of everything (False here).  Tests
    without strata (kNN, Gaussian) always carry evidence.
    """
    return bool(getattr(result, "no_evidence", False))


def label_key(label) -> bytes:
    """A stable byte string naming a column label, the same in every process and run.

    Integers (Python or NumPy) and floats are written by value, so that
    ``3`` and ``np.int64(3)`` name the same column; other labels by type and
    ``repr``, so that ``1`` and ``"1"`` differ.
    """
    if isinstance(label, (bool, np.bool_)):
        text = f"bool:{bool(label)}"
    elif isinstance(label, numbers.Integral):
        text = f"int:{int(label)}"
    elif isinstance(label, numbers.Real):
        text = f"float:{float(label)!r}"
    elif isinstance(label, str):
        text = f"str:{label}"
    elif isinstance(label, tuple):
        text = "tuple:(" + ",".join(label_key(v).decode("utf-8", "replace") for v in label) + ")"
    else:
        text = f"{type(label).__qualname__}:{label!r}"
    return text.encode("utf-8", "surrogatepass")


def _label_number(label) -> int:
    return int.from_bytes(hashlib.blake2b(label_key(label), digest_size=8).digest(), "little")


def content_query(x, y, given=()) -> tuple:
    """A query ``(x, y, given)`` of labels in canonical order, and the key of its random stream.

    ``x`` and ``y`` are ordered, and ``given`` sorted, by :func:`label_key`
    (not by column position), and the key is made of stable hashes of the
    labels: a query draws the same whatever the order of the table's
    columns, of ``x`` and ``y``, of ``given``, and whichever entry point
    runs it.  Returns ``(x, y, given, key)``.
    """
    if label_key(x) > label_key(y):
        x, y = y, x
    given = tuple(sorted(given, key=label_key))
    key = (_label_number(x), _label_number(y), *(_label_number(g) for g in given))
    return x, y, given, key


def seed_entropy(seed) -> int:
    """One integer of entropy from ``seed`` (None: fresh; int; or a Generator, drawn from)."""
    seed = check_seed(seed)
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    if isinstance(seed, np.random.SeedSequence):
        return int(seed.generate_state(2, np.uint64)[0])
    return int(seed)


def query_rng(entropy: int, key: tuple) -> np.random.Generator:
    """The random stream of one query: the same for the same seed and query, in any order.

    ``key`` holds the canonical query, non-negative integers (the key of
    :func:`content_query`), so a test's draws do not depend on which other
    tests run, in which order or in which thread, nor on column positions.
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


def asymptotic_fits(rows, cols) -> tuple[bool, float, int]:
    """Whether the chi-squared law of G fits a query's informative strata (``"auto"``'s rule).

    ``rows`` and ``cols`` are the margins (X and Y counts) of the strata
    where both vary.  By Williams (1976), in a stratum of ``m`` rows with
    row sums ``r_i`` and column sums ``c_j`` (non-zero ones), G exceeds its
    degrees of freedom on average by about
    ``(m sum 1/r_i - 1)(m sum 1/c_j - 1) / (6 m)``; summed over strata, this
    excess shifts the whole law, while its spread is only ``sqrt(2 dof)``.
    The law fits when the excess is at most :data:`AUTO_EXCESS_LIMIT` times
    ``sqrt(2 dof)`` (dof of the adjusted test).  Many thin strata fail the
    rule even when the rows per degree of freedom look ample, because their
    small biases add up.

    Returns ``(fits, excess in standard deviations, dof)``.

    Parameters
    ----------
    rows : array_like of int, shape (n_strata, kx)
        The X margin (row sums) of each informative stratum.
    cols : array_like of int, shape (n_strata, ky)
        The Y margin (column sums) of the same strata, in the same order.

    See Also
    --------
    ci_test : ``method="auto"`` uses this rule.
    """
    # Contiguous, so the sums run in one order whatever the layout of the counts
    # (mistruct.counting.StrataCounter sums in this order, to the last bit).
    rows = np.ascontiguousarray(rows, dtype=float)
    cols = np.ascontiguousarray(cols, dtype=float)
    if rows.shape[0] == 0:
        return False, float("inf"), 0
    m = rows.sum(axis=1)
    dof = int((((rows > 0).sum(axis=1) - 1) * ((cols > 0).sum(axis=1) - 1)).sum())
    with np.errstate(divide="ignore"):
        inv_r = np.where(rows > 0, 1.0 / np.where(rows > 0, rows, 1.0), 0.0).sum(axis=1)
        inv_c = np.where(cols > 0, 1.0 / np.where(cols > 0, cols, 1.0), 0.0).sum(axis=1)
    excess = float(((m * inv_r - 1.0) * (m * inv_c - 1.0) / (6.0 * m)).sum())
    shift = excess / np.sqrt(2.0 * max(dof, 1))
    return bool(shift <= AUTO_EXCESS_LIMIT), float(shift), dof


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
    live = (active_rows > 1) & (active_cols > 1)
    # A stratum where every value of X (or of Y) occurs once has the same G in
    # every table with its margins (G = 2 sum_j c_j log(m / c_j)), so it cannot
    # show dependence: only strata where both X and Y repeat a value can.
    informative = live & (rows.max(axis=1, initial=0) > 1) & (cols.max(axis=1, initial=0) > 1)
    constant = n > 0 and (kx == 1 or ky == 1)
    evidence = bool(informative.any())
    method = options.method
    note = ""
    if not evidence:
        if constant:
            note = (
                "x or y takes a single value in every row: a constant is independent of "
                "everything (p = 1 with certainty, not for lack of evidence)."
            )
        elif n == 0:
            note = "no evidence: there are no rows to test."
        else:
            note = (
                "no evidence: no stratum where both x and y vary and repeat a value (Z "
                "determines x or y, or x or y is unique within every stratum, e.g. every "
                "stratum is a single row), so every permutation gives the observed G and the "
                "exact p-value is 1 whatever the truth."
            )
    if method in ("auto", *ASYMPTOTIC) and evidence:
        fits, shift, _ = asymptotic_fits(rows[live], cols[live])
        if method == "auto":
            if fits and options.estimator == "plugin":
                method = "g-test-adjusted"
                note = (
                    f"auto: chi-squared law (expected excess of G {shift:.3g} sd <= "
                    f"{AUTO_EXCESS_LIMIT}), adjusted degrees of freedom."
                )
            else:
                method = "sequential" if options.h <= options.n_permutations else "permutation"
                reason = (
                    f"the chi-squared law does not fit (expected excess of G {shift:.3g} sd > "
                    f"{AUTO_EXCESS_LIMIT}: strata too thin for the asymptotics)"
                    if options.estimator == "plugin"
                    else f"estimator {options.estimator!r} has no chi-squared law"
                )
                note = f"auto: exact {method} test, since {reason}."
        elif not fits:
            note = (
                f"the chi-squared approximation is doubtful here (expected excess of G "
                f"{shift:.3g} sd of its law: strata too thin); the p-value may be far off "
                "(see the method's documentation); method='auto' or 'permutation' gives an "
                "exact one."
            )
    elif method == "auto":
        # Without evidence the exact null is the observed value: p = 1, no draws needed.
        method = "sequential" if options.h <= options.n_permutations else "permutation"
    if method == "g-test-adjusted":
        dof = g_dof_adjusted(active_rows, active_cols)
    else:
        dof = g_dof(kx, ky, n_strata)
    plugin = options.estimator == "plugin"
    if plugin and method in ASYMPTOTIC:
        # The chi-squared p-value needs G only: no null to prepare (its caps and stages
        # cost more than the G of a small table), as cheap as pgmpy's own test.
        statistic = _g_statistic(rows[live], cols[live], counts[live])
    elif plugin:
        null = perm.PluginNull(rows[live], cols[live], counts[live])
        # The same G, summed the same way, whichever method reports it (the null sums
        # its strata in its drawing order; its tolerance covers the last bits).
        statistic = _g_statistic(rows[live], cols[live], counts[live])
    else:
        null = _estimator_null(counts, rows, cols, live, strata, options.estimator, n)
        statistic = null.observed
    if plugin:
        statistic = max(statistic, 0.0)  # rounding can leave -1e-15 for G = 0
    cmi = statistic / (2.0 * n * _LN2) if n else 0.0
    null_values = None
    drawn = 0
    if method in ASYMPTOTIC:
        pvalue = g_pvalue(statistic, dof)
    elif not evidence:
        # Every table with the strata's margins has the observed G: the null is that value.
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
            pvalue = fixed_pvalue(exceed, drawn)
        else:
            drawn, exceed, null_values = perm.sequential_test(
                null, options.n_permutations, options.h, threshold, rng, fill_rng, progress
            )
            pvalue = sequential_pvalue(exceed, drawn, options.h)
        if plugin and null_values is not None:
            null_values = np.maximum(null_values, 0.0)
    if null_values is not None:
        if options.return_null:
            null_values.setflags(write=False)
        else:
            null_values = None
    pvalue = float(min(max(pvalue, 0.0), 1.0))
    silent = not evidence and not constant
    return CITestResult(
        statistic=float(statistic),
        pvalue=pvalue,
        dof=dof,
        cmi=float(cmi),
        method=method,
        alpha=options.alpha,
        independent=None if silent else bool(pvalue > options.alpha),
        n_permutations=int(drawn),
        null_distribution=null_values,
        estimator=options.estimator,
        n=n,
        n_strata=int(n_strata),
        n_informative_strata=int(informative.sum()),
        no_evidence=silent,
        note=note,
    )


def _g_statistic(rows, cols, counts) -> float:
    """G = 2 sum over strata of (sum t log t - sum r log r - sum c log c + m log m).

    The counts are made C-contiguous first: NumPy sums a reduced table in its
    memory order, so a transposed layout (which fancy indexing can leave)
    would round differently; in this one order the batched kernel of
    :class:`mistruct.counting.StrataCounter` gives the same bits.
    """
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    if rows.shape[0] == 0:
        return 0.0
    totals = rows.sum(axis=1)
    lut = perm.xlogx_function(int(totals.max()))
    offsets = lut(rows).sum(axis=1) + lut(np.ascontiguousarray(cols, dtype=np.int64)).sum(axis=1)
    cells = lut(np.ascontiguousarray(counts, dtype=np.int64)).sum(axis=(1, 2))
    terms = 2.0 * (cells - (offsets - lut(totals)))
    return float(terms.sum())


def decide(result: CITestResult, alpha: float) -> bool | None:
    """The decision of ``result`` at level ``alpha``: None when it carries no evidence."""
    return None if no_evidence(result) else bool(result.pvalue > alpha)


def warn_no_evidence(what: str, note: str, stacklevel: int = 3):
    warnings.warn(
        f"{what}: {note} The result says independent=None (cannot tell), not independence.",
        NoEvidenceWarning,
        stacklevel=stacklevel,
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
