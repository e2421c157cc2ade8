"""All-pairs MI matrix: mistruct against a per-pair loop of scikit-learn's mutual_info_score.

A per-pair loop of ``sklearn.metrics.mutual_info_score`` is what pgmpy's TreeSearch
does to build its Chow-Liu weights.  Both run on the same rows sampled from the ALARM
network (37 columns, 666 pairs), in one process.  scikit-learn gets integer codes,
its fastest input.

    python benchmarks/bench_mi_matrix.py            # 10^4, 10^5, 10^6 rows
    python benchmarks/bench_mi_matrix.py --quick    # 10^4 rows only
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, markdown_table, measure, write_section  # noqa: E402

from mistruct import mutual_information_matrix  # noqa: E402
from mistruct.interop.datasets import sample_network  # noqa: E402


def sklearn_loop(codes: np.ndarray) -> np.ndarray:
    from sklearn.metrics import mutual_info_score

    p = codes.shape[1]
    matrix = np.zeros((p, p))
    for i, j in itertools.combinations_with_replacement(range(p), 2):
        matrix[i, j] = matrix[j, i] = mutual_info_score(codes[:, i], codes[:, j])
    return matrix


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10^4 rows only; do not write docs")
    args = parser.parse_args(argv)
    sizes = [10**4] if args.quick else [10**4, 10**5, 10**6]
    rows = []
    for n in sizes:
        frame = sample_network("alarm", n, seed=0).data
        codes = np.column_stack([frame[c].cat.codes.to_numpy() for c in frame.columns])
        ours, t_ours, mem_ours = measure(mutual_information_matrix, frame, base=np.e, repeat=3)
        theirs, t_theirs, mem_theirs = measure(sklearn_loop, codes)
        diff = float(np.abs(ours.to_numpy() - theirs).max())
        rows.append(
            [
                f"{n:,}",
                f"{t_ours:.3f}",
                f"{t_theirs:.2f}",
                f"{t_theirs / t_ours:.0f}x",
                f"{diff:.1e}",
                f"{mem_ours:.0f}",
                f"{mem_theirs:.0f}",
            ]
        )
        print(rows[-1], flush=True)
    header = [
        "rows",
        "mistruct s",
        "sklearn loop s",
        "speed-up",
        "max abs diff (nats)",
        "mistruct peak MiB",
        "sklearn peak MiB",
    ]
    table = markdown_table(header, rows)
    print(table)
    if not args.quick:
        write_section(
            "mi-matrix",
            "## All-pairs mutual information matrix (ALARM, 37 columns, 666 pairs)\n\n"
            "mistruct's `mutual_information_matrix` (one chunked one-hot GEMM over all\n"
            "columns) against a per-pair loop of scikit-learn's `mutual_info_score` (what\n"
            "pgmpy's TreeSearch uses), same rows, same process. Peak memory is traced by\n"
            "`tracemalloc` during the call (input table excluded). mistruct time is the best\n"
            "of 3 runs, scikit-learn's one run.\n\n"
            f"{table}\n\nMachine: {machine()}.\n\n"
            "Reproduce: `python benchmarks/bench_mi_matrix.py`",
        )


if __name__ == "__main__":
    main()
