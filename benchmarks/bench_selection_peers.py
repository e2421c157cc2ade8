"""Feature selection against the selection packages: skfeature-chappers' JMI and mrmr-selection.

The issue's question: selecting 50 of 1,000 four-state features at 10^5 rows,
mistruct against skfeature-chappers' JMI. skfeature computes every
candidate's information term in Python, one candidate and one step at a
time, so its time grows as (steps x candidates x rows): it is measured here
on smaller problems (both libraries on the same data in this process) and
extrapolated to the issue's size by that product; mistruct is measured at the
issue's size.  mrmr-selection (F-statistic relevance, correlation redundancy:
no information measure) is timed at the issue's size as well.

Run: python benchmarks/bench_selection_peers.py [--quick]   (writes the
"selection-peers" section of docs/benchmarks.md; needs
``pip install skfeature-chappers mrmr-selection``)
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from _report import machine, markdown_table, write_section

from mistruct.selection import select_features


def _timed(function):
    start = time.perf_counter()
    out = function()
    return out, time.perf_counter() - start


def _problem(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, (n, p))
    y = X[:, 0] + X[:, 1] + rng.integers(0, 2, n)  # f0000 and f0001 informative
    return X, y, pd.DataFrame(X, columns=[f"f{j:04d}" for j in range(p)])


def _ours(frame, y, k):
    return select_features(frame, y, criterion="jmi", n_features=k, discrete=list(frame.columns))


def main():
    from mrmr import mrmr_classif
    from skfeature.function.information_theoretical_based import JMI

    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes; do not write docs")
    args = parser.parse_args()
    small = [(5_000, 50, 5)] if args.quick else [(10_000, 100, 10), (10_000, 200, 10)]
    target = (20_000, 200, 20) if args.quick else (100_000, 1_000, 50)

    rows, per_unit = [], []
    for n, p, k in small:
        X, y, frame = _problem(n, p)
        ranking, t_peer = _timed(
            lambda X=X, y=y, k=k: JMI.jmi(X, y, n_selected_features=k, mode="index")
        )
        ours, t_ours = _timed(lambda frame=frame, y=y, k=k: _ours(frame, y, k))
        per_unit.append(t_peer / (k * p * n))
        peer_first = ", ".join(f"f{int(j):04d}" for j in np.asarray(ranking)[:3])
        rows.append(
            [
                f"{n:,}",
                p,
                k,
                f"{t_peer:.2f}",
                f"{t_ours:.3f}",
                f"{t_peer / t_ours:.0f}x",
                peer_first,
                ", ".join(ours.selected[:3]),
            ]
        )

    n, p, k = target
    X, y, frame = _problem(n, p)
    ours, t_ours = _timed(lambda: _ours(frame, y, k))
    t_peer = float(np.mean(per_unit)) * k * p * n
    rows.append(
        [
            f"{n:,}",
            f"{p:,}",
            k,
            f"~{t_peer:,.0f} (extrapolated)",
            f"{t_ours:.1f}",
            f"~{t_peer / t_ours:.0f}x",
            "",
            ", ".join(ours.selected[:3]),
        ]
    )
    _, t_mrmr = _timed(lambda: mrmr_classif(frame, pd.Series(y), K=k, show_progress=False))

    body = "\n\n".join(
        [
            "## Feature selection against skfeature-chappers and mrmr-selection "
            "(`benchmarks/bench_selection_peers.py`)",
            f"Machine: {machine()} (shared with other jobs: timings are noisy; ratios are "
            "measured in one process). Data: four-state features, y = f0000 + f0001 + a coin.",
            markdown_table(
                [
                    "rows",
                    "features",
                    "k",
                    "skfeature JMI (s)",
                    "mistruct JMI (s)",
                    "speed-up",
                    "skfeature's first picks",
                    "mistruct's first picks",
                ],
                rows,
            ),
            "skfeature's time grows as steps x candidates x rows (a Python loop over "
            "candidates, one information term each); the last row extrapolates its "
            "measured time per (step, candidate, row) to the issue's size, where mistruct "
            "is measured. skfeature's first picks are noise columns before the informative "
            "f0000 and f0001.",
            f"mrmr-selection (`mrmr_classif`, F-statistic and correlation, no information "
            f"measure) on the last row's data: {t_mrmr:.1f} s.",
            "Reproduce: `python benchmarks/bench_selection_peers.py` "
            "(`pip install skfeature-chappers mrmr-selection` first).",
        ]
    )
    print(body)
    if not args.quick:
        write_section("selection-peers", body)


if __name__ == "__main__":
    main()
