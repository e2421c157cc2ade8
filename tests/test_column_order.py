"""Seeded results do not depend on column order (issue 12 item 11).

The random stream of a query is keyed by its content (labels of x, y and
the set given), not by column positions.
"""

import itertools

import numpy as np
import pandas as pd
import pytest

from mistruct.data._table import encode
from mistruct.independence import (
    METHODS,
    ci_test,
    ci_tests,
    ci_tests_encoded,
)
from mistruct.independence._core import content_query, label_key
from mistruct.interop import PgmpyCITest

ALL = ("auto", *METHODS)


@pytest.fixture(scope="module")
def frame():
    """A -> C <- B, D noisy copy of C, E unrelated; 5 columns ABCDE."""
    rng = np.random.default_rng(7)
    n = 600
    a = rng.integers(0, 3, n)
    b = rng.integers(0, 2, n)
    c = (a + b + (rng.random(n) < 0.3)) % 3
    d = np.where(rng.random(n) < 0.8, c, rng.integers(0, 3, n))
    e = rng.integers(0, 4, n)
    return pd.DataFrame({"A": a, "B": b, "C": c, "D": d, "E": e})


ORDERS = ["ABCDE", "BACDE", "EDCBA", "CEADB"]


@pytest.mark.parametrize("method", ALL)
def test_same_pvalue_for_every_column_order(frame, method):
    """The issue's reproducer: p = 0.5 on ABCDE and 0.588 on BACDE, before."""
    queries = [("A", "B", ["C"]), ("A", "D", ["C", "E"]), ("B", "E", []), ("D", "A", ["E", "C"])]
    for x, y, given in queries:
        results = [
            ci_test(frame[list(order)], x, y, given, method=method, seed=0, n_permutations=199)
            for order in ORDERS
        ]
        swapped = ci_test(frame, y, x, given[::-1], method=method, seed=0, n_permutations=199)
        assert len({r.pvalue for r in [*results, swapped]}) == 1, (x, y, given)
        assert len({r.method for r in results}) == 1


@pytest.mark.parametrize("method", ["permutation", "sequential", "auto"])
def test_every_entry_point_agrees_in_any_order(frame, method):
    opts = dict(method=method, n_permutations=199, seed=3)
    reference = ci_test(frame, "A", "B", ["C"], **opts).pvalue
    for order in ORDERS:
        data = frame[list(order)]
        many = ci_tests(data, [("B", "A", ["C"]), ("A", "E")], **opts)
        table = encode(data)
        where = {name: i for i, name in enumerate(table.names)}
        encoded = ci_tests_encoded(table, [(where["A"], where["B"], [where["C"]])], **opts)[0]
        adapter = PgmpyCITest(data, ci_test=method, n_permutations=199, seed=3)
        adapter("B", "A", ["C"], significance_level=0.05)
        assert many.loc[0, "pvalue"] == encoded.pvalue == adapter.p_value_ == reference


def test_knn_test_does_not_depend_on_column_order():
    rng = np.random.default_rng(2)
    n = 300
    z = rng.normal(size=n)
    data = pd.DataFrame(
        {"x": z + rng.normal(size=n), "y": z + rng.normal(size=n), "z": z, "w": rng.normal(size=n)}
    )
    results = {
        ci_test(data[list(order)], "x", "y", "z", n_permutations=49, seed=0).pvalue
        for order in ["xyzw", "wzyx", "yxwz"]
    }
    results.add(ci_test(data, "y", "x", "z", n_permutations=49, seed=0).pvalue)
    assert len(results) == 1


def test_content_key_is_stable_and_tells_labels_apart():
    x, y, given, key = content_query("b", "a", ("d", "c"))
    assert (x, y, given) == ("a", "b", ("c", "d"))
    assert content_query("a", "b", ("c", "d"))[3] == key
    # 1 and "1" are different columns; 1 and np.int64(1) the same.
    assert label_key(1) != label_key("1")
    assert label_key(np.int64(1)) == label_key(1)
    # Keyed by the set {x, y} and the set given: argument order does not matter.
    assert content_query("A", "B", ("C",))[3] == content_query("B", "A", ["C"])[3]
    keys = {content_query(*q)[3] for q in itertools.permutations("ABC", 2)}
    assert len(keys) == 3
