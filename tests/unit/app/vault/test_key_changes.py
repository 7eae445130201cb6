"""Someone who left kept a key file; a recovery sheet went missing. Neither opens what follows.

Each attack uses Clinfile's own library as a person who kept a copy of
``keyslots.json`` (and knows their old password, or holds the old recovery
sheet) would, against the vault folder as it is now.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clinfile.app.security.keys import change_keys, finish_rekey
from clinfile.app.security.recovery import renew_recovery_key
from clinfile.app.security.session import Session
from clinfile.app.security.users import UserService
from clinfile.app.vault import keyslots as slotfile
from clinfile.app.vault.errors import KeysChanged, KeySlotsRolledBack, PasswordExpired, VaultBusy
from clinfile.app.vault.vault import Vault
from clinfile.app.vault.verify import verify_vault
from clinfile.db.blobs import BlobNotFound, BlobStore
from clinfile.db.connection import (
    BLOB_PROFILE,
    INDEX_PROFILE,
    NotEncryptedWithThisKey,
    open_encrypted,
)
from clinfile.db.users import UserRepository
from tests.conftest import ADMIN, PASSWORDS


def _key_from(kept: bytes, tmp_path: Path, slot_id_for: str, secret: str) -> bytes:
    """What the kept key file and an old secret unwrap."""
    copy = tmp_path / "kept-keyslots.json"
    copy.write_bytes(kept)
    slots, _ = slotfile.read(copy)
    slot_id = (slotfile.RECOVERY if slot_id_for == slotfile.RECOVERY
               else slotfile.user_slot_id(slots.vault_id, slot_id_for))
    return slotfile.open_slot(slots, slot_id, secret).master_key


def _opens_nothing(vault_path: Path, key: bytes) -> None:
    with pytest.raises(NotEncryptedWithThisKey):
        open_encrypted(vault_path / "index.db", key, INDEX_PROFILE)
    for shard in sorted((vault_path / "blobs").glob("*.db")):
        with pytest.raises(NotEncryptedWithThisKey):
            open_encrypted(shard, key, BLOB_PROFILE)


def test_a_disabled_user_with_an_old_key_file_opens_nothing_written_after(vault_path, tmp_path):
    admin = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    before = admin.vault.blobs.put_bytes(b"filed before they left")
    kept = (vault_path / "keyslots.json").read_bytes()

    UserService(admin).disable("clinician")
    after = admin.vault.blobs.put_bytes(b"filed after they left")

    old_key = _key_from(kept, tmp_path, "clinician", PASSWORDS["clinician"])
    with pytest.raises(NotEncryptedWithThisKey):
        open_encrypted(vault_path / "index.db", old_key, INDEX_PROFILE)
    theirs = BlobStore(vault_path / "blobs", old_key)
    with pytest.raises(BlobNotFound):
        theirs.read_bytes(after.id)
    assert theirs.read_bytes(before.id) == b"filed before they left"

    assert finish_rekey(admin).finished
    _opens_nothing(vault_path, old_key)
    with pytest.raises(BlobNotFound):
        theirs.read_bytes(before.id)
    assert admin.vault.blobs.read_bytes(before.id) == b"filed before they left"
    assert admin.vault.blobs.read_bytes(after.id) == b"filed after they left"
    assert verify_vault(admin.vault).ok


def test_a_replaced_recovery_sheet_with_an_old_key_file_opens_nothing_new(tmp_path):
    created = Vault.create(tmp_path / "vault", ADMIN, PASSWORDS[ADMIN])
    created.vault.blobs.put_bytes(b"before the sheet was lost")
    created.vault.lock()
    root = tmp_path / "vault"
    kept = (root / "keyslots.json").read_bytes()
    admin = Session.login(root, ADMIN, PASSWORDS[ADMIN])

    new_sheet = renew_recovery_key(admin)
    admin.vault.blobs.put_bytes(b"after the sheet was renewed")
    old_key = _key_from(kept, tmp_path, slotfile.RECOVERY, created.recovery_key)
    with pytest.raises(NotEncryptedWithThisKey):
        open_encrypted(root / "index.db", old_key, INDEX_PROFILE)

    finish_rekey(admin)
    admin.lock()
    _opens_nothing(root, old_key)
    Vault.unlock_with_recovery(root, new_sheet).lock()


def test_everyone_who_remains_logs_in_as_before_after_a_change(vault_path):
    admin = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    change_keys(admin, "a password may have been seen")
    finish_rekey(admin)
    admin.lock()

    for user in ("admin", "clinician", "reception"):
        session = Session.login(vault_path, user, PASSWORDS[user])
        assert session.vault.epoch == 2
        session.lock()
    vault, _ = Vault.unlock(vault_path, ADMIN, PASSWORDS[ADMIN])
    assert verify_vault(vault).ok


def test_a_window_open_during_the_change_is_asked_to_log_in_again(vault_path):
    reception = Session.login(vault_path, "reception", PASSWORDS["reception"])
    admin = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    change_keys(admin, "someone left")
    filed = admin.vault.blobs.put_bytes(b"new picture")

    with pytest.raises(KeysChanged):
        reception.vault.blobs.put_bytes(b"would go under the old key")
    assert reception.locked
    reception.unlock(PASSWORDS["reception"])
    assert reception.vault.blobs.read_bytes(filed.id) == b"new picture"
    reception.audit("images.viewed", filed.id)


def test_a_legacy_password_that_could_not_take_the_new_key_must_be_set_again(vault_path):
    from tests.unit.app.vault.test_rollback import legacy_slot

    vault, _ = Vault.unlock(vault_path, ADMIN, PASSWORDS[ADMIN])
    slot_id = slotfile.user_slot_id(vault.vault_id, "reception")
    with vault.index() as conn:
        vault.store_slots(conn, vault.read_slots().with_slot(
            legacy_slot(vault, slot_id, PASSWORDS["reception"])))
    vault.lock()
    admin = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    change_keys(admin, "someone left")

    with pytest.raises(PasswordExpired):
        Session.login(vault_path, "reception", PASSWORDS["reception"])
    UserService(admin).change_password("reception", "a brand new front desk password")
    Session.login(vault_path, "reception", "a brand new front desk password").lock()


def test_two_admins_changing_the_keys_at_once_leave_a_vault_that_opens(vault_path):
    import threading

    first = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    second = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    outcomes = []

    def change(session):
        try:
            change_keys(session, "both at once")
            outcomes.append("changed")
        except KeysChanged:
            outcomes.append("asked to log in again")

    threads = [threading.Thread(target=change, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["asked to log in again", "changed"]
    for user in ("admin", "reception"):
        Session.login(vault_path, user, PASSWORDS[user]).lock()


def test_verify_says_what_still_waits_under_a_retired_key(vault_path):
    session = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    session.vault.blobs.put_bytes(os.urandom(200_000), when=datetime(2019, 6, 1, tzinfo=UTC))
    UserService(session).disable("reception")

    report = verify_vault(session.vault)

    assert report.ok, report.problems
    assert any("still under the key from before" in n and "the re-key will finish them" in n
               for n in report.notes), report.notes
    finish_rekey(session)
    assert verify_vault(session.vault).notes == []


def test_a_key_file_from_before_a_change_put_back_is_called_an_older_copy(vault_path):
    kept = (vault_path / "keyslots.json").read_bytes()
    change_keys(Session.login(vault_path, ADMIN, PASSWORDS[ADMIN]), "a password was seen")
    (vault_path / "keyslots.json").write_bytes(kept)

    with pytest.raises(KeySlotsRolledBack, match="older copy"):
        Session.login(vault_path, "reception", PASSWORDS["reception"])


@pytest.mark.slow
def test_a_change_of_keys_held_up_by_another_reader_says_busy_and_changes_nothing(vault_path):
    session = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    before = (vault_path / "keyslots.json").read_bytes()
    reader = open_encrypted(vault_path / "index.db", session.vault.key, INDEX_PROFILE)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM audit").fetchone()
    try:
        with pytest.raises(VaultBusy, match="another Clinfile is using the vault"):
            change_keys(session, "a password was seen")
    finally:
        reader.execute("ROLLBACK")
        reader.close()

    assert slotfile.read(vault_path / "keyslots.json")[0].epoch == \
        json.loads(before)["epoch"]
    again = Session.login(vault_path, "reception", PASSWORDS["reception"])
    assert verify_vault(Session.login(vault_path, ADMIN, PASSWORDS[ADMIN]).vault).ok
    again.lock()
    change_keys(session, "a password was seen")
    assert slotfile.read(vault_path / "keyslots.json")[0].epoch == \
        json.loads(before)["epoch"] + 1


def test_the_end_of_a_re_key_keeps_a_key_file_change_made_meanwhile(vault_path):
    admin = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    change_keys(admin, "a password was seen")
    other = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    conn = open_encrypted(vault_path / "index.db", other.vault.key, INDEX_PROFILE)
    conn.execute("BEGIN IMMEDIATE")
    finishing = threading.Thread(target=finish_rekey, args=(admin,))
    finishing.start()
    threading.Event().wait(2)
    UserRepository(conn).add("newcomer", ["reception"], "2026-12-02T00:00:00+00:00")
    other.vault.set_user_slot(conn, "newcomer", "newcomer's long password")
    conn.execute("COMMIT")
    conn.close()
    finishing.join()

    Session.login(vault_path, "newcomer", "newcomer's long password").lock()


def test_verify_names_the_retired_key_s_moment_on_the_practice_s_clock(vault_path,
                                                                       practice_time_zone):
    practice_time_zone("Pacific/Honolulu")  # ten hours behind UTC: the days differ till 10:00
    session = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    session.vault.blobs.put_bytes(os.urandom(200_000), when=datetime(2019, 6, 1, tzinfo=UTC))
    UserService(session).disable("reception")
    with session.vault.index() as conn:
        retired = conn.execute("SELECT retired_at FROM retired_key").fetchone()[0]
    honolulu = datetime.fromisoformat(retired).astimezone(ZoneInfo("Pacific/Honolulu"))

    notes = verify_vault(session.vault).notes

    assert any(f"still under the key from before {honolulu:%d/%m/%Y %H:%M:%S};" in n
               for n in notes), notes
