"""An older copy of the index put back in place is refused, with the way back."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from clinfile.app.security.session import Session
from clinfile.app.vault.backup import backup_vault
from clinfile.app.vault.errors import OlderCopy
from clinfile.app.vault.vault import Vault
from tests.conftest import ADMIN, ADMIN_PASSWORD, PASSWORDS
from tests.unit.app.cli.calling import as_user, call


def _keep(vault_path: Path, *names: str) -> dict[str, bytes]:
    return {name: (vault_path / name).read_bytes() for name in names}


def _put_back(vault_path: Path, kept: dict[str, bytes]) -> None:
    for name, data in kept.items():
        (vault_path / name).write_bytes(data)


def _later_work(login) -> None:
    session = login()
    session.audit("consent.withdrawn", "consent 7")
    session.lock()


def test_an_older_index_is_refused_with_the_way_back(vault_path, login):
    old = _keep(vault_path, "index.db")
    _later_work(login)
    _put_back(vault_path, old)

    with pytest.raises(OlderCopy) as refused:
        Session.login(vault_path, "reception", PASSWORDS["reception"])

    message = str(refused.value)
    assert "not the latest copy" in message
    assert "restore the latest backup" in message
    assert "--accept-older-copy" in message


def test_an_older_index_with_its_own_audit_head_is_refused_by_the_key_file(vault_path, login):
    old = _keep(vault_path, "index.db", "audit-head.json")
    _later_work(login)
    _put_back(vault_path, old)

    with pytest.raises(OlderCopy, match="had reached"):
        Session.login(vault_path, ADMIN, ADMIN_PASSWORD)


def test_verify_reports_an_older_index_and_changes_nothing(vault_path, login):
    old = _keep(vault_path, "index.db")
    _later_work(login)
    _put_back(vault_path, old)
    head_before = (vault_path / "audit-head.json").read_bytes()

    code, out, _ = call(["verify", str(vault_path), "--user", ADMIN, "--password-stdin",
                         "--json"], ADMIN_PASSWORD)

    assert code == 1
    assert "not the latest copy" in json.loads(out)["problems"][0]
    assert (vault_path / "index.db").read_bytes() == old["index.db"]
    assert (vault_path / "audit-head.json").read_bytes() == head_before


def test_only_an_admin_may_accept_an_older_copy(vault_path, login):
    old = _keep(vault_path, "index.db")
    _later_work(login)
    _put_back(vault_path, old)

    with pytest.raises(OlderCopy):
        Session.login(vault_path, "clinician", PASSWORDS["clinician"], accept_older_copy=True)


def test_an_admin_accepts_an_older_copy_on_the_record(vault_path, login):
    old = _keep(vault_path, "index.db")
    _later_work(login)
    _put_back(vault_path, old)

    code, out, err = as_user(vault_path, ADMIN, "verify", "--accept-older-copy")

    assert code == 0, out + err
    session = login("reception")
    with session.vault.index() as conn:
        accepted = conn.execute(
            "SELECT actor, detail FROM audit WHERE action = 'vault.older_copy_accepted'"
        ).fetchall()
    assert [actor for actor, _ in accepted] == [ADMIN]
    assert "had reached" in json.loads(accepted[0][1])["why"]


def test_an_index_swapped_under_a_running_session_stays_refused(vault_path, login):
    old = _keep(vault_path, "index.db")
    _later_work(login)
    running = login()
    _put_back(vault_path, old)
    running.audit("patient.viewed", "patient 3")
    running.lock()

    with pytest.raises(OlderCopy):
        Session.login(vault_path, ADMIN, ADMIN_PASSWORD)


def test_the_latest_backup_restored_whole_opens(vault_path, login, tmp_path):
    session = login()
    copy = backup_vault(session.vault, tmp_path / "backup")
    session.lock()
    _later_work(login)

    restored = tmp_path / "restored"
    shutil.copytree(copy.root, restored)

    vault, _ = Vault.unlock(restored, ADMIN, ADMIN_PASSWORD)
    assert not vault.locked


def test_the_generation_moves_on_with_every_session(vault_path, login):
    before = json.loads((vault_path / "keyslots.json").read_text())["latest"]["seq"]
    _later_work(login)
    after = json.loads((vault_path / "keyslots.json").read_text())["latest"]["seq"]
    assert after > before


def legacy_slot(vault, slot_id: str, secret: str):
    """A slot as Clinfile wrote it before key pairs: the master key wrapped under the password."""
    from clinfile.app.custody.crypto import b64, stretch_password, wrap
    from clinfile.app.vault import keyslots as slotfile

    salt = os.urandom(16)
    nonce, wrapped = wrap(stretch_password(secret, salt, vault.params), vault.key,
                          f"{slotfile.FORMAT}|{vault.vault_id}|{slot_id}".encode())
    return slotfile.Slot(slot_id, "active", b64(salt), b64(nonce), b64(wrapped),
                         asdict(vault.params))


def test_a_vault_from_before_generations_opens_and_starts_keeping_them(vault_path,
                                                                      memory_keyring):
    import hashlib

    from clinfile.app.custody.crypto import derive_key, mac
    from clinfile.app.vault import keyslots as slotfile
    from clinfile.app.vault.vault import NOTES_FILED, NOTES_ID
    from clinfile.db.connection import transaction

    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    admin_slot = legacy_slot(vault, slotfile.user_slot_id(vault.vault_id, ADMIN), ADMIN_PASSWORD)
    body = slotfile._body(replace(vault.read_slots(), slots=(admin_slot,)), 1)
    (vault_path / "keyslots.json").write_text(json.dumps({
        **json.loads(body), "checksum": hashlib.sha256(body.encode()).hexdigest(),
        "mac": mac(derive_key(vault.key, "keyslots"), body.encode())}))
    with vault.index() as conn, transaction(conn):
        conn.execute("DELETE FROM vault_meta WHERE key IN (?, ?)", (NOTES_ID, NOTES_FILED))
        conn.execute("DELETE FROM audit_seal")
    (vault_path / "login-failures.log").write_text(
        '{"at": "2026-01-01T00:00:00", "reason": "wrong password", "slot": "x"}\tab12\n')
    vault.lock()
    memory_keyring.secrets.clear()

    code, out, err = as_user(vault_path, ADMIN, "verify")

    assert code == 0, out + err
    stored = json.loads((vault_path / "keyslots.json").read_text())
    assert stored["version"] == slotfile.FORMAT_VERSION and stored["latest"]["seq"] > 0
    assert stored["seal_key"] and all(slot["public"] for slot in stored["slots"])
