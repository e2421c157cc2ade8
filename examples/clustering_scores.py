"""Score clusterings with NMI and AMI, and compare with scikit-learn.

Question: how well does KMeans recover the ten digits of scikit-learn's
bundled ``load_digits`` (1,797 8x8 images) as the number of clusters grows,
and does mistruct score it exactly as scikit-learn does? NMI rises with the
number of clusters even when they mean nothing; AMI corrects for chance.

Run: ``python examples/clustering_scores.py [OUTPUT_DIR]``
(``MISTRUCT_EXAMPLE_SMALL=1``: fewer cluster counts).
"""

import os
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn import metrics
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits

import mistruct

out = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MISTRUCT_EXAMPLE_OUT", "."))
out.mkdir(parents=True, exist_ok=True)
counts = [2, 10, 40] if os.environ.get("MISTRUCT_EXAMPLE_SMALL") else [2, 5, 10, 20, 40]

digits = load_digits()
rng = np.random.default_rng(0)
print(" k    NMI     AMI  | NMI random  AMI random | max |mistruct - sklearn|")
nmi, ami, nmi_random = [], [], []
for k in counts:
    labels = KMeans(n_clusters=k, n_init=1, random_state=0).fit_predict(digits.data)
    random_labels = rng.integers(0, k, len(labels))
    scores = [
        mistruct.normalized_mutual_info_score(digits.target, labels),
        mistruct.adjusted_mutual_info_score(digits.target, labels),
        mistruct.normalized_mutual_info_score(digits.target, random_labels),
        mistruct.adjusted_mutual_info_score(digits.target, random_labels),
    ]
    theirs = [
        metrics.normalized_mutual_info_score(digits.target, labels),
        metrics.adjusted_mutual_info_score(digits.target, labels),
        metrics.normalized_mutual_info_score(digits.target, random_labels),
        metrics.adjusted_mutual_info_score(digits.target, random_labels),
    ]
    gap = max(abs(a - b) for a, b in zip(scores, theirs, strict=True))
    print(f"{k:2d}  {scores[0]:.3f}  {scores[1]:.3f}  |   {scores[2]:.3f}      {scores[3]:+.3f}"
          f"   | {gap:.1e}")
    nmi.append(scores[0])
    ami.append(scores[1])
    nmi_random.append(scores[2])

figure, axes = plt.subplots(figsize=(5, 3.5))
axes.plot(counts, nmi, "o-", label="NMI, KMeans")
axes.plot(counts, ami, "s-", label="AMI, KMeans")
axes.plot(counts, nmi_random, "x--", label="NMI, random labels")
axes.set_xscale("log")
axes.set_xticks(counts, [str(k) for k in counts])
axes.minorticks_off()
axes.set_xlabel("number of clusters")
axes.set_ylabel("score against the digit")
axes.legend()
figure.tight_layout()
path = out / "clustering_scores.png"
figure.savefig(path, dpi=120)
print(f"figure: {path}")
