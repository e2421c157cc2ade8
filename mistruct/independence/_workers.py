"""Worker processes for the kNN tests of a structure learner's search."""

from __future__ import annotations

import multiprocessing
import os
import warnings
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

__all__ = ["TestWorkers"]


def _call(thunk):
    return thunk()


def _warm_up() -> int:
    # Unpickling this function imports this module (and so the tests) in a spawned worker.
    return os.getpid()


class TestWorkers:
    """Worker processes for the kNN tests of a structure learner's search.

    A kNN test is thousands of NumPy calls on arrays of a few thousand
    elements; each call takes and gives back the GIL, so threads running
    such tests wait on each other (measured: two threads, 1.0 times the
    speed of one).  Processes run them side by side.  The workers are
    started once (forked where the platform can; elsewhere spawned, and a
    script then needs the usual ``if __name__ == "__main__":`` guard) and
    fed the tests as picklable calls, each with its own random stream, so
    the results are those of one process.  Where processes cannot run the
    tests run on threads, with a warning.

    Use as a context manager, or call :meth:`close`.
    """

    __test__ = False  # not a pytest class, despite its name

    def __init__(self, n_jobs: int):
        self.n_jobs = int(n_jobs)
        self._pool = None
        if getattr(multiprocessing.current_process(), "_inheriting", False):
            # A worker re-running the caller's unguarded script: stop it here, before it
            # repeats the whole search (the caller then runs the tests on threads).
            raise RuntimeError(
                "n_jobs > 1 starts worker processes, which import the calling script again: "
                "put the call under 'if __name__ == \"__main__\":'."
            )
        try:
            # fork where there is one: the workers start at once, with this process's
            # modules, and never import the caller's script again; spawn elsewhere.
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            context = multiprocessing.get_context(method)
            self._pool = ProcessPoolExecutor(self.n_jobs, mp_context=context)
            # Start the workers now: their start overlaps the caller's first work.  With
            # fork they all start here; Python >= 3.12 warns about forking a process with
            # threads (BLAS's idle pool): the workers only run NumPy tests.
            with warnings.catch_warnings():
                warnings.filterwarnings(
                    "ignore", r".*fork\(\) may lead to deadlocks", DeprecationWarning
                )
                for _ in range(self.n_jobs):
                    self._pool.submit(_warm_up)
        except (OSError, RuntimeError, ValueError, NotImplementedError) as error:
            self._fall_back(error)

    def _fall_back(self, error) -> None:
        warnings.warn(
            f"the kNN tests run on {self.n_jobs} threads instead of worker processes "
            f"({type(error).__name__}: {error}); results are the same, but threads gain "
            "little here. In a script, put the call under 'if __name__ == \"__main__\":'.",
            RuntimeWarning,
            stacklevel=4,
        )
        self.close()

    def map(self, thunks) -> list:
        """Each call's result, in order."""
        if self._pool is not None:
            try:
                return list(self._pool.map(_call, thunks))
            except BrokenProcessPool as error:
                self._fall_back(error)
        with ThreadPoolExecutor(self.n_jobs) as pool:
            return list(pool.map(_call, thunks))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
