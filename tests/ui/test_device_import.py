"""Photos taken on a phone, plugged in with its cable, imported from the window."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QListWidget, QProgressBar

from tests.conftest import PASSWORDS
from tests.ui.helpers import phone_with_photos
from tests.unit.app.ingest.phones import undeletable


def open_device_dialog(qtbot, shell, count: int):
    """Press Ctrl+I and wait until the phone's photos show with their thumbnails."""
    qtbot.keyClick(shell.window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: shell.device_dialog is not None
                    and shell.device_dialog.isVisible(), timeout=5000)
    dialog = shell.device_dialog
    qtbot.waitUntil(lambda: dialog.thumbnail_count() == count, timeout=30000)
    return dialog


def as_admin(vault_path):
    from clinfile.app.security.session import Session

    return Session.login(vault_path, "admin", PASSWORDS["admin"])


def audit(vault_path, action: str) -> list[dict]:
    from clinfile.db.audit import AuditRepository

    session = as_admin(vault_path)
    try:
        with session.vault.index() as conn:
            return [json.loads(row.detail) for row in AuditRepository(conn).rows()
                    if row.action == action]
    finally:
        session.lock()


def test_the_import_action_says_its_shortcut(shell):
    action = shell.window.import_device_action
    assert action in shell.window.inbox_menu.actions()
    assert action.shortcut().toString() == "Ctrl+I"
    assert action.toolTip().endswith("(Ctrl+I)")


def test_two_photos_chosen_on_a_phone_reach_the_inbox_and_leave_the_phone(
        qtbot, logged_in, corpus, tmp_path, vault_path):
    dcim = phone_with_photos(corpus, tmp_path, 3)
    shell = logged_in("clinician")
    shell.device_roots = [tmp_path / "media"]
    dialog = open_device_dialog(qtbot, shell, 3)

    assert dialog.device.count() == 1
    names = [dialog.pictures.item(row).text().split("\n")[0] for row in range(3)]
    assert names == sorted(names, reverse=True)
    assert len(dialog.chosen()) == 3
    for kind in (QAbstractButton, QComboBox, QListWidget, QProgressBar):
        for control in dialog.findChildren(kind):
            assert control.accessibleName(), control

    qtbot.keyClick(dialog.pictures, Qt.Key.Key_End)
    qtbot.keyClick(dialog.pictures, Qt.Key.Key_Space)
    chosen = dialog.chosen()
    assert [image.path.name for image in chosen] == names[:2]
    assert dialog.import_button.text() == "&Import 2 photos"

    qtbot.keyClick(dialog.pictures, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.question is not None and dialog.question.isVisible(),
                    timeout=5000)
    assert dialog.question.text().startswith(
        "Delete these 2 photos from the phone once they are safely in the vault?")
    with qtbot.waitSignal(dialog.import_finished, timeout=30000) as finished:
        qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert finished.args[0] == "2 photos imported from PHONE, 2 deleted from the phone."
    assert dialog.summary.text() == finished.args[0]
    assert [dialog.receipt_list.item(row).text().split(" (item")[0] for row in range(2)] == [
        f"{names[0]}: imported", f"{names[1]}: imported"]
    assert all(dialog.receipt_list.item(row).text().endswith(", deleted from the phone.")
               for row in range(2))
    assert dialog.safe_button.isHidden()

    inbox = shell.desk_view.inbox
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 2, timeout=30000)
    assert all("phone or camera" in inbox.model.item(row).text() for row in range(2))
    assert [p.name for p in dcim.iterdir()] == [names[2]]
    qtbot.waitUntil(lambda: dialog.pictures.count() == 1, timeout=10000)
    receipts = audit(vault_path, "source.deleted")
    assert {r["source"] for r in receipts} == {str(image.path) for image in chosen}
    assert all(r["source_kind"] == "device" for r in receipts)


def test_a_phone_refusing_deletion_is_told_plainly_and_the_photos_still_arrive(
        qtbot, logged_in, corpus, tmp_path, vault_path):
    from clinfile.app.settings import SettingsService

    admin = as_admin(vault_path)
    SettingsService(admin).change(device_deletion="always")
    admin.lock()
    dcim = phone_with_photos(corpus, tmp_path, 2)
    shell = logged_in("clinician")
    shell.device_roots = [tmp_path / "media"]
    dialog = open_device_dialog(qtbot, shell, 2)

    with undeletable(dcim):
        with qtbot.waitSignal(dialog.import_finished, timeout=30000) as finished:
            qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        assert dialog.question is None
        names = sorted((p.name for p in dcim.iterdir()), reverse=True)
        assert finished.args[0] == (
            "2 photos imported from PHONE, 0 deleted from the phone. 2 photos safe in the vault "
            f"are still on the phone ({', '.join(names)}). The phone would not let Clinfile "
            "delete them; they are safely in the vault, so delete them on the phone by hand.")
        assert len(list(dcim.iterdir())) == 2
    inbox = shell.desk_view.inbox
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 2, timeout=30000)
    assert shell.window.activity.text() == finished.args[0]


def test_with_no_phone_plugged_in_the_dialog_says_how_to_connect_one(qtbot, logged_in,
                                                                    tmp_path):
    (tmp_path / "media" / "USB STICK").mkdir(parents=True)
    shell = logged_in("reception")
    shell.device_roots = [tmp_path / "media"]
    qtbot.keyClick(shell.window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: shell.device_dialog is not None, timeout=5000)
    dialog = shell.device_dialog
    qtbot.waitUntil(lambda: "No phone or camera" in dialog.message.text(), timeout=10000)
    assert "File transfer" in dialog.message.text()
    assert "Trust this computer" in dialog.message.text()
    assert not dialog.import_button.isEnabled()
    assert dialog.look_button.hasFocus()

    phone_dcim = tmp_path / "media" / "PHONE" / "DCIM"
    phone_dcim.mkdir(parents=True)
    with qtbot.waitSignal(dialog.devices_found, timeout=10000) as found:
        qtbot.keyClick(dialog.look_button, Qt.Key.Key_Space)
    assert found.args == [1]
    assert dialog.message.text() == "There are no photos on PHONE."
