"""Where each part of a vault lives inside its folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
        """The folder of year shards holding image bytes."""
        return self.root / "blobs"

    @property
    def pre_migration(self) -> Path:
        """Encrypted copies of the index taken before each schema upgrade."""
        return self.root / "pre-migration"

    def known_files(self) -> set[Path]:
        """Files the vault itself writes at its top level."""
        return {self.index, self.keyslots, self.audit_head, self.login_failures}
