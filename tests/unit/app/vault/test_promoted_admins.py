"""Admins made by promotion hold the practice's seal key, and only that one.

A receptionist who holds the master key can put a seal key of her own in
the key file and seal it to every admin slot's public key. An admin whose
own password pinned the real key sees it; one promoted by an admin must
see it too, because the promoting admin vouched for the real key in their
slot at that moment. An admin who is demoted keeps the old seal key, so
the remaining admins are given a new one, and the old one signs nothing
verify accepts after the change.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from clinfile.app.custody.audit import AuditMark, AuditTrail
from clinfile.app.custody.crypto import b64, derive_key, new_signing_key
from clinfile.app.custody.seal import seal_head
from clinfile.app.security.session import Session
from clinfile.app.security.users import UserService
from clinfile.app.vault import keyslots as slotfile
from clinfile.app.vault.seal_keys import SealKeyNotHeld
from clinfile.app.vault.verify import verify_vault
from clinfile.db.audit import AuditRepository
from clinfile.db.connection import INDEX_PROFILE, open_encrypted, transaction
from tests.conftest import ADMIN, PASSWORDS
from tests.unit.app.cli.calling import as_user, call

DAN = "dan"
DAN_PASSWORD = "dan's own long password"


def _promote_dan(vault_path: Path) -> None:
    session = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    UserService(session).add(DAN, "reception", DAN_PASSWORD, "Dan Reyes")
    session.lock()
    code, out, err = as_user(vault_path, ADMIN, "user roles", DAN, "--role", "admin")
    assert code == 0, out + err


def _master_key(vault_path: Path) -> bytes:
    slots, _ = slotfile.read(vault_path / "keyslots.json")
    return slotfile.open_slot(slots, slotfile.user_slot_id(slots.vault_id, "reception"),
                              PASSWORDS["reception"]).master_key


def _swap_in_own_seal_key(vault_path: Path) -> bytes:
    """The receptionist's forgery: her own seal key, sealed to every admin slot."""
    key = _master_key(vault_path)
    private, public = new_signing_key()
    slots, _ = slotfile.read(vault_path / "keyslots.json")
    forged = replace(slots, seal_key=b64(public))
    forged = replace(forged, slots=tuple(
        slotfile.with_seal_key(forged, s, private) if s.seal else s for s in forged.slots))
    slotfile.write(vault_path / "keyslots.json", forged, key)
    conn = open_encrypted(vault_path / "index.db", key, INDEX_PROFILE)
    with transaction(conn):
        conn.execute("DELETE FROM audit_seal")
        seal_head(conn, slots.vault_id, private, ADMIN)
    conn.close()
    return private


def _dan_verifies(vault_path: Path) -> tuple[int, str]:
    code, out, err = call(["verify", str(vault_path), "--user", DAN, "--password-stdin"],
                          DAN_PASSWORD)
    return code, out + err


def test_a_promoted_admin_seals_with_the_practice_key_and_verify_holds(vault_path):
    _promote_dan(vault_path)

    session = Session.login(vault_path, DAN, DAN_PASSWORD)

    assert session.vault.holds_seal_key
    report = verify_vault(session.vault)
    assert report.ok, report.problems
    assert report.seal.sealed.sealed_by == DAN


def test_a_promoted_admin_does_not_adopt_a_seal_key_put_in_the_file(vault_path):
    _promote_dan(vault_path)
    _swap_in_own_seal_key(vault_path)

    code, out = _dan_verifies(vault_path)

    assert code != 0
    assert "replaced outside Clinfile" in out
    session = Session.login(vault_path, DAN, DAN_PASSWORD)
    assert not session.vault.holds_seal_key


def test_an_admin_slot_nobody_vouched_for_refuses_to_seal_and_says_why(vault_path):
    _promote_dan(vault_path)
    key = _master_key(vault_path)
    slots, _ = slotfile.read(vault_path / "keyslots.json")
    dan = slots.slot(slotfile.user_slot_id(slots.vault_id, DAN))
    slotfile.write(vault_path / "keyslots.json", slots.with_slot(replace(dan, vouch={})), key)

    session = Session.login(vault_path, DAN, DAN_PASSWORD)

    assert not session.vault.holds_seal_key
    report = verify_vault(session.vault)
    assert any("no admin vouched for" in p for p in report.problems), report.problems


