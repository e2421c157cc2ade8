"""Atomic file output: a command that fails or is stopped leaves no half-written file."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from pathlib import Path

from mistruct.exceptions import InvalidInputError


class _Terminated(BaseException):
    """SIGTERM arrived while a file was being written."""


def _raise_terminated(signum, frame):
    raise _Terminated


@contextlib.contextmanager
def _cleanup_on_sigterm():
    """Turn SIGTERM into an exception for the duration, so ``finally`` blocks run.

    SIGINT already raises KeyboardInterrupt; SIGTERM by default kills the
    process without unwinding. After the cleanup the signal is delivered
    again under the handler that was there before, so the process still
    ends as the sender asked. Signal handlers can only be set from the main
    thread; elsewhere nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    except _Terminated:
        signal.signal(signal.SIGTERM, previous)
        signal.raise_signal(signal.SIGTERM)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; move it into place only on success.

    On an exception, Ctrl-C (SIGINT) or SIGTERM the temporary file is removed
    and ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise FileNotFoundError(f"cannot write {path}: folder {directory} does not exist.")
    if path.is_dir():
        raise InvalidInputError(f"cannot write {path}: it is a folder.")
    with _cleanup_on_sigterm():
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=path.suffix, dir=directory
        )
        os.close(handle)
        temporary = Path(temporary)
        try:
            # mkstemp makes the file private (0600); give it the mode a plain open() would.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
            yield temporary
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
