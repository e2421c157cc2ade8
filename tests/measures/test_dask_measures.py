"""The measures on a Dask DataFrame equal the pandas path's (sampled from bundled networks)."""

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from dask_fixtures import dask_cluster, scheduler  # noqa: F401

import mistruct
from mistruct.exceptions import ContinuousDataError, InvalidInputError
from mistruct.interop.datasets import sample_network
from mistruct.measures import ESTIMATORS

# Every test runs on the threaded scheduler and on a LocalCluster (dask_fixtures).
pytestmark = pytest.mark.usefixtures("scheduler")


@pytest.fixture(scope="module")
def child():
    return sample_network("child", 2500, seed=5).data


@pytest.mark.parametrize(
    ("npartitions", "estimators"), [(1, ("auto", "shrinkage")), (3, ESTIMATORS), (7, ("auto",))]
)
def test_mi_matrix_equals_pandas(child, npartitions, estimators):
    lazy = dd.from_pandas(child, npartitions=npartitions)
    for estimator in estimators:
        want = mistruct.mutual_information_matrix(child, estimator=estimator)
        got = mistruct.mutual_information_matrix(lazy, estimator=estimator)
        assert list(got.columns) == list(want.columns)
        assert np.allclose(got.to_numpy(), want.to_numpy(), rtol=0, atol=1e-12)


def test_mi_matrix_columns_and_base(child):
    lazy = dd.from_pandas(child, npartitions=3)
    columns = list(child.columns[5:9])
    want = mistruct.mutual_information_matrix(child, columns, base=np.e)
    got = mistruct.mutual_information_matrix(lazy, columns, base=np.e)
    assert np.allclose(got.to_numpy(), want.to_numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("npartitions", [5])
def test_pair_measures_equal_pandas(child, npartitions):
    lazy = dd.from_pandas(child, npartitions=npartitions)
    c = list(child.columns)
    for estimator in ESTIMATORS:
        pairs = [
            (mistruct.entropy(child[c[:3]], estimator=estimator),
             mistruct.entropy(lazy[c[:3]], estimator=estimator)),
            (mistruct.conditional_entropy(child[c[0]], child[c[1:3]], estimator=estimator),
             mistruct.conditional_entropy(lazy[c[0]], lazy[c[1:3]], estimator=estimator)),
            (mistruct.mutual_information(child[c[3]], child[c[4]], estimator=estimator),
             mistruct.mutual_information(lazy[c[3]], lazy[c[4]], estimator=estimator)),
            (mistruct.mutual_information(child[c[3]], child[c[4:6]], given=child[c[6:8]],
                                         estimator=estimator),
             mistruct.mutual_information(lazy[c[3]], lazy[c[4:6]], given=lazy[c[6:8]],
                                         estimator=estimator)),
        ]
        for want, got in pairs:
            assert got == pytest.approx(want, abs=1e-12, rel=0)


def test_gaussian_from_moments():
    rng = np.random.default_rng(4)
    a = rng.standard_normal(2000) + 100.0
    frame = pd.DataFrame({"a": a, "b": a + rng.standard_normal(2000), "c": rng.random(2000)})
    lazy = dd.from_pandas(frame, npartitions=4)
    want = mistruct.mutual_information_matrix(frame, estimator="gaussian").to_numpy()
    got = mistruct.mutual_information_matrix(lazy, estimator="gaussian").to_numpy()
    off = ~np.eye(3, dtype=bool)
    assert np.allclose(got[off], want[off], rtol=0, atol=1e-12)
    assert np.isinf(np.diag(got)).all()
    want = mistruct.mutual_information(frame.a, frame.b, given=frame.c, estimator="gaussian")
    got = mistruct.mutual_information(lazy.a, lazy.b, given=lazy.c, estimator="gaussian")
    assert got == pytest.approx(want, abs=1e-12, rel=0)


def test_knn_refused_without_collecting():
    frame = pd.DataFrame({"a": np.linspace(0, 1, 50), "b": np.linspace(1, 2, 50)})
    lazy = dd.from_pandas(frame, npartitions=2)
    for call in (
        lambda: mistruct.mutual_information_matrix(lazy),
        lambda: mistruct.mutual_information(lazy.a, lazy.b, estimator="ksg"),
        lambda: mistruct.entropy(lazy.a),
    ):
        with pytest.raises(InvalidInputError, match=r"one machine.*sample"):
            call()
    with pytest.raises(ContinuousDataError, match="'a'"):
        mistruct.mutual_information_matrix(lazy, estimator="plugin")
