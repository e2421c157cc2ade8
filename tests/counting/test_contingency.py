import numpy as np
import pytest

from mistruct.counting._contingency import (
    combine,
    contingency_table,
    joint_codes,
    pairwise_counts,
    stratified_tables,
)
from mistruct.exceptions import StateSpaceTooLargeError


def _loop_table(x, y, kx, ky):
    table = np.zeros((kx, ky), dtype=np.int64)
    for a, b in zip(x, y, strict=True):
        table[a, b] += 1
    return table


def test_contingency_table_matches_a_loop(rng):
    x, y = rng.integers(0, 4, 300), rng.integers(0, 3, 300)
    assert (contingency_table(x, y, 4, 3) == _loop_table(x, y, 4, 3)).all()


def test_joint_codes_are_mixed_radix_when_small():
    codes = np.array([[0, 0], [0, 2], [1, 1]])
    joint = joint_codes(codes, [2, 3])
    assert joint.codes.tolist() == [0, 2, 4]
    assert (joint.n_states, joint.n_possible) == (6, 6)


def test_joint_codes_compact_huge_products_without_overflow(rng):
    codes = rng.integers(0, 1000, size=(500, 12))
    joint = joint_codes(codes, [1000] * 12)
    assert joint.n_possible == 1000**12  # exact, beyond int64
    assert joint.n_states <= 2**20
    # same rows <=> same code
    rows = {tuple(r): c for r, c in zip(codes.tolist(), joint.codes.tolist(), strict=True)}
    assert len(set(rows.values())) == len(rows)


def test_combine_multiplies_possible_states(rng):
    a = joint_codes(rng.integers(0, 3, 50), [3])
    b = joint_codes(rng.integers(0, 5, 50), [5])
    both = combine(a, b)
    assert both.n_possible == 15
    assert len(np.unique(both.codes)) == len(
        set(zip(a.codes.tolist(), b.codes.tolist(), strict=True))
    )


def test_stratified_tables_drop_empty_strata(rng):
    x, y = rng.integers(0, 2, 100), rng.integers(0, 3, 100)
    z = rng.choice([1, 7], 100)  # strata 0, 2..6 never occur
    tables = stratified_tables(x, y, z, 2, 3, 8)
    assert tables.shape == (2, 2, 3)
    assert (tables[1] == _loop_table(x[z == 7], y[z == 7], 2, 3)).all()
    assert tables.sum() == 100


def test_dense_table_too_large_is_a_clear_error():
    with pytest.raises(StateSpaceTooLargeError, match="cells"):
        contingency_table([0], [0], 2**14, 2**14)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("chunk_size", [1, 7, 4096])
def test_pairwise_counts_equal_per_pair_tables(rng, sparse, chunk_size):
    cards = [2, 5, 3, 1]
    codes = np.column_stack([rng.integers(0, k, 200) for k in cards])
    counts = pairwise_counts(codes, cards, chunk_size=chunk_size, sparse=sparse)
    for i in range(len(cards)):
        assert (counts.marginal(i) == np.bincount(codes[:, i], minlength=cards[i])).all()
        for j in range(len(cards)):
            expected = _loop_table(codes[:, i], codes[:, j], cards[i], cards[j])
            assert (counts.table(i, j) == expected).all()


def test_pairwise_counts_exact_beyond_float32_range():
    # 2**24 + 3 identical rows: float32 alone would round the count.
    n = 2**24 + 3
    codes = np.zeros((n, 2), dtype=np.int8)
    counts = pairwise_counts(codes, [1, 1], chunk_size=2**25)
    assert counts.table(0, 1)[0, 0] == n
