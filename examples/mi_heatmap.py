"""A mutual information heatmap of every pair of columns.

Question: which of the 37 variables of the ALARM network's sampled rows carry
information about each other? ``mutual_information_matrix`` counts every pair
in one pass; ``plot_heatmap`` draws it.

Run: ``python examples/mi_heatmap.py [OUTPUT_DIR]``
(``MISTRUCT_EXAMPLE_SMALL=1``: fewer rows).
"""

import os
import sys
from pathlib import Path

import numpy as np

import mistruct
from mistruct.interop import datasets
from mistruct.plotting import plot_heatmap

out = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MISTRUCT_EXAMPLE_OUT", "."))
out.mkdir(parents=True, exist_ok=True)
n_rows = 2000 if os.environ.get("MISTRUCT_EXAMPLE_SMALL") else 10000

example = datasets.sample_network("alarm", n_rows, seed=0)
matrix = mistruct.mutual_information_matrix(example.data)
print(f"MI matrix of {matrix.shape[0]} columns from {n_rows} rows (bits)")

upper = matrix.where(np.triu(np.ones(matrix.shape, dtype=bool), k=1)).stack()
top = upper.sort_values(ascending=False).head(8)
edges = {frozenset(edge) for edge in example.graph.edges()}
for (a, b), value in top.items():
    mark = "edge of the true network" if frozenset((a, b)) in edges else "no direct edge"
    print(f"  I({a}; {b}) = {value:.3f}  ({mark})")

figure = out / "mi_heatmap.png"
plot_heatmap(matrix, figure, title="ALARM: mutual information (bits)")
print(f"figure: {figure}")
