"""Working folders a process holds while it runs, and removing those a process stopped dead left.

A process killed outright (``kill -9``, a power cut) cannot remove the
folder it was working in. The self-test's temporary vault and an export's
private folder in the outbox are both such folders, and both are removed
by the next run under one rule, kept here: a folder is taken for one left
behind only when it is a real folder (not a link) belonging to this user,
named as its kind names them, holds the mark its kind puts there, and no
running process holds that mark. Each process holds a lock on its mark for
its whole run, and the lock goes with the process however it ends. Where
the system has no such lock (Windows), a mark an hour old is no longer in
use.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; left-over folders are judged by age
    fcntl = None

#: Where a running process cannot be told by its lock, a mark this old is no longer in use.
ABANDONED_AFTER_SECONDS = 60 * 60


def hold(folder: Path, mark: str) -> int:
    """Put the mark in a new folder of this process and hold its lock until released.

    The mark is locked before it gets its name, so no other process ever
    finds it unheld while this one runs.
    """
    if fcntl is None:
        return os.open(folder / mark, os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    unnamed = folder / f"{mark}.{os.getpid()}.new"
    descriptor = os.open(unnamed, os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    os.replace(unnamed, folder / mark)
    return descriptor


def release(descriptor: int) -> None:
    """Let go of a folder this process held; a later run may remove it if it is still there."""
    os.close(descriptor)


def remove_left_behind(parent: Path, pattern: str, mark: str) -> list[Path]:
    """Remove the folders matching ``pattern`` in ``parent`` that stopped processes left."""
    removed = []
    for folder in Path(parent).glob(pattern):
        if left_behind(folder, mark):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def left_behind(folder: Path, mark: str) -> bool:
    """Whether a folder is one of its kind's own, and no running process holds it."""
    try:
        held = folder.lstat()
        if not stat.S_ISDIR(held.st_mode) or held.st_uid != _own_uid():
            return False
        descriptor = os.open(folder / mark, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return False
    try:
        if fcntl is None:
            return time.time() - os.fstat(descriptor).st_mtime > ABANDONED_AFTER_SECONDS
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    finally:
        os.close(descriptor)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _own_uid() -> int:
    return os.getuid() if hasattr(os, "getuid") else 0
