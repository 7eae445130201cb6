"""Nothing stored in a vault can be read from its files without the key."""

from clinfile.app.custody.audit import AuditEntry
from clinfile.app.security.users import UserService
from clinfile.app.vault.vault import Vault
from tests.conftest import ADMIN, ADMIN_PASSWORD

MARKER = b"PATIENT-MARKER-Xq7Zr-smith-john-12031980"


def test_no_file_holds_sqlite_headers_or_stored_plaintext(vault_path, login):
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    vault.blobs.put_bytes(MARKER * 1000)
    with vault.index() as conn:
        vault.audit.record(conn, AuditEntry(ADMIN, "test.read", MARKER.decode()))
    UserService(login()).add("dr-marker-person", "clinician", "a long enough password")
    files = [p for p in vault_path.rglob("*") if p.is_file()]
    assert len(files) >= 4
    for path in files:
        raw = path.read_bytes()
        assert b"SQLite format 3" not in raw, path
        assert MARKER not in raw, path
        assert b"dr-marker-person" not in raw, path
        assert b"PATIENT-MARKER" not in raw, path
