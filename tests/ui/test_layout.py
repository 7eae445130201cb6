"""Nothing is cut at 1280 × 800: headings, the lock screen's reason, the status line."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from clinfile.ui.look import stylesheet_text
from tests.ui.helpers import add_patients, arrive, choose_patient, select_first


def _whole(label: QLabel) -> bool:
    """Whether a wrapping label is tall enough for every line of its text."""
    return label.height() >= label.heightForWidth(label.width())


def test_the_administration_heading_shows_whole(qtbot, logged_in):
    shell = logged_in("admin")
    shell.window.resize(1280, 800)
    qtbot.waitUntil(lambda: shell.admin.heading.width() > 0)
    qtbot.wait(50)
    heading = shell.admin.heading
    assert _whole(heading)
    assert heading.width() >= heading.fontMetrics().horizontalAdvance(heading.text())


def test_the_idle_lock_reason_keeps_every_line(qtbot, logged_in, clock):
    shell = logged_in("reception")
    shell.window.resize(1280, 800)
    with qtbot.waitSignal(shell.locked, timeout=5000):
        clock.advance(shell.desk.settings.auto_lock_minutes * 60 + 1)
    reason = shell.window.lock_view.reason
    qtbot.wait(50)
    assert reason.text().endswith("carry on where you were.")
    assert _whole(reason)


def test_the_status_line_has_the_room_and_the_vault_shows_by_name(qtbot, logged_in):
    shell = logged_in("reception")
    window = shell.window
    window.resize(1280, 800)
    window.say("Filed 2 pictures to NGUYEN, Mai (born 05/06/1990) (sent by the patient, "
               "left ankle). Summary PDF in the outbox.")
    qtbot.wait(50)
    assert window.where.text() == f"Vault: {Path(window.where.toolTip()).name}"
    assert window.activity.width() > 3 * window.where.width()
    assert window.statusBar().height() < 3 * window.activity.fontMetrics().height()


def test_spin_boxes_draw_their_arrows():
    text = stylesheet_text()
    for arrow in ("up", "down"):
        line = next(x for x in text.splitlines() if x.startswith(f"QSpinBox::{arrow}-arrow"))
        picture = Path(line.split("url(")[1].split(")")[0])
        assert picture.is_file() and picture.is_absolute()


def test_the_consent_dialog_shows_who_decides_whole(qtbot, logged_in, workstation, vault_path,
                                                    corpus, tmp_path):
    add_patients(vault_path, [("10001", "Nguyen", "Mai", "1990-06-05", "Footscray")])
    drop = tmp_path / "drop"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop), outbox=str(tmp_path / "outbox"))
    shell = logged_in("reception")
    shell.window.resize(1280, 800)
    arrive(qtbot, shell, corpus, drop, 1)
    select_first(qtbot, shell, 1)
    choose_patient(qtbot, shell, "mai nguyen")
    qtbot.keyClick(shell.window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = shell.desk_controller.filing.consent_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.wait(50)
    assert "decides for themselves" in dialog.who_decides.text()
    assert _whole(dialog.who_decides)
    squeezed = [edit.accessibleName() for edit in dialog.findChildren(QLineEdit)
                if edit.isVisible() and edit.height() < edit.sizeHint().height()]
    assert squeezed == []
