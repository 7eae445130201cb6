"""Changing the keys while other processes work on the vault, and killing the re-key mid-way.

An import process started before the change must not write a single
picture under the key that was given up, nor lose one: it stops, saying
to log in again, and whatever it had not finished is still at its source.
A re-key killed with SIGKILL leaves every shard whole under one key or the
other, every picture readable, and finishes when run again.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clinfile.app.security.keys import change_keys, finish_rekey
from clinfile.app.security.session import Session
from clinfile.app.vault.layout import ABANDONED_AFTER_SECONDS
from clinfile.app.vault.verify import verify_vault
from clinfile.db.blobs import BlobStore
from clinfile.db.connection import (
    BLOB_PROFILE,
    INDEX_PROFILE,
    NotEncryptedWithThisKey,
    open_encrypted,
)
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.integration.importing import (
    check_custody,
    command,
    copy_pictures,
    corpus_pictures,
    false_messages,
    kill_group,
    start_import,
)

SHARD_YEARS = range(2016, 2024)
BLOB_BYTES = 6 * 1024 * 1024


def _old_shards(vault_path: Path) -> dict[str, str]:
    """Fill eight year shards with random pictures; return each blob's SHA-256 by id."""
    session = Session.login(vault_path, ADMIN, ADMIN_PASSWORD)
    stored = {}
    for year in SHARD_YEARS:
        for _ in range(2):
            data = os.urandom(BLOB_BYTES)
            blob = session.vault.blobs.put_bytes(data, when=datetime(year, 3, 1, tzinfo=UTC))
            stored[blob.id] = hashlib.sha256(data).hexdigest()
    session.lock()
    return stored


def _start_rekey(vault_path: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [*command(), "rekey", str(vault_path), "--user", ADMIN, "--password-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    process.stdin.write(f"{ADMIN_PASSWORD}\n".encode())
    process.stdin.close()
    process.stdin = None
    return process


@pytest.mark.slow
def test_a_rekey_killed_mid_way_leaves_every_shard_whole_and_finishes_later(vault_path):
    stored = _old_shards(vault_path)
    admin = Session.login(vault_path, ADMIN, ADMIN_PASSWORD)
    old_key = admin.vault.key
    change_keys(admin, "a password may have been seen")
    admin.lock()

    process = _start_rekey(vault_path)
    seen = b""
    while seen.count(b"Re-keyed") < 3 and process.poll() is None:
        seen += process.stdout.read1(256)
    kill_group(process)

    admin = Session.login(vault_path, ADMIN, ADMIN_PASSWORD)
    store = admin.vault.blobs
    under_new = [not store.needs_rekey(p) for p in store.shard_paths()]
    assert any(under_new) and not all(under_new), "the kill should land mid-way"
    for blob_id, sha in stored.items():
        store.verify(blob_id, sha)
    assert finish_rekey(admin).finished
    for shard in store.shard_paths():
        with pytest.raises(NotEncryptedWithThisKey):
            open_encrypted(shard, old_key, BLOB_PROFILE)
    assert verify_vault(admin.vault).ok, verify_vault(admin.vault).problems


@pytest.mark.slow
def test_an_import_running_through_a_key_change_stops_and_loses_nothing(vault_path, corpus,
                                                                        tmp_path):
    offered = copy_pictures(corpus_pictures(corpus)[:30], tmp_path / "drop")
    admin = Session.login(vault_path, ADMIN, ADMIN_PASSWORD)
    old_key = admin.vault.key
    process = start_import(vault_path, [tmp_path / "drop"])
    seen = b""
    while b"Imported" not in seen and process.poll() is None:
        seen += process.stdout.read1(256)

    change_keys(admin, "someone left")
    out, err = process.communicate(timeout=300)
    printed = (seen + out).decode() + err.decode()

    assert "(stopped)" in printed
    rows = check_custody(vault_path, offered)
    assert not false_messages([printed], offered, rows)
    finish_rekey(admin)
    with pytest.raises(NotEncryptedWithThisKey):
        open_encrypted(vault_path / "index.db", old_key, INDEX_PROFILE)
    assert not BlobStore(vault_path / "blobs", old_key).catalogue()
    assert verify_vault(admin.vault).ok, verify_vault(admin.vault).problems


@pytest.mark.slow
def test_what_a_rekey_killed_mid_copy_leaves_in_blobs_is_swept_and_verify_still_passes(
        vault_path):
    _old_shards(vault_path)
    admin = Session.login(vault_path, ADMIN, ADMIN_PASSWORD)
    change_keys(admin, "a recovery sheet went missing")
    admin.lock()

    process = _start_rekey(vault_path)
    blobs = vault_path / "blobs"
    left = []
    while not left and process.poll() is None:
        left = list(blobs.glob(".*.partial"))
    kill_group(process)
    left = list(blobs.glob(".*.partial*"))
    assert left, "the kill should land while a shard is being copied"

    admin = Session.login(vault_path, ADMIN, ADMIN_PASSWORD)
    assert verify_vault(admin.vault).ok, verify_vault(admin.vault).problems
    admin.lock()
    long_ago = time.time() - ABANDONED_AFTER_SECONDS - 5
    for path in left:
        os.utime(path, (long_ago, long_ago))
    admin = Session.login(vault_path, ADMIN, ADMIN_PASSWORD)
    assert not list(blobs.glob(".*.partial*"))
    assert finish_rekey(admin).finished
    assert verify_vault(admin.vault).ok, verify_vault(admin.vault).problems
