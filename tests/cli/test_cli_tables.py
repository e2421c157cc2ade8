"""The CLI on real tables (issue 11 items 1, 6, 7, 8, 10; issue 12 items 7, 8).

Reproducers from the issues, run through click's CliRunner on the tables
under tests/fixtures (Arthritis, mtcars; see tests/fixtures/README.md).
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from mistruct.cli import main

DATA = Path(__file__).parents[1] / "fixtures"
ARTHRITIS = DATA / "arthritis.csv"
MTCARS = DATA / "mtcars.csv"


def run(*arguments):
    return CliRunner().invoke(main, [str(a) for a in arguments])


def stdout_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def arthritis():
    return pd.read_csv(ARTHRITIS, keep_default_na=False)


def bits_entropy(counts):
    p = np.asarray(counts, dtype=float) / np.sum(counts)
    return float(-(p * np.log2(p)).sum())


# ---------------------------------------------------------------- reading (issue 11 item 6)


def test_a_tsv_is_read_as_columns(arthritis, tmp_path):
    path = tmp_path / "arthritis.tsv"
    arthritis.to_csv(path, sep="\t", index=False)
    payload = stdout_json(run("mi", path, "--drop", "ID", "--format", "json"))
    assert set(payload["mutual_information"]) == {"Treatment", "Sex", "Age", "Improved"}


@pytest.mark.parametrize("sep, option", [(";", ";"), ("|", "|"), ("\t", "tab")])
def test_an_explicit_separator(arthritis, tmp_path, sep, option):
    path = tmp_path / "arthritis.txt"
    arthritis.to_csv(path, sep=sep, index=False)
    payload = stdout_json(run("mi", path, "--sep", option, "--drop", "ID", "--format", "json"))
    assert len(payload["mutual_information"]) == 4


def test_the_level_none_stays_a_level():
    # Arthritis' Improved has 42 "None", 28 "Marked", 14 "Some": its entropy shows all three.
    payload = stdout_json(run("mi", ARTHRITIS, "--columns", "Improved,Sex", "--format", "json"))
    entropy = payload["mutual_information"]["Improved"]["Improved"]
    assert entropy == pytest.approx(bits_entropy([42, 28, 14]), abs=1e-9)
    assert payload["rows"] == 84


def test_na_values_on_request_and_the_error_names_column_and_whole_table_counts():
    result = run(
        "learn", ARTHRITIS, "--na-values", "None", "--drop", "ID", "--holdout", "0.2",
        "--algorithm", "chow-liu", "--no-progress",
    )  # fmt: skip
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "'Improved' 42" in message and "84 rows" in message  # all rows, not the split
    assert "--missing drop" in message and "missing='drop'" not in message
    dropped = run(
        "learn", ARTHRITIS, "--na-values", "None", "--drop", "ID", "--missing", "drop",
        "--algorithm", "chow-liu", "--format", "json", "--no-progress",
    )  # fmt: skip
    summary = stdout_json(dropped)
    assert summary["rows"]["used"] == 42 and summary["rows"]["dropped_missing"] == 42


def test_missing_category_makes_a_level(tmp_path):
    frame = pd.DataFrame({"a": ["x", "y", "", "x"] * 10, "b": ["u", "v", "v", "u"] * 10})
    path = tmp_path / "holes.csv"
    frame.to_csv(path, index=False)
    payload = stdout_json(
        run("mi", path, "--missing", "category", "--format", "json")
    )  # a: x 20, y 10, (missing) 10
    assert payload["mutual_information"]["a"]["a"] == pytest.approx(bits_entropy([20, 10, 10]))
    learned = run(
        "learn", path, "--missing", "category", "--algorithm", "chow-liu", "--no-progress"
    )
    assert learned.exit_code == 0, learned.output


def test_mi_missing_drop_works_on_float_nans(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(300)
    frame = pd.DataFrame({"x": x, "y": x + rng.standard_normal(300)})
    frame.loc[::10, "x"] = np.nan
    path = tmp_path / "floats.csv"
    frame.to_csv(path, index=False)
    error = run("mi", path)
    assert error.exit_code == 2 and "'x' 30" in error.output and "--missing drop" in error.output
    payload = stdout_json(run("mi", path, "--missing", "drop", "--format", "json"))
    assert payload["rows"] == 270
    assert payload["mutual_information"]["x"]["y"] > 0.3


def test_an_integer_column_with_an_empty_cell_stays_integer(tmp_path):
    path = tmp_path / "ints.csv"
    path.write_text("a,b\n" + "1,x\n2,y\n3,x\n,y\n" * 10)
    summary = stdout_json(
        run("learn", path, "--missing", "drop", "--algorithm", "chow-liu", "--format", "json",
            "--no-progress")
    )  # fmt: skip
    assert summary["columns"]["a"]["kind"] == "discrete"  # 3 levels, not floats


def test_parquet_input_or_a_clear_error(arthritis, tmp_path):
    path = tmp_path / "arthritis.parquet"
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        path.write_bytes(b"PAR1")
        result = run("mi", path)
        assert result.exit_code == 2
        assert "pip install pyarrow" in result.output
    else:
        arthritis.to_parquet(path)
        payload = stdout_json(run("mi", path, "--drop", "ID", "--format", "json"))
        assert len(payload["mutual_information"]) == 4


def test_excel_input_or_a_clear_error(arthritis, tmp_path):
    path = tmp_path / "arthritis.xlsx"
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        path.write_bytes(b"PK\x03\x04")
        result = run("mi", path)
        assert result.exit_code == 2
        assert "pip install openpyxl" in result.output
    else:
        arthritis.to_excel(path, index=False)
        payload = stdout_json(run("mi", path, "--drop", "ID", "--format", "json"))
        entropy = payload["mutual_information"]["Improved"]["Improved"]
        assert entropy == pytest.approx(bits_entropy([42, 28, 14]))


# ---------------------------------------------------------------- kinds (issue 11 item 1)


def test_learn_prints_each_kind_with_its_reason():
    result = run("learn", ARTHRITIS, "--drop", "ID", "--algorithm", "chow-liu", "--no-progress")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:6] if line.strip()}
    assert lines["Age"].split()[1] == "continuous" and len(lines["Age"].split()) > 2
    assert lines["Improved"].split()[1] == "discrete"
    forced = run(
        "learn", ARTHRITIS, "--drop", "ID", "--discrete", "Age", "--algorithm", "chow-liu",
        "--format", "json", "--no-progress",
    )  # fmt: skip
    assert stdout_json(forced)["columns"]["Age"]["kind"] == "discrete"


def test_kind_options_reach_the_test():
    payload = stdout_json(
        run("citest", MTCARS, "mpg", "cyl", "--continuous", "cyl", "-B", "99", "--seed", "0",
            "--format", "json", "--no-progress")
    )  # fmt: skip
    assert payload["kinds"] == {"mpg": "continuous", "cyl": "continuous"}
    assert payload["method"] in ("knn", "gaussian")
    both = run("mi", MTCARS, "--discrete", "hp", "--continuous", "hp")
    assert both.exit_code == 2 and "both" in both.output
    unknown = run("mi", MTCARS, "--discrete", "nope")
    assert unknown.exit_code == 2 and "'nope'" in unknown.output


def test_mtcars_hp_is_numeric_and_depends_on_mpg():
    # The reproducer: hp (22 levels in 32 rows) was read as categories -> "independent".
    payload = stdout_json(
        run("citest", MTCARS, "mpg", "hp", "-B", "199", "--seed", "0", "--format", "json",
            "--no-progress")
    )  # fmt: skip
    assert payload["kinds"]["hp"] == "continuous"
    assert payload["independent"] is False and payload["pvalue"] < 0.05


# ---------------------------------------------------------------- no evidence (item 1)


def test_no_evidence_is_never_printed_as_independent():
    # hp, mpg forced discrete and each row its own stratum: no stratum carries evidence.
    arguments = ["citest", MTCARS, "mpg", "hp", "-g", "model", "--discrete", "hp,mpg"]
    text = run(*arguments, "--no-progress")
    assert text.exit_code == 0, text.output
    decision = [line for line in text.stdout.splitlines() if line.startswith("decision")][0]
    assert "no evidence either way" in decision and "independent" not in decision
    payload = stdout_json(run(*arguments, "--format", "json", "--no-progress"))
    assert payload["independent"] is None and payload["no_evidence"] is True
    assert payload["decision"].startswith("no evidence either way: ")


# ---------------------------------------------------------------- ID columns (item 7)


def test_an_id_column_is_reported_and_can_be_dropped():
    result = run("learn", ARTHRITIS, "--algorithm", "chow-liu", "--format", "json", "--no-progress")
    summary = stdout_json(result)
    assert any("'ID'" in w and "--drop ID" in w for w in summary["warnings"])
    assert "--drop ID" in result.stderr
    forced = run(
        "learn", ARTHRITIS, "--algorithm", "chow-liu", "--discrete", "ID", "--no-progress"
    )  # as categories, ID would be the hub of a star: never silently
    assert forced.exit_code == 0, forced.output
    assert "looks like an identifier" in forced.stderr
    dropped = stdout_json(
        run("learn", ARTHRITIS, "--algorithm", "chow-liu", "--drop", "ID", "--format", "json",
            "--no-progress")
    )  # fmt: skip
    assert "ID" not in dropped["columns"]
    assert all("ID" not in (e["source"], e["target"]) for e in dropped["edges"])
    assert dropped["n_edges"] == 3
    assert not any("identifier" in w for w in dropped["warnings"])


def test_drop_of_an_unknown_column_fails():
    result = run("mi", ARTHRITIS, "--drop", "Id")
    assert result.exit_code == 2 and "'Id'" in result.output


# ---------------------------------------------------------------- held-out scoring (item 8)


def test_learn_uses_all_rows_by_default():
    summary = stdout_json(
        run("learn", ARTHRITIS, "--drop", "ID", "--algorithm", "chow-liu", "--format", "json",
            "--no-progress")
    )  # fmt: skip
    assert summary["rows"]["train"] == 84 and summary["rows"]["held_out"] == 0
    assert "held_out_log_likelihood" not in summary


def test_held_out_levels_unseen_in_training_score_finitely(tmp_path):
    rng = np.random.default_rng(1)
    n = 300
    a = rng.choice(["p", "q", "r"], n)
    code = np.where(rng.random(n) < 0.9, a, [f"rare{i}" for i in range(n)])  # ~30 singletons
    b = np.where(rng.random(n) < 0.8, a, rng.choice(["p", "q", "r"], n))
    path = tmp_path / "rare.csv"
    pd.DataFrame({"a": a, "code": code, "b": b}).to_csv(path, index=False)
    summary = stdout_json(
        run("learn", path, "--algorithm", "chow-liu", "--holdout", "0.3", "--format", "json",
            "--no-progress")
    )  # fmt: skip
    scores = summary["held_out_log_likelihood"]
    assert scores["unit"] == "nats per row"
    assert np.isfinite(scores["learned"]) and np.isfinite(scores["empty_graph"])
    assert scores["learned"] > scores["empty_graph"]  # a, code, b depend on each other


# ---------------------------------------------------------------- counts and units (item 10)


def test_json_edge_count_matches_the_edge_list():
    summary = stdout_json(
        run("learn", "--example", "asia", "--rows", "2000", "--format", "json", "--no-progress",
            "--plot", "none.png")
    )  # fmt: skip
    assert summary["n_edges"] == len(summary["edges"])
    pairs = [frozenset((e["source"], e["target"])) for e in summary["edges"]]
    assert len(set(pairs)) == len(pairs)  # an undirected CPDAG edge is listed once
    Path("none.png").unlink(missing_ok=True)


def test_one_chain_is_singular(tmp_path):
    rng = np.random.default_rng(2)
    a = rng.integers(0, 2, 500)
    b = np.where(rng.random(500) < 0.9, a, 1 - a)
    c = np.where(rng.random(500) < 0.9, b, 1 - b)
    path = tmp_path / "chain.csv"
    pd.DataFrame({"a": a, "b": b, "c": c}).to_csv(path, index=False)
    result = run("learn", path, "--algorithm", "chow-liu", "--no-progress")
    assert result.exit_code == 0, result.output
    assert "1 chain X - Y - Z" in result.stdout and "1 chains" not in result.stdout


def test_every_output_states_its_unit(tmp_path):
    table = run("mi", ARTHRITIS, "--drop", "ID")
    assert table.stdout.startswith("mutual information (bits")
    nats = stdout_json(run("mi", ARTHRITIS, "--drop", "ID", "--base", str(np.e), "--format",
                           "json"))  # fmt: skip
    assert nats["unit"] == "nats"
    csv_text = run("mi", ARTHRITIS, "--drop", "ID", "--format", "csv").stdout
    assert csv_text.splitlines()[0].startswith("mutual information (bits)")
    cit = stdout_json(run("citest", ARTHRITIS, "Treatment", "Improved", "--format", "json"))
    assert cit["units"] == {"statistic": "nats (G = 2 N CMI)", "cmi": "bits"}
    learned = run("learn", ARTHRITIS, "--drop", "ID", "--no-progress", "--holdout", "0.2")
    assert "independence test: auto" in learned.stdout and "nats" in learned.stdout
    labels = tmp_path / "labels.csv"
    labels.write_text("t,p\na,x\na,x\nb,y\nb,x\n")
    assert stdout_json(run("score", labels, "--format", "json"))["unit"] == "nats"


# ---------------------------------------------------------------- outputs (issue 12 item 7)


@pytest.mark.parametrize(
    "arguments",
    [
        ["mi", ARTHRITIS, "-o", "/proc/mistruct-out.csv"],
        ["mi", ARTHRITIS, "--plot", "/proc/mistruct-mi.png"],
        ["learn", ARTHRITIS, "--fit", "/proc/m.bif"],
        ["learn", ARTHRITIS, "--out", "/proc/g.graphml"],
        ["learn", ARTHRITIS, "--dpi-report", "/proc/dpi.csv"],
        ["learn", ARTHRITIS, "--plot", "/proc/g.png"],
        ["citest", ARTHRITIS, "Sex", "Improved", "--plot", "/proc/null.png"],
    ],
)
def test_an_unwritable_output_fails_before_the_work(arguments, tmp_path, monkeypatch):
    import mistruct.structure

    def never(*args, **kwargs):
        raise AssertionError("the work started")

    monkeypatch.setattr(mistruct.structure, "chow_liu_tree", never)
    monkeypatch.chdir(tmp_path)
    if arguments[0] == "learn":
        arguments = (*arguments, "--algorithm", "chow-liu")
    result = run(*arguments)
    assert result.exit_code == 2, result.output
    assert "cannot write /proc/" in result.output
    assert "Traceback" not in result.output and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["mi", "learn"])
def test_a_bad_plot_suffix_fails_before_anything_is_written(command, tmp_path):
    out = tmp_path / ("mi.csv" if command == "mi" else "g.graphml")
    extra = ["-o", out] if command == "mi" else ["--out", out, "--fit", tmp_path / "m.bif"]
    result = run(command, ARTHRITIS, *extra, "--plot", tmp_path / "picture.xyz")
    assert result.exit_code == 2 and "image format" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "arguments",
    [["mi", "{data}", "-o", "{data}"], ["learn", "{data}", "--dpi-report", "{data}"]],
)
def test_an_output_equal_to_the_input_is_refused(arguments, tmp_path, monkeypatch):
    data = tmp_path / "data.csv"
    data.write_text(ARTHRITIS.read_text())
    before = data.read_bytes()
    monkeypatch.chdir(tmp_path)
    relative = [a.replace("{data}", "data.csv") for a in arguments]
    relative[1] = str(data)  # the same file named two ways
    result = run(*relative)
    assert result.exit_code == 2 and "input file" in result.output
    assert data.read_bytes() == before


@pytest.mark.parametrize(
    "arguments",
    [
        ["learn", ARTHRITIS],
        ["learn", "--example", "asia"],
        ["mi", "--example", "asia"],
        ["citest", "--example", "asia", "smoke", "lung"],
    ],
)
def test_a_negative_seed_is_a_range_error(arguments):
    result = run(*arguments, "--seed", "-1")
    assert result.exit_code == 2
    assert "--seed" in result.output and "-1 is not in the range x>=0" in result.output


def test_sigterm_mid_write_leaves_no_temporary_file(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys, time
        from mistruct._io import atomic_path
        with atomic_path({str(tmp_path / "out.txt")!r}) as temporary:
            temporary.write_text("partial")
            print("writing", flush=True)
            time.sleep(60)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    try:
        assert process.stdout.readline().strip() == "writing"
        os.kill(process.pid, signal.SIGTERM)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert code == -signal.SIGTERM  # still ends by the signal, as asked
    assert list(tmp_path.iterdir()) == []


def test_a_p_value_at_the_resampling_floor_says_so(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(300)
    path = tmp_path / "strong.csv"
    pd.DataFrame({"x": x, "y": x + 0.1 * rng.standard_normal(300)}).to_csv(path, index=False)
    result = run("citest", path, "x", "y", "-m", "knn", "-B", "99", "--seed", "0",
                 "--no-progress")  # fmt: skip
    assert result.exit_code == 0, result.output
    line = [row for row in result.stdout.splitlines() if row.startswith("p-value")][0]
    assert "0.01" in line and "floor 1/(B+1) of B = 99" in line
