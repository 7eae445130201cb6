"""Unlock attempts, noted outside the index until the vault can file them in its audit.

A wrong password cannot open the index, so the attempt cannot be audited at
once. It is appended here (time, the slot it aimed at as a hash, and what
happened; never the password) and the next successful unlock files it into
the audit trail. The same notes slow guessing down: after a few wrong
passwords for one name, each further one doubles the wait, up to a ceiling.
Successful unlocks are noted too, because they end that name's run of
wrong passwords. Each filing writes the notes' SHA-256 into the login's
audit row, so the notes already filed are sealed with the rest of the trail.

The file's first line is written by an unlocked vault and carries an HMAC
under a key derived from the master key, and the index records which first
line it expects: a deleted or replaced file shows. Each note carries an HMAC
under a key derived from the vault's id, which a failed unlock can compute:
that stops an edit with its checksum recomputed, but someone who studies
Clinfile and can write to the vault folder can still add a believable note,
as they could by typing a wrong password.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from clinfile.app import clock
from clinfile.app.custody.crypto import derive_key, mac, same
from clinfile.db.connection import write_atomically

LOG = "clinfile-login-notes"
UNLOCKED = "unlocked"
THROTTLED = "too many wrong passwords"
COUNTED = ("wrong password", "unknown user name", "account disabled")
FREE_TRIES = 3
FIRST_WAIT = timedelta(seconds=5)
LONGEST_WAIT = timedelta(minutes=15)
RECENT_BYTES = 64 * 1024


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
    """What was read of the file: its first line's id, notes (None where damaged), problems.

    ``end`` is where the last whole line read ends and ``size`` the file's
    length, both in bytes: the index remembers how far it has filed, so an
    unlock reads only what is new, and a file shorter than that was cut.
    """

    log_id: str | None = None
    notes: list[Note | None] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    end: int = 0
    size: int = 0


def start(path: Path, vault_id: str, master_key: bytes) -> str:
    """Begin a new file holding only its signed first line; return that line's id."""
    log_id = uuid.uuid4().hex
    body = _canonical({"log": LOG, "vault": vault_id, "id": log_id})
    write_atomically(path, f"{body}\t{mac(_header_key(master_key), body.encode())}\n".encode())
    return log_id


def sign_again(path: Path, vault_id: str, old_key: bytes, new_key: bytes) -> None:
    """Sign the file's first line with a new master key, when the old one signed it.

    The notes after it are kept as they are; a file the old key did not
    sign is left alone, for verification to report.
    """
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return
    header, newline, rest = content.partition(b"\n")
    if not newline or _header_id(header.decode("utf-8", "replace"), vault_id, old_key) is None:
        return
    body = header.decode("utf-8").rpartition("\t")[0]
    signed = f"{body}\t{mac(_header_key(new_key), body.encode())}\n".encode()
    write_atomically(path, signed + rest)


def note(path: Path, vault_id: str, slot: str, reason: str, *, at: datetime | None = None
         ) -> None:
    """Append one attempt and flush it to disk."""
    when = clock.stamp(at)
    body = _canonical({"at": when, "slot": slot, "reason": reason})
    line = f"{body}\t{mac(_note_key(vault_id), body.encode())}\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path: Path, vault_id: str, master_key: bytes, *, since: int = 0) -> NotesFile:
    """Return the file's first line's id and its notes from byte ``since`` on (all by default).

    A first line not signed with this master key is a problem. Line numbers
    in the problems count from the top only when the whole file is read.
    """
    found = NotesFile()
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return found
    with handle:
        found.size = os.fstat(handle.fileno()).st_size
        header = handle.readline()
        if header.endswith(b"\n"):
            found.log_id = _header_id(header[:-1].decode("utf-8", "replace"), vault_id,
                                      master_key)
        start = max(since, len(header))
        handle.seek(start)
        rest = handle.read()
    if found.log_id is None:
        found.problems.append(
            f"{path.name} was deleted or replaced: it does not begin with the line Clinfile wrote")
    *lines, partial = rest.split(b"\n")
    if partial:
        found.problems.append(f"{path.name} does not end where it should")
    found.end = start + len(rest) - len(partial)
    key = _note_key(vault_id)
    for number, line in enumerate(lines, start=2):
        parsed = _parsed_note(line.decode("utf-8", "replace"), key)
        if parsed is None:
            found.problems.append(f"{path.name} line {number} is damaged or was edited")
        found.notes.append(parsed)
    return found


def digest(path: Path, end: int) -> str:
    """SHA-256 of the notes up to byte ``end``, less the first line (signed on its own).

    Filing records it in the audit trail, so the seals cover the notes too:
    a filed note deleted or edited later no longer matches. The first line
    is left out because a change of keys signs it again.
    """
    return next(iter(digests(path, [end]).values()), "")


def digests(path: Path, ends: list[int]) -> dict[int, str]:
    """:func:`digest` at each of several ends, reading the file once."""
    found: dict[int, str] = {}
    hasher = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            header = len(handle.readline())
            at = header
            for end in sorted(set(ends)):
                hasher.update(handle.read(max(0, end - at)))
                at = max(at, end)
                found[end] = hasher.copy().hexdigest()
    except FileNotFoundError:
        return {}
    return found


def recent(path: Path, vault_id: str) -> list[Note | None]:
    """Return the notes at the end of the file, enough to decide how long a name must wait.

    Only the last :data:`RECENT_BYTES` are read, so a decade of notes does
    not slow a login down; a run of wrong passwords longer than that has
    reached the longest wait anyway.
    """
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            handle.seek(max(0, size - RECENT_BYTES))
            data = handle.read()
    except FileNotFoundError:
        return []
    lines = data.split(b"\n")[1:-1] if size > RECENT_BYTES else data.split(b"\n")[:-1]
    key = _note_key(vault_id)
    return [_parsed_note(line.decode("utf-8", "replace"), key) for line in lines]


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


def _header_id(line: str, vault_id: str, master_key: bytes) -> str | None:
    body, _, signature = line.rpartition("\t")
    try:
        header = json.loads(body)
        if header.get("log") != LOG or header.get("vault") != vault_id:
            return None
    except (ValueError, AttributeError):
        return None
    if not same(mac(_header_key(master_key), body.encode()), signature):
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
