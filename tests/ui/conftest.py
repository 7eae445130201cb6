"""The real window on a real vault, driven as a person would drive it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PASSWORDS


class Clock:
    """A clock the test moves forward, so minutes of idle time pass at once."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def workstation(tmp_path: Path):
    """This computer's memory, in the test's own folder (never the real config folder)."""
    from clinfile.app.desk.workstation import WorkstationStore

    return WorkstationStore(tmp_path / "config")


@pytest.fixture
def shell(qtbot, workstation, clock):
    """The window's controller, started, with the house style."""
    from PySide6.QtWidgets import QApplication

    from clinfile.ui.application import prepare
    from clinfile.ui.shell import Shell

    prepare(QApplication.instance())
    shell = Shell(workstation, clock=clock, idle_check_ms=20)
    qtbot.addWidget(shell.window)
    yield shell
    shell.idle.stop()
    shell.window.close()


@pytest.fixture
def start(qtbot, shell):
    """Start the window and wait until its first page shows."""

    def _start():
        with qtbot.waitSignal(shell.ready, timeout=5000):
            shell.start()
        return shell

    return _start


@pytest.fixture
def logged_in(qtbot, shell, start, workstation, vault_path):
    """Log in through the login page as a person would; return a function taking the user."""
    from PySide6.QtCore import Qt

    def _log_in(user: str = "admin"):
        workstation.remember(vault=str(vault_path), user=user)
        start()
        login = shell.window.login
        login.password_edit.clear()
        qtbot.keyClicks(login.password_edit, PASSWORDS[user])
        with qtbot.waitSignal(shell.desk_opened, timeout=10000):
            qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
        return shell

    return _log_in
