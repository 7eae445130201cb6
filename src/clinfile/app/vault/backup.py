"""A consistent, encrypted copy of a vault while it is in use.

The index is exported first, then the image shards, then the key slots and
the failed-login notes. Every image the copied index refers to was committed
to its shard before the index row that names it, so it is in the copied shard
too; a key file copied last is at least as new as the copied index, which
unlocking accepts. The copy's audit head and key file record the copy's own
newest audit row, so the restored copy opens as the latest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from clinfile.app.security.audit import AuditMark
from clinfile.app.security.locations import require_local
from clinfile.app.vault import keyslots as slotfile
from clinfile.app.vault.layout import VaultLayout
from clinfile.app.vault.vault import Vault
from clinfile.db.audit import AuditRepository, AuditRow
from clinfile.db.connection import (
    BLOB_PROFILE,
    INDEX_PROFILE,
    export_copy,
    fsync_dir,
    open_encrypted,
    write_atomically,
)


def backup_vault(vault: Vault, dest: Path, *, force: bool = False,
                 progress: Callable[[str], None] | None = None) -> VaultLayout:
    """Write a copy of the vault into a new folder ``dest`` and return its layout.

    Raises:
        FileExistsError: ``dest`` exists and is not an empty folder.
        CloudFolderRefused: ``dest`` is inside a cloud-sync folder (unless forced).
    """
    say = progress or (lambda _step: None)
    dest = Path(dest)
    require_local(dest, what="backup", force=force)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty; back up into a new, empty folder.")
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    dest.chmod(0o700)
    copy = VaultLayout(dest)

    say("index")
    with vault.index() as conn:
        export_copy(conn, copy.index, vault.key, INDEX_PROFILE)
    last = _write_head_for(vault, copy)

    shards = vault.blobs.shard_paths()
    if shards:
        copy.blobs.mkdir(mode=0o700)
    for shard in shards:
        say(f"image store {shard.name}")
        conn = open_encrypted(shard, vault.key, BLOB_PROFILE)
        try:
            export_copy(conn, copy.blobs / shard.name, vault.key, BLOB_PROFILE)
        finally:
            conn.close()

    say("key slots")
    slots = replace(vault.read_slots(), latest=AuditMark.of(last))
    slotfile.write(copy.keyslots, slots, vault.key)
    if vault.layout.login_failures.exists():
        write_atomically(copy.login_failures, vault.layout.login_failures.read_bytes())
    fsync_dir(dest)
    return copy


def _write_head_for(vault: Vault, copy: VaultLayout) -> AuditRow:
    """Give the copy an audit head matching its own newest row, not the live one."""
    conn = open_encrypted(copy.index, vault.key, INDEX_PROFILE)
    try:
        last = AuditRepository(conn).last()
    finally:
        conn.close()
    if last is None:
        raise ValueError("the copied index has no audit trail")
    vault.audit.write_head(copy.audit_head, last)
    return last
