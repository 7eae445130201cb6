"""Reporting a wrongly sent picture from the patient's record, and the record showing it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from tests.ui.record_pictures import file_pictures
from tests.ui.saving import save_as
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

    qtbot.keyClick(timeline, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
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
    box = _confirmation(qtbot, commands)
    assert "Print its one-page summary" in box.text()
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: timeline.hasFocus() and shell.window.isActiveWindow(), timeout=5000)
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


def _confirmation(qtbot, commands):
    """The box saying the report is recorded, once it is in front and takes keys."""
    qtbot.waitUntil(lambda: commands.incident_box is not None
                    and shiboken6.isValid(commands.incident_box)
                    and commands.incident_box.isActiveWindow(), timeout=10000)
    return commands.incident_box


def _summary_text(path) -> str:
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())


def test_reception_reports_a_wrongly_sent_picture_by_mouse_and_saves_its_summary(
        qtbot, logged_in, workstation, exported, tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    workstation.remember(outbox=str(outbox))
    shell = logged_in("reception")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    commands = shell.record.commands
    shell.record_view.timeline.choose([exported[0]])
    assert commands.incident_button.isEnabled()
    qtbot.mouseClick(commands.incident_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: commands.incident_dialog is not None
                    and commands.incident_dialog.isVisible(), timeout=10000)
    dialog = commands.incident_dialog
    qtbot.mouseClick(dialog.sent_to_edit, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.sent_to_edit, "Carlton Skin front desk")
    qtbot.mouseClick(dialog.actions_edit.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.actions_edit, "Told Dr Patel; asked them to delete it.")
    with qtbot.waitSignal(commands.incident_reported, timeout=20000) as reported:
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert reported.args[0].row.reported_by == "reception"

    box = _confirmation(qtbot, commands)
    saving = next(b for b in box.buttons() if "as PDF" in b.text())
    qtbot.mouseClick(saving, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: commands.summary_dialog is not None
                    and commands.summary_dialog.isVisible(), timeout=5000)
    assert Path(commands.summary_dialog.directory().absolutePath()) == outbox, \
        "the summary starts where the practice's other outputs go"
    with qtbot.waitSignal(commands.incident_summary_saved, timeout=20000):
        save_as(qtbot, commands.summary_dialog, tmp_path / "incident.pdf")
    text = _summary_text(tmp_path / "incident.pdf")
    assert "Carlton Skin front desk" in text and "Told Dr Patel" in text
    qtbot.waitUntil(lambda: "summary is saved" in shell.record_view.status.text(),
                    timeout=5000)


def test_the_reporter_saves_the_summary_by_keyboard_but_no_one_elses(
        qtbot, logged_in, login, exported, tmp_path):
    from datetime import date

    from clinfile.app.incidents.service import IncidentReport, IncidentService
    from clinfile.app.security.roles import PolicyRefused

    admin = login("admin")
    service = IncidentService(admin)
    [export] = service.exports()
    earlier = service.report(IncidentReport(export.seq, "the PDF", "Dr Other", date.today(),
                                            "Phoned them."))
    admin.lock()
    shell = logged_in("reception")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    commands = shell.record.commands
    timeline = shell.record_view.timeline
    timeline.choose([exported[0]])
    timeline.setFocus()
    qtbot.keyClick(timeline, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: commands.incident_dialog is not None
                    and commands.incident_dialog.isVisible(), timeout=10000)
    dialog = commands.incident_dialog
    dialog.sent_to_edit.setFocus()
    qtbot.keyClicks(dialog.sent_to_edit, "A wrong fax number")
    dialog.actions_edit.setFocus()
    qtbot.keyClicks(dialog.actions_edit, "Rang the number; no answer.")
    with qtbot.waitSignal(commands.incident_reported, timeout=20000):
        dialog.record_button.setFocus()
        qtbot.keyClick(dialog.record_button, Qt.Key.Key_Space)

    box = _confirmation(qtbot, commands)
    qtbot.keyClick(box, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: commands.summary_dialog is not None
                    and commands.summary_dialog.isVisible(), timeout=5000)
    with qtbot.waitSignal(commands.incident_summary_saved, timeout=20000):
        save_as(qtbot, commands.summary_dialog, tmp_path / "mine.pdf")
    assert "A wrong fax number" in _summary_text(tmp_path / "mine.pdf")
    reception = IncidentService(shell.desk.session)
    with pytest.raises(PolicyRefused):
        reception.all()
    with pytest.raises(PolicyRefused):
        reception.write_summary(earlier.row.id, tmp_path / "theirs.pdf")
    assert not (tmp_path / "theirs.pdf").exists()


def test_each_export_offered_shows_its_folder_cut_in_the_middle_and_whole_on_hover(
        qtbot, logged_in, login, vault_path, corpus, tmp_path):
    from clinfile.app.consent.vocabulary import Purpose, Recipient, RecipientClass
    from clinfile.app.desk.exports import ExportRequest, export_record

    patients, ids = file_pictures(vault_path, corpus, tmp_path, PLAN)
    doctor = login("clinician")
    folders = []
    for n, (chosen, name) in enumerate((((ids[0],), "Footscray Wound Clinic"),
                                        ((ids[0], ids[1]), "Carlton Skin Clinic"))):
        folder = tmp_path.joinpath("Shared", "Practice outbox", "Referrals and letters",
                                   f"2026 week {n}", f"to {name}")
        folder.mkdir(parents=True)
        folders.append(folder)
        export_record(doctor, ExportRequest(patients[0], Purpose.CLINICAL_CARE,
                                            Recipient(group=RecipientClass.TREATING_TEAM),
                                            "pdf", folder, chosen))
    doctor.lock()

    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    commands = shell.record.commands
    timeline = shell.record_view.timeline
    timeline.choose([ids[0]])
    qtbot.keyClick(timeline, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: commands.incident_dialog is not None
                    and commands.incident_dialog.isVisible(), timeout=10000)
    box = commands.incident_dialog.export_box
    metrics = box.fontMetrics()
    texts = [box.itemText(i) for i in range(box.count())]
    assert len(texts) == 2
    for text, folder, count in zip(texts, reversed(folders), ("2 pictures", "1 picture"),
                                   strict=True):
        assert f"{count} for the treating team  ·  " in text
        assert "NGUYEN" not in text, "the record lists its own patient's exports only"
        shown = text.split("  ·  ")[-1]
        assert shown.startswith("/t") and "…" in shown
        assert shown.endswith(f"/{folder.name}"), "the folder's own name tells them apart"
        assert metrics.horizontalAdvance(text) < box.width()
    assert [box.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(2)] == \
        [str(f) for f in reversed(folders)]
    assert box.toolTip() == str(folders[1])
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.toolTip() == str(folders[0])


def test_every_command_above_the_timeline_has_its_own_alt_letter_a_person_can_see(
        qtbot, logged_in, exported):
    """An underline under a letter that reaches below the line (g, j, p, q, y) is lost in it."""
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    row = shell.record_view.commands
    buttons = [row.itemAt(i).widget() for i in range(row.count())
               if isinstance(row.itemAt(i).widget(), QPushButton)]
    letters = {button.text().replace("&&", "").partition("&")[2][:1].lower(): button.text()
               for button in buttons}
    assert "" not in letters, letters
    assert len(letters) == len(buttons), letters
    assert not set(letters) & set("gjpqy"), letters


def test_a_runaway_name_is_cut_so_what_was_sent_fits_its_limit(
        qtbot, logged_in, vault_path, corpus, tmp_path, login):
    from clinfile.app.consent.vocabulary import Purpose, Recipient, RecipientClass
    from clinfile.app.desk.exports import ExportRequest, export_record
    from clinfile.app.incidents.service import LONGEST
    from tests.ui.test_long_names import LONG_PATIENT

    patients, ids = file_pictures(vault_path, corpus, tmp_path, [(0, "left-ankle", "rash")],
                                  patients=[LONG_PATIENT])
    folder = tmp_path / "sent"
    folder.mkdir()
    doctor = login("clinician")
    export_record(doctor, ExportRequest(patients[0], Purpose.CLINICAL_CARE,
                                        Recipient(group=RecipientClass.TREATING_TEAM), "pdf",
                                        folder, (ids[0],)))
    doctor.lock()
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "900777")
    commands = shell.record.commands
    timeline = shell.record_view.timeline
    timeline.choose([ids[0]])
    qtbot.keyClick(timeline, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: commands.incident_dialog is not None
                    and commands.incident_dialog.isVisible(), timeout=10000)
    dialog = commands.incident_dialog
    what = dialog.what_edit.toPlainText()
    assert len(what) <= LONGEST["what_was_sent"]
    assert what.startswith("1 picture of WOLFESCHLEGEL") and "…" in what
    assert "record 900777" in what and what.endswith("meant for the treating team.")
    dialog.sent_to_edit.setFocus()
    qtbot.keyClicks(dialog.sent_to_edit, "Dr B Smith, Carlton Skin")
    dialog.actions_edit.setFocus()
    qtbot.keyClicks(dialog.actions_edit, "Phoned; they deleted it.")
    assert dialog.record_button.isEnabled(), dialog.message.text()
    dialog.reject()
