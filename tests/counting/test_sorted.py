"""Runs of sorted values and rank counts: exact against brute force."""

import numpy as np
import pytest

import mistruct.independence._knn_null as knull
from mistruct.counting._sorted import RankCounter, run_bounds, sorted_runs
from mistruct.independence._knn import knn_ci_test


@pytest.mark.parametrize("guessed", [False, True])
def test_run_bounds_are_the_strict_float_runs(guessed):
    rng = np.random.default_rng(0)
    # Ties, and radii equal to (or one ulp off) differences: where rounding decides.
    values = np.sort(np.round(rng.standard_normal(400), 2))
    centre = rng.choice(values, 300)
    e = np.abs(centre - rng.choice(values, 300))
    e[::3] = np.nextafter(e[::3], np.inf)
    e[1::3] = np.nextafter(e[1::3], 0)
    start = np.zeros(300, dtype=np.intp)
    guess = None
    if guessed:  # searchsorted of the rounded ends, some shifted on purpose
        guess = (np.searchsorted(values, centre - e), np.searchsorted(values, centre + e))
        guess[0][::7] += 2
        guess[1][::5] -= 3
    low, high = run_bounds(values, start, 400, centre, e, guess)
    for i in range(300):
        inside = np.abs(values - centre[i]) < e[i]
        assert np.flatnonzero(inside).tolist() == list(range(low[i], high[i]))


def test_run_bounds_within_segments():
    rng = np.random.default_rng(1)
    segments = [np.sort(rng.standard_normal(m)) for m in (1, 5, 60)]
    values = np.concatenate(segments)
    start = np.repeat([0, 1, 6], [1, 5, 60])
    length = np.repeat([1, 5, 60], [1, 5, 60])
    e = np.full(66, 0.4)
    low, high = run_bounds(values, start, length, values, e)
    for i in range(66):
        seg = slice(start[i], start[i] + length[i])
        inside = np.flatnonzero(np.abs(values[seg] - values[i]) < 0.4) + start[i]
        assert inside.tolist() == list(range(low[i], high[i]))


@pytest.mark.parametrize(("b", "n"), [(1, 1), (1, 5), (3, 64), (2, 1000), (2, 1024)])
def test_rank_counter_counts_values_below_in_ranges(b, n):
    rng = np.random.default_rng(n)
    sequences = np.stack([rng.permutation(n) for _ in range(b)])
    counter = RankCounter(sequences)
    q = 3000
    which = rng.integers(0, b, q)
    low = rng.integers(0, n + 1, q)
    high = np.maximum(low, rng.integers(0, n + 1, q))
    bound = rng.integers(0, n + 1, q)
    got = counter.count_below(which, low, high, bound)
    queries = zip(which, low, high, bound, strict=True)
    expected = [np.sum(sequences[s, lo:hi] < v) for s, lo, hi, v in queries]
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("has_z", [False, True])
def test_sorted_line_counts_are_the_neighbour_lists(has_z, monkeypatch):
    # One-column X and Z (or X alone): the same null statistics either way.
    rng = np.random.default_rng(2)
    n = 900
    z = rng.standard_normal(n)
    x = np.round(np.sin(z) + 0.5 * rng.standard_normal(n), 1)  # ties
    y = z**2 + 0.5 * rng.standard_normal(n) + 0.3 * x
    args = (x, y, z if has_z else None)
    line = knn_ci_test(*args, k=15, n_permutations=39, seed=4, return_null=True)
    monkeypatch.setattr(knull, "_SORTED_LINE", False)
    lists = knn_ci_test(*args, k=15, n_permutations=39, seed=4, return_null=True)
    assert line.statistic == lists.statistic and line.pvalue == lists.pvalue
    np.testing.assert_array_equal(line.null_distribution, lists.null_distribution)


def test_sorted_runs_on_several_rows():
    rng = np.random.default_rng(3)
    rows = np.sort(np.round(rng.standard_normal((3, 200)), 2), axis=1)
    centre = rows[:, ::4] + 0.001
    e = np.abs(rng.standard_normal(centre.shape)) * 0.3
    low, high = sorted_runs(rows, centre, e)
    for r in range(3):
        for q in range(centre.shape[1]):
            inside = np.flatnonzero(np.abs(rows[r] - centre[r, q]) < e[r, q])
            assert inside.tolist() == list(range(low[r, q], high[r, q]))
