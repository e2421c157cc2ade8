"""``mistruct mi`` / ``mistruct learn`` through Dask: same numbers, one report line per pass."""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from mistruct.cli import main
from mistruct.interop.datasets import sample_network


@pytest.fixture(scope="module")
def parquet(tmp_path_factory):
    data = sample_network("asia", 3000, seed=4).data
    path = tmp_path_factory.mktemp("dask") / "asia.parquet"
    pd.DataFrame({c: data[c].astype(str) for c in data.columns}).to_parquet(path, index=False)
    return path


def test_mi_dask_equals_in_memory(parquet):
    runner = CliRunner()
    plain = runner.invoke(main, ["mi", str(parquet), "--format", "json"])
    lazy = runner.invoke(main, ["mi", str(parquet), "--dask", "--format", "json"])
    assert plain.exit_code == 0 and lazy.exit_code == 0, lazy.output
    want = json.loads(plain.stdout)["mutual_information"]
    got = json.loads(lazy.stdout)["mutual_information"]
    assert got.keys() == want.keys()
    for a in want:
        assert np.allclose([got[a][b] for b in want[a]], list(want[a].values()), atol=1e-12)
    assert "pass 1: levels and kinds" in lazy.stderr
    assert "pass 2: all-pairs counts" in lazy.stderr


def test_memory_budget_routes_big_files(parquet):
    runner = CliRunner()
    small_budget = runner.invoke(main, ["mi", str(parquet), "--memory", "1KB"])
    big_budget = runner.invoke(main, ["mi", str(parquet), "--memory", "4GB"])
    assert small_budget.exit_code == 0 and big_budget.exit_code == 0
    assert "pass 1" in small_budget.stderr and "pass 1" not in big_budget.stderr
    bad = runner.invoke(main, ["mi", str(parquet), "--memory", "lots"])
    assert bad.exit_code != 0 and "is not a size" in bad.output


@pytest.mark.parametrize("algorithm", ["pc", "chow-liu"])
def test_learn_dask(parquet, tmp_path, algorithm):
    out, fit = tmp_path / "graph.graphml", tmp_path / "model.bif"
    result = CliRunner().invoke(
        main,
        ["learn", str(parquet), "--dask", "--algorithm", algorithm, "--out", str(out),
         "--fit", str(fit), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["through"] == "dask" and summary["nodes"] == 8
    assert summary["n_edges"] >= 6
    assert out.exists() and fit.exists()
    assert "pass 1: levels and kinds" in result.stderr


def test_learn_dask_refuses_in_memory_options(parquet):
    result = CliRunner().invoke(main, ["learn", str(parquet), "--dask", "--holdout", "0.2"])
    assert result.exit_code != 0 and "--holdout" in result.output


def test_directory_and_glob_go_through_dask(parquet, tmp_path):
    data = pd.read_parquet(parquet)
    for part in range(3):
        data.iloc[part::3].to_parquet(tmp_path / f"part-{part}.parquet", index=False)
    runner = CliRunner()
    whole = runner.invoke(main, ["mi", str(parquet), "--format", "json"])
    for where in (str(tmp_path), str(tmp_path / "part-*.parquet")):
        result = runner.invoke(main, ["mi", where, "--format", "json"])
        assert result.exit_code == 0, result.output
        assert "pass 1: levels and kinds" in result.stderr
        want = json.loads(whole.stdout)["mutual_information"]
        got = json.loads(result.stdout)["mutual_information"]
        for a in want:
            assert np.allclose([got[a][b] for b in want[a]], list(want[a].values()), atol=1e-12)


def test_missing_path_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["mi", str(tmp_path / "nowhere.csv")])
    assert result.exit_code == 2
    assert "is not a file" in result.output and "nowhere.csv" in result.output
