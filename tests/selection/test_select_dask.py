"""select_features on a Dask DataFrame: the same selection as pandas, kNN refused."""

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

from mistruct.exceptions import InvalidInputError  # noqa: E402
from mistruct.selection import select_features  # noqa: E402


def _table(seed=0, n=1200):
    rng = np.random.default_rng(seed)
    causes = rng.integers(0, 2, (n, 4))
    frame = pd.DataFrame(causes, columns=[f"x{j}" for j in range(4)])
    frame["x0_copy"] = frame["x0"]
    frame["colour"] = np.array(["red", "green", "blue"])[rng.integers(0, 3, n)]
    for j in range(6):
        frame[f"noise{j}"] = rng.integers(0, 2 + j % 3, n)
    y = (causes.sum(axis=1) >= 2).astype(int) + 2 * (frame["colour"] == "red").to_numpy()
    frame["target"] = np.where(rng.random(n) < 0.1, 1 - (y % 2), y)
    return frame


def _both(frame, **options):
    X, y = frame.drop(columns="target"), frame["target"]
    ddf = dd.from_pandas(frame, npartitions=3)
    with dask.config.set(scheduler="threads"):
        lazy = select_features(ddf.drop(columns="target"), ddf["target"], **options)
    return select_features(X, y, **options), lazy


@pytest.mark.parametrize("criterion", ["mrmr", "jmi", "cmim", "disr", "mrmr-quotient"])
def test_dask_gives_the_pandas_selection(criterion):
    eager, lazy = _both(_table(), criterion=criterion, n_features=6)
    assert lazy.selected == eager.selected
    # Ratios (MIQ) of sums added in another order: equal to rounding.
    np.testing.assert_allclose(lazy.scores, eager.scores, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(lazy.redundancy, eager.redundancy, rtol=1e-12, atol=1e-12)
    pd.testing.assert_series_equal(lazy.feature_relevance, eager.feature_relevance,
                                   check_exact=False, rtol=1e-12, atol=1e-12)
    assert lazy.estimator == "plugin"


@pytest.mark.parametrize("correction", [None, "holm"])
def test_dask_auto_stop_is_the_pandas_stop(correction):
    eager, lazy = _both(_table(1), criterion="jmi", n_features="auto", correction=correction)
    assert len(eager.selected) >= 3  # the stop ran several steps, not just the first
    assert lazy.selected == eager.selected
    np.testing.assert_allclose(lazy.pvalues, eager.pvalues, rtol=1e-9, atol=1e-15)
    assert lazy.stop_reason == eager.stop_reason
    assert lazy.stop_candidate == eager.stop_candidate


@pytest.mark.parametrize("missing", ["drop", "category"])
def test_dask_missing_values_as_pandas(missing):
    frame = _table(2).astype({"x1": float})
    frame.loc[[3, 50, 700], "x1"] = np.nan
    frame.loc[[10, 900], "colour"] = None
    eager, lazy = _both(frame, n_features="auto", missing=missing, discrete=["x1"])
    assert lazy.selected == eager.selected
    np.testing.assert_allclose(lazy.pvalues, eager.pvalues, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(lazy.scores, eager.scores, rtol=1e-12, atol=1e-12)


def test_dask_refuses_continuous_columns_and_knn():
    frame = _table(3)
    frame["height"] = np.random.default_rng(0).normal(size=len(frame))
    ddf = dd.from_pandas(frame, npartitions=3)
    with pytest.raises(InvalidInputError, match="'height'.*continuous.*every row"):
        select_features(ddf.drop(columns="target"), ddf["target"])
    plain = dd.from_pandas(_table(3), npartitions=3)
    with pytest.raises(InvalidInputError, match="ksg.*plug-in"):
        select_features(plain.drop(columns="target"), plain["target"], estimator="ksg")


def test_dask_needs_a_dask_target_of_the_same_rows():
    frame = _table(4)
    ddf = dd.from_pandas(frame, npartitions=3)
    X = ddf.drop(columns="target")
    with pytest.raises(InvalidInputError, match="Dask Series of the same rows"):
        select_features(X, frame["target"].to_numpy())
    with pytest.raises(InvalidInputError, match="X is not"):
        select_features(frame.drop(columns="target"), ddf["target"])
    other = dd.from_pandas(frame, npartitions=2)
    with pytest.raises(InvalidInputError, match="partitions"):
        select_features(X, other["target"])
