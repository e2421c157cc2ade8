"""Clustering scores: agreement with scikit-learn, exact expected MI, edge cases, inputs, CLI."""

import json
import math
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mistruct.cli.score import command as score_command
from mistruct.clustering._supervised import (
    adjusted_mutual_info_score,
    clustering_entropy,
    completeness_score,
    contingency_matrix,
    expected_mutual_information,
    homogeneity_completeness_v_measure,
    homogeneity_score,
    mutual_info_score,
    normalized_mutual_info_score,
    v_measure_score,
    variation_of_information,
)
from mistruct.exceptions import InvalidInputError, MissingValuesError

skm = pytest.importorskip("sklearn.metrics")
skc = pytest.importorskip("sklearn.metrics.cluster")

METHODS = ("min", "geometric", "arithmetic", "max")
TOL = 1e-10

# scikit-learn's documented example.
DOC_A = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]
DOC_B = [1, 1, 1, 1, 2, 1, 2, 2, 2, 2, 3, 1, 3, 3, 3, 2, 2]


def sk_entropy(labels):
    with warnings.catch_warnings():  # deprecated in scikit-learn 1.8
        warnings.simplefilter("ignore", FutureWarning)
        return skc.entropy(labels)


def random_labellings(count, seed):
    """Pairs of labellings of varied sizes, cluster counts, size skew and dependence."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.integers(1, 800))
        sizes = [int(rng.integers(1, min(n, k) + 1)) for k in (5, 400)]
        k_true, k_pred = rng.choice(sizes, 2)
        skew = rng.choice([0.2, 1.0, 20.0])
        true = rng.choice(k_true, n, p=rng.dirichlet(np.full(k_true, skew)))
        pred = rng.choice(k_pred, n, p=rng.dirichlet(np.full(k_pred, skew)))
        if rng.random() < 0.4:  # make them agree on part of the samples
            pred = np.where(rng.random(n) < 0.6, true, pred)
        yield true, pred


# ---------------------------------------------------------------------------
# Agreement with scikit-learn
# ---------------------------------------------------------------------------


def test_documented_values():
    assert mutual_info_score(DOC_A, DOC_B) == pytest.approx(0.4102186227, abs=TOL)
    table = contingency_matrix(DOC_A, DOC_B)
    assert expected_mutual_information(table, len(DOC_A)) == pytest.approx(0.1504248026, abs=TOL)
    assert adjusted_mutual_info_score(DOC_A, DOC_B) == pytest.approx(0.2782096466, abs=TOL)


def test_scores_match_sklearn():
    for i, (true, pred) in enumerate(random_labellings(150, 0)):
        method = METHODS[i % 4]
        assert mutual_info_score(true, pred) == pytest.approx(
            skm.mutual_info_score(true, pred), abs=TOL
        )
        assert clustering_entropy(true) == pytest.approx(sk_entropy(true), abs=TOL)
        assert normalized_mutual_info_score(true, pred, average_method=method) == pytest.approx(
            skm.normalized_mutual_info_score(true, pred, average_method=method), abs=TOL
        )
        beta = (0.5, 1.0, 2.0)[i % 3]
        ours = homogeneity_completeness_v_measure(true, pred, beta=beta)
        theirs = skm.homogeneity_completeness_v_measure(true, pred, beta=beta)
        assert ours == pytest.approx(theirs, abs=TOL)


def test_ami_and_expected_mi_match_sklearn():
    for i, (true, pred) in enumerate(random_labellings(150, 1)):
        table = skc.contingency_matrix(true, pred, sparse=True)
        assert expected_mutual_information(table, len(true)) == pytest.approx(
            skc.expected_mutual_information(table, len(true)), abs=TOL
        )
        method = METHODS[i % 4]
        singletons = len(np.unique(true)) == len(true) or len(np.unique(pred)) == len(pred)
        if method == "min" and singletons:
            continue  # scikit-learn's 0/0 there; see test_ami_min_with_singletons
        assert adjusted_mutual_info_score(true, pred, average_method=method) == pytest.approx(
            skm.adjusted_mutual_info_score(true, pred, average_method=method), abs=TOL
        )


def test_contingency_matrix_matches_sklearn():
    for true, pred in random_labellings(30, 99):
        np.testing.assert_array_equal(
            contingency_matrix(true, pred), skc.contingency_matrix(true, pred)
        )
        ours = contingency_matrix(true, pred, sparse=True)
        assert isinstance(ours, sp.csr_matrix)
        assert (ours != skc.contingency_matrix(true, pred, sparse=True)).nnz == 0


def test_contingency_matrix_options():
    true, pred = ["b", "a", "b", "c"], [2.5, 1.0, 2.5, 1.0]
    np.testing.assert_array_equal(contingency_matrix(true, pred), [[1, 0], [0, 2], [1, 0]])
    with_eps = contingency_matrix(true, pred, eps=0.5)
    np.testing.assert_allclose(with_eps, skc.contingency_matrix(true, pred, eps=0.5))
    assert with_eps.dtype == np.float64
    assert contingency_matrix(true, pred, dtype=np.float32).dtype == np.float32
    # A Categorical sorts by value, like scikit-learn, not by category order.
    cat = pd.Categorical(["lo", "hi", "mid"], categories=["lo", "mid", "hi"])
    np.testing.assert_array_equal(
        contingency_matrix(cat, [1, 2, 3]), skc.contingency_matrix(cat, [1, 2, 3])
    )
    # Labels that do not sort keep the order of first appearance.
    np.testing.assert_array_equal(contingency_matrix(["x", 1, "x"], [0, 0, 1]), [[1, 1], [1, 0]])
    # Gaps in integer labels leave no empty rows.
    np.testing.assert_array_equal(contingency_matrix([10, 30, 30], [0, 0, 5]), [[1, 0], [1, 1]])


def test_mutual_info_from_contingency():
    table = skc.contingency_matrix(DOC_A, DOC_B)
    expected = skm.mutual_info_score(DOC_A, DOC_B)
    for form in (table, table.tolist(), sp.csr_matrix(table), sp.coo_array(table)):
        assert mutual_info_score(None, None, contingency=form) == pytest.approx(expected, abs=TOL)
    # Empty rows and columns do not matter.
    padded = np.pad(table, ((0, 1), (1, 0)))
    assert mutual_info_score(None, None, contingency=padded) == pytest.approx(expected, abs=TOL)
    # Duplicate entries of a COO matrix add up.
    coo = sp.coo_matrix(([1, 1, 2], ([0, 0, 1], [0, 0, 1])), shape=(2, 2))
    assert mutual_info_score(None, None, contingency=coo) == pytest.approx(math.log(2), abs=TOL)


# ---------------------------------------------------------------------------
# The expected mutual information is exact
# ---------------------------------------------------------------------------


def exact_emi(rows, cols):
    """E[MI] from exact hypergeometric probabilities (integer arithmetic), grouped by size."""
    n = sum(rows)
    total = []
    for a, count_a in Counter(rows).items():
        for b, count_b in Counter(cols).items():
            denominator = math.comb(n, b)
            for k in range(max(1, a + b - n), min(a, b) + 1):
                p = math.comb(a, k) * math.comb(n - a, b - k) / denominator  # correctly rounded
                total.append(count_a * count_b * p * k / n * math.log(n * k / (a * b)))
    return math.fsum(total)


def table_with_sums(rows, cols):
    """A sparse table with the given row and column sums (north-west corner rule)."""
    rows, cols = list(rows), list(cols)
    entries, i, j = [], 0, 0
    while i < len(rows) and j < len(cols):
        take = min(rows[i], cols[j])
        entries.append((i, j, take))
        rows[i] -= take
        cols[j] -= take
        i += rows[i] == 0
        j += cols[j] == 0
    r, c, v = zip(*entries, strict=True)
    return sp.csr_matrix((v, (r, c)))


@pytest.mark.parametrize(
    ("rows", "cols"),
    [
        ([5, 5, 7], [3, 3, 3, 8]),
        ([1, 1, 1, 30], [16, 17]),
        ([40, 2, 2, 2, 2], [24, 24]),  # a + b > n for the large pair
        ([9] * 12, [4] * 27),
        ([60, 1], [1, 60]),
        # n = 10^5, many clusters of repeated sizes: the textbook log-gamma
        # formula loses ~1e-10 here.
        ([40] * 2500, [50] * 1001 + [150] * 333),
    ],
)
def test_expected_mi_is_exact(rows, cols):
    n = sum(rows)
    assert sum(cols) == n
    table = table_with_sums(rows, cols)
    np.testing.assert_array_equal(table.sum(axis=1).A1, rows)
    np.testing.assert_array_equal(table.sum(axis=0).A1, cols)
    assert expected_mutual_information(table, n) == pytest.approx(exact_emi(rows, cols), abs=1e-14)


def test_expected_mi_exact_with_many_clusters():
    # 5000 clusters a side, n = 10^5 (the benchmark's case): scikit-learn's
    # value is 4.8e-10 off the exact one here.
    rng = np.random.default_rng(0)
    rows, cols = (np.bincount(rng.integers(0, 5000, 10**5)) for _ in range(2))
    rows, cols = rows[rows > 0].tolist(), cols[cols > 0].tolist()
    table = table_with_sums(rows, cols)
    assert expected_mutual_information(table, 10**5) == pytest.approx(
        exact_emi(rows, cols), abs=1e-14
    )


def test_expected_mi_single_cluster_is_zero():
    assert expected_mutual_information([[3, 4]], 7) == 0.0
    assert expected_mutual_information(np.array([[3], [4]]), 7) == 0.0


# ---------------------------------------------------------------------------
# Edge cases
# ---------------------------------------------------------------------------

EDGE_CASES = {
    # name: (labels_true, labels_pred, AMI, NMI for every average method)
    "n = 1": ([0], [7], 1.0, 1.0),
    "both constant": ([0] * 5, [1] * 5, 1.0, 1.0),
    "one constant": ([0] * 6, [0, 0, 1, 1, 2, 2], 0.0, 0.0),
    "constant vs singletons": ([0] * 6, list(range(6)), 0.0, 0.0),
    "both singletons": (list(range(6)), list("abcdef"), 1.0, 1.0),
    "identical": ([0, 0, 1, 1, 2], ["a", "a", "b", "b", "c"], 1.0, 1.0),
}


@pytest.mark.parametrize("case", EDGE_CASES)
def test_edge_cases(case):
    true, pred, ami, nmi = EDGE_CASES[case]
    for method in METHODS:
        assert adjusted_mutual_info_score(true, pred, average_method=method) == pytest.approx(ami)
        assert adjusted_mutual_info_score(pred, true, average_method=method) == pytest.approx(ami)
        assert normalized_mutual_info_score(true, pred, average_method=method) == pytest.approx(nmi)
        # scikit-learn agrees in all of these.
        assert ami == pytest.approx(
            skm.adjusted_mutual_info_score(true, pred, average_method=method)
        )
        assert nmi == pytest.approx(
            skm.normalized_mutual_info_score(true, pred, average_method=method)
        )
    assert homogeneity_completeness_v_measure(true, pred) == pytest.approx(
        skm.homogeneity_completeness_v_measure(true, pred)
    )
    assert mutual_info_score(true, pred) == pytest.approx(skm.mutual_info_score(true, pred))


@pytest.mark.parametrize("n", [3, 6, 7, 8, 50])
def test_ami_min_with_singletons(n):
    # One labelling all singletons, the other not: every permutation gives the
    # same MI, so the score is at chance level, 0, for every average method.
    # (scikit-learn returns 0/0 noise for "min": 1.0, 0.4, 2.0, 0.6, ...)
    singletons, halves = list(range(n)), [i % 2 for i in range(n)]
    for method in METHODS:
        assert adjusted_mutual_info_score(singletons, halves, average_method=method) == 0.0
        assert adjusted_mutual_info_score(halves, singletons, average_method=method) == 0.0
        if method != "min":
            assert skm.adjusted_mutual_info_score(
                singletons, halves, average_method=method
            ) == pytest.approx(0.0, abs=TOL)


def test_edge_case_values_of_the_other_scores():
    assert variation_of_information([0] * 4, [1] * 4) == 0.0
    assert variation_of_information([0] * 4, [1] * 4, normalized=True) == 0.0
    assert variation_of_information([0] * 4, [0, 1, 2, 3]) == pytest.approx(math.log(4))
    assert variation_of_information([0] * 4, [0, 1, 2, 3], normalized=True) == pytest.approx(1.0)
    assert variation_of_information([5], [3]) == 0.0
    assert clustering_entropy([4]) == 0.0
    assert clustering_entropy(list(range(8))) == pytest.approx(math.log(8))
    assert homogeneity_completeness_v_measure([0] * 3, [0, 1, 2]) == (1.0, 0.0, 0.0)
    assert homogeneity_completeness_v_measure([0], [0]) == (1.0, 1.0, 1.0)
    assert homogeneity_score([1, 1, 2, 2], [0, 1, 2, 3]) == 1.0
    assert completeness_score([1, 1, 2, 2], [0, 0, 0, 0]) == 1.0
    assert v_measure_score([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(0.8)


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

labellings = st.integers(1, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 6), min_size=n, max_size=n),
        st.lists(st.integers(0, 12), min_size=n, max_size=n),
    )
)


@settings(max_examples=60, deadline=None)
@given(labellings)
def test_symmetric_scores(pair):
    true, pred = pair
    approx = lambda x: pytest.approx(x, abs=1e-12)  # noqa: E731
    assert mutual_info_score(true, pred) == approx(mutual_info_score(pred, true))
    assert variation_of_information(true, pred) == approx(variation_of_information(pred, true))
    for method in METHODS:
        assert normalized_mutual_info_score(true, pred, average_method=method) == approx(
            normalized_mutual_info_score(pred, true, average_method=method)
        )
        assert adjusted_mutual_info_score(true, pred, average_method=method) == approx(
            adjusted_mutual_info_score(pred, true, average_method=method)
        )
    assert homogeneity_score(true, pred) == approx(completeness_score(pred, true))


@settings(max_examples=60, deadline=None)
@given(labellings)
def test_bounds(pair):
    true, pred = pair
    n = len(true)
    mi = mutual_info_score(true, pred)
    h_true, h_pred = clustering_entropy(true), clustering_entropy(pred)
    assert 0.0 <= mi <= min(h_true, h_pred) + 1e-12
    emi = expected_mutual_information(contingency_matrix(true, pred), n)
    assert -1e-12 <= emi <= min(h_true, h_pred) + 1e-12
    for method in METHODS:
        assert 0.0 <= normalized_mutual_info_score(true, pred, average_method=method) <= 1.0
        assert adjusted_mutual_info_score(true, pred, average_method=method) <= 1.0 + 1e-12
    for score in homogeneity_completeness_v_measure(true, pred, beta=2.0):
        assert 0.0 <= score <= 1.0
    assert 0.0 <= variation_of_information(true, pred) <= math.log(n) + 1e-12
    assert 0.0 <= variation_of_information(true, pred, normalized=True) <= 1.0


@settings(max_examples=60, deadline=None)
@given(labellings, st.randoms(use_true_random=False))
def test_invariant_under_relabelling_and_reordering(pair, random):
    true, pred = pair
    names = [f"c{i}" for i in range(13)]
    random.shuffle(names)
    renamed = [names[label] for label in pred]
    order = list(range(len(true)))
    random.shuffle(order)
    true_shuffled, renamed_shuffled = [true[i] for i in order], [renamed[i] for i in order]
    for score in (
        mutual_info_score,
        adjusted_mutual_info_score,
        normalized_mutual_info_score,
        v_measure_score,
        variation_of_information,
    ):
        expected = score(true, pred)
        assert score(true, renamed) == pytest.approx(expected, abs=1e-12)
        assert score(true_shuffled, renamed_shuffled) == pytest.approx(expected, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 8), min_size=1, max_size=40))
def test_identical_labellings(labels):
    assert adjusted_mutual_info_score(labels, labels) == pytest.approx(1.0, abs=1e-12)
    assert normalized_mutual_info_score(labels, labels) == pytest.approx(1.0, abs=1e-12)
    assert variation_of_information(labels, labels) == pytest.approx(0.0, abs=1e-12)
    assert v_measure_score(labels, labels) == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(labellings)
def test_v_measure_is_arithmetic_nmi(pair):
    true, pred = pair
    assert v_measure_score(true, pred) == pytest.approx(
        normalized_mutual_info_score(true, pred), abs=1e-12
    )


# ---------------------------------------------------------------------------
# Label types
# ---------------------------------------------------------------------------

CODES_TRUE = [0, 0, 1, 1, 1, 2, 2, 0]
CODES_PRED = [1, 1, 1, 0, 0, 0, 2, 2]


@pytest.mark.parametrize(
    "true",
    [
        ["a", "a", "b", "b", "b", "c", "c", "a"],
        np.array([10, 10, -3, -3, -3, 7, 7, 10]),
        np.array([0.5, 0.5, 1.5, 1.5, 1.5, 2.5, 2.5, 0.5]),
        np.array([2**63 + 5, 2**63 + 5, 3, 3, 3, 2**64 - 1, 2**64 - 1, 2**63 + 5], dtype=np.uint64),
        np.array([0, 0, 10**12, 10**12, 10**12, -(10**12), -(10**12), 0]),
        np.array([200, 200, 255, 255, 255, 0, 0, 200], dtype=np.uint8),
        np.array([-128, -128, 127, 127, 127, 0, 0, -128], dtype=np.int8),
        pd.Series([5, 5, 6, 6, 6, 9, 9, 5]),
        (1, 1, "1", "1", "1", 2.5, 2.5, 1),
        pd.Series(["x", "x", "y", "y", "y", "z", "z", "x"], dtype="string"),
        pd.Series([1, 1, 2, 2, 2, 3, 3, 1], dtype="Int64"),
        pd.Categorical(
            ["lo", "lo", "hi", "hi", "hi", "mid", "mid", "lo"], categories=["no", "hi", "mid", "lo"]
        ),
        pd.Index(["p", "p", "q", "q", "q", "r", "r", "p"]),
    ],
    ids=lambda value: type(value).__name__,
)
def test_any_hashable_labels(true):
    for score in (mutual_info_score, adjusted_mutual_info_score, variation_of_information):
        assert score(true, CODES_PRED) == pytest.approx(score(CODES_TRUE, CODES_PRED), abs=1e-14)
    assert clustering_entropy(true) == pytest.approx(clustering_entropy(CODES_TRUE), abs=1e-14)


def test_bool_labels():
    true = np.array(CODES_TRUE) > 0
    assert mutual_info_score(true, CODES_PRED) == pytest.approx(
        skm.mutual_info_score(true, CODES_PRED), abs=TOL
    )


def test_mixed_types_are_not_merged():
    # NumPy would turn [1, "1"] into two equal strings; they are different labels.
    assert clustering_entropy([1, "1", 1, "1"]) == pytest.approx(math.log(2))
    assert clustering_entropy([1, 1.0, True]) == 0.0  # equal in Python: one label


def test_many_clusters_use_the_sparse_count():
    rng = np.random.default_rng(7)
    true, pred = rng.integers(0, 1100, 3000) * 10**6, rng.integers(0, 1100, 3000)
    assert mutual_info_score(true, pred) == pytest.approx(
        skm.mutual_info_score(true, pred), abs=TOL
    )
    assert adjusted_mutual_info_score(true, pred) == pytest.approx(
        skm.adjusted_mutual_info_score(true, pred), abs=TOL
    )


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("true", "pred", "error", "match"),
    [
        ([], [], InvalidInputError, "labels_true is empty"),
        ([1, 2], [], InvalidInputError, "labels_pred is empty"),
        ([1, 2, 3], [1, 2], InvalidInputError, "same samples; got 3 and 2"),
        (np.zeros((3, 2)), [1, 2, 3], InvalidInputError, r"1-D .* shape \(3, 2\)"),
        (np.zeros((3, 1)), [1, 2, 3], InvalidInputError, "single column"),
        (pd.DataFrame({"a": [1, 2]}), [1, 2], InvalidInputError, "1-D"),
        (5, [1], InvalidInputError, r"shape \(\)"),
        ([[1, 2], [3]], [1, 2], InvalidInputError, "nested"),
        ([1.0, np.nan, 2.0], [1, 2, 3], MissingValuesError, "1 missing value.*position 1"),
        (["a", None, "b"], [1, 2, 3], MissingValuesError, "NaN or None"),
        (pd.Series([1, None, 2], dtype="Int64"), [1, 2, 3], MissingValuesError, "missing"),
        (pd.Series([[1], [2], [3]]), [1, 2, 3], InvalidInputError, "hashable"),
    ],
)
def test_bad_labels(true, pred, error, match):
    for score in (
        mutual_info_score,
        normalized_mutual_info_score,
        adjusted_mutual_info_score,
        homogeneity_completeness_v_measure,
        variation_of_information,
        contingency_matrix,
    ):
        with pytest.raises(error, match=match):
            score(true, pred)
    assert issubclass(error, ValueError)


def test_bad_options():
    with pytest.raises(InvalidInputError, match="average_method must be one of"):
        normalized_mutual_info_score([1, 2], [1, 2], average_method="mean")
    with pytest.raises(InvalidInputError, match="average_method"):
        adjusted_mutual_info_score([1, 2], [1, 2], average_method=None)
    for beta in (-1.0, float("nan"), "1"):
        with pytest.raises(InvalidInputError, match="beta"):
            v_measure_score([1, 2], [1, 2], beta=beta)
    with pytest.raises(InvalidInputError, match="sparse"):
        contingency_matrix([1, 2], [1, 2], eps=1.0, sparse=True)
    with pytest.raises(InvalidInputError, match="labels is empty"):
        clustering_entropy([])


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ([1, 2, 3], "2-D"),
        ([[1, -1], [2, 3]], ">= 0"),
        ([[1, np.nan], [2, 3]], "finite"),
        ([[0, 0], [0, 0]], "empty"),
        ([["a", "b"]], "table of counts"),
    ],
)
def test_bad_contingency(table, match):
    with pytest.raises(InvalidInputError, match=match):
        mutual_info_score(None, None, contingency=table)
    with pytest.raises(InvalidInputError, match=match):
        expected_mutual_information(table, 7)


def test_bad_expected_mi_arguments():
    with pytest.raises(InvalidInputError, match="integer counts"):
        expected_mutual_information([[1.5, 1.0], [1.0, 1.5]], 5)
    with pytest.raises(InvalidInputError, match=r"n_samples must be .* \(10\); got 9"):
        expected_mutual_information([[1, 2], [3, 4]], 9)


def test_inputs_not_modified():
    true = np.array([3, 3, 1, 1, 2, 2])
    pred_list = ["a", "b", "a", "b", "a", "a"]
    pred_series = pd.Series(pred_list)
    table = sp.coo_matrix(([1, 1, 2], ([0, 0, 1], [0, 0, 1])), shape=(2, 2))
    before = (true.copy(), list(pred_list), pred_series.copy(), table.copy())
    for pred in (pred_list, pred_series):
        mutual_info_score(true, pred)
        adjusted_mutual_info_score(true, pred)
        normalized_mutual_info_score(true, pred)
        homogeneity_completeness_v_measure(true, pred)
        variation_of_information(true, pred, normalized=True)
        contingency_matrix(true, pred, sparse=True)
    mutual_info_score(None, None, contingency=table)
    expected_mutual_information(table, 4)
    np.testing.assert_array_equal(true, before[0])
    assert pred_list == before[1]
    pd.testing.assert_series_equal(pred_series, before[2])
    np.testing.assert_array_equal(table.row, before[3].row)
    np.testing.assert_array_equal(table.data, before[3].data)


# ---------------------------------------------------------------------------
# mistruct score
# ---------------------------------------------------------------------------


@pytest.fixture
def labels_csv(tmp_path):
    frame = pd.DataFrame({"truth": DOC_A, "cluster": DOC_B, "note": ["x"] * len(DOC_A)})
    path = tmp_path / "labels.csv"
    frame.to_csv(path, index=False)
    return path


def run_score(*args):
    return CliRunner().invoke(score_command, [str(arg) for arg in args])


def test_cli_json_equals_the_library(labels_csv):
    result = run_score(labels_csv, "--true", "truth", "--pred", "cluster", "--format", "json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["n_samples"] == len(DOC_A)
    assert scores["mutual_info"] == pytest.approx(0.4102186227, abs=TOL)
    assert scores["adjusted_mutual_info"]["arithmetic"] == pytest.approx(0.2782096466, abs=TOL)
    for method in METHODS:
        assert scores["normalized_mutual_info"][method] == pytest.approx(
            skm.normalized_mutual_info_score(DOC_A, DOC_B, average_method=method), abs=TOL
        )
    assert scores["v_measure"] == pytest.approx(skm.v_measure_score(DOC_A, DOC_B), abs=TOL)
    assert scores["variation_of_information"] == pytest.approx(
        variation_of_information(DOC_A, DOC_B), abs=TOL
    )


def test_cli_table(labels_csv):
    result = run_score(labels_csv, "--true", "truth", "--pred", "cluster")
    assert result.exit_code == 0, result.output
    assert "17 samples, 3 true and 3 predicted clusters" in result.output
    assert "AMI, arithmetic" in result.output and "0.278210" in result.output
    assert "variation of information (nats)" in result.output


def test_cli_two_files(tmp_path):
    true_path, pred_path = tmp_path / "true.csv", tmp_path / "pred.csv"
    pd.DataFrame({"class": DOC_A}).to_csv(true_path, index=False)
    pd.DataFrame({"cluster": DOC_B, "other": 0}).to_csv(pred_path, index=False)
    result = run_score(true_path, pred_path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["mutual_info"] == pytest.approx(0.4102186227, abs=TOL)
    named = run_score(true_path, pred_path, "--true", "class", "--pred", "other")
    assert named.exit_code == 0, named.output
    assert "1 predicted clusters" in named.output


def test_cli_two_column_file_needs_no_names(tmp_path):
    path = tmp_path / "pair.tsv"
    pd.DataFrame({"t": DOC_A, "p": DOC_B}).to_csv(path, index=False, sep="\t")
    result = run_score(path, "--sep", "\t", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["mutual_info"] == pytest.approx(0.4102186227, abs=TOL)


def test_cli_errors(labels_csv, tmp_path):
    missing_column = run_score(labels_csv, "--true", "truth", "--pred", "clusters")
    assert missing_column.exit_code == 2
    assert "no column 'clusters'" in missing_column.output
    assert "'truth', 'cluster', 'note'" in missing_column.output

    ambiguous = run_score(labels_csv)
    assert ambiguous.exit_code == 2 and "--true COL --pred COL" in ambiguous.output

    too_many = run_score(labels_csv, labels_csv, labels_csv)
    assert too_many.exit_code == 2 and "one or two CSV files" in too_many.output

    short = tmp_path / "short.csv"
    pd.DataFrame({"c": [1, 2]}).to_csv(short, index=False)
    unequal = run_score(labels_csv, short, "--true", "truth")
    assert unequal.exit_code == 2 and "17 rows but" in unequal.output

    holes = tmp_path / "holes.csv"
    holes.write_text("t,p\n1,1\n,2\nNA,3\n")
    empty_cell = run_score(holes)
    assert empty_cell.exit_code == 2
    assert "1 empty cell(s), the first on data row 2" in empty_cell.output  # "NA" is a label

    assert run_score(tmp_path / "nope.csv").exit_code == 2
    header_only = tmp_path / "header.csv"
    header_only.write_text("t,p\n")
    assert "no rows" in run_score(header_only).output


def test_cli_is_registered(labels_csv):
    from mistruct.cli import main

    result = CliRunner().invoke(
        main, ["score", str(labels_csv), "--true", "truth", "--pred", "cluster"]
    )
    assert result.exit_code == 0, result.output
    assert "NMI, arithmetic" in result.output
