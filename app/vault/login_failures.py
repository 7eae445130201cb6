"""Failed unlock attempts, kept until the vault can write them into its audit trail.

A wrong password cannot open the index, so the attempt cannot be audited at
once. It is noted here (time, the slot it aimed at as a hash, and why it
failed; never the password) and moved into the audit trail by the next
successful unlock. Each line carries its own SHA-256 so damage is noticed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class FailedAttempt:
    """One failed unlock."""

    at: str
    slot: str
    reason: str


def note(path: Path, slot: str, reason: str) -> None:
    """Append one failed attempt and flush it to disk."""
    body = json.dumps(
        {"at": datetime.now(UTC).isoformat(timespec="seconds"), "slot": slot, "reason": reason},
        sort_keys=True,
    )
    line = f"{body}\t{hashlib.sha256(body.encode()).hexdigest()}\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path: Path) -> tuple[list[FailedAttempt], list[str]]:
    """Return the attempts noted so far and a description of any damaged lines."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return [], []
    attempts, damaged = [], []
    lines = text.split("\n")
    if lines[-1]:
        damaged.append(f"{path.name} does not end where it should")
    for number, line in enumerate(lines[:-1], start=1):
        body, _, digest = line.rpartition("\t")
        try:
            if hashlib.sha256(body.encode()).hexdigest() != digest:
                raise ValueError
            attempts.append(FailedAttempt(**json.loads(body)))
        except (ValueError, TypeError):
            damaged.append(f"{path.name} line {number} is damaged")
    return attempts, damaged


def clear(path: Path) -> None:
    """Forget the noted attempts once they are in the audit trail.

    A damaged file is kept, so that verification still reports it.
    """
    _, damaged = read(path)
    if damaged:
        return
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
