"""Every Alt letter on show opens one thing, in every view each role can open.

Two menus, buttons or tabs on show with the same underlined letter make Alt
and that letter alternate between them, so neither is reached in one press.
The test walks the real window as each person sees it: every page their
roles open and every tab of every tab row on it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QTabBar,
    QTabWidget,
    QWidget,
)

from tests.conftest import PASSWORDS
from tests.ui.helpers import arrive, select_first

GP_PASSWORD = "the solo gp's long password"
PAGES = {"desk": "desk_action", "record": "record_action", "admin": "admin_action"}


def alt_letter(text: str) -> str:
    """The letter Alt is pressed with for this label ('' when it has none)."""
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).casefold() if found else ""


def letters_on_show(window) -> dict[str, list[str]]:
    """Each Alt letter among the menus and the widgets on show, with the labels that carry it."""
    labels = [action.text() for action in window.menuBar().actions() if action.isVisible()]
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QAbstractButton):
            labels.append(widget.text())
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            labels.append(widget.text())
        elif isinstance(widget, QGroupBox):
            labels.append(widget.title())
        elif isinstance(widget, QTabBar):
            labels += [widget.tabText(i) for i in range(widget.count()) if widget.isTabVisible(i)]
    found: dict[str, list[str]] = defaultdict(list)
    for label in labels:
        if alt_letter(label):
            found[alt_letter(label)].append(label.replace("&", ""))
    return found


def every_arrangement(window, qtbot, where: str = "") -> Iterator[str]:
    """Show every tab of every tab row on show in turn, naming what is on show each time."""
    rows = [t for t in window.findChildren(QTabWidget) if t.isVisible()]
    yield where
    for row in rows:
        at = row.currentIndex()
        for index in range(row.count()):
            if index == at or not row.isTabVisible(index):
                continue
            row.setCurrentIndex(index)
            qtbot.wait(10)
            yield f"{where} · {row.tabText(index).replace('&', '')}"
        row.setCurrentIndex(at)


def repeated_letters(window, qtbot) -> list[str]:
    """Every place where one Alt letter is carried by two labels on show together."""
    repeated = []
    for page, action_name in PAGES.items():
        if not getattr(window, action_name).isVisible():
            continue
        window.show_page(page)
        qtbot.wait(10)
        for where in every_arrangement(window, qtbot, page):
            repeated += [f"{where}: Alt+{letter.upper()} opens {' and '.join(labels)}"
                         for letter, labels in letters_on_show(window).items()
                         if len(labels) > 1]
    return sorted(set(repeated))


@pytest.fixture
def gp(vault_path, monkeypatch):
    """A solo GP who files, looks back and runs the practice: every role at once."""
    from clinfile.app.security.session import Session
    from clinfile.app.security.users import UserService

    admin = Session.login(vault_path, "admin", PASSWORDS["admin"])
    UserService(admin).add("gp", ["admin", "clinician", "reception"], GP_PASSWORD,
                           full_name="Dr Ana Silva")
    admin.lock()
    monkeypatch.setitem(PASSWORDS, "gp", GP_PASSWORD)


@pytest.mark.parametrize("user", ["reception", "clinician", "admin", "gp"])
def test_no_alt_letter_opens_two_things_on_show_together(
        qtbot, logged_in, workstation, corpus, tmp_path, request, user):
    if user == "gp":
        request.getfixturevalue("gp")
    drop = tmp_path / "drop"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop), outbox=str(tmp_path / "outbox"))
    shell = logged_in(user)
    qtbot.waitUntil(shell.window.isActiveWindow, timeout=5000)
    if shell.window.desk_action.isVisible():
        arrive(qtbot, shell, corpus, drop, 1)
        select_first(qtbot, shell, 1)
    assert repeated_letters(shell.window, qtbot) == []
