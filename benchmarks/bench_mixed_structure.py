"""Structure learning on a table of float and string columns with nonlinear relations.

A known network of 7 columns (4 float, 2 string, 1 float noise) with
nonlinear links; the same rows go to every learner in one process:

* mistruct PC with ``method="auto"`` (kNN local-permutation tests where a
  float column is involved, G-tests between string columns);
* mistruct PC with ``method="gaussian"`` (partial correlation; string
  columns as integer codes);
* mistruct PC on the table with float columns in 5 quantile bins
  (``Discretizer``), adjusted G-tests;
* mistruct Chow-Liu tree with the kNN/mixed MI matrix;
* causal-learn's PC with Fisher's z (string columns as integer codes).

Reported: wall time and skeleton precision / recall / F1 against the true
network.

    python benchmarks/bench_mixed_structure.py                  # 500 and 2000 rows
    python benchmarks/bench_mixed_structure.py --rows 500 --no-write
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, markdown_table, write_section  # noqa: E402

from mistruct.data._table import Discretizer  # noqa: E402
from mistruct.structure import chow_liu_tree, structure_metrics  # noqa: E402
from mistruct.structure._pc import pc_skeleton  # noqa: E402

TRUE = nx.DiGraph(
    [
        ("age", "income"),
        ("region", "income"),
        ("age", "tenure"),
        ("income", "spend"),
        ("spend", "churn"),
        ("tenure", "churn"),
    ]
)
TRUE.add_node("noise")


def sample(n: int, seed: int = 0) -> pd.DataFrame:
    """Rows of TRUE: quadratic, saturating and threshold links."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(20, 70, n)
    region = rng.choice(["north", "south", "east"], n)
    shift = pd.Series(region).map({"north": 0.0, "south": 0.8, "east": -0.8}).to_numpy()
    income = ((age - 45) / 12) ** 2 + shift + 0.6 * rng.standard_normal(n)  # U-shaped in age
    tenure = np.sqrt(age - 18) + 0.5 * rng.standard_normal(n)
    spend = np.tanh(income - 1) + 0.3 * rng.standard_normal(n)  # saturating
    score = 2 * spend - 0.6 * tenure + 0.5 * rng.standard_normal(n)
    churn = np.where(score > np.median(score), "yes", "no")
    return pd.DataFrame(
        {
            "age": age,
            "region": region,
            "income": income,
            "tenure": tenure,
            "spend": spend,
            "churn": churn,
            "noise": rng.standard_normal(n),
        }
    )


def as_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """String columns as integer codes (floats kept), for the tests that need numbers."""
    out = frame.copy()
    for name in out.columns:
        if out[name].dtype == object or pd.api.types.is_string_dtype(out[name]):
            out[name] = pd.factorize(out[name], sort=True)[0].astype(float)
    return out


def causal_learn_fisherz(frame: pd.DataFrame) -> nx.Graph:
    from causallearn.search.ConstraintBased.PC import pc as cl_pc

    numeric = as_codes(frame)
    result = cl_pc(numeric.to_numpy(), 0.05, "fisherz", stable=True, show_progress=False)
    matrix = result.G.graph
    names = list(frame.columns)
    graph = nx.Graph()
    graph.add_nodes_from(names)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if matrix[i, j] != 0 or matrix[j, i] != 0:
                graph.add_edge(names[i], names[j])
    return graph


def learners():
    return {
        "mistruct PC, auto (kNN tests)": lambda d: pc_skeleton(d, seed=0),
        "mistruct PC, gaussian": lambda d: pc_skeleton(as_codes(d), ci_test="gaussian"),
        "mistruct PC, 5 quantile bins + G-test": lambda d: pc_skeleton(
            Discretizer(5).fit_transform(d)
        ),
        "mistruct Chow-Liu tree (kNN/mixed MI)": lambda d: chow_liu_tree(d, seed=0),
        "causal-learn PC, fisherz": causal_learn_fisherz,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    rows = []
    with threadpool_limits(1):
        for n in args.rows:
            data = sample(n, seed=0)
            for name, learn in learners().items():
                start = time.perf_counter()
                graph = learn(data)
                seconds = time.perf_counter() - start
                m = structure_metrics(graph, TRUE)
                rows.append(
                    [
                        n,
                        name,
                        f"{seconds:.2f}",
                        f"{m.skeleton_precision:.3f}",
                        f"{m.skeleton_recall:.3f}",
                        f"{m.skeleton_f1:.3f}",
                    ]
                )
                print(" | ".join(map(str, rows[-1])), flush=True)
    table = markdown_table(["rows", "learner", "seconds", "precision", "recall", "F1"], rows)
    body = "\n".join(
        [
            "## Structure learning on a mixed, nonlinear table",
            "",
            "7 columns (age, income, tenure, spend, noise float; region, churn strings) with "
            "U-shaped, square-root, saturating and threshold links; 6 true edges, noise "
            "unconnected. Skeleton scores against the true network; one process, one thread.",
            "",
            table,
            "",
            f"Machine: {machine()}.",
            "",
            "Reproduce: `python benchmarks/bench_mixed_structure.py` (needs the bench extra).",
        ]
    )
    if not args.no_write:
        write_section("mixed-structure", body)
    print(table)


if __name__ == "__main__":
    main()
