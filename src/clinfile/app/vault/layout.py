"""Where each part of a vault lives inside its folder."""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from clinfile.db.connection import unfinished_writes

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
ABANDONED_AFTER_SECONDS = 60


@dataclass(frozen=True)
class VaultLayout:
    """The files of one vault folder.

    Everything here is either encrypted (the index and the blob shards), or
    holds no patient information and is authenticated with a key derived from
    the master key (the key slots and the audit head).
    """

    root: Path

    @property
    def index(self) -> Path:
        """The SQLCipher index: patients, images' metadata, consents, users, audit."""
        return self.root / "index.db"

    @property
    def keyslots(self) -> Path:
        """The master key, wrapped once per user and once for recovery."""
        return self.root / "keyslots.json"

    @property
    def audit_head(self) -> Path:
        """The newest audit hash, kept outside the index so truncation shows."""
        return self.root / "audit-head.json"

    @property
    def login_failures(self) -> Path:
        """Failed unlock attempts, held until the next unlock files them in the audit."""
        return self.root / "login-failures.log"

    @property
    def blobs(self) -> Path:
        """The folder of shards holding image bytes."""
        return self.root / "blobs"

    @property
    def backup_manifest(self) -> Path:
        """In a backup, what it holds of the vault (names, sizes, SHA-256), for the next backup."""
        return self.root / "backup-manifest.json"

    @property
    def restore_note(self) -> Path:
        """Left by a restore, for the first login after it to record in the audit trail."""
        return self.root / "restored-from.json"

    @property
    def pre_migration(self) -> Path:
        """Encrypted copies of the index taken before each schema upgrade."""
        return self.root / "pre-migration"

    def known_files(self) -> set[Path]:
        """Files the vault itself writes at its top level (a backup's manifest too)."""
        return {self.index, self.keyslots, self.audit_head, self.login_failures,
                self.backup_manifest, self.restore_note}

    def partial_files(self) -> list[Path]:
        """Temporary files of writes begun here and not (yet) given their real name.

        Atomic writes leave ``.NAME.*.partial`` beside the vault's own files;
        a shard or an index copy being re-keyed leaves the same, with its
        ``-journal``, in blobs/ or pre-migration/.
        """
        found = {p for known in self.known_files() for p in unfinished_writes(known)}
        for folder in (self.blobs, self.pre_migration):
            found |= set(folder.glob(".*.partial")) | set(folder.glob(".*.partial-journal"))
        return sorted(found)

    def abandoned_partial_files(self) -> list[Path]:
        """Temporary files too old for any writer to be still using: their writer was killed.

        Their age is counted on the disk's own clock, the one that stamped them, so a
        process whose clock is set apart (a test of retention years ahead, a clock put
        right while Clinfile runs) never takes another process's live write for a leftover.
        """
        found = self.partial_files()
        if not found:
            return []
        cutoff = _disk_now(self.root) - ABANDONED_AFTER_SECONDS
        return [p for p in found if _last_changed(p, default=cutoff) < cutoff]

    def loosely_kept(self) -> list[Path]:
        """Folders and files of the vault that other people on this computer could open.

        Everything in a vault is its owner's alone (folders 0700, files
        0600). Only POSIX systems say so in permission bits; elsewhere the
        folder's access list is the operating system's business. A
        temporary file another process finishes writing while this one looks
        is gone by then, and not reported.
        """
        if os.name != "posix":
            return []
        found = []
        for path in [self.root, *sorted(self.root.rglob("*"))]:
            try:
                mode = path.lstat().st_mode
            except FileNotFoundError:
                continue
            if not stat.S_ISLNK(mode) and stat.S_IMODE(mode) & 0o077:
                found.append(path)
        return found

    def keep_privately(self, paths: list[Path]) -> None:
        """Give each path its owner-only permissions."""
        for path in paths:
            path.chmod(PRIVATE_FOLDER if path.is_dir() else PRIVATE_FILE)


def _disk_now(folder: Path) -> float:
    """The time the file system in ``folder`` stamps on a file written now."""
    with tempfile.TemporaryFile(dir=folder) as probe:
        return os.fstat(probe.fileno()).st_mtime


def _last_changed(path: Path, *, default: float) -> float:
    """When ``path`` last changed, or ``default`` when it is gone already.

    Another process's write may finish (or its own clean-up run) between
    listing a temporary file and looking at it; a file gone by then is
    simply not a leftover.
    """
    try:
        return path.lstat().st_mtime
    except FileNotFoundError:
        return default
