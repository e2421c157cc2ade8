"""Hostile input for the Chow-Liu, ARACNE and DPI code and the counting kernels (issue 12).

Items 1 (NaN labels), 2 (memory quadratic in a column's levels), 9 (internal
errors) and 10 (silently wrong counts, unchecked ARACNE options), each from
its reproducer.
"""

import contextlib
import signal
import tracemalloc

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from mistruct import mutual_information, mutual_information_matrix
from mistruct.counting._contingency import (
    combine,
    contingency_table,
    joint_codes,
    pairwise_counts,
    stratified_tables,
)
from mistruct.exceptions import ColumnNotFoundError, IDColumnWarning, InvalidInputError
from mistruct.structure import (
    aracne,
    chow_liu_forest,
    chow_liu_tree,
    dpi_check,
    markov_chain_check,
    permutation_mi_threshold,
    tan,
)

pytestmark = pytest.mark.filterwarnings("ignore::mistruct.exceptions.IDColumnWarning")

GIB = 2**30


@contextlib.contextmanager
def _deadline(seconds: int):
    """Fail (instead of hanging or eating the machine's memory) past ``seconds``."""

    def _stop(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, _stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


#: NaN sorts after every number and text label; "zzz" sorts after "b" and "c" as well,
#: so ties break the same way with either label.
STAND_IN = "zzz"


def _edges(graph) -> set:
    """Undirected edges as frozensets of labels (NaN labels spelled as STAND_IN)."""

    def name(label):
        return STAND_IN if isinstance(label, float) and np.isnan(label) else label

    return {frozenset((name(u), name(v))) for u, v in graph.edges()}


# ---------------------------------------------------------------- item 1: NaN labels

NAN_TABLE = {np.nan: [0, 1, 0, 1, 1], "b": [0, 1, 1, 0, 1], "c": [1, 1, 0, 0, 1]}


def _nan_frame():
    return pd.DataFrame(NAN_TABLE)


def _named_frame():
    return _nan_frame().set_axis([STAND_IN, "b", "c"], axis=1)


@pytest.mark.parametrize(
    "learn",
    [
        chow_liu_tree,
        chow_liu_forest,
        lambda d: chow_liu_forest(d, alpha=0.99),
        aracne,
        lambda d: tan(d, "b"),
    ],
    ids=["tree", "forest", "forest-loose", "aracne", "tan"],
)
def test_a_nan_column_label_learns_the_same_graph_as_any_other_label(learn):
    with _deadline(60):
        graph = learn(_nan_frame())
    expected = learn(_named_frame())
    assert graph.number_of_nodes() == 3
    assert _edges(graph) == _edges(expected)
    for u, v, data in graph.edges(data=True):
        named = [STAND_IN if isinstance(x, float) else x for x in (u, v)]
        assert data == expected.edges[named[0], named[1]]


def test_a_nan_label_can_be_the_root_or_the_class():
    with _deadline(60):
        tree = chow_liu_tree(_nan_frame(), root=np.nan)
        model = tan(_nan_frame(), np.nan)
    assert isinstance(tree.graph["root"], float) and np.isnan(tree.graph["root"])
    (root,) = [node for node in tree if tree.in_degree(node) == 0]
    assert isinstance(root, float) and np.isnan(root)
    (hub,) = [node for node in model if model.out_degree(node) >= 2 and model.in_degree(node) == 0]
    assert np.isnan(hub)
    assert _edges(model) == _edges(tan(_named_frame(), STAND_IN))


def test_dpi_checks_take_a_nan_labelled_column():
    named = _named_frame()
    expected = dpi_check(nx.Graph([(STAND_IN, "b"), ("b", "c")]), named)
    with _deadline(60):
        # A NaN node that is another NaN object than the column's label.
        report = dpi_check(nx.Graph([(float("nan"), "b"), ("b", "c")]), _nan_frame())
        chain = markov_chain_check(_nan_frame(), [np.nan, "b", "c"])
    numbers = ["mi_xy", "mi_yz", "mi_xz", "cmi_xz_given_y", "statistic", "pvalue"]
    np.testing.assert_allclose(report[numbers].to_numpy(float), expected[numbers].to_numpy(float))
    assert np.isnan(report.loc[0, "x"]) and report.loc[0, "z"] == "c"
    chain_expected = markov_chain_check(named, [STAND_IN, "b", "c"])
    np.testing.assert_allclose(
        chain[numbers].to_numpy(float), chain_expected[numbers].to_numpy(float)
    )


def test_labels_equal_as_text_stay_apart_and_ties_ignore_column_order():
    # Three identical columns: every pair ties, so only the labels decide the tree.
    values = [0, 1, 1, 0, 1, 0, 0, 1]
    frame = pd.DataFrame({1: values, "1": values, np.nan: values, "a": values})
    forward = chow_liu_tree(frame)
    backward = chow_liu_tree(frame[frame.columns[::-1]])
    assert forward.number_of_nodes() == 4
    assert _edges(forward) == _edges(backward)
    # Ties go to the pair whose smaller label sorts first: numbers, then text, then NaN.
    assert _edges(forward) == {frozenset((1, "1")), frozenset((1, "a")), frozenset((1, STAND_IN))}


def test_unknown_root_or_exclude_is_a_clear_error():
    with pytest.raises(ColumnNotFoundError, match="root"):
        chow_liu_tree(_named_frame(), root="nope")
    with pytest.raises(ColumnNotFoundError, match="exclude"):
        chow_liu_tree(_named_frame(), exclude=["nope"])
    with pytest.raises(InvalidInputError, match="no column"):
        aracne(_named_frame(), exclude=[STAND_IN, "b", "c"])
    with pytest.raises(InvalidInputError, match="exclude"):
        tan(_named_frame(), "b", exclude=["b"])


# ---------------------------------------------------------------- item 2: memory


def _id_table(n: int, seed: int = 0) -> pd.DataFrame:
    """An ID-like column with n levels (one per row) beside two small columns."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": np.char.add("r", rng.permutation(n).astype(str)),
            "a": rng.integers(0, 3, n).astype(str),
            "b": rng.integers(0, 2, n).astype(str),
        }
    )


def _peak(function):
    tracemalloc.start()
    try:
        result = function()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _entropy_bits(column) -> float:
    p = column.value_counts(normalize=True).to_numpy()
    return float(-(p * np.log2(p)).sum())


N_BIG = 10**5


@pytest.fixture(scope="module")
def id_table():
    return _id_table(N_BIG)


@pytest.mark.parametrize(
    "learn",
    [
        chow_liu_forest,
        lambda d: tan(d, "b"),
        chow_liu_tree,
        aracne,
        lambda d: mutual_information_matrix(d),
    ],
    ids=["forest", "tan", "tree", "aracne", "mi-matrix"],
)
def test_a_column_with_1e5_levels_at_1e5_rows_stays_under_1_gib(id_table, learn):
    result, peak = _peak(lambda: learn(id_table))
    assert peak < GIB, f"peak traced memory {peak / GIB:.2f} GiB"
    if (
        isinstance(result, nx.Graph)
        and result.graph.get("ci_test") != "permutation"
        and (result.graph.get("method") != "tan")
    ):
        if "removed" in result.graph:
            # The forest keeps no edge on a test without evidence (every ID value once).
            removed = {frozenset((u, v)): p for u, v, p in result.graph["removed"]}
            assert np.isnan(removed[frozenset(("id", "a"))])
            return
        # The ID determines every column: I(id; a) = H(a), the heaviest edge of a.
        assert result.has_edge("id", "a") or result.has_edge("a", "id")
        mi = result.edges["id", "a"]["mi"] if result.has_edge("id", "a") else None
        mi = result.edges["a", "id"]["mi"] if mi is None else mi
        assert mi == pytest.approx(_entropy_bits(id_table["a"]), rel=1e-9)


def test_tan_with_an_id_feature_gives_the_exact_conditional_mi(id_table):
    model, peak = _peak(lambda: tan(id_table, "b"))
    assert peak < GIB
    # I(id; a | b) = H(a | b): the ID determines a within each class.
    table = id_table
    h_a_given_b = sum(
        (len(group) / len(table)) * _entropy_bits(group["a"]) for _, group in table.groupby("b")
    )
    edge = ("id", "a") if model.has_edge("id", "a") else ("a", "id")
    assert model.edges[edge]["cmi"] == pytest.approx(h_a_given_b, rel=1e-9)


def test_high_cardinality_class_and_pairs_of_id_columns_stay_linear():
    table = _id_table(N_BIG)
    table["id2"] = np.random.default_rng(1).permutation(table["id"].to_numpy())
    model, peak = _peak(lambda: tan(table, "id"))
    assert peak < GIB
    # Given the ID every other column is constant: every conditional MI is 0.
    assert all(d["cmi"] == 0 for _, _, d in model.edges(data=True) if "cmi" in d)
    forest, peak = _peak(lambda: chow_liu_forest(table))
    assert peak < GIB and forest.number_of_nodes() == 4
    report, peak = _peak(lambda: dpi_check(nx.Graph([("id", "a"), ("a", "id2")]), table))
    assert peak < GIB
    # Two IDs given a: I(id; id2 | a) = H(id | a) = log2(n) - H(a).
    expected = np.log2(N_BIG) - _entropy_bits(table["a"])
    assert report.loc[0, "cmi_xz_given_y"] == pytest.approx(expected, rel=1e-9)
    threshold, peak = _peak(lambda: permutation_mi_threshold(table, n_permutations=24, seed=0))
    assert peak < GIB and threshold > 0


def test_sparse_dpi_statistics_equal_the_dense_table_ones(rng):
    n = 600
    y = rng.integers(0, 4, n)
    frame = pd.DataFrame(
        {
            "x": (y + rng.integers(0, 3, n)).astype(str),
            "y": y.astype(str),
            "z": (y * rng.integers(0, 2, n)).astype(str),
        }
    )
    graph = nx.Graph([("x", "y"), ("y", "z")])
    for method in ("g-test", "g-test-adjusted"):
        sparse = dpi_check(graph, frame, ci_test=method)
        dense = dpi_check(graph, frame, ci_test=method, estimator="miller-madow")
        # The test statistic is the plug-in G either way; miller-madow goes through the
        # dense stratified table.
        for column in ("statistic", "dof", "pvalue"):
            assert sparse.loc[0, column] == pytest.approx(dense.loc[0, column], rel=1e-12)


def test_marginals_of_sparse_counts_are_read_without_densifying():
    n = 20_000
    codes = np.column_stack([np.arange(n), np.arange(n) % 3])
    counts = pairwise_counts(codes, [n, 3], sparse=True)
    marginal, peak = _peak(lambda: counts.marginal(0))
    assert (marginal == 1).all() and len(marginal) == n
    assert peak < 50 * n * 8  # linear: the k x k block would be 3.2 GB
    assert counts.marginal(1).tolist() == np.bincount(codes[:, 1]).tolist()


# ---------------------------------------------------------------- items 9 and 10: checks


@pytest.mark.parametrize(
    "codes, cards",
    [
        ([[0, 1], [2, 0]], [2, 2]),  # 2 >= cardinality
        ([[0, 1], [-1, 0]], [2, 2]),  # negative
        ([[0, 3]], [2, 2]),
    ],
)
def test_out_of_range_codes_are_refused(codes, cards):
    codes = np.array(codes)
    with pytest.raises(InvalidInputError, match="outside"):
        pairwise_counts(codes, cards)
    with pytest.raises(InvalidInputError, match="outside"):
        joint_codes(codes, cards)


def test_counting_kernels_check_codes_and_cardinalities():
    with pytest.raises(InvalidInputError, match="integers"):
        pairwise_counts(np.array([[0.5, 1.0]]), [2, 2])
    with pytest.raises(InvalidInputError, match="cardinalities"):
        pairwise_counts(np.array([[0, 1]]), [2])
    with pytest.raises(InvalidInputError, match="cardinalities"):
        joint_codes(np.array([[0, 1]]), [2, -2])
    with pytest.raises(InvalidInputError, match="outside"):
        contingency_table([0, 2], [0, 1], 2, 2)
    with pytest.raises(InvalidInputError, match="outside"):
        stratified_tables([0, 1], [0, 1], [0, 5], 2, 2, 3)
    with pytest.raises(InvalidInputError, match="pair row by row"):
        contingency_table([0, 1], [0], 2, 2)
    a = joint_codes(np.array([0, 1, 1]), [2])
    assert combine(a, a).codes.tolist() == [0, 3, 3]  # still fine on valid input


def test_in_range_codes_count_as_before(rng):
    codes = np.column_stack([rng.integers(0, 4, 300), rng.integers(0, 3, 300)]).astype(np.int8)
    counts = pairwise_counts(codes, [4, 3])
    expected = np.zeros((4, 3), dtype=np.int64)
    np.add.at(expected, (codes[:, 0], codes[:, 1]), 1)
    assert (counts.table(0, 1) == expected).all()
    assert joint_codes(codes, [4, 3]).codes.tolist() == (codes[:, 0] * 3 + codes[:, 1]).tolist()


@pytest.mark.parametrize("chunk_size", ["10", 0, -5, 2.5, True, None])
def test_chunk_size_must_be_a_positive_integer(chunk_size):
    with pytest.raises(InvalidInputError, match="chunk_size"):
        pairwise_counts(np.array([[0, 1]]), [2, 2], chunk_size=chunk_size)
    frame = _named_frame()
    for learn in (chow_liu_tree, chow_liu_forest, aracne, lambda d, **kw: tan(d, "b", **kw)):
        with pytest.raises(InvalidInputError, match="chunk_size"):
            learn(frame, chunk_size=chunk_size)


@pytest.mark.parametrize(
    "options, match",
    [
        ({"alpha": -1}, "alpha"),
        ({"alpha": 2}, "alpha"),
        ({"alpha": float("nan")}, "alpha"),
        ({"mi_threshold": -1}, "negative"),
        ({"mi_threshold": float("inf")}, "mi_threshold"),
        ({"mi_threshold": True}, "mi_threshold"),
        ({"n_permutations": 0}, "n_permutations"),
        ({"tolerance": True}, "tolerance"),
        ({"tolerance_type": None}, "tolerance_type"),
        ({"seed": -1}, "seed"),
        ({"seed": "0"}, "seed"),
        ({"k": 0}, "k must"),
        ({"missing": "bogus"}, "missing"),
        ({"estimator": "bogus"}, "estimator"),
    ],
)
def test_aracne_rejects_bad_options_before_any_work(options, match):
    with pytest.raises(InvalidInputError, match=match):
        aracne(_named_frame(), **options)


@pytest.mark.parametrize(
    "options, match",
    [
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"k": "3"}, "k must"),
        ({"missing": None}, "missing"),
        ({"alpha": 0}, "alpha"),
        ({"n_permutations": 0}, "n_permutations"),
        ({"progress": "yes"}, "progress"),
        ({"ci_test": ["g-test"]}, "ci_test"),
        ({"n_permutations": True}, "n_permutations"),
    ],
)
def test_chow_liu_forest_rejects_bad_options(options, match):
    with pytest.raises(InvalidInputError, match=match):
        chow_liu_forest(_named_frame(), **options)


@pytest.mark.parametrize(
    "options, match",
    [
        ({"seed": -1}, "seed"),
        ({"n_permutations": 0}, "n_permutations"),
        ({"tolerance": float("nan")}, "tolerance"),
        ({"progress": 1}, "progress"),
        ({"missing": "bogus"}, "missing"),
        ({"ci_test": None}, "ci_test"),
    ],
)
def test_dpi_checks_reject_bad_options(options, match):
    graph = nx.Graph([(STAND_IN, "b"), ("b", "c")])
    with pytest.raises(InvalidInputError, match=match):
        dpi_check(graph, _named_frame(), **options)
    with pytest.raises(InvalidInputError, match=match):
        markov_chain_check(_named_frame(), [STAND_IN, "b", "c"], **options)


def test_permutation_threshold_rejects_a_negative_seed():
    with pytest.raises(InvalidInputError, match="seed"):
        permutation_mi_threshold(_named_frame(), seed=-1)


def test_id_warning_class_is_a_user_warning():
    assert issubclass(IDColumnWarning, UserWarning)


@pytest.mark.parametrize("n_classes", [3, 400])
def test_tan_conditional_mi_equals_the_conditional_mi_of_each_pair(n_classes):
    # 400 classes of ~5 rows: the folded (level, class) count; 3 classes: the same count.
    rng = np.random.default_rng(n_classes)
    n = 2000
    label = rng.integers(0, n_classes, n)
    x = (label + rng.integers(0, 3, n)) % 5
    frame = pd.DataFrame(
        {
            "c": label.astype(str),
            "x": x.astype(str),
            "y": ((x + rng.integers(0, 2, n)) % 4).astype(str),
            "z": rng.integers(0, 3, n).astype(str),
        }
    )
    model = tan(frame, "c")
    tree_edges = [(u, v) for u, v in model.edges() if u != "c"]
    assert len(tree_edges) == 2
    for u, v in tree_edges:
        expected = mutual_information(frame[u], frame[v], given=frame["c"], base=2)
        assert model.edges[u, v]["cmi"] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    for feature in ("x", "y", "z"):
        expected = mutual_information(frame["c"], frame[feature], base=2)
        assert model.edges["c", feature]["mi"] == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_permuted_rows_and_random_tables_draw_the_same_null():
    from scipy.stats import ks_2samp, random_table

    from mistruct.structure._aracne import _permuted_mi_bits, _plugin_mi_bits
    from mistruct.structure._common import _mi_state

    rng = np.random.default_rng(3)
    n = 300
    frame = pd.DataFrame(
        {"a": rng.integers(0, 6, n).astype(str), "b": rng.integers(0, 4, n).astype(str)}
    )
    state = _mi_state(frame, estimator="plugin", missing="error")
    by_rows = _permuted_mi_bits(state, 0, 1, 400, np.random.default_rng(0))
    rows, cols = state.counts.marginal(0), state.counts.marginal(1)
    tables = random_table(rows, cols, seed=np.random.default_rng(1)).rvs(size=400)
    by_tables = _plugin_mi_bits(tables, rows, cols, n)
    assert ks_2samp(by_rows, by_tables).pvalue > 0.001
    # Under independence 2 N I (nats) is about chi-square with 15 degrees of freedom.
    assert np.mean(by_rows) * 2 * n * np.log(2) == pytest.approx(15, rel=0.2)


def test_permutation_threshold_does_not_depend_on_column_order(rng):
    n = 400
    a = rng.integers(0, 3, n)
    frame = pd.DataFrame(
        {
            "a": a.astype(str),
            "b": ((a + rng.integers(0, 2, n)) % 3).astype(str),
            "c": rng.integers(0, 4, n).astype(str),
            "d": rng.integers(0, 2, n).astype(str),
        }
    )
    forward = permutation_mi_threshold(frame, n_permutations=300, seed=0)
    backward = permutation_mi_threshold(frame[["d", "c", "b", "a"]], n_permutations=300, seed=0)
    assert forward == backward
    assert permutation_mi_threshold(frame, n_permutations=300) == forward  # seed 0 by default
    graph = aracne(frame, mi_threshold="permutation", n_permutations=300)
    assert graph.graph["mi_threshold"] == forward
