"""Ties, determinism, column kinds and hostile input of the kNN / mixed estimators (issues 11, 12).

Reproducers: issue 11 items 1-3 (rounded measurements inflate the mixed
estimator; results change with column order; integer measurements are
continuous), issue 12 items 9, 10 and 12.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

from mistruct import clustering
from mistruct.exceptions import InvalidInputError, MissingValuesError
from mistruct.measures import (
    conditional_entropy,
    entropy,
    entropy_from_counts,
    mutual_information,
    mutual_information_estimate,
    mutual_information_matrix,
)

DATA = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="module")
def penguins():
    return pd.read_csv(DATA / "penguins_complete.csv")


@pytest.fixture(scope="module")
def mtcars():
    return pd.read_csv(DATA / "mtcars.csv").drop(columns="model")


def rounded_normal(rng, n, resolution):
    return np.round(rng.normal(26.0, 4.4, n) / resolution) * resolution


# ---------------------------------------------------------------- ties (issue 11 item 2)


def test_reproducer_rounded_values_beside_a_coin_is_about_zero():
    # N(26, 4.4) rounded to 0.1 at n = 442 beside a fair coin gave 0.28 bits (truth 0).
    new, old = [], []
    for seed in range(8):
        rng = np.random.default_rng(100 + seed)
        x = rounded_normal(rng, 442, 0.1)
        y = rng.integers(0, 2, 442).astype(str)
        new.append(mutual_information(x, y, seed=seed, estimator="mixed"))
        old.append(
            mutual_information(x, y, noise=0, estimator="mixed")
        )  # Gao's exact rule, no noise
    assert np.mean(old) > 0.2  # the bias this fixes, still there on request
    assert abs(np.mean(new)) < 0.03


def test_mixed_is_unbiased_on_independent_rounded_data():
    """Done-when of issue 11: mean within 0.02 bits of 0 over roundings, sizes, partners."""
    values = {}
    for resolution in (1.0, 0.1, 2.2):  # 2.2 = half a standard deviation
        for n in (200, 1000, 5000):
            for levels in (2, 3, 5):
                for seed in range(6 if n < 5000 else 2):
                    rng = np.random.default_rng([int(resolution * 10), n, levels, seed])
                    x = rounded_normal(rng, n, resolution)
                    partner = rng.integers(0, levels, n)
                    # Integer codes with few levels are discrete under the auto rule.
                    value = mutual_information(x, partner, seed=seed, estimator="mixed")
                    values.setdefault(resolution, []).append(value)
    everything = np.concatenate(list(values.values()))
    assert abs(everything.mean()) < 0.02
    for resolution, vals in values.items():
        assert abs(np.mean(vals)) < 0.02, resolution


def test_mixed_values_feed_a_calibrated_permutation_test():
    # Under the null the permutation p-value of the statistic is uniform: its rejection
    # rate at 0.05 is within Monte Carlo error (120 draws: sd 0.02) and its mean near 0.525.
    rng = np.random.default_rng(7)
    n, draws, permutations = 150, 120, 19
    pvalues = []
    for _ in range(draws):
        x = rounded_normal(rng, n, 0.5)
        y = rng.integers(0, 3, n).astype(str)
        observed = mutual_information(x, y, estimator="mixed")
        null = [
            mutual_information(x, rng.permutation(y), estimator="mixed")
            for _ in range(permutations)
        ]
        pvalues.append((1 + sum(v >= observed for v in null)) / (permutations + 1))
    pvalues = np.array(pvalues)
    assert np.mean(pvalues <= 0.05) <= 0.05 + 3 * 0.02
    assert abs(pvalues.mean() - 0.525) < 0.08


@pytest.mark.parametrize("resolution", [1.0, 2.2])
def test_ksg_and_frenzel_pompe_on_integer_valued_columns(resolution):
    # One estimate's sd is ~0.035 bits: 24 seeds put 0.02 at about three standard errors.
    means_ksg, means_fp = [], []
    for seed in range(24):
        rng = np.random.default_rng(seed)
        x, y, z = (rounded_normal(rng, 1000, resolution) for _ in range(3))
        means_ksg.append(mutual_information(x, y, seed=seed, estimator="ksg"))
        means_fp.append(mutual_information(x, y, z, seed=seed, estimator="ksg"))
    assert abs(np.mean(means_ksg)) < 0.02
    assert abs(np.mean(means_fp)) < 0.02


def test_ksg_on_rounded_dependent_data_is_not_inflated():
    # rho = 0.6 (I = 0.2231 nats): rounding loses information, it never adds any.
    values = []
    for seed in range(4):
        rng = np.random.default_rng(seed)
        x = rng.standard_normal(2000)
        y = 0.6 * x + 0.8 * rng.standard_normal(2000)
        values.append(
            mutual_information(np.round(x, 1), np.round(y, 1), base=np.e, estimator="ksg")
        )
    assert 0.18 < np.mean(values) < 0.235


def test_kozachenko_leonenko_on_rounded_values():
    # Tiny jitter gave about -19 nats here; spreading each value over its rounding
    # interval gives the entropy of the rounded-then-smoothed variable, ~ h(N(0, 1)).
    rng = np.random.default_rng(5)
    x = np.round(rng.standard_normal(5000) / 0.5) * 0.5
    assert entropy(x, base=np.e, estimator="kl") == pytest.approx(
        0.5 * np.log(2 * np.pi * np.e), abs=0.05
    )


def test_relation_to_scikit_learn_on_tied_data(penguins):
    # scikit-learn's 1e-10 jitter only orders each pile of tied values at random, so its
    # value moves with random_state; ours is one value per seed. Same ballpark, not equal.
    x = penguins.body_mass_g.to_numpy(float)
    y = penguins.year.to_numpy()
    theirs = [mutual_info_classif(x[:, None], y, random_state=s)[0] for s in range(5)]
    ours = [
        mutual_information(x, y.astype(str), base=np.e, seed=s, estimator="mixed") for s in range(5)
    ]
    assert abs(np.mean(ours) - np.mean(theirs)) < 0.04
    # The exact rule (noise=0) is the inflated 0.55-bit value of the issue.
    assert mutual_information(x, y.astype(str), noise=0, estimator="mixed") > 0.5


def test_ksg_matches_scikit_learn_regression_without_ties():
    rng = np.random.default_rng(2)
    x = rng.standard_normal(1500)
    y = x + rng.standard_normal(1500)
    ours = mutual_information(x, y, base=np.e, estimator="ksg")
    theirs = mutual_info_regression(x[:, None], y, random_state=0)[0]
    assert ours == pytest.approx(theirs, abs=1e-6)


# ---------------------------------------------------------------- determinism (item 3)


def test_penguins_matrix_does_not_depend_on_column_order(penguins):
    forward = mutual_information_matrix(penguins)
    backward = mutual_information_matrix(penguins[penguins.columns[::-1]])
    again = mutual_information_matrix(penguins)
    pd.testing.assert_frame_equal(forward, again)
    pd.testing.assert_frame_equal(forward, backward.loc[forward.index, forward.columns])
    auto = mutual_information_matrix(penguins, estimator="auto")
    auto_back = mutual_information_matrix(penguins[penguins.columns[::-1]], estimator="auto")
    pd.testing.assert_frame_equal(auto, auto_back.loc[auto.index, auto.columns])
    pd.testing.assert_frame_equal(auto, forward)


def test_pair_estimates_do_not_depend_on_column_order_or_call(penguins):
    a = penguins[["body_mass_g", "flipper_length_mm"]]
    b = penguins[["bill_length_mm", "sex"]]
    first = mutual_information_estimate(a, b).value
    assert first == mutual_information_estimate(a[a.columns[::-1]], b[b.columns[::-1]]).value
    assert first == mutual_information_estimate(a, b).value
    # The matrix entry of a pair is the pair estimate: one noise per column, keyed by content.
    matrix = mutual_information_matrix(penguins)
    assert matrix.loc["year", "body_mass_g"] == pytest.approx(
        mutual_information(penguins.year, penguins.body_mass_g, estimator="mixed"), abs=1e-12
    )


def test_seed_none_is_not_reproducible_and_the_default_is():
    rng = np.random.default_rng(3)
    x = rounded_normal(rng, 300, 1.0)
    y = rounded_normal(rng, 300, 1.0)
    assert mutual_information(x, y, estimator="ksg") == mutual_information(
        x, y, seed=0, estimator="ksg"
    )
    draws = {mutual_information(x, y, seed=None, estimator="ksg") for _ in range(4)}
    assert len(draws) > 1


# ---------------------------------------------------------------- column kinds (item 3)


def test_mtcars_integer_measurements_are_continuous(mtcars):
    picked = mutual_information_estimate(mtcars.mpg, mtcars.hp)
    assert picked.estimator == "ksg"
    assert picked.value > 0.5  # Pearson r = -0.78
    assert mutual_information_estimate(mtcars.cyl, mtcars.am).estimator == "plugin"
    assert mutual_information_estimate(mtcars.hp, mtcars.am).estimator == "mixed"
    matrix = mutual_information_matrix(mtcars, estimator="auto")
    assert np.isinf(matrix.loc["hp", "hp"])
    assert np.isfinite(matrix.loc["cyl", "cyl"])
    forced = mutual_information_matrix(mtcars, estimator="auto", discrete=["hp"])
    assert np.isfinite(forced.loc["hp", "hp"])  # plug-in entropy of 22 levels
    as_floats = mutual_information_matrix(mtcars, continuous=["cyl"])
    assert np.isinf(as_floats.loc["cyl", "cyl"])


def test_penguins_kinds(penguins):
    matrix = mutual_information_matrix(penguins)
    for column in ("flipper_length_mm", "body_mass_g", "bill_length_mm"):
        assert np.isinf(matrix.loc[column, column])
    for column in ("species", "island", "sex", "year"):
        assert np.isfinite(matrix.loc[column, column])


# ---------------------------------------------------------------- CMI when Z determines X


def test_cmi_is_zero_when_z_determines_x():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, 1000))
    y = y + x
    assert mutual_information(x, y, given=x, estimator="ksg") == 0.0
    assert mutual_information(x, y, given=y, estimator="ksg") == 0.0
    both = pd.DataFrame({"a": x, "b": rng.standard_normal(1000)})
    assert mutual_information(x, y, given=both, estimator="ksg") == 0.0
    z = rng.integers(0, 10, 1000).astype(float)
    assert mutual_information(z**2, y, given=z, estimator="ksg") == 0.0
    group = pd.Series(rng.integers(0, 4, 1000)).map({0: "a", 1: "b", 2: "c", 3: "d"})
    assert mutual_information(group, y, given=group, estimator="mixed") == 0.0
    # Z with no repeats shows nothing: the estimator decides (a noisy value, not 0.0).
    assert mutual_information(x, y, given=rng.standard_normal(1000), estimator="ksg") != 0.0


# ---------------------------------------------------------------- missing values


def test_missing_drop_and_error_name_the_columns(penguins):
    frame = penguins.copy()
    frame.loc[[0, 5], "body_mass_g"] = np.nan
    frame.loc[[7], "bill_length_mm"] = np.nan
    with pytest.raises(MissingValuesError, match=r"'body_mass_g' of data has 2 missing"):
        mutual_information_matrix(frame)
    with pytest.raises(MissingValuesError, match=r"in 333 rows"):
        mutual_information_matrix(frame, estimator="auto")
    dropped = mutual_information_matrix(frame, missing="drop")
    expected = mutual_information_matrix(frame.dropna())
    pd.testing.assert_frame_equal(dropped, expected)
    pd.testing.assert_frame_equal(
        mutual_information_matrix(frame, estimator="auto", missing="drop"), expected
    )
    gauss = mutual_information_matrix(
        frame[["body_mass_g", "bill_length_mm"]], estimator="gaussian", missing="drop"
    )
    pd.testing.assert_frame_equal(
        gauss,
        mutual_information_matrix(
            frame[["body_mass_g", "bill_length_mm"]].dropna(), estimator="gaussian"
        ),
    )


def test_missing_drop_in_pair_estimators():
    rng = np.random.default_rng(1)
    x, y, z = rng.standard_normal((3, 400))
    xm = x.copy()
    xm[[3, 9]] = np.nan
    keep = ~np.isnan(xm)
    assert mutual_information(xm, y, missing="drop", estimator="ksg") == mutual_information(
        x[keep], y[keep], estimator="ksg"
    )
    assert mutual_information(xm, y, z, missing="drop", estimator="ksg") == mutual_information(
        x[keep], y[keep], z[keep], estimator="ksg"
    )
    labels = (y > 0).astype(int)
    assert mutual_information(xm, labels, missing="drop", estimator="mixed") == mutual_information(
        x[keep], labels[keep], estimator="mixed"
    )
    assert mutual_information(xm, y, missing="drop", estimator="gaussian") == pytest.approx(
        mutual_information(x[keep], y[keep], estimator="gaussian")
    )
    assert entropy(xm, missing="drop", estimator="kl") == entropy(x[keep], estimator="kl")
    with pytest.raises(MissingValuesError, match="x has 2 missing"):
        mutual_information(xm, labels, estimator="mixed")
    with pytest.raises(InvalidInputError, match="missing='bogus'"):
        mutual_information(x, y, missing="bogus", estimator="ksg")
    with pytest.raises(InvalidInputError, match="missing='category'"):
        mutual_information_matrix(
            pd.DataFrame({"a": x, "b": y}), estimator="ksg", missing="category"
        )


# ---------------------------------------------------------------- hostile input (issue 12)


def test_none_and_unhashable_values_are_clear_errors():
    with pytest.raises(InvalidInputError, match="x is None"):
        mutual_information(None, [0, 1])
    with pytest.raises(InvalidInputError, match="y is None"):
        mutual_information([0, 1], None)
    with pytest.raises(InvalidInputError, match="x is None"):
        entropy(None)
    with pytest.raises(InvalidInputError, match="given is None"):
        conditional_entropy([0, 1], None)
    with pytest.raises(InvalidInputError, match="x is None"):
        mutual_information(None, [0.0, 1.0], estimator="ksg")
    with pytest.raises(InvalidInputError, match="hashable"):
        entropy(pd.Series([[1, 2], [3]]))
    with pytest.raises(InvalidInputError, match="hashable"):
        mutual_information(pd.Series([{"a": 1}, {"b": 2}]), [0, 1])
    with pytest.raises(InvalidInputError, match="hashable"):
        mutual_information_matrix(pd.DataFrame({"a": [[1], [2]], "b": [0, 1]}))


def test_counts_must_be_finite_and_non_negative():
    with pytest.raises(InvalidInputError, match="finite and >= 0"):
        entropy_from_counts([3, -1, 2])
    with pytest.raises(InvalidInputError, match="finite and >= 0"):
        entropy_from_counts([3, np.nan, 2])
    with pytest.raises(InvalidInputError, match="finite and >= 0"):
        entropy_from_counts([3, np.inf])
    assert entropy_from_counts([3, 0, 3]) == pytest.approx(np.log(2))


@pytest.mark.parametrize("base", [0.5, 1, 1.0, 0, -2, np.inf, np.nan, "2", True])
def test_a_base_must_be_a_finite_number_above_one(base):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, 50))
    for call in (
        lambda: entropy([0, 1], base=base),
        lambda: mutual_information([0, 1], [1, 0], base=base),
        lambda: mutual_information_matrix(pd.DataFrame({"a": [0, 1], "b": [1, 1]}), base=base),
        lambda: mutual_information(x, y, base=base, estimator="ksg"),
        lambda: mutual_information(x, y > 0, base=base, estimator="mixed"),
        lambda: entropy(x, base=base, estimator="kl"),
        lambda: mutual_information(x, y, base=base, estimator="gaussian"),
    ):
        with pytest.raises(InvalidInputError, match="base must be a finite number > 1"):
            call()


def test_series_with_different_indexes_are_refused():
    a = pd.Series([0, 1, 0, 1], index=[10, 11, 12, 13])
    b = pd.Series([0, 1, 1, 0])
    with pytest.raises(InvalidInputError, match="different pandas indexes.*reset_index"):
        mutual_information(a, b)
    with pytest.raises(InvalidInputError, match="different pandas indexes"):
        conditional_entropy(a, b)
    rng = np.random.default_rng(0)
    u = pd.Series(rng.standard_normal(30), index=range(100, 130))
    v = pd.Series(rng.standard_normal(30))
    with pytest.raises(InvalidInputError, match="different pandas indexes"):
        mutual_information(u, v, estimator="ksg")
    # Equal indexes, or arrays, pair by position as before.
    assert mutual_information(a, b.set_axis(a.index)) == mutual_information(
        a.to_numpy(), b.to_numpy()
    )


def test_clustering_labels_refuse_infinity_and_say_contains_nan():
    with pytest.raises(InvalidInputError, match="contains infinity"):
        clustering.mutual_info_score([0, 1], [np.inf, np.inf])
    with pytest.raises(InvalidInputError, match="contains infinity"):
        clustering.normalized_mutual_info_score([-np.inf, 1.0, 2.0], [0, 1, 1])
    with pytest.raises(InvalidInputError, match="contains infinity"):
        clustering.adjusted_mutual_info_score(np.array([0.5, np.inf], dtype=object), [0, 1])
    with pytest.raises(MissingValuesError, match="contains NaN"):
        clustering.mutual_info_score([0, 1], [np.nan, 1.0])
    with pytest.raises(MissingValuesError, match="contains NaN"):
        clustering.mutual_info_score(["a", None], [0, 1])
    # Large finite floats and the string "inf" are ordinary labels.
    assert clustering.mutual_info_score([0, 1], [1e308, -1e308]) == pytest.approx(np.log(2))
    assert clustering.mutual_info_score([0, 1], ["inf", "nan"]) == pytest.approx(np.log(2))


def test_integer_dtype_counts_behave_in_every_knn_estimator():
    # Poisson counts: integer dtype, heavy ties. Spread over [v - 1/2, v + 1/2], the
    # differential entropy is the discrete entropy exactly (log of a width of 1 is 0).
    from scipy.stats import poisson

    rng = np.random.default_rng(11)
    counts = rng.poisson(20, 4000)
    assert counts.dtype.kind == "i"
    assert entropy(counts, base=np.e, estimator="kl") == pytest.approx(
        float(poisson(20).entropy()), abs=0.05
    )
    ksg, fp, mixed = [], [], []
    for seed in range(5):
        rng = np.random.default_rng(200 + seed)
        x, y, z = rng.poisson(20, (3, 1000))
        ksg.append(mutual_information(x, y, seed=seed, estimator="ksg"))
        fp.append(mutual_information(x, y, z, seed=seed, estimator="ksg"))
        mixed.append(
            mutual_information(
                x.astype(float), rng.integers(0, 2, 1000), seed=seed, estimator="mixed"
            )
        )
    assert abs(np.mean(ksg)) < 0.02
    assert abs(np.mean(fp)) < 0.02
    assert abs(np.mean(mixed)) < 0.02
    # The auto rule sees these integer columns as continuous: KSG, not the plug-in.
    assert mutual_information_estimate(x, y).estimator == "ksg"


def test_row_order_does_not_matter_without_ties():
    rng = np.random.default_rng(4)
    x = rng.standard_normal(500)
    y = x + rng.standard_normal(500)
    z = y + rng.standard_normal(500)
    order = rng.permutation(500)
    assert mutual_information(x, y, estimator="ksg") == pytest.approx(
        mutual_information(x[order], y[order], estimator="ksg"), abs=1e-12
    )
    assert mutual_information(x, z, y, estimator="ksg") == pytest.approx(
        mutual_information(x[order], z[order], y[order], estimator="ksg"), abs=1e-12
    )
    labels = (y > 0).astype(int)
    assert mutual_information(x, labels, estimator="mixed") == pytest.approx(
        mutual_information(x[order], labels[order], estimator="mixed"), abs=1e-12
    )
