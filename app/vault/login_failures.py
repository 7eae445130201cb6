"""Unlock attempts, noted outside the index until the vault can file them in its audit.

A wrong password cannot open the index, so the attempt cannot be audited at
once. It is appended here (time, the slot it aimed at as a hash, and what
happened; never the password) and the next successful unlock files it into
the audit trail. The same notes slow guessing down: after a few wrong
passwords for one name, each further one doubles the wait, up to a ceiling.
Successful unlocks are noted too, because they end that name's run of
wrong passwords.

The file's first line is written by an unlocked vault and carries an HMAC
under a key derived from the master key, and the index records which first
line it expects: a deleted or replaced file shows. Each note carries an HMAC
under a key derived from the vault's id, which a failed unlock can compute:
that stops an edit with its checksum recomputed, but someone who studies
Clinfile and can write to the vault folder can still add a believable note,
as they could by typing a wrong password.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.security.crypto import derive_key, mac, same
from db.connection import write_atomically

LOG = "clinfile-login-notes"
UNLOCKED = "unlocked"
THROTTLED = "too many wrong passwords"
COUNTED = ("wrong password", "unknown user name", "account disabled")
FREE_TRIES = 3
FIRST_WAIT = timedelta(seconds=5)
LONGEST_WAIT = timedelta(minutes=15)


@dataclass(frozen=True)
class Note:
    """One unlock attempt: when, at which slot, and what happened."""

    at: str
    slot: str
    reason: str

    @property
    def failed(self) -> bool:
        """Whether this attempt did not unlock the vault."""
        return self.reason != UNLOCKED


@dataclass
class NotesFile:
    """What the file holds: its first line's id and every note (None where damaged)."""

    log_id: str | None = None
    notes: list[Note | None] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def start(path: Path, vault_id: str, master_key: bytes) -> str:
    """Begin a new file holding only its signed first line; return that line's id."""
    log_id = uuid.uuid4().hex
    body = _canonical({"log": LOG, "vault": vault_id, "id": log_id})
    write_atomically(path, f"{body}\t{mac(_header_key(master_key), body.encode())}\n".encode())
    return log_id


def note(path: Path, vault_id: str, slot: str, reason: str, *, at: datetime | None = None
         ) -> None:
    """Append one attempt and flush it to disk."""
    when = (at or datetime.now(UTC)).isoformat(timespec="milliseconds")
    body = _canonical({"at": when, "slot": slot, "reason": reason})
    line = f"{body}\t{mac(_note_key(vault_id), body.encode())}\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path: Path, vault_id: str, master_key: bytes | None = None) -> NotesFile:
    """Return the file's notes and what is wrong with it.

    Without the master key (before an unlock) the first line is taken on
    trust; with it, a first line Clinfile did not sign is a problem.
    """
    found = NotesFile()
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return found
    lines = text.split("\n")
    if lines[-1]:
        found.problems.append(f"{path.name} does not end where it should")
    lines = lines[:-1]
    if lines:
        found.log_id = _header_id(lines.pop(0), vault_id, master_key)
    if found.log_id is None:
        found.problems.append(
            f"{path.name} was deleted or replaced: it does not begin with the line Clinfile wrote")
    key = _note_key(vault_id)
    for number, line in enumerate(lines, start=2):
        parsed = _parsed_note(line, key)
        if parsed is None:
            found.problems.append(f"{path.name} line {number} is damaged or was edited")
        found.notes.append(parsed)
    return found


def wait_before(notes: list[Note | None], slot: str, now: datetime) -> timedelta:
    """Return how long this slot must wait before its next try; zero when it need not.

    The first few wrong passwords cost nothing (people mistype); each
    further one doubles the wait, up to :data:`LONGEST_WAIT`. An unlock of
    the slot starts its count again.
    """
    failures, last = 0, None
    for item in notes:
        if item is None or item.slot != slot:
            continue
        if item.reason == UNLOCKED:
            failures, last = 0, None
        elif item.reason in COUNTED:
            failures, last = failures + 1, item
    if last is None or failures < FREE_TRIES:
        return timedelta(0)
    wait = min(FIRST_WAIT * 2 ** (failures - FREE_TRIES), LONGEST_WAIT)
    return max(timedelta(0), datetime.fromisoformat(last.at) + wait - now)


def _header_id(line: str, vault_id: str, master_key: bytes | None) -> str | None:
    body, _, signature = line.rpartition("\t")
    try:
        header = json.loads(body)
        if header.get("log") != LOG or header.get("vault") != vault_id:
            return None
    except (ValueError, AttributeError):
        return None
    if master_key is not None and not same(mac(_header_key(master_key), body.encode()),
                                           signature):
        return None
    return str(header.get("id"))


def _parsed_note(line: str, key: bytes) -> Note | None:
    body, _, signature = line.rpartition("\t")
    if not same(mac(key, body.encode()), signature):
        return None
    try:
        return Note(**json.loads(body))
    except (ValueError, TypeError):
        return None


def _header_key(master_key: bytes) -> bytes:
    return derive_key(master_key, "login notes header")


def _note_key(vault_id: str) -> bytes:
    return derive_key(vault_id.encode(), "login notes")


def _canonical(value: dict) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
