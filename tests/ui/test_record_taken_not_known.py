"""A picture with no capture time says so everywhere, and is never dated by when it came in."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt

from tests.ui.record_pictures import file_pictures
from tests.ui.test_record import open_record_by_keyboard
from tests.ui.test_record_compare import open_compare

ULCER = "left-lower-leg: above the ankle"
# Two photos with the camera's date, and one drawn in a paint program, with none.
PHOTOS = ("Canon_40D.jpg", "Nikon_D70.jpg", "PaintTool_sample.jpg")


@pytest.fixture
def filed(vault_path, corpus, tmp_path):
    """Mai's leg ulcer three times: twice by camera, once with no date taken."""
    folder = corpus / "exif-samples" / "jpg"
    return file_pictures(vault_path, corpus, tmp_path, [(0, ULCER, "leg ulcer")] * 3,
                         photos=[folder / name for name in PHOTOS])


def _today() -> str:
    return f"{date.today():%d/%m/%Y}"


def test_the_record_says_the_date_taken_is_not_known(qtbot, logged_in, filed):
    _, (_, _, undated) = filed
    shell = logged_in("clinician")
    record = open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    title = shell.record_view.timeline.model_.index(0, 0).data()
    assert _today() not in title
    [group] = record.groups
    known = [p.taken.day() for p in group.pictures if p.image_id != undated]
    assert title.splitlines()[-1] == (f"3 pictures, {min(known, key=_day)} to "
                                      f"{max(known, key=_day)}; 1 with date taken not known")

    timeline = shell.record_view.timeline
    assert timeline.picture_ids()[0] == undated, "it stands where it was received, the newest"
    words = timeline.model_.index(0, 0, timeline.model_.index(0, 0)).data()
    assert words.startswith(f"Date taken not known; received {_today()} · leg ulcer")
    assert timeline.chosen()[0].image_id == undated
    taken = shell.record_view.details.facts["when"].text()
    assert taken.startswith(f"date taken not known; received {_today()} ")

    dialog = open_compare(qtbot, shell)
    left, right = dialog.panes
    assert left.caption.text() == f"Received {_today()} (date taken not known) · leg ulcer"
    assert right.caption.text().startswith("Taken ")
    assert _today() not in right.caption.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)


def test_find_by_dates_leaves_it_out_and_says_so(qtbot, logged_in, filed):
    _, (first, second, undated) = filed
    shell = logged_in("clinician")
    qtbot.keyClick(shell.window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    view = shell.record_view
    qtbot.keyClick(view.patient_panel.search_edit, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    panel = view.find_panel
    panel.words.setFocus()
    qtbot.keyClicks(panel.words, "ulcer")
    panel.since.setDate(QDate(2000, 1, 2))
    panel.until.setDate(QDate.currentDate())
    with qtbot.waitSignal(shell.record.filings_found, timeout=10000):
        qtbot.keyClick(panel.words, Qt.Key.Key_Return)
    found = {panel.list.item(n).data(Qt.UserRole + 1).image_id for n in range(panel.list.count())}
    assert found == {first, second}
    assert panel.summary.text() == (
        "2 filings found. 1 more filing matches but its date taken is not known, so no dates "
        "can find it: clear the dates to see it.")

    panel.since.setDate(panel.since.minimumDate())
    panel.until.setDate(panel.until.minimumDate())
    with qtbot.waitSignal(shell.record.filings_found, timeout=10000):
        qtbot.mouseClick(panel.find_button, Qt.MouseButton.LeftButton)
    assert panel.summary.text() == "3 filings found."
    line = panel.list.item(0)
    assert line.data(Qt.UserRole + 1).image_id == undated
    assert f"leg ulcer · left lower leg (above the ankle) · received {_today()} (date taken " \
           "not known)" in line.text()


def test_today_says_the_date_taken_is_not_known(login, filed):
    from clinfile.app.record.finding import filed_today
    from clinfile.ui.record.finding_panels import line_words

    _, (first, _, undated) = filed
    lines = {line.image_id: line_words(line) for line in filed_today(login("reception"))}
    assert f"received {_today()} (date taken not known)" in lines[undated]
    assert "· taken " in lines[first] and "not known" not in lines[first]


def _day(words: str) -> date:
    day, month, year = map(int, words.split("/"))
    return date(year, month, day)
