import json

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from mistruct.cli import main
from mistruct.datasets import sample_network


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
        "against the true network",
        "F1",
        "data processing inequality",
        "held-out log-likelihood",
        "true network",
    ):
        assert expected in result.output
    assert (tmp_path / "mistruct-asia.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("method", ["pc", "chow-liu", "chow-liu-forest", "aracne"])
def test_learn_writes_graph_model_and_report(asia_csv, tmp_path, method):
    out, bif, dpi = tmp_path / "g.graphml", tmp_path / "m.bif", tmp_path / "dpi.csv"
    result = CliRunner().invoke(
        main,
        [
            "learn", str(asia_csv), "--method", method, "--out", str(out), "--fit", str(bif),
            "--dpi-report", str(dpi), "--format", "json", "--no-progress",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    graph = nx.read_graphml(out)
    assert set(graph.nodes()) == set(pd.read_csv(asia_csv).columns)
    assert summary["edges"] == len({frozenset(e) for e in graph.edges()})
    assert summary["held_out_log_likelihood"]["learned"] < 0
    assert "variable smoke" in bif.read_text()
    report = pd.read_csv(dpi)
    assert len(report) == summary["dpi"]["chains"]


def test_chow_liu_tree_has_p_minus_one_edges(asia_csv):
    result = CliRunner().invoke(
        main, ["learn", str(asia_csv), "--method", "chow-liu", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["edges"] == 7


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--alpha", "1.5"], "1.5"),
        (["--out", "graph.xyz"], "format"),
        (["--columns", "asia"], "at least two columns"),
        (["--root", "nope", "--method", "chow-liu"], "'nope'"),
    ],
)
def test_bad_options_fail_before_writing(asia_csv, tmp_path, arguments, message):
    bif = tmp_path / "m.bif"
    result = CliRunner().invoke(main, ["learn", str(asia_csv), "--fit", str(bif), *arguments])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not bif.exists()
    assert list(tmp_path.iterdir()) == []
