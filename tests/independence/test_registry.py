"""The CI-test registry: every registered test passes one common suite; custom tests plug in."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mistruct.exceptions import ContinuousDataError, InvalidInputError
from mistruct.independence import (
    CI_TESTS,
    CITest,
    CITestResult,
    ci_test,
    ci_test_from_table,
    ci_tests,
    ci_tests_by_kind,
    fixed_pvalue,
    g_dof,
    g_dof_adjusted,
    g_dof_from_counts,
    g_pvalue,
    g_statistic,
    get_ci_test,
    register_ci_test,
    sequential_pvalue,
    unregister_ci_test,
)
from mistruct.interop import PgmpyCITest

BUILT_IN = ("auto", "g-test", "g-test-adjusted", "permutation", "sequential", "knn", "gaussian")
ALPHA = 0.05


def _null_frame(kind: str, n: int, pairs: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    columns = {}
    for i in range(pairs):
        for side in "ab":
            if kind == "discrete":
                columns[f"{side}{i}"] = rng.integers(0, 3, n)
            else:
                columns[f"{side}{i}"] = rng.standard_normal(n)
    columns["c"] = rng.integers(0, 2, n) if kind == "discrete" else rng.standard_normal(n)
    return pd.DataFrame(columns)


def _kind_of(name: str) -> str:
    return "continuous" if "continuous" in CI_TESTS[name].kinds else "discrete"


def _options(name: str) -> dict:
    # Small resampling budgets keep the suite quick; the null law is exact for any B.
    return {"n_permutations": 99} if name in ("permutation", "sequential", "knn", "auto") else {}


def test_the_built_in_tests_are_registered():
    assert set(BUILT_IN) <= set(CI_TESTS)
    assert CI_TESTS["g-test"].kinds == {"discrete"}
    assert CI_TESTS["knn"].kinds == {"discrete", "continuous"}
    assert get_ci_test("sequential") is CI_TESTS["sequential"]
    with pytest.raises(InvalidInputError, match="not a test.*'g-test'"):
        get_ci_test("g-tset")
    with pytest.raises(TypeError):
        CI_TESTS["mine"] = CI_TESTS["g-test"]  # read-only view


@pytest.mark.parametrize("name", BUILT_IN)
def test_returns_a_result_with_a_pvalue_in_the_unit_interval(name):
    frame = _null_frame(_kind_of(name), 120, 2, seed=1)
    result = ci_test(frame, "a0", "b0", ["c"], method=name, seed=0, **_options(name))
    assert isinstance(result, CITestResult)
    assert 0.0 < result.pvalue <= 1.0
    assert result.independent == (result.pvalue > ALPHA)


@pytest.mark.parametrize("name", [n for n in BUILT_IN if len(CI_TESTS[n].kinds) == 1])
def test_refuses_the_column_kinds_it_does_not_declare(name):
    frame = _null_frame("discrete", 100, 1, seed=2).assign(f=np.linspace(0.0, 1.0, 100))
    # A discrete-only test refuses a float column, naming it, before any work.
    with pytest.raises((InvalidInputError, ContinuousDataError), match="'f'"):
        ci_test(frame, "a0", "f", method=name)
    with pytest.raises((InvalidInputError, ContinuousDataError), match="'f'"):
        ci_tests(frame, [("a0", "b0"), ("a0", "b0", "f")], method=name)


@pytest.mark.parametrize("name", BUILT_IN)
def test_calibrated_on_a_true_null(name):
    # 150 independent pairs (disjoint columns), each tested given an unrelated column c.
    pairs = 150
    frame = _null_frame(_kind_of(name), 150, pairs, seed=3)
    queries = [(f"a{i}", f"b{i}", ["c"]) for i in range(pairs)]
    out = ci_tests(frame, queries, method=name, alpha=ALPHA, seed=5, **_options(name))
    rate = float((out["pvalue"] <= ALPHA).mean())
    # Within 3 Monte-Carlo standard errors of the nominal level (conservative tests pass).
    assert rate <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / pairs)
    assert (out["pvalue"] > 0).all() and (out["pvalue"] <= 1).all()


@pytest.mark.parametrize("name", BUILT_IN)
def test_detects_a_strong_dependence(name):
    rng = np.random.default_rng(4)
    n = 200
    if _kind_of(name) == "discrete":
        x = rng.integers(0, 3, n)
        y = np.where(rng.random(n) < 0.8, x, rng.integers(0, 3, n))
        c = rng.integers(0, 2, n)
    else:
        x = rng.standard_normal(n)
        y = x + 0.3 * rng.standard_normal(n)
        c = rng.standard_normal(n)
    frame = pd.DataFrame({"x": x, "y": y, "c": c})
    result = ci_test(frame, "x", "y", ["c"], method=name, seed=0, **_options(name))
    assert result.pvalue <= 0.01 and result.independent is False


@pytest.mark.parametrize("name", BUILT_IN)
def test_the_same_through_ci_tests_and_the_learners_kernel(name):
    frame = _null_frame(_kind_of(name), 100, 2, seed=6)
    one = ci_test(frame, "a0", "b1", ["c"], method=name, seed=3, **_options(name))
    many = ci_tests(frame, [("b1", "a0", ["c"])], method=name, seed=3, **_options(name))
    assert many["pvalue"].iloc[0] == one.pvalue
    assert many["method"].iloc[0] == one.method
    # The learners' kernel runs the same test (its streams are keyed by column ranks).
    kernel = ci_tests_by_kind(
        frame.astype(float) if _kind_of(name) == "continuous" else frame,
        [("a0", "b1", ("c",))],
        method=name,
        n_permutations=99,
        knn_permutations=99,
        seed=3,
        early_stop=False,
    )[0]
    assert kernel.method == one.method
    assert 0.0 < kernel.pvalue <= 1.0


# ---------------------------------------------------------------- custom tests


def _spearman(frame, queries, context):
    """A toy continuous test: Spearman correlation of the residual ranks (ignores Z)."""
    out = []
    for query in queries:
        x, y, given, _ = context.orient(*query)
        rho, pvalue = stats.spearmanr(frame[x], frame[y])
        pvalue = float(min(max(pvalue, 1e-300), 1.0))
        out.append(
            CITestResult(
                statistic=float(rho),
                pvalue=pvalue,
                dof=None,
                cmi=0.0,
                method="spearman",
                alpha=context.alpha,
                independent=pvalue > context.alpha,
                n=len(frame),
            )
        )
    return out


@pytest.fixture
def spearman():
    test = register_ci_test("spearman", _spearman, kinds={"continuous"}, summary="toy")
    yield test
    unregister_ci_test("spearman")
    assert "spearman" not in CI_TESTS


def test_a_registered_test_is_used_by_name_everywhere(spearman):
    assert isinstance(spearman, CITest) and CI_TESTS["spearman"] is spearman
    rng = np.random.default_rng(7)
    x = rng.standard_normal(200)
    frame = pd.DataFrame({"x": x, "y": x**3 + 0.5 * rng.standard_normal(200),
                          "z": rng.standard_normal(200), "d": rng.integers(0, 3, 200)})
    expected = stats.spearmanr(frame["x"], frame["y"]).pvalue
    result = ci_test(frame, "x", "y", method="spearman")
    assert result.method == "spearman" and result.pvalue == pytest.approx(expected)
    out = ci_tests(frame, [("x", "y"), ("x", "z")], method="spearman")
    assert out["method"].tolist() == ["spearman", "spearman"]
    assert out["independent"].tolist() == [False, True]
    # The pgmpy adapter takes it by name, and as the test object.
    adapter = PgmpyCITest(frame[["x", "y", "z"]], ci_test="spearman")
    assert adapter("x", "y", [], significance_level=0.05) is False
    assert adapter.p_value_ == pytest.approx(expected)
    assert PgmpyCITest(frame[["x", "y", "z"]], ci_test=spearman)("x", "z") is True
    # It declares continuous columns only: a discrete column is refused before any work.
    with pytest.raises(InvalidInputError, match="'d'.*discrete"):
        ci_test(frame, "x", "d", method="spearman")


def test_registration_is_checked():
    with pytest.raises(InvalidInputError, match="registered already"):
        register_ci_test("g-test", _spearman, kinds={"continuous"})
    with pytest.raises(InvalidInputError, match="kinds"):
        register_ci_test("bad", _spearman, kinds={"ordinal"})
    with pytest.raises(InvalidInputError, match="built-in"):
        unregister_ci_test("g-test")
    assert "bad" not in CI_TESTS


def test_decorator_registration(request):
    @register_ci_test("always-dependent", kinds={"discrete", "continuous"})
    def run(frame, queries, context):
        return [
            CITestResult(statistic=1.0, pvalue=1e-6, dof=None, cmi=0.0,
                         method="always-dependent", alpha=context.alpha, independent=False)
            for _ in queries
        ]

    request.addfinalizer(lambda: unregister_ci_test("always-dependent"))
    frame = _null_frame("discrete", 50, 1, seed=8)
    assert ci_test(frame, "a0", "b0", method="always-dependent").pvalue == 1e-6


# ---------------------------------------------------------------- the shared statistical core


def test_g_functions_match_scipy_and_the_tests():
    statistic = np.array([0.0, 0.5, 3.0, 12.0, -1e-15])
    dof = np.array([0, 1, 2, 4, 3])
    expected = np.where(dof > 0, stats.chi2.sf(statistic, np.maximum(dof, 1)), 1.0)
    assert np.array_equal(g_pvalue(statistic, dof), expected)
    assert g_pvalue(5.0, 0) == 1.0 and isinstance(g_pvalue(5.0, 2), float)
    assert g_statistic(0.25, 10) == 5.0
    assert g_dof(3, 4, 5) == 30 and g_dof(1, 4, 5) == 0
    assert g_dof_adjusted([2, 3, 1], [2, 2, 5]) == 3
    counts = np.array([[[4, 0, 1], [0, 3, 0]], [[2, 2, 0], [0, 0, 0]]])
    assert g_dof_from_counts(counts) == 1 * 2 * 2
    assert g_dof_from_counts(counts, adjusted=True) == 2 + 0
    # ci_test_from_table reports the same numbers.
    table = np.moveaxis(counts, 0, -1)
    for method, adjusted in (("g-test", False), ("g-test-adjusted", True)):
        result = ci_test_from_table(table, method=method)
        assert result.dof == g_dof_from_counts(counts, adjusted=adjusted)
        assert result.pvalue == g_pvalue(result.statistic, result.dof)


def test_resampling_pvalues():
    assert fixed_pvalue(0, 999) == 0.001
    assert np.allclose(fixed_pvalue(np.array([0, 9]), 99), [0.01, 0.1])
    assert sequential_pvalue(20, 80, 20) == 0.25
    assert sequential_pvalue(2, 999, 20) == 3 / 1000
