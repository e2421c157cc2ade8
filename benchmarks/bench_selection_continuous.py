"""Feature selection on continuous columns and on real tables, against the selection packages.

Three questions, every library in this one process:

1. Time to select 10 and 50 of 1,000 continuous features at 10^4 and 10^5
   rows: mistruct's JMI through the kNN estimators (batched terms), the same
   on 10 quantile bins (``Discretizer``, the vectorised counts), scikit-learn's
   ``SelectKBest(mutual_info_classif)`` (relevance only, kNN), skfeature-
   chappers' JMI (it counts the float values as levels) and mrmr-selection's
   ``mrmr_classif`` (F-statistic and correlation).  Where a method is too slow
   for the full size it runs on fewer features (and fewer steps) and its time
   is extrapolated by its cost model, said so in the table.
2. The batched kNN terms against one ``mutual_information`` call per term:
   the speed-up and that the selections and scores are identical.
3. Downstream accuracy on real tables shipped with scikit-learn (breast
   cancer, digits, wine): every criterion and every peer selects k features
   inside each fold of a stratified 5-fold cross-validation, and one fixed
   classifier (standardize + logistic regression) is scored on the held-out
   fold.

Run: nice python benchmarks/bench_selection_continuous.py [--quick]
(writes the "selection-continuous" and "selection-real" sections of
docs/benchmarks.md; --quick runs small sizes and writes nothing)
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd
from _report import machine, markdown_table, write_section
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.feature_selection import SelectKBest, mutual_info_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import mistruct.selection._select as select_module
from mistruct.data import Discretizer
from mistruct.selection import CRITERIA, select_features


def _timed(function, *args, **kwargs):
    start = time.perf_counter()
    out = function(*args, **kwargs)
    return out, time.perf_counter() - start


def _knn_terms(p, k):
    """Estimates one greedy selection of k of p features makes (relevance, then 2 per candidate)."""
    return p + 2 * sum(p - t for t in range(1, k))


def _problem(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)).astype(np.float64)
    # Two informative columns (one through a non-monotone link), a near copy, the rest noise.
    X[:, 2] = X[:, 0] + 0.3 * rng.standard_normal(n)
    y = ((X[:, 0] + np.abs(X[:, 1]) - 0.8 + 0.5 * rng.standard_normal(n)) > 0).astype(int)
    return X, y


def _frame(X):
    return pd.DataFrame(X, columns=[f"f{j:04d}" for j in range(X.shape[1])])


# ------------------------------------------------------------------ 1 and 2: time


def continuous_times(sizes, targets, quick):
    from mrmr import mrmr_classif
    from skfeature.function.information_theoretical_based import JMI

    rows, same = [], []
    for n, plan in sizes:
        X, y = _problem(n, plan["data_p"])
        frame = _frame(X)
        # mistruct, kNN estimators, batched terms (measured on p_knn features, k_knn steps).
        p, k = plan["knn"]
        sub = frame.iloc[:, :p]
        batched, t_batched = _timed(select_features, sub, y, criterion="jmi", n_features=k)
        per_term = t_batched / _knn_terms(p, k)
        if plan.get("reference"):
            select_module.BATCHED_KNN = False
            try:
                reference, t_ref = _timed(select_features, sub, y, criterion="jmi",
                                          n_features=k)
            finally:
                select_module.BATCHED_KNN = True
            same.append([f"{n:,}", p, k, f"{t_ref:.1f}", f"{t_batched:.1f}",
                         f"{t_ref / t_batched:.2f}x",
                         "yes" if reference.selected == batched.selected else "NO",
                         "yes" if reference.scores == batched.scores else "NO",
                         ", ".join(batched.selected)])
        for goal in targets:
            rows.append([f"{n:,}", goal, "mistruct jmi (kNN, batched)",
                         f"{p} features, {k} steps: {t_batched:.1f}",
                         f"~{per_term * _knn_terms(1000, goal):,.0f} (extrapolated)",
                         ", ".join(batched.selected[:3])])
        # mistruct on 10 quantile bins: the vectorised counts.
        p_bin = plan["binned_p"]
        codes, t_bin_prep = _timed(Discretizer(10).fit_transform, frame.iloc[:, :p_bin])
        for goal in targets:
            kk = min(goal, p_bin)
            binned, t_bin = _timed(select_features, codes, y, criterion="jmi", n_features=kk)
            scale = (1000 * goal) / (p_bin * kk)
            shown = (f"{t_bin + t_bin_prep:.1f}" if scale == 1 else
                     f"{p_bin} features, {kk} steps: {t_bin + t_bin_prep:.1f}")
            full = "" if scale == 1 else f"~{(t_bin + t_bin_prep) * scale:,.0f} (extrapolated)"
            rows.append([f"{n:,}", goal, "mistruct jmi (10 bins, counts)", shown,
                         full or shown, ", ".join(binned.selected[:3])])
        # scikit-learn: one kNN estimate per feature (relevance only), linear in features.
        p_sk = plan["sk_p"]
        kbest = SelectKBest(lambda a, b: mutual_info_classif(a, b, random_state=0),
                            k=min(10, p_sk))
        sk, t_sk = _timed(kbest.fit, X[:, :p_sk], y)
        top = np.argsort(-sk.scores_)[:3]
        for goal in targets:
            full = t_sk * 1000 / p_sk
            rows.append([f"{n:,}", goal, "SelectKBest(mutual_info_classif)",
                         f"{p_sk} features: {t_sk:.1f}",
                         f"~{full:,.0f} (extrapolated)" if p_sk < 1000 else f"{t_sk:.1f}",
                         ", ".join(f"f{j:04d}" for j in top)])
        # skfeature-chappers JMI: a Python loop over candidates, one term each; floats as levels.
        if "skfeature" in plan:
            p_sf, k_sf = plan["skfeature"]
            ranking, t_sf = _timed(JMI.jmi, X[:, :p_sf], y, n_selected_features=k_sf,
                                   mode="index")
            plan["sf_unit"] = t_sf / (k_sf * p_sf * n)
            first = ", ".join(f"f{int(j):04d}" for j in np.asarray(ranking)[:3])
            measured = f"{p_sf} features, {k_sf} steps: {t_sf:.1f}"
        else:
            measured, first = "(from the 10^4 rows' time per step, candidate and row)", ""
        unit = sizes[0][1].get("sf_unit")
        for goal in targets:
            rows.append([f"{n:,}", goal, "skfeature JMI (floats as levels)", measured,
                         f"~{unit * goal * 1000 * n:,.0f} (extrapolated)", first])
        # mrmr-selection: F-statistic relevance, correlation redundancy.
        p_mr = plan["mrmr_p"]
        for goal in targets:
            kk = min(goal, p_mr)
            picked, t_mr = _timed(mrmr_classif, frame.iloc[:, :p_mr], pd.Series(y), K=kk,
                                  show_progress=False, n_jobs=1)
            scale = (1000 * goal) / (p_mr * kk)
            rows.append([f"{n:,}", goal, "mrmr_classif (F-test, correlation)",
                         f"{p_mr} features, {kk} steps: {t_mr:.1f}" if scale != 1
                         else f"{t_mr:.1f}",
                         f"~{t_mr * scale:,.0f} (extrapolated)" if scale != 1 else f"{t_mr:.1f}",
                         ", ".join(picked[:3])])
        del X, frame
    return rows, same


def batched_against_per_call(n, p, k):
    """One row of the batched-terms table: the same selection both ways, timed."""
    X, y = _problem(n, p, seed=1)
    frame = _frame(X)
    batched, t_batched = _timed(select_features, frame, y, criterion="jmi", n_features=k)
    select_module.BATCHED_KNN = False
    try:
        reference, t_ref = _timed(select_features, frame, y, criterion="jmi", n_features=k)
    finally:
        select_module.BATCHED_KNN = True
    return [f"{n:,}", p, k, f"{t_ref:.1f}", f"{t_batched:.1f}", f"{t_ref / t_batched:.2f}x",
            "yes" if reference.selected == batched.selected else "NO",
            "yes" if reference.scores == batched.scores else "NO",
            ", ".join(batched.selected)]


# ------------------------------------------------------------------ 3: real tables


def _tables():
    cancer = load_breast_cancer(as_frame=True)
    digits = load_digits(as_frame=True)
    wine = load_wine(as_frame=True)
    out = [("breast cancer (569 x 30, 2 classes)", cancer.data, cancer.target.to_numpy(), 5),
           ("wine (178 x 13, 3 classes)", wine.data, wine.target.to_numpy(), 4)]
    # Pixel intensities are counts 0..16 stored as floats: integers, 17 levels.
    out.append(("digits (1,797 x 64 pixels 0-16, 10 classes)",
                digits.data.astype(int), digits.target.to_numpy(), 10))
    return out


def _selectors(k, continuous):
    """name -> function(train frame, train y) returning the chosen column labels."""
    from mrmr import mrmr_classif
    from skfeature.function.information_theoretical_based import CMIM, JMI, MRMR

    def binned(frame):
        return Discretizer(5).fit(frame) if continuous else None

    def ours(criterion, bins):
        def run(frame, y):
            if bins:
                cutter = binned(frame)
                data = cutter.transform(frame) if cutter is not None else frame
            else:
                data = frame
            # Integer tables (digits' intensities 0..16): their values are the levels.
            kinds = {} if continuous else {"discrete": list(data.columns)}
            return list(select_features(data, y, criterion=criterion, n_features=k,
                                        **kinds).selected)
        return run

    def skfeature(function):
        def run(frame, y):
            data = Discretizer(5).fit_transform(frame) if continuous else frame
            index = function(data.to_numpy(), y, n_selected_features=k, mode="index")
            return [frame.columns[int(j)] for j in np.asarray(index)[:k]]
        return run

    def kbest(frame, y):
        chosen = SelectKBest(lambda a, b: mutual_info_classif(a, b, random_state=0),
                             k=k).fit(frame, y)
        return list(frame.columns[chosen.get_support()])

    def mrmr(frame, y):
        return list(mrmr_classif(frame, pd.Series(y, index=frame.index), K=k,
                                 show_progress=False, n_jobs=1))

    out = {}
    for criterion in CRITERIA:
        label = f"mistruct {criterion}" + (" (5 bins)" if continuous else "")
        out[label] = ours(criterion, bins=True)
    if continuous:
        for criterion in ("jmi", "mrmr"):
            out[f"mistruct {criterion} (kNN)"] = ours(criterion, bins=False)
    out["SelectKBest(mutual_info_classif)"] = kbest
    out["skfeature MRMR" + (" (5 bins)" if continuous else "")] = skfeature(MRMR.mrmr)
    out["skfeature JMI" + (" (5 bins)" if continuous else "")] = skfeature(JMI.jmi)
    out["skfeature CMIM" + (" (5 bins)" if continuous else "")] = skfeature(CMIM.cmim)
    out["mrmr_classif"] = mrmr
    return out


def real_tables():
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    sections = []
    for name, X, y, k in _tables():
        continuous = any(X[c].dtype.kind == "f" for c in X.columns)
        splits = list(folds.split(X, y))
        rows = []
        for label, select in _selectors(k, continuous).items():
            scores, seconds, kept = [], 0.0, []
            for train, test in splits:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    chosen, t = _timed(select, X.iloc[train].reset_index(drop=True), y[train])
                seconds += t
                kept.append(chosen)
                model.fit(X.iloc[train][chosen], y[train])
                scores.append(model.score(X.iloc[test][chosen], y[test]))
            common = set(kept[0]).intersection(*kept[1:])
            rows.append([label, f"{np.mean(scores):.3f} ± {np.std(scores):.3f}",
                         f"{seconds:.2f}", f"{len(common)} of {k}",
                         ", ".join(map(str, kept[0][:4]))])
        scores = []
        for train, test in splits:
            model.fit(X.iloc[train], y[train])
            scores.append(model.score(X.iloc[test], y[test]))
        rows.append([f"all {X.shape[1]} features", f"{np.mean(scores):.3f} ± "
                     f"{np.std(scores):.3f}", "", "", ""])
        sections.append((name, k, rows))
    return sections


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes; do not write docs")
    args = parser.parse_args()
    if args.quick:
        sizes = [(2_000, {"data_p": 60, "knn": (8, 3), "reference": True, "binned_p": 60,
                          "sk_p": 20, "skfeature": (10, 3), "mrmr_p": 60}),
                 (5_000, {"data_p": 20, "knn": (5, 2), "binned_p": 20, "sk_p": 5,
                          "mrmr_p": 20})]
        targets = [10]
    else:
        sizes = [(10_000, {"data_p": 1000, "knn": (20, 5), "reference": True,
                           "binned_p": 1000, "sk_p": 100, "skfeature": (50, 5),
                           "mrmr_p": 200}),
                 (100_000, {"data_p": 100, "knn": (6, 2), "binned_p": 100, "sk_p": 10,
                            "mrmr_p": 100})]
        targets = [10, 50]
    command = "nice python benchmarks/bench_selection_continuous.py"

    def load_line(before, after):
        return (f"Load average (1, 5, 15 min) {before[0]:.1f}, {before[1]:.1f}, {before[2]:.1f} "
                f"at the start and {after[0]:.1f}, {after[1]:.1f}, {after[2]:.1f} at the end: "
                "the cores were shared with other jobs, so the times are noisy; each ratio is of "
                "times taken in this one process.")

    # Each section is written as soon as it is measured.
    before = os.getloadavg()
    real = real_tables()
    real_parts = [
        "## Feature selection on real tables: downstream accuracy "
        "(`benchmarks/bench_selection_continuous.py`)",
        f"Machine: {machine()}. {load_line(before, os.getloadavg())} "
        f"Reproduce: `{command}`.",
        "Each method selects k features inside each training fold of a stratified 5-fold "
        "cross-validation (shuffled, random_state=0); one fixed classifier (StandardScaler + "
        "LogisticRegression) is trained on them and scored on the held-out fold. Continuous "
        "tables: mistruct's criteria and skfeature run on 5 quantile bins fitted on the "
        "training fold (skfeature needs discrete data); `(kNN)` rows use the continuous values "
        "through the kNN estimators. Digits: the pixel intensities (0-16) are the levels, for "
        "every method. 'stable' is how many features all five folds chose.",
    ]
    for name, k, rows in real:
        real_parts += [f"### {name}, k = {k}",
                       markdown_table(["method", "accuracy (mean ± sd over folds)",
                                       "selection time, 5 folds (s)", "stable",
                                       "fold 1's first picks"], rows)]
    real_body = "\n\n".join(real_parts)
    print(real_body, flush=True)
    if not args.quick:
        write_section("selection-real", real_body)

    before = os.getloadavg()
    same_rows = [batched_against_per_call(*small) for small in
                 ([(500, 10, 3)] if args.quick else [(1_000, 30, 5), (2_000, 30, 5)])]
    time_rows, same_big = continuous_times(sizes, targets, args.quick)
    same_rows += same_big
    load_after = os.getloadavg()
    continuous_body = "\n\n".join([
        "## Feature selection on continuous features (`benchmarks/bench_selection_continuous.py`)",
        f"Machine: {machine()}. {load_line(before, load_after)} Reproduce: `{command}`.",
        "Data: standard normal features; y = [f0000 + |f0001| - 0.8 + noise > 0] (f0001 "
        "informative only through its size, a dependence correlation cannot see), f0002 a "
        "noisy copy of f0000, the rest noise.",
        "### Time to select k of 1,000 continuous features",
        markdown_table(["rows", "k", "method", "measured (s)", "1,000 features (s)",
                        "first picks"], time_rows),
        "Extrapolations: mistruct's kNN path costs one estimate per relevance term and two per "
        "candidate and step (I(f; s) and the Frenzel-Pompe I(f; y | s)), so its time per "
        "estimate, measured on fewer features and steps, is multiplied by the count for 1,000 "
        "features (10 steps: 18,910 estimates; 50 steps: 96,550); the kNN estimates dominate, "
        f"so the 10^5-row rows are measured on {sizes[-1][1]['knn'][0]} features. The binned "
        "and mrmr_classif rows scale by steps x candidates; SelectKBest by features; "
        "skfeature by steps x candidates x "
        "rows (its time per unit is measured at 10^4 rows). skfeature counts each distinct "
        "float as a level, so on continuous data every feature looks equally informative "
        "(I(f; y) = H(y)) and its picks carry no information; it is timed only.",
        "The kNN path answers a different question from the binned one (no binning "
        "choices, non-monotone and fine-grained dependence) at the price of a neighbour "
        "search per estimate: on 10^5 rows and 1,000 features, cut the columns into bins "
        "(`Discretizer`) and the selection runs on counts, vectorised over the candidates.",
        "### Batched kNN terms against one `mutual_information` call per term",
        markdown_table(["rows", "features", "k", "per call (s)", "batched (s)", "speed-up",
                        "same selection", "same scores (bit for bit)", "selected"],
                       same_rows),
        "The batched path reads, kinds and standardizes each column once and runs the "
        "measures layer's kNN kernels on the prepared arrays; the kernels (one kd-tree "
        "search per estimate) are the remaining cost, so the speed-up is the share of the "
        "per-call door (validation, kinds, tie noise) in the old time: visible at a few "
        "thousand rows, small at 10^4 rows, where the neighbour searches dominate.",
    ])
    print(continuous_body)
    if not args.quick:
        write_section("selection-continuous", continuous_body)


if __name__ == "__main__":
    main()
