"""The fast kNN tests of PC: two-sided sequential stop, the shared rank null, n_jobs, and
the Gaussian test on integer columns (issue 11, items 4 and 5)."""

import numpy as np
import pandas as pd
import pytest

from mistruct.exceptions import InvalidInputError
from mistruct.independence import gaussian_ci_test, knn_ci_test, two_sided_stop_pvalue
from mistruct.independence._by_kind import ci_tests_by_kind, knn_stopping, rank_pair_tests


def _sequential_pvalues(b, reject_after, h, draws, rng):
    """p-values of the stopping design under an exchangeable null, simulated."""
    out = np.empty(draws)
    for d in range(draws):
        t = rng.integers(0, b + 1)  # surrogates reaching the statistic: uniform under the null
        hits = np.zeros(b, dtype=bool)
        hits[rng.choice(b, size=t, replace=False)] = True
        if not hits[:reject_after].any():
            out[d] = 1.0 / (reject_after + 1)
            continue
        at = np.flatnonzero(hits)
        if len(at) >= h:
            out[d] = min(1.0, h / (at[h - 1] + 1) + 1.0 / (reject_after + 1))
        else:
            out[d] = two_sided_stop_pvalue(len(at), b, reject_after)
    return out


@pytest.mark.parametrize("b", [99, 199])
def test_two_sided_sequential_pvalue_is_valid(b):
    h, reject_after = knn_stopping(0.05, b, True)
    pvalues = _sequential_pvalues(b, reject_after, h, 20_000, np.random.default_rng(b))
    for u in (0.025, 0.03, 0.04, 0.05, 0.1, 0.5):
        rate = np.mean(pvalues <= u)
        assert rate <= u + 3 * np.sqrt(u * (1 - u) / len(pvalues)), (u, rate)
    # Not needlessly conservative at alpha: the early stop alone is alpha / 2.
    assert np.mean(pvalues <= 0.05) > 0.04


def test_stopping_decides_as_running_through_would():
    for b in (99, 199, 500):
        h, reject_after = knn_stopping(0.05, b, True)
        # Every count that rejects is below h, and every count from h on does not.
        assert two_sided_stop_pvalue(h - 1, b, reject_after) <= 0.05
        assert two_sided_stop_pvalue(h, b, reject_after) > 0.05
        assert h / b + 1 / (reject_after + 1) > 0.05


def test_reject_after_stops_a_clear_dependence_early():
    rng = np.random.default_rng(0)
    z = rng.standard_normal(200)
    x = z + 0.5 * rng.standard_normal(200)
    y = x + 0.5 * rng.standard_normal(200)
    result = knn_ci_test(x, y, z, n_permutations=99, seed=0, h=4, reject_after=39)
    assert result.n_permutations == 39 and result.pvalue == pytest.approx(1 / 40)
    # An independent pair stops at its h-th exceedance, with the spent 1/40 added.
    y0 = z + 0.5 * rng.standard_normal(200)
    null = knn_ci_test(x, y0, z, n_permutations=99, seed=0, h=4, reject_after=39)
    assert null.independent and null.n_permutations < 99
    assert null.pvalue == pytest.approx(4 / null.n_permutations + 1 / 40)
    with pytest.raises(InvalidInputError, match="reject_after"):
        knn_ci_test(x, y, z, n_permutations=20, reject_after=20)


def test_rank_pair_tests_share_an_exact_null_calibrated_with_ties():
    # Rounded (tied) independent columns: the shared null stays exact.
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({f"c{i}": np.round(rng.gamma(2.0, 3.0, 120)) for i in range(30)})
    pairs = [(f"c{i}", f"c{j}") for i in range(30) for j in range(i + 1, 30)]
    results = rank_pair_tests(frame, pairs, n_permutations=199, seed=0)
    pvalues = np.array([r.pvalue for r in results])
    assert abs(np.mean(pvalues <= 0.05) - 0.05) < 0.035
    assert 0.4 < np.mean(pvalues) < 0.6  # roughly uniform
    assert all(r.method == "knn-rank-permutation" for r in results)


def test_rank_pair_tests_see_non_monotone_dependence_and_ignore_column_order():
    rng = np.random.default_rng(2)
    x = rng.uniform(-2, 2, 200)
    frame = pd.DataFrame({"x": x, "y": x**2 + 0.3 * rng.standard_normal(200),
                          "w": rng.standard_normal(200)})
    first = rank_pair_tests(frame, [("x", "y"), ("w", "x")], seed=5)
    assert not first[0].independent and first[0].pvalue < 0.01
    reordered = rank_pair_tests(frame[["w", "y", "x"]], [("y", "x"), ("x", "w")], seed=5)
    assert [r.pvalue for r in reordered] == [r.pvalue for r in first]


def test_ci_tests_by_kind_n_jobs_is_bit_identical():
    rng = np.random.default_rng(3)
    n = 150
    a = rng.standard_normal(n)
    frame = pd.DataFrame({"a": a, "b": np.sin(a) + 0.4 * rng.standard_normal(n),
                          "c": rng.standard_normal(n), "d": rng.integers(0, 3, n).astype(str)})
    queries = [("a", "b", ()), ("a", "c", ("b",)), ("b", "c", ("a", "d")), ("a", "d", ("c",))]
    one = ci_tests_by_kind(frame, queries, seed=0, knn_permutations=99, early_reject=True)
    two = ci_tests_by_kind(frame, queries, seed=0, knn_permutations=99, early_reject=True,
                           n_jobs=2)
    assert [(r.statistic, r.pvalue, r.n_permutations) for r in one] == [
        (r.statistic, r.pvalue, r.n_permutations) for r in two
    ]


