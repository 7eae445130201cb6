"""Nightly backups into one folder, restored: the chain holds, and attacks on it are found.

Real ``clinfile`` processes import real pictures and take the backups; a
backup killed with SIGKILL mid-way, and a backup disk that fills up, must
leave nothing counted as held that is not whole.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image

from clinfile.app.vault.backup import BackupDiskFull, backup_vault, restore_backup
from clinfile.app.vault.vault import Vault
from clinfile.app.vault.verify import verify_vault
from clinfile.db import blobs
from clinfile.db.image_census import held_images
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.integration.importing import command, copy_pictures, corpus_pictures
from tests.unit.app.cli.calling import as_user, call
from tests.unit.app.ingest.hostile_files import jpeg_bytes, write
from tests.unit.app.vault.test_full_disk import _fill, _mounted

pytestmark = pytest.mark.slow


def _import(vault: Path, folder: Path) -> None:
    code, out, err = as_user(vault, "reception", "import", str(folder))
    assert code == 0, out + err


def _fifty_new_pictures(folder: Path) -> None:
    for n in range(50):
        write(folder / f"day two {n:02d}.jpg",
              jpeg_bytes((160, 120), colour=(n * 5, 255 - n * 5, (n * 37) % 256)))


def _every_picture_opens(root: Path) -> int:
    vault, _ = Vault.unlock(root, ADMIN, ADMIN_PASSWORD)
    with vault.index() as conn:
        images = list(held_images(conn))
    for image in images:
        for blob_id in image.blobs().values():
            Image.open(io.BytesIO(vault.blobs.read_bytes(blob_id))).load()
    vault.lock()
    return len(images)


def test_a_backup_fifty_pictures_and_a_second_backup_restore_whole(vault_path, tmp_path, corpus):
    jpegs = [p for p in corpus_pictures(corpus) if p.suffix.lower() in (".jpg", ".jpeg")][:4]
    _import(vault_path, copy_pictures(jpegs, tmp_path / "day one") and tmp_path / "day one")
    backup = tmp_path / "usb disk" / "clinfile backup"
    code, out, err = as_user(vault_path, ADMIN, "backup", str(backup))
    assert code == 0, out + err

    _fifty_new_pictures(tmp_path / "day two")
    _import(vault_path, tmp_path / "day two")
    code, out, err = as_user(vault_path, ADMIN, "backup", str(backup))
    assert code == 0 and "unchanged file(s)" in out, out + err

    restored = tmp_path / "new computer" / "vault"
    code, out, err = call(["restore", str(backup), str(restored)])
    assert code == 0, out + err
    code, out, err = as_user(restored, ADMIN, "verify")
    assert code == 0 and "All checks passed" in out, out + err
    assert _every_picture_opens(restored) == _every_picture_opens(vault_path) >= 50


@pytest.fixture
def many_shards(vault_path, monkeypatch) -> Vault:
    """A vault with forty 1 MB shards of pictures' bytes, changed a minute ago."""
    monkeypatch.setattr(blobs, "SHARD_CLOSES_AT", 1_000_000)
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    for _ in range(40):
        vault.blobs.put_bytes(os.urandom(1_000_000))
    _settle(vault)
    return vault


def _settle(vault: Vault) -> None:
    earlier = time.time() - 60
    for shard in vault.blobs.shard_paths():
        os.utime(shard, (earlier, earlier))


def _backup_killed_mid_way(vault: Path, backup: Path) -> None:
    """Start ``clinfile backup`` and kill -9 it once it is copying the image shards."""
    process = subprocess.Popen(
        [*command(), "backup", str(vault), str(backup), "--user", ADMIN, "--password-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    process.stdin.write(f"{ADMIN_PASSWORD}\n".encode())
    process.stdin.close()
    deadline = time.monotonic() + 120
    while not list((backup / "blobs").glob(".*.partial")) if (backup / "blobs").is_dir() else True:
        assert process.poll() is None, "the backup ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_a_backup_killed_mid_way_counts_nothing_as_held_and_the_next_one_finishes(
        many_shards, vault_path, tmp_path):
    backup = tmp_path / "backup"
    _backup_killed_mid_way(vault_path, backup)
    assert not (backup / "backup-manifest.json").exists()

    report = backup_vault(many_shards, backup)
    assert report.kept == [] and not list(backup.rglob(".*.partial"))
    restore_backup(backup, tmp_path / "restored")
    copy, _ = Vault.unlock(tmp_path / "restored", ADMIN, ADMIN_PASSWORD)
    assert verify_vault(copy).problems == []


def test_a_later_backup_killed_mid_way_leaves_the_earlier_one_to_restore(
        many_shards, vault_path, tmp_path):
    backup = tmp_path / "backup"
    backup_vault(many_shards, backup)
    manifest = (backup / "backup-manifest.json").read_bytes()
    for shard in many_shards.blobs.shard_paths():
        os.utime(shard)
    _backup_killed_mid_way(vault_path, backup)

    assert (backup / "backup-manifest.json").read_bytes() == manifest
    restore_backup(backup, tmp_path / "restored")
    copy, _ = Vault.unlock(tmp_path / "restored", ADMIN, ADMIN_PASSWORD)
    assert verify_vault(copy).problems == []


@pytest.fixture
def backup_disk(tmp_path):
    yield from _mounted(tmp_path / "backup disk", "24m")


def test_a_full_backup_disk_says_so_and_leaves_the_last_backup_whole(
        vault_path, backup_disk, tmp_path, monkeypatch):
    monkeypatch.setattr(blobs, "SHARD_CLOSES_AT", 1_000_000)
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    for _ in range(4):
        vault.blobs.put_bytes(os.urandom(1_000_000))
    backup = backup_disk / "backup"
    backup_vault(vault, backup)
    manifest = (backup / "backup-manifest.json").read_bytes()

    for _ in range(25):
        vault.blobs.put_bytes(os.urandom(1_000_000))
    with pytest.raises(BackupDiskFull, match="disk of the backup folder .* is full") as full:
        backup_vault(vault, backup)
    assert "unchanged" in str(full.value) and "MB more is needed" in str(full.value)
    filler = _fill(backup_disk)
    with pytest.raises(BackupDiskFull, match="is full"):
        backup_vault(vault, backup)
    filler.unlink()

    assert (backup / "backup-manifest.json").read_bytes() == manifest
    assert not list(backup.rglob(".*.partial"))
    restore_backup(backup, tmp_path / "restored")
    copy, _ = Vault.unlock(tmp_path / "restored", ADMIN, ADMIN_PASSWORD)
    assert verify_vault(copy).problems == []
    assert json.loads(manifest)["files"].keys() == {
        "index.db", *(f"blobs/{p.name}" for p in copy.blobs.shard_paths())}
