"""What a receptionist and a clinician need in the window, done with keys and clicks."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from clinfile.app.consent.vocabulary import Purpose, RecipientClass
from tests.conftest import PASSWORDS
from tests.ui.helpers import add_patients, choose_patient
from tests.ui.test_export_and_lock import _filed_on_spoken_consent
from tests.ui.test_filing import PATIENTS


def made_photos(folder: Path, count: int) -> list[Path]:
    """Small JPEGs made on the spot, each of its own colour (so none is a duplicate)."""
    folder.mkdir(parents=True, exist_ok=True)
    photos = []
    for number in range(count):
        photo = folder / f"photo {number + 1}.jpg"
        Image.new("RGB", (64, 48), (40 * number % 256, 120, 200)).save(photo, quality=90)
        photos.append(photo)
    return photos


def test_files_dropped_while_locked_are_counted_and_taken_in_on_unlocking(
        qtbot, logged_in, workstation, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop), outbox=str(tmp_path / "outbox"))
    shell = logged_in("reception")
    window = shell.window
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    with qtbot.waitSignal(shell.locked, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    made_photos(drop, 2)
    waiting = window.lock_view.waiting
    qtbot.waitUntil(lambda: waiting.text().startswith("2 files are waiting"), timeout=10000)
    assert waiting.isVisible()

    qtbot.keyClicks(window.lock_view.password_edit, PASSWORDS["reception"])
    with qtbot.waitSignal(shell.unlocked, timeout=10000):
        qtbot.keyClick(window.lock_view.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.desk_view.inbox.model.rowCount() == 2, timeout=30000)
    qtbot.waitUntil(lambda: not any(drop.iterdir()), timeout=10000)


def test_export_starts_in_the_outbox_then_the_last_folder_and_ctrl_e_works_while_typing(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path, monkeypatch):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    workstation.remember(outbox=str(outbox))
    [mai, *_] = add_patients(vault_path, PATIENTS)
    _filed_on_spoken_consent(vault_path, corpus, tmp_path, mai)
    shell = logged_in("clinician")
    choose_patient(qtbot, shell, "mai nguyen")
    filing = shell.desk_controller.filing
    asked_in = []
    chosen = tmp_path / "for the specialist"
    chosen.mkdir()

    def choose_folder(parent, caption, start=""):
        asked_in.append(start)
        return str(chosen)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", choose_folder)
    for _ in range(2):
        qtbot.waitUntil(shell.window.isActiveWindow, timeout=5000)
        search = shell.desk_controller.panel.search_edit
        search.setFocus()
        qtbot.keyClick(search, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        export = filing.export_dialog
        qtbot.waitUntil(lambda export=export: export is not None and export.isVisible(),
                        timeout=5000)
        export.choose(Purpose.CLINICAL_CARE, RecipientClass.TREATING_TEAM)
        with qtbot.waitSignal(filing.exported, timeout=15000) as exported:
            qtbot.mouseClick(export.export_button, Qt.MouseButton.LeftButton)
        count = len(exported.args[0].paths)
        assert shell.window.activity.text().startswith(
            f"Exported {count} file{'s' if count != 1 else ''} to ")
        filing.export_dialog = None
        shell.window.activateWindow()  # as the window manager does when a dialog closes
        qtbot.waitUntil(shell.window.isActiveWindow, timeout=5000)
    assert asked_in == [str(outbox), str(chosen)]
    assert any(chosen.iterdir())


def test_the_consent_form_is_saved_to_the_outbox_by_default(
        qtbot, logged_in, workstation, vault_path, tmp_path, monkeypatch):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    workstation.remember(outbox=str(outbox))
    add_patients(vault_path, PATIENTS)
    shell = logged_in("clinician")
    choose_patient(qtbot, shell, "mai nguyen")
    filing = shell.desk_controller.filing
    qtbot.waitUntil(shell.window.isActiveWindow, timeout=5000)
    qtbot.keyClick(shell.desk_controller.panel.search_edit, Qt.Key.Key_K,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: filing.consent_dialog is not None
                    and filing.consent_dialog.isVisible(), timeout=5000)
    dialog = filing.consent_dialog
    for box in dialog.told:
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    suggested = []

    def save_as(parent, caption, path="", filters=""):
        suggested.append(Path(path))
        return str(Path(path)), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    with qtbot.waitSignal(filing.consent_recorded, timeout=10000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "was saved" in shell.window.activity.text(), timeout=15000)
    assert suggested[0].parent == outbox
    assert [p.name for p in outbox.iterdir()] == [suggested[0].name]


def test_f1_shows_the_keyboard_shortcuts_on_offer(qtbot, logged_in):
    shell = logged_in("reception")
    qtbot.waitUntil(shell.window.isActiveWindow, timeout=5000)
    qtbot.keyClick(shell.desk_controller.panel.search_edit, Qt.Key.Key_F1)
    dialog = shell.window.shortcuts_dialog
    qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible(), timeout=5000)
    table = dialog.table
    rows = {table.item(r, 1).text(): table.item(r, 0).text() for r in range(table.rowCount())}
    assert rows["Find patient"] == "Ctrl+F"
    assert rows["Lock now"] == "Ctrl+L"
    assert rows["Record consent"] == "Ctrl+K"
    assert "Export the patient's pictures" not in rows  # reception does not export
    assert rows["Export: a clinician exports pictures"] == "Ctrl+E"


def test_the_lock_screen_counts_only_new_files_and_refused_ones_are_not_news_again(
        qtbot, logged_in, workstation, tmp_path, monkeypatch):
    drop = tmp_path / "drop"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop), outbox=str(tmp_path / "outbox"))
    shell = logged_in("reception")
    window = shell.window
    (drop / "letter.jpg").write_bytes(b"%PDF-1.4\n" + b"0" * 2000)
    quarantine = shell.desk_view.inbox.quarantine
    qtbot.waitUntil(lambda: quarantine.list.count() == 1, timeout=30000)
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    with qtbot.waitSignal(shell.locked, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    made_photos(drop, 1)
    waiting = window.lock_view.waiting
    qtbot.waitUntil(lambda: waiting.isVisible(), timeout=10000)
    assert waiting.text() == ("1 file is waiting in the drop folder; Clinfile takes it in "
                              "when you unlock.")

    said = []
    monkeypatch.setattr(shell.desk_controller.inbox, "_say", said.append)
    qtbot.keyClicks(window.lock_view.password_edit, PASSWORDS["reception"])
    with qtbot.waitSignal(shell.unlocked, timeout=10000):
        qtbot.keyClick(window.lock_view.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.desk_view.inbox.model.rowCount() == 1, timeout=30000)
    qtbot.wait(500)
    assert not any("letter.jpg" in words for words in said)
