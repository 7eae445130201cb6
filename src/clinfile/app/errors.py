"""Which errors are written for people, so the window and the command line show their words.

An error a person can act on (a refused location, a wrong password, a
consent that does not cover a use) says what happened in words a
receptionist understands. Declaring it a :class:`MeantForPeople` is all it
takes: the window and the ``clinfile`` command both show its message as it
is. Anything else is a fault in Clinfile, told plainly with the details
kept for the log.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from clinfile.db.connection import is_disk_full
from clinfile.db.schema import MigrationFailed, NewerVaultError


class MeantForPeople(Exception):
    """Base for an error whose ``str()`` is written for the person who met it."""


class ExportDiskFull(MeantForPeople):
    """Files written outside the vault (an export, a printed page) found their own disk full."""

    def __init__(self, folder: Path, what: str) -> None:
        super().__init__(
            f"{what} could not be written in {folder}: that disk is full. Nothing was saved. "
            "Choose a place on another disk, or make room on that one, and try again.")


def write_outside_the_vault(path: Path, write: Callable[[], None]) -> None:
    """Write a file outside the vault, saying a full disk is that file's disk, not the vault's.

    The words for a full disk in general are about the vault and its last
    change; neither is true of an export. The error is raised once the
    disk's own has been handled, so nothing reads it as the vault's.
    """
    try:
        write()
        return
    except OSError as error:
        if not is_disk_full(error):
            raise
    raise ExportDiskFull(Path(path).parent, Path(path).name)


# Errors declared below app, or by Python itself, whose words are shown too.
MEANT_FOR_PEOPLE: tuple[type[BaseException], ...] = (
    MeantForPeople, NewerVaultError, MigrationFailed, FileExistsError, NotADirectoryError,
    PermissionError)


def in_words(error: BaseException) -> str:
    """What to tell a person about an error meant for them; empty when it says nothing."""
    if isinstance(error, PermissionError):
        return f"Clinfile was not allowed to use {error.filename or 'that file'}."
    return str(error).strip()
