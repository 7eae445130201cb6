import json
import os
import threading
import time
from pathlib import Path

import pytest

from clinfile.app.custody.audit import AuditEntry
from clinfile.app.security.session import Session
from clinfile.app.vault.backup import BackupRefused, backup_vault, restore_backup
from clinfile.app.vault.rotation import change_master_key, rekey_remaining
from clinfile.app.vault.vault import Vault
from clinfile.app.vault.verify import verify_vault
from clinfile.db import blobs
from clinfile.db.audit import AuditRepository
from tests.conftest import ADMIN, ADMIN_PASSWORD


def test_backup_taken_during_writes_is_consistent_and_verifies(vault_path, tmp_path):
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    for _ in range(5):
        vault.blobs.put_bytes(os.urandom(500_000))
    stop = threading.Event()
    written = []

    def keep_writing() -> None:
        writer, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
        while not stop.is_set():
            written.append(writer.blobs.put_bytes(os.urandom(200_000)).id)
            with writer.index() as conn:
                writer.audit.record(conn, AuditEntry(ADMIN, "test.write"))

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        while len(written) < 3:
            threading.Event().wait(0.01)
        backup_vault(vault, tmp_path / "copy")
    finally:
        stop.set()
        thread.join()

    copy, _ = Vault.unlock(tmp_path / "copy", ADMIN, ADMIN_PASSWORD)
    assert verify_vault(copy).problems == []
    assert verify_vault(vault).problems == []


def test_backup_refuses_a_folder_with_files(vault_path, tmp_path):
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(FileExistsError):
        backup_vault(vault, tmp_path / "full")



# --- incremental backups ---------------------------------------------------------------


@pytest.fixture
def small_shards(monkeypatch):
    """Shards closed at 1 MB, so a handful of pictures fills several."""
    monkeypatch.setattr(blobs, "SHARD_CLOSES_AT", 1_000_000)


def _pictures(vault: Vault, count: int, size: int = 300_000) -> list[str]:
    """Store pictures' bytes as if during the day: their shards last changed a while ago.

    A shard changed in the last two seconds is copied again by the next
    backup whatever it finds (a change in the same instant could hide).
    """
    ids = [vault.blobs.put_bytes(os.urandom(size)).id for _ in range(count)]
    earlier = time.time() - 60
    for shard in vault.blobs.shard_paths():
        if shard.stat().st_mtime > earlier:
            os.utime(shard, (earlier, earlier))
    return ids


def _restored_and_verified(backup: Path, into: Path, *, restored: bool = False) -> Vault:
    if not restored:
        restore_backup(backup, into)
    copy, _ = Vault.unlock(into, ADMIN, ADMIN_PASSWORD)
    assert verify_vault(copy).problems == []
    return copy


def test_a_second_backup_copies_the_index_and_only_the_shards_that_changed(
        vault_path, tmp_path, small_shards):
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    _pictures(vault, 12)
    first = backup_vault(vault, tmp_path / "backup")
    shards = [f"blobs/{p.name}" for p in vault.blobs.shard_paths()]
    assert first.copied == ["index.db", *shards] and first.kept == []

    again = backup_vault(vault, tmp_path / "backup")
    assert again.copied == ["index.db"] and again.kept == shards

    new = _pictures(vault, 2)
    third = backup_vault(vault, tmp_path / "backup")
    changed = {f"blobs/{vault.blobs.shard_path_of(blob_id).name}" for blob_id in new}
    assert third.copied == ["index.db", *sorted(changed)]
    assert third.copied_bytes < first.copied_bytes / 3

    copy = _restored_and_verified(tmp_path / "backup", tmp_path / "restored")
    assert all(copy.blobs.read_bytes(blob_id) == vault.blobs.read_bytes(blob_id) for blob_id in new)


