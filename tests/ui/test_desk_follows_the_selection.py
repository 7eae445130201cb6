"""The desk shows only what is about the pictures and the patient now in hand."""

from __future__ import annotations

from PySide6.QtCore import Qt

from clinfile.app.consent.vocabulary import ImageKind
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
    add_patients(vault_path, PATIENTS)
    drop = tmp_path / "drop"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop), outbox=str(tmp_path / "outbox"))
    shell = logged_in("reception")
    shell.window.resize(1280, 800)
    arrive(qtbot, shell, corpus, drop, count)
    return shell


def _captions(shell) -> list[str]:
    return [view.accessibleName() for view in shell.desk_view.preview.images]


def test_the_preview_lets_go_of_the_old_pictures_at_once(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    shell = _reception_with_pictures(qtbot, logged_in, workstation, vault_path, corpus,
                                     tmp_path, 3)
    select_first(qtbot, shell, 1)
    desk, inbox, preview = shell.desk_controller, shell.desk_view.inbox, shell.desk_view.preview
    first = _captions(shell)
    assert len(first) == 1

    shown = []
    desk.previewed.connect(shown.append)
    inbox.list.setFocus()
    qtbot.keyClick(inbox.list, Qt.Key.Key_Down)
    assert _captions(shell) == []
    assert preview.hint.isVisible() and "Opening" in preview.hint.text()
    qtbot.keyClick(inbox.list, Qt.Key.Key_Down)
    assert _captions(shell) == []
    last = inbox.selected_ids()
    qtbot.waitUntil(lambda: bool(shown) and shown[-1] == last, timeout=15000)
    qtbot.wait(500)
    assert shown == [last]
    assert len(_captions(shell)) == 1 and _captions(shell) != first


def test_a_filing_message_goes_with_the_pictures_it_was_about(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    shell = _reception_with_pictures(qtbot, logged_in, workstation, vault_path, corpus,
                                     tmp_path, 4)
    select_first(qtbot, shell, 2)
    choose_patient(qtbot, shell, "mai nguyen")
    filing = shell.desk_controller.filing
    pick(qtbot, filing.classify.site, "Forearm")
    pick(qtbot, filing.classify.side, "left")
    with qtbot.waitSignal(filing.summary_written, timeout=30000):
        qtbot.keyClick(shell.window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    panel = filing.file_panel
    assert panel.message.text().startswith("Filed 2 pictures to NGUYEN, Mai")
    qtbot.waitUntil(
        lambda: panel.message.height() >= panel.message.heightForWidth(panel.message.width()))
    assert panel.message.geometry().top() >= panel.file_button.geometry().bottom()

    inbox = shell.desk_view.inbox
    inbox.list.setFocus()
    qtbot.keyClick(inbox.list, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: filing.selected == inbox.selected_ids(), timeout=5000)
    assert panel.message.text() == ""
    choose_patient(qtbot, shell, "smith john")
    assert "NGUYEN" not in panel.message.text()
    assert filing.file_panel.file_button.text() == "File 1 picture to SMITH, John"


def test_a_description_stays_with_the_pictures_it_was_typed_for(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    shell = _reception_with_pictures(qtbot, logged_in, workstation, vault_path, corpus,
                                     tmp_path, 3)
    select_first(qtbot, shell, 2)
    classify = shell.desk_controller.filing.classify
    pick(qtbot, classify.kind, "Clinical")
    pick(qtbot, classify.site, "Scalp")
    qtbot.keyClicks(classify.description, "scalp lesion")

    inbox = shell.desk_view.inbox
    inbox.list.setFocus()
    qtbot.keyClick(inbox.list, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(shell.desk_controller.filing.selected) == 1, timeout=5000)
    assert classify.description.text() == "scalp lesion"
    assert classify.site.currentText() == "Scalp"

    qtbot.keyClick(inbox.list, Qt.Key.Key_Down)
    qtbot.keyClick(inbox.list, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: shell.desk_controller.filing.selected == inbox.selected_ids(),
                    timeout=5000)
    assert classify.description.text() == ""
    assert classify.site.currentIndex() == 0
    assert classify.side.currentIndex() == -1
    assert classify.chosen_kind is ImageKind.PATIENT_SENT


def test_a_message_goes_once_what_it_asked_for_is_done(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    add_patients(vault_path, PATIENTS)
    shell = log_in_as_pictures_arrive(qtbot, logged_in, workstation, corpus, tmp_path,
                                      "clinician", 1)
    select_first(qtbot, shell, 1)
    filing = shell.desk_controller.filing
    panel = filing.file_panel
    qtbot.mouseClick(panel.file_button, Qt.MouseButton.LeftButton)
    assert panel.message.text().startswith("Choose the patient first")
    choose_patient(qtbot, shell, "mai nguyen")
    assert panel.message.text() == ""

    pick(qtbot, filing.classify.kind, "Clinical")
    pick(qtbot, filing.classify.site, "Ankle")
    pick(qtbot, filing.classify.side, "left")
    with qtbot.waitSignal(filing.filing_refused, timeout=10000):
        qtbot.mouseClick(panel.file_button, Qt.MouseButton.LeftButton)
    assert panel.message.text().startswith("Not filed: ")
    assert "Not filed. Not filed" not in shell.window.activity.text()
    assert shell.window.activity.text().count("Not filed") == 1
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    dialog = filing.consent_dialog
    qtbot.waitUntil(dialog.isVisible)
    for box in dialog.told:
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(filing.consent_recorded, timeout=10000):
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert panel.message.text() == ""
