import os
import threading

import pytest

from clinfile.app.security.audit import AuditEntry
from clinfile.app.vault.backup import backup_vault
from clinfile.app.vault.vault import Vault
from clinfile.app.vault.verify import verify_vault
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

