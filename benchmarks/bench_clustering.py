"""AMI and NMI: mistruct against scikit-learn, from few to many clusters.

Both run on the same labellings in one process: ``labels_true`` uniform over
k classes, ``labels_pred`` equal to it on half of the samples and uniform over
k clusters on the other half, as integer arrays (scikit-learn's fastest input).
The AMI of scikit-learn sums the expected mutual information over every pair
of clusters; mistruct's sums over distinct pairs of cluster sizes only.

    python benchmarks/bench_clustering.py            # n = 10^5 and 10^6; writes docs
    python benchmarks/bench_clustering.py --quick    # n = 10^5, 10 and 1000 clusters only
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, markdown_table, measure, write_section  # noqa: E402

from mistruct.clustering._supervised import (  # noqa: E402
    adjusted_mutual_info_score,
    normalized_mutual_info_score,
)

CASES = [(10**5, 10), (10**5, 1000), (10**5, 5000), (10**6, 10), (10**6, 1000)]
QUICK_CASES = [(10**5, 10), (10**5, 1000)]


def labellings(n: int, k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    true = rng.integers(0, k, n)
    pred = np.where(rng.random(n) < 0.5, true, rng.integers(0, k, n))
    return true, pred


def compare(n: int, k: int) -> list[str]:
    from sklearn import metrics

    true, pred = labellings(n, k)
    ami, t_ami, mem_ami = measure(adjusted_mutual_info_score, true, pred, repeat=3)
    sk_ami, t_sk_ami, mem_sk_ami = measure(metrics.adjusted_mutual_info_score, true, pred)
    nmi, t_nmi, mem_nmi = measure(normalized_mutual_info_score, true, pred, repeat=3)
    sk_nmi, t_sk_nmi, mem_sk_nmi = measure(
        metrics.normalized_mutual_info_score, true, pred, repeat=3
    )
    return [
        f"{n:,}",
        f"{k}x{k}",
        f"{t_ami:.3f}",
        f"{t_sk_ami:.2f}",
        f"{t_sk_ami / t_ami:.0f}x",
        f"{t_nmi:.3f}",
        f"{t_sk_nmi:.3f}",
        f"{t_sk_nmi / t_nmi:.1f}x",
        f"{abs(ami - sk_ami):.1e} / {abs(nmi - sk_nmi):.1e}",
        f"{mem_ami:.0f} / {mem_sk_ami:.0f}",
        f"{mem_nmi:.0f} / {mem_sk_nmi:.0f}",
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="two small cases; do not write docs")
    args = parser.parse_args(argv)
    rows = []
    for n, k in QUICK_CASES if args.quick else CASES:
        rows.append(compare(n, k))
        print(rows[-1], flush=True)
    header = [
        "n",
        "clusters",
        "AMI mistruct s",
        "AMI sklearn s",
        "AMI speed-up",
        "NMI mistruct s",
        "NMI sklearn s",
        "NMI speed-up",
        "max abs diff AMI / NMI",
        "AMI peak MiB mistruct / sklearn",
        "NMI peak MiB mistruct / sklearn",
    ]
    table = markdown_table(header, rows)
    print(table)
    if not args.quick:
        write_section(
            "clustering",
            "## Clustering scores: AMI and NMI against scikit-learn\n\n"
            "`mistruct.clustering.adjusted_mutual_info_score` and\n"
            '`normalized_mutual_info_score` (average_method="arithmetic") against\n'
            "scikit-learn's, on the same integer labellings in the same process: true\n"
            "labels uniform over k classes, predicted labels equal to them on half of the\n"
            "samples and uniform over k clusters on the other half. mistruct's AMI sums the\n"
            "exact expected mutual information over distinct pairs of cluster sizes,\n"
            "scikit-learn's over every pair of clusters. Times are the best of 3 runs\n"
            "(scikit-learn's AMI: one run); peak memory is traced by `tracemalloc` during\n"
            "one call (inputs excluded). The differences in AMI are scikit-learn's rounding:\n"
            "its expected MI subtracts log-gamma values of size up to n log n and keeps\n"
            "about ten digits of them. At n = 10^5 with 5000 clusters, for instance, it is\n"
            "4.8e-10 off the value from exact rational arithmetic, and mistruct's is exact\n"
            "to the last digit (tests/clustering/test_clustering.py).\n\n"
            f"{table}\n\nMachine: {machine()}.\n\n"
            "Reproduce: `python benchmarks/bench_clustering.py`",
        )


if __name__ == "__main__":
    main()
