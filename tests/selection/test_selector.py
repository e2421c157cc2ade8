"""MutualInfoSelector: scikit-learn's estimator checks, Pipeline, GridSearchCV, clone."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils.estimator_checks import check_estimator

import mistruct.selection
from mistruct.exceptions import InvalidInputError
from mistruct.selection import MutualInfoSelector, select_features

#: scikit-learn checks that do not apply, with the reason (also in the class's Notes).
NOT_APPLICABLE = {
    # Object columns are categories to mistruct; a cell holding a dict gets mistruct's
    # own InvalidInputError (a ValueError naming the column), not the TypeError the
    # check expects from a numeric conversion.
    "check_dtype_object": "object columns are categories, not numbers",
    # Runs only with SCIPY_ARRAY_API set; mistruct works on NumPy arrays.
    "check_array_api_input": "array API inputs are not supported",
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_scikit_learn_estimator_checks():
    results = check_estimator(MutualInfoSelector(n_features=2), on_fail=None)
    names = {r["check_name"] for r in results}
    assert len(names) > 40  # the suite ran, not an empty list
    failed = [
        f"{r['check_name']}: {r['status']} {r['exception']}"
        for r in results
        if r["status"] != "passed" and r["check_name"] not in NOT_APPLICABLE
    ]
    assert not failed, "\n".join(failed)


def _problem(seed=0, n=600):
    rng = np.random.default_rng(seed)
    informative = rng.integers(0, 2, (n, 3))
    y = (informative.sum(axis=1) >= 2).astype(int)
    y = np.where(rng.random(n) < 0.1, 1 - y, y)
    X = pd.DataFrame(informative, columns=["a", "b", "c"])
    X["a_copy"] = X["a"]
    for j in range(6):
        X[f"noise{j}"] = rng.integers(0, 3, n)
    return X, y


def test_fit_transform_support_names_scores_ranking():
    X, y = _problem()
    selector = MutualInfoSelector(criterion="jmi", n_features=3).fit(X, y)
    assert selector.n_features_in_ == X.shape[1]
    assert list(selector.get_feature_names_out()) == ["a", "b", "c"]
    assert selector.get_support().tolist() == [c in {"a", "b", "c"} for c in X.columns]
    chosen = select_features(X, y, criterion="jmi", n_features=3).selected
    assert selector.result_.selected == chosen
    assert [selector.ranking_[list(X.columns).index(c)] for c in chosen] == [1, 2, 3]
    assert (selector.ranking_[~selector.get_support()] == 4).all()
    np.testing.assert_allclose(selector.scores_, selector.result_.feature_relevance.to_numpy())
    assert selector.scores_[0] > selector.scores_[-1]  # a carries information, noise5 none
    transformed = selector.transform(X)
    np.testing.assert_array_equal(np.asarray(transformed), X[["a", "b", "c"]].to_numpy())


def test_arrays_and_auto():
    X, y = _problem(1)
    selector = MutualInfoSelector(n_features="auto").fit(X.to_numpy(), y)
    assert selector.get_support(indices=True).tolist() == [0, 1, 2]
    assert list(selector.get_feature_names_out()) == ["x0", "x1", "x2"]


def test_pipeline_with_grid_search_over_n_features():
    X, y = _problem(2)
    pipe = Pipeline([
        ("select", MutualInfoSelector(criterion="mrmr")),
        ("encode", OneHotEncoder(handle_unknown="ignore")),
        ("model", LogisticRegression(max_iter=500)),
    ])
    search = GridSearchCV(pipe, {"select__n_features": [1, 3, 6, "auto"]}, cv=3)
    search.fit(X, y)
    assert search.best_params_["select__n_features"] in (3, "auto")
    best = search.best_estimator_.named_steps["select"]
    assert set(best.get_feature_names_out()) == {"a", "b", "c"}
    scores = search.cv_results_["mean_test_score"]
    assert scores[0] < max(scores)  # one feature loses to three
    assert cross_val_score(pipe.set_params(select__n_features=3), X, y, cv=3).mean() > 0.8


def test_clone_and_pickle_keep_the_parameters():
    selector = MutualInfoSelector("cmim", 4, alpha=0.01, seed=3)
    copy = clone(selector)
    assert copy.get_params() == selector.get_params()
    assert copy is not selector
    X, y = _problem(3)
    fitted = pickle.loads(pickle.dumps(selector.fit(X, y)))
    assert isinstance(fitted, mistruct.selection.MutualInfoSelector)
    np.testing.assert_array_equal(fitted.get_support(), selector.get_support())


def test_bad_options_fail_at_fit_with_mistruct_errors():
    X, y = _problem()
    with pytest.raises(InvalidInputError, match="criterion"):
        MutualInfoSelector(criterion="relief").fit(X, y)
    with pytest.raises(InvalidInputError, match="n_features"):
        MutualInfoSelector(n_features=0).fit(X, y)


def test_frames_with_text_columns_and_set_output():
    X, y = _problem(4)
    X["colour"] = np.where(X["b"] == 1, "red", "blue")  # b again, as text
    X = X.drop(columns="b")
    selector = MutualInfoSelector("mrmr", 3).set_output(transform="pandas").fit(X, y)
    assert set(selector.get_feature_names_out()) == {"a", "c", "colour"}
    out = selector.transform(X)
    assert isinstance(out, pd.DataFrame)
    assert out["colour"].tolist() == X["colour"].tolist()


def test_correction_is_a_parameter():
    X, y = _problem(5)
    plain = MutualInfoSelector("jmi", "auto", ci_test="g-test").fit(X, y)
    holm = MutualInfoSelector("jmi", "auto", ci_test="g-test", correction="holm").fit(X, y)
    assert holm.get_params()["correction"] == "holm"
    assert holm.result_.correction == "holm"
    chosen = holm.result_.selected
    assert chosen == plain.result_.selected[: len(chosen)]
    steps = np.arange(1, len(chosen) + 1)
    np.testing.assert_allclose(
        holm.result_.pvalues,
        np.minimum(1.0, np.asarray(plain.result_.pvalues[: len(chosen)]) * (steps + 1) / steps),
    )
    with pytest.raises(InvalidInputError, match="bh"):
        MutualInfoSelector(n_features="auto", correction="bh").fit(X, y)
