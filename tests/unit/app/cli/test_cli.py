import json
import re
import shutil
from pathlib import Path

from tests.conftest import ADMIN, ADMIN_PASSWORD, PASSWORDS
from tests.unit.app.cli.calling import as_user, call


def _as(user: str, *verb: str) -> list[str]:
    return [*verb, "--user", user, "--password-stdin"]


def test_bare_command_prints_help():
    code, out, _ = call([])
    assert code == 0 and "init" in out and "verify" in out


def test_init_prints_the_recovery_key_once_and_writes_the_sheet(tmp_path):
    sheet = tmp_path / "sheet.pdf"
    code, out, _ = call(["init", str(tmp_path / "v"), "--admin", "mgr", "--password-stdin",
                         "--recovery-sheet", str(sheet)], "a long password")
    assert code == 0
    key_line = [line for line in out.splitlines() if line.startswith("    ")][0].strip()
    assert len(key_line.split("-")) == 8
    assert sheet.read_bytes().startswith(b"%PDF")


def test_init_refuses_a_short_password(tmp_path):
    code, _, err = call(["init", str(tmp_path / "v"), "--admin", "mgr", "--password-stdin"],
                        "short")
    assert code == 2 and "at least" in err
    assert not (tmp_path / "v").exists()


def test_init_refuses_a_cloud_folder_unless_forced(tmp_path):
    target = tmp_path / "Dropbox" / "vault"
    code, _, err = call(["init", str(target), "--admin", "mgr", "--password-stdin"],
                        "a long password")
    assert code == 2 and "Dropbox" in err
    code, _, _ = call(["init", str(target), "--admin", "mgr", "--password-stdin", "--force"],
                      "a long password")
    assert code == 0


def test_wrong_password_is_one_clear_line(vault_path):
    code, out, err = call(_as(ADMIN, "audit", str(vault_path)), "nope")
    assert code == 2
    assert err.strip() == "The user name or password is not right."
    assert "Traceback" not in out + err


def test_user_add_list_disable_passwd(vault_path):
    code, _, _ = call(_as(ADMIN, "user", "add", str(vault_path), "nurse", "--role", "clinician"),
                      ADMIN_PASSWORD, "nurse's long password")
    assert code == 0
    code, out, _ = call(_as(ADMIN, "user", "list", str(vault_path), "--json"), ADMIN_PASSWORD)
    assert code == 0 and '"nurse"' in out
    code, _, _ = call(_as("nurse", "user", "passwd", str(vault_path)),
                      "nurse's long password", "nurse's newer password")
    assert code == 0
    code, _, _ = call(_as(ADMIN, "user", "disable", str(vault_path), "nurse"), ADMIN_PASSWORD)
    assert code == 0
    code, _, err = call(_as("nurse", "audit", str(vault_path)), "nurse's newer password")
    assert code == 2 and "disabled" in err


def test_a_user_may_hold_several_roles_given_either_way(vault_path):
    code, out, _ = call(_as(ADMIN, "user", "add", str(vault_path), "gp", "--role", "admin",
                            "--role", "clinician", "--full-name", "Dr Ana Silva"),
                        ADMIN_PASSWORD, "the gp's long password")
    assert code == 0 and "Added gp as admin and clinician." in out
    code, out, _ = call(_as(ADMIN, "user", "add", str(vault_path), "nurse", "--role",
                            "clinician,reception"), ADMIN_PASSWORD, "nurse's long password")
    assert code == 0 and "as clinician and reception" in out
    code, out, _ = call(_as(ADMIN, "user", "list", str(vault_path), "--json"), ADMIN_PASSWORD)
    listed = {u["name"]: u for u in json.loads(out)}
    assert listed["gp"]["roles"] == ["admin", "clinician"]
    assert listed["gp"]["full_name"] == "Dr Ana Silva"
    code, out, _ = call(_as(ADMIN, "user", "roles", str(vault_path), "reception",
                            "--role", "reception", "--role", "clinician"), ADMIN_PASSWORD)
    assert code == 0 and "reception is now clinician and reception." in out
    code, _, err = call(_as(ADMIN, "user", "add", str(vault_path), "x", "--role", "boss"),
                        ADMIN_PASSWORD, "whatever long password")
    assert code == 2 and "boss is not a role" in err


def test_role_refusal_is_exit_3_and_audited(vault_path):
    code, _, err = call(_as("reception", "user", "add", str(vault_path), "x", "--role", "admin"),
                        PASSWORDS["reception"], "whatever long password")
    assert code == 3 and "may not manage users" in err
    code, out, _ = call(_as(ADMIN, "audit", str(vault_path), "--json"), ADMIN_PASSWORD)
    assert '"policy.refused"' in out


def test_a_refused_rekey_says_only_that_it_was_refused(vault_path):
    code, out, err = call(_as("reception", "rekey", str(vault_path)), PASSWORDS["reception"])
    assert code == 3 and "may not" in err
    assert "stopped before it finished" not in out + err


def test_backup_then_verify_the_copy(vault_path, tmp_path):
    dest = tmp_path / "copy"
    code, _, _ = call(_as(ADMIN, "backup", str(vault_path), str(dest)), ADMIN_PASSWORD)
    assert code == 0
    code, out, _ = call(_as(ADMIN, "verify", str(dest)), ADMIN_PASSWORD)
    assert code == 0, out


def test_recover_gives_an_admin_a_new_password(tmp_path):
    vault = tmp_path / "v"
    _, out, _ = call(["init", str(vault), "--admin", "mgr", "--password-stdin"], "a long password")
    key = [line for line in out.splitlines() if line.startswith("    ")][0].strip()
    code, _, _ = call(["recover", str(vault), "mgr", "--password-stdin"], key, "the new password")
    assert code == 0
    code, out, _ = call(_as("mgr", "audit", str(vault)), "the new password")
    assert code == 0 and "user.password_recovered" in out


