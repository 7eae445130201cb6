"""Reporting a picture sent to the wrong person, by keyboard and by mouse, and its summary."""

from __future__ import annotations

import subprocess

import pytest
from PySide6.QtCore import Qt

from clinfile.app.security.users import UserService
from clinfile.db.audit import AuditRepository
from tests.ui.saving import save_as
from tests.unit.app.cli.calling import as_user
from tests.unit.app.incidents.sending import export_a_picture

pytestmark = pytest.mark.slow


def _open_incidents(qtbot, logged_in):
    shell = logged_in("admin")
    qtbot.keyClick(shell.window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(shell.window, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    incidents = shell.admin.incidents
    qtbot.waitUntil(lambda: shell.admin.tabs.currentWidget() is incidents, timeout=5000)
    return shell, incidents


def test_report_and_save_the_summary_by_keyboard_alone(qtbot, logged_in, vault_path, corpus,
                                                       tmp_path):
    patient, seq = export_a_picture(vault_path, corpus, tmp_path)
    shell, incidents = _open_incidents(qtbot, logged_in)
    qtbot.keyClick(shell.window, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: hasattr(incidents, "dialog"), timeout=10000)
    dialog = incidents.dialog
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    assert dialog.export_box.currentData() == seq
    assert dialog.what_edit.toPlainText().startswith("1 picture of NGUYEN, Mai")
    assert dialog.message.text() == "Say who received it."
    assert not dialog.record_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(dialog.sent_to_edit, "Dr B Smith, Carlton Skin (meant for Dr B Smyth)")
    qtbot.keyClick(dialog, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert dialog.actions_edit.hasFocus()
    qtbot.keyClicks(dialog.actions_edit, "Phoned Dr Smith, who deleted it; patient told.")
    with qtbot.waitSignal(incidents.reported, timeout=15000) as reported:
        qtbot.keyClick(dialog, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    incident = reported.args[0]
    assert incident.row.export_seq == seq and incident.row.patient_id == patient
    qtbot.waitUntil(lambda: incidents.table.rowCount() == 1, timeout=10000)
    qtbot.waitUntil(shell.window.isActiveWindow, timeout=5000)

    qtbot.keyClick(shell.window, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: hasattr(incidents, "save_dialog"), timeout=5000)
    with qtbot.waitSignal(incidents.summary_written, timeout=20000) as written:
        save_as(qtbot, incidents.save_dialog, tmp_path / "incident.pdf")
    assert written.args[0] == tmp_path / "incident.pdf"
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "incident.pdf"), "-"],
                                   capture_output=True, text=True, check=True).stdout.split())
    assert "patient privacy has been breached" in text
    assert "NGUYEN, Mai" in text and "Dr B Smith, Carlton Skin" in text
    with shell.desk.session.vault.index() as conn:
        actions = [r.action for r in AuditRepository(conn).rows()]
    assert "incident.reported" in actions and "incident.summary_printed" in actions


def test_report_by_mouse(qtbot, logged_in, login, vault_path, corpus, tmp_path):
    export_a_picture(vault_path, corpus, tmp_path)
    UserService(login("admin")).set_full_name("admin", "Jo Bloggs")
    shell, incidents = _open_incidents(qtbot, logged_in)
    qtbot.mouseClick(incidents.report_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hasattr(incidents, "dialog"), timeout=10000)
    dialog = incidents.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    qtbot.mouseClick(dialog.sent_to_edit, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.sent_to_edit, "the patient's former partner")
    qtbot.mouseClick(dialog.actions_edit.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.actions_edit, "Asked them to delete it; advice sought from Avant.")
    with qtbot.waitSignal(incidents.reported, timeout=15000):
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: incidents.table.rowCount() == 1, timeout=10000)
    assert incidents.table.item(0, 4).text() == "the patient's former partner"
    assert incidents.table.item(0, 2).text() == "Jo Bloggs (admin)"
    assert "is recorded and linked to the export" in incidents.message.text()


def test_the_export_picker_tells_two_exports_apart(qtbot, logged_in, vault_path, corpus,
                                                   tmp_path):
    export_a_picture(vault_path, corpus, tmp_path)
    code, _, err = as_user(vault_path, "clinician", "export", "--patient", "MN1990",
                           "--purpose", "clinical-care", "--recipient", "treating-team",
                           "--format", "pdf", "--out", str(tmp_path / "for the ward"))
    assert code == 0, err
    shell, incidents = _open_incidents(qtbot, logged_in)
    qtbot.mouseClick(incidents.report_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hasattr(incidents, "dialog"), timeout=10000)
    box = incidents.dialog.export_box
    texts = [box.itemText(i) for i in range(box.count())]
    assert len(texts) == 2
    assert "for the ward" in texts[0] and "sent" in texts[1].split("·")[-1]
    for text in texts:
        assert "NGUYEN, Mai" in text and "1 picture" in text and "treating team" in text
