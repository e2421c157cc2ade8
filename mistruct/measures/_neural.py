"""Neural estimators of mutual information: MINE, NWJ, InfoNCE and SMILE (optional, JAX).

A small MLP critic ``f(x, y)`` is trained to separate pairs drawn together,
``(x_i, y_i)``, from pairs drawn apart, ``(x_i, y_j)``: each variational lower
bound on I(X;Y) below is a function of the critic's scores on a batch of ``b``
rows (the ``b`` diagonal pairs are the joint sample, the ``b (b - 1)``
off-diagonal ones the product of marginals):

* ``"mine"``: Donsker-Varadhan, ``E_P[f] - log E_Q[exp f]``, trained with
  the moving-average correction of the gradient of Belghazi et al. (2018);
* ``"nwj"``: Nguyen-Wainwright-Jordan, ``E_P[f] - E_Q[exp(f - 1)]``;
* ``"infonce"``: van den Oord et al. (2018), ``mean_i log(b softmax_j f_ij)``
  at ``j = i``; never above ``log b`` (its ceiling);
* ``"smile"``: Song & Ermon (2020), Donsker-Varadhan with the scores of the
  product of marginals clipped to ``[-clip, clip]``, the critic trained by
  the Jensen-Shannon (f-GAN) bound.

JAX is imported inside :func:`neural_mutual_information` only (the
``mistruct[neural]`` extra): ``import mistruct`` never loads it.
"""

from __future__ import annotations

import functools
import hashlib
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.special
import scipy.stats

from mistruct._validation import check_int, check_option
from mistruct.exceptions import (
    EstimatorCeilingWarning,
    InvalidInputError,
    MissingDependencyError,
)
from mistruct.measures._columns import _check_lengths, _frames, _numeric_block, _single
from mistruct.measures._discrete import DEFAULT_BASE, _log_base
from mistruct.measures._ties import (
    DEFAULT_SEED,
    _content_key,
    _row_keys,
    _seed_key,
    _standardize,
)

#: Estimators of :func:`neural_mutual_information`.
NEURAL_ESTIMATORS = ("smile", "mine", "nwj", "infonce")

#: Critic architectures of :func:`neural_mutual_information`.
CRITICS = ("separable", "joint")

#: Column transforms of :func:`neural_mutual_information`.
TRANSFORMS = ("rank", "standardize")

#: What to run when JAX is missing.
INSTALL_HINT = "pip install 'mistruct[neural]'"

# Weight of the newest step in the running mean of the critic's weights (Polyak
# averaging): about the last 100 steps count.
_POLYAK = 0.01

# Fewest held-out rows per batch: below it a batch's product-of-marginals term
# rests on too few pairs to mean anything.
_MIN_BATCH = 8


