"""The retention tab: what is due, deleted only after a named confirmation, audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import shiboken6
from PySide6.QtCore import Qt

from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.deletion_list import due_for_deletion
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.retention import RetentionService
from clinfile.app.filing.service import FilingService
from clinfile.app.security.roles import PolicyRefused
from clinfile.app.security.session import Session
from clinfile.db.audit import AuditRepository
from tests.conftest import PASSWORDS
from tests.unit.app.consent.vault_rows import add_inbox_image, add_patient


def _pictures_filed_years_ago(vault_path, count: int, app_clock) -> list[int]:
    """File pictures to two patients on New Year's Day 2015, by the application's clock."""
    reception = Session.login(vault_path, "reception", PASSWORDS["reception"])
    vault = reception.vault
    patients = [add_patient(vault, "Nguyen", "Mai", "1950-01-02", "R-1"),
                add_patient(vault, "Smith", "Jo", "1960-03-04", "R-2")]
    images = [add_inbox_image(vault) for _ in range(count)]
    app_clock.hold(datetime(2015, 1, 1, tzinfo=UTC))
    for number, image in enumerate(images):
        FilingService(reception).file(FilingRequest(
            (image,), patients[number % 2], ImageKind.PATIENT_SENT,
            BodySite.parse("left-knee"), description=f"rash {number}"))
    app_clock.hold(None)
    reception.lock()
    return images


def _open_retention(qtbot, logged_in, count: int):
    shell = logged_in("admin")
    qtbot.keyClick(shell.window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(shell.window, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    retention = shell.admin.retention
    qtbot.waitUntil(lambda: shell.admin.tabs.currentWidget() is retention, timeout=5000)
    qtbot.waitUntil(lambda: retention.table.rowCount() == count, timeout=10000)
    return shell, retention


def _ask_to_delete_the_first_two(qtbot, shell, retention):
    """Choose the first two pictures due and press Delete, by keys; return the confirmation."""
    retention.table.setFocus()
    qtbot.keyClick(retention.table, Qt.Key.Key_Home)
    qtbot.keyClick(retention.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(shell.window, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: hasattr(retention, "delete_dialog"), timeout=5000)
    dialog = retention.delete_dialog
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_choose_and_delete_by_keyboard_alone(qtbot, logged_in, vault_path, app_clock):
    images = _pictures_filed_years_ago(vault_path, 3, app_clock)
    shell, retention = _open_retention(qtbot, logged_in, 3)
    assert retention.table.item(0, 1).text().startswith(("NGUYEN, Mai", "SMITH, Jo"))
    dialog = _ask_to_delete_the_first_two(qtbot, shell, retention)
    assert "2 pictures of 2 patients will be deleted" in dialog.findChildren(
        type(retention.message))[0].text()
    listed = [dialog.pictures.item(row).text() for row in range(dialog.pictures.count())]
    assert sorted(listed) == ["NGUYEN, Mai (record R-1): left knee, taken 20/11/2026",
                              "SMITH, Jo (record R-2): left knee, taken 20/11/2026"]
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(shell.window.isActiveWindow, timeout=5000)
    assert shell.tasks.wait_for_all()
    assert len(due_for_deletion(shell.desk.session)) == 3, "Return alone never deletes"

    qtbot.keyClick(shell.window, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    first = dialog
    qtbot.waitUntil(lambda: retention.delete_dialog is not first, timeout=5000)
    dialog = retention.delete_dialog
    qtbot.waitUntil(dialog.isActiveWindow)
    with qtbot.waitSignal(retention.deleted, timeout=15000) as deleted:
        qtbot.keyClick(dialog, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert sorted(deleted.args[0]) == images[:2]
    qtbot.waitUntil(lambda: retention.table.rowCount() == 1, timeout=10000)
    assert "deleted for good" in retention.message.text()
    assert retention.table.selectionModel().selectedRows() == [], "nothing chosen slides on"
    assert not retention.delete_button.isEnabled()
    with shell.desk.session.vault.index() as conn:
        rows = [r for r in AuditRepository(conn).rows() if r.action == "image.deleted"]
    assert [r.subject for r in rows] == [f"image {i}" for i in images[:2]]
    assert all("Retention period ended" in r.detail for r in rows)


def test_delete_by_mouse_needs_a_reason(qtbot, logged_in, vault_path, app_clock):
    _pictures_filed_years_ago(vault_path, 1, app_clock)
    shell, retention = _open_retention(qtbot, logged_in, 1)
    assert not retention.delete_button.isEnabled()
    rect = retention.table.visualItemRect(retention.table.item(0, 1))
    qtbot.mouseClick(retention.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseClick(retention.delete_button, Qt.MouseButton.LeftButton)
    dialog = retention.delete_dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.reason_edit.clear()
    assert not dialog.delete_button.isEnabled()
    qtbot.keyClicks(dialog.reason_edit, "patient asked; retention period over")
    with qtbot.waitSignal(retention.deleted, timeout=15000):
        qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: retention.table.rowCount() == 0, timeout=10000)
    qtbot.waitUntil(lambda: retention.count.text() == (
        "No picture is past its retention date. No picture is kept in any record yet."),
        timeout=10000)


@pytest.mark.parametrize("user", ["clinician", "reception"])
def test_only_admins_see_what_is_due(login, vault_path, user, app_clock):
    _pictures_filed_years_ago(vault_path, 1, app_clock)
    with pytest.raises(PolicyRefused):
        due_for_deletion(login(user))
    assert len(due_for_deletion(login("admin"))) == 1


def test_when_nothing_is_due_it_says_when_the_next_picture_falls_due(qtbot, logged_in,
                                                                     vault_path, app_clock):
    reception = Session.login(vault_path, "reception", PASSWORDS["reception"])
    patient = add_patient(reception.vault, "Nguyen", "Mai", "1950-01-02", "R-1")
    image = add_inbox_image(reception.vault)
    app_clock.hold(datetime(2026, 3, 2, 9, 0).astimezone())
    FilingService(reception).file(FilingRequest(
        (image,), patient, ImageKind.PATIENT_SENT, BodySite.parse("left-knee"),
        description="rash"))
    app_clock.hold(None)
    reception.lock()
    shell, retention = _open_retention(qtbot, logged_in, 0)
    qtbot.waitUntil(lambda: "falls due" in retention.count.text(), timeout=10000)
    assert retention.count.text() == (
        "No picture is past its retention date. The next falls due on 02/03/2033.")


def test_a_look_up_answering_after_the_tab_is_gone_is_let_go(qtbot, logged_in, vault_path,
                                                             app_clock):
    _pictures_filed_years_ago(vault_path, 1, app_clock)
    shell, retention = _open_retention(qtbot, logged_in, 1)
    with qtbot.assertNotEmitted(shell.errors.error_caught):
        retention.refresh()
        shiboken6.delete(retention)
        qtbot.waitUntil(lambda: shell.tasks.running() == 0, timeout=30000)


def test_a_picture_deleted_elsewhere_meanwhile_is_named_and_the_rest_go(
        qtbot, logged_in, vault_path, app_clock, login):
    images = _pictures_filed_years_ago(vault_path, 2, app_clock)
    shell, retention = _open_retention(qtbot, logged_in, 2)
    dialog = _ask_to_delete_the_first_two(qtbot, shell, retention)
    qtbot.waitUntil(dialog.isActiveWindow)
    RetentionService(login("admin")).delete([images[0]], "retention period ended")

    with qtbot.waitSignal(retention.deleted, timeout=15000) as deleted:
        qtbot.keyClick(dialog, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert deleted.args[0] == [images[1]]
    words = retention.message.text()
    assert words.startswith("1 picture was deleted for good")
    assert f"Picture {images[0]} was already deleted, by admin on " in words
    assert "not due" not in words
    qtbot.waitUntil(lambda: retention.table.rowCount() == 0, timeout=10000)