def test_renewed_recovery_key_replaces_the_old_one(tmp_path):
    vault = tmp_path / "v"
    _, out, _ = call(["init", str(vault), "--admin", "mgr", "--password-stdin"], "a long password")
    old = [line for line in out.splitlines() if line.startswith("    ")][0].strip()
    code, out, _ = call(_as("mgr", "recovery-key", str(vault)), "a long password")
    new = [line for line in out.splitlines() if line.startswith("    ")][0].strip()
    assert code == 0 and new != old
    code, _, err = call(["recover", str(vault), "mgr", "--password-stdin"], old, "x" * 12)
    assert code == 2
    assert Path(vault).is_dir()


def test_a_renewed_recovery_key_re_keys_older_pictures_so_the_old_sheet_opens_none(tmp_path):
    from clinfile.app.security.session import Session
    from clinfile.db.blobs import BlobStore

    vault = tmp_path / "v"
    call(["init", str(vault), "--admin", "mgr", "--password-stdin"], "a long password")
    session = Session.login(vault, "mgr", "a long password")
    session.vault.blobs.put_bytes(b"a picture taken before the sheet went missing")
    old_key = session.vault.key
    session.lock()
    code, out, _ = call(_as("mgr", "recovery-key", str(vault)), "a long password")
    assert code == 0
    assert "Every picture is under the current key" in out
    assert not BlobStore(vault / "blobs", old_key).catalogue()


def test_the_inbox_and_quarantine_lists_say_when_on_the_practice_s_clock(
        vault_path, corpus, tmp_path, practice_time_zone):
    practice_time_zone("Pacific/Honolulu")
    arrived = tmp_path / "arrived"
    arrived.mkdir()
    shutil.copy(corpus / "exif-samples" / "jpg" / "Canon_40D.jpg", arrived / "rash.jpg")
    (arrived / "letter.jpg").write_text("not a picture at all")
    assert as_user(vault_path, "reception", "import", str(arrived))[0] == 0

    _, inbox, _ = as_user(vault_path, "reception", "inbox")
    _, quarantine, _ = as_user(vault_path, "reception", "quarantine")

    for listing in (inbox, quarantine):
        assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", listing), listing
        assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", listing), listing


def test_the_inbox_list_names_the_camera_with_its_maker_said_once(vault_path, corpus, tmp_path):
    arrived = tmp_path / "arrived"
    arrived.mkdir()
    for name in ("Canon_40D.jpg", "Nikon_D70.jpg"):
        shutil.copy(corpus / "exif-samples" / "jpg" / name, arrived / name)
    assert as_user(vault_path, "reception", "import", str(arrived))[0] == 0

    _, inbox, _ = as_user(vault_path, "reception", "inbox")
    assert "  Canon EOS 40D, " in inbox and "Canon Canon" not in inbox
    assert "  NIKON D70, " in inbox and "CORPORATION" not in inbox


def test_a_full_name_another_user_is_printed_as_is_refused(vault_path):
    code, _, _ = call(_as(ADMIN, "user", "add", str(vault_path), "drsilva", "--role",
                          "clinician", "--full-name", "Dr Ana Silva"),
                      ADMIN_PASSWORD, "the gp's long password")
    assert code == 0
    code, _, err = call(_as(ADMIN, "user", "add", str(vault_path), "drsilva2", "--role",
                            "reception", "--full-name", "dr  ana   SILVA"),
                        ADMIN_PASSWORD, "another long password")
    assert code == 2
    assert "dr  ana   SILVA is already how the user drsilva is printed" in err
    code, _, err = call(_as(ADMIN, "user", "add", str(vault_path), "front", "--role",
                            "reception", "--full-name", "Reception"),
                        ADMIN_PASSWORD, "another long password")
    assert code == 2 and "already how the user reception is printed" in err
    code, out, _ = call(_as(ADMIN, "user", "list", str(vault_path), "--json"), ADMIN_PASSWORD)
    assert {u["name"] for u in json.loads(out)} == {"admin", "clinician", "drsilva",
                                                    "reception"}


def test_a_full_name_that_turns_text_round_is_refused_for_what_it_is(vault_path):
    code, _, err = call(_as(ADMIN, "user", "add", str(vault_path), "eve", "--role",
                            "reception", "--full-name", "Eve \u202egnirts\u202c x"),
                        ADMIN_PASSWORD, "another long password")
    assert code == 2
    assert "120" not in err
    assert "characters that change the direction of text" in err


def test_a_disabled_user_is_let_back_in_only_by_enable_never_by_passwd(vault_path):
    code, _, _ = call(_as(ADMIN, "user", "disable", str(vault_path), "reception"), ADMIN_PASSWORD)
    assert code == 0
    code, _, err = call(_as(ADMIN, "user", "passwd", str(vault_path), "reception"),
                        ADMIN_PASSWORD, "a new front desk password")
    assert code == 2 and "Enable reception first" in err
    code, out, _ = call(_as(ADMIN, "user", "list", str(vault_path), "--json"), ADMIN_PASSWORD)
    assert {u["name"]: u["disabled"] for u in json.loads(out)}["reception"] is True
    code, out, _ = call(_as(ADMIN, "user", "enable", str(vault_path), "reception"),
                        ADMIN_PASSWORD, "a new front desk password")
    assert code == 0 and "reception can log in again with the new password" in out
    code, _, _ = call(_as("reception", "inbox", str(vault_path)), "a new front desk password")
    assert code == 0