def _import_jax():
    """``jax`` and ``jax.numpy``, or a MissingDependencyError naming the extra to install."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError as error:
        raise MissingDependencyError(
            "the neural mutual-information estimators ('smile', 'mine', 'nwj', 'infonce') "
            f"need JAX, which is not installed; install it with: {INSTALL_HINT} "
            "(or use estimator='ksg' or 'gaussian', which need nothing more)."
        ) from error
    return jax, jnp


@dataclass(frozen=True)
class NeuralEstimate:
    """A neural mutual-information estimate with its training diagnostics.

    Attributes
    ----------
    value : float
        The estimate on the held-out test rows (the mean of the bound over
        their batches), in ``base`` units.
    stderr : float
        Standard error of ``value``: the standard deviation of the bound
        across the test batches over the square root of their number.
    estimator : str
        ``"smile"``, ``"mine"``, ``"nwj"`` or ``"infonce"``.
    critic : str
        ``"separable"`` or ``"joint"``.
    base : float
        Logarithm base of ``value``, ``stderr``, ``ceiling`` and ``curve``.
    curve : DataFrame
        The training curve, one row per evaluation: ``step`` (training steps
        done), ``train`` (the bound on the training batches since the last
        evaluation, averaged) and ``validation`` (the bound on the held-out
        validation rows, which early stopping watches).
    best_step : int
        The step whose critic gave ``value`` (the best validation bound).
    stopped_early : bool
        Whether training stopped because the validation bound stopped rising
        (rather than at ``steps``).
    ceiling : float
        The largest value the estimator can report: ``log b`` for
        ``"infonce"`` (``b`` rows per held-out batch), ``inf`` for the others.
    n_train, n_validation, n_test : int
        Rows used to train the critic, to stop early, and to estimate.
    device : str
        The JAX platform that trained the critic (``"cpu"``, ``"gpu"``).

    See Also
    --------
    mistruct.measures.neural_mutual_information : returns it.

    Notes
    -----
    ``float(estimate)`` is ``estimate.value``; :meth:`plot` draws the curve.

    Examples
    --------
    >>> curve = pd.DataFrame({"step": [100, 200], "train": [0.4, 0.6],
    ...                       "validation": [0.35, 0.5]})
    >>> estimate = NeuralEstimate(0.5, 0.02, "smile", "separable", 2, curve, 200, False,
    ...                           float("inf"), 700, 150, 150, "cpu")
    >>> float(estimate), float(estimate.curve["validation"].max())
    (0.5, 0.5)
    """

    value: float
    stderr: float
    estimator: str
    critic: str
    base: float
    curve: pd.DataFrame = field(compare=False, repr=False)
    best_step: int
    stopped_early: bool
    ceiling: float
    n_train: int
    n_validation: int
    n_test: int
    device: str

    def __float__(self) -> float:
        return float(self.value)

    def plot(self, ax=None):
        """Draw the training curve: the bound on training and validation rows by step.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure (Agg, no window) when omitted.

        Returns
        -------
        matplotlib Axes
            With the final estimate and its standard error as a band, and
            the step early stopping kept as a vertical line.

        Examples
        --------
        >>> curve = pd.DataFrame({"step": [100, 200], "train": [0.4, 0.6],
        ...                       "validation": [0.35, 0.5]})
        >>> estimate = NeuralEstimate(0.5, 0.02, "smile", "separable", 2, curve, 200,
        ...                           False, float("inf"), 700, 150, 150, "cpu")
        >>> ax = estimate.plot()
        >>> [line.get_label() for line in ax.get_lines()][:2]
        ['train', 'validation']
        """
        if ax is None:
            from matplotlib.figure import Figure

            ax = Figure(figsize=(6, 3.5)).add_subplot()
        unit = {2: "bits", math.e: "nats"}.get(self.base, f"log base {self.base:g}")
        ax.plot(self.curve["step"], self.curve["train"], label="train", color="0.6")
        ax.plot(self.curve["step"], self.curve["validation"], label="validation", color="C0")
        ax.axhspan(self.value - self.stderr, self.value + self.stderr, color="C1", alpha=0.3)
        ax.axhline(self.value, color="C1", label=f"test estimate {self.value:.3g}")
        ax.axvline(self.best_step, color="0.3", linestyle=":", label="kept critic")
        if np.isfinite(self.ceiling):
            ax.axhline(self.ceiling, color="C3", linestyle="--", label="ceiling log b")
        ax.set_xlabel("training step")
        ax.set_ylabel(f"{self.estimator} bound ({unit})")
        ax.legend(loc="lower right", fontsize="small")
        return ax


# ---------------------------------------------------------------- checks


def _check_fraction(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise InvalidInputError(f"{name} must be a number in (0, 1), got {value!r}.")
    if not 0 < float(value) < 1:
        raise InvalidInputError(f"{name} must be in (0, 1), got {value!r}.")
    return float(value)


def _check_positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise InvalidInputError(f"{name} must be a positive number, got {value!r}.")
    if not (np.isfinite(value) and value > 0):
        raise InvalidInputError(f"{name} must be a positive finite number, got {value!r}.")
    return float(value)


def _check_nonnegative(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise InvalidInputError(f"{name} must be a number >= 0, got {value!r}.")
    if not (np.isfinite(value) and value >= 0):
        raise InvalidInputError(f"{name} must be a finite number >= 0, got {value!r}.")
    return float(value)


def _check_hidden(hidden) -> tuple:
    if isinstance(hidden, (int, np.integer)) and not isinstance(hidden, bool):
        hidden = (hidden,)
    try:
        widths = tuple(hidden)
    except TypeError:
        widths = None
    if not widths or any(
        isinstance(w, bool) or not isinstance(w, (int, np.integer)) or w < 1 for w in widths
    ):
        raise InvalidInputError(
            f"hidden must be a tuple of positive layer widths such as (32, 16), got {hidden!r}."
        )
    return tuple(int(w) for w in widths)


def _split_sizes(n: int, held_out: float, batch_size: int) -> tuple[int, int, int, int]:
    """``(n_train, n_validation, n_test, b)``: held-out splits of whole batches of ``b`` rows."""
    half = held_out * n / 2
    b = min(batch_size, int(half // 2))
    if b < _MIN_BATCH:
        raise InvalidInputError(
            f"{n} rows leave {half:.0f} held-out rows per split (held_out={held_out}), too few "
            f"for two batches of {_MIN_BATCH}: use more rows (at least "
            f"{math.ceil(4 * _MIN_BATCH / held_out)}) or a larger held_out."
        )
    batches = max(2, round(half / b))
    n_held = batches * b
    n_train = n - 2 * n_held
    if n_train < _MIN_BATCH:
        raise InvalidInputError(
            f"held_out={held_out} leaves {n_train} of {n} rows to train on; use a smaller "
            "held_out or more rows."
        )
    return n_train, n_held, n_held, b


def _device(jax, device):
    """The JAX device to train on, or an error naming what to do when it is absent."""
    if device is None:
        return jax.devices()[0]
    check_option(device, "device", ("cpu", "gpu"))
    try:
        found = jax.devices(device)
    except RuntimeError:
        found = []
    if not found:
        raise InvalidInputError(
            f"device={device!r}, but JAX finds no {device.upper()} (it has "
            f"{', '.join(sorted({d.platform for d in jax.devices()}))}); install a JAX built "
            "for it (for NVIDIA GPUs: pip install -U 'jax[cuda12]'), or pass device='cpu' or "
            "device=None (the best device JAX has)."
        )
    return found[0]


# ---------------------------------------------------------------- the programs


@functools.lru_cache(maxsize=16)
def _programs(estimator, critic, widths_x, widths_y, rate, decay, clip, ema):
    """The jitted training chunk and the held-out evaluation for one configuration."""
    jax, jnp = _import_jax()
    tree_map = jax.tree_util.tree_map

    def init_mlp(key, sizes):
        layers = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            key, sub = jax.random.split(key)
            # He initialization: (E)LU layers keep about the variance of their input.
            weight = jax.random.normal(sub, (fan_in, fan_out), jnp.float32)
            layers.append((weight * math.sqrt(2.0 / fan_in), jnp.zeros(fan_out, jnp.float32)))
        return layers

    def mlp(layers, h):
        for weight, bias in layers[:-1]:
            h = jax.nn.elu(h @ weight + bias)
        weight, bias = layers[-1]
        return h @ weight + bias

    def init(key):
        kx, ky = jax.random.split(key)
        if critic == "separable":
            return {"x": init_mlp(kx, widths_x), "y": init_mlp(ky, widths_y)}
        return {"xy": init_mlp(kx, widths_x)}

    def scores(params, xs, ys):
        """``S[i, j] = f(x_i, y_j)`` for every pair of rows of a batch."""
        if critic == "separable":
            return mlp(params["x"], xs) @ mlp(params["y"], ys).T
        layers = params["xy"]
        weight, bias = layers[0]
        dx = xs.shape[1]
        # The first layer of f([x_i, y_j]) is x_i Wx + y_j Wy + b: b + b products, not b^2.
        h = jax.nn.elu((xs @ weight[:dx])[:, None, :] + (ys @ weight[dx:])[None, :, :] + bias)
        return mlp(layers[1:], h)[..., 0] if len(layers) > 1 else h[..., 0]

    def terms(s):
        b = s.shape[0]
        diagonal = jnp.diagonal(s)
        off = ~jnp.eye(b, dtype=bool)
        log_pairs = jnp.log(b * (b - 1.0))

        def log_mean_exp_off(t):
            return jax.scipy.special.logsumexp(jnp.where(off, t, -jnp.inf)) - log_pairs

        return diagonal, off, log_mean_exp_off

    def bound(s):
        """The estimator's lower bound (nats) on one batch of scores."""
        diagonal, _, log_mean_exp_off = terms(s)
        if estimator == "mine":
            return diagonal.mean() - log_mean_exp_off(s)
        if estimator == "nwj":
            return diagonal.mean() - jnp.exp(log_mean_exp_off(s) - 1.0)
        if estimator == "infonce":
            b = s.shape[0]
            return jnp.mean(diagonal - jax.scipy.special.logsumexp(s, axis=1)) + jnp.log(b)
        return diagonal.mean() - log_mean_exp_off(jnp.clip(s, -clip, clip))

    def objective(s, log_average, first):
        """What the gradient follows (maximized), the bound, and the new moving average."""
        value = bound(s)
        if estimator == "mine":
            diagonal, _, log_mean_exp_off = terms(s)
            now = log_mean_exp_off(s)
            # Belghazi et al.: the gradient of log E_Q[e^f] is E_Q[e^f grad f] / E_Q[e^f];
            # dividing by a moving average of E_Q[e^f] instead removes the minibatch bias.
            updated = jnp.where(
                first,
                now,
                jnp.logaddexp(jnp.log1p(-ema) + log_average, jnp.log(ema) + now),
            )
            updated = jax.lax.stop_gradient(updated)
            surrogate = diagonal.mean() - jnp.exp(now - updated)
            return surrogate, value, updated
        if estimator == "smile":
            diagonal, off, _ = terms(s)
            b = s.shape[0]
            # Song & Ermon: the gradient of the Jensen-Shannon bound, the value of the
            # clipped Donsker-Varadhan bound.
            js = jnp.mean(-jax.nn.softplus(-diagonal)) - jnp.sum(
                jnp.where(off, jax.nn.softplus(s), 0.0)
            ) / (b * (b - 1.0))
            return js + jax.lax.stop_gradient(value - js), value, log_average
        return value, value, log_average

    def adam(params, grads, moments, t):
        first, second = moments
        b1, b2, eps = 0.9, 0.999, 1e-8
        first = tree_map(lambda m, g: b1 * m + (1 - b1) * g, first, grads)
        second = tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, second, grads)
        step = rate * jnp.sqrt(1 - b2**t) / (1 - b1**t)
        params = tree_map(lambda p, m, v: p * (1 - rate * decay) + step * m / (jnp.sqrt(v) + eps),
                          params, first, second)
        return params, (first, second)

    def train_step(state, rows, xs, ys):
        params, moments, t, log_average, average = state

        def goal(p):
            surrogate, value, updated = objective(scores(p, xs[rows], ys[rows]), log_average,
                                                  t == 0)
            return surrogate, (value, updated)

        (_, (value, log_average)), grads = jax.value_and_grad(goal, has_aux=True)(params)
        # Gradient ascent on the bound: adam() adds the step.
        params, moments = adam(params, grads, moments, t + 1.0)
        # Polyak averaging of the weights: the critic evaluated is the running mean of the
        # last few hundred steps, less noisy than the last step's.
        average = tree_map(lambda a, p: a + _POLYAK * (p - a), average, params)
        return (params, moments, t + 1.0, log_average, average), value

    @jax.jit
    def train_chunk(state, rows, xs, ys):
        """Training steps on the batches of ``rows`` (steps x batch row indices)."""
        state, values = jax.lax.scan(lambda s, r: train_step(s, r, xs, ys), state, rows)
        return state, values.mean()

    @jax.jit
    def evaluate(params, xs, ys):
        """The bound on each batch of held-out rows (xs: batches x b x d)."""
        return jax.vmap(lambda x, y: bound(scores(params, x, y)))(xs, ys)

    def start(key):
        params = init(key)
        zeros = tree_map(jnp.zeros_like, params)
        return (params, (zeros, zeros), jnp.float32(0.0), jnp.float32(0.0), params)

    return start, train_chunk, evaluate


