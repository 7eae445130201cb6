"""Checking a whole vault: every page, every blob, the audit chain, the key slots.

Verification must find a single flipped byte anywhere in the vault folder.
The SQLCipher files carry an HMAC on every page; the blobs carry their
SHA-256; the audit rows chain by HMAC; the key-slot, audit-head and
failed-login files carry checksums or HMACs of their own. Any file the vault
did not write is reported too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.vault import keyslots as slotfile
from app.vault import login_failures
from app.vault.vault import Vault
from db.blobs import BlobStore
from db.connection import (
    INDEX_PROFILE,
    NotEncryptedWithThisKey,
    UnsafeDatabaseFile,
    integrity_problems,
    open_encrypted,
)

Progress = Callable[[str], None]


@dataclass
class VerifyReport:
    """What verification looked at and what it found wrong."""

    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether everything held."""
        return not self.problems


def verify_vault(vault: Vault, progress: Progress | None = None) -> VerifyReport:
    """Check every part of an unlocked vault and return what was found."""
    report = VerifyReport()
    say = progress or (lambda _step: None)
    layout = vault.layout

    say("key slots")
    report.checked.append("key slots")
    try:
        vault.read_slots()
    except slotfile.KeySlotsDamaged as exc:
        report.problems.append(str(exc))

    say("index")
    report.checked.append("index")
    report.problems += _database_problems(layout.index, vault.key, "index")

    if not any(p.startswith("index") for p in report.problems):
        say("audit trail")
        report.checked.append("audit trail")
        with vault.index() as conn:
            report.problems += vault.audit.problems(conn)

    store = vault.blobs
    for shard in store.shard_paths():
        say(f"image store {shard.name}")
        report.checked.append(f"image store {shard.name}")
        report.problems += _shard_problems(store, shard)

    for copy in sorted(layout.pre_migration.glob("*.db")) if layout.pre_migration.is_dir() else []:
        report.checked.append(f"pre-upgrade copy {copy.name}")
        report.problems += _database_problems(copy, vault.key, f"pre-upgrade copy {copy.name}")

    _, damaged = login_failures.read(layout.login_failures)
    report.problems += damaged
    report.problems += [f"unexpected file in the vault: {p}" for p in _unexpected_files(vault)]
    return report


def _database_problems(path: Path, key: bytes, label: str) -> list[str]:
    try:
        conn = open_encrypted(path, key, INDEX_PROFILE)
    except (NotEncryptedWithThisKey, UnsafeDatabaseFile, FileNotFoundError) as exc:
        return [f"{label}: cannot be opened ({type(exc).__name__}: damaged, missing or replaced)"]
    try:
        return [f"{label}: {p}" for p in integrity_problems(conn)]
    except Exception as exc:  # noqa: BLE001 - a damaged file may fail in any way; report it
        return [f"{label}: {exc}"]
    finally:
        conn.close()


def _shard_problems(store: BlobStore, shard: Path) -> list[str]:
    try:
        return store.check_shard(shard)
    except Exception as exc:  # noqa: BLE001 - a damaged file may fail in any way; report it
        return [f"{shard.name}: {exc}"]


def _unexpected_files(vault: Vault) -> list[str]:
    layout = vault.layout
    expected = layout.known_files() | set(vault.blobs.shard_paths())
    if layout.pre_migration.is_dir():
        expected |= set(layout.pre_migration.glob("index-v*.db"))
    found = []
    for path in sorted(layout.root.rglob("*")):
        if path.is_dir() and path in (layout.blobs, layout.pre_migration):
            continue
        if path not in expected:
            found.append(str(path.relative_to(layout.root)))
    return found
