"""Mutual information and CI tests on continuous and mixed columns (kNN).

Question: on the Palmer penguins (333 birds, measured in millimetres and
grams, with species, island and sex), how much does each measurement tell
about another, or about the species, and does flipper length still depend on
bill depth once species and body mass are known?

The default ``estimator="auto"`` picks KSG for two continuous columns and Gao
et al.'s mixed estimator when a discrete column is involved; ``ci_test`` picks
the kNN local-permutation test when a continuous column is in the query.

Run: ``python examples/knn_continuous_mixed.py`` (``MISTRUCT_EXAMPLE_SMALL=1``:
fewer permutations).
"""

import os
from pathlib import Path

import pandas as pd

import mistruct
from mistruct.measures import mutual_information_estimate

small = bool(os.environ.get("MISTRUCT_EXAMPLE_SMALL"))
fixtures = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
penguins = pd.read_csv(fixtures / "penguins_complete.csv").drop(columns="year")

kinds = mistruct.column_kinds(penguins)
print("column kinds:", ", ".join(f"{name}={kind}" for name, kind in kinds.items()))

pairs = [
    ("flipper_length_mm", "body_mass_g"),
    ("bill_length_mm", "bill_depth_mm"),
    ("bill_length_mm", "species"),
    ("body_mass_g", "sex"),
    ("island", "species"),
]
for x, y in pairs:
    estimate = mutual_information_estimate(penguins[x], penguins[y], seed=0)
    print(f"I({x}; {y}) = {estimate.value:.3f} bits  [{estimate.estimator}]")

result = mistruct.ci_test(penguins, "flipper_length_mm", "bill_depth_mm",
                          given=["species", "body_mass_g"],
                          n_permutations=99 if small else 299, seed=0)
print(f"flipper_length_mm vs bill_depth_mm | species, body_mass_g: method {result.method}, "
      f"CMI = {result.cmi:.3f} bits, p = {result.pvalue:.3f}, independent: {result.independent}")