def test_a_file_changed_or_cut_short_in_the_backup_is_copied_again(
        vault_path, tmp_path, small_shards):
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    _pictures(vault, 8)
    backup_vault(vault, tmp_path / "backup")
    cut, flipped = sorted((tmp_path / "backup" / "blobs").glob("*.db"))[:2]
    with open(cut, "r+b") as handle:
        handle.truncate(cut.stat().st_size // 2)
    before = flipped.stat()
    data = bytearray(flipped.read_bytes())
    data[70_000] ^= 0xFF
    flipped.write_bytes(bytes(data))
    os.utime(flipped, ns=(before.st_atime_ns, before.st_mtime_ns))

    found = backup_vault(vault, tmp_path / "backup")
    assert found.not_trusted == [f"blobs/{cut.name}"]
    deep = backup_vault(vault, tmp_path / "backup", reread=True)
    assert deep.not_trusted == [f"blobs/{flipped.name}"]
    _restored_and_verified(tmp_path / "backup", tmp_path / "restored")


def test_a_backup_file_put_back_from_an_older_backup_is_copied_again(
        vault_path, tmp_path, small_shards):
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    _pictures(vault, 2)
    backup_vault(vault, tmp_path / "backup")
    open_shard = vault.blobs.shard_paths()[-1]
    older = (tmp_path / "backup" / "blobs" / open_shard.name).read_bytes()
    _pictures(vault, 1, size=100_000)
    backup_vault(vault, tmp_path / "backup")
    (tmp_path / "backup" / "blobs" / open_shard.name).write_bytes(older)

    again = backup_vault(vault, tmp_path / "backup")
    assert f"blobs/{open_shard.name}" in again.not_trusted
    _restored_and_verified(tmp_path / "backup", tmp_path / "restored")


def test_a_vault_put_back_from_an_older_copy_may_not_overwrite_its_later_backup(
        vault_path, tmp_path):
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    backup_vault(vault, tmp_path / "old")
    vault.lock()
    later, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    _pictures(later, 1)
    backup_vault(later, tmp_path / "backup")
    later.lock()
    restore_backup(tmp_path / "old", tmp_path / "put-back")
    put_back, _ = Vault.unlock(tmp_path / "put-back", ADMIN, ADMIN_PASSWORD)
    manifest = (tmp_path / "backup" / "backup-manifest.json").read_bytes()

    with pytest.raises(BackupRefused, match="later state of this vault"):
        backup_vault(put_back, tmp_path / "backup")
    assert (tmp_path / "backup" / "backup-manifest.json").read_bytes() == manifest


def test_another_vaults_backup_folder_is_refused(vault_path, tmp_path):
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    other = Vault.create(tmp_path / "other", ADMIN, ADMIN_PASSWORD).vault
    backup_vault(other, tmp_path / "backup")
    with pytest.raises(BackupRefused, match="another vault"):
        backup_vault(vault, tmp_path / "backup")


def test_a_manifest_edited_by_hand_is_not_believed(vault_path, tmp_path, small_shards):
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    _pictures(vault, 4)
    backup_vault(vault, tmp_path / "backup")
    path = tmp_path / "backup" / "backup-manifest.json"
    manifest = json.loads(path.read_text())
    for held in manifest["files"].values():
        held["size"] += 0
        held["written"] = 0
    path.write_text(json.dumps(manifest))

    again = backup_vault(vault, tmp_path / "backup")
    assert again.kept == []


def test_a_restore_refuses_a_backup_file_that_is_not_the_one_recorded(vault_path, tmp_path):
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    _pictures(vault, 1)
    backup_vault(vault, tmp_path / "backup")
    shard = next((tmp_path / "backup" / "blobs").glob("*.db"))
    data = bytearray(shard.read_bytes())
    data[-100] ^= 0x01
    shard.write_bytes(bytes(data))
    with pytest.raises(BackupRefused, match="not the file the backup recorded"):
        restore_backup(tmp_path / "backup", tmp_path / "restored")


def test_a_restore_refuses_a_manifest_naming_a_file_outside_the_vault(vault_path, tmp_path):
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    backup_vault(vault, tmp_path / "backup")
    path = tmp_path / "backup" / "backup-manifest.json"
    manifest = json.loads(path.read_text())
    manifest["files"]["../escaped.db"] = manifest["files"]["index.db"]
    path.write_text(json.dumps(manifest))
    with pytest.raises(BackupRefused, match="no vault has"):
        restore_backup(tmp_path / "backup", tmp_path / "restored")
    assert not (tmp_path / "escaped.db").exists()


def test_re_keyed_shards_are_copied_again_and_the_restored_vault_opens(
        vault_path, tmp_path, small_shards):
    session = Session.login(vault_path, ADMIN, ADMIN_PASSWORD)
    before = _pictures(session.vault, 6)
    backup_vault(session.vault, tmp_path / "backup")
    change_master_key(session.vault, ADMIN, "a password was written down")
    after = _pictures(session.vault, 1)
    old_shards = [f"blobs/{p.name}" for p in session.vault.blobs.shard_paths()
                  if "k2" not in p.name]
    half = backup_vault(session.vault, tmp_path / "backup")
    assert half.kept == old_shards  # not yet re-keyed: unchanged, still held
    rekey_remaining(session.vault)

    again = backup_vault(session.vault, tmp_path / "backup")
    assert again.copied == ["index.db", *old_shards]
    copy = _restored_and_verified(tmp_path / "backup", tmp_path / "restored")
    assert all(copy.blobs.read_bytes(b) == session.vault.blobs.read_bytes(b)
               for b in before + after)


def test_a_restore_is_recorded_in_the_restored_vaults_trail_at_the_first_login(vault_path,
                                                                             tmp_path):
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    backup_vault(vault, tmp_path / "backup")
    vault.lock()
    restore_backup(tmp_path / "backup", tmp_path / "restored")
    note = tmp_path / "restored" / "restored-from.json"
    assert note.exists()
    copy = _restored_and_verified(tmp_path / "backup", tmp_path / "restored", restored=True)
    assert not note.exists()
    with copy.index() as conn:
        [row] = [r for r in AuditRepository(conn).rows() if r.action == "vault.restored"]
    detail = json.loads(row.detail)
    assert row.subject == str((tmp_path / "backup").resolve()) and row.actor == ADMIN
    assert detail["files"] >= 3 and detail["backup_latest"]["seq"] > 0
    copy.lock()
    again, _ = Vault.unlock(tmp_path / "restored", ADMIN, ADMIN_PASSWORD)
    with again.index() as conn:
        assert [r.action for r in AuditRepository(conn).rows()].count("vault.restored") == 1
    assert verify_vault(again).problems == []
