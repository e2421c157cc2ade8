"""Column kinds on real tables: the rule, its reasons, overrides, ID-like columns."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mistruct.data._table import apply_kinds, column_kinds, encode, near_unique_columns
from mistruct.exceptions import ColumnNotFoundError, InvalidInputError

DATA = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="module")
def mtcars():
    return pd.read_csv(DATA / "mtcars.csv")


@pytest.fixture(scope="module")
def arthritis():
    return pd.read_csv(DATA / "arthritis.csv", keep_default_na=False)


def test_mtcars_integer_measurements_are_continuous_and_codes_discrete(mtcars):
    kinds = column_kinds(mtcars)
    assert kinds["hp"] == "continuous"  # 22 distinct values in 32 rows
    assert "22 distinct values in 32 rows" in kinds.reasons["hp"]
    for name in ("cyl", "vs", "am", "gear", "carb", "model"):
        assert kinds[name] == "discrete", name
    assert kinds["mpg"] == "continuous"
    assert set(kinds.reasons) == set(mtcars.columns)


def test_few_rows_per_level_makes_an_integer_column_numeric():
    frame = pd.DataFrame({"few": [1, 2, 3, 4, 5, 6] * 2, "binary": [0, 1] * 6})
    kinds = column_kinds(frame)
    assert kinds["few"] == "continuous"  # 6 values, 2 rows each
    assert kinds["binary"] == "discrete"  # two values stay categories at any size


def test_overrides_and_their_errors(mtcars):
    kinds = column_kinds(mtcars, discrete=["hp"], continuous=["cyl"])
    assert kinds["hp"] == "discrete" and kinds["cyl"] == "continuous"
    assert kinds.reasons["hp"] == "named in discrete="
    with pytest.raises(ColumnNotFoundError, match="'nope'"):
        column_kinds(mtcars, discrete=["nope"])
    with pytest.raises(InvalidInputError, match="both discrete= and continuous="):
        column_kinds(mtcars, discrete=["hp"], continuous=["hp"])
    with pytest.raises(InvalidInputError, match="'model'.*continuous="):
        column_kinds(mtcars, continuous=["model"])


def test_apply_kinds_states_kinds_in_dtypes_without_touching_input(mtcars):
    before = mtcars.copy()
    out = apply_kinds(mtcars, discrete=["mpg", "hp"])
    pd.testing.assert_frame_equal(mtcars, before)
    assert out["disp"].dtype == np.float64
    assert isinstance(out["mpg"].dtype, pd.CategoricalDtype)
    assert isinstance(out["hp"].dtype, pd.CategoricalDtype)
    assert out["cyl"].dtype == mtcars["cyl"].dtype
    # After apply_kinds the kinds are fixed: applying again changes nothing.
    assert dict(column_kinds(out)) == dict(column_kinds(mtcars, discrete=["mpg", "hp"]))
    assert apply_kinds(out) is out
    # A float column forced discrete encodes as categories.
    assert encode(out, ["mpg"]).cardinalities[0] == mtcars["mpg"].nunique()


def test_nullable_integers_follow_the_integer_rule():
    values = pd.array(list(range(30)) + [None], dtype="Int64")
    frame = pd.DataFrame({"count": values, "code": pd.array([1, 2, 1] * 10 + [None], "Int64")})
    kinds = column_kinds(frame)
    assert kinds["count"] == "continuous" and kinds["code"] == "discrete"
    out = apply_kinds(frame)
    assert out["count"].dtype == np.float64 and np.isnan(out["count"].iloc[-1])


def test_id_columns_are_flagged(arthritis):
    assert near_unique_columns(arthritis) == ["ID"]
    assert "Age" not in near_unique_columns(arthritis)  # 36 values in 84 rows
    names = pd.DataFrame({"name": [f"p{i}" for i in range(40)], "g": ["a", "b"] * 20})
    assert near_unique_columns(names) == ["name"]
    floats = pd.DataFrame({"x": np.linspace(0, 1, 40)})
    assert near_unique_columns(floats) == []
