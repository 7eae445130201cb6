"""The phone dialog under each deletion setting, and what it says when an import is cut short.

Each test checks the words the clinician sees and the files left on the phone.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from PySide6.QtCore import Qt

from clinfile.app.ingest import events as ev
from tests.ui.test_device_import import as_admin, audit, open_device_dialog
from tests.unit.app.ingest.hostile_files import jpeg_bytes, write

ALWAYS = ("The practice's setting: photos are deleted from the phone once they are safely in "
          "the vault.")
NEVER = "The practice's setting: photos stay on the phone after the import."
ASK = ("You will be asked whether to delete the photos from the phone once they are safely in "
       "the vault.")


def settled(qtbot, shell) -> None:
    """Let the dialog's workers finish, so nothing of this test reaches the next one."""
    qtbot.waitUntil(lambda: shell.tasks.running() == 0, timeout=30000)


def phone(tmp_path: Path, count: int, name: str = "PHONE", *, days_ago: int = 0) -> Path:
    """Distinct small photos saved today (or ``days_ago``), each a second apart."""
    dcim = tmp_path / "media" / name / "DCIM" / "100APPLE"
    now = time.time() - days_ago * 86400
    for n in range(count):
        path = write(dcim / f"IMG_{name[:1]}{days_ago}{n:03d}.JPG",
                     jpeg_bytes(colour=("red", "green", "blue")[n % 3], size=(40 + n, 30)))
        os.utime(path, (now - count + n, now - count + n))
    return dcim


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def set_policy(vault_path, value: str) -> None:
    from clinfile.app.settings import SettingsService

    admin = as_admin(vault_path)
    SettingsService(admin).change(device_deletion=value)
    admin.lock()


def import_now(qtbot, dialog, timeout: int = 30000) -> str:
    with qtbot.waitSignal(dialog.import_finished, timeout=timeout) as finished:
        qtbot.keyClick(dialog.pictures, Qt.Key.Key_Return)
    return finished.args[0]


def test_a_setting_changed_after_login_is_shown_and_kept_at_once(qtbot, logged_in, tmp_path,
                                                                 vault_path):
    dcim = phone(tmp_path, 3)
    shell = logged_in("clinician")
    shell.device_roots = [tmp_path / "media"]
    assert shell.desk.settings.device_deletion == "ask"
    set_policy(vault_path, "never")
    dialog = open_device_dialog(qtbot, shell, 3)
    qtbot.waitUntil(lambda: dialog.policy_note.text() == NEVER, timeout=5000)

    words = import_now(qtbot, dialog)
    assert dialog.question is None
    assert words == "3 photos imported from PHONE, kept on the phone (the practice's setting)."
    assert len(names(dcim)) == 3
    assert audit(vault_path, "source.deleted") == []
    qtbot.waitUntil(lambda: dialog.in_vault_count() == 3, timeout=30000)
    assert dialog.safe_button.isHidden()

    set_policy(vault_path, "always")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    with qtbot.waitSignal(dialog.policy_shown, timeout=5000) as shown:
        shell.window.import_device_action.trigger()
    assert shown.args == ["always"] and dialog.policy_note.text() == ALWAYS
    qtbot.waitUntil(lambda: dialog.thumbnail_count() == 3, timeout=30000)
    words = import_now(qtbot, dialog)
    assert dialog.question is None
    assert words == "0 photos imported from PHONE, 3 photos already in the vault, 3 deleted " \
                    "from the phone."
    assert names(dcim) == set()
    settled(qtbot, shell)


def test_return_on_the_question_always_deletes_once_safe_whatever_has_the_focus(
        qtbot, logged_in, tmp_path, vault_path):
    dcim = phone(tmp_path, 2)
    shell = logged_in("clinician")
    shell.device_roots = [tmp_path / "media"]
    dialog = open_device_dialog(qtbot, shell, 2)
    assert dialog.policy_note.text() == ASK

    qtbot.keyClick(dialog.pictures, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.question is not None and dialog.question.isVisible(),
                    timeout=5000)
    first = dialog.question
    dialog.keep_button.setFocus()
    qtbot.keyClick(dialog.question, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not first.isVisible(), timeout=5000)
    assert len(names(dcim)) == 2 and dialog.import_button.isEnabled()

    qtbot.keyClick(dialog.pictures, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.question is not first and dialog.question.isVisible(),
                    timeout=5000)
    dialog.keep_button.setFocus()
    assert dialog.keep_button.hasFocus()
    with qtbot.waitSignal(dialog.import_finished, timeout=30000) as finished:
        qtbot.keyClick(dialog.keep_button, Qt.Key.Key_Return)
    assert finished.args[0] == "2 photos imported from PHONE, 2 deleted from the phone."
    assert names(dcim) == set()
    settled(qtbot, shell)


