"""Greedy forward feature selection by mutual information (the mRMR family)."""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mistruct._validation import (
    check_alpha,
    check_bool,
    check_int,
    check_missing,
    check_n_permutations,
    check_option,
    check_seed,
)
from mistruct.data import (
    apply_kinds,
    apply_missing,
    as_frame,
    column_kinds,
    encode,
    is_dask_collection,
)
from mistruct.exceptions import InvalidInputError, MissingValuesError, NoEvidenceWarning
from mistruct.independence import CI_TESTS
from mistruct.independence import ci_test as run_ci_test
from mistruct.measures import ESTIMATORS, MI_ESTIMATORS, entropy, mutual_information
from mistruct.selection._criteria import CRITERIA, RunningTerms, pick_best
from mistruct.selection._dask import DaskTerms, dask_selection_table
from mistruct.selection._knn import KnnTerms

#: Estimators of numeric columns only (they refuse a discrete column).
NUMERIC_ESTIMATORS = ("ksg", "gaussian")

#: Stop tests whose p-value does not come from null draws (n_permutations unused).
ASYMPTOTIC_TESTS = ("g-test", "g-test-adjusted", "gaussian")

#: Cells (and row-candidate pairs) one vectorised count may hold: bounds memory
#: at ~128 MB of int64 whatever the table's size.
BLOCK_CELLS = 2**24

#: Continuous and mixed columns take the batched kNN terms (:mod:`._knn`); False sends them
#: through one :func:`mistruct.mutual_information` call per term (the reference path the
#: tests and the benchmark compare with).
BATCHED_KNN = True

#: Smallest number of null draws of the stop test, as in mistruct's permutation tests.
MIN_PERMUTATIONS = 1000

#: Corrections over the steps of the ``n_features="auto"`` stop (besides None).
CORRECTIONS = ("holm",)


def step_share(step: int, correction) -> float:
    """Share of ``alpha`` the stop test of ``step`` (1, 2, ...) is run at.

    ``None``: all of it (a fixed sequence).  ``"holm"``: the online fallback
    procedure with weights ``gamma_t = 1 / (t (t + 1))``: after ``t - 1``
    additions, step ``t`` is tested at ``alpha (gamma_1 + ... + gamma_t) =
    alpha t / (t + 1)``.
    """
    return 1.0 if correction is None else step / (step + 1.0)


@dataclass(frozen=True)
class SelectionResult:
    """What :func:`select_features` chose, step by step.

    Attributes
    ----------
    selected : tuple
        Labels of the chosen features, in the order they were chosen.
    scores : tuple of float
        The criterion's value of each chosen feature at its step (``base``
        units; a ratio for ``"mrmr-quotient"`` and ``"disr"``).
    relevance : tuple of float
        ``I(f; y)`` of each chosen feature.
    redundancy : tuple of float
        Mean ``I(f; s)`` over the features chosen before it (0 at step 1).
    pvalues : tuple of float
        With ``n_features="auto"``: the adjusted p-value of the test of
        ``f`` independent of ``y`` given the features chosen before it
        (Bonferroni over the candidates of its step and, with
        ``correction="holm"``, the step's share of ``alpha``; see
        :func:`select_features`); NaN otherwise.
    stop_reason : str
        Why the selection ended, in words.
    stop_candidate : label or None
        With ``n_features="auto"``: the best candidate that was tested and
        refused at the last step (None if none was).
    stop_pvalue : float
        Its adjusted p-value (NaN if none).
    criterion, estimator, ci_test : str
        The options used (``estimator`` is ``"plugin"`` on the vectorised
        discrete path).
    correction : str or None
        The correction over the steps (``None`` or ``"holm"``).
    alpha : float
    base : float
    feature_relevance : pandas.Series
        ``I(f; y)`` of every feature, indexed by label (``scores_`` of the
        scikit-learn selector).
    """

    selected: tuple
    scores: tuple
    relevance: tuple
    redundancy: tuple
    pvalues: tuple
    stop_reason: str
    stop_candidate: object
    stop_pvalue: float
    criterion: str
    estimator: str
    ci_test: str
    alpha: float
    base: float
    feature_relevance: pd.Series = field(repr=False, compare=False)
    correction: str | None = None

    def __len__(self):
        return len(self.selected)

    def to_frame(self) -> pd.DataFrame:
        """One row per step: ``feature``, ``score``, ``relevance``, ``redundancy``, ``pvalue``.

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> X = pd.DataFrame(rng.integers(0, 3, (500, 4)), columns=list("abcd"))
        >>> y = (X["a"] + X["c"]) % 3
        >>> select_features(X, y, n_features=2).to_frame()["feature"].tolist()
        ['c', 'a']
        """
        frame = pd.DataFrame(
            {
                "feature": list(self.selected),
                "score": list(self.scores),
                "relevance": list(self.relevance),
                "redundancy": list(self.redundancy),
                "pvalue": list(self.pvalues),
            },
            index=pd.RangeIndex(1, len(self.selected) + 1, name="step"),
        )
        return frame


