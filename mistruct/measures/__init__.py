"""Information measures: entropy, conditional entropy, mutual information, CMI, PMI and KL.

From samples of discrete, continuous or mixed columns (one function per
measure, the estimator chosen by ``estimator=``, ``"auto"`` by column kind),
or from count and probability tables (the ``*_from_table`` functions).

Estimators
----------
Discrete (counts): ``"plugin"``, ``"miller-madow"``, ``"shrinkage"``,
``"chao-shen"`` (:data:`ESTIMATORS`, :func:`entropy_from_counts`).
Continuous (max-norm k nearest neighbours): ``"kl"`` (Kozachenko-Leonenko
entropy), ``"ksg"`` (Kraskov-Stögbauer-Grassberger algorithm 1; with
``given``, Frenzel-Pompe), ``"ksg2"`` (KSG algorithm 2).  Any kinds:
``"mixed"`` (Gao, Kannan, Oh & Viswanath 2017).  Numeric, closed form:
``"gaussian"``.  Numeric and high-dimensional, a trained neural critic (JAX,
``pip install 'mistruct[neural]'``): ``"smile"``, ``"mine"``, ``"nwj"``,
``"infonce"`` (:data:`NEURAL_ESTIMATORS`, :func:`neural_mutual_information`).
``"auto"`` (the default): plug-in when every column is discrete, KSG /
Frenzel-Pompe (``"kl"`` for entropy) when every column is continuous, Gao et
al. otherwise; :func:`mutual_information_estimate` tells which one it chose.

Conventions
-----------
*Column kinds* follow :func:`mistruct.data.column_kinds` (float columns and
integer columns with many levels are continuous; bool, category, string
columns and integer codes with few levels discrete), decided once at the
door; ``discrete=[...]`` / ``continuous=[...]`` override it per column.

*Scaling.*  The kNN mutual-information estimators centre each column and
divide it by its standard deviation first (mutual information does not
change, but the max-norm neighbourhoods do), as scikit-learn's
``mutual_info_regression`` does.  ``"kl"`` works on the original scale, since
entropy is not scale invariant.

*Ties.*  kNN estimators assume no two points are at distance 0, yet real
measurements are rounded, so ties are the normal case.  Each continuous
column, standardized, gets noise drawn from a stream keyed by ``seed`` and a
hash of the column's values (not its position), handed out by rank, so the
same data give the same result whatever the column or row order: a column
without ties gets ``noise * N(0, 1)`` (``noise=1e-10``, scikit-learn's
jitter); a column with ties gets ``U(-w/2, w/2)``, ``w`` its smallest gap
between distinct values (each value spread over its rounding interval).
Independent noise keeps independent columns independent (estimates of
independent rounded data are centred on 0: within 0.01 bits in the tests).
``noise=0`` disables it: then KSG algorithm 2 and Kozachenko-Leonenko refuse
exact copies, and ``"mixed"`` uses Gao et al.'s exact rule, right for true
point masses but biased upward on rounded measurements.  ``seed`` defaults
to 0 (reproducible); ``seed=None`` draws fresh noise on every call.

*Missing values.*  ``missing="error"`` (the default) names every column with
missing values and their counts; ``"drop"`` drops each row with a missing
value in any used column; ``"category"`` (discrete estimators) makes it a
level.

*Counts.*  For KSG algorithm 1 and Frenzel-Pompe, neighbours in a marginal
space are counted strictly inside the joint k-th neighbour distance.
Estimates are not clipped at 0 (except the plug-in): a negative value is
estimation noise around a true value near 0.
"""

from mistruct.measures._auto import MutualInformationEstimate
from mistruct.measures._columns import _check_lengths as check_lengths
from mistruct.measures._columns import _check_noise as check_noise
from mistruct.measures._columns import _determined_by as determined_by
from mistruct.measures._columns import _is_numeric as is_numeric
from mistruct.measures._columns import _numeric_block as numeric_block
from mistruct.measures._discrete import (
    NUMERIC_MATRIX_ESTIMATORS,
    conditional_entropy_from_table,
    entropy_from_table,
    kl_divergence,
    mutual_information_from_table,
    pointwise_mutual_information,
)
from mistruct.measures._discrete import _mi_matrix_nats as mi_matrix_nats
from mistruct.measures._dispatch import (
    ENTROPY_ESTIMATORS,
    MATRIX_ESTIMATORS,
    MI_ESTIMATORS,
    conditional_entropy,
    entropy,
    mutual_information,
    mutual_information_estimate,
    mutual_information_matrix,
)
from mistruct.measures._estimators import (
    ESTIMATORS,
    Blocks,
    check_estimator,
    entropy_from_counts,
    estimate_entropy,
)
from mistruct.measures._knn import _joint_radius as joint_radius
from mistruct.measures._knn import _mi_nats as mi_nats
from mistruct.measures._knn import _strict_counts as strict_counts
from mistruct.measures._mixed import _mixed_blocks as mixed_blocks
from mistruct.measures._neural import (
    NEURAL_ESTIMATORS,
    NeuralEstimate,
    neural_mutual_information,
)
from mistruct.measures._ties import _jitter as jitter
from mistruct.measures._ties import _rng as make_rng
from mistruct.measures._ties import _standardize as standardize

__all__ = [
    "ENTROPY_ESTIMATORS",
    "ESTIMATORS",
    "MATRIX_ESTIMATORS",
    "MI_ESTIMATORS",
    "MutualInformationEstimate",
    "NEURAL_ESTIMATORS",
    "NeuralEstimate",
    "conditional_entropy",
    "conditional_entropy_from_table",
    "entropy",
    "entropy_from_counts",
    "entropy_from_table",
    "kl_divergence",
    "mutual_information",
    "mutual_information_estimate",
    "mutual_information_from_table",
    "mutual_information_matrix",
    "neural_mutual_information",
    "pointwise_mutual_information",
]

# Kernels other packages use (in the namespace, not in __all__: not for users).
_KERNELS = (
    Blocks,
    NUMERIC_MATRIX_ESTIMATORS,
    check_estimator,
    check_lengths,
    check_noise,
    determined_by,
    estimate_entropy,
    is_numeric,
    jitter,
    joint_radius,
    make_rng,
    mi_matrix_nats,
    mi_nats,
    mixed_blocks,
    numeric_block,
    standardize,
    strict_counts,
)
