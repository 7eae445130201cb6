"""The filing desk never files to the wrong patient, nor from a key pressed in a dialog."""

from __future__ import annotations

import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.conftest import PASSWORDS
from tests.ui.helpers import (
    add_patients,
    arrive,
    choose_patient,
    log_in_as_pictures_arrive,
    pick,
    select_first,
)

PATIENTS = [
    ("10001", "Nguyen", "Mai", "1990-06-05", "Footscray"),
    ("10002", "Smith", "John", "1980-03-12", "Carlton"),
]


def _reception_with_pictures(qtbot, logged_in, workstation, vault_path, corpus, tmp_path,
                             count: int):
    ids = add_patients(vault_path, PATIENTS)
    shell = log_in_as_pictures_arrive(qtbot, logged_in, workstation, corpus, tmp_path,
                                      "reception", count)
    return shell, ids


def _showing(shell, words: str) -> bool:
    banner = shell.desk_view.banner
    button = shell.desk_controller.filing.file_panel.file_button
    return words in banner.name.text() or words in button.text()


def test_pictures_the_patient_was_not_chosen_for_clear_the_choice(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    shell, _ids = _reception_with_pictures(qtbot, logged_in, workstation, vault_path, corpus,
                                           tmp_path, 4)
    select_first(qtbot, shell, 2)
    choose_patient(qtbot, shell, "mai nguyen")
    filing = shell.desk_controller.filing
    assert filing.file_panel.file_button.text() == "File 2 pictures to NGUYEN, Mai"

    inbox = shell.desk_view.inbox
    inbox.list.setFocus()
    qtbot.keyClick(inbox.list, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(filing.selected) == 1, timeout=5000)
    assert shell.desk_view.banner.name.text() == "NGUYEN, Mai"
    assert filing.file_panel.file_button.text() == "File 1 picture to NGUYEN, Mai"

    qtbot.keyClick(inbox.list, Qt.Key.Key_Down)
    qtbot.keyClick(inbox.list, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(filing.selected) == 2, timeout=5000)
    assert not _showing(shell, "NGUYEN")
    assert shell.desk_view.banner.property("state") == "none"
    assert filing.patient is None

    panel = shell.desk_controller.panel
    qtbot.keyClicks(panel.search_edit, "smith john")
    qtbot.waitUntil(lambda: panel.candidates.count() > 0, timeout=10000)
    assert not _showing(shell, "NGUYEN")
    assert filing.file_panel.file_button.text() == "Choose the patient to file 2 pictures"


def test_a_picture_ctrl_clicked_into_the_selection_says_why_the_patient_was_cleared(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    shell, _ids = _reception_with_pictures(qtbot, logged_in, workstation, vault_path, corpus,
                                           tmp_path, 2)
    select_first(qtbot, shell, 1)
    choose_patient(qtbot, shell, "mai nguyen")
    filing = shell.desk_controller.filing
    pick(qtbot, filing.classify.site, "Forearm")
    panel, banner = filing.file_panel, shell.desk_view.banner
    assert panel.file_button.text() == "File 1 picture to NGUYEN, Mai"

    inbox = shell.desk_view.inbox
    second = inbox.list.visualRect(inbox.model.index(1, 0)).center()
    qtbot.mouseClick(inbox.list.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ControlModifier, second)
    qtbot.waitUntil(lambda: len(filing.selected) == 2, timeout=5000)
    assert banner.name.text() == "No patient chosen yet"
    assert banner.details.text() == "Search again for these 2 pictures."
    assert panel.file_button.text() == "Choose the patient to file 2 pictures"
    assert panel.message.text() == (
        "The added picture may be someone else's, so NGUYEN, Mai and the description were "
        "cleared. Choose the patient for all 2 pictures (Ctrl+F).")
    assert filing.classify.site.currentData() != "forearm"

    qtbot.keyClick(shell.window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert panel.message.text().startswith("Choose the patient first")
    assert inbox.model.rowCount() == 2


def test_return_in_the_consent_dialog_records_it_and_never_files(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    shell, [mai, _john] = _reception_with_pictures(qtbot, logged_in, workstation, vault_path,
                                                   corpus, tmp_path, 1)
    select_first(qtbot, shell, 1)
    choose_patient(qtbot, shell, "mai nguyen")
    filing = shell.desk_controller.filing
    pick(qtbot, filing.classify.site, "Ankle")
    pick(qtbot, filing.classify.side, "right")

    qtbot.keyClick(shell.window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = filing.consent_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.method_buttons[dialog.method].text().startswith("Implied")
    assert dialog.obtained_by.text() == "reception"
    dialog.obtained_by.setFocus()
    with qtbot.assertNotEmitted(filing.filed, wait=1500):
        with qtbot.waitSignal(filing.consent_recorded, timeout=10000) as recorded:
            qtbot.keyClick(dialog.obtained_by, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not dialog.isVisible() and shell.window.isActiveWindow(),
                        timeout=5000)
        focused = shell.window.focusWidget() or shell.window
        qtbot.keyClick(focused, Qt.Key.Key_Return)
        qtbot.keyClick(focused, Qt.Key.Key_Enter)
    assert shell.desk_view.inbox.model.rowCount() == 1

    consent = recorded.args[0]
    panel = filing.file_panel
    qtbot.waitUntil(lambda: panel.chosen_consent == consent.id, timeout=5000)
    assert panel.consents.currentText().startswith("Implied consent of ")
    assert consent.code in panel.consents.currentText()
    assert "given by the patient, obtained by reception" in panel.basis.text()
    with qtbot.waitSignal(filing.filed, timeout=10000):
        qtbot.keyClick(shell.window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    from clinfile.app.filing.service import FilingService
    from clinfile.app.security.session import Session

    session = Session.login(vault_path, "reception", PASSWORDS["reception"])
    [filed] = FilingService(session).images_of(mai)
    assert filed.consent_id == consent.id


def test_the_desk_and_the_summary_say_who_decided_who_obtained_and_where_it_came_from(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    add_patients(vault_path, PATIENTS)
    drop, outbox = tmp_path / "drop", tmp_path / "outbox"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop), outbox=str(outbox))
    shell = logged_in("clinician")
    arrive(qtbot, shell, corpus, drop, 1)
    select_first(qtbot, shell, 1)
    choose_patient(qtbot, shell, "mai nguyen")
    filing = shell.desk_controller.filing
    pick(qtbot, filing.classify.kind, "Clinical")
    pick(qtbot, filing.classify.site, "Ankle")
    pick(qtbot, filing.classify.side, "left")
    classify = filing.classify
    assert "sent in by the patient through the drop folder" in classify.together.text()
    assert "you" not in classify.taken_by.placeholderText()

    qtbot.keyClick(shell.window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = filing.consent_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.obtained_by.text() == "clinician"
    qtbot.mouseClick(dialog.substitute, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.decider, "Lan Nguyen")
    qtbot.keyClicks(dialog.relationship, "mother")
    qtbot.keyClicks(dialog.note, "lacks capacity after a head injury")
    for box in dialog.told:
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(filing.consent_recorded, timeout=10000) as recorded:
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    consent = recorded.args[0]
    panel = filing.file_panel
    qtbot.waitUntil(lambda: panel.chosen_consent == consent.id, timeout=5000)
    said = "given by Lan Nguyen (mother), for the patient, obtained by clinician"
    named = f"Verbal consent of {consent.obtained_on:%d/%m/%Y} ({consent.code})"
    assert panel.consents.currentText() == named
    assert said in panel.basis.text()
    panel.window().resize(1280, 800)
    qtbot.waitUntil(lambda: panel.consents.width() > panel.consents.fontMetrics()
                    .horizontalAdvance(named) + 20, timeout=5000)

    qtbot.waitUntil(shell.window.isActiveWindow, timeout=5000)
    with qtbot.waitSignal(filing.summary_written, timeout=30000) as summary:
        qtbot.keyClick(shell.window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    [pdf] = summary.args[0].paths
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert f"Verbal consent of {consent.obtained_on:%d/%m/%Y} ({consent.code}): {said}" in text
    assert "the patient's verbal consent" not in text
    assert "sent in by the patient through the drop folder" in text
    taken = text.split("Taken", 1)[1].split("Secondary image", 1)[0]
    assert "clinician" not in taken


def _hand_filed_without_a_side(qtbot, logged_in, workstation, vault_path, corpus, tmp_path,
                               pictures: int):
    """Choose a picture and the patient, say "Hand" and no side, and try to file it."""
    shell, _ids = _reception_with_pictures(qtbot, logged_in, workstation, vault_path, corpus,
                                           tmp_path, pictures)
    select_first(qtbot, shell, 1)
    choose_patient(qtbot, shell, "mai nguyen")
    filing = shell.desk_controller.filing
    pick(qtbot, filing.classify.site, "Hand")
    with qtbot.waitSignal(filing.filing_refused, timeout=10000) as refused:
        qtbot.keyClick(shell.window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    return shell, filing, refused.args[0]


def test_a_missing_side_is_asked_for_in_the_lists_words_at_the_side_field(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    shell, filing, refusal = _hand_filed_without_a_side(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path, 1)
    side = filing.classify.side
    sides = [side.itemText(row) for row in range(side.count())]
    assert refusal == f"Say which side of the hand: {sides[0]}, {sides[1]} or {sides[2]}."
    assert side.property("problem") is True and side.hasFocus()

    qtbot.keyClicks(side, "right")
    assert not side.property("problem")
    with qtbot.waitSignal(filing.filed, timeout=10000):
        qtbot.keyClick(shell.window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_the_side_asked_for_is_no_longer_red_once_the_pictures_are_filed(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    shell, filing, _refusal = _hand_filed_without_a_side(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path, 2)
    side = filing.classify.side
    assert side.property("problem") is True

    # A new word, not "hand" + "chest": the list's type-ahead starts again only once
    # more than the keyboard interval has passed since the last key.
    qtbot.wait(2 * QApplication.keyboardInputInterval())
    pick(qtbot, filing.classify.site, "chest")
    assert filing.classify.site.currentText().lower().startswith("chest")
    with qtbot.waitSignal(filing.filed, timeout=10000):
        qtbot.keyClick(shell.window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not side.property("problem")


@pytest.mark.parametrize("size", [(1280, 740), (1366, 768), (1024, 700)])
def test_the_describe_form_stays_under_the_pointer_as_the_patient_and_pictures_are_chosen(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path, size):
    shell, _ids = _reception_with_pictures(qtbot, logged_in, workstation, vault_path, corpus,
                                           tmp_path, 3)
    window = shell.window
    window.resize(*size)
    classify = shell.desk_controller.filing.classify
    fields = (classify.kind, classify.site, classify.side, classify.detail,
              classify.description, classify.episode)

    def where() -> list:
        return [field.mapTo(window, field.rect().topLeft()) for field in fields]

    select_first(qtbot, shell, 1)
    qtbot.wait(50)
    before = where()
    choose_patient(qtbot, shell, "mai nguyen")
    qtbot.wait(50)
    assert where() == before
    inbox = shell.desk_view.inbox
    inbox.list.setFocus()
    qtbot.keyClick(inbox.list, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(shell.desk_controller.filing.selected) == 2, timeout=5000)
    qtbot.wait(50)
    assert where() == before

    qtbot.mouseClick(classify.description, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(classify.description, "eczema flare, day 8")
    assert classify.description.text() == "eczema flare, day 8"


def test_the_file_button_says_what_it_waits_for_before_any_picture_is_selected(
        qtbot, logged_in):
    shell = logged_in("reception")
    button = shell.desk_controller.filing.file_panel.file_button
    assert button.text() == "Select the pictures to file"
