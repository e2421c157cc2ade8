"""Every script of examples/ runs, prints its answer and writes its figure (so none can rot).

Each runs in a fresh temporary directory with ``MISTRUCT_EXAMPLE_SMALL=1``, the
output folder given as its first argument.  A script without an entry in
``EXPECTED`` (a new example) is still run: it must exit 0 and print something.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))

# script -> (phrases its output must contain, figures it must write)
EXPECTED = {
    "bayesian_network_from_csv.py": (
        ["skeleton precision", "P(lung = yes | dysp = yes, smoke = yes) = 0."],
        ["bayesian_network.png", "asia.csv"],
    ),
    "ci_test_admissions.py": (
        ["4526 applicants", "Admit vs Gender:", "independent: False",
         "departments B-F", "independent: True"],
        ["admissions_null.png"],
    ),
    "dpi_markov_chain.py": (
        ["smoke -> lung -> either -> xray violates the chain: False",
         "lung -> smoke -> either violates the chain: True"],
        [],
    ),
    "chow_liu_tan_classifier.py": (
        ["Chow-Liu tree: 19 edges", "naive Bayes accuracy", "TAN accuracy"],
        ["chow_liu_tree.png"],
    ),
    "clustering_scores.py": (["max |mistruct - sklearn|"], ["clustering_scores.png"]),
    "knn_continuous_mixed.py": (
        ["[ksg]", "[mixed]", "[plugin]", "method knn"],
        [],
    ),
    "pc_mixed_table.py": (["PC on 333 penguins", "island -- species"], ["pc_penguins.png"]),
    "mi_heatmap.py": (["MI matrix of 37 columns"], ["mi_heatmap.png"]),
    "select_features.py": (["JMI chose"], []),
}


def run_example(script: Path, folder: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, MISTRUCT_EXAMPLE_SMALL="1", MPLBACKEND="Agg")
    return subprocess.run(
        [sys.executable, str(script), str(folder)], cwd=folder, env=env,
        capture_output=True, text=True, check=False,
    )


def test_there_are_at_least_eight_examples():
    assert len(SCRIPTS) >= 8, [script.name for script in SCRIPTS]


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.stem for script in SCRIPTS])
def test_example_runs(script, tmp_path):
    done = run_example(script, tmp_path)
    assert done.returncode == 0, f"{script.name} failed:\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip(), f"{script.name} printed nothing"
    phrases, outputs = EXPECTED.get(script.name, ([], []))
    for phrase in phrases:
        assert phrase in done.stdout, f"{script.name}: {phrase!r} not in\n{done.stdout}"
    for name in outputs:
        path = tmp_path / name
        assert path.is_file() and path.stat().st_size > 0, f"{script.name} did not write {name}"


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.stem for script in SCRIPTS])
def test_example_has_a_question_docstring(script):
    # The site renders the docstring as the page's text: a title line and a body.
    docstring = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8")))
    assert docstring and "\n\n" in docstring, f"{script.name}: needs a title line and a body"


def test_clustering_example_matches_scikit_learn(tmp_path):
    done = run_example(EXAMPLES / "clustering_scores.py", tmp_path)
    gaps = [float(line.split("|")[-1]) for line in done.stdout.splitlines()[1:]
            if line.count("|") == 2]
    assert gaps and max(gaps) < 1e-10, done.stdout
