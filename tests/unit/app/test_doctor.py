"""``clinfile doctor``: each check's plain line, on real folders, vaults and keyrings."""

import json
import sqlite3

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from clinfile.app import doctor
from clinfile.app.doctor import Level, Places
from tests.unit.app.cli.calling import call


class PlaintextKeyring(KeyringBackend):
    """Stands for keyrings.alt's file backend, which writes passwords in the clear."""

    priority = 1

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        pass

    def delete_password(self, service, username):
        pass


@pytest.fixture(autouse=True)
def no_workstation_memory(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_a_real_keyring_is_ok_none_is_a_warning_a_plain_file_a_problem():
    assert doctor.keyring_finding().level is Level.OK
    keyring.set_keyring(fail.Keyring())
    none = doctor.keyring_finding()
    assert none.level is Level.WARNING and "will ask for them each time" in none.words
    keyring.set_keyring(PlaintextKeyring())
    plain = doctor.keyring_finding()
    assert plain.level is Level.PROBLEM and "plain file" in plain.words


def test_folder_watches_are_counted_against_the_limit(tmp_path):
    drop = tmp_path / "drop"
    for n in range(11):
        (drop / f"sub {n}").mkdir(parents=True)
    (drop / "a picture.jpg").write_bytes(b"\xff\xd8")
    limit = tmp_path / "max_user_watches"

    limit.write_text("10\n")
    (found,) = doctor.watch_findings((drop,), limit_file=limit)
    assert found.level is Level.PROBLEM
    assert "the drop folders hold 12 folders but this computer allows 10 watches" in found.words
    assert "fs.inotify.max_user_watches" in found.words

    limit.write_text(f"{12 + doctor.WATCHES_TO_SPARE - 1}\n")
    assert doctor.watch_findings((drop,), limit_file=limit)[0].level is Level.WARNING
    limit.write_text("524288\n")
    (ok,) = doctor.watch_findings((drop,), limit_file=limit)
    assert ok == doctor.Finding(Level.OK, "Folder watching: 524,288 watches allowed; "
                                          "the drop folders need 12.")
    limit.write_text("not a number")
    assert doctor.watch_findings((drop,), limit_file=limit)[0].level is Level.WARNING


def test_a_drop_folder_that_is_not_there_is_a_warning(tmp_path):
    gone = tmp_path / "Drop folder"
    missing, watches = doctor.watch_findings((gone,))
    assert missing == doctor.Finding(Level.WARNING, f"Drop folder: {gone} is not there, so "
                                                    "nothing saved for it can be taken in. "
                                                    "Check the mail rule's folder.")
    assert watches.level is Level.OK


def test_a_vault_or_drop_folder_in_a_sync_folder_is_a_problem(tmp_path):
    synced = tmp_path / "OneDrive - Practice"
    found = doctor.cloud_findings(Places(vault=tmp_path / "vault",
                                         drop_folders=(synced / "Attachments",)))
    assert [f.level for f in found] == [Level.PROBLEM]
    assert "inside a OneDrive folder" in found[0].words and "drop folder" in found[0].words
    (ok,) = doctor.cloud_findings(Places(vault=tmp_path / "vault", outbox=tmp_path / "out"))
    assert ok.words == ("Cloud sync: no cloud-sync or network folder holds the vault or "
                        "the outbox.")


def test_free_disk_is_said_in_gigabytes(tmp_path):
    found = doctor.disk_finding(tmp_path / "vault not made yet")
    assert found.words.startswith("Free disk: ") and " GB free for the vault" in found.words


def test_a_whole_vault_passes_the_checks_made_without_a_password(vault_path):
    found = doctor.vault_finding(vault_path)
    assert found.level is Level.OK
    assert "whole and encrypted" in found.words and "'clinfile verify'" in found.words


def test_a_vault_with_a_plain_index_or_a_stray_file_is_a_problem(vault_path, tmp_path):
    (vault_path / "notes.txt").write_text("left here by hand")
    found = doctor.vault_finding(vault_path)
    assert found.level is Level.PROBLEM
    assert "unexpected file in the vault: notes.txt" in found.words

    (vault_path / "notes.txt").unlink()
    (vault_path / "index.db").unlink()
    sqlite3.connect(vault_path / "index.db").execute("CREATE TABLE t (x)").connection.commit()
    found = doctor.vault_finding(vault_path)
    assert found.level is Level.PROBLEM and "index.db is not encrypted" in found.words

    assert "There is no Clinfile vault in" in doctor.vault_finding(tmp_path).words


def test_a_changed_or_unreadable_key_file_is_a_problem(vault_path):
    keyslots = vault_path / "keyslots.json"
    document = json.loads(keyslots.read_text())
    document["generation"] += 1
    keyslots.write_text(json.dumps(document))
    found = doctor.vault_finding(vault_path)
    assert found.level is Level.PROBLEM
    assert "The vault's key file has been changed or damaged." in found.words
    keyslots.unlink()
    keyslots.mkdir()
    assert "keyslots.json cannot be read" in doctor.vault_finding(vault_path).words


def test_the_known_bad_qt_release_is_a_warning(monkeypatch):
    assert doctor.qt_finding().level is Level.OK
    monkeypatch.setattr(doctor.metadata, "version", lambda name: "6.12.0")
    found = doctor.qt_finding()
    assert found.level is Level.WARNING and "PySide6 6.12.0 leaks memory" in found.words


def test_the_command_prints_a_line_each_and_fails_only_on_a_problem(vault_path, tmp_path):
    code, out, _ = call(["doctor", str(vault_path), "--drop-folder", str(tmp_path)])
    assert code == 0, out
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["OK"] * 6
    assert lines[-1] == "No problems, no warnings."

    (vault_path / "stray.jpg").write_bytes(b"\xff\xd8")
    code, out, _ = call(["doctor", str(vault_path)])
    assert code == 1
    assert "Problem Vault " in out and lines[-1] != out.splitlines()[-1]
    assert out.splitlines()[-1] == "1 problem, no warnings."
