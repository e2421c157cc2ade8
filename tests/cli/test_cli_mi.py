import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from mistruct import mutual_information_matrix
from mistruct.cli import main


@pytest.fixture
def csv_file(tmp_path, rng):
    a = rng.integers(0, 3, 200)
    frame = pd.DataFrame(
        {"a": a, "b": (a + rng.integers(0, 2, 200)) % 3, "c": rng.choice(["x", "y"], 200)}
    )
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_help_names_the_commands():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "mi" in result.output


def test_mi_json_equals_the_library(csv_file):
    path, frame = csv_file
    result = CliRunner().invoke(main, ["mi", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["unit"] == "bits"
    values = payload["mutual_information"]
    expected = mutual_information_matrix(frame)
    assert values["a"]["b"] == pytest.approx(expected.loc["a", "b"], abs=1e-12)


def test_mi_csv_output_file_and_plot(csv_file, tmp_path):
    path, _ = csv_file
    out, plot = tmp_path / "mi.csv", tmp_path / "mi.png"
    result = CliRunner().invoke(
        main, ["mi", str(path), "--format", "csv", "-o", str(out), "--plot", str(plot)]
    )
    assert result.exit_code == 0, result.output
    matrix = pd.read_csv(out, index_col=0)
    assert matrix.shape == (3, 3)
    assert np.allclose(matrix.to_numpy(), matrix.to_numpy().T)
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_mi_on_the_bundled_example():
    result = CliRunner().invoke(main, ["mi", "--example", "asia", "--rows", "500"])
    assert result.exit_code == 0, result.output
    assert "smoke" in result.output


def test_float_column_error_suggests_bins(tmp_path):
    path = tmp_path / "f.csv"
    pd.DataFrame({"x": [0.1, 0.2, 0.3], "y": [1, 2, 3]}).to_csv(path, index=False)
    result = CliRunner().invoke(main, ["mi", str(path), "--estimator", "plugin"])
    assert result.exit_code == 2
    assert "float" in result.output and "Discretizer" in result.output
    binned = CliRunner().invoke(main, ["mi", str(path), "--bins", "2"])
    assert binned.exit_code == 0, binned.output


def test_float_columns_take_the_knn_estimators(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(2000)
    path = tmp_path / "mixed.csv"
    pd.DataFrame({"x": x, "y": 0.6 * x + 0.8 * rng.standard_normal(2000),
                  "g": np.where(x > 0, "up", "down")}).to_csv(path, index=False)  # fmt: skip
    result = CliRunner().invoke(main, ["mi", str(path), "--format", "json", "--base", str(np.e)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["unit"] == "nats"
    matrix = payload["mutual_information"]
    assert matrix["x"]["y"] == pytest.approx(-0.5 * np.log(1 - 0.36), abs=0.03)  # KSG
    assert matrix["x"]["x"] is None  # inf: a float column has infinite information
    assert matrix["g"]["g"] == pytest.approx(np.log(2), abs=0.01)


def test_bad_output_folder_writes_nothing(csv_file, tmp_path):
    path, _ = csv_file
    result = CliRunner().invoke(main, ["mi", str(path), "-o", str(tmp_path / "no" / "x.csv")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_needs_data_or_example():
    result = CliRunner().invoke(main, ["mi"])
    assert result.exit_code == 2
    assert "--example" in result.output


def test_unknown_column(csv_file):
    path, _ = csv_file
    result = CliRunner().invoke(main, ["mi", str(path), "--columns", "a,zz"])
    assert result.exit_code == 2
    assert "'zz'" in result.output
