import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import mutual_info_score

from mistruct import (
    conditional_entropy,
    conditional_entropy_from_table,
    entropy,
    entropy_from_table,
    kl_divergence,
    mutual_information,
    mutual_information_from_table,
    mutual_information_matrix,
    pointwise_mutual_information,
)
from mistruct.exceptions import ContinuousDataError, InvalidInputError, MissingValuesError
from mistruct.measures import ESTIMATORS

WORKED = np.array([[0.36, 0.04], [0.12, 0.48]])


# ------------------------------------------------------------------ worked example


def test_worked_example_from_the_table():
    assert entropy_from_table(WORKED.sum(axis=1)) == pytest.approx(0.970951, abs=5e-7)
    assert entropy_from_table(WORKED.sum(axis=0)) == pytest.approx(0.998846, abs=5e-7)
    assert conditional_entropy_from_table(WORKED) == pytest.approx(0.592860, abs=5e-7)
    assert mutual_information_from_table(WORKED) == pytest.approx(0.378090, abs=5e-7)


def test_worked_example_from_samples():
    # 100 rows with exactly the worked example's frequencies.
    x = np.repeat([0, 0, 1, 1], [36, 4, 12, 48])
    y = np.repeat([0, 1, 0, 1], [36, 4, 12, 48])
    assert entropy(x) == pytest.approx(0.970950594, abs=1e-9)
    assert conditional_entropy(x, y) == pytest.approx(0.592860, abs=5e-7)
    assert mutual_information(x, y) == pytest.approx(0.378090, abs=5e-7)
    assert mutual_information(x, y) == pytest.approx(
        mutual_information_from_table(WORKED), abs=1e-14
    )


def test_bases():
    x = [0, 1, 2, 3]
    assert entropy(x, estimator="plugin") == pytest.approx(2.0)
    assert entropy(x, base=np.e, estimator="plugin") == pytest.approx(np.log(4))
    assert entropy(x, base=4, estimator="plugin") == pytest.approx(1.0)


# ------------------------------------------------------------------ properties

labels = st.lists(st.integers(0, 4), min_size=1, max_size=60)


@st.composite
def three_aligned(draw):
    n = draw(st.integers(1, 60))
    column = st.lists(st.integers(0, 3), min_size=n, max_size=n)
    return np.array(draw(column)), np.array(draw(column)), np.array(draw(column))


@settings(max_examples=60, deadline=None)
@given(three_aligned())
def test_mi_symmetric_nonnegative_and_bounded(xyz):
    x, y, _ = xyz
    i_xy = mutual_information(x, y, estimator="plugin")
    assert i_xy >= 0
    assert i_xy == pytest.approx(mutual_information(y, x, estimator="plugin"), abs=1e-12)
    assert i_xy <= min(entropy(x, estimator="plugin"), entropy(y, estimator="plugin")) + 1e-12


@settings(max_examples=60, deadline=None)
@given(labels)
def test_self_information_is_entropy(x):
    assert mutual_information(x, x, estimator="plugin") == pytest.approx(
        entropy(x, estimator="plugin"), abs=1e-12
    )


