"""MutualInfoSelector: :func:`select_features` as a scikit-learn selector.

scikit-learn is optional for mistruct's core, so the class (which subclasses
scikit-learn's ``SelectorMixin`` and ``BaseEstimator``) is built on first use
by :func:`selector_class`, with a clear error when scikit-learn is missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mistruct.selection._select import select_features

_CLASS = []


def selector_class():
    """The ``MutualInfoSelector`` class (built once; needs scikit-learn)."""
    if not _CLASS:
        _CLASS.append(_build())
    return _CLASS[0]


def _build():
    try:
        from sklearn.base import BaseEstimator
        from sklearn.feature_selection import SelectorMixin
        from sklearn.utils.validation import check_is_fitted, validate_data
    except ImportError as error:  # pragma: no cover - scikit-learn ships with pgmpy
        raise ImportError(
            "MutualInfoSelector needs scikit-learn: pip install 'mistruct[selection]' "
            "(or pip install scikit-learn). select_features works without it."
        ) from error

    class MutualInfoSelector(SelectorMixin, BaseEstimator):
        """Select features by a mutual-information criterion (scikit-learn selector).

        A scikit-learn ``SelectorMixin``: :func:`mistruct.selection.select_features`
        chooses the columns at ``fit``; ``transform`` keeps them (in the
        table's order, as every scikit-learn selector does; ``ranking_`` and
        ``result_`` give the order of choice).  Works in ``Pipeline``,
        ``clone``, ``GridSearchCV`` and ``cross_val_score``; accepts
        DataFrames (column kinds from their dtypes) and arrays.

        Parameters
        ----------
        criterion : str, default "mrmr"
        n_features : int or "auto", default 10
        beta, alpha, ci_test, n_permutations, estimator, k, seed, discrete, continuous, missing
            As in :func:`mistruct.selection.select_features`.
        correction : {None, "holm"}, default None
            Multiple testing over the steps of ``n_features="auto"`` (as in
            :func:`mistruct.selection.select_features`).

        Attributes
        ----------
        result_ : SelectionResult
            The selection, step by step.
        support_ : ndarray of bool
            Which columns are kept.
        scores_ : ndarray of float
            ``I(f; y)`` of every feature, in bits.
        ranking_ : ndarray of int
            Step at which each feature was chosen (1 = first); features not
            chosen get ``len(selected) + 1``.
        n_features_in_ : int
        feature_names_in_ : ndarray of str
            When fitted on a DataFrame with string column names.

        Notes
        -----
        Every check of scikit-learn's ``check_estimator`` passes
        (``tests/selection/test_selector.py`` runs them all) except two that
        do not apply: ``check_dtype_object`` (object columns are categories
        to mistruct, so a cell holding a dict gets mistruct's
        ``InvalidInputError`` naming the column, not the ``TypeError`` of a
        numeric conversion the check expects) and ``check_array_api_input``
        (NumPy arrays only; the check runs only with ``SCIPY_ARRAY_API``
        set).  Float columns take the kNN estimators, which need more rows
        than ``k``.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from mistruct.selection import MutualInfoSelector
        >>> rng = np.random.default_rng(0)
        >>> X = pd.DataFrame(rng.integers(0, 2, (400, 4)), columns=list("abcd"))
        >>> y = X["a"] ^ X["b"]
        >>> MutualInfoSelector("jmi", n_features=2).fit(X, y).get_feature_names_out().tolist()
        ['a', 'b']

        See Also
        --------
        mistruct.selection.select_features : the function behind it.
        sklearn.feature_selection.SelectKBest : relevance only.
        """

        def __init__(
            self,
            criterion="mrmr",
            n_features=10,
            *,
            beta=1.0,
            alpha=0.05,
            ci_test="auto",
            n_permutations=None,
            estimator="auto",
            k=3,
            seed=0,
            discrete=None,
            continuous=None,
            missing="error",
            correction=None,
        ):
            self.criterion = criterion
            self.n_features = n_features
            self.beta = beta
            self.alpha = alpha
            self.ci_test = ci_test
            self.n_permutations = n_permutations
            self.estimator = estimator
            self.k = k
            self.seed = seed
            self.discrete = discrete
            self.continuous = continuous
            self.missing = missing
            self.correction = correction

        def fit(self, X, y):
            """Choose the features of ``X`` that carry information about ``y``."""
            finite = True if self.missing == "error" else "allow-nan"
            if isinstance(X, pd.DataFrame):
                # Keep the frame: its dtypes say which columns are categories.
                validate_data(self, X, y, skip_check_array=True)
                if y is None:  # pragma: no cover - validate_data refuses it first
                    raise ValueError("MutualInfoSelector requires y to be passed.")
                frame = X
            else:
                frame, y = validate_data(
                    self, X, y, dtype=None, ensure_all_finite=finite, ensure_min_samples=2,
                    y_numeric=False, multi_output=False,
                )
            y = np.asarray(y)
            if y.ndim == 2 and y.shape[1] == 1:
                y = y[:, 0]
            if len(frame) < 2:
                raise ValueError(
                    f"MutualInfoSelector needs at least 2 samples, got {len(frame)} sample(s)."
                )
            self.result_ = select_features(
                frame,
                pd.Series(y, name=_target_name(frame)),
                criterion=self.criterion,
                n_features=self.n_features,
                beta=self.beta,
                alpha=self.alpha,
                ci_test=self.ci_test,
                n_permutations=self.n_permutations,
                estimator=self.estimator,
                k=self.k,
                seed=self.seed,
                discrete=self.discrete,
                continuous=self.continuous,
                missing=self.missing,
                correction=self.correction,
            )
            labels = list(self.result_.feature_relevance.index)
            position = {label: j for j, label in enumerate(labels)}
            support = np.zeros(len(labels), dtype=bool)
            ranking = np.full(len(labels), len(self.result_.selected) + 1, dtype=np.int64)
            for step, label in enumerate(self.result_.selected, start=1):
                support[position[label]] = True
                ranking[position[label]] = step
            self.support_ = support
            self.ranking_ = ranking
            self.scores_ = self.result_.feature_relevance.to_numpy(dtype=float)
            return self

        def _get_support_mask(self):
            check_is_fitted(self, "support_")
            return self.support_

        def __sklearn_tags__(self):
            tags = super().__sklearn_tags__()
            tags.target_tags.required = True
            tags.input_tags.allow_nan = self.missing != "error"
            return tags

    MutualInfoSelector.__module__ = "mistruct.selection"  # so pickle finds it
    MutualInfoSelector.__qualname__ = "MutualInfoSelector"
    return MutualInfoSelector


def _target_name(frame):
    """A label for the target that no column of ``frame`` has."""
    columns = set(frame.columns) if isinstance(frame, pd.DataFrame) else set()
    name = "y"
    while name in columns:
        name = f"_{name}"
    return name

