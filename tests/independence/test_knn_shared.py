"""The learners' kNN tests: shared column preparation, lists sized for the surrogates."""

import numpy as np
import pandas as pd
import pytest

import mistruct.independence._knn as kci
import mistruct.independence._knn_null as knull
import mistruct.independence._numeric_tests as numeric_tests
from mistruct.exceptions import InvalidInputError
from mistruct.independence import ci_tests_by_kind
from mistruct.measures._ties import _standardize


def _table(n=160, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n)
    return pd.DataFrame(
        {
            "a": z + 0.5 * rng.standard_normal(n),
            "b": np.round(np.sin(z) + 0.5 * rng.standard_normal(n), 1),  # ties
            "c": z**2 + rng.standard_normal(n),
            "d": rng.exponential(size=n),
            "e": rng.integers(0, 3, n).astype(str),  # a discrete column
        }
    )


QUERIES = [
    ("a", "b", ()),
    ("b", "a", ("c",)),
    ("a", "c", ("b", "d")),
    ("c", "d", ("a",)),
    ("a", "b", ("e",)),  # a discrete column: the full path
    ("e", "c", ("a",)),
]


def _run(frame, monkeypatch, full_path: bool):
    calls = []
    real = numeric_tests._knn_test

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(numeric_tests, "_knn_test", counted)
    if full_path:
        monkeypatch.setattr(numeric_tests._ReadyColumns, "blocks", lambda self, *q: None)
    results = ci_tests_by_kind(
        frame, QUERIES, method="knn", knn_permutations=49, seed=3, early_reject=True
    )
    monkeypatch.undo()
    return results, len(calls)


def test_prepared_columns_give_the_results_of_the_full_path(monkeypatch):
    frame = _table()
    fast, prepared = _run(frame, monkeypatch, full_path=False)
    slow, none = _run(frame, monkeypatch, full_path=True)
    # Four queries of float columns only go through the prepared blocks; none otherwise.
    assert (prepared, none) == (4, 0)
    for got, expected in zip(fast, slow, strict=True):
        assert got.statistic == expected.statistic
        assert got.pvalue == expected.pvalue
        assert got.n_permutations == expected.n_permutations
        assert got.estimator == expected.estimator


def test_ready_columns_leave_other_columns_to_the_full_path():
    frame = _table(60)
    frame["nan"] = frame["a"].where(frame.index % 7 > 0)
    frame["const"] = 1.5
    frame["int"] = np.arange(60)
    ready = numeric_tests._ReadyColumns(frame)
    blocks = ready.blocks("a", "c", ("b", "d"))
    xb, yb, zb, n = blocks
    expected = kci._blocks(frame["a"], frame["c"], frame[["b", "d"]])
    for got, want in zip((xb, yb, zb, n), expected[:4], strict=True):
        np.testing.assert_array_equal(got, want)  # bit for bit
    for other in ("nan", "const", "int", "e"):
        assert ready.blocks("a", other, ()) is None
        assert ready.blocks("a", "c", (other,)) is None


def test_a_constant_float_column_still_gets_the_tests_error():
    frame = _table(60)
    frame["const"] = 1.5
    with pytest.raises(InvalidInputError):
        ci_tests_by_kind(frame, [("a", "const", ("c",))], method="knn", knn_permutations=19)


def _strongly_dependent(n, seed):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 1))
    x = z + rng.standard_normal((n, 1))
    y = x + 0.02 * rng.standard_normal((n, 1))
    return _standardize(x), _standardize(y), _standardize(z)


@pytest.mark.parametrize("seed", [0, 1])
def test_lists_are_long_enough_for_the_surrogates_of_a_dependent_pair(seed):
    # Y is almost X: the data's neighbourhoods are tiny, the surrogates' wide.  Lists sized
    # on the data sent about a fifth of every surrogate's rows to the brute force; sized on
    # a null-like stand-in, a few percent, and every statistic is still exact.
    n, k = 500, 20
    xs, ys, zs = _strongly_dependent(n, seed)
    kernel = knull._NullStatistic(xs, ys, zs, k)
    kernel.observed()
    rng = np.random.default_rng(seed)
    neighbours = kci.cKDTree(zs).query(zs, k=5, p=np.inf)[1]
    perms = kci.local_permutations(neighbours, 20, rng)
    jitters = 1e-10 * rng.standard_normal((20, n, 1))
    before = kernel.fallback_rows
    values = kernel(perms, jitters)
    assert (kernel.fallback_rows - before) / (20 * n) < 0.05
    for b in (0, 7, 19):
        expected = kci._counts_exact(kernel.surrogate_x(perms[b], jitters[b]), ys, zs, k)[0]
        assert values[b] == pytest.approx(expected, abs=1e-12)