def test_promoting_needs_an_admin_who_holds_the_seal_key(vault_path):
    session = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    session.vault._seal_key = bytearray()
    with pytest.raises(SealKeyNotHeld):
        UserService(session).set_roles("clinician", ["clinician", "admin"])


def test_a_demoted_admin_s_seal_key_signs_nothing_after_the_change(vault_path):
    _promote_dan(vault_path)
    Session.login(vault_path, DAN, DAN_PASSWORD).lock()
    before, _ = slotfile.read(vault_path / "keyslots.json")
    opened = slotfile.open_slot(before, slotfile.user_slot_id(before.vault_id, DAN),
                                DAN_PASSWORD)
    dans_seal_key = slotfile.open_seal_key(before, slotfile.user_slot_id(before.vault_id, DAN),
                                           opened.private_key)
    code, out, err = as_user(vault_path, ADMIN, "user roles", DAN, "--role", "reception")
    assert code == 0, out + err
    after, _ = slotfile.read(vault_path / "keyslots.json")
    assert after.seal_key != before.seal_key

    session = Session.login(vault_path, "reception", PASSWORDS["reception"])
    session.audit("images.viewed", "image 7")
    session.lock()
    key = _master_key(vault_path)
    conn = open_encrypted(vault_path / "index.db", key, INDEX_PROFILE)
    with transaction(conn):
        seal_head(conn, after.vault_id, dans_seal_key, ADMIN)
    conn.close()

    code, out, err = as_user(vault_path, ADMIN, "verify")
    assert code != 0
    assert "retired" in out + err
    assert json.loads((vault_path / "keyslots.json").read_text())["seal_key"] == after.seal_key


def test_a_pin_key_learned_before_an_admin_s_login_vouches_for_nothing_after(vault_path):
    _promote_dan(vault_path)
    slots, _ = slotfile.read(vault_path / "keyslots.json")
    admin_id = slotfile.user_slot_id(slots.vault_id, ADMIN)
    opened = slotfile.open_slot(slots, admin_id, PASSWORDS[ADMIN])
    seal_private = slotfile.open_seal_key(slots, admin_id, opened.private_key)
    dan_id = slotfile.user_slot_id(slots.vault_id, DAN)
    learned = slotfile.boxed_pin_key(slots, slots.slot(dan_id), seal_private)
    Session.login(vault_path, DAN, DAN_PASSWORD).lock()

    _swap_in_own_seal_key(vault_path)
    slots, _ = slotfile.read(vault_path / "keyslots.json")
    forged = slots.with_slot(slotfile.vouched(slots, slots.slot(dan_id), learned))
    slotfile.write(vault_path / "keyslots.json", forged, _master_key(vault_path))

    session = Session.login(vault_path, DAN, DAN_PASSWORD)
    assert not session.vault.holds_seal_key
    assert any("replaced outside Clinfile" in p for p in verify_vault(session.vault).problems)


def test_a_trail_cut_back_below_a_seal_key_s_retirement_shows(vault_path):
    _promote_dan(vault_path)
    Session.login(vault_path, DAN, DAN_PASSWORD).lock()
    code, out, err = as_user(vault_path, ADMIN, "user roles", DAN, "--role", "reception")
    assert code == 0, out + err
    slots, _ = slotfile.read(vault_path / "keyslots.json")
    until = max(int(k["until"]) for k in slots.seal_history)

    key = _master_key(vault_path)
    conn = open_encrypted(vault_path / "index.db", key, INDEX_PROFILE)
    with transaction(conn):
        conn.execute("DELETE FROM audit WHERE seq >= ?", (until,))
        conn.execute("DELETE FROM audit_seal WHERE seq >= ?", (until,))
        last = AuditRepository(conn).last()
    conn.close()
    AuditTrail(derive_key(key, "audit"), vault_path / "audit-head.json").write_head(
        vault_path / "audit-head.json", last)
    cut = replace(slots, latest=AuditMark.of(last),
                  slots=tuple(replace(s, sealed={}) for s in slots.slots))
    slotfile.write(vault_path / "keyslots.json", cut, key)

    code, out, err = as_user(vault_path, ADMIN, "verify")

    assert code != 0
    assert f"the key file retired a seal key at row {until}" in out + err
