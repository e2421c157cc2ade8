import numpy as np
import pytest

from mistruct.exceptions import InvalidInputError
from mistruct.measures._estimators import ESTIMATORS, Blocks, entropy_from_counts, estimate_entropy


def _reference(counts, estimator, n_cells=None):
    """Textbook formulas, written out one cell at a time."""
    counts = [float(c) for c in counts]
    n = sum(counts)
    k = len(counts) if n_cells is None else n_cells
    counts = counts + [0.0] * (k - len(counts))
    if estimator in ("plugin", "miller-madow"):
        h = -sum(c / n * np.log(c / n) for c in counts if c > 0)
        if estimator == "miller-madow":
            h += (sum(c > 0 for c in counts) - 1) / (2 * n)
        return h
    if estimator == "chao-shen":
        f1 = sum(c == 1 for c in counts)
        if f1 == n:
            f1 = n - 1
        coverage = 1 - f1 / n
        h = 0.0
        for c in counts:
            if c > 0:
                p = coverage * c / n
                h -= p * np.log(p) / (1 - (1 - p) ** n)
        return h
    u = [c / n for c in counts]
    target = 1 / k
    denominator = (n - 1) * sum((target - ui) ** 2 for ui in u)
    lam = 1.0 if denominator == 0 else min(max((1 - sum(ui * ui for ui in u)) / denominator, 0), 1)
    p = [lam * target + (1 - lam) * ui for ui in u]
    return -sum(pi * np.log(pi) for pi in p if pi > 0)


CASES = [[4, 2, 3, 0, 2, 4, 0, 0, 2, 1, 1], [10], [1, 1, 1], [5, 5], [100, 1, 0, 3], [1, 2]]


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("counts", CASES)
def test_estimators_match_reference_formulas(estimator, counts):
    assert entropy_from_counts(counts, estimator) == pytest.approx(
        _reference(counts, estimator), abs=1e-13
    )


def test_shrinkage_counts_hidden_empty_cells():
    listed = entropy_from_counts([3, 1], "shrinkage", n_cells=6)
    explicit = entropy_from_counts([3, 1, 0, 0, 0, 0], "shrinkage")
    assert listed == pytest.approx(explicit, abs=1e-14)
    assert listed == pytest.approx(_reference([3, 1], "shrinkage", 6), abs=1e-13)


def test_only_shrinkage_cares_about_empty_cells():
    for estimator in ("plugin", "miller-madow", "chao-shen"):
        assert entropy_from_counts([3, 1, 0, 0], estimator) == entropy_from_counts(
            [3, 1], estimator
        )


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_blocks_estimate_many_distributions_at_once(estimator, rng):
    tables = [rng.integers(0, 6, size) for size in (3, 8, 1, 5)]
    values = np.concatenate(tables)
    ids = np.repeat(np.arange(len(tables)), [len(t) for t in tables])
    got = estimate_entropy(values, Blocks(ids, [len(t) for t in tables]), estimator)
    expected = [entropy_from_counts(t, estimator) for t in tables]
    np.testing.assert_allclose(got, expected, atol=1e-13)


def test_unknown_estimator():
    with pytest.raises(InvalidInputError, match="'nsb'.*'plugin'"):
        entropy_from_counts([1, 2], "nsb")
