"""ARACNE: DPI pruning of the MI network, tolerances, thresholds."""

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mistruct import mutual_information_matrix
from mistruct.exceptions import InvalidInputError
from mistruct.interop.datasets import sample_network
from mistruct.structure import aracne, permutation_mi_threshold
from mistruct.structure._aracne import _dpi_keep


def undirected(graph):
    return {frozenset(edge) for edge in graph.edges()}


def reference_keep(mi, present, tolerance, kind):
    """Triangle-by-triangle ARACNE on the original matrix."""
    p = len(mi)
    keep = present.copy()
    for a, b in itertools.combinations(range(p), 2):
        if not present[a, b]:
            continue
        for c in range(p):
            if c in (a, b) or not (present[a, c] and present[b, c]):
                continue
            low = min(mi[a, c], mi[b, c])
            limit = low - tolerance if kind == "additive" else (1 - tolerance) * low
            if mi[a, b] < limit:
                keep[a, b] = keep[b, a] = False
    return keep


@pytest.fixture(scope="module")
def chain():
    rng = np.random.default_rng(0)
    n = 4000
    a = rng.integers(0, 3, n)
    b = np.where(rng.random(n) < 0.15, rng.integers(0, 3, n), a)
    c = np.where(rng.random(n) < 0.15, rng.integers(0, 3, n), b)
    d = np.where(rng.random(n) < 0.15, rng.integers(0, 3, n), c)
    return pd.DataFrame({"a": a, "b": b, "c": c, "d": d, "noise": rng.integers(0, 2, n)})


def test_chain_keeps_direct_edges(chain):
    network = aracne(chain, mi_threshold=0.01)
    assert isinstance(network, nx.Graph) and not network.is_directed()
    assert undirected(network) == {frozenset(p) for p in [("a", "b"), ("b", "c"), ("c", "d")]}
    assert set(network.nodes) == set(chain.columns)
    matrix = mutual_information_matrix(chain)
    for u, v, data in network.edges(data=True):
        assert data["mi"] == pytest.approx(matrix.loc[u, v], abs=1e-12)
        assert data["weight"] == data["mi"]
    assert network.graph["method"] == "aracne" and network.graph["mi_threshold"] == 0.01


def test_tolerances_on_a_hand_made_matrix():
    # Triangle with I(a,b)=0.5, I(a,c)=0.6, I(b,c)=0.7: a-b is the weakest.
    mi = np.array([[0, 0.5, 0.6], [0.5, 0, 0.7], [0.6, 0.7, 0]])
    present = ~np.eye(3, dtype=bool)
    assert not _dpi_keep(mi, present, 0.0, "additive")[0, 1]
    # additive: 0.5 < 0.6 - eps fails for eps >= 0.1
    assert not _dpi_keep(mi, present, 0.09, "additive")[0, 1]
    assert _dpi_keep(mi, present, 0.1, "additive")[0, 1]
    # multiplicative: 0.5 < (1 - eps) 0.6 fails for eps >= 1/6
    assert not _dpi_keep(mi, present, 0.16, "multiplicative")[0, 1]
    assert _dpi_keep(mi, present, 0.17, "multiplicative")[0, 1]
    # The other two edges always stay.
    kept = _dpi_keep(mi, present, 0.0, "multiplicative")
    assert kept[0, 2] and kept[1, 2]


def test_exact_ties_keep_every_edge():
    mi = np.full((3, 3), 0.4)
    present = ~np.eye(3, dtype=bool)
    assert _dpi_keep(mi, present, 0.0, "additive").sum() == 6


def test_a_triangle_needs_all_three_edges():
    mi = np.array([[0, 0.5, 0.6], [0.5, 0, 0.7], [0.6, 0.7, 0]])
    present = ~np.eye(3, dtype=bool)
    present[1, 2] = present[2, 1] = False
    kept = _dpi_keep(mi, present, 0.0, "additive")
    assert kept[0, 1] and kept[0, 2]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 9),
    st.integers(0, 2**32 - 1),
    st.sampled_from(["additive", "multiplicative"]),
    st.floats(0, 0.5),
    st.floats(0, 0.4),
)
def test_vectorized_matches_triangle_loop(p, seed, kind, tolerance, threshold):
    rng = np.random.default_rng(seed)
    mi = rng.random((p, p)).round(2)  # rounding makes ties common
    mi = (mi + mi.T) / 2
    present = mi > threshold
    np.fill_diagonal(present, False)
    np.testing.assert_array_equal(
        _dpi_keep(mi, present, tolerance, kind), reference_keep(mi, present, tolerance, kind)
    )


