"""The kNN local-permutation CI test and the Gaussian partial-correlation test."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import mistruct.independence._knn as kci
import mistruct.independence._knn_null as knull
from mistruct.exceptions import InvalidInputError, MissingValuesError
from mistruct.independence import gaussian_ci_test, knn_ci_test
from mistruct.independence._knn import local_permutations
from mistruct.measures import mutual_information
from mistruct.measures._ties import _standardize


def null_data(n, seed, dz=3):
    """X and Y are nonlinear functions of a dz-dimensional Z plus independent noise."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, dz))
    x = np.sin(z[:, 0]) + z[:, 1] + 0.7 * rng.standard_normal(n)
    y = z[:, 1] * z[:, -1] + 0.5 * z[:, 0] + 0.7 * rng.standard_normal(n)
    return x, y, z


# ------------------------------------------------------------------ the null statistic


@pytest.mark.parametrize(
    ("n", "dz", "dx", "k"),
    [
        (300, 3, 1, 10),
        (400, 3, 1, 40),
        (300, 2, 2, 5),
        (250, 0, 1, 8),
        (250, 0, 2, 3),
        (350, 1, 1, 10),  # one-column X and Z: counts on sorted values (no Z lists)
        (320, 1, 2, 6),
    ],
)
@pytest.mark.parametrize("mode", ["dense", "ladder", "short"])
def test_null_statistic_is_the_estimator_on_permuted_data(n, dz, dx, k, mode, monkeypatch):
    """Neighbour lists, width growth and the brute-force fallback change nothing."""
    if mode != "dense":  # per-row widths that grow, as on more than _DENSE_ROWS rows
        monkeypatch.setattr(knull, "_DENSE_ROWS", 0)
    if mode == "short":  # lists of a few neighbours: many rows go through the fallback
        monkeypatch.setattr(knull, "_MAX_LIST_ENTRIES", n * (k + 3))
    rng = np.random.default_rng(n + dz + dx + k)
    z = rng.standard_normal((n, max(dz, 1)))
    x = z[:, :1] + rng.standard_normal((n, dx))
    y = z[:, -1:] ** 2 + rng.standard_normal((n, 1))
    xs, ys = _standardize(x), _standardize(y)
    zs = _standardize(z) if dz else None
    observed, need_yz, need_other = kci._counts_exact(xs, ys, zs, k)
    kernel = knull._NullStatistic(xs, ys, zs, k, need_yz, need_other)
    perms = [np.arange(n), rng.permutation(n), rng.permutation(n)]
    if dz:  # local permutations repeat some rows' X: rescaled, with fresh tie noise
        neighbours = kci.cKDTree(z).query(z, k=5)[1]
        perms[2] = local_permutations(neighbours, 1, rng)[0]
        jitters = [None, None, 1e-10 * rng.standard_normal((n, dx))]
    else:
        jitters = [None, None, None]
    values = [kernel.one(perm, jitter) for perm, jitter in zip(perms, jitters, strict=True)]
    if dz == 0:
        assert values[0] == pytest.approx(observed, abs=1e-12)
    for perm, jitter, value in zip(perms, jitters, values, strict=True):
        expected = kci._counts_exact(kernel.surrogate_x(perm, jitter), ys, zs, k)[0]
        assert value == pytest.approx(expected, abs=1e-12)
    # A batch of surrogates gives what each gives alone.
    batch = np.stack(perms if dz == 0 else [perms[2]] * 3)
    batch[1] = rng.permutation(n) if dz == 0 else batch[1]
    noise = None if dz == 0 else 1e-10 * rng.standard_normal((3, n, dx))
    together = kernel(batch, noise)
    for i in range(3):
        alone = kernel.one(batch[i], None if noise is None else noise[i])
        assert together[i] == pytest.approx(alone, abs=1e-12)
    if mode == "short":
        assert kernel.fallback_rows > 0


def test_observed_statistic_is_frenzel_pompe():
    x, y, z = null_data(400, seed=1)
    result = knn_ci_test(x, y, z, k=7, n_permutations=19, seed=5)
    cmi = mutual_information(x, y, z, k=7, seed=5, estimator="ksg")
    assert result.cmi == pytest.approx(cmi, abs=1e-12)
    assert result.statistic == pytest.approx(2 * 400 * cmi * np.log(2), rel=1e-12)


# ------------------------------------------------------------------ local permutations


