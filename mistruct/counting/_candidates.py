"""(U, X, Y, Z) tables of many candidate columns Z at once, for many edges X - Y given U.

A learner that asks, for an edge X - Y with a conditioning set U, how each
of many candidates Z shares information with it (MIIC's contributors, a
greedy search over separating sets) needs the (u, x, y, z) count table of
every candidate.  :class:`CandidateCounts` counts them from an encoded table:

* a job with many strata of U is counted alone, every candidate of a batch
  with one ``bincount`` over ``m * N`` codes, whose cost does not grow with
  the strata;
* jobs with few strata are counted together: the one-hot codes of their
  (U, X, Y) strata, side by side, times the one-hot matrix of every column
  is one matrix product holding every (u, x, y, z) count of every job (the
  all-pairs trick of :func:`mistruct.counting.pairwise_counts` one level up).

The caller reduces each batch of tables at once (``reduce``), so no more
than one batch is held.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from mistruct.counting._contingency import MAX_DENSE_CELLS
from mistruct.exceptions import StateSpaceTooLargeError

__all__ = ["CandidateCounts"]

#: Most cells of one batch of candidate tables (int64): larger batches are split.
_MAX_BATCH_CELLS = 2**22

#: A job is counted by the matrix product when its strata times the levels of all columns
#: are below this many times its candidates (a product's multiply-add costs about a
#: hundredth of a ``bincount`` element, measured here).
_GEMM_GAIN = 100

#: Stratum columns of one matrix product.
_GEMM_COLUMNS = 2048

#: Largest one-hot matrix of all columns kept between products (float32 cells).
_MAX_ONEHOT_CELLS = 2**25


class CandidateCounts:
    """The (u, x, y, z) tables of candidate columns, counted from an encoded table.

    Parameters
    ----------
    codes : int array of shape (n, p)
        Integer codes ``0 .. cards[j] - 1`` of every column.
    cards : int array of shape (p,)
        The number of levels of every column.
    names : sequence, optional
        Column labels, for the messages.
    who : str, default ""
        Prefix of the messages (the learner's name and a colon).
    """

    def __init__(self, codes: np.ndarray, cards: np.ndarray, names=(), who: str = ""):
        self.n = codes.shape[0]
        self.names = tuple(names) or tuple(range(codes.shape[1]))
        self.who = who
        # One contiguous int64 row per column: gathered per candidate batch.
        self.rows = np.ascontiguousarray(codes.T, dtype=np.int64)
        self.cards = np.asarray(cards).astype(np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.cards)])
        self.n_levels = int(self.offsets[-1])
        self._onehot_all = None
        self._no_strata = np.zeros(self.n, dtype=np.int64)

    def stratum(self, given) -> tuple[np.ndarray, int, float]:
        """Codes of the observed strata of ``given`` (0 .. n_u - 1), n_u, and the log of
        the product of the cardinalities (the number of possible strata)."""
        if not given:
            return self._no_strata, 1, 0.0
        codes = np.zeros(self.n, dtype=np.int64)
        states = 1
        log_states = 0.0
        for g in given:
            k = int(self.cards[g])
            codes = codes * k + self.rows[g]
            states *= k
            log_states += np.log(max(k, 1))
            if states > 4 * self.n + 1024:
                codes, states = _compact(codes, None)
        codes, states = _compact(codes, states)
        return codes, states, log_states

    def count(self, jobs, reduce) -> list:
        """``reduce`` of the tables of every ``(x, y, given, cands)`` job, in job order.

        ``reduce(t, rx, ry, rz, log_u)`` receives a batch of candidates'
        tables ``t`` of shape ``(m, n_u, rx, ry, width)`` (``width`` the
        most levels of a candidate of the batch; a candidate's levels past
        its own cardinality ``rz`` are 0) and ``log_u`` from :meth:`stratum`.
        Returns, per job, the list of ``reduce``'s answers, one per batch
        of its candidates in their order.
        """
        out = [None] * len(jobs)
        pending, columns = [], 0
        budget = max(1, 2**24 // max(self.n, 1))  # stratum codes held at once
        # One BLAS thread, as the all-pairs counts: the products are small and a
        # contending second thread slows OpenBLAS down.
        with _one_blas_thread():
            for i, (x, y, given, cands) in enumerate(jobs):
                u, n_u, log_u = self.stratum(given)
                rx, ry = int(self.cards[x]), int(self.cards[y])
                s = n_u * rx * ry
                if s * (self.n_levels + 1) > _GEMM_GAIN * len(cands):
                    out[i] = self._bincount(x, y, u, n_u, log_u, cands, reduce)
                    continue
                base = ((u * rx + self.rows[x]) * ry + self.rows[y]).astype(np.int32)
                pending.append((i, x, y, base, n_u, log_u, cands, s))
                columns += s
                if columns >= _GEMM_COLUMNS or len(pending) >= budget:
                    self._flush(pending, columns, out, reduce)
                    pending, columns = [], 0
            if pending:
                self._flush(pending, columns, out, reduce)
        return out

    def _flush(self, pending, columns, out, reduce):
        offsets = np.cumsum([0] + [job[7] for job in pending])
        bases = np.stack([job[3] for job in pending])  # (jobs, rows)
        total = np.zeros((columns, self.n_levels + 1))
        # Row chunks small enough for the one-hot block to stay in cache; the block is
        # allocated once and its ones are cleared after each product.
        chunk = int(max(64, min(self.n, 2**20 // columns)))
        block = np.zeros((chunk, columns), dtype=np.float32)
        flat = block.reshape(-1)
        row_base = np.arange(chunk, dtype=np.int64)[:, None] * columns + offsets[:-1]
        for start in range(0, self.n, chunk):
            stop = min(start + chunk, self.n)
            ones = (row_base[: stop - start] + bases[:, start:stop].T).reshape(-1)
            flat[ones] = 1.0
            # float32 products are exact below 2**24 per chunk; the sum is kept in float64.
            total[:, : self.n_levels] += block[: stop - start].T @ self._onehot(start, stop)
            flat[ones] = 0.0
        for (i, x, y, _, n_u, log_u, cands, s), off in zip(pending, offsets[:-1], strict=True):
            rx, ry = int(self.cards[x]), int(self.cards[y])
            rz = self.cards[cands]
            width = int(rz.max())
            level = np.arange(width)
            # Column of level l of candidate c; past its cardinality, the zero column.
            index = np.where(
                level < rz[:, None], self.offsets[cands][:, None] + level, self.n_levels
            )
            t = total[off : off + s][:, index].astype(np.int64)  # (s, m, width)
            t = t.transpose(1, 0, 2).reshape(len(cands), n_u, rx, ry, width)
            out[i] = [reduce(t, rx, ry, rz, log_u)]

    def _onehot(self, start: int, stop: int) -> np.ndarray:
        """Rows start:stop of the one-hot matrix of every column (built once when small)."""
        if self._onehot_all is None and self.n * self.n_levels <= _MAX_ONEHOT_CELLS:
            self._onehot_all = self._build_onehot(0, self.n)
        if self._onehot_all is not None:
            return self._onehot_all[start:stop]
        return self._build_onehot(start, stop)

    def _build_onehot(self, start: int, stop: int) -> np.ndarray:
        m = stop - start
        block = np.zeros((m, self.n_levels), dtype=np.float32)
        ones = self.rows[:, start:stop] + self.offsets[:-1, None]  # (columns, rows)
        ones += np.arange(m, dtype=np.int64) * self.n_levels
        block.reshape(-1)[ones.reshape(-1)] = 1.0
        return block

    def _bincount(self, x, y, u, n_u, log_u, cands, reduce) -> list:
        """The tables of edge x - y given U for every candidate, one ``bincount`` a batch."""
        rx, ry = int(self.cards[x]), int(self.cards[y])
        base = (u * rx + self.rows[x]) * ry + self.rows[y]
        s = n_u * rx * ry
        rz_all = self.cards[cands]
        width = int(rz_all.max())
        per = s * width
        if per > MAX_DENSE_CELLS:
            raise StateSpaceTooLargeError(
                f"{self.who}the tables of columns {self.names[x]!r} and {self.names[y]!r} in "
                f"{n_u:,} strata would have {per:,} cells per candidate (limit "
                f"{MAX_DENSE_CELLS:,}); merge rare levels or leave many-level columns out."
            )
        step = max(1, _MAX_BATCH_CELLS // max(per, 1))
        parts = []
        for start in range(0, len(cands), step):
            batch = cands[start : start + step]
            m = len(batch)
            # (candidate, u, x, y, z) counted with one bincount over m * N codes.
            flat = self.rows[batch] + (base * width)[None, :]
            flat += (np.arange(m, dtype=np.int64) * per)[:, None]
            t = np.bincount(flat.ravel(), minlength=m * per).reshape(m, n_u, rx, ry, width)
            parts.append(reduce(t, rx, ry, rz_all[start : start + step], log_u))
        return parts


@lru_cache(maxsize=1)
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    # Finding the BLAS libraries costs milliseconds: once per process, not per product.
    return ThreadpoolController()


def _one_blas_thread():
    return _blas_controller().limit(limits=1, user_api="blas")


def _compact(codes: np.ndarray, states):
    """Renumber the observed codes 0 .. m - 1 (linear when the code range is small)."""
    if states is not None and states <= 4 * len(codes) + 1024:
        present = np.bincount(codes, minlength=states) > 0
        remap = np.cumsum(present) - 1
        return remap[codes], int(present.sum())
    uniques, inverse = np.unique(codes, return_inverse=True)
    return inverse.astype(np.int64, copy=False), len(uniques)
