"""PC on a real table with discrete and continuous columns.

Question: which direct dependencies does the PC algorithm find among the
Palmer penguins' species, island, sex and four body measurements? Discrete
pairs are tested with G / permutation tests, pairs with a measurement with the
kNN local-permutation test (``ci_test="auto"``).

Run: ``python examples/pc_mixed_table.py [OUTPUT_DIR]``
(``MISTRUCT_EXAMPLE_SMALL=1``: fewer permutations per kNN test, conditioning sets
of one column at most).
"""

import os
import sys
from pathlib import Path

import pandas as pd

import mistruct
from mistruct.plotting import plot_graph

out = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MISTRUCT_EXAMPLE_OUT", "."))
out.mkdir(parents=True, exist_ok=True)
small = bool(os.environ.get("MISTRUCT_EXAMPLE_SMALL"))

fixtures = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
penguins = pd.read_csv(fixtures / "penguins_complete.csv").drop(columns="year")

cpdag = mistruct.pc(penguins, alpha=0.05, max_cond_size=1 if small else 2,
                    n_permutations=49 if small else 99, seed=0)
print(f"PC on {len(penguins)} penguins: {cpdag.number_of_nodes()} columns")
printed = set()
for a, b in sorted(cpdag.edges()):
    if cpdag.has_edge(b, a):
        if frozenset((a, b)) not in printed:
            print(f"  {a} -- {b}")
            printed.add(frozenset((a, b)))
    else:
        print(f"  {a} -> {b}")

figure = out / "pc_penguins.png"
plot_graph(cpdag, figure, title="PC (mixed CI tests) on the penguins")
print(f"figure: {figure}")
