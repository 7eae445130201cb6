"""Which process an import under way belongs to, and whether that process still runs.

Several processes write one vault at once (the window's watch, a manual
import, the command line), and crash recovery may touch only the work of a
process that has gone. A process is named by its id and the moment it
started, because ids are reused but never by two processes started at the
same moment, and by the computer's name, because a process on another
computer cannot be looked up from this one.
"""

from __future__ import annotations

import functools
import os
import socket

import psutil

from clinfile.db.images import JournalOwner

# A start time is worked out from the boot time and the clock, which can drift
# by a fraction of a second between readings; a reused process id never starts
# this close to the process it replaces.
SAME_START_SECONDS = 1.0


def this_process() -> JournalOwner:
    """The owner to record for work this process does."""
    return _identity(os.getpid())


@functools.cache
def _identity(pid: int) -> JournalOwner:
    return JournalOwner(pid, psutil.Process(pid).create_time(), socket.gethostname())


def has_gone(owner: JournalOwner) -> bool:
    """Whether the process that owns a journal entry has ended.

    An entry written before owners were recorded belongs to a Clinfile that
    has ended. An entry from another computer is taken to be in progress:
    nothing here can tell, and another process's work is never undone on a
    guess (a vault is kept on a local disk, so this is a vault moved whole).
    """
    if owner.pid is None or owner.started is None:
        return True
    if owner.host != this_process().host:
        return False
    try:
        process = psutil.Process(owner.pid)
        started = process.create_time()
        ended = process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
    except psutil.AccessDenied:
        return False
    return ended or abs(started - owner.started) >= SAME_START_SECONDS
