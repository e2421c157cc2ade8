"""Continuous and mixed columns: the batched kNN terms equal one mutual_information per term."""

import numpy as np
import pandas as pd
import pytest

import mistruct.selection._select as select_module
from mistruct.selection import select_features


def _mixed_table(seed=0, n=400):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, 6)), columns=[f"c{j}" for j in range(6)])
    frame["c0_twin"] = frame["c0"] + 0.05 * rng.normal(size=n)
    frame["rounded"] = np.round(frame["c2"] + rng.normal(size=n), 1)  # ties: per-call noise
    frame["level"] = rng.integers(0, 3, n)
    frame["flag"] = (frame["c1"] > 0.5).astype(int)
    target = frame["c0"] + frame["c1"] + 0.5 * frame["level"] + 0.5 * rng.normal(size=n)
    return frame, target


def _both_paths(monkeypatch, X, y, **options):
    monkeypatch.setattr(select_module, "BATCHED_KNN", False)
    reference = select_features(X, y, **options)
    monkeypatch.setattr(select_module, "BATCHED_KNN", True)
    return reference, select_features(X, y, **options)


@pytest.mark.parametrize("criterion", ["mrmr", "jmi", "cmim", "cife", "jmim"])
def test_batched_terms_equal_the_per_call_terms(monkeypatch, criterion):
    X, y = _mixed_table(0)
    reference, batched = _both_paths(monkeypatch, X, y, criterion=criterion, n_features=5)
    assert batched.selected == reference.selected
    # The same kernels on the same prepared arrays: equal to the last bit.
    assert batched.scores == reference.scores
    assert batched.redundancy == reference.redundancy
    pd.testing.assert_series_equal(batched.feature_relevance, reference.feature_relevance,
                                   check_exact=True)


@pytest.mark.parametrize("estimator", ["ksg", "mixed"])
def test_batched_terms_for_the_named_estimators(monkeypatch, estimator):
    X, y = _mixed_table(1)
    if estimator == "ksg":
        X = X.drop(columns=["level", "flag"])  # ksg takes numeric columns only
    reference, batched = _both_paths(monkeypatch, X, y, criterion="jmi", n_features=4,
                                     estimator=estimator, k=5, seed=3)
    assert batched.selected == reference.selected
    assert batched.scores == reference.scores


def test_discrete_target_with_continuous_features(monkeypatch):
    X, y = _mixed_table(2)
    classes = (y > y.median()).astype(int).to_numpy()
    reference, batched = _both_paths(monkeypatch, X, classes, criterion="mrmr", n_features=4)
    assert batched.selected == reference.selected
    assert batched.scores == reference.scores
    assert set(batched.selected[:2]) <= {"c0", "c0_twin", "c1", "flag", "level"}


def test_auto_stop_is_unchanged(monkeypatch):
    X, y = _mixed_table(3)
    reference, batched = _both_paths(monkeypatch, X, y, criterion="jmi", n_features="auto",
                                     n_permutations=199)
    assert batched.selected == reference.selected
    assert batched.pvalues == reference.pvalues
    assert batched.stop_reason == reference.stop_reason


def test_batched_path_makes_no_per_candidate_measure_calls(monkeypatch):
    # Continuous pairs no longer go through the public measure (its door) once per term.
    calls = []
    original = select_module.mutual_information

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(select_module, "mutual_information", counting)
    rng = np.random.default_rng(4)
    X = pd.DataFrame(rng.normal(size=(300, 8)), columns=[f"c{j}" for j in range(8)])
    y = X["c0"] - X["c1"] + rng.normal(size=300)
    batched = select_features(X, y, criterion="cmim", n_features=3)
    assert calls == []
    monkeypatch.setattr(select_module, "BATCHED_KNN", False)
    reference = select_features(X, y, criterion="cmim", n_features=3)
    assert len(calls) == 8 + 2 * (7 + 6)  # relevance, then I(f; s) and I(f; y | s) per step
    assert batched.selected == reference.selected


def test_generator_seed_keeps_the_per_call_path(monkeypatch):
    X, y = _mixed_table(5, n=200)
    first = select_features(X, y, n_features=2, seed=np.random.default_rng(0))
    second = select_features(X, y, n_features=2, seed=np.random.default_rng(0))
    assert first.selected == second.selected
