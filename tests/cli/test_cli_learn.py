import json

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from mistruct.cli import main
from mistruct.interop.datasets import sample_network


@pytest.fixture(scope="module")
def asia_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "asia.csv"
    sample_network("asia", 3000, seed=1).data.to_csv(path, index=False)
    return path


def test_learn_example_prints_everything_and_draws(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["learn", "--example", "asia", "--rows", "3000"])
    assert result.exit_code == 0, result.output
    for expected in (
        "edges",
        "learned on all 3000 rows",
        "against the true network",
        "F1",
        "data processing inequality",
        "no held-out score",
    ):
        assert expected in result.output
    # The structure is learned on all rows unless a held-out fraction is asked for.
    held = CliRunner().invoke(
        main, ["learn", "--example", "asia", "--rows", "3000", "--holdout", "0.2"]
    )
    assert held.exit_code == 0, held.output
    for expected in ("held-out log-likelihood", "empty graph (baseline)", "true network"):
        assert expected in held.output
    assert (tmp_path / "mistruct-asia.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("method", ["pc", "chow-liu", "chow-liu-forest", "aracne"])
def test_learn_writes_graph_model_and_report(asia_csv, tmp_path, method):
    out, bif, dpi = tmp_path / "g.graphml", tmp_path / "m.bif", tmp_path / "dpi.csv"
    result = CliRunner().invoke(
        main,
        [
            "learn", str(asia_csv), "--algorithm", method, "--out", str(out), "--fit", str(bif),
            "--dpi-report", str(dpi), "--format", "json", "--no-progress", "--holdout", "0.2",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    graph = nx.read_graphml(out)
    assert set(graph.nodes()) == set(pd.read_csv(asia_csv).columns)
    assert summary["n_edges"] == len({frozenset(e) for e in graph.edges()})
    assert summary["n_edges"] == len(summary["edges"])
    assert summary["held_out_log_likelihood"]["learned"] < 0
    assert "variable smoke" in bif.read_text()
    report = pd.read_csv(dpi)
    assert len(report) == summary["dpi"]["chains"]


def test_chow_liu_tree_has_p_minus_one_edges(asia_csv):
    result = CliRunner().invoke(
        main, ["learn", str(asia_csv), "--algorithm", "chow-liu", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["n_edges"] == 7


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--alpha", "1.5"], "1.5"),
        (["--out", "graph.xyz"], "format"),
        (["--columns", "asia"], "at least two columns"),
        (["--root", "nope", "--algorithm", "chow-liu"], "'nope'"),
    ],
)
def test_bad_options_fail_before_writing(asia_csv, tmp_path, arguments, message):
    bif = tmp_path / "m.bif"
    result = CliRunner().invoke(main, ["learn", str(asia_csv), "--fit", str(bif), *arguments])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not bif.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def mixed_csv(tmp_path_factory):
    """Float and string columns: age -> income -> spend -> churn (a string)."""
    import numpy as np

    rng = np.random.default_rng(0)
    n = 600
    age = rng.uniform(20, 70, n)
    income = 0.05 * age + rng.standard_normal(n)
    spend = income + 0.7 * rng.standard_normal(n)
    churn = np.where(spend + 0.5 * rng.standard_normal(n) > 2.0, "yes", "no")
    path = tmp_path_factory.mktemp("data") / "customers.csv"
    pd.DataFrame({"age": age, "income": income, "spend": spend, "churn": churn}).to_csv(
        path, index=False
    )
    return path


@pytest.mark.parametrize("method", ["pc", "chow-liu", "chow-liu-forest", "aracne"])
def test_learn_on_float_and_string_columns(mixed_csv, tmp_path, method):
    out, bif = tmp_path / "g.graphml", tmp_path / "m.bif"
    result = CliRunner().invoke(
        main,
        [
            "learn", str(mixed_csv), "--algorithm", method, "--out", str(out), "--fit", str(bif),
            "--format", "json", "--no-progress", "--seed", "1", "--holdout", "0.2",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["float_columns"] == ["age", "income", "spend"]
    edges = {frozenset(e) for e in nx.read_graphml(out).edges()}
    assert {frozenset(("income", "spend")), frozenset(("spend", "churn"))} <= edges
    assert summary["held_out_log_likelihood"]["learned"] < 0
    assert "variable churn" in bif.read_text()


def test_learn_on_float_columns_says_how_it_treats_them(mixed_csv):
    result = CliRunner().invoke(
        main, ["learn", str(mixed_csv), "--algorithm", "chow-liu", "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert "continuous columns (age, income, spend)" in result.output
    assert "quantile bins" in result.output


def test_a_discrete_test_on_float_columns_fails_before_writing(mixed_csv, tmp_path):
    out = tmp_path / "g.graphml"
    result = CliRunner().invoke(
        main, ["learn", str(mixed_csv), "--ci-test", "g-test", "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert "float" in result.output
    assert list(tmp_path.iterdir()) == []
