"""The counting reductions on Dask: each equals the in-memory kernel on the computed table."""

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from dask_fixtures import dask_cluster, scheduler  # noqa: F401

from mistruct.counting import (
    dask_joint_counts,
    dask_moments,
    dask_pairwise_counts,
    dask_stratified_counts,
    joint_codes,
    pairwise_counts,
    stratified_tables,
)
from mistruct.data import (
    DaskTable,
    column_kinds,
    dask_kinds,
    dask_passes,
    dask_summary,
    dask_table,
    encode,
    is_dask_collection,
    read_dask,
)
from mistruct.exceptions import ContinuousDataError, InvalidInputError, MissingValuesError
from mistruct.interop.datasets import sample_network

# Every test runs on the threaded scheduler and on a LocalCluster (dask_fixtures).
pytestmark = pytest.mark.usefixtures("scheduler")


@pytest.fixture(scope="module")
def asia():
    return sample_network("asia", 3000, seed=3).data


def _mixed(n=600, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "s": rng.choice(["b", "a", "c"], n),
            "i": rng.integers(5, 9, n),
            "flag": rng.random(n) < 0.3,
            "cat": pd.Categorical(rng.choice(["lo", "hi"], n), categories=["lo", "mid", "hi"]),
        }
    )


def test_detection_needs_no_dask_object():
    assert not is_dask_collection(pd.DataFrame({"a": [1]}))
    assert not is_dask_collection(np.zeros(3))
    assert is_dask_collection(dd.from_pandas(pd.DataFrame({"a": [1]}), npartitions=1))


@pytest.mark.parametrize("npartitions", [1, 3, 7])
def test_levels_and_codes_match_encode(npartitions):
    frame = _mixed()
    table = dask_table(dd.from_pandas(frame, npartitions=npartitions))
    expected = encode(frame)
    assert isinstance(table, DaskTable) and table.n_rows == len(frame)
    for got, want in zip(table.levels, expected.levels, strict=True):
        assert list(got) == list(want)
    pieces = [frame.iloc[rows] for rows in np.array_split(np.arange(len(frame)), npartitions)]
    codes = np.vstack([table.encode_partition(p) for p in pieces])
    assert np.array_equal(codes, expected.codes)


@pytest.mark.parametrize("npartitions", [1, 4])
def test_pairwise_counts_equal_in_memory(asia, npartitions):
    table = dask_table(dd.from_pandas(asia, npartitions=npartitions))
    got = dask_pairwise_counts(table, chunk_size=500)
    want = pairwise_counts(encode(asia).codes, encode(asia).cardinalities)
    assert got.n_rows == want.n_rows
    assert np.array_equal(np.asarray(got.matrix), np.asarray(want.matrix))
    assert np.array_equal(got.offsets, want.offsets)


def test_sparse_pairwise_counts_equal(asia):
    table = dask_table(dd.from_pandas(asia, npartitions=3))
    got = dask_pairwise_counts(table, sparse=True)
    want = pairwise_counts(encode(asia).codes, encode(asia).cardinalities, sparse=True)
    assert (got.matrix != want.matrix).nnz == 0


@pytest.mark.parametrize("npartitions", [1, 5])
def test_stratified_counts_equal_in_memory(asia, npartitions):
    table = dask_table(dd.from_pandas(asia, npartitions=npartitions))
    encoded = encode(asia)
    queries = [(0, 1, ()), (2, 3, (4,)), (5, 6, (7, 1)), (3, 0, (6, 2, 5))]
    found = dask_stratified_counts(table, queries)
    for (x, y, given), counted in zip(queries, found, strict=True):
        cards = encoded.cardinalities
        if given:
            joint = joint_codes(encoded.codes[:, list(given)], cards[list(given)])
            want = stratified_tables(
                encoded.codes[:, x], encoded.codes[:, y], joint.codes, int(cards[x]),
                int(cards[y]), joint.n_states,
            )
        else:
            want = stratified_tables(
                encoded.codes[:, x], encoded.codes[:, y], np.zeros(len(asia), dtype=int),
                int(cards[x]), int(cards[y]), 1,
            )
        assert np.array_equal(counted.tables, want)


