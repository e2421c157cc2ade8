"""'No evidence' is not 'independent' (issue 11 item 1, issue 12 item 4), and kinds at the door.

Reproducers from the issues: mtcars (tests/fixtures/mtcars.csv, from pydataset)
with hp and mpg read as categories, and constant columns.
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mistruct.independence import (
    METHODS,
    LowPowerWarning,
    NoEvidenceWarning,
    ci_test,
    ci_test_from_table,
    ci_tests,
)
from mistruct.independence._core import no_evidence
from mistruct.interop import PgmpyCITest

MTCARS = Path(__file__).parents[1] / "fixtures" / "mtcars.csv"
ALL = ("auto", *METHODS)


@pytest.fixture(scope="module")
def mtcars():
    return pd.read_csv(MTCARS)


@pytest.fixture(scope="module")
def categorical(mtcars):
    """hp and mpg forced discrete (cast to str): nearly one level per car."""
    return mtcars.assign(hp=mtcars["hp"].astype(str), mpg=mtcars["mpg"].astype(str))


def test_no_evidence_is_reported_as_cannot_tell(categorical):
    # Given disp (27 levels in 32 rows), mpg or hp is unique within every stratum.
    for method in ALL:
        with pytest.warns(NoEvidenceWarning, match=r"'mpg' and 'hp'.*cannot tell"):
            result = ci_test(
                categorical, "mpg", "hp", given="disp", method=method, seed=0, discrete=["disp"]
            )
        assert result.independent is None and result.no_evidence, method
        assert result.n_informative_strata == 0 and "no evidence" in result.note
        assert no_evidence(result)
        if method not in ("g-test", "g-test-adjusted"):
            assert result.pvalue == 1.0 and result.n_permutations == 0


def test_sparse_marginal_test_is_not_asymptotic(categorical):
    """``citest mtcars.csv mpg hp`` with both read as categories (25 x 22 levels, 32 rows)."""
    asymptotic = ci_test(categorical, "mpg", "hp", method="g-test")
    # The chi-squared law with 504 degrees of freedom prints p = 1: it says so.
    assert asymptotic.pvalue == 1.0 and "doubtful" in asymptotic.note
    auto = ci_test(categorical, "mpg", "hp", seed=0)
    assert auto.method == "sequential" and auto.note.startswith("auto: exact")
    assert auto.pvalue < 1.0 and not auto.no_evidence


def test_integer_measurements_are_continuous_by_default(mtcars):
    """hp (22 integer levels in 32 rows) is a measurement: "auto" runs the kNN test."""
    result = ci_test(mtcars, "mpg", "hp", seed=0)
    assert result.method == "knn"
    assert result.independent is False and result.pvalue <= 0.01
    # Forced discrete, it is a category again.
    forced = ci_test(mtcars, "cyl", "hp", seed=0, discrete=["hp"])
    assert forced.method in ("sequential", "g-test-adjusted")
    # Forced continuous, an integer code goes to the kNN test.
    knn = ci_test(mtcars, "mpg", "cyl", seed=0, continuous=["cyl"])
    assert knn.method == "knn"


def test_constant_column_is_independent_with_certainty():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"a": rng.integers(0, 2, 200), "b": rng.integers(0, 3, 200), "const": np.ones(200, int)}
    )
    for method in ALL:
        for given in ([], ["b"]):
            with warnings.catch_warnings():
                warnings.simplefilter("error", NoEvidenceWarning)
                result = ci_test(frame, "a", "const", given, method=method, seed=0)
            assert result.independent is True and not result.no_evidence, method
            assert result.pvalue == 1.0 and result.dof == 0 and "constant" in result.note
    one_row = pd.DataFrame({"a": [1], "b": [2]})
    single = ci_test(one_row, "a", "b")
    assert single.independent is True and not single.no_evidence


def test_to_dict_and_json_carry_the_third_state(categorical):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowPowerWarning)
        result = ci_test(categorical, "mpg", "hp", "disp", seed=0, discrete=["disp"])
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["independent"] is None and payload["no_evidence"] is True
    assert payload["note"].startswith("no evidence")
    plain = ci_test_from_table([[10, 2], [3, 9]]).to_dict()
    assert plain["no_evidence"] is False and plain["independent"] is False


def test_ci_tests_warns_once_and_marks_rows(categorical):
    queries = [("mpg", "hp", ["disp"]), ("cyl", "am"), ("hp", "cyl", ["mpg"])]
    with pytest.warns(NoEvidenceWarning, match="2 of 3 queries") as record:
        out = ci_tests(categorical, queries, seed=0, discrete=["disp"])
    assert sum(issubclass(w.category, NoEvidenceWarning) for w in record) == 1
    assert out["no_evidence"].tolist() == [True, False, True]
    assert out["independent"].tolist()[0] is None and out["independent"].tolist()[2] is None
    assert isinstance(out["independent"].tolist()[1], bool)


def test_pgmpy_adapter_constant_and_no_evidence():
    """Issue 12 item 4: a constant column is independent; no evidence keeps the edge."""
    rng = np.random.default_rng(1)
    a = rng.integers(0, 2, 300)
    frame = pd.DataFrame({"a": a, "b": rng.integers(0, 2, 300), "copy": a, "const": 1})
    for method in ALL:
        test = PgmpyCITest(frame, ci_test=method, seed=0, n_permutations=99)
        assert test("a", "const", [], significance_level=0.05) is True
        assert test.p_value_ == 1.0 and test.result_.independent is True
        assert test("const", "b", ["a"], significance_level=0.05) is True
        # Given its copy, a cannot vary: no evidence, reported as dependent to pgmpy
        # with the p-value that was computed (1), never an invented one.
        assert test("a", "b", ["copy"], significance_level=0.05) is False
        with pytest.warns(NoEvidenceWarning):
            computed = ci_test(
                frame, "a", "b", ["copy"], method=method, seed=0, n_permutations=99
            )
        assert test.p_value_ == computed.pvalue
        assert test.result_.no_evidence and test.result_.independent is None
