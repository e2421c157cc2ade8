"""Neural mutual-information estimators (issue 18): MINE, NWJ, InfoNCE, SMILE.

The accuracy tests train the default critic on 10^4 rows (about 20-40 s each on
one CPU core); the others train tiny critics for a few hundred steps.
"""

import math
import subprocess
import sys

import jax  # the `neural` extra, part of `test` (CI installs it)
import numpy as np
import pandas as pd
import pytest

from mistruct.exceptions import InvalidInputError
from mistruct.measures import (
    NEURAL_ESTIMATORS,
    NeuralEstimate,
    entropy,
    mutual_information,
    mutual_information_estimate,
    neural_mutual_information,
)

TRUE_MI = 2.0  # nats


def gaussian_pair(n, d, mi, seed):
    """X, Y in R^d, Y_k = rho X_k + noise: I(X;Y) = -d/2 log(1 - rho^2) = mi nats."""
    rho = math.sqrt(1 - math.exp(-2 * mi / d))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    y = rho * x + math.sqrt(1 - rho**2) * rng.standard_normal((n, d))
    return x, y


# The "10-dimensional Gaussian pair": (X, Y) in R^10, X and Y 5-dimensional each
# (the dimension counted as benchmark-mi counts its "5 x 5" tasks).
@pytest.fixture(scope="module")
def pair():
    return gaussian_pair(10_000, 5, TRUE_MI, seed=18)


@pytest.fixture(scope="module")
def smile_fit(pair):
    return neural_mutual_information(*pair, estimator="smile", base=math.e, seed=0)


SMALL = {"hidden": (16,), "steps": 300, "batch_size": 64, "learning_rate": 5e-3}


def small_pair(n=1000, rho=0.8, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    return x, rho * x + math.sqrt(1 - rho**2) * rng.standard_normal(n)


# ---------------------------------------------------------------- accuracy (done-when items)


def test_smile_within_0_2_nats_on_10d_gaussian_with_ksg_beside(pair, smile_fit, record_property):
    ksg = mutual_information(*pair, estimator="ksg", base=math.e)
    record_property("smile_error_nats", smile_fit.value - TRUE_MI)
    record_property("ksg_error_nats", ksg - TRUE_MI)
    print(f"smile {smile_fit.value:.3f} +- {smile_fit.stderr:.3f}, ksg {ksg:.3f}, true {TRUE_MI}")
    assert abs(smile_fit.value - TRUE_MI) < 0.2
    assert math.isfinite(ksg)
    # KSG is biased down at 2 nats in 10 dimensions; the neural estimate is not worse.
    assert ksg < TRUE_MI
    assert abs(smile_fit.value - TRUE_MI) <= abs(ksg - TRUE_MI) + 0.05
    assert 0 < smile_fit.stderr < 0.1
    assert smile_fit.n_train + smile_fit.n_validation + smile_fit.n_test == 10_000


def test_mine_within_0_2_nats_on_10d_gaussian(pair):
    value = mutual_information(*pair, estimator="mine", base=math.e, seed=0)
    assert abs(value - TRUE_MI) < 0.2


def test_invertible_transform_within_0_3_nats(pair, smile_fit):
    x, y = pair
    # Cubes, a half-cube map sign(v)|v|^1.5 and asinh: strictly increasing, MI unchanged.
    x_t = np.column_stack([x[:, :2] ** 3, np.sign(x[:, 2:]) * np.abs(x[:, 2:]) ** 1.5])
    y_t = np.arcsinh(3 * y) + y**3
    fit = neural_mutual_information(x_t, y_t, estimator="smile", base=math.e, seed=0)
    assert abs(fit.value - TRUE_MI) < 0.3
    # The default rank transform makes the invariance exact: the same ranks, the same fit.
    assert fit.value == smile_fit.value


# ---------------------------------------------------------------- the extra


def test_missing_jax_names_the_extra(monkeypatch):
    x, y = small_pair(200)
    monkeypatch.setitem(sys.modules, "jax", None)  # `import jax` now raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'mistruct\[neural\]'"):
        mutual_information(x, y, estimator="mine")
    with pytest.raises(ImportError, match=r"pip install 'mistruct\[neural\]'"):
        neural_mutual_information(x, y, estimator="smile")


def test_core_never_imports_jax():
    code = (
        "import sys, numpy as np, mistruct\n"
        "rng = np.random.default_rng(0)\n"
        "mistruct.mutual_information(rng.standard_normal(200), rng.standard_normal(200))\n"
        "print('jax' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


# ---------------------------------------------------------------- estimators and diagnostics


@pytest.mark.parametrize("estimator", NEURAL_ESTIMATORS)
def test_each_estimator_finds_a_one_dimensional_gaussian(estimator):
    x, y = small_pair(2000, rho=0.8)  # I = -1/2 log(0.36) = 0.511 nats
    fit = neural_mutual_information(x, y, estimator=estimator, base=math.e, seed=0,
                                    **{**SMALL, "steps": 1500})
    assert fit.estimator == estimator
    assert abs(fit.value - 0.511) < 0.15
    assert np.isfinite(fit.stderr) and fit.stderr > 0


def test_independent_variables_give_about_zero():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((2000, 3)), rng.standard_normal((2000, 3))
    fit = neural_mutual_information(x, y, base=math.e, seed=0, **SMALL)
    assert abs(fit.value) < 0.05


def test_mutual_information_returns_the_value_in_base_units(monkeypatch):
    # mutual_information() fits with the defaults of neural_mutual_information(): made
    # small here, so that the test trains for seconds.
    for name, value in {**SMALL, "eval_every": 50}.items():
        monkeypatch.setitem(neural_mutual_information.__kwdefaults__, name, value)
    x, y = small_pair(600)
    bits = mutual_information(x, y, estimator="smile")
    nats = neural_mutual_information(x, y, estimator="smile", base=math.e)
    assert isinstance(bits, float)
    assert bits == pytest.approx(nats.value / math.log(2), rel=1e-6)
    picked = mutual_information_estimate(x, y, estimator="nwj", base=math.e)
    assert picked.estimator == "nwj" and picked.k is None


def test_result_holds_curve_stderr_and_split():
    x, y = small_pair(1000)
    fit = neural_mutual_information(x, y, base=2, seed=0, **SMALL)
    assert isinstance(fit, NeuralEstimate) and float(fit) == fit.value
    assert list(fit.curve.columns) == ["step", "train", "validation"]
    assert fit.curve["step"].is_monotonic_increasing
    assert fit.best_step in set(fit.curve["step"])
    # The kept critic is the best on the validation rows.
    assert fit.curve.loc[fit.curve["step"] == fit.best_step, "validation"].item() == (
        fit.curve["validation"].max()
    )
    assert fit.ceiling == math.inf
    assert fit.n_validation == fit.n_test and fit.n_train + 2 * fit.n_test == 1000
    assert fit.device == "cpu" or fit.device == "gpu"
    with pytest.raises(AttributeError):
        fit.value = 0.0  # frozen


def test_plot_draws_the_curve():
    x, y = small_pair(600)
    fit = neural_mutual_information(x, y, seed=0, **SMALL)
    ax = fit.plot()
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["train", "validation"]
    assert list(ax.get_lines()[1].get_ydata()) == list(fit.curve["validation"])


def test_infonce_warns_at_its_log_batch_ceiling():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1000, 2))
    y = x + 0.05 * rng.standard_normal((1000, 2))  # I = 2 * 3.0 nats, far above log 16
    sharp = {**SMALL, "hidden": (32,), "steps": 1000, "batch_size": 16, "weight_decay": 0.0}
    with pytest.warns(UserWarning, match="ceiling"):
        fit = neural_mutual_information(x, y, estimator="infonce", base=math.e, seed=0, **sharp)
    assert fit.ceiling == pytest.approx(math.log(16))
    assert fit.value <= fit.ceiling