def test_the_dialog_stays_on_the_phone_just_imported_from(qtbot, logged_in, tmp_path,
                                                          vault_path):
    set_policy(vault_path, "never")
    phone(tmp_path, 1, "ANDROID")
    second = phone(tmp_path, 2, "IPHONE")
    shell = logged_in("clinician")
    shell.device_roots = [tmp_path / "media"]
    dialog = open_device_dialog(qtbot, shell, 1)
    assert dialog.device.itemText(0) == "ANDROID"
    with qtbot.waitSignal(dialog.thumbnails_shown, timeout=30000):
        dialog.device.setCurrentIndex(1)
    assert dialog.volume.dcim == second.parent
    import_now(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.in_vault_count() == 2, timeout=30000)
    assert dialog.device.currentText() == "IPHONE"
    assert dialog.volume.dcim == second.parent
    settled(qtbot, shell)


def test_stop_says_what_was_imported_and_deleted_and_names_what_is_left(
        qtbot, logged_in, tmp_path, vault_path):
    set_policy(vault_path, "always")
    dcim = phone(tmp_path, 45)
    shell = logged_in("clinician")
    shell.device_roots = [tmp_path / "media"]
    dialog = open_device_dialog(qtbot, shell, 45)
    qtbot.mouseClick(dialog.all_button, Qt.MouseButton.LeftButton)
    deleted: list[ev.Event] = []

    def stop_at_seven(event) -> None:
        if isinstance(event, ev.SourceDeleted):
            deleted.append(event)
            if len(deleted) == 7:
                qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)

    with qtbot.waitSignal(dialog.import_finished, timeout=60000) as finished:
        qtbot.keyClick(dialog.pictures, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog._import is not None, timeout=5000)
        dialog._import.progress(stop_at_seven)
    words = finished.args[0]
    receipt = dialog.receipt
    left = names(dcim)
    gone = {p.path.name for p in receipt.deleted}
    assert words.startswith(f"Import stopped: {len(gone)} photos imported from PHONE, "
                            f"{len(gone)} deleted from the phone. ")
    assert len(gone) >= 7 and not gone & left and len(gone) + len(left) == 45
    assert {p.path.name for p in receipt.not_read} == left
    assert words.endswith("The import was stopped before Clinfile read them. Import again to "
                          "take them in.")
    assert "The import ended before it began" not in words
    assert dialog.receipt_list.count() == 45
    assert dialog.summary.text() == words
    settled(qtbot, shell)


def test_unplugging_mid_import_says_the_phone_went_away_and_what_is_still_on_it(
        qtbot, logged_in, tmp_path, vault_path):
    set_policy(vault_path, "always")
    phone(tmp_path, 30)
    shell = logged_in("clinician")
    shell.device_roots = [tmp_path / "media"]
    dialog = open_device_dialog(qtbot, shell, 30)
    qtbot.mouseClick(dialog.all_button, Qt.MouseButton.LeftButton)
    drawer = tmp_path / "drawer"

    def unplug(event) -> None:
        if isinstance(event, ev.SourceDeleted) and not drawer.exists():
            drawer.mkdir()
            shutil.move(tmp_path / "media" / "PHONE", drawer)

    with qtbot.waitSignal(dialog.import_finished, timeout=60000) as finished:
        qtbot.keyClick(dialog.pictures, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog._import is not None, timeout=5000)
        dialog._import.progress(unplug)
    words = finished.args[0]
    left = names(drawer / "PHONE" / "DCIM" / "100APPLE")
    receipt = dialog.receipt
    gone = {p.path.name for p in receipt.deleted}
    assert words.startswith("PHONE went away during the import. ")
    assert f"{len(gone)} deleted from the phone." in words
    assert gone and not gone & left and len(gone) + len(left) == 30
    assert {p.path.name for p in receipt.not_read} <= left
    assert "Import again to take them in." in words or not receipt.not_read
    qtbot.waitUntil(lambda: "No phone or camera was found" in dialog.message.text(),
                    timeout=10000)
    assert dialog.summary.text() == words
    settled(qtbot, shell)


def test_photos_already_in_the_vault_are_marked_and_can_be_deleted_from_the_phone(
        qtbot, logged_in, tmp_path, vault_path):
    dcim = phone(tmp_path, 3)
    write(dcim / "IMG_E0001.AAE", b"<?xml version='1.0'?><plist/>")
    write(dcim.parent / ".thumbnails" / "1234.jpg", jpeg_bytes())
    shell = logged_in("clinician")
    shell.device_roots = [tmp_path / "media"]
    dialog = open_device_dialog(qtbot, shell, 3)
    assert dialog.message.text() == (
        "3 photos on PHONE, newest first. Today's are ticked. 1 iPhone edit file (.AAE) is "
        "left on the phone: such a file records edits made on the phone, not a photo.")
    qtbot.keyClick(dialog.pictures, Qt.Key.Key_End)
    qtbot.keyClick(dialog.pictures, Qt.Key.Key_Space)
    qtbot.keyClick(dialog.pictures, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.question is not None and dialog.question.isVisible(),
                    timeout=5000)
    with qtbot.waitSignal(dialog.import_finished, timeout=30000) as finished:
        qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
    assert finished.args[0] == "2 photos imported from PHONE, kept on the phone."
    qtbot.waitUntil(lambda: dialog.safe_button.isVisible(), timeout=30000)
    assert dialog.in_vault_count() == 2
    assert dialog.safe_button.text() == "Delete the 2 photos already safe in the vault from " \
                                        "the phone"
    assert [dialog.pictures.item(r).text().endswith("✓ already in the vault")
            for r in range(3)] == [True, True, False]

    with qtbot.waitSignal(dialog.safe_copies_deleted, timeout=30000) as deleted:
        qtbot.mouseClick(dialog.safe_button, Qt.MouseButton.LeftButton)
    assert deleted.args[0] == "2 photos already safe in the vault were deleted from PHONE."
    assert names(dcim) == {"IMG_P0000.JPG", "IMG_E0001.AAE"}
    receipts = audit(vault_path, "source.deleted")
    assert len(receipts) == 2 and all(r["sha256"] and r["source_kind"] == "device"
                                      for r in receipts)
    assert audit(vault_path, "image.quarantined") == []
    qtbot.waitUntil(lambda: dialog.pictures.count() == 1, timeout=10000)
    assert dialog.safe_button.isHidden()
    settled(qtbot, shell)