def test_local_permutations_stay_among_neighbours_and_avoid_repeats():
    rng = np.random.default_rng(2)
    z = rng.standard_normal((500, 3))
    neighbours = kci.cKDTree(z).query(z, k=5, p=np.inf)[1]
    perms = local_permutations(neighbours, 50, rng)
    assert perms.shape == (50, 500)
    allowed = (perms[:, :, None] == neighbours[None]).any(axis=2)
    assert allowed.all()
    # Drawn without replacement where possible: few rows give their X twice.
    repeats = [500 - len(np.unique(p)) for p in perms]
    assert np.mean(repeats) < 0.1 * 500
    # Different surrogates differ.
    assert len({p.tobytes() for p in perms}) == 50


def test_local_permutations_within_cliques_are_permutations():
    # Rows in groups of 4 whose neighbours are exactly their group: always a permutation.
    groups = np.arange(40).reshape(10, 4)
    neighbours = np.repeat(groups, 4, axis=0)
    perms = local_permutations(neighbours, 30, np.random.default_rng(3))
    for p in perms:
        assert sorted(p) == list(range(40))
        assert np.all(p // 4 == np.arange(40) // 4)


# ------------------------------------------------------------------ the test


def test_detects_dependence_and_accepts_independence():
    x, y, z = null_data(400, seed=4)
    accept = knn_ci_test(x, y, z, n_permutations=99, seed=1)
    assert accept.independent and accept.pvalue > 0.05
    reject = knn_ci_test(x, y + 0.8 * x, z, n_permutations=99, seed=1)
    assert not reject.independent
    assert reject.pvalue == pytest.approx(1 / 100)  # the smallest possible: never 0


def test_calibrated_under_the_null_with_three_dimensional_z():
    # With B = 19 surrogates, p <= 0.05 means "the observed statistic is the largest of
    # 20", which has probability 0.05 under exchangeability.  Over 100 replicates the
    # rejection count is then Binomial(100, 0.05): P(X >= 11) = 0.011.  The larger
    # calibration run (n = 500, B = 200, 200 replicates) is in benchmarks/bench_continuous.py.
    pvalues = np.array(
        [
            knn_ci_test(*null_data(150, seed=100 + r), k=10, n_permutations=19, seed=r).pvalue
            for r in range(100)
        ]
    )
    assert np.count_nonzero(pvalues <= 0.05) < 11
    # ... and the p-values are not piled up at 1 either (not grossly conservative).
    assert 0.35 < np.mean(pvalues) < 0.7


def test_unconditional_test_permutes_globally():
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((2, 300))
    for z in (None, np.empty((300, 0))):
        result = knn_ci_test(x, y, z, n_permutations=49, seed=0, return_null=True)
        assert result.estimator == "ksg"
        assert result.independent
        assert len(result.null_distribution) == 49
    dependent = knn_ci_test(x, x + rng.standard_normal(300), n_permutations=49, seed=0)
    assert dependent.pvalue == pytest.approx(1 / 50)


def test_result_fields():
    x, y, z = null_data(200, seed=7)
    result = knn_ci_test(x, y, z, k=0.05, n_permutations=29, seed=3, alpha=0.1, return_null=True)
    assert result.method == "knn" and result.estimator == "frenzel-pompe"
    assert result.dof is None and result.n == 200 and result.n_permutations == 29
    assert result.alpha == 0.1 and result.independent == (result.pvalue > 0.1)
    null = result.null_distribution
    assert null.shape == (29,)
    assert result.pvalue == pytest.approx((1 + np.sum(null >= result.statistic)) / 30)
    assert knn_ci_test(x, y, z, n_permutations=29, seed=3).null_distribution is None
    with pytest.raises(TypeError, match="truth value"):
        bool(result)


def test_reproducible_and_independent_of_workers():
    x, y, z = null_data(300, seed=8)
    a = knn_ci_test(x, y, z, n_permutations=40, seed=11, return_null=True)
    b = knn_ci_test(x, y, z, n_permutations=40, seed=11, return_null=True, n_jobs=2)
    np.testing.assert_array_equal(a.null_distribution, b.null_distribution)
    assert a.pvalue == b.pvalue
    c = knn_ci_test(x, y, z, n_permutations=40, seed=12)
    assert c.statistic == pytest.approx(a.statistic, rel=1e-6)  # only the tie noise differs


def test_threads_share_the_kernel_safely():
    # Many small batches on two threads while the first one resets the starting widths
    # (dependent data: the surrogates' widths differ from the data's).
    x, y, z = null_data(1500, seed=9)
    y = y + 2 * x
    kwargs = dict(k=150, n_permutations=24, seed=3, return_null=True)
    a = knn_ci_test(x, y, z, **kwargs)
    for _ in range(3):
        b = knn_ci_test(x, y, z, n_jobs=2, **kwargs)
        np.testing.assert_array_equal(a.null_distribution, b.null_distribution)


def test_dataframe_inputs_and_inputs_not_modified():
    x, y, z = null_data(150, seed=9, dz=2)
    frame = pd.DataFrame({"x": x, "y": y, "z1": z[:, 0], "z2": z[:, 1]})
    before = frame.copy()
    result = knn_ci_test(frame["x"], frame["y"], frame[["z1", "z2"]], n_permutations=19, seed=0)
    assert 0 < result.pvalue <= 1
    pd.testing.assert_frame_equal(frame, before)


def test_knn_validation_errors():
    x, y, z = null_data(50, seed=10)
    with pytest.raises(InvalidInputError, match="k=50 needs more than 50 rows"):
        knn_ci_test(x, y, z, k=50)
    assert knn_ci_test(x, y, z, n_permutations=9, seed=0).n == 50  # default k: 50 // 5
    with pytest.raises(InvalidInputError, match="fraction"):
        knn_ci_test(x, y, z, k=1.5)
    with pytest.raises(InvalidInputError, match="shuffle_neighbours"):
        knn_ci_test(x, y, z, shuffle_neighbours=0)
    with pytest.raises(InvalidInputError, match="n_permutations"):
        knn_ci_test(x, y, z, n_permutations=0)
    with pytest.raises(InvalidInputError, match="alpha"):
        knn_ci_test(x, y, z, alpha=1.5)
    with pytest.raises(InvalidInputError, match="n_jobs"):
        knn_ci_test(x, y, z, n_jobs=0)
    with pytest.raises(InvalidInputError, match="different numbers of rows"):
        knn_ci_test(x, y[:40], z)
    bad = z.copy()
    bad[0, 2] = np.nan
    with pytest.raises(MissingValuesError, match="column 2 of z"):
        knn_ci_test(x, y, bad)
    # Exact ties without the tie noise: k-th neighbour distances of 0.
    tied = np.repeat([0.0, 1.0], 25)
    with pytest.raises(InvalidInputError, match="noise > 0"):
        knn_ci_test(tied, tied, tied, noise=0, n_permutations=9)
    assert knn_ci_test(tied, tied, tied, n_permutations=9, seed=0).pvalue > 0


# ------------------------------------------------------------------ Gaussian test


def test_gaussian_test_matches_partial_correlation():
    rng = np.random.default_rng(13)
    z = rng.standard_normal((400, 2))
    x = z @ [1.0, -0.5] + rng.standard_normal(400)
    y = z @ [0.3, 0.8] + 0.2 * x + rng.standard_normal(400)
    precision = np.linalg.inv(np.cov(np.column_stack([x, y, z]), rowvar=False))
    r = -precision[0, 1] / np.sqrt(precision[0, 0] * precision[1, 1])
    fisher = np.sqrt(400 - 2 - 3) * np.arctanh(r)
    result = gaussian_ci_test(x, y, z)
    assert result.pvalue == pytest.approx(2 * stats.norm.sf(abs(fisher)), rel=1e-9)
    assert result.statistic == pytest.approx(-400 * np.log(1 - r**2), rel=1e-9)
    assert result.method == "gaussian" and result.dof is None
    assert not result.independent
    # Unconditional: Pearson's r with Fisher's z.
    r0 = np.corrcoef(x, y)[0, 1]
    expected = 2 * stats.norm.sf(abs(np.sqrt(397) * np.arctanh(r0)))
    assert gaussian_ci_test(x, y).pvalue == pytest.approx(expected, rel=1e-9)


def test_gaussian_test_is_calibrated():
    pvalues = []
    for r in range(300):
        rng = np.random.default_rng(r)
        z = rng.standard_normal((60, 2))
        pvalues.append(
            gaussian_ci_test(
                z[:, 0] + rng.standard_normal(60), z.sum(axis=1) + rng.standard_normal(60), z
            ).pvalue
        )
    assert stats.kstest(pvalues, "uniform").pvalue > 0.01


def test_gaussian_validation_errors():
    rng = np.random.default_rng(14)
    x, y = rng.standard_normal((2, 30))
    z = rng.standard_normal((30, 2))
    with pytest.raises(InvalidInputError, match="one column for x"):
        gaussian_ci_test(np.column_stack([x, y]), y)
    with pytest.raises(InvalidInputError, match="n - |Z| - 3"):
        gaussian_ci_test(x[:5], y[:5], z[:5, :])
    with pytest.raises(InvalidInputError, match="exact linear function of z"):
        gaussian_ci_test(z @ [1.0, 2.0], y, z)


def test_ci_test_dispatches_numeric_methods():
    import pandas as pd

    from mistruct import ci_test

    rng = np.random.default_rng(0)
    z = rng.normal(size=400)
    frame = pd.DataFrame({"x": z + rng.normal(size=400), "y": z + rng.normal(size=400), "z": z})
    for method in ("gaussian", "knn"):
        assert not ci_test(frame, "x", "y", method=method, seed=0).independent
        result = ci_test(frame, "x", "y", ["z"], method=method, seed=0)
        assert result.independent and result.method == method


# ------------------------------------------------------------------ kernel internals


def _reference_local_permutations(neighbours, n_permutations, rng):
    """The restricted permutations one (surrogate, row) step at a time, as first written."""
    n, kp = neighbours.shape
    out = np.empty((n_permutations, n), dtype=np.intp)
    chunk = max(1, min(n_permutations, 10_000_000 // (n * kp)))
    for start in range(0, n_permutations, chunk):
        b = min(chunk, n_permutations - start)
        candidates = rng.permuted(np.broadcast_to(neighbours, (b, n, kp)), axis=2)
        order = rng.permuted(np.broadcast_to(np.arange(n), (b, n)), axis=1)
        for s in range(b):
            used = np.zeros(n, dtype=bool)
            for i in order[s]:
                free = [j for j in candidates[s, i] if not used[j]]
                j = free[0] if free else candidates[s, i, -1]
                out[start + s, i] = j
                used[j] = True
    return out


@pytest.mark.parametrize(("n", "k_perm", "b"), [(60, 5, 7), (200, 3, 4), (40, 1, 3), (30, 8, 2)])
def test_local_permutations_match_the_reference(n, k_perm, b):
    # Same draws, same picks: the vectorized version changes no p-value for a given seed.
    z = np.random.default_rng(n).standard_normal((n, 2))
    neighbours = kci.cKDTree(z).query(z, k=max(k_perm, 2), p=np.inf)[1][:, :k_perm]
    fast = local_permutations(neighbours, b, np.random.default_rng(k_perm))
    slow = _reference_local_permutations(neighbours, b, np.random.default_rng(k_perm))
    np.testing.assert_array_equal(fast, slow)


def _kernel_matches_estimator(kernel, xs, ys, zs, k, perms, jitters):
    values = kernel(np.stack(perms), None if jitters[0] is None else np.stack(jitters))
    for perm, jitter, value in zip(perms, jitters, values, strict=True):
        expected = kci._counts_exact(kernel.surrogate_x(perm, jitter), ys, zs, k)[0]
        assert value == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("dx", "dz"), [(1, 3), (2, 2), (1, 0), (1, 1)])
def test_distances_equal_up_to_tiny_noise_are_counted_exactly(dx, dz, monkeypatch):
    # Values on a grid plus 1e-12 noise: many distances tie or differ in the last bits, in
    # the lists' walks, their ends and the counts beside eps.
    monkeypatch.setattr(knull, "_DENSE_ROWS", 0)
    n, k = 400, 15
    rng = np.random.default_rng(dx + dz)

    def grid(*shape):
        return np.round(2 * rng.standard_normal(shape)) / 2 + 1e-12 * rng.standard_normal(shape)

    xs, ys = _standardize(grid(n, dx)), _standardize(grid(n, 1))
    zs = _standardize(grid(n, dz)) if dz else None
    kernel = knull._NullStatistic(xs, ys, zs, k)
    kernel.observed()
    perms = [rng.permutation(n) for _ in range(3)]
    jitters = [None, None, None] if dz == 0 else [1e-12 * grid(n, dx) for _ in range(3)]
    _kernel_matches_estimator(kernel, xs, ys, zs, k, perms, jitters)


@pytest.mark.parametrize(("n", "dz", "k"), [(500, 3, 30), (400, 0, 10), (600, 2, 60), (450, 1, 20)])
def test_pairs_past_short_lists_are_counted_by_brute_force(n, dz, k, monkeypatch):
    # Lists of a few neighbours more than k: many (surrogate, row) pairs end past them, in
    # the (Y, Z) walk or in the second space's counts, and go to the brute force.
    monkeypatch.setattr(knull, "_MAX_LIST_ENTRIES", n * (k + 4))
    monkeypatch.setattr(knull, "_SORTED_LINE", False)
    rng = np.random.default_rng(n + k)
    z = rng.standard_normal((n, max(dz, 1)))
    xs = _standardize(z[:, :1] + rng.standard_normal((n, 1)))
    ys = _standardize(np.sin(z[:, -1:]) + rng.standard_normal((n, 1)))
    zs = _standardize(z) if dz else None
    kernel = knull._NullStatistic(xs, ys, zs, k)
    assert kernel.cap < n
    kernel.observed()
    perms = [rng.permutation(n) for _ in range(3)]
    jitters = [None, None, None] if dz == 0 else list(1e-10 * rng.standard_normal((3, n, 1)))
    before = kernel.fallback_rows
    _kernel_matches_estimator(kernel, xs, ys, zs, k, perms, jitters)
    assert kernel.fallback_rows - before > 0


@pytest.mark.parametrize("dependent", [False, True])
def test_sequential_stop_gives_the_fixed_tests_decision(dependent):
    rng = np.random.default_rng(11)
    z = rng.standard_normal((300, 2))
    x = z[:, 0] + rng.standard_normal(300)
    y = z[:, 1] + rng.standard_normal(300) + (0.8 * x if dependent else 0.0)
    full = knn_ci_test(x, y, z, n_permutations=199, seed=5, return_null=True)
    h = int(np.floor(0.05 * 200))
    early = knn_ci_test(x, y, z, n_permutations=199, seed=5, h=h, return_null=True)
    assert early.independent == full.independent
    # The same surrogates, in the same order, as far as the early test went.
    assert np.array_equal(early.null_distribution, full.null_distribution[: early.n_permutations])
    if early.n_permutations < 199:
        exceed = early.null_distribution >= early.statistic
        assert exceed.sum() == h and exceed[-1]
        assert early.pvalue == pytest.approx(h / early.n_permutations)
    else:
        assert early.pvalue == full.pvalue
    assert (early.n_permutations < 199) == (not dependent)


def test_sequential_stop_rejects_a_bad_h():
    rng = np.random.default_rng(0)
    with pytest.raises(InvalidInputError, match="h must be"):
        knn_ci_test(rng.standard_normal(50), rng.standard_normal(50), h=0)


@pytest.mark.parametrize(
    ("n", "dims", "m"),
    [(300, [1], 300), (500, [1, 1], 72), (400, [2, 1], 250), (350, [3, 2], 349), (200, [1, 2], 3)],
)
def test_neighbour_lists_are_the_m_nearest_in_order(n, dims, m):
    # Ties (rounded values), near-ties (1e-13 apart, at the cut too), exact duplicates:
    # each list holds m distinct rows whose exact distances are the m smallest, sorted.
    rng = np.random.default_rng(n + m)
    spaces = [np.round(rng.standard_normal((n, d)), 1) for d in dims]
    spaces[0][: n // 4] += 1e-13 * rng.integers(0, 3, (n // 4, dims[0]))
    spaces[-1][-20:] = spaces[-1][-21]
    lists = knull._neighbour_lists(spaces, m)
    for t, (dist, index) in enumerate(lists):
        points = np.hstack(spaces[: t + 1])
        full = np.abs(points[:, None, :] - points[None]).max(axis=2)
        np.testing.assert_array_equal(dist, np.sort(full, axis=1)[:, :m])
        np.testing.assert_array_equal(np.take_along_axis(full, index.astype(np.intp), 1), dist)
        assert all(len(set(row)) == m for row in index.tolist())


def test_surrogates_of_a_batch_are_those_made_one_by_one():
    # Standardized per (surrogate, column) on sorted values: the same bits as surrogate_x.
    rng = np.random.default_rng(5)
    for trial in range(40):
        n, d = int(rng.integers(30, 600)), int(rng.integers(1, 4))
        xs = rng.standard_normal((n, d)) * rng.uniform(0.1, 100) + rng.uniform(-50, 50)
        if trial % 3 == 0:
            xs = np.round(xs, 1) + 1e-9 * rng.standard_normal((n, d))
        zs = rng.standard_normal((n, 1))
        mask = None if trial % 2 else np.arange(d) < max(1, d - 1)
        kernel = knull._NullStatistic(xs, rng.standard_normal((n, 1)), zs, 5, x_continuous=mask)
        perms = rng.integers(0, n, (4, n))
        jitters = 1e-10 * rng.standard_normal((4, n, d)) if trial % 4 else None
        batch = kernel._surrogates(perms, jitters)
        for b, perm in enumerate(perms):
            alone = kernel.surrogate_x(perm, None if jitters is None else jitters[b])
            np.testing.assert_array_equal(batch[b], alone)
