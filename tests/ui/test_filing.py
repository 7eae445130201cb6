"""Filing as a person does it: find the patient, describe, record consent, File with one key."""

from __future__ import annotations

import subprocess

from PySide6.QtCore import Qt

from tests.conftest import PASSWORDS
from tests.ui.helpers import (
    add_patients,
    arrive,
    choose_patient,
    describe,
    log_in_as_pictures_arrive,
    pick,
    record_verbal_consent,
    select_first,
)

PATIENTS = [
    ("10001", "Nguyen", "Mai", "1990-06-05", "Footscray"),
    ("10002", "Smith", "John", "1980-03-12", "Carlton"),
    ("10003", "Nguyen", "Minh", "1975-01-30", "Richmond"),
]


def test_drop_find_describe_consent_and_file_with_one_key(qtbot, logged_in, workstation,
                                                           vault_path, corpus, tmp_path):
    [mai, *_] = add_patients(vault_path, PATIENTS)
    drop, outbox = tmp_path / "drop", tmp_path / "outbox"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop), outbox=str(outbox))
    shell = logged_in("clinician")
    sources = arrive(qtbot, shell, corpus, drop, 3)
    qtbot.waitUntil(lambda: not any(drop.iterdir()), timeout=10000)

    select_first(qtbot, shell, 2)
    choose_patient(qtbot, shell, "nguyn mai 5/6/90")
    assert shell.desk_view.banner.name.text() == "NGUYEN, Mai"
    filing = shell.desk_controller.filing
    classify = filing.classify
    describe(qtbot, classify)
    assert "Needs consent" in filing.file_panel.basis.text()

    consent = record_verbal_consent(qtbot, shell)
    qtbot.waitUntil(lambda: filing.file_panel.chosen_consent == consent.id, timeout=5000)
    assert "2 pictures" in classify.together.text()
    assert filing.file_panel.file_button.text() == "File 2 pictures to NGUYEN, Mai"
    assert "Ctrl+Return" in filing.file_panel.file_button.toolTip()
    with qtbot.waitSignal(filing.summary_written, timeout=30000) as summary:
        qtbot.keyClick(shell.window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    line = shell.window.activity.text()
    assert line.startswith("Filed 2 pictures to NGUYEN, Mai (born 05/06/1990)")
    assert "clinical photo, left ankle (outer ankle bone)" in line and "outbox" in line

    from clinfile.app.filing.service import FilingService
    from clinfile.app.security.session import Session

    session = Session.login(vault_path, "clinician", PASSWORDS["clinician"])
    filed = FilingService(session).images_of(mai)
    assert len(filed) == 2 and {f.consent_id for f in filed} == {consent.id}
    assert filed[0].description == "itchy rash" and filed[0].body_site.laterality == "left"
    assert filed[0].episode_id == filed[1].episode_id

    [pdf] = summary.args[0].paths
    assert pdf.parent == outbox and pdf.exists()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "NGUYEN, Mai" in text
    assert not any(source.exists() for source in sources)

    inbox = shell.desk_view.inbox
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=10000)
    assert inbox.selected_ids() and inbox.list.hasFocus()
    assert shell.desk_view.banner.property("state") == "none"
    assert classify.description.text() == ""


def test_reception_cannot_record_spoken_consent_or_file_a_photo_without_it(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    add_patients(vault_path, PATIENTS)
    shell = log_in_as_pictures_arrive(qtbot, logged_in, workstation, corpus, tmp_path,
                                      "reception", 1)
    select_first(qtbot, shell, 1)
    choose_patient(qtbot, shell, "mai nguyen")
    filing = shell.desk_controller.filing
    describe(qtbot, filing.classify)

    qtbot.keyClick(shell.window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = filing.consent_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.obtained_by.text() == "reception"
    for box in dialog.told:
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10000)
    assert "obtained by a clinician" in dialog.message.text()
    assert dialog.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    qtbot.waitUntil(shell.window.isActiveWindow, timeout=5000)

    with qtbot.waitSignal(filing.filing_refused, timeout=10000) as refused:
        qtbot.keyClick(shell.window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert refused.args[0] in filing.file_panel.message.text()
    assert shell.desk_view.inbox.model.rowCount() == 1


def test_a_patient_sent_picture_is_filed_on_implied_consent(qtbot, logged_in, workstation,
                                                            vault_path, corpus, tmp_path):
    add_patients(vault_path, PATIENTS)
    shell = log_in_as_pictures_arrive(qtbot, logged_in, workstation, corpus, tmp_path,
                                      "reception", 1)
    select_first(qtbot, shell, 1)
    choose_patient(qtbot, shell, "mai nguyen")
    filing = shell.desk_controller.filing
    assert filing.classify.chosen_kind == "patient-sent"
    assert "implied by the patient sending it" in filing.file_panel.basis.text()
    pick(qtbot, filing.classify.site, "Ankle")
    pick(qtbot, filing.classify.side, "right")
    with qtbot.waitSignal(filing.summary_written, timeout=30000):
        qtbot.mouseClick(filing.file_panel.file_button, Qt.MouseButton.LeftButton)
    assert "sent by the patient, right ankle" in shell.window.activity.text()
    assert shell.desk_view.inbox.model.rowCount() == 0
