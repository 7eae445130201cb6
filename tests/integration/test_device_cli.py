"""A phone's folder given to ``clinfile import``, and the ``clinfile device`` verb."""

import io
import json
import shutil
import threading
import time
from pathlib import Path

from clinfile.app.cli.common import Console
from clinfile.app.cli.main import run
from clinfile.app.settings import SettingsService
from clinfile.db.audit import AuditRepository
from tests.conftest import PASSWORDS
from tests.unit.app.ingest.hostile_files import jpeg_bytes, write


def _phone(tmp_path: Path, count: int) -> Path:
    dcim = tmp_path / "media" / "Galaxy S21" / "DCIM" / "Camera"
    for n in range(count):
        write(dcim / f"IMG_{n:04d}.JPG", jpeg_bytes(colour=("red", "green", "blue")[n % 3],
                                                    size=(40 + n, 30)))
    return dcim


def _cli(argv: list[str], user: str = "clinician") -> tuple[int, str, str]:
    class Stdin(io.StringIO):
        def isatty(self) -> bool:
            return False

    out, err = io.StringIO(), io.StringIO()
    code = run([*argv, "--user", user, "--password-stdin"],
               Console(stdin=Stdin(PASSWORDS[user] + "\n"), stdout=out, stderr=err))
    return code, out.getvalue(), err.getvalue()


def _policy(login, value: str) -> None:
    SettingsService(login("admin")).change(device_deletion=value)


def _sources(vault) -> list[str]:
    with vault.index() as conn:
        return [json.loads(r.detail)["source_kind"] for r in AuditRepository(conn).rows()
                if r.action == "image.imported"]


def test_importing_a_phone_under_never_keeps_every_photo_on_the_phone(login, vault_path,
                                                                      tmp_path):
    _policy(login, "never")
    dcim = _phone(tmp_path, 3)
    code, out, err = _cli(["import", str(vault_path), str(tmp_path / "media" / "Galaxy S21")])
    assert code == 0, err
    assert len(list(dcim.iterdir())) == 3
    assert "Deleted" not in out and "deleted from the phone" not in out
    assert "3 photos imported from Galaxy S21, kept on the phone (the practice's setting)." \
        in out
    assert _sources(login("admin").vault) == ["device"] * 3


def test_importing_a_phone_under_always_deletes_them_after_verifying(login, vault_path,
                                                                     tmp_path):
    _policy(login, "always")
    dcim = _phone(tmp_path, 2)
    code, out, err = _cli(["import", str(vault_path), str(dcim)])
    assert code == 0, err
    assert list(dcim.iterdir()) == []
    assert "2 photos imported from Galaxy S21, 2 deleted from the phone." in out


def test_always_refuses_keep_source_and_never_refuses_delete(login, vault_path, tmp_path):
    dcim = _phone(tmp_path, 1)
    _policy(login, "always")
    code, _out, err = _cli(["import", str(vault_path), str(dcim), "--keep-source"])
    assert code == 2 and "deletes photos from phones" in err
    _policy(login, "never")
    code, _out, err = _cli(["device", "import", str(vault_path), str(dcim),
                            "--delete-from-device"])
    assert code == 2 and "keeps photos on phones" in err
    assert len(list(dcim.iterdir())) == 1


def test_ask_without_a_terminal_needs_the_answer_given(login, vault_path, tmp_path):
    dcim = _phone(tmp_path, 2)
    code, _out, err = _cli(["import", str(vault_path), str(dcim)])
    assert code == 2
    assert "--delete-from-device or --keep-source" in err
    assert len(list(dcim.iterdir())) == 2
    code, out, err = _cli(["device", "import", str(vault_path), str(dcim), "--keep-source"])
    assert code == 0, err
    assert "2 photos imported from Galaxy S21, kept on the phone." in out
    assert len(list(dcim.iterdir())) == 2


