"""Learn a Bayesian network from a CSV file, fit it, and query it with pgmpy.

Question: given a table of discrete observations (here rows sampled from the
ASIA network, written to ``asia.csv``), which structure explains them, and
what is P(lung cancer | dyspnoea, smoker) under the fitted network?

Run: ``python examples/bayesian_network_from_csv.py [OUTPUT_DIR]``
(``MISTRUCT_EXAMPLE_OUT`` sets the folder too; ``MISTRUCT_EXAMPLE_SMALL=1``
uses fewer rows).
"""

import os
import sys
from pathlib import Path

import pandas as pd
from pgmpy.inference import VariableElimination

import mistruct
from mistruct.interop import datasets
from mistruct.plotting import plot_graph

out = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MISTRUCT_EXAMPLE_OUT", "."))
out.mkdir(parents=True, exist_ok=True)
n_rows = 2000 if os.environ.get("MISTRUCT_EXAMPLE_SMALL") else 5000

# A CSV on disk, as a user would have it.
example = datasets.sample_network("asia", n_rows, seed=0)
csv_path = out / "asia.csv"
example.data.to_csv(csv_path, index=False)

data = pd.read_csv(csv_path, dtype=str)  # every column is a discrete state name
cpdag = mistruct.pc(data, alpha=0.01)
dag = mistruct.cpdag_to_dag(cpdag)
metrics = mistruct.structure_metrics(cpdag, example.graph)
print(f"learned {dag.number_of_edges()} edges from {len(data)} rows of {csv_path.name}")
print(f"skeleton precision {metrics.skeleton_precision:.2f}, recall {metrics.skeleton_recall:.2f}")
for parent, child in sorted(dag.edges()):
    print(f"  {parent} -> {child}")

model = mistruct.fit_bayesian_network(data, dag)
query = VariableElimination(model).query(["lung"], evidence={"dysp": "yes", "smoke": "yes"})
p_lung = dict(zip(query.state_names["lung"], query.values, strict=True))
print(f"P(lung = yes | dysp = yes, smoke = yes) = {p_lung['yes']:.3f}")

figure = out / "bayesian_network.png"
plot_graph(dag, figure, true_graph=example.graph, title="PC on asia.csv vs the true network")
print(f"figure: {figure}")
