"""What the window does with a refused file: show why, then release it, or delete it.

A refused file stays where it was found (usually the drop folder) with its
reason recorded, so the watch does not offer it again unchanged. Someone who
looked at it decides what happens next: *release* moves it out of the drop
folder into a folder they choose (a PDF of a referral letter is real work,
just not a picture for the vault), *delete* removes it for good. Either way
the record leaves the quarantine list, and the audit trail says who did it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from clinfile.app.custody.audit import AuditEntry
from clinfile.app.escaping import escaped
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.db.quarantine import QuarantineRepository, QuarantineRow


class QuarantineError(Exception):
    """A refused file cannot be released or deleted as asked; ``str()`` says why."""


@dataclass(frozen=True)
class RefusedFile:
    """One refused file as the quarantine list shows it.

    Attributes:
        path: where the file was found, and still is unless someone moved it.
        reason: why it was refused, in words a receptionist understands.
        size: bytes when refused (None when it could not be read).
        refused_at: when (ISO, UTC).
        present: whether the file is still there.
    """

    path: Path
    reason: str
    size: int | None
    refused_at: str
    present: bool

    @property
    def because(self) -> str:
        """The reason as a sentence with one full stop, however it was recorded."""
        return self.reason.rstrip(". ") + "."

    @property
    def name(self) -> str:
        """The file's name as people may safely see it (escaped: it came from outside)."""
        return escaped(self.path.name)


def refused_files(session: Session) -> list[RefusedFile]:
    """Return every refused file, newest first."""
    session.require(Permission.IMPORT_IMAGES)
    with session.vault.index() as conn:
        rows = QuarantineRepository(conn).all()
    return [_refused(row) for row in rows]


def release(session: Session, path: Path, folder: Path) -> Path:
    """Move a refused file into ``folder`` and take it off the list; return where it went.

    Raises:
        QuarantineError: the file is gone, or a file of that name is in ``folder``.
    """
    session.require(Permission.IMPORT_IMAGES, subject=str(path))
    source = _present(session, path)
    target = Path(folder) / source.name
    if target.exists():
        raise QuarantineError(f"{escaped(folder)} already has a file called "
                              f"{escaped(source.name)}; choose another folder or rename "
                              "that one first.")
    shutil.move(str(source), str(target))
    _forget(session, source, "quarantine.released", {"to": str(target)})
    return target


def delete(session: Session, path: Path) -> None:
    """Delete a refused file for good and take it off the list (a gone file is just forgotten)."""
    session.require(Permission.IMPORT_IMAGES, subject=str(path))
    path = Path(path)
    existed = path.is_file() and not path.is_symlink()
    if existed or path.is_symlink():
        os.unlink(path)
    _forget(session, path, "quarantine.deleted", {"file_was_there": existed})


def _present(session: Session, path: Path) -> Path:
    path = Path(path)
    if not path.is_file() or path.is_symlink():
        _forget(session, path, "quarantine.forgotten", {"reason": "file gone"})
        raise QuarantineError(f"{escaped(path.name)} is no longer where it was found; "
                              "it was taken off the list.")
    return path


def _forget(session: Session, path: Path, action: str, detail: dict) -> None:
    vault = session.vault
    with vault.audited() as work:
        QuarantineRepository(work.conn).remove(str(path))
        work.record(AuditEntry(session.actor.name, action, str(path), detail))


def _refused(row: QuarantineRow) -> RefusedFile:
    path = Path(row.source_path)
    return RefusedFile(path, escaped(row.reason), row.size, row.quarantined_at,
                       path.is_file() and not path.is_symlink())


def refused_words(refused: RefusedFile) -> str:
    """'Refused 3 Mar 08:05, 14 KB' — when and how big, for the details beside the list."""
    try:
        when = datetime.fromisoformat(refused.refused_at).astimezone()
        at = f"{when.day} {when:%b %H:%M}"
    except ValueError:
        at = refused.refused_at
    size = f", {max(1, round(refused.size / 1024))} KB" if refused.size is not None else ""
    gone = "" if refused.present else " (no longer there)"
    return f"Refused {at}{size}{gone}"


LOOK_BYTES = 160


def first_look(path: Path) -> str:
    """What a refused file begins with, as text a person can read, for a look before release.

    Only bytes are read, never decoded as a picture: a refused file may be
    built to harm a decoder. Printable characters show as they are, spacing
    as one space, anything else (controls, direction overrides, bytes that
    are not text) as a dot, so a letter or a PDF is recognised at a glance.
    """
    with open(path, "rb") as file:
        start = file.read(LOOK_BYTES)
    text = start.decode("utf-8", errors="replace")
    shown = "".join(" " if c.isspace() else c if c.isprintable() and c != "\ufffd" else "·"
                    for c in text)
    return " ".join(shown.split())