def test_a_phone_unplugged_during_the_command_is_reported_and_the_exit_says_so(
        login, vault_path, tmp_path):
    _policy(login, "always")
    dcim = _phone(tmp_path, 60)
    drawer = tmp_path / "drawer"
    drawer.mkdir()
    stop = threading.Event()

    def unplug_after_a_few() -> None:
        while not stop.is_set():
            if len(list(dcim.iterdir())) <= 57:
                shutil.move(tmp_path / "media" / "Galaxy S21", drawer)
                return
            time.sleep(0.002)

    unplugging = threading.Thread(target=unplug_after_a_few)
    unplugging.start()
    try:
        code, out, err = _cli(["import", str(vault_path), str(dcim)])
    finally:
        stop.set()
        unplugging.join()
    left = {p.name for p in (drawer / "Galaxy S21" / "DCIM" / "Camera").iterdir()}
    assert code == 1
    assert "Deleted the source" not in out
    deleted = [line.split(":")[0] for line in out.splitlines()
               if line.endswith(", deleted from the phone.")]
    assert deleted and not set(deleted) & left
    unread = [line.split(":")[0] for line in out.splitlines() if "not read" in line]
    assert unread and set(unread) <= left
    assert err.startswith("Galaxy S21 went away during the import. ")
    assert f"{len(unread)} photos not read and are still on the phone (" in err
    assert len(out.splitlines()) == 60


def test_a_role_that_may_not_import_is_refused_and_the_phone_left_alone(vault_path, tmp_path):
    dcim = _phone(tmp_path, 2)
    code, out, err = _cli(["device", "import", str(vault_path), str(dcim),
                           "--delete-from-device"], user="admin")
    assert code == 3 and err.startswith("Refused: admin (")
    assert out == "" and len(list(dcim.iterdir())) == 2


def test_a_folder_outside_dcim_on_a_phone_follows_the_phone_policy(login, vault_path,
                                                                   tmp_path):
    _policy(login, "never")
    phone = _phone(tmp_path, 1).parent.parent
    screenshots = phone / "Pictures" / "Screenshots"
    write(screenshots / "Screenshot_1.jpg", jpeg_bytes(colour="red", size=(50, 30)))
    write(phone / "WhatsApp" / "Media" / "IMG-1.jpg", jpeg_bytes(colour="blue", size=(60, 30)))
    shortcut = tmp_path / "shortcut"
    shortcut.symlink_to(phone / "WhatsApp")
    code, out, err = _cli(["import", str(vault_path), str(phone / "Pictures"),
                           str(shortcut / "Media" / "IMG-1.jpg")])
    assert code == 0, err
    assert (screenshots / "Screenshot_1.jpg").exists()
    assert (phone / "WhatsApp" / "Media" / "IMG-1.jpg").exists()
    assert "Deleted" not in out
    assert out.count("kept on the phone (the practice's setting).") == 2
    assert _sources(login("admin").vault) == ["device"] * 2


def test_no_photo_on_the_day_asked_says_so_and_the_exit_says_nothing_was_taken(
        login, vault_path, tmp_path):
    _policy(login, "always")
    dcim = _phone(tmp_path, 2)
    code, out, err = _cli(["device", "import", str(vault_path), str(dcim),
                           "--taken", "2001-01-01"])
    assert code == 1
    assert out == ""
    assert err == "No photo on Galaxy S21 matches what was asked; nothing was imported.\n"
    assert len(list(dcim.iterdir())) == 2


def test_a_role_refused_hears_nothing_of_the_phone_before_the_refusal(vault_path, tmp_path):
    dcim = _phone(tmp_path, 1)
    (dcim / "IMG_0000.AAE").write_bytes(b"<plist/>")
    code, out, err = _cli(["device", "import", str(vault_path), str(dcim), "--keep-source"],
                          user="admin")
    assert code == 3 and err.startswith("Refused: admin (")
    assert out == ""


def test_hidden_photos_left_on_the_phone_are_mentioned(login, vault_path, tmp_path):
    _policy(login, "never")
    dcim = _phone(tmp_path, 1)
    write(dcim / ".trashed-1700000000-IMG_0005.jpg", jpeg_bytes(colour="red", size=(70, 30)))
    code, out, err = _cli(["device", "import", str(vault_path), str(dcim)])
    assert code == 0, err
    assert ("1 hidden photo (its name starts with a dot: the phone's bin, or a photo still "
            "being saved) is left on the phone.") in out