@settings(max_examples=60, deadline=None)
@given(three_aligned())
def test_chain_rule(xyz):
    x, y, z = xyz
    yz = np.column_stack([y, z])
    left = mutual_information(x, yz, estimator="plugin")
    right = mutual_information(x, z, estimator="plugin") + mutual_information(
        x, y, given=z, estimator="plugin"
    )
    assert left == pytest.approx(right, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(three_aligned(), st.permutations(range(4)))
def test_invariant_under_relabelling(xyz, permutation):
    x, y, z = xyz
    relabel = np.array(["a", "b", "c", "d"])[list(permutation)]
    assert mutual_information(relabel[x], y, given=z, estimator="plugin") == pytest.approx(
        mutual_information(x, y, given=z, estimator="plugin"), abs=1e-12
    )
    assert entropy(relabel[x], estimator="plugin") == pytest.approx(
        entropy(x, estimator="plugin"), abs=1e-12
    )


@settings(max_examples=40, deadline=None)
@given(three_aligned())
def test_conditional_entropy_identity(xyz):
    x, y, _ = xyz
    joint = entropy(np.column_stack([x, y]), estimator="plugin")
    assert conditional_entropy(x, y, estimator="plugin") == pytest.approx(
        joint - entropy(y, estimator="plugin"), abs=1e-12
    )


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_estimators_are_sums_of_entropies(estimator, rng):
    x, y, z = rng.integers(0, 3, 80), rng.integers(0, 2, 80), rng.integers(0, 4, 80)

    def h(*columns):
        return entropy(np.column_stack(columns), estimator=estimator)

    assert mutual_information(x, y, estimator=estimator) == pytest.approx(
        h(x) + h(y) - h(x, y), abs=1e-12
    )
    assert mutual_information(x, y, given=z, estimator=estimator) == pytest.approx(
        h(x, z) + h(y, z) - h(x, y, z) - h(z), abs=1e-12
    )


def test_bias_corrections_go_the_right_way(rng):
    # Independent columns, few rows: plug-in MI is biased upwards.
    x, y = rng.integers(0, 6, 60), rng.integers(0, 6, 60)
    plugin = mutual_information(x, y)
    assert mutual_information(x, y, estimator="miller-madow") < plugin
    assert mutual_information(x, y, estimator="shrinkage") < plugin


# ------------------------------------------------------------------ matrix


def _sample_frame(rng, n=500):
    a = rng.integers(0, 3, n)
    return pd.DataFrame(
        {
            "a": a,
            "b": (a + rng.integers(0, 2, n)) % 3,
            "c": rng.choice(["x", "y"], n),
            "d": np.where(rng.random(n) < 0.8, a, 0),
            "const": np.zeros(n, dtype=int),
        }
    )


def test_matrix_equals_sklearn_per_pair(rng):
    frame = _sample_frame(rng)
    matrix = mutual_information_matrix(frame, base=np.e)
    for i in frame.columns:
        for j in frame.columns:
            assert matrix.loc[i, j] == pytest.approx(
                mutual_info_score(frame[i], frame[j]), abs=1e-12
            )


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_matrix_equals_pairwise_function(estimator, rng):
    frame = _sample_frame(rng, 300)
    matrix = mutual_information_matrix(frame, estimator=estimator)
    for i in frame.columns:
        for j in frame.columns:
            expected = (
                entropy(frame[i], estimator=estimator)
                if i == j
                else mutual_information(frame[i], frame[j], estimator=estimator)
            )
            assert matrix.loc[i, j] == pytest.approx(expected, abs=1e-12)


def test_matrix_sparse_path_matches_dense(rng, monkeypatch):
    import mistruct.counting._contingency

    frame = _sample_frame(rng, 300)
    dense = mutual_information_matrix(frame)
    monkeypatch.setattr(mistruct.counting._contingency, "MAX_DENSE_LEVELS", 1)
    sparse = mutual_information_matrix(frame)
    pd.testing.assert_frame_equal(dense, sparse, atol=1e-14)


def test_matrix_of_an_array_is_labelled_by_position(rng):
    matrix = mutual_information_matrix(rng.integers(0, 2, size=(50, 3)))
    assert matrix.index.tolist() == [0, 1, 2]


def test_matrix_columns_and_missing(rng):
    frame = _sample_frame(rng, 100).astype(object)
    frame.loc[3, "c"] = None
    with pytest.raises(MissingValuesError, match="'c'"):
        mutual_information_matrix(frame)
    dropped = mutual_information_matrix(frame, ["a", "c"], missing="drop")
    assert dropped.shape == (2, 2)
    expected = mutual_information(frame["a"].drop(3), frame["c"].drop(3))
    assert dropped.loc["a", "c"] == pytest.approx(expected, abs=1e-12)


# ------------------------------------------------------------------ PMI and KL


def test_pmi_table_is_labelled_and_averages_to_mi(rng):
    x = rng.choice(["u", "v", "w"], 400)
    y = np.where(rng.random(400) < 0.7, x, "v")
    pmi = pointwise_mutual_information(x, y)
    assert pmi.index.tolist() == ["u", "v", "w"] and pmi.columns.tolist() == ["u", "v", "w"]
    joint = pd.crosstab(x, y, normalize=True).to_numpy()
    mi = (joint * np.where(joint > 0, pmi.to_numpy(), 0.0)).sum()
    assert mi == pytest.approx(mutual_information(x, y), abs=1e-12)


def test_normalized_pmi_bounds():
    npmi = pointwise_mutual_information([0, 0, 1, 1], [0, 0, 1, 1], normalized=True)
    assert npmi.loc[0, 0] == pytest.approx(1.0)
    assert npmi.loc[0, 1] == -1.0


def test_kl_divergence():
    assert kl_divergence([0.5, 0.5], [0.5, 0.5]) == 0.0
    assert kl_divergence([1, 1], [1, 3]) == pytest.approx(
        0.5 * np.log2(0.5 / 0.25) + 0.5 * np.log2(0.5 / 0.75)
    )
    assert kl_divergence([0.2, 0.8], [0.0, 1.0]) == np.inf
    with pytest.raises(InvalidInputError, match="shape"):
        kl_divergence([0.5, 0.5], [1.0])
    with pytest.raises(InvalidInputError, match="non-negative"):
        kl_divergence([-0.5, 1.5], [0.5, 0.5])


# ------------------------------------------------------------------ tables


def test_cmi_from_a_three_way_table_matches_samples(rng):
    x, y, z = rng.integers(0, 2, 200), rng.integers(0, 3, 200), rng.integers(0, 2, 200)
    table = np.zeros((2, 3, 2))
    np.add.at(table, (x, y, z), 1)
    assert mutual_information_from_table(table) == pytest.approx(
        mutual_information(x, y, given=z), abs=1e-12
    )
    for estimator in ESTIMATORS:
        assert mutual_information_from_table(table, estimator=estimator) == pytest.approx(
            mutual_information(x, y, given=z, estimator=estimator), abs=1e-12
        )


def test_estimators_need_counts_not_probabilities():
    with pytest.raises(InvalidInputError, match="counts"):
        mutual_information_from_table(WORKED, estimator="miller-madow")


@pytest.mark.parametrize("table", [[], [[-1, 2]], [[0, 0]], [[np.nan, 1]]])
def test_bad_tables(table):
    with pytest.raises(InvalidInputError):
        mutual_information_from_table(table)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("base", [0, 1, -2, "two", np.inf])
def test_bad_base(base):
    with pytest.raises(InvalidInputError, match="base"):
        entropy([0, 1], base=base)


def test_bad_inputs_to_pair_functions():
    with pytest.raises(InvalidInputError, match="different numbers of rows"):
        mutual_information([0, 1, 0], [0, 1])
    with pytest.raises(ContinuousDataError, match="Discretizer"):
        mutual_information([0.5, 1.5], [0, 1], estimator="plugin")
    with pytest.raises(MissingValuesError, match="missing='drop'"):
        entropy([0, None, 1])
    with pytest.raises(InvalidInputError, match="empty"):
        entropy([])
    with pytest.raises(InvalidInputError, match="estimator"):
        entropy([0, 1], estimator="magic")


def test_inputs_are_not_modified(rng):
    x = rng.integers(0, 3, 50)
    frame = pd.DataFrame({"a": rng.integers(0, 2, 50), "b": rng.choice(["p", "q"], 50)})
    x_before, frame_before = x.copy(), frame.copy()
    mutual_information(x, frame, given=frame["a"])
    mutual_information_matrix(frame)
    assert (x == x_before).all()
    pd.testing.assert_frame_equal(frame, frame_before)
