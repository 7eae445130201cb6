"""A hostile insider with a receptionist's password and a copy of the vault folder.

Each attack is written the way such a person would, with Clinfile's own
library: unwrap the master key from the key file, open the index, delete
the audit rows that tell on them, chain the rest again with the audit key
the master key gives, and put every signed file back in order. The seals
and the pinned seal key must make ``verify`` say so.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from clinfile.app.custody.crypto import b64, new_signing_key
from clinfile.app.custody.seal import seal_head
from clinfile.app.security.session import Session
from clinfile.app.vault import keyslots as slotfile
from clinfile.app.vault import login_failures
from clinfile.app.vault.errors import AuthenticationFailed
from clinfile.app.vault.vault import Vault
from clinfile.app.vault.verify import verify_vault
from clinfile.db.connection import INDEX_PROFILE, open_encrypted, transaction
from tests.conftest import ADMIN, PASSWORDS
from tests.unit.app.cli.calling import as_user
from tests.unit.app.vault.rewritten_trail import rechain

TELLING = ("images.exported", "login.failed")


def _a_day_at_the_practice(vault_path: Path) -> None:
    """A wrong password, an export, and the admin's login that seals it all."""
    with pytest.raises(AuthenticationFailed):
        Session.login(vault_path, "reception", "not the receptionist's password")
    session = Session.login(vault_path, "reception", PASSWORDS["reception"])
    session.audit("images.exported", "image 7", {"to": "usb stick"})
    session.lock()
    Session.login(vault_path, ADMIN, PASSWORDS[ADMIN]).lock()


def _master_key(vault_path: Path, user: str) -> bytes:
    slots, _ = slotfile.read(vault_path / "keyslots.json")
    return slotfile.open_slot(slots, slotfile.user_slot_id(slots.vault_id, user),
                              PASSWORDS[user]).master_key


def _rewrite_history(vault_path: Path, key: bytes) -> None:
    """Delete the telling rows, chain the rest again, and put the head and key file right."""
    latest = rechain(vault_path, key, lambda row: row.action not in TELLING)
    slots, _ = slotfile.read(vault_path / "keyslots.json")
    slotfile.write(vault_path / "keyslots.json", replace(slots, latest=latest), key)


def _verify(vault_path: Path) -> tuple[int, str]:
    code, out, err = as_user(vault_path, ADMIN, "verify")
    return code, out + err


def test_rows_deleted_and_chained_again_are_tampering_before_the_seal(vault_path):
    _a_day_at_the_practice(vault_path)
    assert _verify(vault_path)[0] == 0

    _rewrite_history(vault_path, _master_key(vault_path, "reception"))

    code, out = _verify(vault_path)
    assert code != 0
    assert "tampering: audit rows up to row" in out
    assert "were changed, removed or reordered after they were sealed" in out


def test_removing_the_seals_as_well_is_caught_by_the_admins_own_memory(vault_path):
    _a_day_at_the_practice(vault_path)
    key = _master_key(vault_path, "reception")
    _rewrite_history(vault_path, key)
    conn = open_encrypted(vault_path / "index.db", key, INDEX_PROFILE)
    with transaction(conn):
        conn.execute("DELETE FROM audit_seal")
    conn.close()

    code, out = _verify(vault_path)

    assert code != 0
    assert "your own seal of audit row" in out
    assert "has not been sealed yet" not in out
    assert "No seal of the audit trail is found, though it was sealed before" in out


def test_a_seal_key_of_the_insiders_own_is_not_trusted(vault_path):
    _a_day_at_the_practice(vault_path)
    key = _master_key(vault_path, "reception")
    _rewrite_history(vault_path, key)
    forged_private, forged_public = new_signing_key()
    conn = open_encrypted(vault_path / "index.db", key, INDEX_PROFILE)
    with transaction(conn):
        conn.execute("DELETE FROM audit_seal")
        seal_head(conn, json.loads((vault_path / "keyslots.json").read_text())["vault_id"],
                  forged_private, ADMIN)
    conn.close()
    slots, _ = slotfile.read(vault_path / "keyslots.json")
    forged = replace(slots, seal_key=b64(forged_public))
    forged = replace(forged, slots=tuple(
        slotfile.with_seal_key(forged, s, forged_private) if s.seal else s
        for s in forged.slots))
    slotfile.write(vault_path / "keyslots.json", forged, key)

    code, out = _verify(vault_path)

    assert code != 0
    assert "was not made with the practice's seal key" in out
    assert "replaced outside Clinfile" in out


def test_verify_says_how_far_the_trail_is_sealed_and_what_waits(vault_path):
    _a_day_at_the_practice(vault_path)
    admin, _ = Vault.unlock(vault_path, ADMIN, PASSWORDS[ADMIN])
    session = Session.login(vault_path, "reception", PASSWORDS["reception"])
    session.audit("images.viewed", "image 7")
    session.lock()

    report = verify_vault(admin)

    assert report.ok, report.problems
    assert report.seal.sealed.sealed_by == ADMIN and report.seal.unsealed_rows == 3
    assert "are not yet sealed" in report.seal.summary()
    admin.seal_audit(ADMIN)
    assert verify_vault(admin).seal.unsealed_rows == 0


def test_a_filed_wrong_password_cut_from_the_notes_file_shows(vault_path):
    _a_day_at_the_practice(vault_path)
    notes = vault_path / "login-failures.log"
    before = notes.read_bytes()
    notes.write_bytes(b"".join(line for line in before.splitlines(keepends=True)
                               if b"wrong password" not in line))
    vault_id = json.loads((vault_path / "keyslots.json").read_text())["vault_id"]
    while notes.stat().st_size < len(before):
        login_failures.note(notes, vault_id, "user-unrelated", login_failures.UNLOCKED)

    code, out = _verify(vault_path)

    assert code != 0
    assert "notes already filed into the audit trail were changed or removed" in out


def test_tampering_names_each_seal_s_moment_on_the_practice_s_clock(vault_path,
                                                                    practice_time_zone):
    practice_time_zone("Pacific/Honolulu")
    _a_day_at_the_practice(vault_path)
    key = _master_key(vault_path, "reception")
    _rewrite_history(vault_path, key)

    code, out = _verify(vault_path)

    assert code != 0
    assert "sealed by admin on " in out
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", out), out
