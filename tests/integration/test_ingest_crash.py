"""kill -9 an import at random moments: nothing is lost, nothing is filed twice.

After every kill, each source file must be either still at its source, byte
for byte, or in the vault exactly once; the vault holds nothing that was not
a source. A last, uninterrupted run finishes the job and the whole vault
then passes ``clinfile verify``.
"""

import hashlib
import os
import random
import subprocess
import time
from pathlib import Path

import pytest

from clinfile.app.security.session import Session
from clinfile.db.connection import BLOB_PROFILE, open_encrypted
from clinfile.db.images import ImageRepository, ImportJournalRepository
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.integration.importing import (
    command,
    copy_pictures,
    corpus_pictures,
    finish,
    kill_group,
    start_import,
)

KILLS = 10


def _sources(corpus: Path, into: Path) -> dict[Path, str]:
    """A few dozen real camera files, hashed before the import starts."""
    return copy_pictures(corpus_pictures(corpus)[:40], into)


def _check_invariant(vault_path: Path, sources: dict[Path, str]) -> int:
    """Every source is at its source or in the vault once; return how many are in the vault."""
    session = Session.login(vault_path, ADMIN, ADMIN_PASSWORD)
    vault = session.vault
    with vault.index() as conn:
        rows = ImageRepository(conn).unfiled()
        pending = ImportJournalRepository(conn).all()
    stored = [r.sha256 for r in rows]
    assert len(stored) == len(set(stored)), "an image was filed twice"
    assert set(stored) <= set(sources.values()), "the vault holds something never offered"
    for path, sha in sources.items():
        at_source = path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == sha
        assert at_source or sha in stored, f"{path.name} was lost"
    for row in rows:
        vault.blobs.verify(row.original_blob, row.sha256)
    blob_count = 0
    for shard in vault.blobs.shard_paths():
        conn = open_encrypted(shard, vault.key, BLOB_PROFILE)
        try:
            blob_count += conn.execute("SELECT count(*) FROM blob").fetchone()[0]
        finally:
            conn.close()
    assert blob_count <= 3 * (len(rows) + len(pending)), "blobs were left behind unrecorded"
    session.lock()
    return len(stored)


@pytest.mark.slow
def test_kill_9_at_random_moments_loses_nothing_and_files_nothing_twice(
        vault_path, corpus, tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    sources = _sources(corpus, folder)
    chance = random.Random(os.environ.get("CLINFILE_CRASH_SEED", str(time.time_ns())))
    in_vault = []
    for _ in range(KILLS):
        process = start_import(vault_path, [folder])
        # Wait for the first file to be dealt with, so the kill lands mid-import
        # (committing, verifying, deleting a source) rather than during log-in.
        process.stdout.readline()
        time.sleep(chance.uniform(0.0, 1.0))
        kill_group(process)
        in_vault.append(_check_invariant(vault_path, sources))

    finish(start_import(vault_path, [folder]), timeout=600)
    assert _check_invariant(vault_path, sources) == len(set(sources.values()))
    assert not any(path.exists() for path in sources)
    with Session.login(vault_path, ADMIN, ADMIN_PASSWORD).vault.index() as conn:
        assert ImportJournalRepository(conn).all() == []

    verify = subprocess.run([*command(), "verify", str(vault_path), "--user", ADMIN,
                             "--password-stdin"], input=f"{ADMIN_PASSWORD}\n".encode(),
                            capture_output=True, timeout=600)
    assert verify.returncode == 0, verify.stdout.decode() + verify.stderr.decode()
    assert in_vault == sorted(in_vault), "an image once in the vault went missing"
