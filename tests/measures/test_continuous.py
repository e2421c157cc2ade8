"""Continuous and mixed estimators against analytic values and scikit-learn.

Tolerances are in nats and come from the estimators' sampling error at the
sizes used (KSG at n = 10^4, k = 3: bias < 0.001, standard deviation about
0.008 nats over seeds; Kozachenko-Leonenko: standard deviation about 0.01).
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from scipy.spatial import cKDTree
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

from mistruct.exceptions import InvalidInputError, MissingValuesError
from mistruct.measures import (
    MutualInformationEstimate,
    entropy,
    mutual_information,
    mutual_information_estimate,
    mutual_information_matrix,
)
from mistruct.measures._knn import _counts_within

LN2 = np.log(2)
RHO_06 = 0.223144  # -1/2 ln(1 - 0.36)
CHAIN = 0.143841  # -1/2 ln(1 - 0.25): X = Z + e1, Y = Z + e2, unit variances
MIXED = 0.336831  # X | Y ~ N(+-1, 1), Y ~ Bernoulli(1/2); checked below by integration
NORMAL_ENTROPY = 0.5 * np.log(2 * np.pi * np.e)  # 1.418939


def bivariate(n, rho, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    return x, rho * x + np.sqrt(1 - rho**2) * rng.standard_normal(n)


def chain(n, seed):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n)
    return z + rng.standard_normal(n), z + rng.standard_normal(n), z


def exact_covariance(n, cov, seed):
    """Rows whose sample covariance is exactly ``cov`` (whitened, then coloured)."""
    rng = np.random.default_rng(seed)
    raw = rng.standard_normal((n, len(cov)))
    raw -= raw.mean(axis=0)
    white = raw @ np.linalg.inv(np.linalg.cholesky(np.cov(raw, rowvar=False)).T)
    return white @ np.linalg.cholesky(cov).T


# ------------------------------------------------------------------ analytic values


def test_mixed_constant_by_numerical_integration():
    def density(x):
        return 0.5 * stats.norm.pdf(x, -1) + 0.5 * stats.norm.pdf(x, 1)

    h_x = integrate.quad(lambda x: -density(x) * np.log(density(x)), -20, 20, epsabs=1e-12)[0]
    assert h_x - NORMAL_ENTROPY == pytest.approx(MIXED, abs=5e-7)


@pytest.mark.parametrize("algorithm", [1, 2])
def test_ksg_bivariate_gaussian(algorithm):
    x, y = bivariate(10_000, 0.6, seed=11)
    value = mutual_information(
        x, y, k=3, base=np.e, seed=0, estimator="ksg" if algorithm == 1 else "ksg2"
    )
    assert value == pytest.approx(RHO_06, abs=0.02)


def test_ksg_default_base_is_bits():
    x, y = bivariate(2000, 0.6, seed=1)
    nats = mutual_information(x, y, base=np.e, seed=0, estimator="ksg")
    assert mutual_information(x, y, seed=0, estimator="ksg") == pytest.approx(nats / LN2, rel=1e-12)


def test_ksg_multivariate_x():
    # Y = X1 + X2 + e: I(X; Y) = 1/2 ln(1 + 2 / var(e)).
    rng = np.random.default_rng(5)
    x = rng.standard_normal((10_000, 2))
    y = x.sum(axis=1) + rng.standard_normal(10_000)
    value = mutual_information(x, y, base=np.e, seed=0, estimator="ksg")
    assert value == pytest.approx(0.5 * np.log(3), abs=0.03)


def test_chain_ksg_frenzel_pompe():
    x, y, z = chain(10_000, seed=3)
    assert mutual_information(x, y, base=np.e, seed=0, estimator="ksg") == pytest.approx(
        CHAIN, abs=0.02
    )
    assert mutual_information(x, y, z, base=np.e, seed=0, estimator="ksg") == pytest.approx(
        0.0, abs=0.02
    )


def test_chain_gaussian_closed_form_is_exact():
    cov = np.array([[2.0, 1.0, 1.0], [1.0, 2.0, 1.0], [1.0, 1.0, 1.0]])  # X, Y, Z
    data = exact_covariance(500, cov, seed=0)
    x, y, z = data.T
    assert mutual_information(x, y, base=np.e, estimator="gaussian") == pytest.approx(
        CHAIN, abs=1e-6
    )
    assert mutual_information(x, y, base=np.e, estimator="gaussian") == pytest.approx(
        -0.5 * np.log(0.75), abs=1e-12
    )
    assert mutual_information(x, y, z, base=np.e, estimator="gaussian") == pytest.approx(
        0.0, abs=1e-12
    )
    # Multivariate: I(X; (Y, Z)) = I(X; Z) + I(X; Y | Z) = I(X; Z) here.
    joint = mutual_information(x, np.column_stack([y, z]), base=np.e, estimator="gaussian")
    assert joint == pytest.approx(
        mutual_information(x, z, base=np.e, estimator="gaussian"), abs=1e-12
    )


def test_gaussian_multivariate_against_formula():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((3000, 5)) @ rng.standard_normal((5, 5))
    x, y, z = a[:, :2], a[:, 2:3], a[:, 3:]
    s = np.cov(a, rowvar=False)

    def ld(idx):
        return np.linalg.slogdet(s[np.ix_(idx, idx)])[1]

    expected = 0.5 * (ld([0, 1, 3, 4]) + ld([2, 3, 4]) - ld([0, 1, 2, 3, 4]) - ld([3, 4]))
    assert mutual_information(x, y, z, base=np.e, estimator="gaussian") == pytest.approx(
        expected, rel=1e-9
    )


def test_mixed_discrete_continuous():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 10_000)
    x = rng.standard_normal(10_000) + 2 * y - 1
    assert mutual_information(x, y, base=np.e, estimator="mixed") == pytest.approx(MIXED, abs=0.02)
    assert mutual_information(y, x, base=np.e, estimator="mixed") == pytest.approx(MIXED, abs=0.02)
    # labels as strings: the same discrete variable
    labels = np.where(y == 1, "up", "down")
    assert mutual_information(x, labels, estimator="mixed") == mutual_information(
        x, y, estimator="mixed"
    )


def test_independence_gives_about_zero():
    rng = np.random.default_rng(6)
    x, y, z = rng.standard_normal((3, 10_000))
    assert abs(mutual_information(x, y, base=np.e, seed=0, estimator="ksg")) < 0.01
    assert abs(mutual_information(x, y, base=np.e, seed=0, estimator="ksg2")) < 0.01
    assert abs(mutual_information(x, y, z, base=np.e, seed=0, estimator="ksg")) < 0.01
    labels = rng.integers(0, 3, 10_000)
    assert abs(mutual_information(x, labels, base=np.e, estimator="mixed")) < 0.01
    assert mutual_information(x, y, base=np.e, estimator="gaussian") < 0.001


def test_kozachenko_leonenko_normal():
    rng = np.random.default_rng(7)
    x = rng.standard_normal(10_000)
    assert entropy(x, base=np.e, seed=0, estimator="kl") == pytest.approx(NORMAL_ENTROPY, abs=0.03)
    two = rng.standard_normal((10_000, 2))
    assert entropy(two, base=np.e, seed=0, estimator="kl") == pytest.approx(
        2 * NORMAL_ENTROPY, abs=0.05
    )


def test_kozachenko_leonenko_scaling_shifts_by_log_scale():
    rng = np.random.default_rng(8)
    x = rng.standard_normal(3000)
    h = entropy(x, base=np.e, seed=0, estimator="kl")
    assert entropy(8 * x, base=np.e, seed=0, estimator="kl") == pytest.approx(
        h + np.log(8), abs=1e-9
    )
    assert entropy(x, seed=0, estimator="kl") == pytest.approx(h / LN2, rel=1e-12)


# ------------------------------------------------------------------ peers


@pytest.mark.parametrize("k", [3, 5])
@pytest.mark.parametrize("seed", [0, 1])
def test_ksg_agrees_with_scikit_learn(k, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(3000) * 4 + 10  # scaling and offset: both standardize
    y = np.sin(x) + 0.3 * rng.standard_normal(3000) + 0.1 * x
    ours = mutual_information(x, y, k=k, base=np.e, seed=seed, estimator="ksg")
    theirs = mutual_info_regression(x[:, None], y, n_neighbors=k, random_state=seed)[0]
    assert theirs > 0.1  # scikit-learn clips at 0; keep away from it
    assert ours == pytest.approx(theirs, abs=1e-4)


def test_mixed_agrees_with_scikit_learn_classif():
    # Discrete target, continuous feature: Ross (2014), which Gao et al. reduce to.
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 4000)
    x = rng.standard_normal(4000) + y
    ours = mutual_information(x, y, k=3, base=np.e, estimator="mixed")
    theirs = mutual_info_classif(x[:, None], y, n_neighbors=3, random_state=0)[0]
    assert ours == pytest.approx(theirs, abs=1e-4)


def test_mixed_is_ksg_on_continuous_data_without_ties():
    x, y = bivariate(3000, 0.5, seed=9)
    assert mutual_information(x, y, estimator="mixed") == pytest.approx(
        mutual_information(x, y, noise=0, estimator="ksg"), abs=1e-12
    )


def test_mixed_on_discrete_data_is_close_to_plugin():
    rng = np.random.default_rng(10)
    x = rng.integers(0, 3, 5000)
    y = (x + (rng.random(5000) < 0.3)) % 3
    assert mutual_information(x, y, estimator="mixed") == pytest.approx(
        mutual_information(x, y), abs=0.005
    )


def test_mixed_conditional_on_discrete_z():
    # X and Y depend on a discrete Z only: I(X;Y|Z) = 0 while I(X;Y) > 0.
    rng = np.random.default_rng(12)
    z = rng.integers(0, 3, 6000)
    x = z + rng.standard_normal(6000)
    y = z + rng.standard_normal(6000)
    assert (
        mutual_information(x, y, base=np.e, estimator="mixed") > 0.05
    )  # Gaussian approximation: 0.087
    assert abs(mutual_information(x, y, z, base=np.e, estimator="mixed")) < 0.02


# ------------------------------------------------------------------ choosing an estimator


def test_mutual_information_auto_picks_by_column_kind():
    rng = np.random.default_rng(13)
    d = rng.integers(0, 2, 1000)
    c = rng.standard_normal(1000) + d
    c2 = c + rng.standard_normal(1000)
    picked = mutual_information_estimate(d, d ^ (rng.random(1000) < 0.1))
    assert picked.estimator == "plugin" and picked.k is None
    picked = mutual_information_estimate(c, c2, seed=0)
    assert picked.estimator == "ksg"
    assert picked.value == mutual_information(c, c2, seed=0, estimator="ksg")
    picked = mutual_information_estimate(c, c2, given=rng.standard_normal(1000), seed=0)
    assert picked.estimator == "frenzel-pompe"
    picked = mutual_information_estimate(c, d, base=np.e)
    assert picked == MutualInformationEstimate(
        mutual_information(c, d, base=np.e, estimator="mixed"), "mixed", 3, np.e
    )
    assert float(picked) == picked.value
    frame = pd.DataFrame({"c": c, "d": d})
    assert mutual_information_estimate(frame, c2, seed=0).estimator == "mixed"


def test_gaussian_matrix_matches_pairs():
    rng = np.random.default_rng(14)
    a = rng.standard_normal(2000)
    frame = pd.DataFrame(
        {"a": a, "b": a + rng.standard_normal(2000), "c": rng.standard_normal(2000)}
    )
    matrix = mutual_information_matrix(frame, estimator="gaussian")
    assert list(matrix.columns) == ["a", "b", "c"] and list(matrix.index) == ["a", "b", "c"]
    assert np.all(np.isinf(np.diag(matrix)))
    for u in "abc":
        for v in "abc":
            if u != v:
                assert matrix.loc[u, v] == pytest.approx(
                    mutual_information(frame[u], frame[v], estimator="gaussian"), rel=1e-10
                )
    assert mutual_information_matrix(frame, ["c", "a"], estimator="gaussian").shape == (2, 2)


def test_knn_matrix_matches_pair_estimators():
    rng = np.random.default_rng(15)
    a = rng.standard_normal(1500)
    frame = pd.DataFrame(
        {
            "a": a,
            "b": a + rng.standard_normal(1500),
            "g": np.where(a > 0, "pos", "neg"),
            "h": rng.integers(0, 3, 1500),
        }
    )
    matrix = mutual_information_matrix(frame, noise=0)
    assert matrix.loc["a", "b"] == pytest.approx(
        mutual_information(frame.a, frame.b, noise=0, estimator="ksg"), abs=1e-12
    )
    assert matrix.loc["a", "g"] == pytest.approx(
        mutual_information(frame.a, frame.g, estimator="mixed")
    )
    assert matrix.loc["g", "h"] == pytest.approx(mutual_information(frame.g, frame.h))
    assert matrix.loc["g", "g"] == pytest.approx(mutual_information(frame.g, frame.g))
    assert np.isinf(matrix.loc["a", "a"])
    np.testing.assert_allclose(matrix.to_numpy(), matrix.to_numpy().T)
    mixed = mutual_information_matrix(frame, estimator="mixed")
    assert mixed.loc["a", "b"] == pytest.approx(
        mutual_information(frame.a, frame.b, estimator="mixed")
    )
    with pytest.raises(InvalidInputError, match="not numeric"):
        mutual_information_matrix(frame, estimator="ksg")
    with pytest.raises(InvalidInputError, match="estimator"):
        mutual_information_matrix(frame, estimator="gaussian")


# ------------------------------------------------------------------ conventions


def test_inputs_are_not_modified():
    rng = np.random.default_rng(16)
    x, y, z = rng.standard_normal((3, 500))
    frame = pd.DataFrame({"x": x, "y": y, "g": rng.integers(0, 2, 500)})
    copies = [x.copy(), y.copy(), z.copy(), frame.copy()]
    mutual_information(x, y, seed=0, estimator="ksg")
    mutual_information(x, y, seed=0, estimator="ksg2")
    mutual_information(x, y, z, seed=0, estimator="ksg")
    entropy(x, seed=0, estimator="kl")
    mutual_information(frame[["x"]], frame["g"], estimator="mixed")
    mutual_information(x, y, z, estimator="gaussian")
    mutual_information_matrix(frame, seed=0)
    np.testing.assert_array_equal(x, copies[0])
    np.testing.assert_array_equal(y, copies[1])
    np.testing.assert_array_equal(z, copies[2])
    pd.testing.assert_frame_equal(frame, copies[3])


def test_seed_reproducibility():
    x, y = bivariate(1000, 0.5, seed=17)
    assert mutual_information(x, y, seed=3, estimator="ksg") == mutual_information(
        x, y, seed=3, estimator="ksg"
    )
    a = mutual_information(x, y, seed=np.random.default_rng(3), estimator="ksg")
    assert a == mutual_information(x, y, seed=np.random.default_rng(3), estimator="ksg")


def test_ties_are_broken_by_noise():
    rng = np.random.default_rng(18)
    x = np.round(rng.standard_normal(2000), 1)  # many ties
    y = x + rng.standard_normal(2000)
    value = mutual_information(x, y, seed=0, estimator="ksg")
    assert np.isfinite(value)
    with pytest.raises(InvalidInputError, match="identical rows"):
        entropy(np.repeat([0.0, 1.0], 50), noise=0, estimator="kl")


@pytest.mark.parametrize(
    "call",
    [
        lambda x, y: mutual_information(x, y, estimator="ksg"),
        lambda x, y: mutual_information(x, y, y[::-1].copy(), estimator="ksg"),
        lambda x, y: mutual_information(x, y, estimator="gaussian"),
        lambda x, y: entropy(x, estimator="kl"),
    ],
)
def test_nan_and_inf_are_errors_naming_the_column(call):
    rng = np.random.default_rng(19)
    x, y = rng.standard_normal((2, 50))
    bad = x.copy()
    bad[3] = np.nan
    with pytest.raises(MissingValuesError, match=r"x has 1 missing"):
        call(bad, y)
    bad[3] = np.inf
    with pytest.raises(InvalidInputError, match=r"x has 1 infinite"):
        call(bad, y)
    frame = pd.DataFrame({"temp": x, "wind": y})
    frame.loc[7, "wind"] = np.nan
    with pytest.raises(MissingValuesError, match="column 'wind' of x"):
        call(frame, y)


def test_validation_errors():
    rng = np.random.default_rng(20)
    x, y = rng.standard_normal((2, 20))
    with pytest.raises(InvalidInputError, match="k=20 needs more than 20 rows"):
        mutual_information(x, y, k=20, estimator="ksg")
    with pytest.raises(InvalidInputError, match="integer >= 1"):
        mutual_information(x, y, k=0, estimator="ksg")
    with pytest.raises(InvalidInputError, match="integer >= 1"):
        mutual_information(x, y, k=2.5, estimator="ksg")
    with pytest.raises(InvalidInputError, match="different numbers of rows"):
        mutual_information(x, y[:10], estimator="ksg")
    with pytest.raises(InvalidInputError, match="different numbers of rows"):
        mutual_information(x, y[:10], estimator="mixed")
    with pytest.raises(InvalidInputError, match="constant"):
        mutual_information(np.ones(20), y, estimator="ksg")
    with pytest.raises(InvalidInputError, match="constant"):
        mutual_information(x, np.ones(20), estimator="gaussian")
    with pytest.raises(InvalidInputError, match="not numeric"):
        mutual_information(np.array(list("ab") * 10), y, estimator="ksg")
    with pytest.raises(InvalidInputError, match="estimator='ksg3' is not an option"):
        mutual_information(x, y, estimator="ksg3")
    with pytest.raises(InvalidInputError, match="noise"):
        mutual_information(x, y, noise=-1, estimator="ksg")
    with pytest.raises(InvalidInputError, match="seed"):
        mutual_information(x, y, seed="a", estimator="ksg")
    with pytest.raises(InvalidInputError, match="base"):
        mutual_information(x, y, base=1, estimator="ksg")
    with pytest.raises(MissingValuesError):
        mutual_information(x, pd.Series(["a", None] * 10), estimator="mixed")


def test_gaussian_degenerate_cases():
    rng = np.random.default_rng(21)
    x, z = rng.standard_normal((2, 100))
    assert mutual_information(x, 2 * x + 1, estimator="gaussian") == np.inf
    with pytest.raises(InvalidInputError, match="collinear"):
        mutual_information(
            x, rng.standard_normal(100), np.column_stack([z, 2 * z]), estimator="gaussian"
        )


def test_mixed_keeps_constant_columns():
    rng = np.random.default_rng(22)
    x = rng.standard_normal(500)
    assert mutual_information(x, np.zeros(500), estimator="mixed") == pytest.approx(0.0, abs=1e-12)


# ------------------------------------------------------------------ internals


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.integers(-3, 3).map(float),
            st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
        ),
        min_size=1,
        max_size=60,
    ),
    data=st.data(),
)
def test_one_column_counts_are_the_kd_tree_counts(values, data):
    """The sorted-array count of a column matches the kd-tree's exactly, ties and all."""
    v = np.array(values)
    points = v[:, None]
    partner = np.array(
        data.draw(st.lists(st.integers(0, len(v) - 1), min_size=len(v), max_size=len(v)))
    )
    radius = np.abs(v[partner] - v)  # radii equal to distances: the boundary cases
    nudge = np.array(
        data.draw(st.lists(st.sampled_from([-1, 0, 1]), min_size=len(v), max_size=len(v)))
    )
    radius = np.where(nudge < 0, np.nextafter(radius, 0), radius)
    radius = np.where(nudge > 0, np.nextafter(radius, np.inf), radius)
    expected = cKDTree(points).query_ball_point(points, radius, p=np.inf, return_length=True)
    np.testing.assert_array_equal(_counts_within(points, radius), expected)


def test_mutual_information_matrix_dispatches_numeric_estimators():
    import pandas as pd

    from mistruct import mutual_information_matrix

    rng = np.random.default_rng(1)
    x = rng.normal(size=3000)
    frame = pd.DataFrame({"x": x, "y": 0.6 * x + 0.8 * rng.normal(size=3000)})
    truth = -0.5 * np.log(1 - 0.36)
    gaussian = mutual_information_matrix(frame, estimator="gaussian", base=np.e)
    ksg = mutual_information_matrix(frame, estimator="ksg", base=np.e, seed=0)
    assert abs(gaussian.loc["x", "y"] - truth) < 0.03
    assert abs(ksg.loc["x", "y"] - truth) < 0.05
