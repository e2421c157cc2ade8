"""Neural mutual-information estimators against KSG and benchmark-mi's estimators.

1. Error versus dimension: block-correlated Gaussian pairs, X and Y of d
   columns each (d = 1, 2, 5, 10, 25: 2 to 50 dimensions in all), I = 2 nats
   from the covariance determinants, and Student-t pairs (nu = 2, 3) with the
   analytic value of Arellano-Valle, Contreras-Reyes & Genton (2013) as
   used by Czyz et al. (2023); mistruct's ``"smile"``, ``"mine"``,
   ``"infonce"`` and KSG, on the same rows.  Draws the figure
   ``docs/figures/neural_error.svg``.
2. Tasks of benchmark-mi (Czyz et al. 2023, "Beyond Normal"), each with its
   own sampler and ground truth: mistruct's SMILE, MINE and KSG against
   benchmark-mi's MINE, InfoNCE, NWJ and KSG, at an equal training budget
   (at most 4000 steps of 128 rows each; benchmark-mi's critic and learning
   rate are its published defaults, (16, 8) and 0.1), CPU seconds of the
   process (JAX's threads included).

Needs benchmark-mi (``pip install benchmark-mi``, package ``bmi``), which pins
old JAX and pandas, so it runs in a venv of its own with mistruct installed
in it (``pip install -e . --no-deps``); both libraries then run in one
process on the same JAX.  Without bmi, part 2 is left out.

    /work/venv_bmi/bin/python benchmarks/bench_neural.py          # full (~40 min), writes docs
    /work/venv_bmi/bin/python benchmarks/bench_neural.py --quick  # tiny, prints only
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.special import digamma, gammaln

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _report import machine, markdown_table, write_section  # noqa: E402

from mistruct.measures import mutual_information, neural_mutual_information  # noqa: E402

FIGURE = Path(__file__).resolve().parent.parent / "docs" / "figures" / "neural_error.svg"
TRUE_MI = 2.0
STEPS, BATCH = 4000, 128


# ---------------------------------------------------------------- ground truth


def gaussian_mi(cov: np.ndarray, dx: int) -> float:
    """I(X;Y) = 1/2 log(det S_XX det S_YY / det S) of a Gaussian, in nats."""
    logdet = lambda m: np.linalg.slogdet(m)[1]  # noqa: E731
    return 0.5 * (logdet(cov[:dx, :dx]) + logdet(cov[dx:, dx:]) - logdet(cov))


def block_covariance(d: int, mi: float, within: float = 0.3) -> np.ndarray:
    """X and Y of d columns each, equicorrelated blocks of 5 inside each, cross blocks scaled.

    The cross-covariance is ``r`` times the within-variable covariance (a
    canonical correlation ``r`` in every direction); ``r`` is found by
    bisection so that the determinant formula gives ``mi``.
    """
    inner = np.eye(d)
    for start in range(0, d, 5):
        block = slice(start, min(start + 5, d))
        inner[block, block] = within
    np.fill_diagonal(inner, 1.0)
    lo, hi = 0.0, 0.999
    for _ in range(80):
        r = (lo + hi) / 2
        cov = np.block([[inner, r * inner], [r * inner, inner]])
        lo, hi = (r, hi) if gaussian_mi(cov, d) < mi else (lo, r)
    return np.block([[inner, lo * inner], [lo * inner, inner]])


def student_t_correction(nu: float, m: int, n: int) -> float:
    """I of a multivariate Student-t minus I of the Gaussian with its dispersion (nats).

    Arellano-Valle, Contreras-Reyes & Genton (2013), eq. for the mutual
    information of a split Student-t, as in Czyz et al. (2023), appendix.
    """
    a, b, c = (nu + m) / 2, (nu + n) / 2, (nu + m + n) / 2
    return float(
        gammaln(nu / 2) + gammaln(c) - gammaln(a) - gammaln(b)
        + a * digamma(a) + b * digamma(b) - c * digamma(c) - nu / 2 * digamma(nu / 2)
    )


def sample(cov, dx, n, seed, nu=None):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, cov.shape[0])) @ np.linalg.cholesky(cov).T
    if nu is not None:
        z = z / np.sqrt(rng.chisquare(nu, size=(n, 1)) / nu)
    return z[:, :dx], z[:, dx:]


# ---------------------------------------------------------------- estimators


def timed(function):
    start = time.process_time()
    value = function()
    return float(value), time.process_time() - start


def ours(x, y, quick, names=("smile", "mine", "infonce")):
    budget = {"steps": 300, "eval_every": 50} if quick else {}
    out = {}
    for name in names:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # InfoNCE near log b: in the table
            out[name] = timed(lambda n=name: neural_mutual_information(
                x, y, estimator=n, base=math.e, seed=0, batch_size=BATCH, **budget).value)
    out["ksg"] = timed(lambda: mutual_information(x, y, estimator="ksg", base=math.e))
    return out


def peers(x, y, quick):
    import bmi

    steps = 300 if quick else STEPS
    common = {"batch_size": BATCH, "max_n_steps": steps, "verbose": False, "seed": 0}
    makers = {
        "bmi MINE": lambda: bmi.estimators.MINEEstimator(**common),
        "bmi InfoNCE": lambda: bmi.estimators.InfoNCEEstimator(**common),
        "bmi NWJ": lambda: bmi.estimators.NWJEstimator(**common),
        "bmi KSG": lambda: bmi.estimators.KSGEnsembleFirstEstimator(neighborhoods=(5,)),
    }
    if x.shape[1] + y.shape[1] > 20:  # its pairwise-distance KSG takes too long here
        del makers["bmi KSG"]
    out = {name: timed(lambda m=make: m().estimate(x, y)) for name, make in makers.items()}
    return {"bmi KSG": (math.nan, math.nan), **out}


# ---------------------------------------------------------------- the report


def fmt(value, truth):
    if math.isnan(value):
        return "—"
    return f"{value:.2f} ({value - truth:+.2f})"


def dimension_sweep(quick):
    n = 2000 if quick else 10_000
    dims = (1, 5) if quick else (1, 2, 5, 10, 25)
    rows, errors = [], {"smile": [], "mine": [], "infonce": [], "ksg": []}
    for d in dims:
        cov = block_covariance(d, TRUE_MI)
        x, y = sample(cov, d, n, seed=d)
        got = ours(x, y, quick)
        for name in errors:
            errors[name].append(got[name][0] - TRUE_MI)
        rows.append([f"Gaussian {d} x {d}", f"{TRUE_MI:.2f}"]
                    + [fmt(got[name][0], TRUE_MI) for name in errors]
                    + [f"{got['smile'][1]:.0f} / {got['ksg'][1]:.1f}"])
        print(rows[-1], flush=True)
    for nu, d in ((3, 2), (2, 5)) if not quick else ((3, 2),):
        cov = block_covariance(d, 1.0)
        truth = gaussian_mi(cov, d) + student_t_correction(nu, d, d)
        x, y = sample(cov, d, n, seed=100 + d, nu=nu)
        got = ours(x, y, quick)
        rows.append([f"Student-t nu={nu}, {d} x {d}", f"{truth:.2f}"]
                    + [fmt(got[name][0], truth) for name in errors]
                    + [f"{got['smile'][1]:.0f} / {got['ksg'][1]:.1f}"])
        print(rows[-1], flush=True)
    return rows, dims, errors


def draw(dims, errors):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.6))
    ax = fig.add_subplot()
    total = [2 * d for d in dims]
    for name, marker in (("smile", "o"), ("mine", "s"), ("infonce", "^"), ("ksg", "x")):
        ax.plot(total, errors[name], marker=marker, label=name.upper() if name != "infonce"
                else "InfoNCE (log b = 4.85)")
    ax.axhline(0, color="0.5", linewidth=0.8)
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks(total, [str(t) for t in total])
    ax.set_xlabel("dimension of (X, Y)")
    ax.set_ylabel("estimate - truth (nats)")
    ax.set_title(f"Gaussian pairs, I = {TRUE_MI:g} nats, 10^4 rows")
    ax.legend(fontsize="small")
    fig.tight_layout()
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(FIGURE, metadata={"Date": None})  # no date: reruns give the same file


TASKS = (
    "1v1-normal-0.75",
    "multinormal-sparse-5-5-2-2.0",
    "multinormal-sparse-25-25-2-2.0",
    "half_cube-multinormal-sparse-5-5-2-2.0",
    "asinh-student-identity-5-5-2",
)


def peer_tasks(quick):
    try:
        import bmi
    except ImportError:
        print("benchmark-mi (bmi) not installed: part 2 left out", flush=True)
        return None
    n = 2000 if quick else 10_000
    rows = []
    for name in TASKS[:2] if quick else TASKS:
        task = bmi.benchmark.BENCHMARK_TASKS[name]
        x, y = (np.asarray(a, dtype=float) for a in task.sample(n, seed=0))
        truth = task.mutual_information
        got = ours(x, y, quick, names=("smile", "mine"))
        got.update(peers(x, y, quick))
        cells = [fmt(got[k][0], truth) for k in ("smile", "mine", "ksg", "bmi MINE",
                                                   "bmi InfoNCE", "bmi NWJ", "bmi KSG")]
        times = f"{got['smile'][1]:.0f} / {got['bmi MINE'][1]:.0f}"
        rows.append([name, f"{truth:.2f}", *cells, times])
        print(rows[-1], flush=True)
    return rows


SWEEP_HEADER = ["data (X dims x Y dims)", "true I (nats)", "SMILE", "MINE", "InfoNCE", "KSG",
                "CPU s SMILE / KSG"]
PEER_HEADER = ["benchmark-mi task", "true I", "SMILE", "MINE", "KSG", "bmi MINE", "bmi InfoNCE",
               "bmi NWJ", "bmi KSG", "CPU s SMILE / bmi MINE"]


def report(sweep_rows, peer_rows):
    """The ``neural`` section of docs/benchmarks.md from the rows of both parts."""
    import importlib.metadata

    import jax

    body = f"""## Neural estimators (MINE, InfoNCE, SMILE) against KSG and benchmark-mi

