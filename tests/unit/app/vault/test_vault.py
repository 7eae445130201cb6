import json
import os

import pytest

from clinfile.app.security.session import Session
from clinfile.app.security.users import UserService
from clinfile.app.vault import keyslots as slotfile
from clinfile.app.vault.errors import (
    AccountDisabled,
    AuthenticationFailed,
    KeySlotsRolledBack,
    VaultDamaged,
    VaultExists,
    VaultLocked,
    VaultNotFound,
)
from clinfile.app.vault.recovery import RecoveryKeyMistyped, new_recovery_key, normalise
from clinfile.app.vault.vault import Vault
from tests.conftest import ADMIN, ADMIN_PASSWORD, PASSWORDS


def test_create_then_unlock(tmp_path):
    created = Vault.create(tmp_path / "v", "mgr", "a long password")
    assert len(created.recovery_key.replace("-", "")) == 32
    vault, user = Vault.unlock(tmp_path / "v", "MGR", "a long password")
    assert (user.name, user.roles) == ("mgr", ("admin",))
    assert vault.vault_id == created.vault.vault_id


def test_create_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "notes.txt").write_text("x")
    with pytest.raises(VaultExists):
        Vault.create(tmp_path / "v", "mgr", "a long password")


def test_no_vault_in_folder(tmp_path):
    with pytest.raises(VaultNotFound):
        Vault.unlock(tmp_path, "mgr", "pw")


def test_wrong_password_and_unknown_name_say_the_same(vault_path):
    with pytest.raises(AuthenticationFailed) as wrong:
        Vault.unlock(vault_path, ADMIN, "not the password")
    with pytest.raises(AuthenticationFailed) as unknown:
        Vault.unlock(vault_path, "nobody", "whatever")
    assert str(wrong.value) == str(unknown.value)


def test_failed_logins_reach_the_audit_at_next_unlock(vault_path):
    with pytest.raises(AuthenticationFailed):
        Vault.unlock(vault_path, "reception", "guess")
    with pytest.raises(AuthenticationFailed):
        Vault.unlock(vault_path, "mallory", "guess")
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    with vault.index() as conn:
        failed = conn.execute(
            "SELECT actor, detail FROM audit WHERE action = 'login.failed' ORDER BY seq").fetchall()
    assert [a for a, _ in failed] == ["reception", "unknown user name"]
    assert "guess" not in json.dumps(failed)
    again, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    with again.index() as conn:
        filed = conn.execute("SELECT count(*) FROM audit WHERE action = 'login.failed'")
        assert filed.fetchone()[0] == 2


def test_disabled_user_cannot_unlock(login, vault_path):
    UserService(login()).disable("reception")
    with pytest.raises(AccountDisabled):
        Vault.unlock(vault_path, "reception", PASSWORDS["reception"])


def test_password_change_rewraps_only_the_slot(login, vault_path):
    before = (vault_path / "blobs").exists(), (vault_path / "index.db").stat().st_size
    session = login("clinician")
    UserService(session).change_password("clinician", "a brand new passphrase")
    with pytest.raises(AuthenticationFailed):
        Vault.unlock(vault_path, "clinician", PASSWORDS["clinician"])
    Vault.unlock(vault_path, "clinician", "a brand new passphrase")
    assert (vault_path / "blobs").exists() == before[0]


def test_tampered_slot_file_is_refused(vault_path):
    path = vault_path / "keyslots.json"
    document = json.loads(path.read_text())
    document["slots"][0]["state"] = "active" if document["slots"][0]["state"] != "active" else "x"
    path.write_text(json.dumps(document))
    with pytest.raises(slotfile.KeySlotsDamaged):
        Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)


def test_slot_file_rewritten_with_a_valid_checksum_is_caught_by_its_mac(vault_path):
    path = vault_path / "keyslots.json"
    slots, _ = slotfile.read(path)
    forged_key = os.urandom(32)
    recovery = slotfile.make_slot(slotfile.RECOVERY, slots, forged_key, "attacker",
                                  slotfile.Argon2Params())
    slotfile.write(path, slots.with_slot(recovery), forged_key)
    with pytest.raises(slotfile.KeySlotsDamaged, match="outside Clinfile"):
        Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)


def test_an_older_slot_file_is_refused(login, vault_path):
    old = (vault_path / "keyslots.json").read_bytes()
    UserService(login()).disable("reception")
    (vault_path / "keyslots.json").write_bytes(old)
    with pytest.raises((KeySlotsRolledBack, VaultDamaged)):
        Vault.unlock(vault_path, "reception", PASSWORDS["reception"])


def test_damaged_index_is_reported_plainly(vault_path):
    index = vault_path / "index.db"
    raw = bytearray(index.read_bytes())
    raw[3] ^= 0xFF
    index.write_bytes(bytes(raw))
    with pytest.raises(VaultDamaged, match="clinfile verify"):
        Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)


def test_lock_drops_the_key(vault_path):
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    vault.lock()
    with pytest.raises(VaultLocked):
        _ = vault.key
    with pytest.raises(VaultLocked):
        with vault.index():
            pass


def test_recovery_key_opens_the_vault(tmp_path):
    created = Vault.create(tmp_path / "v", "mgr", "a long password")
    typed = created.recovery_key.lower().replace("-", " ")
    vault = Vault.unlock_with_recovery(tmp_path / "v", typed)
    assert vault.vault_id == created.vault.vault_id


def test_recovery_key_typo_is_caught_before_unlocking():
    key = new_recovery_key()
    assert normalise(key.lower()) == key
    typo = ("Z" if key[0] != "Z" else "Y") + key[1:]
    with pytest.raises(RecoveryKeyMistyped):
        normalise(typo)


def test_hard_linked_index_is_refused(vault_path, tmp_path):
    os.link(vault_path / "index.db", tmp_path / "elsewhere.db")
    with pytest.raises(VaultDamaged):
        Session.login(vault_path, ADMIN, ADMIN_PASSWORD)
