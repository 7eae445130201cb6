"""A person disabled by the practice manager while their window is open is shut out at once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from clinfile.app.security.session import Session
from clinfile.app.security.users import UserService
from tests.conftest import PASSWORDS
from tests.ui.record_pictures import file_pictures
from tests.ui.test_record import PLAN, open_record_by_keyboard

SHUT_OUT = "Your account was disabled by the practice manager"


@pytest.fixture
def filed(vault_path, corpus, tmp_path):
    return file_pictures(vault_path, corpus, tmp_path, PLAN)


def _disable_at_another_computer(vault_path, name: str) -> None:
    admin = Session.login(vault_path, "admin", PASSWORDS["admin"])
    UserService(admin).disable(name)
    admin.lock()


def _nothing_of_the_patient_shows(shell) -> None:
    assert shell.window.current_page() == "login"
    assert shell.record.record is None
    assert shell.record_view.timeline.picture_ids() == []
    assert SHUT_OUT in shell.window.login.message.text()


def test_the_next_act_of_a_disabled_clinician_shows_the_log_in_page_and_says_why(
        qtbot, logged_in, filed):
    shell = logged_in("clinician")
    shell._vault_watch.stop()  # only the act itself may find it out here
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    _disable_at_another_computer(shell.desk.session.vault.layout.root, "clinician")

    qtbot.keyClick(shell.record_view.timeline, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: shell.window.current_page() == "login", timeout=10000)
    _nothing_of_the_patient_shows(shell)
    assert "ask them" in shell.window.login.message.text()


def test_the_window_of_a_disabled_clinician_is_shut_without_waiting_for_an_act(
        qtbot, logged_in, filed):
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    _disable_at_another_computer(shell.desk.session.vault.layout.root, "clinician")
    qtbot.waitUntil(lambda: shell.window.current_page() == "login", timeout=10000)
    _nothing_of_the_patient_shows(shell)


def test_keys_changed_for_someone_else_only_locks_the_window(qtbot, logged_in, filed):
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    _disable_at_another_computer(shell.desk.session.vault.layout.root, "reception")
    qtbot.keyClick(shell.record_view.timeline, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: shell.window.current_page() == "lock", timeout=10000)
    assert "changed the vault's keys" in shell.window.lock_view.reason.text()


def test_the_log_in_page_keeps_its_boxes_whole_under_a_three_line_message(qtbot, logged_in):
    from clinfile.app.vault.errors import DisabledMeanwhile

    shell = logged_in("reception")
    shell.log_out()
    login = shell.window.login
    login.show_refusal(str(DisabledMeanwhile()))
    qtbot.waitUntil(lambda: login.message.isVisible())
    qtbot.wait(50)
    for box in (login.user_edit, login.password_edit):
        assert box.height() >= box.sizeHint().height()
    assert login.message.height() >= login.message.heightForWidth(login.message.width())