# ---------------------------------------------------------------- the estimator


def neural_mutual_information(
    x,
    y,
    *,
    estimator: str = "smile",
    critic: str = "joint",
    hidden=(32, 16),
    embedding: int = 16,
    batch_size: int = 128,
    steps: int = 4000,
    learning_rate: float = 2e-3,
    weight_decay: float = 0.3,
    held_out: float = 0.2,
    transform: str = "rank",
    eval_every: int = 100,
    patience: int = 8,
    clip: float = 5.0,
    ema: float = 0.01,
    base=DEFAULT_BASE,
    seed=DEFAULT_SEED,
    device=None,
    missing: str = "error",
) -> NeuralEstimate:
    """Mutual information I(X;Y) of (high-dimensional) numeric variables by a trained critic.

    Needs JAX (``pip install 'mistruct[neural]'``).  The rows are split into
    training rows, validation rows that stop training when the bound on them
    stops rising, and test rows on which the kept critic gives the estimate.

    Parameters
    ----------
    x, y : 1-D array, Series, 2-D array or DataFrame
        Numeric observations of the same rows; each a joint variable of its
        columns.  Never modified.  Each column is centred and scaled to unit
        variance first (mutual information does not change).
    estimator : {"smile", "mine", "nwj", "infonce"}, default "smile"
        The bound (see :mod:`mistruct.measures`, "Neural estimators").
        ``"smile"`` has the lowest variance at large I; ``"infonce"`` cannot
        exceed ``log b`` (``b`` rows per held-out batch, at most
        ``batch_size``) and warns when it is near it.
    critic : {"joint", "separable"}, default "joint"
        ``"joint"``: one MLP on the concatenated ``[x, y]``, which can express
        any dependence; it scores all ``b^2`` pairs of a batch (the first
        layer's products are shared, ``2 b`` of them, the rest costs ``b^2``
        small passes).  ``"separable"``: ``f(x, y) = g(x) . h(y)``, two MLPs
        with ``embedding`` outputs, ``2 b`` passes per batch: faster, but a
        Gaussian's log density ratio (a quadratic in x and y) is harder for
        it, so it learns more slowly.
    hidden : tuple of int, default (32, 16)
        Widths of the hidden ELU layers of each MLP.  Small on purpose: with
        10^4 rows, larger critics overfit the training rows sooner.
    embedding : int, default 16
        Output width of the separable critic's two MLPs (unused by
        ``"joint"``).
    batch_size : int, default 128
        Rows per training batch: ``b`` joint pairs and ``b (b - 1)`` pairs of
        the product of marginals.  Also the largest held-out batch.
    steps : int, default 4000
        Most training steps (Adam, one batch each), rounded up to a multiple
        of ``eval_every``.
    learning_rate : float, default 2e-3
        Adam's step size.
    weight_decay : float, default 0.3
        Decoupled weight decay (AdamW): each step multiplies the weights by
        ``1 - learning_rate * weight_decay``; it slows overfitting.  0 turns
        it off.
    held_out : float, default 0.2
        Fraction of rows held out, half for early stopping (validation) and
        half for the estimate (test), each rounded to whole batches.
    transform : {"rank", "standardize"}, default "rank"
        What each column becomes before training.  ``"rank"``: normal scores
        of its ranks, ``Phi^-1((rank - 1/2) / n)`` (ties share their mean
        rank): a strictly increasing map of each column changes no rank, so
        the estimate is exactly invariant to them (cubes, asinh, logs), and
        heavy tails and outliers no longer dominate the critic's inputs.
        ``"standardize"``: centred and scaled to unit variance only.  Either
        way the mutual information does not change.
    eval_every : int, default 100
        Training steps between two evaluations on the validation rows.
    patience : int, default 8
        Evaluations without a better validation bound before training stops.
    clip : float, default 5.0
        SMILE's clipping threshold ``tau`` (``"smile"`` only).
    ema : float, default 0.01
        Rate of MINE's moving average of ``E_Q[exp f]`` (``"mine"`` only).
    base : float, default 2
        2 gives bits, ``np.e`` nats.
    seed : int, None or numpy.random.Generator, default 0
        Seeds the row split, the initial weights and the batches, together
        with a hash of the data (not of its row or column order): the same
        data and seed give the same estimate on the same device.  ``None``
        is not reproducible.
    device : {None, "cpu", "gpu"}, default None
        Where JAX trains: None takes JAX's default (a GPU when a GPU build
        of JAX sees one, else the CPU).  ``"gpu"`` without one is an error.
    missing : {"error", "drop"}, default "error"
        ``"drop"`` drops every row with a missing value in x or y.

    Returns
    -------
    NeuralEstimate
        Frozen: ``.value`` and ``.stderr`` (test rows, ``base`` units),
        ``.curve`` (training curve; ``.plot()`` draws it), ``.ceiling``,
        ``.best_step`` and the split sizes; ``float(estimate)`` is the value.

    Raises
    ------
    MissingDependencyError
        When JAX is not installed, naming ``pip install 'mistruct[neural]'``.
    InvalidInputError
        For a non-numeric or constant column, NaN, rows too few for the
        split, a bad option, or ``device="gpu"`` without a GPU.

    Warns
    -----
    EstimatorCeilingWarning
        ``"infonce"`` within ``log 2`` of its ceiling ``log b``: the true
        value may be larger than ``log b``, which InfoNCE cannot show (use
        more rows per batch, or ``"smile"``).

    See Also
    --------
    mistruct.measures.mutual_information : ``estimator="smile"`` (and the
        others) returns ``.value`` alone.

    Notes
    -----
    Lower bounds: a critic that fits badly gives too small a value, and
    every bound is biased down at large I.  InfoNCE's value is at most
    ``log b``; MINE's and NWJ's variance grows like ``exp(I)``; SMILE trades
    a bias of at most a few hundredths of a nat at I below ``clip`` for a
    much smaller variance.  The estimate comes from rows the critic never
    saw, so overfitting shows as a lower value, not a higher one.

    Training: Adam on batches of ``batch_size`` training rows (each row once
    per epoch, in a random order), ELU layers; every ``eval_every`` steps the
    running mean of the critic's weights (Polyak averaging over about the
    last 100 steps) is scored on the validation rows, and the best one is
    kept.  At 10^4 rows and the defaults a fit takes 10-20 CPU-seconds.

    References: Belghazi et al. (2018), MINE; Nguyen, Wainwright & Jordan
    (2010); van den Oord, Li & Vinyals (2018); Poole et al. (2019); Song &
    Ermon (2020), SMILE.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((600, 2))
    >>> y = 0.8 * x + 0.6 * rng.standard_normal((600, 2))   # I = 2 * 0.51 nats
    >>> fit = neural_mutual_information(x, y, base=np.e, steps=300, hidden=(32,),
    ...                                 embedding=8, batch_size=64, learning_rate=5e-3)
    >>> bool(abs(fit.value - 1.02) < 0.3), fit.estimator, list(fit.curve.columns)
    (True, 'smile', ['step', 'train', 'validation'])
    """
    scale = _log_base(base)
    estimator = check_option(estimator, "estimator", NEURAL_ESTIMATORS)
    critic = check_option(critic, "critic", CRITICS)
    widths = _check_hidden(hidden)
    embedding = check_int(embedding, "embedding")
    batch_size = check_int(batch_size, "batch_size", low=_MIN_BATCH)
    steps = check_int(steps, "steps")
    eval_every = check_int(eval_every, "eval_every")
    patience = check_int(patience, "patience")
    rate = _check_positive(learning_rate, "learning_rate")
    decay = _check_nonnegative(weight_decay, "weight_decay")
    held_out = _check_fraction(held_out, "held_out")
    transform = check_option(transform, "transform", TRANSFORMS)
    clip = _check_positive(clip, "clip")
    ema = _check_fraction(ema, "ema")
    if device is not None:
        check_option(device, "device", ("cpu", "gpu"))
    frames = _frames({"x": x, "y": y}, missing, optional=())
    xb = _numeric_block(frames["x"], "x", single=_single(x))
    yb = _numeric_block(frames["y"], "y", single=_single(y))
    n = _check_lengths(x=xb, y=yb)
    n_train, n_valid, n_test, b = _split_sizes(n, held_out, batch_size)
    key = _seed_key(seed)
    jax, jnp = _import_jax()
    target = _device(jax, device)

    # Rows and columns in an order fixed by their (transformed) values: the result depends
    # neither on the order they came in nor, with ranks, on increasing maps of the columns.
    # The random stream is keyed by the seed and that content.
    prepare = _normal_scores if transform == "rank" else _standardize
    x_all, y_all = prepare(xb), prepare(yb)
    row_keys = _row_keys(x_all, y_all)
    rows = np.argsort(row_keys, kind="stable")
    xs = x_all[rows][:, _column_order(x_all)].astype(np.float32)
    ys = y_all[rows][:, _column_order(y_all)].astype(np.float32)
    content = int.from_bytes(
        hashlib.blake2b(np.sort(row_keys).tobytes(), digest_size=8).digest(), "little"
    )
    rng = np.random.default_rng(np.random.SeedSequence([key, content]))
    order = rng.permutation(n)
    train, valid, test = np.split(order, [n_train, n_train + n_valid])
    dx, dy = xs.shape[1], ys.shape[1]
    if critic == "separable":
        sizes_x, sizes_y = (dx, *widths, embedding), (dy, *widths, embedding)
    else:
        sizes_x, sizes_y = (dx + dy, *widths, 1), ()
    start, train_chunk, evaluate = _programs(
        estimator, critic, sizes_x, sizes_y, rate, decay, clip, ema
    )
    batch = min(batch_size, n_train)
    pool = np.empty(0, dtype=np.int64)

    def batches(index):
        return (
            jax.device_put(xs[index].reshape(-1, b, dx), target),
            jax.device_put(ys[index].reshape(-1, b, dy), target),
        )

    with jax.default_device(target):
        x_train = jax.device_put(xs[train], target)
        y_train = jax.device_put(ys[train], target)
        x_valid, y_valid = batches(valid)
        x_test, y_test = batches(test)
        state = start(jax.random.PRNGKey(int(rng.integers(2**31))))
        best, best_params, best_step, waited = -np.inf, state[0], 0, 0
        records, stopped = [], False
        done = 0
        while done < steps:
            # Epochs: each training row once in a random order, then a new order.
            while len(pool) < eval_every * batch:
                pool = np.concatenate([pool, rng.permutation(n_train)])
            chunk, pool = pool[: eval_every * batch], pool[eval_every * batch :]
            chunk = jax.device_put(chunk.reshape(eval_every, batch).astype(np.int32), target)
            state, train_value = train_chunk(state, chunk, x_train, y_train)
            done += eval_every
            valid_value = float(np.mean(np.asarray(evaluate(state[-1], x_valid, y_valid))))
            train_value = float(train_value)
            records.append((done, train_value / scale, valid_value / scale))
            if np.isfinite(valid_value) and valid_value > best:
                best, best_params, best_step, waited = valid_value, state[-1], done, 0
            else:
                waited += 1
            if waited >= patience or not np.isfinite(train_value):
                stopped = done < steps
                break
        per_batch = np.asarray(evaluate(best_params, x_test, y_test), dtype=float)
    value = float(per_batch.mean())
    stderr = float(per_batch.std(ddof=1) / math.sqrt(len(per_batch)))
    ceiling = math.log(b) if estimator == "infonce" else math.inf
    if estimator == "infonce" and value > ceiling - math.log(2):
        warnings.warn(
            f"the InfoNCE estimate {value:.3f} nats is near its ceiling log b = {ceiling:.3f} "
            f"nats (b = {b} rows per held-out batch): the mutual information may be larger "
            "than InfoNCE can show; use a larger batch_size (with more rows) or "
            "estimator='smile'.",
            EstimatorCeilingWarning,
            stacklevel=2,
        )
    curve = pd.DataFrame(records, columns=["step", "train", "validation"])
    return NeuralEstimate(
        value=value / scale,
        stderr=stderr / scale,
        estimator=estimator,
        critic=critic,
        base=base,
        curve=curve,
        best_step=int(best_step),
        stopped_early=bool(stopped),
        ceiling=ceiling / scale,
        n_train=int(n_train),
        n_validation=int(n_valid),
        n_test=int(n_test),
        device=str(target.platform),
    )


def _normal_scores(block: np.ndarray) -> np.ndarray:
    """Each column replaced by the standard normal quantiles of its (mean) ranks."""
    n = block.shape[0]
    ranks = scipy.stats.rankdata(block, axis=0)
    return scipy.special.ndtri((ranks - 0.5) / n)


def _column_order(block: np.ndarray) -> np.ndarray:
    """Columns ordered by a hash of their values, so the critic sees them in one order."""
    return np.argsort([_content_key(column) for column in block.T], kind="stable")
