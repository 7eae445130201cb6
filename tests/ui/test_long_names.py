"""A very long patient name is shortened with an ellipsis, whole in its tooltip, everywhere.

A surname of 10 000 letters (a bad import) must not widen any view past the
window at 1280 x 800, nor squeeze a button's words away.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QFileDialog, QWidget

from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.service import FilingService
from clinfile.app.security.session import Session
from tests.conftest import PASSWORDS
from tests.ui.helpers import choose_patient, log_in_as_pictures_arrive, select_first
from tests.ui.record_pictures import file_pictures
from tests.unit.app.consent.vault_rows import add_inbox_image, add_patient

SURNAME = "Wolfeschlegelsteinhausen" * 416 + "berger"  # 10 000 letters, no break
LONG_PATIENT = ("900777", SURNAME, "Hubert", "1960-02-29", "Richmond")


def _outside_the_window(window: QWidget) -> list[str]:
    """Visible widgets reaching past the window's right edge, and buttons missing words."""
    wrong = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not window:
            continue
        right = widget.mapTo(window, QPoint(widget.width(), 0)).x()
        if right > window.width():
            wrong.append(f"{type(widget).__name__} {widget.accessibleName()!r} ends at {right}")
        if isinstance(widget, QAbstractButton) and widget.text():
            words = getattr(widget, "shown_text", widget.text)().replace("&", "")
            if widget.width() < widget.fontMetrics().horizontalAdvance(words):
                wrong.append(f"button {words!r} is {widget.width()} wide")
    return wrong


def _settled(qtbot, shell) -> None:
    qtbot.wait(100)
    assert shell.window.width() == 1280, shell.window.width()