def test_chunked_triangles_match(monkeypatch):
    rng = np.random.default_rng(5)
    mi = rng.random((30, 30))
    mi = (mi + mi.T) / 2
    present = ~np.eye(30, dtype=bool)
    whole = _dpi_keep(mi, present, 0.01, "additive")
    import importlib

    module = importlib.import_module("mistruct.structure._aracne")  # not the function
    monkeypatch.setattr(module, "_TRIANGLE_BLOCK", 30 * 30 * 4)  # 4 rows at a time
    np.testing.assert_array_equal(_dpi_keep(mi, present, 0.01, "additive"), whole)


def test_column_order_does_not_matter():
    data = sample_network("alarm", 3000, seed=2).data
    reference = undirected(aracne(data, tolerance=0.05, tolerance_type="multiplicative"))
    for seed in range(3):
        order = list(np.random.default_rng(seed).permutation(data.columns))
        network = aracne(data[order], tolerance=0.05, tolerance_type="multiplicative")
        assert undirected(network) == reference


def test_alarm_recovers_most_edges():
    example = sample_network("alarm", 5000, seed=0)
    network = aracne(example.data, mi_threshold="permutation", seed=0, n_permutations=300)
    true = undirected(example.graph)
    found = undirected(network)
    assert len(found & true) / len(found) > 0.7
    assert len(found & true) / len(true) > 0.6


def test_more_tolerance_keeps_more_edges(chain):
    counts = [
        aracne(chain, tolerance=t, tolerance_type="multiplicative").number_of_edges()
        for t in (0.0, 0.2, 0.5, 0.9)
    ]
    assert counts == sorted(counts)
    assert counts[0] < counts[-1]


def test_permutation_threshold(chain):
    first = permutation_mi_threshold(chain, n_permutations=300, seed=1)
    assert first == permutation_mi_threshold(chain, n_permutations=300, seed=1)
    assert 0 < first < 0.01  # independent pairs of 4000 rows have tiny MI
    network = aracne(chain, mi_threshold="permutation", n_permutations=300, seed=1)
    assert network.graph["mi_threshold"] == first
    assert network.degree("noise") == 0
    strict = permutation_mi_threshold(chain, alpha=0.001, n_permutations=300, seed=1)
    assert strict >= first


def test_permutation_null_matches_row_shuffling():
    # The random-table null has the distribution of MI after shuffling rows.
    from mistruct import mutual_information

    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, 300)
    y = np.where(rng.random(300) < 0.5, x, rng.integers(0, 3, 300))
    frame = pd.DataFrame({"x": x, "y": y})
    from mistruct.structure._aracne import _permutation_threshold
    from mistruct.structure._common import _mi_state

    state = _mi_state(frame, estimator="plugin", missing="error")
    quantiles = [_permutation_threshold(state, a, 400, 7) for a in (0.5, 0.1)]
    shuffled = [mutual_information(rng.permutation(x), y) for _ in range(400)]
    assert quantiles[0] == pytest.approx(np.quantile(shuffled, 0.5), rel=0.25)
    assert quantiles[1] == pytest.approx(np.quantile(shuffled, 0.9), rel=0.25)


def test_errors(chain):
    with pytest.raises(InvalidInputError, match="tolerance_type"):
        aracne(chain, tolerance_type="relative")
    with pytest.raises(InvalidInputError, match="out of range"):
        aracne(chain, tolerance=-0.1)
    with pytest.raises(InvalidInputError, match="out of range"):
        aracne(chain, tolerance=1.0, tolerance_type="multiplicative")
    with pytest.raises(InvalidInputError, match="mi_threshold"):
        aracne(chain, mi_threshold="bonferroni")
    with pytest.raises(InvalidInputError, match="mi_threshold"):
        aracne(chain, mi_threshold=float("nan"))
    with pytest.raises(InvalidInputError, match="n_permutations"):
        aracne(chain, mi_threshold="permutation", n_permutations=0)


def test_input_not_modified(chain):
    before = chain.copy()
    aracne(chain, mi_threshold="permutation", n_permutations=50, seed=0)
    pd.testing.assert_frame_equal(chain, before)
