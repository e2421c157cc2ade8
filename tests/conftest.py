import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def mixed_frame():
    """A small table with every discrete column type and one float column."""
    return pd.DataFrame(
        {
            "ints": [3, 1, 3, 2, 1, 3],
            "strs": ["b", "a", "b", "c", "a", "a"],
            "bools": [True, False, True, True, False, False],
            "cats": pd.Categorical(
                ["lo", "hi", "lo", "lo", "hi", "hi"], categories=["lo", "hi", "mid"]
            ),
            "floats": [0.1, 0.5, 0.2, 0.9, 0.3, 0.4],
        }
    )