def test_photos_can_be_ticked_by_the_day_they_were_taken_or_as_a_range(
        qtbot, logged_in, tmp_path):
    phone(tmp_path, 2)
    phone(tmp_path, 3, days_ago=3)
    shell = logged_in("clinician")
    shell.device_roots = [tmp_path / "media"]
    dialog = open_device_dialog(qtbot, shell, 5)
    assert len(dialog.chosen()) == 2
    days = [dialog.day.itemText(i) for i in range(dialog.day.count())]
    assert days[:2] == ["Choose a day…", "Today"] and len(days) == 3
    dialog.day.setCurrentIndex(2)
    dialog.day.activated.emit(2)
    assert sorted(i.path.name for i in dialog.chosen()) == [
        "IMG_P3000.JPG", "IMG_P3001.JPG", "IMG_P3002.JPG"]

    qtbot.mouseClick(dialog.none_button, Qt.MouseButton.LeftButton)
    dialog.pictures.setFocus()
    qtbot.keyClick(dialog.pictures, Qt.Key.Key_Home)
    qtbot.keyClick(dialog.pictures, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(dialog.pictures, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(dialog.pictures, Qt.Key.Key_Space)
    assert len(dialog.chosen()) == 3
    assert dialog.import_button.text() == "&Import 3 photos"
    settled(qtbot, shell)


def test_an_import_a_crash_cut_short_is_told_when_the_clinician_next_logs_in(
        qtbot, shell, logged_in, tmp_path, vault_path):
    import subprocess
    import sys

    from tests.conftest import PASSWORDS

    began_and_died = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from clinfile.app.security.session import Session\n"
        "from clinfile.app.ingest.unfinished import ImportLedger\n"
        "session = Session.login(Path(sys.argv[1]), 'clinician', sys.argv[2])\n"
        "ImportLedger(session.vault, 'clinician').began(\n"
        "    'Galaxy <b>S21</b>', Path(sys.argv[3]), 40, True)\n"
        "os._exit(9)\n")
    subprocess.run([sys.executable, "-c", began_and_died, str(vault_path),
                    PASSWORDS["clinician"], str(tmp_path / "media" / "Galaxy" / "DCIM")],
                   check=False, timeout=60)
    told: list[str] = []
    shell.desk_controller.inbox.unfinished_told.connect(told.append)
    logged_in("clinician")
    qtbot.waitUntil(lambda: len(told) == 1, timeout=10000)
    assert told[0].startswith("The import from Galaxy <b>S21</b> on ")
    assert told[0].endswith(
        "did not finish: Clinfile or the computer stopped during it. 0 of its 40 photos are "
        "safe in the vault and 0 were deleted from the phone; 40 photos may still be on it. "
        "Plug the phone in and import again: photos already in the vault are marked, and none "
        "is stored twice.")
    assert shell.window.activity.text() == told[0]
    settled(qtbot, shell)


def test_a_phone_reached_over_libgphoto2_is_imported_from_the_window(
        qtbot, logged_in, tmp_path, vault_path):
    from tests.integration.test_device_gphoto2 import camera_folder

    set_policy(vault_path, "always")
    dcim = camera_folder(tmp_path, 2)
    (tmp_path / "media").mkdir()
    shell = logged_in("clinician")
    shell.device_roots = [tmp_path / "media"]
    shell.device_ports = [f"disk:{tmp_path / 'iPhone'}"]
    dialog = open_device_dialog(qtbot, shell, 2)
    assert dialog.device.currentText() == "iPhone"
    assert dialog.transport_note.text() == (
        "iPhone is reached over PTP/MTP (libgphoto2). Clinfile can delete photos from it.")
    assert dialog.policy_note.text() == ALWAYS
    words = import_now(qtbot, dialog)
    assert words == "2 photos imported from iPhone, 2 deleted from the phone."
    assert names(dcim) == {"IMG_E0000.AAE"}
    qtbot.waitUntil(lambda: "There are no photos on iPhone." in dialog.message.text(),
                    timeout=10000)
    settled(qtbot, shell)
