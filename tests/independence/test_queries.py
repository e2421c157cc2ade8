"""Queries are parsed and checked in one place: pandas and Dask tables give the same answers.

The in-memory path and the Dask path of :func:`mistruct.ci_tests` and
:func:`mistruct.ci_test` read their queries through
``mistruct.independence._queries``; a bad query gets the same error type and
message on both, a good one the same results, and the warnings about a
batch of queries read the same.
"""

import re
import warnings

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

import mistruct
from mistruct.exceptions import (
    ColumnNotFoundError,
    InvalidInputError,
    LowPowerWarning,
    NoEvidenceWarning,
)


@pytest.fixture(autouse=True)
def threads():
    with dask.config.set(scheduler="threads"):
        yield


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, 300)
    return pd.DataFrame({
        "a": a,
        "b": np.where(rng.random(300) < 0.8, a, 1 - a),
        "c": rng.integers(0, 3, 300),
        "d": rng.integers(0, 2, 300),
    })


@pytest.fixture(scope="module")
def lazy(frame):
    return dd.from_pandas(frame, npartitions=2)


def _error(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises((ValueError, TypeError)) as caught:
            call()
    return type(caught.value), str(caught.value)


BAD_BATCHES = {
    "x equals y": ([("a", "a")], InvalidInputError, "x and y are the same column"),
    "x in given": ([("a", "b", ["c", "a"])], InvalidInputError, "Remove it from `given`"),
    "y in given as a scalar": ([("a", "b", "b")], InvalidInputError, "conditioning set"),
    "repeated given": ([("a", "b", ["c", "c"])], InvalidInputError, "repeats a column"),
    "repeated given array": (
        [("a", "b", np.array(["c", "c"]))], InvalidInputError, "repeats a column"
    ),
    "unknown column": ([("a", "zz")], ColumnNotFoundError, "'zz' not found"),
    "unknown given": ([("a", "b", ["c", "zz"])], ColumnNotFoundError, "'zz' not found"),
    "four parts": ([("a", "b", "c", "d")], InvalidInputError, "a query is a tuple"),
    "one part": ([("a",)], InvalidInputError, "a query is a tuple"),
    "a string query": (["ab"], InvalidInputError, "a query is a tuple"),
    "queries a string": ("ab", InvalidInputError, "queries must be a list"),
    "queries a number": (5, InvalidInputError, "queries must be a list"),
    "nested given": ([("a", "b", [["c"]])], InvalidInputError, "is not a column label"),
    "2-D given": ([("a", "b", np.array([["c", "d"]]))], InvalidInputError, "not a column label"),
    "list as x": ([(["a"], "b")], InvalidInputError, "is not a column label"),
    "second query bad": (
        [("a", "b"), ("c", "c")], InvalidInputError, r"query 1 \(\('c', 'c'\)\)"
    ),
}


@pytest.mark.parametrize("name", list(BAD_BATCHES))
def test_bad_batches_fail_alike(frame, lazy, name):
    queries, error, match = BAD_BATCHES[name]
    want = _error(lambda: mistruct.ci_tests(frame, queries, method="g-test"))
    got = _error(lambda: mistruct.ci_tests(lazy, queries, method="g-test"))
    assert want[0] is error
    assert re.search(match, want[1])
    assert got == want


BAD_SINGLE = {
    "x equals y": (("a", "a"), InvalidInputError),
    "x in given": (("a", "b", ["a"]), InvalidInputError),
    "repeated given": (("a", "b", ("c", "c")), InvalidInputError),
    "repeated given series": (("a", "b", pd.Series(["d", "d"])), InvalidInputError),
    "unknown column": (("a", "zz"), ColumnNotFoundError),
    "nested given": (("a", "b", [["c"]]), InvalidInputError),
}


@pytest.mark.parametrize("name", list(BAD_SINGLE))
def test_bad_single_queries_fail_alike(frame, lazy, name):
    args, error = BAD_SINGLE[name]
    want = _error(lambda: mistruct.ci_test(frame, *args, method="g-test"))
    got = _error(lambda: mistruct.ci_test(lazy, *args, method="g-test"))
    assert want[0] is error
    # One query of ci_test: the message names no query number, on either path.
    assert not want[1].startswith("query ")
    assert got == want


def test_bad_correction_fails_alike(frame, lazy):
    want = _error(lambda: mistruct.ci_tests(frame, [("a", "b")], correction="bonferroni"))
    got = _error(lambda: mistruct.ci_tests(lazy, [("a", "b")], correction="bonferroni"))
    assert want[0] is InvalidInputError and "correction='bonferroni'" in want[1]
    assert got == want


GIVEN_FORMS = [
    ["c", "d"],
    ("d", "c"),
    np.array(["c", "d"]),
    pd.Series(["d", "c"]),
    pd.Index(["c", "d"]),
]


@pytest.mark.parametrize("given", GIVEN_FORMS, ids=lambda g: type(g).__name__)
def test_every_form_of_given_gives_the_same_results(frame, lazy, given):
    reference = mistruct.ci_tests(frame, [("a", "b", ["c", "d"])], method="g-test")
    want = mistruct.ci_tests(frame, [("a", "b", given)], method="g-test")
    got = mistruct.ci_tests(lazy, [("a", "b", given)], method="g-test")
    columns = ["statistic", "cmi", "dof", "pvalue", "independent", "method"]
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(want[columns], reference[columns], check_exact=False,
                                  rtol=1e-12)
    assert sorted(map(str, want["given"][0])) == ["c", "d"]
    single = mistruct.ci_test(lazy, "a", "b", given, method="g-test")
    assert single.statistic == pytest.approx(reference["statistic"][0], rel=1e-12)
    assert single.pvalue == pytest.approx(reference["pvalue"][0], rel=1e-12)


def test_good_batches_equal(frame, lazy):
    queries = [("a", "b"), ("b", "a", None), ("a", "c", "b"), ("c", "d", ["a", "b"])]
    want = mistruct.ci_tests(frame, queries, method="permutation", n_permutations=99,
                             seed=2, correction="holm")
    got = mistruct.ci_tests(lazy, queries, method="permutation", n_permutations=99,
                            seed=2, correction="holm")
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12)
    assert want["independent"].tolist()[:2] == [False, False]
    assert want["given"].tolist() == [(), (), ("b",), ("a", "b")]
    empty_want, empty_got = mistruct.ci_tests(frame, []), mistruct.ci_tests(lazy, [])
    pd.testing.assert_frame_equal(empty_got, empty_want)
    assert empty_want.empty and "pvalue" in empty_want.columns


