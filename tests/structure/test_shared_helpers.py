"""The helpers the in-memory and Dask learners share give the same answers on both paths.

* MIIC's candidate tables come from :class:`mistruct.counting.CandidateCounts`
  (both its counting routes: one ``bincount`` per batch, and the one-hot
  matrix product over many jobs): they equal a count by brute force.
* ``dpi_check`` on a Dask table runs the in-memory report on reduced counts:
  the same report with an estimator other than the plug-in (the stratified
  tables are read) and with colliders in a directed graph.
* The learners' doors share the check of ``exclude``, the Dask tables the
  check of ``columns``: the same errors either way.
"""

import itertools

import dask
import dask.dataframe as dd
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from mistruct.counting import CandidateCounts
from mistruct.data import dask_table, select_columns
from mistruct.exceptions import ColumnNotFoundError, InvalidInputError
from mistruct.interop.datasets import sample_network
from mistruct.structure import chow_liu_tree, dpi_check


@pytest.fixture(autouse=True)
def threads():
    with dask.config.set(scheduler="threads"):
        yield


def _brute_force(codes, cards, x, y, given, cands):
    """(candidate, u, x, y, z) counts with the strata of ``given`` in mixed-radix order."""
    n = codes.shape[0]
    if given:
        _, u = np.unique(codes[:, list(given)], axis=0, return_inverse=True)
        u = u.reshape(-1)
        n_u = int(u.max()) + 1
    else:
        u, n_u = np.zeros(n, dtype=np.int64), 1
    width = int(max(cards[c] for c in cands))
    out = np.zeros((len(cands), n_u, cards[x], cards[y], width), dtype=np.int64)
    for m, c in enumerate(cands):
        np.add.at(out[m], (u, codes[:, x], codes[:, y], codes[:, c]), 1)
    return out


def test_candidate_tables_equal_a_brute_force_count(monkeypatch):
    rng = np.random.default_rng(4)
    cards = np.array([2, 3, 2, 4, 3, 2, 5, 2, 3, 2, 2, 3])
    n = 700
    codes = np.column_stack([rng.integers(0, k, n) for k in cards])
    counter = CandidateCounts(codes, cards)
    routes = {"gemm": 0, "bincount": 0}
    for name, method in (("gemm", "_flush"), ("bincount", "_bincount")):
        original = getattr(CandidateCounts, method)

        def spy(self, *args, _original=original, _name=name):
            routes[_name] += 1
            return _original(self, *args)

        monkeypatch.setattr(CandidateCounts, method, spy)
    p = len(cards)
    jobs = []
    for x, y in itertools.combinations(range(5), 2):
        rest = [j for j in range(p) if j not in (x, y)]
        # No conditioning set and many candidates: the matrix product; a large set
        # and few candidates: one bincount per batch.
        jobs.append((x, y, [], np.array(rest, dtype=np.int64)))
        jobs.append((x, y, rest[:3], np.array(rest[3:6], dtype=np.int64)))
    answers = counter.count(jobs, lambda t, rx, ry, rz, log_u: (t.copy(), rz.copy(), log_u))
    assert routes["gemm"] > 0 and routes["bincount"] > 0
    for (x, y, given, cands), parts in zip(jobs, answers, strict=True):
        want = _brute_force(codes, cards, x, y, given, cands)
        got = np.concatenate([t for t, _, _ in parts])
        width = got.shape[-1]
        assert got.shape[:4] == want.shape[:4]
        assert np.array_equal(got, want[..., :width])
        assert want[..., width:].sum() == 0
        assert np.array_equal(np.concatenate([rz for _, rz, _ in parts]), cards[cands])
        assert parts[0][2] == pytest.approx(np.log(np.prod(cards[given])) if given else 0.0)


def test_candidate_tables_refuse_a_state_space_too_large():
    codes = np.zeros((10, 3), dtype=np.int64)
    counter = CandidateCounts(codes, np.array([3000, 3000, 3000]), names=("a", "b", "c"),
                              who="miic: ")
    with pytest.raises(InvalidInputError, match=r"^miic: the tables of columns 'a' and 'b'"):
        counter.count([(0, 1, [], np.array([2]))], lambda *args: None)


@pytest.fixture(scope="module")
def asia():
    return sample_network("asia", 2000, seed=11).data


@pytest.mark.parametrize("estimator", ["miller-madow", "shrinkage"])
def test_dask_dpi_check_with_estimators_and_colliders(asia, estimator):
    lazy = dd.from_pandas(asia, npartitions=3)
    tree = chow_liu_tree(asia)
    # A directed graph with a collider: asia -> either <- smoke is not a chain.
    graph = nx.DiGraph(list(tree.edges()) + [("asia", "either"), ("smoke", "either")])
    for ci_test in ("auto", "permutation"):
        want = dpi_check(graph, asia, ci_test=ci_test, estimator=estimator, n_permutations=99)
        got = dpi_check(graph, lazy, ci_test=ci_test, estimator=estimator, n_permutations=99)
        assert want["collider"].any() and not want.loc[want["collider"], "violation"].any()
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=1e-12)


def test_dpi_check_names_the_nodes_that_are_not_columns_on_both_paths(asia):
    lazy = dd.from_pandas(asia, npartitions=2)
    graph = nx.Graph([("asia", "nowhere"), ("smoke", "lung")])
    messages = []
    for data in (asia, lazy):
        with pytest.raises(ColumnNotFoundError, match="'nowhere'") as caught:
            dpi_check(graph, data)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize(
    ("exclude", "root", "error", "match"),
    [
        (["nowhere"], None, ColumnNotFoundError, "not in the data"),
        (["asia"], "asia", InvalidInputError, "which this learner needs"),
        ("all", None, InvalidInputError, "leaves no column"),
    ],
)
def test_exclude_is_checked_alike_on_both_paths(asia, exclude, root, error, match):
    lazy = dd.from_pandas(asia, npartitions=2)
    exclude = list(asia.columns) if exclude == "all" else exclude
    messages = []
    for data in (asia, lazy):
        with pytest.raises(error, match=match) as caught:
            chow_liu_tree(data, exclude=exclude, root=root)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize(
    ("columns", "error", "match"),
    [(["asia", "nowhere"], ColumnNotFoundError, "'nowhere' not found"),
     ([], InvalidInputError, "selects nothing"),
     (["asia", "asia"], InvalidInputError, "named more than once")],
)
def test_dask_tables_check_columns_as_select_columns_does(asia, columns, error, match):
    lazy = dd.from_pandas(asia, npartitions=2)
    messages = []
    for call in (lambda: select_columns(asia, columns), lambda: dask_table(lazy, columns)):
        with pytest.raises(error, match=match) as caught:
            call()
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


def test_wide_tables_list_the_same_columns_on_both_paths():
    # More than 20 columns: both paths show the first 20 and say there are more.
    rng = np.random.default_rng(5)
    wide = pd.DataFrame(rng.integers(0, 2, (200, 25)), columns=[f"c{j}" for j in range(25)])
    lazy = dd.from_pandas(wide, npartitions=2)
    messages = []
    for data in (wide, lazy):
        with pytest.raises(ColumnNotFoundError, match=r"'nowhere'.*'c19' \.\.\.$") as caught:
            chow_liu_tree(data, exclude=["nowhere"])
        messages.append(str(caught.value))
    for call in (lambda: select_columns(wide, ["nowhere"]),
                 lambda: dask_table(lazy, ["nowhere"])):
        with pytest.raises(ColumnNotFoundError, match=r"'c19' \.\.\.$") as caught:
            call()
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and messages[2] == messages[3]
