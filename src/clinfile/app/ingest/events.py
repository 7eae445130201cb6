"""What an import reports as it goes, for the CLI, the tests and the window alike.

Every event is a frozen dataclass. The stream also carries :class:`Progress`
at least every few tens of milliseconds while work is under way, so a window
showing it never looks frozen.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class SourceKind(StrEnum):
    """Where a file came from, which decides what happens to it afterwards."""

    DROP_FOLDER = "drop_folder"
    DEVICE = "device"
    MANUAL = "manual"


@dataclass(frozen=True)
class Progress:
    """How far the import has come; also sent as a heartbeat while waiting."""

    done: int
    total: int | None
    working_on: int


@dataclass(frozen=True)
class Imported:
    """A file is in the vault's inbox, verified."""

    item_id: int
    sha256: str
    source: Path


@dataclass(frozen=True)
class Duplicate:
    """A file whose exact bytes the vault already holds; nothing new was stored."""

    item_id: int
    sha256: str
    source: Path


@dataclass(frozen=True)
class Quarantined:
    """A file went to quarantine; its source was left untouched."""

    source: Path
    reason: str


@dataclass(frozen=True)
class SourceDeleted:
    """The source was deleted after its vault copy was verified (receipt in the audit)."""

    source: Path


@dataclass(frozen=True)
class SourceKept:
    """The source could not be deleted (a phone refused, say); the person is told why."""

    source: Path
    reason: str


@dataclass(frozen=True)
class Resumed:
    """Work left by an interrupted import was undone or finished at start-up."""

    source: Path
    outcome: str


@dataclass(frozen=True)
class Finished:
    """The import is over, whether it ran out of files or was cancelled.

    ``left`` counts the files neither taken in nor refused, each left where it
    is with its reason said (still being written, changed or moved while
    read, a full disk): trying them again later may take them.
    """

    imported: int
    duplicates: int
    refused: int
    cancelled: bool
    left: int = 0


Event = (Progress | Imported | Duplicate | Quarantined | SourceDeleted | SourceKept | Resumed
         | Finished)


class CancelToken:
    """A flag the caller sets to stop an import cleanly between files."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the import to stop; files already committed stay committed."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` unless cancelled first; return whether cancelled."""
        return self._event.wait(seconds)
