"""Nothing is cut at 1280 × 800: headings, the lock screen's reason, the status line."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel

from clinfile.ui.look import stylesheet_text


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
