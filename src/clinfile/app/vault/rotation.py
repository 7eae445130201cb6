"""Changing the master key, when someone leaves or a password or recovery sheet may be known.

A change makes a new master key at once for what matters most: the index
is re-encrypted under it (SQLCipher's rekey, a few seconds at most), the
key file gives it to every remaining slot (sealed to each slot's public
key, so no one's password is needed) and to the recovery key, and new
pictures go to new shards under it. An old key file and an old password
then open nothing written after the change.

The pictures already stored stay under the old key until they are re-keyed
in the background, one shard at a time, by :func:`rekey_remaining`; the old
key is kept in the index, under the new one, only until the last shard is
done. Each shard is rewritten whole and renamed into place, so a crash, or
kill -9, leaves every shard under one key or the other, and the work simply
goes on where it stopped. Once finished, the old key opens nothing at all.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from clinfile.app import clock
from clinfile.app.custody.audit import AuditEntry
from clinfile.app.custody.crypto import KEY_BYTES
from clinfile.app.vault import keyslots as slotfile
from clinfile.app.vault import login_failures
from clinfile.app.vault.errors import KeysChanged, VaultBusy
from clinfile.app.vault.vault import AUDIT_KEY, Vault
from clinfile.db.connection import (
    INDEX_PROFILE,
    DatabaseError,
    NotEncryptedWithThisKey,
    copy_under_new_key,
    is_busy,
    open_encrypted,
    rekey_in_place,
    transaction,
)
from clinfile.db.settings import MetaRepository

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

log = logging.getLogger("clinfile.vault.rotation")

Progress = Callable[["RekeyProgress"], None]


@dataclass(frozen=True)
class RekeyProgress:
    """How far the background re-key has come, in bytes of the files under an older key."""

    done: int
    total: int
    current: str = ""

    @property
    def finished(self) -> bool:
        """Whether nothing is left under an older key."""
        return self.done >= self.total


def change_master_key(vault: Vault, actor: str, reason: str) -> None:
    """Give the vault a new master key now; older shards wait for :func:`rekey_remaining`.

    The steps are ordered so a crash anywhere leaves a vault that opens: the
    old key is kept in the index first, then the key file moves to the new
    key (keeping the old one wrapped under it), then the index is rekeyed.
    An unlock that finds the key file ahead of the index finishes the job
    (see ``Vault._finish_key_change``).
    """
    with _one_change_at_a_time(vault.layout.root):
        _change_master_key(vault, actor, reason)


def _change_master_key(vault: Vault, actor: str, reason: str) -> None:
    _wait_for_readers(vault)
    old_key, new_key = vault.key, os.urandom(KEY_BYTES)
    slots, _ = slotfile.read(vault.layout.keyslots)
    if slots.epoch != vault.epoch:
        vault.lock()
        raise KeysChanged()
    with vault.audited() as work:
        meta = MetaRepository(work.conn)
        if meta.get(AUDIT_KEY) is None:
            meta.put(AUDIT_KEY, vault.audit_key_hex())
        work.conn.execute("INSERT OR REPLACE INTO retired_key (epoch, key, retired_at) "
                          "VALUES (?, ?, ?)", (slots.epoch, old_key, clock.stamp()))
        work.record(AuditEntry(actor, "vault.keys_changed", "",
                               {"reason": reason, "epoch": slots.epoch + 1}))
    with vault.index() as conn, transaction(conn):
        changed = slotfile.changed_master_key(vault.read_slots(), old_key, new_key)
        slotfile.write(vault.layout.keyslots, changed, new_key)
        MetaRepository(conn).put("keyslots_generation", str(changed.generation))
    rekey_in_place(vault.layout.index, old_key, new_key, INDEX_PROFILE)
    login_failures.sign_again(vault.layout.login_failures, vault.vault_id, old_key, new_key)
    vault.adopt_key(new_key, changed.epoch)
    with vault.index() as conn, transaction(conn):
        MetaRepository(conn).put("keyslots_generation", str(changed.generation))
    expired = [s.id for s in changed.slots if s.state == "expired"]
    if expired:
        log.warning("%d key slots from an older Clinfile need a new password", len(expired))


def _wait_for_readers(vault: Vault) -> None:
    """Wait, as long as any write would, until nobody is reading the index; else say busy.

    Re-encrypting the index needs it to itself. Finding that out before
    anything is changed means a long read in another process (a search, a
    verify) ends a change of keys with "busy" and nothing changed.

    Raises:
        VaultBusy: another process kept reading for longer than the wait.
    """
    with vault.index() as conn:
        try:
            conn.execute("BEGIN EXCLUSIVE")
        except DatabaseError as exc:
            if not is_busy(exc):
                raise
            raise VaultBusy() from exc
        conn.execute("ROLLBACK")


@contextlib.contextmanager
def _one_change_at_a_time(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on the vault folder while the keys change.

    Two admins changing the keys at once would each rekey the index under
    their own new key and write a key file for it; whichever lost would
    leave a key file that does not open the index. A lock on the folder
    itself (no extra file) makes the second wait, then find the keys changed.
    Where the system has no such lock (Windows), changes are not serialised.
    """
    if fcntl is None:
        yield
        return
    descriptor = os.open(root, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def rekey_remaining(vault: Vault, progress: Progress | None = None,
                    cancelled: Callable[[], bool] | None = None) -> RekeyProgress:
    """Re-key every shard and pre-upgrade copy still under an older key; resumable.

    Nothing is recorded about where it stopped: a file is either under the
    current key already or not, so it starts again from whatever is left.
    When nothing is left the retired keys are erased from the index and the
    key file drops the old key it kept.
    """
    last = RekeyProgress(0, 0)
    for last in rekey_steps(vault):
        if progress:
            progress(last)
        if cancelled and cancelled() and not last.finished:
            break
    return last


def rekey_steps(vault: Vault) -> Iterator[RekeyProgress]:
    """Re-key file by file, saying before each how far it has come; stop by closing it.

    The last step says ``finished`` once the retired keys are erased.
    """
    store = vault.blobs
    waiting = [p for p in store.shard_paths() if store.needs_rekey(p)]
    copies = [p for p in _pre_upgrade_copies(vault) if _needs_rekey(vault, p)]
    total = sum(_size(p) for p in waiting + copies)
    done = 0
    for path in waiting + copies:
        yield RekeyProgress(done, total, path.name)
        if path in waiting:
            store.rekey(path)
        else:
            _rekey_copy(vault, path)
        done += _size(path)
    _forget_retired_keys(vault)
    yield RekeyProgress(total, total)


def remaining(vault: Vault) -> int:
    """Bytes of shards and copies still under an older key (0 when the change is complete)."""
    store = vault.blobs
    return (sum(_size(p) for p in store.shard_paths() if store.needs_rekey(p))
            + sum(_size(p) for p in _pre_upgrade_copies(vault) if _needs_rekey(vault, p)))


def _forget_retired_keys(vault: Vault) -> None:
    """Erase the retired keys; the key file is read and written under the index's write lock.

    Another login may be rewriting the key file (a new user, a seal) at the
    same moment; read outside the lock, its change would be written over.
    """
    with vault.audited() as work:
        slots = vault.read_slots()
        gone = work.conn.execute("DELETE FROM retired_key").rowcount
        if slots.previous:
            vault.store_slots(work.conn, replace(slots, previous={},
                                                 generation=slots.generation + 1))
        if gone or slots.previous:
            work.record(AuditEntry("clinfile", "vault.rekey_finished", "",
                                   {"epoch": slots.epoch}))
    vault.forget_older_keys()


def _pre_upgrade_copies(vault: Vault) -> list[Path]:
    folder = vault.layout.pre_migration
    return sorted(folder.glob("index-v*.db")) if folder.is_dir() else []


def _needs_rekey(vault: Vault, path: Path) -> bool:
    try:
        open_encrypted(path, vault.key, INDEX_PROFILE).close()
    except NotEncryptedWithThisKey:
        return True
    return False


def _rekey_copy(vault: Vault, path: Path) -> None:
    for key in vault.older_keys():
        try:
            conn = open_encrypted(path, key, INDEX_PROFILE)
        except NotEncryptedWithThisKey:
            continue
        try:
            copy_under_new_key(path, conn, vault.key, INDEX_PROFILE)
        finally:
            conn.close()
        return


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0