`/work/venv_bmi/bin/python benchmarks/bench_neural.py` (a venv with `benchmark-mi`
and mistruct installed; ~45 minutes on the shared machine). {machine()}, JAX
{jax.__version__}. Each cell is the estimate in nats and, in brackets, its error;
10^4 rows; mistruct's neural estimators with their defaults (joint critic (32, 16), at
most {STEPS} steps of {BATCH} rows, early stopping, the estimate on held-out rows); KSG
k = 3. CPU seconds of the process (JAX's threads included), one run.

**Error versus dimension** (the figure in the continuous-data guide). Gaussian pairs
with I = {TRUE_MI:g} nats (cross-covariance a multiple of block-equicorrelated
within-variable covariances, I from the covariance determinants) and Student-t pairs
(I = the Gaussian part plus the Student-t term of Arellano-Valle et al. 2013).

{markdown_table(SWEEP_HEADER, sweep_rows)}

![error versus dimension](figures/neural_error.svg)

"""
    if peer_rows:
        import bmi

        version = importlib.metadata.version("benchmark-mi")
        student = bmi.benchmark.BENCHMARK_TASKS["student-identity-5-5-2"].mutual_information
        body += f"""**benchmark-mi tasks** (Czyz et al. 2023; benchmark-mi {version}: its samplers
and ground truth). Equal training budget: at most {STEPS} steps of {BATCH} rows for every
neural estimator; benchmark-mi's critics and learning rate are its defaults (MLP
(16, 8), Adam 0.1, half the rows for training, no early stopping); its KSG is the
ensemble estimator with k = 5, left out (—) above 20 dimensions, where its pairwise
distances take too long here. The Student-t term used above gives
{student_t_correction(2, 5, 5):.6f} nats for `student-identity-5-5-2`; benchmark-mi's own
value is {student:.6f}.

{markdown_table(PEER_HEADER, peer_rows)}
"""
    return body


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny run, prints only")
    parser.add_argument("--rows", help="rebuild the section from the rows a full run printed")
    args = parser.parse_args()
    if args.rows:
        import ast

        printed = [ast.literal_eval(line) for line in Path(args.rows).read_text().splitlines()
                   if line.startswith("[")]
        split = next(i for i, row in enumerate(printed) if row[0] in TASKS)
        gaussian = [row for row in printed[:split] if row[0].startswith("Gaussian")]
        dims = [int(row[0].split()[1]) for row in gaussian]
        errors = {name: [float(row[2 + j].split("(")[1].rstrip(")")) for row in gaussian]
                  for j, name in enumerate(("smile", "mine", "infonce", "ksg"))}
        draw(dims, errors)
        write_section("neural", report(printed[:split], printed[split:]))
        return
    sweep, dims, errors = dimension_sweep(args.quick)
    peer = peer_tasks(args.quick)
    if args.quick:
        print(report(sweep, peer))
        return
    draw(dims, errors)
    write_section("neural", report(sweep, peer))


if __name__ == "__main__":
    main()