def test_joint_counts_equal_bincount(asia):
    table = dask_table(dd.from_pandas(asia, npartitions=3))
    encoded = encode(asia)
    ((keys, counts),) = dask_joint_counts(table, [(2, 0, 5)])
    joint = joint_codes(encoded.codes[:, [2, 0, 5]], encoded.cardinalities[[2, 0, 5]])
    want = np.bincount(joint.codes, minlength=joint.n_states)
    assert np.array_equal(keys, np.flatnonzero(want))
    assert np.array_equal(counts, want[want > 0])


def test_moments_match_numpy():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(1e6, 1.0, (500, 3)), columns=["a", "b", "c"])
    n, mean, m2 = dask_moments(dd.from_pandas(frame, npartitions=6), ["a", "b", "c"])
    assert n == 500
    assert np.allclose(mean, frame.mean().to_numpy(), rtol=0, atol=1e-9)
    centred = frame.to_numpy() - frame.to_numpy().mean(axis=0)
    assert np.allclose(m2, centred.T @ centred, rtol=1e-10)


def test_kinds_follow_the_pandas_rule():
    rng = np.random.default_rng(2)
    frame = _mixed().assign(
        hp=rng.integers(0, 300, 600), x=rng.standard_normal(600), code=rng.integers(0, 3, 600)
    )
    summary = dask_summary(dd.from_pandas(frame, npartitions=3))
    assert dict(dask_kinds(summary)) == dict(column_kinds(frame))
    forced = dask_kinds(summary, discrete=["hp"], continuous=["code"])
    assert forced["hp"] == "discrete" and forced["code"] == "continuous"


def test_missing_values():
    frame = _mixed().astype({"s": object})
    frame.loc[[3, 50], "s"] = None
    lazy = dd.from_pandas(frame, npartitions=3)
    with pytest.raises(MissingValuesError, match="'s' of data has 2 missing"):
        dask_table(lazy)
    as_level = dask_table(lazy, missing="category")
    want = encode(frame, missing="category")
    assert [list(lv) for lv in as_level.levels] == [list(lv) for lv in want.levels]
    counts = dask_pairwise_counts(as_level)
    assert np.array_equal(
        counts.matrix, pairwise_counts(want.codes, want.cardinalities).matrix
    )
    dropped = dask_table(lazy, missing="drop")
    want = encode(frame, missing="drop")
    assert dropped.n_rows == want.n_rows == len(frame) - 2
    assert np.array_equal(
        dask_pairwise_counts(dropped).matrix, pairwise_counts(want.codes, want.cardinalities).matrix
    )


def test_refusals_name_the_problem():
    frame = pd.DataFrame({"x": np.linspace(0, 1, 20), "g": ["a", "b"] * 10})
    with pytest.raises(ContinuousDataError, match="'x'.*float"):
        dask_table(dd.from_pandas(frame, npartitions=2))
    table = dask_table(dd.from_pandas(frame[["g"]], npartitions=2))
    with pytest.raises(InvalidInputError, match="one machine"):
        table.codes[:, 0]


def test_one_pass_per_reduction(asia):
    table = dask_table(dd.from_pandas(asia, npartitions=4))
    before = dask_passes()
    dask_stratified_counts(table, [(0, 1, ()), (2, 3, (4,)), (5, 6, (7,))])
    assert dask_passes() - before == 1


def test_read_dask_file_directory_glob(tmp_path, asia):
    codes = pd.DataFrame({c: asia[c].cat.codes for c in asia.columns})
    for i, rows in enumerate(np.array_split(np.arange(len(codes)), 3)):
        codes.iloc[rows].to_parquet(tmp_path / f"part-{i}.parquet", index=False)
    (tmp_path / "csv").mkdir()
    codes.to_csv(tmp_path / "csv" / "all.csv", index=False)
    whole = dask_table(read_dask(tmp_path / "csv" / "all.csv"))
    for source in (tmp_path, str(tmp_path / "part-*.parquet"), tmp_path / "part-0.parquet"):
        table = dask_table(read_dask(source))
        assert table.n_columns == 8
    assert dask_table(read_dask(tmp_path)).n_rows == whole.n_rows == len(asia)
    codes.to_csv(tmp_path / "extra.csv", index=False)
    with pytest.raises(InvalidInputError, match="mixes file types"):
        read_dask(tmp_path)
    with pytest.raises(InvalidInputError, match="names no Parquet or CSV"):
        read_dask(tmp_path / "nothing-*.parquet")