# ------------------------------------------------------------------ the door


def _check_options(criterion, n_features, beta, alpha, ci_test, n_permutations, estimator, k,
                   base, seed, missing, progress, correction):
    check_option(criterion, "criterion", CRITERIA)
    if correction == "bh":
        raise InvalidInputError(
            "correction='bh' is not offered for the stop rule: the selection stops at the "
            "first refused step, so its false discovery rate is at most its family-wise "
            "error, already at most alpha with correction=None, and online FDR rules "
            "(LOND, LORD) never test a step above alpha. Use correction=None, or 'holm'."
        )
    if correction is not None:
        check_option(correction, "correction", CORRECTIONS)
    if isinstance(n_features, str):
        if n_features != "auto":
            raise InvalidInputError(
                f"n_features={n_features!r} is not an option; use a positive integer or 'auto' "
                "(stop when the next feature adds no significant information)."
            )
    else:
        check_int(n_features, "n_features", hint="(or 'auto')")
    if isinstance(beta, (bool, np.bool_)) or not isinstance(beta, numbers.Real) or not (
        0 <= beta < math.inf
    ):
        raise InvalidInputError(f"beta must be a finite number >= 0, got {beta!r} (e.g. 1.0).")
    check_alpha(alpha)
    check_option(ci_test, "ci_test", tuple(CI_TESTS))
    if n_permutations is not None:
        check_n_permutations(n_permutations)
    check_option(estimator, "estimator", MI_ESTIMATORS)
    if estimator == "ksg2":
        raise InvalidInputError(
            "estimator='ksg2' has no conditional form; use 'ksg' (Frenzel-Pompe) or 'auto'."
        )
    check_int(k, "k")
    if isinstance(base, (bool, np.bool_)) or not isinstance(base, numbers.Real) or not (
        0 < base < math.inf and base != 1
    ):
        raise InvalidInputError(f"base must be a positive number other than 1, got {base!r}.")
    check_seed(seed)
    check_missing(missing)
    check_bool(progress, "progress")


def _target(y, n_rows, feature_labels):
    """``y`` as (label, 1-D values); its label must not clash with a feature's."""
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise InvalidInputError(
                f"y must be one column (the target); got a table with {y.shape[1]} columns."
            )
        y = y.iloc[:, 0]
    label = y.name if isinstance(y, pd.Series) and y.name is not None else "y"
    values = y.to_numpy() if isinstance(y, pd.Series) else np.asarray(y)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim == 0 and y in feature_labels:
        raise InvalidInputError(
            f"y={y!r} is a column label; pass the target's values: "
            f"select_features(X.drop(columns=[{y!r}]), X[{y!r}])."
        )
    if values.ndim != 1:
        raise InvalidInputError(
            f"y must be one-dimensional (one target value per row), got shape {values.shape}."
        )
    if len(values) != n_rows:
        raise InvalidInputError(
            f"X has {n_rows} rows but y has {len(values)} values; they must pair row by row."
        )
    while label in feature_labels:
        # A target derived from a column keeps its name (y = X["a"] % 2): label it apart.
        label = f"_{label}" if isinstance(label, str) else f"_y{label}"
    return label, values


def _read_table(X, y, discrete, continuous, missing):
    """X and y as one frame whose dtypes state each column's kind, after ``missing``."""
    frame = as_frame(X, what="X")
    if frame.shape[1] == 0:
        raise InvalidInputError("X has no columns; give at least one feature.")
    labels = list(frame.columns)
    label, values = _target(y, len(frame), set(labels))
    table = frame.reset_index(drop=True)  # a new frame: the caller's X is never touched
    table[label] = values
    table = apply_kinds(table, discrete=discrete, continuous=continuous, what="data")
    if missing == "error":
        counts = table.isna().sum()
        counts = counts[counts > 0]
        if len(counts):
            listed = ", ".join(f"{name!r} ({int(c)})" for name, c in counts.items())
            raise MissingValuesError(
                f"missing values in {listed}; pass missing='drop' to drop those rows or "
                "missing='category' to make them a level of discrete columns."
            )
    else:
        table = apply_missing(table, missing)
        floats = [c for c in table.columns if table[c].dtype.kind == "f" and table[c].isna().any()]
        if floats:
            raise MissingValuesError(
                f"missing values in continuous column(s) {floats}: missing='category' applies "
                "to discrete columns only; use missing='drop'."
            )
    if len(table) < 2:
        raise InvalidInputError(f"select_features needs at least 2 rows, got {len(table)}.")
    # The overrides again: an integer column forced discrete keeps its dtype, which the
    # plain rule alone could read as a measurement.
    kinds = column_kinds(table, discrete=discrete, continuous=continuous)
    return table, labels, label, kinds


