"""Each person sees only what their roles allow, and an admin adds people with several roles."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from clinfile.app.security.roles import INSTEAD, Permission
from clinfile.app.security.session import Session
from tests.conftest import PASSWORDS

GP_PASSWORD = "the solo gp's long password"


def _problems(shell) -> list[QMessageBox]:
    return [box for box in shell.window.findChildren(QMessageBox) if box.isVisible()]


def test_an_admin_only_user_lands_in_the_administration_without_errors(qtbot, logged_in):
    shell = logged_in("admin")
    window = shell.window
    qtbot.wait(300)  # time for any refused desk work to come back

    assert window.current_page() == "admin"
    assert _problems(shell) == []
    assert "may not" not in window.activity.text()
    assert not window.inbox_menu.menuAction().isVisible()
    assert not window.filing_menu.menuAction().isVisible()
    assert not window.desk_action.isVisible()

    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "admin"

    window.log_out_action.trigger()
    assert window.current_page() == "login"
    assert window.activity.text() == "" and window.who.text() == ""


def test_reception_is_not_offered_export_and_learns_what_it_can_do(qtbot, logged_in):
    shell = logged_in("reception")
    window = shell.window
    assert window.current_page() == "desk"
    assert not window.export_action.isVisible()
    assert not window.admin_action.isVisible()

    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.activity.text() == INSTEAD[Permission.EXPORT_IMAGES]
    assert shell.desk_controller.filing.export_dialog is None


def test_the_admin_adds_a_solo_gp_who_then_files_and_administers(qtbot, logged_in):
    shell = logged_in("admin")
    users = shell.admin.users
    qtbot.mouseClick(users.add_button, Qt.MouseButton.LeftButton)
    dialog = users.add_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClicks(dialog.name_edit, "gp")
    assert "full name" in dialog.message.text()
    qtbot.keyClicks(dialog.full_name_edit, "Dr Ana Silva")
    for role in ("admin", "clinician"):
        qtbot.mouseClick(dialog.roles.boxes[role], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.password_edit, GP_PASSWORD)
    qtbot.keyClicks(dialog.again_edit, GP_PASSWORD[:-1])
    assert dialog.message.text() == "The two passwords are not the same."
    assert not dialog.add_button.isEnabled()
    qtbot.keyClicks(dialog.again_edit, GP_PASSWORD[-1])
    assert dialog.add_button.isEnabled()
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "can now log in" in users.message.text(), timeout=15000)
    assert users.message.text() == "Dr Ana Silva can now log in as gp, as admin and clinician."
    qtbot.waitUntil(lambda: users.table.rowCount() == 4, timeout=5000)

    shell.window.log_out_action.trigger()
    login = shell.window.login
    login.user_edit.clear()
    qtbot.keyClicks(login.user_edit, "gp")
    qtbot.keyClicks(login.password_edit, GP_PASSWORD)
    with qtbot.waitSignal(shell.desk_opened, timeout=10000):
        qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    window = shell.window
    assert window.current_page() == "desk"
    assert window.admin_action.isVisible() and window.export_action.isVisible()
    assert window.who.text() == "Dr Ana Silva (admin and clinician)"
    assert shell.desk.session.actor.printed_name == "Dr Ana Silva"
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "admin"


def test_the_admin_gives_a_clinician_the_admin_role_too(qtbot, logged_in, vault_path):
    shell = logged_in("admin")
    users = shell.admin.users
    qtbot.waitUntil(lambda: users.table.rowCount() == 3, timeout=5000)
    row = next(r for r in range(3) if users.table.item(r, 0).text() == "clinician")
    users.table.selectRow(row)
    qtbot.mouseClick(users.roles_button, Qt.MouseButton.LeftButton)
    dialog = users.roles_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.roles.chosen == ["clinician"]
    qtbot.mouseClick(dialog.roles.boxes["admin"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "is now" in users.message.text(), timeout=10000)
    assert users.message.text() == "clinician is now admin and clinician."
    doctor = Session.login(vault_path, "clinician", PASSWORDS["clinician"])
    assert doctor.may(Permission.MANAGE_USERS) and doctor.may(Permission.FILE_CLINICAL)