def test_smile_clip_changes_the_bound():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1000, 2))
    y = x + 0.1 * rng.standard_normal((1000, 2))
    kept = neural_mutual_information(x, y, base=math.e, seed=0, clip=5.0, **SMALL)
    tight = neural_mutual_information(x, y, base=math.e, seed=0, clip=0.5, **SMALL)
    assert tight.value != kept.value


# ---------------------------------------------------------------- reproducibility and order


def test_seed_reproduces_and_order_does_not_matter():
    rng = np.random.default_rng(5)
    x = pd.DataFrame(rng.standard_normal((800, 3)), columns=["a", "b", "c"])
    y = x[["a"]].to_numpy() + rng.standard_normal((800, 1))
    first = neural_mutual_information(x, y, seed=7, **SMALL)
    again = neural_mutual_information(x, y, seed=7, **SMALL)
    assert first.value == again.value
    pd.testing.assert_frame_equal(first.curve, again.curve)
    rows = rng.permutation(800)
    shuffled = neural_mutual_information(x.iloc[rows][["c", "a", "b"]], y[rows], seed=7, **SMALL)
    assert shuffled.value == first.value
    other = neural_mutual_information(x, y, seed=8, **SMALL)
    assert other.value != first.value


def test_inputs_are_not_modified_and_missing_drop_works():
    x, y = small_pair(600)
    x = x.copy()
    x[:5] = np.nan
    before = x.copy()
    fit = neural_mutual_information(x, y, missing="drop", seed=0, **SMALL)
    np.testing.assert_array_equal(x, before)
    assert fit.n_train + fit.n_validation + fit.n_test == 595
    with pytest.raises(InvalidInputError, match="missing"):
        neural_mutual_information(x, y)


# ---------------------------------------------------------------- devices and bad input


def test_gpu_request_without_gpu_says_what_to_do():
    x, y = small_pair(300)
    has_gpu = any(d.platform == "gpu" for d in jax.devices())
    if has_gpu:
        assert neural_mutual_information(x, y, device="gpu", **SMALL).device == "gpu"
    else:
        with pytest.raises(InvalidInputError, match=r"device='gpu'.*device='cpu'"):
            neural_mutual_information(x, y, device="gpu")
    assert neural_mutual_information(x, y, device="cpu", **SMALL).device == "cpu"


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"estimator": "mine2"}, "estimator="),
        ({"critic": "deep"}, "critic="),
        ({"device": "tpu"}, "device="),
        ({"hidden": (16, 0)}, "hidden"),
        ({"held_out": 1.5}, "held_out"),
        ({"learning_rate": -1}, "learning_rate"),
        ({"weight_decay": -1}, "weight_decay"),
        ({"transform": "log"}, "transform="),
        ({"batch_size": 2}, "batch_size"),
    ],
)
def test_bad_options_are_refused(options, match):
    x, y = small_pair(300)
    with pytest.raises(InvalidInputError, match=match):
        neural_mutual_information(x, y, **options)


def test_bad_data_is_refused_before_training():
    x, y = small_pair(300)
    with pytest.raises(InvalidInputError, match="rows"):
        neural_mutual_information(x[:40], y[:40])
    with pytest.raises(InvalidInputError):
        neural_mutual_information(np.array(["a", "b"] * 150), y)
    with pytest.raises(InvalidInputError, match="constant"):
        neural_mutual_information(np.ones(300), y)
    with pytest.raises(InvalidInputError, match="conditional"):
        mutual_information(x, y, given=y, estimator="smile")
    with pytest.raises(InvalidInputError, match="does not estimate entropy"):
        entropy(x, estimator="smile")