def _label_rank(labels):
    """Position of each label in sorted order (string order when labels do not compare)."""
    try:
        order = sorted(range(len(labels)), key=lambda j: labels[j])
    except TypeError:
        order = sorted(range(len(labels)), key=lambda j: (type(labels[j]).__name__, str(labels[j])))
    rank = np.empty(len(labels), dtype=np.int64)
    rank[order] = np.arange(len(labels))
    return rank


# ------------------------------------------------ the vectorised discrete engine


def _xlogx_sum(counts, axes):
    """``sum c log c`` over ``axes`` (0 log 0 = 0)."""
    c = counts.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(c > 0, c * np.log(np.where(c > 0, c, 1.0)), 0.0)
    return terms.sum(axis=axes)


class DiscreteTerms:
    """Per-candidate information terms of discrete columns, counted all at once.

    For the last chosen feature ``s`` (or none: relevance), each candidate
    ``f`` is counted against the joint code of ``(s, y)`` in blocks of
    candidates, one ``bincount`` per block; every term follows from that
    ``f x s x y`` table by the chain rule, in nats:
    ``I(f; s y)``, ``I(f; s)``, ``I(f; y | s) = I(f; s y) - I(f; s)`` and
    ``H(f, s, y)``.
    """

    def __init__(self, codes, cardinalities, target, n_target):
        self.codes = codes
        self.cards = np.asarray(cardinalities, dtype=np.int64)
        self.target = np.asarray(target, dtype=np.int64)
        self.n_target = int(n_target)
        self.n = codes.shape[0]

    def step(self, candidates, s=None):
        """(I(f; s), I(f; y | s), H(f, s, y)) in nats for ``candidates`` (s=None: I(f; y))."""
        n = self.n
        if s is None:
            s_codes, n_s = np.zeros(n, dtype=np.int64), 1
        else:
            s_codes, n_s = self.codes[:, s].astype(np.int64), int(self.cards[s])
        sy = s_codes * self.n_target + self.target  # joint code of (s, y), not compacted
        n_sy = n_s * self.n_target
        sy_counts = np.bincount(sy, minlength=n_sy)
        s_counts = sy_counts.reshape(n_s, self.n_target).sum(axis=1)
        n_log_n = n * math.log(n)
        xl_sy = _xlogx_sum(sy_counts, 0)
        xl_s = _xlogx_sum(s_counts, 0)
        red = np.empty(len(candidates))
        cond = np.empty(len(candidates))
        joint_h = np.empty(len(candidates))
        start = 0
        while start < len(candidates):
            # Block of candidates sized so both the row-by-candidate codes and the count
            # tables stay under BLOCK_CELLS: one bincount per block, not per candidate.
            max_card = int(self.cards[candidates[start:]].max())
            per = max_card * n_sy
            size = max(1, min(BLOCK_CELLS // max(per, 1), BLOCK_CELLS // n))
            block = candidates[start : start + size]
            max_card = int(self.cards[block].max())
            width = max_card * n_sy
            # In place and in the codes' column-major order: ravel(order="K") then needs
            # no copy, and bincount does not care about the order of the cells it counts.
            flat = self.codes[:, block].astype(np.int64)
            flat *= n_sy
            flat += sy[:, None]
            flat += (np.arange(len(block), dtype=np.int64) * width)[None, :]
            table = np.bincount(flat.ravel(order="K"), minlength=len(block) * width)
            table = table.reshape(len(block), max_card, n_s, self.n_target)
            xl_fsy = _xlogx_sum(table, (1, 2, 3))
            xl_f = _xlogx_sum(table.sum(axis=(2, 3)), 1)
            xl_fs = _xlogx_sum(table.sum(axis=3), (1, 2))
            i_f_sy = (xl_fsy - xl_f - xl_sy + n_log_n) / n
            i_f_s = (xl_fs - xl_f - xl_s + n_log_n) / n
            stop = start + len(block)
            red[start:stop] = np.maximum(i_f_s, 0.0)
            cond[start:stop] = np.maximum(i_f_sy - i_f_s, 0.0)
            joint_h[start:stop] = math.log(n) - xl_fsy / n
            start = stop
        return red, cond, joint_h


# ------------------------------------------------------------ selection


def _stop_permutations(n_permutations, n_candidates, alpha, numeric):
    """Null draws of the stop test: enough that a Bonferroni p-value can go below alpha / m.

    Discrete null tables are cheap (their cost is the size of the tables), so
    they resolve p-values to alpha / (10 m); a kNN null statistic costs a
    neighbour search over all rows, so kNN tests stop at alpha / (2 m).
    """
    if n_permutations is not None:
        return n_permutations
    factor = 2 if numeric else 10
    return max(MIN_PERMUTATIONS, math.ceil(factor * n_candidates / alpha))


def select_features(
    X,
    y,
    *,
    criterion: str = "mrmr",
    n_features=10,
    beta: float = 1.0,
    alpha: float = 0.05,
    ci_test: str = "auto",
    n_permutations=None,
    estimator: str = "auto",
    k: int = 3,
    base=2,
    seed=0,
    discrete=None,
    continuous=None,
    missing: str = "error",
    progress: bool = False,
    correction=None,
) -> SelectionResult:
    r"""Choose, greedily, the features that carry information about ``y`` (mRMR family).

    Forward selection: start from no features; at each step add the
    candidate ``f`` with the highest criterion ``J(f)`` given the chosen set
    ``S``.  The criteria (``I`` is mutual information, ``H`` entropy, sums
    and minima over ``s`` in ``S``; at the first step every criterion is
    ``I(f; y)``):

    ================= ========================================== =======================
    criterion         J(f)                                       reference
    ================= ========================================== =======================
    "mim"             I(f; y)  (relevance only)                  Lewis 1992
    "mifs"            I(f; y) - beta * sum I(f; s)               Battiti 1994
    "mrmr"            I(f; y) - mean I(f; s)  (difference, MID)  Peng, Long & Ding 2005
    "mrmr-quotient"   I(f; y) / mean I(f; s)  (quotient, MIQ)    Peng, Long & Ding 2005
    "jmi"             sum I(f, s; y)                             Yang & Moody 1999
    "jmim"            min I(f, s; y)                             Bennasar et al. 2015
    "cmim"            min I(f; y | s)                            Fleuret 2004
    "cife"            I(f; y) - sum [I(f; s) - I(f; s | y)]      Lin & Tang 2006
    "disr"            sum I(f, s; y) / H(f, s, y)                Meyer et al. 2008
    ================= ========================================== =======================

    (For MIQ, a candidate with no redundancy at all and positive relevance
    scores ``inf``.)  Each step computes one new column of ``I(f; s_last)``
    and ``I(f; y | s_last)`` for every candidate and folds it into running
    sums, so a step costs one pass over the rows.  When every column is
    discrete and ``estimator`` is ``"auto"`` or ``"plugin"``, that pass is
    vectorised: each block of candidates is counted against the joint code
    of ``(s_last, y)`` with one ``bincount``.  Float and mixed columns take
    the kNN estimators (KSG, Frenzel-Pompe, Gao et al.): each column is
    read and prepared once and every step runs the measures layer's kNN
    kernels on the prepared arrays, one neighbour search per candidate
    (the values are those of :func:`mistruct.mutual_information`, bit for
    bit).  Other discrete estimators (``"miller-madow"``, ...), the
    Gaussian one and a ``seed`` that is a Generator or None take one
    :func:`mistruct.mutual_information` call per candidate and step.  A
    Dask DataFrame is counted distributed, one pass per step (discrete
    columns only).

    Ties (scores within 1e-10) go to the candidate whose label sorts first,
    so the result never depends on the order of the columns.

    Parameters
    ----------
    X : DataFrame, 2-D array or Dask DataFrame
        The candidate features (columns of an array are labelled
        ``0 .. p - 1``).  Never modified.  A Dask DataFrame is never
        collected: every step's ``f x s x y`` tables are counted in one
        pass over its partitions and the stop test counts its strata
        there too, so the selection equals the pandas one; its columns
        must be discrete (the kNN estimators need every row on one
        machine: continuous columns are refused, with what to do).
    y : 1-D array, list, Series or Dask Series
        The target, one value per row of ``X`` (a Dask Series, a column of
        the same Dask DataFrame, when ``X`` is one): classes (discrete) or a
        measurement (continuous), by the same kind rule as the features.
        A Series' name labels it in the stop test (else ``"y"``; prefixed
        with ``_`` while it clashes with a column of ``X``).
    criterion : str, default "mrmr"
        One of the criteria above.
    n_features : int or "auto", default 10
        How many features to choose (fewer if ``X`` has fewer columns).
        ``"auto"``: keep adding the best candidate while it still carries
        information about ``y`` given the features already chosen: the CMI
        test of ``f`` independent of ``y`` given ``S`` (``ci_test``), its
        p-value multiplied by the number of candidates at that step
        (Bonferroni, since the best of ``m`` was picked: the chance of
        adding a feature when no candidate carries information is at most
        ``alpha``), must be at most ``alpha`` (see ``correction`` for the
        steps as a family).
    beta : float, default 1.0
        Weight of the redundancy sum of ``"mifs"`` (unused by the others).
    alpha : float, default 0.05
        Level of the stop test (``n_features="auto"`` only).
    ci_test : str, default "auto"
        The CI test of the stop rule (a name of
        :data:`mistruct.independence.CI_TESTS`, passed to
        :func:`mistruct.ci_test` as ``method``).  ``"auto"``: for discrete
        columns the adjusted G-test where the chi-squared law fits the
        counts and the exact sequential permutation test where it does not;
        the kNN test where a column is continuous.
    n_permutations : int, optional
        Null draws of the stop test.  By default enough that the adjusted
        p-value can go below ``alpha``: ``max(1000, 10 m / alpha)`` for
        ``m`` candidates (``2 m / alpha`` for the kNN test, whose draws
        cost a neighbour search each).  A number too small to reach
        ``alpha`` is refused.
    estimator : str, default "auto"
        Mutual-information estimator (see :func:`mistruct.mutual_information`).
        ``"auto"``: plug-in counts for discrete columns, KSG / Frenzel-Pompe
        for continuous ones, Gao et al. for mixed pairs.
    k : int, default 3
        Neighbour count of the kNN estimators.
    base : float, default 2
        Units of the scores: 2 bits, ``np.e`` nats.
    seed : None, int or numpy.random.Generator, default 0
        Seeds the kNN tie noise and the stop test's draws (keyed by the
        query's content).
    discrete, continuous : list of labels, optional
        Labels of columns (features, or the target's label) to treat as
        discrete / continuous, overriding the automatic rule of
        :func:`mistruct.data.column_kinds`.
    missing : {"error", "drop", "category"}, default "error"
        Rows with NaN/None: an error naming the columns, dropped, or (for
        discrete columns) a level of their own.
    progress : bool, default False
        Show a progress bar over the steps.
    correction : {None, "holm"}, default None
        Multiple testing over the steps of the ``"auto"`` stop.  The family
        is the sequence of step tests ``H_t``: "the best candidate at step
        ``t`` carries no information about ``y`` given the ``t - 1``
        features chosen before it" (each already Bonferroni-adjusted over
        that step's candidates); a false selection is a rejected true
        ``H_t``.

        ``None``: every step at ``alpha``.  Since the selection stops at the
        first step it does not reject, this is a fixed-sequence procedure
        (Maurer, Hothorn & Lehmacher 1995): any false selection must pass
        through the first true ``H_t`` on the path, tested at ``alpha``, so
        the family-wise error rate (the chance of adding at least one
        feature that carries no information given those before it) is at
        most ``alpha`` whenever each step's p-value is valid given the
        features chosen before it.

        ``"holm"``: the online fallback procedure (Tian & Ramdas 2021), the
        sequential form of Wiens' (2003) fallback, a weighted Holm
        procedure: with weights ``gamma_t = 1 / (t (t + 1))`` (summing to
        1), step ``t`` (after ``t - 1`` additions) is tested at
        ``alpha (gamma_1 + ... + gamma_t) = alpha t / (t + 1)``: ``alpha /
        2`` at step 1, ``2 alpha / 3`` at step 2, ...  It controls the
        family-wise error rate at ``alpha`` under any dependence between
        the steps' tests without the stop's argument (it would hold even if
        testing went on after a refusal), and leaves a margin against
        p-values that are a little too small (the chi-squared law in sparse
        strata, a conditioning set chosen on the same rows).  The reported
        p-values are divided by the step's share, so they compare with
        ``alpha``.

        There is no ``"bh"``: after a stop at the first refusal the false
        discovery rate is at most the family-wise error rate, already at
        most ``alpha`` with ``None``, and the online FDR rules (LOND, LORD;
        Javanmard & Montanari 2018) never test a step above ``alpha``, so
        they could only lower the power.

    Returns
    -------
    SelectionResult
        The chosen labels in order, each step's score, relevance,
        redundancy and (with ``"auto"``) p-value, and why it stopped;
        ``to_frame()`` gives the table.

    Raises
    ------
    InvalidInputError
        Before any work: a bad option, ``y`` not pairing with ``X``,
        ``"disr"`` with continuous columns (differential entropy has no
        place in its normalisation), an estimator that cannot take a
        column's kind.
    MissingValuesError
        Missing values with ``missing="error"``.

    See Also
    --------
    mistruct.selection.MutualInfoSelector : the same as a scikit-learn selector.
    mistruct.mutual_information : the measure behind every score.
    mistruct.ci_test : the test behind the stop rule.

    References
    ----------
    Brown, Pocock, Zhao & Luján (2012), "Conditional likelihood maximisation:
    a unifying framework for information theoretic feature selection", JMLR 13.
    Peng, Long & Ding (2005), IEEE TPAMI 27(8).  Fleuret (2004), JMLR 5.
    Battiti (1994), IEEE TNN 5(4).  Yang & Moody (1999), NIPS.  Lin & Tang
    (2006), ECCV.  Meyer, Schretter & Bontempi (2008), IEEE JSTSP 2(3).
    Bennasar, Hicks & Setchi (2015), Expert Syst. Appl. 42(22).
    Stop rule: Maurer, Hothorn & Lehmacher (1995), "Multiple comparisons in
    drug clinical trials and preclinical assays: a-priori ordered
    hypotheses", Biometrie in der chemisch-pharmazeutischen Industrie 6.
    Wiens (2003), "A fixed sequence Bonferroni procedure for testing
    multiple endpoints", Pharm. Stat. 2(3).  Tian & Ramdas (2021), "Online
    control of the familywise error rate", Stat. Methods Med. Res. 30(4).
    Javanmard & Montanari (2018), "Online rules for control of false
    discovery rate and false discovery exceedance", Ann. Stat. 46(2).

    Examples
    --------
    Three copies of one feature: relevance alone (``"mim"``) takes the copies;
    mRMR takes the second, independent feature next, and the stop rule ends
    there (given ``a`` and ``b``, nothing else says anything about ``y``).

    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.integers(0, 2, 2000), (rng.random(2000) < 0.2).astype(int)
    >>> X = pd.DataFrame({"a": a, "a2": a, "a3": a, "b": b, "noise": rng.integers(0, 2, 2000)})
    >>> y = 2 * a + b
    >>> select_features(X, y, criterion="mim", n_features=2).selected
    ('a', 'a2')
    >>> select_features(X, y, criterion="mrmr", n_features=2).selected
    ('a', 'b')
    >>> result = select_features(X, y, n_features="auto")
    >>> result.selected
    ('a', 'b')
    >>> print(result.to_frame().round(3))
         feature  score  relevance  redundancy  pvalue
    step
    1          a  0.999      0.999         0.0     0.0
    2          b  0.755      0.755         0.0     0.0
    """
    _check_options(criterion, n_features, beta, alpha, ci_test, n_permutations, estimator, k,
                   base, seed, missing, progress, correction)
    stop_missing = "error"
    if is_dask_collection(X) or is_dask_collection(y):  # counted distributed (issue 16)
        if not is_dask_collection(X):
            raise InvalidInputError(
                "y is a Dask collection but X is not; pass X as a Dask DataFrame of the same "
                "rows, or y computed (y.compute()) with X in memory."
            )
        table, dtable, labels, target, kinds, stop_missing = dask_selection_table(
            X, y, discrete=discrete, continuous=continuous, missing=missing,
            estimator=estimator,
        )
    else:
        table, labels, target, kinds = _read_table(X, y, discrete, continuous, missing)
        dtable = None
    continuous_labels = [c for c in table.columns if kinds[c] == "continuous"]
    if continuous_labels and criterion == "disr":
        raise InvalidInputError(
            f"criterion='disr' needs entropies of discrete columns; {continuous_labels} are "
            "continuous (differential entropy can be negative). Use 'jmi', or discretize them."
        )
    if continuous_labels and estimator in ESTIMATORS:
        raise InvalidInputError(
            f"estimator={estimator!r} counts discrete levels; {continuous_labels} are "
            "continuous. Use estimator='auto', 'ksg' or 'mixed', or name them in discrete=."
        )
    discrete_labels = [c for c in table.columns if kinds[c] == "discrete"]
    if discrete_labels and estimator in NUMERIC_ESTIMATORS:
        raise InvalidInputError(
            f"estimator={estimator!r} takes numeric columns; {discrete_labels} are discrete. "
            "Use estimator='auto' or 'mixed', or name them in continuous=."
        )
    p = len(labels)
    first_level = alpha * step_share(1, correction)
    if (n_features == "auto" and n_permutations is not None
            and ci_test not in ASYMPTOTIC_TESTS and p / (n_permutations + 1) > first_level):
        raise InvalidInputError(
            f"n_permutations={n_permutations} cannot reach alpha={alpha:g} with {p} candidate "
            f"features: the smallest Bonferroni-adjusted p-value is {p}/({n_permutations} + 1)"
            f" = {p / (n_permutations + 1):.3g}"
            + (f", above step 1's level {first_level:g} (correction={correction!r})"
               if correction else "")
            + f". Use n_permutations >= {math.ceil(2 * p / first_level)} (or leave it at None)."
        )
    limit = p if n_features == "auto" else min(int(n_features), p)
    scale = 1.0 / math.log(base)  # nats -> base units
    rank = _label_rank(labels)

    vectorised = not continuous_labels and estimator in ("auto", "plugin")
    if dtable is not None:
        terms_of = DaskTerms(dtable, p).step
        stop_table = table  # the Dask frame: the stop test counts its strata distributed
        used_estimator = "plugin"
    elif vectorised:
        encoded = encode(table, missing="error")
        codes = np.asarray(encoded.codes)
        cards = np.asarray(encoded.cardinalities, dtype=np.int64)
        engine = DiscreteTerms(codes[:, :p], cards[:p], codes[:, p], cards[p])
        terms_of = engine.step
        # The stop test reads codes (kinds passed explicitly); only "auto" needs them.
        stop_table = pd.DataFrame(codes, columns=table.columns) if n_features == "auto" else None
        used_estimator = "plugin"
    else:
        work = table.copy(deep=False)
        for c in discrete_labels:
            work[c] = work[c].astype("category")  # the dtype rule then agrees with kinds
        generic = _GenericTerms(work, labels, target, estimator, k, seed, criterion)
        terms_of = generic.step
        if (BATCHED_KNN and continuous_labels and estimator in ("auto", "ksg", "mixed")
                and isinstance(seed, numbers.Integral) and k < len(work)):
            # The same values without the measures' door on every call (a Generator or
            # None seed draws a key per call: that stays on the per-call path).
            terms_of = KnnTerms(work, labels, target, kinds, estimator, int(k), int(seed),
                                generic).step
        stop_table = work
        used_estimator = estimator
    all_columns = np.arange(p)
    _, relevance, _ = terms_of(all_columns, None)
    terms = RunningTerms(relevance)

    chosen = []
    step_scores, step_rel, step_red, step_p = [], [], [], []
    stop_reason = f"chose the {limit} feature(s) asked for"
    stop_candidate, stop_pvalue = None, float("nan")
    available = np.ones(p, dtype=bool)
    bar = _progress_bar(limit, progress)
    try:
        while len(chosen) < limit:
            candidates = np.flatnonzero(available)
            scores = terms.scores(criterion, beta)
            best = pick_best(scores, candidates, rank)
            pvalue = float("nan")
            if n_features == "auto":
                pvalue, why = _stop_test(
                    stop_table, labels, target, chosen, best, len(candidates), kinds,
                    ci_test, alpha, n_permutations, seed, correction, stop_missing,
                )
                if why is not None:
                    stop_reason, stop_candidate, stop_pvalue = why, labels[best], pvalue
                    break
            chosen.append(best)
            ratio = criterion in _RATIOS and len(chosen) > 1  # step 1 scores relevance, in units
            step_scores.append(float(scores[best]) * (1.0 if ratio else scale))
            step_rel.append(float(relevance[best]) * scale)
            step_red.append(float(terms.redundancy()[best]) * scale)
            step_p.append(pvalue)
            available[best] = False
            if bar is not None:
                bar.update(1)
            if len(chosen) < limit and available.any():
                rest = np.flatnonzero(available)
                red, cond, joint_h = terms_of(rest, best)
                full = [np.zeros(p), np.zeros(p), np.zeros(p), np.zeros(p)]
                full[0][rest], full[1][rest] = red, cond
                full[2][rest] = relevance[best] + cond  # I(f, s; y) = I(s; y) + I(f; y | s)
                if joint_h is not None:
                    full[3][rest] = joint_h
                terms.add(full[0], full[1], full[2], full[3] if criterion == "disr" else None)
        else:
            if n_features == "auto":
                stop_reason = "every feature was chosen: each added significant information"
    finally:
        if bar is not None:
            bar.close()

    return SelectionResult(
        selected=tuple(labels[j] for j in chosen),
        scores=tuple(step_scores),
        relevance=tuple(step_rel),
        redundancy=tuple(step_red),
        pvalues=tuple(step_p),
        stop_reason=stop_reason,
        stop_candidate=stop_candidate,
        stop_pvalue=stop_pvalue,
        criterion=criterion,
        estimator=used_estimator,
        ci_test=ci_test,
        alpha=float(alpha),
        base=float(base),
        feature_relevance=pd.Series(relevance * scale, index=pd.Index(labels), name="relevance"),
        correction=correction,
    )


#: Criteria whose score is a ratio, not an amount of information (no units).
_RATIOS = ("mrmr-quotient", "disr")


def _progress_bar(total, progress):
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="select_features", unit="feature")


def _stop_test(table, labels, target, chosen, best, n_candidates, kinds, method, alpha,
               n_permutations, seed, correction=None, missing="error"):
    """(adjusted p-value, reason to stop or None) for adding ``best`` to ``chosen``.

    The p-value is multiplied by the number of candidates (Bonferroni over the
    step) and divided by the step's share of ``alpha`` (:func:`step_share`),
    so it is compared with ``alpha`` itself.
    """
    columns = [labels[j] for j in chosen] + [labels[best], target]
    given = [labels[j] for j in chosen]
    share = step_share(len(chosen) + 1, correction)
    with warnings.catch_warnings():
        # A test without evidence ends the selection; the stop reason says so in its words.
        warnings.simplefilter("ignore", NoEvidenceWarning)
        result = _run_stop_test(table, columns, labels[best], target, given, kinds, method,
                                alpha * share, n_permutations, n_candidates, seed, missing)
    if result.no_evidence:
        return float("nan"), (
            f"no evidence either way for the best candidate {labels[best]!r} given the "
            f"{len(chosen)} chosen feature(s): {result.note}"
        )
    adjusted = min(1.0, float(result.pvalue) * n_candidates / share)
    if adjusted > alpha:
        steps = (f"; Holm-type fallback over the steps: step {len(chosen) + 1} at "
                 f"{share:.3g} alpha" if correction == "holm" else "")
        return adjusted, (
            f"no candidate adds significant information about y at alpha={alpha:g}: the best, "
            f"{labels[best]!r}, has p={adjusted:.3g} (Bonferroni over {n_candidates} "
            f"candidates{steps}, {result.method} test given {len(chosen)} chosen feature(s))"
        )
    return adjusted, None


def _run_stop_test(table, columns, x, target, given, kinds, method, alpha, n_permutations,
                   n_candidates, seed, missing="error"):
    return run_ci_test(
        table[columns],
        x,
        target,
        given,
        method=method,
        alpha=alpha,
        n_permutations=_stop_permutations(
            n_permutations, n_candidates, alpha, any(kinds[c] == "continuous" for c in columns)
        ),
        seed=seed,
        missing=missing,
        discrete=[c for c in columns if kinds[c] == "discrete"],
        continuous=[c for c in columns if kinds[c] == "continuous"],
    )


class _GenericTerms:
    """The same terms through :func:`mistruct.mutual_information`, one call per candidate.

    For continuous and mixed columns (kNN / Gao et al.) and for the discrete
    estimators other than the plug-in; in nats.
    """

    def __init__(self, table, labels, target, estimator, k, seed, criterion):
        self.table = table
        self.labels = labels
        self.target = target
        self.estimator = estimator
        self.k = k
        self.seed = seed
        self.criterion = criterion

    def _mi(self, x, y, given=None):
        return mutual_information(
            self.table[x], self.table[y], None if given is None else self.table[given],
            estimator=self.estimator, k=self.k, base=math.e, seed=self.seed,
        )

    def step(self, candidates, s=None):
        y = self.target
        red = np.empty(len(candidates))
        cond = np.empty(len(candidates))
        joint_h = np.empty(len(candidates)) if self.criterion == "disr" else None
        for i, j in enumerate(candidates):
            f = self.labels[j]
            if s is None:
                red[i], cond[i] = 0.0, self._mi(f, y)
                continue
            other = self.labels[s]
            red[i] = self._mi(f, other)
            cond[i] = self._mi(f, y, other)
            if joint_h is not None:
                joint_h[i] = entropy(
                    self.table[[f, other, y]], estimator=self.estimator, base=math.e
                )
        return red, cond, joint_h
