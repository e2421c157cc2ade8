import numpy as np
import pandas as pd
import pytest

from mistruct.data._table import Discretizer, as_frame, column_kinds, encode, encode_variables
from mistruct.exceptions import (
    ColumnNotFoundError,
    ContinuousDataError,
    InvalidInputError,
    MissingValuesError,
)


def test_encode_keeps_levels_for_every_discrete_type(mixed_frame):
    table = encode(mixed_frame, ["ints", "strs", "bools", "cats"])
    assert table.names == ("ints", "strs", "bools", "cats")
    assert table.cardinalities.tolist() == [3, 3, 2, 3]  # unused category "mid" is kept
    for j, name in enumerate(table.names):
        decoded = table.levels[j][table.codes[:, j]]
        assert list(decoded) == list(mixed_frame[name])


def test_encode_uses_small_dtype_and_column_major():
    table = encode(np.arange(1000).reshape(500, 2) % 7)
    assert table.codes.dtype == np.int8
    assert table.codes.flags["F_CONTIGUOUS"]
    assert table.names == (0, 1)


def test_encode_does_not_modify_input(mixed_frame):
    before = mixed_frame.copy()
    encode(mixed_frame, ["ints", "strs"], missing="drop")
    pd.testing.assert_frame_equal(mixed_frame, before)


def test_float_column_is_continuous_and_rejected_with_a_hint(mixed_frame):
    assert column_kinds(mixed_frame)["floats"] == "continuous"
    with pytest.raises(ContinuousDataError, match="floats.*Discretizer"):
        encode(mixed_frame)


def test_missing_values_error_names_column_and_count():
    frame = pd.DataFrame({"a": [1, None, 3, None], "b": ["x", "y", "x", "y"]}, dtype=object)
    with pytest.raises(MissingValuesError, match=r"'a'.*2 missing"):
        encode(frame)


def test_missing_drop_and_category():
    frame = pd.DataFrame({"a": ["x", None, "y", "y"], "b": [1, 2, 2, 7]})
    dropped = encode(frame, missing="drop")
    assert dropped.n_rows == 3
    assert list(dropped.levels[1]) == [1, 2, 7]
    as_level = encode(frame, missing="category")
    assert as_level.cardinalities.tolist() == [3, 3]
    assert as_level.n_rows == 4


def test_missing_drop_forgets_levels_seen_only_in_dropped_rows():
    frame = pd.DataFrame({"a": ["x", None, "y"], "b": [1, 5, 2]})
    assert list(encode(frame, missing="drop").levels[1]) == [1, 2]


@pytest.mark.parametrize(
    "bad, error, message",
    [
        (pd.DataFrame(), InvalidInputError, "empty"),
        (np.array([]), InvalidInputError, "empty"),
        (np.zeros((2, 2, 2), dtype=int), InvalidInputError, "3 dimensions"),
        (5, InvalidInputError, "scalar"),
        (None, InvalidInputError, "None"),
    ],
)
def test_bad_tables(bad, error, message):
    with pytest.raises(error, match=message):
        encode(bad)


def test_unknown_column_lists_available(mixed_frame):
    with pytest.raises(ColumnNotFoundError, match="'nope'.*available columns: 'ints'"):
        encode(mixed_frame, ["nope"])


def test_bad_missing_option():
    with pytest.raises(InvalidInputError, match="missing='zero'"):
        encode([1, 2], missing="zero")


def test_variables_of_different_lengths():
    with pytest.raises(InvalidInputError, match="x has 3, y has 2"):
        encode_variables({"x": [1, 2, 3], "y": [1, 2]})


def test_encode_variables_drops_missing_rows_jointly():
    out = encode_variables({"x": [1, 2, None, 4], "y": ["a", None, "b", "b"]}, missing="drop")
    assert out["x"].n_rows == out["y"].n_rows == 2


def test_as_frame_accepts_series_and_lists():
    assert as_frame(pd.Series([1, 2], name="s")).columns.tolist() == ["s"]
    assert as_frame([[1, 2], [3, 4]]).shape == (2, 2)


def test_ragged_list_is_a_clear_error():
    with pytest.raises(InvalidInputError, match="equal lengths"):
        as_frame([[1, 2], [3]])


class TestDiscretizer:
    def test_quantile_bins_have_equal_counts(self, rng):
        values = rng.normal(size=1000)
        bins = Discretizer(4).fit_transform(values)
        assert np.bincount(bins).tolist() == [250, 250, 250, 250]

    def test_uniform_bins(self):
        out = Discretizer(2, strategy="uniform").fit_transform(np.array([0.0, 0.4, 0.6, 1.0]))
        assert out.tolist() == [0, 0, 1, 1]

    def test_only_float_columns_change_and_input_is_kept(self, mixed_frame):
        before = mixed_frame.copy()
        out = Discretizer(3).fit_transform(mixed_frame)
        pd.testing.assert_frame_equal(mixed_frame, before)
        assert out["floats"].dtype.kind == "i"
        assert (out["strs"] == mixed_frame["strs"]).all()
        encode(out)  # now every column is discrete

    def test_nan_stays_missing(self):
        out = Discretizer(2).fit_transform(pd.DataFrame({"x": [0.1, np.nan, 0.9, 0.5]}))
        assert out["x"].isna().tolist() == [False, True, False, False]

    def test_transform_before_fit(self):
        with pytest.raises(InvalidInputError, match="not fitted"):
            Discretizer().transform([0.1, 0.2])

    @pytest.mark.parametrize("kwargs", [{"n_bins": 1}, {"strategy": "kmeans"}])
    def test_bad_options(self, kwargs):
        with pytest.raises(InvalidInputError):
            Discretizer(**kwargs)
