"""Setting up Clinfile on a new computer, through the wizard, as the practice manager would."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWizard

PASSWORD = "the practice manager's sentence"


def _type_folder(qtbot, field, path: Path) -> None:
    field.edit.clear()
    qtbot.keyClicks(field.edit, str(path))
    qtbot.waitUntil(field.usable, timeout=5000)


def test_first_run_creates_the_vault_admin_folders_and_policy(qtbot, shell, start, tmp_path,
                                                              workstation, monkeypatch):
    start()
    assert shell.window.current_page() == "welcome"
    qtbot.mouseClick(shell.window.welcome.setup_button, Qt.MouseButton.LeftButton)
    wizard = shell.wizard
    qtbot.waitUntil(wizard.isVisible)

    _type_folder(qtbot, wizard.vault_page.folder, tmp_path / "practice vault")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)

    page = wizard.admin_page
    qtbot.keyClicks(page.name_edit, "manager")
    assert "full name" in page.message.text()
    qtbot.keyClicks(page.full_name_edit, "Jo Bloggs")
    qtbot.keyClicks(page.password_edit, "short")
    assert "at least" in page.message.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.password_edit.clear()
    qtbot.keyClicks(page.password_edit, PASSWORD)
    qtbot.keyClicks(page.again_edit, PASSWORD)
    assert page.isComplete()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)

    practice = wizard.practice_page
    _type_folder(qtbot, practice.drop, tmp_path / "drop")
    _type_folder(qtbot, practice.outbox, tmp_path / "outbox")
    practice.auto_lock.setValue(3)
    qtbot.mouseClick(practice.written, Qt.MouseButton.LeftButton)
    assert practice.written.isChecked()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton)

    recovery = wizard.recovery_page
    qtbot.waitUntil(lambda: wizard.practice is not None, timeout=15000)
    key = recovery.key_label.text()
    assert key == wizard.practice.recovery_key and len(key) > 20
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()

    sheet = tmp_path / "sheet.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(sheet), ""))
    qtbot.mouseClick(recovery.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Saved" in recovery.sheet_message.text(), timeout=10000)
    assert sheet.read_bytes().startswith(b"%PDF")

    qtbot.mouseClick(recovery.kept, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(shell.desk_opened, timeout=10000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton),
                         Qt.MouseButton.LeftButton)

    assert (tmp_path / "practice vault" / "keyslots.json").exists() or any(
        (tmp_path / "practice vault").iterdir())
    assert (tmp_path / "drop").is_dir() and (tmp_path / "outbox").is_dir()
    assert shell.desk.settings.auto_lock_minutes == 3
    assert shell.desk.policy.written_consent_for_clinical_photos
    assert shell.desk.session.actor.name == "manager"
    with qtbot.waitSignal(shell.locked, timeout=5000):
        shell.window.lock_action.trigger()  # File › Lock now
    assert "Jo Bloggs, type your password" in shell.window.lock_view.reason.text()
    qtbot.waitUntil(lambda: workstation.load().drop_folder == str(tmp_path / "drop"))
    memory = workstation.load()
    assert memory.vault == str(tmp_path / "practice vault") and memory.user == "manager"


def test_wizard_refuses_a_cloud_folder_and_an_occupied_one(qtbot, shell, start, tmp_path):
    start()
    shell.start_setup()
    field = shell.wizard.vault_page.folder
    next_button = shell.wizard.button(QWizard.WizardButton.NextButton)

    field.edit.clear()
    qtbot.keyClicks(field.edit, str(tmp_path / "Dropbox" / "vault"))
    qtbot.waitUntil(lambda: field.verdict is not None, timeout=5000)
    assert "Dropbox" in field.message.text() and "internet" in field.message.text()
    assert not next_button.isEnabled()

    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("hello")
    field.edit.clear()
    qtbot.keyClicks(field.edit, str(occupied))
    qtbot.waitUntil(lambda: field.verdict is not None, timeout=5000)
    assert "already has files" in field.message.text()
    assert not next_button.isEnabled()
