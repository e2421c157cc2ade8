"""Batched stratified counts (mistruct.counting.StrataCounter) against the per-query path."""

import itertools

import numpy as np
import pandas as pd
import pytest

import mistruct.counting._batched as batched_module
from mistruct.counting import BatchedStrata, StrataCounter, batched_strata
from mistruct.data import encode
from mistruct.exceptions import InvalidInputError
from mistruct.independence import ci_tests_encoded


def _table(seed=0, n=600):
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 3, n)
    w = rng.integers(0, 4, n)
    x = (z + rng.integers(0, 2, n)) % 3
    y = (x + w + (rng.random(n) < 0.3)) % 4
    v = rng.integers(0, 2, n)
    rare = np.where(rng.random(n) < 0.02, 2, rng.integers(0, 2, n))  # a thin level
    frame = pd.DataFrame({"x": x, "y": y, "z": z, "w": w, "v": v, "rare": rare})
    return encode(frame)


def _queries(p, max_size=3):
    out = []
    for x, y in itertools.combinations(range(p), 2):
        rest = [k for k in range(p) if k not in (x, y)]
        for size in range(max_size + 1):
            out.extend((x, y, given) for given in itertools.combinations(rest, size))
    return out


@pytest.mark.parametrize("method", ["g-test", "g-test-adjusted"])
def test_batched_counts_equal_the_per_query_tests(method):
    table = _table()
    queries = _queries(table.n_columns)
    counted = batched_strata(table.codes, table.cardinalities, queries)
    reference = ci_tests_encoded(table, queries, method=method, seed=0)
    dof = counted.dof if method == "g-test" else counted.dof_adjusted
    for q, result in enumerate(reference):
        assert np.isclose(max(counted.statistic[q], 0.0), result.statistic, rtol=1e-12, atol=1e-9)
        assert dof[q] == result.dof
        assert counted.n_strata[q] == result.n_strata
        assert counted.n_informative[q] == result.n_informative_strata
    assert counted.n == table.n_rows


def test_analytic_values():
    # x = y, balanced binary: G = 2 N ln 2 with 1 degree of freedom; z independent of both.
    codes = np.array([[0, 0, 0], [1, 1, 0], [0, 0, 1], [1, 1, 1]] * 25)
    out = batched_strata(codes, [2, 2, 2], [(0, 1, ()), (0, 1, (2,)), (0, 2, ()), (0, 2, (1,))])
    assert isinstance(out, BatchedStrata)
    assert out.statistic[0] == pytest.approx(2 * 100 * np.log(2), rel=1e-14)
    assert out.statistic[1] == pytest.approx(2 * 100 * np.log(2), rel=1e-14)
    assert abs(out.statistic[2]) < 1e-9
    assert out.dof.tolist() == [1, 2, 1, 2]
    assert out.n_strata.tolist() == [1, 2, 1, 2]
    # Given y (= x), x is fixed in each stratum: nothing live, no informative stratum.
    assert out.n_informative[3] == 0 and out.dof_adjusted[3] == 0
    # Williams' excess of a balanced 2 x 2 stratum of m rows: (m 2/(m/2) - 1)^2 / (6 m).
    assert out.excess[0] == pytest.approx(9 / 600, rel=1e-14)


def test_unused_levels_and_wide_sets():
    # Levels declared but never seen count nowhere; a set whose product of
    # cardinalities overflows int64 is folded to its observed strata.
    rng = np.random.default_rng(3)
    n, p = 400, 16
    codes = rng.integers(0, 5, size=(n, p))
    cards = [1000] * p
    given = tuple(range(2, p))
    out = batched_strata(codes, cards, [(0, 1, given), (0, 1, ())])
    assert out.n_strata[0] == len(np.unique(codes[:, 2:], axis=0))
    assert out.levels_x.tolist() == [5, 5] and out.levels_y.tolist() == [5, 5]
    assert out.dof[1] == 16


def test_n_jobs_gives_the_same_bits(monkeypatch):
    monkeypatch.setattr(batched_module, "MIN_PARALLEL_QUERIES", 1)  # threads on every batch
    table = _table(seed=5, n=900)
    queries = _queries(table.n_columns)
    counter = StrataCounter(table.codes, table.cardinalities)
    one = counter.count(queries, n_jobs=1)
    for n_jobs in (2, 3, 8):
        other = counter.count(queries, n_jobs=n_jobs)
        for field in ("statistic", "excess", "dof", "dof_adjusted", "n_strata", "n_informative"):
            assert np.array_equal(getattr(one, field), getattr(other, field))


def test_order_of_queries_does_not_matter():
    table = _table(seed=2)
    queries = _queries(table.n_columns, max_size=2)
    counter = StrataCounter(table.codes, table.cardinalities)
    forward = counter.count(queries)
    order = np.random.default_rng(0).permutation(len(queries))
    backward = counter.count([queries[q] for q in order])
    assert np.array_equal(forward.statistic[order], backward.statistic)
    assert np.array_equal(forward.dof_adjusted[order], backward.dof_adjusted)


def test_empty_batch_and_bad_input():
    counter = StrataCounter(np.zeros((5, 2), dtype=np.int8), [1, 1])
    assert counter.count([]).statistic.shape == (0,)
    with pytest.raises(InvalidInputError, match="2-D integer"):
        StrataCounter(np.zeros((5, 2)), [1, 1])
    with pytest.raises(InvalidInputError, match="one number per column"):
        StrataCounter(np.zeros((5, 2), dtype=np.int8), [1, 1, 1])
