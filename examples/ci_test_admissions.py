"""Is admission independent of gender once the department is known?

Question: the 1973 Berkeley graduate admissions (UCBAdmissions, the six largest
departments) show men admitted more often than women overall. Does the
association survive conditioning on the department (Simpson's paradox)?
The table is rebuilt from the published counts; p-values come from exact
within-department permutation nulls.

Run: ``python examples/ci_test_admissions.py [OUTPUT_DIR]``
(``MISTRUCT_EXAMPLE_SMALL=1`` draws fewer permutations).
"""

import os
import sys
from pathlib import Path

import pandas as pd

import mistruct
from mistruct.plotting import plot_null_distribution

out = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MISTRUCT_EXAMPLE_OUT", "."))
out.mkdir(parents=True, exist_ok=True)
n_permutations = 199 if os.environ.get("MISTRUCT_EXAMPLE_SMALL") else 999

# (department, gender) -> (admitted, rejected): Bickel, Hammel & O'Connell (1975).
COUNTS = {
    ("A", "Male"): (512, 313), ("A", "Female"): (89, 19),
    ("B", "Male"): (353, 207), ("B", "Female"): (17, 8),
    ("C", "Male"): (120, 205), ("C", "Female"): (202, 391),
    ("D", "Male"): (138, 279), ("D", "Female"): (131, 244),
    ("E", "Male"): (53, 138), ("E", "Female"): (94, 299),
    ("F", "Male"): (22, 351), ("F", "Female"): (24, 317),
}
rows = [
    (dept, gender, admit)
    for (dept, gender), (admitted, rejected) in COUNTS.items()
    for admit, count in (("Admitted", admitted), ("Rejected", rejected))
    for _ in range(count)
]
data = pd.DataFrame(rows, columns=["Dept", "Gender", "Admit"])
rates = data.assign(admitted=data["Admit"] == "Admitted").groupby("Gender")["admitted"].mean()
print(f"{len(data)} applicants; admitted: men {rates['Male']:.1%}, women {rates['Female']:.1%}")

marginal = mistruct.ci_test(data, "Admit", "Gender", method="permutation",
                            n_permutations=n_permutations, seed=0)
print(f"Admit vs Gender:          G = {marginal.statistic:7.2f}, p = {marginal.pvalue:.4f}, "
      f"independent: {marginal.independent}")

given_dept = mistruct.ci_test(data, "Admit", "Gender", given="Dept", method="permutation",
                              n_permutations=n_permutations, seed=0, return_null=True)
print(f"Admit vs Gender | Dept:   G = {given_dept.statistic:7.2f}, p = {given_dept.pvalue:.4f}, "
      f"independent: {given_dept.independent} ({given_dept.n_strata} departments)")

# The conditional association is department A's alone (women admitted more there).
without_a = data[data["Dept"] != "A"]
rest = mistruct.ci_test(without_a, "Admit", "Gender", given="Dept", method="permutation",
                        n_permutations=n_permutations, seed=0)
print(f"same, departments B-F:    G = {rest.statistic:7.2f}, p = {rest.pvalue:.4f}, "
      f"independent: {rest.independent}")

figure = out / "admissions_null.png"
plot_null_distribution(given_dept, figure, x="Admit", y="Gender", given=["Dept"])
print(f"figure: {figure}")
