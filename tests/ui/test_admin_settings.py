"""Every practice setting in the settings tab, from its declared rule, saved to the open window."""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QScrollArea, QSpinBox

from clinfile.app.security.users import UserService
from clinfile.app.settings import PracticeSettings, SettingsService


def _open_settings(qtbot, logged_in, user="admin"):
    shell = logged_in(user)
    qtbot.keyClick(shell.window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(shell.window, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    settings = shell.admin.settings
    qtbot.waitUntil(lambda: shell.admin.tabs.currentWidget() is settings, timeout=5000)
    return shell, settings


def _alt_letter(settings, widget) -> Qt.Key:
    """The letter Alt is pressed with to reach ``widget``, as its label shows it underlined."""
    if isinstance(widget, QCheckBox):
        text = widget.text()
    else:
        text = next(label.text() for label in settings.findChildren(QLabel)
                    if label.buddy() is widget)
    letter = text[text.index("&") + 1].upper()
    return getattr(Qt.Key, f"Key_{letter}")


def test_every_setting_has_an_editor_with_its_declared_limits(qtbot, logged_in):
    _, settings = _open_settings(qtbot, logged_in)
    assert set(settings.editors) == {f.name for f in fields(PracticeSettings)}
    for f in fields(PracticeSettings):
        rule, widget = f.metadata["rule"], settings.editors[f.name].widget
        if isinstance(widget, QSpinBox):
            assert widget.maximum() == rule.maximum
    texts = [label.text() for label in settings.findChildren(QLabel)]
    editors = {editor.widget for editor in settings.editors.values()}
    named = [label.text() for label in settings.findChildren(QLabel)
             if label.buddy() in editors] + [box.text() for box in editors
                                             if isinstance(box, QCheckBox)]
    assert len(named) == len(editors)
    assert [text for text in named if "&" not in text] == [], "each has its own Alt letter"
    assert any(t.startswith("At least 7 years: health records law") for t in texts)
    assert any(t.startswith("At least 25: health records law") for t in texts)


def test_keyboard_alone_changes_settings_and_the_open_window_follows(qtbot, logged_in, login):
    solo = login("admin")
    UserService(solo).set_roles("admin", ["admin", "clinician"])
    solo.lock()
    shell, settings = _open_settings(qtbot, logged_in)
    years = settings.editors["retention_adult_years"].widget
    qtbot.keyClick(shell.window, _alt_letter(settings, years), Qt.KeyboardModifier.AltModifier)
    assert years.hasFocus()
    qtbot.keyClick(years, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(years, "8")
    deletion = settings.editors["device_deletion"].widget
    qtbot.keyClick(shell.window, _alt_letter(settings, deletion), Qt.KeyboardModifier.AltModifier)
    assert deletion.hasFocus()
    qtbot.keyClicks(deletion, "Leave")
    name = settings.editors["practice_name"].widget
    qtbot.keyClick(shell.window, _alt_letter(settings, name), Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(name, "Carlton Family Practice")
    lock = settings.auto_lock
    qtbot.keyClick(shell.window, _alt_letter(settings, lock), Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(lock, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(lock, "12")
    with qtbot.waitSignal(settings.settings_saved, timeout=10000):
        qtbot.keyClick(lock, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    desk = shell.desk
    assert desk.settings.device_deletion == "never"
    assert desk.settings.retention_adult_years == 8
    assert desk.settings.practice_name == "Carlton Family Practice"
    assert desk.session.idle_seconds == 12 * 60
    assert shell.desk_controller.desk.settings.device_deletion == "never"
    assert SettingsService(desk.session).load() == desk.settings


def test_a_number_below_its_legal_minimum_is_said_and_not_saved(qtbot, logged_in):
    shell, settings = _open_settings(qtbot, logged_in)
    years = settings.editors["retention_adult_years"]
    qtbot.keyClick(shell.window, _alt_letter(settings, years.widget),
                   Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(years.widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(years.widget, "5")
    qtbot.keyClick(years.widget, Qt.Key.Key_Tab)
    assert years.value == 5, "what was typed stays as typed"
    why = ("\u201cKeep adults' records for\u201d must be at least 7 years: health records law "
           "keeps a record at least seven years after its last entry.")
    assert years.note.text() == why
    qtbot.keyClick(shell.window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert settings.message.text().startswith("Not saved")
    assert why in settings.message.text()
    assert years.widget.hasFocus(), "the keyboard is taken to what must be put right"
    assert SettingsService(shell.desk.session).load().retention_adult_years == 7

    qtbot.keyClick(years.widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(years.widget, "10")
    assert years.note.text().startswith("At least 7 years")
    with qtbot.waitSignal(settings.settings_saved, timeout=10000):
        qtbot.keyClick(years.widget, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert SettingsService(shell.desk.session).load().retention_adult_years == 10


def test_mouse_ticks_written_consent_and_filing_follows_at_once(qtbot, logged_in, login):
    solo = login("admin")
    UserService(solo).set_roles("admin", ["admin", "clinician"])
    solo.lock()
    shell, settings = _open_settings(qtbot, logged_in)
    box = settings.editors["written_consent_for_clinical_photos"].widget
    settings.findChild(QScrollArea).ensureWidgetVisible(box)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked()
    with qtbot.waitSignal(settings.settings_saved, timeout=10000):
        qtbot.mouseClick(settings.save_button, Qt.MouseButton.LeftButton)
    assert shell.desk_controller.filing.desk.policy.written_consent_for_clinical_photos
    assert "Saved" in settings.message.text()


def test_the_two_outboxes_say_which_is_which_and_which_wins(qtbot, logged_in):
    _, settings = _open_settings(qtbot, logged_in)

    def label_of(widget) -> str:
        return next(label.text() for label in settings.findChildren(QLabel)
                    if label.buddy() is widget).replace("&", "")

    practice = label_of(settings.editors["outbox_folder"].widget)
    own = label_of(settings.outbox.edit)
    assert practice != own
    assert "every computer" in practice and "own" in practice, practice
    assert "this computer" in own.lower() and "instead" in own, own
    assert "This computer's outbox" in settings.editors["outbox_folder"].note.text()
