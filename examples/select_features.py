"""Choose the features of a real table that carry information about its target, and stop.

Question: which of the 30 measurements of scikit-learn's breast-cancer table
(569 tumours, benign or malignant) are worth keeping?  Many are near copies of
each other (radius, perimeter and area of the same cell nuclei), so ranking by
relevance alone keeps copies; JMI with ``n_features="auto"`` adds a measurement
only while it still says something about the diagnosis given those chosen.

The measurements are cut into 5 quantile bins first (``Discretizer``), so the
selection runs on exact counts, vectorised over all candidates.  Then the same
selection three other ways: with ``correction="holm"`` (the steps as a family,
step t tested at alpha t / (t + 1)), on the raw measurements through the kNN
estimators (no bins), and on a Dask DataFrame (counted partition by partition,
the same answer).

Run: ``python examples/select_features.py``  (several seconds)
"""

import dask
import dask.dataframe as dd
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.feature_selection import SelectKBest, mutual_info_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mistruct.data import Discretizer
from mistruct.selection import select_features

data = load_breast_cancer(as_frame=True)
X, y = data.data, data.target
binned = Discretizer(5).fit_transform(X)

result = select_features(binned, y, criterion="jmi", n_features="auto", seed=0)
print(f"JMI chose {len(result)} of {X.shape[1]} measurements:")
print(result.to_frame().round(4).to_string())
print(f"stopped: {result.stop_reason}\n")

# Relevance only, the same number of features: near copies crowd the list.
k = len(result)
kbest = SelectKBest(lambda a, b: mutual_info_classif(a, b, random_state=0), k=k).fit(X, y)
relevance_only = list(X.columns[kbest.get_support()])
print(f"SelectKBest(mutual_info_classif, k={k}): {relevance_only}")

model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
for name, columns in [("JMI, auto", list(result.selected)), ("SelectKBest", relevance_only),
                      ("all 30", list(X.columns))]:
    accuracy = cross_val_score(model, X[columns], y, cv=5).mean()
    print(f"{name:>12}: {len(columns):2d} features, 5-fold accuracy {accuracy:.3f}")


# The steps as a family: "holm" tests step t at alpha t / (t + 1).
holm = select_features(binned, y, criterion="jmi", n_features="auto", seed=0,
                       correction="holm")
print(f"\nwith correction='holm': {holm.selected} (p-values {np.round(holm.pvalues, 4)})")

# No bins: the measurements themselves, through the kNN estimators (KSG, Frenzel-Pompe).
knn = select_features(X, y, criterion="jmi", n_features=len(result))
print(f"JMI on the raw measurements (kNN), {len(result)} features: {knn.selected}")

# A Dask DataFrame: every step counted partition by partition, the same answer.
lazy_table = dd.from_pandas(binned.assign(diagnosis=y), npartitions=3)
with dask.config.set(scheduler="threads"):
    lazy = select_features(lazy_table.drop(columns="diagnosis"), lazy_table["diagnosis"],
                           criterion="jmi", n_features="auto", seed=0)
print(f"on a Dask DataFrame (3 partitions): {lazy.selected}")

assert 2 <= len(result) < X.shape[1]
assert np.all(np.asarray(result.pvalues) <= 0.05)
assert holm.selected == result.selected[: len(holm.selected)]
assert lazy.selected == result.selected and lazy.pvalues == result.pvalues
