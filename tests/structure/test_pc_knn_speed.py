"""PC's kNN tests made faster (issue 11, item 4: a 500 x 30 table in about a minute).

* The early stop for dependence after the fewest surrogates that leave the
  run-through test rejecting with as many exceedances as before (27 instead of
  39 at alpha = 0.05 with 99 surrogates), still calibrated;
* kNN tests of a PC level run in worker processes (threads gain nothing: the
  many small NumPy calls of a test pass the GIL back and forth), with the
  results of one process.
"""

import math
import os
import warnings
from functools import partial

import numpy as np
import pandas as pd
import pytest

import mistruct.independence._workers as workers_module
from mistruct.independence import (
    TestWorkers,
    ci_tests_by_kind,
    knn_stopping,
    two_sided_stop_pvalue,
)
from mistruct.structure import pc_skeleton


def _rejecting(b, reject_after, alpha):
    """The most exceedances a run-through test rejects with."""
    return max(e for e in range(b) if two_sided_stop_pvalue(e, b, reject_after) <= alpha)


@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.2])
@pytest.mark.parametrize("b", [99, 199, 500])
def test_reject_after_is_the_shortest_first_stage_that_loses_no_rejections(alpha, b):
    h, reject_after = knn_stopping(alpha, b, True)
    reference = math.ceil(2 / alpha) - 1
    assert 1 / (reject_after + 1) <= alpha  # an early stop rejects
    assert reject_after <= reference
    assert _rejecting(b, reject_after, alpha) == _rejecting(b, reference, alpha)
    if 1 / reject_after <= alpha:  # one surrogate fewer would reject less often when run through
        assert _rejecting(b, reject_after - 1, alpha) < _rejecting(b, reference, alpha)
    # h still stops only where running on could not reject.
    assert two_sided_stop_pvalue(h - 1, b, reject_after) <= alpha
    assert two_sided_stop_pvalue(h, b, reject_after) > alpha
    assert h / b + 1 / (reject_after + 1) > alpha


def test_pc_default_stops_clear_dependence_after_27_surrogates():
    assert knn_stopping(0.05, 99, True) == (4, 27)
    rng = np.random.default_rng(0)
    z = rng.standard_normal(200)
    x = np.sin(2 * z) + 0.3 * rng.standard_normal(200)
    frame = pd.DataFrame({"x": x, "y": x + 0.3 * rng.standard_normal(200), "z": z})
    (result,) = ci_tests_by_kind(frame, [("x", "y", ("z",))], seed=0, knn_permutations=99,
                                 early_reject=True)
    assert result.n_permutations == 27 and result.pvalue == pytest.approx(1 / 28)
    assert not result.independent


def test_pc_kind_of_knn_test_is_calibrated_under_a_nonlinear_conditional_null():
    # X and Y depend on Z, not linearly, and not on each other given Z: PC's kNN test
    # (99 surrogates, both early stops) must reject at most alpha of the time.
    rng = np.random.default_rng(11)
    n, replicates = 150, 160
    queries, columns = [], {}
    for r in range(replicates):
        z = rng.uniform(-2, 2, n)
        columns[f"z{r}"] = z
        columns[f"x{r}"] = np.sin(2 * z) + 0.3 * rng.standard_normal(n)
        columns[f"y{r}"] = z**2 + 0.3 * rng.standard_normal(n)
        queries.append((f"x{r}", f"y{r}", (f"z{r}",)))
    frame = pd.DataFrame(columns)
    results = ci_tests_by_kind(frame, queries, seed=5, knn_permutations=99, early_reject=True)
    pvalues = np.array([r.pvalue for r in results])
    for u in (0.05, 0.2, 0.5):
        rate = np.mean(pvalues <= u)
        assert rate <= u + 3 * math.sqrt(u * (1 - u) / replicates), (u, rate)
    # The test still sees the dependence the null lacks: Y also driven by X.
    for r in range(20):
        frame[f"y{r}"] = frame[f"y{r}"] + frame[f"x{r}"]
    dependent = ci_tests_by_kind(frame, queries[:20], seed=5, knn_permutations=99,
                                 early_reject=True)
    assert np.mean([r.pvalue <= 0.05 for r in dependent]) >= 0.9


def _table(n=200, seed=2):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(n)
    b = np.sin(a) + 0.4 * rng.standard_normal(n)
    c = b**2 + 0.4 * rng.standard_normal(n)
    g = np.where(a + 0.5 * rng.standard_normal(n) > 0, "p", "q")
    return pd.DataFrame({"a": a, "b": b, "c": c, "d": rng.standard_normal(n), "g": g})


def test_workers_are_other_processes_and_give_the_results_of_one():
    with TestWorkers(2) as workers:
        pids = set(workers.map([os.getpid] * 8))
    assert os.getpid() not in pids and pids
    frame = _table()
    queries = [("a", "b", ()), ("a", "c", ("b",)), ("b", "d", ("a", "g")), ("a", "c", ("d",))]
    one = ci_tests_by_kind(frame, queries, seed=0, knn_permutations=99, early_reject=True)
    with TestWorkers(2) as workers:
        two = ci_tests_by_kind(frame, queries, seed=0, knn_permutations=99, early_reject=True,
                               n_jobs=2, workers=workers)
    assert [(r.statistic, r.pvalue, r.n_permutations) for r in one] == [
        (r.statistic, r.pvalue, r.n_permutations) for r in two
    ]


def test_pc_n_jobs_uses_processes_with_the_same_result(monkeypatch):
    frame = _table(seed=4)
    started = []
    original = workers_module.TestWorkers.__init__

    def spy(self, n_jobs):
        started.append(n_jobs)
        original(self, n_jobs)

    monkeypatch.setattr(workers_module.TestWorkers, "__init__", spy)
    one = pc_skeleton(frame, seed=1, n_jobs=1)
    two = pc_skeleton(frame, seed=1, n_jobs=2)
    assert started == [2]  # one set of workers for the whole search, none for n_jobs=1
    assert list(one.edges(data=True)) == list(two.edges(data=True))
    assert one.graph["sepsets"] == two.graph["sepsets"]
    assert one.graph["n_tests"] == two.graph["n_tests"]


def test_workers_fall_back_to_threads_with_a_warning(monkeypatch):
    def refuse(method=None):
        raise OSError("no processes here")

    monkeypatch.setattr(workers_module.multiprocessing, "get_context", refuse)
    with pytest.warns(RuntimeWarning, match="threads"):
        workers = TestWorkers(2)
    with workers:
        assert workers.map([partial(abs, -2), partial(abs, 3)]) == [2, 3]
    frame = _table(seed=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fallback = pc_skeleton(frame, seed=0, n_jobs=2)
    monkeypatch.undo()
    assert list(fallback.edges(data=True)) == list(pc_skeleton(frame, seed=0).edges(data=True))