def test_the_record_view_keeps_a_very_long_name_inside_the_window(
        qtbot, logged_in, vault_path, corpus, tmp_path):
    file_pictures(vault_path, corpus, tmp_path, [(0, "left-ankle", "rash")],
                  patients=[LONG_PATIENT])
    shell = logged_in("clinician")
    shell.window.resize(1280, 800)
    qtbot.keyClick(shell.window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    panel = shell.record_view.patient_panel
    with qtbot.waitSignal(shell.record.searched, timeout=10000,
                          check_params_cb=lambda r: r.query.text == "900777"):
        qtbot.keyClicks(panel.search_edit, "900777")
    qtbot.waitUntil(lambda: panel.candidates.count() == 1, timeout=10000)
    _settled(qtbot, shell)
    assert _outside_the_window(shell.window) == []
    assert SURNAME.upper() in panel.candidates.item(0).toolTip()

    with qtbot.waitSignal(shell.record.record_shown, timeout=15000):
        qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    _settled(qtbot, shell)
    assert _outside_the_window(shell.window) == []
    banner = shell.record_view.banner.name
    assert SURNAME.upper() in banner.toolTip()
    assert banner.shown_text().startswith("WOLFESCHLEGEL") and "…" in banner.shown_text()
    assert banner.shown_text().endswith("BERGER, Hubert")
    history = shell.record_view.details.facts["history"]
    assert "…" in history.text() and SURNAME.upper() in history.toolTip()


def test_the_desk_keeps_a_very_long_name_inside_the_window(
        qtbot, logged_in, vault_path, workstation, corpus, tmp_path):
    admin = Session.login(vault_path, "admin", PASSWORDS["admin"])
    add_patient(admin.vault, SURNAME, "Hubert", "1960-02-29", "900777")
    admin.lock()
    shell = log_in_as_pictures_arrive(qtbot, logged_in, workstation, corpus, tmp_path,
                                      "reception", 1)
    shell.window.resize(1280, 800)
    select_first(qtbot, shell, 1)
    choose_patient(qtbot, shell, "900777")
    _settled(qtbot, shell)
    assert _outside_the_window(shell.window) == []
    assert SURNAME.upper() in shell.desk_controller.panel.candidates.item(0).toolTip()
    file_button = shell.desk_controller.filing.file_panel.file_button
    assert file_button.shown_text().startswith("File 1 picture to WOLFESCH")
    assert file_button.shown_text().endswith("…")
    assert SURNAME.upper() in file_button.toolTip()

    qtbot.keyClick(shell.window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = shell.desk_controller.filing.consent_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.wait(50)
    assert dialog.width() <= 1280 and _outside_the_window(dialog) == []
    dialog.reject()


def test_the_retention_table_keeps_a_very_long_name_inside_the_window(
        qtbot, logged_in, vault_path, app_clock):
    reception = Session.login(vault_path, "reception", PASSWORDS["reception"])
    patient = add_patient(reception.vault, SURNAME, "Hubert", "1960-02-29", "900777")
    image = add_inbox_image(reception.vault)
    app_clock.hold(datetime(2015, 1, 1, tzinfo=UTC))
    FilingService(reception).file(FilingRequest(
        (image,), patient, ImageKind.PATIENT_SENT, BodySite.parse("left-knee"),
        description="rash"))
    app_clock.hold(None)
    reception.lock()
    shell = logged_in("admin")
    shell.window.resize(1280, 800)
    qtbot.keyClick(shell.window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(shell.window, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    retention = shell.admin.retention
    qtbot.waitUntil(lambda: retention.table.rowCount() == 1, timeout=10000)
    _settled(qtbot, shell)
    assert _outside_the_window(shell.window) == []
    table = retention.table
    assert table.horizontalHeader().length() <= table.viewport().width()
    assert SURNAME.upper() in table.item(0, 1).toolTip()

    rect = table.visualItemRect(table.item(0, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseClick(retention.delete_button, Qt.MouseButton.LeftButton)
    dialog = retention.delete_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.wait(50)
    assert dialog.width() <= 1280 and _outside_the_window(dialog) == []
    assert SURNAME.upper() in dialog.pictures.item(0).toolTip()
    dialog.reject()


def test_the_patient_list_preview_keeps_a_very_long_surname_inside_its_table(
        qtbot, logged_in, tmp_path, monkeypatch):
    export = tmp_path / "patients.csv"
    export.write_text("Record No,Surname,First Name,DOB,Suburb\r\n"
                      f"900777,{SURNAME},Hubert,29/02/1960,Richmond\r\n", encoding="utf-8")
    shell = logged_in("admin")
    shell.window.resize(1280, 800)
    qtbot.keyClick(shell.window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    admin = shell.admin
    bar = admin.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                     pos=bar.tabRect(admin.tabs.indexOf(admin.patients)).center())
    tab = admin.patients
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(export), ""))
    with qtbot.waitSignal(tab.previewed, timeout=10000):
        qtbot.mouseClick(tab.browse_button, Qt.MouseButton.LeftButton)
    _settled(qtbot, shell)
    assert _outside_the_window(shell.window) == []
    assert tab.preview.horizontalHeader().length() <= tab.preview.viewport().width()
    surname = tab.preview.item(0, 1)
    assert surname.text().endswith("…") and surname.toolTip() == SURNAME


def test_the_audit_tab_shortens_a_very_long_name_so_no_row_outgrows_the_table(
        qtbot, logged_in, vault_path, corpus, tmp_path):
    han = "漢" * 10_000
    file_pictures(vault_path, corpus, tmp_path, [(0, "left-ankle", "rash")],
                  patients=[("900778", han, "Hubert", "1960-02-29", "Richmond")])
    shell = logged_in("admin")
    shell.window.resize(1280, 800)
    qtbot.keyClick(shell.window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    audit = shell.admin.audit
    with qtbot.waitSignal(audit.shown, timeout=10000):
        qtbot.keyClick(shell.window, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    table = audit.table
    qtbot.waitUntil(lambda: table.rowCount() > 0, timeout=10000)
    _settled(qtbot, shell)
    filed = [row for row in range(table.rowCount()) if han in table.item(row, 3).toolTip()]
    assert filed, "no audit row names the patient"
    for row in filed:
        assert "…" in table.item(row, 3).text() and len(table.item(row, 3).text()) < 200
        assert table.rowHeight(row) < table.viewport().height() / 4, table.rowHeight(row)
    assert _outside_the_window(shell.window) == []
