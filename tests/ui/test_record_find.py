"""Today's filings at this workstation, and finding earlier filings, by keyboard and by mouse."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QDate, Qt

from tests.ui.helpers import pick
from tests.ui.record_pictures import file_pictures
from tests.ui.test_record import PLAN


@pytest.fixture
def filed(vault_path, corpus, tmp_path):
    return file_pictures(vault_path, corpus, tmp_path, PLAN)


def test_todays_filings_are_listed_and_each_opens_its_record(qtbot, logged_in, filed):
    patients, ids = filed
    shell = logged_in("reception")
    qtbot.keyClick(shell.window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    view = shell.record_view
    with qtbot.waitSignal(shell.record.today_shown, timeout=10000):
        qtbot.keyClick(view.patient_panel.search_edit, Qt.Key.Key_T,
                       Qt.KeyboardModifier.AltModifier)
    today = view.today
    assert today.list.count() == 4
    assert "4 pictures filed today at this computer, for 2 patients" in today.summary.text()
    newest = today.list.item(0).data(Qt.UserRole + 1)
    assert newest.image_id == ids[3]
    assert today.list.item(0).text().startswith("TRAN, Linh (record 900002)")
    today.list.setFocus()
    qtbot.keyClick(today.list, Qt.Key.Key_Down)
    with qtbot.waitSignal(shell.record.record_shown, timeout=10000):
        qtbot.keyClick(today.list, Qt.Key.Key_Return)
    assert shell.record.record.patient_id == patients[0]
    assert [p.image_id for p in view.timeline.chosen()] == [ids[2]]


def test_filings_at_another_workstation_are_not_todays_here(login, filed):
    from clinfile.app.record.finding import filed_today

    session = login("reception")
    assert len(filed_today(session)) == 4
    assert filed_today(session, workstation="front-desk-2") == []


def test_earlier_filings_are_found_by_words_site_kind_and_dates(qtbot, logged_in, filed):
    patients, ids = filed
    shell = logged_in("clinician")
    qtbot.keyClick(shell.window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    view = shell.record_view
    qtbot.keyClick(view.patient_panel.search_edit, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    panel = view.find_panel
    assert view.finding.currentWidget() is panel
    panel.words.setFocus()
    with qtbot.waitSignal(shell.record.filings_found, timeout=10000):
        qtbot.keyClicks(panel.words, "ULCER")
        qtbot.keyClick(panel.words, Qt.Key.Key_Return)
    assert panel.list.count() == 2
    assert panel.summary.text() == "2 filings found."
    with qtbot.waitSignal(shell.record.record_shown, timeout=10000):
        qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert shell.record.record.patient_id == patients[0]

    panel.words.clear()
    pick(qtbot, panel.site, "Hand")
    with qtbot.waitSignal(shell.record.filings_found, timeout=10000):
        qtbot.mouseClick(panel.find_button, Qt.MouseButton.LeftButton)
    assert [panel.list.item(0).data(Qt.UserRole + 1).image_id] == [ids[3]]

    panel.site.setCurrentIndex(0)
    panel.since.setDate(QDate.currentDate().addYears(5))
    with qtbot.waitSignal(shell.record.filings_found, timeout=10000):
        qtbot.mouseClick(panel.find_button, Qt.MouseButton.LeftButton)
    assert panel.list.count() == 0
    assert "No filing matches" in panel.summary.text()

    panel.since.setDate(panel.since.minimumDate())
    panel.this_patient.setChecked(True)
    pick(qtbot, panel.kind, "Clinical")
    with qtbot.waitSignal(shell.record.filings_found, timeout=10000):
        qtbot.mouseClick(panel.find_button, Qt.MouseButton.LeftButton)
    assert sorted(panel.list.item(n).data(Qt.UserRole + 1).image_id
                  for n in range(panel.list.count())) == sorted(ids[:3])


def test_a_picture_without_a_taken_date_is_not_found_by_dates_but_received_on_the_practice_s_day(
        login, vault_path, corpus, tmp_path, app_clock, practice_time_zone):
    from clinfile.app.record.finding import FindRequest, find_filings
    from clinfile.ui.record.finding_panels import line_words

    practice_time_zone("Pacific/Honolulu")
    # 05:00 UTC on the 3rd is 19:00 on the 2nd in Honolulu: the practice received it on the 2nd.
    app_clock.hold(datetime(2026, 12, 3, 5, 0, tzinfo=UTC))
    undated = corpus / "exif-samples" / "jpg" / "PaintTool_sample.jpg"
    _, ids = file_pictures(vault_path, corpus, tmp_path, [(0, "left-forearm", "rash")],
                           photos=[undated])
    session = login("reception")

    on_the_2nd = find_filings(session, FindRequest(since=date(2026, 12, 2),
                                                   until=date(2026, 12, 2)))
    any_day = find_filings(session, FindRequest(words="rash"))

    assert (on_the_2nd.lines, on_the_2nd.undated) == ((), 1)
    assert [line.image_id for line in any_day.lines] == ids
    assert any_day.undated == 0
    assert "received 02/12/2026 (date taken not known)" in line_words(any_day.lines[0])


def test_today_shows_a_move_and_a_correction_as_both_records_do(qtbot, logged_in, filed):
    from tests.ui.test_record_correct import correcting, move_by_keyboard, open_correct

    patients, ids = filed
    shell, timeline, dialog = correcting(qtbot, logged_in, ids[2])
    move_by_keyboard(qtbot, shell, dialog, "Linh Tran", "filed to the wrong patient")
    timeline.choose([ids[0]])
    timeline.setFocus()
    fixing = open_correct(qtbot, shell)
    qtbot.keyClick(fixing.focusWidget(), Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    fixing.description.selectAll()
    qtbot.keyClicks(fixing.description, "leg ulcer, healing")
    qtbot.keyClick(fixing.focusWidget(), Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    with qtbot.waitSignal(shell.record.record_shown, timeout=15000):
        qtbot.keyClicks(fixing.reason, "described more exactly")
        qtbot.keyClick(fixing.reason, Qt.Key.Key_Return)
    history = shell.record_view.details.facts["history"].text().splitlines()

    view = shell.record_view
    with qtbot.waitSignal(shell.record.today_shown, timeout=10000):
        qtbot.keyClick(view.patient_panel.search_edit, Qt.Key.Key_T,
                       Qt.KeyboardModifier.AltModifier)
    rows = {view.today.list.item(n).data(Qt.UserRole + 1).image_id: view.today.list.item(n)
            for n in range(view.today.list.count())}
    mai, linh = "NGUYEN, Mai (record 900001)", "TRAN, Linh (record 900002)"
    moved = rows[ids[2]]
    assert moved.text().startswith(linh)
    assert f"Moved here from {mai} by " in moved.text()
    assert "filed to the wrong patient" in moved.text()
    assert f"moved from {mai} to {linh} by " in moved.toolTip()
    assert "because: filed to the wrong patient" in moved.toolTip()
    corrected = rows[ids[0]]
    assert "leg ulcer, healing" in corrected.text()
    assert "Corrected since filing: description" in corrected.text()
    assert history[-1] in corrected.toolTip()
    assert "Moved" not in corrected.text() and "Corrected" not in rows[ids[1]].text()
    assert patients[1] == moved.data(Qt.UserRole + 1).patient_id
