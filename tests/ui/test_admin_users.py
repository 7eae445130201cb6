"""The users tab driven as a practice manager would: add, disable, reset with the key, new key."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt

from clinfile.app.security.session import Session
from clinfile.app.vault.recovery import new_recovery_key
from tests.conftest import PASSWORDS
from tests.ui.saving import save_as


def _open_users(qtbot, logged_in):
    shell = logged_in("admin")
    qtbot.keyClick(shell.window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(shell.window, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    users = shell.admin.users
    qtbot.waitUntil(lambda: users.table.rowCount() == 3, timeout=5000)
    return shell, users


def _select(users, name: str) -> None:
    row = next(r for r in range(users.table.rowCount()) if users.table.item(r, 0).text() == name)
    users.table.setFocus()
    users.table.selectRow(row)


def test_add_a_user_by_keyboard_alone(qtbot, logged_in, vault_path):
    shell, users = _open_users(qtbot, logged_in)
    qtbot.keyClick(shell.window, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: hasattr(users, "add_dialog"), timeout=5000)
    dialog = users.add_dialog
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClicks(dialog.name_edit, "nurse")
    qtbot.keyClick(dialog, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(dialog.full_name_edit, "Sam Okafor RN")
    qtbot.keyClick(dialog, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.roles.chosen == ["reception"])
    qtbot.keyClick(dialog, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.roles.chosen == ["reception", "clinician"])
    qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(dialog.password_edit, "a nurse's long password")
    qtbot.keyClick(dialog, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(dialog.again_edit, "a nurse's long passwork")
    assert dialog.message.text() == "The two passwords are not the same."
    assert not dialog.add_button.isEnabled()
    qtbot.keyClick(dialog.again_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.again_edit, "d")
    qtbot.keyClick(dialog.again_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "can now log in" in users.message.text(), timeout=15000)
    assert users.message.text() == ("Sam Okafor RN can now log in as nurse, "
                                    "as clinician and reception.")
    Session.login(vault_path, "nurse", "a nurse's long password").lock()


def test_disable_asks_first_by_mouse(qtbot, logged_in):
    shell, users = _open_users(qtbot, logged_in)
    _select(users, "reception")
    qtbot.mouseClick(users.disable_button, Qt.MouseButton.LeftButton)
    box = users.disable_box
    qtbot.waitUntil(box.isVisible)
    assert "reception will no longer be able to log in" in box.text()
    go = next(b for b in box.buttons() if b.text() == "Disable")
    qtbot.mouseClick(go, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "can no longer log in" in users.message.text(), timeout=15000)
    qtbot.waitUntil(lambda: any(users.table.item(r, 3).text() == "Disabled"
                                for r in range(users.table.rowCount())), timeout=5000)


def test_new_recovery_key_then_reset_a_password_with_it(qtbot, logged_in, vault_path, tmp_path):
    shell, users = _open_users(qtbot, logged_in)
    qtbot.keyClick(shell.window, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: hasattr(users, "renew_box"), timeout=5000)
    box = users.renew_box
    qtbot.waitUntil(box.isVisible)
    go = next(b for b in box.buttons() if b.text() == "Make a new key")
    qtbot.mouseClick(go, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hasattr(users, "new_key_dialog"), timeout=15000)
    dialog = users.new_key_dialog
    qtbot.waitUntil(dialog.isActiveWindow)
    key = dialog.key_label.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible(), "the key stays until the person says it is kept safe"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(dialog, "sheet_dialog", None) is not None)
    save_as(qtbot, dialog.sheet_dialog, tmp_path / "sheet.pdf")
    qtbot.waitUntil(lambda: "Saved to" in dialog.message.text(), timeout=15000)
    text = subprocess.run(["pdftotext", str(tmp_path / "sheet.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert key.split("-")[0] in text
    qtbot.keyClick(dialog, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(dialog.kept.isChecked)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(shell.window.isActiveWindow, timeout=5000)

    _select(users, "clinician")
    qtbot.keyClick(shell.window, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: hasattr(users, "reset_dialog"), timeout=5000)
    reset = users.reset_dialog
    qtbot.waitUntil(reset.isActiveWindow)
    qtbot.keyClicks(reset.key_edit, key.lower().replace("-", " "))
    qtbot.keyClick(reset, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(reset.password_edit, "the doctor's new password")
    qtbot.keyClick(reset, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(reset.again_edit, "the doctor's new password")
    qtbot.keyClick(reset.again_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "new password" in users.message.text(), timeout=20000)
    assert users.message.text() == "clinician can log in with the new password."
    Session.login(vault_path, "clinician", "the doctor's new password").lock()


def test_the_key_field_shows_a_whole_key_and_a_typo_keeps_the_form(qtbot, logged_in):
    shell, users = _open_users(qtbot, logged_in)
    _select(users, "clinician")
    qtbot.keyClick(shell.window, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: hasattr(users, "reset_dialog"), timeout=5000)
    reset = users.reset_dialog
    qtbot.waitUntil(reset.isActiveWindow)
    key = new_recovery_key()
    qtbot.keyClicks(reset.key_edit, key[:-1] + ("0" if key[-1] != "0" else "1"))
    metrics = reset.key_edit.fontMetrics()
    assert reset.key_edit.width() > metrics.horizontalAdvance(key) + 8, "the whole key is seen"
    qtbot.keyClick(reset, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(reset.password_edit, "the doctor's new password")
    qtbot.keyClick(reset, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(reset.again_edit, "the doctor's new password")
    assert "typing mistake" in reset.message.text()
    assert not reset.reset_button.isEnabled()
    qtbot.keyClick(reset.again_edit, Qt.Key.Key_Return)
    assert reset.isVisible()

    reset.key_edit.setFocus()
    qtbot.keyClick(reset.key_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(reset.key_edit, key[-1])
    qtbot.keyClick(reset.again_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "does not open this vault" in reset.message.text(), timeout=20000)
    assert reset.isVisible(), "a key from another vault keeps the form to be corrected"
    assert reset.password_edit.text() == reset.again_edit.text() == "the doctor's new password"
    assert reset.reset_button.isEnabled()


def test_a_wrong_key_is_said_plainly(qtbot, logged_in):
    shell, users = _open_users(qtbot, logged_in)
    _select(users, "clinician")
    qtbot.mouseClick(users.reset_button, Qt.MouseButton.LeftButton)
    reset = users.reset_dialog
    qtbot.waitUntil(reset.isVisible)
    qtbot.keyClicks(reset.key_edit, "0000-0000")
    qtbot.keyClicks(reset.password_edit, "the doctor's new password")
    qtbot.keyClicks(reset.again_edit, "the doctor's new password")
    assert "not the right length" in reset.message.text()
    assert not reset.reset_button.isEnabled()


def test_disabling_someone_starts_re_keying_the_pictures_at_once(qtbot, logged_in, vault_path):
    session = Session.login(vault_path, "admin", PASSWORDS["admin"])
    for year in (2019, 2020):
        session.vault.blobs.put_bytes(os.urandom(500_000), when=datetime(year, 6, 1, tzinfo=UTC))
    session.lock()
    shell, users = _open_users(qtbot, logged_in)
    _select(users, "reception")
    qtbot.mouseClick(users.disable_button, Qt.MouseButton.LeftButton)
    box = users.disable_box
    qtbot.waitUntil(box.isVisible)
    qtbot.mouseClick(next(b for b in box.buttons() if b.text() == "Disable"),
                     Qt.MouseButton.LeftButton)

    vault_tab = shell.admin.vault
    qtbot.waitUntil(lambda: "Every picture is under the current key"
                    in vault_tab.rekey_line.text(), timeout=60000)
    assert not vault_tab.isVisible()


def test_the_password_changed_column_shows_the_practice_s_clock(qtbot, logged_in,
                                                                 practice_time_zone):
    practice_time_zone("Pacific/Honolulu")  # ten hours behind UTC: the days differ till 10:00
    _, users = _open_users(qtbot, logged_in)
    stored = users._users["admin"].password_changed_at
    seen = users.table.item(next(r for r in range(users.table.rowCount())
                                 if users.table.item(r, 0).text() == "admin"), 4).text()
    honolulu = datetime.fromisoformat(stored).astimezone(ZoneInfo("Pacific/Honolulu"))
    assert seen == honolulu.strftime("%d/%m/%Y %H:%M:%S")


def test_a_full_name_another_user_has_is_refused_when_adding_and_when_renaming(
        qtbot, logged_in, vault_path):
    from clinfile.app.security.users import UserService

    admin = Session.login(vault_path, "admin", PASSWORDS["admin"])
    UserService(admin).set_full_name("clinician", "Dr Ana Silva")
    admin.lock()
    shell, users = _open_users(qtbot, logged_in)
    qtbot.keyClick(shell.window, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: hasattr(users, "add_dialog"), timeout=5000)
    dialog = users.add_dialog
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClicks(dialog.name_edit, "drsilva2")
    qtbot.keyClick(dialog, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(dialog.full_name_edit, "DR ANA  silva")
    qtbot.keyClick(dialog, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.roles.chosen == ["reception"])
    qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(dialog.password_edit, "a second long password")
    qtbot.keyClick(dialog, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(dialog.again_edit, "a second long password")
    assert dialog.message.text() == ""
    qtbot.keyClick(dialog.again_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "already how" in users.message.text(), timeout=15000)
    assert users.message.text().startswith(
        "DR ANA  silva is already how the user clinician is printed")
    assert users.table.rowCount() == 3

    _select(users, "reception")
    qtbot.mouseClick(users.full_name_button, Qt.MouseButton.LeftButton)
    rename = users.full_name_dialog
    qtbot.waitUntil(rename.isVisible)
    qtbot.keyClicks(rename.full_name_edit, "Dr Ana Silva")
    qtbot.mouseClick(rename.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: users.message.text().startswith(
        "Dr Ana Silva is already how the user clinician is printed"), timeout=15000)


def _disable_elsewhere(vault_path, name: str) -> None:
    """Another admin, at another computer, disables ``name``."""
    from clinfile.app.security.users import UserService

    other = Session.login(vault_path, "admin", PASSWORDS["admin"])
    UserService(other).set_full_name(name, "Dr Ana Silva")
    UserService(other).disable(name)
    other.lock()


def _state_of(users, name: str) -> str:
    return next(users.table.item(r, 3).text() for r in range(users.table.rowCount())
                if users.table.item(r, 0).text() == name)


def _type_new_password(qtbot, dialog, password: str, again: str = "") -> None:
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClicks(dialog.password_edit, password)
    qtbot.keyClick(dialog, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(dialog.again_edit, again or password)


def test_set_password_on_a_disabled_user_is_refused_and_enable_is_its_own_choice(
        qtbot, logged_in, vault_path):
    _disable_elsewhere(vault_path, "clinician")
    shell, users = _open_users(qtbot, logged_in)
    assert _state_of(users, "clinician") == "Disabled"
    _select(users, "clinician")
    qtbot.keyClick(shell.window, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: getattr(users, "password_dialog", None) is not None, timeout=5000)
    dialog = users.password_dialog
    assert "Dr Ana Silva (clinician)" in dialog.windowTitle()
    assert "Dr Ana Silva (clinician)" in dialog.whose.text()
    _type_new_password(qtbot, dialog, "the doctor's new password")
    qtbot.keyClick(dialog.again_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Enable clinician first" in users.message.text(), timeout=15000)
    assert _state_of(users, "clinician") == "Disabled"

    _select(users, "clinician")
    qtbot.keyClick(shell.window, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: getattr(users, "enable_dialog", None) is not None, timeout=5000)
    dialog = users.enable_dialog
    assert "Dr Ana Silva (clinician)" in dialog.whose.text()
    _type_new_password(qtbot, dialog, "the doctor's new password",
                       "the doctor's new passwork")
    assert dialog.message.text() == "The two passwords are not the same."
    assert not dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.again_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.again_edit, "d")
    qtbot.keyClick(dialog.again_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "can log in again" in users.message.text(), timeout=15000)
    assert users.message.text() == ("Dr Ana Silva (clinician) can log in again, "
                                    "with the new password.")
    qtbot.waitUntil(lambda: _state_of(users, "clinician") == "Active", timeout=5000)
    Session.login(vault_path, "clinician", "the doctor's new password").lock()


def test_a_user_added_at_another_computer_shows_in_the_open_users_tab(
        qtbot, logged_in, vault_path):
    from clinfile.app.security.users import UserService

    shell, users = _open_users(qtbot, logged_in)
    other = Session.login(vault_path, "admin", PASSWORDS["admin"])
    UserService(other).add("nurse", "reception", "a nurse's long password", "Sam Okafor RN")
    other.lock()
    qtbot.waitUntil(lambda: users.table.rowCount() == 4, timeout=10000)

    other = Session.login(vault_path, "admin", PASSWORDS["admin"])
    UserService(other).add("locum", "clinician", "a locum's long password", "Dr Jo Locum")
    other.lock()
    qtbot.keyClick(shell.window, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(shell.window, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: users.table.rowCount() == 5, timeout=3000)


def test_an_admin_alone_is_told_pictures_wait_in_the_drop_folder_and_they_stay_there(
        qtbot, logged_in, workstation, corpus, tmp_path):
    from tests.ui.helpers import copy_into

    drop = tmp_path / "drop"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop), outbox=str(tmp_path / "outbox"))
    shell, _users = _open_users(qtbot, logged_in)
    copy_into(sorted((corpus / "exif-samples" / "jpg").glob("*.jpg"))[:3], drop)
    line = shell.admin.waiting
    qtbot.waitUntil(lambda: line.isVisible() and line.text().startswith("3 "), timeout=10000)
    assert line.text() == ("3 files are waiting in the drop folder; they are taken in when "
                           "reception or a clinician logs in.")
    assert len(list(drop.iterdir())) == 3
