"""One minute of idle time is said as one minute, in the settings and on the lock screen."""

from __future__ import annotations

from PySide6.QtCore import Qt


def test_a_one_minute_idle_lock_says_one_minute(qtbot, logged_in, clock):
    shell = logged_in("admin")
    window = shell.window
    window.show_page("admin")
    settings = shell.admin.settings
    shell.admin.tabs.setCurrentWidget(settings)
    box = settings.auto_lock
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(box, "1")
    assert box.text() == "1 minute"
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert box.text() == "2 minutes"
    qtbot.keyClick(box, Qt.Key.Key_Down)
    with qtbot.waitSignal(settings.settings_saved, timeout=10000):
        qtbot.mouseClick(settings.save_button, Qt.MouseButton.LeftButton)

    with qtbot.waitSignal(shell.locked, timeout=5000):
        clock.advance(65)
    assert window.lock_view.reason.text().startswith(
        "Clinfile locked itself because nobody used it for 1 minute. ")
