"""The consent dialog asks who decides as the patient's age expects, and why when it differs."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from tests.ui.helpers import add_patients, choose_patient, log_in_as_pictures_arrive, select_first


def _years_ago(years: int) -> str:
    today = date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


def _consent_dialog_for(qtbot, logged_in, workstation, vault_path, corpus, tmp_path,
                        typed: str):
    add_patients(vault_path, [
        ("10001", "Smith", "Mary", _years_ago(46), "Carlton"),
        ("10002", "Tran", "Lily", _years_ago(7), "Footscray"),
    ])
    shell = log_in_as_pictures_arrive(qtbot, logged_in, workstation, corpus, tmp_path,
                                      "reception", 1)
    select_first(qtbot, shell, 1)
    choose_patient(qtbot, shell, typed)
    filing = shell.desk_controller.filing
    qtbot.mouseClick(filing.file_panel.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: filing.consent_dialog is not None
                    and filing.consent_dialog.isVisible(), timeout=5000)
    return filing, filing.consent_dialog


def test_for_a_child_the_dialog_asks_for_the_parent_and_says_why(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    filing, dialog = _consent_dialog_for(qtbot, logged_in, workstation, vault_path, corpus,
                                         tmp_path, "lily tran")
    assert dialog.substitute.isChecked() and dialog.decider.isEnabled()
    assert "7 years old: a parent or guardian decides for a child" in dialog.who_decides.text()

    qtbot.mouseClick(dialog.substitute, Qt.MouseButton.LeftButton)
    with qtbot.assertNotEmitted(filing.consent_recorded, wait=1500):
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "mature minor" in dialog.message.text(), timeout=5000)
    qtbot.mouseClick(dialog.substitute, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.decider, "Anh Tran")
    qtbot.keyClicks(dialog.relationship, "mother")
    with qtbot.waitSignal(filing.consent_recorded, timeout=10000) as recorded:
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert recorded.args[0].decided_by.name == "Anh Tran"


def test_for_an_adult_someone_else_decides_only_with_a_stated_reason(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    filing, dialog = _consent_dialog_for(qtbot, logged_in, workstation, vault_path, corpus,
                                         tmp_path, "mary smith")
    assert not dialog.substitute.isChecked()
    assert "46 years old and decides for themselves" in dialog.who_decides.text()

    qtbot.mouseClick(dialog.substitute, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.decider, "Mary Smith")
    qtbot.keyClicks(dialog.relationship, "parent")
    with qtbot.assertNotEmitted(filing.consent_recorded, wait=1500):
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "lacks capacity" in dialog.message.text(), timeout=5000)
    qtbot.keyClicks(dialog.note, "lacks capacity after a stroke; mother is guardian")
    with qtbot.waitSignal(filing.consent_recorded, timeout=10000) as recorded:
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert recorded.args[0].note.startswith("lacks capacity")
