"""Calibration of every discrete CI test across sparsity levels (issue 12, item 3).

X (|X| levels) and Y (|Y| levels) are independent given Z in every replicate:
Z has ``2000 / m`` strata of ``m`` rows each, and X and Y have their own
random margins in each stratum.  The tables are drawn directly (multinomial
per stratum), so a replicate costs a table, not a data frame.

A test rejects when ``result.independent is False``; a result without
evidence (``independent is None``) is not a rejection.  The bounds are
binomial: ``k`` rejections in ``R`` replicates are consistent with a rate
of at most ``alpha`` when ``P(Binomial(R, alpha) >= k) >= 0.001``.
"""

import warnings

import numpy as np
import pytest
from scipy import stats

from mistruct.independence import ci_test_from_table

ALPHA = 0.05
REPLICATES = 300
B = 99  # alpha (B + 1) is an integer: the permutation test has size alpha exactly
METHODS = ("auto", "permutation", "sequential", "g-test", "g-test-adjusted")

# (|X|, |Y|, rows per stratum, Dirichlet concentration of the margins)
CONFIGS = [
    (4, 3, 1, 2.0),
    (4, 3, 2, 2.0),
    (4, 3, 5, 2.0),
    (4, 3, 10, 2.0),
    (4, 3, 40, 2.0),
    (4, 3, 100, 2.0),
    (2, 2, 10, 2.0),
    (3, 3, 1000, 50.0),
]


def upper(rate_count):
    """Whether ``rate_count`` rejections are consistent with a rate of at most ALPHA."""
    return stats.binom.sf(rate_count - 1, REPLICATES, ALPHA) >= 1e-3


def lower(rate_count):
    """Whether ``rate_count`` rejections are consistent with a rate of at least ALPHA."""
    return stats.binom.cdf(rate_count, REPLICATES, ALPHA) >= 1e-3


def tables(kx, ky, m, concentration, seed, n=2000):
    """REPLICATES tables with axes (X, Y, Z) under conditional independence."""
    rng = np.random.default_rng(seed)
    strata = n // m
    px = rng.dirichlet(np.full(kx, concentration), strata)
    py = rng.dirichlet(np.full(ky, concentration), strata)
    cells = (px[:, :, None] * py[:, None, :]).reshape(strata, kx * ky)
    draws = rng.multinomial(m, cells, size=(REPLICATES, strata))
    return draws.reshape(REPLICATES, strata, kx, ky).transpose(0, 2, 3, 1)


@pytest.fixture(scope="module")
def outcomes():
    """For each config: per method, the results of all replicates."""
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for number, (kx, ky, m, concentration) in enumerate(CONFIGS):
            drawn = tables(kx, ky, m, concentration, seed=1000 + number)
            out[(kx, ky, m)] = {
                method: [
                    ci_test_from_table(t, method=method, n_permutations=B, seed=r)
                    for r, t in enumerate(drawn)
                ]
                for method in METHODS
            }
    return out


def rejections(results):
    return sum(r.independent is False for r in results)


def test_rates_table(outcomes, record_property):
    rates = {
        f"{kx}x{ky}, {m} rows/stratum": {
            method: rejections(results) / REPLICATES for method, results in by_method.items()
        }
        for (kx, ky, m), by_method in outcomes.items()
    }
    record_property("rejection_rates", rates)
    for name, row in rates.items():
        print(name, row)
    assert len(rates) == len(CONFIGS)


@pytest.mark.parametrize("config", [c[:3] for c in CONFIGS])
def test_exact_tests_are_calibrated_at_every_sparsity(outcomes, config):
    """"auto", "permutation", "sequential": rate within Monte-Carlo error of alpha.

    Below 10 rows per stratum the statistic takes few values, so the exact
    tests (which count ties as reaching the statistic) can only be
    conservative; from 10 rows on they reject at alpha, not less.
    """
    for method in ("auto", "permutation", "sequential"):
        k = rejections(outcomes[config][method])
        assert upper(k), (method, config, k / REPLICATES)
        if config[2] >= 10:
            assert lower(k), (method, config, k / REPLICATES)


@pytest.mark.parametrize("m", [1, 2])
def test_strata_of_one_or_two_rows_carry_no_evidence(outcomes, m):
    """In a stratum of 1 or 2 rows, X or Y is unique: every permutation gives the same G.

    Every method then says "cannot tell" (independent is None), whatever p-value
    the asymptotic ones print; the exact ones report p = 1 without drawing.
    """
    for method in METHODS:
        results = outcomes[(4, 3, m)][method]
        assert all(r.no_evidence and r.independent is None for r in results), method
        assert all(r.n_informative_strata == 0 for r in results)
        if method not in ("g-test", "g-test-adjusted"):
            assert all(r.pvalue == 1.0 and r.n_permutations == 0 for r in results)


def test_auto_runs_the_exact_test_where_the_asymptotics_fail(outcomes):
    for config in [(4, 3, 5), (4, 3, 10), (4, 3, 40), (4, 3, 100), (2, 2, 10)]:
        for result in outcomes[config]["auto"]:
            assert result.method == "sequential" and result.note.startswith("auto: exact")
    # With 1,000 rows per stratum and even margins the chi-squared law fits.
    chosen = [r.method for r in outcomes[(3, 3, 1000)]["auto"]]
    assert chosen.count("g-test-adjusted") >= 0.9 * REPLICATES


def test_auto_equals_the_test_it_chose(outcomes):
    """``result.method`` is the test that ran: its p-value is that test's."""
    for by_method in outcomes.values():
        for auto, seq, adj in zip(
            by_method["auto"], by_method["sequential"], by_method["g-test-adjusted"],
            strict=True,
        ):
            other = seq if auto.method == "sequential" else adj
            assert auto.method == other.method and auto.pvalue == other.pvalue


def test_g_test_is_conservative_on_sparse_strata(outcomes):
    """Documented: with fewer rows per stratum than cells, the g-test hardly rejects."""
    assert upper(rejections(outcomes[(4, 3, 5)]["g-test"]))


def test_adjusted_g_test_is_anti_conservative_on_sparse_strata(outcomes):
    """Documented: the adjusted G-test rejects a true null far too often on thin strata,

    and its results say the chi-squared approximation is doubtful there.
    """
    for config in [(4, 3, 5), (4, 3, 10), (4, 3, 40)]:
        results = outcomes[config]["g-test-adjusted"]
        assert not upper(rejections(results)), config
        assert all("doubtful" in r.note for r in results)
    # Many thin strata at moderate counts: the plain g-test too (documented).
    assert not upper(rejections(outcomes[(4, 3, 40)]["g-test"]))


def test_asymptotic_tests_are_calibrated_where_the_rule_admits_them(outcomes):
    for method in ("g-test", "g-test-adjusted"):
        results = outcomes[(3, 3, 1000)][method]
        k = rejections(results)
        assert upper(k) and lower(k), (method, k / REPLICATES)
        assert sum("doubtful" in r.note for r in results) <= 0.1 * REPLICATES
