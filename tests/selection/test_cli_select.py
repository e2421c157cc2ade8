"""``mistruct select``: the ranked table, formats, -k auto, errors in the command's words."""

import io
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from mistruct.cli import main
from mistruct.selection import select_features


@pytest.fixture
def csv_file(tmp_path):
    rng = np.random.default_rng(0)
    n = 800
    a, b = rng.integers(0, 3, (2, n))
    frame = pd.DataFrame({
        "a": a, "a_copy": a, "b": b,
        "noise": rng.integers(0, 4, n), "label": rng.choice(["u", "v", "w"], n),
    })
    frame["y"] = np.where(rng.random(n) < 0.1, rng.integers(0, 5, n), a + b)
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_json_equals_the_library(csv_file):
    path, frame = csv_file
    result = CliRunner().invoke(
        main, ["select", str(path), "--target", "y", "--criterion", "jmi", "-k", "3",
               "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    expected = select_features(frame.drop(columns="y"), frame["y"], criterion="jmi", n_features=3)
    assert payload["selected"] == list(expected.selected)
    assert [s["score"] for s in payload["steps"]] == pytest.approx(list(expected.scores))
    assert payload["unit"] == "bits"


def test_auto_prints_pvalues_and_why_it_stopped(csv_file, tmp_path):
    path, _ = csv_file
    plot = tmp_path / "steps.png"
    result = CliRunner().invoke(
        main, ["select", str(path), "-t", "y", "-k", "auto", "--plot", str(plot)]
    )
    assert result.exit_code == 0, result.output
    assert "pvalue" in result.output
    assert "stopped:" in result.output
    lines = [line.split() for line in result.output.splitlines()]
    chosen = [line[1] for line in lines if line and line[0].isdigit()]
    assert sorted(chosen) == ["a", "b"]
    assert plot.stat().st_size > 0


def test_csv_to_a_file(csv_file, tmp_path):
    path, _ = csv_file
    out = tmp_path / "chosen.csv"
    result = CliRunner().invoke(
        main, ["select", str(path), "-t", "y", "-k", "2", "--format", "csv", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(out.read_text()))
    assert table["feature"].tolist() == ["a", "b"]
    assert list(table.columns) == ["step", "feature", "score", "relevance", "redundancy"]


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["-t", "nope"], "no column 'nope'"),
        (["-t", "y", "-k", "0"], "positive integer"),
        (["-t", "y", "-k", "many"], "positive integer"),
        (["-t", "y", "--criterion", "relief"], "relief"),
        (["-t", "y", "--drop", "a,a_copy,b,noise,label"], "no column besides"),
    ],
)
def test_user_errors_are_one_line(csv_file, arguments, words):
    path, _ = csv_file
    result = CliRunner().invoke(main, ["select", str(path), *arguments])
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output


def test_correction_holm_is_passed_to_the_library(csv_file):
    path, frame = csv_file
    args = ["select", str(path), "-t", "y", "-k", "auto", "--format", "json"]
    result = CliRunner().invoke(main, [*args, "--correction", "holm"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    expected = select_features(
        frame.drop(columns="y"), frame["y"], n_features="auto", correction="holm"
    )
    assert payload["selected"] == [str(name) for name in expected.selected]
    pvalues = [s["pvalue"] for s in payload["steps"]]
    assert pvalues == pytest.approx(list(expected.pvalues), nan_ok=True)
    plain = json.loads(CliRunner().invoke(main, args).output)
    # Holm rescales the reported p-values by (t + 1) / t, so they differ from the plain ones.
    assert [s["pvalue"] for s in plain["steps"]] != pytest.approx(pvalues, nan_ok=True)
    bad = CliRunner().invoke(main, [*args, "--correction", "bh"])
    assert bad.exit_code != 0 and "--correction" in bad.output