def _messages(call, category):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in caught if w.category is category]


def test_no_evidence_warning_reads_the_same():
    # Given w (a copy of x) no stratum lets x vary: no evidence either way.
    rng = np.random.default_rng(1)
    x = rng.integers(0, 3, 200)
    table = pd.DataFrame({"x": x, "y": rng.integers(0, 2, 200), "w": x * 2})
    lazy = dd.from_pandas(table, npartitions=2)
    queries = [("x", "y"), ("x", "y", "w")]
    want = _messages(lambda: mistruct.ci_tests(table, queries), NoEvidenceWarning)
    got = _messages(lambda: mistruct.ci_tests(lazy, queries), NoEvidenceWarning)
    assert len(want) == 1 and want[0].startswith("1 of 2 queries (first: ('x', 'y', ['w']))")
    assert got == want
    want = _messages(lambda: mistruct.ci_test(table, "x", "y", "w"), NoEvidenceWarning)
    got = _messages(lambda: mistruct.ci_test(lazy, "x", "y", "w"), NoEvidenceWarning)
    assert len(want) == 1 and want[0].startswith("test of 'x' and 'y' given ['w']")
    assert got == want


def test_low_power_warning_reads_the_same():
    # Six columns of 4 levels: 4**5 = 1024 configurations of Z for 100 rows.
    rng = np.random.default_rng(2)
    table = pd.DataFrame(rng.integers(0, 4, (100, 7)), columns=list("abcdefg"))
    lazy = dd.from_pandas(table, npartitions=2)
    queries = [("a", "b"), ("a", "b", ["c", "d", "e", "f", "g"])]
    want = _messages(lambda: mistruct.ci_tests(table, queries, method="g-test"),
                     LowPowerWarning)
    got = _messages(lambda: mistruct.ci_tests(lazy, queries, method="g-test"), LowPowerWarning)
    assert len(want) == 1 and want[0].startswith("1 of 2 queries (first: ('a', 'b', ['c'")
    assert "1,024 possible configurations" in want[0]
    assert got == want
