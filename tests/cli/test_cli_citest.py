import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from mistruct.cli import main


def test_citest_picks_the_knn_test_for_float_columns(tmp_path):
    rng = np.random.default_rng(0)
    z = rng.standard_normal(400)
    frame = pd.DataFrame(
        {
            "x": z + rng.standard_normal(400),
            "y": np.where(z + rng.standard_normal(400) > 0, "yes", "no"),
            "z": z,
            "g": rng.choice(["a", "b"], 400),
            "h": rng.choice(["a", "b"], 400),
        }
    )
    path = tmp_path / "mixed.csv"
    frame.to_csv(path, index=False)
    arguments = ["citest", str(path), "x", "y", "-g", "z", "-B", "99", "--seed", "0"]
    result = CliRunner().invoke(main, [*arguments, "--format", "json", "--no-progress"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["method"] == "knn" and payload["estimator"] == "mixed"
    assert payload["pvalue"] > 0.05  # x and y are independent given z
    text = CliRunner().invoke(main, [*arguments, "--no-progress"]).output
    assert "99 surrogates" in text and "observed configurations" not in text
    discrete = CliRunner().invoke(main, ["citest", str(path), "g", "h", "--format", "json"])
    assert json.loads(discrete.output)["method"] == "g-test-adjusted"
