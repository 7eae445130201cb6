"""Other processes to own journal entries in tests: one still running, one that has ended."""

import contextlib
import socket
import subprocess
import sys
from collections.abc import Iterator

import psutil

from clinfile.db.images import JournalOwner

_WAIT_FOR_STDIN = [sys.executable, "-c", "import sys; sys.stdin.read()"]


def _owner_of(process: subprocess.Popen) -> JournalOwner:
    return JournalOwner(process.pid, psutil.Process(process.pid).create_time(),
                        socket.gethostname())


@contextlib.contextmanager
def running_process() -> Iterator[JournalOwner]:
    """The owner of another process on this computer, running until the block ends."""
    process = subprocess.Popen(_WAIT_FOR_STDIN, stdin=subprocess.PIPE)
    try:
        yield _owner_of(process)
    finally:
        process.communicate(b"")


def ended_process() -> JournalOwner:
    """The owner of a process that ran and has ended, as a killed import leaves behind."""
    with running_process() as owner:
        return owner


def elsewhere() -> JournalOwner:
    """An owner on another computer, whose process cannot be looked up from here."""
    return JournalOwner(1, 0.0, f"not-{socket.gethostname()}")
