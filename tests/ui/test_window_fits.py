"""The window fits the screen at 100 % and at 200 %, and never grows by itself."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize

from clinfile.app.desk.quarantine import RefusedFile

# A 1280 × 800 screen at 200 % scaling leaves the window this much room, in its own pixels.
LAPTOP_AT_200 = QSize(640, 400)


def _fits(size: QSize, room: QSize) -> bool:
    return size.width() <= room.width() and size.height() <= room.height()


def test_the_window_opens_within_the_screen(qtbot, start):
    shell = start()
    window = shell.window
    qtbot.wait(50)
    room = window.screen().availableGeometry()
    assert _fits(window.frameGeometry().size(), room.size())
    assert room.contains(window.frameGeometry())


def test_no_page_asks_for_more_room_than_a_laptop_at_200_percent(qtbot, logged_in):
    shell = logged_in("admin")
    window = shell.window
    for page in ("desk", "admin", "lock", "login"):
        window.show_page(page)
        qtbot.wait(20)
        assert _fits(window.minimumSizeHint(), LAPTOP_AT_200), page
        assert _fits(window.minimumSize(), LAPTOP_AT_200), page


def test_a_long_message_never_makes_the_window_grow(qtbot, logged_in):
    shell = logged_in("reception")
    window = shell.window
    room = window.screen().availableGeometry().size()
    window.resize(room)
    qtbot.wait(50)
    before = window.size()
    deep = Path("/home/reception/" + "/".join(f"drop-folder-{n}" for n in range(30)))
    refused = RefusedFile(path=deep / "letter.pdf",
                          reason="This file is not a picture — it looks like a PDF",
                          refused_at="2026-12-01T10:00:00+00:00", size=1234, present=True)
    quarantine = shell.desk_view.inbox.quarantine
    quarantine.show_files([refused] * 3)
    shell.desk_view.inbox.tabs.setCurrentWidget(quarantine)
    quarantine.list.setCurrentRow(0)
    shell.desk_controller.filing.file_panel.say("Filed 2 pictures to NGUYEN, Mai " * 12)
    qtbot.wait(100)
    assert window.size() == before
    assert _fits(window.minimumSizeHint(), room)


def test_messages_coming_and_going_move_no_field(qtbot, logged_in):
    shell = logged_in("reception")
    window = shell.window
    window.resize(1280, 800)
    qtbot.wait(50)
    filing = shell.desk_controller.filing
    panel = shell.desk_controller.panel
    fields = (filing.file_panel.file_button, filing.file_panel.record_button,
              filing.file_panel.consents, filing.classify.description, filing.classify.kind,
              panel.candidates, panel.choose_button)

    def where() -> list:
        return [field.mapTo(window, field.rect().topLeft()) for field in fields]

    before = where()
    filing.file_panel.say("Filed 2 pictures to NGUYEN, Mai (born 05/06/1990) (sent by the "
                          "patient, left forearm). Summary PDF in the outbox.", "ok")
    filing.file_panel.show_basis("Filed on the consent below, given by the patient, obtained "
                                 "by Jo Bloggs; for clinical care; the treating team.", "ok")
    filing.classify.show_selection([1, 2], "device")
    panel.caution.setText("Suggested from the file name. Check the name and date of birth "
                          "before choosing, or type to search.")
    panel.caution.show()
    qtbot.wait(100)
    assert where() == before


def test_the_consent_box_keeps_every_line_clear_of_the_file_button_at_200_percent(
        qtbot, logged_in):
    shell = logged_in("reception")
    window = shell.window
    window.resize(LAPTOP_AT_200)
    panel = shell.desk_controller.filing.file_panel
    panel.show_basis("Filed on the consent below, given by the patient, obtained by Jo Bloggs; "
                     "for clinical care; the treating team.", "ok")
    panel.say("Filed 2 pictures to NGUYEN, Mai (born 05/06/1990) (sent by the patient, left "
              "forearm). Summary PDF in the outbox.", "ok")
    qtbot.wait(100)
    for label in (panel.basis, panel.message):
        assert label.height() >= label.heightForWidth(label.width()), label.accessibleName()
    assert panel.basis.geometry().bottom() < panel.consents.geometry().top()
    assert panel.message.geometry().top() > panel.file_button.geometry().bottom()


def test_every_column_of_the_users_table_shows_its_heading_at_200_percent(qtbot, logged_in):
    shell = logged_in("admin")
    shell.window.resize(LAPTOP_AT_200)
    shell.window.show_page("admin")
    qtbot.wait(100)
    header = shell.admin.users.table.horizontalHeader()
    for column in range(header.count()):
        assert header.sectionSize(column) >= header.sectionSizeHint(column), column
