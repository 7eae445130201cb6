"""Exporting chosen pictures from the record through the consent rules; a refusal explained."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.ui.helpers import pick
from tests.ui.record_pictures import file_pictures
from tests.ui.test_record import PLAN, open_record_by_keyboard
from tests.unit.app.reports.pdf_checks import page_texts


@pytest.fixture
def filed(vault_path, corpus, tmp_path):
    return file_pictures(vault_path, corpus, tmp_path, PLAN)


def open_export(qtbot, shell):
    qtbot.keyClick(shell.record_view.timeline, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: shell.record.commands.export_dialog is not None
                    and shell.record.commands.export_dialog.isVisible(), timeout=5000)
    return shell.record.commands.export_dialog


def test_two_chosen_pictures_are_exported_for_care_and_the_record_lists_the_export(
        qtbot, logged_in, filed, tmp_path, monkeypatch):
    _patients, ids = filed
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    timeline = shell.record_view.timeline
    qtbot.keyClick(timeline, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    chosen = [p.image_id for p in timeline.chosen()]
    assert len(chosen) == 2
    dialog = open_export(qtbot, shell)
    assert dialog.export_button.text() == "Export 2 pictures…"
    pick(qtbot, dialog.purpose, "Clinical")
    dialog.recipient.setFocus()
    qtbot.keyClick(dialog.recipient, Qt.Key.Key_Home)
    assert dialog.recipient.currentText() == "The treating team"
    folder = tmp_path / "for the specialist"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    with qtbot.waitSignal(shell.record.commands.exported, timeout=20000):
        dialog.export_button.setFocus()
        qtbot.keyClick(dialog.export_button, Qt.Key.Key_Space)
    [pdf] = folder.iterdir()
    assert pdf.name.startswith("NGUYEN_Mai_") and "_export-for-the-treating-team" in pdf.name
    heading = page_texts(pdf)[0]
    assert "Export for the treating team" in heading and "RECORD ATTACHMENT" not in heading
    qtbot.waitUntil(lambda: "for clinical care" in
                    shell.record_view.details.facts["exports"].text()
                    or len(timeline.chosen()) == 2, timeout=10000)
    qtbot.waitUntil(lambda: shell.record_view.status.text().startswith("Exported 1 file"),
                    timeout=10000)
    timeline.choose([chosen[0]])
    assert "exported by clinician for clinical care" in \
        shell.record_view.details.facts["exports"].text()
    timeline.choose([ids[2]])
    assert shell.record_view.details.facts["exports"].text() == "never exported"


def refused_teaching_export(qtbot, shell, monkeypatch, folder) -> tuple[object, list]:
    """Ask to export Mai Nguyen's care-only pictures for education, as a clinician would.

    Returns the refusal box once it shows, and the folder questions asked on the way.
    """
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    dialog = open_export(qtbot, shell)
    pick(qtbot, dialog.purpose, "Education")
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        lambda *a, **k: asked.append(a) or str(folder))
    with qtbot.waitSignal(shell.record.commands.export_refused, timeout=20000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    refusal = shell.record.commands.refusal_dialog
    qtbot.waitUntil(refusal.isVisible, timeout=5000)
    return refusal, asked


def test_a_teaching_export_of_a_care_only_picture_is_refused_and_explained(
        qtbot, logged_in, filed, tmp_path, monkeypatch):
    shell = logged_in("clinician")
    folder = tmp_path / "for the talk"
    folder.mkdir()
    refusal, asked = refused_teaching_export(qtbot, shell, monkeypatch, folder)
    assert asked == [], "no folder is asked for an export the consent refuses"
    assert refusal.reason.text() and refusal.remedy.text().startswith("To allow it:")
    assert not any(folder.iterdir())
    qtbot.mouseClick(refusal.form_button, Qt.MouseButton.LeftButton)
    assert shell.window.current_page() == "desk"
    assert "record their consent for education" in shell.window.activity.text()


def test_a_receptionist_is_told_who_exports(qtbot, logged_in, filed):
    shell = logged_in("reception")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    assert not shell.record.commands.export_button.isEnabled()
    assert "clinician" in shell.record.commands.export_button.toolTip()
    assert shell.record.commands.form_button.isEnabled()


def test_the_summary_of_chosen_pictures_is_written_where_asked_and_nowhere_else(
        login, filed, tmp_path):
    from clinfile.app.record.outputs import write_summary

    _patients, ids = filed
    folder = tmp_path / "printed"
    folder.mkdir()
    path = write_summary(login("clinician"), ids[:2], folder / "summary.pdf")
    assert path.read_bytes().startswith(b"%PDF")
    assert [p.name for p in folder.iterdir()] == ["summary.pdf"]


def _label(button) -> str:
    """A button's words as a person reads them: no Alt-key mark, no trailing dots."""
    return button.text().replace("&", "").rstrip("…")


def test_the_refusal_names_the_form_button_in_the_record_s_own_words(
        qtbot, logged_in, filed, tmp_path, monkeypatch):
    shell = logged_in("clinician")
    refusal, _asked = refused_teaching_export(qtbot, shell, monkeypatch, tmp_path)
    button = _label(shell.record.commands.form_button)
    assert button == "Print consent form"
    assert _label(refusal.form_button) == f"{button} for education"
    assert refusal.form_button.accessibleName() == f"{button} for education"
    qtbot.keyClick(refusal, Qt.Key.Key_Escape)


def test_a_receptionist_told_who_exports_is_told_the_form_button_s_words(
        qtbot, logged_in, filed):
    shell = logged_in("reception")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    commands = shell.record.commands
    assert f"\u201c{_label(commands.form_button)}\u201d" in commands.export_button.toolTip()
    assert f"\u201c{_label(commands.summary_button)}\u201d" in commands.export_button.toolTip()


def test_the_greyed_form_button_says_why(qtbot, logged_in, filed):
    patients, ids = filed
    shell = logged_in("reception")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    timeline, button = shell.record_view.timeline, shell.record.commands.form_button
    timeline.choose([ids[0]])
    assert button.isEnabled()
    qtbot.keyClick(timeline, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert len(timeline.chosen()) == 2
    assert not button.isEnabled()
    assert button.toolTip() == ("Choose just one picture: each may have been filed on a "
                                "different consent.")
