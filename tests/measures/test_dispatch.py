"""Issue 13: one entry point per measure, every column kind, the same values as the 0.1 functions.

The expected numbers were recorded from 0.1's ksg_mutual_information,
mutual_information_auto, knn_entropy, gaussian_mutual_information, ... before
they became estimators of the unified functions (tests/fixtures/README.md).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mistruct.exceptions import ContinuousDataError, InvalidInputError
from mistruct.measures import (
    MATRIX_ESTIMATORS,
    MutualInformationEstimate,
    conditional_entropy,
    entropy,
    mutual_information,
    mutual_information_estimate,
    mutual_information_matrix,
)

DATA = Path(__file__).parents[1] / "fixtures"
TODAY = json.loads((DATA / "measures_values_0_1.json").read_text())
TOL = 1e-12


@pytest.fixture(scope="module")
def synthetic():
    rng = np.random.default_rng(7)
    n = 400
    a = rng.standard_normal(n)
    b = 0.6 * a + 0.8 * rng.standard_normal(n)
    c = a + b + rng.standard_normal(n)
    g = rng.integers(0, 3, n)
    s = np.array(["u", "v"])[rng.integers(0, 2, n)]
    return a, b, c, g, s


@pytest.fixture(scope="module")
def penguins():
    return pd.read_csv(DATA / "penguins_complete.csv")


@pytest.fixture(scope="module")
def mtcars():
    return pd.read_csv(DATA / "mtcars.csv").drop(columns="model")


def close(value, expected):
    return value == pytest.approx(expected, abs=TOL, rel=0)


def frame_equal(frame, recorded):
    expected = pd.DataFrame(recorded).replace("inf", np.inf).astype(float)
    expected = expected.loc[[str(c) for c in frame.index], [str(c) for c in frame.columns]]
    np.testing.assert_allclose(frame.to_numpy(), expected.to_numpy(), rtol=0, atol=TOL)


def test_synthetic_values_equal_the_per_estimator_functions(synthetic):
    a, b, c, g, s = synthetic
    want = TODAY["synthetic"]
    assert close(mutual_information(a, b), want["ksg_ab"])
    assert close(mutual_information(a, b, estimator="ksg"), want["ksg_ab"])
    assert close(mutual_information(a, b, estimator="ksg2"), want["ksg2_ab"])
    assert close(
        mutual_information(a, b, k=5, base=np.e, seed=3, estimator="ksg"), want["ksg_ab_e_k5"]
    )
    assert close(mutual_information(a, b, given=c), want["fp_abc"])
    assert close(mutual_information(a, g, estimator="mixed"), want["mixed_ag"])
    assert close(mutual_information(a, s, given=b), want["mixed_as_given_b"])
    assert close(entropy(a), want["kl_a"])
    assert close(entropy(a, estimator="kl"), want["kl_a"])
    assert close(entropy(np.column_stack([a, b])), want["kl_ab"])
    assert close(mutual_information(a, b, estimator="gaussian"), want["gauss_ab"])
    assert close(mutual_information(a, b, given=c, estimator="gaussian"), want["gauss_ab_c"])
    assert close(mutual_information(g, s), want["plugin_gs"])
    assert close(mutual_information(g, s, estimator="miller-madow"), want["mm_gs"])
    assert close(entropy(g), want["plugin_H_g"])
    assert close(entropy(g, estimator="shrinkage"), want["shrink_H_g"])
    assert close(conditional_entropy(g, s), want["ce_g_s"])


def test_penguins_values_equal_the_per_estimator_functions(penguins):
    p, want = penguins, TODAY["penguins"]
    assert close(
        mutual_information(p["bill_length_mm"], p["flipper_length_mm"]), want["ksg_bill_flipper"]
    )
    assert close(
        mutual_information(p["body_mass_g"], p["year"], estimator="ksg"), want["ksg_mass_year"]
    )
    picked = mutual_information_estimate(p["bill_length_mm"], p["species"])
    assert picked.estimator == want["auto_bill_species_est"] == "mixed"
    assert close(picked.value, want["auto_bill_species"])
    assert close(mutual_information(p["species"], p["island"]), want["auto_species_island"])
    assert close(
        mutual_information(p["bill_length_mm"], p["bill_depth_mm"], given=p["flipper_length_mm"]),
        want["auto_bill_depth_given_flipper"],
    )
    assert close(
        mutual_information(p["bill_length_mm"], p["bill_depth_mm"]), want["auto_bill_depth"]
    )
    assert close(
        mutual_information(p["body_mass_g"], p["sex"], given=p["species"]),
        want["auto_mass_sex_given_species"],
    )
    assert close(entropy(p["bill_length_mm"]), want["kl_bill"])
    assert close(
        mutual_information(p["bill_length_mm"], p["bill_depth_mm"], estimator="gaussian"),
        want["gauss_bill_depth"],
    )
    assert close(
        mutual_information(p["species"], p["island"], estimator="plugin"),
        want["plugin_species_island"],
    )
    assert close(entropy(p["species"]), want["plugin_H_species"])
    frame_equal(mutual_information_matrix(p), want["knn_matrix"])
    frame_equal(mutual_information_matrix(p), want["mim_auto"])
    numeric = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    frame_equal(mutual_information_matrix(p[numeric], estimator="gaussian"), want["gauss_matrix"])


def test_mtcars_values_equal_the_per_estimator_functions(mtcars):
    m, want = mtcars, TODAY["mtcars"]
    frame_equal(mutual_information_matrix(m), want["knn_matrix"])
    frame_equal(mutual_information_matrix(m, estimator="mixed"), want["knn_matrix_mixed"])
    assert close(mutual_information(m["mpg"], m["cyl"]), want["auto_mpg_cyl"])
    picked = mutual_information_estimate(m["mpg"], m["hp"])
    assert picked.estimator == want["auto_mpg_hp_est"]
    assert close(picked.value, want["auto_mpg_hp"])
    assert close(mutual_information(m["mpg"], m["wt"], given=m["hp"]), want["auto_mpg_wt_given_hp"])
    assert close(mutual_information(m["am"], m["vs"]), want["auto_am_vs"])
    assert close(mutual_information(m["mpg"], m["wt"], estimator="ksg"), want["ksg_mpg_wt"])
    discrete = m[["cyl", "vs", "am", "gear", "carb"]]
    frame_equal(mutual_information_matrix(discrete), want["mim_plugin_discrete"])


def test_estimate_reports_what_auto_chose(synthetic):
    a, b, c, g, s = synthetic
    cases = [
        ((g, s, None), "plugin", None),
        ((a, b, None), "ksg", 3),
        ((a, b, c), "frenzel-pompe", 3),
        ((a, g, None), "mixed", 3),
        ((g, s, a), "mixed", 3),
    ]
    for (x, y, given), name, k in cases:
        estimate = mutual_information_estimate(x, y, given)
        assert isinstance(estimate, MutualInformationEstimate)
        assert (estimate.estimator, estimate.k, estimate.base) == (name, k, 2)
        assert estimate.value == mutual_information(x, y, given)
        assert float(estimate) == estimate.value
    with pytest.raises(AttributeError):
        estimate.value = 0.0  # frozen


def test_kinds_at_the_door_and_overrides():
    # Integer codes with many levels are measurements; discrete= makes them counted.
    rng = np.random.default_rng(1)
    x = pd.Series(rng.integers(0, 40, 300), name="x")
    y = pd.Series((x.to_numpy() // 10) % 2, name="y")
    assert mutual_information_estimate(x, y).estimator == "mixed"
    counted = mutual_information_estimate(x, y, discrete=["x"])
    assert counted.estimator == "plugin"
    assert counted.value == mutual_information(x.astype(str), y)
    # Strings, categories and bools are discrete.
    labels = pd.Series(np.where(y == 1, "one", "zero"))
    assert mutual_information_estimate(labels, y.astype(bool)).estimator == "plugin"
    assert mutual_information_estimate(labels.astype("category"), y).estimator == "plugin"
    with pytest.raises(InvalidInputError, match="'nope'"):
        mutual_information(x, y, discrete=["nope"])


def test_results_do_not_depend_on_the_order_of_the_arguments(synthetic):
    a, b, c, g, s = synthetic
    for x, y in ((a, b), (a, g), (g, s)):
        assert mutual_information(x, y) == pytest.approx(mutual_information(y, x), abs=1e-12)


def test_estimator_that_cannot_take_a_kind_is_refused_naming_the_column(synthetic):
    a, b, c, g, s = synthetic
    frame = pd.DataFrame({"length": a, "group": g})
    with pytest.raises(ContinuousDataError, match="'length' of x is float.*Discretizer"):
        mutual_information(frame, s, estimator="plugin")
    with pytest.raises(ContinuousDataError, match="but x is float.*Discretizer"):
        mutual_information(a, g, estimator="miller-madow")
    with pytest.raises(ContinuousDataError, match="but given is float"):
        mutual_information(g, s, given=a, estimator="plugin")
    with pytest.raises(InvalidInputError, match="text or categories"):
        mutual_information(a, s, estimator="ksg")
    with pytest.raises(InvalidInputError, match="text or categories"):
        mutual_information(a, s, estimator="gaussian")
    with pytest.raises(InvalidInputError, match="'kl' does not estimate mutual information"):
        mutual_information(a, b, estimator="kl")
    with pytest.raises(InvalidInputError, match="'ksg' does not estimate entropy"):
        entropy(a, estimator="ksg")
    with pytest.raises(InvalidInputError, match="no conditional form"):
        mutual_information(a, b, given=c, estimator="ksg2")
    with pytest.raises(InvalidInputError, match="discrete and continuous"):
        entropy(pd.DataFrame({"a": a, "g": s}))
    with pytest.raises(InvalidInputError, match="missing='category'"):
        mutual_information(a, b, missing="category")
    with pytest.raises(InvalidInputError, match="estimator='nope' is not an option"):
        mutual_information(a, b, estimator="nope")
    with pytest.raises(ContinuousDataError, match="'length' of data is float"):
        mutual_information_matrix(frame, estimator="plugin")
    # Integer codes with many levels are counted by an explicit discrete estimator, as in 0.1.
    codes = np.arange(400) % 40
    assert mutual_information(codes, g, estimator="plugin") == pytest.approx(
        mutual_information(codes.astype(str), g), abs=1e-12
    )


def test_inputs_are_never_modified(synthetic):
    a, b, c, g, s = synthetic
    frame = pd.DataFrame({"a": a.copy(), "g": g.copy(), "s": s.copy()})
    before = frame.copy()
    mutual_information(frame[["a"]], frame[["g", "s"]], discrete=["a"])
    mutual_information_matrix(frame, discrete=["a"])
    pd.testing.assert_frame_equal(frame, before)


def test_conditional_entropy_of_continuous_columns_is_the_difference_of_entropies(synthetic):
    a, b, c, g, s = synthetic
    joint = entropy(np.column_stack([a, b]))
    assert conditional_entropy(a, b) == pytest.approx(joint - entropy(b), abs=1e-12)
    # Gaussian: h(A|B) = 1/2 log2(2 pi e (1 - rho^2)), rho = 0.6; sampling error at n = 400.
    exact = 0.5 * np.log2(2 * np.pi * np.e * 0.64)
    assert abs(conditional_entropy(a, b) - exact) < 0.15
    with pytest.raises(InvalidInputError, match="given holds text"):
        conditional_entropy(a, s, estimator="kl")


def test_matrix_estimators_list_is_what_the_cli_offers():
    assert MATRIX_ESTIMATORS == (
        "auto", "plugin", "miller-madow", "shrinkage", "chao-shen", "gaussian", "ksg", "mixed"
    )
