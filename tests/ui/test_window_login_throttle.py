"""Guessing passwords at the window slows down, and the login screen says how long to wait."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.conftest import PASSWORDS


def _try(qtbot, login, password: str) -> str:
    login.message.clear()
    qtbot.keyClicks(login.password_edit, password)
    qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: login.message.text() != "", timeout=10000)
    return login.message.text()


def test_after_three_wrong_passwords_the_window_says_to_wait(qtbot, shell, start, workstation,
                                                            vault_path):
    workstation.remember(vault=str(vault_path), user="reception")
    start()
    login = shell.window.login

    for _ in range(3):
        assert _try(qtbot, login, "a guess") == "The user name or password is not right."
    refusal = _try(qtbot, login, PASSWORDS["reception"])

    assert refusal.startswith("Too many wrong passwords for this name. Wait ")
    assert shell.window.current_page() == "login"
