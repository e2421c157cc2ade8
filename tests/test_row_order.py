"""Results on tied (rounded) measurements do not depend on the order of the rows."""

from pathlib import Path

import numpy as np
import pandas as pd

import mistruct

DATA = Path(__file__).parent / "fixtures"


def _edges(graph):
    return {frozenset(e) for e in graph.edges()}


def test_mixed_table_results_do_not_depend_on_row_order():
    # Body mass in whole grams, flipper length in whole mm: many ties.
    penguins = pd.read_csv(DATA / "penguins_complete.csv")
    shuffled = penguins.sample(frac=1.0, random_state=7).reset_index(drop=True)
    reversed_ = penguins.iloc[::-1].reset_index(drop=True)
    matrix = mistruct.mutual_information_matrix(penguins, estimator="auto")
    for other in (shuffled, reversed_):
        np.testing.assert_allclose(
            mistruct.mutual_information_matrix(other, estimator="auto").to_numpy(),
            matrix.to_numpy(),
            atol=1e-12,
        )
    assert _edges(mistruct.chow_liu_tree(shuffled)) == _edges(mistruct.chow_liu_tree(penguins))
    x, y = penguins["year"], penguins["body_mass_g"]
    assert mistruct.mutual_information(x, y, estimator="mixed") == mistruct.mutual_information(
        x.iloc[::-1].to_numpy(), y.iloc[::-1].to_numpy(), estimator="mixed"
    )
    z = penguins["flipper_length_mm"]
    w = penguins["bill_length_mm"]
    forward = mistruct.mutual_information(y, z, w, estimator="ksg")
    backward = mistruct.mutual_information(
        *(v.iloc[::-1].to_numpy() for v in (y, z, w)), estimator="ksg"
    )
    assert forward == backward
