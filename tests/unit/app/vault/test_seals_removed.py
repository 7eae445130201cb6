"""Seals erased by someone holding the master key, told apart from a seal a crash cut short.

Every admin act is sealed as it is made, so an admin's row with no seal at
or after it means its seal was removed, unless Clinfile was stopped between
the act and its seal. The insider here deletes a sealed row, chains the rest
again, empties the seal table and every slot's memory of its last seal; an
admin who never sealed must still see it, and must not seal over it. One
admin process stopped before its seal is what a crash leaves: the next
admin login seals it and says so.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clinfile.app.security.session import Session
from clinfile.app.security.users import UserService
from clinfile.app.vault import keyslots as slotfile
from clinfile.db.audit import AuditRepository, SealRepository
from clinfile.db.connection import INDEX_PROFILE, open_encrypted
from tests.conftest import ADMIN, PASSWORDS
from tests.unit.app.cli.calling import call
from tests.unit.app.vault.rewritten_trail import rechain

BEA = "bea"
BEA_PASSWORD = "bea's own long password"


def _bea_added_then_a_user_disabled(vault_path: Path) -> None:
    """Bea is made an admin and never logs in; the admin disables the clinician."""
    admin = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    UserService(admin).add(BEA, "admin", BEA_PASSWORD)
    admin.lock()
    reception = Session.login(vault_path, "reception", PASSWORDS["reception"])
    reception.audit("images.exported", "image 7", {"to": "usb stick"})
    reception.lock()
    admin = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    UserService(admin).disable("clinician")
    admin.lock()


def _master_key(vault_path: Path) -> bytes:
    slots, _ = slotfile.read(vault_path / "keyslots.json")
    return slotfile.open_slot(slots, slotfile.user_slot_id(slots.vault_id, "reception"),
                              PASSWORDS["reception"]).master_key


def _erase_the_disabling_and_every_seal(vault_path: Path, *, statement: bool = True) -> None:
    """The receptionist's rewrite; ``statement=False`` also takes out the sealed-since record."""
    key = _master_key(vault_path)
    latest = rechain(vault_path, key, lambda row: row.action != "user.disabled", and_seals=True)
    slots, _ = slotfile.read(vault_path / "keyslots.json")
    slots = replace(slots, latest=latest,
                    slots=tuple(replace(s, sealed={}) for s in slots.slots))
    if not statement:
        slots = replace(slots, sealing_since={})
    slotfile.write(vault_path / "keyslots.json", slots, key)


def _bea_verifies(vault_path: Path) -> tuple[int, str]:
    code, out, err = call(["verify", str(vault_path), "--user", BEA, "--password-stdin"],
                          BEA_PASSWORD)
    return code, out + err


def _seals(vault_path: Path) -> list[int]:
    conn = open_encrypted(vault_path / "index.db", _master_key(vault_path), INDEX_PROFILE)
    try:
        return [s.seq for s in SealRepository(conn).all()]
    finally:
        conn.close()


def _a_few_minutes_later(app_clock) -> None:
    app_clock.hold(datetime.now(UTC) + timedelta(minutes=5))


def test_an_admin_who_never_sealed_sees_seals_erased_and_does_not_seal_over_them(
        vault_path, app_clock):
    _bea_added_then_a_user_disabled(vault_path)
    _erase_the_disabling_and_every_seal(vault_path)
    _a_few_minutes_later(app_clock)

    code, out = _bea_verifies(vault_path)

    assert code != 0
    assert "have no seal" in out and "their seals were removed" in out
    assert _seals(vault_path) == []


def test_taking_out_the_record_of_sealing_at_once_as_well_shows_to_an_admin_who_pinned_it(
        vault_path, app_clock):
    _bea_added_then_a_user_disabled(vault_path)
    _erase_the_disabling_and_every_seal(vault_path, statement=False)
    _a_few_minutes_later(app_clock)

    code, out = _bea_verifies(vault_path)

    assert code != 0
    assert "record was taken out or changed" in out
    assert _seals(vault_path) == []


def test_an_act_whose_process_stopped_before_its_seal_is_sealed_at_the_next_login(
        vault_path, app_clock):
    _bea_added_then_a_user_disabled(vault_path)
    stopped = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    stopped.vault.seal_audit = lambda *_args, **_kwargs: None
    UserService(stopped).set_full_name("reception", "Rita Mendes")
    _a_few_minutes_later(app_clock)

    code, out = _bea_verifies(vault_path)

    assert code == 0, out
    assert "had been committed but not sealed" in out
    conn = open_encrypted(vault_path / "index.db", _master_key(vault_path), INDEX_PROFILE)
    try:
        rows = list(AuditRepository(conn).rows())
        last_seal = SealRepository(conn).last().seq
    finally:
        conn.close()
    renamed = next(r for r in rows if r.action == "user.renamed")
    assert last_seal > renamed.seq
    assert any(r.action == "audit.unsealed_act_sealed" and r.actor == BEA for r in rows)


def _as_if_from_before_sealing_at_once(vault_path: Path) -> None:
    """Take the sealed-since record out of the key file and the admin's slot, as upgrades find."""
    slots, _ = slotfile.read(vault_path / "keyslots.json")
    slot_id = slotfile.user_slot_id(slots.vault_id, ADMIN)
    opened = slotfile.open_slot(slots, slot_id, PASSWORDS[ADMIN])
    slot, _ = slotfile.with_payload(slots, slots.slot(slot_id),
                                    replace(opened, sealing_since=None),
                                    seal_pin=opened.seal_pin, last_seal=opened.last_seal)
    slots = replace(slots.with_slot(slot), sealing_since={})
    slotfile.write(vault_path / "keyslots.json", slots, opened.master_key)


def test_an_older_copy_accepted_from_before_the_sealed_since_row_goes_on_sealing(vault_path):
    _as_if_from_before_sealing_at_once(vault_path)
    older = (vault_path / "index.db").read_bytes()
    Session.login(vault_path, ADMIN, PASSWORDS[ADMIN]).lock()
    assert json.loads((vault_path / "keyslots.json").read_text())["sealing_since"]["seq"] > 0
    (vault_path / "index.db").write_bytes(older)

    code, out, err = call(["verify", str(vault_path), "--user", ADMIN, "--password-stdin",
                           "--accept-older-copy"], PASSWORDS[ADMIN])
    assert code == 0, out + err
    code, out, err = call(["verify", str(vault_path), "--user", ADMIN, "--password-stdin"],
                          PASSWORDS[ADMIN])

    assert code == 0, out + err
