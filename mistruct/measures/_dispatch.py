"""One entry point per measure for every column kind, the estimator picked by ``estimator=``.

Each column's kind is decided once, at the door, by
:func:`mistruct.data.apply_kinds` (with the ``discrete=`` / ``continuous=``
overrides); below it a float column is continuous and every other column
discrete.  ``"auto"`` then picks the plug-in estimator when every column is
discrete, KSG (Frenzel-Pompe with ``given``) when every column is continuous
and Gao et al.'s mixed estimator otherwise.  An estimator that cannot take a
column's kind is refused before any work, with the column named.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mistruct._validation import check_option
from mistruct.data import apply_kinds, as_frame, is_dask_collection, select_columns
from mistruct.exceptions import ContinuousDataError, InvalidInputError
from mistruct.measures._auto import (
    MutualInformationEstimate,
    _positional,
    knn_mutual_information_matrix,
)
from mistruct.measures._columns import _check_lengths, _frames, _numeric_block, _single
from mistruct.measures._dask import (
    dask_conditional_entropy,
    dask_entropy,
    dask_mutual_information,
    dask_mutual_information_matrix,
)
from mistruct.measures._discrete import (
    DEFAULT_BASE,
    NUMERIC_MATRIX_ESTIMATORS,
    _check_variables,
    _log_base,
)
from mistruct.measures._discrete import conditional_entropy as _discrete_conditional_entropy
from mistruct.measures._discrete import entropy as _discrete_entropy
from mistruct.measures._discrete import mutual_information as _discrete_mutual_information
from mistruct.measures._discrete import mutual_information_matrix as _discrete_mi_matrix
from mistruct.measures._estimators import ESTIMATORS
from mistruct.measures._gaussian import (
    gaussian_mutual_information,
    gaussian_mutual_information_matrix,
)
from mistruct.measures._knn import (
    knn_entropy,
    ksg_conditional_mutual_information,
    ksg_mutual_information,
)
from mistruct.measures._mixed import mixed_mutual_information
from mistruct.measures._neural import NEURAL_ESTIMATORS, neural_mutual_information
from mistruct.measures._ties import DEFAULT_SEED

__all__ = [
    "ENTROPY_ESTIMATORS",
    "MATRIX_ESTIMATORS",
    "MI_ESTIMATORS",
    "conditional_entropy",
    "entropy",
    "mutual_information",
    "mutual_information_estimate",
    "mutual_information_matrix",
]

#: Estimators of :func:`mutual_information` and :func:`mutual_information_estimate`.
MI_ESTIMATORS = ("auto", *ESTIMATORS, "ksg", "ksg2", "gaussian", "mixed")

#: Estimators of :func:`entropy` and :func:`conditional_entropy`.
ENTROPY_ESTIMATORS = ("auto", *ESTIMATORS, "kl")

#: Estimators of :func:`mutual_information_matrix` (the choices of ``mistruct mi``).
MATRIX_ESTIMATORS = ("auto", *ESTIMATORS, *NUMERIC_MATRIX_ESTIMATORS[:-1])


# ---------------------------------------------------------------- the door


def _check_estimator(estimator, options, what: str) -> str:
    known = isinstance(estimator, str) and estimator in MI_ESTIMATORS + NEURAL_ESTIMATORS + ("kl",)
    if known and estimator not in options:
        raise InvalidInputError(
            f"estimator={estimator!r} does not estimate {what}; use one of "
            f"{', '.join(repr(o) for o in options)}."
        )
    return check_option(estimator, "estimator", options)


def _check_missing(missing, estimator: str) -> str:
    check_option(missing, "missing", ("error", "drop", "category"))
    if missing == "category" and estimator not in ESTIMATORS and estimator != "auto":
        raise InvalidInputError(
            f"missing='category' makes a missing value a level of a discrete column; "
            f"estimator={estimator!r} works on numbers: use missing='drop' or 'error', or a "
            f"discrete estimator ({', '.join(repr(e) for e in ESTIMATORS)})."
        )
    return missing


def _split(labels, frame: pd.DataFrame):
    """The labels of ``labels`` that are columns of ``frame`` (None stays None)."""
    if labels is None:
        return None
    if isinstance(labels, str) or not np.iterable(labels):
        labels = [labels]
    return [label for label in labels if label in frame.columns]


def _kinds_at_door(variables: dict, discrete, continuous, optional=("given",)):
    """Each variable as a frame whose dtypes state the kinds, and each column's kind.

    Returns ``(inputs, kinds, door)``: ``inputs[role]`` is the variable after
    :func:`mistruct.data.apply_kinds` (one unnamed variable stays a Series,
    so messages keep saying "x"), rows by position; ``kinds`` maps
    ``(role, label)`` to "discrete" or "continuous"; ``door[role]`` is
    ``(frame as given, frame after apply_kinds, whether one unnamed variable)``.
    """
    present = _check_variables(variables, optional)
    frames = {
        role: as_frame(value, what=role).reset_index(drop=True) for role, value in present.items()
    }
    _check_lengths(**frames)
    for option, labels in (("discrete", discrete), ("continuous", continuous)):
        if labels is None:
            continue
        listed = [labels] if isinstance(labels, str) or not np.iterable(labels) else labels
        unknown = [
            label for label in listed if not any(label in f.columns for f in frames.values())
        ]
        if unknown:
            raise InvalidInputError(
                f"{option}= names {unknown!r}, which are not columns of "
                f"{' or '.join(frames)}; name columns of the variables passed."
            )
    inputs, kinds, door = {}, {}, {}
    for role, frame in frames.items():
        applied = apply_kinds(
            frame,
            discrete=_split(discrete, frame),
            continuous=_split(continuous, frame),
            what=role,
        )
        for label in applied.columns:
            float_kind = pd.api.types.is_float_dtype(applied[label].dtype)
            kinds[(role, label)] = "continuous" if float_kind else "discrete"
        single = _single(present[role])
        inputs[role] = applied.iloc[:, 0] if single else applied
        door[role] = (frame, applied, single)
    return inputs, kinds, door


def _discrete_inputs(door: dict, discrete, continuous, estimator: str) -> dict:
    """Each variable as an explicit discrete estimator counts it (see :func:`_counted`)."""
    out = {}
    for role, (raw, applied, single) in door.items():
        frame = _counted(raw, applied, discrete, continuous, role, single, estimator)
        out[role] = frame.iloc[:, 0] if single else frame
    return out


def _name(role: str, label, inputs: dict) -> str:
    return role if isinstance(inputs[role], pd.Series) else f"column {label!r} of {role}"


def _labels(labels) -> list:
    if labels is None:
        return []
    return [labels] if isinstance(labels, str) or not np.iterable(labels) else list(labels)


def _counted(raw, applied, discrete, continuous, role: str, single: bool, estimator: str):
    """The columns a discrete estimator counts: as given, or as made discrete by ``discrete=``.

    A float column (or one named in ``continuous=``) is refused, naming it,
    unless ``discrete=`` names it (its values then become categories).
    """
    forced = [c for c in _labels(discrete) if c in raw.columns]
    bad = [
        c
        for c in raw.columns
        if c not in forced
        and (c in _labels(continuous) or pd.api.types.is_float_dtype(raw[c].dtype))
    ]
    if bad:
        names = role if single else ", ".join(f"column {c!r} of {role}" for c in bad)
        raise ContinuousDataError(
            f"estimator={estimator!r} counts the values of discrete columns, but {names} "
            "is float (continuous); discretize it first (mistruct.data.Discretizer), name it in "
            "discrete=[...] (or cast it to int/str) if its values are categories, or use "
            "estimator='auto' (or 'ksg', 'mixed') for continuous data."
        )
    if not forced:
        return raw
    out = raw.copy()
    for c in forced:
        out[c] = applied[c]
    return out


def _resolve(estimator: str, kinds: dict, given) -> str:
    if estimator != "auto":
        return estimator
    found = set(kinds.values())
    if found == {"discrete"}:
        return "plugin"
    if found == {"continuous"}:
        return "ksg"
    return "mixed"


# ---------------------------------------------------------------- mutual information


def mutual_information_estimate(
    x,
    y,
    given=None,
    *,
    estimator: str = "auto",
    k: int = 3,
    base=DEFAULT_BASE,
    seed=DEFAULT_SEED,
    noise: float = 1e-10,
    missing: str = "error",
    discrete=None,
    continuous=None,
) -> MutualInformationEstimate:
    """Mutual information and the estimator that produced it.

    The same as :func:`mutual_information` (same parameters, same value),
    returned with the name of the estimator used: the one documented way to
    know what ``estimator="auto"`` chose.

    Parameters
    ----------
    x, y, given
        As in :func:`mutual_information`.
    estimator, k, base, seed, noise, missing, discrete, continuous
        As in :func:`mutual_information`.

    Returns
    -------
    MutualInformationEstimate
        Frozen: ``.value`` (float, in ``base`` units), ``.estimator``
        (``"plugin"``, ``"miller-madow"``, ``"shrinkage"``, ``"chao-shen"``,
        ``"ksg"``, ``"ksg2"``, ``"frenzel-pompe"`` (KSG with ``given``),
        ``"gaussian"`` or ``"mixed"``), ``.k`` (None for the discrete and
        Gaussian estimators) and ``.base``; ``float(estimate)`` is the value.

    See Also
    --------
    mutual_information : the value alone.

    Examples
    --------
    >>> picked = mutual_information_estimate(["a", "a", "b", "b"], [0, 0, 1, 1])
    >>> picked.estimator, round(picked.value, 6)
    ('plugin', 1.0)
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 500)
    >>> mutual_information_estimate(rng.standard_normal(500) + y, y).estimator
    'mixed'
    """
    if any(is_dask_collection(v) for v in (x, y, given)):  # counted distributed (issue 16)
        value, chosen = dask_mutual_information(
            x, y, given, estimator=_check_estimator(estimator, MI_ESTIMATORS, "mutual information"),
            base=base, missing=missing, discrete=discrete, continuous=continuous,
        )
        return MutualInformationEstimate(float(value), chosen, None, base)
    _log_base(base)
    estimator = _check_estimator(estimator, MI_ESTIMATORS + NEURAL_ESTIMATORS, "mutual information")
    missing = _check_missing(missing, estimator)
    if estimator in NEURAL_ESTIMATORS and given is not None:  # neural estimators (issue 18)
        raise InvalidInputError(
            f"estimator={estimator!r} (a neural bound) has no conditional form; drop given=, "
            "or use estimator='ksg' (Frenzel-Pompe) for I(X;Y | given)."
        )
    inputs, kinds, door = _kinds_at_door({"x": x, "y": y, "given": given}, discrete, continuous)
    chosen = _resolve(estimator, kinds, given)
    if chosen in ESTIMATORS and estimator != "auto":
        inputs = _discrete_inputs(door, discrete, continuous, chosen)
    ix, iy, iz = inputs["x"], inputs["y"], inputs.get("given")
    if chosen in ESTIMATORS:
        value = _discrete_mutual_information(
            _positional(ix), _positional(iy), _positional(iz),
            base=base, estimator=chosen, missing=missing,
        )
        return MutualInformationEstimate(float(value), chosen, None, base)
    if missing == "category":
        raise InvalidInputError(
            "missing='category' makes a missing value a level of a discrete column, but "
            f"estimator='auto' chose {chosen!r} for these continuous columns; use "
            "missing='drop' or 'error'."
        )
    if chosen == "gaussian":
        value = gaussian_mutual_information(ix, iy, iz, base=base, missing=missing)
        return MutualInformationEstimate(float(value), "gaussian", None, base)
    if chosen in NEURAL_ESTIMATORS:  # trained critic, default settings (issue 18)
        fit = neural_mutual_information(ix, iy, estimator=chosen, base=base, seed=seed,
                                        missing=missing)
        return MutualInformationEstimate(float(fit.value), chosen, None, base)
    if chosen == "mixed":
        value = mixed_mutual_information(
            ix, iy, iz, k=k, base=base, seed=seed, noise=noise, missing=missing
        )
        return MutualInformationEstimate(float(value), "mixed", k, base)
    if given is None:
        value = ksg_mutual_information(
            ix, iy, k=k, algorithm=1 if chosen == "ksg" else 2,
            base=base, seed=seed, noise=noise, missing=missing,
        )
        return MutualInformationEstimate(float(value), chosen, k, base)
    if chosen == "ksg2":
        raise InvalidInputError(
            "estimator='ksg2' (KSG algorithm 2) has no conditional form; with given=, use "
            "estimator='ksg' (Frenzel-Pompe) or 'auto'."
        )
    value = ksg_conditional_mutual_information(
        ix, iy, iz, k=k, base=base, seed=seed, noise=noise, missing=missing
    )
    return MutualInformationEstimate(float(value), "frenzel-pompe", k, base)


def mutual_information(
    x,
    y,
    given=None,
    *,
    estimator: str = "auto",
    k: int = 3,
    base=DEFAULT_BASE,
    seed=DEFAULT_SEED,
    noise: float = 1e-10,
    missing: str = "error",
    discrete=None,
    continuous=None,
) -> float:
    """Mutual information I(X;Y), or conditional I(X;Y | given), of any column kinds.

    Parameters
    ----------
    x, y : 1-D array, list, Series, 2-D array or DataFrame
        Observations of the same rows; a 2-D array or DataFrame is one joint
        variable made of its columns.  Never modified.  Each column's kind
        follows :func:`mistruct.data.column_kinds`: float columns and integer
        columns with many levels are continuous; bool, category, string
        columns and integer codes with few levels are discrete.
    given : same kinds, optional
        Conditioning variable(s).
    estimator : str, default "auto"
        ``"auto"``: the plug-in estimate when every column is discrete, KSG
        algorithm 1 (Frenzel-Pompe with ``given``) when every column is
        continuous, Gao et al. (2017) otherwise.  Discrete estimators
        (every column discrete): ``"plugin"``, ``"miller-madow"``,
        ``"shrinkage"``, ``"chao-shen"``.  Numeric columns: ``"ksg"`` (KSG
        algorithm 1; Frenzel-Pompe with ``given``), ``"ksg2"`` (KSG algorithm
        2, no ``given``), ``"gaussian"`` (closed form from the correlation
        matrix).  Any kinds: ``"mixed"`` (Gao, Kannan, Oh & Viswanath 2017).
        Numeric columns of high dimension, no ``given``, JAX needed
        (``pip install 'mistruct[neural]'``): ``"smile"``, ``"mine"``,
        ``"nwj"``, ``"infonce"``, a neural critic with the defaults of
        :func:`neural_mutual_information` (which takes its settings and
        returns its diagnostics).
    k : int, default 3
        Neighbour rank of the kNN estimators (``1 <= k < n``).
    base : float, default 2
        2 gives bits, ``np.e`` nats.
    seed : int, None or numpy.random.Generator, default 0
        Seeds the tie noise of the kNN estimators, keyed by each column's
        values: the same data give the same value, whatever the column
        order; ``None`` is not reproducible.
    noise : float, default 1e-10
        Jitter of continuous columns without ties, for the kNN estimators
        (see :mod:`mistruct.measures`); 0 disables the tie noise.
    missing : {"error", "drop", "category"}, default "error"
        ``"drop"`` drops every row with a missing value in any variable;
        ``"category"`` (discrete estimators only) makes it a level.
    discrete, continuous : list of labels, optional
        Labels of columns to treat as discrete / continuous, overriding the
        automatic rule of :func:`mistruct.data.column_kinds`.

    Returns
    -------
    float
        In ``base`` units.  The plug-in estimate is never negative; the
        others are not clipped (a value slightly below 0 means "about 0").

    Raises
    ------
    InvalidInputError
        Before any work, for an estimator that cannot take a column's kind
        (a discrete estimator with a float measurement, a numeric estimator
        with a text column), naming the column and what to do.

    See Also
    --------
    mutual_information_estimate : the same value with the estimator used
        (what ``"auto"`` chose).
    mutual_information_matrix : every pair of columns of a table.
    entropy, conditional_entropy
    mutual_information_from_table : from a probability or count table.

    Examples
    --------
    >>> mutual_information([0, 0, 1, 1], [0, 0, 1, 1])
    1.0

    X = Y xor Z: independent of Y alone, determined by Y given Z.

    >>> y, z = np.array([0, 0, 1, 1] * 5), np.array([0, 1, 0, 1] * 5)
    >>> mutual_information(y ^ z, y), round(mutual_information(y ^ z, y, given=z), 12)
    (0.0, 1.0)

    Float columns take KSG (rho = 0.6: I = 0.2231 nats):

    >>> rng = np.random.default_rng(0)
    >>> a = rng.standard_normal(2000)
    >>> b = 0.6 * a + 0.8 * rng.standard_normal(2000)
    >>> round(mutual_information(a, b, base=np.e), 1)
    0.2
    >>> round(mutual_information(a, b, estimator="gaussian", base=np.e), 2)
    0.22
    """
    return mutual_information_estimate(
        x,
        y,
        given,
        estimator=estimator,
        k=k,
        base=base,
        seed=seed,
        noise=noise,
        missing=missing,
        discrete=discrete,
        continuous=continuous,
    ).value


# ---------------------------------------------------------------- entropy


def _entropy_door(variables, estimator, missing, discrete, continuous, what, optional=()):
    estimator = _check_estimator(estimator, ENTROPY_ESTIMATORS, what)
    if estimator == "kl":
        _check_missing(missing, "ksg")
    else:
        _check_missing(missing, estimator)
    inputs, kinds, door = _kinds_at_door(variables, discrete, continuous, optional)
    found = set(kinds.values())
    if estimator == "auto":
        if found == {"discrete"}:
            estimator = "plugin"
        elif found == {"continuous"}:
            estimator = "kl"
        else:
            cont = [_name(r, c, inputs) for (r, c), kind in kinds.items() if kind == "continuous"]
            raise InvalidInputError(
                f"{what} of discrete and continuous columns together has no estimator here "
                f"({', '.join(cont)} continuous, the others discrete); bin the continuous "
                "ones (mistruct.data.Discretizer) or name columns in discrete=[...] / "
                "continuous=[...]."
            )
        if estimator == "kl" and missing == "category":
            _check_missing(missing, "kl")
    elif estimator in ESTIMATORS:
        inputs = _discrete_inputs(door, discrete, continuous, estimator)
    return inputs, estimator


def entropy(
    x,
    *,
    estimator: str = "auto",
    k: int = 3,
    base=DEFAULT_BASE,
    seed=DEFAULT_SEED,
    noise: float = 1e-10,
    missing: str = "error",
    discrete=None,
    continuous=None,
) -> float:
    """Entropy H(X) of discrete columns, or differential entropy h(X) of continuous ones.

    Parameters
    ----------
    x : 1-D array, list, Series, 2-D array or DataFrame
        Observations; several columns give the joint entropy.  Never
        modified.
    estimator : {"auto", "plugin", "miller-madow", "shrinkage", "chao-shen", "kl"}
        ``"auto"``: the plug-in estimate when every column is discrete,
        Kozachenko-Leonenko (``"kl"``, max-norm kNN) when every column is
        continuous; a mix of both is refused.  The discrete estimators are
        those of :data:`mistruct.measures.ESTIMATORS`.
    k : int, default 3
        Neighbour rank of ``"kl"``.
    base : float, default 2
    seed : int, None or numpy.random.Generator, default 0
        Seeds the tie noise of ``"kl"``; ``None`` is not reproducible.
    noise : float, default 1e-10
        Jitter of continuous columns without ties (``"kl"``).
    missing : {"error", "drop", "category"}, default "error"
        ``"category"``: discrete estimators only.
    discrete, continuous : list of labels, optional
        Labels of columns to treat as discrete / continuous, overriding the
        automatic rule of :func:`mistruct.data.column_kinds`.

    Returns
    -------
    float
        In ``base`` units; a differential entropy may be negative.  ``"kl"``
        works on the original scale (entropy is not scale invariant).

    See Also
    --------
    conditional_entropy, mutual_information
    entropy_from_table : from a probability or count table.

    Examples
    --------
    >>> entropy(["a", "b", "a", "b"])
    1.0
    >>> round(entropy(pd.DataFrame({"u": [0, 0, 1, 1], "v": [0, 1, 0, 1]})), 6)
    2.0

    Float values take Kozachenko-Leonenko (N(0, 1): 1.4189 nats):

    >>> rng = np.random.default_rng(0)
    >>> round(entropy(rng.standard_normal(5000), base=np.e), 1)
    1.4
    """
    if is_dask_collection(x):  # counted distributed (issue 16)
        return dask_entropy(x, estimator=_check_estimator(estimator, ENTROPY_ESTIMATORS, "entropy"),
                            base=base, missing=missing, discrete=discrete, continuous=continuous)
    _log_base(base)
    inputs, chosen = _entropy_door({"x": x}, estimator, missing, discrete, continuous, "entropy")
    if chosen == "kl":
        return knn_entropy(inputs["x"], k=k, base=base, seed=seed, noise=noise, missing=missing)
    return _discrete_entropy(
        _positional(inputs["x"]), base=base, estimator=chosen, missing=missing
    )


def conditional_entropy(
    x,
    given,
    *,
    estimator: str = "auto",
    k: int = 3,
    base=DEFAULT_BASE,
    seed=DEFAULT_SEED,
    noise: float = 1e-10,
    missing: str = "error",
    discrete=None,
    continuous=None,
) -> float:
    """Conditional entropy H(X | given) = H(X, given) - H(given).

    Parameters
    ----------
    x, given : 1-D array, list, Series, 2-D array or DataFrame
        Observations of the same rows; never modified.
    estimator : {"auto", "plugin", "miller-madow", "shrinkage", "chao-shen", "kl"}
        As in :func:`entropy`; ``"kl"`` is the difference of two
        Kozachenko-Leonenko estimates, each column's tie noise the same in
        both.
    k, base, seed, noise, missing, discrete, continuous
        As in :func:`entropy`.

    Returns
    -------
    float
        In ``base`` units.  The plug-in estimate is never negative.

    See Also
    --------
    entropy, mutual_information
    conditional_entropy_from_table : from a joint table.

    Examples
    --------
    >>> conditional_entropy([0, 1, 0, 1], [0, 1, 0, 1])
    0.0
    >>> conditional_entropy([0, 1, 0, 1], [0, 0, 1, 1])
    1.0
    """
    if is_dask_collection(x) or is_dask_collection(given):  # counted distributed (issue 16)
        return dask_conditional_entropy(
            x, given, estimator=_check_estimator(estimator, ENTROPY_ESTIMATORS, "entropy"),
            base=base, missing=missing, discrete=discrete, continuous=continuous,
        )
    _log_base(base)
    inputs, chosen = _entropy_door(
        {"x": x, "given": given}, estimator, missing, discrete, continuous,
        "conditional entropy",
    )
    if chosen != "kl":
        return _discrete_conditional_entropy(
            _positional(inputs["x"]), _positional(inputs["given"]),
            base=base, estimator=chosen, missing=missing,
        )
    frames = _frames({"x": inputs["x"], "given": inputs["given"]}, missing, optional=())
    xb = _numeric_block(frames["x"], "x", single=_single(inputs["x"]))
    gb = _numeric_block(frames["given"], "given", single=_single(inputs["given"]))
    joint = knn_entropy(np.hstack([xb, gb]), k=k, base=base, seed=seed, noise=noise)
    return joint - knn_entropy(gb, k=k, base=base, seed=seed, noise=noise)


# ---------------------------------------------------------------- all pairs


def mutual_information_matrix(
    data,
    columns=None,
    *,
    estimator: str = "auto",
    k: int = 3,
    base=DEFAULT_BASE,
    seed=DEFAULT_SEED,
    noise: float = 1e-10,
    missing: str = "error",
    chunk_size: int = 4096,
    discrete=None,
    continuous=None,
) -> pd.DataFrame:
    """Mutual information between every pair of columns of a table of any column kinds.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Never modified.
    columns : list, optional
        Columns to use (all by default).
    estimator : str, default "auto"
        ``"auto"``: the plug-in estimate for pairs of discrete columns (all
        pairs from one count), KSG for pairs of continuous columns, Gao et
        al. for mixed pairs.  ``"plugin"``, ``"miller-madow"``,
        ``"shrinkage"``, ``"chao-shen"``: every column discrete, all pairs
        from one chunked one-hot matrix product
        (:func:`mistruct.counting.pairwise_counts`).  ``"gaussian"``: closed
        form from one correlation matrix (numeric columns).  ``"ksg"``: KSG
        on every pair (numeric columns).  ``"mixed"``: Gao et al. on every
        pair.
    k : int, default 3
        Neighbour rank of the kNN estimators.
    base : float, default 2
    seed : int, None or numpy.random.Generator, default 0
        Tie noise of the kNN estimators, drawn once per column and keyed by
        its values: the same table gives the same matrix in any column
        order; ``None`` is not reproducible.
    noise : float, default 1e-10
        Jitter of continuous columns without ties, for the kNN estimators.
    missing : {"error", "drop", "category"}, default "error"
        ``"drop"`` drops every row with a missing value in any used column;
        ``"category"`` (discrete estimators) makes it a level of its own.
    chunk_size : int, default 4096
        Rows per matrix product of the discrete estimators; bounds memory.
    discrete, continuous : list of labels, optional
        Labels of columns to treat as discrete / continuous, overriding the
        automatic rule of :func:`mistruct.data.column_kinds`.

    Returns
    -------
    DataFrame
        Symmetric, labelled by column.  The diagonal holds I(X;X): the
        entropy of a discrete column, ``inf`` for a continuous one.

    See Also
    --------
    mutual_information : one pair, with ``given``.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [0, 0, 1, 1], "b": [0, 0, 1, 1], "c": [0, 1, 0, 1]})
    >>> mutual_information_matrix(frame)
         a    b    c
    a  1.0  1.0  0.0
    b  1.0  1.0  0.0
    c  0.0  0.0  1.0
    >>> rng = np.random.default_rng(0)
    >>> a = rng.standard_normal(1000)
    >>> mixed = pd.DataFrame({"a": a, "b": a + rng.standard_normal(1000),
    ...                       "g": (a > 0).astype(int)})
    >>> mutual_information_matrix(mixed, base=np.e).round(2)
          a     b     g
    a   inf  0.36  0.69
    b  0.36   inf  0.21
    g  0.69  0.21  0.69
    """
    if is_dask_collection(data):  # counted distributed (issue 16)
        return dask_mutual_information_matrix(
            data, columns, estimator=_check_estimator(estimator, MATRIX_ESTIMATORS, "all pairs"),
            base=base, missing=_check_missing(missing, estimator), chunk_size=chunk_size,
            discrete=discrete, continuous=continuous,
        )
    _log_base(base)
    estimator = _check_estimator(estimator, MATRIX_ESTIMATORS, "all pairs")
    missing = _check_missing(missing, estimator)
    selected = select_columns(as_frame(data), columns)
    applied = apply_kinds(selected, discrete=discrete, continuous=continuous)
    if estimator == "auto":
        if not any(pd.api.types.is_float_dtype(applied[c].dtype) for c in applied.columns):
            # Every column discrete: one count of all pairs.
            estimator, data, columns = "plugin", applied, None
        elif missing == "category":
            _check_missing(missing, "ksg")
    elif estimator in ESTIMATORS:
        data = _counted(selected, applied, discrete, continuous, "data", False, estimator)
        columns = None
    if estimator == "gaussian":
        return gaussian_mutual_information_matrix(data, columns, base=base, missing=missing)
    if estimator in NUMERIC_MATRIX_ESTIMATORS:
        return knn_mutual_information_matrix(
            data,
            columns,
            estimator=estimator,
            k=k,
            base=base,
            seed=seed,
            noise=noise,
            missing=missing,
            discrete=discrete,
            continuous=continuous,
        )
    return _discrete_mi_matrix(
        data, columns, base=base, estimator=estimator, missing=missing, chunk_size=chunk_size
    )
