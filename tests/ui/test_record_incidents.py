"""Reporting a wrongly sent picture from the patient's record, and the record showing it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.record_pictures import file_pictures
from tests.ui.test_record import PLAN, open_record_by_keyboard


@pytest.fixture
def exported(vault_path, corpus, tmp_path, login):
    """Mai Nguyen's pictures filed, the newest exported once for her care, a third never."""
    from clinfile.app.consent.vocabulary import Purpose, Recipient, RecipientClass
    from clinfile.app.desk.exports import ExportRequest, export_record

    patients, ids = file_pictures(vault_path, corpus, tmp_path, PLAN)
    folder = tmp_path / "sent"
    folder.mkdir()
    doctor = login("clinician")
    export_record(doctor, ExportRequest(patients[0], Purpose.CLINICAL_CARE,
                                        Recipient(group=RecipientClass.TREATING_TEAM), "pdf",
                                        folder, (ids[0],)))
    doctor.lock()
    return ids


def test_a_wrongly_sent_picture_is_reported_from_the_record_by_keyboard(
        qtbot, logged_in, exported):
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    commands = shell.record.commands
    timeline = shell.record_view.timeline
    timeline.choose([exported[0]])
    assert commands.incident_button.isEnabled()

    qtbot.keyClick(timeline, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: commands.incident_dialog is not None
                    and commands.incident_dialog.isVisible(), timeout=10000)
    dialog = commands.incident_dialog
    assert dialog.export_box.count() == 1
    assert "treating team" in dialog.export_box.currentText()
    dialog.sent_to_edit.setFocus()
    qtbot.keyClicks(dialog.sent_to_edit, "Dr B Smith, Carlton Skin")
    dialog.actions_edit.setFocus()
    qtbot.keyClicks(dialog.actions_edit, "Phoned; they deleted it.")
    assert dialog.record_button.isEnabled()
    with qtbot.waitSignal(commands.incident_reported, timeout=20000):
        dialog.record_button.setFocus()
        qtbot.keyClick(dialog.record_button, Qt.Key.Key_Space)

    qtbot.waitUntil(lambda: "Incident 1 is recorded" in shell.record_view.status.text(),
                    timeout=10000)
    qtbot.waitUntil(lambda: [p.image_id for p in timeline.chosen()] == [exported[0]],
                    timeout=10000)
    exports = shell.record_view.details.facts["exports"].text()
    assert "exported by" in exports
    assert "Incident 1: reached Dr B Smith, Carlton Skin by mistake" in exports
    timeline.choose([exported[1]])
    assert "Incident" not in shell.record_view.details.facts["exports"].text()


def test_a_picture_never_exported_offers_no_report(qtbot, logged_in, exported):
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    shell.record_view.timeline.choose([exported[1]])
    button = shell.record.commands.incident_button
    assert not button.isEnabled()
    assert "Never exported" in button.toolTip()


def test_reception_is_told_who_records_a_wrongly_sent_picture(qtbot, logged_in, exported):
    shell = logged_in("reception")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    shell.record_view.timeline.choose([exported[0]])
    button = shell.record.commands.incident_button
    assert not button.isEnabled()
    assert "clinician or the practice manager" in button.toolTip()
