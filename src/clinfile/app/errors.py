"""Which errors are written for people, so the window and the command line show their words.

An error a person can act on (a refused location, a wrong password, a
consent that does not cover a use) says what happened in words a
receptionist understands. Declaring it a :class:`MeantForPeople` is all it
takes: the window and the ``clinfile`` command both show its message as it
is. Anything else is a fault in Clinfile, told plainly with the details
kept for the log.
"""

from __future__ import annotations

from clinfile.db.schema import MigrationFailed, NewerVaultError


class MeantForPeople(Exception):
    """Base for an error whose ``str()`` is written for the person who met it."""


# Errors declared below app, or by Python itself, whose words are shown too.
MEANT_FOR_PEOPLE: tuple[type[BaseException], ...] = (
    MeantForPeople, NewerVaultError, MigrationFailed, FileExistsError, NotADirectoryError,
    PermissionError)


def in_words(error: BaseException) -> str:
    """What to tell a person about an error meant for them; empty when it says nothing."""
    if isinstance(error, PermissionError):
        return f"Clinfile was not allowed to use {error.filename or 'that file'}."
    return str(error).strip()
