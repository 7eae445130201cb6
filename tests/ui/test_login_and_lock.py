"""Logging in, a wrong password, and the window locking itself in the middle of work."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.conftest import PASSWORDS


def test_a_wrong_password_says_so_without_detail(qtbot, shell, start, workstation, vault_path):
    workstation.remember(vault=str(vault_path), user="reception")
    start()
    login = shell.window.login
    assert shell.window.current_page() == "login"
    assert login.user_edit.text() == "reception"

    qtbot.keyClicks(login.password_edit, "not the password at all")
    qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: login.message.text() != "", timeout=10000)
    assert login.message.text() == "The user name or password is not right."
    assert shell.window.current_page() == "login"
    assert login.password_edit.text() == ""

    login.user_edit.clear()
    qtbot.keyClicks(login.user_edit, "nobody")
    qtbot.keyClicks(login.password_edit, PASSWORDS["reception"])
    qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: login.message.text() != "", timeout=10000)
    assert login.message.text() == "The user name or password is not right."

    login.user_edit.clear()
    qtbot.keyClicks(login.user_edit, "reception")
    qtbot.keyClicks(login.password_edit, PASSWORDS["reception"])
    with qtbot.waitSignal(shell.desk_opened, timeout=10000):
        qtbot.mouseClick(login.unlock_button, Qt.MouseButton.LeftButton)
    assert shell.desk.session.actor.name == "reception"
    assert not shell.window.admin_action.isVisible()


def test_idle_time_locks_and_unlocking_returns_to_the_same_place(qtbot, logged_in, clock):
    shell = logged_in("admin")
    window = shell.window
    window.show_page("admin")
    shell.admin.tabs.setCurrentWidget(shell.admin.settings)
    minutes = shell.desk.settings.auto_lock_minutes

    clock.advance(minutes * 60 - 5)
    qtbot.wait(60)  # several idle checks at 20 ms: still within the allowed time
    assert not window.covered

    with qtbot.waitSignal(shell.locked, timeout=5000):
        clock.advance(10)
    assert window.covered
    assert not shell.admin.isVisible()
    assert "locked itself" in window.lock_view.reason.text()
    qtbot.waitUntil(lambda: shell.desk.session.locked, timeout=5000)

    qtbot.keyClicks(window.lock_view.password_edit, "wrong password here")
    qtbot.keyClick(window.lock_view.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.lock_view.message.text() != "", timeout=10000)
    assert window.lock_view.message.text() == "The user name or password is not right."
    assert window.covered

    qtbot.keyClicks(window.lock_view.password_edit, PASSWORDS["admin"])
    with qtbot.waitSignal(shell.unlocked, timeout=10000):
        qtbot.keyClick(window.lock_view.password_edit, Qt.Key.Key_Return)
    assert window.current_page() == "admin"
    assert shell.admin.tabs.currentWidget() is shell.admin.settings
    assert not shell.desk.session.locked


def test_lock_now_from_the_keyboard(qtbot, logged_in):
    shell = logged_in("admin")
    with qtbot.waitSignal(shell.locked, timeout=5000):
        qtbot.keyClick(shell.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert shell.window.covered


def test_the_count_of_waiting_files_stops_once_the_desk_is_gone(qtbot, logged_in):
    import shiboken6

    shell = logged_in("reception")
    with qtbot.waitSignal(shell.locked, timeout=5000):
        qtbot.keyClick(shell.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    shiboken6.delete(shell.desk_view)
    shell._waiting_check.timeout.emit()
    assert not shell._waiting_check.isActive()


def test_work_meeting_the_vault_locked_by_logging_out_shows_no_box(qtbot, logged_in):
    from PySide6.QtWidgets import QMessageBox

    from clinfile.app.vault.errors import VaultLocked

    shell = logged_in("reception")
    shell.log_out()

    def refresh_after_logout():
        raise VaultLocked()

    for _leftover in range(2):
        shell.tasks.run(refresh_after_logout, owner=shell.window)
    qtbot.waitUntil(lambda: shell.tasks.running() == 0, timeout=10000)
    qtbot.wait(50)
    assert not [box for box in shell.window.findChildren(QMessageBox) if box.isVisible()]
    assert shell.window.current_page() == "login"
