"""Counts by strata in discrete spaces: exactly the counts of the sorted-list kernel."""

import numpy as np
import pandas as pd
import pytest

import mistruct.independence._knn as kci
import mistruct.independence._knn_null as knull
from mistruct.counting._strata import DiscreteStrata
from mistruct.independence._knn import knn_ci_test, local_permutations
from mistruct.measures import jitter as _jitter


def mixed_frames(n, seed):
    """x, y, z triples with discrete (string) columns in different roles."""
    rng = np.random.default_rng(seed)
    g = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    h = rng.choice(["u", "v"], n)
    rare = np.where(rng.random(n) < 0.02, "rare", g)  # a stratum of fewer than k + 1 rows
    xf = rng.standard_normal(n) + (g == "a")
    yf = rng.standard_normal(n) + (h == "u") * xf
    frame = pd.DataFrame(
        {"x": xf, "y": yf, "g": g, "h": h, "rare": rare, "xr": np.round(xf * 2) / 2}
    )
    return {
        "one string z": ("x", "y", ["g"]),
        "two string z": ("x", "y", ["g", "h"]),
        "rare stratum": ("x", "y", ["rare"]),
        "string x": ("h", "y", ["g"]),
        "string y": ("x", "h", ["g"]),
        "tied x": ("xr", "y", ["g"]),
        "two-column x": (["x", "xr"], "y", ["g"]),
        "no z, string x": ("g", "y", None),
        "no z, string y": ("x", "g", None),
        "no z, rare y": ("x", "rare", None),
    }, frame


def kernels(frame, x, y, z, k, seed=0):
    """The kernel knn_ci_test builds, and the sorted-list kernel on the same noisy data."""

    def pick(cols):
        return None if cols is None else frame[[cols] if isinstance(cols, str) else cols]

    xb, yb, zb, n, floats = kci._blocks(pick(x), pick(y), pick(z))
    rng = np.random.default_rng(seed)
    xs, ys = _jitter(xb, 1e-10, rng), _jitter(yb, 1e-10, rng)
    zs = None if zb is None else _jitter(zb, 1e-10, rng)
    fast, swapped = kci._kernel(xb, yb, zb, xs, ys, zs, k, floats)
    lists = knull._NullStatistic(xs, ys, zs, k, x_continuous=floats["x"])
    return fast, swapped, lists, xs, zs, n


@pytest.mark.parametrize("k", [5, 20])
@pytest.mark.parametrize("case", list(mixed_frames(10, 0)[0]))
def test_strata_give_the_counts_of_the_sorted_lists(case, k):
    cases, frame = mixed_frames(700, seed=k)
    fast, swapped, lists, xs, zs, n = kernels(frame, *cases[case], k)
    rng = np.random.default_rng(1)
    if zs is None:
        perms = rng.permuted(np.broadcast_to(np.arange(n), (12, n)), axis=1)
        jitter = None
    else:
        neighbours = kci.cKDTree(zs).query(zs, k=5, p=np.inf)[1]
        perms = local_permutations(neighbours, 12, rng)
        jitter = 1e-10 * rng.standard_normal((12, *xs.shape))
    expected = np.concatenate([[lists.observed()], lists(perms, jitter)])
    # Without Z a discrete Y trades places with X: the same pairs under the inverse permutation.
    mine = np.argsort(perms, axis=1) if swapped else perms
    got = np.concatenate([[fast.observed()], fast(mine, jitter)])
    if swapped:
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    else:
        np.testing.assert_array_equal(got, expected)
    assert (fast.strata is not None) == (case != "two-column x")
    assert swapped == (case in ("no z, string y", "no z, rare y"))
    if case == "rare stratum" and k == 20:
        assert fast.fallback_rows > 0  # its rows' neighbourhoods cross into other strata


def test_knn_test_on_a_string_z_is_the_list_kernels(monkeypatch):
    cases, frame = mixed_frames(600, seed=3)
    x, y, z = (frame[[c]] for c in ("x", "y", "g"))
    fast = knn_ci_test(x, y, z, k=10, n_permutations=49, seed=2, return_null=True)
    monkeypatch.setattr(kci, "DiscreteStrata", lambda codes, values: None)
    lists = knn_ci_test(x, y, z, k=10, n_permutations=49, seed=2, return_null=True)
    assert fast.statistic == lists.statistic and fast.pvalue == lists.pvalue
    np.testing.assert_array_equal(fast.null_distribution, lists.null_distribution)


def test_strata_bounds_hold_for_every_pair():
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 3, (300, 2)) * 7.0
    values = codes + 1e-10 * rng.standard_normal(codes.shape)
    strata = DiscreteStrata(codes, values)
    dist = np.abs(values[:, None, :] - values[None, :, :]).max(axis=2)
    same = (codes[:, None, :] == codes[None, :, :]).all(axis=2)
    within = np.where(same, dist, 0).max(axis=1)
    assert np.all(within <= strata.diameter[strata.labels])
    assert np.min(dist[~same]) >= strata.gap > 0
    assert strata.sizes_of(np.arange(300)).tolist() == same.sum(axis=1).tolist()


def test_count_within_is_a_strict_count_in_the_stratum():
    rng = np.random.default_rng(6)
    codes = rng.integers(0, 4, (250, 1)) * 9.0
    strata = DiscreteStrata(codes, codes)
    x = np.round(rng.standard_normal((3, 250)), 1)  # ties, and radii equal to differences
    e = np.abs(x - np.roll(x, 1, axis=1)).ravel() + np.repeat([0.0, 0.05, 0.3], 250)
    got = strata.count_within(x, e)
    same = codes[:, None, 0] == codes[None, :, 0]
    for s in range(3):
        diff = np.abs(x[s][None, :] - x[s][:, None])
        expected = ((diff < e[s * 250 : (s + 1) * 250, None]) & same).sum(axis=1)
        np.testing.assert_array_equal(got[s * 250 : (s + 1) * 250], expected)


def test_unique_matches_numpy():
    rng = np.random.default_rng(7)
    for values in (rng.integers(0, 50, 1000), np.array([], dtype=np.intp), np.array([3])):
        np.testing.assert_array_equal(knull._unique(values), np.unique(values))