def test_gaussian_test_takes_integer_columns():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 3, 300)
    b = a + rng.integers(0, 2, 300)
    c = rng.integers(0, 4, 300)
    assert not gaussian_ci_test(a, b).independent
    assert gaussian_ci_test(a, c, b).pvalue > 0.01
    frame = pd.DataFrame({"a": a, "b": b, "c": c})
    result = ci_tests_by_kind(frame, [("a", "b", ("c",))], method="gaussian")[0]
    assert result.method == "gaussian" and not result.independent


def test_gaussian_test_refuses_text_in_plain_words():
    with pytest.raises(InvalidInputError, match="not numeric") as error:
        gaussian_ci_test(np.array(["u", "v"] * 50), np.arange(100.0))
    assert "mistruct." not in str(error.value)


def test_tree_null_matches_the_list_kernel_without_z():
    # Issue 12, 13: above _TREE_ROWS rows an unconditional test uses kd-trees per surrogate
    # (n log n) instead of the neighbour lists (n^1.5); the statistics are the same.
    from mistruct.independence._knn import _NullStatistic, _TreeNull

    rng = np.random.default_rng(0)
    n = 2500
    xs = rng.standard_normal((n, 1))
    ys = xs + rng.standard_normal((n, 1))
    lists, trees = _NullStatistic(xs, ys, None, 20), _TreeNull(xs, ys, 20)
    assert trees.observed() == pytest.approx(lists.observed(), abs=1e-10)
    perms = np.stack([rng.permutation(n) for _ in range(3)])
    np.testing.assert_allclose(trees(perms), lists(perms), atol=1e-10)
    result = knn_ci_test(xs[:, 0], ys[:, 0], n_permutations=19, seed=0)
    assert result.pvalue == pytest.approx(1 / 20)


def test_tree_null_matches_the_list_kernel_with_z():
    from mistruct.independence._knn import _NullStatistic, _TreeNull

    rng = np.random.default_rng(1)
    n = 1500
    zs = rng.standard_normal((n, 1))
    xs = (zs + rng.standard_normal((n, 1))) / np.sqrt(2)
    ys = zs + rng.standard_normal((n, 1))
    lists, trees = _NullStatistic(xs, ys, zs, 10), _TreeNull(xs, ys, 10, zs)
    assert trees.observed() == pytest.approx(lists.observed(), abs=1e-10)
    perms = np.stack([rng.permutation(n) for _ in range(2)])
    jitters = 1e-10 * rng.standard_normal((2, n, 1))
    np.testing.assert_allclose(trees(perms, jitters), lists(perms, jitters), atol=1e-10)


def test_sample_tests_a_seeded_subset_and_large_conditional_tests_warn(monkeypatch):
    import mistruct.independence._knn as knn

    rng = np.random.default_rng(3)
    z = rng.standard_normal(600)
    x = z + rng.standard_normal(600)
    y = z + rng.standard_normal(600)
    sub = knn.knn_ci_test(x, y, z, n_permutations=19, seed=4, sample=200)
    again = knn.knn_ci_test(x, y, z, n_permutations=19, seed=4, sample=200)
    assert sub.n == 200 and sub.statistic == again.statistic and sub.pvalue == again.pvalue
    # The same rows by hand give the same statistic.
    rows = np.sort(np.random.default_rng(4).choice(600, size=200, replace=False))
    by_hand = knn.knn_ci_test(x[rows], y[rows], z[rows], n_permutations=19, seed=4)
    assert by_hand.statistic == pytest.approx(sub.statistic)
    # Past the cost threshold (lowered here) a test with Z warns and names sample=.
    monkeypatch.setattr(knn, "_COSTLY_ROWS", 500)
    with pytest.warns(knn.KNNCostWarning, match="sample=500"):
        knn.knn_ci_test(x, y, z, n_permutations=5, seed=0)
    with pytest.raises(InvalidInputError, match="sample"):
        knn.knn_ci_test(x, y, z, sample=0)


def test_rank_null_is_drawn_once_and_batches_give_the_results_of_one_call(monkeypatch):
    # A learner sends its level-0 pairs in batches: the shared null is reused, and each
    # pair's result is the one it gets in a single call, or with the null drawn afresh.
    import mistruct.independence._by_kind as by_kind

    rng = np.random.default_rng(7)
    n = 240
    x = rng.standard_normal(n)
    frame = pd.DataFrame({"a": x, "b": np.cos(2 * x) + 0.3 * rng.standard_normal(n),
                          "c": np.round(rng.exponential(size=n), 1),
                          "d": x + rng.standard_normal(n)})
    pairs = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("a", "d")]
    monkeypatch.setattr(by_kind, "_RANK_NULLS", {})
    calls = []
    real = by_kind.mi_nats
    monkeypatch.setattr(by_kind, "mi_nats", lambda *a: calls.append(1) or real(*a))
    together = rank_pair_tests(frame, pairs, n_permutations=59, seed=3)
    first = len(calls)
    batches = [r for part in (pairs[:2], pairs[2:]) for r in
               rank_pair_tests(frame, part, n_permutations=59, seed=3)]
    assert len(calls) - first == len(pairs)  # no null statistic drawn again
    monkeypatch.setattr(by_kind, "_RANK_NULLS", {})
    fresh = rank_pair_tests(frame, pairs, n_permutations=59, seed=3)
    for a, b, c in zip(together, batches, fresh, strict=True):
        assert a.pvalue == b.pvalue == c.pvalue and a.statistic == b.statistic == c.statistic
    assert [together[i].independent for i in (0, 1, 4)] == [False, True, False]
