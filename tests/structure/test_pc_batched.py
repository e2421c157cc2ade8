"""PC's batched discrete tests give what the per-query path gives, to the last bit."""

import math

import numpy as np
import pytest

import mistruct.structure._pc as pc_module
from mistruct.data import encode
from mistruct.independence import BatchedTests, check_options, run_queries, seed_entropy
from mistruct.interop.datasets import sample_network
from mistruct.structure import pc


def _same(a, b):
    """Equal, NaN equal to NaN, through tuples and dicts."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(u, v) for u, v in zip(a, b, strict=True))
    return a == b


def _run(data, batched, monkeypatch, **options):
    monkeypatch.setattr(pc_module, "BATCHED_COUNTS", batched)
    return pc(data, alpha=0.01, **options)


@pytest.mark.parametrize("name", ["alarm", "child", "insurance", "hepar2"])
@pytest.mark.parametrize("ci_test", ["g-test", "g-test-adjusted", "auto"])
def test_batched_pc_equals_the_per_query_path(name, ci_test, monkeypatch):
    data = sample_network(name, 2000, seed=1).data
    batched = _run(data, True, monkeypatch, ci_test=ci_test)
    reference = _run(data, False, monkeypatch, ci_test=ci_test)
    assert set(batched.edges()) == set(reference.edges())
    for key in ("sepsets", "sepset_pvalues", "sepset_reasons", "all_sepsets",
                "collider_pvalues", "n_tests", "max_level"):
        assert _same(batched.graph[key], reference.graph[key]), key
    for a, b, attributes in reference.edges(data=True):
        assert _same(batched.edges[a, b], attributes)


@pytest.mark.parametrize("ci_test", ["g-test-adjusted", "auto"])
def test_batched_answers_equal_the_results(ci_test):
    # The statistics, p-values and flags of sampled queries, bit for bit.
    data = sample_network("insurance", 3000, seed=4).data
    table = encode(data[sorted(data.columns)])
    rng = np.random.default_rng(0)
    p = table.n_columns
    queries = []
    for _ in range(400):
        x, y = sorted(rng.choice(p, 2, replace=False).tolist())
        rest = [k for k in range(p) if k not in (x, y)]
        given = tuple(sorted(rng.choice(rest, rng.integers(0, 4), replace=False).tolist()))
        queries.append((x, y, given))
    options = check_options(ci_test, 0.01, 1000, "plugin")
    entropy = seed_entropy(0)
    pvalues, statistics, flags = BatchedTests(table, options, entropy, table.names)(queries)
    results = run_queries(table, queries, options, entropy, table.names)
    assert np.array_equal(statistics, [r.statistic for r in results])
    assert np.array_equal(pvalues, [r.pvalue for r in results])
    assert np.array_equal(flags, [r.no_evidence for r in results])
    assert flags.any() and not flags.all()


def test_n_jobs_two_is_bit_identical_to_one():
    data = sample_network("alarm", 3000, seed=2).data
    one = pc(data, alpha=0.01, ci_test="g-test-adjusted", n_jobs=1)
    two = pc(data, alpha=0.01, ci_test="g-test-adjusted", n_jobs=2)
    assert set(one.edges()) == set(two.edges())
    for key in ("sepsets", "sepset_pvalues", "all_sepsets", "collider_pvalues", "n_tests"):
        assert _same(one.graph[key], two.graph[key]), key
    for a, b, attributes in one.edges(data=True):
        assert _same(two.edges[a, b], attributes)


def test_batched_pc_does_not_depend_on_column_order():
    data = sample_network("child", 2000, seed=3).data
    columns = list(data.columns)
    shuffled = data[[columns[k] for k in np.random.default_rng(1).permutation(len(columns))]]
    a = pc(data, alpha=0.01, ci_test="g-test-adjusted")
    b = pc(shuffled, alpha=0.01, ci_test="g-test-adjusted")
    assert set(a.edges()) == set(b.edges())
    assert _same(a.graph["sepset_pvalues"], b.graph["sepset_pvalues"])
    assert _same(a.graph["all_sepsets"], b.graph["all_sepsets"])


def test_max_cond_size_stops_the_levels():
    data = sample_network("alarm", 2000, seed=0).data
    capped = pc(data, alpha=0.01, ci_test="g-test-adjusted", max_cond_size=1)
    full = pc(data, alpha=0.01, ci_test="g-test-adjusted")
    assert capped.graph["max_level"] == 1 < full.graph["max_level"]
    assert all(len(s) <= 1 for s in capped.graph["sepsets"].values())
    # Fewer levels, fewer removals: the capped skeleton keeps every edge of the full one.
    assert set(map(frozenset, full.edges())) <= set(map(frozenset, capped.edges()))
