"""An admin's own acts are sealed as they are committed, not at their next login.

A receptionist holding the master key can delete and chain again any rows
after the last seal. Admin acts such as disabling a user or changing the
keys come after the seal made at login, so they must be sealed at once;
and a trail cut back to an older seal shows against the seals the other
admins' slots remember.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import keyring
from keyring.backends import fail

from clinfile.app.custody.audit import AuditMark, AuditTrail
from clinfile.app.custody.crypto import derive_key
from clinfile.app.security.session import Session
from clinfile.app.security.users import UserService
from clinfile.app.vault import keyslots as slotfile
from clinfile.app.vault.verify import verify_vault
from clinfile.db.audit import AuditRepository, SealRepository
from clinfile.db.connection import INDEX_PROFILE, open_encrypted, transaction
from tests.conftest import ADMIN, PASSWORDS
from tests.unit.app.cli.calling import as_user

BEA = "bea"
BEA_PASSWORD = "bea's own long password"


def _master_key(vault_path: Path) -> bytes:
    slots, _ = slotfile.read(vault_path / "keyslots.json")
    return slotfile.open_slot(slots, slotfile.user_slot_id(slots.vault_id, "reception"),
                              PASSWORDS["reception"]).master_key


def _last_row_and_seal(vault_path: Path) -> tuple[int, int]:
    conn = open_encrypted(vault_path / "index.db", _master_key(vault_path), INDEX_PROFILE)
    try:
        return AuditRepository(conn).last().seq, SealRepository(conn).all()[-1].seq
    finally:
        conn.close()


def test_disabling_a_user_is_sealed_as_it_happens(vault_path):
    session = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])

    UserService(session).disable("clinician")

    report = verify_vault(session.vault)
    assert report.ok, report.problems
    assert report.seal.unsealed_rows == 0
    conn = open_encrypted(vault_path / "index.db", session.vault.key, INDEX_PROFILE)
    actions = [r.action for r in AuditRepository(conn).rows()]
    conn.close()
    assert "user.disabled" in actions and "vault.keys_changed" in actions


def test_the_end_of_an_admin_s_session_is_sealed(vault_path):
    session = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    session.audit("settings.changed", "retention")

    session.lock()

    last, sealed = _last_row_and_seal(vault_path)
    assert sealed == last


def test_verify_says_since_when_rows_wait_and_what_protects_them(vault_path):
    Session.login(vault_path, ADMIN, PASSWORDS[ADMIN]).lock()
    reception = Session.login(vault_path, "reception", PASSWORDS["reception"])
    reception.audit("images.viewed", "image 7")
    reception.lock()
    admin = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    reception = Session.login(vault_path, "reception", PASSWORDS["reception"])
    reception.audit("images.viewed", "image 8")

    summary = verify_vault(admin.vault).seal.summary()

    assert "2 rows" in summary and "written since" in summary
    assert "syslog" in summary


def test_a_trail_cut_back_to_an_older_seal_shows_against_another_admin_s_memory(vault_path):
    session = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    UserService(session).add(BEA, "admin", BEA_PASSWORD, "Bea Admin")
    session.lock()
    conn = open_encrypted(vault_path / "index.db", _master_key(vault_path), INDEX_PROFILE)
    first = SealRepository(conn).all()[0]
    conn.close()
    for _ in range(2):
        Session.login(vault_path, ADMIN, PASSWORDS[ADMIN]).lock()

    key = _master_key(vault_path)
    conn = open_encrypted(vault_path / "index.db", key, INDEX_PROFILE)
    with transaction(conn):
        conn.execute("DELETE FROM audit WHERE seq > ?", (first.seq,))
        conn.execute("DELETE FROM audit_seal WHERE seq > ?", (first.seq,))
        kept = AuditRepository(conn).last()
    conn.close()
    AuditTrail(derive_key(key, "audit"), vault_path / "audit-head.json").write_head(
        vault_path / "audit-head.json", kept)
    slots, _ = slotfile.read(vault_path / "keyslots.json")
    slotfile.write(vault_path / "keyslots.json", replace(slots, latest=AuditMark.of(kept)), key)

    bea = Session.login(vault_path, BEA, BEA_PASSWORD)
    report = verify_vault(bea.vault)

    assert any("which the key file remembers" in p for p in report.problems), report.problems


def test_an_older_seal_put_back_with_an_older_key_file_is_reported_plainly(vault_path, tmp_path):
    Session.login(vault_path, ADMIN, PASSWORDS[ADMIN]).lock()
    older = tmp_path / "older"
    shutil.copytree(vault_path, older)
    reception = Session.login(vault_path, "reception", PASSWORDS["reception"])
    reception.audit("images.exported", "image 7", {"to": "usb stick"})
    reception.lock()
    Session.login(vault_path, ADMIN, PASSWORDS[ADMIN]).lock()

    for name in ("index.db", "keyslots.json", "audit-head.json", "login-failures.log"):
        shutil.copy2(older / name, vault_path / name)

    code, out, err = as_user(vault_path, ADMIN, "verify")
    assert code != 0
    assert "put back to an older copy" in out + err
    assert "this computer remembers your seal of audit row" in out + err
    code, out, err = as_user(vault_path, ADMIN, "verify", "--accept-older-copy")
    assert code == 0, out + err
    assert as_user(vault_path, ADMIN, "verify")[0] == 0


def test_without_a_keyring_verify_says_an_older_folder_would_not_be_noticed(vault_path):
    keyring.set_keyring(fail.Keyring())

    code, out, err = as_user(vault_path, ADMIN, "verify")

    assert code == 0, out + err
    assert "cannot remember the last seal" in out
    assert "older copy would not be noticed" in out


def test_with_a_keyring_verify_does_not_warn_of_it(vault_path):
    code, out, _ = as_user(vault_path, ADMIN, "verify")

    assert code == 0 and "cannot remember the last seal" not in out
